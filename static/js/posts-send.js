// Preview page: TikTok's Direct Post rules live for each account (the server checks them again)
// and the one consent.
(() => {
  const form = document.querySelector("[data-send-form]");
  if (!form) return;
  const consent = form.querySelector("[data-consent]");
  const send = form.querySelector("[data-send-button]");
  const why = form.querySelector("[data-send-why]");
  const PRIVATE = "Branded content visibility cannot be set to private.";

  // One TikTok account's Direct Post settings; returns what still stops the send.
  const direct = (box) => {
    const q = (sel) => box.querySelector(sel);
    const problems = [];
    const privacy = q("[data-privacy]");
    const commercial = q("[data-commercial]");
    if (privacy && !privacy.value) problems.push("Choose who can view this video.");
    if (!commercial) return problems;
    const branded = q("[data-brand-content]");
    const organic = q("[data-brand-organic]");
    const label = q("[data-content-label]");
    const need = q("[data-need-disclosure]");
    const onlyMe = privacy ? privacy.querySelector('option[value="SELF_ONLY"]') : null;
    const on = commercial.checked;
    q("[data-commercial-options]").hidden = !on;
    const isBranded = on && branded.checked;
    const isOrganic = on && organic.checked;
    // Branded content cannot be private: "Only me" is disabled while it is checked, and
    // "Branded content" is disabled while "Only me" is selected.
    if (onlyMe) {
      onlyMe.disabled = isBranded;
      onlyMe.title = isBranded ? PRIVATE : "";
    }
    const privateChosen = privacy && privacy.value === "SELF_ONLY";
    branded.disabled = privateChosen && !branded.checked;
    branded.closest("label").title = branded.disabled ? PRIVATE : "";
    q("[data-branded-hint]").hidden = !(privateChosen && on);
    const privacyHint = q("[data-privacy-hint]");
    if (privacyHint) privacyHint.hidden = !isBranded;
    label.textContent = isBranded ? label.dataset.paid : isOrganic ? label.dataset.promotional : "";
    const nothing = on && !isBranded && !isOrganic;
    need.hidden = !nothing;
    if (nothing) problems.push(need.textContent);
    if (isBranded && privateChosen) problems.push(PRIVATE);
    q("[data-consent-music]").hidden = isBranded;
    q("[data-consent-branded]").hidden = !isBranded;
    return problems;
  };

  const update = () => {
    const problems = [];
    form.querySelectorAll("[data-blocked]").forEach((box) => problems.push(box.dataset.blocked));
    form.querySelectorAll("[data-direct]").forEach((box) => problems.push(...direct(box)));
    if (!consent.checked) problems.push("Tick the consent box to send.");
    send.disabled = problems.length > 0;
    send.title = problems.join(" ");
    why.textContent = problems.length ? problems[0] : "";
  };
  form.addEventListener("change", update);
  form.addEventListener("submit", (event) => {
    update();
    if (send.disabled) event.preventDefault();
    else send.disabled = true; // one click, one post (the nonce makes a repeat harmless too)
  });
  update();
})();
