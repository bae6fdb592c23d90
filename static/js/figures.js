// Draws the managers' figures from the JSON the page embeds (#figures-data) with Chart.js
// (static/vendor/chartjs). The tables under the charts hold the same numbers.
(function () {
  "use strict";

  const SEVERITY_COLOURS = { 4: "#b3141b", 3: "#c2540a", 2: "#d4a400", 1: "#8a94a6" };
  const DESK_SHADE = { life: 1, fraud: 0.55 };
  const PALETTE = ["#0f5f5c", "#2f6fde", "#c2540a", "#177245", "#6b46c1", "#b3141b", "#8a6d00", "#4a5568"];

  function withAlpha(hex, alpha) {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }

  // Claim times run from a minute (critical) to hours (low): a logarithmic scale shows both.
  function timeBars(data, words, logarithmic) {
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: words.median, data: data.median, backgroundColor: "#0f5f5c" },
          { label: words.p90, data: data.p90, backgroundColor: "#8fb8b6" },
          { label: words.sla, data: data.sla, type: "line", borderColor: "#b3141b", backgroundColor: "#b3141b", pointStyle: "line", pointRadius: 8, showLine: false },
        ],
      },
      options: { scales: { y: logarithmic ? { type: "logarithmic", title: { display: true, text: words.minutes } } : { beginAtZero: true, title: { display: true, text: words.minutes } } } },
    };
  }

  function countedBars(data) {
    return {
      type: "bar",
      data: { labels: data.labels, datasets: [{ data: data.data, backgroundColor: data.labels.map((_, i) => PALETTE[i % PALETTE.length]) }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    };
  }

  const BUILDERS = {
    alerts: (data) => ({
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map((s) => ({ label: s.label, data: s.data, stack: s.desk, backgroundColor: withAlpha(SEVERITY_COLOURS[s.severity] || "#8a94a6", DESK_SHADE[s.desk] || 1) })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    }),
    claim: (data, words) => timeBars(data, words, true),
    first_action: (data, words) => timeBars(data, words, false),
    outcomes: (data) => ({
      type: "doughnut",
      data: { labels: data.labels, datasets: [{ data: data.data, backgroundColor: data.labels.map((_, i) => PALETTE[i % PALETTE.length]) }] },
      options: { plugins: { legend: { position: "right" } } },
    }),
    interceptions: countedBars,
    checkins: (data, words) => ({
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: words.due, data: data.planned, backgroundColor: "#8a94a6" },
          { label: words.sent, data: data.sent, backgroundColor: "#2f6fde" },
          { label: words.replied, data: data.replied, backgroundColor: "#177245" },
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    }),
  };

  function draw() {
    const source = document.getElementById("figures-data");
    if (!source || typeof window.Chart !== "function") {
      return;
    }
    const charts = JSON.parse(source.textContent);
    window.Chart.defaults.animation = false;
    window.Chart.defaults.maintainAspectRatio = false;
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const name = canvas.dataset.chart;
      const chart = new window.Chart(canvas, BUILDERS[name](charts[name], charts.words));
      // How many numbers the chart shows (bars, slices, points): tests and people can tell an
      // empty chart from a drawn one.
      const shown = chart.data.datasets.reduce((n, set) => n + set.data.filter((v) => v !== null && v !== 0).length, 0);
      canvas.dataset.drawn = String(shown);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
