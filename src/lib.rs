//! corscope: the page.
