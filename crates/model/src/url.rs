//! Just enough of the URL Standard to compare origins the way a browser does.
//!
//! The page hands the model URLs that the browser's own `URL` parser has already normalised
//! (`new URL(input).href`), so this parser only has to read normalised absolute URLs correctly and refuse
//! the rest with a clear message. It does not map internationalised domain names to punycode and does not
//! normalise hexadecimal or octal IPv4 forms: the browser has done that before the model sees the URL.
//! Keeping it small keeps the WASM bundle small (the `url` crate alone would weigh more than the page).

use std::fmt;

use crate::text::Joined;

/// A parsed absolute URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    scheme: String,
    username: String,
    password: String,
    host: String,
    port: Option<u16>,
    path_and_query: String,
}

/// Why a URL could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidUrl {
    reason: &'static str,
}

impl InvalidUrl {
    /// A plain-English reason, e.g. "the URL has no scheme (start it with https://)".
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for InvalidUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid URL: {}", self.reason)
    }
}

impl std::error::Error for InvalidUrl {}

fn invalid(reason: &'static str) -> InvalidUrl {
    InvalidUrl { reason }
}

/// An origin: a (scheme, host, port) tuple, or the opaque origin serialised as `null`.
///
/// <https://html.spec.whatwg.org/multipage/browsers.html#origin>
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A tuple origin; `port` is `None` when it is the scheme's default.
    Tuple {
        /// Lowercase scheme.
        scheme: String,
        /// Lowercase host (IPv6 addresses keep their brackets).
        host: String,
        /// Non-default port.
        port: Option<u16>,
    },
    /// An opaque origin (e.g. after a cross-origin redirect, or of a `data:` URL); serialises as `null`.
    Opaque,
}

impl Origin {
    /// Parses a serialised origin such as `https://app.example:8443` or `null`.
    ///
    /// A path, query or fragment is refused: an origin is scheme, host and port only.
    pub fn parse(input: &str) -> Result<Origin, InvalidUrl> {
        let input = input.trim();
        if input == "null" {
            return Ok(Origin::Opaque);
        }
        let url = Url::parse(input)?;
        if url.path_and_query != "/" || input.ends_with('/') {
            return Err(invalid(
                "an origin is scheme://host[:port], without a path or trailing slash",
            ));
        }
        Ok(url.origin())
    }

    /// The ASCII serialisation, exactly as a browser sends it in the `Origin` header.
    ///
    /// <https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin>
    pub fn serialize(&self) -> String {
        self.to_string()
    }

    /// Whether the origin is potentially trustworthy (a secure context): https, or loopback http.
    ///
    /// <https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy>
    pub fn is_potentially_trustworthy(&self) -> bool {
        match self {
            Origin::Tuple { scheme, host, .. } => {
                scheme == "https" || scheme == "wss" || scheme == "file" || is_loopback_host(host)
            }
            Origin::Opaque => false,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Tuple {
                scheme,
                host,
                port: Some(port),
            } => write!(f, "{scheme}://{host}:{port}"),
            Origin::Tuple {
                scheme,
                host,
                port: None,
            } => write!(f, "{scheme}://{host}"),
            Origin::Opaque => f.write_str("null"),
        }
    }
}

/// The address space a host is in, for Local Network Access.
///
/// Only IP literals and `localhost` can be placed from the URL alone; a name may resolve anywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressSpace {
    /// 127.0.0.0/8, ::1, localhost.
    Loopback,
    /// Private ranges: 10/8, 172.16/12, 192.168/16, 169.254/16, fc00::/7, fe80::/10.
    Local,
    /// Any other IP literal.
    Public,
    /// A domain name: the space is known only after DNS.
    Unknown,
}

