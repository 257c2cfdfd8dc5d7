//! Validation of names and contact fields, shared by the forms and the services.

use super::error::{ErrorCode, Invalid};

/// A trimmed, required, single-line text of at most `max` characters.
///
/// # Errors
/// `Required`, `TooLong` or `InvalidFormat` (control characters) on `field`.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Invalid::new(field, ErrorCode::Required));
    }
    optional_text(field, v, max)
}

/// A trimmed, optional, single-line text of at most `max` characters.
///
/// # Errors
/// `TooLong` or `InvalidFormat` on `field`.
pub fn optional_text(field: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(Invalid::new(field, ErrorCode::TooLong));
    }
    if v.chars().any(char::is_control) {
        return Err(Invalid::new(field, ErrorCode::InvalidFormat));
    }
    Ok(v.to_owned())
}

/// An optional date as people type it (`YYYY-MM-DD`); empty means none.
///
/// # Errors
/// `InvalidFormat` on `field`.
pub fn optional_day(field: &str, value: Option<&str>) -> Result<Option<chrono::NaiveDate>, Invalid> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => super::time::parse_day(s).map(Some).ok_or_else(|| Invalid::new(field, ErrorCode::InvalidFormat)),
    }
}

/// A username: 3–32 characters, lower-case letters, digits, `.`, `_`, `-`, starting with a letter.
///
/// # Errors
/// `Required`, `TooLong` or `InvalidFormat` on `username`.
pub fn username(value: &str) -> Result<String, Invalid> {
    let v = value.trim().to_lowercase();
    if v.is_empty() {
        return Err(Invalid::new("username", ErrorCode::Required));
    }
    if v.len() > 32 {
        return Err(Invalid::new("username", ErrorCode::TooLong));
    }
    let mut chars = v.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !first_ok || !rest_ok || v.len() < 3 {
        return Err(Invalid::new("username", ErrorCode::InvalidFormat));
    }
    Ok(v)
}

/// An optional phone number: digits, spaces, `+`, `-`, at most 20 characters.
///
/// # Errors
/// `TooLong` or `InvalidFormat` on `phone`.
pub fn phone(value: &str) -> Result<String, Invalid> {
    let v = optional_text("phone", value, 20)?;
    if !v.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-')) {
        return Err(Invalid::new("phone", ErrorCode::InvalidFormat));
    }
    Ok(v)
}

/// An optional e-mail address (one `@`, a dot in the domain, no spaces).
///
/// # Errors
/// `TooLong` or `InvalidFormat` on `email`.
pub fn email(value: &str) -> Result<String, Invalid> {
    let v = optional_text("email", value, 120)?;
    if v.is_empty() {
        return Ok(v);
    }
    let ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }
        None => false,
    };
    if !ok || v.contains(char::is_whitespace) {
        return Err(Invalid::new("email", ErrorCode::InvalidFormat));
    }
    Ok(v)
}

/// A supported UI locale.
///
/// # Errors
/// `InvalidFormat` on `locale`.
pub fn locale(value: &str) -> Result<String, Invalid> {
    match value {
        "zh-CN" | "en" => Ok(value.to_owned()),
        _ => Err(Invalid::new("locale", ErrorCode::InvalidFormat)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(username(" Zhang.Wei ").unwrap(), "zhang.wei");
        assert!(username("").is_err());
        assert!(username("1abc").is_err());
        assert!(username("ab").is_err());
        assert!(username("a b c").is_err());
        assert!(username("robert'); drop table users;--").is_err());
        assert!(username(&"a".repeat(33)).is_err());
    }

    #[test]
    fn texts() {
        assert_eq!(required_text("name", "  研发部 ", 10).unwrap(), "研发部");
        assert!(required_text("name", "   ", 10).is_err());
        assert!(required_text("name", "一二三四五六七八九十一", 10).is_err());
        assert!(required_text("name", "a\u{0}b", 10).is_err());
        // HTML-looking text is stored as typed; rendering escapes it.
        assert_eq!(required_text("name", "<script>x</script>", 40).unwrap(), "<script>x</script>");
    }

    #[test]
    fn contacts() {
        assert_eq!(phone("+86 138-0000-0000").unwrap(), "+86 138-0000-0000");
        assert!(phone("call me").is_err());
        assert!(email("a@b.cn").is_ok());
        assert!(email("").is_ok());
        assert!(email("a@b").is_err());
        assert!(email("a b@c.cn").is_err());
        assert!(locale("fr").is_err());
    }
}
