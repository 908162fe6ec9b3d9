//! `X-KM-Tran-Token`: `KMV1:` + T17 + `:` + base64(HMAC-SHA256(secret, body)).
//!
//! The header table gives the token's length as 66: the MAC in unpadded
//! base64 (43 characters). The guide's sample is 67 characters, the same MAC
//! with its `=` padding. A [`TokenSigner`] emits the 66-character form unless
//! asked for [`TokenForm::Padded`]; verification accepts both unless
//! [`VerifyOptions::forms`] says [`AcceptedForms::UnpaddedOnly`].
//!
//! ```
//! use std::time::SystemTime;
//! use konaplate_crypto::{ProjectSecret, TimeZone, TokenForm, TokenSigner, TranToken, VerifyOptions};
//!
//! let signer = TokenSigner::new(&ProjectSecret::from("my project secret"));
//! let body = br#"{"cardApplyNo":"2022110812081460812345","userId":1}"#;
//! let now = SystemTime::now();
//! let token = signer.sign_at(body, now, TimeZone::KST, TokenForm::Unpadded)?;
//! assert_eq!(token.as_str().len(), 66);
//!
//! // On the server: parse what was received, then verify against the body.
//! let received = TranToken::parse(token.as_str())?;
//! signer.verify(&received, body, now, TimeZone::KST, &VerifyOptions::default())?;
//! assert!(signer.verify(&received, b"{}", now, TimeZone::KST, &VerifyOptions::default()).is_err());
//! # Ok::<(), konaplate_crypto::Error>(())
//! ```

use core::fmt;
use core::str::FromStr;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};
use crate::ids::ascii_str;
use crate::secret::ProjectSecret;
use crate::time::{DateTime, TimeFormat, TimeZone, unix_millis};

type HmacSha256 = Hmac<Sha256>;

const PREFIX: &[u8] = b"KMV1:";
const MAC_LEN: usize = 32;
/// Characters before the MAC: `KMV1:` + 17 digits + `:`.
const HEAD_LEN: usize = 5 + 17 + 1;

/// Which of the two token lengths to emit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TokenForm {
    /// 66 characters: the MAC in base64 without `=` padding (the header's length).
    #[default]
    Unpadded,
    /// 67 characters: with the `=` padding (the guide's sample).
    Padded,
}

impl TokenForm {
    /// Length of a token of this form.
    pub const fn len(self) -> usize {
        match self {
            TokenForm::Unpadded => 66,
            TokenForm::Padded => 67,
        }
    }

    /// Always false.
    pub const fn is_empty(self) -> bool {
        false
    }
}

/// A well-formed transaction token: parsed from a header or made by a
/// [`TokenSigner`]. Held on the stack. Being well formed says nothing of
/// whether it is authentic: that is [`TokenSigner::verify`]'s job.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TranToken {
    text: [u8; 67],
    form: TokenForm,
    time: DateTime,
    mac: [u8; MAC_LEN],
}

impl TranToken {
    /// Parses `KMV1:` + `yyyyMMddHHmmssSSS` + `:` + base64 MAC (43 characters
    /// unpadded or 44 with `=`; the standard alphabet, canonical encoding).
    pub fn parse(token: &str) -> Result<TranToken> {
        let malformed = |reason: String| Error::MalformedToken { reason };
        let b = token.as_bytes();
        let form = match b.len() {
            66 => TokenForm::Unpadded,
            67 => TokenForm::Padded,
            n => {
                return Err(malformed(format!(
                    "expected 66 characters (or 67 with base64 padding), found {n}"
                )));
            }
        };
        if !b.starts_with(PREFIX) {
            return Err(malformed("expected the prefix 'KMV1:'".into()));
        }
        let digits = b.get(PREFIX.len()..HEAD_LEN - 1).unwrap_or_default();
        let time = DateTime::parse_bytes(digits, TimeFormat::Millis17)
            .map_err(|reason| malformed(format!("time: {reason}")))?;
        if b.get(HEAD_LEN - 1) != Some(&b':') {
            return Err(malformed("expected ':' after the 17 time digits".into()));
        }
        let encoded = b.get(HEAD_LEN..).unwrap_or_default();
        let engine = match form {
            TokenForm::Unpadded => &STANDARD_NO_PAD,
            TokenForm::Padded => &STANDARD,
        };
        let mut mac = [0u8; MAC_LEN];
        match engine.decode_slice(encoded, &mut mac) {
            Ok(MAC_LEN) => {}
            _ => {
                return Err(malformed(
                    "the MAC is not the canonical standard base64 of 32 bytes".into(),
                ));
            }
        }
        let mut text = [0u8; 67];
        text.get_mut(..b.len())
            .unwrap_or_default()
            .copy_from_slice(b);
        Ok(TranToken {
            text,
            form,
            time,
            mac,
        })
    }

