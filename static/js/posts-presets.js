// Prepare page: "Apply" fills the caption and hashtags from the chosen template in place
// (without JS the button posts the form back and the server fills them).
(() => {
  "use strict";
  const select = document.querySelector("[data-presets]");
  const button = document.querySelector("[data-apply-preset]");
  const caption = document.querySelector("[data-caption]");
  const hashtags = document.querySelector("[data-hashtags]");
  if (!select || !button || !caption || !hashtags) return;
  const note = document.querySelector("[data-preset-note]");

  button.addEventListener("click", (event) => {
    const option = select.selectedOptions[0];
    if (!option || !option.value) return; // the server says "choose a template"
    event.preventDefault();
    caption.value = option.dataset.text || "";
    hashtags.value = option.dataset.tags || "";
    for (const field of [caption, hashtags]) field.dispatchEvent(new Event("input", { bubbles: true }));
    if (note) note.firstChild.textContent = `Applied “${option.textContent}”. `;
  });
})();
