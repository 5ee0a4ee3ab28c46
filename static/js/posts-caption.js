// Prepare page: live caption length as TikTok counts it (UTF-16 code units) and hashtag preview.
(() => {
  const caption = document.querySelector("[data-caption]");
  const hashtags = document.querySelector("[data-hashtags]");
  const count = document.querySelector("[data-caption-count]");
  const preview = document.querySelector("[data-hashtag-preview]");
  if (!caption || !count) return;
  const limit = Number(caption.dataset.utf16Limit || 2200);

  // Mirrors studio/posts/captions.py: split on space, comma, semicolon and #; keep word chars.
  const normalise = (raw, text) => {
    const seen = new Set((text.match(/#[\p{L}\p{N}\p{M}_]+/gu) || []).map((t) => t.slice(1).toLowerCase()));
    const tags = [];
    for (const piece of (raw || "").normalize("NFC").split(/[\s,;#]+/u)) {
      const word = piece.replace(/[^\p{L}\p{N}\p{M}_]/gu, "").slice(0, 100);
      if (word && !seen.has(word.toLowerCase())) {
        seen.add(word.toLowerCase());
        tags.push(`#${word}`);
      }
    }
    return tags;
  };

  const update = () => {
    const text = caption.value.trim();
    const tags = normalise(hashtags ? hashtags.value : "", text);
    const title = [text, tags.join(" ")].filter(Boolean).join("\n\n");
    const used = title.length; // JS strings are UTF-16: .length is TikTok's count
    count.textContent = `${used} of ${limit} characters (caption and hashtags, as TikTok counts them)`;
    count.classList.toggle("error", used > limit);
    if (preview) preview.textContent = tags.length ? `Hashtags: ${tags.join(" ")}` : "";
  };
  caption.addEventListener("input", update);
  if (hashtags) hashtags.addEventListener("input", update);
  update();
})();

// Prepare page: say where the caption goes for the chosen modes (TikTok drafts carry none).
(() => {
  const notes = document.querySelectorAll("[data-for-mode]");
  if (!notes.length) return;
  const show = () => {
    const shown = document.querySelectorAll(".target-options:not([hidden]) input[data-mode]:checked");
    const modes = new Set([...shown].map((radio) => radio.value));
    if (!modes.size) modes.add("draft");
    notes.forEach((note) => (note.hidden = !modes.has(note.dataset.forMode)));
  };
  document.addEventListener("change", show);
  show();
})();
