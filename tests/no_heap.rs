//! A server can sign and verify tokens without touching the heap: a counting
//! allocator sees no allocation on this thread during either.
#![allow(unsafe_code, clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, UNIX_EPOCH};

use konaplate_crypto::{
    DateTime, ProjectSecret, TimeZone, TokenForm, TokenSigner, TranToken, VerifyOptions,
};

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

struct Counting;

// SAFETY: every call is forwarded unchanged to the system allocator; the
// thread-local counter is const-initialised, so touching it never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn sign_and_verify_allocate_nothing() {
    let signer = TokenSigner::new(&ProjectSecret::from("sandbox-secret"));
    let body = vec![b'x'; 4096];
    let time = DateTime::new(2022, 11, 8, 12, 8, 14, 608).unwrap();
    let now = UNIX_EPOCH + Duration::from_millis(1_667_876_894_608);
    let opts = VerifyOptions::default();
    let mut buf = [0u8; 67];
    let mut text = String::with_capacity(67);

    let n = allocations_in(|| {
        let token = signer.sign(&body, time, TokenForm::Unpadded);
        signer
            .sign_into(&body, time, TokenForm::Padded, &mut buf)
            .unwrap();
        let _ = signer
            .sign_at(&body, now, TimeZone::KST, TokenForm::Unpadded)
            .unwrap();
        let parsed = TranToken::parse(token.as_str()).unwrap();
        signer
            .verify(&parsed, &body, now, TimeZone::KST, &opts)
            .unwrap();
        text.push_str(token.as_str());
    });
    assert_eq!(n, 0, "signing and verifying allocated {n} times");
    assert_eq!(text.len(), 66);
    // The counter does count: a Vec allocates.
    assert_eq!(allocations_in(|| drop(vec![1u8; 10])), 1);
}
