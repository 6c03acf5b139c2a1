// A scanned coordinate table on the NRU form (issue 17): a photo or a PDF dropped on the form
// is read by the preview (OCR), shown as an editable grid with the uncertain cells highlighted,
// and its points written to the coordinates box as text. The note is then asked for with the
// points the person confirmed, never with the image. Loaded after nru.js (uses check(),
// drawParcel(), droppedFile).
"use strict";
const SCAN_TYPES = /^(image\/(jpeg|png|tiff)|application\/pdf)$/;
const SCAN_NAMES = /\.(jpe?g|png|tiff?|pdf)$/i;
let scanPoints = null;

function isScan(file) {
  return file && (SCAN_TYPES.test(file.type) || SCAN_NAMES.test(file.name));
}

async function readScan(file) {
  const panel = $("scan");
  panel.hidden = false;
  panel.innerHTML = `<p class="scan-busy">Lecture du tableau en cours…</p>`;
  const form = new FormData();
  form.append("file", file);
  for (const [key, id] of [["plan", "plan"], ["srid", "srid"], ["contenance", "area"]]) {
    if ($(id).value) form.append(key, $(id).value);
  }
  const response = await fetch("/api/v1/parcels/preview", { method: "POST", body: form,
                                                              headers: auth.headers() });
  const data = await response.json();
  // the file is read: the note will be asked with the grid's points, not with the image
  droppedFile = null;
  $("file").value = "";
  $("drop").firstChild.textContent = `tableau lu : ${file.name} `;
  if (!response.ok) {
    const refused = readRefusal(data, response.status);
    const errors = refused.items.map((d) => `<li class="error">${escapeHtml(d.message)}</li>`);
    panel.innerHTML = `<ul>${errors.join("") || `<li class="error">${escapeHtml(refused.detail)}</li>`}</ul>`;
    return;
  }
  scanPoints = data.points;
  showGrid(data);
  writeCoordinates();
  if (data.parcel) drawParcel(data);
}

function showGrid(data) {
  const doubtful = data.points.filter((p) => p.uncertain).length;
  const rows = data.points.map((p, index) => `<tr data-index="${index}"${p.uncertain ? ' class="uncertain-row"' : ""}>` +
    ["borne", "x", "y"].map((key) => cellHtml(p, key)).join("") +
    `<td class="conf">${Math.round(p.confidence * 100)} %</td></tr>`).join("");
  const findings = [...data.errors.map((d) => ["error", d]), ...data.warnings.map((d) => ["warning", d])]
    .map(([kind, d]) => `<li class="${kind}">${escapeHtml(d.message)}</li>`).join("");
  $("scan").innerHTML =
    `<h2>Tableau lu (${data.points.length} bornes)</h2>` +
    `<p id="scan-summary">${doubtful ? `<b>${doubtful}</b> borne(s) à vérifier (surlignées) : ` +
      "comparez-les au document et corrigez-les." : "Aucune lecture douteuse ; relisez tout de même."}</p>` +
    `<table id="scan-grid"><thead><tr><th>Borne</th><th>X</th><th>Y</th><th>Conf.</th></tr></thead>` +
    `<tbody>${rows}</tbody></table>` +
    (findings ? `<ul id="scan-findings">${findings}</ul>` : "") +
    `<label class="scan-confirm"><input type="checkbox" id="scan-confirmed"> ` +
    `J'ai relu la grille : les bornes correspondent au tableau du géomètre</label>`;
  $("scan-grid").addEventListener("input", onEdit);
  $("scan-grid").addEventListener("change", () => { $("scan-confirmed").checked = false; check(); });
}

function cellHtml(point, key) {
  const cell = point.cells[key];
  const value = key === "borne" ? point.borne : frenchNumber(point[key]);
  const title = cell.reasons.length ? ` title="${escapeHtml(cell.reasons.join(" ; "))}"` : "";
  return `<td${cell.uncertain ? ' class="uncertain"' : ""}${title}>` +
    `<input data-key="${key}" value="${escapeHtml(value)}" aria-label="${key}"></td>`;
}

function frenchNumber(value) {
  return value.toFixed(2).replace(".", ",");
}

function onEdit(event) {
  const input = event.target;
  const row = input.closest("tr");
  const point = scanPoints[Number(row.dataset.index)];
  const key = input.dataset.key;
  if (key === "borne") point.borne = input.value.trim();
  else point[key] = Number(input.value.replace(/\s/g, "").replace(",", "."));
  input.parentElement.classList.remove("uncertain");
  input.parentElement.classList.add("corrected");
  writeCoordinates();
}

function writeCoordinates() {
  // the ordinary coordinates text (Borne;X;Y, decimal comma), what the note is asked with
  $("coords").value = "Borne;X;Y\n" + scanPoints.map((p) =>
    `${p.borne};${frenchNumber(p.x)};${frenchNumber(p.y)}`).join("\n") + "\n";
}

function onFile(file) {
  if (isScan(file)) readScan(file).catch((err) => { $("scan").textContent = err.message; });
}

// Asking for the note from a grid the person has not confirmed is refused here (and the
// service refuses an image anyway: 422 needs_review).
$("issue").addEventListener("click", (event) => {
  if (scanPoints && !$("scan-confirmed").checked) {
    event.stopImmediatePropagation();
    $("result").innerHTML = `<p class="error">Cochez « J'ai relu la grille » avant de demander la note.</p>`;
  }
}, true);
$("drop").addEventListener("drop", (event) => onFile(event.dataTransfer.files[0]));
$("file").addEventListener("change", (event) => onFile(event.target.files[0]));
