//! What the hot paths ask of the heap, counted by a counting allocator on
//! this thread: nothing for tokens and correlation ids, one allocation per
//! JWE sealed or opened and per envelope, and for marked fields a number
//! that does not grow with the number of fields (only the output grows).
#![allow(unsafe_code, clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, UNIX_EPOCH};

use konaplate_crypto::{
    ContentEncryption, ContentType, CorrelationIdGenerator, CryptoKeyId, DateTime, Fields,
    KeySelection, Keyring, ProjectSecret, TimeZone, TokenForm, TokenSigner, TranToken,
    VerifyOptions, generate_jwks, open_envelope, seal_envelope,
};

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static REALLOCATIONS: Cell<usize> = const { Cell::new(0) };
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
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        REALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as our caller's; `ptr` came from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> usize {
    counted(f).0
}

/// Fresh allocations and reallocations (a buffer growing) made by `f`.
fn counted(f: impl FnOnce()) -> (usize, usize) {
    let before = (ALLOCATIONS.with(Cell::get), REALLOCATIONS.with(Cell::get));
    f();
    (
        ALLOCATIONS.with(Cell::get) - before.0,
        REALLOCATIONS.with(Cell::get) - before.1,
    )
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

#[test]
fn correlation_ids_allocate_nothing() {
    let ids = CorrelationIdGenerator::new();
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let _ = ids.generate_at(now, TimeZone::KST).unwrap();
    let n = allocations_in(|| {
        for _ in 0..100 {
            let _ = ids.generate_at(now, TimeZone::KST).unwrap();
            let _ = ids.generate(TimeZone::UTC).unwrap();
        }
    });
    assert_eq!(n, 0, "200 ids allocated {n} times");
}

fn keyring() -> (Keyring, CryptoKeyId) {
    let kid = CryptoKeyId::parse("0123456789abcdef0123456789abcdef").unwrap();
    let ring = Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A256Gcm)).unwrap();
    (ring, kid)
}

#[test]
fn a_jwe_or_envelope_takes_one_allocation() {
    let (ring, kid) = keyring();
    let sealer = ring.sealer(&kid).unwrap();
    let opener = ring.opener(KeySelection::Named(kid));
    for size in [16usize, 1024, 64 << 10] {
        let plaintext = vec![b'7'; size];
        let mut jwe = String::new();
        let n = counted(|| jwe = sealer.seal(&plaintext, ContentType::Text).unwrap());
        // Past 4 KiB the ciphertext takes a buffer of its own, so that the
        // JWE holds no spare room: two.
        let want = if size <= 4096 { 1 } else { 2 };
        assert_eq!(n, (want, 0), "seal {size} B");
        let n = counted(|| assert_eq!(opener.open(&jwe).unwrap().plaintext(), &plaintext[..]));
        assert_eq!(n, (1, 0), "open {size} B");

        let mut envelope = String::new();
        let n = counted(|| envelope = seal_envelope(&plaintext, &sealer).unwrap());
        assert_eq!(n, (want, 0), "envelope seal {size} B");
        let n = counted(|| {
            assert_eq!(
                &open_envelope(envelope.as_bytes(), &opener).unwrap()[..],
                &plaintext[..]
            )
        });
        assert_eq!(n, (1, 0), "envelope open {size} B");
    }
}

/// `cards` objects of the seed response's two card fields, in an array.
fn cards(n: usize) -> String {
    let card =
        r#"{"mobileCardNo":"9410123412341234","par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0","status":"A"}"#;
    format!(
        r#"{{"code":"000_000","message":"Success.","cardDataInfo":[{}]}}"#,
        vec![card; n].join(",")
    )
}

#[test]
fn marked_fields_allocate_the_same_for_two_fields_or_two_thousand() {
    let (ring, kid) = keyring();
    let sealer = ring.sealer(&kid).unwrap();
    let opener = ring.opener(KeySelection::Named(kid));
    let fields = Fields::new(["cardDataInfo[*].mobileCardNo", "cardDataInfo[*].par"]).unwrap();
    let mut seen = Vec::new();
    for n in [1usize, 10, 100, 1000] {
        let doc = cards(n);
        let mut sealed = Vec::new();
        let (enc, enc_grow) = counted(|| sealed = fields.encrypt(doc.as_bytes(), &sealer).unwrap());
        let (dec, dec_grow) = counted(|| {
            assert_eq!(
                &fields.decrypt(&sealed, &opener).unwrap()[..],
                doc.as_bytes()
            )
        });
        seen.push((n, enc, enc_grow, dec, dec_grow, sealed.len()));
    }
    let (_, enc_1, _, dec_1, _, _) = seen[0];
    for &(n, enc, enc_grow, dec, dec_grow, out_len) in &seen {
        // Fresh allocations: the same whatever the number of fields (the
        // output, and the walk's three small stacks).
        assert_eq!(enc, enc_1, "encrypt, {n} cards: {seen:?}");
        assert_eq!(dec, dec_1, "decrypt, {n} cards: {seen:?}");
        // What grows is the output (plaintexts are shorter than their JWEs,
        // so decryption's output never does) and the stacks, by doubling.
        let doublings = (out_len as f64).log2().ceil() as usize;
        assert!(enc_grow <= doublings, "encrypt growth, {n} cards: {seen:?}");
        assert!(dec_grow <= doublings, "decrypt growth, {n} cards: {seen:?}");
    }
    assert_eq!((enc_1, dec_1), (4, 4), "{seen:?}");
}