impl Url {
    /// Parses an absolute URL.
    pub fn parse(input: &str) -> Result<Url, InvalidUrl> {
        let input = input.trim_matches(|c: char| c <= ' ');
        if input.is_empty() {
            return Err(invalid("the URL is empty"));
        }
        if input.chars().any(|c| c == '\t' || c == '\n' || c == '\r') {
            return Err(invalid("the URL contains a tab or line break"));
        }
        let (scheme, rest) = input
            .split_once(':')
            .ok_or(invalid("the URL has no scheme (start it with https://)"))?;
        let mut chars = scheme.chars();
        let valid_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !valid_scheme {
            return Err(invalid(
                "the URL has no valid scheme (start it with https://)",
            ));
        }
        let scheme = scheme.to_ascii_lowercase();
        let special = is_special(&scheme);
        let Some(after_slashes) = rest.strip_prefix("//").or_else(|| {
            // Special schemes accept backslashes the way browsers do.
            special.then(|| rest.strip_prefix("\\\\")).flatten()
        }) else {
            if special && scheme != "file" {
                return Err(invalid("an http(s) URL needs // after the scheme"));
            }
            // A non-hierarchical URL (data:, mailto:, …) has no host and an opaque origin.
            return Ok(Url {
                scheme,
                username: String::new(),
                password: String::new(),
                host: String::new(),
                port: None,
                path_and_query: strip_fragment(rest).to_string(),
            });
        };
        let authority_end = after_slashes
            .find(|c: char| c == '/' || c == '?' || c == '#' || (special && c == '\\'))
            .unwrap_or(after_slashes.len());
        let (authority, tail) = after_slashes
            .split_at_checked(authority_end)
            .unwrap_or((after_slashes, ""));
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(at) => (
                authority.get(..at).unwrap_or(""),
                authority.get(at + 1..).unwrap_or(""),
            ),
            None => ("", authority),
        };
        let (username, password) = match userinfo.split_once(':') {
            Some((u, p)) => (u.to_string(), p.to_string()),
            None => (userinfo.to_string(), String::new()),
        };
        let (host, port) = split_host_port(hostport)?;
        let host = parse_host(host, special && scheme != "file")?;
        let port = match port {
            None | Some("") => None,
            Some(p) => {
                if !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid("the port is not a number"));
                }
                let n: u32 = p.parse().map_err(|_| invalid("the port is out of range"))?;
                let n =
                    u16::try_from(n).map_err(|_| invalid("the port is out of range (0-65535)"))?;
                (Some(n) != default_port(&scheme)).then_some(n)
            }
        };
        let tail = strip_fragment(tail).replace('\\', "/");
        let path_and_query = if tail.starts_with('/') {
            tail
        } else {
            format!("/{tail}")
        };
        Ok(Url {
            scheme,
            username,
            password,
            host,
            port,
            path_and_query,
        })
    }

    /// Lowercase scheme without the colon.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Host as serialised (lowercase; IPv6 in brackets); empty for URLs without one.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The explicit port, `None` when it is the scheme's default or absent.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The port a connection uses: the explicit one or the scheme's default.
    pub fn port_or_default(&self) -> Option<u16> {
        self.port.or_else(|| default_port(&self.scheme))
    }

    /// Path plus query (never the fragment, which is not sent).
    pub fn path_and_query(&self) -> &str {
        &self.path_and_query
    }

    /// Whether the URL carries a user name or password (`https://user:pass@host/`).
    pub fn has_credentials(&self) -> bool {
        !self.username.is_empty() || !self.password.is_empty()
    }

    /// Whether the scheme is http or https, the only ones CORS works with.
    pub fn is_http(&self) -> bool {
        self.scheme == "http" || self.scheme == "https"
    }

    /// The URL's origin: a tuple for http(s), ws(s) and ftp; opaque for every other scheme.
    ///
    /// <https://url.spec.whatwg.org/#concept-url-origin>
    pub fn origin(&self) -> Origin {
        if matches!(
            self.scheme.as_str(),
            "http" | "https" | "ws" | "wss" | "ftp"
        ) {
            Origin::Tuple {
                scheme: self.scheme.clone(),
                host: self.host.clone(),
                port: self.port,
            }
        } else {
            Origin::Opaque
        }
    }

    /// The address space of the host, when the URL alone tells it.
    pub fn address_space(&self) -> AddressSpace {
        address_space(&self.host)
    }

    /// The same URL with `name=value` appended to its query (for cache-busting probes).
    pub fn with_query_param(&self, name: &str, value: &str) -> Url {
        let sep = if self.path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        let mut url = self.clone();
        url.path_and_query = format!("{}{sep}{name}={value}", self.path_and_query);
        url
    }

    /// Resolves a reference (a `Location` value) against this URL: absolute URLs, scheme-relative
    /// (`//host/p`), absolute paths (`/p`), query-only (`?q`), fragment-only and relative paths with
    /// `.`/`..` segments. Percent-encoding is left as is (the browser normalises it; origins do not
    /// depend on it).
    ///
    /// <https://url.spec.whatwg.org/#concept-basic-url-parser> with a base URL.
    pub fn join(&self, reference: &str) -> Result<Url, InvalidUrl> {
        let reference = reference.trim_matches(|c: char| c <= ' ');
        if has_scheme(reference) {
            return Url::parse(reference);
        }
        if reference.starts_with("//") || reference.starts_with("\\\\") {
            return Url::parse(&format!("{}:{reference}", self.scheme));
        }
        let mut url = self.clone();
        if reference.is_empty() || reference.starts_with('#') {
            return Ok(url);
        }
        let (base_path, _) = split_query(&self.path_and_query);
        url.path_and_query = match reference.chars().next() {
            Some('?') => format!("{base_path}{}", strip_fragment(reference)),
            Some('/') | Some('\\') => strip_fragment(reference).replace('\\', "/"),
            _ => {
                let dir = base_path
                    .rfind('/')
                    .map_or("/", |i| base_path.get(..=i).unwrap_or("/"));
                format!("{dir}{}", strip_fragment(reference))
            }
        };
        let (path, query) = split_query(&url.path_and_query);
        url.path_and_query = format!("{}{query}", remove_dot_segments(path));
        Ok(url)
    }

    /// The same URL without user name and password.
    pub fn without_credentials(&self) -> Url {
        let mut url = self.clone();
        url.username.clear();
        url.password.clear();
        url
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.is_empty() && !is_special(&self.scheme) {
            return write!(
                f,
                "{}:{}",
                self.scheme,
                self.path_and_query.trim_start_matches('/')
            );
        }
        write!(f, "{}://", self.scheme)?;
        if self.has_credentials() {
            f.write_str(&self.username)?;
            if !self.password.is_empty() {
                write!(f, ":{}", self.password)?;
            }
            f.write_str("@")?;
        }
        f.write_str(&self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        f.write_str(&self.path_and_query)
    }
}

