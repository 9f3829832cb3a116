#!/usr/bin/env bash
# corscope against real servers: Express + the `cors` npm package, Starlette's CORSMiddleware (FastAPI's),
# Flask-CORS and nginx's add_header recipes, in typical configurations and misconfigurations (e2e/servers/).
# Builds the page (or reuses one), starts the four servers on free loopback ports, and runs e2e/real-servers.mjs, which compares the page's
# verdict (browser-only and pasted-headers paths) with Chromium's own for every case. Prints the agreement
# table and totals; exits non-zero on any wrong row. Stops everything it started, by PID.
#
# Installs on first use: `npm ci` in e2e/servers/express (express, cors; pinned by package-lock.json) and a
# venv in target/real-servers/venv with e2e/servers/{starlette,flask}/requirements.txt (starlette, uvicorn,
# flask, flask-cors); Debian's
# nginx package unpacked into target/real-servers/nginx (`apt-get download` + `dpkg -x`: no service is
# installed or started), unless an nginx is on PATH.
# Env: CORSCOPE_E2E_DIST=<dir>  use an already built dist/ instead of building one
#      CASE=<name,...>          only these cases;  CHROMIUM=<path> (default /usr/bin/chromium)
# Output: the table on stdout; target/real-servers/results.json (every row, full reports).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'real-servers: %s\n' "$*" >&2; }
start=$(date +%s)
. scripts/page-harness.sh
harness_tools
command -v python3 >/dev/null || { say "python3 is required"; exit 1; }

if [ ! -d e2e/servers/express/node_modules/cors ]; then
  say "installing express and cors (npm ci in e2e/servers/express)"
  (cd e2e/servers/express && npm ci --no-audit --no-fund --loglevel=error)
fi
VENV=target/real-servers/venv
if ! "$VENV/bin/python" -c 'import starlette, uvicorn, flask, flask_cors' 2>/dev/null; then
  say "installing starlette, uvicorn, flask and flask-cors into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r e2e/servers/starlette/requirements.txt \
    -r e2e/servers/flask/requirements.txt
fi

NGINX=$(command -v nginx || true)
if [ -z "$NGINX" ]; then
  NGINX=target/real-servers/nginx/usr/sbin/nginx
  if ! "$NGINX" -v 2>/dev/null; then
    say "unpacking Debian's nginx into target/real-servers/nginx"
    command -v apt-get >/dev/null || { say "nginx is required (Debian: apt-get download nginx)"; exit 1; }
    rm -rf "$WORK/deb" && mkdir -p "$WORK/deb"
    (cd "$WORK/deb" && { apt-get download -q nginx >/dev/null 2>&1 || { apt-get update -qq && apt-get download -q nginx >/dev/null 2>&1; }; }) \
      || { say "could not download Debian's nginx package"; exit 1; }
    dpkg -x "$WORK"/deb/nginx_*.deb target/real-servers/nginx
    "$NGINX" -v 2>/dev/null || { say "the unpacked nginx does not run"; exit 1; }
  fi
fi

harness_dist "${CORSCOPE_E2E_DIST:-}"

harness_server EXPRESS express node e2e/servers/express/app.js
harness_server STARLETTE starlette "$VENV/bin/python" e2e/servers/starlette/app.py
harness_server FLASK flask "$VENV/bin/python" e2e/servers/flask/app.py
# nginx in the foreground (`daemon off`), its config filled in with a free port, its files under WORK.
NGINX_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/nginx"
sed -e "s#@PORT@#$NGINX_PORT#g" -e "s#@ROOT@#$PWD/e2e/servers/nginx#g" -e "s#@PREFIX@#$WORK/nginx#g" \
  e2e/servers/nginx/nginx.conf.in >"$WORK/nginx/nginx.conf"
"$NGINX" -t -q -p "$WORK/nginx" -e stderr -c "$WORK/nginx/nginx.conf" || { say "nginx rejects its config"; exit 1; }
harness_server NGINX_URL nginx bash -c 'echo "listening on http://127.0.0.1:$1"; exec "$2" -p "$3" -e stderr -c "$3/nginx.conf" -g "daemon off;"' \
  nginx "$NGINX_PORT" "$NGINX" "$WORK/nginx"
say "express $EXPRESS, starlette $STARLETTE, flask $FLASK, nginx $NGINX_URL (pids ${PIDS[*]})"

status=0
harness_run e2e/real-servers.mjs --dist "$DIST" --express "$EXPRESS" --starlette "$STARLETTE" --flask "$FLASK" \
  --nginx "$NGINX_URL" \
  --out target/real-servers || status=$?
say "finished in $(( $(date +%s) - start )) s with status $status"
exit "$status"
