//! The header-list parsers on arbitrary header blocks: the pasted block becomes a response, whose
//! `Access-Control-Allow-Methods`/`-Headers` lists, MIME types, ranges and CORS check must never
//! panic; the same lines as request headers go through classification and the preflight check.
#![no_main]

use corscope_model::check;
use corscope_model::header;
use corscope_model::paste;
use corscope_model::{classify, Origin, RequestSpec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut responses) = paste::parse(text).map(|paste| paste.with_status(200)) else {
        return;
    };
    let Some(response) = responses.pop() else {
        return;
    };
    let headers = &response.headers;
    for name in [
        "access-control-allow-methods",
        "access-control-allow-headers",
    ] {
        let _ = check::parse_allow_list(headers.get(name).as_deref());
    }
    for (_, value) in headers.iter() {
        let _ = header::mime_essence(value);
        let _ = header::is_simple_range(value);
        let _ = header::check_header_value(value);
    }
    let _ = header::cors_unsafe_request_headers(headers);
    let Ok(origin) = Origin::parse("https://app.example") else {
        return;
    };
    for credentialed in [false, true] {
        let _ = check::access(headers, &origin, credentialed);
    }
    let spec = RequestSpec {
        origin: origin.serialize(),
        url: "https://api.example/x".to_string(),
        method: "PUT".to_string(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        ..RequestSpec::default()
    };
    if let Ok(classification) = classify(&spec) {
        let _ = check::preflight(&classification.request, &response);
    }
});
