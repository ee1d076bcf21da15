//! Templates: compiles a [`Theme`]'s templates with Tera 2, registers the
//! domain filters (`number`, `percent`, `currency`, `date`) and the `url`
//! function, and turns Tera's errors into diagnostics that name the template
//! file, line and column. `docs/templates.md` documents what each template
//! receives. A page is rendered through a writer that holds it to the
//! run's [`Budget`]: Tera cannot be interrupted, but it stops at the first
//! write that fails, so the writer ends a render that writes too much, runs
//! too long or is no longer wanted ([`Interrupt`]).

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tera::{Context, ErrorKind, Kwargs, State, Tera, TeraResult, Value};

use crate::render::charts;

use crate::base::codes::Code;
use crate::base::diagnostics::Diagnostic;
use crate::base::format::{format_currency, format_date, format_number};
use crate::input::limits::Limits;
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

    /// Renders `name` with `context` within `budget`.
    pub fn render_within(
        &self,
        name: &str,
        context: &Context,
        budget: &Budget,
    ) -> Result<Vec<u8>, RenderError> {
        let mut writer = Bounded::new(budget);
        let rendered = self.tera.render_to(name, context, &mut writer);
        let overrun = writer.finish();
        match (rendered, overrun) {
            (_, Some(overrun)) => Err(RenderError::Overrun(overrun)),
            (Err(error), None) => Err(RenderError::Template(self.diagnostic(&error, Some(name)))),
            (Ok(()), None) => Ok(writer.page),
        }
    }

    /// The file a template was read from (`templates/page.html`).
    pub fn file_of(&self, name: &str) -> Option<&Path> {
        self.sources.get(name).map(|source| source.file.as_path())
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
        if let Some(problem) = self.recursion(error) {
            return problem;
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

/// Why a page's render failed.
#[derive(Debug)]
pub enum RenderError {
    /// A mistake in a template, located in it.
    Template(Diagnostic),
    /// The render went past its budget; the caller says which page.
    Overrun(Overrun),
}

/// Which part of a [`Budget`] a render went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overrun {
    /// The page grew past `max_page_bytes`.
    PageBytes(u64),
    /// The pages together grew past `max_output_bytes`.
    OutputBytes(u64),
    /// The page took longer than `max_page_milliseconds`.
    Time(Duration),
    /// Its result is no longer wanted ([`Interrupt`]).
    Interrupted,
}

impl fmt::Display for Overrun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Overrun::PageBytes(max) => write!(
                f,
                "the page grew past {max} bytes ([limits] max_page_bytes)"
            ),
            Overrun::OutputBytes(max) => write!(
                f,
                "the rendered pages together grew past {max} bytes ([limits] max_output_bytes)"
            ),
            Overrun::Time(max) => write!(
                f,
                "the page took longer than {} ms to render ([limits] max_page_milliseconds)",
                max.as_millis()
            ),
            Overrun::Interrupted => write!(f, "the render was interrupted by a newer change"),
        }
    }
}

/// Asks a render in progress to stop because its result is no longer
/// wanted (the live preview, when a newer change arrives). Checked between
/// writes, like the rest of the [`Budget`].
#[derive(Clone, Default)]
pub struct Interrupt(Option<Arc<dyn Fn() -> bool + Send + Sync>>);

impl Interrupt {
    /// Stops renders once `requested` returns true.
    pub fn when(requested: impl Fn() -> bool + Send + Sync + 'static) -> Interrupt {
        Interrupt(Some(Arc::new(requested)))
    }

    /// Whether a render should stop now.
    pub fn requested(&self) -> bool {
        self.0.as_ref().is_some_and(|requested| requested())
    }
}

impl fmt::Debug for Interrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Interrupt(set)"
        } else {
            "Interrupt(none)"
        })
    }
}

/// Every interrupt is alike: it says nothing about what is rendered.
impl PartialEq for Interrupt {
    fn eq(&self, _: &Interrupt) -> bool {
        true
    }
}

/// What the renders of one run may produce and take, shared by its pages.
pub struct Budget {
    page_bytes: u64,
    output_bytes: u64,
    page_time: Duration,
    /// Bytes the run's pages have produced so far.
    used: AtomicU64,
    interrupt: Interrupt,
}

impl Budget {
    /// The budget `limits` set, stopped early by `interrupt`.
    pub fn new(limits: &Limits, interrupt: Interrupt) -> Budget {
        Budget {
            page_bytes: limits.max_page_bytes.get(),
            output_bytes: limits.max_output_bytes.get(),
            page_time: Duration::from_millis(limits.max_page_milliseconds.get()),
            used: AtomicU64::new(0),
            interrupt,
        }
    }

    /// Counts `bytes` more of output (a page kept from an earlier render);
    /// fails past the total.
    pub fn count(&self, bytes: u64) -> Result<(), Overrun> {
        let used = self.used.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if used > self.output_bytes {
            Err(Overrun::OutputBytes(self.output_bytes))
        } else {
            Ok(())
        }
    }
}

