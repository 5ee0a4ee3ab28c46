// Posts list and post page: live status of each delivery until it finishes, and "copy caption".
(() => {
  const widgets = () => [...document.querySelectorAll("[data-post-status]")];
  const isDetail = document.querySelector("[data-show-when]") !== null;

  const setBar = (el, fraction) => {
    const bar = el.querySelector(".progress");
    if (!bar) return;
    const pct = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    bar.querySelector("span").style.width = `${pct}%`; // CSP allows element.style from JS
    bar.setAttribute("aria-valuenow", String(pct));
  };

  const render = (el, data) => {
    const badge = el.querySelector('[data-field="badge"] .status');
    if (badge) {
      badge.textContent = data.label;
      badge.className = `status status-${data.status.replace(/_/g, "-")}`;
    }
    const note = el.querySelector('[data-field="note"]');
    if (note) note.textContent = data.note || "";
    setBar(el, data.progress);
    el.querySelector(".progress").hidden = data.terminal;
    // The delivery's other facts on the page (its card, its details), outside the widget.
    const scope = `[data-delivery-id="${data.id}"]:not([data-post-status])`;
    for (const [name, value] of Object.entries(data)) {
      document.querySelectorAll(`${scope} [data-field="${name}"]`).forEach((node) => {
        if (!node.closest("[data-post-status]")) node.textContent = value ?? "—";
      });
    }
    const wasTerminal = el.dataset.terminal === "true";
    el.dataset.terminal = String(data.terminal);
    // The page shows more once a delivery finishes (retry button, caption help, activity log).
    if (isDetail && data.terminal && !wasTerminal) window.location.reload();
  };

  const batch = document.querySelector("[data-status-batch]");
  const getJson = async (url) => {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    return response.ok ? response.json() : null;
  };

  // A post's status lists its deliveries; each widget shows one of them.
  const renderPost = (live, post) => {
    for (const item of post.deliveries) {
      const el = live.find((w) => w.dataset.deliveryId === String(item.id));
      if (el) render(el, item);
    }
  };

  const poll = async () => {
    const live = widgets().filter((el) => el.dataset.terminal !== "true");
    try {
      if (batch && live.length) {
        const ids = [...new Set(live.map((el) => el.dataset.postId))].join(",");
        const data = await getJson(`${batch.dataset.statusBatch}?ids=${ids}`);
        for (const post of data ? data.posts : []) renderPost(live, post);
      } else {
        for (const url of new Set(live.map((el) => el.dataset.statusUrl))) {
          const data = await getJson(url);
          if (data) renderPost(live, data);
        }
      }
    } catch (err) {
      // Offline for a moment: try again on the next tick.
    }
    if (widgets().some((el) => el.dataset.terminal !== "true")) window.setTimeout(poll, 2000);
  };

  widgets().forEach((el) => setBar(el, Number(el.querySelector(".progress")?.dataset.progress || 0)));
  window.setTimeout(poll, 2000);

  document.querySelectorAll("[data-copy-target]").forEach((button) => {
    button.addEventListener("click", async () => {
      const text = document.getElementById(button.dataset.copyTarget).textContent;
      const status = document.querySelector("[data-copy-status]");
      try {
        await navigator.clipboard.writeText(text);
        if (status) status.textContent = "Copied. Paste it in TikTok's editor.";
      } catch (err) {
        const range = document.createRange();
        range.selectNodeContents(document.getElementById(button.dataset.copyTarget));
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
        if (status) status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
      }
    });
  });
})();
