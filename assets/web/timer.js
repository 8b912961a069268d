// The /timer page: the presenter's countdown on the studio floor and, with ?view=clock, the
// gallery's studio clock. Fed by the public /overlay Socket.IO namespace (read-only); counts
// on locally between pushes from the pushed remaining_s and the moment the push arrived, as
// the control room does. Operator text (the director's message) goes in with textContent only.
(function () {
  "use strict";

  var params = new URLSearchParams(location.search);
  var view = params.get("view") === "clock" ? "clock" : "timer";
  var BLINK_S = 6;  // a new message blinks this long, then stays steady
  var body = document.body;
  var $ = function (id) { return document.getElementById(id); };

  // state: the last push; at: performance.now() when it arrived; offset: engine clock − Date.now()
  var model = { state: null, at: performance.now(), offset: 0, pushes: 0, zone: "Asia/Shanghai", messageAt: null };
  // For tests and the floor manager's curiosity: what the page did.
  var page = window.timerPage = { cues: [], pushes: 0, lastPushAt: null, sound: "off" };

  function setText(node, text) {
    text = text == null ? "" : String(text);
    if (node.textContent !== text) node.textContent = text;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  // m:ss, h:mm:ss past an hour; like a wall clock a countdown shows 0:30 until 30 s have fully gone.
  function countdown(seconds) {
    var s = Math.max(0, Math.ceil(seconds - 1e-6));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    return h ? h + ":" + pad(m) + ":" + pad(r) : m + ":" + pad(r);
  }
  function duration(seconds) {  // elapsed and over time count whole seconds gone
    var s = Math.floor(Math.abs(seconds) + 1e-6);
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    return h ? h + ":" + pad(m) + ":" + pad(r) : m + ":" + pad(r);
  }
  var clockFormat = null;  // h23: hour12 false alone shows midnight as 24:00:00 in some Chromes
  function timeOfDay(epoch) {
    if (!clockFormat) {
      try {
        clockFormat = new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", second: "2-digit",
                                                         hourCycle: "h23", timeZone: model.zone });
      } catch (e) {  // an unknown zone name: the screen's own time
        clockFormat = new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
      }
    }
    return clockFormat.format(new Date(epoch * 1000));
  }
  function engineNow() { return (Date.now() / 1000) + model.offset; }
  function sincePush() { return Math.max(0, (performance.now() - model.at) / 1000); }

  // --- the countdown -----------------------------------------------------------------
  // The same phases as core/timers.py, applied to the interpolated value; "cut" is a hearing
  // report stopped at zero (时间到), "idle" no timer set.
  function reading() {
    var t = (model.state && model.state.timer) || {};
    var running = !!t.running;
    var remaining = Number(t.remaining_s || 0) - (running ? sincePush() : 0);
    var dur = Number(t.duration_s || 0);
    var active = running || Number(t.elapsed_s || 0) > 0 || dur > 0;
    var phase = "idle";
    if (active) {
      if (remaining <= 0) phase = t.cut_at_zero ? "cut" : "over";
      else if (t.danger_s && remaining <= t.danger_s) phase = "danger";
      else if (t.warning_s && remaining <= t.warning_s) phase = "warning";
      else phase = "normal";
    }
    return { active: active, running: running, remaining: remaining, phase: phase,
             warning: Number(t.warning_s || 0), cut: !!t.cut_at_zero, label: t.label || "" };
  }

  // Sound cues: the rule of core/cues.py — once entering the warning, once at zero, again
  // only after going back up (a reset, time added); the first reading only sets where we are.
  var cueLast = null, REARM_S = 1;  // back up only 1 s past the line: push jitter at 0.00 is no crossing
  function cuePart(r, margin) {
    return r.remaining <= margin ? 2 : (r.warning && r.remaining <= r.warning + margin ? 1 : 0);
  }
  function observeCue(r) {
    if (!r.active) { cueLast = null; return null; }
    var part = cuePart(r, 0), last = cueLast;
    if (last !== null && part < last) part = Math.max(part, cuePart(r, REARM_S));
    cueLast = part;
    var moving = r.running || (part === 2 && r.cut);
    if (last === null || part <= last || !moving) return null;
    return part === 2 ? "zero" : "warning";
  }

  var fitKey = "";
  function fitDigits(text) {
    // The largest digits that fit: measured on the text's shape (every digit an 8), so the
    // size changes only when the shape does (0:30 → +1:05), never from second to second.
    var node = $("digits"), box = $("countdown");
    var shape = text.replace(/[0-9]/g, "8");
    var key = shape + "|" + box.clientWidth + "x" + box.clientHeight + "|" + fontEpoch;
    if (key === fitKey) return;
    fitKey = key;
    var probe = fitDigits.probe || (fitDigits.probe = document.createElement("span"));
    probe.className = "digits";
    probe.style.cssText = "position:absolute;visibility:hidden;font-size:100px;line-height:1;left:-9999px;top:0";
    probe.textContent = shape;
    document.body.appendChild(probe);
    var w = probe.getBoundingClientRect().width || 1, h = probe.getBoundingClientRect().height || 1;
    probe.remove();
    var size = Math.floor(Math.min(box.clientWidth * 0.94 / w, box.clientHeight * 0.92 / h) * 100);
    node.style.fontSize = Math.max(12, size) + "px";
  }

  var messageKey = "";
  function fitMessage() {
    // The whole line, always: as large as one line allows (up to 8 % of the height), and a long
    // one (up to 40 characters) on two lines rather than smaller than a speaker can read.
    var node = $("message-text");
    if ($("message").hidden || !node.textContent) return;
    var key = node.textContent + "|" + node.clientWidth + "x" + window.innerHeight + "|" + fontEpoch;
    if (key === messageKey) return;
    messageKey = key;
    var probe = fitMessage.probe || (fitMessage.probe = document.createElement("span"));
    probe.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap;font-size:100px;left:-9999px;top:0";
    probe.textContent = node.textContent;
    document.body.appendChild(probe);
    var w = probe.getBoundingClientRect().width || 1;
    probe.remove();
    var vh = window.innerHeight / 100, room = node.clientWidth * 0.97;
    var one = Math.min(8 * vh, room / w * 100);
    if (one >= 5 * vh) {
      node.style.whiteSpace = "nowrap";
      node.style.fontSize = Math.floor(one) + "px";
    } else {  // two lines: a little under half the width each, for the break between words
      node.style.whiteSpace = "normal";
      node.style.fontSize = Math.floor(Math.max(2.5 * vh, Math.min(8 * vh, room * 2 * 0.9 / w * 100))) + "px";
    }
  }

  function renderTimer() {
    var s = model.state || {}, r = reading();
    var text;
    if (r.phase === "cut") text = "时间到";
    else if (r.phase === "over") text = "+" + duration(-r.remaining);
    else if (r.phase === "idle") text = "0:00";
    else text = countdown(r.remaining);
    setText($("digits"), text);
    if (body.dataset.phase !== r.phase) body.dataset.phase = r.phase;
    var paused = r.active && !r.running && r.phase !== "cut" ? "1" : "0";
    if (body.dataset.paused !== paused) body.dataset.paused = paused;
    setText($("phase-tag"), r.phase === "over" ? "超时" : (paused === "1" ? "暂停" : ""));

    var speaker = s.speaker || null;
    setText($("speaker"), speaker ? speaker.name : r.label);
    setText($("unit"), speaker ? [speaker.unit, speaker.title].filter(Boolean).join(" · ") : "");
    setText($("segment"), (s.segment || {}).title || "");
    setText($("time-of-day"), model.pushes ? timeOfDay(engineNow()) : "");
    fitMessage();
    fitDigits(text);  // last: the speaker's lines and the message decide how much room the digits have

    var cue = observeCue(r);
    if (cue) {
      page.cues.push(cue);
      play(cue);
    }
  }

  function renderMessage() {
    var m = (model.state || {}).message, band = $("message");
    if (!m || !m.text) {
      band.hidden = true;
      band.classList.remove("blink");
      model.messageAt = null;
      return;
    }
    setText($("message-text"), m.text);
    band.hidden = false;
    if (m.at !== model.messageAt) {  // a new message: blink, unless it is old news after a reconnect
      model.messageAt = m.at;
      var age = Number((model.state || {}).server_time || 0) - Number(m.at || 0);
      band.classList.remove("blink");
      if (age < BLINK_S) {
        void band.offsetWidth;  // restart the animation
        band.classList.add("blink");
      }
    }
  }

  // --- the studio clock (?view=clock) --------------------------------------------------
  function renderClock() {
    var s = model.state || {}, show = s.show || {}, seg = s.segment || {};
    var live = show.status === "live";
    var run = live ? sincePush() : 0;
    setText($("clock-time"), model.pushes ? timeOfDay(engineNow()) : "--:--:--");
    setText($("clock-elapsed"), duration(Number(show.elapsed_s || 0) + run));
    // Over/under: as the control room computes it, what is left of this segment (never below 0)
    // plus the rest as planned; a segment running long pushes the end out second by second.
    var segLeftPushed = Number(seg.remaining_s || 0), segLeft = segLeftPushed - run;
    var rest = Number(show.remaining_s || 0) - Math.max(0, segLeftPushed);
    var showLeft = Math.max(0, segLeft) + rest;
    var overUnder = live ? Number(show.elapsed_s || 0) + run + showLeft - Number(show.planned_s || 0)
                         : Number(show.over_under_s || 0);
    var over = $("clock-over");
    over.dataset.sign = overUnder >= 1 ? "over" : (overUnder <= -1 ? "under" : "even");
    setText(over, Math.abs(overUnder) < 1 ? "±0:00" : (overUnder > 0 ? "+" : "−") + duration(overUnder));
    var end = live || show.status === "standby" ? engineNow() + showLeft : Number(show.projected_end_at || 0);
    setText($("clock-end"), model.pushes && end ? timeOfDay(end) : "--:--:--");
    var status = { standby: "待播", live: "直播中", ended: "已结束" }[show.status] || "";
    setText($("clock-segment"), [status, seg.title, live ? "本环节剩余 " + (segLeft < 0 ? "−" + duration(segLeft) : countdown(segLeft)) : ""]
      .filter(Boolean).join(" · "));
  }

  function frame() {
    if (view === "clock") renderClock(); else renderTimer();
    requestAnimationFrame(frame);
  }

  // --- sound on this screen (optional: ?sound=1, then one click, as browsers ask) -------
  var audio = null, buffers = {};
  function enableSound() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { page.sound = "unsupported"; return; }
    audio = audio || new Ctx();
    var resume = audio.state === "suspended" ? audio.resume() : Promise.resolve();
    resume.then(function () {
      return Promise.all(["warning", "zero"].map(function (cue) {
        return fetch("/static/sounds/" + cue + ".wav").then(function (r) { return r.arrayBuffer(); })
          .then(function (data) { return audio.decodeAudioData(data); })
          .then(function (buf) { buffers[cue] = buf; });
      }));
    }).then(function () {
      page.sound = audio.state === "running" ? "on" : "blocked";
      $("sound-on").hidden = page.sound === "on";
    }).catch(function () { page.sound = "failed"; });
  }
  function play(cue) {
    if (!audio || !buffers[cue] || audio.state !== "running") return;
    var src = audio.createBufferSource();
    src.buffer = buffers[cue];
    src.connect(audio.destination);
    src.start();
    page.played = (page.played || 0) + 1;
  }
  if (params.get("sound") === "1" && view === "timer") {
    $("sound-on").hidden = false;
    $("sound-on").addEventListener("click", enableSound);
    enableSound();  // a kiosk browser that allows autoplay needs no click
  }

  // --- engine ------------------------------------------------------------------------
  function onState(state) {
    if (!state || typeof state !== "object") return;
    model.state = state;
    model.at = performance.now();
    if (typeof state.server_time === "number") model.offset = state.server_time - Date.now() / 1000;
    model.pushes += 1;
    page.pushes = model.pushes;
    page.lastPushAt = Date.now();
    renderMessage();
  }
  function loadScene() {
    fetch("/api/scene", { cache: "no-store" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (scene) {
        if (!scene || !scene.timezone || scene.timezone === model.zone) return;
        model.zone = String(scene.timezone);
        clockFormat = null;
        var caption = document.querySelector(".clock-caption");
        setText(caption, model.zone === "Asia/Shanghai" ? "北京时间" : model.zone);
      }).catch(function () {});
  }

  body.dataset.view = view;
  if (view === "clock") { $("presenter").hidden = true; $("clock").hidden = false; document.title = "演播室时钟 · Wenzheng Studio"; }
  var fontEpoch = 0;
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(function () { fontEpoch += 1; });
  requestAnimationFrame(frame);
  fetch("/api/state", { cache: "no-store" }).then(function (r) { return r.ok ? r.json() : null; })
    .then(function (state) { if (state && model.pushes === 0) onState(state); }).catch(function () {});
  loadScene();

  if (typeof io !== "function") return;
  // A floor monitor must come back by itself: reconnect for ever, never more than 1 s apart.
  var socket = io("/overlay", { transports: ["websocket", "polling"], reconnectionDelay: 250, reconnectionDelayMax: 1000 });
  socket.on("connect", function () { body.dataset.connection = "connected"; loadScene(); });
  socket.on("disconnect", function () { body.dataset.connection = "disconnected"; });
  socket.on("connect_error", function () { body.dataset.connection = "disconnected"; });
  socket.on("state", onState);  // on every (re)connect the engine sends the whole state first
})();
