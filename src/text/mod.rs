//! Small text utilities shared by the persona, rewrite and backend modules.

pub mod subject;
pub mod words;
