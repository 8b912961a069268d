// The /overlay page: the broadcast graphics for OBS Browser Source, driven by the /overlay
// Socket.IO namespace. Same rules as wenzheng_studio/ui/overlay/model.py. Viewer text goes in
// with textContent only: it is data, never markup.
(function () {
  "use strict";

  var ELEMENTS = ["bug", "timer", "tally", "qr", "lower_third", "question", "ranking", "venues"];
  // The ranking board takes the middle of the screen: while it is up, these step aside in auto.
  var BOARD_DISPLACES = ["tally", "qr", "lower_third", "question"];
  var Board = window.WenzhengRankingBoard;
  var SOURCE_LABELS = { web: "网友提问", hotline: "热线来电", studio: "现场提问" };
  var NUMBER_MS = 500;

  var model = { state: {}, poll: null, voteUrl: "", remoteWeight: null, timerAt: performance.now(), pushes: 0,
                venues: [], venueNames: {} };
  var VB = window.WenzhengVenueBoard;  // venue_board.js: the per-venue board (三民)
  var boardKey = "";
  var shownKey = {};   // element -> content identity currently wiped in
  var tweens = {};     // figure name -> {from, to, t0}
  var tweenPoll = null;
  var rows = [];       // tally row DOM, rebuilt when the choices change
  var rowsKey = "";

  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var el = {};
  ELEMENTS.forEach(function (name) { el[name] = document.getElementById(name); });
  var rehearsal = document.getElementById("rehearsal");

  function setText(node, text) {
    text = text == null ? "" : String(text);
    if (node.textContent !== text) node.textContent = text;
  }
  // A title never clips: it shrinks to fit its box (down to 60%), then, where the box has the
  // height for it, breaks into two lines; only what fits nowhere is elided ("…").
  function overflows(node) {
    return node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1;
  }
  var fitEpoch = 0;  // a web font arriving changes every width: everything is fitted again
  function fitText(node, px, twoLines) {
    // Once per text: pushes (votes pouring in) must not re-measure an unchanged title.
    var text = fitEpoch + "|" + node.textContent, key = px + "|" + (twoLines ? 2 : 1);
    if (node._fitText !== text) { node._fitText = text; node._fits = {}; }  // its styles are this text's
    if (key in node._fits) return node._fits[key];
    return (node._fits[key] = measureFit(node, px, twoLines));
  }
  function measureFit(node, px, twoLines) {
    node.classList.remove("two-lines", "keep-words");
    node.style.fontSize = "";
    node.style.lineHeight = "";
    if (!node.clientWidth || !node.textContent) return true;
    var min = Math.max(12, Math.floor(px * 0.6)), size;
    for (size = px; size >= min; size--) {
      node.style.fontSize = size + "px";
      if (node.scrollWidth <= node.clientWidth + 1) return true;
    }
    if (twoLines) {
      node.classList.add("two-lines");
      var half = node.clientHeight / 2;
      // First at the title's own spaces (向市民报告 听市民意见 / 请市民评议), then anywhere.
      var ways = node.textContent.indexOf(" ") >= 0 ? [true, false] : [false];
      for (var w = 0; w < ways.length; w++) {
        node.classList.toggle("keep-words", ways[w]);
        for (size = px; size >= min; size--) {
          if (size * 1.2 > half) continue;
          node.style.fontSize = size + "px";
          node.style.lineHeight = half + "px";
          if (!overflows(node)) return true;
        }
      }
      node.classList.remove("two-lines", "keep-words");
      node.style.lineHeight = "";
    }
    node.style.fontSize = min + "px";
    return false;
  }
  function fitBug() {
    var show = model.state.show || {}, title = $(".bug-title");
    el.bug.classList.toggle("no-sub", !show.subtitle);
    if (show.subtitle && !fitText(title, 42, false)) {
      el.bug.classList.add("no-sub");  // too long for one line: the whole box, in two lines
    }
    if (el.bug.classList.contains("no-sub")) fitText(title, 46, true);
  }
  function fitLowerThird() {
    fitText($(".lt-name"), 54, false);
    fitText($(".lt-title"), 34, false);
    fitText($(".lt-unit"), 30, false);
  }
  function oneLine(text) {
    if (text == null) return "";
    return String(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ").replace(/\s+/g, " ").trim();
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clockText(seconds) {
    var s, sign = "";
    if (seconds > 0) { s = Math.ceil(seconds - 1e-6); } else { s = Math.floor(-seconds + 1e-6); sign = "+"; }
    return sign + pad(Math.floor(s / 60)) + ":" + pad(s % 60);
  }
  function easeOutCubic(x) { return 1 - Math.pow(1 - x, 3); }
  function fmt(n) { return Math.round(n).toLocaleString("en-US"); }

  // --- what to show --------------------------------------------------------------------
  function timerSet() {
    var t = model.state.timer || {};
    return !!t.running || Number(t.duration_s || 0) > 0;
  }
  function mode(name) {
    var m = (model.state.overlay || {})[name];
    return m === "show" || m === "hide" ? m : "auto";
  }
  function content(name) {
    var st = model.state, poll = model.poll;
    switch (name) {
      case "bug": return st.show && st.show.title ? { key: null } : null;
      case "timer": return (st.segment || timerSet()) ? { key: null } : null;
      case "tally": return poll && poll.tally ? { key: null } : null;
      case "qr": return model.voteUrl ? { key: null } : null;
      case "lower_third": return st.speaker ? { key: st.speaker.index } : null;
      case "question": return st.question ? { key: st.question.id } : null;
      case "ranking": return Board ? Board.content(st, oneLine) : null;
      case "venues": return venueBoard() ? { key: poll.id } : null;
    }
    return null;
  }
  function venueBoard() { return VB ? VB.board(model.poll, model.venues, model.venueNames) : null; }
  function autoVisible(name) {
    var st = model.state, poll = model.poll;
    if (BOARD_DISPLACES.indexOf(name) >= 0 && content("ranking")) return false;
    switch (name) {
      case "bug": return true;
      case "timer": return (st.show || {}).status === "live" && timerSet();
      // The venue board, when the director puts it up, takes the tally's place.
      case "tally": return !!poll && (poll.state === "open" || poll.state === "closed") && !visible("venues");
      // No QR code asking phones to vote when their votes count for nothing (remote_weight 0).
      case "qr": return !!poll && poll.state === "open" && model.remoteWeight !== 0;
      case "lower_third": return !visible("question") && !visible("venues");
      case "question": return true;
      // the director's venue board (三民), when forced up, is drawn instead (as in model.py)
      case "ranking": return !visible("venues");
      case "venues": return false;  // on air only on the director's cue (mode "show")
    }
    return false;
  }
  function visible(name) {
    var m = mode(name);
    if (m === "hide" || !content(name)) return false;
    return m === "show" || autoVisible(name);
  }
  function timerRemaining(now) {
    var t = model.state.timer || {};
    var left = Number(t.remaining_s || 0);
    if (t.running) left -= (now - model.timerAt) / 1000;
    return left;
  }
  function timerState(now) {
    var t = model.state.timer || {};
    if (!t.running) return t.state || "normal";
    var left = timerRemaining(now);
    if (left <= 0) return "over";
    if (t.danger_s && left <= t.danger_s) return "danger";
    if (t.warning_s && left <= t.warning_s) return "warning";
    return "normal";
  }

  // --- filling the elements (only while they have content: an element leaving keeps its text)
  function fillBug() {
    var show = model.state.show || {};
    setText($(".bug-title"), oneLine(show.title));
    setText($(".bug-sub"), oneLine(show.subtitle));
    fitBug();
  }
  function fillTimer() {
    setText($(".timer-segment"), oneLine((model.state.segment || {}).title));
    fitText($(".timer-segment"), 26, false);
    el.timer.classList.toggle("no-clock", !timerSet());
  }
  function fillLowerThird() {
    var sp = model.state.speaker;
    setText($(".lt-name"), oneLine(sp.name));
    setText($(".lt-title"), oneLine(sp.title));
    setText($(".lt-unit"), oneLine(sp.unit));
    fitLowerThird();
  }
  function fillQuestion() {
    var q = model.state.question;
    var who = [oneLine(q.name), oneLine(q.district)].filter(Boolean).join(" · ");
    var parts = [SOURCE_LABELS[q.source] || "观众提问"];
    if (who) parts.push(who);
    if (q.unit) parts.push("问：" + oneLine(q.unit));
    setText($(".q-head"), parts.join("\u00a0\u00a0\u00a0"));
    setText($(".q-text"), oneLine(q.text));
  }
  function fillQr() {
    setText($(".qr-url"), model.voteUrl);
  }
  function buildTallyRows(poll) {
    var choices = poll.choices || [];
    var key = poll.id + ":" + choices.map(function (c) { return c.key + "=" + c.label; }).join("|");
    if (key === rowsKey) return;
    rowsKey = key;
    var box = $(".tally-rows");
    box.replaceChildren();
    rows = [];
    var n = choices.length;
    var rowH = n <= 4 ? 108 : Math.max(38, 430 / n);
    var detail = rowH >= 80;
    var barH = detail ? 38 : Math.min(30, rowH * 0.6);
    box.classList.toggle("compact", !detail);
    box.style.height = (16 + rowH * n) + "px";
    choices.forEach(function (c) {
      var row = document.createElement("div");
      row.className = "tally-row";
      row.style.height = rowH + "px";
      var barTop = detail ? 14 : (rowH - barH) / 2;
      var label = document.createElement("div");
      label.className = "tally-label line";
      label.style.top = (barTop - 6) + "px"; label.style.height = label.style.lineHeight = (barH + 12) + "px";
      label.textContent = oneLine(c.label || c.key);
      var track = document.createElement("div");
      track.className = "tally-track";
      track.style.top = barTop + "px"; track.style.height = barH + "px";
      var fill = document.createElement("div");
      fill.className = "tally-fill";
      track.appendChild(fill);
      var pct = document.createElement("div");
      pct.className = "tally-pct";
      pct.style.top = (barTop - 8) + "px"; pct.style.height = pct.style.lineHeight = (barH + 16) + "px";
      var det = document.createElement("div");
      det.className = "tally-detail line";
      det.style.top = (barTop + barH + 6) + "px";
      [label, track, pct, det].forEach(function (node) { row.appendChild(node); });
      box.appendChild(row);
      rows.push({ key: c.key, fill: fill, pct: pct, detail: det });
    });
  }
  function fillVenues() {
    var board = venueBoard(), key = JSON.stringify(board);
    if (key === boardKey) return;  // the same figures: no rebuild
    boardKey = key;
    VB.render(el.venues, board, oneLine);
    fitText($(".vb-title", el.venues), 34, false);
  }
  function fillTally() {
    var poll = model.poll;
    buildTallyRows(poll);
    setText($(".tally-title"), oneLine(poll.title));
    fitText($(".tally-title"), 36, false);
    setText($(".tally-status"), poll.state === "open" ? "投票进行中" : "投票已结束");
  }
  // "（5 位代表）": the score divides by the representatives attending (seats signed in or the
  // director's count), not by the ballots beside it, so the figure says how many.
  function representatives(poll) {
    var n = poll.attending, source = poll.attending_source;
    return (source === "signed_in" || source === "director") && n > 0 ? "（" + n + " 位代表）" : "";
  }
  function tallyFigures(poll) {
    var tally = poll.tally || {}, studio = tally.studio || {}, remote = tally.remote || {};
    var combined = poll.combined || {};
    var sum = function (o) { return Object.keys(o).reduce(function (a, k) { return a + Number(o[k] || 0); }, 0); };
    var out = { ballots: Number(poll.ballots || 0), studio_total: sum(studio), remote_total: sum(remote) };
    if (poll.score != null) out.score = Number(poll.score);
    (poll.choices || []).forEach(function (c) {
      out["pct:" + c.key] = Number(combined[c.key] || 0);
      out["studio:" + c.key] = Number(studio[c.key] || 0);
      out["remote:" + c.key] = Number(remote[c.key] || 0);
    });
    return out;
  }
  function retargetNumbers(now) {
    var poll = model.poll;
    if (!poll || !poll.tally) return;
    if (poll.id !== tweenPoll) { tweens = {}; tweenPoll = poll.id; }
    var figures = tallyFigures(poll);
    Object.keys(figures).forEach(function (name) {
      var tw = tweens[name];
      if (!tw) { tweens[name] = { from: 0, to: figures[name], t0: now }; return; }
      if (tw.to !== figures[name]) { tweens[name] = { from: number(name, now), to: figures[name], t0: now }; }
    });
  }
  function number(name, now) {
    var tw = tweens[name];
    if (!tw) return 0;
    var x = Math.min(1, Math.max(0, (now - tw.t0) / NUMBER_MS));
    return tw.from + (tw.to - tw.from) * easeOutCubic(x);
  }

  // --- showing and hiding --------------------------------------------------------------
  function setShown(name, on, key) {
    var node = el[name];
    if (on && node.classList.contains("on") && shownKey[name] != null && key !== shownKey[name]) {
      node.classList.add("instant");      // new content in the same place: wipe it in afresh
      node.classList.remove("on");
      void node.offsetWidth;
      node.classList.remove("instant");
    }
    if (on) shownKey[name] = key;
    node.classList.toggle("on", on);
    node.setAttribute("aria-hidden", on ? "false" : "true");
  }

  function apply() {
    var now = performance.now();
    if (content("bug")) fillBug();
    if (content("timer")) fillTimer();
    if (content("tally")) fillTally();
    if (content("qr")) fillQr();
    if (content("lower_third")) fillLowerThird();
    if (content("question")) fillQuestion();
    var board = content("ranking");
    if (board) Board.fill(el.ranking, board, { setText: setText, fitText: fitText });
    if (content("venues")) fillVenues();
    retargetNumbers(now);
    ELEMENTS.forEach(function (name) {
      var c = content(name);
      setShown(name, visible(name), c ? c.key : null);
    });
    el.lower_third.classList.toggle("raised", visible("question"));
    rehearsal.hidden = (model.state.show || {}).rehearsal !== true;
    document.body.dataset.pushes = String(model.pushes);
  }

  // --- every frame: the clock and the figures ------------------------------------------
  var lastClock = "";
  function frame() {
    var now = performance.now();
    var clock = clockText(timerRemaining(now)), state = timerState(now);
    if (clock + state !== lastClock) {
      lastClock = clock + state;
      setText($(".timer-clock"), clock);
      el.timer.dataset.state = state;
      var label = state === "over" ? "超时" : oneLine((model.state.timer || {}).label);
      setText($(".timer-label"), label);
    }
    if (model.poll && model.poll.tally && tweenPoll === model.poll.id) {
      var total = "共 " + fmt(number("ballots", now)) + " 票";
      if (model.poll.kind === "rating4" && model.poll.score != null) {
        total = "平均分 " + number("score", now).toFixed(2) + representatives(model.poll) + " · " + total;
      }
      setText($(".tally-total"), total);
      setText($(".tally-groups"), "现场 " + fmt(number("studio_total", now)) + " 票 · 场外 " +
              fmt(number("remote_total", now)) + " 票 · 综合占比");
      rows.forEach(function (row) {
        var pct = number("pct:" + row.key, now);
        var width = (560 * Math.max(0, Math.min(100, pct)) / 100).toFixed(1) + "px";
        if (row.fill.style.width !== width) row.fill.style.width = width;
        setText(row.pct, pct.toFixed(1) + "%");
        setText(row.detail, "现场 " + fmt(number("studio:" + row.key, now)) + " 票 · 场外 " +
                fmt(number("remote:" + row.key, now)) + " 票");
      });
    }
    requestAnimationFrame(frame);
  }

  // --- engine --------------------------------------------------------------------------
  function onState(state) {
    if (!state || typeof state !== "object") return;
    model.state = state;
    model.timerAt = performance.now();
    model.poll = state.poll || null;
    model.pushes += 1;
    apply();
  }
  function onTally(poll) {
    if (model.poll && poll && poll.id === model.poll.id) {
      model.poll = Object.assign({}, model.poll, poll);
      apply();
    }
  }
  function loadScene() {
    fetch("/api/scene", { cache: "no-store" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (scene) {
        if (!scene) return;
        model.remoteWeight = typeof scene.remote_weight === "number" ? scene.remote_weight : null;
        model.venues = Array.isArray(scene.venues) ? scene.venues.map(String) : [];
        model.venueNames = scene.venue_names && typeof scene.venue_names === "object" ? scene.venue_names : {};
        if (!scene.vote_url) { apply(); return; }
        if (scene.vote_url !== model.voteUrl) {
          model.voteUrl = String(scene.vote_url);
          $(".qr-code").src = "/qr.svg?u=" + encodeURIComponent(model.voteUrl);
        }
        apply();
      }).catch(function () { /* the next reconnect tries again */ });
  }
  function fitStage() {  // exact in OBS (1920x1080); scaled to fit when opened in a browser tab
    var s = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    document.getElementById("stage").style.transform =
      (window.innerWidth === 1920 && window.innerHeight === 1080) || !s ? "" : "scale(" + s + ")";
  }

  fitStage();
  window.addEventListener("resize", fitStage);
  if (document.fonts && document.fonts.ready) {  // the web font changes every width: fit again
    document.fonts.ready.then(function () { fitEpoch += 1; if (Board) Board.refit(); apply(); });
  }
  requestAnimationFrame(frame);
  // Until the socket delivers, show what /api/state says (and if the socket never comes).
  fetch("/api/state", { cache: "no-store" }).then(function (r) { return r.ok ? r.json() : null; })
    .then(function (state) { if (state && model.pushes === 0) onState(state); }).catch(function () {});
  loadScene();

  if (typeof io !== "function") return;
  var socket = io("/overlay", { transports: ["websocket", "polling"], reconnectionDelayMax: 3000 });
  var stage = document.getElementById("stage");
  socket.on("connect", function () { stage.dataset.connection = "connected"; loadScene(); });
  socket.on("disconnect", function () { stage.dataset.connection = "disconnected"; });
  socket.on("state", onState);   // on every (re)connect the engine sends the whole state first
  socket.on("tally", onTally);
})();
