//! Templates: compiles a [`Theme`]'s templates with Tera 2, registers the
//! domain filters (`number`, `percent`, `currency`, `date`) and the `url`
//! function, and turns Tera's errors into diagnostics that name the template
//! file, line and column. `docs/templates.md` documents what each template
//! receives.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use tera::{Context, ErrorKind, Kwargs, State, Tera, TeraResult, Value};

use crate::render::charts;

use crate::base::codes::Code;
use crate::base::diagnostics::Diagnostic;
use crate::base::format::{format_currency, format_date, format_number};
use crate::input::theme::{TemplateSource, Theme};
use crate::render::markdown::LinkTargets;

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
                Code::Template,
                &source.file,
                source.text.clone(),
                report.span().range.clone(),
                message,
            )
            .expected(expectation(error));
        }
        if let (ErrorKind::TemplateNotFound(missing), Some(_)) = (error.kind(), rendering) {
            return Diagnostic::new(
                Code::Template,
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
            Some(source) => Diagnostic::new(
                Code::Template,
                &source.file,
                source.text.clone(),
                0..0,
                message,
            ),
            None => Diagnostic::new(Code::Template, "templates", Arc::from(""), 0..0, message),
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
            let points: Vec<charts::TrendPoint> = deserialize(&kwargs, "points")?;
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
        return targets
            .content_url(source, fragment)
            .ok_or_else(|| tera::Error::message(format!("url(): no content file `{source}`")));
    }
    if path.contains("://") {
        return Ok(path.to_string());
    }
    Ok(targets.url(path))
}
