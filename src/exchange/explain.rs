//! Why a request was refused, in the words a developer needs: what the
//! error code on the wire leaves out. For a server's log, never its answer.

use std::time::SystemTime;

use super::server::Server;
use crate::envelope::open_envelope;
use crate::error::Error;
use crate::header_name::HeaderName;
use crate::headers::RequestHeaders;
use crate::jwe::KeySelection;
use crate::keyring::Keyring;
use crate::routes::RequestProtection;
use crate::tenants::Tenant;
use crate::time::{DateTime, TimeFormat, TimeZone, unix_millis};

impl Server {
    /// Why `error` refused this request (`method`, `path`, its headers and
    /// its body as received), for a log: which header is missing or
    /// malformed and what it should hold; for a MAC that does not match,
    /// the body's length and the common mistake that explains the MAC, if
    /// one does ([`TokenSigner::diagnose`](crate::TokenSigner::diagnose),
    /// and a MAC over the clear body of an envelope); for a token time
    /// outside the window, by how much and whether another zone explains
    /// it; for a key it does not hold, the ids it holds. It names no
    /// secret, key or body content; key ids and ASP ids are not secret.
    ///
    /// Costs a few MACs over the body: for refused requests only.
    pub fn explain<'a, I>(
        &self,
        method: &str,
        path: &str,
        headers: I,
        body: &[u8],
        now: SystemTime,
        error: &Error,
    ) -> String
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let parsed = RequestHeaders::parse(headers, self.verify_options()).ok();
        let tenant = parsed.as_ref().and_then(|h| self.tenant_for(h.asp_id()));
        let asp_id = || {
            parsed
                .as_ref()
                .map_or_else(|| "?".to_owned(), |h| h.asp_id().to_string())
        };
        let keys = || tenant.as_ref().map(|t| t.keys().load());
        match error {
            Error::MissingHeader(header) => {
                format!("{header} is missing: {}", what_it_holds(*header))
            }
            Error::InvalidHeader { header, .. } => {
                format!(
                    "{error}; {header} holds {}{}",
                    what_it_holds(*header),
                    hex_mac_hint(*header, error)
                )
            }
            Error::TokenMismatch => match (&parsed, &tenant) {
                (Some(headers), Some(tenant)) => {
                    self.explain_mac(method, path, headers, tenant, body)
                }
                _ => error.to_string(),
            },
            Error::TokenTimeOutsideWindow {
                offset_ms,
                max_skew_ms,
            } => match &parsed {
                Some(headers) => explain_window(headers, *offset_ms, *max_skew_ms, now),
                None => error.to_string(),
            },
            Error::UnknownKeyId { key_id } => format!(
                "X-KM-Crypto-Key-Id names key {key_id}, which this server does not hold; it holds {}",
                held(keys().as_ref())
            ),
            Error::KeyIdMismatch { expected } => format!(
                "{error}: the JWE's own kid names another key than the {expected} of X-KM-Crypto-Key-Id (the key the request names wins; this server holds {})",
                held(keys().as_ref())
            ),
            Error::DecryptionFailed => format!(
                "{error}: the JWE does not open under the key X-KM-Crypto-Key-Id names ({}): sealed to another key, or changed on the way",
                parsed
                    .as_ref()
                    .and_then(RequestHeaders::crypto_key_id)
                    .map_or_else(|| "none".to_owned(), ToString::to_string)
            ),
            Error::UnknownAspId => format!(
                "X-KM-User-AspId {} is not a service provider of this server",
                asp_id()
            ),
            Error::UnknownAccessKey => format!(
                "the X-KM-Access-Key sent is not one issued to ASP id {} (the access key is the project's, 40 characters; the secret is never sent)",
                asp_id()
            ),
            Error::RouteNotFound { .. } => {
                // Each other method once, however many of its routes there are.
                let mut others: Vec<&str> = self.routes().iter().map(|r| r.method()).collect();
                others.sort_unstable();
                others.dedup();
                others.retain(|m| *m != method && self.routes().find(m, path).is_ok());
                if others.is_empty() {
                    format!("{error}: no route of the table has this path")
                } else {
                    format!("{error}: the path is a route for {}", others.join(", "))
                }
            }
            Error::Replayed => format!(
                "{error}: a request with this token's MAC was accepted within the window; the MAC covers the body only, so a retry of the same body is refused until the window passes (a fresh time does not help)"
            ),
            other => other.to_string(),
        }
    }

    /// A MAC that does not match: the body's length and the mistake, if
    /// one explains it.
    fn explain_mac(
        &self,
        method: &str,
        path: &str,
        headers: &RequestHeaders,
        tenant: &Tenant,
        body: &[u8],
    ) -> String {
        let signer = tenant.signer();
        let token = headers.token();
        let received = format!(
            "the token's MAC does not match the body received ({} bytes)",
            body.len()
        );
        if let Some(mistake) = signer.diagnose(token, body) {
            return format!("{received}: {mistake}");
        }
        // On an envelope route the MAC is over the envelope as sent; a
        // client that signs the clear body before sealing it is told so.
        let envelope = self
            .routes()
            .find(method, path)
            .is_ok_and(|r| r.route().request() == RequestProtection::Envelope);
        if envelope && let Some(id) = headers.crypto_key_id() {
            let opener = tenant.keys().load().opener(KeySelection::Named(*id));
            if let Ok(clear) = open_envelope(body, &opener)
                && signer.check_mac(token, &clear).is_ok()
            {
                return format!(
                    "{received}: the MAC is over the clear body, not the {{\"encData\": ...}} envelope sent: seal first, then sign the envelope's bytes"
                );
            }
        }
        format!(
            "{received}; none of the usual mistakes explains it (the base64 of the body, a trailing newline, the body re-serialised, an empty body, the secret base64-decoded{}): check the secret, and sign the exact bytes sent",
            if envelope {
                ", the clear body of the envelope"
            } else {
                ""
            }
        )
    }
}

