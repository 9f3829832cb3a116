//! Fix advice for the server stack the user picks, with the user's actual values filled in: their
//! origin, the method, the header names the browser asks for, credentials when the request sends them.
//!
//! Each snippet is a complete CORS configuration for the request that was tested (not just the line
//! that was missing), in the stack's own idiom and option names, because a partial change (adding a
//! header but keeping `allow_methods=("GET",)`) is the most common way a fix fails again. The summary says
//! what was wrong and the stack-specific trap that usually causes it (`shared/peers.md` §7).
//!
//! Two callers: the raw-response path ([`Focus::from_blocked`]) and the probe path, which knows only the
//! stage, the header at fault and the failed parameter ([`Focus::from_candidates`],
//! [`Focus::from_inference`]). Both pass the [`Request`], which every path has.

use std::fmt;

use crate::check::{ACAC, ACAH, ACAM, ACAO};
use crate::error::{CorsError, Stage};
use crate::probe::Inference;
use crate::request::Request;
use crate::text::{code, Joined};
use crate::verdict::{Allowed, Blocked, FaultPart};

/// A server stack corscope writes configuration for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stack {
    /// No framework: the raw header lines each response must carry.
    Headers,
    /// FastAPI or Starlette `CORSMiddleware`.
    FastApi,
    /// Express with the `cors` package.
    Express,
    /// Flask with Flask-CORS.
    Flask,
    /// Django with django-cors-headers.
    Django,
    /// nginx `add_header`.
    Nginx,
    /// Apache httpd `mod_headers` + `mod_rewrite`.
    Apache,
    /// Caddy `header` + `respond`.
    Caddy,
    /// axum with tower-http `CorsLayer`.
    Axum,
    /// actix-web with actix-cors.
    Actix,
    /// Spring MVC `CorsRegistry` (or `@CrossOrigin`).
    Spring,
    /// ASP.NET Core CORS middleware.
    AspNetCore,
}

impl Stack {
    /// Every stack, in the order the UI lists them.
    pub const ALL: [Stack; 12] = [
        Stack::Headers,
        Stack::FastApi,
        Stack::Express,
        Stack::Flask,
        Stack::Django,
        Stack::Nginx,
        Stack::Apache,
        Stack::Caddy,
        Stack::Axum,
        Stack::Actix,
        Stack::Spring,
        Stack::AspNetCore,
    ];

    /// A stable lowercase id for the UI and the remembered choice, e.g. `"fastapi"`.
    pub fn id(self) -> &'static str {
        match self {
            Stack::Headers => "headers",
            Stack::FastApi => "fastapi",
            Stack::Express => "express",
            Stack::Flask => "flask",
            Stack::Django => "django",
            Stack::Nginx => "nginx",
            Stack::Apache => "apache",
            Stack::Caddy => "caddy",
            Stack::Axum => "axum",
            Stack::Actix => "actix",
            Stack::Spring => "spring",
            Stack::AspNetCore => "aspnetcore",
        }
    }

    /// The name people know it by.
    pub fn name(self) -> &'static str {
        match self {
            Stack::Headers => "Raw HTTP headers",
            Stack::FastApi => "FastAPI / Starlette CORSMiddleware",
            Stack::Express => "Express (cors)",
            Stack::Flask => "Flask-CORS",
            Stack::Django => "Django (django-cors-headers)",
            Stack::Nginx => "nginx",
            Stack::Apache => "Apache httpd",
            Stack::Caddy => "Caddy",
            Stack::Axum => "axum / tower-http CorsLayer",
            Stack::Actix => "actix-web (actix-cors)",
            Stack::Spring => "Spring (CorsRegistry / @CrossOrigin)",
            Stack::AspNetCore => "ASP.NET Core",
        }
    }

    /// The stack with this [`Stack::id`].
    pub fn from_id(id: &str) -> Option<Stack> {
        Stack::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The snippet's language, for syntax highlighting and copy labels.
    pub fn language(self) -> &'static str {
        match self {
            Stack::Headers => "http",
            Stack::FastApi | Stack::Flask | Stack::Django => "python",
            Stack::Express => "javascript",
            Stack::Nginx => "nginx",
            Stack::Apache => "apache",
            Stack::Caddy => "caddyfile",
            Stack::Axum | Stack::Actix => "rust",
            Stack::Spring => "java",
            Stack::AspNetCore => "csharp",
        }
    }
}

impl fmt::Display for Stack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the server has to change, as precisely as the caller knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Focus {
    /// Access-Control-Allow-Origin is missing, wrong, invalid or `*` with credentials.
    AllowOrigin,
    /// Access-Control-Allow-Origin is sent more than once (two layers add it).
    DuplicateOrigin,
    /// Access-Control-Allow-Credentials: true is missing or wrong.
    AllowCredentials,
    /// A method is missing from (or unparsable in) Access-Control-Allow-Methods; `None`: the request's.
    AllowMethod(Option<String>),
    /// A request header is missing from (or unparsable in) Access-Control-Allow-Headers.
    AllowHeader(Option<String>),
    /// The preflight (OPTIONS) is not answered with 2xx.
    PreflightStatus(Option<u16>),
    /// An error response (4xx/5xx) lacks the CORS headers; the error is the real problem.
    ErrorResponses(u16),
    /// A redirect breaks CORS here.
    AvoidRedirect(RedirectProblem),
    /// The exchange is allowed but these response headers are hidden from the page.
    ExposeHeaders(Vec<String>),
    /// Not known precisely: a complete configuration for the request.
    General,
}

