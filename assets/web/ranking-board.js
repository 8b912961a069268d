// The ranking board on the /overlay page (群众满意单位评议, seed 004): one group's units in rank
// order. The same rules and boxes as wenzheng_studio/ui/overlay/ranking_board.py and model.py's
// element "ranking"; overlay.js decides when it shows and passes its text helpers in.
// Unit names go in with textContent only.
(function () {
  "use strict";

  var BOARD_H = 786, HEAD_H = 84, COLUMNS_H = 46, FOOT_H = 44, ROW_MAX_H = 56;
  var TITLE = "群众满意单位评议结果", MARK = "群众满意单位";
  var built = "";  // the rows' identity: rebuilt only when the units or their figures change

  function rowHeight(n) {
    return Math.min(ROW_MAX_H, (BOARD_H - HEAD_H - COLUMNS_H - FOOT_H) / Math.max(1, n));
  }
  function figure(v) { return v == null ? "—" : Number(v).toFixed(2); }

  // What the board would show, or null: the state's ranking_board while the director has it up.
  function content(state, oneLine) {
    var b = state && state.ranking_board;
    if (!b || typeof b !== "object" || !Array.isArray(b.units) || !b.units.length) return null;
    return {
      key: b.group, group: oneLine(b.group), quota: Number(b.quota || 0), complete: b.complete !== false,
      units: b.units.filter(function (u) { return u && typeof u === "object"; }).map(function (u) {
        return { rank: u.rank, unit: oneLine(u.unit), hearing: u.hearing, composite: u.composite,
                 satisfactory: u.satisfactory === true };
      })
    };
  }

  function cell(cls, text) {
    var node = document.createElement("div");
    node.className = "rb-cell line " + cls;
    node.textContent = text;
    return node;
  }

  function fill(root, board, h) {
    var title = root.querySelector(".rb-title");
    h.setText(title, board.group ? board.group + " · " + TITLE : TITLE);
    var note = "前40%为" + MARK + "（" + board.quota + "个）" + (board.complete ? "" : " · 部分单位成绩待定");
    h.setText(root.querySelector(".rb-note"), note);
    h.fitText(title, 42, false);
    var key = JSON.stringify(board.units);
    if (key === built) return;
    built = key;
    var n = board.units.length, rowH = rowHeight(n), px = Math.floor(Math.min(34, rowH * 0.66));
    var box = root.querySelector(".rb-rows");
    box.replaceChildren();
    board.units.forEach(function (u) {
      var row = document.createElement("div");
      row.className = "rb-row" + (u.satisfactory ? " satisfactory" : "");
      row.style.height = rowH + "px";
      row.style.fontSize = px + "px";
      row.appendChild(cell("rb-rank", u.rank == null ? "—" : String(u.rank)));
      row.style.setProperty("--row-h", rowH + "px");
      var name = cell("rb-unit", u.unit);
      row.appendChild(name);
      row.appendChild(cell("rb-hearing", figure(u.hearing)));
      row.appendChild(cell("rb-composite", figure(u.composite)));
      var mark = cell("rb-mark", "");
      if (u.satisfactory) {
        var tag = document.createElement("span");
        tag.className = "rb-tag";
        tag.style.fontSize = Math.floor(px * 0.8) + "px";
        tag.textContent = MARK;
        mark.appendChild(tag);
      }
      row.appendChild(mark);
      box.appendChild(row);
      h.fitText(name, px, true);  // a long name shrinks, then breaks onto two lines, like the lower thirds
    });
  }

  function refit() { built = ""; }  // a web font arrived: every width changed

  window.WenzhengRankingBoard = { content: content, fill: fill, refit: refit, rowHeight: rowHeight };
})();
