// The petitioner's project page: procedure, compliance, envelope and fee, before filing.
"use strict";
let envelopeLayer = null;
let footprintLayer = null;
let outsideLayer = null;

const PROCEDURES = {
  grands_projets: "Grands projets",
  petits_projets: "Petits projets",
  refection: "Réfection",
};
const VERDICTS = { conforme: "Conforme", non_conforme: "Non conforme", a_verifier: "À vérifier" };
const RULES = {
  zone: "Zone du plan",
  constructible: "Zone constructible",
  use: "Affectation",
  max_height_m: "Hauteur maximale (m)",
  max_storeys: "Niveaux (n de R+n)",
  ces_max: "CES (emprise au sol)",
  cos_max: "COS (planchers)",
  min_parcel_area_m2: "Superficie minimale (m²)",
  min_frontage_m: "Façade minimale sur voie (m)",
  setback_road: "Recul sur voie (m)",
  setback_side: "Recul sur limites latérales (m)",
  setback_rear: "Recul sur limite de fond (m)",
  footprint_in_parcel: "Emprise hors parcelle (m²)",
  alignement: "Emprise sur l'alignement (m²)",
  servitude_non_aedificandi: "Emprise en zone non aedificandi (m²)",
  buildable_envelope: "Emprise hors enveloppe constructible (m²)",
  habitat_economique: "Habitat économique",
};
const UNITS = { jours_ouvrables: "jours ouvrables", jours: "jours", mois: "mois", ans: "ans" };
const SECTORS = {
  in_tissu_ancien: "tissu ancien (médina, ksar, kasbah)",
  in_lotissement_receptionne: "lotissement réceptionné",
  in_lotissement_restructure: "lotissement restructuré",
  patrimoine: "patrimoine inscrit ou classé",
};

function fmt(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "number") return value.toLocaleString("fr-FR", { maximumFractionDigits: 4 });
  return escapeHtml(value);
}

function fmtDate(iso) {
  if (!iso) return "—";
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

function money(amount, currency) {
  if (amount === null || amount === undefined) return "—";
  return `${Number(amount).toLocaleString("fr-FR", { minimumFractionDigits: 2 })} ${escapeHtml(currency || "")}`;
}

const mapLegend = L.control({ position: "topright" });
mapLegend.onAdd = () => {
  const div = L.DomUtil.create("div", "leaflet-bar");
  div.style.cssText = "background:#fff;padding:4px 8px 4px 0;font-size:12px";
  div.innerHTML = `<span class="legend-swatch" style="border:2px solid #c00"></span>Parcelle` +
    `<span class="legend-swatch" style="background:rgba(0,150,0,.45);border:1px solid #060">` +
    `</span>Enveloppe constructible` +
    `<span class="legend-swatch" style="border:2px solid #1f4fbf"></span>Emprise du projet` +
    `<span class="legend-swatch" style="background:rgba(220,0,0,.6);border:1px solid #900">` +
    `</span>Emprise hors enveloppe`;
  return div;
};
mapLegend.addTo(map);

// ---------------------------------------------------------------- the request

function number(id) {
  const raw = $(id).value.trim().replace(",", ".");
  return raw === "" ? null : Number(raw);
}

// The building's corners, one "X;Y" (or "Borne;X;Y") a line, French decimal commas allowed.
function parseFootprint(text) {
  const points = [];
  const errors = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    let fields = line.split(/[;\t]/).map((f) => f.trim()).filter((f) => f !== "");
    if (fields.length === 1) fields = line.split(/\s+/);
    const values = fields.slice(-2).map((f) => f.replace(/\s/g, "").replace(",", "."));
    const numeric = values.length === 2 && values.every((v) => /^-?\d+(\.\d+)?$/.test(v));
    if (!numeric) {
      if (points.length === 0 && !/\d/.test(line)) return;  // a header line
      errors.push({ line: index + 1, message: `coin illisible « ${line} » (attendu X ; Y)` });
      return;
    }
    points.push(values.map(Number));
  });
  if (errors.length) return { errors };
  if (points.length === 0) return { geometry: null, errors: [] };
  const [first, last] = [points[0], points[points.length - 1]];
  if (first[0] !== last[0] || first[1] !== last[1]) points.push(first);
  if (points.length < 4) {
    return { errors: [{ line: null, message: "l'emprise demande au moins trois coins" }] };
  }
  return { geometry: { type: "Polygon", coordinates: [points] }, errors: [] };
}

