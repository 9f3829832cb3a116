//! Faulty servers under `/f/<name>`: connections that reset, hang, drip, never end, or send what no
//! well-behaved HTTP library would (1,000 headers, a gzip bomb, broken chunked encoding, a redirect loop).
//!
//! hyper cannot send most of these, so a `/f/` request is taken off hyper and answered by hand on the raw
//! socket: every connection's socket is wrapped in an `Io` that can be *claimed*, and the per-connection
//! service (`Intercept`) claims it when a request's path starts with `/f/`. It then fails the request,
//! which makes hyper stop without writing a byte; the wrapper hands the socket back when hyper drops it,
//! and `Faults::serve_claimed` writes the fault. This works on the first request of a connection and on
//! a kept-alive one alike (a browser reuses its idle connection to the lab for a later `/f/` request).
//!
//! Everything is bounded: a fault connection ends when the client closes it, on shutdown, or after
//! [`FAULT_LIMIT`] at the latest (a hanging fault after [`HOLD_LIMIT`], a drip after [`DRIP_LIMIT`]). Bodies
//! are generated while they are sent (the 1 GiB body is one static 64 KiB chunk written again and again;
//! the gzip bomb is about 1 MB built once). `Faults::open` counts the fault connections in progress;
//! `GET /faults/open` shows it, `GET /faults` lists the faults.
//!
//! Every fault response that gets as far as headers lets the page read it (`Access-Control-Allow-Origin`
//! reflecting the request's `Origin`, with credentials) and carries `Cross-Origin-Resource-Policy:
//! cross-origin`, so what the page sees is the fault itself, not CORS.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{HeaderMap, HeaderValue, ORIGIN};
use axum::http::{Method, Request, Response, StatusCode};
use axum::routing::any;
use axum::Router;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::reply::{self, ACRH, ACRM, JSON};

/// The path prefix of the fault endpoints.
pub const PREFIX: &str = "/f/";
/// The most time any fault connection is kept open.
pub const FAULT_LIMIT: Duration = Duration::from_secs(120);
/// How long a connection that is never answered (or whose body never ends) is held.
pub const HOLD_LIMIT: Duration = Duration::from_secs(60);
/// How long the slow drip drips.
pub const DRIP_LIMIT: Duration = Duration::from_secs(120);
/// The size of the huge body.
pub const HUGE_BODY_BYTES: u64 = 1 << 30;
/// The decoded size of the gzip bomb.
pub const GZIP_BOMB_DECODED: u64 = 1 << 30;
/// The default delay of the slow preflight (`delay_ms` changes it, up to [`HOLD_LIMIT`]).
pub const SLOW_PREFLIGHT_DELAY: Duration = Duration::from_secs(15);
/// How long the resets wait after sending their partial bytes, so the client reads them before the reset.
const BEFORE_RESET: Duration = Duration::from_millis(300);
/// After a complete response: how long to wait for the client to close before closing ourselves.
const LINGER: Duration = Duration::from_secs(10);

/// What the page should end with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A readable response (maybe with a capped or broken-off body preview).
    Ok,
    /// `fetch()` rejects and the probes find no HTTP answer: not CORS.
    NetworkError,
    /// The page's timeout fires first.
    Timeout,
    /// The browser blocks the response for a CORS reason.
    Blocked,
}

impl Outcome {
    /// The page report's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::NetworkError => "network-error",
            Outcome::Timeout => "timeout",
            Outcome::Blocked => "blocked",
        }
    }
}

/// One fault: its name (`/f/<name>`), what it does, and what the page should make of it.
#[derive(Clone, Copy, Debug)]
pub struct Fault {
    pub name: &'static str,
    pub description: &'static str,
    /// The request method to use (`PUT` for the slow preflight, so a preflight is needed).
    pub method: &'static str,
    pub outcome: Outcome,
    /// The body is longer than the page's 64 KiB preview: the preview is capped (truncated).
    pub preview_capped: bool,
    /// The body breaks off with an error after the headers arrived (the page reports it as a finding).
    pub body_error: bool,
}

const fn fault(name: &'static str, outcome: Outcome, description: &'static str) -> Fault {
    Fault {
        name,
        description,
        method: "GET",
        outcome,
        preview_capped: false,
        body_error: false,
    }
}

