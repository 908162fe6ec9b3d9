#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod correlation;
pub mod error;
pub mod headers;
pub mod ids;
pub mod time;
pub mod token;

pub use error::{Error, Result};
