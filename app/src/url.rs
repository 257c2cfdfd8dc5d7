//! Building URLs: percent-encoding and the error parameter a plain form post is sent back
//! with. Used by pages, services and the server binary alike, so it lives outside the UI
//! modules.

/// `url` with `__err=<json>` in its query (any earlier `__err` removed).
#[must_use]
pub fn url_with_error(url: &str, json: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut parts: Vec<String> =
        query.split('&').filter(|p| !p.is_empty() && !p.starts_with("__err=")).map(str::to_owned).collect();
    parts.push(format!("__err={}", percent_encode(json)));
    format!("{base}?{}", parts.join("&"))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_in_url() {
        assert_eq!(url_with_error("/login", "{}"), "/login?__err=%7B%7D");
        assert_eq!(url_with_error("/login?next=%2F&__err=old", "x"), "/login?next=%2F&__err=x");
    }

    #[test]
    fn encoding() {
        assert_eq!(percent_encode("a b/研"), "a%20b%2F%E7%A0%94");
        assert_eq!(percent_encode("A-z_0.~"), "A-z_0.~");
    }
}
