//! Drawing results. Every string from the network, the URL or the user goes in as text.

pub mod form;
pub mod result;

pub use result::Output;
