// Font size (three steps) and high contrast, remembered in localStorage across pages and visits.
(function () {
  var root = document.documentElement;
  function save(key, value) { try { localStorage.setItem(key, value); } catch (e) {} }
  function currentStep() { return parseInt(root.getAttribute("data-font-step") || "0", 10); }
  function setStep(step) {
    step = Math.max(-1, Math.min(3, step));
    if (step) { root.setAttribute("data-font-step", String(step)); } else { root.removeAttribute("data-font-step"); }
    save("cq-font-step", String(step));
  }
  var contrast = document.querySelector("button[data-contrast]");
  function showContrast() {
    if (contrast) { contrast.setAttribute("aria-pressed", root.getAttribute("data-contrast") === "high" ? "true" : "false"); }
  }
  document.querySelectorAll("[data-font]").forEach(function (button) {
    button.addEventListener("click", function () {
      var delta = parseInt(button.getAttribute("data-font"), 10);
      setStep(delta === 0 ? 0 : currentStep() + delta);
    });
  });
  if (contrast) {
    contrast.addEventListener("click", function () {
      var high = root.getAttribute("data-contrast") !== "high";
      if (high) { root.setAttribute("data-contrast", "high"); } else { root.removeAttribute("data-contrast"); }
      save("cq-contrast", high ? "high" : "normal");
      showContrast();
    });
  }
  showContrast();
})();
