//! A keyring that can be replaced while in use.

use core::fmt;
use std::sync::Arc;

use std::path::{Path, PathBuf};

use arc_swap::ArcSwap;

use super::{KeyFile, Keyring};
use crate::error::Result;
use crate::keys::KeyPassword;
use crate::reload::{Reload, Sources};

/// A keyring that can be replaced while in use. Cheap to clone: clones
/// share the same current keyring.
///
/// Readers [`load`](SharedKeyring::load) the current keyring (a lock-free
/// atomic read) and keep using it for the whole operation, even if a
/// rotation happens meanwhile; [`rotate`](SharedKeyring::rotate) never
/// waits for them and they never fail because of it.
///
/// One made [`from_file`](SharedKeyring::from_file) also reloads from its
/// file ([`Reload`]: on demand, on a change, or polled by
/// [`watch`](crate::watch)); a file that no longer loads keeps the keys
/// held.
#[derive(Clone)]
pub struct SharedKeyring {
    current: Arc<ArcSwap<Keyring>>,
    file: Option<Arc<KeySource>>,
}

/// Where a keyring was read from.
struct KeySource {
    path: PathBuf,
    password: Option<KeyPassword>,
    sources: Sources,
}

impl SharedKeyring {
    /// Starts with `ring`.
    pub fn new(ring: Keyring) -> SharedKeyring {
        SharedKeyring {
            current: Arc::new(ArcSwap::from_pointee(ring)),
            file: None,
        }
    }

    /// Reads the key file at `path` (a JWK Set or a JWK, as
    /// [`KeyFile::read`]), and remembers it, to [`reload`](Reload::reload)
    /// from it. `password` opens a PKCS#12 store.
    pub fn from_file(path: &Path, password: Option<KeyPassword>) -> Result<SharedKeyring> {
        // Looked at before it is read: a change in between is reloaded.
        let sources = Sources::new(vec![path.to_path_buf()]);
        let ring = KeyFile::read(path, password.as_ref())?.into_keyring()?;
        let mut shared = SharedKeyring::new(ring);
        shared.file = Some(Arc::new(KeySource {
            path: path.to_path_buf(),
            password,
            sources,
        }));
        Ok(shared)
    }

    /// The current keyring.
    pub fn load(&self) -> Keyring {
        Keyring::clone(&self.current.load())
    }

    /// Replaces the keyring; returns the previous one.
    pub fn rotate(&self, ring: Keyring) -> Keyring {
        Keyring::clone(&self.current.swap(Arc::new(ring)))
    }
}

/// A keyring made with [`SharedKeyring::new`] has no file: reloading it
/// does nothing.
impl Reload for SharedKeyring {
    fn reload(&self) -> Result<()> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let ring = KeyFile::read(&file.path, file.password.as_ref())?.into_keyring()?;
        self.rotate(ring);
        Ok(())
    }

    fn reload_if_changed(&self) -> Result<bool> {
        match &self.file {
            Some(file) if file.sources.changed() => self.reload().map(|()| true),
            _ => Ok(false),
        }
    }
}

impl From<Keyring> for SharedKeyring {
    fn from(ring: Keyring) -> SharedKeyring {
        SharedKeyring::new(ring)
    }
}

impl fmt::Debug for SharedKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedKeyring")
            .field("keys", &self.current.load().len())
            .field(
                "file",
                &self.file.as_ref().map(|f| f.path.display().to_string()),
            )
            .finish()
    }
}
