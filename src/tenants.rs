//! Many service providers behind one server: a registry from
//! `X-KM-User-AspId` to that provider's project secret, its issued access
//! keys and its keyring.
//!
//! A [`Server::from_tenants`](crate::Server::from_tenants) looks the
//! requesting provider up before it computes anything: an unknown ASP id
//! is [`Error::UnknownAspId`] (401), an access key not issued to that ASP
//! id [`Error::UnknownAccessKey`] (401), a token made with another
//! provider's secret [`Error::TokenMismatch`], and a key id not in the
//! provider's own keyring [`Error::UnknownKeyId`]: one provider's keys
//! never open or seal another's data.
//!
//! # The file
//!
//! [`Tenants::from_file`] reads JSON of this shape. Secrets are never
//! inline: each is `{"env": "VAR"}` (an environment variable) or
//! `{"file": "PATH"}` (one trailing newline stripped); relative paths are
//! read beside the registry file.
//!
//! ```json
//! {
//!   "tenants": [
//!     {
//!       "aspId": "000170000002000",
//!       "secret": { "env": "SP1_PROJECT_SECRET" },
//!       "accessKeys": [{ "env": "SP1_ACCESS_KEY" }, { "file": "sp1-next.access-key" }],
//!       "keyring": "sp1-keys.json"
//!     },
//!     {
//!       "aspId": "000170000003000",
//!       "secret": { "file": "/run/secrets/sp2-project-secret" },
//!       "accessKeys": [{ "env": "SP2_ACCESS_KEY" }],
//!       "keyring": "sp2-keys.p12",
//!       "keyringPassword": { "env": "SP2_KEYS_PASSWORD" }
//!     }
//!   ]
//! }
//! ```
//!
//! `keyring` is a key file (a JWK Set or JWK, or with `keyringPassword` a
//! PKCS#12 store), read beside the registry when relative; `accessKeys`
//! may be empty (the provider then reaches only callback routes, which
//! take no access key). A [`Tenants`] loaded from a file reloads from it
//! ([`Reload`]), re-reading the registry, every keyring and every secret
//! file: a change to any of them is seen by
//! [`Reload::reload_if_changed`].

use core::fmt;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;
use ctutils::{Choice, CtEq};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::ids::{AccessKey, AspId};
use crate::keyring::{KeyFile, SharedKeyring};
use crate::keys::KeyPassword;
use crate::reload::{Reload, Sources, beside};
use crate::secret::ProjectSecret;
use crate::token::TokenSigner;

/// One service provider: its ASP id, project secret, issued access keys
/// and keyring.
pub struct Tenant {
    /// `None` for the one tenant of a single-tenant server.
    asp_id: Option<AspId>,
    signer: TokenSigner,
    /// `None`: any well-formed access key (a single-tenant server).
    access_keys: Option<Vec<AccessKey>>,
    keys: SharedKeyring,
}

impl Tenant {
    /// The provider `asp_id`, verifying with `signer`, its keys `keys`,
    /// with no access key issued yet (see [`Tenant::access_key`]).
    pub fn new(asp_id: AspId, signer: TokenSigner, keys: SharedKeyring) -> Tenant {
        Tenant {
            asp_id: Some(asp_id),
            signer,
            access_keys: Some(Vec::new()),
            keys,
        }
    }

    /// The one tenant of [`Server::new`](crate::Server::new): any ASP id,
    /// any well-formed access key.
    pub(crate) fn single(signer: TokenSigner, keys: SharedKeyring) -> Tenant {
        Tenant {
            asp_id: None,
            signer,
            access_keys: None,
            keys,
        }
    }

    /// Issues `key` to this provider too.
    #[must_use]
    pub fn access_key(mut self, key: AccessKey) -> Tenant {
        self.access_keys.get_or_insert_with(Vec::new).push(key);
        self
    }

    /// The provider's ASP id (none for a single-tenant server's).
    pub fn asp_id(&self) -> Option<&AspId> {
        self.asp_id.as_ref()
    }

    /// The provider's keys.
    pub fn keys(&self) -> &SharedKeyring {
        &self.keys
    }

    pub(crate) fn signer(&self) -> &TokenSigner {
        &self.signer
    }

