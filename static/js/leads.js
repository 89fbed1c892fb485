// The lead form as a dialog, and "Bewaren" disabled until the required fields are filled.
// Without JavaScript the form is a plain page and the server checks everything anyway.
(function () {
  "use strict";

  function requiredFilled(form) {
    return Array.prototype.every.call(form.querySelectorAll("[required]"), function (el) {
      return el.disabled || !el.validity.valueMissing;
    });
  }

  function update(form) {
    var ready = requiredFilled(form);
    form.querySelectorAll("[data-save]").forEach(function (button) {
      button.disabled = !ready;
    });
  }

  function formsIn(root) {
    var found = [];
    if (!root || !root.querySelectorAll) return found;
    var outer = root.closest ? root.closest("form[data-require-filled]") : null;
    if (outer) found.push(outer);
    root.querySelectorAll("form[data-require-filled]").forEach(function (form) {
      found.push(form);
    });
    return found;
  }

  function onEdit(event) {
    var form = event.target.closest && event.target.closest("form[data-require-filled]");
    if (form) update(form);
  }

  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);

  document.addEventListener("htmx:afterSwap", function (event) {
    var dialog = event.detail.target.closest ? event.detail.target.closest("dialog") : null;
    if (dialog && !dialog.open) dialog.showModal();
  });

  // The relation picker's "Nieuwe relatie": Type relatie "Nieuw", with the searched name.
  document.addEventListener("relation-picker:new", function (event) {
    var form = event.target.closest("form");
    var radio = form && form.querySelector("input[name=type_relation][value=new]");
    if (!radio) return;
    event.preventDefault();
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  });

  function init(root) {
    formsIn(root).forEach(update);
  }

  if (window.htmx) {
    window.htmx.onLoad(init);
  } else {
    init(document);
  }
})();
