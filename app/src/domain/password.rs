//! Password policy (SPEC ORG-4): length, character mix, not the username. (The server also
//! refuses the most common passwords: `auth::server::check_new_password`.)

use super::error::ErrorCode;

/// Minimum length of a password.
pub const MIN_LEN: usize = 10;
/// Maximum length accepted (hashing cost stays bounded).
pub const MAX_LEN: usize = 128;

/// Checks a new password against the policy.
///
/// # Errors
/// The first rule the password breaks.
pub fn check_policy(username: &str, password: &str) -> Result<(), ErrorCode> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(ErrorCode::PasswordTooShort);
    }
    if len > MAX_LEN {
        return Err(ErrorCode::TooLong);
    }
    let lower = password.to_lowercase();
    let user = username.trim().to_lowercase();
    if !user.is_empty() && lower.contains(&user) {
        return Err(ErrorCode::PasswordContainsUsername);
    }
    let letters = password.chars().any(char::is_alphabetic);
    let digits = password.chars().any(|c| c.is_ascii_digit());
    let symbols = password.chars().any(|c| !c.is_alphanumeric());
    if [letters, digits, symbols].into_iter().filter(|b| *b).count() < 2 {
        return Err(ErrorCode::PasswordTooWeak);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(check_policy("zhang.wei", "short1"), Err(ErrorCode::PasswordTooShort));
        assert_eq!(check_policy("zhang.wei", "Secret-26"), Err(ErrorCode::PasswordTooShort), "9 characters");
        assert_eq!(check_policy("zhang.wei", "abcdefghij"), Err(ErrorCode::PasswordTooWeak));
        assert_eq!(check_policy("zhang.wei", "Secret-202"), Ok(()), "10 characters");
        assert_eq!(check_policy("zhang.wei", "1234567890"), Err(ErrorCode::PasswordTooWeak));
        assert_eq!(check_policy("zhang.wei", "Zhang.Wei2026"), Err(ErrorCode::PasswordContainsUsername));
        assert_eq!(check_policy("zhang.wei", &"a1".repeat(65)), Err(ErrorCode::TooLong));
        assert_eq!(check_policy("zhang.wei", "通办办公2026年春季"), Ok(()));
        assert_eq!(check_policy("zhang.wei", "correct-horse"), Ok(()));
    }
}
