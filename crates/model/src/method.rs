//! Request methods as the Fetch Standard treats them: which strings are methods at all, which ones a
//! browser refuses to send, which ones are CORS-safelisted, and how `fetch()` normalises the case.
//!
//! <https://fetch.spec.whatwg.org/#methods>

use std::fmt;

use crate::header::is_token;

/// The methods a browser refuses to send (`new Request()` throws a `TypeError`), compared
/// byte-case-insensitively.
///
/// <https://fetch.spec.whatwg.org/#forbidden-method>
pub const FORBIDDEN_METHODS: [&str; 3] = ["CONNECT", "TRACE", "TRACK"];

/// The CORS-safelisted methods: the only ones a cross-origin request may use without a preflight, and
/// the only ones `no-cors` mode accepts. Compared byte-exactly, after normalisation.
///
/// <https://fetch.spec.whatwg.org/#cors-safelisted-method>
pub const CORS_SAFELISTED_METHODS: [&str; 3] = ["GET", "HEAD", "POST"];

/// The methods `fetch()` upper-cases; every other method is sent exactly as written, so `patch` goes
/// on the wire as `patch` and must then appear as `patch` in `Access-Control-Allow-Methods`.
///
/// <https://fetch.spec.whatwg.org/#concept-method-normalize>
pub const NORMALIZED_METHODS: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// Why a method cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MethodError {
    /// Not an HTTP token (RFC 9110 §5.6.2): contains a space, a separator or a non-ASCII character.
    NotAToken(String),
    /// CONNECT, TRACE or TRACK in any case.
    Forbidden(String),
}

impl fmt::Display for MethodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MethodError::NotAToken(m) => {
                write!(f, "{} is not a valid HTTP method", crate::text::quoted(m))
            }
            MethodError::Forbidden(m) => write!(f, "{m} is a forbidden method"),
        }
    }
}

impl std::error::Error for MethodError {}

/// Whether `method` is a method at all: an HTTP token.
///
/// <https://fetch.spec.whatwg.org/#concept-method>
pub fn is_method(method: &str) -> bool {
    is_token(method)
}

/// Whether `method` is CONNECT, TRACE or TRACK, in any case.
///
/// <https://fetch.spec.whatwg.org/#forbidden-method>
pub fn is_forbidden_method(method: &str) -> bool {
    FORBIDDEN_METHODS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// Whether `method` is GET, HEAD or POST, byte-exactly. Normalise first: `post` becomes `POST`.
///
/// <https://fetch.spec.whatwg.org/#cors-safelisted-method>
pub fn is_cors_safelisted_method(method: &str) -> bool {
    CORS_SAFELISTED_METHODS.contains(&method)
}

/// Normalises a method the way `fetch()` does: DELETE, GET, HEAD, OPTIONS, POST and PUT are
/// upper-cased whatever their case; any other method is kept as written.
///
/// <https://fetch.spec.whatwg.org/#concept-method-normalize>
pub fn normalize_method(method: &str) -> String {
    NORMALIZED_METHODS
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .map_or_else(|| method.to_string(), |m| (*m).to_string())
}

/// Validates and normalises a method as `new Request()` does: a token, not forbidden, then normalised.
///
/// <https://fetch.spec.whatwg.org/#dom-request> step "If init["method"] exists".
pub fn parse_method(method: &str) -> Result<String, MethodError> {
    if !is_method(method) {
        return Err(MethodError::NotAToken(method.to_string()));
    }
    if is_forbidden_method(method) {
        return Err(MethodError::Forbidden(method.to_string()));
    }
    Ok(normalize_method(method))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_method_table() {
        // (input, expected) — each row cites the rule it checks.
        let cases: &[(&str, Result<&str, MethodError>)] = &[
            // #concept-method-normalize: the six listed methods are upper-cased.
            ("get", Ok("GET")),
            ("Post", Ok("POST")),
            ("delete", Ok("DELETE")),
            ("options", Ok("OPTIONS")),
            ("pUt", Ok("PUT")),
            ("head", Ok("HEAD")),
            // #concept-method-normalize: PATCH is not in the list, so its case is kept.
            ("patch", Ok("patch")),
            ("PATCH", Ok("PATCH")),
            // #concept-method: any token is a method, even unknown ones.
            ("PROPFIND", Ok("PROPFIND")),
            ("x-custom!", Ok("x-custom!")),
            // #forbidden-method: byte-case-insensitive.
            ("TRACE", Err(MethodError::Forbidden("TRACE".into()))),
            ("trace", Err(MethodError::Forbidden("trace".into()))),
            ("Connect", Err(MethodError::Forbidden("Connect".into()))),
            ("track", Err(MethodError::Forbidden("track".into()))),
            // #concept-method: not a token.
            ("", Err(MethodError::NotAToken("".into()))),
            ("GET ", Err(MethodError::NotAToken("GET ".into()))),
            ("GE T", Err(MethodError::NotAToken("GE T".into()))),
            ("GET/1", Err(MethodError::NotAToken("GET/1".into()))),
            ("gét", Err(MethodError::NotAToken("gét".into()))),
        ];
        for (input, expected) in cases {
            let expected = expected.clone().map(str::to_string);
            assert_eq!(parse_method(input), expected, "{input:?}");
        }
    }

    #[test]
    fn safelisted_methods_are_byte_exact() {
        // #cors-safelisted-method: GET, HEAD, POST — compared after normalisation.
        assert!(is_cors_safelisted_method("GET"));
        assert!(is_cors_safelisted_method("HEAD"));
        assert!(is_cors_safelisted_method("POST"));
        assert!(!is_cors_safelisted_method("get"));
        assert!(!is_cors_safelisted_method("PUT"));
        assert!(!is_cors_safelisted_method("OPTIONS"));
        assert!(is_cors_safelisted_method(&normalize_method("post")));
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(m in "\\PC{0,12}") {
            let once = normalize_method(&m);
            prop_assert_eq!(normalize_method(&once), once.clone());
            // Only the case can change.
            prop_assert!(once.eq_ignore_ascii_case(&m));
        }

        #[test]
        fn parse_never_accepts_forbidden_or_non_tokens(m in "\\PC{0,12}") {
            if let Ok(normalised) = parse_method(&m) {
                prop_assert!(is_token(&normalised));
                prop_assert!(!is_forbidden_method(&normalised));
            }
        }
    }
}
