//! The reasons a browser blocks a cross-origin request, named exactly as the DevTools protocol names them.
//!
//! Chromium reports every CORS failure to DevTools as `Network.CorsErrorStatus { corsError, failedParameter }`.
//! [`CorsError`] holds the same names, so a corscope verdict can be compared with the browser's own, string
//! for string. See `shared/cors-reference.md` §1–2 for where each value comes from.

use std::fmt;

/// One value of the DevTools protocol's `Network.CorsError` enum (Chromium 156, Local Network Access era).
///
/// The obsolete `*PrivateNetwork*` and `*AllowExternal` values are not listed: current Chromium never sends
/// them. [`CorsError::from_name`] rejects them like any other unknown string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CorsError {
    /// A cross-origin URL was fetched with mode `same-origin`.
    DisallowedByMode,
    /// The preflight failed with a network error (no HTTP response to check).
    InvalidResponse,
    /// `Access-Control-Allow-Origin: *` on a credentialed request.
    WildcardOriginNotAllowed,
    /// No `Access-Control-Allow-Origin` header.
    MissingAllowOriginHeader,
    /// `Access-Control-Allow-Origin` holds several values (a comma or space; duplicate lines are joined).
    MultipleAllowOriginValues,
    /// `Access-Control-Allow-Origin` is not a valid origin.
    InvalidAllowOriginValue,
    /// `Access-Control-Allow-Origin` is a valid origin (or `null`) other than the request's.
    AllowOriginMismatch,
    /// A credentialed request whose response lacks `Access-Control-Allow-Credentials: true`.
    InvalidAllowCredentials,
    /// The URL's scheme does not support CORS (anything but http and https).
    CorsDisabledScheme,
    /// The preflight response's status is not in 200–299.
    PreflightInvalidStatus,
    /// The preflight response was a redirect.
    PreflightDisallowedRedirect,
    /// As [`CorsError::WildcardOriginNotAllowed`], on the preflight response.
    PreflightWildcardOriginNotAllowed,
    /// As [`CorsError::MissingAllowOriginHeader`], on the preflight response.
    PreflightMissingAllowOriginHeader,
    /// As [`CorsError::MultipleAllowOriginValues`], on the preflight response.
    PreflightMultipleAllowOriginValues,
    /// As [`CorsError::InvalidAllowOriginValue`], on the preflight response.
    PreflightInvalidAllowOriginValue,
    /// As [`CorsError::AllowOriginMismatch`], on the preflight response.
    PreflightAllowOriginMismatch,
    /// As [`CorsError::InvalidAllowCredentials`], on the preflight response.
    PreflightInvalidAllowCredentials,
    /// `Access-Control-Allow-Methods` does not parse (an item is not an HTTP token).
    InvalidAllowMethodsPreflightResponse,
    /// `Access-Control-Allow-Headers` does not parse (an item is not an HTTP token).
    InvalidAllowHeadersPreflightResponse,
    /// The request's method is not allowed by `Access-Control-Allow-Methods`.
    MethodDisallowedByPreflightResponse,
    /// A request header is not allowed by `Access-Control-Allow-Headers`.
    HeaderDisallowedByPreflightResponse,
    /// A redirect's `Location` carries a user name or password.
    RedirectContainsCredentials,
    /// A non-secure page tried to reach a more local address space (Local Network Access).
    InsecureLocalNetwork,
    /// The request's declared target address space differs from the one reached (Local Network Access).
    InvalidLocalNetworkAccess,
    /// The user did not grant the Local Network Access permission.
    LocalNetworkAccessPermissionDenied,
    /// A `no-cors` request with a redirect mode other than `follow`.
    NoCorsRedirectModeNotFollow,
}

/// Where in the exchange a [`CorsError`] is found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Decided from the request alone, before anything is sent.
    Request,
    /// Found on the preflight (`OPTIONS`) response.
    Preflight,
    /// Found on the actual response, or on a redirect hop of it.
    Actual,
    /// Decided by the browser's Local Network Access rules, not by response headers.
    LocalNetwork,
}

impl CorsError {
    /// Every value, in the DevTools protocol's order.
    pub const ALL: [CorsError; 26] = [
        CorsError::DisallowedByMode,
        CorsError::InvalidResponse,
        CorsError::WildcardOriginNotAllowed,
        CorsError::MissingAllowOriginHeader,
        CorsError::MultipleAllowOriginValues,
        CorsError::InvalidAllowOriginValue,
        CorsError::AllowOriginMismatch,
        CorsError::InvalidAllowCredentials,
        CorsError::CorsDisabledScheme,
        CorsError::PreflightInvalidStatus,
        CorsError::PreflightDisallowedRedirect,
        CorsError::PreflightWildcardOriginNotAllowed,
        CorsError::PreflightMissingAllowOriginHeader,
        CorsError::PreflightMultipleAllowOriginValues,
        CorsError::PreflightInvalidAllowOriginValue,
        CorsError::PreflightAllowOriginMismatch,
        CorsError::PreflightInvalidAllowCredentials,
        CorsError::InvalidAllowMethodsPreflightResponse,
        CorsError::InvalidAllowHeadersPreflightResponse,
        CorsError::MethodDisallowedByPreflightResponse,
        CorsError::HeaderDisallowedByPreflightResponse,
        CorsError::RedirectContainsCredentials,
        CorsError::InsecureLocalNetwork,
        CorsError::InvalidLocalNetworkAccess,
        CorsError::LocalNetworkAccessPermissionDenied,
        CorsError::NoCorsRedirectModeNotFollow,
    ];

