//! The paste parser on arbitrary text: it must return a response list or a `PasteError`, never
//! panic, and what it returns must survive a print-and-reparse round trip.
#![no_main]

use corscope_model::paste::{parse_exchange, parse_responses};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_exchange(Some(text), text);
    let Ok(responses) = parse_responses(text) else {
        return;
    };
    let printed: String = responses
        .iter()
        .map(|response| {
            let mut block = format!("HTTP/1.1 {} {}\r\n", response.status, response.status_text);
            for (name, value) in response.headers.iter() {
                block.push_str(&format!("{name}: {value}\r\n"));
            }
            block + "\r\n"
        })
        .collect();
    // Folded lines and pseudo-headers are normalised away on the first parse, so a second parse of
    // the printed form must give exactly the same responses.
    assert_eq!(
        parse_responses(&printed).ok(),
        Some(responses),
        "{printed:?}"
    );
});
