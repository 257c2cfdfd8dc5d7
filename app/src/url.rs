//! Percent-encoding for URLs and header values. Used by pages, services and the server binary
//! alike, so it lives outside the UI modules.

/// Percent-encodes everything but RFC 3986 unreserved characters.
#[must_use]
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Undoes [`percent_encode`] (and any other `%XX` escapes); `None` for a broken escape or
/// bytes that are not UTF-8.
#[must_use]
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("a%20b%2F%E7%A0%94").as_deref(), Some("a b/研"));
        assert_eq!(percent_decode(&percent_encode("{\"x\":\"审批 1%\"}")).as_deref(), Some("{\"x\":\"审批 1%\"}"));
        assert_eq!(percent_decode("%2"), None);
        assert_eq!(percent_decode("%G0"), None);
        assert_eq!(percent_decode("%FF"), None);
    }

    #[test]
    fn encoding() {
        assert_eq!(percent_encode("a b/研"), "a%20b%2F%E7%A0%94");
        assert_eq!(percent_encode("A-z_0.~"), "A-z_0.~");
    }
}
