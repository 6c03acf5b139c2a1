"""The OpenAPI documentation: Swagger UI from files of our own (FastAPI's self-hosting recipe),
started by a script file (no inline script), and its OAuth2 redirect page, whose inline
script carries the response's nonce (api.headers)."""

from __future__ import annotations

from html import escape

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

from api.headers import csp_nonce, with_nonce

DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
SWAGGER_UI = "/static/vendor/swagger-ui"  # swagger-ui-dist, see its VERSION


def swagger_page(title: str, openapi_url: str) -> str:
    """Swagger UI's page; /static/app/docs.js starts it with the URLs given here."""
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">'
        f'<link rel="icon" href="{SWAGGER_UI}/favicon-32x32.png"></head><body>'
        f'<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}" '
        f'data-oauth2-redirect-url="{OAUTH2_REDIRECT_URL}"></div>'
        f'<script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>'
        '<script src="/static/app/docs.js"></script></body></html>'
    )


def add_docs(app: FastAPI) -> None:
    """/docs and its OAuth2 redirect page (the app is built with docs_url=None)."""
    page = swagger_page(f"{app.title} — API", app.openapi_url or "/openapi.json")

    # named as FastAPI names its own: tipg's landing page links to it by this name
    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui_html() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect(request: Request) -> HTMLResponse:
        redirect = get_swagger_ui_oauth2_redirect_html()
        return HTMLResponse(with_nonce(bytes(redirect.body).decode(), csp_nonce(request)))
