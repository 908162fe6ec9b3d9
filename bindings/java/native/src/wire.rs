//! Lists of byte strings in one `byte[]`: each item is its length (4
//! bytes, big-endian) and its bytes. Header pairs are a list of name, value,
//! name, value... The Java side's `Wire` class reads and writes the same.

use crate::call::{Fail, Result};

/// Items in the wire format.
pub(crate) fn encode<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        let len = u32::try_from(item.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(item);
    }
    out
}

/// Header pairs in the wire format.
pub(crate) fn encode_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<u8> {
    encode(
        pairs
            .into_iter()
            .flat_map(|(name, value)| [name.as_bytes(), value.as_bytes()]),
    )
}

/// The items of `data`, as UTF-8 text.
pub(crate) fn decode(data: &[u8]) -> Result<Vec<&str>> {
    let mut items = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let (len, tail) = rest.split_first_chunk::<4>().ok_or_else(bad)?;
        let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| bad())?;
        if tail.len() < len {
            return Err(bad());
        }
        let (item, tail) = tail.split_at(len);
        items.push(core::str::from_utf8(item).map_err(|_| bad())?);
        rest = tail;
    }
    Ok(items)
}

/// Header pairs from `data`.
pub(crate) fn decode_pairs(data: &[u8]) -> Result<Vec<(&str, &str)>> {
    let items = decode(data)?;
    if items.len() % 2 != 0 {
        return Err(bad());
    }
    Ok(items.chunks_exact(2).map(|p| (p[0], p[1])).collect())
}

/// Data the Java side's `Wire` did not write: a bug there.
fn bad() -> Fail {
    Fail::Bug("a list not in the wire format")
}
