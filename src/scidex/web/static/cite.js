/* SciDEX Atlas: copy buttons for the citation formats of an artifact page.
   Without this file (or without a clipboard) the buttons stay hidden and each format's
   text is there to select. */
(function () {
  "use strict";

  function flash(button, status, message, ok) {
    status.textContent = message;
    button.classList.toggle("copied", ok);
    button.textContent = ok ? "Copied" : "Copy";
    clearTimeout(button._restore);
    button._restore = setTimeout(function () {
      button.textContent = "Copy";
      button.classList.remove("copied");
      status.textContent = "";
    }, 2500);
  }

  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function setup() {
    if (!navigator.clipboard || !navigator.clipboard.writeText) return;
    document.querySelectorAll("button.copy-button[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      var status = button.parentNode.querySelector(".copy-status");
      if (!source || !status) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        /* RIS lines end in CRLF, as in the downloaded file; the page's text has LF. */
        var text = source.textContent;
        if (button.hasAttribute("data-crlf")) text = text.replace(/\r?\n/g, "\r\n");
        navigator.clipboard.writeText(text).then(function () {
          flash(button, status, "Copied to the clipboard", true);
        }, function () {
          var details = source.closest("details");
          if (details) details.open = true;
          selectText(source);
          flash(button, status, "Selected: press Ctrl+C (or \u2318C) to copy", false);
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", setup);
})();
