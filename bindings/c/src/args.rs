//! Reading the arguments C passes: byte ranges, NUL-terminated text, header
//! arrays, and the slots results are written to. Each reader is `unsafe`
//! with one contract, which every entry point states to its caller; null
//! pointers and non-UTF-8 text are found here and become typed failures.

use std::ffi::{CStr, c_char};
use std::ptr::NonNull;

use crate::registry::km_buffer;
use crate::status::Failure;

/// A header as C passes it: NUL-terminated UTF-8 name and value.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct km_header {
    /// The header's name, as `X-KM-Correlation-Id` (case does not matter).
    pub name: *const c_char,
    /// The header's value.
    pub value: *const c_char,
}

/// `len` items at `ptr`; null is allowed when `len` is 0. The one place C
/// arrays become slices: what `from_raw_parts` needs and C can get wrong
/// detectably is checked here. A length no object can have (more than
/// `PTRDIFF_MAX` bytes, or running past the end of the address space) and
/// a pointer not aligned for `T` are `KM_INVALID_ARGUMENT`, never read.
///
/// # Safety
/// When `len` is not 0, `ptr` is null or points to `len` readable,
/// initialised `T`s, within one object, that stay unchanged for the
/// lifetime `'a` (the call).
unsafe fn slice<'a, T>(ptr: *const T, len: usize, arg: &'static str) -> Result<&'a [T], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::Null(arg.to_owned()));
    }
    let bytes = len
        .checked_mul(size_of::<T>())
        .filter(|b| isize::try_from(*b).is_ok())
        .filter(|b| (ptr as usize).checked_add(*b).is_some());
    if bytes.is_none() {
        return Err(Failure::Argument(format!(
            "the length of `{arg}` ({len}) is larger than any object can be"
        )));
    }
    if !ptr.is_aligned() {
        return Err(Failure::Argument(format!(
            "`{arg}` is not aligned for its type"
        )));
    }
    // SAFETY: `from_raw_parts` needs `ptr` non-null and aligned (both
    // checked above), valid for reads of `len * size_of::<T>()` bytes
    // within one allocated object and pointing to `len` initialised `T`s
    // (this function's contract: the caller's promise, which no check can
    // confirm), unchanged for `'a` (the contract again), and the total size
    // at most `isize::MAX` without wrapping the address space (checked).
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// `len` bytes at `ptr`; null is allowed when `len` is 0.
///
/// # Safety
/// As [`slice`].
pub(crate) unsafe fn bytes<'a>(
    ptr: *const u8,
    len: usize,
    arg: &'static str,
) -> Result<&'a [u8], Failure> {
    // SAFETY: as this function's contract says.
    unsafe { slice(ptr, len, arg) }
}

/// One string of an array, named by `place` (`paths[2]`) when it fails.
///
/// # Safety
/// `ptr` is null or points to a NUL-terminated string that stays unchanged
/// for `'a`.
unsafe fn item<'a>(ptr: *const c_char, place: impl Fn() -> String) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::Null(place()));
    }
    // SAFETY: non-null and NUL-terminated, by this function's contract.
    unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .map_err(|_| Failure::Utf8(place()))
}

/// NUL-terminated UTF-8 text at `ptr`.
///
/// # Safety
/// `ptr` is null or points to a NUL-terminated string that stays unchanged
/// for `'a`.
pub(crate) unsafe fn text<'a>(ptr: *const c_char, arg: &'static str) -> Result<&'a str, Failure> {
    // SAFETY: as this function's contract says.
    unsafe { optional_text(ptr, arg) }?.ok_or_else(|| Failure::Null(arg.to_owned()))
}

/// As [`text`], where null means "none".
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn optional_text<'a>(
    ptr: *const c_char,
    arg: &'static str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: non-null and NUL-terminated, by this function's contract.
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str()
        .map(Some)
        .map_err(|_| Failure::Utf8(arg.to_owned()))
}

