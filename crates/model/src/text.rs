//! Small text helpers: quoting for the parsers' error messages, and the code spans of the model's prose.
//!
//! The model's prose marks names and values as CommonMark code spans (`` `x-api-key` ``); the page shows
//! each span as `<code>`. Any value that is not constant text goes in through [`code`], so a server's or a
//! user's backticks stay part of the value, and [`code_spans`] reads the prose back.

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

/// Whether `needle` occurs in `haystack`, by a plain byte comparison at each position: the model only
/// looks for short needles in short strings, and `str::contains` with a string pattern brings std's
/// two-way searcher (about 3 KB of WASM) for them.
pub(crate) fn contains(haystack: &str, needle: &str) -> bool {
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
}

/// `join` for slices of strings, as a plain loop: std's `join` copies through a generic routine that
/// costs about 1 KB of WASM for each item type it is used with.
pub trait Joined {
    /// The items with `sep` between them.
    fn joined(&self, sep: &str) -> String;
}

impl<S: AsRef<str>> Joined for [S] {
    fn joined(&self, sep: &str) -> String {
        let mut out = String::new();
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(item.as_ref());
        }
        out
    }
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

/// `value` as a CommonMark code span: fenced by one more backtick than its longest run of backticks, and
/// padded with a space on each side when it starts or ends with a backtick (or starts and ends with a
/// space), so [`code_spans`] gives `value` back exactly. CommonMark has no empty code span: `""` becomes
/// `` ` ` ``, a span holding one space.
pub fn code(value: &str) -> String {
    if value.is_empty() {
        return String::from("` `");
    }
    let longest = value.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let all_spaces = value.bytes().all(|b| b == b' ');
    let pad = value.starts_with('`')
        || value.ends_with('`')
        || (value.starts_with(' ') && value.ends_with(' ') && !all_spaces);
    let space = if pad { " " } else { "" };
    format!("{fence}{space}{value}{space}{fence}")
}

