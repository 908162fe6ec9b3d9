//! Replay stores: where a server records the tokens it accepted, so that a
//! fleet refuses a request replayed to any of its instances.
//!
//! The core does no I/O: [`AcceptedRequest::replay_record`] says what must
//! be recorded (a [`ReplayRecord`]: a name derived from the token's MAC
//! under a key derived from the project secret, and how long to keep it),
//! and a [`ReplayStore`] records it, "insert if absent, with a time to
//! live", atomically. The in-process [`ReplayGuard`] is one store;
//! [`RedisReplayStore`] (feature `redis`) is one a fleet shares. The tower
//! layer calls the store after the request verified and before the
//! handler runs ([`ServerLayer::replay_store`](crate::ServerLayer::replay_store)).
//!
//! A store that cannot answer fails closed: the request is
//! [`Error::ReplayStoreUnavailable`] (503) and its handler never runs.
//!
//! [`AcceptedRequest::replay_record`]: crate::AcceptedRequest::replay_record

use core::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
use crate::replay::ReplayGuard;
use crate::time::unix_millis;

/// How long past its token's last verifying instant a record is kept in a
/// shared store: instances of a fleet whose clocks disagree by up to this
/// much still refuse the replay.
pub const CLOCK_MARGIN: Duration = Duration::from_secs(5);

/// What a store must record for an accepted request.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ReplayRecord {
    key: [u8; 16],
    /// The last Unix millisecond the token verifies.
    expires_ms: i64,
}

impl ReplayRecord {
    pub(crate) fn new(key: [u8; 16], expires_ms: i64) -> ReplayRecord {
        ReplayRecord { key, expires_ms }
    }

    /// The record's name: 16 bytes derived from the token's MAC with a key
    /// derived from the project secret (the same on every instance).
    pub fn key(&self) -> &[u8; 16] {
        &self.key
    }

    /// [`ReplayRecord::key`] in lowercase hex (32 characters).
    pub fn key_hex(&self) -> String {
        let mut out = String::with_capacity(32);
        for b in self.key {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
        out
    }

    /// The last instant the token verifies (its time plus the verifier's
    /// window).
    pub fn expires_at(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(u64::try_from(self.expires_ms).unwrap_or(0))
    }

    pub(crate) fn expires_ms(&self) -> i64 {
        self.expires_ms
    }

    /// How long a shared store keeps the record from `now`: until the
    /// token no longer verifies, plus [`CLOCK_MARGIN`]; at least 1 ms.
    pub fn ttl(&self, now: SystemTime) -> Duration {
        let now_ms = unix_millis(now).unwrap_or(i64::MAX);
        let left = self.expires_ms.saturating_sub(now_ms).max(0);
        Duration::from_millis(u64::try_from(left).unwrap_or(0).saturating_add(1)) + CLOCK_MARGIN
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl fmt::Debug for ReplayRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayRecord")
            .field("key", &self.key_hex())
            .field("expires_ms", &self.expires_ms)
            .finish()
    }
}

/// The future a [`ReplayStore`] answers with.
pub type StoreFuture<'a> = Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

/// Records accepted requests: "insert if absent, with a time to live",
/// atomically, so that of any number of instances racing one request
/// exactly one records it.
///
/// An implementation answers `Ok(())` when the record was absent (and is
/// now held), [`Error::Replayed`] when it was held already, and
/// [`Error::ReplayStoreUnavailable`] when it cannot tell within its time
/// limit: never `Ok` when unsure.
pub trait ReplayStore: Send + Sync + fmt::Debug {
    /// Records `record` at `now` if absent (see the trait).
    fn insert<'a>(&'a self, record: &'a ReplayRecord, now: SystemTime) -> StoreFuture<'a>;
}

impl ReplayStore for ReplayGuard {
    fn insert<'a>(&'a self, record: &'a ReplayRecord, now: SystemTime) -> StoreFuture<'a> {
        Box::pin(std::future::ready(self.check_record(record, now)))
    }
}

#[cfg(feature = "redis")]
pub use redis_store::{RedisOptions, RedisReplayStore};

#[cfg(feature = "redis")]
mod redis_store {
    use core::fmt;
    use std::time::{Duration, SystemTime};

    use redis::aio::{ConnectionManager, ConnectionManagerConfig};

    use super::{ReplayRecord, ReplayStore, StoreFuture};
    use crate::error::{Error, Result};