/// How a redirect breaks CORS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirectProblem {
    /// The preflight was redirected.
    Preflight,
    /// A redirect `Location` carries `user:password@`.
    Credentials,
    /// A redirect to another origin made the request's origin `null`.
    TaintedOrigin,
}

impl Focus {
    /// The focus for a failure decided from raw responses.
    pub fn from_blocked(blocked: &Blocked) -> Focus {
        use CorsError::*;
        if let Some(status) = blocked.error_status_without_cors() {
            return Focus::ErrorResponses(status);
        }
        if blocked.involves_allow_origin() && blocked.required.as_deref() == Some("null") {
            return Focus::AvoidRedirect(RedirectProblem::TaintedOrigin);
        }
        let param = blocked.failed_parameter.clone();
        match blocked.error {
            MultipleAllowOriginValues | PreflightMultipleAllowOriginValues => {
                Focus::DuplicateOrigin
            }
            InvalidAllowCredentials | PreflightInvalidAllowCredentials => Focus::AllowCredentials,
            PreflightInvalidStatus => Focus::PreflightStatus(blocked.status),
            PreflightDisallowedRedirect => Focus::AvoidRedirect(RedirectProblem::Preflight),
            RedirectContainsCredentials => Focus::AvoidRedirect(RedirectProblem::Credentials),
            MethodDisallowedByPreflightResponse => Focus::AllowMethod(param),
            InvalidAllowMethodsPreflightResponse => Focus::AllowMethod(None),
            HeaderDisallowedByPreflightResponse => Focus::AllowHeader(param),
            InvalidAllowHeadersPreflightResponse => Focus::AllowHeader(None),
            _ if blocked.involves_allow_origin() => Focus::AllowOrigin,
            _ => Focus::General,
        }
    }

    /// The focus from the probe path's knowledge: the stage, the response header at fault (lowercase,
    /// or `status`/`redirect`) and the failed parameter.
    pub fn from_candidates(
        stage: Option<Stage>,
        fault_header: Option<&str>,
        failed_parameter: Option<&str>,
    ) -> Focus {
        let param = failed_parameter.map(str::to_string);
        match fault_header {
            Some(ACAO) => Focus::AllowOrigin,
            Some(ACAC) => Focus::AllowCredentials,
            Some(ACAM) => Focus::AllowMethod(param),
            Some(ACAH) => Focus::AllowHeader(param),
            Some("status") if stage == Some(Stage::Preflight) => Focus::PreflightStatus(None),
            Some("redirect") if stage == Some(Stage::Preflight) => {
                Focus::AvoidRedirect(RedirectProblem::Preflight)
            }
            _ => Focus::General,
        }
    }

    /// The focus from a probe [`Inference`].
    pub fn from_inference(inference: &Inference) -> Focus {
        Focus::from_candidates(
            inference.fault_stage,
            inference.fault_header,
            inference.failed_parameter.as_deref(),
        )
    }

    /// The focus for an allowed exchange that hides headers the page may want: `None` when nothing
    /// exposable is hidden.
    pub fn from_allowed(allowed: &Allowed) -> Option<Focus> {
        let names = allowed.exposable();
        (!names.is_empty())
            .then(|| Focus::ExposeHeaders(names.into_iter().map(str::to_string).collect()))
    }

    /// The focus from the part at fault of a [`Blocked`]-like description (for callers holding a
    /// [`FaultPart`]).
    pub fn from_part(stage: Stage, part: &FaultPart, failed_parameter: Option<&str>) -> Focus {
        Focus::from_candidates(Some(stage), part.report_name(), failed_parameter)
    }
}

/// Advice for one stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What to change and the stack's usual trap, in a few sentences.
    pub summary: String,
    /// Configuration to paste, with the user's values.
    pub snippet: String,
    /// The snippet's language ([`Stack::language`]).
    pub language: &'static str,
}

/// The fix for `focus` on `stack`, with `request`'s values filled in.
pub fn advice(stack: Stack, request: &Request, focus: &Focus) -> Fix {
    let values = Values::new(request, focus);
    let mut summary = focus_summary(focus, &values);
    let trap = stack_trap(stack, focus, &values);
    if !trap.is_empty() {
        summary.push(' ');
        summary.push_str(&trap);
    }
    Fix {
        summary,
        snippet: snippet(stack, &values, focus),
        language: stack.language(),
    }
}

/// The values a configuration needs.
struct Values {
    origin: String,
    methods: Vec<String>,
    headers: Vec<String>,
    credentials: bool,
    expose: Vec<String>,
    /// The Caddy site address of the API: `host[:port]`, with `http://` for plain-HTTP APIs.
    site: String,
}

