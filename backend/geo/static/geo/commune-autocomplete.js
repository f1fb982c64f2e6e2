// Commune autocomplete: turns each `input[data-geo-combobox]` (rendered by backend/geo/forms.py) into an ARIA
// combobox with a listbox of suggestions (pattern "list autocomplete, no automatic selection").
//
// Without this script the input stays a plain text field that the server resolves, so everything here is an
// enhancement: the ARIA roles are only added once the script runs. Plain ES module, no build step, no inline
// code (the pages run under a strict Content-Security-Policy).

const DEBOUNCE_MS = 200;
const MIN_LETTERS = 2;

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (match, key) => (key in values ? String(values[key]) : match));
}

class CommuneCombobox {
  constructor(input) {
    this.input = input;
    this.listbox = document.getElementById(input.dataset.listbox);
    this.valueInput = document.getElementById(input.dataset.valueInput);
    this.status = document.getElementById(input.dataset.status);
    this.url = input.dataset.url;
    this.options = [];
    this.active = -1;
    this.timer = null;
    this.controller = null;
    this.lastQuery = null;
    this.chosenLabel = this.valueInput.value ? input.value : null;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.listbox.id);
    input.setAttribute("autocomplete", "off");

    input.addEventListener("input", () => this.onInput());
    input.addEventListener("keydown", (event) => this.onKeyDown(event));
    input.addEventListener("blur", () => this.close());
    // mousedown would move the focus out of the input (and close the list) before the click lands.
    this.listbox.addEventListener("mousedown", (event) => event.preventDefault());
    this.listbox.addEventListener("click", (event) => {
      const option = event.target.closest('[role="option"]');
      if (option) this.choose(option);
    });
  }

  onInput() {
    // What is typed no longer designates the commune chosen earlier: the server will resolve the text.
    if (this.input.value !== this.chosenLabel) {
      this.valueInput.value = "";
      this.chosenLabel = null;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.search(), DEBOUNCE_MS);
  }

  async search() {
    const query = this.input.value.trim();
    if (query.replace(/[\s\-'’]/g, "").length < MIN_LETTERS) {
      this.lastQuery = null;
      this.close();
      this.listbox.replaceChildren();
      this.options = [];
      return;
    }
    if (query === this.lastQuery) {
      this.open();
      return;
    }
    if (this.controller) this.controller.abort();
    this.controller = new AbortController();
    let html;
    try {
      const response = await fetch(`${this.url}?q=${encodeURIComponent(query)}`, {
        headers: { Accept: "text/html" },
        signal: this.controller.signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      html = await response.text();
    } catch (error) {
      if (error.name !== "AbortError") this.close();
      return;
    }
    this.lastQuery = query;
    this.render(html);
  }

  render(html) {
    // Same-origin fragment rendered by Django's templates, escaped there.
    const template = document.createElement("template");
    template.innerHTML = html;
    this.listbox.replaceChildren(template.content);
    this.options = Array.from(this.listbox.querySelectorAll('[role="option"]'));
    this.options.forEach((option, index) => {
      option.id = `${this.listbox.id}-${index}`;
      option.setAttribute("aria-selected", "false");
    });
    this.setActive(-1);
    const count = this.options.length;
    const { messageNone, messageOne, messageMany } = this.input.dataset;
    this.announce(count === 0 ? messageNone : format(count === 1 ? messageOne : messageMany, { count }));
    if (count > 0) {
      this.open();
    } else {
      this.close();
    }
  }

  onKeyDown(event) {
    const isOpen = !this.listbox.hidden;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!isOpen) {
          if (this.options.length) this.open();
          else this.search();
        }
        this.move(1);
        break;
      case "ArrowUp":
        event.preventDefault();
        if (!isOpen && this.options.length) this.open();
        this.move(-1);
        break;
      case "Enter":
        if (isOpen && this.active >= 0) {
          event.preventDefault(); // choose, do not submit the form
          this.choose(this.options[this.active]);
        }
        break;
      case "Escape":
        if (isOpen) {
          event.preventDefault();
          this.close();
        } else if (this.input.value) {
          event.preventDefault();
          this.input.value = "";
          this.valueInput.value = "";
          this.chosenLabel = null;
        }
        break;
      case "Tab":
        this.close();
        break;
      default:
        break;
    }
  }

  move(step) {
    if (!this.options.length) return;
    const count = this.options.length;
    const next = this.active < 0 ? (step > 0 ? 0 : count - 1) : (this.active + step + count) % count;
    this.setActive(next);
  }

  setActive(index) {
    this.options.forEach((option, position) => {
      const isActive = position === index;
      option.setAttribute("aria-selected", isActive ? "true" : "false");
      option.classList.toggle("geo-combobox__option--active", isActive);
    });
    this.active = index;
    if (index >= 0) {
      this.input.setAttribute("aria-activedescendant", this.options[index].id);
      this.options[index].scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  }

  choose(option) {
    const label = option.dataset.label;
    this.input.value = label;
    this.valueInput.value = option.dataset.value;
    this.chosenLabel = label;
    this.lastQuery = label;
    this.close();
    this.announce(format(this.input.dataset.messageChosen, { label }));
    this.valueInput.dispatchEvent(new Event("change", { bubbles: true }));
  }

  open() {
    this.listbox.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  }

  close() {
    this.listbox.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.setActive(-1);
  }

  announce(message) {
    // Emptied first so that the same message said twice is spoken twice.
    this.status.textContent = "";
    window.setTimeout(() => {
      this.status.textContent = message;
    }, 50);
  }
}

export function initCommuneComboboxes(root = document) {
  root.querySelectorAll("input[data-geo-combobox]").forEach((input) => {
    if (!input.geoCombobox) input.geoCombobox = new CommuneCombobox(input);
  });
}

initCommuneComboboxes();
// Content swapped in by htmx gets its comboboxes too.
document.addEventListener("htmx:load", (event) => initCommuneComboboxes(event.target));