    /// How a [`RedisReplayStore`] names its keys and how long it waits.
    #[derive(Clone, Debug)]
    pub struct RedisOptions {
        /// Put before each record's hex name (default
        /// `konaplate:replay:`), so that stores of unrelated fleets can
        /// share one Redis.
        pub prefix: String,
        /// The longest a request waits for Redis (default 1 s): then it
        /// is refused, [`Error::ReplayStoreUnavailable`].
        pub timeout: Duration,
    }

    impl Default for RedisOptions {
        fn default() -> RedisOptions {
            RedisOptions {
                prefix: "konaplate:replay:".into(),
                timeout: Duration::from_secs(1),
            }
        }
    }

    /// A replay store on Redis (feature `redis`), shared by every instance
    /// of a fleet: `SET prefix+name 1 NX PX ttl`, one round trip a request.
    ///
    /// Connects lazily through redis-rs's tokio connection manager, which
    /// reconnects by itself: a server started while Redis is down, or one
    /// whose Redis restarts, serves again as soon as Redis answers, with no
    /// restart. Cheap to clone (clones share the connection). Needs a tokio
    /// runtime.
    ///
    /// ```no_run
    /// # async fn demo() -> konaplate_crypto::Result<()> {
    /// use std::sync::Arc;
    /// use konaplate_crypto::{RedisReplayStore, ReplayStore};
    /// let store: Arc<dyn ReplayStore> = Arc::new(RedisReplayStore::open("redis://127.0.0.1:6379/0")?);
    /// # Ok(()) }
    /// ```
    #[derive(Clone)]
    pub struct RedisReplayStore {
        manager: ConnectionManager,
        options: RedisOptions,
        /// Host and port, for `Debug` (never a password).
        target: String,
    }

    impl RedisReplayStore {
        /// A store on the Redis at `url` (`redis://HOST:PORT[/DB]`, or
        /// `rediss://` with TLS where redis-rs has it), with the default
        /// [`RedisOptions`].
        pub fn open(url: &str) -> Result<RedisReplayStore> {
            RedisReplayStore::open_with(url, RedisOptions::default())
        }

        /// A store on the Redis at `url` with `options`.
        pub fn open_with(url: &str, options: RedisOptions) -> Result<RedisReplayStore> {
            let client = redis::Client::open(url).map_err(|_| Error::ReplayStoreUnavailable {
                reason: "the URL is not a Redis URL (redis://HOST:PORT[/DB])".into(),
            })?;
            let info = client.get_connection_info();
            let target = info.addr().to_string();
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(options.timeout))
                // The whole insert is bounded below, once (one timer).
                .set_response_timeout(None)
                .set_number_of_retries(2)
                .set_min_delay(Duration::from_millis(20))
                .set_max_delay(Duration::from_millis(200));
            let manager = ConnectionManager::new_lazy_with_config(client, config).map_err(|e| {
                Error::ReplayStoreUnavailable {
                    reason: format!("cannot set up the connection to {target}: {:?}", e.kind()),
                }
            })?;
            Ok(RedisReplayStore {
                manager,
                options,
                target,
            })
        }

        async fn set_nx(&self, key: String, ttl: Duration) -> Result<()> {
            let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
            let mut connection = self.manager.clone();
            let mut command = redis::cmd("SET");
            command.arg(key).arg(1).arg("NX").arg("PX").arg(ttl_ms);
            let set = command.query_async::<Option<String>>(&mut connection);
            let unavailable = |reason: String| Error::ReplayStoreUnavailable { reason };
            match tokio::time::timeout(self.options.timeout, set).await {
                Ok(Ok(Some(_))) => Ok(()),
                Ok(Ok(None)) => Err(Error::Replayed),
                Ok(Err(e)) => Err(unavailable(format!(
                    "Redis at {} failed ({:?})",
                    self.target,
                    e.kind()
                ))),
                Err(_) => Err(unavailable(format!(
                    "Redis at {} did not answer within {} ms",
                    self.target,
                    self.options.timeout.as_millis()
                ))),
            }
        }
    }

    impl ReplayStore for RedisReplayStore {
        fn insert<'a>(&'a self, record: &'a ReplayRecord, now: SystemTime) -> StoreFuture<'a> {
            let key = format!("{}{}", self.options.prefix, record.key_hex());
            Box::pin(self.set_nx(key, record.ttl(now)))
        }
    }

    impl fmt::Debug for RedisReplayStore {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("RedisReplayStore")
                .field("target", &self.target)
                .field("prefix", &self.options.prefix)
                .field("timeout", &self.options.timeout)
                .finish()
        }
    }
}
