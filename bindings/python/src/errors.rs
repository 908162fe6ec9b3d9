//! `konaplate_crypto.Error` and a subclass per error kind of the crate,
//! named after it (`token_mismatch` is `TokenMismatch`), each with the
//! kind's stable `code` and the `http_status` a server answers with.

use std::ffi::CString;

use konaplate_crypto::ErrorKind;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

pyo3::create_exception!(
    konaplate_crypto,
    Error,
    PyException,
    "A failure of konaplate_crypto. Each error kind is a subclass named after it, with the \
     kind's stable `code` (as `\"token_mismatch\"`) and `http_status` (400, 401, 404, 413, \
     500 or 503) as class attributes; the message says what was wrong and where, never a \
     secret."
);

/// The subclass of each kind, made once.
static CLASSES: PyOnceLock<Vec<(ErrorKind, Py<PyType>)>> = PyOnceLock::new();

/// `token_mismatch` as `TokenMismatch`.
fn class_name(kind: ErrorKind) -> String {
    kind.code()
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn classes(py: Python<'_>) -> PyResult<&Vec<(ErrorKind, Py<PyType>)>> {
    CLASSES.get_or_try_init(py, || {
        let base = py.get_type::<Error>();
        ErrorKind::ALL
            .into_iter()
            .map(|kind| {
                let name = CString::new(format!("konaplate_crypto.{}", class_name(kind)))?;
                let doc = CString::new(format!(
                    "Raised for the error kind `{}` (HTTP {}).",
                    kind.code(),
                    kind.category().http_status()
                ))?;
                // The attributes are set on the class made, not passed as its
                // dict: pyo3 0.30's `new_type` lets go of that dict before
                // CPython reads it.
                let class = PyErr::new_type(py, &name, Some(&doc), Some(&base), None)?;
                class.bind(py).setattr("code", kind.code())?;
                class
                    .bind(py)
                    .setattr("http_status", kind.category().http_status())?;
                Ok((kind, class))
            })
            .collect()
    })
}

/// Adds `Error` and every subclass to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("Error", py.get_type::<Error>())?;
    for (kind, class) in classes(py)? {
        m.add(class_name(*kind).as_str(), class.clone_ref(py))?;
    }
    Ok(())
}

/// The Python exception for a crate error: its kind's subclass.
pub(crate) fn raise(e: konaplate_crypto::Error) -> PyErr {
    Python::attach(|py| match classes(py) {
        Ok(classes) => match classes.iter().find(|(kind, _)| *kind == e.kind()) {
            Some((_, class)) => PyErr::from_type(class.bind(py).clone(), e.to_string()),
            None => Error::new_err(e.to_string()),
        },
        Err(err) => err,
    })
}

/// `?` for the crate's results in functions that return `PyResult`.
pub(crate) trait OrRaise<T> {
    /// The value, or the error as its Python exception.
    fn or_raise(self) -> PyResult<T>;
}

impl<T> OrRaise<T> for konaplate_crypto::Result<T> {
    fn or_raise(self) -> PyResult<T> {
        self.map_err(raise)
    }
}
