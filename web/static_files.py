"""bob's own stylesheet and icon, read once at start-up and served from memory.

aiohttp's ``add_static`` streams each file through an open handle, and when the browser drops
the request mid-send (Chromium does for a favicon) the handle is left for the garbage collector
to close. The assets are a few hundred bytes, so holding them in memory is simpler and leaks
nothing.
"""

from __future__ import annotations

import mimetypes
from importlib.resources.abc import Traversable

from aiohttp import web

from rules.templating import TEMPLATES

STATIC = TEMPLATES / "web" / "static"
Assets = dict[str, tuple[bytes, str]]
STATIC_FILES: web.AppKey[Assets] = web.AppKey("static_files")


def read_assets(folder: Traversable = STATIC) -> Assets:
    """Each file directly in ``folder``: its bytes and content type, by file name."""
    assets: Assets = {}
    for path in folder.iterdir():
        if path.is_file():
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            assets[path.name] = (path.read_bytes(), content_type)
    return assets


async def static_file(request: web.Request) -> web.Response:
    found = request.app[STATIC_FILES].get(request.match_info["name"])
    if found is None:
        raise web.HTTPNotFound()
    body, content_type = found
    return web.Response(body=body, content_type=content_type)


def add_routes(application: web.Application) -> None:
    application[STATIC_FILES] = read_assets()
    application.router.add_get("/static/{name}", static_file, name="static")
