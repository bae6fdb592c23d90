// The triage queue: keys to work it without the mouse, and an optional
// sound and flash when a critical alert arrives. No inline script: everything is here.
(function () {
  "use strict";

  const SOUND_KEY = "shouhu.queue.sound";
  let selectedId = null;
  let criticalSeen = null;

  function rows() {
    return Array.from(document.querySelectorAll("#queue-live tbody tr[data-alert]"));
  }

  function select(row) {
    rows().forEach((r) => r.classList.toggle("selected", r === row));
    if (row) {
      selectedId = row.dataset.alert;
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function selectedRow() {
    return rows().find((r) => r.dataset.alert === selectedId) || null;
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const index = all.indexOf(selectedRow());
    select(all[Math.min(all.length - 1, Math.max(0, index + step))] || all[0]);
  }

  function typing(event) {
    const tag = event.target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.target.isContentEditable;
  }

  document.addEventListener("keydown", (event) => {
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    const row = selectedRow();
    if (event.key === "j") { move(1); event.preventDefault(); }
    else if (event.key === "k") { move(-1); event.preventDefault(); }
    else if (event.key === "Enter" && row) { window.location.href = row.dataset.href; }
    else if (event.key === "c" && row) {
      const claim = row.querySelector(".claim-form");
      if (claim) claim.requestSubmit();
    } else if (event.key === "n") {
      const next = document.getElementById("next-form");
      if (next) next.requestSubmit();
    }
  });

  document.addEventListener("click", (event) => {
    const row = event.target.closest("#queue-live tbody tr[data-alert]");
    if (!row || event.target.closest("a, button, form, input")) return;
    select(row);
  });

  function soundOn() {
    return window.localStorage.getItem(SOUND_KEY) === "on";
  }

  function beep() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    const audio = new Context();
    [0, 0.35].forEach((at) => {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, audio.currentTime + at);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.3);
      tone.connect(gain).connect(audio.destination);
      tone.start(audio.currentTime + at);
      tone.stop(audio.currentTime + at + 0.3);
    });
  }

  function checkCritical() {
    const live = document.getElementById("queue-live");
    if (!live) return;
    const critical = Number(live.dataset.criticalNew || 0);
    if (criticalSeen !== null && critical > criticalSeen) {
      document.body.classList.remove("flash-critical");
      void document.body.offsetWidth; // restart the animation
      document.body.classList.add("flash-critical");
      if (soundOn()) beep();
    }
    criticalSeen = critical;
  }

  function setupToggle() {
    const toggle = document.getElementById("sound-toggle");
    if (!toggle) return;
    toggle.setAttribute("aria-pressed", soundOn() ? "true" : "false");
    toggle.addEventListener("click", () => {
      window.localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on");
      toggle.setAttribute("aria-pressed", soundOn() ? "true" : "false");
    });
  }

  // A refresh must not undo a supervisor's ticks for bulk triage.
  let ticked = [];
  document.addEventListener("htmx:beforeSwap", () => {
    ticked = Array.from(document.querySelectorAll("#queue-live input[name=alerts]:checked")).map((box) => box.value);
  });

  document.addEventListener("htmx:afterSwap", () => {
    document.querySelectorAll("#queue-live input[name=alerts]").forEach((box) => {
      box.checked = ticked.includes(box.value);
    });
    select(selectedRow());
    checkCritical();
  });

  document.addEventListener("DOMContentLoaded", () => {
    setupToggle();
    checkCritical();
  });
})();
