// Photo page niceties for the owner: a confirmation before deleting (keys and swipes: photo.js).
// Its words come from the page (data-msg-confirm on the form, in the page's language).
(() => {
  "use strict";
  const del = document.getElementById("delete-form");
  if (del) {
    del.addEventListener("submit", (event) => {
      if (!window.confirm(del.getAttribute("data-msg-confirm") || "")) event.preventDefault();
    });
  }
})();
