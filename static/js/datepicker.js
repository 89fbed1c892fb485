// The calendar of every date field (salesmodule.fields.DateInput): a text box in the page's
// notation (dd-mm-jjjj in Dutch) gets a button that opens a month grid. Own code, no library:
// a hundred lines do it, and the notation comes from the server with the field.
// Keyboard: arrows move a day or a week, PageUp/PageDown a month, Home/End the week's ends,
// Enter picks, Escape closes and returns to the field.

function ensureStyles(href) {
  if (!document.querySelector(`link[href="${href}"]`)) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.append(link);
  }
}

const pad = (n, width = 2) => String(n).padStart(width, "0");
const iso = (d) => `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const sameDay = (a, b) => a && b && iso(a) === iso(b);

function format(date, notation) {
  return notation.replace(/%([dmYy])/g, (_, token) => ({
    d: pad(date.getDate()),
    m: pad(date.getMonth() + 1),
    Y: pad(date.getFullYear(), 4),
    y: pad(date.getFullYear() % 100),
  })[token]);
}

function parse(text, notation) {
  text = (text || "").trim();
  const isoMatch = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const order = [];
  const pattern = notation.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&").replace(/%([dmYy])/g, (_, t) => {
    order.push(t);
    return t === "Y" ? "(\\d{4})" : "(\\d{1,2})";
  });
  const match = new RegExp(`^${pattern}$`).exec(text);
  let year, month, day;
  if (isoMatch) [, year, month, day] = isoMatch.map(Number);
  else if (match) {
    order.forEach((t, i) => {
      const n = Number(match[i + 1]);
      if (t === "d") day = n;
      else if (t === "m") month = n;
      else year = t === "y" ? 2000 + n : n;
    });
  } else return null;
  const date = new Date(year, month - 1, day);
  return date.getMonth() === month - 1 && date.getDate() === day ? date : null;
}

class Picker {
  constructor(input) {
    this.input = input;
    this.config = JSON.parse(input.dataset.datepicker);
    ensureStyles(this.config.css);
    this.button = document.createElement("button");
    this.button.type = "button";
    this.button.className = "datepicker-toggle";
    this.button.setAttribute("aria-label", this.config.labels.open);
    this.button.setAttribute("aria-haspopup", "dialog");
    this.button.setAttribute("aria-expanded", "false");
    this.button.innerHTML = '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="M4 0h1v2h6V0h1v2h3v14H1V2h3zm-2 6v9h12V6zm0-3v2h12V3z"/></svg>';
    this.button.addEventListener("click", () => (this.popup ? this.close() : this.open()));
    input.after(this.button);
    input.dataset.datepickerReady = "";
  }

  open() {
    this.selected = parse(this.input.value, this.config.format);
    this.focused = this.selected || new Date();
    this.popup = document.createElement("div");
    this.popup.className = "datepicker";
    this.popup.setAttribute("role", "dialog");
    this.popup.setAttribute("aria-label", this.config.labels.open);
    this.button.after(this.popup);
    this.button.setAttribute("aria-expanded", "true");
    this.popup.addEventListener("keydown", (event) => this.key(event));
    this.outside = (event) => {
      if (!this.popup.contains(event.target) && event.target !== this.button) this.close(false);
    };
    this.place = () => this.position();
    document.addEventListener("pointerdown", this.outside, true);
    window.addEventListener("scroll", this.place, true);
    window.addEventListener("resize", this.place);
    this.render(true);
  }

  close(refocus = true) {
    if (!this.popup) return;
    document.removeEventListener("pointerdown", this.outside, true);
    window.removeEventListener("scroll", this.place, true);
    window.removeEventListener("resize", this.place);
    this.popup.remove();
    this.popup = null;
    this.button.setAttribute("aria-expanded", "false");
    if (refocus) this.input.focus();
  }

  position() {
    const box = this.input.getBoundingClientRect();
    const height = this.popup.offsetHeight;
    const below = box.bottom + 4 + height <= window.innerHeight || box.top < height;
    this.popup.style.top = `${below ? box.bottom + 4 : box.top - height - 4}px`;
    this.popup.style.left = `${Math.max(4, Math.min(box.left, window.innerWidth - this.popup.offsetWidth - 4))}px`;
  }

  render(focus) {
    const { months, weekdays, labels, firstDay } = this.config;
    const year = this.focused.getFullYear();
    const month = this.focused.getMonth();
    const start = new Date(year, month, 1);
    start.setDate(1 - ((start.getDay() - firstDay + 7) % 7));
    const names = [...Array(7)].map((_, i) => weekdays[(firstDay + i + 6) % 7]);
    const today = new Date();
    let rows = "";
    for (let week = 0; week < 6; week++) {
      rows += "<tr>";
      for (let i = 0; i < 7; i++) {
        const day = new Date(start.getFullYear(), start.getMonth(), start.getDate() + week * 7 + i);
        const classes = day.getMonth() === month ? "" : ' class="other-month"';
        rows += `<td><button type="button" data-date="${iso(day)}"${classes}` +
          ` tabindex="${sameDay(day, this.focused) ? 0 : -1}"` +
          `${sameDay(day, this.selected) ? ' aria-pressed="true"' : ""}` +
          `${sameDay(day, today) ? ' aria-current="date"' : ""}` +
          ` aria-label="${day.getDate()} ${months[day.getMonth()]} ${day.getFullYear()}">${day.getDate()}</button></td>`;
      }
      rows += "</tr>";
    }
    this.popup.innerHTML =
      `<div class="datepicker-head"><button type="button" class="previous" aria-label="${labels.previous}">‹</button>` +
      `<span class="datepicker-title" aria-live="polite">${months[month]} ${year}</span>` +
      `<button type="button" class="next" aria-label="${labels.next}">›</button></div>` +
      `<table role="grid"><thead><tr>${names.map((n) => `<th scope="col">${n}</th>`).join("")}</tr></thead><tbody>${rows}</tbody></table>` +
      `<div class="datepicker-foot"><button type="button" class="today">${labels.today}</button>` +
      `<button type="button" class="close">${labels.close}</button></div>`;
    this.popup.querySelector(".previous").onclick = () => this.move(0, -1, false);
    this.popup.querySelector(".next").onclick = () => this.move(0, 1, false);
    this.popup.querySelector(".today").onclick = () => this.pick(new Date());
    this.popup.querySelector(".close").onclick = () => this.close();
    this.popup.querySelectorAll("button[data-date]").forEach((b) => {
      b.onclick = () => this.pick(parse(b.dataset.date, "%Y-%m-%d"));
    });
    this.position();
    if (focus) this.popup.querySelector('button[tabindex="0"]').focus();
  }

  move(days, monthsAhead, focus = true) {
    const d = this.focused;
    if (monthsAhead) {
      const target = new Date(d.getFullYear(), d.getMonth() + monthsAhead, 1);
      const last = new Date(target.getFullYear(), target.getMonth() + 1, 0).getDate();
      this.focused = new Date(target.getFullYear(), target.getMonth(), Math.min(d.getDate(), last));
    } else {
      this.focused = new Date(d.getFullYear(), d.getMonth(), d.getDate() + days);
    }
    this.render(focus);
  }

  key(event) {
    const inGrid = event.target.matches("button[data-date]");
    const weekday = (this.focused.getDay() - this.config.firstDay + 7) % 7;
    const moves = {
      ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [-7, 0], ArrowDown: [7, 0],
      PageUp: [0, -1], PageDown: [0, 1], Home: [-weekday, 0], End: [6 - weekday, 0],
    };
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // a date picker inside a <dialog> closes, not the dialog
      this.close();
    } else if (inGrid && moves[event.key]) {
      event.preventDefault();
      this.move(...moves[event.key]);
    }
  }

  pick(date) {
    this.input.value = format(date, this.config.format);
    this.input.dispatchEvent(new Event("input", { bubbles: true }));
    this.input.dispatchEvent(new Event("change", { bubbles: true }));
    this.close();
  }
}

function enhance(root) {
  const scope = root && root.querySelectorAll ? root : document;
  const inputs = [...scope.querySelectorAll("input[data-datepicker]:not([data-datepicker-ready])")];
  if (scope.matches && scope.matches("input[data-datepicker]:not([data-datepicker-ready])")) inputs.push(scope);
  inputs.forEach((input) => new Picker(input));
}

enhance(document);
document.addEventListener("htmx:load", (event) => enhance(event.target));