    /// Whether `key` was issued to this provider, compared in constant
    /// time with every issued key (no early exit on the first match).
    pub(crate) fn issued(&self, key: &AccessKey) -> bool {
        let Some(issued) = &self.access_keys else {
            return true;
        };
        let given = key.as_str().as_bytes();
        let mut found = Choice::FALSE;
        for candidate in issued {
            found |= candidate.as_str().as_bytes().ct_eq(given);
        }
        found.to_bool()
    }
}

impl fmt::Debug for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tenant")
            .field("asp_id", &self.asp_id)
            .field("access_keys", &self.access_keys.as_ref().map(Vec::len))
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

type Registry = HashMap<AspId, Arc<Tenant>>;

/// A registry of service providers by ASP id. Cheap to clone (clones
/// share one registry), `Send` and `Sync`; readers take the registry as it
/// is (a lock-free atomic read) and a reload swaps it whole.
#[derive(Clone)]
pub struct Tenants {
    current: Arc<ArcSwap<Registry>>,
    file: Option<Arc<(PathBuf, Sources)>>,
}

impl Tenants {
    /// A registry of `tenants`; two with one ASP id are
    /// [`Error::InvalidTenants`].
    pub fn new(tenants: Vec<Tenant>) -> Result<Tenants> {
        Ok(Tenants {
            current: Arc::new(ArcSwap::from_pointee(registry(tenants)?)),
            file: None,
        })
    }

    /// Reads the registry file at `path` (the format is in the module
    /// documentation) and remembers it, to [`reload`](Reload::reload).
    pub fn from_file(path: &Path) -> Result<Tenants> {
        let (tenants, paths) = read_file(path)?;
        Ok(Tenants {
            current: Arc::new(ArcSwap::from_pointee(registry(tenants)?)),
            file: Some(Arc::new((path.to_path_buf(), Sources::new(paths)))),
        })
    }

    /// The provider with `asp_id`, if served.
    pub fn get(&self, asp_id: &AspId) -> Option<Arc<Tenant>> {
        self.current.load().get(asp_id).cloned()
    }

    /// How many providers are served.
    pub fn len(&self) -> usize {
        self.current.load().len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A registry made with [`Tenants::new`] has no file: reloading it does
/// nothing.
impl Reload for Tenants {
    fn reload(&self) -> Result<()> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let (tenants, paths) = read_file(&file.0)?;
        self.current.store(Arc::new(registry(tenants)?));
        file.1.loaded(paths);
        Ok(())
    }

    fn reload_if_changed(&self) -> Result<bool> {
        match &self.file {
            Some(file) if file.1.changed() => self.reload().map(|()| true),
            _ => Ok(false),
        }
    }
}

impl fmt::Debug for Tenants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tenants")
            .field("tenants", &self.len())
            .field(
                "file",
                &self.file.as_ref().map(|f| f.0.display().to_string()),
            )
            .finish()
    }
}

fn registry(tenants: Vec<Tenant>) -> Result<Registry> {
    let mut by_id = HashMap::with_capacity(tenants.len());
    for tenant in tenants {
        let Some(id) = tenant.asp_id else {
            return Err(invalid("a tenant has no ASP id".into()));
        };
        if by_id.insert(id, Arc::new(tenant)).is_some() {
            return Err(invalid(format!("ASP id {id} is listed twice")));
        }
    }
    Ok(by_id)
}

fn invalid(reason: String) -> Error {
    Error::InvalidTenants { reason }
}

/// What `error` says, without a "tenant registry: " of its own.
fn reason(error: Error) -> String {
    match error {
        Error::InvalidTenants { reason } => reason,
        other => other.to_string(),
    }
}

/// The file's shape.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    tenants: Vec<TenantDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct TenantDoc {
    asp_id: String,
    secret: Value,
    access_keys: Vec<Value>,
    keyring: PathBuf,
    #[serde(default)]
    keyring_password: Option<Value>,
}

/// Where a secret is: never the secret itself.
enum SecretRef {
    Env(String),
    File(PathBuf),
}

