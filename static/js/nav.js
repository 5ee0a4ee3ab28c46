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
