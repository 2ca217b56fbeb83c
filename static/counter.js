// Live counter: refreshes each verified count on the page every 30 seconds from its JSON.
// Progressive enhancement only: without this file the server-rendered count stays as it is.
(function () {
  "use strict";
  var PERIOD_MS = 30000;
  var counters = document.querySelectorAll("[data-count-url]");
  if (!counters.length || !window.fetch) {
    return;
  }
  var calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  var lang = document.documentElement.lang || "en";
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  var numbers = window.Intl ? new Intl.NumberFormat(lang) : null;

  function format(n) {
    return numbers ? numbers.format(n) : String(n);
  }

  // The page gives the words for each plural category of its language (data-label-one,
  // -few, -many, -other...), the same categories Intl.PluralRules names.
  function label(element, n) {
    var form = plurals ? plurals.select(n) : n === 1 ? "one" : "other";
    var key = "label" + form.charAt(0).toUpperCase() + form.slice(1);
    return element.dataset[key] || element.dataset.labelOther || element.dataset.labelMany;
  }

  function show(counter, from, to) {
    var number = counter.querySelector("[data-count]");
    var words = counter.querySelector("[data-count-label]");
    if (words) {
      words.textContent = label(words, to);
    }
    var bar = counter.parentNode.querySelector("progress");
    if (bar) {
      bar.value = Math.min(to, bar.max);
    }
    if ((calm && calm.matches) || !window.requestAnimationFrame || to < from) {
      number.textContent = format(to);
      return;
    }
    // Count up over a moment so the change is noticed; skipped when motion is unwelcome.
    var start = null;
    function step(time) {
      start = start || time;
      var done = Math.min((time - start) / 800, 1);
      number.textContent = format(Math.round(from + (to - from) * done));
      if (done < 1) {
        window.requestAnimationFrame(step);
      }
    }
    window.requestAnimationFrame(step);
  }

  function refresh(counter) {
    return fetch(counter.dataset.countUrl, { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        var shown = Number(counter.dataset.shown || counter.querySelector("[data-count]").textContent.replace(/\D/g, ""));
        if (data && typeof data.signature_count === "number" && data.signature_count !== shown) {
          counter.dataset.shown = data.signature_count;
          show(counter, shown, data.signature_count);
        }
      })
      .catch(function () {
        // Offline or busy: keep the last count and try again next time.
      });
  }

  window.setInterval(function () {
    if (document.visibilityState !== "hidden") {
      counters.forEach(refresh);
    }
  }, PERIOD_MS);
})();
