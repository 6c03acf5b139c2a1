// The public map of authorized projects (/): the plan's zones as background, the projects
// clustered and filtered, links to the open data, the Lambert coordinates under the cursor, and
// the live feed (Server-Sent Events) that adds each newly authorized project without reload.
"use strict";
(() => {
  // EPSG:26191 with the EPSG:1166 shift to WGS 84 (about 7 m: fine for reading a map).
  const LAMBERT_NORD = "+proj=lcc +lat_1=33.3 +lat_0=33.3 +lon_0=-5.4 +k_0=0.999625769 " +
    "+x_0=500000 +y_0=300000 +a=6378249.2 +b=6356515 +towgs84=31,146,47,0,0,0,0 +units=m +no_defs";
  const PAGE_SIZE = 1000;
  const HIGHLIGHT_MS = 10000;
  const TOAST_MS = 8000;
  const RECONNECT_MS = 5000;
  const MAX_TOASTS = 3; // beyond, one toast counts the others
  const MAX_HIGHLIGHTS = 20;

  const PROCEDURES = {
    grands_projets: "Grands projets",
    petits_projets: "Petits projets",
    refection: "Réfection",
  };
  // Kind → [words, letter on the marker]; land divisions get a square marker.
  const KINDS = {
    construction: ["Construction", "C"],
    lotissement: ["Lotissement", "L"],
    groupe_habitations: ["Groupe d'habitations", "G"],
    morcellement: ["Morcellement", "Mc"],
    modification: ["Modification", "M"],
    surelevation: ["Surélévation", "S"],
    demolition: ["Démolition", "D"],
    regularisation: ["Régularisation", "Rg"],
    refection: ["Réfection", "R"],
    installation_saisonniere: ["Installation saisonnière", "I"],
  };
  const LAND_KINDS = new Set(["lotissement", "groupe_habitations", "morcellement"]);
  const USES = {
    habitation: "Habitation", commerce: "Commerce", bureaux: "Bureaux", services: "Services",
    industrie: "Industrie", logistique: "Logistique", artisanat: "Artisanat",
    tourisme: "Tourisme", equipement: "Équipement", erp: "Établissement recevant du public",
    sport_loisirs: "Sport et loisirs", enseignement: "Enseignement", sante: "Santé",
    social_culturel: "Social et culturel", administration: "Administration",
    agricole: "Agricole", mixte: "Mixte", autre: "Autre",
  };
  const STATUSES = { autorise: "Autorisé", en_chantier: "En chantier", acheve: "Achevé" };
  const PROCEDURE_COLOURS = {
    grands_projets: "#b8322a", petits_projets: "#2462a8", refection: "#2f8a4c", none: "#6b6b6b",
  };
  const FILTERS = ["commune", "kind", "procedure", "from", "to"];

  const $ = (id) => document.getElementById(id);
  // escapeHtml and refusalText: auth.js, loaded before this file
  const words = (table, value) => (value == null ? "—" : table[value] || value);
  const kindWords = (kind) => (KINDS[kind] ? KINDS[kind][0] : kind);
  const decimal = (value, digits) =>
    Number(value).toLocaleString("fr-FR", { maximumFractionDigits: digits });
  const frenchDate = (iso) => (iso ? iso.slice(0, 10).split("-").reverse().join("/") : "—");

  proj4.defs("EPSG:26191", LAMBERT_NORD);
  const lambert = proj4("EPSG:4326", "EPSG:26191");
  /** WGS 84 longitude, latitude → [X, Y] in Lambert Nord Maroc metres. */
  const toLambert = (lon, lat) => lambert.forward([lon, lat]);

  // ---------------------------------------------------------------- map and layers
  // maxZoom: the clusters need it, and the zones stay readable down to the building.
  const map = L.map("map", { maxZoom: 19 }).setView([33.9, -6.9], 13);
  L.control.scale({ imperial: false }).addTo(map);
  const zones = L.layerGroup().addTo(map);
  const zonesRenderer = L.canvas({ padding: 0.2 });
  const osm = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19,
    attribution: "© contributeurs <a href=\"https://www.openstreetmap.org/copyright\">" +
      "OpenStreetMap</a>",
  });
  const markers = L.markerClusterGroup({
    maxClusterRadius: 45,
    disableClusteringAtZoom: 18,
    spiderfyOnMaxZoom: true,
    showCoverageOnHover: false,
    chunkedLoading: true,
    iconCreateFunction: clusterIcon,
  }).addTo(map);
  const highlights = L.layerGroup().addTo(map);
  L.control.layers(null, {
    "Zones du plan d'aménagement": zones,
    "Projets autorisés": markers,
    "Fond OpenStreetMap (en ligne)": osm,
  }, { collapsed: false, position: "topright" }).addTo(map);

  const projects = new Map(); // id → marker, the projects shown under the current filters
  const communes = new Set();

  /** The marker's face: colour by procedure, letter (square for land divisions) by kind. */
  function iconHtml(kind, procedure, fresh = false) {
    const classes = ["project-icon", `proc-${PROCEDURES[procedure] ? procedure : "none"}`];
    if (LAND_KINDS.has(kind)) classes.push("land");
    if (fresh) classes.push("fresh");
    const letter = kind == null ? "" : KINDS[kind] ? KINDS[kind][1] : "?";
    return `<div class="${classes.join(" ")}">${escapeHtml(letter)}</div>`;
  }

  function projectIcon(properties, fresh = false) {
    return L.divIcon({
      className: "",
      html: iconHtml(properties.kind, properties.procedure, fresh),
      iconSize: [20, 20],
      iconAnchor: [10, 10],
      popupAnchor: [0, -10],
    });
  }

  /** A cluster: its count inside a ring split by the share of each procedure. */
  function clusterIcon(cluster) {
    const children = cluster.getAllChildMarkers();
    const counts = {};
    for (const marker of children) {
      const procedure = PROCEDURES[marker.options.procedure] ? marker.options.procedure : "none";
      counts[procedure] = (counts[procedure] || 0) + 1;
    }
    const size = children.length < 10 ? 30 : children.length < 100 ? 36 : 44;
    return L.divIcon({
      className: "project-cluster",
      html: ringHtml(counts, children.length),
      iconSize: [size, size],
    });
  }

  function ringHtml(counts, total) {
    let start = 0;
    const stops = [];
    for (const [procedure, colour] of Object.entries(PROCEDURE_COLOURS)) {
      if (!counts[procedure]) continue;
      const end = start + (100 * counts[procedure]) / total;
      stops.push(`${colour} ${start.toFixed(1)}% ${end.toFixed(1)}%`);
      start = end;
    }
    // The style holds only the colours of the table above and computed percentages.
    return `<div style="background: conic-gradient(${stops.join(", ")})">` +
      `<span>${escapeHtml(total)}</span></div>`;
  }

  function popupHtml(properties) {
    const p = properties;
    const rows = [
      ["Autorisé le", frenchDate(p.permit_date)],
      ["Commune", p.commune],
      ["Nature", kindWords(p.kind)],
      ["Affectation", words(USES, p.use)],
      ["Procédure", words(PROCEDURES, p.procedure)],
      ["Niveaux", p.storeys == null ? "—" : `R+${p.storeys}`],
      ["Hauteur", p.height_m == null ? "—" : `${decimal(p.height_m, 2)} m`],
      ["Surface de planchers", p.floor_area_m2 == null ? "—" : `${decimal(p.floor_area_m2, 1)} m²`],
      ["État", words(STATUSES, p.status)],
    ];
    // In working days, as /indicateurs counts them (no weekend nor public holiday): the server
    // applies the agency's calendar, the browser knows no holiday.
    const days = p.instruction_working_days;
    if (p.filed_on && p.decided_on && days !== null && days !== undefined) {
      rows.push(["Délai d'instruction", `${days} jour${days > 1 ? "s" : ""} ouvrable` +
        `${days > 1 ? "s" : ""} (dépôt le ${frenchDate(p.filed_on)}, décision le ` +
        `${frenchDate(p.decided_on)})`]);
    }
    const body = rows.map(([name, value]) =>
      `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join("");
    return `<div class="project-popup"><h3>Autorisation n° ${escapeHtml(p.permit_number)}</h3>` +
      `<table>${body}</table></div>`;
  }

  /** Put a project on the map unless it is there already; its marker, or null. */
  function addProject(feature) {
    const properties = feature.properties || {};
    const id = properties.id ?? feature.id;
    if (projects.has(id) || !feature.geometry) return null;
    const [lon, lat] = feature.geometry.coordinates;
    const marker = L.marker([lat, lon], {
      icon: projectIcon(properties),
      procedure: properties.procedure,
      title: properties.permit_number,
      alt: `Projet ${properties.permit_number}`,
    }).bindPopup(() => popupHtml(properties), { maxWidth: 360 });
    marker.feature = feature;
    projects.set(id, marker);
    noteCommune(properties.commune);
    return marker;
  }

  function noteCommune(name) {
    if (!name || communes.has(name)) return;
    communes.add(name);
    const select = $("commune");
    const chosen = select.value;
    const names = [...communes].sort((a, b) => a.localeCompare(b, "fr"));
    select.innerHTML = '<option value="">Toutes</option>' + names.map((n) =>
      `<option value="${escapeHtml(n)}">${escapeHtml(n)}</option>`).join("");
    select.value = chosen;
  }

  // ---------------------------------------------------------------- filters and loading
  function chosenFilters() {
    const chosen = {};
    for (const name of FILTERS) if ($(name).value) chosen[name] = $(name).value;
    return chosen;
  }

  function matches(properties, chosen) {
    for (const name of ["commune", "kind", "procedure"]) {
      if (chosen[name] && properties[name] !== chosen[name]) return false;
    }
    const date = (properties.permit_date || "").slice(0, 10);
    if (chosen.from && date < chosen.from) return false;
    if (chosen.to && date > chosen.to) return false;
    return true;
  }

  function showCount(loading = false) {
    const n = projects.size;
    $("count").textContent = loading ? `Chargement… ${n}`
      : n === 0 ? "Aucun projet affiché"
      : `${n.toLocaleString("fr-FR")} projet${n > 1 ? "s" : ""} affiché${n > 1 ? "s" : ""}`;
  }

  function showLinks(chosen) {
    const query = new URLSearchParams(chosen).toString();
    $("link-geojson").href = `/api/v1/projects?${query ? `${query}&` : ""}limit=10000`;
    $("link-csv").href = `/api/v1/projects.csv${query ? `?${query}` : ""}`;
    $("link-csv-excel").href = `/api/v1/projects.csv?${query ? `${query}&` : ""}format=excel`;
    const here = `${location.pathname}${query ? `?${query}` : ""}`;
    history.replaceState(null, "", here);
  }

  /** A path on this server from an API link (which may name another host behind a proxy). */
  const onThisServer = (href) => {
    const url = new URL(href, location.href);
    return url.pathname + url.search;
  };

  let loading = null; // the AbortController of the load under way

  /** (Re)load the projects under the current filters, page by page (links rel=next). */
  async function loadProjects() {
    const chosen = chosenFilters();
    if (chosen.from && chosen.to && chosen.from > chosen.to) {
      $("filter-error").textContent = "La date de début est après la date de fin.";
      return;
    }
    $("filter-error").textContent = "";
    showLinks(chosen);
    if (loading) loading.abort();
    const controller = new AbortController();
    loading = controller;
    projects.clear();
    markers.clearLayers();
    showCount(true);
    const query = new URLSearchParams({ ...chosen, limit: PAGE_SIZE });
    let url = `/api/v1/projects?${query}`;
    try {
      while (url) {
        const response = await fetch(url, { signal: controller.signal });
        if (!response.ok) throw new Error(await refusalText(response));
        const page = await response.json();
        const added = page.features.map(addProject).filter(Boolean);
        markers.addLayers(added);
        showCount(true);
        const next = (page.links || []).find((link) => link.rel === "next");
        url = next ? onThisServer(next.href) : null;
      }
    } catch (error) {
      if (error.name === "AbortError") return;
      $("filter-error").textContent = `Les projets n'ont pas pu être chargés (${error.message}).`;
    } finally {
      if (loading === controller) loading = null;
    }
    if (!controller.signal.aborted) {
      showCount();
      fitOnce();
    }
  }

  // ---------------------------------------------------------------- live feed
  let lastEvent = 0;
  let liveOpened = null;
  // The first load waits for the feed (or 2 s): a permit recorded in between is then in one or
  // the other, never in neither.
  const liveReady = new Promise((resolve) => {
    liveOpened = resolve;
    setTimeout(resolve, 2000);
  });

  function connectLive() {
    const source = new EventSource("/api/v1/projects/events");
    source.addEventListener("open", () => {
      showLive("open", "en direct");
      liveOpened();
    });
    source.addEventListener("error", () => {
      if (source.readyState !== EventSource.CLOSED) {
        showLive("connecting", "reconnexion…");
        return;
      }
      // The browser gave up (server down, wrong answer): start afresh and reload what we missed.
      showLive("closed", "hors ligne");
      setTimeout(() => { connectLive(); loadProjects(); }, RECONNECT_MS);
    });
    source.addEventListener("project", (event) => {
      const id = Number(event.lastEventId);
      if (id && id <= lastEvent) return; // replayed after a reconnection: already seen
      if (id) lastEvent = id;
      newProject(JSON.parse(event.data));
    });
  }

  function showLive(state, text) {
    $("live").className = `live ${state}`;
    $("live").textContent = text;
    document.body.dataset.live = state;
  }

  function newProject(feature) {
    const properties = feature.properties || {};
    noteCommune(properties.commune);
    const shown = matches(properties, chosenFilters());
    const marker = shown ? addProject(feature) : null;
    if (marker) {
      markers.addLayer(marker);
      highlight(marker);
      showCount(loading !== null);
    }
    toast(feature, marker, shown);
  }

  const rings = new Map(); // marker → its pulsing ring, while it is highlighted

  function highlight(marker) {
    const properties = marker.feature.properties;
    if (rings.size >= MAX_HIGHLIGHTS) return; // a batch import: no fireworks
    marker.setIcon(projectIcon(properties, true));
    const ring = L.marker(marker.getLatLng(), {
      icon: L.divIcon({ className: "pulse-ring", iconSize: [36, 36] }),
      interactive: false,
      keyboard: false,
      zIndexOffset: 1000,
    }).addTo(highlights);
    rings.set(marker, ring);
    placeRing(marker, ring);
    setTimeout(() => {
      highlights.removeLayer(ring);
      rings.delete(marker);
      marker.setIcon(projectIcon(properties));
    }, HIGHLIGHT_MS);
  }

  /** The ring pulses around what shows the project: its marker, or the cluster holding it. */
  function placeRing(marker, ring) {
    const shownAs = markers.hasLayer(marker) ? markers.getVisibleParent(marker) : null;
    ring.setLatLng((shownAs || marker).getLatLng());
  }
  markers.on("animationend", () => rings.forEach((ring, marker) => placeRing(marker, ring)));
  map.on("zoomend moveend", () => rings.forEach((ring, marker) => placeRing(marker, ring)));

  let burst = null; // the toast that counts the projects beyond MAX_TOASTS (an import)

  function toast(feature, marker, shown) {
    const p = feature.properties || {};
    if ($("toasts").children.length >= MAX_TOASTS && !burst) burst = burstToast();
    if (burst) {
      burst.count += 1;
      burst.element.textContent = `… et ${burst.count} autre${burst.count > 1 ? "s" : ""} ` +
        `nouveau${burst.count > 1 ? "x" : ""} projet${burst.count > 1 ? "s" : ""} autorisé` +
        `${burst.count > 1 ? "s" : ""}`;
      clearTimeout(burst.timer);
      burst.timer = setTimeout(() => { dismiss(burst.element); burst = null; }, TOAST_MS);
      return;
    }
    const element = document.createElement("div");
    element.className = "toast";
    const details = [kindWords(p.kind), words(PROCEDURES, p.procedure), p.commune]
      .filter((v) => v && v !== "—").join(" · ");
    element.innerHTML = `Nouveau projet autorisé : <b>${escapeHtml(p.permit_number)}</b>` +
      `<span class="more">${escapeHtml(details)}` +
      `${shown ? "" : " — hors des filtres affichés"}</span>`;
    element.title = "Voir le projet sur la carte";
    element.addEventListener("click", () => {
      if (marker && projects.has(p.id ?? feature.id)) {
        markers.zoomToShowLayer(marker, () => marker.openPopup());
      } else if (feature.geometry) {
        const [lon, lat] = feature.geometry.coordinates;
        map.setView([lat, lon], 18);
      }
    });
    $("toasts").prepend(element);
    setTimeout(() => dismiss(element), TOAST_MS);
  }

  function burstToast() {
    const element = document.createElement("div");
    element.className = "toast burst";
    $("toasts").append(element);
    return { element, count: 0, timer: null };
  }

  function dismiss(element) {
    element.classList.add("leaving");
    setTimeout(() => element.remove(), 400);
  }

  // ---------------------------------------------------------------- Lambert coordinates box
  const LambertBox = L.Control.extend({
    options: { position: "bottomleft" },
    onAdd() {
      const box = L.DomUtil.create("div", "lambert-box");
      box.innerHTML = "<b>Lambert Nord Maroc</b> (EPSG:26191)<br><span class=\"xy\">" +
        "X <span id=\"lambert-x\">—</span> m · Y <span id=\"lambert-y\">—</span> m</span>";
      box.title = "Coordonnées du point sous le curseur (Merchich, décalage EPSG:1166 ≈ 7 m)";
      L.DomEvent.disableClickPropagation(box);
      return box;
    },
  });
  new LambertBox().addTo(map);
  // DOM events on the container: Leaflet's own mouseout also fires between its layers.
  const container = map.getContainer();
  container.addEventListener("mousemove", (event) => {
    const latlng = map.mouseEventToLatLng(event);
    const [x, y] = toLambert(latlng.lng, latlng.lat);
    $("lambert-x").textContent = decimal(x, 0);
    $("lambert-y").textContent = decimal(y, 0);
  });
  container.addEventListener("mouseleave", () => {
    $("lambert-x").textContent = "—";
    $("lambert-y").textContent = "—";
  });

  // ---------------------------------------------------------------- plans (background)
  let planBounds = null;
  let plans = 0;  // how many plans the background shows (their names in the legend if several)
  let fitted = false;

  async function getJson(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(await refusalText(response));
    return response.json();
  }

  async function loadPlans() {
    const list = await getJson("/api/v1/plans");
    plans = list.length;
    await Promise.all(list.map(async (summary) => {
      const path = `/api/v1/plans/${encodeURIComponent(summary.name)}`;
      const [plan, features] = await Promise.all([getJson(path), getJson(`${path}/zones`)]);
      const legend = plan.legend || {};
      L.geoJSON(features, {
        renderer: zonesRenderer,
        style: (f) => ({ color: "#666", weight: 0.5, fillOpacity: 0.45,
          fillColor: legend[f.properties.code] || "#d0d0d0" }),
      }).bindTooltip((layer) => escapeHtml(
        `${plan.name} — ${layer.feature.properties.code} : ${layer.feature.properties.label}`),
      { sticky: true }).addTo(zones);
      noteCommune(plan.commune);
      addZoneLegend(plan, features, legend);
      const [w, s, e, n] = plan.extent.bbox_wgs84;
      const bounds = L.latLngBounds([s, w], [n, e]);
      planBounds = planBounds ? planBounds.extend(bounds) : bounds;
    }));
  }

  /** The zone background's legend: each zone code of the plan once, in its map colour. */
  function addZoneLegend(plan, features, legend) {
    const labels = new Map();
    for (const f of features.features || []) {
      const { code, label } = f.properties;
      if (!labels.has(code)) labels.set(code, label);
    }
    const colour = (code) => {
      const value = legend[code] || "#d0d0d0";
      return /^#[0-9a-fA-F]{3,8}$/.test(value) ? value : "#d0d0d0";  // a colour, nothing else
    };
    const items = [...labels].sort(([a], [b]) => a.localeCompare(b, "fr")).map(([code, label]) =>
      `<li data-code="${escapeHtml(code)}"><span class="zone-swatch" ` +
      `style="background:${colour(code)}"></span>${escapeHtml(code)} — ${escapeHtml(label || "")}` +
      `${plans > 1 ? ` (${escapeHtml(plan.name)})` : ""}</li>`);
    $("legend-zones").insertAdjacentHTML("beforeend", items.join(""));
  }

  /** Once, after the first load: frame the projects, or the plans when there is none. */
  async function fitOnce() {
    await plansLoaded;
    if (fitted) return;
    fitted = true;
    // without animation: the first framing is done when this returns (tests wait for it)
    if (projects.size) map.fitBounds(markers.getBounds().pad(0.05), { maxZoom: 17, animate: false });
    else if (planBounds) map.fitBounds(planBounds, { animate: false });
    document.body.dataset.framed = "yes";
  }

  // ---------------------------------------------------------------- filters form and legend
  function fillForm() {
    $("kind").innerHTML += Object.entries(KINDS).map(([value, [label]]) =>
      `<option value="${escapeHtml(value)}">${escapeHtml(label)}</option>`).join("");
    $("procedure").innerHTML += Object.entries(PROCEDURES).map(([value, label]) =>
      `<option value="${escapeHtml(value)}">${escapeHtml(label)}</option>`).join("");
    const query = new URLSearchParams(location.search);
    for (const name of FILTERS) {
      const value = query.get(name);
      if (!value) continue;
      if (name === "commune") noteCommune(value);
      $(name).value = value;
    }
    $("filters").addEventListener("change", loadProjects);
    $("filters").addEventListener("submit", (event) => { event.preventDefault(); loadProjects(); });
    // "reset" fires before the fields are cleared.
    $("filters").addEventListener("reset", () => setTimeout(loadProjects, 0));
  }

  function fillLegend() {
    const sample = { grands_projets: 5, petits_projets: 4, refection: 3 };
    $("legend-procedure").innerHTML = Object.entries(PROCEDURES).map(([value, label]) =>
      `<li>${iconHtml(null, value)}${escapeHtml(label)}</li>`).join("") +
      `<li><span class="project-cluster legend-ring">${ringHtml(sample, 12)}</span>` +
      "Groupe : nombre de projets et part de chaque procédure</li>";
    $("legend-kind").innerHTML = Object.entries(KINDS).map(([value, [label]]) =>
      `<li>${iconHtml(value, null)}${escapeHtml(label)}</li>`).join("");
  }

  fillForm();
  fillLegend();
  connectLive();
  const plansLoaded = loadPlans().catch((error) => {
    $("filter-error").textContent = `Le plan n'a pas pu être chargé (${error.message}).`;
  });
  liveReady.then(loadProjects);

  window.carte = { map, markers, projects, toLambert, reload: loadProjects };
})();
