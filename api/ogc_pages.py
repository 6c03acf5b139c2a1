"""tipg's HTML pages under /ogc, made safe to serve beside the geoportal's own.

tipg's templates are used as they are, read through a loader that, before they are compiled:
- points their stylesheets and scripts at local copies instead of CDNs, by file name (the
  Content-Security-Policy allows no other host, and an agency behind its firewall reaches none:
  Leaflet is the geoportal's own, the others are vendored under api/static/vendor), and their
  maps' OpenStreetMap background at a blank tile;
- gives their inline scripts this response's nonce (api.headers).
The environment escapes every value (tipg's own leaves autoescape off, and an item's page writes
each property into the HTML: a zone label `<img src=x onerror=…>` would run there).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import jinja2
from starlette.templating import Jinja2Templates

#: A transparent 1 × 1 PNG (the CSP allows data: images).
BLANK_TILE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)
#: The files tipg's templates fetch from CDNs (by their name, whatever the host or version) →
#: the copies served under /static (api/static/vendor, each with its VERSION and licence).
LOCAL_ASSETS = {
    "bootstrap.min.css": "/static/vendor/bootstrap/bootstrap.min.css",
    "bootstrap.min.js": "/static/vendor/bootstrap/bootstrap.bundle.min.js",
    "jquery.min.js": "/static/vendor/jquery/jquery.min.js",
    "leaflet.css": "/static/leaflet/leaflet.css",
    "leaflet.js": "/static/leaflet/leaflet.js",
    "maplibre-gl.css": "/static/vendor/maplibre-gl/maplibre-gl.css",
    "maplibre-gl.js": "/static/vendor/maplibre-gl/maplibre-gl.js",
    "proj4.js": "/static/vendor/proj4/proj4.js",
    "proj4leaflet.js": "/static/vendor/proj4leaflet/proj4leaflet.js",
    "protomaps-leaflet.js": "/static/vendor/protomaps-leaflet/protomaps-leaflet.js",
    # tipg's maps lay OpenStreetMap under the features, fetched from the internet at every
    # page: offline (an agency behind its firewall) they only fail, so a blank tile instead
    # (the geoportal's own map offers OSM as an opt-in layer)
    "{y}.png": BLANK_TILE,
}
#: An address in a template: the file it names is its last path segment.
_ADDRESS = re.compile(r"https?://[^\s\"'<>()]+/(?P<name>[^/\s\"'<>()]+)")
NONCE_ATTRIBUTE = ' nonce="{{ request.state.csp_nonce }}"'


def adapted_source(source: str) -> str:
    """A tipg template with local assets and nonced scripts."""
    source = _ADDRESS.sub(lambda m: LOCAL_ASSETS.get(m["name"], m[0]), source)
    return source.replace("<script", "<script" + NONCE_ATTRIBUTE)  # "</script" stays


class AdaptedLoader(jinja2.BaseLoader):
    """tipg's package templates, each adapted when it is loaded."""

    def __init__(self) -> None:
        self.inner = jinja2.PackageLoader("tipg", "templates")

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.inner.get_source(environment, template)
        return adapted_source(source), filename, uptodate


def ogc_templates() -> Jinja2Templates:
    """The templates to give tipg's Endpoints."""
    return Jinja2Templates(env=jinja2.Environment(loader=AdaptedLoader(), autoescape=True))
