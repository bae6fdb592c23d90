// Draws a case's ring from the JSON the page embeds (#ring-graph-data): cases as squares coloured
// by risk, indicators as dots coloured by kind, blocklisted ones ringed in red. Clicking a node
// opens its page. The tables on the page hold the same data for those who do not use the drawing.
(function () {
  "use strict";

  const KIND_COLOURS = { payee: "#c2540a", phone: "#2f6fde", account: "#6b46c1", device: "#4a5568", url: "#177245", domain: "#177245" };
  const RISK_COLOURS = ["#8a94a6", "#8a94a6", "#8a6d00", "#c2540a", "#b3141b"];

  function draw() {
    const container = document.getElementById("ring-graph");
    const source = document.getElementById("ring-graph-data");
    if (!container || !source || typeof window.cytoscape !== "function") {
      return;
    }
    const graph = JSON.parse(source.textContent);
    const elements = graph.nodes.map((node) => ({ data: node, classes: node.kind === "case" ? "case" : "indicator" }));
    graph.edges.forEach((edge, index) => {
      elements.push({ data: Object.assign({ id: `e${index}` }, edge), classes: edge.merged ? "merged" : "" });
    });
    const cy = window.cytoscape({
      container: container,
      elements: elements,
      wheelSensitivity: 0.3,
      minZoom: 0.2,
      maxZoom: 1.6,
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4, color: "#1d2330" } },
        { selector: "node.case", style: { shape: "round-rectangle", width: 22, height: 22, "background-color": (n) => RISK_COLOURS[n.data("risk")] || "#8a94a6" } },
        { selector: "node.case[?closed]", style: { "background-opacity": 0.45 } },
        { selector: "node.case[?ring_case]", style: { shape: "star", width: 34, height: 34 } },
        { selector: "node.case[?root]", style: { "border-width": 4, "border-color": "#0f5f5c", "font-weight": "bold" } },
        { selector: "node.indicator", style: { shape: "ellipse", width: 14, height: 14, "background-color": (n) => KIND_COLOURS[n.data("kind")] || "#4a5568", "font-size": 10 } },
        { selector: "node.indicator[?blocked]", style: { "border-width": 3, "border-color": "#b3141b" } },
        { selector: "edge", style: { width: 1.2, "line-color": "#b8c0cc", "curve-style": "haystack" } },
        { selector: "edge.merged", style: { "line-style": "dashed", "line-color": "#0f5f5c" } },
      ],
      layout: { name: "cose", animate: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 60, randomize: false },
    });
    cy.on("tap", "node", (event) => {
      const id = event.target.id();
      const pk = id.slice(1);
      const pattern = id[0] === "c" ? container.dataset.caseUrl : container.dataset.indicatorUrl;
      window.location.href = pattern.replace("/0/", `/${pk}/`);
    });
    container.dataset.drawn = String(cy.nodes().length);
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