function readProject() {
  const project = { kind: $("kind").value };
  for (const [key, id] of [["use", "use"], ["owner", "owner"]]) {
    if ($(id).value) project[key] = $(id).value;
  }
  for (const [key, id] of [["height_m", "height"], ["storeys", "storeys"],
                           ["floor_area_m2", "floor"]]) {
    const value = number(id);
    if (value !== null) project[key] = value;
  }
  // The facts of Annexes 2 and 3 the petitioner declares; the plan may only add to them.
  for (const select of document.querySelectorAll("select.declared")) {
    if (select.value) project[select.dataset.field] = select.value === "oui";
  }
  return project;
}

function readRequest() {
  const footprint = parseFootprint($("footprint").value);
  if (footprint.errors.length) return { footprintErrors: footprint.errors };
  const project = readProject();
  if (footprint.geometry) project.footprint = footprint.geometry;
  const body = { coordinates: $("coords").value, project };
  if ($("plan").value) body.plan = $("plan").value;
  if ($("srid").value) body.srid = Number($("srid").value);
  if ($("filed").value) body.filed_on = $("filed").value;
  const front = $("front").value.split(/[\s,;–]+/).filter((b) => b);
  if (front.length) body.front_bornes = front;
  return { body };
}

// ---------------------------------------------------------------- diagnostics

function diagnosticItems(list, kind, prefix = "") {
  return list.map((d) => {
    const message = typeof d === "string" ? d : d.message;
    const line = typeof d === "string" ? null : d.line;
    const named = line && !new RegExp(`^ligne ${line}\\b`, "i").test(message);
    return `<li class="${kind}">${escapeHtml(prefix)}${named ? `ligne ${line} : ` : ""}` +
      `${escapeHtml(message)}</li>`;
  }).join("");
}

function refusal(data) {
  const { detail, items } = readRefusal(data);
  if (!items.length) return `<li class="error">${escapeHtml(detail)}</li>`;
  // a request field is named before its message; a file's line by diagnosticItems
  return diagnosticItems(items.map((e) => (e.field && !e.line
    ? { ...e, message: `${e.field} : ${e.message}` } : e)), "error");
}

// ---------------------------------------------------------------- results

function valueCell(value) {
  return `<td class="num${typeof value === "string" ? " limit-text" : ""}">${fmt(value)}</td>`;
}

// The affectation's limit: what the zone allows and what it forbids, each labelled.
function useLimitCell(check, zones) {
  const zone = (zones || []).find((z) => z.code === check.zone);
  if (!zone || (!zone.affectation && !(zone.interdictions || []).length)) {
    return valueCell(check.limit);
  }
  const allowed = zone.affectation ? `<div class="allowed"><b>Autorisé :</b> ` +
    `${escapeHtml(zone.affectation)}</div>` : "";
  const forbidden = (zone.interdictions || []).length ? `<div class="forbidden"><b>Interdit :</b> ` +
    `${zone.interdictions.map(escapeHtml).join(" ; ")}</div>` : "";
  return `<td class="num limit-text">${allowed}${forbidden}</td>`;
}

