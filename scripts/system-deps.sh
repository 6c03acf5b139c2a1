#!/usr/bin/env bash
# System packages beyond PyPI: Pango and fonts for WeasyPrint (the NRU's PDF), Chromium for the
# browser tests (never a downloaded browser), GDAL's ogrinfo, tesseract for the scan benchmark. Idempotent; apt-get when root, else it
# says what to install.
set -euo pipefail

missing=()
reasons=()
need() {  # need REASON PACKAGE…: those packages are missing, for that reason
  local reason=$1
  shift
  missing+=("$@")
  reasons+=("$reason ($*)")
}
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
  || need "Chromium for the browser tests" chromium
# WeasyPrint (the NRU's PDF) needs Pango, and fonts with French accents.
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' \
  || need "Pango for the NRU's PDF (WeasyPrint)" libpango-1.0-0 libpangoft2-1.0-0
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] \
  || need "fonts with French accents for the NRU's PDF" fonts-dejavu-core
# Arabic (issue 16): the NRU's Arabic part is set in Amiri, a Naskh face (WeasyPrint shapes it
# with Pango and HarfBuzz and embeds it); poppler's pdftotext, pdffonts and pdftoppm read the
# PDF back in the tests.
ls /usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Regular.ttf >/dev/null 2>&1 \
  || need "an Arabic font for the NRU's PDF" fonts-hosny-amiri
command -v pdffonts >/dev/null 2>&1 || need "poppler to read PDFs back in the tests" poppler-utils
# Scanned coordinate tables (issue 17): the tests and the benchmark render their scans with
# Liberation fonts beside DejaVu; tesseract is the second engine the benchmark measures (the
# service reads with RapidOCR, whose models come inside its wheel).
[ -e /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] \
  || need "fonts for the scanned tables' tests" fonts-liberation
command -v tesseract >/dev/null 2>&1 || need "tesseract for the scan benchmark" tesseract-ocr
ls /usr/share/tesseract-ocr/*/tessdata/fra.traineddata >/dev/null 2>&1 \
  || need "tesseract's French for the scan benchmark" tesseract-ocr-fra
# GDAL's command-line tools: the tests read the OGC API with ogrinfo's OAPIF driver.
command -v ogrinfo >/dev/null 2>&1 || need "ogrinfo for the OGC API tests" gdal-bin
# Scaling out (issue 15): the tests run a real PgBouncer, nginx (cache) and Redis (counters).
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || need "PgBouncer for the scale tests" pgbouncer
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need "nginx (HTTP cache) for the scale tests" nginx-light
command -v redis-server >/dev/null 2>&1 || need "Redis for the scale tests" redis-server

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  for reason in "${reasons[@]}"; do
    echo "[setup] installing with apt-get: $reason" >&2
  done
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; }
else
  for reason in "${reasons[@]}"; do
    echo "[setup] missing: $reason" >&2
  done
  echo "[setup] install them (Debian: apt-get install ${missing[*]})" >&2
  exit 1
fi
