//! Arguments read from JavaScript values, each named in the `TypeError`
//! a wrong one gets: `TokenSigner.sign: body must be a string, Buffer or
//! Uint8Array`. The message is made only for a wrong argument: callers pass
//! it as `format_args!` or [`Wanted`], never as a `String` made each call.

use std::fmt::{self, Display};
use std::ops::Deref;
use std::time::SystemTime;

use konaplate_crypto::{DateTime, TimeZone};
use napi::bindgen_prelude::{
    Either, FromNapiValue, Object, Uint8Array, Uint8ArraySlice, ValidateNapiValue,
};
use napi::{JsDate, JsValue, Unknown, ValueType};

use crate::errors::{OrThrow, Result, type_error};

/// What a call's argument had to be, after the call's name (`at`): the
/// message of its `TypeError`, written only if there is one.
#[derive(Clone, Copy)]
pub(crate) struct Wanted<'a>(pub(crate) &'a str, pub(crate) &'a str);

impl Display for Wanted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.0, self.1)
    }
}

/// `value` as a `T`, or a `TypeError` saying `what` it must be.
pub(crate) fn arg<T: FromNapiValue + ValidateNapiValue>(
    value: Unknown<'_>,
    what: impl Display,
) -> Result<T> {
    let raw = value.value();
    // SAFETY: `raw` is a value of the call now running, read in its own env
    // on its own thread, as Node-API requires; `validate` checks its type
    // before `from_napi_value` reads it as `T`.
    unsafe { T::validate(raw.env, raw.value).and_then(|_| T::from_napi_value(raw.env, raw.value)) }
        .map_err(|_| type_error(what))
}

/// A member of an options object: absent (or `undefined`) is `None`.
pub(crate) fn option<T: FromNapiValue + ValidateNapiValue>(
    options: Option<&Object<'_>>,
    name: &str,
    what: impl Display,
) -> Result<Option<T>> {
    let Some(options) = options else {
        return Ok(None);
    };
    match options.get::<Unknown<'_>>(name).or_throw()? {
        Some(value) if value.get_type().or_throw()? != ValueType::Undefined => {
            arg::<T>(value, what).map(Some)
        }
        _ => Ok(None),
    }
}

/// An options object, or `undefined`/`null` for none.
pub(crate) fn options<'a>(
    value: Option<Unknown<'a>>,
    what: impl Display,
) -> Result<Option<Object<'a>>> {
    match value {
        None => Ok(None),
        Some(value) => arg::<Option<Object<'a>>>(value, what),
    }
}

/// Bytes as the caller gave them: a string (as UTF-8) or a `Buffer` or
/// `Uint8Array`, read in place.
pub(crate) struct Bytes<'a>(Either<String, Uint8ArraySlice<'a>>);

impl Deref for Bytes<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.0 {
            Either::A(text) => text.as_bytes(),
            Either::B(view) => view,
        }
    }
}

/// Bytes held for work on another thread: the string's UTF-8, or a
/// reference to the caller's `Buffer`/`Uint8Array` (no copy).
pub struct HeldBytes(Either<String, Uint8Array>);

impl Deref for HeldBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.0 {
            Either::A(text) => text.as_bytes(),
            Either::B(view) => view,
        }
    }
}

/// `value` as bytes, or a `TypeError` naming it.
pub(crate) fn bytes<'a>(value: Unknown<'a>, name: impl Display) -> Result<Bytes<'a>> {
    arg(value, format_args!("{name} {BYTES_WANTED}")).map(Bytes)
}

/// `value` as bytes to hold for another thread, or a `TypeError` naming it.
pub(crate) fn held_bytes(value: Unknown<'_>, name: impl Display) -> Result<HeldBytes> {
    arg(value, format_args!("{name} {BYTES_WANTED}")).map(HeldBytes)
}

/// An optional body: `undefined` or `null` is empty.
pub(crate) fn held_body(value: Option<Unknown<'_>>, name: impl Display) -> Result<HeldBytes> {
    match value {
        None => Ok(HeldBytes(Either::A(String::new()))),
        Some(value) => match value.get_type().or_throw()? {
            ValueType::Undefined | ValueType::Null => Ok(HeldBytes(Either::A(String::new()))),
            _ => held_bytes(value, name),
        },
    }
}

const BYTES_WANTED: &str = "must be a string, Buffer or Uint8Array";

/// `value` as text, or a `TypeError` naming it.
pub(crate) fn text(value: Unknown<'_>, name: impl Display) -> Result<String> {
    arg(value, format_args!("{name} must be a string"))
}

/// A time zone member (`zone`) of an options object; absent is KST.
pub(crate) fn zone(options: Option<&Object<'_>>, at: &str) -> Result<TimeZone> {
    match option::<String>(options, "zone", Wanted(at, "options.zone must be a string"))? {
        Some(name) => name.parse::<konaplate_crypto::TimeZone>().or_throw(),
        None => Ok(TimeZone::KST),
    }
}

/// A time member of an options object (`time`, `now`): a `Date`, or text
/// `yyyyMMddHHmmssSSS` in `zone`; absent is the clock.
pub(crate) fn instant(
    options: Option<&Object<'_>>,
    name: &str,
    zone: TimeZone,
    at: &str,
) -> Result<SystemTime> {
    let what = format_args!("{at}: options.{name} must be a Date or a yyyyMMddHHmmssSSS string");
    match option::<Either<String, JsDate<'_>>>(options, name, what)? {
        None => Ok(SystemTime::now()),
        Some(Either::A(text)) => DateTime::instant_or_now(Some(&text), zone).or_throw(),
        Some(Either::B(date)) => {
            let ms = date.value_of().or_throw()?;
            if !ms.is_finite() {
                return Err(type_error(format_args!(
                    "{at}: options.{name} is an invalid Date"
                )));
            }
            // A finite Date is within ±8.64e15 ms, an exact i64.
            #[allow(clippy::cast_possible_truncation)]
            let ms = ms as i64;
            Ok(DateTime::from_unix_millis(ms, TimeZone::UTC)
                .or_throw()?
                .to_system_time(TimeZone::UTC))
        }
    }
}