/// The writer a page is rendered into: it fails the first write past the
/// budget, which makes Tera stop rendering.
struct Bounded<'a> {
    page: Vec<u8>,
    budget: &'a Budget,
    started: Instant,
    /// Bytes written but not yet added to the run's total (counted in
    /// chunks, so parallel renders rarely touch the shared counter).
    uncounted: u64,
    writes: u32,
    overrun: Option<Overrun>,
}

/// Bytes a render writes between two updates of the run's total.
const COUNT_EVERY: u64 = 64 << 10;
/// Writes between two looks at the clock: a write takes nanoseconds,
/// reading the clock tens of them.
const CHECK_EVERY: u32 = 256;

impl<'a> Bounded<'a> {
    fn new(budget: &'a Budget) -> Bounded<'a> {
        Bounded {
            page: Vec::new(),
            budget,
            started: Instant::now(),
            uncounted: 0,
            writes: 0,
            overrun: None,
        }
    }

    fn check(&mut self, adding: usize) -> Result<(), Overrun> {
        let adding = adding as u64;
        if self.page.len() as u64 + adding > self.budget.page_bytes {
            return Err(Overrun::PageBytes(self.budget.page_bytes));
        }
        self.uncounted += adding;
        if self.uncounted >= COUNT_EVERY {
            self.budget.count(std::mem::take(&mut self.uncounted))?;
        }
        // A loop may write rarely: the interrupt (an atomic read) is
        // looked at on every write.
        if self.budget.interrupt.requested() {
            return Err(Overrun::Interrupted);
        }
        self.writes = self.writes.wrapping_add(1);
        if self.writes.is_multiple_of(CHECK_EVERY) {
            self.check_clock()?;
        }
        Ok(())
    }

    fn check_clock(&self) -> Result<(), Overrun> {
        if self.started.elapsed() > self.budget.page_time {
            return Err(Overrun::Time(self.budget.page_time));
        }
        Ok(())
    }

    /// The overrun that stopped the render, or that its end reveals (the
    /// time it took, the total it brings the run to).
    fn finish(&mut self) -> Option<Overrun> {
        if self.overrun.is_none() {
            let uncounted = std::mem::take(&mut self.uncounted);
            self.overrun = self
                .budget
                .count(uncounted)
                .and_then(|()| self.check_clock())
                .err();
        }
        self.overrun
    }
}

impl Write for Bounded<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Err(overrun) = self.check(buf.len()) {
            self.overrun = Some(overrun);
            return Err(io::Error::other(overrun.to_string()));
        }
        self.page.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Templates {
    /// A circular `include` or `extends`, located at the name of the
    /// template that closes the circle, in the template that names it.
    fn recursion(&self, error: &tera::Error) -> Option<Diagnostic> {
        let (chain, target, keyword) = match error.kind() {
            ErrorKind::CircularInclude { tpl, include_chain } => (include_chain, tpl, "include"),
            ErrorKind::CircularExtend {
                tpl,
                inheritance_chain,
            } => {
                let target = inheritance_chain.last()?;
                // Tera's chain starts at the parent of `tpl`.
                let mut chain = vec![tpl.clone()];
                chain.extend(inheritance_chain.iter().cloned());
                return self.recursion_at(&chain, target, "extends");
            }
            _ => return None,
        };
        self.recursion_at(chain, target, keyword)
    }

    fn recursion_at(&self, chain: &[String], target: &str, keyword: &str) -> Option<Diagnostic> {
        let naming = chain.get(chain.len().checked_sub(2)?)?;
        let source = self.sources.get(naming)?;
        let span = quoted_after(&source.text, keyword, target).unwrap_or(0..0);
        // Tera names the template it started from, which may lie outside
        // the circle: show the circle alone.
        let first = chain.iter().position(|name| name == target)?;
        let (verb, infinitive) = match keyword {
            "include" => ("includes", "include"),
            _ => ("extends", "extend"),
        };
        let message = format!("`{target}` {verb} itself: {}", chain[first..].join(" → "));
        Some(
            Diagnostic::new(
                Code::Template,
                &source.file,
                source.text.clone(),
                span,
                message,
            )
            .expected(format!(
                "templates that do not {infinitive} themselves, directly or through others"
            )),
        )
    }
}

/// Byte range of the quoted `name` that follows a `keyword` tag in `text`.
fn quoted_after(text: &str, keyword: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    while let Some(found) = text[from..].find(keyword) {
        let after = from + found + keyword.len();
        let rest = &text[after..];
        let value = rest.trim_start();
        let start = after + (rest.len() - value.len());
        for quote in ['"', '\''] {
            let quoted = format!("{quote}{name}{quote}");
            if value.starts_with(&quoted) {
                return Some(start..start + quoted.len());
            }
        }
        from = after;
    }
    None
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
        "chart_net",
        |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let title: &str = kwargs.must_get("title")?;
            let currency = kwargs.get::<&str>("currency")?.unwrap_or("USD");
            let bars: Vec<charts::Bar> = deserialize(&kwargs, "bars")?;
            Ok(Value::safe_string(&charts::net_bars(
                title, currency, &bars,
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
