// The dossier pages (/depot, /guichet, /seance, /decisions): one module, the page named by
// <body data-page>. Every value shown is escaped (escapeHtml, auth.js); no inline script (CSP).
const $ = (id) => document.getElementById(id);
const esc = (value) => escapeHtml(value ?? "—");
const day = (iso) => (iso ? new Date(iso).toLocaleDateString("fr-FR") : "—");
const AVIS = { favorable: "Favorable", favorable_sous_reserve: "Favorable sous réserve",
               defavorable: "Défavorable", non_emis: "Sans avis" };

function say(text, kind = "error") {
  $("message").className = kind;
  $("message").textContent = text;
}

async function call(method, url, body) {
  const options = { method, headers: auth.headers(body ? { "Content-Type": "application/json" } : {}) };
  if (body) options.body = JSON.stringify(body);
  const response = await fetch(url, options);
  const data = response.headers.get("content-type")?.includes("json") ? await response.json() : {};
  if (!response.ok) {
    const detail = typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail);
    throw new Error(detail || `refus (${response.status})`);
  }
  return data;
}

const run = (action) => action().catch((err) => say(err.message));

// --- /depot: the petitioner's filing form -------------------------------------------------

let commune = null;
let filedId = null;

function filingBody() {
  const project = { kind: $("kind").value, use: $("use").value, owner: "prive",
    storeys: Number($("storeys").value), height_m: Number($("height").value),
    floor_area_m2: Number($("floor").value) };
  const body = { project, coordinates: $("coords").value };
  if ($("land").value) body.land_reference = $("land").value;
  if ($("session").value) body.session_id = Number($("session").value);
  return body;
}

// The coordinates are checked as /nru checks them (POST /api/v1/parcels/preview).
async function checkCoordinates() {
  const response = await fetch("/api/v1/parcels/preview", {
    method: "POST", body: JSON.stringify({ coordinates: $("coords").value }),
    headers: auth.headers({ "Content-Type": "application/json" }) });
  const data = await response.json();
  if (!response.ok) {
    const list = (data.errors || [{ message: data.detail }]).map((e) =>
      `<li class="error">${e.line ? `ligne ${esc(e.line)} : ` : ""}${esc(e.message)}</li>`);
    $("diagnostics").innerHTML = `<ul>${list.join("")}</ul>`;
    $("file").disabled = true;
    return;
  }
  commune = data.plan.commune;
  $("diagnostics").innerHTML = `<p class="ok">Parcelle de ${esc(data.parcel.area_m2)} m², ` +
    `${esc(data.plan.name)} (commune de ${esc(commune)}).</p>`;
  const sessions = await call("GET", `/api/v1/commissions?commune=${encodeURIComponent(commune)}`);
  $("session").innerHTML = `<option value="">— sans réservation —</option>` + sessions
    .filter((s) => s.free_slots > 0)
    .map((s) => `<option value="${esc(s.id)}">${esc(day(s.date))} (${esc(s.free_slots)} créneaux libres)</option>`)
    .join("");
  $("file").disabled = false;
}

async function showFiled(id) {
  const dossier = await call("GET", `/api/v1/dossiers/${id}`);
  $("filed").hidden = false;
  $("number").textContent = `Dossier n° ${dossier.number} — ${dossier.state_label}`;
  $("receipt").innerHTML = `Accusé de réception du ${esc(day(dossier.receipt.date))}` +
    (dossier.receipt.session_date ? `, commission du ${esc(day(dossier.receipt.session_date))}` : "") +
    ` · <a href="${esc(dossier.links.receipt_pdf)}" id="receipt-pdf">PDF</a> · ` +
    `<a href="${esc(dossier.links.suivi)}">suivi</a>`;
  $("pieces").tBodies[0].innerHTML = dossier.pieces.map((p) =>
    `<tr><td>${esc(p.label)}</td><td>${p.principal ? "principale" : "complémentaire"}</td>` +
    `<td>${p.provided ? "oui" : "non"}</td></tr>`).join("");
  $("piece-kind").innerHTML = dossier.pieces.map((p) =>
    `<option value="${esc(p.kind)}">${esc(p.label)}</option>`).join("");
}

