/* Saved-query forms: an IRI field suggests names from /search as the reader types. The suggestion list
   holds labels; the server matches a chosen label back to its IRI, so the form works without this script. */
(function () {
  "use strict";
  document.querySelectorAll("input.entity-field").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    input.addEventListener("input", function () {
      var text = input.value.trim();
      clearTimeout(timer);
      if (text.length < 2 || /^https?:/.test(text)) return;
      timer = setTimeout(function () {
        var params = new URLSearchParams({ q: text, size: "8", format: "json", complete: "1" });
        if (input.dataset.kind) params.set("kind", input.dataset.kind);
        fetch("/search?" + params.toString(), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.textContent = "";
            data.results.filter(function (r) { return r.kind !== "quote"; }).forEach(function (r) {
              var option = document.createElement("option");
              option.value = r.label;
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are a help, typing a name still works */ });
      }, 150);
    });
  });
})();
