// Photo page niceties for the owner: a confirmation before deleting (keys and swipes: photo.js).
(() => {
  "use strict";
  const del = document.getElementById("delete-form");
  if (del) {
    del.addEventListener("submit", (event) => {
      if (!window.confirm("Delete this photo for good? Its files are removed too.")) event.preventDefault();
    });
  }
})();
