"""What every web response carries, and the CSRF check every form post passes.

Pages hold consumer contact details, so nothing is cached (``no-store``), no other site may
frame them, no referrer leaves with a link, and the Content-Security-Policy allows only bob's
own stylesheet: no script at all, no inline style.

CSRF: each form carries an HMAC of a per-browser secret the page's cookies already hold (the
session token once signed in, a random form cookie before), so a post from another site,
which cannot read the cookie, cannot carry it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aiohttp import web
from aiohttp.typedefs import Handler

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
FORM_COOKIE = "bob_form"
CSRF_FIELD = "csrf_token"


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Add :data:`SECURITY_HEADERS` to every response, errors and redirects included."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


def new_form_secret() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(seed: str) -> str:
    """The token a form of this browser carries: an HMAC of its cookie secret."""
    return hmac.new(seed.encode(), b"bob web csrf v1", hashlib.sha256).hexdigest()


def csrf_ok(seed: str | None, given: object) -> bool:
    if not seed or not isinstance(given, str) or not given.isascii():  # compare_digest takes ASCII only
        return False
    return hmac.compare_digest(csrf_token(seed), given)
