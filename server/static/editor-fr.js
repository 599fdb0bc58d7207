/* The query editor's own words in French. YASGUI has no translations, so its visible words and its titles
   and aria-labels are translated in place, and again whenever it redraws (a MutationObserver). */
(function () {
  "use strict";
  var host = document.getElementById("yasgui");
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  if (!host || config.lang !== "fr") return;
  var words = {
    "Close tab": "Fermer l’onglet", "Add tab": "Ajouter un onglet", "Add a new tab": "Ajouter un onglet",
    "Open settings": "Ouvrir les réglages", "Settings": "Réglages", "Request method": "Méthode de requête",
    "Accept Headers": "En-têtes Accept", "Arguments": "Arguments", "Header Arguments": "En-têtes",
    "Default Graphs": "Graphes par défaut", "Named Graphs": "Graphes nommés", "Clear endpoint": "Effacer le point d’accès",
    "Share query": "Partager la requête", "Run query": "Exécuter la requête", "Cancel query": "Annuler la requête", "Table": "Tableau",
    "Shows Table view": "Afficher le tableau", "Response": "Réponse", "Shows Response view": "Afficher la réponse brute",
    "Chart": "Graphique", "Shows Chart view": "Afficher le graphique", "Simple view": "Vue simple",
    "Ellipse": "Abréger", "Filter query results": "Filtrer les résultats", "Page size:": "Lignes par page :",
    "All": "Toutes", "Download result": "Télécharger le résultat", "Download Results": "Télécharger les résultats",
    "View documentation of Table": "Documentation du tableau", "First": "Première", "Previous": "Précédente",
    "Next": "Suivante", "Last": "Dernière", "pagination": "pagination", "Save": "Enregistrer", "Cancel": "Annuler",
    "Query": "Requête", "Endpoint": "Point d’accès"
  };
  var patterns = [
    [/^(\d+) results? in ([\d.]+) seconds?$/, function (m) { return m[1] + " résultat" + (m[1] === "1" ? "" : "s") + " en " + m[2].replace(".", ",") + " s"; }],
    [/^Showing (\d+) to (\d+) of (\d+) entries$/, function (m) { return "Lignes " + m[1] + " à " + m[2] + " sur " + m[3]; }],
    [/^(.+): Activate to sort$/, function (m) { return m[1] + " : activer pour trier"; }],
    [/^View documentation of (.+)$/, function (m) { return "Documentation : " + m[1]; }]
  ];
  function translated(text) {
    var trimmed = text.trim();
    if (!trimmed) return null;
    if (Object.prototype.hasOwnProperty.call(words, trimmed)) return text.replace(trimmed, words[trimmed]);
    for (var i = 0; i < patterns.length; i++) {
      var m = trimmed.match(patterns[i][0]);
      if (m) return text.replace(trimmed, patterns[i][1](m));
    }
    return null;
  }
  function translate(root) {
    if (root.nodeType === 3) {
      if (root.parentElement && root.parentElement.closest(".CodeMirror-lines, tbody")) return;
      var t = translated(root.textContent);
      if (t !== null && t !== root.textContent) root.textContent = t;
      return;
    }
    if (root.nodeType !== 1 || root.closest(".CodeMirror-lines")) return;
    ["title", "aria-label", "placeholder"].forEach(function (name) {
      var value = root.getAttribute(name);
      var t = value && translated(value);
      if (t && t !== value) root.setAttribute(name, t);
    });
    root.childNodes.forEach(translate);
  }
  translate(host);
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      if (change.type === "characterData" || change.type === "attributes") translate(change.target);
      change.addedNodes.forEach(translate);
    });
  }).observe(host, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["title", "aria-label", "placeholder"] });
})();
