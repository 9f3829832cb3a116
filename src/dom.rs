//! The page's only contact with the DOM API: typed element creation, a builder that can only set text
//! (never HTML), a closed list of attributes, and event listeners whose closures have an owner.
//!
//! Every other module goes through here, so "untrusted text never becomes markup" is checked in one file:
//! nothing in this module calls `set_inner_html`, and [`Attr`](crate::dom::Attr) has no event-handler or URL attribute.

use corscope_model::text::code_spans;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Event, EventTarget, Node};

/// The attributes the page sets. A closed list, so no code path can set `onclick`, `href` or `src` from
/// untrusted text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attr {
    Id,
    Class,
    Type,
    For,
    Value,
    Title,
    Role,
    AriaLive,
    AriaLabel,
    AriaDescribedBy,
    DataState,
    DataMark,
    List,
    Min,
    Max,
    Step,
    Autocomplete,
    Spellcheck,
    Hidden,
}

impl Attr {
    /// The attribute's name in HTML.
    pub fn name(self) -> &'static str {
        match self {
            Attr::Id => "id",
            Attr::Class => "class",
            Attr::Type => "type",
            Attr::For => "for",
            Attr::Value => "value",
            Attr::Title => "title",
            Attr::Role => "role",
            Attr::AriaLive => "aria-live",
            Attr::AriaLabel => "aria-label",
            Attr::AriaDescribedBy => "aria-describedby",
            Attr::DataState => "data-state",
            Attr::DataMark => "data-mark",
            Attr::List => "list",
            Attr::Min => "min",
            Attr::Max => "max",
            Attr::Step => "step",
            Attr::Autocomplete => "autocomplete",
            Attr::Spellcheck => "spellcheck",
            Attr::Hidden => "hidden",
        }
    }
}

/// Creates an element and casts it to its web-sys type (e.g. `HtmlInputElement` for `"input"`).
pub fn create<T: JsCast>(doc: &Document, tag: &'static str) -> Result<T, JsValue> {
    doc.create_element(tag)?
        .dyn_into::<T>()
        .map_err(|_| JsValue::from_str("element has an unexpected type"))
}

/// Starts building an element: `el(doc, "p")?.text("hello").build()`.
pub fn el<'d>(doc: &'d Document, tag: &'static str) -> Result<Builder<'d>, JsValue> {
    Ok(Builder {
        doc,
        el: doc.create_element(tag)?,
    })
}

/// An element under construction. Text goes in through `textContent` only.
pub struct Builder<'d> {
    doc: &'d Document,
    el: Element,
}

impl Builder<'_> {
    /// Sets the element's text (any markup in `text` stays literal).
    #[must_use]
    pub fn text(self, text: &str) -> Self {
        self.el.set_text_content(Some(text));
        self
    }

    /// Sets one attribute from the closed [`Attr`] list.
    pub fn attr(self, attr: Attr, value: &str) -> Result<Self, JsValue> {
        self.el.set_attribute(attr.name(), value)?;
        Ok(self)
    }

    /// Shorthand for the `class` attribute.
    pub fn class(self, class: &str) -> Result<Self, JsValue> {
        self.attr(Attr::Class, class)
    }

    /// Appends a child node.
    pub fn child(self, child: &Node) -> Result<Self, JsValue> {
        self.el.append_child(child)?;
        Ok(self)
    }

    /// Sets the element's content to the model's prose, where code spans become `<code>` (still text
    /// only: nothing in `text` is parsed as markup). Text from a server goes in through [`Builder::text`],
    /// or into prose only as a code span written by `corscope_model::text::code`.
    pub fn prose(self, text: &str) -> Result<Self, JsValue> {
        set_prose(self.doc, &self.el, text)?;
        Ok(self)
    }

    /// Appends a child element holding only `text`.
    pub fn text_child(self, tag: &'static str, text: &str) -> Result<Self, JsValue> {
        let child = el(self.doc, tag)?.text(text).build();
        self.child(&child)
    }

    /// Finishes the element.
    pub fn build(self) -> Element {
        self.el
    }
}

