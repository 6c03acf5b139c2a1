// Shared by the request pages (/nru, /projet): the map with the plan's zones as background,
// the plan selector, the account badge. Loaded after auth.js, before the page's own script.
"use strict";
const map = L.map("map", { preferCanvas: true }).setView([33.89, -6.925], 14);
L.control.scale({ imperial: false }).addTo(map);
const $ = (id) => document.getElementById(id);
let zonesLayer = null;
let parcelLayer = null;
auth.showBadge($("account"));

async function loadPlans() {
  const plans = await (await fetch("/api/v1/plans")).json();
  $("plan").innerHTML = plans.map((p) =>
    `<option value="${escapeHtml(p.name)}">${escapeHtml(p.name)} (${escapeHtml(p.status)})</option>`).join("");
  if (plans.length) await showPlan(plans[0].name);
}

async function showPlan(name) {
  const plan = await (await fetch(`/api/v1/plans/${encodeURIComponent(name)}`)).json();
  const zones = await (await fetch(`/api/v1/plans/${encodeURIComponent(name)}/zones`)).json();
  const legend = plan.legend || {};
  if (zonesLayer) zonesLayer.remove();
  zonesLayer = L.geoJSON(zones, {
    style: (f) => ({ color: "#555", weight: 0.5, fillOpacity: 0.5,
                     fillColor: legend[f.properties.code] || "#ccc" }),
  }).bindTooltip((layer) =>
    escapeHtml(`${layer.feature.properties.code} — ${layer.feature.properties.label}`))
    .addTo(map);
  if (parcelLayer) return;  // keep the view on the parcel already checked
  const [w, s, e, n] = plan.extent.bbox_wgs84;
  // without animation: a zoom still running when the parcel is drawn would end on the plan
  map.fitBounds([[s, w], [n, e]], { animate: false });
}
