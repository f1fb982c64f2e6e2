// The video page's player (templates/media/video_detail.html): the browser's own <video controls>, plus
//
// - a "Sous-titres" button (aria-pressed) that shows or hides the captions, since the native controls are not
//   reachable the same way with the keyboard in every browser. Captions are shown by default;
// - the measure of the time actually played: the union of the intervals played, read on `timeupdate`. A seek is
//   never counted as played, and a part played twice counts once. The intervals are kept in sessionStorage, so
//   that a reload of the tab does not start over;
// - reports to the server (POST {played_seconds, position}) every 15 s while playing, on pause, at the end,
//   and when the page is hidden or left. The server keeps the largest values and says when the video counts as
//   watched (80 % played): a polite status message then says "Vidéo vue".
//
// Every text shown comes translated from the page (data-* attributes of #player).
(function () {
  "use strict";

  const REPORT_EVERY_MS = 15000;
  // Two `timeupdate`s further apart than this (in seconds of the video, at normal speed) are not one stretch
  // of playing: a seek the browser did not announce, or a sleeping tab.
  const MAX_STEP = 5;

  const root = document.getElementById("player");
  const video = root && root.querySelector("video");
  if (!video) return;
  const toggle = document.getElementById("captions-toggle");
  const status = document.getElementById("player-status");
  const data = root.dataset;

  // --- Captions -----------------------------------------------------------------------------------------------

  function captionTracks() {
    return Array.from(video.textTracks).filter((track) => track.kind === "captions" || track.kind === "subtitles");
  }

  function mainTrack() {
    const tracks = captionTracks();
    return tracks.find((track) => track.language === "fr") || tracks[0] || null;
  }

  function captionsShown() {
    return captionTracks().some((track) => track.mode === "showing");
  }

  function showState() {
    if (!toggle) return;
    const shown = captionsShown();
    toggle.setAttribute("aria-pressed", shown ? "true" : "false");
    toggle.textContent = shown ? data.labelOn : data.labelOff;
  }

  function setCaptions(on) {
    const main = mainTrack();
    captionTracks().forEach((track) => {
      if (on && track === main) track.mode = "showing";
      else if (track.mode === "showing") track.mode = "hidden";
    });
    showState();
  }

  if (mainTrack()) {
    setCaptions(true);
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", () => setCaptions(!captionsShown()));
    }
    // The native menu may change the tracks too: the button follows.
    video.textTracks.addEventListener("change", showState);
  }

  // --- Time played --------------------------------------------------------------------------------------------

  let intervals = load(); // sorted, disjoint [start, end] pairs, in seconds of the video
  let last = null; // the position of the previous `timeupdate` while playing; null after a pause or a seek

  function load() {
    try {
      const stored = JSON.parse(window.sessionStorage.getItem(data.storageKey) || "[]");
      return Array.isArray(stored)
        ? stored.filter((pair) => Array.isArray(pair) && pair.length === 2 && pair[0] >= 0 && pair[1] > pair[0])
        : [];
    } catch (error) {
      return [];
    }
  }

  function save() {
    try {
      window.sessionStorage.setItem(data.storageKey, JSON.stringify(intervals));
    } catch (error) {
      // Storage refused (private browsing, quota): the measure still holds for this page.
    }
  }

  function add(start, end) {
    const all = intervals.concat([[start, end]]).sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const [from, to] of all) {
      const previous = merged[merged.length - 1];
      if (previous && from <= previous[1]) previous[1] = Math.max(previous[1], to);
      else merged.push([from, to]);
    }
    intervals = merged;
  }

  function played() {
    return intervals.reduce((sum, [from, to]) => sum + (to - from), 0);
  }

  function furthest() {
    return intervals.length ? intervals[intervals.length - 1][1] : 0;
  }

  function tick(force) {
    if (!force && (video.paused || video.seeking)) return;
    const now = video.currentTime;
    if (last !== null) {
      const step = now - last;
      if (step > 0 && step <= MAX_STEP * Math.max(1, video.playbackRate || 1)) add(last, now);
    }
    last = now;
  }

  video.addEventListener("timeupdate", () => tick(false));
  video.addEventListener("playing", () => {
    last = video.currentTime;
    startReports();
  });
  video.addEventListener("seeking", () => {
    last = null;
  });
  video.addEventListener("seeked", () => {
    last = video.paused ? null : video.currentTime;
  });
  video.addEventListener("pause", () => {
    if (last !== null) tick(true);
    last = null;
    stopReports();
    report();
  });
  video.addEventListener("ended", () => {
    if (last !== null) tick(true);
    last = null;
    stopReports();
    report();
  });

  // --- Reports ------------------------------------------------------------------------------------------------

  let timer = null;
  let reported = 0;
  let watched = data.watched === "true";

  function startReports() {
    if (timer === null) timer = window.setInterval(report, REPORT_EVERY_MS);
  }

  function stopReports() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  function csrfToken() {
    if (data.csrfToken) return data.csrfToken;
    const found = document.cookie.split("; ").find((cookie) => cookie.startsWith("csrftoken="));
    return found ? decodeURIComponent(found.slice("csrftoken=".length)) : "";
  }

  function announce(message) {
    if (status && message) status.textContent = message;
  }

  function report() {
    if (!video.paused && last !== null) tick(true);
    save();
    const seconds = Math.round(played() * 100) / 100;
    if (!data.progressUrl || seconds <= reported) return;
    const before = reported;
    reported = seconds;
    window
      .fetch(data.progressUrl, {
        method: "POST",
        keepalive: true,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ played_seconds: seconds, position: Math.round(furthest() * 100) / 100 }),
      })
      .then((response) => (response.status === 200 ? response.json() : null))
      .then((answer) => {
        if (answer && answer.watched && !watched) {
          watched = true;
          announce(data.watchedMessage);
        }
      })
      .catch(() => {
        // Offline or leaving: the next report sends the whole time played again.
        reported = Math.min(reported, before);
      });
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") report();
  });
  window.addEventListener("pagehide", report);
})();
