#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod correlation;
pub mod envelope;
pub mod error;
pub mod fields;
pub mod headers;
pub mod ids;
mod json;
pub mod jwe;
pub mod keyring;
pub mod rsa;
pub mod time;
pub mod token;

pub use error::{Error, Result};
