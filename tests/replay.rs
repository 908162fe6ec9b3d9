//! The replay guard: a MAC accepted once is refused again within its
//! window, under any AspId; memory stays within the stated bound however hard it
//! is flooded; no fresh request is refused while under the bound.
#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use konaplate_crypto::{
    AspId, CorrelationIdGenerator, ErrorKind, HeaderBuilder, ProjectSecret, ReplayGuard,
    RequestHeaders, TimeZone, TokenSigner,
};

thread_local! {
    /// Heap bytes allocated less bytes freed on this thread: tests run in
    /// parallel, and a guard allocates on the thread that calls it.
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

fn live() -> isize {
    LIVE.with(Cell::get)
}

struct Counting;

// SAFETY: every call is forwarded unchanged to the system allocator; the
// thread-local counter is const-initialised, so touching it never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.with(|c| c.set(c.get() + layout.size() as isize));
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.with(|c| c.set(c.get() - layout.size() as isize));
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const WINDOW: Duration = Duration::from_secs(300);

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(1_667_876_894_608)
}

/// Headers of `n` distinct bodies, signed at `at` for `asp`.
fn requests(asp: &str, n: usize, at: SystemTime) -> Vec<RequestHeaders> {
    let signer = TokenSigner::new(&ProjectSecret::from("sandbox secret"));
    let ids = CorrelationIdGenerator::new();
    let builder = HeaderBuilder::new(AspId::parse(asp).unwrap(), TimeZone::KST);
    (0..n)
        .map(|i| {
            let body = format!(r#"{{"cardApplyNo":"{i:022}"}}"#);
            builder.build(&signer, &ids, body.as_bytes(), at).unwrap()
        })
        .collect()
}

#[test]
fn a_mac_is_refused_again_within_its_window_under_any_asp_id() {
    let guard = ReplayGuard::new(100, WINDOW).unwrap();
    let first = &requests("000170000002000", 1, now())[0];
    guard.check(first, now()).unwrap();
    assert_eq!(
        guard.check(first, now()).unwrap_err().kind(),
        ErrorKind::Replayed
    );
    // The same body re-sent later, restamped: the same MAC, refused.
    let later = now() + Duration::from_secs(200);
    let restamped = &requests("000170000002000", 1, later)[0];
    assert_eq!(
        restamped.token().as_str()[23..],
        first.token().as_str()[23..]
    );
    assert_eq!(
        guard.check(restamped, later).unwrap_err().kind(),
        ErrorKind::Replayed
    );
    // Issue 16, item 4: nothing authenticates the AspId, so the same MAC
    // under another one is the same request replayed (it used to pass).
    let other = &requests("000170000009999", 1, now())[0];
    assert_eq!(other.token().as_str()[23..], first.token().as_str()[23..]);
    assert_eq!(
        guard.check(other, now()).unwrap_err().kind(),
        ErrorKind::Replayed
    );
    // Once its token could no longer verify, the MAC is forgotten.
    let expired = now() + WINDOW + Duration::from_secs(1);
    let fresh = &requests("000170000002000", 1, expired)[0];
    guard.check(fresh, expired).unwrap();
    assert_eq!(guard.len(), 1, "the first MAC was dropped: {guard:?}");
}

/// Issue 16, item 12: a capacity is bounded, refused by kind beyond the
/// bound, and costs nothing until MACs arrive (`10**8` took 129 MB at
/// construction; `2**63` panicked, `10**12` aborted).
#[test]
fn capacities_are_bounded_and_allocated_as_macs_arrive() {
    for capacity in [0, ReplayGuard::MAX_CAPACITY + 1, 1 << 63, usize::MAX] {
        let e = ReplayGuard::new(capacity, WINDOW).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidCapacity, "{capacity}");
        assert!(
            e.to_string()
                .contains(&ReplayGuard::MAX_CAPACITY.to_string()),
            "{e}"
        );
    }
    let before = live();
    let guard = ReplayGuard::new(ReplayGuard::MAX_CAPACITY, WINDOW).unwrap();
    let made = live() - before;
    assert!(made < 64 << 10, "{made} bytes at construction");
    let one = &requests("000170000002000", 1, now())[0];
    guard.check(one, now()).unwrap();
    assert_eq!(guard.capacity(), ReplayGuard::MAX_CAPACITY);
    drop(guard);
}

#[test]
fn a_flood_stays_within_the_bound_and_refuses_nothing_under_it() {
    let capacity = 2_000;
    let flood = requests("000170000002000", 3 * capacity, now());
    let later = now() + WINDOW + Duration::from_secs(1);
    let second = requests("000170000002000", capacity + 100, later);
    let before = live();
    let guard = ReplayGuard::new(capacity, WINDOW).unwrap();
    let mut peak = 0;
    for (i, h) in flood.iter().enumerate() {
        let got = guard.check(h, now());
        if i < capacity {
            got.unwrap_or_else(|e| panic!("fresh request {i} refused under the bound: {e}"));
        } else {
            assert_eq!(got.unwrap_err().kind(), ErrorKind::ReplayGuardFull, "{i}");
        }
        peak = peak.max(live() - before);
    }
    assert_eq!(guard.len(), capacity);
    let per_entry = peak as f64 / capacity as f64;
    println!(
        "replay guard: {per_entry:.0} bytes per entry of capacity at most ({capacity} entries)"
    );
    assert!(per_entry <= 200.0, "{per_entry} bytes per entry");
    // After the window the expired MACs make room again (forgotten as their
    // shards are touched, or all at once when the guard is full): a second
    // flood is accepted up to the capacity, and memory stays within the bound.
    for (i, h) in second.iter().enumerate() {
        let got = guard.check(h, later);
        if i < capacity {
            got.unwrap_or_else(|e| panic!("fresh request {i} after the window: {e}"));
        } else {
            assert_eq!(got.unwrap_err().kind(), ErrorKind::ReplayGuardFull, "{i}");
        }
        peak = peak.max(live() - before);
    }
    assert!(peak as f64 / capacity as f64 <= 200.0, "{peak} bytes");
    drop(guard);
}

#[test]
fn threads_share_one_guard_and_each_mac_wins_once() {
    let guard = ReplayGuard::new(100_000, WINDOW).unwrap();
    let all = requests("000170000002000", 4_000, now());
    let accepted: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (guard, all) = (guard.clone(), &all);
                s.spawn(move || all.iter().filter(|h| guard.check(h, now()).is_ok()).count())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(
        accepted,
        all.len(),
        "every MAC is accepted by exactly one thread"
    );
    assert_eq!(guard.len(), all.len());
}