fn is_special(scheme: &str) -> bool {
    matches!(scheme, "http" | "https" | "ws" | "wss" | "ftp" | "file")
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

fn strip_fragment(s: &str) -> &str {
    s.split('#').next().unwrap_or("")
}

/// Whether a reference starts with `scheme:` (so it is absolute, not relative).
fn has_scheme(reference: &str) -> bool {
    let Some((scheme, _)) = reference.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Splits `path?query` into the path and the `?query` part (empty when there is none).
fn split_query(path_and_query: &str) -> (&str, &str) {
    match path_and_query.find('?') {
        Some(i) => path_and_query
            .split_at_checked(i)
            .unwrap_or((path_and_query, "")),
        None => (path_and_query, ""),
    }
}

/// Removes `.` and `..` segments from an absolute path (RFC 3986 §5.2.4).
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." | "%2e" | "%2E" => {}
            ".." | "%2e%2e" | "%2E%2E" | ".%2e" | "%2e." => {
                out.pop();
            }
            other => out.push(other),
        }
        // A trailing `.` or `..` leaves a directory: keep the final slash.
        if i == last && matches!(*segment, "." | "..") {
            out.push("");
        }
    }
    format!("/{}", out.joined("/"))
}

fn split_host_port(hostport: &str) -> Result<(&str, Option<&str>), InvalidUrl> {
    if let Some(rest) = hostport.strip_prefix('[') {
        let close = rest
            .find(']')
            .ok_or(invalid("an IPv6 address is missing its closing ]"))?;
        let host = hostport.get(..close + 2).unwrap_or(hostport);
        let after = rest.get(close + 1..).unwrap_or("");
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if after.is_empty() => Ok((host, None)),
            None => Err(invalid("unexpected text after the IPv6 address")),
        };
    }
    Ok(match hostport.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (hostport, None),
    })
}

fn parse_host(host: &str, needs_host: bool) -> Result<String, InvalidUrl> {
    if host.is_empty() {
        return if needs_host {
            Err(invalid("the URL has no host"))
        } else {
            Ok(String::new())
        };
    }
    if host.starts_with('[') {
        let inner = host.trim_start_matches('[').trim_end_matches(']');
        let ok = !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
            && inner.contains(':');
        return if ok {
            Ok(host.to_ascii_lowercase())
        } else {
            Err(invalid("the IPv6 address is malformed"))
        };
    }
    if !host.is_ascii() {
        return Err(invalid(
            "the host has non-ASCII characters (the browser converts them to punycode; paste that form)",
        ));
    }
    const FORBIDDEN: &[char] = &[
        ' ', '#', '%', '/', ':', '<', '>', '?', '@', '[', '\\', ']', '^', '|', '"', '{', '}',
    ];
    if host
        .chars()
        .any(|c| FORBIDDEN.contains(&c) || c.is_ascii_control())
    {
        return Err(invalid(
            "the host contains a character that is not allowed in host names",
        ));
    }
    Ok(host.to_ascii_lowercase())
}

