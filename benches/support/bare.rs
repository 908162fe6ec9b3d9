//! The limit each bench compares the crate with: the same work done
//! directly with the primitives the crate is built on (`aes-gcm`, `hmac` and
//! `sha2`, `base64`, `rand`), the way a careful hand would write it for one
//! fixed key: a fresh IV per seal from the thread's CSPRNG, real base64, the
//! same output bytes. No validation beyond what the work itself needs.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::Rng as _;
use sha2::Sha256;

/// `alg: "dir"`, `enc: "A256GCM"` with one key and one header.
pub struct Dir {
    cipher: Aes256Gcm,
    header: String,
}

impl Dir {
    /// `header_b64`: the base64url protected header the crate writes for
    /// the same key, so that both make the same bytes.
    pub fn new(key: &[u8; 32], header_b64: &str) -> Dir {
        Dir {
            cipher: Aes256Gcm::new_from_slice(key).unwrap(),
            header: header_b64.to_owned(),
        }
    }

    pub fn seal(&self, plaintext: &[u8]) -> String {
        let mut out = String::new();
        self.seal_into(plaintext, &mut out);
        out
    }

    /// Appends the compact JWE to `out`.
    pub fn seal_into(&self, plaintext: &[u8], out: &mut String) {
        let mut iv = [0u8; 12];
        rand::rng().fill_bytes(&mut iv);
        let mut buf = plaintext.to_vec();
        let tag = self
            .cipher
            .encrypt_inout_detached(
                &Nonce::from(iv),
                self.header.as_bytes(),
                buf.as_mut_slice().into(),
            )
            .unwrap();
        out.reserve(self.header.len() + 45 + plaintext.len() * 4 / 3);
        out.push_str(&self.header);
        out.push_str("..");
        URL_SAFE_NO_PAD.encode_string(iv, out);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(&buf, out);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(tag, out);
    }

    /// Opens a JWE this key sealed, the least a correct opener can do: the
    /// expected header recognised as a text prefix (no base64, no JSON),
    /// the parts taken at their fixed places (a 16-character IV after the
    /// empty encrypted key, a 22-character tag at the end), IV and tag
    /// decoded onto the stack, the ciphertext decoded into the one buffer
    /// returned and decrypted there.
    pub fn open(&self, compact: &str) -> Vec<u8> {
        let rest = compact
            .strip_prefix(self.header.as_str())
            .and_then(|r| r.strip_prefix(".."))
            .unwrap();
        let (iv, rest) = rest.split_at(16);
        let (ct, tag) = rest.split_at(rest.len() - 23);
        let (ct, tag) = (
            ct.strip_prefix('.').unwrap(),
            tag.strip_prefix('.').unwrap(),
        );
        let mut iv_bytes = [0u8; 12];
        let mut tag_bytes = [0u8; 16];
        assert_eq!(URL_SAFE_NO_PAD.decode_slice(iv, &mut iv_bytes).unwrap(), 12);
        assert_eq!(
            URL_SAFE_NO_PAD.decode_slice(tag, &mut tag_bytes).unwrap(),
            16
        );
        let mut buf = vec![0u8; ct.len() * 3 / 4];
        let n = URL_SAFE_NO_PAD.decode_slice(ct, &mut buf).unwrap();
        buf.truncate(n);
        self.cipher
            .decrypt_inout_detached(
                &Nonce::from(iv_bytes),
                self.header.as_bytes(),
                buf.as_mut_slice().into(),
                &Tag::from(tag_bytes),
            )
            .unwrap();
        buf
    }

    /// The seed response's two card values sealed alone: the limit of
    /// marked-field encryption (nothing located or spliced).
    pub fn seal_seed_values(&self) -> (String, String) {
        (
            self.seal(std::hint::black_box(b"9410123412341234")),
            self.seal(std::hint::black_box(b"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0")),
        )
    }

    /// `{"encData":"<JWE>"}`.
    pub fn seal_envelope(&self, body: &[u8]) -> String {
        let mut out = String::with_capacity(self.header.len() + 64 + body.len() * 4 / 3);
        out.push_str("{\"encData\":\"");
        self.seal_into(body, &mut out);
        out.push_str("\"}");
        out
    }

    pub fn open_envelope(&self, envelope: &str) -> Vec<u8> {
        let compact = envelope
            .strip_prefix("{\"encData\":\"")
            .and_then(|r| r.strip_suffix("\"}"))
            .unwrap();
        self.open(compact)
    }
}

type HmacSha256 = Hmac<Sha256>;

/// `X-KM-Tran-Token` with one secret: `KMV1:` + 17 digits + `:` + base64 MAC.
pub struct Token {
    mac: HmacSha256,
}

/// Civil time as the token writes it.
#[derive(Clone, Copy)]
pub struct Time {
    pub year: u32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub milli: u32,
}

/// The seed request's token time, 2022-11-08 12:08:14.608.
pub const SEED_TIME: Time = Time {
    year: 2022,
    month: 11,
    day: 8,
    hour: 12,
    minute: 8,
    second: 14,
    milli: 608,
};

impl Token {
    pub fn new(secret: &[u8]) -> Token {
        Token {
            mac: <HmacSha256 as hmac::KeyInit>::new_from_slice(secret).unwrap(),
        }
    }

    pub fn sign(&self, body: &[u8], t: Time) -> [u8; 66] {
        let mut mac = self.mac.clone();
        mac.update(body);
        let tag = mac.finalize().into_bytes();
        let mut out = [0u8; 66];
        out[..5].copy_from_slice(b"KMV1:");
        let mut at = 5;
        for (value, width) in [
            (t.year, 4),
            (t.month, 2),
            (t.day, 2),
            (t.hour, 2),
            (t.minute, 2),
            (t.second, 2),
            (t.milli, 3),
        ] {
            let mut v = value;
            for i in (0..width).rev() {
                out[at + i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
            at += width;
        }
        out[22] = b':';
        STANDARD_NO_PAD.encode_slice(tag, &mut out[23..]).unwrap();
        out
    }

    /// Checks the MAC (in constant time) and that the token's time, read
    /// in a zone `zone_ms` ahead of UTC, is within `skew_ms` of `now_ms`.
    pub fn verify(
        &self,
        token: &[u8],
        body: &[u8],
        now_ms: i64,
        zone_ms: i64,
        skew_ms: i64,
    ) -> bool {
        if token.len() != 66 || &token[..5] != b"KMV1:" || token[22] != b':' {
            return false;
        }
        let mut digits = [0i64; 17];
        for (d, c) in digits.iter_mut().zip(&token[5..22]) {
            if !c.is_ascii_digit() {
                return false;
            }
            *d = i64::from(c - b'0');
        }
        let num = |r: core::ops::Range<usize>| digits[r].iter().fold(0, |a, d| a * 10 + d);
        let mut mac_bytes = [0u8; 33];
        if STANDARD_NO_PAD.decode_slice(&token[23..], &mut mac_bytes) != Ok(32) {
            return false;
        }
        let mut mac = self.mac.clone();
        mac.update(body);
        if mac.verify_slice(&mac_bytes[..32]).is_err() {
            return false;
        }
        let days = days_from_civil(num(0..4), num(4..6), num(6..8));
        let ms = ((days * 24 + num(8..10)) * 60 + num(10..12)) * 60_000
            + num(12..14) * 1000
            + num(14..17);
        (ms - zone_ms - now_ms).abs() <= skew_ms
    }
}

/// Days from 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
