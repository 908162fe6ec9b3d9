//! A keyring that can be replaced while in use.

use core::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;

use super::Keyring;

/// A keyring that can be replaced while in use. Cheap to clone: clones
/// share the same current keyring.
///
/// Readers [`load`](SharedKeyring::load) the current keyring (a lock-free
/// atomic read) and keep using it for the whole operation, even if a
/// rotation happens meanwhile; [`rotate`](SharedKeyring::rotate) never
/// waits for them and they never fail because of it.
#[derive(Clone)]
pub struct SharedKeyring {
    current: Arc<ArcSwap<Keyring>>,
}

impl SharedKeyring {
    /// Starts with `ring`.
    pub fn new(ring: Keyring) -> SharedKeyring {
        SharedKeyring {
            current: Arc::new(ArcSwap::from_pointee(ring)),
        }
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

impl From<Keyring> for SharedKeyring {
    fn from(ring: Keyring) -> SharedKeyring {
        SharedKeyring::new(ring)
    }
}

impl fmt::Debug for SharedKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedKeyring")
            .field("keys", &self.current.load().len())
            .finish()
    }
}
