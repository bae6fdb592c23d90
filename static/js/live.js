// Pages that update themselves (interventions/live.py). The page names its stream in
// <div hidden data-live-stream="/events/?channel=…">. Each pushed event fires "shouhu:changed"
// on <body>: htmx parts listen for it (hx-trigger="… shouhu:changed from:body"), and the parts
// marked data-live-region are fetched again and put in place here.
//
// A push can be lost (Redis down, a process restarted, a proxy that cut the stream), so:
// while the stream is down the page polls every 10 s, when it comes back the page fetches itself
// once, and it fetches itself every 60 s in any case. No inline script: everything is here.
(function () {
  "use strict";

  const holder = document.querySelector("[data-live-stream]");
  if (!holder || !window.EventSource) return;

  const POLL_WHILE_DOWN = 10000;
  const POLL_ANYWAY = 60000;
  // The server sends a keep-alive every 20 s; silence for longer than this is a dead stream.
  const SILENCE = 50000;
  const REOPEN_AFTER = 5000;

  let source = null;
  let lastHeard = Date.now();
  let opened = false;
  let downPoll = null;
  let pending = null;

  function changed() {
    // Several events at once (a batch of alerts) make one fetch.
    if (pending) return;
    pending = window.setTimeout(() => {
      pending = null;
      document.body.dispatchEvent(new CustomEvent("shouhu:changed", { bubbles: true }));
    }, 150);
  }

  function setState(state) {
    holder.dataset.liveState = state;
    const badge = document.querySelector("[data-live-badge]");
    if (badge) badge.dataset.liveState = state;
  }

  function up() {
    lastHeard = Date.now();
    setState("up");
    if (downPoll) {
      window.clearInterval(downPoll);
      downPoll = null;
    }
    // Whatever happened while the stream was not there is fetched now.
    if (opened) changed();
    opened = true;
  }

  function down() {
    setState("down");
    if (!downPoll) downPoll = window.setInterval(changed, POLL_WHILE_DOWN);
  }

  function open() {
    if (source) source.close();
    source = new EventSource(holder.dataset.liveStream);
    source.addEventListener("stream-open", up);
    source.addEventListener("keep-alive", () => { lastHeard = Date.now(); });
    source.addEventListener("changed", () => { lastHeard = Date.now(); changed(); });
    source.addEventListener("resync", () => { lastHeard = Date.now(); changed(); });
    source.addEventListener("stream-error", () => {
      // Refused (no longer on the desk, signed out): polling goes on, the page's own fetches
      // then meet the login page like any other request.
      source.close();
      down();
    });
    source.onerror = () => {
      down();
      // The browser reconnects by itself while the stream is CONNECTING; once CLOSED (the server
      // answered with an error status) it is up to us.
      if (source.readyState === EventSource.CLOSED) window.setTimeout(open, REOPEN_AFTER);
    };
  }

  window.setInterval(() => {
    if (Date.now() - lastHeard > SILENCE) {
      down();
      open();
      lastHeard = Date.now();
    }
  }, 5000);
  window.setInterval(changed, POLL_ANYWAY);

  // --- the parts of a page marked data-live-region ---------------------------------
  function typingIn(region) {
    const active = document.activeElement;
    return active && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
  }

  let fetching = false;
  async function refreshRegions() {
    const regions = document.querySelectorAll("[data-live-region][id]");
    if (!regions.length || fetching) return;
    fetching = true;
    try {
      const response = await fetch(window.location.href, {
        headers: { "X-Shouhu-Poll": "1", "HX-Request": "true" },
        credentials: "same-origin",
      });
      const away = response.headers.get("HX-Redirect");
      if (away) {
        window.location.href = away;
        return;
      }
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      regions.forEach((region) => {
        const replacement = fresh.getElementById(region.id);
        // A part someone is typing in is left alone; the next change brings it up to date.
        if (!replacement || typingIn(region) || replacement.innerHTML === region.innerHTML) return;
        region.replaceWith(replacement);
        if (window.htmx) window.htmx.process(replacement);
        replacement.dispatchEvent(new CustomEvent("shouhu:region-updated", { bubbles: true }));
      });
    } catch (error) {
      // Offline for a moment: the next poll tries again.
    } finally {
      fetching = false;
    }
  }
  document.body.addEventListener("shouhu:changed", refreshRegions);

  open();
})();
