// A form posted to its own URL (POST /tickets/5/replies) that fails is shown
// again by that POST, so the address bar would keep /tickets/5/replies: a
// link that 405s when shared and a reload that re-posts. The page names its
// real address in <body data-page-url>; put it back, without a new history
// entry or a reload (the typed text stays).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const address = document.body.dataset.pageUrl;
  if (address && address !== location.pathname + location.search) {
    history.replaceState(null, "", address);
  }
});
