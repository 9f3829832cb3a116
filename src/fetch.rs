//! The one fetch adapter: turns a [`RequestSpec`](corscope_model::RequestSpec) into a real `fetch()`, and whatever the browser does
//! (a response, a `TypeError`, an abort) into a Rust value. JS errors are mapped here, once; nothing
//! outside this module sees a `JsValue` from the network.

use corscope_model::{Credentials, Mode, Redirect, RequestSpec};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, Headers, ReadableStreamByobReader, ReadableStreamDefaultReader, Request,
    RequestCache, RequestCredentials, RequestInit, RequestMode, RequestRedirect, Response,
    ResponseType, Window,
};

use crate::dom::{error_text, get_prop};

/// How much of a body is read: enough to show, never enough to exhaust memory (a 1 GiB body or a
/// gzip bomb stops here, and the rest of the stream is cancelled).
pub const BODY_PREVIEW_CAP: usize = 64 * 1024;

/// What one `fetch()` did, and how long it took.
#[derive(Clone, Debug, PartialEq)]
pub struct Fetched {
    /// What happened.
    pub outcome: FetchOutcome,
    /// Milliseconds from the call to the response headers (or the failure).
    pub elapsed_ms: f64,
}

/// What the browser let the page observe.
#[derive(Clone, Debug, PartialEq)]
pub enum FetchOutcome {
    /// A response reached the page (readable, or opaque in `no-cors`/`manual` redirect mode).
    Response(Received),
    /// `fetch()` rejected with a `TypeError`: a CORS failure or a network error; the page cannot tell
    /// which. The message is the browser's own ("Failed to fetch").
    Rejected { message: String },
    /// The timeout fired and the request was aborted.
    TimedOut,
    /// The browser refused to build the request (a `TypeError` from `new Request()` or `Headers`).
    Refused { message: String },
}

/// A response as the page sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    /// Status code (0 for opaque responses).
    pub status: u16,
    /// Reason phrase (empty for opaque responses and HTTP/2).
    pub status_text: String,
    /// `response.type`.
    pub kind: ResponseKind,
    /// `response.redirected`: at least one redirect was followed.
    pub redirected: bool,
    /// The headers JavaScript can read, lowercase names, in the browser's order.
    pub headers: Vec<(String, String)>,
    /// The start of the body.
    pub body: BodyPreview,
}

/// `Response.type`, the browser's own evidence of how the response was treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseKind {
    Basic,
    Cors,
    Default,
    Error,
    Opaque,
    OpaqueRedirect,
}

impl ResponseKind {
    /// The value of `response.type`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseKind::Basic => "basic",
            ResponseKind::Cors => "cors",
            ResponseKind::Default => "default",
            ResponseKind::Error => "error",
            ResponseKind::Opaque => "opaque",
            ResponseKind::OpaqueRedirect => "opaqueredirect",
        }
    }

    /// Whether the page may read status, headers and body.
    pub fn is_readable(self) -> bool {
        matches!(
            self,
            ResponseKind::Basic | ResponseKind::Cors | ResponseKind::Default
        )
    }

    fn from_web(kind: ResponseType) -> ResponseKind {
        match kind {
            ResponseType::Basic => ResponseKind::Basic,
            ResponseType::Cors => ResponseKind::Cors,
            ResponseType::Opaque => ResponseKind::Opaque,
            ResponseType::Opaqueredirect => ResponseKind::OpaqueRedirect,
            ResponseType::Error => ResponseKind::Error,
            _ => ResponseKind::Default,
        }
    }
}

/// The first bytes of a body, decoded as UTF-8 (invalid bytes replaced), with what is known of its size.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BodyPreview {
    /// The text read, at most [`BODY_PREVIEW_CAP`] bytes of it.
    pub text: String,
    /// Bytes read from the stream: at most [`BODY_PREVIEW_CAP`] + 1 from a byte stream (see `read_body`).
    pub bytes_read: usize,
    /// The stream had more than the cap; reading stopped and the rest was cancelled.
    pub truncated: bool,
    /// Reading failed part-way (the connection dropped, or the timeout fired mid-body).
    pub error: Option<String>,
}

/// What a fetch is for, which decides how it is sent and how much of the answer is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The user's request (or the page's own): sent at the default priority, with a preview of the body
    /// read.
    Request,
    /// A probe: only the head is read and the body is cancelled, because the CORS check is over once
    /// `fetch()` resolves, and a slow or endless body must not hold up the verdict.
    Probe(Priority),
}

/// A probe's claim on Chromium's 6 connections per HTTP/1.1 host, which serve the highest priority first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    /// `fetch()`'s default, the request's own: for probes that need a preflight, whose second request
    /// (sent when the preflight passes) is the answer a verdict most often waits for.
    Default,
    /// `priority: "low"`: for one-trip probes, which yield connections to the request and to the
    /// preflighted probes.
    Low,
}

