//! The HTTP side: routes, the per-request log line and time limit, the headers every response carries,
//! and an accept loop with bounded connections and graceful shutdown.
//!
//! axum does the routing; the connection itself is driven by hyper's HTTP/1 builder directly, because
//! `axum::serve` exposes neither the header-size limit nor the header-read timeout that keep a slow or
//! hostile client from holding memory or tasks.

use std::future::Future;
use std::io::{self, Write};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::header::{
    HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ORIGIN,
};
use axum::http::{request, Method, Response, StatusCode};
use axum::middleware::{self, Next};
use axum::routing::any;
use axum::Router;
use http_body_util::BodyExt;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::catalogue::{self, Answer};
use crate::echo::Echo;
use crate::faults::{Claim, Faults, Intercept};
use crate::filler::Filler;
use crate::reply::{self, Ctx, Headers, ACRM, JSON};
use crate::{builder, query};

/// The largest request body the lab reads; larger ones get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The default for [`Config::request_timeout`]: the most time one request may take, body upload and
/// `delay_ms` included (so it must exceed the builder's 10 s delay cap).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The default for [`Config::header_read_timeout`]: the most time a client may take to send a request's head.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request head (request line and headers); larger ones get hyper's 431.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// The most connections served at once; further ones wait in the listen backlog.
pub const MAX_CONNECTIONS: usize = 2048;
/// How long shutdown waits for in-flight requests before dropping them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How the lab runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Suppress the per-request log line (the ready line is the caller's business).
    pub quiet: bool,
    /// The most time one request may take; the lab answers 503 after it.
    pub request_timeout: Duration,
    /// The most time a client may take to send a request head; the connection is closed after it.
    pub header_read_timeout: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            quiet: false,
            request_timeout: REQUEST_TIMEOUT,
            header_read_timeout: HEADER_READ_TIMEOUT,
        }
    }
}

/// Per-server state shared by the handlers.
#[derive(Clone, Debug)]
struct AppState {
    quiet: bool,
    request_timeout: Duration,
    /// The listening address, used as `{lab}` when a request has no `Host` header.
    local: Arc<str>,
}

/// Serves the lab on `listener` until `shutdown` completes, then drains in-flight requests (at most
/// [`SHUTDOWN_GRACE`]) and returns.
pub async fn serve<F>(listener: TcpListener, config: Config, shutdown: F) -> io::Result<()>
where
    F: Future<Output = ()> + Send,
{
    let state = AppState {
        quiet: config.quiet,
        request_timeout: config.request_timeout,
        local: listener.local_addr()?.to_string().into(),
    };
    let faults = Faults::new(config.quiet);
    let app = router(state, Arc::clone(&faults));
    let http = http_settings(config.header_read_timeout);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = accept(&listener, &slots) => accepted,
        };
        let Some((stream, slot)) = accepted else {
            continue;
        };
        // A `/f/` request claims the connection from hyper and gets its fault written on the raw socket.
        let (io, claim) = Claim::wrap(stream);
        let service = Intercept::new(TowerToHyperService::new(app.clone()), &claim);
        let conn = graceful.watch(http.serve_connection(TokioIo::new(io), service));
        let faults = Arc::clone(&faults);
        tokio::spawn(async move {
            // A client that vanishes or sends garbage ends its connection; there is nothing to report.
            let _ = conn.await;
            faults.serve_claimed(&claim).await;
            drop(slot);
        });
    }
    drop(listener);
    faults.shut_down();
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {}
    }
    Ok(())
}

/// Waits for a free connection slot, then for a connection. `None` after a transient accept error
/// (e.g. out of file descriptors), after a short pause so the loop does not spin.
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> Option<(tokio::net::TcpStream, tokio::sync::OwnedSemaphorePermit)> {
    let slot = Arc::clone(slots).acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, _peer)) => {
            // Small responses, request/response traffic: do not wait for Nagle.
            let _ = stream.set_nodelay(true);
            Some((stream, slot))
        }
        Err(err) => {
            log_line(&format!("corscope-lab: accept failed: {err}"));
            tokio::time::sleep(Duration::from_millis(50)).await;
            None
        }
    }
}

