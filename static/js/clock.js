// Live countdowns: any element with class "countdown" and data-due (Unix seconds) shows the time
// left, turns orange in the last two minutes and says its data-overdue-label when time is up.
(function () {
  "use strict";

  function tick() {
    const now = Date.now() / 1000;
    document.querySelectorAll(".countdown[data-due]").forEach((el) => {
      const left = Math.round(Number(el.dataset.due) - now);
      if (left <= 0) {
        el.textContent = el.dataset.overdueLabel;
        el.classList.add("overdue");
        return;
      }
      const minutes = Math.floor(left / 60);
      const seconds = String(left % 60).padStart(2, "0");
      el.textContent = `${minutes}:${seconds}`;
      el.classList.toggle("soon", left < 120);
    });
  }

  document.addEventListener("htmx:afterSwap", tick);
  document.addEventListener("shouhu:region-updated", tick);
  document.addEventListener("DOMContentLoaded", () => {
    tick();
    window.setInterval(tick, 1000);
  });
})();
