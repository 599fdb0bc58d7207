/* The neighbourhood picture: a small force-directed node-link layout drawn in SVG, no dependencies.
   Reads the nodes and edges the server embedded as JSON; nodes link to their pages and can be dragged. */
(function () {
  "use strict";
  var host = document.getElementById("graph-view");
  var source = document.getElementById("graph-data");
  if (!host || !source) return;
  var data = JSON.parse(source.textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var colours = { person: "#8a3b12", organisation: "#0b5c8a", place: "#2d6a1f", initiative: "#6b2f8f",
    theme: "#8a5a00", figure: "#a1123a", position: "#2f5f5f", other: "#4a5263" };
  var width = host.clientWidth || 600, height = host.clientHeight || 400;
  var spring = Math.max(90, Math.min(width, height) / 2.6), repulsion = spring * spring * 0.5;
  var byId = {};
  data.nodes.forEach(function (node, i) {
    var angle = (2 * Math.PI * i) / data.nodes.length;
    node.x = node.centre ? width / 2 : width / 2 + Math.cos(angle) * width / 3;
    node.y = node.centre ? height / 2 : height / 2 + Math.sin(angle) * height / 3;
    node.vx = 0; node.vy = 0;
    byId[node.id] = node;
  });
  var edges = data.edges.filter(function (e) { return byId[e.source] && byId[e.target]; });

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  var svg = el("svg", { viewBox: "0 0 " + width + " " + height, "aria-hidden": "true" }, null);
  var marker = el("marker", { id: "kg-arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7",
    markerHeight: "7", orient: "auto-start-reverse" }, el("defs", {}, svg));
  el("path", { d: "M0,0 L10,5 L0,10 z", "class": "arrow-head" }, marker);
  var narrow = width < 500;
  var edgeLayer = el("g", {}, svg), labelLayer = el("g", {}, svg), nodeLayer = el("g", {}, svg);
  edges.forEach(function (e) {
    e.line = el("line", { "class": "edge" + (e.secondary ? " secondary" : ""), "marker-end": "url(#kg-arrow)" }, edgeLayer);
    if (!e.secondary && !narrow) { e.text = el("text", { "class": "edge-label", "text-anchor": "middle" }, labelLayer); e.text.textContent = e.label; }
  });
  data.nodes.forEach(function (node) {
    var link = el("a", { href: node.href || "#", "class": "node" + (node.centre ? " centre" : "") }, nodeLayer);
    node.circle = el("circle", { r: node.centre ? 11 : 7, fill: colours[node.family] || colours.other }, link);
    var title = el("title", {}, node.circle); title.textContent = node.label;
    node.text = el("text", { dx: node.centre ? 14 : 10, dy: 4 }, link);
    var longest = narrow ? 16 : 38;
    node.text.textContent = node.label.length > longest ? node.label.slice(0, longest - 2) + "…" : node.label;
    node.link = link;
  });
  host.appendChild(svg);

  // forces: repulsion between nodes, springs along edges, a pull to the centre
  function step(alpha) {
    var nodes = data.nodes, i, j;
    for (i = 0; i < nodes.length; i++) {
      for (j = i + 1; j < nodes.length; j++) {
        var a = nodes[i], b = nodes[j], dx = b.x - a.x, dy = b.y - a.y, d2 = dx * dx + dy * dy + 0.01;
        var force = repulsion / d2, d = Math.sqrt(d2);
        a.vx -= force * dx / d; a.vy -= force * dy / d; b.vx += force * dx / d; b.vy += force * dy / d;
      }
    }
    edges.forEach(function (e) {
      var a = byId[e.source], b = byId[e.target], dx = b.x - a.x, dy = b.y - a.y;
      var d = Math.sqrt(dx * dx + dy * dy) + 0.01, target = e.secondary ? spring * 1.3 : spring, k = (d - target) * 0.02;
      a.vx += k * dx / d; a.vy += k * dy / d; b.vx -= k * dx / d; b.vy -= k * dy / d;
    });
    nodes.forEach(function (n) {
      n.vx += (width / 2 - n.x) * 0.004; n.vy += (height / 2 - n.y) * 0.006;
      if (n.fixed) { n.vx = 0; n.vy = 0; return; }
      n.x += n.vx * alpha; n.y += n.vy * alpha; n.vx *= 0.6; n.vy *= 0.6;
      n.x = Math.max(12, Math.min(width - 12, n.x)); n.y = Math.max(12, Math.min(height - 12, n.y));
    });
  }
  function draw() {
    edges.forEach(function (e) {
      var a = byId[e.source], b = byId[e.target];
      // the line stops at the edge of the target's circle, so that its arrow head shows the direction
      var dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy) || 1, r = (b.centre ? 11 : 7) + 2;
      e.line.setAttribute("x1", a.x); e.line.setAttribute("y1", a.y);
      e.line.setAttribute("x2", b.x - dx * r / d); e.line.setAttribute("y2", b.y - dy * r / d);
      if (e.text) { e.text.setAttribute("x", (a.x + b.x) / 2); e.text.setAttribute("y", (a.y + b.y) / 2 - 3); }
    });
    data.nodes.forEach(function (n) {
      n.circle.setAttribute("cx", n.x); n.circle.setAttribute("cy", n.y);
      // labels point away from the centre, and inwards near the right edge, so they neither cover it nor clip
      var room = n.text.textContent.length * 6.2 + 14;
      var right = !n.centre && ((n.x < width / 2 - 10 && n.x > room) || n.x > width - room);
      n.text.setAttribute("x", n.x); n.text.setAttribute("y", n.y);
      n.text.setAttribute("text-anchor", right ? "end" : "start");
      n.text.setAttribute("dx", (right ? -1 : 1) * (n.centre ? 14 : 10));
    });
  }
  var centre = data.nodes.filter(function (n) { return n.centre; })[0];
  if (centre) centre.fixed = true;
  var ticks = 0;
  for (; ticks < 250; ticks++) step(1 - ticks / 300);
  draw();
  host.setAttribute("data-ready", "true");

  // dragging (pointer events work for mouse and touch); a drag does not follow the link
  var dragged = null, moved = false;
  function toLocal(event) {
    var box = svg.getBoundingClientRect();
    return { x: (event.clientX - box.left) * width / box.width, y: (event.clientY - box.top) * height / box.height };
  }
  data.nodes.forEach(function (n) {
    n.link.addEventListener("pointerdown", function (event) { dragged = n; moved = false; n.fixed = true; event.preventDefault(); });
    n.link.addEventListener("click", function (event) { if (moved) event.preventDefault(); });
  });
  svg.addEventListener("pointermove", function (event) {
    if (!dragged) return;
    var p = toLocal(event); dragged.x = p.x; dragged.y = p.y; moved = true;
    for (var i = 0; i < 3; i++) step(0.3);
    draw();
  });
  window.addEventListener("pointerup", function () {
    if (dragged && !moved && dragged.href) { window.location.href = dragged.href; }
    if (dragged && !dragged.centre) dragged.fixed = moved;
    dragged = null;
  });
})();
