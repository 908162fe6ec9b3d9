//! Content encryption (`enc`).

pub(crate) mod aes_gcm;

pub use aes_gcm::ContentEncryption;
