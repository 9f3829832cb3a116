//! Small text helpers shared by the parsers' error messages.

/// `text` in double quotes, control characters shown as `\u{..}` escapes, for messages that name what
/// the user typed. (Not `{:?}`: Rust's Debug escaping pulls Unicode tables into the WASM bundle.)
pub(crate) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push_str(&format!("\\u{{{:04X}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_escapes_quotes_and_controls_only() {
        assert_eq!(quoted("bad name"), "\"bad name\"");
        assert_eq!(quoted("a\"b"), "\"a\\\"b\"");
        assert_eq!(quoted("a\nb\u{0}"), "\"a\\u{000A}b\\u{0000}\"");
        assert_eq!(quoted("é"), "\"é\"");
    }

    #[test]
    fn shorten_cuts_on_characters() {
        assert_eq!(shorten("héllo", 2), "hé…");
        assert_eq!(shorten("hé", 2), "hé");
    }
}
