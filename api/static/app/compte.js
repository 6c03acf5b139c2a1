// The petitioner's space: sign in or up, then their notes and checks (GET /api/v1/me/…).
"use strict";
const $ = (id) => document.getElementById(id);
const day = (iso) => (iso ? new Date(iso).toLocaleDateString("fr-FR") : "—");
const VERDICTS = { conforme: "Conforme", non_conforme: "Non conforme", a_verifier: "À vérifier" };

async function getJson(url) {
  const response = await fetch(url, { headers: auth.headers() });
  if (response.status === 401) {  // expired or revoked: back to the sign-in form
    await auth.signOut();
    show();
    throw new Error("session expirée : reconnectez-vous");
  }
  return response.json();
}

function noteRow(note) {
  const state = note.revoked_at
    ? `<span class="revoked">révoquée le ${day(note.revoked_at)}</span>`
    : `<a href="${note.links.pdf}" data-pdf="${note.links.pdf}">PDF</a> · ` +
      `<a href="${note.links.verify}">vérification</a>`;
  return `<tr><td>${escapeHtml(note.number)}</td><td>${day(note.issued_at)}</td>` +
    `<td>${escapeHtml(note.plan_name)}</td><td>${day(note.valid_until)}</td><td>${state}</td></tr>`;
}

function checkRow(check) {
  return `<tr><td>${day(check.checked_at)}</td><td>${escapeHtml(check.plan || "—")}</td>` +
    `<td>${escapeHtml((check.procedure || "—").replace("_", " "))}</td>` +
    `<td>${escapeHtml(VERDICTS[check.verdict] || check.verdict)}</td></tr>`;
}

async function showHistory() {
  const [me, notes, checks] = await Promise.all(
    ["/api/v1/me", "/api/v1/me/nrus", "/api/v1/me/checks"].map(getJson));
  $("who").textContent = `${me.full_name || me.login} (${me.login})`;
  $("notes").tBodies[0].innerHTML = notes.map(noteRow).join("") ||
    "<tr><td colspan=5>Aucune note pour l'instant.</td></tr>";
  $("checks").tBodies[0].innerHTML = checks.map(checkRow).join("") ||
    "<tr><td colspan=4>Aucune vérification pour l'instant.</td></tr>";
}

function show() {
  const signedIn = Boolean(auth.token());
  $("signed-in").hidden = !signedIn;
  $("signed-out").hidden = signedIn;
  if (signedIn) showHistory().catch((err) => say(err.message, "error"));
}

function say(text, kind) {
  $("message").className = kind;
  $("message").textContent = text;
}

function refusal(data) {
  if (Array.isArray(data.detail)) return data.detail.map((e) => `${e.loc.at(-1)} : ${e.msg}`).join(" ; ");
  return data.detail;
}

$("sign-in").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await auth.signIn($("login").value, $("password").value);
    show();
  } catch (err) {
    say(err.message, "error");
  }
});

$("sign-up").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = { login: $("new-login").value, password: $("new-password").value,
                 full_name: $("full-name").value };
  if ($("cin").value) body.cin = $("cin").value;
  if ($("address").value) body.address = $("address").value;
  const response = await fetch("/api/v1/accounts", { method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" } });
  if (!response.ok) {
    say(refusal(await response.json()), "error");
    return;
  }
  try {
    await auth.signIn(body.login, body.password);
    show();
  } catch (err) {
    say(err.message, "error");
  }
});

$("sign-out").addEventListener("click", async () => { await auth.signOut(); show(); });
$("notes").addEventListener("click", (e) => {
  const url = e.target.dataset && e.target.dataset.pdf;
  if (!url) return;
  e.preventDefault();
  auth.openPdf(url).catch((err) => say(err.message, "error"));
});
show();
