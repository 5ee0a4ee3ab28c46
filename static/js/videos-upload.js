// Resumable video upload: the file goes up in parts (PATCH at the server's offset), with a
// real progress bar, retry after a dropped connection, resume after a reload, and cancel.
(() => {
  "use strict";
  const root = document.getElementById("upload");
  if (!root) return;

  const $ = (id) => document.getElementById(id);
  const input = $("video-file");
  const zone = $("dropzone");
  const panel = $("upload-progress");
  const bar = $("upload-bar");
  const fill = bar.querySelector("span");
  const figures = $("upload-figures");
  const nameEl = $("upload-name");
  const result = $("upload-result");
  const cancelBtn = $("upload-cancel");
  const resumeBtn = $("upload-resume");

  let csrf = root.dataset.csrf;
  const createUrl = root.dataset.createUrl;
  const maxBytes = Number(root.dataset.maxBytes);
  const maxWords = root.dataset.maxWords;
  const firstPart = Number(root.dataset.partBytes) || 8 * 1024 * 1024;
  const maxPart = Number(root.dataset.maxPartBytes) || firstPart;
  // Each next part is sized to take about PART_MS at the rate the last one went (between the
  // first size and maxPart): a fast link reaches the largest part after one, a slow one keeps
  // parts that cost little to send again.
  const PART_MS = 2000;
  const MAX_RETRIES = 8;
  const PART_TYPE = "application/offset+octet-stream";

  let job = null; // {file, url, offset, xhr, cancelled, retries, started, startOffset}

  const units = ["bytes", "KB", "MB", "GB"];
  function size(n) {
    let i = 0;
    while (n >= 1000 && i < units.length - 1) { n /= 1000; i += 1; }
    return i === 0 ? `${n} bytes` : `${n.toFixed(1)} ${units[i]}`;
  }
  function duration(s) {
    if (!Number.isFinite(s) || s < 0) return "";
    if (s < 60) return `${Math.ceil(s)} s`;
    return `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s`;
  }
  const storeKey = (file) => `studio-upload:${file.name}:${file.size}:${file.lastModified}`;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function show(kind, html) {
    result.className = kind ? `card callout ${kind}` : "";
    result.replaceChildren();
    if (html) result.append(html);
  }
  function el(tag, text, attrs = {}) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  function progress(sent) {
    const total = job.file.size;
    const pct = total ? Math.floor((sent / total) * 100) : 100;
    fill.style.width = `${pct}%`;
    bar.setAttribute("aria-valuenow", String(pct));
    const elapsed = (performance.now() - job.started) / 1000;
    const rate = elapsed > 0.5 ? (sent - job.startOffset) / elapsed : 0;
    let text = `${size(sent)} of ${size(total)} · ${pct}%`;
    if (rate > 0) text += ` · ${size(rate)}/s · ${duration((total - sent) / rate)} left`;
    figures.textContent = text;
  }

  function request(method, url, { body = null, headers = {}, onProgress = null } = {}) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
      if (onProgress) xhr.upload.onprogress = (e) => onProgress(e.loaded);
      xhr.onload = () => {
        let data = null;
        try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { data = null; }
        resolve({ status: xhr.status, data, offset: xhr.getResponseHeader("Upload-Offset") });
      };
      xhr.onerror = () => reject(new Error("network"));
      xhr.onabort = () => reject(new Error("aborted"));
      xhr.ontimeout = () => reject(new Error("timeout"));
      if (job) job.xhr = xhr;
      xhr.send(body);
    });
  }

  async function refreshToken() {
    try {
      const res = await fetch(window.location.href, { credentials: "same-origin" });
      const found = (await res.text()).match(/data-csrf="([^"]+)"/);
      if (found) csrf = found[1];
    } catch {
      // keep the old token; the next failure is reported as usual
    }
  }

  const message = (res, fallback) => (res.data && res.data.error && res.data.error.message) || fallback;

  async function start(file) {
    show("", null);
    if (!file) return;
    if (file.size > maxBytes) {
      show("bad", el("p", `${file.name} is ${size(file.size)}; videos can be at most ${maxWords}.`));
      return;
    }
    if (file.size === 0) { show("bad", el("p", `${file.name} is empty.`)); return; }
    job = {
      file, url: null, offset: 0, xhr: null, cancelled: false, retries: 0, tokenRefreshes: 0,
      part: firstPart,
    };
    nameEl.textContent = file.name;
    panel.hidden = false;
    zone.classList.add("busy");
    input.disabled = true;
    cancelBtn.disabled = false;
    resumeBtn.hidden = true;
    figures.textContent = "Starting…";
    const saved = localStorage.getItem(storeKey(file));
    if (saved) {
      const head = await request("GET", saved).catch(() => null);
      if (head && head.status === 200) {
        job.url = saved;
        job.offset = Number(head.offset);
      } else {
        localStorage.removeItem(storeKey(file));
      }
    }
    if (!job.url) {
      const res = await request("POST", createUrl, {
        body: JSON.stringify({ length: file.size, name: file.name }),
        headers: { "Content-Type": "application/json" },
      }).catch(() => null);
      if (!res || res.status !== 201) {
        finish("bad", el("p", res ? message(res, "The upload could not start.") : "The server could not be reached."));
        return;
      }
      job.url = res.data.url;
      localStorage.setItem(storeKey(file), job.url);
    }
    send();
  }

  async function send() {
    job.started = performance.now();
    job.startOffset = job.offset;
    progress(job.offset);
    while (!job.cancelled) {
      const sent = job.offset;
      const end = Math.min(sent + job.part, job.file.size);
      const sentAt = performance.now();
      let res;
      try {
        res = await request("PATCH", job.url, {
          body: job.file.slice(job.offset, end),
          headers: { "Content-Type": PART_TYPE, "Upload-Offset": String(job.offset) },
          onProgress: (loaded) => progress(job.offset + loaded),
        });
      } catch (err) {
        if (job.cancelled) return;
        if (!(await recover())) return;
        continue;
      }
      if (res.status === 204) {
        job.offset = Number(res.offset);
        job.retries = 0;
        // Fewer, larger requests on a fast link; small ones again after any trouble.
        const rate = (job.offset - sent) / Math.max(performance.now() - sentAt, 1); // bytes/ms
        job.part = Math.min(maxPart, Math.max(firstPart, Math.round(rate * PART_MS)));
        progress(job.offset);
        continue;
      }
      if (res.status === 200 || res.status === 201) return done(res.data);
      if (res.status === 409 && res.offset !== null) { job.offset = Number(res.offset); continue; }
      if (res.status === 422) return rejected(res.data);
      if (res.status === 400 && /CSRF/.test(message(res, "")) && job.tokenRefreshes < 2) {
        job.tokenRefreshes += 1; // the page's token expired during a long upload: fetch a new one
        await refreshToken();
        continue;
      }
      if (res.status === 423 || res.status >= 500 && res.status !== 507) {
        if (!(await recover())) return;
        continue;
      }
      // 401: signed out; the part file is kept, so choosing the file again after signing in resumes.
      if (res.status !== 401) localStorage.removeItem(storeKey(job.file));
      return finish("bad", el("p", message(res, `The upload failed (HTTP ${res.status}).`)));
    }
  }

  // After a failed part: wait (exponential backoff with jitter), ask the server for its offset.
  async function recover() {
    job.part = firstPart;
    while (!job.cancelled && job.retries < MAX_RETRIES) {
      job.retries += 1;
      const wait = Math.min(30000, 500 * 2 ** job.retries) * (0.5 + Math.random() / 2);
      figures.textContent = `Connection lost. Retrying in ${duration(wait / 1000)} (attempt ${job.retries} of ${MAX_RETRIES})…`;
      await sleep(wait);
      if (job.cancelled) return false;
      const head = await request("GET", job.url).catch(() => null);
      if (head && head.status === 200) {
        job.offset = Number(head.offset);
        job.started = performance.now();
        job.startOffset = job.offset;
        return true;
      }
      if (head && head.status === 404) {
        localStorage.removeItem(storeKey(job.file));
        const link = el("a", "Check the library", { href: root.dataset.libraryUrl });
        const p = el("p", "This upload is no longer on the server (it finished, expired or was cancelled). ");
        p.append(link);
        finish("warn", p);
        return false;
      }
    }
    if (job.cancelled) return false;
    figures.textContent = "The connection keeps failing. Your progress is kept: press Resume when you are back online.";
    resumeBtn.hidden = false;
    return false;
  }

  function done(data) {
    localStorage.removeItem(storeKey(job.file));
    fill.style.width = "100%";
    bar.setAttribute("aria-valuenow", "100");
    const p = el("p", data.duplicate ? "You already uploaded this video. " : `${data.name} is uploaded and checked. `);
    p.append(el("a", data.duplicate ? "Open the existing video" : "Open it", { href: data.url }));
    finish(data.duplicate ? "warn" : "good", p);
  }

  function rejected(data) {
    localStorage.removeItem(storeKey(job.file));
    const wrap = document.createElement("div");
    wrap.append(el("p", message({ data }, "This file cannot be sent to TikTok.")));
    const list = el("ul");
    for (const v of (data && data.error && data.error.violations) || []) list.append(el("li", v));
    wrap.append(list, el("p", "Nothing was kept. Fix the video and upload it again.", { class: "small" }));
    finish("bad", wrap);
  }

  function finish(kind, node) {
    panel.hidden = kind !== "good";
    cancelBtn.disabled = true;
    resumeBtn.hidden = true;
    zone.classList.remove("busy");
    input.disabled = false;
    input.value = "";
    show(kind, node);
    job = null;
  }

  cancelBtn.addEventListener("click", async () => {
    if (!job) return;
    job.cancelled = true;
    if (job.xhr) job.xhr.abort();
    const { url, file } = job;
    localStorage.removeItem(storeKey(file));
    if (url) await request("DELETE", url).catch(() => null);
    finish("", el("p", "Upload cancelled. Nothing was kept."));
  });

  resumeBtn.addEventListener("click", () => {
    if (!job) return;
    resumeBtn.hidden = true;
    job.retries = 0;
    recover().then((ok) => ok && send());
  });

  input.addEventListener("change", () => start(input.files[0]));
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add("over"); });
  }
  for (const type of ["dragleave", "drop"]) {
    zone.addEventListener(type, () => zone.classList.remove("over"));
  }
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    if (job) return;
    const file = e.dataTransfer.files[0];
    if (file) start(file);
  });
  window.addEventListener("beforeunload", (e) => {
    if (job && !job.cancelled) e.preventDefault();
  });
})();
