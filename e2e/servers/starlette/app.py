"""Starlette's CORSMiddleware (what FastAPI re-exports as fastapi.middleware.cors.CORSMiddleware) in typical
configurations and misconfigurations, one mount each, for scripts/real-servers.sh.

    python app.py [port]      # 127.0.0.1, port 0 (default) = a free one; prints `listening on http://127.0.0.1:<port>`

Nothing here knows the page's origin: every decision is CORSMiddleware's, from the request's Origin header.
"""
import socket
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route


async def ok(request):
    return JSONResponse({"ok": True, "method": request.method, "path": request.url.path})


METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]  # no OPTIONS: CORSMiddleware answers preflights


def app_with(**cors):
    inner = Starlette(routes=[Route("/", ok, methods=METHODS), Route("/{rest:path}", ok, methods=METHODS)])
    return CORSMiddleware(inner, **cors)


CONFIGS = {
    # allow_origins=['*']: `*`, default allow_methods=('GET',), no extra request headers.
    "wildcard": dict(allow_origins=["*"]),
    # A fixed origin that is not the page's: no Access-Control-Allow-Origin at all for other origins.
    "fixed": dict(allow_origins=["https://app.example.com"], allow_methods=["*"], allow_headers=["*"]),
    # '*' with credentials: Starlette reflects the request's Origin instead of '*'.
    "wildcard-credentials": dict(allow_origins=["*"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"]),
    # allow_headers=[]: only the safelisted ones; a custom header is answered 400 "Disallowed CORS headers".
    "no-headers": dict(allow_origins=["*"], allow_methods=["*"], allow_headers=[]),
    # allow_methods=['GET']: a PUT preflight is answered 400 "Disallowed CORS method".
    "get-only": dict(allow_origins=["*"], allow_methods=["GET"], allow_headers=["*"]),
    # allow_origin_regex matching any loopback page, with credentials.
    "regex": dict(allow_origin_regex=r"https?://(127\.0\.0\.1|localhost)(:\d+)?", allow_credentials=True,
                  allow_methods=["*"], allow_headers=["*"]),
    # allow_origin_regex for a production domain only: the loopback page is not allowed.
    "regex-prod": dict(allow_origin_regex=r"https://([a-z0-9-]+\.)?example\.com", allow_methods=["*"], allow_headers=["*"]),
}

app = Starlette(routes=[Mount(f"/{name}", app=app_with(**cors)) for name, cors in CONFIGS.items()])

if __name__ == "__main__":
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0))
    sock.listen(128)  # connections queue from now on; uvicorn serves them once it runs
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])
