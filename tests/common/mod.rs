//! The browser test bodies (entry file: tests/browser.rs). Every test sends real requests from headless
//! Chromium to the lab and ends by checking that nothing on the page panicked.

pub mod app;
pub mod faults;
pub mod hostile;
pub mod library;
pub mod scenarios;

use corscope_model::RequestSpec;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Document, Element};

/// The lab's base URL: `CORSCOPE_LAB_URL` at build time (scripts/test.sh sets it), else the default port.
pub fn lab() -> &'static str {
    option_env!("CORSCOPE_LAB_URL").unwrap_or("http://127.0.0.1:8787")
}

/// A URL on the lab.
pub fn lab_url(path: &str) -> String {
    format!("{}{path}", lab())
}

/// A request from this page's origin.
pub fn spec(method: &str, path: &str, headers: &[(&str, &str)]) -> RequestSpec {
    fresh();
    RequestSpec {
        origin: corscope::page_origin(),
        url: lab_url(path),
        method: method.to_string(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        ..RequestSpec::default()
    }
}

pub fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Starts a test: the page's panic hook installed, and no panic recorded (a failed assertion in an earlier
/// test is that test's failure, not this one's).
pub fn fresh() {
    corscope::install_panic_hook();
    corscope::clear_panic();
}

/// Fails the test if any code on the page panicked (the panic hook records it).
/// Sets the page's fragment (as a person editing the address bar does).
pub fn set_hash(fragment: &str) {
    web_sys::window()
        .unwrap()
        .location()
        .set_hash(fragment)
        .unwrap();
}

/// Clicks the element with `id` inside the app.
pub fn click(page: &Mounted, id: &str) {
    page.find(id)
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
}

pub fn assert_no_panic() {
    assert_eq!(corscope::panic_message(), None, "the page panicked");
}

/// The page app mounted into a fresh root; unmounted (listeners removed, root deleted) on drop.
pub struct Mounted {
    pub root: Element,
    app: Option<corscope::App>,
}

impl Mounted {
    pub fn mount() -> Mounted {
        fresh();
        let doc = document();
        let root = doc.create_element("div").unwrap();
        root.set_id("corscope-test-root");
        doc.body().unwrap().append_child(&root).unwrap();
        let app = corscope::mount(&root).unwrap();
        Mounted {
            root,
            app: Some(app),
        }
    }

    /// The element with `id` inside the app.
    pub fn find(&self, id: &str) -> Element {
        self.root
            .query_selector(&format!("#{id}"))
            .unwrap()
            .unwrap_or_else(|| panic!("no #{id}"))
    }

    pub fn input(&self, id: &str) -> web_sys::HtmlInputElement {
        self.find(id).dyn_into().unwrap()
    }

    pub fn textarea(&self, id: &str) -> web_sys::HtmlTextAreaElement {
        self.find(id).dyn_into().unwrap()
    }

    pub fn state(&self) -> String {
        self.find("report").get_attribute("data-state").unwrap()
    }

    /// Waits until `#report[data-state=done]` (at most `ms`), then returns `#report-json` parsed.
    pub async fn wait_done(&self, ms: i32) -> serde_json_lite::Json {
        let mut waited = 0;
        while self.state() != "done" {
            assert!(
                waited < ms,
                "report not done after {ms} ms (state {})",
                self.state()
            );
            sleep(25).await;
            waited += 25;
        }
        let text = self.find("report-json").text_content().unwrap();
        serde_json_lite::Json::parse(&text)
    }

    /// How many elements with `tag` exist inside the app.
    pub fn count(&self, tag: &str) -> u32 {
        self.root.query_selector_all(tag).unwrap().length()
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        drop(self.app.take());
        self.root.remove();
        let _ = web_sys::window()
            .unwrap()
            .history()
            .unwrap()
            .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#"));
    }
}

/// Reading `#report-json` the way an outside tool does: with the browser's own `JSON.parse`.
pub mod serde_json_lite {
    use wasm_bindgen::JsValue;

    /// A parsed JSON value with typed accessors that fail the test on a wrong shape.
    pub struct Json(pub JsValue);

    impl Json {
        pub fn parse(text: &str) -> Json {
            Json(js_sys::JSON::parse(text).unwrap_or_else(|_| panic!("not JSON: {text}")))
        }

        pub fn get(&self, key: &str) -> Json {
            Json(js_sys::Reflect::get(&self.0, &JsValue::from_str(key)).unwrap())
        }

        pub fn has(&self, key: &str) -> bool {
            js_sys::Reflect::has(&self.0, &JsValue::from_str(key)).unwrap()
        }

        pub fn str(&self, key: &str) -> Option<String> {
            self.get(key).0.as_string()
        }

        pub fn bool(&self, key: &str) -> Option<bool> {
            self.get(key).0.as_bool()
        }

        pub fn num(&self, key: &str) -> Option<f64> {
            self.get(key).0.as_f64()
        }

        pub fn is_null(&self, key: &str) -> bool {
            self.get(key).0.is_null()
        }

        pub fn array(&self, key: &str) -> Vec<Json> {
            let value = self.get(key).0;
            assert!(js_sys::Array::is_array(&value), "{key} is not an array");
            js_sys::Array::from(&value).iter().map(Json).collect()
        }

        pub fn strings(&self, key: &str) -> Vec<String> {
            self.array(key)
                .into_iter()
                .map(|j| j.0.as_string().unwrap())
                .collect()
        }
    }
}
