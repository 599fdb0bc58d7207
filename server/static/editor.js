/* The query editor: YASGUI on this server's endpoint, one tab per example query, the prefixes known to the
   editor, and the bar-chart plugin next to the table. Without YASGUI the plain form still works. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var host = document.getElementById("yasgui");
  var plain = document.getElementById("plain-query");
  window.kgLabels = config.labels || {};  // the chart names IRIs by their labels, not their slugs
  document.querySelectorAll(".load-example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = config.examples[Number(button.getAttribute("data-index"))];
      if (window.kgYasgui) {
        var tab = window.kgYasgui.addTab(true, { name: example.name, yasqe: { value: example.query } });
        tab.show && tab.show();
        host.scrollIntoView({ behavior: "smooth" });
      } else if (plain) {
        plain.value = example.query;
      }
    });
  });
  if (!window.Yasgui || !host) return;
  var Yasgui = window.Yasgui;
  if (window.KgBarChart) Yasgui.Yasr.registerPlugin("chart", window.KgBarChart);
  Yasgui.Yasr.defaults.prefixes = config.prefixes;
  var yasgui = new Yasgui(host, {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    autoAddOnInit: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    yasr: { pluginOrder: ["table", "chart", "response"], defaultPlugin: "table", prefixes: config.prefixes },
    yasqe: { value: "" }
  });
  config.examples.forEach(function (example, i) {
    yasgui.addTab(i === 0, { name: example.name, yasqe: { value: example.query }, requestConfig: { endpoint: config.endpoint, method: "POST" } });
  });
  window.kgYasgui = yasgui;
  host.setAttribute("data-ready", "true");
})();
