//! `Keyring`, `Fields`, `envelope_seal` and `envelope_open`.

use std::path::PathBuf;

use konaplate_crypto::{
    CryptoKeyId, KeyFile, KeyPassword, KeySelection, Opener, Sealer, open_envelope, seal_envelope,
};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyBytes;

use crate::errors::OrRaise;
use crate::{clear_bytes, run};

/// Keys by `X-KM-Crypto-Key-Id`. Make one with `Keyring.from_jwks`,
/// `Keyring.load` (bytes of any key file) or `Keyring.read` (a path).
/// Immutable and thread-safe; `repr` shows key ids, never key material.
#[pyclass(frozen, module = "konaplate_crypto")]
pub(crate) struct Keyring {
    pub(crate) ring: konaplate_crypto::Keyring,
}

fn key_id(id: Option<&str>) -> PyResult<Option<CryptoKeyId>> {
    id.map(CryptoKeyId::parse).transpose().or_raise()
}

fn from_file(file: konaplate_crypto::Result<KeyFile>, id: Option<&str>) -> PyResult<Keyring> {
    let ring = file.or_raise()?.into_keyring_as(key_id(id)?).or_raise()?;
    Ok(Keyring { ring })
}

#[pymethods]
impl Keyring {
    /// A keyring from a JWK Set (or one JWK) as JSON text.
    #[staticmethod]
    fn from_jwks(text: &str) -> PyResult<Keyring> {
        Ok(Keyring {
            ring: konaplate_crypto::Keyring::from_jwks(text).or_raise()?,
        })
    }

    /// A keyring from the bytes of any key file the library reads, its
    /// format found from them: a JWK Set or JWK (give no `key_id`: its keys
    /// name themselves), or an RSA key known as `key_id`: a certificate or
    /// SPKI (PEM or DER) seals to the other party, a PKCS#8, PKCS#1 or
    /// PKCS#12 private key opens. `password` opens a PKCS#12 store.
    #[staticmethod]
    #[pyo3(signature = (data, key_id=None, password=None))]
    fn load(data: &[u8], key_id: Option<&str>, password: Option<PyBackedStr>) -> PyResult<Keyring> {
        let password = password.as_deref().map(KeyPassword::from);
        from_file(KeyFile::load(data, password.as_ref()), key_id)
    }

    /// As `Keyring.load`, reading the file at `path`.
    #[staticmethod]
    #[pyo3(signature = (path, key_id=None, password=None))]
    fn read(
        py: Python<'_>,
        path: PathBuf,
        key_id: Option<&str>,
        password: Option<PyBackedStr>,
    ) -> PyResult<Keyring> {
        let password = password.as_deref().map(KeyPassword::from);
        // File I/O without the GIL; the library reads only a regular file,
        // and at most `KeyFile.MAX_LEN` bytes of it.
        let file = py.detach(|| KeyFile::read(&path, password.as_ref()));
        from_file(file, key_id)
    }

    /// The ids of the keys, first-issued first.
    fn key_ids(&self) -> Vec<String> {
        self.ring.iter().map(|e| e.id().to_string()).collect()
    }

    fn __len__(&self) -> usize {
        self.ring.len()
    }

    fn __repr__(&self) -> String {
        format!("Keyring(key_ids={:?})", self.key_ids())
    }
}

impl Keyring {
    /// The sealer of the key `id` names.
    fn sealer(&self, id: &str) -> PyResult<Sealer> {
        let id = CryptoKeyId::parse(id).or_raise()?;
        self.ring.sealer(&id).or_raise()
    }

    /// The opener of the key `id` names, else of the first-issued key (a
    /// callback's).
    fn opener(&self, id: Option<&str>) -> PyResult<Opener> {
        Ok(self.ring.opener(KeySelection::for_callback(key_id(id)?)))
    }
}

/// The fields of a JSON document that travel encrypted, by path:
/// `mobileCardNo`, `cardDataInfo[*].par`, `$['card info'].no`. With
/// `strict`, a path that matches nothing raises `FieldNotFound`.
#[pyclass(frozen, module = "konaplate_crypto")]
pub(crate) struct Fields {
    fields: konaplate_crypto::Fields,
}

#[pymethods]
impl Fields {
    #[new]
    #[pyo3(signature = (paths, strict=false))]
    fn new(paths: Vec<String>, strict: bool) -> PyResult<Fields> {
        let mut fields = konaplate_crypto::Fields::new(paths).or_raise()?;
        if strict {
            fields = fields.strict();
        }
        Ok(Fields { fields })
    }

    /// The document with each marked field's value sealed as a JWE
    /// (`dir`, AES-GCM) under the key `key_id`; the rest byte for byte.
    fn encrypt<'py>(
        &self,
        py: Python<'py>,
        doc: &[u8],
        keyring: &Keyring,
        key_id: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let sealer = keyring.sealer(key_id)?;
        let sealed = run(py, doc.len(), || self.fields.encrypt(doc, &sealer)).or_raise()?;
        Ok(PyBytes::new(py, &sealed))
    }

    /// The document with each marked field opened: with the key `key_id`
    /// names (a field sealed under another is refused), or with `None` the
    /// keyring's first-issued key (a callback's).
    #[pyo3(signature = (doc, keyring, key_id=None))]
    fn decrypt<'py>(
        &self,
        py: Python<'py>,
        doc: &[u8],
        keyring: &Keyring,
        key_id: Option<&str>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let opener = keyring.opener(key_id)?;
        let clear = run(py, doc.len(), || self.fields.decrypt(doc, &opener)).or_raise()?;
        Ok(clear_bytes(py, clear))
    }

    /// The paths, as given.
    #[getter]
    fn paths(&self) -> Vec<String> {
        self.fields
            .paths()
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect()
    }

    fn __repr__(&self) -> String {
        format!("Fields({:?})", self.paths())
    }
}

/// `body` sealed whole as the envelope `{"encData":"<JWE>"}` under the key
/// `key_id`.
#[pyfunction]
pub(crate) fn envelope_seal<'py>(
    py: Python<'py>,
    body: &[u8],
    keyring: &Keyring,
    key_id: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let sealer = keyring.sealer(key_id)?;
    let sealed = run(py, body.len(), || seal_envelope(body, &sealer)).or_raise()?;
    Ok(PyBytes::new(py, sealed.as_bytes()))
}

/// The clear body of an envelope: opened with the key `key_id` names, or
/// with `None` the keyring's first-issued key.
#[pyfunction]
#[pyo3(signature = (doc, keyring, key_id=None))]
pub(crate) fn envelope_open<'py>(
    py: Python<'py>,
    doc: &[u8],
    keyring: &Keyring,
    key_id: Option<&str>,
) -> PyResult<Bound<'py, PyBytes>> {
    let opener = keyring.opener(key_id)?;
    let clear = run(py, doc.len(), || open_envelope(doc, &opener)).or_raise()?;
    Ok(clear_bytes(py, clear))
}