fn parse_ipv4(host: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = host.split('.');
    for slot in &mut out {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = part.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

fn is_loopback_host(host: &str) -> bool {
    address_space(host) == AddressSpace::Loopback
}

fn address_space(host: &str) -> AddressSpace {
    if host == "localhost" || host.ends_with(".localhost") {
        return AddressSpace::Loopback;
    }
    if let Some([a, b, _, _]) = parse_ipv4(host) {
        return match (a, b) {
            (127, _) => AddressSpace::Loopback,
            (10, _) | (192, 168) | (169, 254) => AddressSpace::Local,
            (172, b) if (16..=31).contains(&b) => AddressSpace::Local,
            (0, _) => AddressSpace::Local,
            _ => AddressSpace::Public,
        };
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        if v6 == "::1" {
            return AddressSpace::Loopback;
        }
        let first = v6.split(':').next().unwrap_or("");
        let first = u16::from_str_radix(first, 16).unwrap_or(0);
        return if first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfe80 {
            AddressSpace::Local
        } else {
            AddressSpace::Public
        };
    }
    AddressSpace::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(url: &str) -> String {
        Url::parse(url)
            .map(|u| u.origin().serialize())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn origins_serialise_like_browsers() {
        assert_eq!(
            origin("https://API.Example.com/x?y#z"),
            "https://api.example.com"
        );
        assert_eq!(origin("https://a.example:443/"), "https://a.example");
        assert_eq!(origin("http://a.example:80"), "http://a.example");
        assert_eq!(origin("http://127.0.0.1:8787/s/x"), "http://127.0.0.1:8787");
        assert_eq!(origin("http://[::1]:3000/"), "http://[::1]:3000");
        assert_eq!(origin("data:text/plain,hi"), "null");
        assert_eq!(origin("file:///etc/passwd"), "null");
    }

    #[test]
    fn bad_urls_are_refused_with_reasons() {
        assert!(Url::parse("").is_err());
        assert!(Url::parse("example.com/api").is_err());
        assert!(Url::parse("https:///path").is_err());
        assert!(Url::parse("http://a.example:99999/").is_err());
        assert!(Url::parse("http://a.example:8x/").is_err());
        assert!(Url::parse("http://a b.example/").is_err());
        assert!(Url::parse("http://[::1/").is_err());
    }

    #[test]
    fn credentials_and_paths() {
        let url = Url::parse("https://user:pw@a.example/p?q=1#frag").unwrap();
        assert!(url.has_credentials());
        assert_eq!(url.path_and_query(), "/p?q=1");
        assert_eq!(url.to_string(), "https://user:pw@a.example/p?q=1");
        assert_eq!(
            url.without_credentials().to_string(),
            "https://a.example/p?q=1"
        );
        assert_eq!(
            url.with_query_param("cb", "1").path_and_query(),
            "/p?q=1&cb=1"
        );
    }

    #[test]
    fn join_resolves_location_values() {
        let base = Url::parse("https://api.example/v1/items?x=1").unwrap();
        let join = |r: &str| base.join(r).map(|u| u.to_string()).unwrap_or_default();
        assert_eq!(join("https://other.example/a"), "https://other.example/a");
        assert_eq!(join("//cdn.example/x"), "https://cdn.example/x");
        assert_eq!(join("/login"), "https://api.example/login");
        assert_eq!(join("next"), "https://api.example/v1/next");
        assert_eq!(join("../v2/items"), "https://api.example/v2/items");
        assert_eq!(join("./"), "https://api.example/v1/");
        assert_eq!(join("?page=2"), "https://api.example/v1/items?page=2");
        assert_eq!(join("#top"), "https://api.example/v1/items?x=1");
        assert_eq!(join("file:///etc/passwd"), "file:///etc/passwd");
        assert_eq!(join("/a/../../b"), "https://api.example/b");
        assert!(base.join("http://[::1/").is_err());
    }

    #[test]
    fn origin_parse_refuses_paths() {
        assert_eq!(Origin::parse("null"), Ok(Origin::Opaque));
        assert!(Origin::parse("https://a.example/").is_err());
        assert_eq!(
            Origin::parse("https://a.example").map(|o| o.serialize()),
            Ok("https://a.example".into())
        );
    }

    #[test]
    fn address_spaces() {
        let space = |u: &str| Url::parse(u).unwrap().address_space();
        assert_eq!(space("http://localhost:8000/"), AddressSpace::Loopback);
        assert_eq!(space("http://127.0.0.1/"), AddressSpace::Loopback);
        assert_eq!(space("http://192.168.1.10/"), AddressSpace::Local);
        assert_eq!(space("http://172.20.0.1/"), AddressSpace::Local);
        assert_eq!(space("http://8.8.8.8/"), AddressSpace::Public);
        assert_eq!(space("https://api.example/"), AddressSpace::Unknown);
        assert_eq!(space("http://[::1]/"), AddressSpace::Loopback);
    }
}