/// Replaces `element`'s content with `text`, turning its CommonMark code spans (how the model writes
/// header names and values, see [`code_spans`]) into `<code>` elements; each piece goes in as a text node.
pub fn set_prose(doc: &Document, element: &Element, text: &str) -> Result<(), JsValue> {
    element.set_text_content(None);
    for (code, piece) in code_spans(text) {
        if code {
            element.append_child(&el(doc, "code")?.text(piece).build())?;
        } else {
            element.append_child(&doc.create_text_node(piece))?;
        }
    }
    Ok(())
}

/// Replaces every child of `parent` with `children`.
pub fn replace_children(parent: &Element, children: &[Element]) -> Result<(), JsValue> {
    parent.set_text_content(None);
    for child in children {
        parent.append_child(child)?;
    }
    Ok(())
}

/// Shows or hides an element with the `hidden` attribute.
pub fn set_hidden(element: &Element, hidden: bool) -> Result<(), JsValue> {
    if hidden {
        element.set_attribute("hidden", "")
    } else {
        element.remove_attribute("hidden")
    }
}

/// Event listeners and the closures behind them. Dropping the list unregisters every listener, so a
/// mounted app can be torn down (tests do) without leaking closures.
#[derive(Default)]
pub struct Listeners {
    entries: Vec<Listener>,
}

/// One registration: where, which event, and the closure the browser calls.
struct Listener {
    target: EventTarget,
    event: &'static str,
    closure: Closure<dyn FnMut(Event)>,
}

impl Listeners {
    /// Registers `handler` for `event` on `target` and keeps its closure alive until the list drops.
    pub fn on(
        &mut self,
        target: &EventTarget,
        event: &'static str,
        handler: impl FnMut(Event) + 'static,
    ) -> Result<(), JsValue> {
        let closure = Closure::<dyn FnMut(Event)>::new(handler);
        target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
        self.entries.push(Listener {
            target: target.clone(),
            event,
            closure,
        });
        Ok(())
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        for Listener {
            target,
            event,
            closure,
        } in &self.entries
        {
            // Nothing useful can be done if removal fails while tearing down.
            let _ =
                target.remove_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        }
    }
}

/// Reads a string property of a JS object (`error.name`, `result.done`, …) without panicking.
pub fn get_prop(value: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(value, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// A JS error as text: its `message` (or its string form), for showing to the user verbatim.
pub fn error_text(error: &JsValue) -> String {
    if let Some(message) = get_prop(error, "message").and_then(|m| m.as_string()) {
        return message;
    }
    error
        .as_string()
        .unwrap_or_else(|| String::from("unknown JavaScript error"))
}

/// Static markup as a table, in document order: (depth, tag, attributes, text). An element at depth `d`
/// goes into the last element at depth `d - 1`; depth 0 elements are roots the caller places. One loop
/// builds them all ([`build_layout`]): a table costs a fraction of the WASM a chain of builder calls does.
pub type Layout = &'static [(
    u8,
    &'static str,
    &'static [(Attr, &'static str)],
    &'static str,
)];

/// Creates the elements of `layout`, each inside its parent, and returns those with an id, by id (read
/// from the table: asking the DOM would cross into JavaScript once per element and lookup).
pub fn build_layout(
    doc: &Document,
    layout: Layout,
) -> Result<Vec<(&'static str, Element)>, JsValue> {
    let mut named = Vec::new();
    // The open element at each depth.
    let mut open: Vec<Element> = Vec::new();
    for &(depth, tag, attrs, text) in layout {
        let element = doc.create_element(tag)?;
        for &(attr, value) in attrs {
            element.set_attribute(attr.name(), value)?;
            if attr == Attr::Id {
                named.push((value, element.clone()));
            }
        }
        if !text.is_empty() {
            element.set_text_content(Some(text));
        }
        let depth = usize::from(depth);
        open.truncate(depth);
        if let Some(parent) = depth.checked_sub(1).and_then(|d| open.get(d)) {
            parent.append_child(&element)?;
        }
        open.push(element);
    }
    Ok(named)
}

/// The built element with this id.
pub fn by_id(named: &[(&str, Element)], id: &str) -> Option<Element> {
    named.iter().find(|(i, _)| *i == id).map(|(_, e)| e.clone())
}
