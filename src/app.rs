//! The interactive page: builds the form and report area, wires events, keeps the URL fragment and the
//! form in step, and runs diagnoses.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use corscope_model::classify;
use corscope_model::classify::Classification;
use corscope_model::permalink::{self, FormState, HeaderRow};
use corscope_model::text::Joined;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{Document, Element, Event, EventTarget, KeyboardEvent, Window};

use crate::diagnose::{self, diagnose, Options};
use crate::dom::{self, el, Listeners};
use crate::fetch;
use crate::presets;
use crate::report::{Outcome, Report};
use crate::view::form::Form;
use crate::view::result::{State as ReportState, Tools};
use crate::view::Output;

/// localStorage key for the chosen server stack.
const STACK_KEY: &str = "corscope.stack";

/// A mounted page. Dropping it unregisters every listener (the page itself keeps it forever).
pub struct App {
    state: Rc<Page>,
    _listeners: Listeners,
}

impl App {
    /// The origin requests are sent from.
    pub fn origin(&self) -> &str {
        &self.state.origin
    }
}

/// Everything the event handlers share. Holds no closures, so handlers can hold it without a cycle.
pub(crate) struct Page {
    pub(crate) doc: Document,
    window: Window,
    origin: String,
    form: Form,
    out: Output,
    pub(crate) presets: Element,
    /// Incremented per run, so a slow earlier run cannot overwrite a newer one's result.
    generation: Cell<u32>,
    /// The last finished report (a new stack choice redraws its fix from it).
    last: RefCell<Option<Report>>,
    /// Whether the stack select holds its final value: the stored choice is read only when a fix or a
    /// link first needs it (a first localStorage access blocks the page for milliseconds), and a
    /// permalink's or the user's own choice wins over it.
    stack_settled: Cell<bool>,
}

/// Builds the page inside `root` and wires its events; loads the state in the URL fragment.
pub fn mount(root: &Element) -> Result<App, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let doc = window
        .document()
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let origin = crate::page_origin();
    root.set_text_content(None);
    let form = Form::build(&doc, root, &origin)?;
    let presets = presets::build(&doc, root)?;
    let out = Output::build(&doc, root)?;
    let page = Rc::new(Page {
        doc,
        window,
        origin,
        form,
        out,
        presets,
        generation: Cell::new(0),
        last: RefCell::new(None),
        stack_settled: Cell::new(false),
    });
    let listeners = wire(&page)?;
    page.load_fragment();
    Ok(App {
        state: page,
        _listeners: listeners,
    })
}

/// What an event does. Every listener is the same closure calling [`Page::handle`] with its action: one
/// closure type in the WASM bundle instead of one per listener.
#[derive(Clone, Copy)]
enum Action {
    /// Submit: run the form's request.
    Run,
    /// Any edit: re-classify live.
    Refresh,
    /// Ctrl/Cmd+Enter runs too, from the body textarea as well.
    Keydown,
    /// Append a blank header row.
    AddHeader,
    /// A row's remove button.
    RemoveHeader,
    /// A body preset: set its Content-Type row.
    BodyType,
    /// Show (and copy) the permalink.
    CopyLink,
    /// Load the new fragment.
    HashChange,
    /// Remember the server stack and redraw the fix.
    Stack,
    /// Diagnose the pasted curl output.
    Paste,
    /// A copy button beside a `pre`.
    Copy,
    /// The presets box opened: fetch the catalogue once.
    PresetsToggle,
    /// A preset button: load its fragment.
    Preset,
}

