//! Money as an exact number of fen (0.01 CNY). Never a float: amounts are parsed from
//! decimal text, added as integers, and compared exactly.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in fen (hundredths of a yuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(pub i64);

/// Why text is not an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    Empty,
    NotANumber,
    TooManyDecimals,
    TooLarge,
}

/// The largest amount accepted: one hundred billion yuan.
pub const MAX_FEN: i64 = 10_000_000_000_000;

impl Money {
    /// Parses `1234`, `1234.5`, `1,234.50`, `-3.20` or `¥1234.00` (two decimals at most).
    ///
    /// # Errors
    /// The reason the text is not an amount.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let t: String = text.trim().trim_start_matches(['¥', '￥']).chars().filter(|c| *c != ',').collect();
        if t.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (neg, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.as_str()),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && frac.is_empty() {
            return Err(MoneyError::NotANumber);
        }
        if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(MoneyError::NotANumber);
        }
        if frac.len() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
        if whole.len() > 15 {
            return Err(MoneyError::TooLarge);
        }
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| MoneyError::TooLarge)? };
        let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| MoneyError::NotANumber)?;
        let fen = whole.checked_mul(100).and_then(|w| w.checked_add(frac)).ok_or(MoneyError::TooLarge)?;
        if fen > MAX_FEN {
            return Err(MoneyError::TooLarge);
        }
        Ok(Self(if neg { -fen } else { fen }))
    }

    /// The sum, or `None` on overflow past the limit.
    #[must_use]
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).filter(|v| v.abs() <= MAX_FEN * 1000).map(Self)
    }

    /// Whether the amount is below zero.
    #[must_use]
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for Money {
    /// `1234.50`: two decimals, no grouping (the canonical text form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let v = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", v / 100, v % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly() {
        assert_eq!(Money::parse("8000"), Ok(Money(800_000)));
        assert_eq!(Money::parse("0.1"), Ok(Money(10)));
        assert_eq!(Money::parse("1,234.56"), Ok(Money(123_456)));
        assert_eq!(Money::parse(" ¥12.30 "), Ok(Money(1230)));
        assert_eq!(Money::parse("-3.2"), Ok(Money(-320)));
        assert_eq!(Money::parse(".5"), Ok(Money(50)));
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        assert_eq!(Money::parse("12a"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("1.234"), Err(MoneyError::TooManyDecimals));
        assert_eq!(Money::parse("1e5"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("."), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("99999999999999999999"), Err(MoneyError::TooLarge));
    }

    #[test]
    fn sums_never_drift() {
        // 0.1 + 0.2 is exactly 0.3, unlike f64.
        let s = Money::parse("0.1").unwrap().checked_add(Money::parse("0.2").unwrap()).unwrap();
        assert_eq!(s, Money::parse("0.3").unwrap());
        assert_eq!(Money(800_000).to_string(), "8000.00");
        assert_eq!(Money(-5).to_string(), "-0.05");
    }
}
