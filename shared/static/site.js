// Small behaviours every HTML page shares. A file, not inline script: the
// Content Security Policy allows scripts from this site only.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A form posted to its own URL (POST /tickets/5/replies) that fails is
  // shown again by that POST, so the address bar would keep …/replies: a
  // link that 405s when shared and a reload that re-posts. The page names
  // its real address in <body data-page-url>; put it back, without a new
  // history entry or a reload (the typed text stays).
  const address = document.body.dataset.pageUrl;
  if (address && address !== location.pathname + location.search) {
    history.replaceState(null, "", address);
  }

  // After a failed submit, focus the error summary: a screen reader reads
  // it out at once, and each of its links leads to a field in error.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});
