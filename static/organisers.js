// Live preview of a petition's Markdown while the organiser types. Without this script the
// "Preview" button shows the same server-rendered preview, so nothing depends on it.
(function () {
  "use strict";
  var section = document.querySelector("[data-preview-url]");
  var source = document.getElementById("body");
  var target = document.getElementById("preview");
  var token = document.querySelector("input[name=csrf_token]");
  if (!section || !source || !target || !window.fetch) return;
  var timer = null;
  var latest = 0;
  function refresh() {
    var request = ++latest;
    var data = new FormData();
    data.append("body", source.value);
    var headers = token ? { "X-CSRFToken": token.value } : {};
    fetch(section.getAttribute("data-preview-url"), {
      method: "POST", body: data, headers: headers, credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      // The server sanitised this HTML; only the answer to the newest keystroke is shown.
      if (html !== null && request === latest) target.innerHTML = html;
    }).catch(function () { /* keep the last preview; the button still works */ });
  }
  source.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();

// "Select all" / "Select none" for a group of boxes (held signatures, messages of support).
// The controls are hidden in the page and shown only here, where they can work.
(function () {
  "use strict";
  var groups = document.querySelectorAll("[data-select-controls]");
  Array.prototype.forEach.call(groups, function (controls) {
    var name = controls.getAttribute("data-select-controls");
    function tick(checked) {
      var boxes = document.querySelectorAll('input[type=checkbox][data-select="' + name + '"]');
      Array.prototype.forEach.call(boxes, function (box) { box.checked = checked; });
    }
    controls.querySelector("[data-select-all]").addEventListener("click", function () { tick(true); });
    controls.querySelector("[data-select-none]").addEventListener("click", function () { tick(false); });
    controls.hidden = false;
  });
})();