/// What a header holds, for a developer who sent it wrong.
fn what_it_holds(header: HeaderName) -> &'static str {
    match header {
        HeaderName::UserAspId => "the 15-character ASP id given at contract time",
        HeaderName::CorrelationId => {
            "yyMMddHHmmss-xxxxxxx: 12 digits of the request time in its zone, '-', 7 hex digits"
        }
        HeaderName::AccessKey => {
            "the project's 40-character access key (absent only on the platform's callbacks)"
        }
        HeaderName::CryptoKeyId => {
            "the 32-character id of the key that protects the bodies (required where a body is encrypted)"
        }
        HeaderName::TranToken => {
            "KMV1:yyyyMMddHHmmssSSS:base64(HMAC-SHA256(secret, body)): 66 characters, or 67 with the base64 '='"
        }
        HeaderName::TranTime => {
            "yyyyMMddHHmmss: the token time's first 14 digits (or the second after)"
        }
        HeaderName::TimeZone => "the zone the times are written in, three letters: UTC, KST, ...",
    }
}

/// A token whose MAC part is 64 hex digits: the digest hex-encoded.
fn hex_mac_hint(header: HeaderName, error: &Error) -> &'static str {
    let looks_hex =
        matches!(error, Error::InvalidHeader { reason, .. } if reason.contains("found 87"));
    if header == HeaderName::TranToken && looks_hex {
        "; 87 characters is the MAC in hex (64 digits): it is base64 (43, or 44 with '=')"
    } else {
        ""
    }
}

/// The key ids `keys` holds, in issue order.
fn held(keys: Option<&Keyring>) -> String {
    match keys {
        Some(ring) if !ring.is_empty() => ring
            .iter()
            .map(|e| e.id().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        _ => "no key".to_owned(),
    }
}

fn seconds(ms: i64) -> String {
    format!("{:.1} s", ms.unsigned_abs() as f64 / 1000.0)
}

/// A token time outside the window: by how much, in which zone, and
/// whether the time read in another zone (or a whole number of hours off)
/// explains it.
fn explain_window(
    headers: &RequestHeaders,
    offset_ms: i64,
    max_skew_ms: i64,
    now: SystemTime,
) -> String {
    let token = headers.token().time();
    let zone = headers.zone();
    let t17 = |t: DateTime| {
        t.format(TimeFormat::Millis17)
            .map_or_else(|_| "?".to_owned(), |s| s.as_str().to_owned())
    };
    let clock = DateTime::from_system_time(now, zone).map_or_else(|_| "?".to_owned(), t17);
    let side = if offset_ms > 0 { "ahead of" } else { "behind" };
    let mut text = format!(
        "the token time {} read in {zone} (X-KM-Time-Zone) is {} {side} this server's clock ({clock} {zone}); the window is {} either way",
        t17(token),
        seconds(offset_ms),
        seconds(max_skew_ms)
    );
    let now_ms = unix_millis(now).unwrap_or(0);
    let fits = [TimeZone::UTC, TimeZone::KST]
        .into_iter()
        .filter(|z| *z != zone)
        .map(|z| (z, token.to_unix_millis(z).saturating_sub(now_ms)))
        .find(|(_, off)| off.abs() <= max_skew_ms);
    if let Some((other, off)) = fits {
        text.push_str(&format!(
            ": read in {other} it is {} off, so the time was written in {other}, not in {zone} as X-KM-Time-Zone says",
            seconds(off)
        ));
        return text;
    }
    let hours = (offset_ms as f64 / 3_600_000.0).round() as i64;
    if hours != 0 && (offset_ms - hours * 3_600_000).abs() <= max_skew_ms {
        text.push_str(&format!(
            ": that is {} h, so the time was likely written in a zone {} h {} {zone}; X-KM-Time-Zone must name the zone the time is written in",
            hours.abs(),
            hours.abs(),
            if hours > 0 { "east of" } else { "west of" }
        ));
    } else {
        text.push_str(": the client's clock is off, or the request was held (or replayed)");
    }
    text
}
