// Resumable video uploads, several at once: each file goes up in parts (PATCH at the server's
// offset) in its own row, with a real progress bar, retry after a dropped connection, resume
// after a reload, cancel and its own result. A few files travel at a time; the rest wait.
(() => {
  "use strict";
  const root = document.getElementById("upload");
  if (!root) return;

  const $ = (id) => document.getElementById(id);
  const input = $("video-file");
  const zone = $("dropzone");
  const list = $("upload-list");
  const rowTemplate = $("upload-row");
  const summary = $("upload-summary");
  const unfinished = $("upload-unfinished");

  let csrf = root.dataset.csrf;
  const createUrl = root.dataset.createUrl;
  const maxBytes = Number(root.dataset.maxBytes);
  const maxWords = root.dataset.maxWords;
  const firstPart = Number(root.dataset.partBytes) || 8 * 1024 * 1024;
  const maxPart = Number(root.dataset.maxPartBytes) || firstPart;
  // Two at a time keep the link busy without one file starving the others, and stay well
  // under the server's cap on open uploads per person (UPLOAD_MAX_OPEN_PER_USER).
  const CONCURRENT = Number(root.dataset.concurrent) || 2;
  // Each next part is sized to take about PART_MS at the rate the last one went (between the
  // first size and maxPart): a fast link reaches the largest part after one, a slow one keeps
  // parts that cost little to send again.
  const PART_MS = 2000;
  const MAX_RETRIES = 8;
  const PART_TYPE = "application/offset+octet-stream";
  const PREFIX = "studio-upload:";
  const TRAVELLING = new Set(["starting", "uploading", "checking", "retrying"]);
  const LABELS = {
    queued: ["Queued", "waiting"],
    starting: ["Starting", "in-progress"],
    uploading: ["Uploading", "in-progress"],
    checking: ["Checking", "in-progress"],
    retrying: ["Reconnecting", "waiting"],
    paused: ["Paused", "held"],
    done: ["Uploaded", "completed"],
    duplicate: ["Already uploaded", "held"],
    failed: ["Failed", "failed"],
    cancelled: ["Cancelled", "cancelled"],
  };

  const jobs = [];
  let serial = 0;

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
  const storeKey = (file) => `${PREFIX}${file.name}:${file.size}:${file.lastModified}`;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  function el(tag, text, attrs = {}) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  function addRow(file) {
    serial += 1;
    const node = rowTemplate.content.firstElementChild.cloneNode(true);
    const q = (cls) => node.querySelector(`.${cls}`);
    const job = {
      file, node, url: null, offset: 0, xhr: null, cancelled: false, retries: 0,
      tokenRefreshes: 0, part: firstPart, status: "queued", started: 0, startOffset: 0,
      bar: q("progress"), figures: q("upload-figures"), badge: q("upload-state"),
      result: q("upload-result"), cancelBtn: q("upload-cancel"), resumeBtn: q("upload-resume"),
    };
    job.fill = job.bar.querySelector("span");
    const name = q("upload-name");
    name.id = `upload-name-${serial}`;
    name.textContent = file.name;
    q("upload-size").textContent = size(file.size);
    job.bar.setAttribute("aria-labelledby", name.id);
    job.cancelBtn.setAttribute("aria-label", `Cancel ${file.name}`);
    job.resumeBtn.setAttribute("aria-label", `Resume ${file.name}`);
    job.cancelBtn.addEventListener("click", () => cancel(job));
    job.resumeBtn.addEventListener("click", () => resume(job));
    list.append(node);
    jobs.push(job);
    return job;
  }

  function setState(job, status, figures) {
    job.status = status;
    job.node.dataset.state = status;
    const [label, badge] = LABELS[status];
    job.badge.textContent = label;
    job.badge.className = `status status-${badge} upload-state`;
    if (figures !== undefined) job.figures.textContent = figures;
    tally();
  }

  function tally() {
    const count = (pred) => jobs.filter(pred).length;
    const parts = [
      [count((j) => TRAVELLING.has(j.status)), "uploading"],
      [count((j) => j.status === "queued"), "queued"],
      [count((j) => j.status === "paused"), "paused"],
      [count((j) => j.status === "done" || j.status === "duplicate"), "done"],
      [count((j) => j.status === "failed"), "failed"],
      [count((j) => j.status === "cancelled"), "cancelled"],
    ].filter(([n]) => n > 0).map(([n, word]) => `${n} ${word}`);
    summary.hidden = jobs.length === 0;
    summary.textContent = `${jobs.length} ${jobs.length === 1 ? "file" : "files"}: ${parts.join(", ")}`;
  }

  function progress(job, sent) {
    const total = job.file.size;
    const pct = total ? Math.floor((sent / total) * 100) : 100;
    job.fill.style.width = `${pct}%`;
    job.bar.setAttribute("aria-valuenow", String(pct));
    if (sent >= total && job.status === "uploading") {
      setState(job, "checking", `${size(total)} of ${size(total)} · 100% · checking the video…`);
      return;
    }
    const elapsed = (performance.now() - job.started) / 1000;
    const rate = elapsed > 0.5 ? (sent - job.startOffset) / elapsed : 0;
    let text = `${size(sent)} of ${size(total)} · ${pct}%`;
    if (rate > 0) text += ` · ${size(rate)}/s · ${duration((total - sent) / rate)} left`;
    job.figures.textContent = text;
  }

  function request(job, method, url, { body = null, headers = {}, onProgress = null } = {}) {
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

  let refreshing = null;
  function refreshToken() {
    // One fetch serves every upload whose part was refused with the old token.
    refreshing = refreshing || (async () => {
      try {
        const res = await fetch(window.location.href, { credentials: "same-origin" });
        const found = (await res.text()).match(/data-csrf="([^"]+)"/);
        if (found) csrf = found[1];
      } catch {
        // keep the old token; the next failure is reported as usual
      }
    })().finally(() => { refreshing = null; });
    return refreshing;
  }

  const message = (res, fallback) => (res.data && res.data.error && res.data.error.message) || fallback;

  function add(files) {
    for (const file of files) {
      if (jobs.some((j) => !isOver(j) && storeKey(j.file) === storeKey(file))) continue;
      const job = addRow(file);
      const problem = precheck(file);
      if (problem) fail(job, el("p", problem), "failed");
      else setState(job, "queued", "Waiting for the uploads before it…");
    }
    input.value = ""; // the same file can be chosen again (to resume, or after a failure)
    pump();
  }

  function precheck(file) {
    if (file.size > maxBytes) return `${file.name} is ${size(file.size)}; videos can be at most ${maxWords}.`;
    if (file.size === 0) return `${file.name} is empty.`;
    if (file.type && !file.type.startsWith("video/")) {
      return `${file.name} is not a video (it is ${file.type}). Choose an MP4, MOV or WebM file.`;
    }
    return null;
  }

  const isOver = (job) => ["done", "duplicate", "failed", "cancelled"].includes(job.status);

  function pump() {
    let free = CONCURRENT - jobs.filter((j) => TRAVELLING.has(j.status)).length;
    for (const job of jobs) {
      if (free <= 0) break;
      if (job.status !== "queued") continue;
      free -= 1;
      run(job).finally(pump);
    }
  }

  async function run(job) {
    setState(job, "starting", "Starting…");
    if (job.url) { // resumed by hand after a pause
      if (await locate(job)) await send(job);
      else if (!job.cancelled && !isOver(job)) pause(job);
      return;
    }
    const saved = localStorage.getItem(storeKey(job.file));
    if (saved) {
      const head = await request(job, "GET", saved).catch(() => null);
      if (job.cancelled) return;
      if (head && head.status === 200) {
        job.url = saved;
        job.offset = Number(head.offset);
      } else {
        localStorage.removeItem(storeKey(job.file));
      }
    }
    if (!job.url) {
      const res = await request(job, "POST", createUrl, {
        body: JSON.stringify({ length: job.file.size, name: job.file.name }),
        headers: { "Content-Type": "application/json" },
      }).catch(() => null);
      if (job.cancelled) return;
      if (!res || res.status !== 201) {
        fail(job, el("p", res ? message(res, "The upload could not start.") : "The server could not be reached."));
        return;
      }
      job.url = res.data.url;
      localStorage.setItem(storeKey(job.file), job.url);
    }
    await send(job);
  }

  async function send(job) {
    job.started = performance.now();
    job.startOffset = job.offset;
    setState(job, "uploading");
    progress(job, job.offset);
    while (!job.cancelled) {
      const sent = job.offset;
      const end = Math.min(sent + job.part, job.file.size);
      const sentAt = performance.now();
      let res;
      try {
        res = await request(job, "PATCH", job.url, {
          body: job.file.slice(job.offset, end),
          headers: { "Content-Type": PART_TYPE, "Upload-Offset": String(job.offset) },
          onProgress: (loaded) => progress(job, job.offset + loaded),
        });
      } catch {
        if (job.cancelled || !(await recover(job))) return;
        continue;
      }
      if (res.status === 204) {
        job.offset = Number(res.offset);
        job.retries = 0;
        // Fewer, larger requests on a fast link; small ones again after any trouble.
        const rate = (job.offset - sent) / Math.max(performance.now() - sentAt, 1); // bytes/ms
        job.part = Math.min(maxPart, Math.max(firstPart, Math.round(rate * PART_MS)));
        progress(job, job.offset);
        continue;
      }
      if (res.status === 200 || res.status === 201) return done(job, res.data);
      if (res.status === 409 && res.offset !== null) { job.offset = Number(res.offset); continue; }
      if (res.status === 422) return rejected(job, res.data);
      if (res.status === 400 && /CSRF/.test(message(res, "")) && job.tokenRefreshes < 2) {
        job.tokenRefreshes += 1; // the page's token expired during a long upload: fetch a new one
        await refreshToken();
        continue;
      }
      if (res.status === 423 || res.status >= 500 && res.status !== 507) {
        if (!(await recover(job))) return;
        continue;
      }
      // 401: signed out; the part file is kept, so choosing the file again after signing in resumes.
      if (res.status !== 401) localStorage.removeItem(storeKey(job.file));
      return fail(job, el("p", message(res, `The upload failed (HTTP ${res.status}).`)));
    }
  }

  // Ask the server where this upload stands: true with the offset set, false when it is gone
  // (the row says so), null when the server cannot be reached.
  async function locate(job) {
    const head = await request(job, "GET", job.url).catch(() => null);
    if (job.cancelled) return false;
    if (head && head.status === 200) {
      job.offset = Number(head.offset);
      return true;
    }
    if (head && head.status === 404) {
      localStorage.removeItem(storeKey(job.file));
      const p = el("p", "This upload is no longer on the server (it finished, expired or was cancelled). ");
      p.append(el("a", "Check the library", { href: root.dataset.libraryUrl }));
      fail(job, p, "failed", "warn");
      return false;
    }
    return null;
  }

  // After a failed part: wait (exponential backoff with jitter), ask the server for its offset.
  async function recover(job) {
    job.part = firstPart;
    while (!job.cancelled && job.retries < MAX_RETRIES) {
      job.retries += 1;
      const wait = Math.min(30000, 500 * 2 ** job.retries) * (0.5 + Math.random() / 2);
      setState(job, "retrying", `Connection lost. Retrying in ${duration(wait / 1000)} (attempt ${job.retries} of ${MAX_RETRIES})…`);
      await sleep(wait);
      if (job.cancelled) return false;
      const found = await locate(job);
      if (found) {
        job.started = performance.now();
        job.startOffset = job.offset;
        setState(job, "uploading");
        return true;
      }
      if (found === false) return false;
    }
    if (!job.cancelled) pause(job);
    return false;
  }

  function pause(job) {
    setState(job, "paused", "The connection keeps failing. Your progress is kept: press Resume when you are back online.");
    job.resumeBtn.hidden = false;
  }

  function resume(job) {
    job.resumeBtn.hidden = true;
    job.retries = 0;
    setState(job, "queued", "Waiting to resume…");
    pump();
  }

  function done(job, data) {
    localStorage.removeItem(storeKey(job.file));
    job.fill.style.width = "100%";
    job.bar.setAttribute("aria-valuenow", "100");
    job.figures.textContent = `${size(job.file.size)} of ${size(job.file.size)} · 100%`;
    const p = el("p", data.duplicate ? "You already uploaded this video. " : `${data.name} is uploaded and checked. `);
    p.append(el("a", data.duplicate ? "Open the existing video" : "Open it", { href: data.url }));
    finish(job, data.duplicate ? "duplicate" : "done", data.duplicate ? "warn" : "good", p);
  }

  function rejected(job, data) {
    localStorage.removeItem(storeKey(job.file));
    const wrap = document.createElement("div");
    wrap.append(el("p", message({ data }, "This file cannot be published on any of the platforms:")));
    const items = el("ul");
    for (const v of (data && data.error && data.error.violations) || []) items.append(el("li", v));
    wrap.append(items, el("p", "Nothing was kept. Fix the video and upload it again.", { class: "small" }));
    fail(job, wrap);
  }

  function fail(job, node, status = "failed", kind = "bad") {
    finish(job, status, kind, node);
  }

  function finish(job, status, kind, node) {
    setState(job, status);
    if (status !== "done" && status !== "duplicate") job.figures.textContent = "";
    job.cancelBtn.hidden = true;
    job.resumeBtn.hidden = true;
    job.result.className = kind ? `upload-result callout ${kind}` : "upload-result";
    job.result.replaceChildren(node);
    job.xhr = null;
  }

  async function cancel(job) {
    if (isOver(job)) return;
    job.cancelled = true;
    if (job.xhr) job.xhr.abort();
    localStorage.removeItem(storeKey(job.file));
    if (job.url) await request(null, "DELETE", job.url).catch(() => null);
    finish(job, "cancelled", "", el("p", "Upload cancelled. Nothing was kept."));
    pump();
  }

  // Uploads a reload interrupted: say which, so choosing the same files again resumes them.
  async function listUnfinished() {
    const found = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key && key.startsWith(PREFIX)) found.push([key, localStorage.getItem(key)]);
    }
    const names = [];
    for (const [key, url] of found.slice(0, 10)) {
      const head = await request(null, "GET", url).catch(() => null);
      if (head && head.status === 404) { localStorage.removeItem(key); continue; }
      const name = key.slice(PREFIX.length).split(":").slice(0, -2).join(":");
      const length = head && head.data && head.data.length;
      const pct = length ? ` (${Math.floor((Number(head.offset) / length) * 100)}%)` : "";
      names.push(`${name}${pct}`);
    }
    if (!names.length) return;
    unfinished.textContent = `Not finished before the page was left: ${names.join(", ")}. Choose the same files again to continue where they stopped.`;
    unfinished.hidden = false;
  }

  input.addEventListener("change", () => add([...input.files]));
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add("over"); });
  }
  for (const type of ["dragleave", "drop"]) {
    zone.addEventListener(type, () => zone.classList.remove("over"));
  }
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    add([...e.dataTransfer.files]);
  });
  window.addEventListener("beforeunload", (e) => {
    if (jobs.some((j) => TRAVELLING.has(j.status) || j.status === "queued")) e.preventDefault();
  });
  listUnfinished();
})();