fn wire(page: &Rc<Page>) -> Result<Listeners, JsValue> {
    let form = &page.form;
    let bindings: [(&EventTarget, &'static str, Action); 15] = [
        (&form.element, "submit", Action::Run),
        (&form.element, "input", Action::Refresh),
        (&form.element, "change", Action::Refresh),
        (&form.element, "keydown", Action::Keydown),
        (&form.add_header, "click", Action::AddHeader),
        (&form.headers, "click", Action::RemoveHeader),
        (&form.body_type, "change", Action::BodyType),
        (&form.copy_link, "click", Action::CopyLink),
        (&page.window, "hashchange", Action::HashChange),
        (&page.out.stack, "change", Action::Stack),
        (&page.out.paste_run, "click", Action::Paste),
        (&page.out.tools, "click", Action::Copy),
        (&page.out.report, "click", Action::Copy),
        (&page.presets, "toggle", Action::PresetsToggle),
        (&page.presets, "click", Action::Preset),
    ];
    let mut listeners = Listeners::default();
    for (target, event, action) in bindings {
        let p = Rc::clone(page);
        listeners.on(target, event, move |e: Event| p.handle(action, &e))?;
    }
    Ok(listeners)
}

/// The element with `data-mark="<mark>"` that an event came from.
fn marked_target(event: &Event, mark: &str) -> Option<Element> {
    let target = event.target()?.dyn_into::<Element>().ok()?;
    let selector = format!("[data-mark=\"{mark}\"]");
    target.closest(&selector).ok().flatten()
}

fn text_before(button: &Element) -> String {
    button
        .previous_element_sibling()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// Copies `text` with the async clipboard API (called through Reflect: web-sys marks it unstable).
/// Resolves to whether the browser accepted it (it may refuse without focus or permission).
async fn copy_text(window: &Window, text: &str) -> bool {
    let navigator = window.navigator();
    let Some(clipboard) = dom::get_prop(&navigator, "clipboard") else {
        return false;
    };
    let Some(write) =
        dom::get_prop(&clipboard, "writeText").and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return false;
    };
    let Ok(promise) = write
        .call1(&clipboard, &JsValue::from_str(text))
        .and_then(|p| p.dyn_into::<js_sys::Promise>())
    else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Copies the text of the `pre` before a copy button; the text stays on screen if the browser refuses.
fn copy_beside(window: &Window, button: &Element) {
    let window = window.clone();
    let text = text_before(button);
    spawn_local(async move {
        copy_text(&window, &text).await;
    });
}

impl Page {
    /// Does what a listener's action says with its event.
    fn handle(self: &Rc<Self>, action: Action, event: &Event) {
        match action {
            Action::Run => {
                event.prevent_default();
                self.run();
            }
            Action::Refresh => self.refresh(),
            Action::Keydown => {
                // Ctrl/Cmd+Enter runs from the body textarea too (plain Enter submits from any input).
                if let Some(key) = event.dyn_ref::<KeyboardEvent>() {
                    if key.key() == "Enter" && (key.ctrl_key() || key.meta_key()) {
                        event.prevent_default();
                        self.run();
                    }
                }
            }
            Action::AddHeader => {
                let blank = HeaderRow {
                    name: String::new(),
                    value: String::new(),
                    enabled: true,
                };
                let _ = self.form.add_header_row(&self.doc, &blank);
                self.refresh();
            }
            Action::RemoveHeader => {
                if let Some(row) =
                    marked_target(event, "remove-header").and_then(|b| b.parent_element())
                {
                    row.remove();
                    self.refresh();
                }
            }
            Action::BodyType => {
                let _ = self.form.apply_body_type(&self.doc);
                self.refresh();
            }
            Action::CopyLink => self.copy_link(),
            Action::HashChange => self.load_fragment(),
            Action::Stack => self.stack_changed(),
            Action::Paste => self.paste(),
            Action::Copy => {
                if let Some(button) = marked_target(event, "copy") {
                    copy_beside(&self.window, &button);
                }
            }
            Action::PresetsToggle => presets::opened(self),
            Action::Preset => {
                if let Some(button) = marked_target(event, "preset") {
                    if let Some(fragment) = button.get_attribute("title") {
                        self.load_state_text(&fragment);
                    }
                }
            }
        }
    }

    /// Reads the form, or shows the field error and returns `None`.
    fn read_form(&self) -> Option<FormState> {
        match self.form.read() {
            Ok(state) => Some(state),
            Err((field, message)) => {
                self.form.show_field_error(Some((field, &message)));
                None
            }
        }
    }

    /// Re-classifies the form live: preflight and why, dropped headers, field errors, link warning.
    fn refresh(&self) {
        let Some(state) = self.read_form() else {
            return;
        };
        self.show_link_warning(&state);
        let _ = self.form.link_status.set_attribute("data-mark", "");
        if state.url.is_empty() {
            self.form.show_field_error(None);
            self.form
                .classification
                .set_text_content(Some("Enter a URL to see what the browser will do."));
            return;
        }
        let spec = fetch::normalized(state.to_spec(&self.origin));
        let lines = match classify(&spec) {
            Ok(classification) => {
                self.form.show_field_error(None);
                classification_lines(&classification)
            }
            Err(refusal) => {
                let message = refusal.to_string();
                self.form
                    .show_field_error(Some((refusal.field(), &message)));
                vec![message]
            }
        };
        let _ = self.show_lines(&self.form.classification, &lines);
    }

    fn show_lines(&self, target: &Element, lines: &[String]) -> Result<(), JsValue> {
        let items = lines
            .iter()
            .map(|line| el(&self.doc, "p").map(|b| b.text(line).build()))
            .collect::<Result<Vec<_>, _>>()?;
        dom::replace_children(target, &items)
    }

    fn show_link_warning(&self, state: &FormState) {
        let sensitive = permalink::sensitive_headers(state);
        let text = if sensitive.is_empty() {
            String::new()
        } else {
            format!(
                "Careful: a copied link would contain the value of {}. Remove it before sharing.",
                sensitive.joined(", ")
            )
        };
        self.form.link_status.set_text_content(Some(&text));
    }

    /// Starts a diagnosis of the form's request.
    fn run(self: &Rc<Self>) {
        let Some(state) = self.read_form() else {
            return;
        };
        let spec = fetch::normalized(state.to_spec(&self.origin));
        if let Err(refusal) = classify(&spec) {
            let message = refusal.to_string();
            self.form
                .show_field_error(Some((refusal.field(), &message)));
        }
        let generation = self.generation.get().wrapping_add(1);
        self.generation.set(generation);
        let _ = self.out.set_state(ReportState::Running);
        let page = Rc::clone(self);
        let on_probe: diagnose::ProbeCallback = Rc::new(move |probe| {
            if page.generation.get() == generation {
                let _ = page.out.add_probe(&page.doc, probe);
            }
        });
        let options = Options {
            timeout_ms: state.timeout_ms,
            cache_bust: state.cache_bust,
            may_repeat: state.may_repeat,
            on_probe: Some(on_probe),
        };
        let page = Rc::clone(self);
        spawn_local(async move {
            let report = diagnose(&spec, options).await;
            if page.generation.get() == generation {
                page.finish(report);
            }
        });
    }

    fn finish(&self, report: Report) {
        // The fix is drawn for the stack the select holds: settle it first.
        self.stack();
        if let Err(error) = self.out.show(&self.doc, &report, &self.tools()) {
            self.show_broken(&error);
        }
        *self.last.borrow_mut() = Some(report);
    }

    /// A drawing failure is still a finished run: say so in plain words and publish a minimal report.
    fn show_broken(&self, error: &JsValue) {
        self.stack();
        let mut report = Report::new(Outcome::InvalidRequest);
        report.headline = format!(
            "The page could not draw the result: {}",
            dom::error_text(error)
        );
        let _ = self.out.show(&self.doc, &report, &Tools::default());
    }

    /// The form's request as sent from the user's app origin (this page's when none is given).
    fn tools(&self) -> Tools {
        let Some(state) = self.read_form() else {
            return Tools::default();
        };
        let origin = state
            .app_origin
            .clone()
            .unwrap_or_else(|| self.origin.clone());
        Tools {
            request: classify(&fetch::normalized(state.to_spec(&origin)))
                .ok()
                .map(|c| c.request),
            body: state.body,
        }
    }

    /// Loads the state in the URL fragment (on start and on `hashchange`).
    fn load_fragment(self: &Rc<Self>) {
        let hash = self.window.location().hash().unwrap_or_default();
        if hash.len() > 1 {
            self.load_state_text(&hash);
        } else {
            self.refresh();
        }
    }

    /// Fills the form from a permalink fragment; runs it when it says `run=1`. What the fragment gets
    /// wrong is ignored field by field and listed as notices.
    pub(crate) fn load_state_text(self: &Rc<Self>, fragment: &str) {
        let (state, notices) = permalink::parse(fragment);
        let mut notices: Vec<String> = notices.iter().map(ToString::to_string).collect();
        // A form field cannot hold a line break, so filling it would change the value silently.
        for row in &state.headers {
            if row.value.contains(['\r', '\n']) {
                notices.push(format!(
                    "The link's header {} has a line break in its value, which no header can carry \
                     (fetch() would refuse it); the form shows the value without it.",
                    row.name
                ));
            }
        }
        let _ = self.show_notices(&notices);
        if let Err(error) = self.form.fill(&self.doc, &state) {
            self.show_broken(&error);
        }
        if let Some(stack) = &state.stack {
            self.out.stack.set_value(stack);
            self.stack_settled.set(true);
        }
        self.refresh();
        if state.run {
            self.run();
        }
    }

    fn show_notices(&self, notices: &[String]) -> Result<(), JsValue> {
        let items = notices
            .iter()
            .map(|n| el(&self.doc, "li").map(|b| b.text(n).build()))
            .collect::<Result<Vec<_>, _>>()?;
        dom::replace_children(&self.form.notices, &items)
    }

    /// Puts the form in a link (shown as text, and copied when the browser allows), with the secrets
    /// warning beside it.
    fn copy_link(self: &Rc<Self>) {
        let Some(mut state) = self.read_form() else {
            return;
        };
        state.stack = Some(self.stack());
        let location = self.window.location();
        let link = format!(
            "{}{}{}#{}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default(),
            permalink::serialize(&state)
        );
        let page = Rc::clone(self);
        spawn_local(async move {
            let copied = copy_text(&page.window, &link).await;
            page.show_link_warning(&state);
            let warning = page.form.link_status.text_content().unwrap_or_default();
            let lead = if copied {
                "Link copied"
            } else {
                "Copy this link"
            };
            page.form
                .link_status
                .set_text_content(Some(&format!("{lead}: {link} {warning}")));
        });
    }

    /// The chosen server stack, the stored choice restored first if nothing settled it yet.
    fn stack(&self) -> String {
        if !self.stack_settled.replace(true) {
            let stored = self
                .window
                .local_storage()
                .ok()
                .flatten()
                .and_then(|s| s.get_item(STACK_KEY).ok().flatten());
            if let Some(stack) = stored {
                self.out.stack.set_value(&stack);
            }
        }
        self.out.stack.value()
    }

    fn stack_changed(&self) {
        self.stack_settled.set(true);
        if let Ok(Some(storage)) = self.window.local_storage() {
            // Storage may be full or disabled (private mode): the choice then lasts this visit only.
            let _ = storage.set_item(STACK_KEY, &self.out.stack.value());
        }
        if let Some(report) = self.last.borrow().as_ref() {
            let _ = self.out.show(&self.doc, report, &self.tools());
        }
    }

    /// The exact diagnosis from pasted curl output, for the request the form describes now.
    fn paste(&self) {
        let Some(state) = self.read_form() else {
            return;
        };
        let classification = match classify(&fetch::normalized(state.to_spec(&self.origin))) {
            Ok(classification) => classification,
            Err(refusal) => {
                let message = refusal.to_string();
                self.out.paste_error.set_text_content(Some(&message));
                return;
            }
        };
        let preflight = self.out.paste_preflight.value();
        let actual = self.out.paste_actual.value();
        match diagnose::diagnose_pasted(&classification, &preflight, &actual) {
            Ok(report) => {
                self.out.paste_error.set_text_content(None);
                self.finish(report);
            }
            Err(message) => self.out.paste_error.set_text_content(Some(&message)),
        }
    }
}

/// The live classification in sentences.
fn classification_lines(classification: &Classification) -> Vec<String> {
    let request = &classification.request;
    let mut lines = Vec::new();
    if !request.is_cross_origin() {
        lines.push(String::from("Same-origin request: CORS does not apply."));
    } else if classification.needs_preflight() {
        lines.push(String::from(
            "Preflighted: the browser first sends an OPTIONS request, because:",
        ));
        for reason in &classification.preflight {
            lines.push(format!("• {reason}"));
        }
    } else {
        lines.push(String::from(
            "Simple request: no preflight; the response still needs Access-Control-Allow-Origin.",
        ));
    }
    lines.extend(diagnose::request_warnings(classification));
    lines
}