function depot() {
  $("check").addEventListener("click", () => run(checkCoordinates));
  $("filing").addEventListener("submit", (e) => {
    e.preventDefault();
    run(async () => {
      const filed = await call("POST", "/api/v1/dossiers", filingBody());
      filedId = filed.id;
      say(`Dossier déposé : ${filed.number}`, "ok");
      await showFiled(filed.id);
    });
  });
  $("upload").addEventListener("submit", (e) => {
    e.preventDefault();
    run(async () => {
      const form = new FormData();
      form.append("kind", $("piece-kind").value);
      form.append("file", $("piece-file").files[0]);
      const response = await fetch(`/api/v1/dossiers/${filedId}/pieces`,
        { method: "POST", body: form, headers: auth.headers() });
      const data = await response.json();
      if (!response.ok) throw new Error(data.detail);
      say(`Pièce jointe (version ${data.version}, SHA-256 ${data.sha256.slice(0, 12)}…)`, "ok");
      await showFiled(filedId);
    });
  });
}

// --- /guichet: the secretariat's desk -------------------------------------------------------

let me = null;
let sessions = [];

function deskActions(d) {
  if (d.state === "depose") {
    return `<button data-act="recevable" data-id="${esc(d.id)}">Recevable</button> ` +
      `<button data-act="irrecevable" data-id="${esc(d.id)}">Irrecevable</button>`;
  }
  if (d.state === "recevable" && sessions.length) {
    const options = sessions.map((s) => `<option value="${esc(s.id)}">${esc(day(s.date))}</option>`);
    return `<select data-session-for="${esc(d.id)}">${options.join("")}</select> ` +
      `<button data-act="agenda" data-id="${esc(d.id)}">Inscrire</button>`;
  }
  return "";
}

async function showDesk() {
  sessions = await call("GET", `/api/v1/commissions?commune=${encodeURIComponent(me.commune || "")}`);
  const desk = await call("GET", "/api/v1/dossiers");
  $("desk").tBodies[0].innerHTML = desk.map((d) =>
    `<tr data-number="${esc(d.number)}"><td><a href="/suivi/${esc(d.number)}">${esc(d.number)}</a></td>` +
    `<td class="state">${esc(d.state_label)}</td><td>${esc(d.procedure)}</td><td>${esc(day(d.filed_on))}</td>` +
    `<td>${deskActions(d)}</td></tr>`).join("") || "<tr><td colspan=5>Aucun dossier.</td></tr>";
  const late = await call("GET", "/api/v1/dossiers/late");
  $("late").tBodies[0].innerHTML = late.map((d) =>
    `<tr class="retard"><td>${esc(d.number)}</td><td>${esc(d.state)}</td>` +
    `<td>${d.late.map(esc).join(", ")}</td></tr>`).join("") ||
    "<tr><td colspan=3>Aucun retard.</td></tr>";
  $("sessions").tBodies[0].innerHTML = sessions.map((s) =>
    `<tr><td>${esc(s.id)}</td><td>${esc(day(s.date))}</td><td>${esc(s.free_slots)}</td>` +
    `<td><button data-act="odj" data-session="${esc(s.id)}">Ordre du jour</button> ` +
    `<button data-act="cloture" data-session="${esc(s.id)}">Clôturer</button></td></tr>`).join("");
}

async function deskAct(target) {
  const { act, id, session } = target.dataset;
  if (act === "recevable") await call("POST", `/api/v1/dossiers/${id}/recevabilite`, { recevable: true });
  if (act === "irrecevable") await call("POST", `/api/v1/dossiers/${id}/recevabilite`, { recevable: false });
  if (act === "agenda") {
    const chosen = document.querySelector(`[data-session-for="${id}"]`).value;
    await call("POST", `/api/v1/commissions/${chosen}/dossiers`, { dossier_id: Number(id) });
  }
  if (act === "odj") await auth.openPdf(`/api/v1/commissions/${session}/ordre-du-jour.pdf`);
  if (act === "cloture") await call("POST", `/api/v1/commissions/${session}/cloture`);
  say("Acte enregistré.", "ok");
  await showDesk();
}

