// The letter's Copy button: shown only where the browser can copy; the text stays selectable.
// It copies the letter as sent: the greeting, a blank line, then the text.
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("[data-copy-field]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copyField);
    var greeting = document.getElementById(button.dataset.greeting || "");
    if (!source) {
      return;
    }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = (greeting ? greeting.textContent + "\n\n" : "") + source.value;
      navigator.clipboard.writeText(text).then(function () {
        button.textContent = button.dataset.copied;
        window.setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
})();

// The letter follows the supporter: their edits as they type, and their country as they choose
// it (without JavaScript, each form's button asks the server). The page carries every
// country's addresses and greeting, already encoded by the server; what is built here is built
// as the server builds it: UTF-8, every reserved character percent-encoded, %0D%0A, and no body
// past the page's limit.
(function () {
  "use strict";
  var link = document.getElementById("mailto");
  var subject = document.getElementById("subject");
  var body = document.getElementById("body");
  var greeting = document.getElementById("greeting");
  var notice = document.getElementById("paste-notice");
  var data = document.getElementById("letter-choices");
  if (!link || !subject || !body || !greeting || !data || !link.dataset.prefix) {
    return;
  }
  var choices = JSON.parse(data.textContent);
  var country = document.getElementById("country");
  var carried = document.getElementById("letter-country");
  var list = document.getElementById("targets");
  var none = document.getElementById("no-targets");
  var pdf = document.getElementById("pdf-link");
  var sent = document.querySelector("form[action*='/sent']");
  var button = document.getElementById("country-button");

  function encode(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }
  function update() {
    var head = link.dataset.prefix + "subject=" + encode(subject.value.trim());
    var text = (greeting.textContent + "\n\n" + body.value)
      .replace(/\r\n?/g, "\n").replace(/\n/g, "\r\n");
    var full = head + "&body=" + encode(text);
    var fits = full.length <= Number(link.dataset.max);
    link.href = fits ? full : head;
    if (notice) {
      notice.hidden = fits;
    }
  }
  function withCountry(address, code) {
    var url = new URL(address, document.baseURI);
    if (code) {
      url.searchParams.set("country", code);
    } else {
      url.searchParams.delete("country");
    }
    return url.pathname + url.search + url.hash;
  }
  function follow() {
    var code = country.value;
    var chosen = choices.countries[code] || choices.countries[""];
    var shown = 0;
    list.querySelectorAll("li").forEach(function (item) {
      item.hidden = item.dataset.country !== "" && item.dataset.country !== code;
      shown += item.hidden ? 0 : 1;
    });
    list.hidden = shown === 0;
    none.hidden = shown !== 0;
    greeting.textContent = chosen.greeting;
    link.dataset.prefix = "mailto:" + [chosen.to, choices.fixed].filter(Boolean).join(",") +
      "?" + choices.cc;
    carried.value = code;
    if (pdf) {
      pdf.href = withCountry(pdf.getAttribute("href"), code);
    }
    if (sent) {
      sent.action = withCountry(sent.getAttribute("action"), code);
    }
    update();
  }
  subject.addEventListener("input", update);
  body.addEventListener("input", update);
  if (country && carried && list && none) {
    country.addEventListener("change", follow);
    if (button) {
      button.parentNode.hidden = true;
    }
    if (country.value !== carried.value) {
      follow();  // the browser kept another choice from before a reload
    }
  }
})();
