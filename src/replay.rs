//! An opt-in guard against replayed requests.
//!
//! The KMV1 MAC covers the body only: the token's time, `X-KM-Tran-Time`
//! and the other headers are not authenticated, so anyone holding one
//! captured request can restamp it with the current time and send it again,
//! and the skew window stops nothing. A [`ReplayGuard`] remembers each
//! accepted MAC until its token could no longer verify, and refuses it if
//! it comes again. It keys on the MAC alone, the one thing the secret
//! authenticates: `X-KM-User-AspId` is not covered, so the same MAC under
//! another AspId is the same request replayed. One guard serves one
//! project secret.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use konaplate_crypto::{ErrorKind, ReplayGuard, RequestHeaders, VerifyOptions};
//! # use konaplate_crypto::{AspId, CorrelationIdGenerator, HeaderBuilder, ProjectSecret, TimeZone, TokenSigner};
//! # let signer = TokenSigner::new(&ProjectSecret::from("s"));
//! # let now = SystemTime::now();
//! # let sent = HeaderBuilder::new(AspId::parse("000170000002000")?, TimeZone::KST)
//! #     .build(&signer, &CorrelationIdGenerator::new(), b"{}", now)?;
//! # let pairs: Vec<(&str, &str)> = sent.iter().map(|(n, v)| (n.as_str(), v)).collect();
//! let guard = ReplayGuard::new(1_000_000, Duration::from_secs(300))?; // the verifier's max skew
//! let headers = RequestHeaders::parse(pairs.iter().copied(), &VerifyOptions::default())?;
//! guard.check(&headers, now)?;                                   // first time: accepted
//! assert_eq!(guard.check(&headers, now).unwrap_err().kind(), ErrorKind::Replayed);
//! # Ok::<(), konaplate_crypto::Error>(())
//! ```
//!
//! Memory is bounded by the capacity given (at most
//! [`ReplayGuard::MAX_CAPACITY`]): at most that many MACs are held at once,
//! in at most about 150 bytes each (measured in `tests/replay.rs`), and
//! memory is taken as MACs arrive, not when the guard is made. A MAC is
//! forgotten once its token time is more than the window behind the clock
//! (a token that old no longer verifies). When the guard is full of MACs
//! that have not yet expired, it refuses the new request
//! ([`Error::ReplayGuardFull`], HTTP 503) rather than forget one early:
//! size the capacity above the requests a server accepts in twice the
//! window. The MACs are spread over 64 shards, each behind its own lock, and
//! the count is one atomic: no global lock, and a check is a hash lookup and
//! an insert (amortised constant time).

use core::fmt;
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use crate::error::{Error, Result};
use crate::headers::RequestHeaders;
use crate::store::ReplayRecord;
use crate::time::unix_millis;

const SHARDS: usize = 64;

/// The first 16 bytes of the MAC: 128 bits an attacker cannot choose
/// without the secret.
type Key = [u8; 16];

#[derive(Default)]
struct Shard {
    /// Each held key and the last millisecond its token verifies.
    seen: HashMap<Key, i64>,
    /// The same keys in the order they came, to forget expired ones.
    order: VecDeque<(Key, i64)>,
}

impl Shard {
    /// Forgets keys expired before `now_ms` at the front; returns how many.
    fn evict(&mut self, now_ms: i64) -> usize {
        let mut gone = 0;
        while let Some((key, expiry)) = self.order.front().copied() {
            if expiry >= now_ms {
                break;
            }
            self.order.pop_front();
            // The key may have come again (restamped) after it expired and
            // be held anew under a later expiry: keep that one.
            if self.seen.get(&key) == Some(&expiry) {
                self.seen.remove(&key);
            }
            gone += 1;
        }
        gone
    }
}

struct Inner {
    shards: [Mutex<Shard>; SHARDS],
    held: AtomicUsize,
    capacity: usize,
    window_ms: i64,
    hasher: RandomState,
}

/// Refuses a transaction token's MAC seen before, while the token could
/// still verify. Cheap to clone (clones share one memory),
/// `Send` and `Sync`. See the module documentation for its bounds.
#[derive(Clone)]
pub struct ReplayGuard(Arc<Inner>);

impl ReplayGuard {
    /// The largest capacity a guard takes: 2^24 MACs, about 2.5 GB when
    /// full. A fleet needing more shares a store instead.
    pub const MAX_CAPACITY: usize = 1 << 24;

