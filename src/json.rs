//! A JSON value built by hand, turned into a JavaScript value by serde-wasm-bindgen.
//!
//! Why not `#[derive(Serialize)]` on the report: each derived type instantiates serde's generic
//! machinery once per field type, which cost 4.0 KB more WASM (1.1 KB gzipped) than this. Here there
//! is one small `Serialize` impl, for [`Json`], and the report says field by field what its JSON is
//! (`Report::to_json`), so the contract is also written out in one readable place.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use wasm_bindgen::JsValue;

/// A JSON value. Object keys are the contract's field names, so they are static.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(&'static str, Json)>),
}

impl Json {
    /// The value as JSON text, written by the browser's own `JSON.stringify`.
    pub fn stringify(&self) -> Result<String, JsValue> {
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        let value = self
            .serialize(&serializer)
            .map_err(|e| JsValue::from_str(&e.to_string()))?;
        js_sys::JSON::stringify(&value)?
            .as_string()
            .ok_or_else(|| JsValue::from_str("JSON.stringify returned no text"))
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::Number(n) => serializer.serialize_f64(*n),
            Json::String(s) => serializer.serialize_str(s),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (key, value) in fields {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}

impl From<f64> for Json {
    fn from(n: f64) -> Json {
        Json::Number(n)
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Json {
        Json::String(s.to_string())
    }
}

/// `null` for `None`, else the value converted.
pub fn optional<T>(value: Option<T>, to_json: impl FnOnce(T) -> Json) -> Json {
    value.map_or(Json::Null, to_json)
}

/// An array of the items converted.
pub fn array<T>(items: impl IntoIterator<Item = T>, to_json: impl FnMut(T) -> Json) -> Json {
    Json::Array(items.into_iter().map(to_json).collect())
}

/// An array of strings.
pub fn strings<S: AsRef<str>>(items: &[S]) -> Json {
    array(items, |s| s.as_ref().into())
}