/// Every fault, in the order of issue 7.
pub static FAULTS: [Fault; 18] = [
    fault(
        "reset-before-status",
        Outcome::NetworkError,
        "Reads the request, then resets the connection (TCP RST) before a byte of the answer.",
    ),
    fault(
        "reset-mid-headers",
        Outcome::NetworkError,
        "Sends the status line and a few headers, stops in the middle of a header line, then resets.",
    ),
    Fault {
        body_error: true,
        ..fault(
            "reset-mid-body",
            Outcome::Ok,
            "Complete headers announcing a 1 MiB body (`Content-Length`), 16 KiB of it, then a reset.",
        )
    },
    fault(
        "never-answer",
        Outcome::Timeout,
        "Reads the request and never answers; the lab closes the connection after 60 s.",
    ),
    Fault {
        body_error: true,
        ..fault(
            "endless-body",
            Outcome::Ok,
            "Complete headers (chunked), one chunk, then nothing: the body never ends (closed after 60 s).",
        )
    },
    fault(
        "slow-drip",
        Outcome::Timeout,
        "The whole answer, status line included, one byte per second (stops after 120 s).",
    ),
    Fault {
        preview_capped: true,
        ..fault(
            "huge-body",
            Outcome::Ok,
            "A 1 GiB body (`Content-Length: 1073741824`), generated while it is sent, never buffered.",
        )
    },
    Fault {
        preview_capped: true,
        ..fault(
            "gzip-bomb",
            Outcome::Ok,
            "`Content-Encoding: gzip`: about 1 MB on the wire that decodes to 1 GiB of zero bytes.",
        )
    },
    Fault {
        body_error: true,
        ..fault(
            "bad-chunked",
            Outcome::Ok,
            "`Transfer-Encoding: chunked` with one valid chunk, then a chunk size that is not hexadecimal.",
        )
    },
    fault(
        "many-headers",
        Outcome::Ok,
        "1,000 response headers (`X-Fault-0000` … `X-Fault-0999`), all exposed.",
    ),
    fault(
        "huge-header",
        Outcome::Ok,
        "One header (`X-Fault-Huge`) with a 64 KiB value, exposed.",
    ),
    fault(
        "non-utf8",
        Outcome::Ok,
        "Bytes that are not UTF-8 in a header value (`X-Fault-Bytes`, exposed) and in the body.",
    ),
    fault(
        "http10-no-length",
        Outcome::Ok,
        "An `HTTP/1.0` answer without `Content-Length`: the body ends when the lab closes the connection.",
    ),
    fault(
        "redirect-loop",
        Outcome::NetworkError,
        "302 to itself with the hop count in the query, forever: more than 20 redirects.",
    ),
    fault(
        "redirect-file",
        Outcome::NetworkError,
        "302 to `file:///etc/passwd`: a redirect to a scheme other than HTTP(S).",
    ),
    fault(
        "redirect-data",
        Outcome::NetworkError,
        "302 to a `data:` URL: a redirect to a scheme other than HTTP(S).",
    ),
    fault(
        "informational",
        Outcome::Ok,
        "`100 Continue`, `102 Processing` and `103 Early Hints` before the final `200`.",
    ),
    Fault {
        method: "PUT",
        ..fault(
            "slow-preflight",
            Outcome::Timeout,
            "Answers a preflight (`OPTIONS` with `Access-Control-Request-Method`) after 15 s (`delay_ms`, \
             at most 60 000, changes it), allowing everything; any other request at once. Send a `PUT`.",
        )
    },
];

/// Finds a fault by name.
pub fn find(name: &str) -> Option<&'static Fault> {
    FAULTS.iter().find(|f| f.name == name)
}

/// The catalogue as JSON: `[{name, path, description, request: {method}, expected: {outcome,
/// preview_capped, body_error}}]`.
pub fn to_json() -> serde_json::Value {
    FAULTS
        .iter()
        .map(|f| {
            serde_json::json!({
                "name": f.name,
                "path": format!("{PREFIX}{}", f.name),
                "description": f.description,
                "request": { "method": f.method },
                "expected": {
                    "outcome": f.outcome.as_str(),
                    "preview_capped": f.preview_capped,
                    "body_error": f.body_error,
                },
            })
        })
        .collect()
}

