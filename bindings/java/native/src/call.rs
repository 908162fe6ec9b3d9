//! One way to run a native method: arguments read, the core called, the
//! result or the error handed back as Java expects it; and the handles.

use jni::errors::ErrorPolicy;
use jni::objects::{JByteArray, JString, JThrowable, JValue};
use jni::sys::jlong;
use jni::{Env, EnvUnowned, jni_sig, jni_str};
use zeroize::Zeroizing;

/// Why a native method failed.
pub(crate) enum Fail {
    /// The core refused: thrown as `KonaException`.
    Kona(konaplate_crypto::Error),
    /// JNI itself failed (an exception may already be pending).
    Jni(jni::errors::Error),
    /// What the Java side never passes (a handle of 0, a list `Wire` did
    /// not write): a bug there, named.
    Bug(&'static str),
}

impl From<konaplate_crypto::Error> for Fail {
    fn from(e: konaplate_crypto::Error) -> Fail {
        Fail::Kona(e)
    }
}

impl From<jni::errors::Error> for Fail {
    fn from(e: jni::errors::Error) -> Fail {
        Fail::Jni(e)
    }
}

/// What a native method returns.
pub(crate) type Result<T> = std::result::Result<T, Fail>;

/// Throws `fail` as the Java exception it maps to.
fn throw(env: &mut Env<'_>, fail: Fail) -> jni::errors::Result<()> {
    if env.exception_check() {
        // A Java exception (out of memory, say) is already on its way.
        return Ok(());
    }
    match fail {
        Fail::Kona(e) => {
            let code = JString::from_str(env, e.code())?;
            let message = JString::from_str(env, e.to_string())?;
            let exception = env.new_object(
                jni_str!("konaplate/crypto/KonaException"),
                jni_sig!("(Ljava/lang/String;Ljava/lang/String;)V"),
                &[JValue::from(&code), JValue::from(&message)],
            )?;
            let exception = env.cast_local::<JThrowable<'_>>(exception)?;
            // `throw` reports the exception it raised as an error: that is
            // the point here.
            let _ = env.throw(exception);
        }
        Fail::Jni(e) => {
            let _ = env.throw_new(
                jni_str!("java/lang/IllegalStateException"),
                jni::strings::JNIString::from(format!("konaplate-crypto: a JNI call failed: {e}")),
            );
        }
        Fail::Bug(what) => {
            let _ = env.throw_new(
                jni_str!("java/lang/IllegalStateException"),
                jni::strings::JNIString::from(format!(
                    "konaplate-crypto: {what} (a bug of the Java side; please report it)"
                )),
            );
        }
    }
    Ok(())
}

/// The error policy of every native method: a failure is thrown (see
/// [`throw`]) and the method returns its type's default (0, null).
pub(crate) struct Throw;

impl<T: Default> ErrorPolicy<T, Fail> for Throw {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _: &mut Self::Captures<'unowned_env_local, 'native_method>,
        err: Fail,
    ) -> jni::errors::Result<T> {
        throw(env, err)?;
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _: &mut Self::Captures<'unowned_env_local, 'native_method>,
        payload: Box<dyn std::any::Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        // The payload may hold data from the call; it is neither shown nor
        // dropped here (dropping it could panic again).
        std::mem::forget(payload);
        if !env.exception_check() {
            let _ = env.throw_new(
                jni_str!("java/lang/IllegalStateException"),
                jni_str!("konaplate-crypto: the native library panicked (a bug; please report it)"),
            );
        }
        Ok(T::default())
    }
}

/// Runs the body of a native method under [`Throw`].
pub(crate) fn run<'local, T: Default + 'local>(
    mut env: EnvUnowned<'local>,
    work: impl FnOnce(&mut Env<'local>) -> Result<T>,
) -> T {
    env.with_env(work).resolve::<Throw>()
}

/// The bytes of a Java `byte[]` (never null: the Java side checks).
pub(crate) fn bytes(env: &Env<'_>, array: &JByteArray<'_>) -> Result<Vec<u8>> {
    Ok(env.convert_byte_array(array)?)
}

/// The bytes of a `byte[]` that may hold clear data: wiped when dropped.
pub(crate) fn clear(env: &Env<'_>, array: &JByteArray<'_>) -> Result<Zeroizing<Vec<u8>>> {
    Ok(Zeroizing::new(bytes(env, array)?))
}

/// The UTF-8 text of a `byte[]` the Java side encoded from a `String`.
pub(crate) fn text(env: &Env<'_>, array: &JByteArray<'_>) -> Result<String> {
    // The Java side encodes with `StandardCharsets.UTF_8`, which never makes
    // invalid UTF-8 (a lone surrogate becomes '?').
    String::from_utf8(bytes(env, array)?).map_err(|_| Fail::Bug("text that is not UTF-8"))
}

/// The text of a `byte[]` that may be null (an option left out).
pub(crate) fn optional_text(env: &Env<'_>, array: &JByteArray<'_>) -> Result<Option<String>> {
    if array.is_null() {
        Ok(None)
    } else {
        text(env, array).map(Some)
    }
}

/// A new Java `byte[]` holding `data`.
pub(crate) fn out<'local>(env: &mut Env<'local>, data: &[u8]) -> Result<JByteArray<'local>> {
    Ok(env.byte_array_from_slice(data)?)
}

/// Makes `value` a handle: the address of its box, for Java to hold.
pub(crate) fn publish<T: Send + Sync>(value: T) -> jlong {
    Box::into_raw(Box::new(value)) as jlong
}

/// The value behind `handle`.
///
/// # Safety
///
/// `handle` is 0 or was made by [`publish`] with a value of type `T`, and is
/// not freed while the returned reference lives: the Java class
/// `NativeHandle` passes a handle only while it counts the call as using it,
/// and frees it (with [`release`]) only when no call does.
pub(crate) unsafe fn held<'a, T>(handle: jlong) -> Result<&'a T> {
    let ptr = handle as *const T;
    if ptr.is_null() {
        return Err(Fail::Bug("a native handle of 0"));
    }
    // SAFETY: by this function's contract, `ptr` is a live `Box<T>`'s.
    Ok(unsafe { &*ptr })
}

/// Frees the value behind `handle` (0 is ignored).
///
/// # Safety
///
/// `handle` is 0 or was made by [`publish`] with a value of type `T`, is freed
/// once, and no call uses it any more (`NativeHandle` frees it once, when
/// closed and no call is running).
pub(crate) unsafe fn release<T>(handle: jlong) {
    let ptr = handle as *mut T;
    if !ptr.is_null() {
        // SAFETY: by this function's contract, `ptr` came from
        // `Box::into_raw` and is freed nowhere else.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

/// The native method that frees a handle of type `$ty`.
macro_rules! free {
    ($name:ident, $ty:ty) => {
        /// Frees a handle (the Java side calls it once, when nothing uses it).
        #[unsafe(no_mangle)]
        pub extern "system" fn $name<'local>(
            _env: ::jni::EnvUnowned<'local>,
            _class: ::jni::objects::JClass<'local>,
            handle: ::jni::sys::jlong,
        ) {
            // SAFETY: `NativeHandle.release` calls this once per handle, when
            // it is closed and no call is using it; the handle is of `$ty`
            // (each Java class frees through its own method).
            unsafe { $crate::call::release::<$ty>(handle) }
        }
    };
}
pub(crate) use free;
