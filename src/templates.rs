//! Templates: compiles a [`Theme`]'s templates with Tera 2, registers the
//! domain filters (`number`, `percent`, `currency`, `date`) and the `url`
//! function, and turns Tera's errors into diagnostics that name the template
//! file, line and column. `docs/templates.md` documents what each template
//! receives.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::format::{Item, StrftimeItems};
use tera::{Context, ErrorKind, Kwargs, State, Tera, TeraResult, Value};

use crate::charts;

use crate::diagnostics::Diagnostic;
use crate::markdown::LinkTargets;
use crate::theme::{TemplateSource, Theme};

/// Compiled templates ready to render, plus their sources for error reports.
pub struct Templates {
    tera: Tera,
    sources: BTreeMap<String, TemplateSource>,
}

impl Templates {
    /// Compiles every template of `theme`; links in templates resolve through
    /// `targets`.
    pub fn new(
        theme: &Theme,
        targets: Arc<LinkTargets>,
        levels: Vec<String>,
    ) -> Result<Templates, Vec<Diagnostic>> {
        let mut tera = Tera::new();
        register_filters(&mut tera);
        register_charts(&mut tera, levels);
        tera.register_function("url", move |kwargs: Kwargs, _: &State| {
            url(&targets, &kwargs)
        });
        let sources = theme.templates.clone();
        let added = tera.add_raw_templates(
            sources
                .iter()
                .map(|(name, source)| (name.as_str(), source.text.as_ref())),
        );
        let templates = Templates { tera, sources };
        match added {
            Ok(()) => Ok(templates),
            Err(error) => Err(templates.all_syntax_errors(&error)),
        }
    }

    /// Tera stops at the first broken template; parse each one alone to
    /// report every syntax error of the run, falling back to the first error
    /// when it is not about syntax (a missing parent, a circular include).
    fn all_syntax_errors(&self, first: &tera::Error) -> Vec<Diagnostic> {
        let mut problems: Vec<Diagnostic> = self
            .sources
            .iter()
            .filter_map(|(name, source)| {
                let error = Tera::new().add_raw_template(name, &source.text).err()?;
                matches!(error.kind(), ErrorKind::SyntaxError(_))
                    .then(|| self.diagnostic(&error, None))
            })
            .collect();
        if problems.is_empty() {
            problems.push(self.diagnostic(first, None));
        }
        problems
    }

    /// Sets the values every template sees (`site`, `catalog`, …).
    pub fn set_globals(&mut self, globals: Context) {
        self.tera.global_context().extend(globals);
    }

    /// True when the theme has a template of this name.
    pub fn has(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// Renders `name` with `context`.
    pub fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera
            .render(name, context)
            .map_err(|error| self.diagnostic(&error, Some(name)))
    }

    fn diagnostic(&self, error: &tera::Error, rendering: Option<&str>) -> Diagnostic {
        let message = chain_message(error);
        if let ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) = error.kind()
            && let Some(source) = self.sources.get(report.filename())
        {
            return Diagnostic::new(
                &source.file,
                source.text.clone(),
                report.span().range.clone(),
                message,
            )
            .expected(expectation(error));
        }
        if let (ErrorKind::TemplateNotFound(missing), Some(_)) = (error.kind(), rendering) {
            return Diagnostic::new(
                Path::new("templates").join(missing),
                Arc::from(""),
                0..0,
                message,
            )
            .expected(format!(
                "a template `{missing}` in the site's templates/ or its theme"
            ));
        }
        let fallback = rendering
            .and_then(|name| self.sources.get(name))
            .or_else(|| self.sources.values().next());
        match fallback {
            Some(source) => Diagnostic::new(&source.file, source.text.clone(), 0..0, message),
            None => Diagnostic::new("templates", Arc::from(""), 0..0, message),
        }
    }
}

fn expectation(error: &tera::Error) -> String {
    match error.kind() {
        ErrorKind::SyntaxError(_) => "valid Tera 2 syntax (see docs/templates.md)".to_string(),
        _ => "only variables, filters and functions documented in docs/templates.md".to_string(),
    }
}

