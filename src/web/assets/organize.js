// The Organizr's selection: a click on a tile picks it, shift-click picks the range from the
// last tile clicked, and the page can be selected whole. Without this script the tiles are
// plain checkboxes with the same form.
(() => {
  "use strict";
  const form = document.getElementById("organize-form");
  if (!form) return;
  const boxes = [...form.querySelectorAll("input.pick")];
  const count = document.getElementById("selected-count");
  const all = document.getElementById("select-all");
  const none = document.getElementById("select-none");
  let last = null;
  const plurals = new Intl.PluralRules(document.documentElement.lang || "en");
  const numbers = new Intl.NumberFormat(document.documentElement.lang || "en");
  // The page's words (data-msg-* on the form, in its language), as upload.js reads them: a
  // plural message is JSON, one text per plural category of the language.
  function say(name, howMany) {
    let text = form.getAttribute("data-msg-" + name) || "";
    if (howMany === undefined) return text;
    if (text.startsWith("{\"")) {
      const forms = JSON.parse(text);
      text = forms[plurals.select(howMany)] || forms.other || "";
    }
    return text.replace(/\{count\}/g, numbers.format(howMany));
  }

  const refresh = () => {
    const n = boxes.filter((b) => b.checked).length;
    count.textContent = n === 0 ? say("none") : say("selected", n);
  };

  form.addEventListener("click", (event) => {
    const tile = event.target.closest(".organize-grid li");
    if (!tile) return;
    const box = tile.querySelector("input.pick");
    // A click on the picture itself toggles here, so shift is seen the same way everywhere.
    if (event.target !== box) {
      event.preventDefault();
      box.checked = !box.checked;
    }
    const index = boxes.indexOf(box);
    if (event.shiftKey && last !== null) {
      const [from, to] = index < last ? [index, last] : [last, index];
      for (let i = from; i <= to; i++) boxes[i].checked = box.checked;
    }
    last = index;
    refresh();
  });

  for (const [button, value] of [[all, true], [none, false]]) {
    button.hidden = false;
    button.addEventListener("click", () => {
      for (const box of boxes) box.checked = value;
      refresh();
    });
  }

  form.addEventListener("submit", (event) => {
    const n = boxes.filter((b) => b.checked).length;
    if (n === 0) {
      event.preventDefault();
      count.textContent = say("select-first");
      return;
    }
    if (event.submitter && event.submitter.value === "delete" && !window.confirm(say("confirm-delete", n))) event.preventDefault();
  });
  refresh();
})();
