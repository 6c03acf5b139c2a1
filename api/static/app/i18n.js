// The page's language (issue 16): the catalog the server put in a JSON data block (never run:
// the CSP allows no inline script) gives `t(french)`; texts the scripts insert later are
// translated as they appear. Loaded in <head>, before the page's own scripts.
"use strict";
const i18n = (() => {
  const block = document.getElementById("i18n-catalog");
  const table = block ? JSON.parse(block.textContent || "{}") : {};
  const lang = document.documentElement.lang || "fr";
  const t = (text) => table[text.trim().replace(/\s+/g, " ")] || text;
  function translateNode(node) {
    if (node.nodeType === Node.TEXT_NODE) {
      const key = node.nodeValue.trim().replace(/\s+/g, " ");
      if (key && table[key]) node.nodeValue = node.nodeValue.replace(node.nodeValue.trim(), table[key]);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE || node.tagName === "SCRIPT" || node.tagName === "STYLE") return;
    for (const attr of ["title", "aria-label", "placeholder"]) {
      const value = node.getAttribute(attr);
      if (value && table[value.trim()]) node.setAttribute(attr, table[value.trim()]);
    }
    node.childNodes.forEach(translateNode);
  }
  if (lang !== "fr" && Object.keys(table).length) {
    const observer = new MutationObserver((changes) => {
      for (const change of changes) {
        if (change.type === "characterData") translateNode(change.target);
        change.addedNodes.forEach(translateNode);
      }
    });
    document.addEventListener("DOMContentLoaded", () => {
      translateNode(document.body);
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    });
  }
  if (lang !== "fr") {
    // the API answers its errors in the page's language (Accept-Language), the code unchanged
    const plainFetch = window.fetch.bind(window);
    window.fetch = (input, init = {}) => {
      if (typeof input !== "string") return plainFetch(input, init);
      const headers = new Headers(init.headers || {});
      if (!headers.has("Accept-Language")) headers.set("Accept-Language", lang);
      return plainFetch(input, { ...init, headers });
    };
  }
  return { lang, t, rtl: document.documentElement.dir === "rtl" };
})();