impl Values {
    fn new(request: &Request, focus: &Focus) -> Values {
        let mut methods = vec!["GET".to_string()];
        let mut push_method = |m: &str| {
            let m = m.to_ascii_uppercase();
            if !methods.contains(&m) {
                methods.push(m);
            }
        };
        push_method(request.method());
        if let Focus::AllowMethod(Some(m)) = focus {
            push_method(m);
        }
        let mut headers = request.unsafe_header_names();
        if let Focus::AllowHeader(Some(h)) = focus {
            let h = h.to_ascii_lowercase();
            if !headers.contains(&h) {
                headers.push(h);
                crate::header::sort_by(&mut headers, |a, b| a < b);
            }
        }
        let expose = match focus {
            Focus::ExposeHeaders(names) => names.clone(),
            _ => Vec::new(),
        };
        let url = request.url();
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host()),
            None => url.host().to_string(),
        };
        // Caddy serves a bare host name over HTTPS only; an http API needs the scheme spelt out.
        let site = if url.scheme() == "http" {
            format!("http://{host}")
        } else {
            host
        };
        Values {
            origin: request.origin().serialize(),
            methods,
            headers,
            credentials: request.is_credentialed(),
            expose,
            site,
        }
    }

    fn methods_csv(&self) -> String {
        self.methods.joined(", ")
    }

    fn headers_csv(&self) -> String {
        self.headers.joined(", ")
    }

    fn expose_csv(&self) -> String {
        self.expose.joined(", ")
    }
}

fn focus_summary(focus: &Focus, v: &Values) -> String {
    match focus {
        Focus::AllowOrigin => format!(
            "Send {} exactly (no trailing slash){}.",
            code(&format!("Access-Control-Allow-Origin: {}", v.origin)),
            if v.credentials {
                ", never `*`, since the request sends credentials"
            } else {
                ""
            }
        ),
        Focus::DuplicateOrigin => "Access-Control-Allow-Origin is added twice (a proxy and the app, or \
             two middlewares): configure CORS in exactly one layer and remove it from the other."
            .to_string(),
        Focus::AllowCredentials => {
            "Send `Access-Control-Allow-Credentials: true` on the preflight and on the response, with \
             the exact origin (not `*`)."
                .to_string()
        }
        Focus::AllowMethod(_) => format!(
            "Allow the methods {} in Access-Control-Allow-Methods (upper case, comma-separated).",
            v.methods_csv()
        ),
        Focus::AllowHeader(_) => format!(
            "Allow the request headers {} in Access-Control-Allow-Headers.",
            v.headers_csv()
        ),
        Focus::PreflightStatus(status) => format!(
            "Answer the OPTIONS preflight with 204 and the CORS headers{}, before routing, \
             authentication or method checks can reject it.",
            status.map_or(String::new(), |s| format!(" (it got {s})"))
        ),
        Focus::ErrorResponses(status) => format!(
            "The real problem is the {status}: fix it, and make error responses carry the CORS \
             headers too so the browser shows the page the error instead of a CORS failure."
        ),
        Focus::AvoidRedirect(problem) => redirect_summary(*problem),
        Focus::ExposeHeaders(names) => format!(
            "Expose the hidden response headers with {}.",
            code(&format!("Access-Control-Expose-Headers: {}", names.joined(", ")))
        ),
        Focus::General => format!(
            "A complete CORS configuration for this request (origin {}, methods {}{}).",
            v.origin,
            v.methods_csv(),
            if v.credentials { ", credentials" } else { "" }
        ),
    }
}

fn redirect_summary(problem: RedirectProblem) -> String {
    match problem {
        RedirectProblem::Preflight => "The preflight is redirected: call the final URL directly \
            (https instead of http, the trailing slash the server wants), or stop the server from \
            redirecting OPTIONS. No CORS header can fix a redirected preflight."
            .to_string(),
        RedirectProblem::Credentials => {
            "A redirect points to a URL with `user:password@`: redirect \
            to a URL without credentials."
                .to_string()
        }
        RedirectProblem::TaintedOrigin => "After a redirect to another origin the browser sends \
            `Origin: null`: call the final URL directly, or (without credentials) have the final \
            server answer `Access-Control-Allow-Origin: *`."
            .to_string(),
    }
}