/// `count` headers at `ptr`, each name and value read as [`text`].
///
/// # Safety
/// When `count` is not 0, `ptr` is null or points to `count` readable
/// `km_header`s whose strings are as [`text`] requires.
pub(crate) unsafe fn headers<'a>(
    ptr: *const km_header,
    count: usize,
) -> Result<Vec<(&'a str, &'a str)>, Failure> {
    // SAFETY: as this function's contract says, for the array and each string.
    unsafe {
        slice(ptr, count, "headers")?
            .iter()
            .enumerate()
            .map(|(i, h)| {
                Ok((
                    item(h.name, || format!("headers[{i}].name"))?,
                    item(h.value, || format!("headers[{i}].value"))?,
                ))
            })
            .collect()
    }
}

/// `count` NUL-terminated strings at `ptr`.
///
/// # Safety
/// When `count` is not 0, `ptr` is null or points to `count` readable
/// pointers, each as [`text`] requires.
pub(crate) unsafe fn text_array<'a>(
    ptr: *const *const c_char,
    count: usize,
    arg: &'static str,
) -> Result<Vec<&'a str>, Failure> {
    // SAFETY: as this function's contract says, for the array and each string.
    unsafe {
        slice(ptr, count, arg)?
            .iter()
            .enumerate()
            .map(|(i, &p)| item(p, || format!("{arg}[{i}]")))
            .collect()
    }
}

/// Where a result goes: a `T` the caller lets this library write. Made
/// only from a non-null pointer the caller vouches for, and cleared (set
/// to `empty`) at once, so that a failed call leaves no stale output.
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// # Safety
    /// `ptr` is null or valid for writing a `T` for the call.
    pub(crate) unsafe fn new(ptr: *mut T, empty: T, arg: &'static str) -> Result<Out<T>, Failure> {
        let ptr = NonNull::new(ptr).ok_or_else(|| Failure::Null(arg.to_owned()))?;
        // SAFETY: valid for writes, by this function's contract.
        unsafe { ptr.write(empty) };
        Ok(Out(ptr))
    }

    pub(crate) fn put(self, value: T) {
        // SAFETY: `new`'s contract: valid for writes for the call, which
        // this `Out` does not outlive (it is made and used inside one call).
        unsafe { self.0.write(value) }
    }
}

/// A handle slot (`km_signer **out`), cleared to null.
///
/// # Safety
/// As [`Out::new`].
pub(crate) unsafe fn out_handle<H>(ptr: *mut *mut H) -> Result<Out<*mut H>, Failure> {
    // SAFETY: as this function's contract says.
    unsafe { Out::new(ptr, std::ptr::null_mut(), "out") }
}

/// A buffer slot (`km_buffer *out`), cleared to `{NULL, 0}`.
///
/// # Safety
/// As [`Out::new`].
pub(crate) unsafe fn out_buffer(ptr: *mut km_buffer) -> Result<Out<km_buffer>, Failure> {
    // SAFETY: as this function's contract says.
    unsafe { Out::new(ptr, km_buffer::EMPTY, "out") }
}

/// A caller's text buffer of `len` bytes, written as NUL-terminated text.
pub(crate) struct TextOut {
    ptr: NonNull<u8>,
    len: usize,
}

impl TextOut {
    /// # Safety
    /// `ptr` is null or valid for writing `len` bytes for the call.
    pub(crate) unsafe fn new(ptr: *mut c_char, len: usize) -> Result<TextOut, Failure> {
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or_else(|| Failure::Null("out".to_owned()))?;
        if isize::try_from(len).is_err() {
            return Err(Failure::Argument(format!(
                "the length of `out` ({len}) is larger than any object can be"
            )));
        }
        if len > 0 {
            // SAFETY: `len` >= 1 writable bytes, by this function's contract.
            unsafe { ptr.write(0) };
        }
        Ok(TextOut { ptr, len })
    }

    /// Writes `text` and a NUL, or fails with `KM_BUFFER_TOO_SMALL`.
    pub(crate) fn put(self, text: &str) -> Result<(), Failure> {
        let needed = text.len() + 1;
        if needed > self.len {
            return Err(konaplate_crypto::Error::BufferTooSmall {
                needed,
                available: self.len,
            }
            .into());
        }
        // SAFETY: `needed` <= `len` writable bytes (`new`'s contract), and
        // `text` is ours: the two ranges cannot overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), self.ptr.as_ptr(), text.len());
            self.ptr.add(text.len()).write(0);
        }
        Ok(())
    }
}
