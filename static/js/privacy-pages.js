// Privacy pages: show the fields for the chosen kind and type of request, print button, status refresh.
(() => {
  const form = document.getElementById("deletion-form");
  if (form) {
    const sync = () => {
      const chosen = form.querySelector("input[name=kind]:checked");
      form.querySelectorAll("[data-for-kind]").forEach((el) => {
        el.hidden = !chosen || !el.dataset.forKind.split(" ").includes(chosen.value);
      });
      const type = form.querySelector("input[name=request_type]:checked");
      form.querySelectorAll("[data-for-type]").forEach((el) => {
        el.hidden = !type || el.dataset.forType !== type.value;
      });
    };
    form.addEventListener("change", sync);
    sync();
  }
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
  const status = document.querySelector("[data-refresh]");
  if (status) {
    const seconds = Number(status.dataset.refresh) || 5;
    window.setTimeout(() => window.location.reload(), seconds * 1000);
  }
})();