/// The stack's usual trap for this kind of failure (`shared/peers.md` §7).
fn stack_trap(stack: Stack, focus: &Focus, v: &Values) -> String {
    if matches!(focus, Focus::ExposeHeaders(_) | Focus::AvoidRedirect(_)) {
        return String::new();
    }
    let error_responses = matches!(focus, Focus::ErrorResponses(_));
    let preflight = matches!(
        focus,
        Focus::PreflightStatus(_) | Focus::AllowMethod(_) | Focus::AllowHeader(_)
    );
    let duplicate = matches!(focus, Focus::DuplicateOrigin);
    match stack {
        Stack::Headers => "Send them from one place only (a proxy and the app both adding them \
            breaks CORS), on every response including errors and redirects."
            .to_string(),
        Stack::FastApi if error_responses => "Starlette: an unhandled exception becomes a 500 from \
            ServerErrorMiddleware, outside CORSMiddleware, so it has no CORS headers; catch the \
            exception (an exception handler returning a response) to keep them."
            .to_string(),
        Stack::FastApi => "Starlette: `allow_methods` defaults to GET only and `allow_headers` to \
            none, and a preflight that fails them gets a 400 \"Disallowed CORS method/header\"; list \
            them explicitly."
            .to_string(),
        Stack::Express => "Express: `app.use(cors(corsOptions))` must come before your routes and any \
            auth middleware; it answers OPTIONS itself. A route-level `cors()` needs its own \
            `app.options(...)` (Express 5: `app.options(\"/{*splat}\", cors(corsOptions))`)."
            .to_string(),
        Stack::Flask if duplicate => "Flask-CORS: if nginx (or another proxy) also adds the \
            header, remove it there."
            .to_string(),
        Stack::Flask => "Flask-CORS: the option is `supports_credentials` (a misspelt \
            `support_credentials` is silently ignored)."
            .to_string(),
        Stack::Django => "django-cors-headers: CorsMiddleware must sit above CommonMiddleware and any \
            middleware that can answer early; origins need the scheme and no trailing slash."
            .to_string(),
        Stack::Nginx if duplicate => "nginx: when the app sets the header too, drop it with \
            `proxy_hide_header` (as below) or remove it from the app."
            .to_string(),
        Stack::Nginx => "nginx: without `always`, add_header skips 4xx/5xx responses; an add_header \
            inside a nested block drops every inherited one; nginx must answer OPTIONS itself (the \
            `if` block)."
            .to_string(),
        Stack::Apache => "Apache: `Header always set` keeps the headers on errors and replaces the \
            app's own copy; exempt OPTIONS from authentication (`<LimitExcept OPTIONS>`)."
            .to_string(),
        Stack::Caddy => "Caddy: `respond @preflight 204` answers OPTIONS before reverse_proxy; if \
            the upstream sets CORS headers too, remove them with `header_down`."
            .to_string(),
        Stack::Axum if v.credentials => "tower-http: `allow_credentials(true)` panics at startup \
            when combined with `Any` (or `*`) origins, methods or headers: list them explicitly, as \
            below."
            .to_string(),
        Stack::Axum => "tower-http: `CorsLayer::new()` allows nothing; add the layer after the routes \
            it must cover."
            .to_string(),
        Stack::Actix => "actix-cors: `Cors::default()` allows nothing (not even your origin); every \
            origin, method and header must be added."
            .to_string(),
        Stack::Spring if preflight => "Spring Security answers OPTIONS before Spring MVC: enable \
            `http.cors(Customizer.withDefaults())` so preflights are not rejected with 401/403."
            .to_string(),
        Stack::Spring => "Spring: `allowedOrigins(\"*\")` with `allowCredentials(true)` throws; use \
            the exact origin (or `allowedOriginPatterns`)."
            .to_string(),
        Stack::AspNetCore => "ASP.NET Core: `UseCors` must come after `UseRouting` and before \
            `UseAuthentication`/`UseAuthorization`; `AllowAnyOrigin()` with `AllowCredentials()` is \
            refused."
            .to_string(),
    }
}

fn snippet(stack: Stack, v: &Values, focus: &Focus) -> String {
    match stack {
        Stack::Headers => raw_headers(v),
        Stack::FastApi => fastapi(v),
        Stack::Express => express(v),
        Stack::Flask => flask(v),
        Stack::Django => django(v),
        Stack::Nginx => nginx(v, matches!(focus, Focus::DuplicateOrigin)),
        Stack::Apache => apache(v),
        Stack::Caddy => caddy(v),
        Stack::Axum => axum(v),
        Stack::Actix => actix(v),
        Stack::Spring => spring(v),
        Stack::AspNetCore => aspnet(v),
    }
}

/// `["a", "b"]` with double quotes, for Python, JavaScript, Rust and C#-like lists.
fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .joined(", ")
}

fn raw_headers(v: &Values) -> String {
    let mut common = format!("Access-Control-Allow-Origin: {}\n", v.origin);
    if v.credentials {
        common.push_str("Access-Control-Allow-Credentials: true\n");
    }
    common.push_str("Vary: Origin\n");
    let mut s = String::from("# Preflight (OPTIONS) response:\nHTTP/1.1 204 No Content\n");
    s.push_str(&common);
    s.push_str(&format!(
        "Access-Control-Allow-Methods: {}\n",
        v.methods_csv()
    ));
    if !v.headers.is_empty() {
        s.push_str(&format!(
            "Access-Control-Allow-Headers: {}\n",
            v.headers_csv()
        ));
    }
    s.push_str(
        "Access-Control-Max-Age: 600\n\n# Every other response (errors and redirects too):\n",
    );
    s.push_str(&common);
    if !v.expose.is_empty() {
        s.push_str(&format!(
            "Access-Control-Expose-Headers: {}\n",
            v.expose_csv()
        ));
    }
    s
}

