"""tipg's HTML pages under /ogc, made safe to serve beside the geoportal's own.

tipg's templates are used as they are, read through a loader that, before they are compiled:
- points their stylesheets and scripts at local copies instead of CDNs (the Content-Security-
  Policy allows no other host; Leaflet is the one the pages use, the others are vendored), and
  their maps' OpenStreetMap background at a blank tile;
- gives their inline scripts this response's nonce (api.headers).
The environment escapes every value (tipg's own leaves autoescape off, and an item's page writes
each property into the HTML: a zone label `<img src=x onerror=…>` would run there).
"""

from __future__ import annotations

from collections.abc import Callable

import jinja2
from starlette.templating import Jinja2Templates

#: A transparent 1 × 1 PNG (the CSP allows data: images).
BLANK_TILE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)
#: tipg 1.x's CDN addresses → the files served under /static
LOCAL_ASSETS = {
    "https://cdnjs.cloudflare.com/ajax/libs/twitter-bootstrap/4.5.3/css/bootstrap.min.css": (
        "/static/vendor/bootstrap/bootstrap.min.css"
    ),
    "https://files.dnr.state.mn.us/lib/bootstrap4/javascripts/bootstrap.min.js": (
        "/static/vendor/bootstrap/bootstrap.bundle.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.6.0/jquery.min.js": (
        "/static/vendor/jquery/jquery.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet/1.9.4/leaflet.css": (
        "/static/leaflet/leaflet.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet/1.9.4/leaflet.js": "/static/leaflet/leaflet.js",
    # tipg's maps lay OpenStreetMap under the features, fetched from the internet at every
    # page: offline (an agency behind its firewall) they only fail, so a blank tile instead
    # (the geoportal's own map offers OSM as an opt-in layer)
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png": BLANK_TILE,
}
NONCE_ATTRIBUTE = ' nonce="{{ request.state.csp_nonce }}"'


def adapted_source(source: str) -> str:
    """A tipg template with local assets and nonced scripts."""
    for cdn, local in LOCAL_ASSETS.items():
        source = source.replace(cdn, local)
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
