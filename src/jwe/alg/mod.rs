//! Key management (`alg`): how the content-encryption key is agreed.

pub(crate) mod dir;
pub(crate) mod rsa_oaep;

/// A key-management algorithm (`alg`) on the allow-list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyManagement {
    /// `dir`: the shared symmetric key is the content key.
    Dir,
    /// `RSA-OAEP-256`: the content key is wrapped with RSA-OAEP (SHA-256, MGF1-SHA-256).
    RsaOaep256,
    /// `RSA-OAEP` (SHA-1): recognised so it can be named in errors; opened
    /// only by an [`Opener`](crate::Opener) that opts in, never sealed.
    RsaOaepSha1,
}

impl KeyManagement {
    /// The `alg` name.
    pub const fn name(self) -> &'static str {
        match self {
            KeyManagement::Dir => "dir",
            KeyManagement::RsaOaep256 => "RSA-OAEP-256",
            KeyManagement::RsaOaepSha1 => "RSA-OAEP",
        }
    }

    /// The algorithm an `alg` name stands for, if on the allow-list.
    pub fn from_name(name: &str) -> Option<KeyManagement> {
        match name {
            "dir" => Some(KeyManagement::Dir),
            "RSA-OAEP-256" => Some(KeyManagement::RsaOaep256),
            "RSA-OAEP" => Some(KeyManagement::RsaOaepSha1),
            _ => None,
        }
    }
}
