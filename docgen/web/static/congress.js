// The congress page (/dai-hoi): rows added and removed in the election tables, and the numbers and
// problems the server computed for what is typed. Nothing is counted here: the form is posted to
// the page's JSON endpoint, which checks it as `docgen check` does and builds the numbers with the
// functions the papers are printed with; this script only puts the answer on the page.
"use strict";
(function () {
  var form = document.getElementById("congress-form");
  if (!form) { return; }
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var timer = null;
  var asked = 0;

  function addRow(button) {
    var list = button.closest(".list");
    var depth = button.getAttribute("data-depth");
    var template = list.querySelector(":scope > template");
    var rows = list.querySelector(".rows");
    var next = parseInt(list.getAttribute("data-next"), 10) || 0;
    list.setAttribute("data-next", String(next + 1));
    // a new row takes an index no row of this list has; the server puts the rows back in order
    var html = template.innerHTML.split("__N" + depth + "__").join(String(next));
    rows.insertAdjacentHTML("beforeend", html);
  }

  function show(answer) {
    var numbers = document.getElementById("numbers");
    numbers.innerHTML = answer.numbers_html;
    numbers.classList.remove("stale");
    document.querySelector("#summary span").textContent = answer.summary;
    document.getElementById("summary").className = answer.ok ? "ok" : "not-ok";
    var general = document.getElementById("general-problems");
    general.innerHTML = answer.general_html;
    var slots = form.querySelectorAll(".problems");
    var bySlot = {};
    for (var i = 0; i < slots.length; i++) {
      slots[i].innerHTML = "";
      bySlot[slots[i].getAttribute("data-for")] = slots[i];
    }
    Object.keys(answer.problems).forEach(function (slot) {
      var where = bySlot[slot];
      if (where) { where.innerHTML = answer.problems[slot]; }
      else { general.insertAdjacentHTML("beforeend", answer.problems[slot]); }
    });
  }

  // the numbers shown are no longer those of the form: say so above them, and why
  function failed(why) {
    var summary = document.getElementById("summary");
    summary.querySelector("span").textContent = why;
    summary.className = "not-ok";
    var numbers = document.getElementById("numbers");
    var note = numbers.querySelector(".stale-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "problem error stale-note";
      numbers.insertBefore(note, numbers.firstChild);
    }
    note.textContent = "Số liệu dưới đây là của lần tính trước, chưa theo những gì vừa gõ. " + why;
    numbers.classList.add("stale");
  }

  function ask() {
    var mine = ++asked;
    fetch(form.getAttribute("data-live"), {
      method: "POST", body: new FormData(form), headers: { "X-CSRFToken": token }, credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) {
        if (mine === asked) {
          failed(response.status === 400
            ? "docgen không nhận yêu cầu tính lại (mã 400): trang này mở từ trước khi docgen khởi động lại. "
              + "Hãy tải lại trang; những gì chưa lưu phải gõ lại."
            : "docgen báo lỗi khi tính lại (mã " + response.status + "). Hãy tải lại trang.");
        }
        return null;
      }
      return response.json();
    }).then(function (answer) {
      if (answer && mine === asked) { show(answer); }
    }).catch(function () {
      if (mine === asked) {
        failed("Không tính lại được: máy chủ docgen không trả lời (cửa sổ docgen serve đã đóng?). "
          + "Hãy chạy lại docgen serve rồi tải lại trang.");
      }
    });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(ask, 400);
  }

  form.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList.contains("add-row")) {
      addRow(target);
      later();
    } else if (target.classList.contains("remove-row")) {
      target.closest(".row").remove();
      later();
    }
  });
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
