/* SciDEX Atlas: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  /* Citation popovers: shown on hover and keyboard focus, hidden on leave/blur/Escape. */
  function setupCitations() {
    document.querySelectorAll("sup.cite").forEach(function (sup) {
      var link = sup.querySelector("a");
      var pop = sup.querySelector(".cite-popover");
      if (!link || !pop) return;
      var show = function () { pop.hidden = false; sup.classList.add("open"); };
      var hide = function () { pop.hidden = true; sup.classList.remove("open"); };
      sup.addEventListener("mouseenter", show);
      sup.addEventListener("mouseleave", hide);
      link.addEventListener("focus", show);
      link.addEventListener("blur", hide);
      link.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
      link.removeAttribute("title"); /* the popover replaces the native tooltip */
    });
  }

  /* Diagrams: content diagrams render strictly (no clicks, tags encoded); the generated
     pathway diagram may carry node links, which need 'antiscript'. */
  function setupMermaid() {
    if (!window.mermaid) return;
    var content = Array.prototype.slice.call(document.querySelectorAll(".article pre.mermaid"));
    var pathway = Array.prototype.slice.call(document.querySelectorAll("#pathway-diagram pre.mermaid"));
    pathway.forEach(function (el) { el.removeAttribute("aria-hidden"); });
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral" });
    window.mermaid.run({ nodes: content }).catch(function () {}).then(function () {
      window.mermaid.initialize({ startOnLoad: false, securityLevel: "antiscript", theme: "neutral",
        flowchart: { htmlLabels: false } });
      return window.mermaid.run({ nodes: pathway });
    }).catch(function (err) {
      pathway.concat(content).forEach(function (el) { el.classList.add("mermaid-error"); });
      if (window.console) console.warn("diagram error", err);
    });
  }

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

  document.addEventListener("DOMContentLoaded", function () {
    setupCitations();
    setupTypeahead();
    setupMermaid();
  });
})();
