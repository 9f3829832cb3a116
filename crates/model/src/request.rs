//! The request a user describes ([`RequestSpec`], raw text) and the request a browser would send
//! ([`Request`], validated and normalised by [`crate::classify()`]).

use std::fmt;

use crate::response::HeaderList;
use crate::url::{Origin, Url};

/// The request's mode. `navigate` is not offered: `fetch()` refuses it.
///
/// <https://fetch.spec.whatwg.org/#concept-request-mode>
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Cross-origin allowed, subject to the CORS protocol (the `fetch()` default).
    #[default]
    Cors,
    /// Cross-origin allowed, response opaque; only safelisted methods and headers.
    NoCors,
    /// Cross-origin refused outright.
    SameOrigin,
}

/// The request's credentials mode.
///
/// <https://fetch.spec.whatwg.org/#concept-request-credentials-mode>
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Credentials {
    /// Never send cookies or HTTP auth.
    Omit,
    /// Send them only to the page's own origin (the `fetch()` default).
    #[default]
    SameOrigin,
    /// Always send them; the CORS check then forbids wildcards and needs `Access-Control-Allow-Credentials: true`.
    Include,
}

/// The request's redirect mode.
///
/// <https://fetch.spec.whatwg.org/#concept-request-redirect-mode>
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Redirect {
    /// Follow up to 20 redirects (the default).
    #[default]
    Follow,
    /// Treat a redirect as a network error.
    Error,
    /// Return an opaque-redirect response instead of following.
    Manual,
}

macro_rules! keyword_enum {
    ($ty:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in the order forms list them.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The keyword `fetch()` and permalinks use, e.g. `"no-cors"`.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }

            /// Parses the keyword (exactly, lowercase); `None` for anything else.
            pub fn parse(text: &str) -> Option<$ty> {
                match text { $($text => Some($ty::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

keyword_enum!(Mode { Cors = "cors", NoCors = "no-cors", SameOrigin = "same-origin" });
keyword_enum!(Credentials { Omit = "omit", SameOrigin = "same-origin", Include = "include" });
keyword_enum!(Redirect { Follow = "follow", Error = "error", Manual = "manual" });

/// A request as the user describes it: raw text, not yet checked.
///
/// [`crate::classify()`] turns it into a [`Request`] or says why the browser would refuse it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestSpec {
    /// The origin the request is sent from: the page's own, or the user's app origin for `curl`.
    pub origin: String,
    /// The target URL (absolute).
    pub url: String,
    /// The method as typed, e.g. `"put"` or `"PROPFIND"`.
    pub method: String,
    /// Fetch mode.
    pub mode: Mode,
    /// Credentials mode.
    pub credentials: Credentials,
    /// Redirect mode.
    pub redirect: Redirect,
    /// Request headers in the order given (name, value).
    pub headers: Vec<(String, String)>,
    /// The request body, if any.
    pub body: Option<String>,
}

/// A request the browser would actually send: URL and origin parsed, method normalised, forbidden
/// headers removed. Only [`crate::classify()`] makes one, so holding one means the browser accepts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub(crate) origin: Origin,
    pub(crate) url: Url,
    pub(crate) method: String,
    pub(crate) mode: Mode,
    pub(crate) credentials: Credentials,
    pub(crate) redirect: Redirect,
    pub(crate) headers: HeaderList,
    pub(crate) has_body: bool,
}

impl Request {
    /// The origin the request is sent from (what goes into the `Origin` header).
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The target URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The normalised method: DELETE, GET, HEAD, OPTIONS, POST and PUT upper-cased, others as written.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Fetch mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Credentials mode as requested.
    pub fn credentials(&self) -> Credentials {
        self.credentials
    }

    /// Redirect mode.
    pub fn redirect(&self) -> Redirect {
        self.redirect
    }

    /// The author request headers the browser keeps (forbidden ones already removed).
    pub fn headers(&self) -> &HeaderList {
        &self.headers
    }

    /// Whether the request has a body.
    pub fn has_body(&self) -> bool {
        self.has_body
    }

    /// Whether the URL's origin differs from the request's origin.
    pub fn is_cross_origin(&self) -> bool {
        self.url.origin() != self.origin
    }

    /// The CORS-unsafe request-header names, lowercase, deduplicated and sorted: exactly what goes in
    /// `Access-Control-Request-Headers` (joined with `","`). Empty when no header forces a preflight.
    ///
    /// <https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names>
    pub fn unsafe_header_names(&self) -> Vec<String> {
        crate::header::cors_unsafe_request_header_names(&self.headers)
    }

    /// Whether the CORS check treats the request as credentialed: credentials mode `include`.
    ///
    /// `same-origin` sends no credentials to another origin, so it is checked like `omit`.
    /// <https://fetch.spec.whatwg.org/#cors-check> step 4.
    pub fn is_credentialed(&self) -> bool {
        self.credentials == Credentials::Include
    }
}
