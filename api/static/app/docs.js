// Swagger UI on /docs (api/docs.py): FastAPI's settings, plus the pages' CSRF proof on each
// request, so that "Try it out" works for a visitor signed in on the pages (api/security.py).
"use strict";
(() => {
  const root = document.getElementById("swagger-ui");
  const csrf = () => {
    const found = document.cookie.split("; ").find((c) => c.startsWith("geoportal_csrf="));
    return found ? found.slice("geoportal_csrf=".length) : null;
  };
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    oauth2RedirectUrl: window.location.origin + root.dataset.oauth2RedirectUrl,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    requestInterceptor: (request) => {
      const proof = csrf();
      if (proof) request.headers["X-CSRF-Token"] = proof;
      return request;
    },
  });
})();