/// The fault side of a running lab: the count of open fault connections and the shutdown signal.
#[derive(Debug)]
pub(crate) struct Faults {
    open: AtomicUsize,
    quiet: bool,
    stop: watch::Sender<bool>,
}

impl Faults {
    pub(crate) fn new(quiet: bool) -> Arc<Faults> {
        Arc::new(Faults {
            open: AtomicUsize::new(0),
            quiet,
            stop: watch::Sender::new(false),
        })
    }

    /// Fault connections in progress.
    pub(crate) fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// Ends every fault connection now, and any later one at once.
    pub(crate) fn shut_down(&self) {
        self.stop.send_replace(true);
    }

    /// Answers the fault request that claimed this connection, if one did (hyper has let go of it).
    pub(crate) async fn serve_claimed(&self, claim: &Claim) {
        let Some((request, stream)) = claim.take() else {
            return;
        };
        self.open.fetch_add(1, Ordering::SeqCst);
        let _open = Open(&self.open);
        if !self.quiet {
            crate::server::log_line(&format!("{} -> fault", request.describe()));
        }
        let mut stop = self.stop.subscribe();
        tokio::select! {
            _ = stop.wait_for(|stopped| *stopped) => {}
            _ = tokio::time::timeout(FAULT_LIMIT, run(&request, stream)) => {}
        }
    }
}

/// Counts one open fault connection until dropped.
struct Open<'a>(&'a AtomicUsize);

impl Drop for Open<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What a fault needs to know of the request it answers.
#[derive(Debug)]
pub(crate) struct FaultRequest {
    method: Method,
    name: String,
    target: String,
    query: String,
    origin: Option<Vec<u8>>,
    acrm: Option<Vec<u8>>,
    acrh: Option<Vec<u8>>,
}

impl FaultRequest {
    fn new<B>(req: &Request<B>) -> Option<FaultRequest> {
        let name = req.uri().path().strip_prefix(PREFIX)?.to_string();
        let header = |name| {
            req.headers()
                .get(name)
                .map(|v: &HeaderValue| v.as_bytes().to_vec())
        };
        Some(FaultRequest {
            method: req.method().clone(),
            name,
            target: req
                .uri()
                .path_and_query()
                .map_or_else(String::new, |pq| pq.as_str().to_string()),
            query: req.uri().query().unwrap_or_default().to_string(),
            origin: header(ORIGIN.as_str()),
            acrm: header(ACRM),
            acrh: header(ACRH),
        })
    }

    fn is_preflight(&self) -> bool {
        self.method == Method::OPTIONS && self.acrm.is_some()
    }

