//! The project secret: the HMAC key of `X-KM-Tran-Token`, and where it is read
//! from (never from argv).

use core::fmt;
use std::path::Path;

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The project's secret key: the HMAC key of the transaction token.
///
/// Its bytes are the secret string's UTF-8 bytes, used as they are (not
/// base64-decoded). It is wiped from memory when dropped and never printed.
///
/// ```
/// use konaplate_crypto::ProjectSecret;
/// # let path = std::env::temp_dir().join(format!("km-doc-secret-{}", std::process::id()));
/// # std::fs::write(&path, "sandbox secret\n").unwrap();
/// let secret = ProjectSecret::from_file(&path)?; // one trailing newline stripped
/// # std::fs::remove_file(&path).unwrap();
/// assert_eq!(secret.expose_secret(), b"sandbox secret");
/// assert_eq!(format!("{secret:?}"), "ProjectSecret([redacted])");
/// # Ok::<(), konaplate_crypto::Error>(())
/// ```
#[derive(Clone)]
pub struct ProjectSecret(Zeroizing<Vec<u8>>);

impl ProjectSecret {
    /// Takes ownership of the secret's bytes, as they are.
    pub fn new(bytes: Vec<u8>) -> ProjectSecret {
        ProjectSecret(Zeroizing::new(bytes))
    }

    /// A secret a caller hands over as bytes (the C ABI, the Python
    /// package), copied as it is; an empty secret is an
    /// [`Error::InvalidSecret`].
    pub fn from_bytes(bytes: &[u8]) -> Result<ProjectSecret> {
        if bytes.is_empty() {
            return Err(empty());
        }
        Ok(ProjectSecret(Zeroizing::new(bytes.to_vec())))
    }

    /// The value of the environment variable `var`, read as bytes. One
    /// trailing newline (`\n` or `\r\n`) is stripped; an unset variable or
    /// an empty secret is an [`Error::InvalidSecret`].
    pub fn from_env(var: &str) -> Result<ProjectSecret> {
        env_secret(var).map(ProjectSecret)
    }

    /// The content of the file at `path`. One trailing newline (`\n` or
    /// `\r\n`) is stripped; an unreadable file is an [`Error::Io`], an empty
    /// secret an [`Error::InvalidSecret`].
    pub fn from_file(path: &Path) -> Result<ProjectSecret> {
        let bytes = std::fs::read(path).map_err(|e| Error::Io {
            what: format!("the secret file {}", path.display()),
            source: e.into(),
        })?;
        checked(bytes).map(ProjectSecret)
    }

    /// The secret's bytes, for building a MAC key.
    pub fn expose_secret(&self) -> &[u8] {
        &self.0
    }
}

/// A secret from the environment variable `var`, with the rules of
/// [`ProjectSecret::from_env`].
pub(crate) fn env_secret(var: &str) -> Result<Zeroizing<Vec<u8>>> {
    let value = std::env::var_os(var).ok_or_else(|| Error::InvalidSecret {
        reason: format!("environment variable {var} is not set"),
    })?;
    checked(os_bytes(value, var)?)
}

/// `bytes` less one trailing newline; empty is refused.
fn checked(bytes: Vec<u8>) -> Result<Zeroizing<Vec<u8>>> {
    let mut bytes = Zeroizing::new(bytes);
    let strip = if bytes.ends_with(b"\r\n") {
        2
    } else {
        usize::from(bytes.ends_with(b"\n"))
    };
    let len = bytes.len() - strip;
    bytes.truncate(len);
    if bytes.is_empty() {
        return Err(empty());
    }
    Ok(bytes)
}

fn empty() -> Error {
    Error::InvalidSecret {
        reason: "the secret is empty".into(),
    }
}

#[cfg(unix)]
fn os_bytes(value: std::ffi::OsString, _var: &str) -> Result<Vec<u8>> {
    use std::os::unix::ffi::OsStringExt;
    Ok(value.into_vec())
}

#[cfg(not(unix))]
fn os_bytes(value: std::ffi::OsString, var: &str) -> Result<Vec<u8>> {
    value
        .into_string()
        .map(String::into_bytes)
        .map_err(|_| Error::InvalidSecret {
            reason: format!("environment variable {var} is not UTF-8"),
        })
}

impl From<String> for ProjectSecret {
    fn from(s: String) -> ProjectSecret {
        ProjectSecret::new(s.into_bytes())
    }
}

impl From<&str> for ProjectSecret {
    fn from(s: &str) -> ProjectSecret {
        ProjectSecret::new(s.as_bytes().to_vec())
    }
}

impl fmt::Debug for ProjectSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProjectSecret([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_taken_as_they_are_and_empty_is_refused() {
        let secret = ProjectSecret::from_bytes(b"abc\n").unwrap();
        assert_eq!(secret.expose_secret(), b"abc\n");
        assert!(matches!(
            ProjectSecret::from_bytes(b""),
            Err(Error::InvalidSecret { .. })
        ));
    }

    #[test]
    fn one_trailing_newline_is_stripped_and_empty_is_refused() {
        let dir = std::env::temp_dir().join(format!("km-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (content, want) in [
            (&b"abc\n"[..], Some(&b"abc"[..])),
            (b"abc\r\n", Some(b"abc")),
            (b"abc\n\n", Some(b"abc\n")),
            (b"abc", Some(b"abc")),
            (b"\n", None),
            (b"", None),
        ] {
            let path = dir.join("s");
            std::fs::write(&path, content).unwrap();
            match (ProjectSecret::from_file(&path), want) {
                (Ok(s), Some(w)) => assert_eq!(s.expose_secret(), w),
                (Err(e), None) => assert_eq!(e.kind(), crate::ErrorKind::InvalidSecret),
                (got, want) => panic!("{content:?}: {got:?}, wanted {want:?}"),
            }
        }
        let e = ProjectSecret::from_file(&dir.join("missing")).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Io);
        assert!(std::error::Error::source(&e).is_some());
        let e = ProjectSecret::from_env("KM_SECRET_SURELY_NOT_SET_ANYWHERE").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidSecret);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