fn fastapi(v: &Values) -> String {
    let mut s = String::from(
        "from fastapi.middleware.cors import CORSMiddleware\n\napp.add_middleware(\n    CORSMiddleware,\n",
    );
    s.push_str(&format!("    allow_origins=[\"{}\"],\n", v.origin));
    s.push_str(&format!("    allow_methods=[{}],\n", quoted(&v.methods)));
    if !v.headers.is_empty() {
        s.push_str(&format!("    allow_headers=[{}],\n", quoted(&v.headers)));
    }
    if v.credentials {
        s.push_str("    allow_credentials=True,\n");
    }
    if !v.expose.is_empty() {
        s.push_str(&format!("    expose_headers=[{}],\n", quoted(&v.expose)));
    }
    s.push_str(")\n");
    s
}

fn express(v: &Values) -> String {
    let mut s = String::from("const cors = require(\"cors\");\n\nconst corsOptions = {\n");
    s.push_str(&format!("  origin: \"{}\",\n", v.origin));
    s.push_str(&format!("  methods: [{}],\n", quoted(&v.methods)));
    if !v.headers.is_empty() {
        s.push_str(&format!("  allowedHeaders: [{}],\n", quoted(&v.headers)));
    }
    if v.credentials {
        s.push_str("  credentials: true,\n");
    }
    if !v.expose.is_empty() {
        s.push_str(&format!("  exposedHeaders: [{}],\n", quoted(&v.expose)));
    }
    s.push_str("};\n\n// Before your routes and any auth middleware; it also answers OPTIONS preflights.\n");
    s.push_str("app.use(cors(corsOptions));\n");
    s
}

fn flask(v: &Values) -> String {
    let mut s = String::from("from flask_cors import CORS\n\nCORS(\n    app,\n");
    s.push_str(&format!("    origins=[\"{}\"],\n", v.origin));
    s.push_str(&format!("    methods=[{}],\n", quoted(&v.methods)));
    if !v.headers.is_empty() {
        s.push_str(&format!("    allow_headers=[{}],\n", quoted(&v.headers)));
    }
    if v.credentials {
        s.push_str("    supports_credentials=True,\n");
    }
    if !v.expose.is_empty() {
        s.push_str(&format!("    expose_headers=[{}],\n", quoted(&v.expose)));
    }
    s.push_str(")\n");
    s
}

/// django-cors-headers' defaults: `corsheaders.defaults.default_methods`.
const DJANGO_DEFAULT_METHODS: [&str; 6] = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"];
/// `corsheaders.defaults.default_headers`.
/// (django-cors-headers 4.0 removed `accept-encoding`, `dnt` and `origin` from it.)
const DJANGO_DEFAULT_HEADERS: [&str; 6] = [
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
];

fn django(v: &Values) -> String {
    let extra_methods: Vec<String> = v
        .methods
        .iter()
        .filter(|m| !DJANGO_DEFAULT_METHODS.contains(&m.as_str()))
        .cloned()
        .collect();
    let extra_headers: Vec<String> = v
        .headers
        .iter()
        .filter(|h| !DJANGO_DEFAULT_HEADERS.contains(&h.as_str()))
        .cloned()
        .collect();
    let mut s = String::from("# settings.py\n");
    s.push_str("from corsheaders.defaults import default_headers, default_methods\n\n");
    s.push_str("INSTALLED_APPS += [\"corsheaders\"]\n");
    s.push_str("# As high as possible, above CommonMiddleware:\n");
    s.push_str("MIDDLEWARE.insert(0, \"corsheaders.middleware.CorsMiddleware\")\n\n");
    s.push_str(&format!("CORS_ALLOWED_ORIGINS = [\"{}\"]\n", v.origin));
    if extra_methods.is_empty() {
        s.push_str(&format!(
            "# default_methods already allows {}\n",
            v.methods_csv()
        ));
    } else {
        s.push_str(&format!(
            "CORS_ALLOW_METHODS = (*default_methods, {})\n",
            quoted(&extra_methods)
        ));
    }
    if !extra_headers.is_empty() {
        s.push_str(&format!(
            "CORS_ALLOW_HEADERS = (*default_headers, {})\n",
            quoted(&extra_headers)
        ));
    }
    if v.credentials {
        s.push_str("CORS_ALLOW_CREDENTIALS = True\n");
    }
    if !v.expose.is_empty() {
        s.push_str(&format!("CORS_EXPOSE_HEADERS = [{}]\n", quoted(&v.expose)));
    }
    s
}

