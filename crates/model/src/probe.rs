//! The browser-only path: when a request fails and the page cannot see why, plan the few variant
//! fetches that isolate the failure, then narrow the possible causes from their outcomes.

use crate::classify::Classification;
use crate::error::{CorsError, Stage};
use crate::request::RequestSpec;

/// One variant fetch for the page to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    /// Short stable name shown in the report, e.g. `reach`, `simple`, `method`, `header:x-api-key`.
    pub name: String,
    /// What the probe finds out, in plain English.
    pub purpose: String,
    /// What to send (the origin field is the page's own).
    pub spec: RequestSpec,
}

/// What a probe's `fetch()` did, as the page can observe it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// Resolved with a readable response (`type` basic or cors) and this status.
    Ok(u16),
    /// Resolved with an opaque response (`no-cors`) or opaque redirect.
    Opaque,
    /// Rejected with a `TypeError` (CORS failure or network error: the page cannot tell which).
    Rejected,
    /// Aborted by the timeout.
    Timeout,
}

/// How the page may probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeOptions {
    /// Add a unique query parameter to each probe so no cached preflight hides the server's answer.
    pub cache_bust: bool,
    /// The user allows probes to repeat a non-safe method or a body ("probes may repeat my request").
    pub may_repeat: bool,
}

impl Default for ProbeOptions {
    fn default() -> ProbeOptions {
        ProbeOptions {
            cache_bust: true,
            may_repeat: false,
        }
    }
}

/// The probes to send, all independent (the page runs them in parallel), and what cannot be tested.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbePlan {
    /// Probes to run in parallel.
    pub probes: Vec<Probe>,
    /// What the plan could not test without the user's permission, in plain English.
    pub untested: Vec<String>,
}

/// What the probes establish about a failed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inference {
    /// The possible DevTools codes, most likely first; exactly one when certain.
    pub candidates: Vec<CorsError>,
    /// Whether the outcomes determine a single code.
    pub certain: bool,
    /// The failed parameter when the page can know it (the method or request header name).
    pub failed_parameter: Option<String>,
    /// Which response is at fault, when known.
    pub fault_stage: Option<Stage>,
    /// Which part of it (lowercase header name, `status` or `redirect`), when known.
    pub fault_header: Option<&'static str>,
    /// The failure is not CORS at all (unreachable server, DNS, refused connection, …).
    pub not_cors: bool,
    /// Plain-English findings, one per line, in the order they were established.
    pub findings: Vec<String>,
}

/// Plans the probes for a request that failed.
pub fn plan(classification: &Classification, options: &ProbeOptions) -> ProbePlan {
    let _ = (classification, options);
    ProbePlan::default()
}

/// Narrows the cause of a failed request from the probes' outcomes.
pub fn infer(classification: &Classification, outcomes: &[(Probe, ProbeOutcome)]) -> Inference {
    let _ = (classification, outcomes);
    Inference {
        candidates: Vec::new(),
        certain: false,
        failed_parameter: None,
        fault_stage: None,
        fault_header: None,
        not_cors: false,
        findings: Vec::new(),
    }
}
