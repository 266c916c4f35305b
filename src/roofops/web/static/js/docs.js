/* Swagger UI for /docs, started from a file because the CSP forbids inline scripts. */
window.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
    // Same-origin calls carry the session cookie; writes also need the CSRF header.
    requestInterceptor: function (request) {
      var token = root.getAttribute("data-csrf-token");
      if (token) { request.headers["X-CSRF-Token"] = token; }
      return request;
    }
  });
});