fn nginx(v: &Values, hide_upstream: bool) -> String {
    let mut common = vec![
        format!("Access-Control-Allow-Origin \"{}\"", v.origin),
        "Vary \"Origin\"".to_string(),
    ];
    if v.credentials {
        common.push("Access-Control-Allow-Credentials \"true\"".to_string());
    }
    let mut preflight = common.clone();
    preflight.push(format!(
        "Access-Control-Allow-Methods \"{}\"",
        v.methods_csv()
    ));
    if !v.headers.is_empty() {
        preflight.push(format!(
            "Access-Control-Allow-Headers \"{}\"",
            v.headers_csv()
        ));
    }
    preflight.push("Access-Control-Max-Age \"600\"".to_string());
    if !v.expose.is_empty() {
        common.push(format!(
            "Access-Control-Expose-Headers \"{}\"",
            v.expose_csv()
        ));
    }
    let line = |indent: &str, h: &String| format!("{indent}add_header {h} always;\n");
    let mut s = String::from("location / {  # the location that serves this API\n");
    if hide_upstream {
        s.push_str("    proxy_hide_header Access-Control-Allow-Origin;\n");
        s.push_str("    proxy_hide_header Access-Control-Allow-Credentials;\n");
    }
    s.push_str("    if ($request_method = OPTIONS) {\n");
    for h in &preflight {
        s.push_str(&line("        ", h));
    }
    s.push_str("        return 204;\n    }\n");
    for h in &common {
        s.push_str(&line("    ", h));
    }
    s.push_str("    proxy_pass http://backend;  # your upstream\n}\n");
    s
}

fn apache(v: &Values) -> String {
    let mut s = String::from("# Needs mod_headers and mod_rewrite.\n");
    s.push_str(&format!(
        "Header always set Access-Control-Allow-Origin \"{}\"\n",
        v.origin
    ));
    s.push_str("Header always merge Vary \"Origin\"\n");
    if v.credentials {
        s.push_str("Header always set Access-Control-Allow-Credentials \"true\"\n");
    }
    s.push_str(&format!(
        "Header always set Access-Control-Allow-Methods \"{}\"\n",
        v.methods_csv()
    ));
    if !v.headers.is_empty() {
        s.push_str(&format!(
            "Header always set Access-Control-Allow-Headers \"{}\"\n",
            v.headers_csv()
        ));
    }
    if !v.expose.is_empty() {
        s.push_str(&format!(
            "Header always set Access-Control-Expose-Headers \"{}\"\n",
            v.expose_csv()
        ));
    }
    s.push_str("# Answer preflights here, before the application:\n");
    s.push_str(
        "RewriteEngine On\nRewriteCond %{REQUEST_METHOD} OPTIONS\nRewriteRule ^ - [R=204,L]\n",
    );
    s
}

fn caddy(v: &Values) -> String {
    let mut s = format!("{} {{\n\t@preflight method OPTIONS\n\theader {{\n", v.site);
    s.push_str(&format!(
        "\t\tAccess-Control-Allow-Origin \"{}\"\n\t\tVary \"Origin\"\n",
        v.origin
    ));
    if v.credentials {
        s.push_str("\t\tAccess-Control-Allow-Credentials \"true\"\n");
    }
    if !v.expose.is_empty() {
        s.push_str(&format!(
            "\t\tAccess-Control-Expose-Headers \"{}\"\n",
            v.expose_csv()
        ));
    }
    s.push_str("\t}\n\theader @preflight {\n");
    s.push_str(&format!(
        "\t\tAccess-Control-Allow-Methods \"{}\"\n",
        v.methods_csv()
    ));
    if !v.headers.is_empty() {
        s.push_str(&format!(
            "\t\tAccess-Control-Allow-Headers \"{}\"\n",
            v.headers_csv()
        ));
    }
    s.push_str("\t\tAccess-Control-Max-Age \"600\"\n\t}\n");
    s.push_str("\trespond @preflight 204\n\treverse_proxy localhost:8080  # your upstream\n}\n");
    s
}

/// An `http::Method` expression: the associated constant for standard methods.
fn rust_method(method: &str) -> String {
    match method {
        "GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "PATCH" | "OPTIONS" => {
            format!("Method::{method}")
        }
        other => format!("Method::from_bytes(b\"{other}\").unwrap()"),
    }
}

fn rust_header_names(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("HeaderName::from_static(\"{n}\")"))
        .collect::<Vec<_>>()
        .joined(", ")
}

fn axum(v: &Values) -> String {
    let mut s = String::from(
        "use axum::http::{header::HeaderName, HeaderValue, Method};\nuse axum::Router;\n\
         use tower_http::cors::CorsLayer;\n\n",
    );
    s.push_str("let cors = CorsLayer::new()\n");
    s.push_str(&format!(
        "    .allow_origin(\"{}\".parse::<HeaderValue>().unwrap())\n",
        v.origin
    ));
    let methods: Vec<String> = v.methods.iter().map(|m| rust_method(m)).collect();
    s.push_str(&format!("    .allow_methods([{}])", methods.joined(", ")));
    if !v.headers.is_empty() {
        s.push_str(&format!(
            "\n    .allow_headers([{}])",
            rust_header_names(&v.headers)
        ));
    }
    if v.credentials {
        s.push_str("\n    .allow_credentials(true)");
    }
    if !v.expose.is_empty() {
        s.push_str(&format!(
            "\n    .expose_headers([{}])",
            rust_header_names(&v.expose)
        ));
    }
    s.push_str(";\n\nlet app = Router::new()\n    // .route(...) your routes\n    .layer(cors);\n");
    s
}