/// HTTP/1 settings that bound what one client can make the lab hold.
fn http_settings(header_read_timeout: Duration) -> http1::Builder {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .max_header_size(MAX_HEADER_BYTES)
        .max_buf_size(2 * MAX_HEADER_BYTES)
        .keep_alive(true);
    http
}

/// All routes; unknown paths get a readable 404.
fn router(state: AppState, faults: Arc<Faults>) -> Router {
    Router::new()
        .route("/", any(index))
        .route("/scenarios", any(scenarios))
        .route("/s/{name}", any(scenario))
        .route("/b", any(build))
        .route("/echo", any(echo))
        .merge(crate::faults::routes(faults))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), log_and_limit))
        .layer(middleware::map_response(common_headers))
        .with_state(state)
}

/// An `OPTIONS` request is a CORS preflight when it carries `Access-Control-Request-Method`.
fn is_preflight(parts: &request::Parts) -> bool {
    parts.method == Method::OPTIONS && parts.headers.contains_key(ACRM)
}

/// `GET /scenarios`: the catalogue, readable by any origin.
async fn scenarios(State(state): State<AppState>, req: Request) -> Response<Body> {
    static JSON_TEXT: LazyLock<String> = LazyLock::new(|| catalogue::to_json().to_string());
    lab_document(&state, req, JSON_TEXT.as_str())
}

/// `GET /`: what the lab offers, readable by any origin.
async fn index(State(state): State<AppState>, req: Request) -> Response<Body> {
    static JSON_TEXT: LazyLock<String> = LazyLock::new(|| {
        serde_json::json!({
            "name": "corscope-lab",
            "version": env!("CARGO_PKG_VERSION"),
            "endpoints": {
                "/scenarios": "the scenario catalogue (JSON)",
                "/s/<name>": "a named scenario",
                "/b?<params>": "the free-form builder (acao, acac, acam, acah, aceh, acma, vary, set_cookie, \
                                redirect, hdr, status, reason, delay_ms, body_bytes, body; pf_ prefix for the preflight)",
                "/echo": "a permissive endpoint that echoes the request",
                "/f/<name>": "a faulty server (resets, hangs, a 1 GiB body, a gzip bomb, ...); /faults lists them",
                "/faults": "the fault catalogue (JSON); /faults/open counts open fault connections",
            },
            "placeholders": {
                "{origin}": "the request's Origin header as sent (the page's origin)",
                "{origin_enc}": "the same, percent-encoded",
                "{lab}": "the host:port by which the client reached the lab (its Host header)",
                "{alt}": "the lab under its other name (localhost <-> 127.0.0.1), a different origin",
                "{acrm}": "the preflight's Access-Control-Request-Method",
                "{acrh}": "the preflight's Access-Control-Request-Headers",
            },
        })
        .to_string()
    });
    lab_document(&state, req, JSON_TEXT.as_str())
}

/// A static JSON document of the lab itself, with a permissive preflight answer.
fn lab_document(state: &AppState, req: Request, json: &'static str) -> Response<Body> {
    let (parts, _body) = req.into_parts();
    if is_preflight(&parts) {
        let ctx = Ctx::new(&parts.headers, &state.local);
        return answer(&ctx, &catalogue::ECHO_PREFLIGHT, Body::empty());
    }
    let origin = parts.headers.get(ORIGIN).map(HeaderValue::as_bytes);
    reply::build(
        StatusCode::OK,
        reply::readable_by(origin, JSON),
        Body::from(json),
    )
}