    /// A query parameter's value (no percent-decoding: the faults only read numbers).
    fn param(&self, key: &str) -> Option<&str> {
        self.query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    fn describe(&self) -> String {
        let value = |v: &Option<Vec<u8>>| {
            v.as_deref()
                .map_or_else(|| String::from("-"), crate::server::printable)
        };
        format!(
            "{} {} origin={} acrm={} acrh={}",
            crate::server::printable(self.method.as_str().as_bytes()),
            crate::server::printable(self.target.as_bytes()),
            value(&self.origin),
            value(&self.acrm),
            value(&self.acrh),
        )
    }
}

/// The hand-over point between hyper and a fault, one per connection: the fault request that claimed the
/// connection, then the socket once hyper has dropped it.
#[derive(Debug, Default)]
pub(crate) struct Claim {
    state: Mutex<(Option<FaultRequest>, Option<TcpStream>)>,
}

impl Claim {
    /// Wraps a fresh connection's socket so a fault can claim it.
    pub(crate) fn wrap(stream: TcpStream) -> (Io, Arc<Claim>) {
        let claim = Arc::new(Claim::default());
        let io = Io {
            stream: Some(stream),
            claim: Arc::clone(&claim),
        };
        (io, claim)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Option<FaultRequest>, Option<TcpStream>)> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn take(&self) -> Option<(FaultRequest, TcpStream)> {
        let mut state = self.lock();
        let (request, stream) = (state.0.take(), state.1.take());
        request.zip(stream)
    }
}

/// A connection's socket as hyper sees it; handed to the [`Claim`] when dropped after a fault claimed it.
#[derive(Debug)]
pub(crate) struct Io {
    stream: Option<TcpStream>,
    claim: Arc<Claim>,
}

impl Io {
    fn stream(&mut self) -> io::Result<Pin<&mut TcpStream>> {
        self.stream
            .as_mut()
            .map(Pin::new)
            .ok_or_else(|| io::ErrorKind::NotConnected.into())
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        let mut state = self.claim.lock();
        if state.0.is_some() {
            state.1 = self.stream.take();
        }
    }
}

impl AsyncRead for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut().stream() {
            Ok(stream) => stream.poll_read(cx, buf),
            Err(err) => Poll::Ready(Err(err)),
        }
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut().stream() {
            Ok(stream) => stream.poll_write(cx, buf),
            Err(err) => Poll::Ready(Err(err)),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut().stream() {
            Ok(stream) => stream.poll_write_vectored(cx, bufs),
            Err(err) => Poll::Ready(Err(err)),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.as_ref().is_some_and(|s| s.is_write_vectored())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().stream() {
            Ok(stream) => stream.poll_flush(cx),
            Err(err) => Poll::Ready(Err(err)),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().stream() {
            Ok(stream) => stream.poll_shutdown(cx),
            Err(err) => Poll::Ready(Err(err)),
        }
    }
}

/// The per-connection service: `/f/` requests claim the connection, everything else goes to the lab.
#[derive(Debug)]
pub(crate) struct Intercept<S> {
    inner: S,
    claim: Arc<Claim>,
}

impl<S> Intercept<S> {
    pub(crate) fn new(inner: S, claim: &Arc<Claim>) -> Intercept<S> {
        Intercept {
            inner,
            claim: Arc::clone(claim),
        }
    }
}

/// The error that makes hyper let go of a connection a fault claimed (hyper writes nothing for it).
#[derive(Debug)]
pub(crate) struct Claimed;

impl fmt::Display for Claimed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection handed to a fault endpoint")
    }
}

impl std::error::Error for Claimed {}

type Answer = Pin<Box<dyn Future<Output = Result<Response<Body>, Claimed>> + Send>>;

impl<S, B> hyper::service::Service<Request<B>> for Intercept<S>
where
    S: hyper::service::Service<Request<B>, Response = Response<Body>, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response<Body>;
    type Error = Claimed;
    type Future = Answer;

    fn call(&self, req: Request<B>) -> Answer {
        if let Some(fault) = FaultRequest::new(&req) {
            self.claim.lock().0 = Some(fault);
            return Box::pin(std::future::ready(Err(Claimed)));
        }
        let answer = self.inner.call(req);
        Box::pin(async move {
            match answer.await {
                Ok(response) => Ok(response),
                Err(never) => match never {},
            }
        })
    }
}

/// `GET /faults` and `GET /faults/open`, on hyper like every normal route.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>(faults: Arc<Faults>) -> Router<S> {
    Router::new()
        .route("/faults", any(catalogue))
        .route("/faults/open", any(open_count))
        .with_state(faults)
}

async fn catalogue(headers: HeaderMap) -> Response<Body> {
    static JSON_TEXT: LazyLock<String> = LazyLock::new(|| to_json().to_string());
    document(&headers, JSON_TEXT.clone())
}

async fn open_count(State(faults): State<Arc<Faults>>, headers: HeaderMap) -> Response<Body> {
    document(
        &headers,
        serde_json::json!({ "open": faults.open() }).to_string(),
    )
}

fn document(headers: &HeaderMap, json: String) -> Response<Body> {
    let origin = headers.get(ORIGIN).map(HeaderValue::as_bytes);
    reply::build(
        StatusCode::OK,
        reply::readable_by(origin, JSON),
        Body::from(json),
    )
}

/// Writes the fault named by the request on the raw socket.
async fn run(req: &FaultRequest, mut stream: TcpStream) {
    // An error means the client went away: the fault is over either way.
    let _ = answer(req, &mut stream).await;
}