fn actix(v: &Values) -> String {
    let mut s = String::from("use actix_cors::Cors;\n\nHttpServer::new(|| {\n");
    s.push_str("    let cors = Cors::default()\n");
    s.push_str(&format!("        .allowed_origin(\"{}\")\n", v.origin));
    s.push_str(&format!(
        "        .allowed_methods(vec![{}])\n",
        quoted(&v.methods)
    ));
    if !v.headers.is_empty() {
        s.push_str(&format!(
            "        .allowed_headers(vec![{}])\n",
            quoted(&v.headers)
        ));
    }
    if v.credentials {
        s.push_str("        .supports_credentials()\n");
    }
    if !v.expose.is_empty() {
        s.push_str(&format!(
            "        .expose_headers(vec![{}])\n",
            quoted(&v.expose)
        ));
    }
    s.push_str("        .max_age(600);\n    App::new().wrap(cors) // .service(...)\n})\n");
    s.push_str(".bind((\"127.0.0.1\", 8080))?\n.run()\n.await\n");
    s
}

fn spring(v: &Values) -> String {
    let mut s = String::from(
        "import org.springframework.context.annotation.Configuration;\n\
         import org.springframework.web.servlet.config.annotation.CorsRegistry;\n\
         import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;\n\n\
         @Configuration\npublic class CorsConfig implements WebMvcConfigurer {\n\
         \x20   @Override\n    public void addCorsMappings(CorsRegistry registry) {\n\
         \x20       registry.addMapping(\"/**\")\n",
    );
    s.push_str(&format!("            .allowedOrigins(\"{}\")\n", v.origin));
    s.push_str(&format!(
        "            .allowedMethods({})\n",
        quoted(&v.methods)
    ));
    if !v.headers.is_empty() {
        s.push_str(&format!(
            "            .allowedHeaders({})\n",
            quoted(&v.headers)
        ));
    }
    if !v.expose.is_empty() {
        s.push_str(&format!(
            "            .exposedHeaders({})\n",
            quoted(&v.expose)
        ));
    }
    if v.credentials {
        s.push_str("            .allowCredentials(true)\n");
    }
    s.push_str("            .maxAge(600);\n    }\n}\n");
    s
}

