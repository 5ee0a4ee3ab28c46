// Preview page: TikTok's Direct Post rules live (the server checks them again) and consent.
(() => {
  const form = document.querySelector("[data-send-form]");
  if (!form) return;
  const q = (sel) => form.querySelector(sel);
  const consent = q("[data-consent]");
  const send = q("[data-send-button]");
  const why = q("[data-send-why]");
  const privacy = q("[data-privacy]");
  const commercial = q("[data-commercial]");
  const options = q("[data-commercial-options]");
  const organic = q("[data-brand-organic]");
  const branded = q("[data-brand-content]");
  const label = q("[data-content-label]");
  const need = q("[data-need-disclosure]");
  const brandedHint = q("[data-branded-hint]");
  const privacyHint = q("[data-privacy-hint]");
  const music = q("[data-consent-music]");
  const bcPolicy = q("[data-consent-branded]");
  const onlyMe = privacy ? privacy.querySelector('option[value="SELF_ONLY"]') : null;

  const update = () => {
    const problems = [];
    if (form.dataset.blocked) problems.push(form.dataset.blocked);
    if (privacy && !privacy.value) problems.push("Choose who can view this video.");
    if (commercial) {
      const on = commercial.checked;
      options.hidden = !on;
      const isBranded = on && branded.checked;
      const isOrganic = on && organic.checked;
      // Branded content cannot be private: "Only me" is disabled while it is checked, and
      // "Branded content" is disabled while "Only me" is selected.
      if (onlyMe) {
        onlyMe.disabled = isBranded;
        onlyMe.title = isBranded ? "Branded content visibility cannot be set to private." : "";
      }
      const privateChosen = privacy && privacy.value === "SELF_ONLY";
      branded.disabled = privateChosen && !branded.checked;
      branded.closest("label").title = branded.disabled ? "Branded content visibility cannot be set to private." : "";
      brandedHint.hidden = !(privateChosen && on);
      if (privacyHint) privacyHint.hidden = !isBranded;
      label.textContent = isBranded ? label.dataset.paid : isOrganic ? label.dataset.promotional : "";
      const nothing = on && !isBranded && !isOrganic;
      need.hidden = !nothing;
      if (nothing) problems.push(need.textContent);
      if (isBranded && privateChosen) problems.push("Branded content visibility cannot be set to private.");
      music.hidden = isBranded;
      bcPolicy.hidden = !isBranded;
    }
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
