// docgen serve: the few lines of script the pages use. Every page works without them.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // after "Lưu và kiểm tra": bring the first problem beside a field into view, its input focused
  var first = document.querySelector(".field.has-problem");
  if (first && !location.hash) {
    first.scrollIntoView({ block: "center" });
    var input = first.querySelector("input, select, textarea");
    if (input) { input.focus({ preventScroll: true }); }
  }
  // "Xem trước": the PDF opens in the frame under the list of papers; show the frame
  document.querySelectorAll("a.xem").forEach(function (link) {
    link.addEventListener("click", function () {
      var frame = document.getElementById("xem-truoc");
      if (frame) { frame.scrollIntoView({ block: "start" }); }
    });
  });
});