async fn answer(req: &FaultRequest, stream: &mut TcpStream) -> io::Result<()> {
    match req.name.as_str() {
        "reset-before-status" => reset(stream),
        "reset-mid-headers" => {
            let mut head = head("200 OK", req);
            head.extend_from_slice(
                b"Content-Type: text/plain\r\nX-Fault-Partial: this header line is cut o",
            );
            stream.write_all(&head).await?;
            pause_then_reset(stream).await
        }
        "reset-mid-body" => {
            let mut head = head("200 OK", req);
            header(&mut head, "Content-Type", b"text/plain");
            header(&mut head, "Content-Length", b"1048576");
            end(&mut head);
            stream.write_all(&head).await?;
            stream.write_all(&CHUNK[..16 * 1024]).await?;
            pause_then_reset(stream).await
        }
        "never-answer" => {
            hold(stream, HOLD_LIMIT).await;
            Ok(())
        }
        "endless-body" => {
            let mut head = head("200 OK", req);
            header(&mut head, "Content-Type", b"text/plain");
            header(&mut head, "Transfer-Encoding", b"chunked");
            end(&mut head);
            head.extend_from_slice(b"1f\r\nthe body starts and never ends\n\r\n");
            stream.write_all(&head).await?;
            hold(stream, HOLD_LIMIT).await;
            Ok(())
        }
        "slow-drip" => {
            let body = b"drip, drip, drip: one byte per second\n";
            let mut response = head("200 OK", req);
            header(&mut response, "Content-Type", b"text/plain");
            header(
                &mut response,
                "Content-Length",
                body.len().to_string().as_bytes(),
            );
            end(&mut response);
            response.extend_from_slice(body);
            let drip = async {
                for byte in response {
                    stream.write_all(&[byte]).await?;
                    if hold(stream, Duration::from_secs(1)).await {
                        break;
                    }
                }
                io::Result::Ok(())
            };
            let _ = tokio::time::timeout(DRIP_LIMIT, drip).await;
            Ok(())
        }
        "huge-body" => {
            let mut head = head("200 OK", req);
            header(&mut head, "Content-Type", b"text/plain");
            header(
                &mut head,
                "Content-Length",
                HUGE_BODY_BYTES.to_string().as_bytes(),
            );
            end(&mut head);
            stream.write_all(&head).await?;
            let mut left = HUGE_BODY_BYTES;
            while left > 0 {
                let n = usize::try_from(left).unwrap_or(usize::MAX).min(CHUNK.len());
                stream.write_all(CHUNK.get(..n).unwrap_or_default()).await?;
                left -= n as u64;
            }
            finish(stream).await
        }
        "gzip-bomb" => {
            let bomb = gzip_bomb();
            let mut head = head("200 OK", req);
            header(&mut head, "Content-Type", b"text/plain");
            header(&mut head, "Content-Encoding", b"gzip");
            header(
                &mut head,
                "Content-Length",
                bomb.len().to_string().as_bytes(),
            );
            end(&mut head);
            stream.write_all(&head).await?;
            stream.write_all(bomb).await?;
            finish(stream).await
        }
        "bad-chunked" => {
            let mut head = head("200 OK", req);
            header(&mut head, "Content-Type", b"text/plain");
            header(&mut head, "Transfer-Encoding", b"chunked");
            end(&mut head);
            head.extend_from_slice(b"10\r\nthis chunk is ok\r\nzz; not a chunk size\r\nbroken\r\n");
            stream.write_all(&head).await?;
            hold(stream, HOLD_LIMIT).await;
            Ok(())
        }
        "many-headers" => {
            let mut head = head("200 OK", req);
            header(&mut head, "Access-Control-Expose-Headers", b"*");
            for i in 0..1000 {
                header(
                    &mut head,
                    &format!("X-Fault-{i:04}"),
                    format!("value {i}").as_bytes(),
                );
            }
            complete(stream, head, b"1,000 headers above\n").await
        }
        "huge-header" => {
            let mut head = head("200 OK", req);
            header(&mut head, "Access-Control-Expose-Headers", b"*");
            header(&mut head, "X-Fault-Huge", &[b'h'; 64 * 1024]);
            complete(stream, head, b"a 64 KiB header above\n").await
        }
        "non-utf8" => {
            let mut head = head("200 OK", req);
            header(&mut head, "Access-Control-Expose-Headers", b"*");
            header(&mut head, "X-Fault-Bytes", b"caf\xe9 \xff\xfe \xc3\x28 end");
            complete(
                stream,
                head,
                b"caf\xe9 \xff\xfe\xfd \xc3\x28 \xed\xa0\x80 \xf8\x88\x80\x80\x80 ok\n",
            )
            .await
        }
        "http10-no-length" => {
            let mut response = b"HTTP/1.0 200 OK\r\n".to_vec();
            cors(&mut response, req);
            header(&mut response, "Content-Type", b"text/plain");
            end(&mut response);
            for i in 0..100 {
                response.extend_from_slice(
                    format!("line {i:03}: an HTTP/1.0 body that ends when the connection closes\n")
                        .as_bytes(),
                );
            }
            stream.write_all(&response).await?;
            finish(stream).await
        }
        "redirect-loop" => {
            let hop: u32 = req.param("hop").and_then(|h| h.parse().ok()).unwrap_or(0);
            let location = format!("{PREFIX}redirect-loop?hop={}", hop.saturating_add(1));
            redirect(stream, req, location.as_bytes()).await
        }
        "redirect-file" => redirect(stream, req, b"file:///etc/passwd").await,
        "redirect-data" => {
            redirect(
                stream,
                req,
                b"data:text/plain,corscope-lab%20redirect%20target",
            )
            .await
        }
        "informational" => {
            let mut response = b"HTTP/1.1 100 Continue\r\n\r\n".to_vec();
            response.extend_from_slice(b"HTTP/1.1 102 Processing\r\nX-Fault-Step: 2\r\n\r\n");
            response.extend_from_slice(b"HTTP/1.1 103 Early Hints\r\nX-Fault-Step: 3\r\n\r\n");
            let mut head = head("200 OK", req);
            head.splice(0..0, response);
            complete(
                stream,
                head,
                b"the final answer, after three 1xx responses\n",
            )
            .await
        }
        "slow-preflight" => {
            if !req.is_preflight() {
                return complete(
                    stream,
                    head("200 OK", req),
                    b"the actual request, answered at once\n",
                )
                .await;
            }
            let delay = req
                .param("delay_ms")
                .and_then(|ms| ms.parse().ok())
                .map_or(SLOW_PREFLIGHT_DELAY, Duration::from_millis)
                .min(HOLD_LIMIT);
            if hold(stream, delay).await {
                return Ok(());
            }
            let mut head = head("204 No Content", req);
            if let Some(acrm) = &req.acrm {
                header(&mut head, "Access-Control-Allow-Methods", acrm);
            }
            if let Some(acrh) = &req.acrh {
                header(&mut head, "Access-Control-Allow-Headers", acrh);
            }
            header(&mut head, "Access-Control-Max-Age", b"0");
            header(&mut head, "Content-Length", b"0");
            end(&mut head);
            stream.write_all(&head).await?;
            finish(stream).await
        }
        _ => {
            let body = serde_json::json!({
                "error": format!("no fault named {:?}; GET /faults lists them", req.name),
                "status": 404,
            })
            .to_string();
            let mut head = head("404 Not Found", req);
            header(&mut head, "Content-Type", JSON.as_bytes());
            complete(stream, head, body.as_bytes()).await
        }
    }
}

