/* Source viewer: a click on a highlighted passage shows, beside the text, the facts its quotes support.
   Without JavaScript the passage is a link to the same list further down the page; with it, that long list
   is hidden (the panel shows its items), and on a phone the panel opens over the bottom of the screen so
   that the reader keeps their place in the text. */
(function () {
  "use strict";
  var panel = document.getElementById("panel-body");
  var hint = document.getElementById("panel-hint");
  if (!panel) return;
  var box = document.getElementById("facts-panel");
  var list = document.getElementById("all-quotes");
  if (list) list.hidden = true;
  var close = document.getElementById("panel-close");
  if (close) {
    close.hidden = false;
    close.addEventListener("click", function () {
      box.classList.remove("open");
      var active = document.querySelector("a.span.active");
      if (active) active.focus();
    });
  }
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
    box.classList.add("open");
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
