//! The fragment parser on arbitrary text (issue 7 point 3): never a panic, and whatever state it
//! reads serialises to a fragment that reads back to the same state without notices.
#![no_main]

use corscope_model::permalink::{parse, serialize, MAX_FRAGMENT_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(fragment) = std::str::from_utf8(data) else {
        return;
    };
    let (state, _notices) = parse(fragment);
    let again = serialize(&state);
    if again.len() <= MAX_FRAGMENT_BYTES {
        let (reread, notices) = parse(&again);
        assert!(notices.is_empty(), "{again:?}: {notices:?}");
        assert_eq!(reread, state, "{again:?}");
    }
});