/// Tera nests the real cause (a filter's complaint, a missing variable) under
/// its own message; show them together.
fn chain_message(error: &tera::Error) -> String {
    let mut message = match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            report.message().to_string()
        }
        _ => error.to_string(),
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

fn register_filters(tera: &mut Tera) {
    tera.register_filter(
        "number",
        |value: f64, kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let decimals = kwargs.get::<usize>("decimals")?.unwrap_or(0);
            Ok(format_number(value, decimals))
        },
    );
    tera.register_filter(
        "percent",
        |value: f64, kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let decimals = kwargs.get::<usize>("decimals")?.unwrap_or(0);
            Ok(format!("{}%", format_number(value * 100.0, decimals)))
        },
    );
    tera.register_filter(
        "currency",
        |value: f64, kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let code = kwargs.get::<&str>("code")?.unwrap_or("USD");
            let decimals = kwargs.get::<usize>("decimals")?.unwrap_or(0);
            Ok(format_currency(value, code, decimals))
        },
    );
    tera.register_filter(
        "date",
        |value: &str, kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let format = kwargs.get::<&str>("format")?.unwrap_or("%-d %B %Y");
            format_date(value, format).map_err(tera::Error::message)
        },
    );
}

/// Chart functions return finished, escaped HTML, so it is marked safe.
fn register_charts(tera: &mut Tera, levels: Vec<String>) {
    tera.register_function(
        "chart_levels",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let title = kwargs.get::<&str>("title")?.unwrap_or("Level mix");
            let rows: Vec<charts::StackedRow> = deserialize(&kwargs, "rows")?;
            Ok(Value::safe_string(&charts::stacked_bars(
                title, &levels, &rows,
            )))
        },
    );
    tera.register_function(
        "chart_bars",
        |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let title: &str = kwargs.must_get("title")?;
            let unit = kwargs.get::<&str>("unit")?.unwrap_or("");
            let bars: Vec<charts::Bar> = deserialize(&kwargs, "bars")?;
            let max = kwargs.get::<f64>("max")?;
            let compare_label = kwargs.get::<&str>("compare_label")?;
            Ok(Value::safe_string(&charts::bars(
                title,
                unit,
                &bars,
                max,
                compare_label,
            )))
        },
    );
    tera.register_function(
        "chart_trend",
        |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let title: &str = kwargs.must_get("title")?;
            let unit = kwargs.get::<&str>("unit")?.unwrap_or("");
            let points: Vec<charts::Point> = deserialize(&kwargs, "points")?;
            let baseline = kwargs.get::<Value>("baseline")?.and_then(|v| v.as_f64());
            let compact = kwargs.get::<bool>("compact")?.unwrap_or(false);
            Ok(Value::safe_string(&charts::trend(
                title, unit, &points, baseline, compact,
            )))
        },
    );
}

/// Reads a list argument into typed rows, naming the argument on failure.
fn deserialize<T: serde::de::DeserializeOwned>(kwargs: &Kwargs, key: &str) -> TeraResult<T> {
    let value: Value = kwargs.must_get(key)?;
    let json =
        serde_json::to_value(&value).map_err(|e| tera::Error::message(format!("{key}: {e}")))?;
    serde_json::from_value(json).map_err(|e| tera::Error::message(format!("{key}: {e}")))
}

fn url(targets: &LinkTargets, kwargs: &Kwargs) -> TeraResult<String> {
    let path: &str = kwargs.must_get("path")?;
    if let Some(source) = path.strip_prefix("@/") {
        let (source, fragment) = source
            .split_once('#')
            .map_or((source, None), |(s, f)| (s, Some(f)));
        let target = targets
            .paths
            .get(source)
            .ok_or_else(|| tera::Error::message(format!("url(): no content file `{source}`")))?;
        let mut url = targets.url(target);
        if let Some(fragment) = fragment {
            url.push('#');
            url.push_str(fragment);
        }
        return Ok(url);
    }
    if path.contains("://") {
        return Ok(path.to_string());
    }
    Ok(targets.url(path))
}

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
