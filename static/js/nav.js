// The main menu and My account's are <details class="menu">: on a narrow screen "Menu" opens
// and closes them natively, with or without this file. On a wide screen the CSS shows their
// links and hides "Menu"; here the element is kept open there too, so that what assistive
// technology is told matches what is seen. Escape closes an open menu from inside it.
(() => {
  const wide = window.matchMedia("(min-width: 48em)");
  const menus = document.querySelectorAll("details.menu");
  const fit = () => {
    for (const menu of menus) menu.open = wide.matches;
  };
  fit();
  wide.addEventListener("change", fit);
  for (const menu of menus) {
    menu.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || wide.matches || !menu.open) return;
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  }
})();
