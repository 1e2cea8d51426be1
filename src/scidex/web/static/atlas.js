/* SciDEX Atlas: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  /* Citation popovers, shown on hover and keyboard focus and hidden on leave, blur or
     Escape. A reference is written once in the page, in the References list; its popover
     is a copy of that list item, made on first use. Listening on the document covers
     citations added later (the editor's preview). */
  function citationPopover(sup) {
    var pop = sup.querySelector(".cite-popover");
    if (pop) return pop;
    var link = sup.querySelector("a[href^='#ref-']");
    var item = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!item) return null;
    pop = document.createElement("span");
    pop.className = "cite-popover";
    pop.setAttribute("role", "tooltip");
    pop.id = "pop-" + link.id;
    pop.hidden = true;
    var copy = item.cloneNode(true);
    copy.querySelectorAll(".ref-backlinks, .ref-checked").forEach(function (n) { n.remove(); });
    while (copy.firstChild) pop.appendChild(copy.firstChild);
    sup.appendChild(pop);
    link.setAttribute("aria-describedby", pop.id);
    link.removeAttribute("title"); /* the popover replaces the native tooltip */
    return pop;
  }

  function toggleCitation(target, open) {
    var sup = target && target.closest ? target.closest("sup.cite") : null;
    if (!sup) return;
    var pop = citationPopover(sup);
    if (!pop) return;
    pop.hidden = !open;
    sup.classList.toggle("open", open);
  }

  function setupCitations() {
    document.addEventListener("mouseover", function (e) { toggleCitation(e.target, true); });
    document.addEventListener("mouseout", function (e) {
      var sup = e.target.closest ? e.target.closest("sup.cite") : null;
      if (sup && !sup.contains(e.relatedTarget)) toggleCitation(sup, false);
    });
    document.addEventListener("focusin", function (e) { toggleCitation(e.target, true); });
    document.addEventListener("focusout", function (e) { toggleCitation(e.target, false); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") toggleCitation(document.activeElement, false);
    });
  }

  /* Diagrams. A diagram's source sits in a hidden <pre class="mermaid"> next to its text
     description, which is all a reader without JavaScript sees. Drawn, a diagram keeps a
     readable size: it is scaled to fit its box only while its text stays at least
     MIN_FONT_PX on screen; past that it keeps that size and its box scrolls sideways. */
  var MIN_FONT_PX = 12;

  function diagramFontPx(svg) {
    var label = svg.querySelector(".nodeLabel, .label text, text");
    var size = label ? parseFloat(window.getComputedStyle(label).fontSize) : NaN;
    return size > 0 ? size : 16;
  }

  function sizeDiagram(pre) {
    var svg = pre.querySelector("svg");
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal || !svg.viewBox.baseVal.width) return;
    var natural = svg.viewBox.baseVal.width;
    var room = pre.clientWidth || natural;
    /* Fit the box (never past natural size), but not below the readable scale. */
    var scale = Math.max(Math.min(1, room / natural), MIN_FONT_PX / diagramFontPx(svg));
    svg.style.maxWidth = "none";
    svg.style.width = Math.ceil(natural * scale) + "px";
    svg.removeAttribute("height");
  }

  function drawDiagrams(nodes, config) {
    nodes = Array.prototype.slice.call(nodes);
    if (!window.mermaid || !nodes.length) return Promise.resolve();
    nodes.forEach(function (el) { el.hidden = false; });
    window.mermaid.initialize(config);
    return window.mermaid.run({ nodes: nodes }).then(function () {
      nodes.forEach(function (el) {
        sizeDiagram(el);
        var text = el.parentNode.querySelector(".diagram-text");
        if (text && el.parentNode.classList.contains("diagram")) text.open = false;
      });
    }, function (err) {
      nodes.forEach(function (el) {
        if (!el.querySelector("svg") || el.querySelector("[aria-roledescription=error]")) {
          el.hidden = true; /* the text description stays the view */
          el.classList.add("mermaid-error");
        }
      });
      if (window.console) console.warn("diagram error", err);
    });
  }

  function resizeDiagrams() {
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        document.querySelectorAll("pre.mermaid[data-processed]").forEach(sizeDiagram);
      }, 150);
    });
  }

  /* Content diagrams render strictly (no clicks, tags encoded); the generated pathway
     diagram may carry node links, which need 'antiscript'. */
  function setupMermaid() {
    if (!window.mermaid) return;
    var content = document.querySelectorAll(".article pre.mermaid");
    var pathway = document.querySelectorAll("#pathway-diagram pre.mermaid");
    pathway.forEach(function (el) { el.removeAttribute("aria-hidden"); });
    drawDiagrams(content, { startOnLoad: false, securityLevel: "strict", theme: "neutral" })
      .then(function () {
        return drawDiagrams(pathway, { startOnLoad: false, securityLevel: "antiscript", theme: "neutral",
          flowchart: { htmlLabels: false } });
      });
    resizeDiagrams();
  }
  window.SciDEX = { drawDiagrams: drawDiagrams };

  /* Typeahead: answers from the first keystrokes through /api/search. */
  function setupTypeahead() {
    var input = document.getElementById("q");
    var list = document.getElementById("q-suggestions");
    if (!input || !list) return;
    var timer = null, seq = 0, active = -1;
    function close() { list.hidden = true; list.innerHTML = ""; active = -1; input.setAttribute("aria-expanded", "false"); }
    function render(hits) {
      list.innerHTML = "";
      hits.forEach(function (h, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = "q-opt-" + i;
        var a = document.createElement("a");
        a.href = h.url || ("/entity/" + h.id);
        a.textContent = (h.symbol ? h.symbol + " — " : "") + h.title;
        var meta = document.createElement("span");
        meta.className = "muted";
        meta.textContent = " " + h.id;
        a.appendChild(meta);
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = hits.length === 0;
      input.setAttribute("aria-expanded", hits.length ? "true" : "false");
    }
    input.addEventListener("input", function () {
      var q = input.value.trim();
      clearTimeout(timer);
      if (!q) { close(); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch("/api/typeahead?q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
          .then(function (data) { if (mine === seq) render(data.hits || []); })
          .catch(close);
      }, 60);
    });
    input.addEventListener("keydown", function (e) {
      var items = list.querySelectorAll("li");
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!items.length) return;
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
        items.forEach(function (li, i) { li.classList.toggle("active", i === active); });
        input.setAttribute("aria-activedescendant", items[active].id);
      } else if (e.key === "Enter" && active >= 0 && items[active]) {
        e.preventDefault();
        window.location.href = items[active].querySelector("a").href;
      } else if (e.key === "Escape") { close(); }
    });
    document.addEventListener("click", function (e) { if (!list.contains(e.target) && e.target !== input) close(); });
  }

  /* Mermaid (3.5 MB) loads async, so the page is read and used before it has arrived;
     the diagrams are drawn once it has (their text stands in until then). */
  function whenMermaid(run) {
    if (window.mermaid) { run(); return; }
    var script = document.getElementById("mermaid-js");
    if (script) script.addEventListener("load", run);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupCitations();
    setupTypeahead();
    whenMermaid(setupMermaid);
  });
})();