/// Sends `spec` with the browser's `fetch()`, aborting after `timeout_ms`.
pub async fn send(spec: &RequestSpec, timeout_ms: u32) -> Fetched {
    match AbortController::new() {
        Ok(controller) => send_with(spec, timeout_ms, &controller, Purpose::Request).await,
        Err(e) => Fetched {
            outcome: FetchOutcome::Refused {
                message: error_text(&e),
            },
            elapsed_ms: 0.0,
        },
    }
}

/// As [`send`], aborted by `controller` as well as by the timeout (either abort reads as
/// [`FetchOutcome::TimedOut`]), sent and read as `purpose` says.
pub async fn send_with(
    spec: &RequestSpec,
    timeout_ms: u32,
    controller: &AbortController,
    purpose: Purpose,
) -> Fetched {
    let start = now_ms();
    let outcome = match web_sys::window() {
        Some(window) => send_in(&window, spec, timeout_ms, controller, purpose).await,
        None => FetchOutcome::Refused {
            message: String::from("no browser window to fetch from"),
        },
    };
    Fetched {
        outcome,
        elapsed_ms: (now_ms() - start).max(0.0),
    }
}

/// The spec with its URL as the browser's own URL parser writes it (`new URL(input).href`: scheme and
/// host lowercased, IDN to punycode, spaces escaped), which is what `fetch()` sends and what the model
/// expects. A URL the browser cannot parse is left as typed, for the model to refuse with its reason.
pub fn normalized(spec: RequestSpec) -> RequestSpec {
    match web_sys::Url::new(spec.url.trim()) {
        Ok(url) => RequestSpec {
            url: url.href(),
            ..spec
        },
        Err(_) => spec,
    }
}

/// Milliseconds on the page's monotonic clock.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

async fn send_in(
    window: &Window,
    spec: &RequestSpec,
    timeout_ms: u32,
    controller: &AbortController,
    purpose: Purpose,
) -> FetchOutcome {
    let request = match build_request(spec, controller, purpose) {
        Ok(r) => r,
        Err(e) => {
            return FetchOutcome::Refused {
                message: error_text(&e),
            }
        }
    };
    // Lives until the body is read: dropping it cancels the timer.
    let _timeout = Timeout::start(window, controller, timeout_ms);
    match JsFuture::from(window.fetch_with_request(&request)).await {
        Ok(value) => match value.dyn_into::<Response>() {
            Ok(response) if matches!(purpose, Purpose::Probe(_)) => {
                let head = receive_head(&response);
                // Stops the body's download; the response is already in hand.
                controller.abort();
                FetchOutcome::Response(head)
            }
            Ok(response) => {
                let mut received = receive_head(&response);
                received.body = read_body(&response, BODY_PREVIEW_CAP).await;
                FetchOutcome::Response(received)
            }
            Err(_) => FetchOutcome::Rejected {
                message: String::from("fetch() resolved with something that is not a Response"),
            },
        },
        Err(error) if is_abort(&error) => FetchOutcome::TimedOut,
        Err(error) => FetchOutcome::Rejected {
            message: error_text(&error),
        },
    }
}

fn build_request(
    spec: &RequestSpec,
    controller: &AbortController,
    purpose: Purpose,
) -> Result<Request, JsValue> {
    let init = RequestInit::new();
    init.set_method(&spec.method);
    init.set_mode(match spec.mode {
        Mode::Cors => RequestMode::Cors,
        Mode::NoCors => RequestMode::NoCors,
        Mode::SameOrigin => RequestMode::SameOrigin,
    });
    init.set_credentials(match spec.credentials {
        Credentials::Omit => RequestCredentials::Omit,
        Credentials::SameOrigin => RequestCredentials::SameOrigin,
        Credentials::Include => RequestCredentials::Include,
    });
    init.set_redirect(match spec.redirect {
        Redirect::Follow => RequestRedirect::Follow,
        Redirect::Error => RequestRedirect::Error,
        Redirect::Manual => RequestRedirect::Manual,
    });
    // The HTTP cache would hide a changed server; the preflight cache is handled by cache-busting.
    init.set_cache(RequestCache::NoStore);
    let headers = Headers::new()?;
    for (name, value) in &spec.headers {
        headers.append(name, value)?;
    }
    init.set_headers(&headers);
    if let Some(body) = &spec.body {
        init.set_body(&JsValue::from_str(body));
    }
    init.set_signal(Some(&controller.signal()));
    if purpose == Purpose::Probe(Priority::Low) {
        // `RequestInit.priority` (Fetch Priority); web-sys has no setter for it yet.
        js_sys::Reflect::set(
            &init,
            &JsValue::from_str("priority"),
            &JsValue::from_str("low"),
        )?;
    }
    Request::new_with_str_and_init(&spec.url, &init)
}

