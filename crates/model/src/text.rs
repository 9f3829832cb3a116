//! Small text helpers shared by the parsers' error messages.

/// The first `max` characters of `text`, with `…` when something was cut (never splits a character).
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}
