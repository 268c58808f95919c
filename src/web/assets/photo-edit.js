// Photo page niceties for the owner: a confirmation before deleting; left/right keys browse.
(() => {
  "use strict";
  const del = document.getElementById("delete-form");
  if (del) {
    del.addEventListener("submit", (event) => {
      if (!window.confirm("Delete this photo for good? Its files are removed too.")) event.preventDefault();
    });
  }
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select")) return;
    const target = event.key === "ArrowLeft" ? "newer" : event.key === "ArrowRight" ? "older" : null;
    const link = target && document.getElementById(target);
    if (link) window.location.href = link.href;
  });
})();
