// Prepare page: a ticked account's settings appear at once (without JS, "Show their settings"
// asks the server for them), and each platform's caption note follows the ticked accounts.
(() => {
  const boxes = document.querySelectorAll("[data-target]");
  if (!boxes.length) return;
  const button = document.querySelector("[data-show-options]");
  if (button) button.hidden = true;
  const update = () => {
    const ticked = [...boxes].filter((box) => box.checked);
    boxes.forEach((box) => {
      const section = document.querySelector(`[data-section-for="${box.dataset.target}"]`);
      if (section) section.hidden = !box.checked;
    });
    document.querySelectorAll("[data-note-platform]").forEach((note) => {
      const platform = note.dataset.notePlatform;
      note.hidden = ticked.length > 0 && !ticked.some((box) => box.dataset.platform === platform);
    });
    document.dispatchEvent(new Event("change")); // the caption note follows the shown modes
  };
  boxes.forEach((box) => box.addEventListener("change", update));
  update();
})();
