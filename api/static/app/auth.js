// Who is signed in: the session of POST /api/v1/session, kept by the browser in an HttpOnly
// cookie that no script of the page can read. State-changing requests carry the session's
// CSRF proof (X-CSRF-Token), read from the readable cookie beside it. Loaded first by the
// request pages.
"use strict";

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;",
    '"': "&quot;", "'": "&#39;" })[c]);
}

// The one reader of the service's refusals (docs/http.md): {detail, code, errors: [{code,
// field | line | point, message}]}. Returns the sentence and each problem with where it is.
function readRefusal(data, status) {
  const body = data && typeof data === "object" ? data : {};
  const detail = typeof body.detail === "string" ? body.detail : `Refus du service (${status || "?"}).`;
  const items = (Array.isArray(body.errors) ? body.errors : []).map((e) => ({
    ...e,
    where: e.field ? e.field : e.line ? `ligne ${e.line}` : e.point ? `borne ${e.point}` : "",
  }));
  return { detail, code: body.code || "", items };
}

/** The French sentence of a refused answer, whatever its body (the one refusal shape). */
async function refusalText(response) {
  const body = await response.json().catch(() => null);
  return readRefusal(body, response.status).detail;
}

const auth = {
  csrf() {
    const found = document.cookie.split("; ").find((c) => c.startsWith("geoportal_csrf="));
    return found ? found.slice("geoportal_csrf=".length) : null;
  },

  // A session was opened in this browser (it may have expired since: me() tells).
  signedIn: () => auth.csrf() !== null,

  headers(extra = {}) {
    const csrf = auth.csrf();
    return csrf ? { ...extra, "X-CSRF-Token": csrf } : extra;
  },

  async signIn(login, password) {
    await auth.signOut();  // whatever session this browser kept, valid or not, ends here
    const form = new URLSearchParams({ username: login, password });
    const response = await fetch("/api/v1/session", { method: "POST", body: form });
    const data = await response.json();
    if (!response.ok) throw new Error(readRefusal(data, response.status).detail);
    return data;
  },

  async signOut() {
    await fetch("/api/v1/session", { method: "DELETE", headers: auth.headers() });
  },

  // The signed-in account, or null (an expired session is closed on the way).
  async me() {
    if (!auth.signedIn()) return null;
    const response = await fetch("/api/v1/me");
    if (response.ok) return response.json();
    await auth.signOut();
    return null;
  },

  // A note naming its petitioner is served only to the session: fetch it, then show it.
  async openPdf(url) {
    const response = await fetch(url, { headers: auth.headers() });
    if (!response.ok) throw new Error(readRefusal(await response.json(), response.status).detail);
    window.open(URL.createObjectURL(await response.blob()), "_blank");
  },

  // The line at the top of a page: who is signed in, or where to sign in.
  async showBadge(element) {
    const me = await auth.me();
    const link = document.createElement("a");
    link.href = "/compte";
    if (me) {
      const who = document.createElement("b");
      who.textContent = me.login;
      link.textContent = "mon espace";
      element.replaceChildren("Connecté : ", who, " · ", link);
    } else {
      link.textContent = "Se connecter ou créer un compte";
      element.replaceChildren(link, " (pétitionnaires : notes d'un plan en cours, historique)");
    }
    element.dataset.ready = "yes";
  },
};
