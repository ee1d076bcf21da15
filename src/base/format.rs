//! How figures and dates are written on every page and in every export:
//! thousands grouped, half away from zero, the typographic minus, currency
//! symbols, strftime dates. Charts, templates and the partner figures all
//! write numbers through here, so one figure reads the same everywhere.

use chrono::format::{Item, StrftimeItems};

/// `1234567.891` with 2 decimals → `1,234,567.89`.
pub fn format_number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "–".to_string();
    }
    // Half away from zero, as people round money; `format!` alone rounds half to even.
    let factor = 10f64.powi(decimals.min(12) as i32);
    let scaled = (value.abs() * factor).round();
    let mut buffer = [0u8; 32];
    let printed;
    let fixed = if decimals <= 12 && scaled < 1e15 {
        fixed_digits(scaled as u64, decimals, &mut buffer)
    } else {
        printed = format!("{:.*}", decimals, scaled / factor);
        printed.as_str()
    };
    let (whole, fraction) = fixed
        .split_once('.')
        .map_or((fixed, None), |(w, f)| (w, Some(f)));
    let mut out = String::with_capacity(fixed.len() + fixed.len() / 3 + 3);
    // U+2212, the typographic minus, as in the documentation's figures.
    if value < 0.0 && !fixed.bytes().all(|c| c == b'0' || c == b'.') {
        out.push('\u{2212}');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// `scaled` (below 10^15) divided by 10^`decimals` (at most 12), written
/// into `buffer` with `decimals` decimals: what printing the quotient as a
/// float would give, since a double holds 15 significant digits exactly,
/// without the far slower exact float printing. Reports print thousands of
/// figures.
fn fixed_digits(mut scaled: u64, decimals: usize, buffer: &mut [u8; 32]) -> &str {
    let mut start = buffer.len();
    let mut written = 0;
    // At least one digit before the point.
    while written <= decimals || scaled > 0 {
        if written == decimals && decimals > 0 {
            start -= 1;
            buffer[start] = b'.';
        }
        start -= 1;
        buffer[start] = b'0' + (scaled % 10) as u8;
        scaled /= 10;
        written += 1;
    }
    std::str::from_utf8(&buffer[start..]).unwrap_or("0")
}

/// `-1234.5` in EUR → `-€1,235`.
pub fn format_currency(value: f64, code: &str, decimals: usize) -> String {
    let symbol = match code {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        "INR" => "₹",
        _ => "",
    };
    let amount = format_number(value.abs(), decimals);
    let sign = if value < 0.0 && amount.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "\u{2212}"
    } else {
        ""
    };
    if symbol.is_empty() {
        format!("{sign}{amount} {code}")
    } else {
        format!("{sign}{symbol}{amount}")
    }
}

/// Formats a `YYYY-MM-DD` (or RFC 3339) date with a strftime pattern.
pub fn format_date(value: &str, format: &str) -> Result<String, String> {
    let date = chrono::NaiveDate::parse_from_str(value.get(..10).unwrap_or(value), "%Y-%m-%d")
        .map_err(|_| format!("date: `{value}` is not a YYYY-MM-DD date"))?;
    let items: Vec<Item> = StrftimeItems::new(format).collect();
    if items.iter().any(|item| matches!(item, Item::Error)) {
        return Err(format!("date: `{format}` is not a valid date format"));
    }
    Ok(date.format_with_items(items.into_iter()).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_digits_equal_printing_the_float() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let magnitude = 10f64.powi((seed % 16) as i32);
            let value = (seed >> 11) as f64 / (1u64 << 53) as f64 * magnitude;
            for decimals in 0..=3 {
                let factor = 10f64.powi(decimals as i32);
                let scaled = (value * factor).round();
                if scaled < 1e15 {
                    assert_eq!(
                        fixed_digits(scaled as u64, decimals, &mut [0; 32]),
                        format!("{:.*}", decimals, scaled / factor),
                        "{value} with {decimals} decimals"
                    );
                }
            }
        }
    }

    #[test]
    fn numbers_group_thousands() {
        assert_eq!(format_number(1234567.891, 2), "1,234,567.89");
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(format_number(-1000.0, 0), "\u{2212}1,000");
        assert_eq!(format_number(-0.001, 0), "0");
    }

    #[test]
    fn currencies_use_symbols_or_codes() {
        assert_eq!(format_currency(1234.5, "USD", 0), "$1,235");
        assert_eq!(format_currency(-1234.5, "EUR", 2), "\u{2212}€1,234.50");
        assert_eq!(format_currency(10.0, "CHF", 0), "10 CHF");
    }

    #[test]
    fn dates_format_and_reject_nonsense() {
        assert_eq!(
            format_date("2026-03-02", "%-d %B %Y").unwrap(),
            "2 March 2026"
        );
        assert!(format_date("March", "%Y").is_err());
        assert!(format_date("2026-03-02", "%Q").is_err());
    }
}
