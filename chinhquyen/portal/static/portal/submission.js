// Progressive enhancement for the submission pages; every page works without it.
// 1. Fields with data-show-if appear only while their condition holds (the server ignores hidden
//    answers anyway). 2. Focus moves to the error summary. 3. Long selects get a filter box.
(function () {
  "use strict";

  function controlValue(name) {
    var controls = document.getElementsByName(name);
    if (!controls.length) { return null; }
    var first = controls[0];
    var holder = first.closest("[data-show-if]");
    if (holder && holder.hidden) { return null; }
    if (first.type === "radio") {
      for (var i = 0; i < controls.length; i++) { if (controls[i].checked) { return controls[i].value; } }
      return null;
    }
    if (first.type === "checkbox" && controls.length === 1) { return first.checked; }
    return first.value === "" ? null : first.value;
  }

  function holds(rule, value) {
    if ("equals" in rule) { return value !== null && value === rule.equals; }
    if ("in" in rule) { return value !== null && rule["in"].indexOf(value) !== -1; }
    return Boolean(value);
  }

  function applyConditions() {
    var holders = document.querySelectorAll("[data-show-if]");
    // Conditions may chain (a field shown by a field shown by another): settle in a few passes.
    for (var pass = 0; pass < 3; pass++) {
      holders.forEach(function (holder) {
        var rule = JSON.parse(holder.getAttribute("data-show-if"));
        holder.hidden = !holds(rule, controlValue(rule.name));
      });
    }
  }

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
  }

  function makeSearchable(select, index) {
    var groups = Array.prototype.map.call(select.querySelectorAll("optgroup"), function (group) {
      return { label: group.label, options: Array.prototype.slice.call(group.children) };
    });
    if (groups.reduce(function (n, g) { return n + g.options.length; }, 0) < 15) { return; }
    var box = document.createElement("input");
    box.type = "search";
    box.id = select.id + "-tim";
    box.className = "search-filter";
    box.setAttribute("aria-controls", select.id);
    box.setAttribute("autocomplete", "off");
    var label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = "Tìm trong danh sách";
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var wanted = fold(box.value.trim());
      var keep = select.value;
      Array.prototype.slice.call(select.querySelectorAll("optgroup")).forEach(function (g) { g.remove(); });
      groups.forEach(function (group) {
        var matches = group.options.filter(function (option) {
          return option.value === keep || fold(option.textContent).indexOf(wanted) !== -1;
        });
        if (!matches.length) { return; }
        var element = document.createElement("optgroup");
        element.label = group.label;
        matches.forEach(function (option) { element.appendChild(option); });
        select.appendChild(element);
      });
      select.value = keep;
    });
  }

  document.addEventListener("change", applyConditions);
  document.addEventListener("input", function (event) {
    if (event.target.closest && !event.target.classList.contains("search-filter")) { applyConditions(); }
  });
  applyConditions();
  document.querySelectorAll("select[data-searchable]").forEach(makeSearchable);
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }
})();
