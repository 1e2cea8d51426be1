/* The edit form's live preview: the same renderer and lint as saving, without saving. */
(function () {
  "use strict";
  var form = document.getElementById("edit-form");
  if (!form) return;
  var preview = document.getElementById("preview");
  var refs = document.getElementById("preview-references");
  var findings = document.getElementById("findings");
  var timer = null, seq = 0;

  function showFindings(items, error) {
    findings.textContent = "";
    if (!items.length && !error) return;
    var h = document.createElement("h2");
    h.textContent = error ? "Cannot be saved" : "Lint findings";
    findings.appendChild(h);
    var ul = document.createElement("ul");
    if (error) { var e = document.createElement("li"); e.textContent = error; ul.appendChild(e); }
    items.forEach(function (f) {
      var li = document.createElement("li");
      li.textContent = "line " + f.line + ": " + f.kind + " " + f.message;
      ul.appendChild(li);
    });
    findings.appendChild(ul);
  }

  function update() {
    var mine = ++seq;
    var data = new FormData(form);
    data.delete("csrf");
    fetch(form.getAttribute("data-preview"), { method: "POST", body: data })
      .then(function (r) { return r.json(); })
      .then(function (out) {
        if (mine !== seq) return;
        /* The server sanitised this HTML with the same allow-list as the page. */
        preview.innerHTML = out.html || "";
        refs.innerHTML = out.references_html ? "<h2>References</h2>" + out.references_html : "";
        showFindings(out.findings || [], out.error);
        if (window.SciDEX) {
          window.SciDEX.drawDiagrams(preview.querySelectorAll("pre.mermaid"),
            { startOnLoad: false, securityLevel: "strict", theme: "neutral" });
        }
      })
      .catch(function () {});
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
  update();
})();
