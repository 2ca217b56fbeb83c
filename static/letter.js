// The letter's Copy button: shown only where the browser can copy; the text stays selectable.
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("[data-copy-field]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copyField);
    if (!source) {
      return;
    }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(function () {
        button.textContent = button.dataset.copied;
        window.setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
})();

// The mailto link follows the supporter's edits as they type (without JavaScript, the form's
// button asks the server for a new link). Same encoding as the server's: UTF-8, %20, %0D%0A.
(function () {
  "use strict";
  var link = document.getElementById("mailto");
  var subject = document.getElementById("subject");
  var body = document.getElementById("body");
  var notice = document.getElementById("paste-notice");
  if (!link || !subject || !body || !link.dataset.prefix) {
    return;
  }
  function update() {
    var head = link.dataset.prefix + "subject=" + encodeURIComponent(subject.value.trim());
    var text = body.value.replace(/\r\n?/g, "\n").replace(/\n/g, "\r\n");
    var full = head + "&body=" + encodeURIComponent(text);
    var fits = full.length <= Number(link.dataset.max);
    link.href = fits ? full : head;
    if (notice) {
      notice.hidden = fits;
    }
  }
  subject.addEventListener("input", update);
  body.addEventListener("input", update);
})();
