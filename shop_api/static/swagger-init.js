// Starts Swagger UI on /api/docs. A file rather than an inline <script>,
// because the Content Security Policy allows scripts from our origin only.
window.addEventListener("DOMContentLoaded", function () {
  var container = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: container.dataset.specUrl,
    domNode: container,
    deepLinking: true,
    persistAuthorization: false,
    // The default validator badge calls an outside service; the docs stay offline.
    validatorUrl: null,
    // Plain code samples: the highlighter's colours (red numbers on dark
    // grey: 3.5:1) are inline styles a stylesheet cannot reach.
    syntaxHighlight: { activated: false },
  });
});
