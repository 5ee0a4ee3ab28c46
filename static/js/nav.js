// Phones: the header's links fold behind a "Menu" button (without JavaScript they stay open).
(() => {
  const button = document.querySelector(".nav-toggle");
  const topbar = document.querySelector(".topbar");
  if (!button || !topbar) return;
  topbar.classList.add("nav-collapsible");
  button.hidden = false;
  button.setAttribute("aria-expanded", "false");
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    topbar.classList.toggle("nav-open", open);
  });
})();

// The header's menus (Accounts, the account menu) close on a click elsewhere or on Escape.
(() => {
  const menus = [...document.querySelectorAll(".topbar details")];
  if (!menus.length) return;
  document.addEventListener("click", (event) => {
    menus.forEach((menu) => {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    menus.filter((menu) => menu.open).forEach((menu) => {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
})();
