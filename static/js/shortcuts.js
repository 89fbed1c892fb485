/* Keyboard shortcuts (issue 14), loaded only when the user has them on in "Mijn instellingen".
   n: new lead · /: the search field · g t: Trajecten · g l: Leads · ?: the list of shortcuts.
   Ignored while typing in a field, with a modifier key held, or while a dialog is open. */
(function () {
  "use strict";
  var body = document.body;
  if (!body || body.dataset.shortcuts !== "on") return;
  var pendingG = 0;

  function typing(target) {
    if (!target || !target.closest) return false;
    if (target.isContentEditable) return true;
    return !!target.closest("input, textarea, select, [contenteditable]");
  }

  function openDialog() {
    return document.querySelector("dialog[open]");
  }

  function newLead() {
    var button = document.querySelector("a.new-lead");
    if (button) { button.click(); return; }
    if (body.dataset.urlNewLead) window.location.assign(body.dataset.urlNewLead);
  }

  function focusSearch() {
    var field = document.querySelector("[data-shortcut-search]") ||
      document.querySelector("main input[type=search]");
    if (!field) return false;
    var panel = field.closest("details");
    if (panel && !panel.open) panel.open = true;
    field.focus();
    if (field.select) field.select();
    return true;
  }

  function showShortcuts() {
    var dialog = document.getElementById("shortcuts-dialog");
    if (dialog && !dialog.open) dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var key = event.key;
    if (openDialog()) return;  // a dialog has the keyboard; Escape closes it
    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      if (key === "t" && body.dataset.urlTrajects) {
        event.preventDefault();
        window.location.assign(body.dataset.urlTrajects);
      } else if (key === "l" && body.dataset.urlLeads) {
        event.preventDefault();
        window.location.assign(body.dataset.urlLeads);
      }
      return;
    }
    pendingG = 0;
    if (key === "g") {
      pendingG = Date.now();
    } else if (key === "n") {
      event.preventDefault();
      newLead();
    } else if (key === "/") {
      if (focusSearch()) event.preventDefault();
    } else if (key === "?") {
      event.preventDefault();
      showShortcuts();
    }
  });
})();
