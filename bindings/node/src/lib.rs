//! The Node.js package `konaplate-crypto` (this addon is its native part,
//! loaded by `native.js`): a thin shell over the `konaplate-crypto` crate.
//! Arguments are read, the crate is called once, and its result or error
//! handed back. Every heavy call has an `...Async` twin that runs on the
//! libuv pool, so that a server's event loop does not wait on a large body.
//!
//! The package's JavaScript (`lib/`) adds what Node-API cannot express:
//! the error classes, `konaFetch` and `konaMiddleware`.
#![allow(unsafe_code)] // Node-API values read in `args::arg`, each block documented.
#![deny(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

use napi::bindgen_prelude::{Buffer, ToNapiValue, TypeName};
use napi::{Env, JsError, Task, Unknown, UnknownRef};
use zeroize::Zeroizing;

mod args;
mod errors;
mod exchange;
mod keys;
mod tokens;

pub use errors::{ErrorKindInfo, error_kinds, refuse_streaming_body, refuse_too_large};

use errors::{OrThrow, Result, kona};

/// Work for the libuv pool: `job` runs on a pool thread over `input` (held,
/// and let go of, on the main thread), and `done` turns its result into
/// the promise's value back on the main thread.
pub struct Work<I, T, J> {
    input: I,
    job: fn(&I) -> konaplate_crypto::Result<T>,
    done: fn(&Env, T) -> Result<J>,
}

impl<I, T, J> Work<I, T, J> {
    fn new(
        input: I,
        job: fn(&I) -> konaplate_crypto::Result<T>,
        done: fn(&Env, T) -> Result<J>,
    ) -> Work<I, T, J> {
        Work { input, job, done }
    }
}

/// A crate error as a thrown JavaScript value, for a promise to reject with.
fn rejection(env: &Env, e: errors::Error) -> napi::Error {
    napi::Error::from(JsError::from(e).into_unknown(*env))
}

impl<I: Send, T: Send + 'static, J: ToNapiValue + TypeName> Task for Work<I, T, J> {
    type Output = konaplate_crypto::Result<T>;
    type JsValue = J;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok((self.job)(&self.input))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<J> {
        output
            .map_err(kona)
            .and_then(|value| (self.done)(&env, value))
            .map_err(|e| rejection(&env, e))
    }
}

/// Bytes handed to JavaScript as a `Buffer` over the same memory (no copy).
fn buffer(bytes: Vec<u8>) -> Buffer {
    Buffer::from(bytes)
}

/// Clear bytes handed to JavaScript: the `Buffer` takes the memory itself,
/// so no second copy is left behind to wipe.
fn clear_buffer(clear: Zeroizing<Vec<u8>>) -> Buffer {
    buffer(plain(clear))
}

/// The bytes of `clear`, moved out to be handed over whole (nothing is
/// left behind to wipe).
fn plain(mut clear: Zeroizing<Vec<u8>>) -> Vec<u8> {
    std::mem::take(&mut *clear)
}

/// A `Buffer` made once and kept by an object of the addon, so that every
/// read of a property (`request.body`) is the same `Buffer`. The object
/// lets go of it when it is collected ([`Held::release`]).
struct Held(Option<UnknownRef>);

impl Held {
    fn new(env: &Env, bytes: Vec<u8>) -> Result<Held> {
        let value = buffer(bytes).into_unknown(env).or_throw()?;
        Ok(Held(Some(value.create_ref().or_throw()?)))
    }

    fn get<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        match &self.0 {
            Some(held) => held.get_value(env).or_throw(),
            None => Err(errors::type_error("the buffer was released")),
        }
    }

    fn release(&mut self, env: &Env) -> napi::Result<()> {
        self.0.take().map_or(Ok(()), |held| held.unref(env))
    }
}
