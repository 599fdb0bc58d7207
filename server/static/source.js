/* Source viewer: a click on a highlighted passage shows, beside the text, the facts its quotes support.
   Without JavaScript the passage is a link to the same list further down the page. */
(function () {
  "use strict";
  var panel = document.getElementById("panel-body");
  var hint = document.getElementById("panel-hint");
  if (!panel) return;
  function show(keys, span) {
    document.querySelectorAll("a.span.active").forEach(function (a) { a.classList.remove("active"); });
    keys.forEach(function (key) {
      document.querySelectorAll('a.span[data-quotes~="' + key + '"]').forEach(function (a) { a.classList.add("active"); });
    });
    panel.innerHTML = "";
    keys.forEach(function (key) {
      var item = document.getElementById("facts-" + key);
      if (item) {
        var copy = item.cloneNode(true);
        copy.removeAttribute("id");
        copy.classList.add("in-panel");
        panel.appendChild(copy);
      }
    });
    if (hint) hint.hidden = true;
    panel.setAttribute("data-shown", keys.join(" "));
    if (window.matchMedia("(max-width: 60rem)").matches) {
      document.getElementById("facts-panel").scrollIntoView({ behavior: "smooth", block: "start" });
    }
  }
  document.querySelectorAll("a.span").forEach(function (span) {
    span.addEventListener("click", function (event) {
      event.preventDefault();
      show(span.getAttribute("data-quotes").split(" "), span);
      if (span.id) history.replaceState(null, "", "#" + span.id);
    });
  });
  var target = window.location.hash.slice(1);
  var start = target && document.getElementById(target);
  if (start && start.classList.contains("span")) {
    show(start.getAttribute("data-quotes").split(" "), start);
    start.scrollIntoView({ block: "center" });
  }
})();
