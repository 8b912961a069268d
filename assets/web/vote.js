/* /vote: audience voting from a phone or a studio seat.
 *
 * Plain ES5 on purpose: WeChat's built-in browser and older Android WebViews run it as is.
 * Viewer-facing text from the engine (poll titles, labels) goes in with textContent only.
 * A vote is "counted" on screen only after the engine's ack (sent once the ballot is durable);
 * every other outcome is told to the voter, never swallowed.
 */
(function () {
  "use strict";

  var ACK_TIMEOUT_MS = 10000;
  var TOKEN_KEY = "wz_voter_token";
  var TOKEN_COOKIE = "wz_voter";
  var TOKEN_MAX_AGE_S = 7 * 24 * 3600; // the engine's voter tokens last a week
  var MAX_TOKEN_REFRESHES = 3;

  var ERRORS = {
    not_open: "本轮投票已结束或尚未开始，这一票没有计入。",
    no_poll: "这一轮投票不存在，这一票没有计入。",
    bad_choice: "选项无效，这一票没有计入。请刷新页面后重试。",
    duplicate: "您已经投过票了，每个投票凭证每轮只能投一票。",
    rate_limited: "操作太频繁，这一票没有计入。请稍等几秒再试。",
    invalid: "投票请求无效，这一票没有计入。请刷新页面后重试。",
    unavailable: "系统繁忙，这一票没有计入，请稍后再投。",
    timeout: "网络不佳，没有收到确认，无法确定这一票是否计入。请在网络恢复后再点一次：若已计入，会显示“已投票”。",
    dropped: "连接中断，没有收到确认，无法确定这一票是否计入。连接恢复后请再点一次：若已计入，会显示“已投票”。",
    offline: "网络已断开，这一票没有发出，未计入。连接恢复后请重新投票。"
  };

  function $(id) { return document.getElementById(id); }
  function now() { return window.performance && performance.now ? performance.now() : Date.now(); }

  // --- storage: localStorage and a cookie, either may be unavailable ---------------------
  function lsGet(k) { try { return window.localStorage.getItem(k); } catch (e) { return null; } }
  function lsSet(k, v) { try { window.localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  function lsDel(k) { try { window.localStorage.removeItem(k); } catch (e) { /* private mode */ } }
  function cookieGet(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) { return decodeURIComponent(parts[i].slice(eq + 1)); }
    }
    return null;
  }
  function cookieSet(name, value, maxAge) {
    document.cookie = name + "=" + encodeURIComponent(value) + "; max-age=" + maxAge + "; path=/; SameSite=Lax";
  }
  function queryParam(name) {
    var m = new RegExp("[?&]" + name + "=([^&#]*)").exec(window.location.search);
    if (!m) { return null; }
    try { return decodeURIComponent(m[1].replace(/\+/g, " ")); } catch (e) { return null; }
  }

  // --- identity: a seat link, else this device's voter token -----------------------------
  var seat = queryParam("seat");
  var seatKey = queryParam("key");
  var isSeat = !!(seat && seatKey);
  var token = null;

  function saveToken(t) {
    token = t;
    lsSet(TOKEN_KEY, t);
    cookieSet(TOKEN_COOKIE, t, TOKEN_MAX_AGE_S);
  }
  function forgetToken() {
    token = null;
    lsDel(TOKEN_KEY);
    cookieSet(TOKEN_COOKIE, "", 0);
  }

  function requestToken(done, attempt) {
    attempt = attempt || 0;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/voter", true);
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.timeout = 10000;
    function retry(message, delay) {
      showNet(message, true);
      setTimeout(function () { requestToken(done, attempt + 1); }, delay);
    }
    xhr.onload = function () {
      var t = null;
      if (xhr.status === 200) {
        try { t = JSON.parse(xhr.responseText).token; } catch (e) { t = null; }
      }
      if (typeof t === "string" && t) {
        // A second tab may have stored a token meanwhile: share it, so both are one voter.
        saveToken(lsGet(TOKEN_KEY) || t);
        done();
      } else if (xhr.status === 429) {
        retry("当前参与人数较多，正在排队获取投票资格…", 15000);
      } else {
        retry("暂时无法获取投票资格，正在重试…", Math.min(2000 * (attempt + 1), 10000));
      }
    };
    xhr.onerror = xhr.ontimeout = function () {
      retry("网络不可用，正在重试…", Math.min(2000 * (attempt + 1), 10000));
    };
    xhr.send("{}");
  }

  // --- what this voter has voted, per identity: the engine's `voted` list is the truth ----
  function memoryKey() { return isSeat ? "wz_votes:seat:" + seat : "wz_votes:token:" + String(token).slice(-24); }
  function loadMemory() {
    try {
      var m = JSON.parse(lsGet(memoryKey()) || "{}");
      return m && typeof m === "object" ? m : {};
    } catch (e) { return {}; }
  }
  function votedFromMemory() {
    var m = loadMemory(), voted = {};
    for (var id in m) { if (m.hasOwnProperty(id)) { voted[id] = true; } }
    return voted;
  }
  function remember(pollId, choice) {
    var m = loadMemory();
    if (choice || !m[pollId]) { m[pollId] = choice || ""; }
    lsSet(memoryKey(), JSON.stringify(m));
    state.voted[pollId] = true;
  }

  var state = {
    poll: null,
    clockOffsetMs: 0,   // server clock − this phone's clock
    voted: {},
    justVoted: null,    // poll id voted in this page's life (shows 投票成功 instead of 您已投票)
    refused: false,
    tokenRefreshes: 0,
    renderedPollId: null
  };
  var pending = null;   // the vote waiting for its ack

  // --- view -----------------------------------------------------------------------------
  var card = $("card");
  function setView(name) { card.setAttribute("data-view", name); }

  function showNet(text, bad) {
    var el = $("net");
    el.textContent = text;
    el.className = bad ? "net bad" : "net";
    el.hidden = false;
  }
  function hideNet() { $("net").hidden = true; }

  function showError(code) {
    $("error-text").textContent = ERRORS[code] || ERRORS.invalid;
    $("error").setAttribute("data-code", code);
    $("error").hidden = false;
  }
  function clearError() { $("error").hidden = true; $("error").removeAttribute("data-code"); }
  $("error-close").onclick = clearError;

  // The scene's venue names (三民: 四方区分会场), as on the seat card, the control room and the
  // report; until /api/scene answers, the engine's default names.
  var venueNames = {}, whoVenue = null;
  function venueLabel(venue) {
    if (venue && typeof venueNames[venue] === "string" && venueNames[venue]) { return venueNames[venue]; }
    if (!venue || venue === "main") { return "主会场"; }
    var m = /^sub(\d+)$/.exec(venue);
    return m ? "第" + parseInt(m[1], 10) + "分会场" : venue;
  }
  function setWho(venue) {
    whoVenue = venue;
    $("who").textContent = isSeat ? "座位 " + seat + " · " + venueLabel(venue) : "场外观众";
  }

  var BLANK = "blank", BLANK_LABEL = "空白";  // a rating4 seat's blank ballot: the engine counts it as 一般

  function choiceLabel(poll, key) {
    if (key === BLANK && poll.kind === "rating4") { return BLANK_LABEL + "（按“一般”计分）"; }
    for (var i = 0; i < poll.choices.length; i++) {
      if (poll.choices[i].key === key) { return poll.choices[i].label; }
    }
    return "";
  }

  function secondsLeft(poll) {
    if (poll.closes_at === null || poll.closes_at === undefined) { return null; }
    var serverNow = (Date.now() + state.clockOffsetMs) / 1000;
    return Math.max(0, poll.closes_at - serverNow);
  }
  function formatLeft(s) {
    var whole = Math.ceil(s);
    var m = Math.floor(whole / 60), sec = whole % 60;
    return "剩余 " + m + ":" + (sec < 10 ? "0" : "") + sec;
  }

  function buildChoices(poll) {
    var box = $("choices");
    while (box.firstChild) { box.removeChild(box.firstChild); }
    for (var i = 0; i < poll.choices.length; i++) {
      var c = poll.choices[i];
      var b = document.createElement("button");
      b.type = "button";
      b.className = "choice";
      b.textContent = c.label;
      b.setAttribute("data-choice", c.key);
      b.onclick = (function (key, button) { return function () { castVote(key, button); }; })(c.key, b);
      box.appendChild(b);
    }
    if (isSeat && poll.kind === "rating4") {  // 听证评议: a representative may leave the card blank
      var blank = document.createElement("button");
      blank.type = "button";
      blank.className = "choice blank";
      blank.textContent = BLANK_LABEL;
      blank.setAttribute("data-choice", BLANK);
      blank.onclick = (function (button) { return function () { castVote(BLANK, button); }; })(blank);
      box.appendChild(blank);
    }
    state.renderedPollId = poll.id;
  }

  function render() {
    if (state.refused) { setView("refused"); return; }
    var p = state.poll;
    if (!p || p.state === "draft") { setView("waiting"); return; }
    var left = secondsLeft(p);
    if (p.state === "closed" || left === 0) {
      renderClosed(p);  // 投票已结束 on every phone, voted or not
    } else if (state.voted[p.id]) {
      var chosen = loadMemory()[p.id];
      $("voted-head").textContent = state.justVoted === p.id ? "投票成功" : "您已投票";
      $("voted-title").textContent = p.title;
      $("voted-choice").textContent = chosen ? "您的选择：" + choiceLabel(p, chosen) : "本浏览器的投票凭证已参与本轮投票";
      setView("voted");
    } else {
      $("title").textContent = p.title;
      $("unit").textContent = p.unit || "";
      $("unit").hidden = !p.unit;
      if (state.renderedPollId !== p.id) { buildChoices(p); }
      setView("poll");
    }
    tickCountdown();
  }

  // Shares in percent per choice: the engine's weighted `combined` when it sends one, else the plain tally.
  function resultShares(p) {
    if (p.combined && typeof p.combined === "object") { return p.combined; }
    if (!p.tally || typeof p.tally !== "object") { return null; }
    var counts = {}, total = 0;
    for (var g in p.tally) {
      if (!p.tally.hasOwnProperty(g)) { continue; }
      for (var k in p.tally[g]) {
        if (p.tally[g].hasOwnProperty(k)) { counts[k] = (counts[k] || 0) + p.tally[g][k]; total += p.tally[g][k]; }
      }
    }
    var shares = {};
    for (var i = 0; i < p.choices.length; i++) {
      var key = p.choices[i].key;
      shares[key] = total ? 100 * (counts[key] || 0) / total : 0;
    }
    return shares;
  }

  function renderClosed(p) {
    $("closed-title").textContent = p.title;
    var chosen = loadMemory()[p.id];
    var mine = $("closed-mine");
    mine.hidden = !state.voted[p.id];
    mine.textContent = chosen ? "您的选择：" + choiceLabel(p, chosen) : "本设备已参与本轮投票";
    var shares = p.state === "closed" && p.revealed ? resultShares(p) : null;
    var box = $("result-rows");
    while (box.firstChild) { box.removeChild(box.firstChild); }
    for (var i = 0; shares && i < p.choices.length; i++) {
      var pct = Math.max(0, Math.min(100, Number(shares[p.choices[i].key]) || 0));
      var row = document.createElement("div");
      row.className = "result-row";
      row.setAttribute("data-choice", p.choices[i].key);
      var label = document.createElement("span");
      label.className = "result-label";
      label.textContent = p.choices[i].label;
      var value = document.createElement("span");
      value.className = "result-pct";
      value.textContent = pct.toFixed(1) + "%";
      var track = document.createElement("div");
      track.className = "result-track";
      var fill = document.createElement("div");
      fill.className = "result-fill";
      fill.style.width = pct.toFixed(1) + "%";
      track.appendChild(fill);
      row.appendChild(label);
      row.appendChild(value);
      row.appendChild(track);
      box.appendChild(row);
    }
    var total = typeof p.ballots === "number" ? "共 " + p.ballots + " 票" : "";
    if (typeof p.score === "number") {
      // The score divides by the representatives attending, not by the ballots: say how many.
      var counted = (p.attending_source === "signed_in" || p.attending_source === "director") && p.attending > 0
        ? "（" + p.attending + " 位代表）" : "";
      total = "平均分 " + p.score.toFixed(2) + counted + (total ? " · " + total : "");
    }
    $("result-total").textContent = total;
    $("result-head").textContent = p.combined ? "投票结果 · 综合占比" : "投票结果";
    $("result").hidden = !shares;
    $("closed-note").textContent = shares ? "请留意下一轮投票"
      : (p.state === "closed" && p.revealed ? "结果以现场公布为准" : "结果将在节目现场公布，请留意电视直播");
    setView("closed");
  }

  function tickCountdown() {
    var p = state.poll;
    var ids = ["countdown", "voted-countdown"];
    var left = p && p.state === "open" ? secondsLeft(p) : null;
    for (var i = 0; i < ids.length; i++) {
      var el = $(ids[i]);
      if (left === null) { el.hidden = true; continue; }
      el.hidden = false;
      el.textContent = left > 0 ? formatLeft(left) : "投票已截止";
      el.className = left <= 10 ? "countdown urgent" : "countdown";
    }
    var view = card.getAttribute("data-view");
    if (p && left === 0 && (view === "poll" || view === "voted")) { render(); }
  }
  setInterval(tickCountdown, 250);

  function setButtonsDisabled(disabled) {
    var buttons = $("choices").getElementsByTagName("button");
    for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = disabled; }
  }

  // --- voting ---------------------------------------------------------------------------
  function castVote(key, button) {
    var p = state.poll;
    if (pending || !p) { return; }
    clearError();
    if (!socket.connected) { showError("offline"); return; }
    var vote = { poll: p.id, choice: key, started: now(), button: button, label: button.textContent, cls: button.className,
                 done: false };
    pending = vote;
    setButtonsDisabled(true);
    button.className = "choice sending";
    button.textContent = "正在提交…";
    socket.timeout(ACK_TIMEOUT_MS).emit("vote", { poll: p.id, choice: key }, function (err, ack) {
      finishVote(vote, err ? null : ack, err ? "timeout" : null);
    });
  }

  function finishVote(vote, ack, failure) {
    if (vote.done) { return; }
    vote.done = true;
    pending = null;
    window.wzLastVoteMs = Math.round(now() - vote.started);
    vote.button.className = vote.cls;
    vote.button.textContent = vote.label;
    setButtonsDisabled(false);
    if (ack && ack.ok === true) {
      remember(vote.poll, vote.choice);
      state.justVoted = vote.poll;
      render();
      return;
    }
    var code = failure || (ack && typeof ack.error === "string" ? ack.error : "invalid");
    if (code === "duplicate") { remember(vote.poll, null); render(); }
    showError(code);
  }

  // --- rehearsal: the scene says so (asked again after a reconnect: the engine may have restarted) ---
  function loadScene() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", "/api/scene", true);
    xhr.timeout = 10000;
    xhr.onload = function () {
      if (xhr.status !== 200) { return; }
      var scene = null;
      try { scene = JSON.parse(xhr.responseText); } catch (e) { return; }
      $("rehearsal").hidden = !(scene && scene.rehearsal === true);
      // The header names this show (a hearing's representative is not at 百姓问政).
      var title = scene && typeof scene.title === "string" ? scene.title.trim() : "";
      if (title) { $("brand-name").textContent = title; document.title = title; }
      if (scene && scene.venue_names && typeof scene.venue_names === "object") {
        venueNames = scene.venue_names;
        setWho(whoVenue);
      }
    };
    xhr.send();
  }

  // --- connection -----------------------------------------------------------------------
  var socket = window.io("/audience", {
    autoConnect: false,
    auth: function (cb) { cb(isSeat ? { seat: seat, key: seatKey } : { token: token }); },
    reconnectionDelay: 800,
    reconnectionDelayMax: 4000,
    timeout: 10000
  });

  var connectedBefore = false;
  socket.on("connect", function () {
    hideNet();
    state.tokenRefreshes = 0;
    // Spread the re-ask over 3 s: thousands of phones reconnect at once after an engine restart.
    if (connectedBefore) { setTimeout(loadScene, Math.random() * 3000); }
    connectedBefore = true;
  });

  socket.on("disconnect", function (reason) {
    showNet("连接中断，正在重新连接…", true);
    if (pending) { finishVote(pending, null, "dropped"); }
    if (reason === "io server disconnect") { socket.connect(); }
  });

  socket.on("connect_error", function () {
    if (socket.active) {  // a network problem: the client retries by itself
      showNet("无法连接投票系统，正在重试…", true);
      return;
    }
    // The engine refused these credentials.
    if (isSeat) {
      state.refused = true;
      $("refused-text").textContent = "座位凭证无效";
      $("refused-hint").textContent = "请联系现场工作人员核对您的座位卡";
      hideNet();
      render();
    } else if (state.tokenRefreshes < MAX_TOKEN_REFRESHES) {
      state.tokenRefreshes += 1;  // expired or from another show: get a fresh one
      forgetToken();
      requestToken(function () { state.voted = votedFromMemory(); socket.connect(); });
    } else {
      state.refused = true;
      $("refused-text").textContent = "暂时无法进入投票";
      $("refused-hint").textContent = "请稍后刷新本页面重试";
      hideNet();
      render();
    }
  });

  socket.on("poll", function (poll) {
    if (poll && typeof poll.server_time === "number") {
      state.clockOffsetMs = poll.server_time * 1000 - Date.now();
    }
    if (poll && state.poll && poll.id !== state.poll.id) { clearError(); }
    state.poll = poll || null;
    render();
  });

  socket.on("voted", function (info) {
    var voted = {};
    var ids = info && info.polls ? info.polls : [];
    for (var i = 0; i < ids.length; i++) { voted[ids[i]] = true; }
    state.voted = voted;
    setWho(info && info.venue);
    render();
  });

  // Another tab of this device voted: show it here too.
  window.addEventListener("storage", function (e) {
    if (e.key !== memoryKey()) { return; }
    var fromOtherTab = votedFromMemory();
    for (var id in fromOtherTab) { if (fromOtherTab.hasOwnProperty(id)) { state.voted[id] = true; } }
    render();
  });

  function start() {
    setWho(null);
    loadScene();
    if (isSeat) { socket.connect(); return; }
    var stored = lsGet(TOKEN_KEY) || cookieGet(TOKEN_COOKIE);
    if (stored) {
      saveToken(stored);
      state.voted = votedFromMemory();
      socket.connect();
    } else {
      requestToken(function () { state.voted = votedFromMemory(); socket.connect(); });
    }
  }
  start();
})();
