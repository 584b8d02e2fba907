// The symptom combobox (WAI-ARIA "combobox with listbox popup"). htmx fills the listbox
// with suggestions as the patient types; this file adds the keyboard and pointer behaviour.
// Without it the form still works: the "Find matching symptoms" button and the plain list.
// Enter picks the highlighted suggestion, or else saves the form.
(function () {
  "use strict";

  function listboxFor(input) {
    return document.getElementById(input.getAttribute("aria-controls"));
  }

  function optionsOf(listbox) {
    return listbox ? Array.prototype.slice.call(listbox.querySelectorAll('[role="option"]')) : [];
  }

  function announce(input, text) {
    var status = document.getElementById(input.getAttribute("aria-controls") + "-status");
    if (status) status.textContent = text;
  }

  function setOpen(input, open) {
    var listbox = listboxFor(input);
    var options = optionsOf(listbox);
    open = open && options.length > 0;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (listbox) listbox.hidden = !open;
    if (!open) {
      input.removeAttribute("aria-activedescendant");
      options.forEach(function (option) {
        option.setAttribute("aria-selected", "false");
      });
    }
  }

  function activate(input, index) {
    var options = optionsOf(listboxFor(input));
    if (!options.length) return;
    index = (index + options.length) % options.length;
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", options[index].id);
    options[index].scrollIntoView({ block: "nearest" });
  }

  function choose(input, option) {
    // The option's id ends with the symptom's number, which is the select's value.
    var value = option.id.slice(option.id.lastIndexOf("-") + 1);
    var select = input.form && input.form.elements.namedItem("symptom");
    if (select && select.value !== value) {
      select.value = value;
      // htmx listens for the change and swaps in that symptom's questions.
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    setOpen(input, false);
    announce(input, option.textContent.trim() + " chosen.");
    input.focus();
  }

  function isCombobox(element) {
    return element && element.matches && element.matches('input[role="combobox"]');
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!isCombobox(input)) return;
    var options = optionsOf(listboxFor(input));
    var open = input.getAttribute("aria-expanded") === "true";
    var active = input.getAttribute("aria-activedescendant");
    var current = options.findIndex(function (option) {
      return option.id === active;
    });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      setOpen(input, true);
      if (event.key === "ArrowDown") activate(input, current + 1);
      else activate(input, current < 0 ? options.length - 1 : current - 1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (open && current >= 0) {
        choose(input, options[current]);
      } else if (input.form) {
        // Nothing highlighted: save, as the form's main button does, rather than the
        // browser's default of the first button ("Find matching symptoms"). Unchosen, the
        // best match for the words is used.
        setOpen(input, false);
        input.form.requestSubmit();
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        setOpen(input, false);
      }
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest('[role="option"]');
    if (option && option.parentElement) {
      var input = document.querySelector('[aria-controls="' + option.parentElement.id + '"]');
      if (isCombobox(input)) choose(input, option);
      return;
    }
    document.querySelectorAll('input[role="combobox"][aria-expanded="true"]').forEach(function (input) {
      if (event.target !== input) setOpen(input, false);
    });
  });

  // A fresh listbox from htmx: open it if the patient is still typing in its combobox, or
  // asked with the "Find matching symptoms" button beside it (then typing carries on there).
  document.addEventListener("htmx:load", function (event) {
    var element = event.detail.elt;
    if (!element || element.getAttribute("role") !== "listbox") return;
    var input = document.querySelector('[aria-controls="' + element.id + '"]');
    if (!isCombobox(input)) return;
    var active = document.activeElement;
    var field = input.closest(".combobox-field");
    if (active !== input && field && field.contains(active)) input.focus();
    setOpen(input, document.activeElement === input);
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