    /// The token text.
    pub fn as_str(&self) -> &str {
        ascii_str(self.text.get(..self.form.len()).unwrap_or_default())
    }

    /// The token time (`T17`), in the zone of the request.
    pub fn time(&self) -> DateTime {
        self.time
    }

    /// The MAC's 32 bytes (not secret: it travels in the header).
    pub(crate) fn mac(&self) -> &[u8; MAC_LEN] {
        &self.mac
    }

    /// Which length the token has.
    pub fn form(&self) -> TokenForm {
        self.form
    }

    /// Refuses the padded form where `options` accept only the unpadded one.
    fn check_form(&self, options: &VerifyOptions) -> Result<()> {
        if options.forms == AcceptedForms::UnpaddedOnly && self.form == TokenForm::Padded {
            return Err(Error::PaddedTokenRefused);
        }
        Ok(())
    }

    /// Checks what needs no secret and no body: the form `options` accept,
    /// and the token time (read in `zone`) within `options.max_skew` of
    /// `now`. A server checks this before it reads a body; the MAC is
    /// [`TokenSigner::check_mac`]'s.
    pub fn check_window(
        &self,
        now: SystemTime,
        zone: TimeZone,
        options: &VerifyOptions,
    ) -> Result<()> {
        self.check_form(options)?;
        self.check_time(now, zone, options)
    }

    /// The token time (read in `zone`) within `options.max_skew` of `now`.
    fn check_time(&self, now: SystemTime, zone: TimeZone, options: &VerifyOptions) -> Result<()> {
        // In i128: two i64 instants are always at most 2^64 ms apart, so
        // neither the offset nor its comparison with any skew can wrap.
        let offset = i128::from(self.time.to_unix_millis(zone)) - i128::from(unix_millis(now)?);
        let max_skew = i128::try_from(options.max_skew.as_millis()).unwrap_or(i128::MAX);
        if offset.abs() > max_skew {
            let clamp =
                |v: i128| i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX });
            return Err(Error::TokenTimeOutsideWindow {
                offset_ms: clamp(offset),
                max_skew_ms: clamp(max_skew),
            });
        }
        Ok(())
    }

    fn assemble(time: DateTime, mac: [u8; MAC_LEN], form: TokenForm) -> TranToken {
        let mut text = [0u8; 67];
        let (head, tail) = text.split_at_mut(HEAD_LEN);
        let (prefix, rest) = head.split_at_mut(PREFIX.len());
        prefix.copy_from_slice(PREFIX);
        // `DateTime` always formats as 17 digits in this format.
        if let (Ok(t17), Some(slot)) = (time.format(TimeFormat::Millis17), rest.get_mut(..17)) {
            slot.copy_from_slice(t17.as_bytes());
        }
        if let Some(colon) = rest.last_mut() {
            *colon = b':';
        }
        let engine = match form {
            TokenForm::Unpadded => &STANDARD_NO_PAD,
            TokenForm::Padded => &STANDARD,
        };
        // 44 bytes of room for 32 bytes of MAC: encoding cannot fail.
        let _ = engine.encode_slice(mac, tail);
        TranToken {
            text,
            form,
            time,
            mac,
        }
    }
}

impl fmt::Display for TranToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for TranToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TranToken({:?})", self.as_str())
    }
}

