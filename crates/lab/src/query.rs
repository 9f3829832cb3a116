//! Query-string parsing that never fails: the builder's input comes straight from a URL anyone can type.
//!
//! `form_urlencoded`-style decoding (`+` is a space, `%XX` a byte), but a malformed escape such as `%zz` or
//! a trailing `%` is kept literally instead of being an error, and the result is bytes, not UTF-8: a header
//! value may legitimately carry obs-text bytes, and the lab must be able to send them.

/// One `key=value` pair of a query string, decoded. Keys are compared as text, so they are decoded lossily.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// The decoded key (invalid UTF-8 replaced by U+FFFD).
    pub key: String,
    /// The decoded value, as bytes.
    pub value: Vec<u8>,
}

/// Splits and decodes a raw query string (without the leading `?`), keeping order and repeats.
///
/// Empty segments (`a=1&&b=2`) are skipped; a segment without `=` is a key with an empty value.
pub fn parse(raw: &str) -> Vec<Param> {
    raw.split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (key, value) = segment.split_once('=').unwrap_or((segment, ""));
            Param {
                key: String::from_utf8_lossy(&decode(key.as_bytes())).into_owned(),
                value: decode(value.as_bytes()),
            }
        })
        .collect()
}

/// Percent-decodes `input`, turning `+` into a space and keeping malformed escapes as they are.
pub fn decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    while let Some((&byte, tail)) = rest.split_first() {
        match byte {
            b'+' => {
                out.push(b' ');
                rest = tail;
            }
            b'%' => match escaped_byte(tail) {
                Some(decoded) => {
                    out.push(decoded);
                    rest = tail.get(2..).unwrap_or_default();
                }
                None => {
                    out.push(b'%');
                    rest = tail;
                }
            },
            other => {
                out.push(other);
                rest = tail;
            }
        }
    }
    out
}

/// Percent-encodes every byte outside the URL "unreserved" set, so a value survives as one query parameter.
pub fn encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len() * 3);
    for &byte in input {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(hex_digit(byte >> 4));
            out.push(hex_digit(byte & 0x0f));
        }
    }
    out
}

/// The byte encoded by the two hex digits at the start of `tail`, if they are both hex digits.
fn escaped_byte(tail: &[u8]) -> Option<u8> {
    let high = char::from(*tail.first()?).to_digit(16)?;
    let low = char::from(*tail.get(1)?).to_digit(16)?;
    u8::try_from(high * 16 + low).ok()
}

/// An upper-case hex digit for a nibble (values above 15 never occur; they map to `0`).
fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16)
        .unwrap_or('0')
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_plus() {
        assert_eq!(decode(b"a%20b+c"), b"a b c");
        assert_eq!(decode(b"%41%4a%4A"), b"AJJ");
    }

    #[test]
    fn keeps_malformed_escapes() {
        assert_eq!(decode(b"%"), b"%");
        assert_eq!(decode(b"%z1"), b"%z1");
        assert_eq!(decode(b"100%"), b"100%");
        assert_eq!(decode(b"%4"), b"%4");
        assert_eq!(decode(b"%%41"), b"%A");
    }

    #[test]
    fn decodes_to_non_utf8_bytes() {
        assert_eq!(decode(b"%FF%fe"), vec![0xff, 0xfe]);
    }

    #[test]
    fn parses_repeats_in_order() {
        let params = parse("acao=echo&aceh=a&&aceh=b&flag&%zz=%");
        let keys: Vec<&str> = params.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["acao", "aceh", "aceh", "flag", "%zz"]);
        assert_eq!(params[2].value, b"b");
        assert_eq!(params[3].value, b"");
        assert_eq!(params[4].value, b"%");
    }

    #[test]
    fn encode_round_trips() {
        let raw = b"http://127.0.0.1:5000/a b?c=d&e\xff";
        assert_eq!(decode(encode(raw).as_bytes()), raw);
        assert_eq!(encode(b"http://x:1"), "http%3A%2F%2Fx%3A1");
    }
}
