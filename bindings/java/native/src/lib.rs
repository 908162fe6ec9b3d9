//! The JNI half of the JVM library `konaplate.crypto` (the Java classes are
//! in `bindings/java/konaplate-crypto`): the native methods of the class
//! `konaplate.crypto.Native`, each a thin shell over the core.
//!
//! The rules every method keeps:
//!
//! - text crosses as UTF-8 `byte[]` (the Java side encodes and decodes), so
//!   no modified UTF-8 is ever read; lists and header pairs cross as one
//!   `byte[]` in the [`wire`] format;
//! - a handle is the address of a boxed core value, made here and freed by
//!   its `...Free` method; the Java class `NativeHandle` counts the calls
//!   using a handle and frees it only when none is running, so no call sees
//!   a freed handle;
//! - a core error is thrown as `konaplate.crypto.KonaException` (its stable
//!   code and message); a panic as `IllegalStateException`; no panic
//!   crosses the boundary (`jni`'s `with_env` catches it).
#![allow(unsafe_code)] // JNI: exported symbols and handles held by the JVM.
#![deny(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![deny(unsafe_op_in_unsafe_fn)]

mod call;
mod exchange;
mod keys;
mod tokens;
mod wire;