function checksTable(checks, zones) {
  const mark = { true: "✓", false: "✗", null: "?" };
  const rows = checks.map((c) => {
    const ok = c.ok === true || c.ok === false ? c.ok : null;
    const limit = c.rule === "use" ? useLimitCell(c, zones) : valueCell(c.limit);
    return `<tr class="ok-${ok}" data-rule="${escapeHtml(c.rule)}">` +
      `<td>${escapeHtml(RULES[c.rule] || c.rule)}<br><code>${escapeHtml(c.rule)}</code></td>` +
      `<td>${fmt(c.zone)}</td>${limit}${valueCell(c.value)}` +
      `<td class="ok" title="${ok === null ? "à vérifier" :
        ok ? "respecté" : "non respecté"}">${mark[ok]}</td>` +
      `<td class="source">${fmt(c.source)}</td><td class="source">${fmt(c.note)}</td></tr>`;
  }).join("");
  return `<table id="checks"><colgroup><col style="width:19%"><col style="width:6%">` +
    `<col style="width:15%"><col style="width:10%"><col style="width:8%"><col style="width:26%">` +
    `<col style="width:16%"></colgroup><tr><th>Règle</th><th>Zone</th><th>Limite</th><th>Projet</th>` +
    `<th>Respecté</th><th>Source</th><th>Note</th></tr>${rows}</table>`;
}

function reasonsList(reasons) {
  if (!reasons || !reasons.length) return "";
  return `<ul class="reasons">${reasons.map((r) =>
    `<li><span class="rule">${escapeHtml(r.rule)}</span> — ${escapeHtml(r.text)}</li>`).join("")}</ul>`;
}

function delayText(step) {
  if (step.unit === "seance") return "séance tenante";
  if (step.delay === 0) return "immédiat";
  return `${fmt(step.delay)} ${escapeHtml(UNITS[step.unit] || step.unit)}`;
}

function procedureSection(proc) {
  let name = proc.procedure ? PROCEDURES[proc.procedure] || proc.procedure : "Indéterminée";
  if (proc.rgc_applicable === false) name = "RGC non applicable (art. 3-4)";
  const missing = proc.missing && proc.missing.length ?
    `<p class="warning">Données manquantes pour conclure : ${proc.missing.map(escapeHtml).join(", ")}</p>` : "";
  const flags = proc.sector_flags || {};
  const source = proc.sector_flags_source || {};
  const origin = (key) => (source[key] === "plan" ? "selon le plan" : "déclaré");
  const sectors = Object.entries(SECTORS).filter(([key]) => flags[key])
    .map(([key, label]) => `${label} (${origin(key)})`);
  if (flags.affectation_definie === false) {
    sectors.push(`affectation non définie (${origin("affectation_definie")})`);
  }
  const sectorText = Object.keys(flags).length ?
    `<p>Situation de la parcelle : ${sectors.length ? sectors.map(escapeHtml).join(", ") :
      "aucun secteur particulier"}.</p>` : "";
  const commission = (proc.commission || []).map((m) =>
    `<tr><td>${escapeHtml(m.label)}</td><td>${escapeHtml(m.rule)}</td></tr>`).join("");
  const steps = ((proc.deadlines && proc.deadlines.steps) || []).map((s) =>
    `<tr><td>${escapeHtml(s.text)}</td><td>${delayText(s)}</td>` +
    `<td>${escapeHtml(s.counted_from || "")}</td><td class="num"${s.provisional ?
      ` title="${escapeHtml(s.provisional_reason || "")}"` : ""}>${fmtDate(s.due)}` +
    `${s.provisional ? " (provisoire)" : ""}</td>` +
    `<td>${escapeHtml(s.rule)}</td></tr>`).join("");
  return `<h2>Procédure : <span id="procedure" class="procedure">${escapeHtml(name)}</span></h2>` +
    reasonsList(proc.reasons) + missing + sectorText +
    `<h3>Commission d'instruction</h3>` +
    `<table id="commission"><tr><th>Membre</th><th>Article</th></tr>${commission}</table>` +
    reasonsList(proc.commission_reasons) +
    `<h3>Délais (dépôt le ${fmtDate(proc.deadlines && proc.deadlines.filed_on)})</h3>` +
    `<table id="deadlines"><colgroup><col style="width:44%"><col style="width:13%">` +
    `<col style="width:17%"><col style="width:10%"><col style="width:16%"></colgroup>` +
    `<tr><th>Étape</th><th>Délai</th><th>À compter de</th><th>Échéance</th><th>Article</th></tr>` +
    `${steps}</table>`;
}

