// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // The error summary (templates/portal/_error_summary.html) takes focus when it appears, so
  // a screen reader reads it and the keyboard starts from it: on a page load (a plain POST
  // answered 400) and after an htmx swap that brought one in.
  function focusErrorSummary(root) {
    var summary = root.matches && root.matches(".error-summary")
      ? root
      : root.querySelector && root.querySelector(".error-summary");
    if (summary) {
      summary.focus();
      return true;
    }
    return false;
  }

  // A message after a redirect ("Question added.") is on the page from the start, so a live
  // region would not announce it: as GOV.UK's notification banner, it takes focus instead.
  function focusMessages() {
    var messages = document.querySelector(".messages[role='status'], .messages[role='alert']");
    if (messages && messages.querySelector(".message")) {
      messages.setAttribute("tabindex", "-1");
      messages.focus();
    }
  }

  function onLoad() {
    if (!focusErrorSummary(document)) {
      focusMessages();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onLoad);
  } else {
    onLoad();
  }

  // After the swap has settled, so this wins over htmx's own [autofocus] handling.
  document.addEventListener("htmx:afterSettle", function (event) {
    focusErrorSummary(event.target);
  });

  // The label, or the legend of the group the input is in, that says what the field is.
  function labelFor(input) {
    var fieldset = input.closest("fieldset");
    var legend = fieldset && fieldset.querySelector("legend");
    if (legend && (input.type === "radio" || input.type === "checkbox")) {
      return legend;
    }
    if (legend) {
      // GOV.UK's rule: the legend, if the input is still on screen with it at the top.
      var legendTop = legend.getBoundingClientRect().top;
      var inputRect = input.getBoundingClientRect();
      if (inputRect.top + inputRect.height - legendTop < window.innerHeight / 2) {
        return legend;
      }
    }
    return (input.id && document.querySelector("label[for='" + CSS.escape(input.id) + "']"))
      || input.closest("label")
      || legend;
  }

  document.addEventListener("click", function (event) {
    // An error summary link moves focus to its field and scrolls its label into view (the
    // browser's own jump to #id would leave the label above the top of the screen).
    var link = event.target.closest(".error-summary a[href^='#']");
    if (link) {
      var input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (input) {
        event.preventDefault();
        var label = labelFor(input);
        if (label) {
          label.scrollIntoView();
        }
        input.focus({ preventScroll: Boolean(label) });
      }
      return;
    }
    // Buttons marked data-print open the browser's print dialog (inline onclick is blocked by CSP).
    var button = event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
      // Lets htmx (hx-trigger="portal-printed") note the print in the audit trail.
      button.dispatchEvent(new CustomEvent("portal-printed", { bubbles: true }));
    }
  });
})();