/// `/s/<name>`: a scenario's preflight or actual answer from the catalogue.
async fn scenario(
    State(state): State<AppState>,
    Path(name): Path<String>,
    req: Request,
) -> Response<Body> {
    match catalogue::find(&name) {
        Some(s) => from_table(&state, req, s.preflight_answer(), s.actual).await,
        None => {
            let origin = req.headers().get(ORIGIN).map(HeaderValue::as_bytes);
            let message = format!("no scenario named {name:?}; GET /scenarios lists them");
            reply::lab_error(StatusCode::NOT_FOUND, origin, &message)
        }
    }
}

/// `/echo`: allows everything and echoes the request.
async fn echo(State(state): State<AppState>, req: Request) -> Response<Body> {
    from_table(
        &state,
        req,
        catalogue::ECHO_PREFLIGHT,
        catalogue::ECHO_ACTUAL,
    )
    .await
}

/// Answers from catalogue data: the preflight answer with no body, or the actual answer with the echo.
async fn from_table(
    state: &AppState,
    req: Request,
    preflight: Answer,
    actual: Answer,
) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let ctx = Ctx::new(&parts.headers, &state.local);
    if is_preflight(&parts) {
        return answer(&ctx, &preflight, Body::empty());
    }
    let received = match body_len(&parts, body).await {
        Ok(n) => n,
        Err(refusal) => return refusal,
    };
    let echo = Echo::new(&parts.method, &parts.uri, &parts.headers, received).to_json();
    answer(&ctx, &actual, Body::from(echo))
}

/// A catalogue answer with its templates expanded (headers that reflect an absent request header are left out).
fn answer(ctx: &Ctx<'_>, answer: &Answer, body: Body) -> Response<Body> {
    let mut headers: Headers = answer
        .headers
        .iter()
        .filter_map(|(name, template)| {
            let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
            let value = HeaderValue::from_bytes(&ctx.expand(template)?).ok()?;
            Some((name, value))
        })
        .collect();
    default_content_type(&mut headers, JSON);
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    reply::build(status, headers, body)
}

/// `/b?<params>`: the free-form builder.
async fn build(State(state): State<AppState>, req: Request) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let ctx = Ctx::new(&parts.headers, &state.local);
    let params = query::parse(parts.uri.query().unwrap_or_default());
    let preflight = is_preflight(&parts);
    let mut plan = match builder::plan(&params, preflight, &ctx) {
        Ok(plan) => plan,
        Err(message) => return reply::lab_error(StatusCode::BAD_REQUEST, ctx.origin, &message),
    };
    let received = if preflight {
        0
    } else {
        match body_len(&parts, body).await {
            Ok(n) => n,
            Err(refusal) => return refusal,
        }
    };
    tokio::time::sleep(plan.delay).await;
    let body = match (plan.body.take(), plan.body_bytes) {
        (Some(bytes), _) => {
            default_content_type(&mut plan.headers, "text/plain");
            Body::from(bytes)
        }
        (None, Some(len)) => {
            default_content_type(&mut plan.headers, "text/plain");
            Body::new(Filler::new(len))
        }
        (None, None) if preflight => Body::empty(),
        (None, None) => {
            default_content_type(&mut plan.headers, JSON);
            Body::from(Echo::new(&parts.method, &parts.uri, &parts.headers, received).to_json())
        }
    };
    let mut response = reply::build(plan.status, plan.headers, body);
    if let Some(reason) = plan.reason {
        response.extensions_mut().insert(reason);
    }
    response
}

/// Any other path: a 404 the page can read.
async fn not_found(req: Request) -> Response<Body> {
    let origin = req.headers().get(ORIGIN).map(HeaderValue::as_bytes);
    reply::lab_error(
        StatusCode::NOT_FOUND,
        origin,
        "no such lab endpoint; GET / lists them",
    )
}

/// Adds `Content-Type` unless the answer already names one.
fn default_content_type(headers: &mut Headers, content_type: &'static str) {
    if !headers.iter().any(|(name, _)| name == CONTENT_TYPE) {
        headers.push((CONTENT_TYPE, HeaderValue::from_static(content_type)));
    }
}

