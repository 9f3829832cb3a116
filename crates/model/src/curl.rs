//! The `curl -i` commands that replay a request outside the browser, so the user can see the raw
//! headers the browser hides from the page and paste them back ([`crate::paste`]).
//!
//! Two commands: the preflight the browser would send first (only when it would send one), and the
//! actual request. Both carry an `Origin`: the page's own by default, or the user's app origin
//! (e.g. `https://myapp.example`), because a server that allows only that origin rightly refuses the
//! tester's, and the user wants to know what their app gets.
//!
//! The commands are for a POSIX shell (sh, bash, zsh): every argument that is not plainly safe is
//! single-quoted, and a `'` inside becomes `'\''`. What curl cannot reproduce: the browser's cookies
//! (credentials mode `include`), its own headers (`User-Agent`, `Sec-Fetch-*`, `Accept-Language`), and
//! the `Origin: null` a browser sends after a cross-origin redirect.

use std::fmt;

use crate::method::is_cors_safelisted_method;
use crate::request::{Mode, Redirect, Request};
use crate::text::Joined;
use crate::url::Origin;

/// One `curl` command as its argument vector (without shell quoting).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurlCommand {
    args: Vec<String>,
}

impl CurlCommand {
    /// The arguments after `curl`, exactly as curl receives them.
    pub fn args(&self) -> &[String] {
        &self.args
    }
}

/// The command line as one line of POSIX shell, starting with `curl`.
impl fmt::Display for CurlCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("curl")?;
        for arg in &self.args {
            write!(f, " {}", shell_quote(arg))?;
        }
        Ok(())
    }
}

/// The commands that reproduce one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurlCommands {
    /// The `OPTIONS` preflight, when the browser would send one.
    pub preflight: Option<CurlCommand>,
    /// The actual request.
    pub actual: CurlCommand,
}

impl CurlCommands {
    /// The text behind a "copy both" button: the preflight line (if any), then the actual request's,
    /// one per line. No `#` comments: zsh, unlike bash, does not accept them at an interactive prompt.
    pub fn both(&self) -> String {
        match &self.preflight {
            Some(preflight) => format!("{preflight}\n{}", self.actual),
            None => self.actual.to_string(),
        }
    }
}

/// The `curl -i` commands for `request`, sent from `app_origin` when given (else the request's own
/// origin), with `body` as the request body.
///
/// `body` is passed separately because a [`Request`] records only that it has one. A preflight
/// command is produced exactly when the browser sends a preflight from that origin: mode `cors`,
/// cross-origin, and a method other than GET, HEAD and POST or a CORS-unsafe request header
/// (<https://fetch.spec.whatwg.org/#cors-preflight-fetch>).
pub fn commands(
    request: &Request,
    body: Option<&str>,
    app_origin: Option<&Origin>,
) -> CurlCommands {
    let origin = app_origin.unwrap_or(request.origin());
    let unsafe_names = request.unsafe_header_names();
    let cross_origin = *origin != request.url().origin();
    let needs_preflight = request.mode() == Mode::Cors
        && cross_origin
        && (!is_cors_safelisted_method(request.method()) || !unsafe_names.is_empty());
    CurlCommands {
        preflight: needs_preflight.then(|| preflight(request, origin, &unsafe_names)),
        actual: actual(request, origin, body),
    }
}

/// `curl -i -X OPTIONS <url> -H 'Origin: …' -H 'Access-Control-Request-Method: …'
/// [-H 'Access-Control-Request-Headers: …']`, as
/// <https://fetch.spec.whatwg.org/#cors-preflight-fetch-0> steps 1–5 build it. No `-L`: a browser
/// never follows a preflight's redirect.
fn preflight(request: &Request, origin: &Origin, unsafe_names: &[String]) -> CurlCommand {
    let mut args = vec![
        "-i".to_string(),
        "-X".to_string(),
        "OPTIONS".to_string(),
        request.url().to_string(),
    ];
    push_header(&mut args, "Origin", &origin.serialize());
    push_header(&mut args, "Access-Control-Request-Method", request.method());
    if !unsafe_names.is_empty() {
        let names = unsafe_names.joined(",");
        push_header(&mut args, "Access-Control-Request-Headers", &names);
    }
    CurlCommand { args }
}

/// The actual request: method, URL, `Origin`, the headers the browser keeps, and the body.
fn actual(request: &Request, origin: &Origin, body: Option<&str>) -> CurlCommand {
    let mut args = vec!["-i".to_string()];
    if request.redirect() == Redirect::Follow {
        // The browser follows redirects; -L makes curl print every hop so the chain can be checked.
        args.push("-L".to_string());
    }
    args.extend(method_args(request.method(), body.is_some()));
    args.push(request.url().to_string());
    push_header(&mut args, "Origin", &origin.serialize());
    for (name, value) in request.headers().iter() {
        push_header(&mut args, name, value);
    }
    if let Some(body) = body {
        if !request.headers().contains("content-type") {
            // fetch() labels a string body `text/plain;charset=UTF-8`; curl's --data-raw would
            // otherwise send `application/x-www-form-urlencoded`.
            push_header(&mut args, "Content-Type", "text/plain;charset=UTF-8");
        }
        args.push("--data-raw".to_string());
        args.push(body.to_string());
    }
    CurlCommand { args }
}

