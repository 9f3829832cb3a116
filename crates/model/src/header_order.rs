//! The order in which Chromium meets a request's headers when it checks them against the preflight's
//! `Access-Control-Allow-Headers`: with several headers refused, the first in this order is the one it
//! names (DevTools' `failedParameter`, the console's "Request header field … is not allowed").
//!
//! It is neither the order the page set them in nor alphabetical. Blink keeps a request's headers in a
//! hash table (`HTTPHeaderMap`: open addressing, keys hashed case-folded, quadratic probing, the table
//! doubling before it is half full) and hands them to the network service in slot order. Replaying that
//! table reproduces what Chromium 156 does: the fetch's header list goes in first, in sorted order (a
//! body's implied `Content-Type` included), then the `User-Agent` and, for a potentially trustworthy
//! target, the three low-entropy client hints Blink adds; a key's home slot is its string hash — rapidhash
//! of the UTF-16 name, seed and secrets as in WTF, cut to 24 bits — modulo the table size. Measured
//! against the wire order of 150 random header sets sent to a raw loopback server: the first CORS-unsafe
//! header right in 145 of 149, the whole order in 126 (the misses: `Range`, which the HTTP cache moves
//! to the end of the wire after the CORS check has met it in its slot — Chromium's CORS error named
//! `range` before `content-type`, as here — and the cache headers a conditional request brings); and for
//! every pair of nine common names, in both orders, the header Chromium names in its own CORS error. Names of a single character hash
//! differently in Chromium (rapidhash's path for inputs under 4 bytes): their place here is a guess.

use crate::request::Request;

/// The request's CORS-unsafe header names (lowercase) in the order Chromium checks them.
pub fn check_order(request: &Request) -> Vec<String> {
    let unsafe_names = request.unsafe_header_names();
    let mut keys = crate::header::unique_lowercase_names(request.headers());
    if request.has_body() && !keys.iter().any(|k| k == "content-type") {
        keys.push("content-type".into());
    }
    crate::header::sort_by(&mut keys, |a, b| a < b);
    let hints: &[&str] = if request.url().origin().is_potentially_trustworthy() {
        &[
            "sec-ch-ua-mobile",
            "sec-ch-ua",
            "sec-ch-ua-platform",
            "user-agent",
        ]
    } else {
        &["user-agent"]
    };
    keys.extend(hints.iter().map(|h| h.to_string()));
    // Every unsafe name is one of the keys, so the filtered table order holds each exactly once.
    slot_order(&keys)
        .into_iter()
        .filter(|key| unsafe_names.contains(key))
        .collect()
}

/// The keys in the slot order of a WTF hash table they were inserted into one by one.
fn slot_order(keys: &[String]) -> Vec<String> {
    let mut table: Vec<Option<&String>> = vec![None; 8];
    for (size, key) in keys.iter().enumerate() {
        if (size + 1) * 2 >= table.len() {
            let old: Vec<&String> = table.iter().flatten().copied().collect();
            table = vec![None; table.len() * 2];
            for moved in old {
                place(&mut table, moved);
            }
        }
        place(&mut table, key);
    }
    table.into_iter().flatten().cloned().collect()
}

/// Puts `key` in its home slot, or the first free one of the quadratic probe sequence from there.
fn place<'k>(table: &mut [Option<&'k String>], key: &'k String) {
    let mask = table.len() - 1;
    let mut slot = string_hash(key) as usize & mask;
    for step in 1..=table.len() {
        match table.get_mut(slot) {
            Some(free @ None) => {
                *free = Some(key);
                return;
            }
            _ => slot = (slot + step) & mask,
        }
    }
}

/// WTF's `StringHasher::ComputeHashAndMaskTop8Bits` of a lowercase ASCII name: rapidhash of its UTF-16
/// code units, the top 8 bits of 32 cleared, never 0.
fn string_hash(name: &str) -> u32 {
    let utf16: Vec<u8> = name.bytes().flat_map(|b| [b, 0]).collect();
    match (rapidhash(&utf16) & 0x00ff_ffff) as u32 {
        0 => 0x0080_0000,
        hash => hash,
    }
}

const SECRET: [u64; 3] = [
    0x2d35_8dcc_aa6c_78a5,
    0x8bb8_4b93_962e_acc9,
    0x4b33_a62e_d433_d4a3,
];