impl FromStr for TranToken {
    type Err = Error;
    fn from_str(s: &str) -> Result<TranToken> {
        TranToken::parse(s)
    }
}

/// Which token lengths a verifier accepts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AcceptedForms {
    /// Both the 66-character form and the padded 67-character one (the default).
    #[default]
    Both,
    /// Only the 66-character form the header table defines.
    UnpaddedOnly,
}

/// What a verifier accepts: the skew, the token forms and any time zones
/// beyond `UTC` and `KST`.
///
/// The fields are public; the `with_*` methods are for chaining and are
/// `#[must_use]`, so a call whose result is dropped does not compile quietly.
///
/// ```
/// use std::time::Duration;
/// use konaplate_crypto::{AcceptedForms, TimeZone, VerifyOptions};
///
/// let options = VerifyOptions::default()
///     .with_max_skew(Duration::from_secs(60))
///     .with_forms(AcceptedForms::UnpaddedOnly)
///     .with_extra_zone(TimeZone::fixed("JST", 9 * 3600)?);
/// assert_eq!(options.max_skew, Duration::from_secs(60));
///
/// let mut options = VerifyOptions::default();
/// options.max_skew = Duration::from_secs(30);
/// # Ok::<(), konaplate_crypto::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// How far the token time may be from the verifier's clock, either way
    /// (inclusive). Default 300 seconds.
    pub max_skew: Duration,
    /// Which token lengths are accepted. Default both.
    pub forms: AcceptedForms,
    /// Named fixed-offset zones accepted in `X-KM-Time-Zone` besides `UTC`
    /// and `KST`. Default none.
    pub extra_zones: Vec<TimeZone>,
    /// Whether `X-KM-Tran-Time` must be the token time's second exactly.
    /// Default false: the token's second or the next one, since public
    /// clients read the clock once for the token and again for the header,
    /// and neither time is covered by the MAC (SPEC section 3).
    pub exact_tran_time: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            max_skew: Duration::from_secs(300),
            forms: AcceptedForms::Both,
            extra_zones: Vec::new(),
            exact_tran_time: false,
        }
    }
}

impl VerifyOptions {
    /// These options with `max_skew`.
    #[must_use]
    pub fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = max_skew;
        self
    }

    /// These options with `forms`.
    #[must_use]
    pub fn with_forms(mut self, forms: AcceptedForms) -> Self {
        self.forms = forms;
        self
    }

    /// These options, requiring `X-KM-Tran-Time` to be the token time's
    /// second exactly (strict mode).
    #[must_use]
    pub fn with_exact_tran_time(mut self) -> Self {
        self.exact_tran_time = true;
        self
    }

    /// These options, also accepting the zone `zone`.
    #[must_use]
    pub fn with_extra_zone(mut self, zone: TimeZone) -> Self {
        self.extra_zones.push(zone);
        self
    }
}

/// Signs and verifies transaction tokens with one project secret.
///
/// The keyed HMAC state is computed once, when the signer is made; each
/// token only hashes its body. The state is wiped when the signer is
/// dropped. Signing and verifying allocate nothing on success.
#[derive(Clone)]
pub struct TokenSigner {
    mac: HmacSha256,
    /// Keyed with a key derived from the secret: names an accepted token
    /// in a replay store without storing its MAC.
    replay: HmacSha256,
    /// Keyed with the secret base64-decoded, when it is base64: signs
    /// nothing, only tells a client's common mistake ([`TokenSigner::diagnose`]).
    decoded: Option<Box<HmacSha256>>,
}

/// Whether `token`'s MAC is the MAC of `body` under `state`'s key, compared
/// in constant time.
fn mac_verifies(state: &HmacSha256, token: &TranToken, body: &[u8]) -> bool {
    let mut mac = state.clone();
    mac.update(body);
    mac.verify_slice(&token.mac).is_ok()
}

/// What the replay store's key is derived under: `HMAC(secret, label)`.
/// A body is JSON, so no token's MAC is over these bytes (they start with
/// a NUL).
const REPLAY_LABEL: &[u8] = b"\0konaplate-crypto replay store key v1";