function feeSection(fee) {
  if (!fee.ok) return `<h2>Rémunération de l'agence urbaine</h2><p class="error">${fee.message}</p>`;
  const q = fee.quote;
  const amounts = q.montant_ttc === null ? "<p>Aucun montant n'est dû ou il ne peut être calculé.</p>" :
    `<table id="fee" style="width:auto"><tr><th>Montant HT</th><td class="num">${money(q.montant_ht, q.devise)}</td></tr>` +
    `<tr><th>TVA</th><td class="num">${money(q.tva, q.devise)}</td></tr>` +
    `<tr><th>Montant TTC</th><td class="num"><b>${money(q.montant_ttc, q.devise)}</b></td></tr></table>`;
  const missing = q.missing && q.missing.length ?
    `<p class="warning">Données manquantes : ${q.missing.map(escapeHtml).join(", ")}</p>` : "";
  return `<h2>Rémunération de l'agence urbaine</h2>${amounts}${reasonsList(q.reasons)}${missing}`;
}

function showResult(data, fee) {
  const verdict = VERDICTS[data.verdict] || data.verdict;
  const zones = data.zones.map((z) => `${escapeHtml(z.code)} (${fmt(z.area_m2)} m²)`).join(", ");
  const warnings = data.warnings && data.warnings.length ?
    `<ul>${diagnosticItems(data.warnings, "warning")}</ul>` : "";
  $("result").innerHTML =
    `<div class="summary"><span id="verdict" class="verdict ${escapeHtml(data.verdict)}">` +
    `${escapeHtml(verdict)}</span><span>Plan : <b>${escapeHtml(data.plan)}</b></span>` +
    `<span>Zones : ${zones || "—"}</span>` +
    `<span>Façade sur voie : ${data.frontage_m === null ? "non indiquée" : `${fmt(data.frontage_m)} m`}</span></div>` +
    warnings + `<h2>Conformité au plan d'aménagement</h2>${checksTable(data.checks, data.zones)}` +
    procedureSection(data.procedure) + feeSection(fee);
}

function clearResultLayers() {
  if (parcelLayer) parcelLayer.remove();
  if (envelopeLayer) envelopeLayer.remove();
  if (footprintLayer) footprintLayer.remove();
  if (outsideLayer) outsideLayer.remove();
  parcelLayer = null;
  envelopeLayer = null;
  footprintLayer = null;
  outsideLayer = null;
}

function drawResult(data) {
  clearResultLayers();
  if (data.envelope) {
    envelopeLayer = L.geoJSON(data.envelope, {
      style: { color: "#060", weight: 1.5, fillColor: "#009600", fillOpacity: 0.45 },
    }).bindTooltip("Enveloppe constructible").addTo(map);
  }
  parcelLayer = L.geoJSON(data.parcel, { style: { color: "#c00", weight: 3, fill: false } })
    .bindTooltip("Parcelle").addTo(map);
  // The footprint as entered, and in red its parts outside the envelope: where it overshoots.
  if (data.footprint) {
    footprintLayer = L.geoJSON(data.footprint, {
      style: { color: "#1f4fbf", weight: 2, fillColor: "#1f4fbf", fillOpacity: 0.15 },
    }).bindTooltip("Emprise du projet").addTo(map);
  }
  if (data.footprint_outside_envelope) {
    outsideLayer = L.geoJSON(data.footprint_outside_envelope, {
      style: { color: "#900", weight: 1.5, fillColor: "#dc0000", fillOpacity: 0.6 },
    }).bindTooltip("Emprise hors enveloppe constructible").addTo(map);
  }
  map.fitBounds(parcelLayer.getBounds(), { maxZoom: 19, padding: [40, 40] });
}

