// Apply the saved font size and contrast before the first paint (no flash of the defaults).
(function () {
  try {
    var root = document.documentElement;
    var step = parseInt(localStorage.getItem("cq-font-step") || "0", 10);
    if (step) { root.setAttribute("data-font-step", String(step)); }
    if (localStorage.getItem("cq-contrast") === "high") { root.setAttribute("data-contrast", "high"); }
  } catch (e) { /* storage may be disabled: keep the defaults */ }
})();