impl fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSigner { secret: [redacted] }")
    }
}

impl TokenSigner {
    /// A signer for `secret`.
    pub fn new(secret: &ProjectSecret) -> TokenSigner {
        TokenSigner::from_key_bytes(secret.expose_secret())
    }

    /// A signer keyed with raw bytes (HMAC takes a key of any length).
    pub fn from_key_bytes(key: &[u8]) -> TokenSigner {
        let keyed = |key: &[u8]| match HmacSha256::new_from_slice(key) {
            Ok(mac) => mac,
            // `hmac` returns an error only for MACs with a fixed key size;
            // HMAC hashes long keys and pads short ones, so no key is refused.
            Err(_) => unreachable!("HMAC accepts keys of every length"),
        };
        let mac = keyed(key);
        let mut derive = mac.clone();
        derive.update(REPLAY_LABEL);
        let derived =
            zeroize::Zeroizing::new(<[u8; MAC_LEN]>::from(derive.finalize().into_bytes()));
        let decoded = crate::mistakes::base64_decoded(key).map(|bytes| Box::new(keyed(&bytes)));
        TokenSigner {
            mac,
            replay: keyed(derived.as_slice()),
            decoded,
        }
    }

    /// Whether the token's MAC is over `body` keyed with the secret
    /// base64-decoded (false when the secret is not base64).
    pub(crate) fn mac_matches_decoded_secret(&self, token: &TranToken, body: &[u8]) -> bool {
        self.decoded
            .as_ref()
            .is_some_and(|state| mac_verifies(state, token, body))
    }

    /// The name a replay store records `token` under: the first 16 bytes of
    /// `HMAC(HMAC(secret, label), mac)`. Every instance holding the secret
    /// derives the same; neither the token nor its MAC can be read back.
    pub(crate) fn replay_key(&self, token: &TranToken) -> [u8; 16] {
        let mut mac = self.replay.clone();
        mac.update(token.mac());
        let full: [u8; MAC_LEN] = mac.finalize().into_bytes().into();
        let mut key = [0u8; 16];
        key.copy_from_slice(full.get(..16).unwrap_or_default());
        key
    }

    fn mac_of(&self, body: &[u8]) -> [u8; MAC_LEN] {
        let mut mac = self.mac.clone();
        mac.update(body);
        mac.finalize().into_bytes().into()
    }

    /// Signs `body` with the token time `time` (read in the request's zone).
    pub fn sign(&self, body: &[u8], time: DateTime, form: TokenForm) -> TranToken {
        TranToken::assemble(time, self.mac_of(body), form)
    }

    /// Signs `body` at instant `now`, written in `zone`.
    pub fn sign_at(
        &self,
        body: &[u8],
        now: SystemTime,
        zone: TimeZone,
        form: TokenForm,
    ) -> Result<TranToken> {
        Ok(self.sign(body, DateTime::from_system_time(now, zone)?, form))
    }

    /// Signs into a caller's buffer; returns the number of bytes written
    /// (66 or 67).
    pub fn sign_into(
        &self,
        body: &[u8],
        time: DateTime,
        form: TokenForm,
        out: &mut [u8],
    ) -> Result<usize> {
        let available = out.len();
        let slot = out.get_mut(..form.len()).ok_or(Error::BufferTooSmall {
            needed: form.len(),
            available,
        })?;
        slot.copy_from_slice(self.sign(body, time, form).as_str().as_bytes());
        Ok(form.len())
    }

    /// Verifies a received token against the exact body bytes received.
    ///
    /// `zone` is the request's `X-KM-Time-Zone`, in which the token time is
    /// read; `now` is the verifier's clock. The MAC is checked first, in
    /// constant time, then the token time against `now` within the allowed
    /// skew.
    pub fn verify(
        &self,
        token: &TranToken,
        body: &[u8],
        now: SystemTime,
        zone: TimeZone,
        options: &VerifyOptions,
    ) -> Result<()> {
        token.check_form(options)?;
        self.check_mac(token, body)?;
        token.check_time(now, zone, options)
    }

