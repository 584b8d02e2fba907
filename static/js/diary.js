// The diary's small enhancements; the diary works without this file (every suggestion is a
// submit button, and the time choice shows all its inputs).
(function () {
  "use strict";

  // The words' hint says what happens here: suggestions appear as she types.
  function updateHints(root) {
    root.querySelectorAll("[data-js-hint]").forEach(function (hint) {
      hint.textContent = hint.getAttribute("data-js-hint");
      hint.removeAttribute("data-js-hint");
    });
  }

  // "2 symptoms match your words." is read out once typing pauses (htmx's delay), and only
  // when it says something new: the same result for one more letter is not announced again.
  var announced = {};
  function announceSuggestions(root) {
    var summary = root.querySelector && root.querySelector("[data-announce]");
    var block = summary && summary.closest(".choice");
    var status = document.getElementById("diary-status");
    if (!block || !status) return;
    var text = summary.textContent.trim();
    if (announced[block.id] !== text) {
      announced[block.id] = text;
      status.textContent = text;
    }
  }

  function onReady() {
    updateHints(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }

  document.addEventListener("htmx:load", function (event) {
    var element = event.detail.elt;
    if (!element || !element.querySelectorAll) return;
    updateHints(element);
    if (element.classList && element.classList.contains("choice")) announceSuggestions(element);
  });
})();

// The questions block ("grading") is swapped when the symptom changes. An answer given while
// the new questions were on their way is kept where the new questions ask it too.
(function () {
  "use strict";
  var given = {};

  function isGrading(element) {
    return element && element.classList && element.classList.contains("grading") && element.id;
  }

  function remember(event) {
    var target = event.detail.target;
    if (!isGrading(target)) return;
    var answers = {};
    target.querySelectorAll("input").forEach(function (input) {
      if (input.type === "radio" ? input.checked : input.value !== "") answers[input.name] = input.value;
    });
    given[target.id] = answers;
  }

  document.addEventListener("htmx:beforeSwap", remember);
  document.addEventListener("htmx:oobBeforeSwap", remember);
  document.addEventListener("htmx:load", function (event) {
    var element = event.detail.elt;
    if (!isGrading(element) || !given[element.id]) return;
    var answers = given[element.id];
    delete given[element.id];
    element.querySelectorAll("input").forEach(function (input) {
      if (!Object.prototype.hasOwnProperty.call(answers, input.name)) return;
      if (input.type === "radio") input.checked = input.value === answers[input.name];
      else input.value = answers[input.name];
    });
  });
})();
