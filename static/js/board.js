// The board's card moves (issue 13, point 5): drag and drop (SortableJS), Space + arrow keys on
// a focused card, and the reason dialog of an outcome stage. The "Verplaats naar…" menu is a
// plain htmx form and needs none of this. Every move is a POST the server checks; what comes
// back (board/_move_result.html) puts the card where it really is and updates both headers.
(function () {
  "use strict";

  var board = document.getElementById("board");
  if (!board) return;
  var live = document.getElementById("board-live");
  var undoTimer = null;

  function stageOf(el) {
    return el.getAttribute("data-stage") || "geen";
  }

  function lists() {
    return Array.prototype.slice.call(board.querySelectorAll(".board-cards"));
  }

  function columnName(list) {
    var heading = document.getElementById(list.getAttribute("aria-labelledby"));
    return heading ? heading.textContent.trim() : "";
  }

  function announce(text) {
    if (live) live.textContent = text;
  }

  function moveUrl(card) {
    var query = board.getAttribute("data-filter-query");
    return board.getAttribute("data-move-url").replace("/0/", "/" + card.getAttribute("data-traject") + "/") +
      (query ? "?" + query : "");
  }

  function move(card, list, focus) {
    var id = card.id;
    htmx.ajax("POST", moveUrl(card), {
      source: card,
      target: "#board-live",
      swap: "innerHTML",
      values: { stage: stageOf(list), stage_seen: stageOf(card) }
    }).then(function () {
      if (!focus) return;
      var again = document.getElementById(id);
      if (again) again.focus();
    });
  }

  // Refusals (400, 409, 422) carry the message and the card where it really is: swap them too.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // After a move from the "Verplaats naar…" menu, the focus follows the card to its new column.
  var refocus = null;
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest(".board-move-form");
    var card = form && form.closest(".board-card");
    if (card) refocus = card.id;
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    if (!refocus) return;
    var card = document.getElementById(refocus);
    refocus = null;
    if (card) card.focus();
  });

  // The reason dialog opens when the server asks for it; "Annuleren" and Escape put the card back.
  var dialog = document.getElementById("board-dialog");
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (dialog && event.detail.target === dialog && !dialog.open) {
      dialog.showModal();
      var select = dialog.querySelector("select");
      if (select) select.focus();
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (dialog && dialog.open && dialog.contains(form) && event.detail.successful &&
        event.detail.target !== dialog) {
      dialog.close();
    }
  });
  if (dialog) {
    dialog.addEventListener("click", function (event) {
      if (event.target.closest("[data-close-dialog]")) dialog.close();
    });
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      var cancel = dialog.querySelector("[data-close-dialog]");
      if (cancel) cancel.click();
    });
  }

  // "Ongedaan maken" lasts as long as the server accepts it.
  document.body.addEventListener("htmx:afterSettle", function () {
    var undo = document.querySelector("#board-melding .board-undo");
    if (!undo || undo.getAttribute("data-armed")) return;
    undo.setAttribute("data-armed", "1");
    clearTimeout(undoTimer);
    undoTimer = setTimeout(function () {
      if (undo.parentNode) undo.parentNode.removeChild(undo);
    }, Number(undo.getAttribute("data-expires-in") || 10) * 1000);
  });

  // Drag and drop.
  function sortable(list) {
    if (typeof Sortable === "undefined" || list.sortable) return;
    list.sortable = Sortable.create(list, {
      group: { name: "board", put: function (to) { return !to.el.hasAttribute("data-blocked"); } },
      sort: false,
      draggable: ".board-card:not(.closed)",
      filter: "summary, button, a, select, input",
      preventOnFilter: false,
      onEnd: function (event) {
        if (event.from !== event.to) move(event.item, event.to, false);
      }
    });
  }
  lists().forEach(sortable);
  document.body.addEventListener("htmx:afterSettle", function () { lists().forEach(sortable); });

  // Space picks a focused card up, the arrows choose the column, Space drops it, Escape cancels.
  var held = null;

  function targets() {
    return lists().filter(function (list) { return !list.hasAttribute("data-blocked"); });
  }

  function release(card, cancelled) {
    card.classList.remove("held");
    card.removeAttribute("aria-grabbed");
    if (cancelled) {
      held.home.insertBefore(card, held.next && held.next.parentNode === held.home ? held.next : null);
      announce(board.getAttribute("data-text-cancelled"));
      card.focus();
    }
    held = null;
  }

  board.addEventListener("keydown", function (event) {
    var card = event.target;
    if (!card.classList || !card.classList.contains("board-card") ||
        card.classList.contains("closed")) return;
    var key = event.key;
    if (key === " " || key === "Spacebar") {
      event.preventDefault();
      if (!held) {
        held = { card: card, home: card.parentNode, next: card.nextElementSibling };
        card.classList.add("held");
        card.setAttribute("aria-grabbed", "true");
        announce(board.getAttribute("data-text-picked").replace("%s", columnName(card.parentNode)));
      } else if (held.card === card) {
        var home = held.home;
        release(card, false);
        if (card.parentNode !== home) move(card, card.parentNode, true);
        else announce(board.getAttribute("data-text-cancelled"));
      }
    } else if (held && held.card === card && (key === "ArrowLeft" || key === "ArrowRight")) {
      event.preventDefault();
      var all = targets();
      var at = all.indexOf(card.parentNode);
      var to = all[at + (key === "ArrowRight" ? 1 : -1)];
      if (!to) return;
      to.insertBefore(card, to.firstElementChild);
      card.focus();
      to.closest(".board-column").scrollIntoView({ block: "nearest", inline: "nearest" });
      announce(board.getAttribute("data-text-over").replace("%s", columnName(to)));
    } else if (held && held.card === card && key === "Escape") {
      event.preventDefault();
      release(card, true);
    }
  });
})();