/// The pieces of prose: `(true, content)` for each CommonMark code span, `(false, text)` for the text
/// between them (empty pieces are left out). A string of n backticks opens a span that the next string of
/// exactly n backticks closes; one leading and one trailing space are stripped from a span that has both
/// and is not all spaces; a backtick string that nothing closes is literal text.
pub fn code_spans(text: &str) -> Vec<(bool, &str)> {
    fn push<'t>(pieces: &mut Vec<(bool, &'t str)>, code: bool, piece: Option<&'t str>) {
        if let Some(piece) = piece.filter(|p| !p.is_empty()) {
            pieces.push((code, piece));
        }
    }
    // The backtick strings, as byte ranges.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, _) in text.bytes().enumerate().filter(|&(_, b)| b == b'`') {
        match runs.last_mut() {
            Some((_, end)) if *end == i => *end += 1,
            _ => runs.push((i, i + 1)),
        }
    }
    let mut pieces = Vec::new();
    let (mut plain, mut next) = (0, 0);
    while let Some(&(open, content)) = runs.get(next) {
        let len = content - open;
        let closer = runs
            .iter()
            .enumerate()
            .skip(next + 1)
            .find(|(_, (start, end))| end - start == len);
        let Some((index, &(close, after))) = closer else {
            next += 1;
            continue;
        };
        push(&mut pieces, false, text.get(plain..open));
        let inner = text.get(content..close).unwrap_or("");
        let stripped = inner
            .strip_prefix(' ')
            .and_then(|rest| rest.strip_suffix(' '))
            .filter(|_| !inner.bytes().all(|b| b == b' '));
        push(&mut pieces, true, Some(stripped.unwrap_or(inner)));
        (plain, next) = (after, index + 1);
    }
    push(&mut pieces, false, text.get(plain..));
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn contains_finds_needles_anywhere() {
        assert!(contains("a, b", ", "));
        assert!(contains("x-amz-signature=1", "signature="));
        assert!(contains("abc", "abc") && contains("abc", "c") && contains("abc", ""));
        assert!(!contains("ab", "abc") && !contains("a,b", ", ") && !contains("", "a"));
    }

    #[test]
    fn joined_puts_the_separator_between_items_only() {
        assert_eq!(Vec::<String>::new().joined(", "), "");
        assert_eq!(["a"].joined(", "), "a");
        assert_eq!(
            ["a".to_string(), String::new(), "c".into()].joined(","),
            "a,,c"
        );
    }

    proptest! {
        #[test]
        fn contains_and_joined_agree_with_std(
            items in proptest::collection::vec("[a-c, ]{0,4}", 0..5),
            needle in "[a-c, ]{0,3}",
        ) {
            let hay = items.join(", ");
            prop_assert_eq!(items.joined(", "), hay.clone());
            prop_assert_eq!(contains(&hay, &needle), hay.contains(needle.as_str()));
        }
    }

    /// `x ` + `code(value)` + ` y`, read back.
    fn round_trip(value: &str) -> Vec<(bool, String)> {
        code_spans(&format!("x {} y", code(value)))
            .into_iter()
            .map(|(code, piece)| (code, piece.to_string()))
            .collect()
    }

    fn spans(text: &str) -> Vec<(bool, &str)> {
        code_spans(text)
    }

    #[test]
    fn code_fences_with_one_more_backtick_than_the_value_holds() {
        assert_eq!(code("x-api-key"), "`x-api-key`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("a``b`c"), "```a``b`c```");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(code("a`"), "`` a` ``");
        assert_eq!(code("` `"), "`` ` ` ``");
        assert_eq!(code(" a "), "`  a  `");
        assert_eq!(code("  "), "`  `");
        assert_eq!(code(""), "` `");
    }

    #[test]
    fn code_spans_follow_commonmark() {
        assert_eq!(spans(""), []);
        assert_eq!(spans("plain"), [(false, "plain")]);
        assert_eq!(
            spans("lacks `x-api-key` in ACAH"),
            [(false, "lacks "), (true, "x-api-key"), (false, " in ACAH")]
        );
        assert_eq!(spans("``a`b``"), [(true, "a`b")]);
        assert_eq!(spans("`` `a ``"), [(true, "`a")]);
        // One space each side is stripped only when both are there and the span is not all spaces.
        assert_eq!(spans("` a`"), [(true, " a")]);
        assert_eq!(spans("`  a  `"), [(true, " a ")]);
        assert_eq!(spans("`  `"), [(true, "  ")]);
        // An unclosed backtick string is literal; the next ones still pair.
        assert_eq!(spans("a ` b"), [(false, "a ` b")]);
        assert_eq!(spans("`foo``bar``"), [(false, "`foo"), (true, "bar")]);
        assert_eq!(
            spans("tokens !#$%&'*+-.^_`|~ and `x`"),
            [
                (false, "tokens !#$%&'*+-.^_"),
                (true, "|~ and "),
                (false, "x`")
            ]
        );
        assert_eq!(spans("é`ü`"), [(false, "é"), (true, "ü")]);
    }

    #[test]
    fn code_round_trips_awkward_values() {
        for value in [
            "a`b", "a``b", "`a", "a`", "`", "``", " ` ", " a ", "  ", " ", "é`😀",
        ] {
            assert_eq!(
                round_trip(value),
                [
                    (false, "x ".into()),
                    (true, value.into()),
                    (false, " y".into())
                ],
                "{value:?}"
            );
        }
        // No empty code span in CommonMark: the empty value shows as one space.
        assert_eq!(round_trip("")[1], (true, " ".to_string()));
    }

    proptest! {
        #[test]
        fn any_value_reads_back_as_one_code_span(value in "[`a é]{1,12}|\\PC{1,20}") {
            prop_assert_eq!(
                round_trip(&value),
                vec![(false, "x ".to_string()), (true, value.clone()), (false, " y".to_string())]
            );
        }

        #[test]
        fn prose_of_text_and_code_spans_reads_back_piece_by_piece(
            parts in prop::collection::vec(("[a-z .]{1,4}", "[`a ]{1,6}|\\PC{1,8}"), 0..5)
        ) {
            let prose: String = parts.iter().map(|(plain, value)| format!("{plain}{}", code(value))).collect();
            let expected: Vec<(bool, &str)> = parts
                .iter()
                .flat_map(|(plain, value)| [(false, plain.as_str()), (true, value.as_str())])
                .collect();
            prop_assert_eq!(code_spans(&prose), expected);
        }
    }

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
