//! The sealer or opener that the key options name, loaded by the library.

use konaplate_crypto::{KeyFile, KeyMaterial, KeyPassword, KeySelection, Opener, Sealer};

use crate::args::{OpenKey, SealKey};
use crate::{Failure, fail};

/// The sealer: the named keyring entry, or RSA-OAEP-256 to a public key.
pub fn sealer(args: &SealKey) -> Result<Sealer, Failure> {
    let sealer = match (&args.keyring, args.key_id, &args.cert, &args.public_key) {
        (Some(path), Some(id), None, None) => {
            KeyFile::read(path, None)?.into_keyring()?.sealer(&id)?
        }
        (None, None, Some(path), None) | (None, None, None, Some(path)) => Sealer::for_material(
            &KeyMaterial::RsaSealTo(KeyFile::read(path, None)?.into_public()?),
        )?,
        _ => {
            return Err(fail(
                "give one of --keyring FILE --key-id ID, --cert FILE or --public-key FILE",
            ));
        }
    };
    let sealer = match args.max_size {
        Some(n) => sealer.with_max_size(n),
        None => sealer,
    };
    match args.enc {
        Some(enc) => Ok(sealer.with_enc(enc)?),
        None => Ok(sealer),
    }
}

/// The opener: the named key of a keyring, or one private key.
pub fn opener(args: &OpenKey) -> Result<Opener, Failure> {
    let opener = any_opener(args)?;
    Ok(match args.max_size {
        Some(n) => opener.with_max_size(n),
        None => opener,
    })
}

fn any_opener(args: &OpenKey) -> Result<Opener, Failure> {
    match (&args.keyring, &args.private_key) {
        (Some(path), None) => {
            let selection = match (args.key_id, args.dangerous_kid_in_message) {
                (Some(id), false) => KeySelection::Named(id),
                (None, true) => KeySelection::DangerousKidInMessage,
                _ => {
                    return Err(fail(
                        "give --key-id ID (or, to pick keys by the JWE's kid, --dangerous-kid-in-message)",
                    ));
                }
            };
            Ok(KeyFile::read(path, None)?.into_keyring()?.opener(selection))
        }
        (None, Some(path)) => {
            let password = args
                .key_password_env
                .as_deref()
                .map(KeyPassword::from_env)
                .transpose()?;
            let key = KeyFile::read(path, password.as_ref())?.into_private()?;
            Ok(Opener::with_key(KeyMaterial::RsaOpenWith(key)))
        }
        _ => Err(fail("give one of --keyring FILE or --private-key FILE")),
    }
}