/// The bytes of the huge and partial bodies.
static CHUNK: [u8; 64 * 1024] = [b'x'; 64 * 1024];

/// A status line and the headers every fault answer carries.
fn head(status: &str, req: &FaultRequest) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n").into_bytes();
    cors(&mut out, req);
    out
}

/// The page may read it (the `Origin` reflected, with credentials), `no-cors` probes may too (CORP), no
/// cache keeps it, and the connection ends with it.
fn cors(out: &mut Vec<u8>, req: &FaultRequest) {
    match &req.origin {
        Some(origin) => {
            header(out, "Access-Control-Allow-Origin", origin);
            header(out, "Access-Control-Allow-Credentials", b"true");
            header(out, "Vary", b"Origin");
        }
        None => header(out, "Access-Control-Allow-Origin", b"*"),
    }
    header(out, "Cross-Origin-Resource-Policy", b"cross-origin");
    header(out, "Cache-Control", b"no-store");
    header(out, "Connection", b"close");
}

fn header(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

fn end(out: &mut Vec<u8>) {
    out.extend_from_slice(b"\r\n");
}

/// A complete answer: `head` plus `Content-Length`, then `body`, then a clean close.
async fn complete(stream: &mut TcpStream, mut head: Vec<u8>, body: &[u8]) -> io::Result<()> {
    if !head
        .windows(15)
        .any(|w| w.eq_ignore_ascii_case(b"\r\ncontent-type:"))
    {
        header(&mut head, "Content-Type", b"text/plain");
    }
    header(
        &mut head,
        "Content-Length",
        body.len().to_string().as_bytes(),
    );
    end(&mut head);
    head.extend_from_slice(body);
    stream.write_all(&head).await?;
    finish(stream).await
}

/// A redirect (302) to `location`, readable by the page.
async fn redirect(stream: &mut TcpStream, req: &FaultRequest, location: &[u8]) -> io::Result<()> {
    let mut head = head("302 Found", req);
    header(&mut head, "Location", location);
    complete(stream, head, b"").await
}

/// Closes our side cleanly (FIN), then waits a little for the client to close its side.
async fn finish(stream: &mut TcpStream) -> io::Result<()> {
    stream.shutdown().await?;
    hold(stream, LINGER).await;
    Ok(())
}

/// Lets the client read what was sent, then resets the connection.
async fn pause_then_reset(stream: &mut TcpStream) -> io::Result<()> {
    stream.flush().await?;
    tokio::time::sleep(BEFORE_RESET).await;
    reset(stream)
}

/// Makes the socket's close a reset (`SO_LINGER` 0); the caller drops it right after.
fn reset(stream: &mut TcpStream) -> io::Result<()> {
    stream.set_zero_linger()
}

/// Waits up to `limit` for the client to close the connection, discarding whatever it sends. `true` when
/// the client closed it (or it broke), `false` when the time ran out.
async fn hold(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut sink = [0u8; 4096];
    let closed = async {
        loop {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(limit, closed).await.is_ok()
}

/// The gzip bomb: a gzip member that decodes to [`GZIP_BOMB_DECODED`] zero bytes, built on first use.
pub fn gzip_bomb() -> &'static [u8] {
    static BOMB: LazyLock<Vec<u8>> = LazyLock::new(|| gzip_zeros(GZIP_BOMB_DECODED));
    BOMB.as_slice()
}

/// A gzip member (RFC 1952) whose deflate stream (RFC 1951) decodes to `len` zero bytes (`len` ≥ 1), at
/// about 1/1000 of that size.
///
/// One dynamic-Huffman block with three literal/length symbols: the literal 0 (code `10`), the length
/// 258 (symbol 285, code `0`) and end-of-block (code `11`), and two distance codes of one bit each
/// (distance 1 is `0`). So: one literal zero, then "copy 258 bytes from 1 back" at two bits each (both
/// codes are zero bits: the middle of the stream is zero bytes), the remainder as literals, end of block.
pub fn gzip_zeros(len: u64) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.bits(1, 1); // BFINAL
    w.bits(2, 2); // BTYPE = dynamic Huffman
    w.bits(286 - 257, 5); // HLIT: literal/length codes 0..=285
    w.bits(2 - 1, 5); // HDIST: distance codes 0 and 1
    w.bits(18 - 4, 4); // HCLEN: code length codes up to symbol 1 in the permuted order
                       // Code length code lengths, in the order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1:
                       // symbol 18 (a run of zeros) gets 1 bit, symbols 1 and 2 (lengths 1 and 2) get 2 bits each.
    for len in [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2] {
        w.bits(len, 3);
    }
    // Canonical codes: 18 → 0, 1 → 10, 2 → 11.
    let (zeros, one, two) = ((0, 1), (0b10, 2), (0b11, 2));
    let zero_run = |w: &mut BitWriter, count: u32| {
        w.code(zeros);
        w.bits(count - 11, 7);
    };
    // Literal/length lengths: 0 → 2, 1..=255 → 0, 256 → 2, 257..=284 → 0, 285 → 1; distances: 1, 1.
    w.code(two);
    zero_run(&mut w, 138);
    zero_run(&mut w, 117);
    w.code(two);
    zero_run(&mut w, 28);
    w.code(one);
    w.code(one);
    w.code(one);
    // Canonical literal/length codes: 285 → 0, 0 → 10, 256 → 11; distance 1 (code 0) → 0.
    let literal_zero = (0b10, 2);
    let end_of_block = (0b11, 2);
    let rest = len.saturating_sub(1);
    w.code(literal_zero);
    w.zeros(rest / 258 * 2);
    for _ in 0..rest % 258 {
        w.code(literal_zero);
    }
    w.code(end_of_block);
    let deflate = w.finish();

    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    out.extend_from_slice(&deflate);
    out.extend_from_slice(&crc32_of_zeros(len).to_le_bytes());
    out.extend_from_slice(&(len as u32).to_le_bytes());
    out
}

/// Packs bits the way deflate does: from the least significant bit of each byte.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    count: u32,
}

