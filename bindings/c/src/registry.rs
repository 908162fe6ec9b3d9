//! The handles and buffers alive now (in B-trees: valgrind sees their
//! nodes as reachable, where a hash table's interior pointers read as
//! "possibly lost"). A handle given to C is the address of
//! its value, and that address is only ever looked up here, never
//! dereferenced: a freed handle, a double free or a handle of another kind
//! is found and refused instead of touching freed memory (unless the address
//! was reused by a new value of the same kind meanwhile).

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use zeroize::Zeroizing;

use crate::status::{Failure, call, km_status};

/// A value C holds by pointer.
pub(crate) trait Handle: Any + Send + Sync {
    /// Its C type's name, for messages.
    const NAME: &'static str;
}

type Live = BTreeMap<usize, Arc<dyn Any + Send + Sync>>;

static HANDLES: RwLock<Live> = RwLock::new(BTreeMap::new());

/// Every buffer handed out, owned here until `km_buffer_free`: keyed by the
/// address of its bytes, wiped when freed.
static BUFFERS: Mutex<BTreeMap<usize, Zeroizing<Vec<u8>>>> = Mutex::new(BTreeMap::new());

/// Makes `value` live and returns the pointer C holds it by.
pub(crate) fn publish<H: Handle>(value: H) -> *mut H {
    let value = Arc::new(value);
    let ptr = Arc::as_ptr(&value).cast_mut();
    HANDLES
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(ptr as usize, value);
    ptr
}

/// The live handle `ptr` names, if it is one of kind `H`. The value stays
/// alive while the returned `Arc` does, even if C frees the handle
/// meanwhile on another thread.
pub(crate) fn lookup<H: Handle>(ptr: *const H, arg: &'static str) -> Result<Arc<H>, Failure> {
    if ptr.is_null() {
        return Err(Failure::Null(arg.to_owned()));
    }
    let live = HANDLES.read().unwrap_or_else(PoisonError::into_inner);
    live.get(&(ptr as usize))
        .cloned()
        .and_then(|value| value.downcast::<H>().ok())
        .ok_or(Failure::Handle { arg, kind: H::NAME })
}

/// Frees the handle `ptr` names (null is a no-op, as `free(NULL)`).
pub(crate) fn release<H: Handle>(ptr: *mut H, arg: &'static str) -> km_status {
    call(|| {
        if ptr.is_null() {
            return Ok(());
        }
        let mut live = HANDLES.write().unwrap_or_else(PoisonError::into_inner);
        let removed = match live.get(&(ptr as usize)) {
            Some(value) if value.is::<H>() => live.remove(&(ptr as usize)),
            _ => return Err(Failure::Handle { arg, kind: H::NAME }),
        };
        drop(live);
        // The value (its keys wiped on drop) goes outside the lock.
        drop(removed);
        Ok(())
    })
}

/// Bytes returned to C: `data` points to `len` bytes owned by the library
/// until `km_buffer_free`. An empty result is `{NULL, 0}`. The bytes may be
/// read and written by the caller; a buffer is not tied to a thread.
#[repr(C)]
#[derive(Debug)]
pub struct km_buffer {
    /// The first byte, or null when `len` is 0.
    pub data: *mut u8,
    /// The number of bytes.
    pub len: usize,
}

impl km_buffer {
    pub(crate) const EMPTY: km_buffer = km_buffer {
        data: std::ptr::null_mut(),
        len: 0,
    };
}

/// Hands `bytes` to C as a buffer it frees with `km_buffer_free`.
pub(crate) fn hand_out(bytes: Zeroizing<Vec<u8>>) -> km_buffer {
    if bytes.is_empty() {
        return km_buffer::EMPTY;
    }
    let mut bytes = bytes;
    let buffer = km_buffer {
        data: bytes.as_mut_ptr(),
        len: bytes.len(),
    };
    // Moving the Vec moves its pointer, not its heap bytes: `data` stays valid.
    BUFFERS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(buffer.data as usize, bytes);
    buffer
}

/// Wipes and frees a buffer this library returned, and sets `*buffer` to
/// `{NULL, 0}` (so freeing it again through the same struct is a no-op, as
/// is a null `buffer` or `data`). A copy of a buffer already freed, or bytes
/// this library did not return, are refused with `KM_INVALID_HANDLE`; a
/// `len` other than the one returned with `KM_INVALID_ARGUMENT`.
///
/// # Safety
/// `buffer` is null or points to a `km_buffer` the caller may read and write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_buffer_free(buffer: *mut km_buffer) -> km_status {
    call(|| {
        // SAFETY: `buffer` is null or valid for reads and writes, as this
        // function's contract says; `as_mut` handles null.
        let Some(buffer) = (unsafe { buffer.as_mut() }) else {
            return Ok(());
        };
        if buffer.data.is_null() {
            return Ok(());
        }
        let mut live = BUFFERS.lock().unwrap_or_else(PoisonError::into_inner);
        let removed = match live.get(&(buffer.data as usize)) {
            Some(bytes) if bytes.len() == buffer.len => live.remove(&(buffer.data as usize)),
            Some(bytes) => {
                return Err(Failure::Argument(format!(
                    "`buffer.len` is {}, the buffer returned held {}",
                    buffer.len,
                    bytes.len()
                )));
            }
            None => {
                return Err(Failure::Handle {
                    arg: "buffer",
                    kind: "km_buffer",
                });
            }
        };
        drop(live);
        drop(removed);
        *buffer = km_buffer::EMPTY;
        Ok(())
    })
}