/// Everything of a response but its body.
fn receive_head(response: &Response) -> Received {
    Received {
        status: response.status(),
        status_text: response.status_text(),
        kind: ResponseKind::from_web(response.type_()),
        redirected: response.redirected(),
        headers: readable_headers(&response.headers()),
        body: BodyPreview::default(),
    }
}

fn readable_headers(headers: &Headers) -> Vec<(String, String)> {
    let Ok(Some(iter)) = js_sys::try_iter(headers) else {
        return Vec::new();
    };
    iter.filter_map(Result::ok)
        .filter_map(|entry| {
            let pair = js_sys::Array::from(&entry);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// Reads the body stream up to `cap` bytes, then cancels the rest. A byte stream (what `fetch()` gives)
/// is read with a BYOB reader into buffers no larger than the room left plus one byte, so at most
/// `cap + 1` bytes are ever read (the extra byte says the body is longer); any other stream falls back
/// to the default reader, which may hand over one chunk past the cap.
async fn read_body(response: &Response, cap: usize) -> BodyPreview {
    let mut preview = BodyPreview::default();
    let Some(stream) = response.body() else {
        return preview;
    };
    let reader = match ReadableStreamByobReader::new(&stream) {
        Ok(byob) => Reader::Byob(byob),
        Err(_) => match stream.get_reader().dyn_into() {
            Ok(default) => Reader::Default(default),
            Err(_) => return preview,
        },
    };
    let mut bytes: Vec<u8> = Vec::new();
    loop {
        let room = cap.saturating_sub(bytes.len()) + 1;
        let chunk = match JsFuture::from(reader.read(room)).await {
            Ok(chunk) => chunk,
            Err(error) => {
                preview.error = Some(if is_abort(&error) {
                    String::from("the timeout fired while the body was still arriving")
                } else {
                    error_text(&error)
                });
                break;
            }
        };
        if get_prop(&chunk, "done").and_then(|d| d.as_bool()) == Some(true) {
            break;
        }
        let Some(value) = get_prop(&chunk, "value") else {
            break;
        };
        let array = js_sys::Uint8Array::new(&value);
        preview.bytes_read += array.length() as usize;
        let take = room.min(array.length() as usize);
        let start = bytes.len();
        bytes.resize(start + take, 0);
        if let Some(dest) = bytes.get_mut(start..) {
            array.subarray(0, take as u32).copy_to(dest);
        }
        if preview.bytes_read > cap {
            preview.truncated = true;
            // The rest is not wanted: cancelling stops the download (a 1 GiB body stops here).
            let _ = JsFuture::from(reader.cancel()).await;
            break;
        }
    }
    bytes.truncate(cap);
    // The browser's decoder, as `response.text()` decodes: invalid bytes become U+FFFD, a leading BOM is
    // dropped.
    match web_sys::TextDecoder::new().and_then(|decoder| decoder.decode_with_u8_array(&bytes)) {
        Ok(text) => preview.text = text,
        Err(error) => {
            let reason = format!("the body could not be decoded: {}", error_text(&error));
            preview.error.get_or_insert(reason);
        }
    }
    preview
}

/// A body reader: bring-your-own-buffer where the stream allows it, else the default one.
enum Reader {
    Byob(ReadableStreamByobReader),
    Default(ReadableStreamDefaultReader),
}

impl Reader {
    /// The next chunk: at most `room` bytes from a BYOB reader, whatever the stream has from the other.
    fn read(&self, room: usize) -> js_sys::Promise {
        match self {
            Reader::Byob(reader) => {
                let buffer =
                    js_sys::Uint8Array::new_with_length(u32::try_from(room).unwrap_or(u32::MAX));
                reader.read_with_array_buffer_view(&buffer)
            }
            Reader::Default(reader) => reader.read(),
        }
    }

    fn cancel(&self) -> js_sys::Promise {
        match self {
            Reader::Byob(reader) => reader.cancel(),
            Reader::Default(reader) => reader.cancel(),
        }
    }
}

fn is_abort(error: &JsValue) -> bool {
    get_prop(error, "name")
        .and_then(|n| n.as_string())
        .as_deref()
        == Some("AbortError")
}

/// A `setTimeout` that aborts a fetch. Owns its closure and clears the timer when dropped, so a request
/// that finishes early leaves nothing behind.
struct Timeout {
    window: Window,
    handle: Option<i32>,
    _closure: Closure<dyn FnMut()>,
}

impl Timeout {
    fn start(window: &Window, controller: &AbortController, timeout_ms: u32) -> Timeout {
        let controller = controller.clone();
        let closure = Closure::<dyn FnMut()>::new(move || controller.abort());
        let ms = i32::try_from(timeout_ms).unwrap_or(i32::MAX);
        let handle = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                closure.as_ref().unchecked_ref(),
                ms,
            )
            .ok();
        Timeout {
            window: window.clone(),
            handle,
            _closure: closure,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let Some(handle) = self.handle {
            self.window.clear_timeout_with_handle(handle);
        }
    }
}