impl BitWriter {
    /// `n` (≤ 32) bits of `value`, least significant first (header fields, extra bits).
    fn bits(&mut self, value: u32, n: u32) {
        self.acc |= u64::from(value) << self.count;
        self.count += n;
        while self.count >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.count -= 8;
        }
    }

    /// A Huffman code `(code, length)`, most significant bit first.
    fn code(&mut self, (code, len): (u32, u32)) {
        let reversed = code.reverse_bits() >> (32 - len);
        self.bits(reversed, len);
    }

    fn zeros(&mut self, mut n: u64) {
        while n > 0 {
            let take = n.min(32) as u32;
            self.bits(0, take);
            n -= u64::from(take);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// CRC-32 (gzip's) of `len` zero bytes without reading them: the register update for a zero bit is
/// linear, so it is raised to the power `8 × len` by squaring (zlib's `crc32_combine` method).
pub fn crc32_of_zeros(len: u64) -> u32 {
    fn times(matrix: &[u32; 32], mut vector: u32) -> u32 {
        let mut sum = 0;
        for column in matrix {
            if vector == 0 {
                break;
            }
            if vector & 1 != 0 {
                sum ^= column;
            }
            vector >>= 1;
        }
        sum
    }
    fn square(matrix: &[u32; 32]) -> [u32; 32] {
        let mut out = [0; 32];
        for (o, column) in out.iter_mut().zip(matrix) {
            *o = times(matrix, *column);
        }
        out
    }
    // One zero bit: bit 0 of the register feeds the polynomial, every other bit shifts down by one.
    let mut op = [0u32; 32];
    for (n, column) in op.iter_mut().enumerate() {
        *column = if n == 0 { 0xedb8_8320 } else { 1 << (n - 1) };
    }
    op = square(&square(&square(&op))); // one zero byte
    let mut register = 0xffff_ffff;
    let mut n = len;
    while n > 0 {
        if n & 1 != 0 {
            register = times(&op, register);
        }
        n >>= 1;
        if n > 0 {
            op = square(&op);
        }
    }
    !register
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRC-32 the slow way.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn crc_of_zeros_matches_the_slow_way() {
        for len in [0usize, 1, 2, 3, 7, 258, 1000, 65_537] {
            assert_eq!(crc32_of_zeros(len as u64), crc32(&vec![0; len]), "{len}");
        }
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn gzip_bomb_is_small_and_well_formed() {
        let bomb = gzip_bomb();
        assert!(bomb.len() < 1_100_000, "{}", bomb.len());
        assert_eq!(&bomb[..3], &[0x1f, 0x8b, 8]);
        let tail = &bomb[bomb.len() - 8..];
        assert_eq!(tail[4..], ((GZIP_BOMB_DECODED as u32).to_le_bytes()));
        assert_eq!(tail[..4], crc32_of_zeros(GZIP_BOMB_DECODED).to_le_bytes());
    }

    #[test]
    fn catalogue_names_are_unique_and_listed() {
        let json = to_json();
        let list = json.as_array().unwrap();
        assert_eq!(list.len(), FAULTS.len());
        for fault in &FAULTS {
            assert_eq!(FAULTS.iter().filter(|f| f.name == fault.name).count(), 1);
            assert!(find(fault.name).is_some());
        }
    }
}
