// Sharing buttons: copy the petition's link, or open the phone's own share sheet. Each button is
// shown only where the browser can do what it says; the plain links work without this file.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-link]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copyLink);
    var done = document.getElementById(button.dataset.done);
    if (!field || !done || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        // Emptied first, so a second copy is announced again by screen readers.
        done.textContent = "";
        window.setTimeout(function () { done.textContent = done.dataset.message; }, 50);
      }, function () {
        field.select();  // the browser refused: leave the link selected to copy by hand
      });
    });
  });
  document.querySelectorAll("[data-share-url]").forEach(function (button) {
    if (!navigator.share) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({ title: button.dataset.shareTitle, url: button.dataset.shareUrl })
        .catch(function () {});  // closing the sheet is not an error worth showing
    });
  });
})();