    /// A guard holding at most `capacity` MACs (1 to
    /// [`ReplayGuard::MAX_CAPACITY`], [`Error::InvalidCapacity`] otherwise),
    /// each for `window` after its token time (the verifier's `max_skew`).
    /// Nothing is allocated for the capacity up front.
    pub fn new(capacity: usize, window: Duration) -> Result<ReplayGuard> {
        if !(1..=Self::MAX_CAPACITY).contains(&capacity) {
            return Err(Error::InvalidCapacity {
                requested: capacity,
                max: Self::MAX_CAPACITY,
            });
        }
        Ok(ReplayGuard(Arc::new(Inner {
            shards: std::array::from_fn(|_| Mutex::new(Shard::default())),
            held: AtomicUsize::new(0),
            capacity,
            window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX),
            hasher: RandomState::new(),
        })))
    }

    /// Records the token of verified `headers` at `now`; a token already
    /// recorded is [`Error::Replayed`]. Call it after the token verified
    /// (a server's [`accept`](crate::Server::accept) does, last).
    pub fn check(&self, headers: &RequestHeaders, now: SystemTime) -> Result<()> {
        let token = headers.token();
        let mut key: Key = [0; 16];
        key.copy_from_slice(token.mac().get(..16).unwrap_or_default());
        let expiry = token
            .time()
            .to_unix_millis(headers.zone())
            .saturating_add(self.0.window_ms);
        self.check_key(key, expiry, unix_millis(now)?)
    }

    /// Records `record` (what [`AcceptedRequest::replay_record`] says)
    /// at `now`; one recorded already is [`Error::Replayed`]. This is how a
    /// [`Server`](crate::Server) with a guard, and the guard as a
    /// [`ReplayStore`](crate::ReplayStore), check.
    ///
    /// [`AcceptedRequest::replay_record`]: crate::AcceptedRequest::replay_record
    pub fn check_record(&self, record: &ReplayRecord, now: SystemTime) -> Result<()> {
        self.check_key(*record.key(), record.expires_ms(), unix_millis(now)?)
    }

    fn shard(&self, key: &Key) -> &Mutex<Shard> {
        let i = (self.0.hasher.hash_one(key) % SHARDS as u64) as usize;
        &self.0.shards[i % SHARDS]
    }

    fn check_key(&self, key: Key, expiry: i64, now_ms: i64) -> Result<()> {
        if expiry < now_ms {
            // A token this old does not verify: nothing to remember.
            return Ok(());
        }
        let mut shard = self
            .shard(&key)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.release(shard.evict(now_ms));
        if shard.seen.get(&key).is_some_and(|e| *e >= now_ms) {
            return Err(Error::Replayed);
        }
        if !self.reserve() {
            drop(shard);
            self.sweep(now_ms);
            if !self.reserve() {
                return Err(Error::ReplayGuardFull {
                    capacity: self.0.capacity,
                });
            }
            shard = self
                .shard(&key)
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if shard.seen.get(&key).is_some_and(|e| *e >= now_ms) {
                self.release(1);
                return Err(Error::Replayed);
            }
        }
        shard.seen.insert(key, expiry);
        shard.order.push_back((key, expiry));
        Ok(())
    }

    /// Counts one more held MAC, if under the capacity.
    fn reserve(&self) -> bool {
        self.0
            .held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.0.capacity).then_some(n + 1)
            })
            .is_ok()
    }

    fn release(&self, n: usize) {
        if n > 0 {
            self.0.held.fetch_sub(n, Ordering::AcqRel);
        }
    }

    /// Forgets expired MACs in every shard (only when the guard is full).
    fn sweep(&self, now_ms: i64) {
        for shard in self.0.shards.iter() {
            let gone = shard
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .evict(now_ms);
            self.release(gone);
        }
    }

    /// MACs held now.
    pub fn len(&self) -> usize {
        self.0.held.load(Ordering::Acquire)
    }

    /// Whether no MAC is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most MACs held at once.
    pub fn capacity(&self) -> usize {
        self.0.capacity
    }
}

impl fmt::Debug for ReplayGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayGuard")
            .field("held", &self.len())
            .field("capacity", &self.0.capacity)
            .finish()
    }
}
