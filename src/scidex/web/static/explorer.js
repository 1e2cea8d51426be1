/* SciDEX Atlas explorer: an entity's neighbourhood drawn with cytoscape.js.
 *
 * The page works without this file: the filters are a GET form and the same
 * data is a server-rendered table. Here the view becomes interactive: click an
 * entity for its card, double-click to show or hide its neighbours, filter,
 * show more, export. Every change asks /api/atlas/entity/... for the new view
 * and records the server's canonical URL in the address bar (pushState), so a
 * view can be shared, reloaded, and walked back with the browser's history.
 * Labels come from data: they reach the DOM only through textContent.
 */
(function () {
  "use strict";

  var dataEl = document.getElementById("explorer-data");
  var container = document.getElementById("cy");
  if (!dataEl || !container || !window.cytoscape) return;

  var LISTS = ["predicate", "category", "source", "level", "expand"];
  var COLOURS = {
    "biolink:Gene": "#1f77b4", "biolink:Protein": "#17becf", "biolink:Disease": "#d62728",
    "biolink:PhenotypicFeature": "#ff7f0e", "biolink:BiologicalProcess": "#2ca02c",
    "biolink:MolecularActivity": "#9467bd", "biolink:CellularComponent": "#8c564b",
    "biolink:ChemicalEntity": "#e377c2", "biolink:Pathway": "#bcbd22",
    "biolink:CellType": "#7f7f7f", "biolink:AnatomicalEntity": "#aec7e8"
  };
  var current = JSON.parse(dataEl.textContent);
  var centre = current.centre.id;
  var request = 0;

  function colour(category) {
    if (COLOURS[category]) return COLOURS[category];
    var h = 0;
    for (var i = 0; i < category.length; i++) h = (h * 31 + category.charCodeAt(i)) % 360;
    return "hsl(" + h + ", 45%, 55%)";
  }
  /* Words from the answer (the categories table's labels, Biolink's predicate labels and
     inverses), with the bare names as a fallback. */
  function words(kind, key) { return current.words && current.words[kind] && current.words[kind][key]; }
  function label(predicate) {
    var w = words("predicates", predicate);
    return w ? w.out : predicate.replace(/^biolink:/, "").replace(/_/g, " ");
  }
  function phrase(predicate, direction) {
    var w = words("predicates", predicate);
    return w ? w[direction] : label(predicate) + (direction === "in" ? " (reverse)" : "");
  }
  function short(category) { return words("categories", category) || category.replace(/^biolink:/, ""); }
  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function link(href, text) { return el("a", text, { href: href }); }
  function entityPath(id) { return encodeURIComponent(id).replace(/%3A/gi, ":"); }
  function nodeName(id) {
    var n = nodeIndex()[id];
    return n ? (n.symbol || n.name) : id;
  }
  function nodeIndex() {
    if (!current._index) {
      current._index = {};
      current.nodes.forEach(function (n) { current._index[n.id] = n; });
    }
    return current._index;
  }

  /* -- state <-> URL: the server canonicalises; we only send the parameters -- */

  function stateQuery(state) {
    var params = new URLSearchParams();
    LISTS.forEach(function (k) { (state[k] || []).forEach(function (v) { params.append(k, v); }); });
    if (state.cap) params.set("cap", String(state.cap)); /* absent: the server's default */
    return params.toString();
  }
  function stateFromLocation() {
    var params = new URLSearchParams(window.location.search);
    var state = { cap: parseInt(params.get("cap") || "", 10) || null };
    LISTS.forEach(function (k) { state[k] = params.getAll(k); });
    return state;
  }
  function copyState() {
    var s = { cap: current.state.cap };
    LISTS.forEach(function (k) { s[k] = current.state[k].slice(); });
    return s;
  }

  /* -- the graph -- */

  var cy = window.cytoscape({
    container: container,
    wheelSensitivity: 0.3,
    minZoom: 0.1,
    maxZoom: 4,
    style: [
      { selector: "node", style: {
        "background-color": function (n) { return colour(n.data("category")); },
        "label": "data(label)", "font-size": 10, "color": "#1d2430",
        "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": "110px",
        "width": function (n) { return 14 + 5 * Math.log10(1 + n.data("degree")); },
        "height": function (n) { return 14 + 5 * Math.log10(1 + n.data("degree")); },
        "border-width": 1, "border-color": "#fff"
      } },
      { selector: "node[?expanded]", style: { "border-width": 3, "border-color": "#1d2430", "border-style": "double" } },
      { selector: "node[?centre]", style: { "border-width": 4, "border-color": "#1d2430", "border-style": "solid", "font-weight": "bold" } },
      { selector: "node:selected", style: { "overlay-color": "#1f5fa8", "overlay-opacity": 0.2, "overlay-padding": 6 } },
      { selector: "edge", style: {
        "curve-style": "bezier", "width": 1.2, "line-color": "#b8c1cf",
        "target-arrow-shape": "triangle", "target-arrow-color": "#b8c1cf", "arrow-scale": 0.8,
        "label": "data(label)", "font-size": 7, "color": "#5b6574", "text-rotation": "autorotate",
        "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1
      } },
      { selector: "edge[?curated]", style: { "line-color": "#2e7d32", "target-arrow-color": "#2e7d32", "width": 2 } }
    ]
  });
  document.documentElement.classList.add("explorer-ready");
  cy.resize();

  function elements(data) {
    var out = [];
    data.nodes.forEach(function (n) {
      out.push({ group: "nodes", data: { id: n.id, label: n.symbol || n.name, name: n.name, symbol: n.symbol,
        category: n.category, degree: n.degree, expanded: n.expanded, centre: n.id === centre } });
    });
    data.edges.forEach(function (e) {
      out.push({ group: "edges", data: { id: e.id, source: e.subject, target: e.object,
        label: label(e.predicate), predicate: e.predicate, curated: e.primary_knowledge_source === "infores:scidex" } });
    });
    return out;
  }

  function draw(data, first) {
    var wanted = {};
    var els = elements(data);
    els.forEach(function (e) { wanted[e.data.id] = e; });
    var added = [];
    cy.batch(function () {
      cy.elements().forEach(function (ele) { if (!wanted[ele.id()]) cy.remove(ele); });
      els.forEach(function (e) {
        var have = cy.getElementById(e.data.id);
        if (have.nonempty()) { have.data(e.data); return; }
        if (e.group === "nodes" && !first) {
          /* New entities start next to the entity they hang from, so the layout settles nearby. */
          var from = data.edges.filter(function (x) { return x.subject === e.data.id || x.object === e.data.id; })[0];
          var anchor = from && cy.getElementById(from.subject === e.data.id ? from.object : from.subject);
          if (anchor && anchor.nonempty()) e.position = { x: anchor.position("x") + Math.random() * 40 - 20, y: anchor.position("y") + Math.random() * 40 - 20 };
        }
        added.push(cy.add(e));
      });
    });
    var big = data.nodes.length > 400;
    var options = big
      ? { name: "concentric", concentric: function (n) { return n.data("centre") ? 3 : n.data("expanded") ? 2 : 1; }, levelWidth: function () { return 1; }, animate: false }
      : { name: "cose", animate: false, randomize: first, nodeRepulsion: function () { return 60000; }, idealEdgeLength: function () { return 90; }, nodeOverlap: 40, gravity: 0.5, numIter: 1000 };
    if (first || added.length) cy.layout(options).run();
    cy.fit(undefined, 30);
  }

  /* -- the card of one entity -- */

  var card = document.getElementById("node-card");
  function showCard(id) {
    var n = nodeIndex()[id];
    if (!n || !card) return;
    card.innerHTML = "";
    var close = el("button", "×", { type: "button", "class": "close", "aria-label": "Close" });
    close.addEventListener("click", function () { card.hidden = true; cy.elements().unselect(); });
    card.appendChild(close);
    card.appendChild(el("h2", n.symbol ? n.symbol + " — " + n.name : n.name));
    var cat = el("p");
    cat.appendChild(el("span", null, { "class": "swatch", style: "background:" + colour(n.category) }));
    cat.appendChild(document.createTextNode(short(n.category)));
    card.appendChild(cat);
    card.appendChild(el("p", n.id + " · " + n.degree.toLocaleString("en") + " edges", { "class": "muted" }));
    var list = el("ul");
    [["/entity/" + entityPath(id), "Open its page"],
     ["/atlas/entity/" + entityPath(id), "Centre the view here"],
     ["/atlas/path?from=" + encodeURIComponent(centre) + "&to=" + encodeURIComponent(id), "Paths from " + nodeName(centre)]
    ].forEach(function (l) { if (id !== centre || l[1] === "Open its page") { var li = el("li"); li.appendChild(link(l[0], l[1])); list.appendChild(li); } });
    card.appendChild(list);
    if (id !== centre) {
      var toggle = el("button", n.expanded ? "Hide its neighbours" : "Show its neighbours", { type: "button", "class": "expand" });
      toggle.addEventListener("click", function () { toggleExpand(id); });
      card.appendChild(toggle);
    }
    card.hidden = false;
  }

  function toggleExpand(id) {
    if (id === centre) return;
    var state = copyState();
    var at = state.expand.indexOf(id);
    if (at >= 0) state.expand.splice(at, 1); else state.expand.push(id);
    load(state, true);
  }

  cy.on("tap", "node", function (evt) { showCard(evt.target.id()); });
  cy.on("dbltap", "node", function (evt) { toggleExpand(evt.target.id()); });
  cy.on("tap", function (evt) { if (evt.target === cy && card) card.hidden = true; });

  /* -- loading a state -- */

  var status = document.getElementById("explorer-status");
  function say(text, error) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("error", !!error);
  }

  function load(state, push) {
    var mine = ++request;
    say("Loading…");
    container.setAttribute("aria-busy", "true");
    fetch("/api/atlas/entity/" + entityPath(centre) + "?" + stateQuery(state), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (mine !== request) return; /* a later request superseded this one */
        container.removeAttribute("aria-busy");
        if (!res.ok) { say((res.body.error && res.body.error.message) || "The view could not be loaded.", true); return; }
        current = res.body;
        if (push) window.history.pushState({ explorer: true }, "", current.url);
        render(false);
      })
      .catch(function () { container.removeAttribute("aria-busy"); say("The view could not be loaded.", true); });
  }

  function render(first) {
    draw(current, first);
    renderForm();
    renderTable();
    renderMore();
    renderLegend();
    if (card && !card.hidden) card.hidden = true;
    say("Showing " + current.nodes.length + " entities and " + current.edges.length + " statements.");
  }

  window.addEventListener("popstate", function () { load(stateFromLocation(), false); });

  /* -- filters: the server-rendered GET form, kept in step with the state -- */

  var form = document.getElementById("explorer-filters");
  function renderForm() {
    if (!form) return;
    ["predicate", "category", "source", "level"].forEach(function (key) {
      var set = form.querySelector('fieldset[data-facet="' + key + '"]');
      if (!set) return;
      var legend = set.querySelector("legend");
      set.innerHTML = "";
      set.appendChild(legend);
      current.facets[key].forEach(function (v) {
        var lab = el("label");
        var box = el("input", null, { type: "checkbox", name: key, value: v });
        box.checked = current.state[key].indexOf(v) >= 0;
        lab.appendChild(box);
        var text = key === "predicate" ? label(v) : key === "category" ? short(v) :
          v.replace(/^infores:/, "").replace(/_/g, " ");
        lab.appendChild(document.createTextNode(" " + text));
        set.appendChild(lab);
      });
    });
    form.querySelectorAll('input[name="expand"]').forEach(function (i) { i.remove(); });
    var end = form.querySelector(".explorer-form-end");
    current.state.expand.forEach(function (id) { end.appendChild(el("input", null, { type: "hidden", name: "expand", value: id })); });
    var cap = form.querySelector('input[name="cap"]');
    if (cap) cap.value = current.state.cap;
  }
  function stateFromForm() {
    var fd = new FormData(form);
    var state = { cap: parseInt(fd.get("cap") || "", 10) || null };
    LISTS.forEach(function (k) { state[k] = fd.getAll(k).map(String); });
    return state;
  }
  if (form) {
    form.addEventListener("change", function () { load(stateFromForm(), true); });
    form.addEventListener("submit", function (evt) { evt.preventDefault(); load(stateFromForm(), true); });
  }

  /* -- the text alternative, the "show more" line and the legend -- */

  function renderTable() {
    var details = document.getElementById("graph-table");
    if (!details) return;
    details.querySelector("summary").textContent = "The graph as a table: " + current.edges.length +
      " statements among " + current.nodes.length + " entities";
    var rows = details.querySelector("table.statements tbody");
    rows.innerHTML = "";
    current.edges.forEach(function (e) {
      var tr = el("tr");
      var s = el("td"); s.appendChild(link("/entity/" + entityPath(e.subject), nodeName(e.subject)));
      var o = el("td"); o.appendChild(link("/entity/" + entityPath(e.object), nodeName(e.object)));
      tr.appendChild(s); tr.appendChild(el("td", label(e.predicate))); tr.appendChild(o);
      tr.appendChild(el("td", e.primary_knowledge_source));
      tr.appendChild(el("td", e.knowledge_level.replace(/_/g, " ")));
      tr.appendChild(el("td", e.publications.slice(0, 5).join(", ") + (e.publications.length > 5 ? " …" : "")));
      rows.appendChild(tr);
    });
    var ents = details.querySelector("table.entities tbody");
    ents.innerHTML = "";
    current.nodes.forEach(function (n) {
      var tr = el("tr");
      var name = el("td"); name.appendChild(link("/entity/" + entityPath(n.id), n.symbol || n.name));
      name.appendChild(el("span", " " + n.id, { "class": "muted" }));
      tr.appendChild(name);
      tr.appendChild(el("td", short(n.category)));
      tr.appendChild(el("td", n.degree.toLocaleString("en")));
      var act = el("td");
      if (n.id === centre) act.textContent = "centre";
      else {
        var b = el("button", n.expanded ? "hide" : "show", { type: "button", "class": "link" });
        b.addEventListener("click", function () { toggleExpand(n.id); });
        act.appendChild(b);
      }
      tr.appendChild(act);
      ents.appendChild(tr);
    });
  }

  function renderMore() {
    var box = document.getElementById("explorer-more");
    if (!box) return;
    box.innerHTML = "";
    var capped = current.groups.filter(function (g) { return g.more; });
    if (!capped.length) return;
    var p = el("p", "Capped at " + current.state.cap + " per predicate: " + capped.map(function (g) {
      return nodeName(g.node) + " " + phrase(g.predicate, g.direction) +
        " " + g.shown + " of " + g.total.toLocaleString("en");
    }).join("; ") + ". ", { "class": "capped" });
    if (current.state.cap < 200) {
      var more = link(capped[0].more_url, "Show more");
      more.className = "show-more";
      p.appendChild(more);
    }
    box.appendChild(p);
  }
  document.addEventListener("click", function (evt) {
    var a = evt.target.closest && evt.target.closest("a.show-more");
    if (!a) return;
    evt.preventDefault();
    var state = copyState();
    state.cap = Math.min(state.cap * 4, 200);
    load(state, true);
  });

  function renderLegend() {
    var legend = document.getElementById("explorer-legend");
    if (!legend) {
      legend = el("ul", null, { id: "explorer-legend", "class": "explorer-legend", "aria-label": "Colours of the categories" });
      container.parentNode.insertBefore(legend, container.nextSibling);
    }
    legend.innerHTML = "";
    var seen = {};
    current.nodes.forEach(function (n) { seen[n.category] = (seen[n.category] || 0) + 1; });
    Object.keys(seen).sort().forEach(function (c) {
      var li = el("li");
      li.appendChild(el("span", null, { "class": "swatch", style: "background:" + colour(c) }));
      li.appendChild(document.createTextNode(short(c) + " (" + seen[c] + ")"));
      legend.appendChild(li);
    });
  }

  /* -- export of the visible subgraph -- */

  function download(blob, name) {
    var a = el("a", null, { href: URL.createObjectURL(blob), download: name });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  function visible() {
    var shown = {};
    cy.elements(":visible").forEach(function (e) { shown[e.id()] = true; });
    return {
      nodes: current.nodes.filter(function (n) { return shown[n.id]; }),
      edges: current.edges.filter(function (e) { return shown[e.id]; })
    };
  }
  function cell(v) {
    if (v === null || v === undefined) return "";
    if (Array.isArray(v)) return v.map(cell).join("|");
    if (typeof v === "object") return Object.keys(v).length ? JSON.stringify(v) : "";
    return String(v).replace(/[\t\r\n|]+/g, " ");
  }
  function tsv(columns, rows) {
    return [columns.join("\t")].concat(rows.map(function (r) {
      return columns.map(function (c) { return cell(r[c]); }).join("\t");
    })).join("\n") + "\n";
  }
  var base = "neighbourhood-" + centre.replace(/[^A-Za-z0-9_.-]+/g, "_");
  var exporters = {
    png: function () {
      download(cy.png({ output: "blob", bg: "#ffffff", full: true, scale: 2 }), base + ".png");
    },
    json: function () {
      var v = visible();
      var doc = { centre: current.centre, url: current.url, state: current.state, nodes: v.nodes, edges: v.edges };
      download(new Blob([JSON.stringify(doc, null, 1)], { type: "application/json" }), base + ".json");
    },
    "kgx-nodes": function () {
      var rows = visible().nodes;
      download(new Blob([tsv(["id", "category", "name", "symbol"], rows)], { type: "text/tab-separated-values" }), base + "-nodes.tsv");
    },
    "kgx-edges": function () {
      var rows = visible().edges.map(function (e) {
        return { id: e.id, subject: e.subject, predicate: e.predicate, object: e.object,
          primary_knowledge_source: e.primary_knowledge_source, aggregator_knowledge_source: e.aggregator_knowledge_sources,
          knowledge_level: e.knowledge_level, agent_type: e.agent_type, publications: e.publications,
          has_evidence: e.evidence_codes, qualifiers: e.qualifiers, confidence: e.confidence, provided_by: e.source_release };
      });
      var cols = ["id", "subject", "predicate", "object", "primary_knowledge_source", "aggregator_knowledge_source",
        "knowledge_level", "agent_type", "publications", "has_evidence", "qualifiers", "confidence", "provided_by"];
      download(new Blob([tsv(cols, rows)], { type: "text/tab-separated-values" }), base + "-edges.tsv");
    }
  };
  var tools = document.getElementById("explorer-tools");
  if (tools) {
    tools.hidden = false;
    tools.addEventListener("click", function (evt) {
      var b = evt.target.closest("button");
      if (!b) return;
      if (b.id === "explorer-fit") cy.fit(undefined, 30);
      else if (exporters[b.getAttribute("data-export")]) exporters[b.getAttribute("data-export")]();
    });
  }

  render(true);
  /* For tests and for the curious: the live graph and its data. */
  window.scidexExplorer = { cy: cy, data: function () { return current; }, png: function () { return cy.png({ bg: "#ffffff" }); } };
})();