// The facts of the agency's fee guide beyond the project (POST /api/v1/fees).
function readFeeFacts() {
  const facts = {};
  if ($("exoneration").value) facts.exoneration = $("exoneration").value;
  if ($("remuneration-initiale").value) {
    facts.remuneration_initiale_percue = $("remuneration-initiale").value === "oui";
  }
  if ($("rural").checked) facts.rural = true;
  if ($("autorise-avant").checked) facts.autorise_avant_remuneration = true;
  if ($("pre-instruction").checked) facts.pre_instruction_percue = true;
  for (const [key, id] of [["surface_ajoutee_m2", "surface-ajoutee"],
                           ["surface_modifiee_m2", "surface-modifiee"]]) {
    const value = number(id);
    if (value !== null) facts[key] = value;
  }
  return facts;
}

// The §3 exemptions of the agency's tariff file, as the API's schema lists them.
async function loadExemptions() {
  const schema = await (await fetch("/openapi.json")).json();
  const field = schema.components.schemas.FeeBody.properties.exoneration;
  const option = (field.anyOf || [field]).find((o) => o.enum) || { enum: [] };
  const labels = field["x-enum-labels"] || {};
  $("exoneration").insertAdjacentHTML("beforeend", option.enum.map((code) =>
    `<option value="${escapeHtml(code)}">${escapeHtml(labels[code] || code)}</option>`).join(""));
}

async function quoteFee(project) {
  try {
    const response = await fetch("/api/v1/fees", { method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ project, ...readFeeFacts() }) });
    const data = await response.json();
    if (!response.ok) return { ok: false, message: `<ul>${refusal(data)}</ul>` };
    return { ok: true, quote: data };
  } catch (err) {
    return { ok: false, message: escapeHtml(err.message) };
  }
}

// Diagnostics (already escaped HTML) beside the form; no stale verdict or envelope remains.
function refuse(diagnostics) {
  $("diagnostics").innerHTML = diagnostics;
  $("diagnostics").scrollIntoView({ block: "nearest" });
  $("result").innerHTML = `<p class="error">Le projet n'a pas pu être vérifié : corrigez ` +
    `les données signalées sous le formulaire, puis vérifiez à nouveau.</p>`;
  clearResultLayers();
}

async function check() {
  const button = $("check");
  const { body, footprintErrors } = readRequest();
  if (footprintErrors) {
    refuse(`<ul>${diagnosticItems(footprintErrors, "error", "Emprise, ")}</ul>`);
    return;
  }
  button.disabled = true;
  $("diagnostics").innerHTML = "<p>Vérification…</p>";
  try {
    const [response, fee] = await Promise.all([
      fetch("/api/v1/check", { method: "POST",
                               headers: auth.headers({ "Content-Type": "application/json" }),
                               body: JSON.stringify(body) }),
      quoteFee(body.project),
    ]);
    const data = await response.json();
    if (!response.ok) {
      refuse(`<p class="error"><b>Demande refusée (${response.status})</b></p>` +
        `<ul>${refusal(data)}${diagnosticItems(data.warnings || [], "warning")}</ul>`);
      return;
    }
    $("diagnostics").innerHTML = "";
    drawResult(data);
    showResult(data, fee);
  } catch (err) {
    $("diagnostics").innerHTML = `<ul><li class="error">${escapeHtml(err.message)}</li></ul>`;
  } finally {
    button.disabled = false;
  }
}

$("plan").addEventListener("change", (e) => showPlan(e.target.value));
$("check").addEventListener("click", check);
loadPlans();
loadExemptions();
