// A "Copy" button after every element marked data-copy (one-time passwords, recovery codes,
// confirmation codes). No inline scripts: the CSP forbids them. data-copy="value" copies that
// value; an empty data-copy copies the element's text.
document.querySelectorAll("[data-copy]").forEach((el) => {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button small copy-button";
  button.textContent = "Copy";
  const status = document.createElement("span");
  status.className = "hint copy-status";
  status.setAttribute("aria-live", "polite");
  el.after(button, status);
  button.addEventListener("click", async () => {
    const text = el.dataset.copy || el.textContent.trim();
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = "Copied.";
    } catch (err) {
      const range = document.createRange();
      range.selectNodeContents(el);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  });
});