/// The arguments that make curl use `method`: none for GET, and none for POST with a body (curl infers
/// both), `--head` for HEAD (`-X HEAD` makes curl wait for a body that never comes), else `-X`.
fn method_args(method: &str, has_body: bool) -> Vec<String> {
    match (method, has_body) {
        ("GET", false) | ("POST", true) => Vec::new(),
        ("HEAD", _) => vec!["--head".to_string()],
        _ => vec!["-X".to_string(), method.to_string()],
    }
}

/// `-H 'Name: value'`; an empty value is written `Name;`, because curl treats `Name:` as "remove
/// this header" and would not send it at all.
fn push_header(args: &mut Vec<String>, name: &str, value: &str) {
    args.push("-H".to_string());
    if value.is_empty() {
        args.push(format!("{name};"));
    } else {
        args.push(format!("{name}: {value}"));
    }
}

/// Quotes one argument for a POSIX shell: unchanged when it is made only of characters no shell
/// treats specially, otherwise wrapped in single quotes, inside which everything is literal except
/// `'` itself, written `'\''` (close the quote, an escaped quote, reopen).
pub fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@,+%".contains(&b));
    if plain {
        return arg.to_string();
    }
    format!("'{}'", arg.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Credentials;
    use crate::response::HeaderList;
    use crate::url::Url;

    const PAGE: &str = "https://corscope.example";

    fn request(
        method: &str,
        url: &str,
        mode: Mode,
        redirect: Redirect,
        headers: &[(&str, &str)],
    ) -> Request {
        Request {
            origin: Origin::parse(PAGE).unwrap(),
            url: Url::parse(url).unwrap(),
            method: method.to_string(),
            mode,
            credentials: Credentials::SameOrigin,
            redirect,
            headers: headers.iter().copied().collect::<HeaderList>(),
            has_body: false,
        }
    }

    fn cors(method: &str, url: &str, headers: &[(&str, &str)]) -> Request {
        request(method, url, Mode::Cors, Redirect::Follow, headers)
    }

    /// What a POSIX shell makes of `line` (everything after `curl`): the argument vector curl would get.
    fn shell_words(line: &str) -> Vec<String> {
        let rest = line.strip_prefix("curl ").unwrap();
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s\\0' {rest}"))
            .output()
            .unwrap();
        assert!(output.status.success(), "{line}");
        let text = String::from_utf8(output.stdout).unwrap();
        let mut words: Vec<String> = text.split('\0').map(str::to_string).collect();
        assert_eq!(words.pop().as_deref(), Some(""));
        words
    }

    fn assert_shell_round_trip(command: &CurlCommand) {
        assert_eq!(
            shell_words(&command.to_string()),
            command.args(),
            "{command}"
        );
    }

    #[test]
    fn preflighted_put_from_the_app_origin() {
        // Fetch §4.8 CORS-preflight fetch: OPTIONS with Origin, Access-Control-Request-Method and the
        // sorted, lowercase, comma-joined (no space) CORS-unsafe header names.
        let request = cors(
            "PUT",
            "https://api.example/v1/items?id=7&x=1",
            &[
                ("X-Api-Key", "k1"),
                ("Content-Type", "application/json"),
                ("Accept", "*/*"),
            ],
        );
        let app = Origin::parse("https://myapp.example").unwrap();
        let commands = commands(&request, Some(r#"{"a":1}"#), Some(&app));
        assert_eq!(
            commands.preflight.as_ref().map(ToString::to_string).as_deref(),
            Some(
                "curl -i -X OPTIONS 'https://api.example/v1/items?id=7&x=1' -H 'Origin: https://myapp.example' \
                 -H 'Access-Control-Request-Method: PUT' -H 'Access-Control-Request-Headers: content-type,x-api-key'"
            )
        );
        assert_eq!(
            commands.actual.to_string(),
            "curl -i -L -X PUT 'https://api.example/v1/items?id=7&x=1' -H 'Origin: https://myapp.example' \
             -H 'X-Api-Key: k1' -H 'Content-Type: application/json' -H 'Accept: */*' --data-raw '{\"a\":1}'"
        );
        assert_eq!(
            commands.both(),
            format!(
                "{}\n{}",
                commands.preflight.as_ref().unwrap(),
                commands.actual
            )
        );
    }

    /// Each row: a request, and whether the browser would preflight it (so a preflight command exists).
    #[test]
    fn preflight_only_when_the_browser_sends_one() {
        let other = "https://api.example/";
        let cases: &[(&str, Request, bool)] = &[
            (
                "simple GET (Fetch: safelisted method, no headers)",
                cors("GET", other, &[]),
                false,
            ),
            (
                "POST with a safelisted Content-Type",
                cors("POST", other, &[("Content-Type", "text/plain")]),
                false,
            ),
            (
                "DELETE: method not safelisted",
                cors("DELETE", other, &[]),
                true,
            ),
            (
                "GET with a custom header",
                cors("GET", other, &[("X-Trace", "1")]),
                true,
            ),
            (
                "same-origin PUT: no CORS at all",
                cors("PUT", "https://corscope.example/x", &[]),
                false,
            ),
            (
                "no-cors POST: never preflighted",
                request("POST", other, Mode::NoCors, Redirect::Follow, &[]),
                false,
            ),
        ];
        for (name, request, preflighted) in cases {
            let commands = commands(request, None, None);
            assert_eq!(commands.preflight.is_some(), *preflighted, "{name}");
            assert_eq!(
                commands.both().lines().count(),
                if *preflighted { 2 } else { 1 },
                "{name}"
            );
        }
    }

    #[test]
    fn app_origin_decides_cross_origin_ness() {
        // Same PUT: cross-origin from the page, same-origin from an app served by the API host.
        let request = cors("PUT", "https://api.example/x", &[]);
        let same = Origin::parse("https://api.example").unwrap();
        assert!(commands(&request, None, None).preflight.is_some());
        let from_api = commands(&request, None, Some(&same));
        assert!(from_api.preflight.is_none());
        assert!(from_api
            .actual
            .args()
            .contains(&"Origin: https://api.example".to_string()));
    }

    /// Each row: method, body, and the arguments that must select that method in curl.
    #[test]
    fn method_arguments() {
        let cases: &[(&str, Option<&str>, &[&str])] = &[
            ("GET", None, &["-i", "-L", "https://api.example/"]),
            (
                "HEAD",
                None,
                &["-i", "-L", "--head", "https://api.example/"],
            ),
            (
                "POST",
                None,
                &["-i", "-L", "-X", "POST", "https://api.example/"],
            ),
            ("POST", Some("a=1"), &["-i", "-L", "https://api.example/"]),
            (
                "PROPFIND",
                None,
                &["-i", "-L", "-X", "PROPFIND", "https://api.example/"],
            ),
        ];
        for (method, body, prefix) in cases {
            let request = cors(method, "https://api.example/", &[]);
            let actual = commands(&request, *body, None).actual;
            let head: Vec<&str> = actual
                .args()
                .iter()
                .take(prefix.len())
                .map(String::as_str)
                .collect();
            assert_eq!(head, *prefix, "{method} {body:?}");
        }
    }

    #[test]
    fn body_without_content_type_is_labelled_like_fetch() {
        let request = cors("POST", "https://api.example/", &[]);
        let actual = commands(&request, Some("hi"), None).actual;
        let tail: Vec<&str> = actual.args().iter().skip(3).map(String::as_str).collect();
        assert_eq!(
            tail,
            [
                "-H",
                "Origin: https://corscope.example",
                "-H",
                "Content-Type: text/plain;charset=UTF-8",
                "--data-raw",
                "hi"
            ]
        );
    }

    #[test]
    fn redirect_modes_other_than_follow_do_not_follow() {
        for redirect in [Redirect::Error, Redirect::Manual] {
            let request = request("GET", "https://api.example/", Mode::Cors, redirect, &[]);
            assert!(!commands(&request, None, None)
                .actual
                .args()
                .contains(&"-L".to_string()));
        }
    }

    #[test]
    fn empty_header_value_is_sent_not_removed() {
        let request = cors("GET", "https://api.example/", &[("X-Empty", "")]);
        let commands = commands(&request, None, None);
        assert!(commands.actual.args().contains(&"X-Empty;".to_string()));
        assert!(commands.actual.to_string().contains(" -H 'X-Empty;'"));
    }

    /// Every argument survives a real POSIX shell byte for byte, however hostile.
    #[test]
    fn commands_survive_sh() {
        let hostile = "it's \"q\" $HOME `id` \\n; rm -rf / & echo * ~ !x {a,b} é 😀\ttab";
        let request = cors(
            "PATCH",
            "https://api.example/a'b?q=$(id)&r=%27",
            &[("X-Note", hostile), ("X-Quote", "'"), ("X-Empty", "")],
        );
        let app = Origin::parse("https://my-app.example:8443").unwrap();
        let body = format!("line 1\nline 2 {hostile}\n'");
        let commands = commands(&request, Some(&body), Some(&app));
        assert_shell_round_trip(commands.preflight.as_ref().unwrap());
        assert_shell_round_trip(&commands.actual);
        assert!(commands.actual.args().contains(&body));
    }

    /// Each row: an argument and its quoted form (POSIX `'…'`, with `'` as `'\''`).
    #[test]
    fn shell_quote_table() {
        let cases: &[(&str, &str)] = &[
            ("-i", "-i"),
            ("https://a.example/p", "https://a.example/p"),
            ("", "''"),
            ("a b", "'a b'"),
            ("it's", r"'it'\''s'"),
            ("'", r"''\'''"),
            ("$HOME", "'$HOME'"),
            ("=cmd", "'=cmd'"),
            ("~", "'~'"),
            ("a\nb", "'a\nb'"),
        ];
        for (arg, quoted) in cases {
            assert_eq!(shell_quote(arg), *quoted, "{arg:?}");
            assert_eq!(
                shell_words(&format!("curl {quoted}")),
                vec![arg.to_string()]
            );
        }
    }
}
