// Who is signed in on this tab: the bearer token of POST /api/v1/token (OAuth2 password flow),
// kept in sessionStorage so that it ends with the tab. Loaded first by the request pages.
"use strict";

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;",
    '"': "&quot;", "'": "&#39;" })[c]);
}

const auth = {
  token: () => sessionStorage.getItem("geoportal.token"),
  login: () => sessionStorage.getItem("geoportal.login"),

  headers(extra = {}) {
    const token = auth.token();
    return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
  },

  async signIn(login, password) {
    const form = new URLSearchParams({ username: login, password });
    const response = await fetch("/api/v1/token", { method: "POST", body: form });
    const data = await response.json();
    if (!response.ok) throw new Error(data.detail || `refus (${response.status})`);
    sessionStorage.setItem("geoportal.token", data.access_token);
    sessionStorage.setItem("geoportal.login", login.trim().toLowerCase());
  },

  async signOut() {
    if (auth.token()) await fetch("/api/v1/token", { method: "DELETE", headers: auth.headers() });
    sessionStorage.removeItem("geoportal.token");
    sessionStorage.removeItem("geoportal.login");
  },

  // A note naming its petitioner is served only with the token: fetch it, then show it.
  async openPdf(url) {
    const response = await fetch(url, { headers: auth.headers() });
    if (!response.ok) throw new Error((await response.json()).detail);
    window.open(URL.createObjectURL(await response.blob()), "_blank");
  },

  // The line at the top of a page: who is signed in, or where to sign in.
  showBadge(element) {
    element.innerHTML = auth.login()
      ? `Connecté : <b>${escapeHtml(auth.login())}</b> · <a href="/compte">mon espace</a>`
      : `<a href="/compte">Se connecter ou créer un compte</a> (pétitionnaires : notes d'un ` +
        `plan en cours, historique)`;
  },
};
