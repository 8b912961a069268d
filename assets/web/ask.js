// 我要问政 web intake: POST /api/questions. Everything the viewer typed goes out as JSON
// and nothing from the server is ever put into the page as HTML (textContent only).
"use strict";
(function () {
  var MAX = 500;
  var form = document.getElementById("ask-form");
  var text = document.getElementById("text");
  var count = document.getElementById("count");
  var unit = document.getElementById("unit");
  var district = document.getElementById("district");
  var name = document.getElementById("name");
  var anonymous = document.getElementById("anonymous");
  var submit = document.getElementById("submit");
  var status = document.getElementById("status");
  var done = document.getElementById("done");
  var CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/g;

  var MESSAGES = {
    rate_limited: "提交太频繁了，请一分钟后再试。",
    too_large: "内容太长了，请精简到 500 字以内。",
    bad_json: "提交的内容无法识别，请刷新页面后重试。",
    unauthorized: "这个入口只接收网络留言。"
  };

  function say(message, kind) {
    status.textContent = message;
    status.className = kind || "";
  }

  // Tabs and stray control characters are refused by the engine: turn them into spaces.
  function clean(value) { return value.replace(/\r\n?/g, "\n").replace(CONTROL, " ").trim(); }

  function length(value) { return Array.from(value).length; }

  function updateCount() {
    var n = length(text.value);
    count.textContent = String(n);
    count.parentNode.className = n > MAX ? "counter over" : "counter";
  }

  function loadUnits() {
    fetch("/api/scene").then(function (r) { return r.ok ? r.json() : null; }).then(function (scene) {
      ((scene && scene.units) || []).forEach(function (u) {
        var opt = document.createElement("option");
        opt.value = u.name;
        opt.textContent = u.short ? u.name + "（" + u.short + "）" : u.name;
        unit.appendChild(opt);
      });
    }).catch(function () { /* the list is optional; the question still goes through */ });
  }

  anonymous.addEventListener("change", function () {
    name.disabled = anonymous.checked;
    if (anonymous.checked) name.value = "";
  });
  text.addEventListener("input", updateCount);

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = { text: clean(text.value), anonymous: anonymous.checked };
    if (!body.text) { say("请先填写您的问题。", "error"); text.focus(); return; }
    if (length(body.text) > MAX) { say("问题不能超过 500 字，现在是 " + length(body.text) + " 字。", "error"); text.focus(); return; }
    var fields = { name: anonymous.checked ? "" : clean(name.value), district: clean(district.value), unit: unit.value };
    Object.keys(fields).forEach(function (k) { if (fields[k]) body[k] = fields[k]; });
    submit.disabled = true;
    say("正在提交……");
    fetch("/api/questions", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, data: data }; });
      })
      .then(function (res) {
        if (res.status === 201) {
          document.getElementById("done-id").textContent = "#" + res.data.id;
          form.reset(); name.disabled = false; updateCount(); say("");
          form.hidden = true; done.hidden = false;
          window.scrollTo(0, 0);
        } else {
          var msg = MESSAGES[res.data.error] || (res.status === 400
            ? "内容不符合要求，请检查后再提交（不能为空、不超过 500 字、不含特殊控制字符）。"
            : "服务器暂时无法受理，请稍后再试。");
          say(msg, "error");
        }
      })
      .catch(function () { say("网络不通，请检查网络后重试（您填写的内容还在）。", "error"); })
      .then(function () { submit.disabled = false; });
  });

  document.getElementById("again").addEventListener("click", function () {
    done.hidden = true; form.hidden = false; text.focus();
  });

  updateCount();
  loadUnits();
})();
