// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Buttons marked data-print open the browser's print dialog (inline onclick is blocked by CSP).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
      // Lets htmx (hx-trigger="portal-printed") note the print in the audit trail.
      button.dispatchEvent(new CustomEvent("portal-printed", { bubbles: true }));
    }
  });
})();
