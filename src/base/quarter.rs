//! Calendar quarters (`2026-Q1`): the unit partner KPIs are reported in,
//! parsed, ordered and stepped.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// A calendar quarter such as 2026-Q1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Quarter {
    /// Calendar year.
    pub year: i32,
    /// 1 to 4.
    pub number: u8,
}

impl Quarter {
    /// Parses `YYYY-Qn`.
    pub fn parse(text: &str) -> Option<Quarter> {
        let (year, number) = text.split_once("-Q")?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(number, 1) {
            return None;
        }
        let year: i32 = year.parse().ok().filter(|y| (1900..=2999).contains(y))?;
        let number: u8 = number.parse().ok().filter(|n| (1..=4).contains(n))?;
        Some(Quarter { year, number })
    }

    /// The quarter a date falls in.
    pub fn of(date: NaiveDate) -> Quarter {
        Quarter {
            year: date.year(),
            number: (date.month0() / 3 + 1) as u8,
        }
    }

    /// The quarter after this one.
    pub fn next(self) -> Quarter {
        if self.number == 4 {
            Quarter {
                year: self.year + 1,
                number: 1,
            }
        } else {
            Quarter {
                year: self.year,
                number: self.number + 1,
            }
        }
    }

    /// The last day of the quarter.
    pub fn last_day(self) -> NaiveDate {
        let next = self.next();
        NaiveDate::from_ymd_opt(next.year, u32::from(next.number - 1) * 3 + 1, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_parse_order_and_step() {
        let q = Quarter::parse("2025-Q4").expect("quarter");
        assert_eq!(q.next().to_string(), "2026-Q1");
        assert_eq!(q.last_day(), NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
        assert!(Quarter::parse("2025-Q5").is_none());
        assert!(Quarter::parse("2025Q1").is_none());
        assert_eq!(
            Quarter::of(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()).to_string(),
            "2026-Q2"
        );
    }
}
