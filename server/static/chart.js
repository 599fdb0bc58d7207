/* A YASR plugin that draws a bar chart when a result has a numeric column and a label column:
   counts per class, figures, anything grouped. Plain SVG, no charting library. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var NUMERIC = /#(integer|decimal|double|float|int|long|nonNegativeInteger)$/;

  function columns(results) {
    var vars = results.getVariables(), rows = results.getBindings();
    var numeric = vars.filter(function (v) {
      return rows.length > 0 && rows.every(function (r) { return r[v] && r[v].datatype && NUMERIC.test(r[v].datatype); });
    });
    var others = vars.filter(function (v) { return numeric.indexOf(v) < 0; });
    var literal = others.filter(function (v) { return rows.every(function (r) { return !r[v] || r[v].type !== "uri"; }); });
    var label = literal[0] || others[0];  // a name column beats an IRI column
    return { numeric: numeric[0], label: label, rows: rows };
  }

  function shortLabel(term) {
    if (!term) return "";
    var v = term.value;
    if (term.type === "uri") v = (window.kgLabels && window.kgLabels[v]) || v.replace(/^.*[\/#]/, "");
    return v.length > 40 ? v.slice(0, 38) + "…" : v;
  }

  function BarChart(yasr) { this.yasr = yasr; this.priority = 5; this.label = "Chart"; }
  BarChart.prototype.canHandleResults = function () {
    var r = this.yasr.results;
    if (!r || !r.getVariables || r.getType && r.getType() !== "json" || !r.getBindings) return false;
    var c = columns(r);
    return !!(c.numeric && c.label && c.rows.length > 0 && c.rows.length <= 200);
  };
  BarChart.prototype.getIcon = function () {
    var span = document.createElement("span"); span.textContent = "▥"; span.setAttribute("aria-hidden", "true"); return span;
  };
  BarChart.prototype.draw = function () {
    var c = columns(this.yasr.results);
    var rows = c.rows.map(function (r) { return { label: shortLabel(r[c.label]), value: Number(r[c.numeric].value) }; });
    var useLog = false, max = Math.max.apply(null, rows.map(function (r) { return r.value; }).concat([1]));
    var min = Math.min.apply(null, rows.map(function (r) { return r.value; }).filter(function (v) { return v > 0; }).concat([max]));
    if (max / min > 1000) useLog = true;
    function scale(v) { return v <= 0 ? 0 : useLog ? Math.log10(v + 1) / Math.log10(max + 1) : v / max; }
    var barH = 18, gap = 6, left = 230, width = 760, height = rows.length * (barH + gap) + 30;
    var wrap = document.createElement("div"); wrap.className = "kg-chart";
    var caption = document.createElement("p");
    var fr = document.documentElement.lang === "fr";
    caption.textContent = c.numeric + (fr ? " par " : " by ") + c.label +
      (useLog ? (fr ? " (échelle logarithmique)" : " (logarithmic scale)") : "");
    wrap.appendChild(caption);
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height); svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", caption.textContent);
    rows.forEach(function (r, i) {
      var y = i * (barH + gap) + 10;
      var t = document.createElementNS(SVG, "text");
      t.setAttribute("x", left - 6); t.setAttribute("y", y + barH - 5); t.setAttribute("text-anchor", "end");
      t.setAttribute("class", "bar-label"); t.textContent = r.label; svg.appendChild(t);
      var b = document.createElementNS(SVG, "rect");
      b.setAttribute("x", left); b.setAttribute("y", y); b.setAttribute("height", barH);
      b.setAttribute("width", Math.max(1, scale(r.value) * (width - left - 90))); b.setAttribute("class", "bar");
      svg.appendChild(b);
      var v = document.createElementNS(SVG, "text");
      v.setAttribute("x", left + Math.max(1, scale(r.value) * (width - left - 90)) + 4); v.setAttribute("y", y + barH - 5);
      v.setAttribute("class", "bar-label"); v.textContent = r.value.toLocaleString(); svg.appendChild(v);
    });
    wrap.appendChild(svg);
    this.yasr.resultsEl.appendChild(wrap);
  };
  window.KgBarChart = BarChart;
})();
