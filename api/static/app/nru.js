// The NRU request form: check the coordinates (preview), then issue the note.
"use strict";
let droppedFile = null;
let swapAxes = false;  // set by « Inverser X et Y » after an axes_swapped diagnostic
let roadsLayer = null;
let bornesLayer = null;

// French figures, as the note prints them: decimal comma, narrow no-break space for thousands.
function frNumber(value, decimals = 2) {
  if (value === null || value === undefined || value === "") return "—";
  return Number(value).toLocaleString("fr-FR", { maximumFractionDigits: decimals })
    .replace(/[\u00a0 ]/g, "\u202f");
}

function requestBody() {
  const fields = { plan: $("plan").value, srid: $("srid").value, land_reference: $("land").value,
                   contenance: $("area").value, ownership_proof: $("proof").value };
  const file = droppedFile || $("file").files[0];
  if (file) {
    const form = new FormData();
    form.append("file", file);
    for (const [k, v] of Object.entries(fields)) if (v) form.append(k, v);
    if (swapAxes) form.append("swap_axes", "true");
    return { body: form, headers: auth.headers() };
  }
  const json = { coordinates: $("coords").value };
  for (const [k, v] of Object.entries(fields)) if (v) json[k] = k === "srid" ? Number(v) : v;
  if (swapAxes) json.swap_axes = true;
  return { body: JSON.stringify(json), headers: auth.headers({ "Content-Type": "application/json" }) };
}

function showDiagnostics(list, kind) {
  return list.map((d) => `<li class="${kind}">${d.line ? `ligne ${escapeHtml(d.line)} : ` : ""}` +
    `${escapeHtml(d.message)}</li>`).join("");
}

async function check() {
  $("result").innerHTML = "";
  const response = await fetch("/api/v1/parcels/preview", { method: "POST", ...requestBody() });
  const data = await response.json();
  if (!response.ok) {
    const refused = readRefusal(data, response.status);
    const errors = refused.items.length ? showDiagnostics(refused.items, "error") :
      `<li class="error">${escapeHtml(refused.detail)}</li>`;
    $("diagnostics").innerHTML = `<ul>${errors}${showDiagnostics(data.warnings || [], "warning")}</ul>`;
    offerSwap(data.errors || []);
    $("issue").disabled = true;
    return;
  }
  drawParcel(data);
  $("diagnostics").innerHTML = `<ul>${showDiagnostics(data.warnings, "warning")}</ul>` +
    `<p>Superficie calculée : <b>${escapeHtml(frNumber(data.parcel.area_m2))} m²</b></p>` +
    `<table id="preview-zones"><tr><th>Zone</th><th>m²</th><th>%</th></tr>` +
    data.zones.map((z) => `<tr><td>${escapeHtml(z.code)} ${escapeHtml(z.label)}</td>` +
      `<td>${escapeHtml(frNumber(z.area_m2))}</td>` +
      `<td>${escapeHtml(frNumber(z.share * 100, 1))}</td></tr>`).join("") +
    `</table>` +
    data.servitudes.map((s) => `<p>Grevé par ${escapeHtml(s.label || s.kind)} ` +
      `(${escapeHtml(frNumber(s.area_m2))} m²)</p>`).join("") +
    data.roads.map((r) => `<p>Alignement : voie ${escapeHtml(r.ref)} ` +
      `(${escapeHtml(frNumber(r.area_m2))} m² dans l'emprise)</p>`).join("");
  $("issue").disabled = false;
}

// X and Y look exchanged: offer to read them the other way round (the API's swap_axes).
function offerSwap(errors) {
  if (swapAxes || !errors.some((d) => d.code === "axes_swapped")) return;
  const button = document.createElement("button");
  button.id = "swap";
  button.type = "button";
  button.textContent = "Inverser X et Y";
  button.addEventListener("click", () => { swapAxes = true; check(); });
  $("diagnostics").append(button);
}

// New coordinates: read them as typed until asked otherwise.
function resetSwap() { swapAxes = false; }

function drawParcel(data) {
  if (parcelLayer) parcelLayer.remove();
  parcelLayer = L.geoJSON(data.parcel.geometry, { style: { color: "#c00", weight: 3, fillOpacity: 0.1 } })
    .addTo(map);
  // without animation: a zoom still running (the plan's framing) would swallow this one
  map.fitBounds(parcelLayer.getBounds(), { maxZoom: 18, padding: [40, 40], animate: false });
  drawBornes(data.parcel.borne_points || []);
}

// Each borne's id beside its corner, as the surveyor numbered it.
function drawBornes(points) {
  if (bornesLayer) bornesLayer.remove();
  bornesLayer = L.layerGroup(points.map((p) => L.circleMarker([p.lonlat[1], p.lonlat[0]], {
    radius: 4, color: "#fff", weight: 1, fillColor: "#c00", fillOpacity: 1,
  }).bindTooltip(escapeHtml(p.id), { permanent: true, direction: "top", className: "borne-label" })))
    .addTo(map);
}

// The plan's roads (right-of-way) over the zones, with their reference.
async function showRoads(name) {
  if (!name) return;
  const response = await fetch(`/api/v1/plans/${encodeURIComponent(name)}/layers/roads`);
  if (!response.ok) return;
  const roads = await response.json();
  if (roadsLayer) roadsLayer.remove();
  roadsLayer = L.geoJSON(roads, {
    style: { color: "#666", weight: 1, fillColor: "#fff", fillOpacity: 0.9 },
  }).bindTooltip((layer) => escapeHtml([layer.feature.properties.ref,
    layer.feature.properties.name].filter(Boolean).join(" — "))).addTo(map);
}

async function issue() {
  const response = await fetch("/api/v1/nru", { method: "POST", ...requestBody() });
  const data = await response.json();
  if (!response.ok) {
    $("result").innerHTML = `<p class="error">${escapeHtml(readRefusal(data, response.status).detail)}</p>`;
    return;
  }
  $("result").innerHTML = `<h2>${escapeHtml(data.number)}</h2>` +
    `<p><a id="pdf" href="${escapeHtml(data.links.pdf)}">Télécharger la note (PDF)</a> · ` +
    `<a href="${escapeHtml(data.links.verify)}">Page de vérification</a></p>` +
    (data.recepisse
      ? `<p>Demande n° ${escapeHtml(data.recepisse.number)} du ${escapeHtml(data.recepisse.date)} : ` +
        `<a id="receipt" href="${escapeHtml(data.recepisse.pdf)}">récépissé (PDF)</a></p>`
      : "");
  // signed in, the note carries the petitioner's name: its PDF needs the session
  if (auth.signedIn()) {
    $("pdf").addEventListener("click", (e) => {
      e.preventDefault();
      auth.openPdf(data.links.pdf).catch((err) => alert(err.message));
    });
    if (data.recepisse) $("receipt").addEventListener("click", (e) => {
      e.preventDefault();
      auth.openPdf(data.recepisse.pdf).catch((err) => alert(err.message));
    });
  }
}

$("plan").addEventListener("change", (e) => {
  showPlan(e.target.value).then(() => showRoads(e.target.value));
});
$("check").addEventListener("click", check);
$("issue").addEventListener("click", issue);
$("coords").addEventListener("input", resetSwap);
$("file").addEventListener("change", resetSwap);
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault(); drop.classList.remove("over");
  droppedFile = e.dataTransfer.files[0];
  resetSwap();
  drop.firstChild.textContent = `fichier : ${droppedFile.name} `;
});
loadPlans().then(() => showRoads($("plan").value));
