"""Security headers on every response, and a Content-Security-Policy on every page.

The policy lets a page run only scripts served by this service ('self') and the inline
scripts that carry this response's nonce: those a library writes (folium's maps, Swagger UI,
tipg's pages), marked when the page is built. A text from a plan or a register that slipped
into a page unescaped could then still not run (no 'unsafe-inline' for scripts, so no inline
event handler either). The one other host a page may use is the optional OpenStreetMap tile
background.
"""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NONCE_KEY = "csp_nonce"
OSM_TILES = "https://tile.openstreetmap.org"
#: responses a browser renders as a document, where the policy applies
DOCUMENT_TYPES = (b"text/html", b"image/svg+xml")


def content_security_policy(nonce: str) -> str:
    """The policy of a page whose own inline scripts carry `nonce`."""
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        # Styles may be inline: Leaflet, folium and Swagger UI position and colour their
        # elements with style attributes. A style cannot run script.
        "style-src": "'self' 'unsafe-inline'",
        # data: for Leaflet's, Swagger UI's and tipg's embedded icons, blob: for a note's PDF
        "img-src": f"'self' data: blob: {OSM_TILES}",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


#: on every response, pages, data and files alike
COMMON_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",  # other hosts see the origin only
    "x-frame-options": "DENY",  # frame-ancestors for browsers that predate it
}


class SecurityHeaders:
    """Draws a nonce for each request (request.state.csp_nonce) and adds the headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})[NONCE_KEY] = nonce

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON_HEADERS.items():
                    headers.setdefault(name, value)
                content_type = headers.get("content-type", "").encode()
                if content_type.startswith(DOCUMENT_TYPES):
                    headers["content-security-policy"] = content_security_policy(nonce)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csp_nonce(request: Request) -> str:
    """The nonce this response's inline scripts must carry."""
    nonce: str = request.state.csp_nonce
    return nonce


def with_nonce(page: str, nonce: str) -> str:
    """A page of a library's, its inline `<script>` tags marked with the nonce.

    Only for markup whose every text from a plan or a register is escaped (no `<` of theirs
    left), so that each `<script>` in it is the library's own.
    """
    return page.replace("<script>", f'<script nonce="{nonce}">')