    /// Checks the token's MAC over `body` alone, in constant time: what a
    /// server checks once the body is read, the token's form and time
    /// having been checked before ([`TranToken::check_window`]).
    pub fn check_mac(&self, token: &TranToken, body: &[u8]) -> Result<()> {
        if mac_verifies(&self.mac, token, body) {
            Ok(())
        } else {
            Err(Error::TokenMismatch)
        }
    }

    /// Parses `token` and verifies it, as [`TokenSigner::verify`].
    pub fn verify_str(
        &self,
        token: &str,
        body: &[u8],
        now: SystemTime,
        zone: TimeZone,
        options: &VerifyOptions,
    ) -> Result<TranToken> {
        let token = TranToken::parse(token)?;
        self.verify(&token, body, now, zone, options)?;
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn debug_shows_no_secret() {
        let secret = ProjectSecret::from("hunter2-very-secret");
        let signer = TokenSigner::new(&secret);
        for text in [format!("{secret:?}"), format!("{signer:?}")] {
            assert!(!text.contains("hunter2"), "{text}");
            assert!(text.contains("redacted"), "{text}");
        }
    }

    #[test]
    fn sign_into_needs_room() {
        let signer = TokenSigner::from_key_bytes(b"k");
        let t = DateTime::new(2024, 1, 2, 3, 4, 5, 6).unwrap();
        let mut small = [0u8; 66];
        assert_eq!(
            signer.sign_into(b"", t, TokenForm::Padded, &mut small),
            Err(Error::BufferTooSmall {
                needed: 67,
                available: 66
            })
        );
        assert_eq!(
            signer.sign_into(b"", t, TokenForm::Unpadded, &mut small),
            Ok(66)
        );
        let token = signer.sign(b"", t, TokenForm::Unpadded);
        assert_eq!(&small[..], token.as_str().as_bytes());
    }

    #[test]
    fn forms_differ_only_by_padding() {
        let signer = TokenSigner::from_key_bytes(b"k");
        let t = DateTime::new(2024, 1, 2, 3, 4, 5, 6).unwrap();
        let short = signer.sign(b"x", t, TokenForm::Unpadded);
        let long = signer.sign(b"x", t, TokenForm::Padded);
        assert_eq!(format!("{}=", short.as_str()), long.as_str());
        assert_eq!(TranToken::parse(long.as_str()).unwrap(), long);
    }

    /// Issue 8, item 6: the offset wrapped `i64` for a verifier clock far
    /// before 1970 (and the message then said "behind" for a token that is
    /// ahead); a `Duration::MAX` skew went through the same arithmetic. Run
    /// in the debug profile, the old code panicked on overflow here.
    #[test]
    fn extreme_clocks_and_skews_do_not_wrap() {
        use std::time::UNIX_EPOCH;
        let signer = TokenSigner::from_key_bytes(b"k");
        let t = DateTime::new(2022, 11, 8, 12, 8, 14, 608).unwrap();
        let token = signer.sign(b"x", t, TokenForm::Unpadded);
        let ancient = UNIX_EPOCH - Duration::from_millis(i64::MAX.unsigned_abs() - 1);
        let far = UNIX_EPOCH + Duration::from_millis(i64::MAX.unsigned_abs() - 1);
        for (now, ahead) in [(ancient, true), (far, false)] {
            match signer.verify(&token, b"x", now, TimeZone::KST, &VerifyOptions::default()) {
                Err(Error::TokenTimeOutsideWindow { offset_ms, .. }) => {
                    assert_eq!(offset_ms > 0, ahead, "{offset_ms}");
                    let e = signer
                        .verify(&token, b"x", now, TimeZone::KST, &VerifyOptions::default())
                        .unwrap_err()
                        .to_string();
                    assert!(e.contains(if ahead { "ahead of" } else { "behind" }), "{e}");
                }
                other => panic!("{other:?}"),
            }
            let any = VerifyOptions::default().with_max_skew(Duration::MAX);
            signer
                .verify(&token, b"x", now, TimeZone::KST, &any)
                .unwrap();
        }
    }
}
