// Audit log: show entry times in the reader's local time as a tooltip; submit filters on change.
document.addEventListener("DOMContentLoaded", () => {
  for (const el of document.querySelectorAll(".audit-table time[datetime]")) {
    const when = new Date(el.getAttribute("datetime"));
    if (!Number.isNaN(when.getTime())) el.title = `Your time: ${when.toLocaleString()}`;
  }
  const form = document.querySelector("form[data-audit-filters]");
  if (!form) return;
  for (const select of form.querySelectorAll("select, input[type=checkbox]")) {
    select.addEventListener("change", () => form.requestSubmit());
  }
});
