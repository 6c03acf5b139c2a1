// The indicators page (/indicateurs): counts by procedure and by month, median delays by
// commune, and the Rokhas-style quarterly rankings. Charts are inline SVG drawn here; every
// text is inserted through textContent or setAttribute, never parsed as HTML.
"use strict";
(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const PROCEDURES = {
    grands_projets: ["Grands projets", "#b8322a"],
    petits_projets: ["Petits projets", "#2462a8"],
    refection: ["Réfection", "#2f8a4c"],
  };
  const NO_PROCEDURE = ["Procédure non précisée", "#6b6b6b"];
  const MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
    "septembre", "octobre", "novembre", "décembre"];
  const MONTHS_SHORT = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
    "sept.", "oct.", "nov.", "déc."];
  const RANKED = ["grands_projets", "petits_projets"];

  const $ = (id) => document.getElementById(id);
  const procedure = (code) => (code == null ? NO_PROCEDURE : PROCEDURES[code] || [code, "#6b6b6b"]);
  const number = (value, digits = 1) =>
    Number(value).toLocaleString("fr-FR", { maximumFractionDigits: digits });
  const plural = (n, word) => `${number(n, 0)} ${word}${n > 1 ? "s" : ""}`;
  const days = (value) => `${number(value)} j`;

  /** "2026-T3" → "3e trimestre 2026". */
  function quarterWords(label) {
    if (!label) return "—";
    const [year, n] = label.split("-T");
    return `${n === "1" ? "1er" : `${n}e`} trimestre ${year}`;
  }

  /** An element (HTML, or SVG with ns) with attributes and a text, built without HTML parsing. */
  function el(tag, attrs = {}, text = null, ns = null) {
    const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    if (text != null) node.textContent = String(text);
    return node;
  }
  const svgEl = (tag, attrs = {}, text = null) => el(tag, attrs, text, SVG);

  /** Charts are drawn at the width of their box, so that their text keeps its size. */
  const chartWidth = (container) => Math.max(container.clientWidth || 0, 360);

  function svgChart(width, height, label) {
    return svgEl("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img",
                          "aria-label": label });
  }

  /** A tick step of 1, 2 or 5 × 10^k giving about `target` ticks up to max. */
  function niceStep(max, target = 5) {
    const raw = Math.max(max, 1) / target;
    const power = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
    return Math.max(step, 1);
  }

  function empty(container, message) {
    container.replaceChildren(el("p", { class: "empty" }, message));
  }

  // ------------------------------------------------------------------ horizontal bars
  /** rows: {label, value, colour, text, title, group}; one <rect class="bar"> per row. */
  function horizontalBars(container, rows, caption) {
    if (!rows.length) return empty(container, "Aucune donnée pour ces filtres.");
    const width = chartWidth(container), labelWidth = 170, valueWidth = 96, row = 24, top = 4;
    const groups = new Set(rows.map((r) => r.group)).size;
    const height = top + rows.length * row + (groups - 1) * 8 + 22;
    const plot = width - labelWidth - valueWidth;
    const max = Math.max(...rows.map((r) => r.value), 1);
    const step = niceStep(max, 4);
    const scaleMax = Math.ceil(max / step) * step;
    const x = (v) => labelWidth + (v / scaleMax) * plot;
    const svg = svgChart(width, height, caption);
    const bottom = height - 18;
    for (let t = 0; t <= scaleMax; t += step) {
      svg.append(svgEl("line", { class: "grid", x1: x(t), x2: x(t), y1: top, y2: bottom }));
      svg.append(svgEl("text", { x: x(t), y: bottom + 13, "text-anchor": "middle",
                                 class: "muted" }, number(t, 0)));
    }
    let y = top, previousGroup = rows[0].group;
    rows.forEach((r) => {
      if (r.group !== previousGroup) {
        y += 8;
        previousGroup = r.group;
      }
      if (r.label) {
        svg.append(svgEl("text", { x: labelWidth - 8, y: y + row / 2 + 4, "text-anchor": "end" },
                         r.label));
      }
      const bar = svgEl("rect", { class: "bar", x: labelWidth, y: y + 3, height: row - 6,
                                  width: Math.max(x(r.value) - labelWidth, 1), fill: r.colour,
                                  "data-value": r.value });
      bar.append(svgEl("title", {}, r.title));
      svg.append(bar);
      svg.append(svgEl("text", { class: "value", x: x(r.value) + 5, y: y + row / 2 + 4 },
                       r.text));
      y += row;
    });
    svg.append(svgEl("line", { class: "axis", x1: labelWidth, x2: labelWidth, y1: top,
                               y2: bottom }));
    container.replaceChildren(svg);
  }

  function drawProcedures(byProcedure) {
    horizontalBars($("chart-procedure"), byProcedure.map((c) => {
      const [words, colour] = procedure(c.procedure);
      return { label: words, value: c.count, colour, group: 0, text: number(c.count, 0),
               title: `${words} : ${plural(c.count, "autorisation")}` };
    }), "Autorisations par procédure");
  }

  function drawDelays(delays) {
    const order = [...Object.keys(PROCEDURES), null];
    const sorted = [...delays].sort((a, b) => a.commune.localeCompare(b.commune, "fr") ||
      order.indexOf(a.procedure) - order.indexOf(b.procedure));
    let previousCommune = null;
    horizontalBars($("chart-delay"), sorted.map((d) => {
      const [words, colour] = procedure(d.procedure);
      const label = d.commune === previousCommune ? "" : d.commune;
      previousCommune = d.commune;
      return { label, value: d.median, colour, group: d.commune,
               text: `${days(d.median)} (${number(d.count, 0)})`,
               title: `${d.commune} — ${words} : délai médian ${days(d.median)}, moyen ` +
                      `${days(d.mean)}, ${plural(d.count, "dossier")}` };
    }), "Délai médian par commune et procédure, en jours ouvrables");
    const shown = new Set(delays.map((d) => d.procedure));
    $("legend-delay").replaceChildren(...order.filter((p) => shown.has(p)).map((p) => {
      const [words, colour] = procedure(p);
      return el("li", { style: `--colour: ${colour}` }, words);
    }));
  }

  // ------------------------------------------------------------------ monthly bars
  function drawMonths(byMonth) {
    const container = $("chart-month");
    if (!byMonth.length) return empty(container, "Aucune autorisation pour ces filtres.");
    const width = chartWidth(container), height = 240, left = 36, right = 8, top = 10;
    const bottom = 40;
    const plotW = width - left - right, plotH = height - top - bottom;
    const max = Math.max(...byMonth.map((m) => m.count), 1);
    const step = niceStep(max, 5);
    const scaleMax = Math.ceil(max / step) * step;
    const y = (v) => top + plotH - (v / scaleMax) * plotH;
    const slot = plotW / byMonth.length;
    const svg = svgChart(width, height, "Autorisations par mois");
    for (let t = 0; t <= scaleMax; t += step) {
      svg.append(svgEl("line", { class: "grid", x1: left, x2: width - right, y1: y(t), y2: y(t) }));
      svg.append(svgEl("text", { x: left - 5, y: y(t) + 4, "text-anchor": "end", class: "muted" },
                       number(t, 0)));
    }
    const labelEvery = byMonth.length <= 12 ? 1 : byMonth.length <= 24 ? 3 : 12;
    byMonth.forEach((m, i) => {
      const [year, month] = m.month.split("-").map(Number);
      const x = left + i * slot;
      const bar = svgEl("rect", { class: "bar", x: x + slot * 0.12, width: Math.max(slot * 0.76, 1),
                                  y: y(m.count), height: y(0) - y(m.count), fill: "#4a7bb7",
                                  "data-month": m.month, "data-value": m.count });
      bar.append(svgEl("title", {}, `${MONTHS[month - 1]} ${year} : ` +
                                    plural(m.count, "autorisation")));
      svg.append(bar);
      const labelled = labelEvery === 12 ? month === 1 || i === 0 : i % labelEvery === 0;
      if (labelled) {
        const words = labelEvery === 12 ? String(year) : `${MONTHS_SHORT[month - 1]} ${year}`;
        svg.append(svgEl("line", { class: "axis", x1: x, x2: x, y1: y(0), y2: y(0) + 4 }));
        svg.append(svgEl("text", { x, y: y(0) + 16, class: "muted" }, words));
      }
    });
    svg.append(svgEl("line", { class: "axis", x1: left, x2: width - right, y1: y(0), y2: y(0) }));
    container.replaceChildren(svg);
  }

  // ------------------------------------------------------------------ ranking tables
  function table(headers, rows, emptyMessage) {
    if (!rows.length) return el("p", { class: "empty" }, emptyMessage);
    const head = el("tr");
    headers.forEach(([words, cls]) => head.append(el("th", cls ? { class: cls } : {}, words)));
    const body = el("tbody");
    rows.forEach((cells) => {
      const tr = el("tr");
      cells.forEach(([words, cls]) => tr.append(el("td", cls ? { class: cls } : {}, words)));
      body.append(tr);
    });
    const result = el("table");
    result.append(el("thead"), body);
    result.firstChild.append(head);
    return result;
  }

  function drawRankings(rankings) {
    const quarter = quarterWords(rankings.quarter);
    const previous = quarterWords(rankings.previous);
    RANKED.forEach((code) => {
      const fastest = rankings.fastest[code].map((s, i) => [
        [i + 1, "num"], [s.commune], [days(s.median), "num"], [number(s.count, 0), "num"]]);
      $(`fastest-${code}`).replaceChildren(table(
        [["Rang", "num"], ["Commune"], ["Délai médian", "num"], ["Dossiers", "num"]], fastest,
        `Aucun dossier décidé au ${quarter}.`));
      const worse = rankings.degradations[code].map((d, i) => [
        [i + 1, "num"], [d.commune], [days(d.median_before), "num"], [days(d.median_after), "num"],
        [`+${days(d.increase)}`, "num up"]]);
      $(`degradations-${code}`).replaceChildren(table(
        [["Rang", "num"], ["Commune"], [rankings.previous || "avant", "num"],
         [rankings.quarter || "après", "num"], ["Hausse", "num"]], worse,
        rankings.quarter ? `Aucune dégradation entre le ${previous} et le ${quarter}.`
                         : "Aucun trimestre complet avec des dossiers décidés."));
    });
    $("title-fastest-grands").textContent = `Les 10 plus rapides — grands projets, ${quarter}`;
    $("title-fastest-petits").textContent = `Les 10 plus rapides — petits projets, ${quarter}`;
    const between = rankings.quarter ? ` (${rankings.previous} → ${rankings.quarter})` : "";
    $("title-degradations-grands").textContent =
      `Les 10 plus fortes dégradations — grands projets${between}`;
    $("title-degradations-petits").textContent =
      `Les 10 plus fortes dégradations — petits projets${between}`;
  }

  function fillQuarters(rankings) {
    const available = rankings.available_quarters;
    [["quarter", rankings.quarter], ["previous", rankings.previous]].forEach(([id, chosen]) => {
      const labels = chosen && !available.includes(chosen) ? [chosen, ...available] : available;
      $(id).replaceChildren(...labels.map((q) => el("option", { value: q }, quarterWords(q))));
      if (chosen) $(id).value = chosen;
    });
  }

  // ------------------------------------------------------------------ loading
  const known = new Set();
  let shown = null;
  let resizing = null;

  function drawCharts(body) {
    drawProcedures(body.counts.by_procedure);
    drawMonths(body.counts.by_month);
    drawDelays(body.delays.by_commune_procedure);
  }

  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => shown && drawCharts(shown), 150);
  });

  function fillCommunes(byCommune) {
    byCommune.forEach((c) => known.add(c.commune));
    const chosen = $("commune").value;
    const names = [...known].sort((a, b) => a.localeCompare(b, "fr"));
    $("commune").replaceChildren(el("option", { value: "" }, "Toutes"),
      ...names.map((n) => el("option", { value: n }, n)));
    $("commune").value = chosen;
  }

  function query(withPrevious) {
    const params = new URLSearchParams();
    for (const id of ["commune", "from", "to", "quarter"]) {
      if ($(id).value) params.set(id, $(id).value);
    }
    if (withPrevious && $("previous").value) params.set("previous", $("previous").value);
    return params;
  }

  async function load(params) {
    const response = await fetch(`/api/v1/indicators?${params}`);
    if (!response.ok) {
      $("error").textContent = await refusalText(response);
      return;
    }
    const body = await response.json();
    $("error").textContent = "";
    $("total").textContent = plural(body.counts.total, "autorisation");
    fillCommunes(body.counts.by_commune);
    shown = body;
    drawCharts(body);
    fillQuarters(body.rankings);
    drawRankings(body.rankings);
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
  }

  const reload = (withPrevious) => load(query(withPrevious)).catch((exc) => {
    $("error").textContent = `Chargement impossible : ${exc.message}`;
  });

  ["commune", "from", "to"].forEach((id) => $(id).addEventListener("change", () => reload(true)));
  // "2025-T4" < "2026-T1": the labels sort as the quarters do.
  $("previous").addEventListener("change", () => {
    if ($("previous").value >= $("quarter").value) {
      $("error").textContent = "Le trimestre de comparaison doit précéder le trimestre classé.";
      return;
    }
    reload(true);
  });
  // A new quarter is compared with the one before it unless another is chosen afterwards.
  $("quarter").addEventListener("change", () => reload(false));
  $("filters").addEventListener("reset", () => setTimeout(() => reload(true), 0));
  reload(false);
})();
