// The manage page of a video (templates/media/manage.html).
//
// 1. Sending the file through the upload API (media/README.md), in chunks that survive a dropped connection:
//    POST /api/v1/videos/uploads/ {video, filename, size} opens a session (`offset`, `max_chunk_size`,
//    `upload_url`); each chunk is PUT to `upload_url` as raw bytes with `Content-Range: bytes a-b/size`.
//    A network error or a 5xx: wait 1, 2, 4 … 30 s, ask where the upload stands (GET) and go on from there;
//    409 offset_mismatch: go on from the offset given; 422: the file is refused, the server says why.
//    After a reload, choosing the same file (same name and size) resumes the session the page names.
// 2. The processing status: while the file waits or is processed, the page asks for the fragment of
//    `videos:processing` every few seconds and swaps each element of it by its id.
//
// Every text comes translated from the page (#upload-config). The polite live region #upload-status speaks at
// 25, 50, 75 and 100 % and on errors; the percentage and byte counts next to the bar are not announced.

const $ = (id) => document.getElementById(id);
const MAX_BACKOFF_S = 30;
const MILESTONES = [25, 50, 75];
// The elements of the processing fragment (templates/media/includes/making_processing_fragment.html).
const SWAPPED = ["processing-status", "publication-checklist"];

// --- Helpers -------------------------------------------------------------------------------------------------

function fill(text, values = {}) {
  // Python's format: %(name)s, and %% for a percent sign.
  return text.replace(/%\((\w+)\)s|%%/g, (match, key) => (key ? String(values[key] ?? "") : "%"));
}

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One request, with XMLHttpRequest rather than fetch: it reports the bytes of a chunk as they leave.
// Resolves with {status, data}; status 0 for a network error or an abort.
function send(method, url, { json = null, body = null, headers = {}, onProgress = null, track = null } = {}) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    if (onProgress) xhr.upload.addEventListener("progress", (event) => onProgress(event.loaded));
    xhr.addEventListener("load", () => {
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      resolve({ status: xhr.status, data });
    });
    for (const name of ["error", "abort", "timeout"]) {
      xhr.addEventListener(name, () => resolve({ status: 0, data: null }));
    }
    if (track) track(xhr);
    if (json) {
      xhr.setRequestHeader("Content-Type", "application/json");
      xhr.send(JSON.stringify(json));
    } else {
      xhr.send(body);
    }
  });
}

// --- The upload ------------------------------------------------------------------------------------------------

const configElement = $("upload-config");
const config = configElement ? JSON.parse(configElement.textContent) : null;

