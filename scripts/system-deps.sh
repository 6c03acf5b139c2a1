#!/usr/bin/env bash
# System packages beyond PyPI: Chromium for the browser tests (never a downloaded browser),
# Pango and fonts for WeasyPrint, GDAL's ogrinfo. Idempotent; apt-get when root, else it
# says what to install.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
  || missing+=(chromium)
# WeasyPrint (the NRU's PDF) needs Pango, and fonts with French accents.
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# Scanned coordinate tables (issue 17): the tests and the benchmark render their scans with
# Liberation fonts beside DejaVu; tesseract is the second engine the benchmark measures (the
# service reads with RapidOCR, whose models come inside its wheel).
[ -e /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || missing+=(fonts-liberation)
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
ls /usr/share/tesseract-ocr/*/tessdata/fra.traineddata >/dev/null 2>&1 || missing+=(tesseract-ocr-fra)
# GDAL's command-line tools: the tests read the OGC API with ogrinfo's OAPIF driver.
command -v ogrinfo >/dev/null 2>&1 || missing+=(gdal-bin)
# Scaling out (issue 15): the tests run a real PgBouncer, nginx (cache) and Redis (counters).
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "[setup] installing ${missing[*]} with apt-get (browser tests)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; }
else
  echo "[setup] missing system packages: ${missing[*]}; install them (Debian: apt-get install ${missing[*]})" >&2
  exit 1
fi
