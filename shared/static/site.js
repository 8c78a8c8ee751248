// Small behaviours every HTML page shares. A file, not inline script: the
// Content Security Policy allows scripts from this site only.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A form posted to its own URL (POST /items/5/replies) that fails is
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

  // Times: the server writes each one in UTC inside <time datetime="…Z">
  // (shared/layout.py); show it in the reader's own time zone and language,
  // with how long ago it was. Without JavaScript the UTC text stays.
  const local = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  for (const element of document.querySelectorAll("time[datetime]")) {
    const when = new Date(element.dateTime);
    if (!Number.isNaN(when.getTime())) {
      element.textContent = `${local.format(when)} (${timeAgo(when, relative)})`;
    }
  }
});

// "3 minutes ago", "yesterday", "last year": the largest unit that fits.
function timeAgo(when, relative) {
  const units = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600], ["minute", 60]];
  const seconds = (when.getTime() - Date.now()) / 1000;
  for (const [unit, length] of units) {
    if (Math.abs(seconds) >= length) {
      return relative.format(Math.round(seconds / length), unit);
    }
  }
  return relative.format(0, "second"); // "now"
}
