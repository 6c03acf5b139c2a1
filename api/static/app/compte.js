// The petitioner's space: sign in or up, then their notes and checks (GET /api/v1/me/…).
"use strict";
const $ = (id) => document.getElementById(id);
const day = (iso) => (iso ? new Date(iso).toLocaleDateString("fr-FR") : "—");
const VERDICTS = { conforme: "Conforme", non_conforme: "Non conforme", a_verifier: "À vérifier" };

async function getJson(url) {
  const response = await fetch(url);
  if (response.status === 401) {  // expired or revoked: back to the sign-in form
    await auth.signOut();
    show();
    throw new Error("session expirée : reconnectez-vous");
  }
  return response.json();
}

function noteRow(note) {
  const pdf = escapeHtml(note.links.pdf);
  const state = note.revoked_at
    ? `<span class="revoked">révoquée le ${escapeHtml(day(note.revoked_at))}</span>`
    : `<a href="${pdf}" data-pdf="${pdf}">PDF</a> · ` +
      `<a href="${escapeHtml(note.links.verify)}">vérification</a>`;
  return `<tr><td>${escapeHtml(note.number)}</td><td>${escapeHtml(day(note.issued_at))}</td>` +
    `<td>${escapeHtml(note.plan_name)}</td><td>${escapeHtml(day(note.valid_until))}</td>` +
    `<td>${state}</td></tr>`;
}

function checkRow(check) {
  return `<tr><td>${escapeHtml(day(check.checked_at))}</td><td>${escapeHtml(check.plan || "—")}</td>` +
    `<td>${escapeHtml((check.procedure || "—").replace("_", " "))}</td>` +
    `<td>${escapeHtml(VERDICTS[check.verdict] || check.verdict)}</td></tr>`;
}

const STATES = { depose: "Déposé", irrecevable: "Irrecevable", recevable: "Recevable",
  en_commission: "En commission", avis_emis: "Avis émis",
  modifications_demandees: "Modifications demandées", autorise: "Autorisé", refuse: "Refusé" };

function dossierRow(d) {
  return `<tr><td>${escapeHtml(d.number)}</td><td>${escapeHtml(day(d.filed_on))}</td>` +
    `<td>${escapeHtml(STATES[d.state] || d.state)}</td><td>${escapeHtml(d.permit_number || "—")}</td>` +
    `<td><a href="/suivi/${encodeURIComponent(d.number)}">suivi</a></td></tr>`;
}

async function showHistory(me) {
  const [notes, checks, dossiers] = await Promise.all(
    ["/api/v1/me/nrus", "/api/v1/me/checks", "/api/v1/dossiers"].map(getJson));
  $("dossiers").tBodies[0].innerHTML = (Array.isArray(dossiers) ? dossiers : []).map(dossierRow)
    .join("") || "<tr><td colspan=5>Aucun dossier pour l'instant.</td></tr>";
  $("who").textContent = `${me.full_name || me.login} (${me.login})`;
  $("notes").tBodies[0].innerHTML = notes.map(noteRow).join("") ||
    "<tr><td colspan=5>Aucune note pour l'instant.</td></tr>";
  $("checks").tBodies[0].innerHTML = checks.map(checkRow).join("") ||
    "<tr><td colspan=4>Aucune vérification pour l'instant.</td></tr>";
}

async function show() {
  const me = await auth.me();
  $("signed-in").hidden = !me;
  $("signed-out").hidden = Boolean(me);
  if (me) showHistory(me).catch((err) => say(err.message, "error"));
}

function say(text, kind) {
  $("message").className = kind;
  $("message").textContent = text;
}

function refusal(data) {
  const { detail, items } = readRefusal(data);
  const fields = items.filter((e) => e.field);
  return fields.length ? fields.map((e) => `${e.field} : ${e.message}`).join(" ; ") : detail;
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
    headers: auth.headers({ "Content-Type": "application/json" }) });
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