/// Reads the request body only to count it, refusing (413) beyond [`MAX_BODY_BYTES`] and answering 400
/// when the upload breaks off.
async fn body_len(parts: &request::Parts, body: Body) -> Result<usize, Response<Body>> {
    let origin = parts.headers.get(ORIGIN).map(HeaderValue::as_bytes);
    let too_large = || {
        let message = format!("request body larger than {MAX_BODY_BYTES} bytes");
        reply::lab_error(StatusCode::PAYLOAD_TOO_LARGE, origin, &message)
    };
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let mut body = body;
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(reply::lab_error(
                StatusCode::BAD_REQUEST,
                origin,
                "the request body broke off",
            ));
        };
        total = total.saturating_add(frame.data_ref().map_or(0, |d| d.len()));
        if total > MAX_BODY_BYTES {
            return Err(too_large());
        }
    }
    Ok(total)
}

/// Logs one line per request and bounds its running time by the configured request timeout.
async fn log_and_limit(State(state): State<AppState>, req: Request, next: Next) -> Response<Body> {
    let line = (!state.quiet).then(|| describe(&req));
    let origin = req.headers().get(ORIGIN).map(|v| v.as_bytes().to_vec());
    let response = match tokio::time::timeout(state.request_timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_elapsed) => reply::lab_error(
            StatusCode::SERVICE_UNAVAILABLE,
            origin.as_deref(),
            "the lab gave up on this request (time limit reached)",
        ),
    };
    if let Some(line) = line {
        log_line(&format!("{line} -> {}", response.status().as_u16()));
    }
    response
}

/// `METHOD /path?query origin=… acrm=… acrh=…`, each value escaped and shortened for a one-line log.
fn describe(req: &Request) -> String {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .map_or_else(|| String::from("-"), |v| printable(v.as_bytes()))
    };
    let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    format!(
        "{} {} origin={} acrm={} acrh={}",
        printable(req.method().as_str().as_bytes()),
        printable(target.as_bytes()),
        header("origin"),
        header(ACRM),
        header(reply::ACRH),
    )
}

/// Escapes control and non-ASCII bytes (so a hostile header cannot forge log lines) and cuts at 200 bytes.
pub(crate) fn printable(bytes: &[u8]) -> String {
    const LIMIT: usize = 200;
    let shown = bytes.get(..LIMIT).unwrap_or(bytes);
    let mut text = shown.escape_ascii().to_string();
    if bytes.len() > LIMIT {
        text.push('…');
    }
    text
}

/// Writes one line to stdout, ignoring a closed stdout (a log must never take the server down).
pub(crate) fn log_line(line: &str) {
    let _ = writeln!(io::stdout().lock(), "{line}");
}

/// Every response, errors included: `Cross-Origin-Resource-Policy: cross-origin` (so `no-cors` probes work
/// from a cross-origin-isolated page) and `Cache-Control: no-store` (so no answer is reused), unless the
/// response already set them (the builder's `hdr` may).
async fn common_headers(mut response: Response<Body>) -> Response<Body> {
    let headers = response.headers_mut();
    headers
        .entry(HeaderName::from_static("cross-origin-resource-policy"))
        .or_insert(HeaderValue::from_static("cross-origin"));
    headers
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_values_are_escaped_and_shortened() {
        assert_eq!(printable(b"http://a\r\nFAKE 200"), "http://a\\r\\nFAKE 200");
        assert_eq!(printable(b"\xff"), "\\xff");
        let long = printable(&[b'a'; 500]);
        assert!(long.ends_with('…') && long.len() < 210);
    }

    #[test]
    fn log_line_names_the_cors_request_headers() {
        let req = Request::builder()
            .method("OPTIONS")
            .uri("/s/x?y=1")
            .header("origin", "http://127.0.0.1:5000")
            .header(ACRM, "PUT")
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            describe(&req),
            "OPTIONS /s/x?y=1 origin=http://127.0.0.1:5000 acrm=PUT acrh=-"
        );
    }
}
