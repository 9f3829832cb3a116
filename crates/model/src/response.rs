//! Raw HTTP responses as the browser's network stack sees them: status, header lines with duplicates
//! kept, and the redirect chain of an exchange.

use crate::text::Joined;

/// Header lines in arrival order, duplicates kept, names compared case-insensitively.
///
/// Duplicates matter: two `Access-Control-Allow-Origin` lines reach the CORS check as one value joined by
/// `", "`, which is why a proxy and an app that both add the header break CORS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderList {
    lines: Vec<(String, String)>,
}

impl HeaderList {
    /// An empty list.
    pub fn new() -> HeaderList {
        HeaderList::default()
    }

    /// Appends a line; the value is trimmed of surrounding whitespace as HTTP parsers do.
    pub fn push(&mut self, name: impl Into<String>, value: impl AsRef<str>) {
        let value = value
            .as_ref()
            .trim_matches(|c| c == ' ' || c == '\t')
            .to_string();
        self.lines.push((name.into(), value));
    }

    /// Builder form of [`HeaderList::push`].
    #[must_use]
    pub fn with(mut self, name: &str, value: &str) -> HeaderList {
        self.push(name, value);
        self
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.lines
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The combined value of `name`: every line's value joined with `", "`, or `None` when absent.
    ///
    /// <https://fetch.spec.whatwg.org/#concept-header-list-get>
    pub fn get(&self, name: &str) -> Option<String> {
        let mut values = self.get_all(name).peekable();
        values.peek()?;
        Some(values.collect::<Vec<_>>().joined(", "))
    }

    /// Whether a line named `name` exists.
    pub fn contains(&self, name: &str) -> bool {
        self.get_all(name).next().is_some()
    }

    /// How many lines are named `name`.
    pub fn count(&self, name: &str) -> usize {
        self.get_all(name).count()
    }

    /// All lines in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.lines.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether there are no lines.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

impl<N: Into<String>, V: AsRef<str>> FromIterator<(N, V)> for HeaderList {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> HeaderList {
        let mut list = HeaderList::new();
        for (n, v) in iter {
            list.push(n, v);
        }
        list
    }
}

/// One HTTP response: status line and headers (the body does not matter to CORS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Status code, e.g. 200.
    pub status: u16,
    /// Reason phrase as sent (HTTP/2 has none).
    pub status_text: String,
    /// Header lines.
    pub headers: HeaderList,
}

impl Response {
    /// A response with a status and no headers.
    pub fn new(status: u16) -> Response {
        Response {
            status,
            status_text: String::new(),
            headers: HeaderList::new(),
        }
    }

    /// Builder: adds a header line.
    #[must_use]
    pub fn with(mut self, name: &str, value: &str) -> Response {
        self.headers.push(name, value);
        self
    }

    /// Whether the status is a redirect the fetch algorithm follows (301, 302, 303, 307, 308).
    pub fn is_redirect(&self) -> bool {
        matches!(self.status, 301 | 302 | 303 | 307 | 308)
    }

    /// Whether the status is an "ok status" (200–299), as a preflight needs.
    pub fn is_ok_status(&self) -> bool {
        (200..=299).contains(&self.status)
    }

    /// The `Location` header, when present.
    pub fn location(&self) -> Option<String> {
        self.headers.get("location")
    }
}

/// What the server answered to one request: the preflight (if one was sent) and the actual responses,
/// one per redirect hop, the final response last.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exchange {
    /// The answer to the `OPTIONS` preflight, when one was sent.
    pub preflight: Option<Response>,
    /// The actual request's responses in order: redirects first, the final response last.
    /// Empty when the actual request was never answered (or never sent).
    pub actual: Vec<Response>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_lines_are_joined_like_fetch() {
        let h = HeaderList::new()
            .with("Access-Control-Allow-Origin", "https://a.example")
            .with("access-control-allow-origin", " https://a.example ");
        assert_eq!(
            h.get("ACCESS-CONTROL-ALLOW-ORIGIN").as_deref(),
            Some("https://a.example, https://a.example")
        );
        assert_eq!(h.count("access-control-allow-origin"), 2);
        assert_eq!(h.get("vary"), None);
    }

    #[test]
    fn empty_value_is_present_not_absent() {
        let h = HeaderList::new().with("Access-Control-Allow-Credentials", "");
        assert_eq!(
            h.get("access-control-allow-credentials").as_deref(),
            Some("")
        );
    }
}