function setUpUpload() {
  const T = config.strings;
  const form = $("upload-form");
  const input = $("upload-file");
  const pauseItem = $("upload-pause-item");
  const pauseButton = $("upload-pause");
  const progressBox = $("upload-progress");
  const bar = $("upload-bar");
  const percentText = $("upload-percent");
  const bytesText = $("upload-bytes");
  const status = $("upload-status");
  const numbers = new Intl.NumberFormat(document.documentElement.lang || "fr", { maximumFractionDigits: 1 });

  const upload = {
    file: null,
    url: null, // the session's address, once opened
    size: 0,
    offset: 0,
    chunk: config.chunk_size,
    announced: 0, // the last milestone spoken
    paused: false,
    running: false,
    finished: false,
    attempt: 0,
    run: 0, // each run of the loop has its number; pausing or restarting ends the older one
    xhr: null,
  };

  function say(text, kind = "") {
    status.textContent = text;
    status.classList.toggle("fr-error-text", kind === "error");
    status.classList.toggle("fr-valid-text", kind === "success");
  }

  function size(bytes) {
    const units = [
      [1024 ** 3, T.gigabytes],
      [1024 ** 2, T.megabytes],
      [1024, T.kilobytes],
    ];
    for (const [unit, text] of units) {
      if (bytes >= unit) return fill(text, { value: numbers.format(bytes / unit) });
    }
    return fill(T.bytes, { value: numbers.format(bytes) });
  }

  function show(bytes) {
    const percent = upload.finished ? 100 : Math.min(99, Math.floor((bytes * 100) / upload.size));
    bar.value = percent;
    percentText.textContent = `${numbers.format(percent)}\u00a0%`;
    bytesText.textContent = fill(T.progress, { done: size(bytes), total: size(upload.size) });
    // Only the highest milestone passed is spoken: a small file passes them all at once.
    const reached = MILESTONES.filter((milestone) => percent >= milestone).pop() || 0;
    if (reached > upload.announced && !upload.finished) {
      upload.announced = reached;
      say(fill(T.milestone, { percent: reached }));
    }
  }

  function setRunning(running) {
    upload.running = running;
    pauseItem.hidden = !(running || upload.paused);
  }

  function finish() {
    upload.finished = true;
    upload.url = null;
    setRunning(false);
    show(upload.size);
    say(`${fill(T.milestone, { percent: 100 })} ${T.complete}`, "success");
    const note = $("upload-resume-note");
    if (note) note.remove();
    config.open_upload = null;
    input.value = "";
    refreshProcessing(config.processing_url);
  }

  function fail(answer) {
    const detail = answer.data && answer.data.detail ? answer.data.detail : "";
    let message;
    if (answer.status === 422) message = fill(T.refused, { reason: detail });
    else if (answer.status === 401 || answer.status === 403) message = T.signed_out;
    else if (answer.status === 409 || answer.status === 404) message = detail || T.closed;
    else message = fill(T.failed, { reason: detail || answer.status });
    upload.url = null; // the next "Envoyer" opens a new upload
    upload.paused = false;
    setRunning(false);
    say(message, "error");
  }

  // Where the upload stands, after a cut or a pause: true to go on from `upload.offset`.
  async function resync(run) {
    const answer = await send("GET", upload.url);
    if (run !== upload.run) return false;
    if (answer.status === 200) {
      const session = answer.data;
      if (session.status === "complete") {
        finish();
        return false;
      }
      if (session.status === "refused") {
        fail({ status: 422, data: { detail: session.failure } });
        return false;
      }
      if (session.status !== "receiving") {
        fail({ status: 409, data: { detail: T.closed } });
        return false;
      }
      upload.offset = session.offset;
      return true;
    }
    if (answer.status === 0 || answer.status >= 500) return null; // still cut off
    fail(answer);
    return false;
  }

  async function retry(run) {
    while (run === upload.run) {
      const delay = Math.min(2 ** upload.attempt, MAX_BACKOFF_S);
      upload.attempt += 1;
      say(fill(T.retrying, { seconds: delay }));
      await sleep(delay * 1000);
      if (run !== upload.run) return false;
      const found = await resync(run);
      if (found !== null) return found;
    }
    return false;
  }

  async function loop() {
    const run = ++upload.run;
    setRunning(true);
    while (run === upload.run && upload.offset < upload.size) {
      const start = upload.offset;
      const end = Math.min(start + upload.chunk, upload.size);
      const answer = await send("PUT", upload.url, {
        body: upload.file.slice(start, end),
        headers: { "Content-Type": "application/octet-stream", "Content-Range": `bytes ${start}-${end - 1}/${upload.size}` },
        onProgress: (loaded) => run === upload.run && show(start + Math.min(loaded, end - start)),
        track: (xhr) => {
          upload.xhr = xhr;
        },
      });
      upload.xhr = null;
      if (run !== upload.run) return; // paused meanwhile
      if (answer.status === 200) {
        upload.attempt = 0;
        upload.offset = answer.data.offset;
        if (answer.data.status === "complete") {
          finish();
          return;
        }
        show(upload.offset);
      } else if (answer.status === 409 && answer.data && answer.data.code === "offset_mismatch") {
        upload.offset = answer.data.offset;
      } else if (answer.status === 0 || answer.status >= 500) {
        if (!(await retry(run))) return;
      } else {
        fail(answer);
        return;
      }
    }
    if (run === upload.run && !upload.finished) {
      // Every byte sent but no answer said "complete" (the answer to the last chunk was lost): ask.
      if (await resync(run)) await loop();
    }
  }

  async function open(file) {
    const open = config.open_upload;
    const name = file.name.slice(0, 255);
    upload.file = file;
    upload.size = file.size;
    upload.offset = 0;
    upload.announced = 0;
    upload.finished = false;
    upload.attempt = 0;
    upload.chunk = config.chunk_size;
    if (open && open.filename === name && open.size === file.size) {
      upload.url = open.url;
      const run = ++upload.run;
      const found = await resync(run);
      if (found) {
        config.open_upload = null;
        say(fill(T.resumed_session, { name, percent: Math.floor((upload.offset * 100) / upload.size) }));
        return true;
      }
      if (upload.finished) return false;
    }
    const answer = await send("POST", config.create_url, {
      json: { video: config.video, filename: name, size: file.size },
    });
    if (answer.status !== 201) {
      fail(answer);
      return false;
    }
    upload.url = answer.data.upload_url;
    upload.offset = answer.data.offset;
    upload.chunk = Math.max(1, Math.min(config.chunk_size, answer.data.max_chunk_size || config.chunk_size));
    config.open_upload = null;
    say(fill(T.started, { name }));
    return true;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (upload.running) return;
    const file = input.files[0];
    if (!file) {
      say(T.no_file, "error");
      input.focus();
      return;
    }
    upload.paused = false;
    pauseButton.textContent = T.pause;
    progressBox.hidden = false;
    bar.value = 0;
    if (await open(file)) {
      show(upload.offset);
      await loop();
    }
  });

  pauseButton.addEventListener("click", async () => {
    if (!upload.paused) {
      upload.paused = true;
      upload.run += 1; // ends the running loop
      if (upload.xhr) upload.xhr.abort();
      setRunning(false);
      pauseButton.textContent = T.resume;
      say(T.paused);
      return;
    }
    upload.paused = false;
    pauseButton.textContent = T.pause;
    say(T.resuming);
    setRunning(true);
    const run = ++upload.run;
    const found = await resync(run);
    if (found) {
      show(upload.offset);
      await loop();
    } else if (found === null && (await retry(run))) {
      await loop();
    }
  });
}

// --- Processing ------------------------------------------------------------------------------------------------

function schedulePoll() {
  const box = $("processing-status");
  if (box && box.dataset.pollUrl) {
    setTimeout(() => refreshProcessing(box.dataset.pollUrl), Number(box.dataset.pollSeconds || 3) * 1000);
  }
}

async function refreshProcessing(url) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
  } catch {
    setTimeout(() => refreshProcessing(url), 5000);
    return;
  }
  // A redirect means the session ended (the sign-in page): stop asking, the next action will say so.
  if (!response.ok || response.redirected) return;
  const template = document.createElement("template");
  template.innerHTML = await response.text();
  for (const fresh of [...template.content.children]) {
    if (SWAPPED.includes(fresh.id)) $(fresh.id).replaceWith(fresh);
  }
  const box = $("processing-status");
  if (!box) return;
  if (box.dataset.pollUrl) {
    schedulePoll();
  } else if (box.dataset.announce) {
    $("processing-announcer").textContent = box.dataset.announce;
  }
}

if (config) setUpUpload();
schedulePoll();