    /// The DevTools protocol name, e.g. `"MissingAllowOriginHeader"`.
    pub fn name(self) -> &'static str {
        match self {
            CorsError::DisallowedByMode => "DisallowedByMode",
            CorsError::InvalidResponse => "InvalidResponse",
            CorsError::WildcardOriginNotAllowed => "WildcardOriginNotAllowed",
            CorsError::MissingAllowOriginHeader => "MissingAllowOriginHeader",
            CorsError::MultipleAllowOriginValues => "MultipleAllowOriginValues",
            CorsError::InvalidAllowOriginValue => "InvalidAllowOriginValue",
            CorsError::AllowOriginMismatch => "AllowOriginMismatch",
            CorsError::InvalidAllowCredentials => "InvalidAllowCredentials",
            CorsError::CorsDisabledScheme => "CorsDisabledScheme",
            CorsError::PreflightInvalidStatus => "PreflightInvalidStatus",
            CorsError::PreflightDisallowedRedirect => "PreflightDisallowedRedirect",
            CorsError::PreflightWildcardOriginNotAllowed => "PreflightWildcardOriginNotAllowed",
            CorsError::PreflightMissingAllowOriginHeader => "PreflightMissingAllowOriginHeader",
            CorsError::PreflightMultipleAllowOriginValues => "PreflightMultipleAllowOriginValues",
            CorsError::PreflightInvalidAllowOriginValue => "PreflightInvalidAllowOriginValue",
            CorsError::PreflightAllowOriginMismatch => "PreflightAllowOriginMismatch",
            CorsError::PreflightInvalidAllowCredentials => "PreflightInvalidAllowCredentials",
            CorsError::InvalidAllowMethodsPreflightResponse => {
                "InvalidAllowMethodsPreflightResponse"
            }
            CorsError::InvalidAllowHeadersPreflightResponse => {
                "InvalidAllowHeadersPreflightResponse"
            }
            CorsError::MethodDisallowedByPreflightResponse => "MethodDisallowedByPreflightResponse",
            CorsError::HeaderDisallowedByPreflightResponse => "HeaderDisallowedByPreflightResponse",
            CorsError::RedirectContainsCredentials => "RedirectContainsCredentials",
            CorsError::InsecureLocalNetwork => "InsecureLocalNetwork",
            CorsError::InvalidLocalNetworkAccess => "InvalidLocalNetworkAccess",
            CorsError::LocalNetworkAccessPermissionDenied => "LocalNetworkAccessPermissionDenied",
            CorsError::NoCorsRedirectModeNotFollow => "NoCorsRedirectModeNotFollow",
        }
    }

    /// Parses a DevTools protocol name; `None` for anything else (including obsolete names).
    pub fn from_name(name: &str) -> Option<CorsError> {
        CorsError::ALL.into_iter().find(|e| e.name() == name)
    }

    /// Where this error is found.
    pub fn stage(self) -> Stage {
        use CorsError::*;
        match self {
            DisallowedByMode | CorsDisabledScheme | NoCorsRedirectModeNotFollow => Stage::Request,
            InvalidResponse
            | PreflightInvalidStatus
            | PreflightDisallowedRedirect
            | PreflightWildcardOriginNotAllowed
            | PreflightMissingAllowOriginHeader
            | PreflightMultipleAllowOriginValues
            | PreflightInvalidAllowOriginValue
            | PreflightAllowOriginMismatch
            | PreflightInvalidAllowCredentials
            | InvalidAllowMethodsPreflightResponse
            | InvalidAllowHeadersPreflightResponse
            | MethodDisallowedByPreflightResponse
            | HeaderDisallowedByPreflightResponse => Stage::Preflight,
            WildcardOriginNotAllowed
            | MissingAllowOriginHeader
            | MultipleAllowOriginValues
            | InvalidAllowOriginValue
            | AllowOriginMismatch
            | InvalidAllowCredentials
            | RedirectContainsCredentials => Stage::Actual,
            InsecureLocalNetwork
            | InvalidLocalNetworkAccess
            | LocalNetworkAccessPermissionDenied => Stage::LocalNetwork,
        }
    }

    /// Whether a server's response headers, status or redirects can cause this error.
    ///
    /// The lab's scenario catalogue must cover exactly these (a test checks it).
    pub fn is_server_caused(self) -> bool {
        matches!(self.stage(), Stage::Preflight | Stage::Actual)
            && self != CorsError::InvalidResponse
    }

    /// The preflight twin of an access-check error found on the actual response
    /// (`MissingAllowOriginHeader` → `PreflightMissingAllowOriginHeader`), as Chromium renames them.
    pub fn on_preflight(self) -> CorsError {
        use CorsError::*;
        match self {
            WildcardOriginNotAllowed => PreflightWildcardOriginNotAllowed,
            MissingAllowOriginHeader => PreflightMissingAllowOriginHeader,
            MultipleAllowOriginValues => PreflightMultipleAllowOriginValues,
            InvalidAllowOriginValue => PreflightInvalidAllowOriginValue,
            AllowOriginMismatch => PreflightAllowOriginMismatch,
            InvalidAllowCredentials => PreflightInvalidAllowCredentials,
            other => other,
        }
    }
}

impl fmt::Display for CorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for e in CorsError::ALL {
            assert_eq!(CorsError::from_name(e.name()), Some(e));
        }
    }

    #[test]
    fn obsolete_names_are_rejected() {
        assert_eq!(
            CorsError::from_name("PreflightMissingAllowPrivateNetwork"),
            None
        );
        assert_eq!(CorsError::from_name("kMissingAllowOriginHeader"), None);
    }

    #[test]
    fn preflight_twins_are_preflight_stage() {
        for e in CorsError::ALL
            .into_iter()
            .filter(|e| e.stage() == Stage::Actual)
        {
            if e != CorsError::RedirectContainsCredentials {
                assert_eq!(e.on_preflight().stage(), Stage::Preflight, "{e}");
            }
        }
    }
}
