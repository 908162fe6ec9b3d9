//! Reloading keys and tenants from their files without a restart: on
//! demand ([`Reload::reload`]), when a file changed
//! ([`Reload::reload_if_changed`]), or by polling on a thread of its own
//! ([`watch`]).
//!
//! A reload swaps atomically; a file that no longer loads keeps what was
//! loaded before and reports the error; a request in flight finishes with
//! the keys it began with.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::error::Result;

/// Something loaded from files that can load them again.
pub trait Reload {
    /// Loads the files again and swaps what they hold in, atomically.
    /// On an error nothing changes and the error is returned.
    fn reload(&self) -> Result<()>;

    /// Reloads if a file it was loaded from changed since it was last
    /// looked at; whether it reloaded. A change that does not load is
    /// reported once (as the error), then looked at again only when a file
    /// changes again.
    fn reload_if_changed(&self) -> Result<bool>;
}

/// The files something was loaded from, and what they held when last
/// looked at (a SHA-256 over their paths and contents).
#[derive(Debug)]
pub(crate) struct Sources {
    state: Mutex<(Vec<PathBuf>, [u8; 32])>,
}

impl Sources {
    /// The files `paths`, as they are now. Made before they are read where
    /// the paths are known (a change in between is then seen), else just
    /// after.
    pub(crate) fn new(paths: Vec<PathBuf>) -> Sources {
        let digest = fingerprint(&paths);
        Sources {
            state: Mutex::new((paths, digest)),
        }
    }

    /// Whether any file changed since the last call (or since loading);
    /// remembers what they hold now either way.
    pub(crate) fn changed(&self) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let now = fingerprint(&state.0);
        let changed = now != state.1;
        state.1 = now;
        changed
    }

    /// After a successful load from `paths`: these are the files to look
    /// at now. What they held is left as [`Sources::changed`] last saw it:
    /// fingerprinting them again here would miss a change made since they
    /// were read (at worst, the next look reloads once more than needed).
    pub(crate) fn loaded(&self, paths: Vec<PathBuf>) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).0 = paths;
    }
}

fn fingerprint(paths: &[PathBuf]) -> [u8; 32] {
    let mut hash = Sha256::new();
    for path in paths {
        hash.update(path.as_os_str().as_encoded_bytes());
        hash.update([0]);
        // Key files hold keys: the copy read is wiped.
        match std::fs::read(path).map(zeroize::Zeroizing::new) {
            Ok(bytes) => {
                hash.update((bytes.len() as u64).to_be_bytes());
                hash.update(bytes.as_slice());
            }
            // A missing or unreadable file is a state of its own.
            Err(e) => hash.update(format!("\0error {:?}", e.kind()).as_bytes()),
        }
    }
    hash.finalize().into()
}

/// `path` as given if absolute, else relative to `base`'s directory.
pub(crate) fn beside(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.parent().unwrap_or(Path::new("")).join(path)
    }
}

/// A thread polling something for changed files; stops when dropped.
#[derive(Debug)]
pub struct Watch {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

/// Polls `target` every `every` on a thread of its own, reloading when a
/// file changed; each reload or failure is passed to `report`
/// (`Ok(())` after a reload, the error when the changed files do not
/// load). The thread stops when the returned [`Watch`] is dropped; the
/// error is the operating system's, if it cannot start a thread.
///
/// ```
/// # use std::time::Duration;
/// # use konaplate_crypto::*;
/// # fn demo(keys: SharedKeyring) -> std::io::Result<()> {
/// let watch = konaplate_crypto::watch(keys, Duration::from_secs(2), |outcome| match outcome {
///     Ok(()) => eprintln!("keys reloaded"),
///     Err(e) => eprintln!("keys kept; the changed file does not load: {e}"),
/// })?;
/// // ... serve; dropping `watch` stops the polling.
/// # drop(watch); Ok(()) }
/// ```
pub fn watch<R, F>(target: R, every: Duration, mut report: F) -> std::io::Result<Watch>
where
    R: Reload + Send + 'static,
    F: FnMut(Result<()>) + Send + 'static,
{
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let thread = std::thread::Builder::new()
        .name("konaplate-reload".into())
        .spawn(move || {
            while !flag.load(Ordering::Acquire) {
                std::thread::park_timeout(every);
                if flag.load(Ordering::Acquire) {
                    break;
                }
                match target.reload_if_changed() {
                    Ok(true) => report(Ok(())),
                    Ok(false) => {}
                    Err(e) => report(Err(e)),
                }
            }
        })?;
    Ok(Watch {
        stop,
        thread: Some(thread),
    })
}
