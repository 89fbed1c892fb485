// The relation picker (issue 14): the ARIA combobox pattern over an htmx-filled listbox.
// ArrowDown/ArrowUp move through the options, Enter chooses, Escape closes; a click chooses.
// Choosing writes the id into the hidden input and fires "change" on it (the forms reload
// what follows the relation). Without JavaScript the picker is a search box and a button.
(function () {
  "use strict";
  if (window.relationCombobox) return;
  window.relationCombobox = true;

  function parts(element) {
    var box = element.closest && element.closest("[data-combobox]");
    if (!box) return null;
    return {
      box: box,
      input: box.querySelector("[role=combobox]"),
      hidden: box.querySelector("[data-combobox-value]"),
      listbox: box.querySelector("[role=listbox]"),
      chosen: box.querySelector(".chosen"),
    };
  }

  function options(p) {
    return Array.prototype.slice.call(p.listbox.querySelectorAll("[role=option]"));
  }

  function choosable(p) {
    return options(p).filter(function (o) { return o.getAttribute("aria-disabled") !== "true"; });
  }

  function open(p) {
    if (!options(p).length) return close(p);
    p.listbox.hidden = false;
    p.input.setAttribute("aria-expanded", "true");
  }

  function close(p) {
    p.listbox.hidden = true;
    p.input.setAttribute("aria-expanded", "false");
    p.input.removeAttribute("aria-activedescendant");
    options(p).forEach(function (o) { o.setAttribute("aria-selected", "false"); });
  }

  function activate(p, option) {
    options(p).forEach(function (o) { o.setAttribute("aria-selected", o === option ? "true" : "false"); });
    p.input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  function active(p) {
    var id = p.input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function choose(p, option) {
    close(p);
    if (option.hasAttribute("data-new")) {
      // The escape hatch: the page decides what a new relation means (the lead form: "Nieuw").
      var name = option.getAttribute("data-label");
      var handled = !p.box.dispatchEvent(new CustomEvent("relation-picker:new", {
        bubbles: true, cancelable: true, detail: { name: name },
      }));
      var page = p.box.getAttribute("data-new-page");
      if (!handled && page) {
        // The new relation page (with its duplicate warning), then back here.
        window.location.href = page + "?naam=" + encodeURIComponent(name) +
          "&next=" + encodeURIComponent(window.location.pathname);
      }
      return;
    }
    var label = option.getAttribute("data-label");
    p.input.value = label;
    p.input.setAttribute("data-chosen-label", label);
    if (p.chosen) p.chosen.textContent = "";
    if (p.hidden.value !== option.getAttribute("data-value")) {
      p.hidden.value = option.getAttribute("data-value");
      p.hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }
    p.input.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (!event.target.matches || !event.target.matches("[data-combobox] [role=combobox]")) return;
    var p = parts(event.target);
    var list = choosable(p);
    var current = active(p);
    var index = list.indexOf(current);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!list.length) return;
      open(p);
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = index < 0 ? (step > 0 ? 0 : list.length - 1) : (index + step + list.length) % list.length;
      activate(p, list[next]);
    } else if (event.key === "Enter") {
      if (p.listbox.hidden) return; // a closed picker: Enter submits the form as usual
      event.preventDefault();
      if (current && list.indexOf(current) >= 0) choose(p, current);
    } else if (event.key === "Escape") {
      if (p.listbox.hidden) return; // nothing open: Escape closes the dialog as usual
      event.preventDefault();
      event.stopPropagation();
      close(p);
    }
  }, true);

  document.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches("[data-combobox] [role=combobox]")) return;
    var p = parts(event.target);
    // Typing after a choice: the choice no longer stands until an option is chosen again.
    if (p.hidden.value && p.input.value !== p.input.getAttribute("data-chosen-label")) {
      p.hidden.value = "";
      p.input.setAttribute("data-chosen-label", "");
      if (p.chosen) p.chosen.textContent = "";
      p.hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (!p.input.value.trim()) {
      p.listbox.innerHTML = "";
      close(p);
    }
  });

  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest("[data-combobox] [role=option]");
    if (option) {
      event.preventDefault(); // keep the focus in the input
      if (option.getAttribute("aria-disabled") !== "true") choose(parts(option), option);
    }
  });

  document.addEventListener("focusout", function (event) {
    if (!event.target.matches || !event.target.matches("[data-combobox] [role=combobox]")) return;
    var p = parts(event.target);
    setTimeout(function () { if (document.activeElement !== p.input) close(p); }, 100);
  });

  // The no-JavaScript fallback (radio buttons of the same name as the hidden input) sits in a
  // <noscript>. A page parses that as text, but htmx parses swapped-in HTML without scripting,
  // so there the radios become real inputs that would outvote the picker's choice: drop them.
  function dropFallback(root) {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll("[data-combobox] noscript").forEach(function (el) { el.remove(); });
  }
  dropFallback(document);
  document.addEventListener("htmx:load", function (event) { dropFallback(event.target); });
  document.addEventListener("htmx:afterSwap", function (event) { dropFallback(event.detail.target); });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.getAttribute && target.getAttribute("role") === "listbox") {
      var p = parts(target);
      if (p && document.activeElement === p.input) {
        p.input.removeAttribute("aria-activedescendant");
        open(p);
      }
    }
  });
})();
