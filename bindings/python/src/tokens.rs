//! `TokenSigner` and `new_correlation_id`.

use std::sync::LazyLock;
use std::time::Duration;

use konaplate_crypto::{
    AcceptedForms, CorrelationIdGenerator, DateTime, Instance, ProjectSecret, TimeZone, TokenForm,
    VerifyOptions,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyString};

use crate::errors::OrRaise;
use crate::run;

/// Signs and verifies `X-KM-Tran-Token`s with the project secret.
///
/// The secret (`str`, used as UTF-8, or `bytes`) is kept as an HMAC key
/// only, never shown by `repr`. Immutable and thread-safe.
#[pyclass(frozen, module = "konaplate_crypto")]
pub(crate) struct TokenSigner {
    pub(crate) signer: konaplate_crypto::TokenSigner,
}

#[pymethods]
impl TokenSigner {
    #[new]
    fn new(secret: &Bound<'_, PyAny>) -> PyResult<TokenSigner> {
        let secret = if let Ok(bytes) = secret.cast::<PyBytes>() {
            ProjectSecret::from_bytes(bytes.as_bytes())
        } else if let Ok(text) = secret.cast::<PyString>() {
            let text = zeroize::Zeroizing::new(text.to_cow()?.into_owned());
            ProjectSecret::from_bytes(text.as_bytes())
        } else {
            return Err(PyTypeError::new_err("secret must be str or bytes"));
        }
        .or_raise()?;
        Ok(TokenSigner {
            signer: konaplate_crypto::TokenSigner::new(&secret),
        })
    }

    /// The token of `body`: `KMV1:` + the time + the HMAC-SHA256 of the
    /// body in base64, 66 characters (67 with `padded`). `time` is the
    /// token time as `yyyyMMddHHmmssSSS` in `zone` (`"KST"`, `"UTC"` or
    /// `"NAME+HH:MM"`); `None` is now.
    #[pyo3(signature = (body, time=None, zone="KST", padded=false))]
    fn sign(
        &self,
        py: Python<'_>,
        body: &[u8],
        time: Option<PyBackedStr>,
        zone: &str,
        padded: bool,
    ) -> PyResult<String> {
        let zone: TimeZone = zone.parse().or_raise()?;
        let now = DateTime::instant_or_now(time.as_deref(), zone).or_raise()?;
        let form = if padded {
            TokenForm::Padded
        } else {
            TokenForm::Unpadded
        };
        let token = run(py, body.len(), || {
            self.signer.sign_at(body, now, zone, form)
        })
        .or_raise()?;
        Ok(token.as_str().to_owned())
    }

    /// Checks `token` against `body` as received: the MAC (in constant
    /// time), then the token time against `now` (`yyyyMMddHHmmssSSS` in
    /// `zone`; `None` is the clock) within `max_skew` seconds. `strict`
    /// refuses the padded 67-character form. Returns `None`; raises
    /// `TokenMismatch`, `TokenTimeOutsideWindow`, `MalformedToken` ...
    #[pyo3(signature = (body, token, now=None, max_skew=300, strict=false, zone="KST"))]
    #[allow(clippy::too_many_arguments)] // Python keywords, each with a default.
    fn verify(
        &self,
        py: Python<'_>,
        body: &[u8],
        token: &str,
        now: Option<PyBackedStr>,
        max_skew: u64,
        strict: bool,
        zone: &str,
    ) -> PyResult<()> {
        let zone: TimeZone = zone.parse().or_raise()?;
        let now = DateTime::instant_or_now(now.as_deref(), zone).or_raise()?;
        let mut options = VerifyOptions::default().with_max_skew(Duration::from_secs(max_skew));
        if strict {
            options = options.with_forms(AcceptedForms::UnpaddedOnly);
        }
        run(py, body.len(), || {
            self.signer.verify_str(token, body, now, zone, &options)
        })
        .or_raise()?;
        Ok(())
    }

    fn __repr__(&self) -> &'static str {
        "TokenSigner(secret=[redacted])"
    }
}

/// A new correlation id (`yyMMddHHmmss-xxxxxxx`) for now in `zone`,
/// unique across the threads of the process.
#[pyfunction]
#[pyo3(signature = (zone="KST"))]
pub(crate) fn new_correlation_id(zone: &str) -> PyResult<String> {
    static IDS: LazyLock<CorrelationIdGenerator> = LazyLock::new(CorrelationIdGenerator::new);
    let zone: TimeZone = zone.parse().or_raise()?;
    Ok(IDS.generate(zone).or_raise()?.as_str().to_owned())
}

/// The instance of a fleet `instance` and `bits` say, if `instance` is given.
pub(crate) fn instance(instance: Option<u32>, bits: u32) -> PyResult<Option<Instance>> {
    instance
        .map(|number| Instance::with_bits(number, bits))
        .transpose()
        .or_raise()
}

/// Correlation ids drawn as one instance of a fleet: the instance number
/// takes the top `instance_bits` bits of the suffix (4 by default:
/// instances 0 to 15), so instances with distinct numbers never make the
/// same id. Thread-safe; share one per process.
#[pyclass(frozen, module = "konaplate_crypto")]
pub(crate) struct CorrelationIds {
    ids: CorrelationIdGenerator,
    instance: Instance,
}

#[pymethods]
impl CorrelationIds {
    #[new]
    #[pyo3(signature = (instance, instance_bits=4))]
    fn new(instance: u32, instance_bits: u32) -> PyResult<CorrelationIds> {
        let instance = Instance::with_bits(instance, instance_bits).or_raise()?;
        Ok(CorrelationIds {
            ids: CorrelationIdGenerator::new().with_instance(instance),
            instance,
        })
    }

    /// A new correlation id for now in `zone`.
    #[pyo3(signature = (zone="KST"))]
    fn generate(&self, zone: &str) -> PyResult<String> {
        let zone: TimeZone = zone.parse().or_raise()?;
        Ok(self.ids.generate(zone).or_raise()?.as_str().to_owned())
    }

    /// The instance number.
    #[getter]
    fn instance(&self) -> u32 {
        self.instance.number()
    }

    /// The bits of the suffix it takes.
    #[getter]
    fn instance_bits(&self) -> u32 {
        self.instance.bits()
    }

    /// Ids this instance can make in one second: 2^(28 - instance_bits).
    #[getter]
    fn ids_per_second(&self) -> u32 {
        self.instance.ids_per_second()
    }

    fn __repr__(&self) -> String {
        format!(
            "CorrelationIds(instance={}, instance_bits={})",
            self.instance.number(),
            self.instance.bits()
        )
    }
}