function guichet() {
  document.body.addEventListener("click", (e) => {
    if (e.target.dataset && e.target.dataset.act) run(() => deskAct(e.target));
  });
  $("new-session").addEventListener("submit", (e) => {
    e.preventDefault();
    run(async () => {
      await call("POST", "/api/v1/commissions", { date: $("session-date").value,
        commune: me.commune, slots: Number($("session-slots").value) });
      await showDesk();
    });
  });
  run(showDesk);
}

// --- /seance: a member's avis ---------------------------------------------------------------

async function showAgenda() {
  const agenda = await call("GET", "/api/v1/dossiers");
  $("agenda").tBodies[0].innerHTML = agenda.map((d) =>
    `<tr data-number="${esc(d.number)}"><td>${esc(d.number)} (${esc(d.kind)})</td><td>${esc(day(d.session_date))}</td>` +
    `<td>${d.avis_given ? "Avis donné" : `<select data-avis-for="${esc(d.id)}">` +
      Object.entries(AVIS).filter(([k]) => k !== "non_emis")
        .map(([k, v]) => `<option value="${esc(k)}">${esc(v)}</option>`).join("") +
      `</select> <input data-obs-for="${esc(d.id)}" placeholder="observations"> ` +
      `<button data-avis="${esc(d.id)}">Enregistrer</button>`}</td></tr>`).join("") ||
    "<tr><td colspan=3>Aucun dossier à l'ordre du jour.</td></tr>";
}

function seance() {
  document.body.addEventListener("click", (e) => {
    const id = e.target.dataset && e.target.dataset.avis;
    if (!id) return;
    run(async () => {
      const observations = document.querySelector(`[data-obs-for="${id}"]`).value || null;
      await call("POST", `/api/v1/dossiers/${id}/avis`,
        { avis: document.querySelector(`[data-avis-for="${id}"]`).value, observations });
      say("Avis enregistré.", "ok");
      await showAgenda();
    });
  });
  run(showAgenda);
}

// --- /decisions: the president ---------------------------------------------------------------

async function showPending() {
  const desk = (await call("GET", "/api/v1/dossiers")).filter((d) => d.state === "avis_emis");
  const rows = await Promise.all(desk.map(async (d) => {
    const full = await call("GET", `/api/v1/dossiers/${d.id}`);
    const avis = full.avis.map((a) => `${esc(a.label)} : ${esc(AVIS[a.avis] || a.avis)}`).join("<br>");
    return `<tr data-number="${esc(d.number)}"><td>${esc(d.number)}</td><td>${avis}</td>` +
      `<td><input data-motifs-for="${esc(d.id)}" placeholder="motifs (refus)"> ` +
      `<button data-decide="autorisation" data-id="${esc(d.id)}">Autoriser</button> ` +
      `<button data-decide="refus" data-id="${esc(d.id)}">Refuser</button></td></tr>`;
  }));
  $("pending").tBodies[0].innerHTML = rows.join("") || "<tr><td colspan=3>Aucun dossier à décider.</td></tr>";
}

function decisions() {
  document.body.addEventListener("click", (e) => {
    const decision = e.target.dataset && e.target.dataset.decide;
    if (!decision) return;
    const id = e.target.dataset.id;
    run(async () => {
      const motifs = document.querySelector(`[data-motifs-for="${id}"]`).value || null;
      const done = await call("POST", `/api/v1/dossiers/${id}/decision`, { decision, motifs });
      say(done.permit_number ? `Autorisation n° ${done.permit_number}` : "Refus enregistré.", "ok");
      await showPending();
    });
  });
  run(showPending);
}

const PAGES = { depot, guichet, seance, decisions };
auth.showBadge($("account"));
auth.me().then((account) => {
  me = account;
  if (!me) {
    say("Connectez-vous d'abord (Mon espace).");
    return;
  }
  PAGES[document.body.dataset.page]();
  document.body.dataset.ready = "1";
});
