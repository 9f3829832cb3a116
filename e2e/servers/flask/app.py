"""Flask-CORS in typical configurations and misconfigurations, one path prefix each, for
scripts/real-servers.sh.

    python app.py [port]      # 127.0.0.1, port 0 (default) = a free one; prints `listening on http://127.0.0.1:<port>`

Nothing here knows the page's origin: every decision is Flask-CORS's, from the request's Origin header.
"""
import sys

from flask import Flask, abort, jsonify, request
from flask_cors import CORS
from werkzeug.serving import make_server

app = Flask(__name__)

CORS(app, resources={
    # The defaults: any origin (echoed back, with Vary: Origin), every method, the requested headers echoed.
    r"/default/*": {},
    # A fixed origin that is not the page's: no Access-Control-Allow-Origin for other origins.
    r"/fixed/*": {"origins": ["https://app.example.com"]},
    # `*` sent as `*` (send_wildcard), without credentials support: a credentialed request is refused.
    r"/wildcard/*": {"origins": "*", "send_wildcard": True},
    # A loopback allow-list (regular expression) with credentials.
    r"/credentials/*": {"origins": [r"http://(127\.0\.0\.1|localhost)(:\d+)?"], "supports_credentials": True},
    # Only Content-Type may be sent: the preflight answers without the other requested headers.
    r"/headers/*": {"allow_headers": ["Content-Type"]},
    # Only GET and POST: the preflight's Access-Control-Allow-Methods leaves PUT out.
    r"/methods/*": {"methods": ["GET", "POST"]},
})


@app.route("/<prefix>/api", methods=["GET", "POST", "PUT", "DELETE"])
def api(prefix):
    return jsonify(ok=True, method=request.method, prefix=prefix)


@app.route("/<prefix>/get-only")
def get_only(prefix):
    return jsonify(ok=True, prefix=prefix)


@app.route("/<prefix>/boom")
def boom(prefix):
    raise RuntimeError("an unhandled error")  # Flask answers 500; Flask-CORS still adds its headers


@app.route("/<prefix>/missing")
def missing(prefix):
    abort(404)


if __name__ == "__main__":
    server = make_server("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0, app, threaded=True)
    print(f"listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()
