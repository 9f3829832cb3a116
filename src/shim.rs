//! TODO(model): a stand-in for `corscope_model::fix` (`Stack`, `advice`), which is still being written,
//! so the page builds and runs today. It goes away when the model's lands; it decides nothing about CORS,
//! it only repeats the verdict's required header line.

use corscope_model::verdict::{Blocked, FaultPart};

/// TODO(model): `fix::Stack`.
pub const STACKS: &[&str] = &["Raw headers"];

/// TODO(model): `fix::advice`.
pub fn advice(_stack: &str, blocked: &Blocked) -> String {
    match (&blocked.fault.part, &blocked.required) {
        (FaultPart::Header(name), Some(required)) => format!("{name}: {required}"),
        _ => String::from("(fix advice is not available in this build yet)"),
    }
}