impl SecretRef {
    fn parse(value: &Value, what: &str) -> std::result::Result<SecretRef, String> {
        let shape = || {
            format!(
                "{what}: expected {{\"env\": \"VAR\"}} or {{\"file\": \"PATH\"}} \
                 (a secret is never written in the registry itself)"
            )
        };
        let Value::Object(members) = value else {
            return Err(shape());
        };
        match (members.len(), members.get("env"), members.get("file")) {
            (1, Some(Value::String(var)), None) => Ok(SecretRef::Env(var.clone())),
            (1, None, Some(Value::String(path))) => Ok(SecretRef::File(path.into())),
            _ => Err(shape()),
        }
    }

    /// The secret `value` (the member `what`) points to, read, its file
    /// (if any) added to `files`.
    fn load(
        value: &Value,
        what: &str,
        base: &Path,
        files: &mut Vec<PathBuf>,
    ) -> Result<ProjectSecret> {
        SecretRef::parse(value, what)
            .map_err(invalid)?
            .read(base, files)
    }

    fn read(&self, base: &Path, files: &mut Vec<PathBuf>) -> Result<ProjectSecret> {
        match self {
            SecretRef::Env(var) => ProjectSecret::from_env(var),
            SecretRef::File(path) => {
                let path = beside(base, path);
                files.push(path.clone());
                ProjectSecret::from_file(&path)
            }
        }
    }
}

/// The largest registry file read: 1 MiB.
const MAX_LEN: u64 = 1 << 20;

/// The tenants of the file at `path`, and every file they were read from.
fn read_file(path: &Path) -> Result<(Vec<Tenant>, Vec<PathBuf>)> {
    let io = |e: std::io::Error| Error::Io {
        what: format!("the tenant registry {}", path.display()),
        source: e.into(),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() || meta.len() > MAX_LEN {
        return Err(invalid(format!(
            "{}: not a regular file of at most {MAX_LEN} bytes",
            path.display()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    // serde_json's message ends with the line and column.
    let doc: FileDoc =
        serde_json::from_str(&text).map_err(|e| invalid(format!("{}: {e}", path.display())))?;
    let mut files = vec![path.to_path_buf()];
    let mut tenants = Vec::with_capacity(doc.tenants.len());
    for (i, doc) in doc.tenants.into_iter().enumerate() {
        let tenant = tenant(doc, path, &mut files).map_err(|e| {
            invalid(format!(
                "{}: tenant {}: {}",
                path.display(),
                i + 1,
                reason(e)
            ))
        })?;
        tenants.push(tenant);
    }
    Ok((tenants, files))
}

/// One tenant of the file at `base`; errors say what, never a value.
fn tenant(doc: TenantDoc, base: &Path, files: &mut Vec<PathBuf>) -> Result<Tenant> {
    let asp_id = AspId::parse(&doc.asp_id).map_err(|e| invalid(format!("aspId: {e}")))?;
    let named = |e: Error| invalid(format!("ASP id {asp_id}: {}", reason(e)));
    let secret = SecretRef::load(&doc.secret, "secret", base, files).map_err(named)?;
    let password = match &doc.keyring_password {
        None => None,
        Some(value) => {
            let secret = SecretRef::load(value, "keyringPassword", base, files).map_err(named)?;
            let text = String::from_utf8(secret.expose_secret().to_vec())
                .map_err(|_| named(invalid("keyringPassword is not UTF-8".into())))?;
            Some(KeyPassword::new(text))
        }
    };
    let file = beside(base, &doc.keyring);
    files.push(file.clone());
    let keys = KeyFile::read(&file, password.as_ref())
        .and_then(KeyFile::into_keyring)
        .map_err(named)?;
    let mut tenant = Tenant::new(asp_id, TokenSigner::new(&secret), SharedKeyring::new(keys));
    for (i, value) in doc.access_keys.iter().enumerate() {
        let what = format!("accessKeys[{i}]");
        let secret = SecretRef::load(value, &what, base, files).map_err(named)?;
        // An access key is 40 visible characters; the error names which
        // entry is wrong and how, never its value.
        let key = std::str::from_utf8(secret.expose_secret())
            .ok()
            .and_then(|text| AccessKey::parse(text).ok())
            .ok_or_else(|| {
                named(invalid(format!(
                    "{what} is not an access key ({} visible characters)",
                    AccessKey::LEN
                )))
            })?;
        tenant = tenant.access_key(key);
    }
    Ok(tenant)
}