/// The 128-bit product folded to 64 bits.
fn mix(a: u64, b: u64) -> u64 {
    let (lo, hi) = mul(a, b);
    lo ^ hi
}

fn mul(a: u64, b: u64) -> (u64, u64) {
    let product = u128::from(a) * u128::from(b);
    (product as u64, (product >> 64) as u64)
}

fn read(data: &[u8], at: usize, width: usize) -> u64 {
    let mut bytes = [0u8; 8];
    if let (Some(src), Some(dst)) = (data.get(at..at + width), bytes.get_mut(..width)) {
        dst.copy_from_slice(src);
    }
    u64::from_le_bytes(bytes)
}

/// rapidhash (V1) with its default seed.
fn rapidhash(data: &[u8]) -> u64 {
    let len = data.len();
    let byte = |at: usize| u64::from(data.get(at).copied().unwrap_or(0));
    let mut seed = 0xbdd8_9aa9_8270_4029u64;
    seed ^= mix(seed ^ SECRET[0], SECRET[1]) ^ len as u64;
    let (a, b) = if len <= 16 {
        if len >= 4 {
            let delta = (len & 24) >> (len >> 3);
            (
                (read(data, 0, 4) << 32) | read(data, len - 4, 4),
                (read(data, delta, 4) << 32) | read(data, len - 4 - delta, 4),
            )
        } else if len > 0 {
            ((byte(0) << 56) | (byte(len >> 1) << 32) | byte(len - 1), 0)
        } else {
            (0, 0)
        }
    } else {
        let mut rest = len;
        if rest > 48 {
            let (mut see1, mut see2) = (seed, seed);
            while rest >= 48 {
                let p = len - rest;
                seed = mix(read(data, p, 8) ^ SECRET[0], read(data, p + 8, 8) ^ seed);
                see1 = mix(
                    read(data, p + 16, 8) ^ SECRET[1],
                    read(data, p + 24, 8) ^ see1,
                );
                see2 = mix(
                    read(data, p + 32, 8) ^ SECRET[2],
                    read(data, p + 40, 8) ^ see2,
                );
                rest -= 48;
            }
            seed ^= see1 ^ see2;
        }
        if rest > 16 {
            let p = len - rest;
            seed = mix(
                read(data, p, 8) ^ SECRET[2],
                read(data, p + 8, 8) ^ seed ^ SECRET[1],
            );
            if rest > 32 {
                seed = mix(
                    read(data, p + 16, 8) ^ SECRET[2],
                    read(data, p + 24, 8) ^ seed,
                );
            }
        }
        (read(data, len - 16, 8), read(data, len - 8, 8))
    };
    let (lo, hi) = mul(a ^ SECRET[1], b ^ seed);
    mix(lo ^ SECRET[0] ^ len as u64, hi ^ SECRET[1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Credentials, Mode, Redirect, RequestSpec};

    fn request(url: &str, names: &[&str], body: bool) -> Request {
        let spec = RequestSpec {
            origin: "http://127.0.0.1:8080".into(),
            url: url.into(),
            method: if body { "POST" } else { "GET" }.into(),
            mode: Mode::Cors,
            credentials: Credentials::Omit,
            redirect: Redirect::Follow,
            headers: names
                .iter()
                .map(|n| {
                    let value = match *n {
                        "content-type" | "accept" => "application/json",
                        "range" => "bytes=0-1",
                        _ => "1",
                    };
                    (n.to_string(), value.to_string())
                })
                .collect(),
            body: body.then(|| "{}".to_string()),
        };
        crate::classify(&spec).unwrap().request
    }

    fn first(names: &[&str]) -> String {
        check_order(&request("http://127.0.0.1:8787/b", names, false))
            .first()
            .cloned()
            .unwrap()
    }

    #[test]
    fn pairs_chromium_names_first() {
        // Chromium 156, each pair refused by a preflight without Access-Control-Allow-Headers, in both
        // orders: the header its CorsError names. The order is a total order of the ten.
        let order = [
            "x-custom",
            "authorization",
            "a-b",
            "x-requested-with",
            "content-type",
            "x-api-key",
            "x-a",
            "x-b",
            "x-trace-id",
        ];
        for (i, a) in order.iter().enumerate() {
            for b in order.iter().skip(i + 1) {
                assert_eq!(first(&[a, b]), *a, "{a} {b}");
                assert_eq!(first(&[b, a]), *a, "{b} {a}");
            }
        }
        assert_eq!(first(&order), "x-custom");
    }

    #[test]
    fn wire_orders_of_random_sets() {
        // Sets drawn at random, sent by Chromium 156 to a raw loopback server (a body adds its
        // Content-Type): the first CORS-unsafe header on the wire.
        let cases: [(&[&str], bool, &str); 10] = [
            (
                &[
                    "x-f",
                    "accept",
                    "x-user-id",
                    "x-goog-api-key",
                    "x-http-method-override",
                    "x-session-id",
                    "a-b",
                    "x-c",
                ],
                true,
                "x-c",
            ),
            (
                &["pragma", "x-auth-token", "traceparent"],
                false,
                "traceparent",
            ),
            (
                &[
                    "x-trace-id",
                    "x-goog-api-key",
                    "x-requested-with",
                    "x-http-method-override",
                    "x-user-id",
                    "content-type",
                    "x-e",
                ],
                true,
                "x-user-id",
            ),
            (
                &[
                    "authorization",
                    "sentry-trace",
                    "x-custom",
                    "if-none-match",
                    "x-requested-with",
                    "x-forwarded-for",
                    "a-b",
                    "x-request-id",
                    "x-c",
                    "x-client-version",
                    "traceparent",
                    "x-tenant-id",
                ],
                false,
                "x-request-id",
            ),
            (
                &[
                    "apikey",
                    "tracestate",
                    "content-type",
                    "content-language",
                    "range",
                ],
                false,
                "apikey",
            ),
            (
                &[
                    "x-a",
                    "x-request-id",
                    "x-requested-with",
                    "x-user-id",
                    "baggage",
                    "authorization",
                    "if-none-match",
                    "sentry-trace",
                    "x-b",
                    "x-tenant-id",
                    "x-correlation-id",
                ],
                false,
                "if-none-match",
            ),
            (
                &[
                    "x-forwarded-for",
                    "x-auth-token",
                    "x-f",
                    "x-csrf-token",
                    "x-user-id",
                    "x-custom",
                    "x-client-version",
                    "baggage",
                ],
                true,
                "x-custom",
            ),
            (
                &["x-tenant-id", "traceparent", "tracestate", "x-e"],
                false,
                "x-e",
            ),
            (&["baggage", "pragma"], false, "pragma"),
            (
                &[
                    "x-session-id",
                    "content-language",
                    "x-correlation-id",
                    "x-c",
                    "x-tenant-id",
                    "content-type",
                    "tracestate",
                    "accept-language",
                ],
                false,
                "x-c",
            ),
        ];
        for (names, body, want) in cases {
            let r = request("http://127.0.0.1:8787/b", names, body);
            let order = check_order(&r);
            assert_eq!(order.first().map(String::as_str), Some(want), "{names:?}");
            assert_eq!(order.len(), r.unsafe_header_names().len());
        }
    }

    #[test]
    fn range_is_checked_in_its_slot() {
        // Chromium 156 named `range` (a value with two ranges is not safelisted) before `content-type`.
        let spec = RequestSpec {
            origin: "http://127.0.0.1:8080".into(),
            url: "http://127.0.0.1:8787/b".into(),
            method: "GET".into(),
            mode: Mode::Cors,
            credentials: Credentials::Include,
            redirect: Redirect::Follow,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Range".into(), "bytes=0-1,5-6".into()),
            ],
            body: None,
        };
        let order = check_order(&crate::classify(&spec).unwrap().request);
        assert_eq!(order, ["range", "content-type"]);
    }

    #[test]
    fn string_hashes_match_wtf() {
        // Low bits of the hashes the orders above imply, and the slots that follow.
        assert_eq!(string_hash("x-custom") & 15, 1);
        assert_eq!(string_hash("authorization") & 15, 4);
        assert_eq!(string_hash("sec-ch-ua-platform") & 15, 3);
        assert_eq!(string_hash("user-agent") & 15, 8);
        assert_ne!(string_hash(""), 0);
    }
}
