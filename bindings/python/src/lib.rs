//! The Python package `konaplate_crypto` (this extension is its `_native`
//! module): a thin shell over the `konaplate-crypto` crate. Arguments are
//! read, the crate is called once, and its result or error handed back;
//! work on inputs of 64 KiB or more runs with the GIL released.
#![deny(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use zeroize::Zeroizing;

mod errors;
mod exchange;
mod keys;
mod tokens;

/// Inputs from this size up are processed with the GIL released, so other
/// Python threads run meanwhile; below it, releasing and taking the GIL
/// again would cost more than the work.
const LARGE_INPUT: usize = 64 * 1024;

/// Runs `work` on `size` bytes of input, without the GIL if they are many.
fn run<T: Send>(py: Python<'_>, size: usize, work: impl FnOnce() -> T + Send) -> T {
    if size >= LARGE_INPUT {
        py.detach(work)
    } else {
        work()
    }
}

/// Clear bytes handed to Python: one `bytes` made from them, and the
/// library's copy wiped at once (without the GIL if it is large).
fn clear_bytes(py: Python<'_>, clear: Zeroizing<Vec<u8>>) -> Bound<'_, PyBytes> {
    let out = PyBytes::new(py, &clear);
    run(py, clear.len(), move || drop(clear));
    out
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_class::<tokens::TokenSigner>()?;
    m.add_class::<tokens::CorrelationIds>()?;
    m.add_function(wrap_pyfunction!(tokens::new_correlation_id, m)?)?;
    m.add_class::<keys::Keyring>()?;
    m.add_class::<keys::Fields>()?;
    m.add_function(wrap_pyfunction!(keys::envelope_seal, m)?)?;
    m.add_function(wrap_pyfunction!(keys::envelope_open, m)?)?;
    m.add_class::<exchange::Client>()?;
    m.add_class::<exchange::PreparedRequest>()?;
    m.add_class::<exchange::Server>()?;
    m.add_class::<exchange::RequestHead>()?;
    m.add_class::<exchange::AcceptedRequest>()?;
    m.add_class::<exchange::PreparedResponse>()?;
    Ok(())
}
