// Post timeline: one button opens or closes every step's details (bound once per page).
if (!window.studioAuditTimeline) {
  window.studioAuditTimeline = true;
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-audit-toggle]");
    if (!button) return;
    const timeline = button.closest(".audit-timeline");
    const steps = timeline.querySelectorAll("details");
    const open = button.textContent.trim() === "Expand all";
    for (const step of steps) step.open = open;
    button.textContent = open ? "Collapse all" : "Expand all";
  });
}