fn aspnet(v: &Values) -> String {
    let mut s = String::from(
        "var builder = WebApplication.CreateBuilder(args);\n\
         builder.Services.AddCors(options =>\n{\n    options.AddPolicy(\"corscope\", policy => policy\n",
    );
    s.push_str(&format!("        .WithOrigins(\"{}\")\n", v.origin));
    s.push_str(&format!("        .WithMethods({})", quoted(&v.methods)));
    if !v.headers.is_empty() {
        s.push_str(&format!("\n        .WithHeaders({})", quoted(&v.headers)));
    }
    if !v.expose.is_empty() {
        s.push_str(&format!(
            "\n        .WithExposedHeaders({})",
            quoted(&v.expose)
        ));
    }
    if v.credentials {
        s.push_str("\n        .AllowCredentials()");
    }
    s.push_str(");\n});\n\nvar app = builder.Build();\napp.UseRouting();\n");
    s.push_str("app.UseCors(\"corscope\"); // after UseRouting, before UseAuthentication/UseAuthorization\n");
    s.push_str(
        "app.UseAuthentication();\napp.UseAuthorization();\napp.MapControllers();\napp.Run();\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{Exchange, Response};
    use crate::verdict::fixtures::{Req, APP};
    use crate::verdict::{decide, Verdict};

    #[test]
    fn ids_round_trip_and_are_lowercase() {
        for stack in Stack::ALL {
            assert_eq!(Stack::from_id(stack.id()), Some(stack));
            assert_eq!(stack.id(), stack.id().to_ascii_lowercase());
        }
        assert_eq!(Stack::from_id("FastAPI"), None);
    }

    /// Every stack's snippet carries the user's origin, method, header and credentials setting.
    #[test]
    fn every_snippet_has_the_users_values() {
        let request = Req::new("PUT").header("X-Api-Key", "k").include().build();
        let focus = Focus::AllowHeader(Some("x-api-key".into()));
        for stack in Stack::ALL {
            let fix = advice(stack, &request, &focus);
            let s = &fix.snippet;
            assert!(s.contains(APP), "{stack}: origin\n{s}");
            assert!(s.contains("PUT"), "{stack}: method\n{s}");
            assert!(s.contains("x-api-key"), "{stack}: header\n{s}");
            assert!(!fix.language.is_empty());
            let credentials = [
                "True",
                "true",
                "supports_credentials()",
                "AllowCredentials()",
            ];
            assert!(
                credentials.iter().any(|c| s.contains(c)),
                "{stack}: credentials\n{s}"
            );
            assert!(
                fix.summary.contains("x-api-key"),
                "{stack}: {}",
                fix.summary
            );
        }
    }

    #[test]
    fn no_credentials_setting_without_credentials() {
        let request = Req::new("GET").build();
        for stack in Stack::ALL {
            let s = advice(stack, &request, &Focus::AllowOrigin).snippet;
            assert!(!s.to_lowercase().contains("credentials"), "{stack}\n{s}");
        }
    }

    #[test]
    fn stack_traps_from_the_field() {
        let request = Req::new("PUT").build();
        let fix = advice(Stack::FastApi, &request, &Focus::AllowMethod(None));
        assert!(fix.summary.contains("defaults to GET only"));
        assert!(fix.snippet.contains("allow_methods=[\"GET\", \"PUT\"]"));
        let fix = advice(Stack::Nginx, &request, &Focus::ErrorResponses(500));
        assert!(fix.summary.contains("always") && fix.snippet.contains("always;"));
        let fix = advice(Stack::Nginx, &request, &Focus::DuplicateOrigin);
        assert!(fix
            .snippet
            .contains("proxy_hide_header Access-Control-Allow-Origin;"));
        let fix = advice(Stack::FastApi, &request, &Focus::ErrorResponses(500));
        assert!(fix.summary.contains("ServerErrorMiddleware"));
        let credentialed = Req::new("GET").include().build();
        let fix = advice(Stack::Axum, &credentialed, &Focus::AllowCredentials);
        assert!(fix.summary.contains("panics"));
        let fix = advice(Stack::Flask, &credentialed, &Focus::AllowCredentials);
        assert!(fix.snippet.contains("supports_credentials=True"));
    }

    #[test]
    fn custom_methods_and_django_defaults() {
        let request = Req::new("PROPFIND").header("X-Api-Key", "k").build();
        let s = advice(Stack::Axum, &request, &Focus::General).snippet;
        assert!(
            s.contains("Method::from_bytes(b\"PROPFIND\").unwrap()"),
            "{s}"
        );
        let s = advice(Stack::Django, &request, &Focus::General).snippet;
        assert!(
            s.contains("CORS_ALLOW_METHODS = (*default_methods, \"PROPFIND\")"),
            "{s}"
        );
        assert!(
            s.contains("CORS_ALLOW_HEADERS = (*default_headers, \"x-api-key\")"),
            "{s}"
        );
        // Default methods are not repeated.
        let put = Req::new("PUT").build();
        assert!(!advice(Stack::Django, &put, &Focus::General)
            .snippet
            .contains("CORS_ALLOW_METHODS"));
    }

    #[test]
    fn focus_from_raw_and_probe_paths_agree() {
        // Raw path: the preflight lacks x-api-key.
        let req = Req::new("GET").header("X-Api-Key", "k");
        let pf = Response::new(204).with("Access-Control-Allow-Origin", APP);
        let c = req.classified();
        let Verdict::Blocked(b) = decide(
            &c,
            &Exchange {
                preflight: Some(pf),
                actual: vec![],
            },
        ) else {
            panic!("expected Blocked");
        };
        let raw = Focus::from_blocked(&b);
        let probe = Focus::from_candidates(Some(Stage::Preflight), Some(ACAH), Some("x-api-key"));
        assert_eq!(raw, probe);
        assert_eq!(raw, Focus::AllowHeader(Some("x-api-key".into())));
    }

    #[test]
    fn focus_for_error_status_and_taint() {
        let c = Req::new("GET").classified();
        let Verdict::Blocked(b) = decide(
            &c,
            &Exchange {
                preflight: None,
                actual: vec![Response::new(502)],
            },
        ) else {
            panic!("expected Blocked");
        };
        assert_eq!(Focus::from_blocked(&b), Focus::ErrorResponses(502));
        let hop = Response::new(302)
            .with("Location", "https://other.example/")
            .with("Access-Control-Allow-Origin", APP);
        let fin = Response::new(200).with("Access-Control-Allow-Origin", APP);
        let Verdict::Blocked(b) = decide(
            &c,
            &Exchange {
                preflight: None,
                actual: vec![hop, fin],
            },
        ) else {
            panic!("expected Blocked");
        };
        assert_eq!(
            Focus::from_blocked(&b),
            Focus::AvoidRedirect(RedirectProblem::TaintedOrigin)
        );
    }

    #[test]
    fn focus_from_allowed_lists_exposable_names() {
        let c = Req::new("GET").classified();
        let r = Response::new(200)
            .with("Access-Control-Allow-Origin", "*")
            .with("X-Request-Id", "1")
            .with("Set-Cookie", "a=b");
        let Verdict::Allowed(a) = decide(
            &c,
            &Exchange {
                preflight: None,
                actual: vec![r],
            },
        ) else {
            panic!("expected Allowed");
        };
        assert_eq!(
            Focus::from_allowed(&a),
            Some(Focus::ExposeHeaders(vec![
                "access-control-allow-origin".into(),
                "x-request-id".into()
            ]))
        );
    }

    #[test]
    fn expose_headers_focus() {
        let request = Req::new("GET").build();
        let focus = Focus::ExposeHeaders(vec!["x-request-id".into()]);
        let s = advice(Stack::Express, &request, &focus).snippet;
        assert!(s.contains("exposedHeaders: [\"x-request-id\"]"), "{s}");
        let s = advice(Stack::Spring, &request, &focus).snippet;
        assert!(s.contains(".exposedHeaders(\"x-request-id\")"), "{s}");
    }
}
