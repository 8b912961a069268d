// The venue board of the /overlay page (三民): each venue's result for the poll, a stacked bar
// per venue, and the total of the venues. The same rows and boxes as
// wenzheng_studio/core/venues.py venue_results and wenzheng_studio/ui/overlay/venue_board.py
// (keep the three in step). Names and labels go in with textContent only.
(function () {
  "use strict";

  var BOARD = { top: 170, height: 856 }, HEAD_H = 76, FOOT_H = 52, ROW_MAX = 64;
  var MIN_SHARE_TEXT_W = 92;
  var PALETTE = ["#F2B705", "#4F9DE0", "#E0475B", "#F08A24", "#9B6BD6", "#C9D6E8",
                 "#F27BB5", "#A0672F", "#7F8FA6", "#FFE08A", "#B0303F", "#2F5FA8"];
  var RATING4 = ["#F2B705", "#4F9DE0", "#9AA7B8", "#E0475B"];
  var DIGITS = "零一二三四五六七八九";

  function chineseNumber(n) {
    var tens = Math.floor(n / 10), ones = n % 10;
    var head = tens === 0 ? "" : (tens === 1 ? "十" : DIGITS[tens] + "十");
    return head + (ones || !tens ? DIGITS[ones] : "");
  }
  function defaultName(key) {
    if (!key || key === "main") return "主会场";
    var m = /^sub0*(\d{1,2})$/.exec(key);
    return m && Number(m[1]) > 0 ? "分会场" + chineseNumber(Number(m[1])) : key;
  }
  function row(key, name, counts, keys) {
    var c = {}, n = 0, shares = {};
    keys.forEach(function (k) { c[k] = Number((counts || {})[k] || 0); n += c[k]; });
    // halves up, in whole numbers: the same digits as core/venues.py share()
    keys.forEach(function (k) { shares[k] = n ? Math.floor((2000 * c[k] + n) / (2 * n)) / 10 : null; });
    return { key: key, name: name, ballots: n, counts: c, shares: shares };
  }
  // venue_results: the scene's venues in order (those without a ballot too), then any other the
  // poll counted, and the total of the venues; null when the poll carries no tally.
  function results(poll, venues, names) {
    if (!poll || !poll.venues || typeof poll.venues !== "object") return null;
    var keys = (poll.choices || []).map(function (c) { return c.key; });
    var order = [];
    (venues || []).concat(Object.keys(poll.venues)).forEach(function (v) { if (order.indexOf(v) < 0) order.push(v); });
    if (!order.length) return null;
    var rows = order.map(function (v) { return row(v, (names || {})[v] || defaultName(v), poll.venues[v], keys); });
    var sum = {};
    keys.forEach(function (k) { sum[k] = rows.reduce(function (a, r) { return a + r.counts[k]; }, 0); });
    return { rows: rows, total: row("total", "合计", sum, keys), choices: poll.choices || [] };
  }
  // What the board shows for the current poll (model.py venue_board): its rows, title, kind, state.
  function board(poll, venues, names) {
    var b = poll ? results(poll, venues, names) : null;
    if (!b) return null;
    b.title = poll.title; b.kind = poll.kind; b.state = poll.state;
    return b;
  }
  function layout(n) {
    var body = BOARD.height - HEAD_H - FOOT_H;
    var rowH = Math.min(ROW_MAX, body / (n + 1));
    return { rowH: rowH, height: HEAD_H + rowH * (n + 1) + FOOT_H };
  }
  function colours(kind, n) {
    var base = kind === "rating4" && n === 4 ? RATING4 : PALETTE, out = [];
    for (var i = 0; i < n; i++) out.push(base[i % base.length]);
    return out;
  }
  function inkOn(hex) {  // dark figures on a bright segment (gold), white on a dark one
    var r = parseInt(hex.substr(1, 2), 16) / 255, g = parseInt(hex.substr(3, 2), 16) / 255,
        b = parseInt(hex.substr(5, 2), 16) / 255;
    return 0.299 * r + 0.587 * g + 0.114 * b > 0.6 ? "#1A1200" : "#FFFFFF";
  }
  function div(cls, text) {
    var d = document.createElement("div");
    d.className = cls;
    if (text != null) d.textContent = String(text);
    return d;
  }
  function fmt(n) { return Math.round(n).toLocaleString("en-US"); }

  // Fills the #venues section from a board (results plus title, kind, state). Rebuilt whole on
  // each change: thirteen rows are cheap, and a push comes at most ten times a second.
  function render(node, board, oneLine) {
    var n = board.rows.length, lay = layout(n), px = Math.floor(Math.max(12, Math.min(30, lay.rowH * 0.5)));
    var cols = colours(board.kind, board.choices.length);
    node.style.top = BOARD.top + "px";
    node.style.height = lay.height + "px";
    node.style.setProperty("--vb-row", lay.rowH + "px");
    node.style.setProperty("--vb-px", px + "px");
    node.style.setProperty("--vb-small", Math.max(12, px - 4) + "px");
    var head = div("vb-head");
    head.appendChild(div("vb-title line", "分会场结果 · " + oneLine(board.title)));
    head.appendChild(div("vb-total", n + " 个会场 · 共 " + fmt(board.total.ballots) + " 票"));
    var body = div("vb-rows");
    board.rows.concat([board.total]).forEach(function (r, i) {
      var line = div("vb-row" + (r === board.total ? " vb-sum" : (i % 2 ? " vb-alt" : "")));
      line.dataset.venue = r.key;
      line.appendChild(div("vb-name line", oneLine(r.name)));
      var track = div("vb-track");
      if (!r.ballots) {
        track.appendChild(div("vb-empty", "尚无选票"));
      } else {
        var trackW = 1304 - 270 - 170 - 20;
        board.choices.forEach(function (c, j) {
          var share = r.shares[c.key] || 0;
          if (share <= 0) return;
          var seg = div("vb-seg");
          seg.style.width = share + "%";
          seg.style.background = cols[j];
          seg.style.color = inkOn(cols[j]);
          if (trackW * share / 100 >= MIN_SHARE_TEXT_W) seg.textContent = share.toFixed(1) + "%";
          track.appendChild(seg);
        });
      }
      line.appendChild(track);
      line.appendChild(div("vb-ballots", fmt(r.ballots) + " 票"));
      body.appendChild(line);
    });
    var foot = div("vb-foot");
    var legend = div("vb-legend");
    board.choices.forEach(function (c, j) {
      var item = div("vb-key");
      var swatch = div("vb-swatch");
      swatch.style.background = cols[j];
      item.appendChild(swatch);
      item.appendChild(div("vb-label line", oneLine(c.label || c.key)));
      legend.appendChild(item);
    });
    foot.appendChild(legend);
    foot.appendChild(div("vb-status", board.state === "open" ? "投票进行中" : "投票已结束"));
    node.replaceChildren(head, body, foot);
  }

  window.WenzhengVenueBoard = { results: results, board: board, render: render, defaultName: defaultName };
})();
