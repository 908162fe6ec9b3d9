//! The names of the `X-KM-*` headers: a leaf that the error type and every
//! header-handling module import.

use core::fmt;

/// The names of the `X-KM-*` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum HeaderName {
    /// `X-KM-User-AspId`
    UserAspId,
    /// `X-KM-Correlation-Id`
    CorrelationId,
    /// `X-KM-Access-Key`
    AccessKey,
    /// `X-KM-Crypto-Key-Id`
    CryptoKeyId,
    /// `X-KM-Tran-Token`
    TranToken,
    /// `X-KM-Tran-Time`
    TranTime,
    /// `X-KM-Time-Zone`
    TimeZone,
}

impl HeaderName {
    /// Every header, in the order of the API pages.
    pub const ALL: [HeaderName; 7] = [
        HeaderName::UserAspId,
        HeaderName::CorrelationId,
        HeaderName::AccessKey,
        HeaderName::CryptoKeyId,
        HeaderName::TranToken,
        HeaderName::TranTime,
        HeaderName::TimeZone,
    ];

    /// The canonical spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            HeaderName::UserAspId => "X-KM-User-AspId",
            HeaderName::CorrelationId => "X-KM-Correlation-Id",
            HeaderName::AccessKey => "X-KM-Access-Key",
            HeaderName::CryptoKeyId => "X-KM-Crypto-Key-Id",
            HeaderName::TranToken => "X-KM-Tran-Token",
            HeaderName::TranTime => "X-KM-Tran-Time",
            HeaderName::TimeZone => "X-KM-Time-Zone",
        }
    }

    /// The header a name stands for, ignoring ASCII case and surrounding
    /// white space; `None` for any other name.
    pub fn from_name(name: &str) -> Option<HeaderName> {
        let name = name.trim();
        HeaderName::ALL
            .into_iter()
            .find(|h| h.as_str().eq_ignore_ascii_case(name))
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
