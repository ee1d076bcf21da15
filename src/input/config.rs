//! Site configuration: reads `site.toml` into a typed [`Config`], fills in the
//! defaults (the skill, workflow and proficiency-level catalogues of the
//! product brief, so an empty file is a working site) and checks what serde
//! alone cannot: the base URL, the highlighting themes and unique catalogue
//! ids, and the level rules ([`Levels`]: each level reachable). Unknown keys
//! and unknown values of a fixed set (such as `[markdown] html`) are errors,
//! located by line and column.

use std::num::NonZeroU64;
use std::ops::{Deref, Range};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::base::build_cache;
use crate::base::codes::Code;
use crate::base::diagnostics::{Diagnostic, Error, Result};
use crate::base::paths::SiteRoot;
use crate::base::text::expected_one_of;
use crate::input::limits::{Limits, name_too_long};
use crate::input::sources::Source;
use crate::markup::highlight;

/// The name of the configuration file at a site's root.
pub const CONFIG_FILE: &str = "site.toml";

/// One entry of a catalogue (a skill, workflow, proficiency level or track).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogEntry {
    /// Stable kebab-case id used in front matter and URLs.
    pub id: String,
    /// Human-readable name.
    pub title: String,
    /// One or two sentences shown on the entry's page.
    #[serde(default)]
    pub description: Option<String>,
}

impl CatalogEntry {
    /// The ids of `catalog`, in its order: what an unknown id is told it
    /// could have been.
    pub fn ids(catalog: &[CatalogEntry]) -> Vec<&str> {
        catalog.iter().map(|e| e.id.as_str()).collect()
    }
}

/// The parsed `site.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Portal title.
    pub title: String,
    /// One-sentence description, used in meta tags and the feed.
    pub description: String,
    /// Absolute URL the portal is published at; may carry a sub-path.
    pub base_url: String,
    /// Language tag of the content (`<html lang>`).
    pub language: String,
    /// Theme folder name under `themes/`; `default` is built in.
    pub theme: String,
    /// Output folder, relative to the site root.
    pub output_dir: PathBuf,
    /// syntect theme for code in light mode.
    pub highlight_theme: String,
    /// syntect theme for code in dark mode.
    pub highlight_theme_dark: String,
    /// Skills a module can teach.
    pub skills: Vec<CatalogEntry>,
    /// Partner workflows a module can improve.
    pub workflows: Vec<CatalogEntry>,
    /// Proficiency levels, lowest first, each with the rule that places a
    /// person there.
    pub levels: Levels,
    /// Learning tracks modules belong to.
    pub tracks: Vec<CatalogEntry>,
    /// Assumptions behind the partner analytics and the ROI summary.
    pub program: Program,
    /// How Markdown bodies are turned into HTML.
    pub markdown: MarkdownSettings,
    /// What one run may read and write (`[limits]`).
    pub limits: Limits,
    /// The full-text search (`[search]`).
    pub search: SearchSettings,
    /// Partner data exported from the systems that hold it (`[[sources]]`).
    pub sources: Vec<Source>,
    /// The build cache (`[cache]`).
    pub cache: CacheSettings,
}

/// The `[cache]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheSettings {
    /// How large the build cache folder may grow, in megabytes (MiB).
    pub max_megabytes: NonZeroU64,
}

impl Default for CacheSettings {
    fn default() -> CacheSettings {
        CacheSettings {
            max_megabytes: NonZeroU64::new(build_cache::DEFAULT_MAX_MEGABYTES)
                .unwrap_or(NonZeroU64::MIN),
        }
    }
}

impl CacheSettings {
    /// The cap in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_megabytes.get().saturating_mul(1 << 20)
    }
}

/// The `[search]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchSettings {
    /// Builds the search index, the search page and the header's search box.
    pub enabled: bool,
}

impl Default for SearchSettings {
    fn default() -> SearchSettings {
        SearchSettings { enabled: true }
    }
}

/// The `[markdown]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownSettings {
    /// What happens to raw HTML written in Markdown bodies.
    pub html: RawHtml,
    /// How headings without an explicit `{#id}` get their id.
    pub heading_ids: HeadingIds,
}

/// How a heading's id is made from its text (`[markdown] heading_ids`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeadingIds {
    /// GitHub's ids (`What's new?` → `whats-new`), so links written for
    /// GitHub keep working; where proficio's earlier id differs
    /// (`what-s-new`), it stays on the heading as a second anchor.
    #[default]
    Github,
    /// Words joined by single dashes (`what-s-new`) and nothing else.
    Classic,
}

/// What happens to raw HTML in Markdown bodies (`[markdown] html`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    /// Kept where it is on the allow-list of [`crate::markup::raw_html`], removed
    /// otherwise.
    #[default]
    Sanitize,
    /// Kept as written, for sites whose every writer is trusted.
    Allow,
    /// An error, located where the HTML is written.
    Deny,
}

/// The enablement program's assumptions: every figure the ROI summary uses
/// that is not measured data is set here, in the open.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Program {
    /// ISO currency code for money figures.
    pub currency: String,
    /// Loaded cost of one hour of a partner person's time.
    pub hourly_cost: f64,
    /// The quarter movements are measured against, `YYYY-Qn`; defaults to
    /// the earliest quarter in the partner data.
    pub baseline_quarter: Option<String>,
    /// Share of the netted KPI benefits (cost-to-serve reduction and margin
    /// uplift) credited to the program (0 to 1); `margin_attribution` is
    /// its older name, still accepted.
    #[serde(alias = "margin_attribution")]
    pub kpi_attribution: f64,
    /// Share of saved hours that is reused for paid work (0 to 1).
    pub time_realisation: f64,
    /// How far each benefit component may be off, for the low / high range.
    pub risk: Risk,
    /// Annual discount rate for the NPV of the net cash flows; no NPV without it.
    pub discount_rate: Option<f64>,
    /// What the program costs each quarter after the baseline.
    pub investment: Investment,
    /// How a person's level is decided when no `[[levels]]` entry carries
    /// its own rule (three levels); `None` when the table is not written.
    pub level_rules: Option<Spanned<LevelRules>>,
    /// Whether person ids may appear in the output (aggregates only by default).
    pub show_people: bool,
}

/// The `[program.risk]` table: the share (0 to 1) by which each benefit
/// component is reduced for the low case and increased for the high case.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Risk {
    /// Value of hours saved: minutes before and after are estimates.
    pub time: f64,
    /// Cost-to-serve reduction: measured, but moved by other causes too.
    pub cost_to_serve: f64,
    /// Margin uplift: the most exposed to prices, mix and market.
    pub margin: f64,
}

impl Default for Risk {
    fn default() -> Self {
        Risk {
            time: 0.2,
            cost_to_serve: 0.3,
            margin: 0.4,
        }
    }
}

/// Program cost per quarter, across the whole ecosystem.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Investment {
    /// AI tool licences per quarter.
    pub licences_per_quarter: f64,
    /// Enablement (content, coaching, time in training) per quarter.
    pub enablement_per_quarter: f64,
    /// What one enrolled person costs the program per quarter: a partner's
    /// own portal measures its ROI against this times its headcount.
    pub per_person_per_quarter: Option<f64>,
}

/// The `[program.level_rules]` table: the three-level rule written in one
/// place, from which [`LevelRules::ladder`] derives each level's [`LevelRule`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LevelRules {
    /// A person using AI in at least this many workflows is at least an experimenter.
    pub experimenter_min_ai_workflows: usize,
    /// A practitioner uses AI in at least this many of the partner's embedded workflows…
    pub practitioner_min_embedded_workflows: usize,
    /// …and has a mean skill score (0–4) of at least this.
    pub practitioner_min_mean_score: f64,
}

impl Default for Program {
    fn default() -> Self {
        Program {
            currency: "USD".to_string(),
            hourly_cost: 85.0,
            baseline_quarter: None,
            kpi_attribution: 0.25,
            time_realisation: 0.5,
            risk: Risk::default(),
            discount_rate: None,
            investment: Investment::default(),
            level_rules: None,
            show_people: false,
        }
    }
}

impl Default for Investment {
    fn default() -> Self {
        Investment {
            licences_per_quarter: 0.0,
            enablement_per_quarter: 0.0,
            per_person_per_quarter: None,
        }
    }
}

impl Default for LevelRules {
    fn default() -> Self {
        LevelRules {
            experimenter_min_ai_workflows: 1,
            practitioner_min_embedded_workflows: 1,
            practitioner_min_mean_score: 2.5,
        }
    }
}

impl LevelRules {
    /// Each of `level_count` levels' rule, lowest first, as these three
    /// numbers have always placed people: the lowest level asks nothing, the
    /// highest asks AI in embedded workflows and a mean skill score, any
    /// level between asks AI use. Counts below 1 are taken as 1, so a level
    /// above the lowest always asks something.
    pub fn ladder(&self, level_count: usize) -> Vec<LevelRule> {
        let experimenter = LevelRule {
            min_ai_workflows: self.experimenter_min_ai_workflows.max(1),
            ..LevelRule::default()
        };
        let practitioner = LevelRule {
            min_embedded_workflows: self.practitioner_min_embedded_workflows.max(1),
            min_mean_score: self.practitioner_min_mean_score,
            ..experimenter
        };
        (0..level_count)
            .map(|i| match i {
                0 => LevelRule::default(),
                i if i + 1 == level_count => practitioner,
                _ => experimenter,
            })
            .collect()
    }
}

/// What a person must show to be at one level: every condition holds. The
/// default asks nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LevelRule {
    /// AI used in at least this many workflows.
    pub min_ai_workflows: usize,
    /// At least this many of those workflows embedded by the partner.
    pub min_embedded_workflows: usize,
    /// A mean skill score (0–4) of at least this.
    pub min_mean_score: f64,
}

impl LevelRule {
    /// True when a person with these figures meets every condition.
    pub fn holds(&self, ai_workflows: usize, embedded_use: usize, mean_score: f64) -> bool {
        ai_workflows >= self.min_ai_workflows
            && embedded_use >= self.min_embedded_workflows
            && mean_score >= self.min_mean_score
    }

    /// True when anyone meeting this rule meets `other` too. Embedded
    /// workflows are among the AI workflows, so asking N embedded asks AI in
    /// N as well.
    fn implies(&self, other: &LevelRule) -> bool {
        let ai = |r: &LevelRule| r.min_ai_workflows.max(r.min_embedded_workflows);
        ai(self) >= ai(other)
            && self.min_embedded_workflows >= other.min_embedded_workflows
            && self.min_mean_score >= other.min_mean_score
    }
}

/// The `[[levels]]` catalogue, lowest first. It reads as its entries (a
/// slice of [`CatalogEntry`], like the other catalogues) and keeps the rule
/// each entry wrote, with where it wrote it; [`Config::level_rules`] gives
/// the rule each level applies.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "Vec<LevelEntry>")]
pub struct Levels {
    entries: Vec<CatalogEntry>,
    written: Vec<WrittenRule>,
}

/// One `[[levels]]` entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelEntry {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    description: Option<String>,
    min_ai_workflows: Option<Spanned<usize>>,
    min_embedded_workflows: Option<Spanned<usize>>,
    min_mean_score: Option<Spanned<f64>>,
}

/// The conditions one `[[levels]]` entry wrote, each with its place, and
/// the place of its id.
#[derive(Debug, Clone, Default, PartialEq)]
struct WrittenRule {
    id: Range<usize>,
    min_ai_workflows: Option<Spanned<usize>>,
    min_embedded_workflows: Option<Spanned<usize>>,
    min_mean_score: Option<Spanned<f64>>,
}

impl WrittenRule {
    /// The first condition written, if any: its key and the place of its
    /// value.
    fn first_key(&self) -> Option<(&'static str, Range<usize>)> {
        [
            (
                "min_ai_workflows",
                self.min_ai_workflows.as_ref().map(Spanned::span),
            ),
            (
                "min_embedded_workflows",
                self.min_embedded_workflows.as_ref().map(Spanned::span),
            ),
            (
                "min_mean_score",
                self.min_mean_score.as_ref().map(Spanned::span),
            ),
        ]
        .into_iter()
        .filter_map(|(key, span)| Some((key, span?)))
        .min_by_key(|(_, span)| span.start)
    }

    /// The rule, with an absent condition asking nothing.
    fn rule(&self) -> LevelRule {
        LevelRule {
            min_ai_workflows: self.min_ai_workflows.as_ref().map_or(0, |v| *v.get_ref()),
            min_embedded_workflows: self
                .min_embedded_workflows
                .as_ref()
                .map_or(0, |v| *v.get_ref()),
            min_mean_score: self.min_mean_score.as_ref().map_or(0.0, |v| *v.get_ref()),
        }
    }
}

impl From<Vec<LevelEntry>> for Levels {
    fn from(written: Vec<LevelEntry>) -> Levels {
        let (entries, written) = written
            .into_iter()
            .map(|e| {
                // The id's place without its quotes, where other catalogue
                // ids are located.
                let span = e.id.span();
                let id = if span.len() == e.id.get_ref().len() + 2 {
                    span.start + 1..span.end - 1
                } else {
                    span
                };
                let rule = WrittenRule {
                    id,
                    min_ai_workflows: e.min_ai_workflows,
                    min_embedded_workflows: e.min_embedded_workflows,
                    min_mean_score: e.min_mean_score,
                };
                let entry = CatalogEntry {
                    id: e.id.into_inner(),
                    title: e.title,
                    description: e.description,
                };
                (entry, rule)
            })
            .unzip();
        Levels { entries, written }
    }
}

impl From<Vec<CatalogEntry>> for Levels {
    fn from(entries: Vec<CatalogEntry>) -> Levels {
        let written = vec![WrittenRule::default(); entries.len()];
        Levels { entries, written }
    }
}

impl Deref for Levels {
    type Target = [CatalogEntry];

    fn deref(&self) -> &[CatalogEntry] {
        &self.entries
    }
}

impl Levels {
    /// True when some entry wrote a condition.
    fn have_rules(&self) -> bool {
        self.written.iter().any(|w| w.first_key().is_some())
    }
}

fn entry(id: &str, title: &str, description: &str) -> CatalogEntry {
    CatalogEntry {
        id: id.to_string(),
        title: title.to_string(),
        description: Some(description.to_string()),
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Partner Enablement".to_string(),
            description: "AI enablement for partner teams.".to_string(),
            base_url: "http://localhost/".to_string(),
            language: "en".to_string(),
            theme: "default".to_string(),
            output_dir: PathBuf::from("public"),
            highlight_theme: "InspiredGitHub".to_string(),
            highlight_theme_dark: "base16-ocean.dark".to_string(),
            skills: default_skills(),
            workflows: default_workflows(),
            levels: Levels::from(default_levels()),
            tracks: Vec::new(),
            program: Program::default(),
            markdown: MarkdownSettings::default(),
            search: SearchSettings::default(),
            sources: Vec::new(),
            cache: CacheSettings::default(),
            limits: Limits::default(),
        }
    }
}

fn default_skills() -> Vec<CatalogEntry> {
    vec![
        entry(
            "prompting",
            "Prompting",
            "Writing instructions that give reliable, reusable results.",
        ),
        entry(
            "workflow-design",
            "Workflow design",
            "Redesigning a recurring task so AI is a permanent, documented step.",
        ),
        entry(
            "data-interpretation",
            "Data interpretation",
            "Reading partner data and AI analyses critically before acting on them.",
        ),
        entry(
            "output-validation",
            "Output validation",
            "Checking AI output against a quality standard before it is used.",
        ),
        entry(
            "light-automation",
            "Light automation",
            "Connecting AI steps to the tools a team already uses, without engineering help.",
        ),
        entry(
            "actions-and-reporting",
            "Actions and reporting",
            "Turning AI output into partner-facing actions and executive reporting.",
        ),
    ]
}

fn default_workflows() -> Vec<CatalogEntry> {
    vec![
        entry(
            "account-planning",
            "Account planning and territory alignment",
            "Planning partner accounts and aligning territories with sales.",
        ),
        entry(
            "qbr",
            "Quarterly business reviews",
            "Preparing, running and following up partner QBRs.",
        ),
        entry(
            "onboarding",
            "Partner onboarding and enablement",
            "Bringing new partners and their people to productivity.",
        ),
        entry(
            "co-selling",
            "Co-selling coordination",
            "Coordinating joint opportunities between partner and field teams.",
        ),
        entry(
            "performance-reporting",
            "Performance reporting and analytics",
            "Reporting partner performance and explaining what moved.",
        ),
        entry(
            "ecosystem-mapping",
            "Ecosystem mapping and opportunity identification",
            "Mapping the partner landscape and finding where to grow.",
        ),
    ]
}

fn default_levels() -> Vec<CatalogEntry> {
    vec![
        entry(
            "nay-sayer",
            "Nay-sayer",
            "Not using AI, or tried it once and stopped.",
        ),
        entry(
            "experimenter",
            "Experimenter",
            "Uses AI for surface tasks such as rewriting, summarising and brainstorming.",
        ),
        entry(
            "practitioner",
            "Practitioner",
            "Has AI embedded in at least one recurring workflow, with measured results.",
        ),
    ]
}

/// A loaded configuration together with the text it came from, so later
/// stages can point at a key when its value is wrong.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The configuration.
    pub config: Config,
    /// Path of `site.toml`, relative to the site root.
    pub file: PathBuf,
    /// The file's text.
    pub source: Arc<str>,
}

impl Config {
    /// Reads and checks `site.toml` in `root`.
    pub fn load(root: &Path) -> Result<LoadedConfig> {
        let path = root.join(CONFIG_FILE);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            let site = SiteRoot::new(root)?;
            if let Err(refusal) = site.confine(&path) {
                return Err(Error::Input(vec![site.refused(
                    &path,
                    &refusal,
                    Code::Config,
                )]));
            }
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::Refused(format!(
                    "{} has no {CONFIG_FILE}: is it a proficio site? (`proficio init DIR` makes one)",
                    root.display()
                )));
            }
            Err(e) => return Err(Error::io(&path, e)),
        };
        Config::parse(PathBuf::from(CONFIG_FILE), Arc::from(text))
    }

    /// Parses configuration text; `file` names it in diagnostics.
    pub fn parse(file: PathBuf, source: Arc<str>) -> Result<LoadedConfig> {
        let mut config: Config = toml::from_str(&source).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().to_string();
            Error::Input(vec![Diagnostic::new(
                Code::Config,
                &file,
                source.clone(),
                span,
                message,
            )])
        })?;
        let problems = config.check(&file, &source);
        if !problems.is_empty() {
            return Err(Error::Input(problems));
        }
        config.base_url = normalise_base_url(&config.base_url);
        Ok(LoadedConfig {
            config,
            file,
            source,
        })
    }

    fn check(&self, file: &Path, source: &Arc<str>) -> Vec<Diagnostic> {
        let at = |key: &str, message: String| at_key(file, source, key, message);
        let mut problems = self.program.check(file, source);
        problems.extend(self.check_levels(file, source));
        let skills: Vec<&str> = CatalogEntry::ids(&self.skills);
        for entry in &self.sources {
            problems.extend(entry.check(file, source, &skills));
        }
        if let Err(why) = check_base_url(&self.base_url) {
            problems.push(
                at("base_url", why)
                    .expected("an absolute URL such as \"https://partners.example.com/portal/\""),
            );
        }
        for (key, name) in [
            ("highlight_theme", &self.highlight_theme),
            ("highlight_theme_dark", &self.highlight_theme_dark),
        ] {
            if !highlight::has_theme(name) {
                problems.push(
                    at(key, format!("unknown highlighting theme `{name}`")).expected(
                        expected_one_of(name, &highlight::theme_names(), "a highlighting theme"),
                    ),
                );
            }
        }
        for (key, entries) in [
            ("skills", &self.skills[..]),
            ("workflows", &self.workflows),
            ("levels", &self.levels),
            ("tracks", &self.tracks),
        ] {
            let mut seen = std::collections::BTreeSet::new();
            for entry in entries {
                if !is_kebab_id(&entry.id) {
                    problems.push(
                        Diagnostic::new(
                            Code::Config,
                            file,
                            source.clone(),
                            locate_catalog_id(source, &entry.id, 0),
                            format!("`{}` is not a valid {key} id", entry.id),
                        )
                        .expected(
                            "lower-case letters, digits and single dashes, such as \"co-selling\"",
                        ),
                    );
                } else if let Some((message, expected)) =
                    name_too_long(&format!("{key} id"), &entry.id, entry.id.len())
                {
                    // Tracks and taxonomy terms are pages named by their id.
                    let at = locate_catalog_id(source, &entry.id, 0);
                    problems.push(
                        Diagnostic::new(Code::Config, file, source.clone(), at, message)
                            .expected(expected),
                    );
                } else if !seen.insert(entry.id.as_str()) {
                    problems.push(Diagnostic::new(
                        Code::Config,
                        file,
                        source.clone(),
                        locate_catalog_id(source, &entry.id, 1),
                        format!("{key} id `{}` is defined twice", entry.id),
                    ));
                }
            }
        }
        problems
    }

    /// Each level's rule, lowest first: the rules written in `[[levels]]`,
    /// or, when no entry writes one, the three-level rule of
    /// `[program.level_rules]` (its defaults when that is not written).
    pub fn level_rules(&self) -> Vec<LevelRule> {
        if self.levels.have_rules() {
            // The lowest level is where a person meeting no rule is, so it
            // asks nothing whatever it writes (writing a rule is an error).
            let rules = self.levels.written.iter().map(WrittenRule::rule);
            rules
                .enumerate()
                .map(|(i, rule)| if i == 0 { LevelRule::default() } else { rule })
                .collect()
        } else {
            self.program.level_rules().ladder(self.levels.len())
        }
    }

    /// The level rules' problems: a rule on the lowest level, numbers out
    /// of range, a level no one can be at, rules written in two places, or
    /// a catalogue of other than three levels left to the three-level rule.
    fn check_levels(&self, file: &Path, source: &Arc<str>) -> Vec<Diagnostic> {
        let at = |span: Range<usize>, message: String| {
            Diagnostic::new(Code::Config, file, source.clone(), span, message)
        };
        let levels = &self.levels;
        let mut problems = Vec::new();
        if !levels.have_rules() {
            if let Some(second) = levels.written.get(1)
                && levels.len() != 3
            {
                problems.push(
                    at(
                        second.id.clone(),
                        format!(
                            "{} levels and no level rules: [program.level_rules] is written for three",
                            levels.len()
                        ),
                    )
                    .expected(RULE_KEYS_EXPECTED),
                );
            }
            return problems;
        }
        if let Some(table) = &self.program.level_rules {
            let first = levels.written.iter().find_map(WrittenRule::first_key);
            let line = first.map_or(1, |(_, span)| source[..span.start].lines().count());
            problems.push(
                at(
                    table.span(),
                    format!(
                        "[program.level_rules] and the rules in [[levels]] (line {line}) both decide levels"
                    ),
                )
                .expected("the rules in [[levels]] alone, without [program.level_rules]"),
            );
        }
        for (i, (entry, written)) in levels.iter().zip(&levels.written).enumerate() {
            problems.extend(self.check_level(i, entry, written, source, &at));
        }
        problems.extend(self.unreachable_levels(&at));
        problems
    }

    /// The problems of one level's written numbers.
    fn check_level(
        &self,
        index: usize,
        entry: &CatalogEntry,
        written: &WrittenRule,
        source: &str,
        at: &impl Fn(Range<usize>, String) -> Diagnostic,
    ) -> Vec<Diagnostic> {
        let id = &entry.id;
        // From the key to the end of its value, as keys are located elsewhere.
        let key_span = |key: &str, value: Range<usize>| {
            source[..value.start].rfind(key).unwrap_or(value.start)..value.end
        };
        let mut problems = Vec::new();
        if index == 0
            && let Some((key, value)) = written.first_key()
        {
            problems.push(
                at(
                    key_span(key, value),
                    format!("the lowest level `{id}` has a rule, but everyone is at least at the lowest level"),
                )
                .expected("no min_ai_workflows, min_embedded_workflows or min_mean_score on the first [[levels]] entry"),
            );
        }
        let workflows = self.workflows.len();
        for (key, count) in [
            ("min_ai_workflows", &written.min_ai_workflows),
            ("min_embedded_workflows", &written.min_embedded_workflows),
        ] {
            if let Some(count) = count
                && *count.get_ref() > workflows
            {
                problems.push(
                    at(
                        key_span(key, count.span()),
                        format!(
                            "{key} = {} on `{id}` asks for more workflows than the {workflows} of the catalogue, so no one is at this level",
                            count.get_ref()
                        ),
                    )
                    .expected(format!("a count of workflows from 0 to {workflows}")),
                );
            }
        }
        if let Some(score) = &written.min_mean_score
            && !(0.0..=4.0).contains(score.get_ref())
        {
            problems.push(
                at(
                    key_span("min_mean_score", score.span()),
                    format!(
                        "min_mean_score {} on `{id}` is outside the 0–4 scale",
                        score.get_ref()
                    ),
                )
                .expected("a mean skill score between 0 and 4"),
            );
        }
        problems
    }

    /// A level whose rule implies a higher level's is never assigned: a
    /// person is at the highest level whose rule they meet. Each is named
    /// with the first higher level it implies; a level asking nothing above
    /// levels below it is named once.
    fn unreachable_levels(
        &self,
        at: &impl Fn(Range<usize>, String) -> Diagnostic,
    ) -> Vec<Diagnostic> {
        let rules = self.level_rules();
        let mut named_empty = std::collections::BTreeSet::new();
        let mut problems = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let Some(j) = (i + 1..rules.len()).find(|&j| rule.implies(&rules[j])) else {
                continue;
            };
            if rules[j] == LevelRule::default() && !named_empty.insert(j) {
                continue;
            }
            let (lower, higher) = (&self.levels[i].id, &self.levels[j].id);
            problems.push(
                at(
                    self.levels.written[i].id.clone(),
                    format!(
                        "level `{lower}` is never assigned: anyone meeting its rule meets the rule of the higher level `{higher}`"
                    ),
                )
                .expected(format!(
                    "a rule on `{higher}` asking more than `{lower}`'s in min_ai_workflows, min_embedded_workflows or min_mean_score (levels are listed lowest first; a person is at the highest level whose rule they meet)"
                )),
            );
        }
        problems
    }

    /// The path prefix of the base URL: `/` or `/portal/`.
    pub fn base_path(&self) -> &str {
        let after_scheme = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, rest)| rest);
        after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
    }

    /// Replaces the base URL, as `--base-url` does.
    pub fn set_base_url(&mut self, base_url: &str) -> Result<()> {
        check_base_url_option(base_url)?;
        self.base_url = normalise_base_url(base_url);
        Ok(())
    }
}

/// What a level rule is written with, for messages.
const RULE_KEYS_EXPECTED: &str = "a rule on each level above the lowest: min_ai_workflows, min_embedded_workflows or min_mean_score in its [[levels]] entry";

/// Refuses a `--base-url` value that is not an absolute http(s) URL.
pub fn check_base_url_option(base_url: &str) -> Result<()> {
    check_base_url(base_url).map_err(|why| Error::Refused(format!("--base-url: {why}")))
}

impl Program {
    /// The `[program.level_rules]` table, or its defaults when not written.
    pub fn level_rules(&self) -> LevelRules {
        self.level_rules
            .as_ref()
            .map_or_else(LevelRules::default, |rules| rules.get_ref().clone())
    }

    fn check(&self, file: &Path, source: &Arc<str>) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let mut at = |key: &str, message: String, expected: &str| {
            problems.push(at_key(file, source, key, message).expected(expected));
        };
        let program = self;
        if program.currency.len() != 3 || !program.currency.chars().all(|c| c.is_ascii_uppercase())
        {
            at(
                "currency",
                format!("`{}` is not a currency code", program.currency),
                "a three-letter ISO code such as USD or EUR",
            );
        }
        if !(program.hourly_cost.is_finite() && program.hourly_cost >= 0.0) {
            at(
                "hourly_cost",
                "hourly_cost must not be negative".to_string(),
                "a cost per hour of 0 or more",
            );
        }
        // Written under its older name, the attribution is reported there.
        let attribution = if locate_key(source, "kpi_attribution").is_empty() {
            "margin_attribution"
        } else {
            "kpi_attribution"
        };
        for (key, value, example) in [
            (attribution, program.kpi_attribution, "0.25"),
            ("time_realisation", program.time_realisation, "0.5"),
            ("time", program.risk.time, "0.2"),
            ("cost_to_serve", program.risk.cost_to_serve, "0.3"),
            ("margin", program.risk.margin, "0.4"),
        ] {
            if !(0.0..=1.0).contains(&value) {
                at(
                    key,
                    format!("{key} {value} is outside 0 to 1"),
                    &format!("a share between 0 and 1, such as {example}"),
                );
            }
        }
        if let Some(rate) = program.discount_rate
            && !(rate.is_finite() && (0.0..1.0).contains(&rate))
        {
            at(
                "discount_rate",
                format!("discount_rate {rate} is outside 0 to 1"),
                "an annual rate such as 0.08 for 8%",
            );
        }
        for (key, value) in [
            (
                "licences_per_quarter",
                program.investment.licences_per_quarter,
            ),
            (
                "enablement_per_quarter",
                program.investment.enablement_per_quarter,
            ),
            (
                "per_person_per_quarter",
                program.investment.per_person_per_quarter.unwrap_or(0.0),
            ),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                at(
                    key,
                    format!("{key} must not be negative"),
                    "an amount of 0 or more",
                );
            }
        }
        if !(0.0..=4.0).contains(&program.level_rules().practitioner_min_mean_score) {
            at(
                "practitioner_min_mean_score",
                "practitioner_min_mean_score is outside the 0–4 scale".to_string(),
                "a mean skill score between 0 and 4",
            );
        }
        if let Some(quarter) = &program.baseline_quarter
            && crate::base::quarter::Quarter::parse(quarter).is_none()
        {
            at(
                "baseline_quarter",
                format!("`{quarter}` is not a quarter"),
                "a quarter written YYYY-Qn, such as 2025-Q2",
            );
        }
        problems
    }
}

fn check_base_url(url: &str) -> std::result::Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("base_url `{url}` is not an absolute http(s) URL"))?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || url.contains(['?', '#', ' ']) {
        return Err(format!("base_url `{url}` is not a usable site address"));
    }
    Ok(())
}

fn normalise_base_url(url: &str) -> String {
    let mut url = url.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    url
}

/// True for ids such as `co-selling` or `qbr2`.
pub fn is_kebab_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A problem with the value of `key` in `site.toml`.
fn at_key(file: &Path, source: &Arc<str>, key: &str, message: String) -> Diagnostic {
    Diagnostic::new(
        Code::Config,
        file,
        source.clone(),
        locate_key(source, key),
        message,
    )
}

/// Byte range of the line defining `key` (`key = …` in TOML, `key: …` in
/// YAML); the start of the text when the key is absent.
pub fn locate_key(source: &str, key: &str) -> Range<usize> {
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            let rest = rest.trim_start();
            if rest.starts_with('=') || rest.starts_with(':') {
                let start = offset + (line.len() - trimmed.len());
                return start..offset + line.trim_end().len();
            }
        }
        offset += line.len();
    }
    0..0
}

/// Byte range of the value of the `nth` (0-based) line `id = "value"` for
/// this value; the start of the text when there is none.
fn locate_catalog_id(source: &str, id: &str, nth: usize) -> Range<usize> {
    let mut offset = 0;
    let mut found = 0;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let is_id_line = trimmed
            .strip_prefix("id")
            .map(str::trim_start)
            .is_some_and(|rest| rest.starts_with('='));
        if is_id_line
            && let Some(at) = ['"', '\'']
                .iter()
                .find_map(|q| line.find(&format!("{q}{id}{q}")))
        {
            if found == nth {
                let start = offset + at + 1;
                return start..start + id.len();
            }
            found += 1;
        }
        offset += line.len();
    }
    0..0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<LoadedConfig> {
        Config::parse(PathBuf::from("site.toml"), Arc::from(text))
    }

    #[test]
    fn an_empty_file_gives_the_product_defaults() {
        let config = parse("").expect("empty config").config;
        assert_eq!(config.levels.len(), 3);
        assert_eq!(config.skills.len(), 6);
        assert_eq!(config.workflows.len(), 6);
        assert_eq!(config.base_path(), "/");
    }

    #[test]
    fn base_path_follows_a_sub_path() {
        let config = parse("base_url = \"https://x.example/portal\"")
            .unwrap()
            .config;
        assert_eq!(config.base_url, "https://x.example/portal/");
        assert_eq!(config.base_path(), "/portal/");
    }

    #[test]
    fn unknown_keys_are_located() {
        let error = parse("title = \"x\"\ncolour = \"red\"\n").unwrap_err();
        let d = &error.diagnostics()[0];
        assert_eq!((d.line(), d.column()), (2, 1));
        assert!(
            d.message.contains("unknown field `colour`"),
            "{}",
            d.message
        );
    }

    #[test]
    fn bad_values_are_all_reported() {
        let error = parse("base_url = \"ftp://x\"\nhighlight_theme = \"Neon\"\n").unwrap_err();
        let messages: Vec<_> = error.diagnostics().iter().map(|d| d.to_string()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].starts_with("site.toml:1:1: base_url"),
            "{messages:?}"
        );
        assert!(
            messages[1].starts_with("site.toml:2:1: unknown highlighting theme `Neon`"),
            "{messages:?}"
        );
    }

    #[test]
    fn the_default_three_levels_follow_program_level_rules() {
        let rule = |ai, embedded, score| LevelRule {
            min_ai_workflows: ai,
            min_embedded_workflows: embedded,
            min_mean_score: score,
        };
        let defaults = parse("").unwrap().config.level_rules();
        assert_eq!(
            defaults,
            [rule(0, 0, 0.0), rule(1, 0, 0.0), rule(1, 1, 2.5)]
        );
        // Counts below 1 are taken as 1, as they always were.
        let text = "[program.level_rules]\nexperimenter_min_ai_workflows = 0\n\
                    practitioner_min_embedded_workflows = 0\npractitioner_min_mean_score = 3\n";
        assert_eq!(
            parse(text).unwrap().config.level_rules(),
            [rule(0, 0, 0.0), rule(1, 0, 0.0), rule(1, 1, 3.0)]
        );
    }

    #[test]
    fn a_level_implies_another_counting_embedded_workflows_as_ai_workflows() {
        let embedded_two = LevelRule {
            min_embedded_workflows: 2,
            ..LevelRule::default()
        };
        let ai_two = LevelRule {
            min_ai_workflows: 2,
            ..LevelRule::default()
        };
        assert!(embedded_two.implies(&ai_two));
        assert!(!ai_two.implies(&embedded_two));
        assert!(ai_two.implies(&LevelRule::default()));
    }

    #[test]
    fn raw_html_defaults_to_sanitize_and_takes_the_three_values() {
        assert_eq!(parse("").unwrap().config.markdown.html, RawHtml::Sanitize);
        for (value, expected) in [
            ("sanitize", RawHtml::Sanitize),
            ("allow", RawHtml::Allow),
            ("deny", RawHtml::Deny),
        ] {
            let text = format!("[markdown]\nhtml = \"{value}\"\n");
            assert_eq!(parse(&text).unwrap().config.markdown.html, expected);
        }
    }

    #[test]
    fn heading_ids_default_to_github_and_an_unknown_scheme_is_located() {
        assert_eq!(
            parse("").unwrap().config.markdown.heading_ids,
            HeadingIds::Github
        );
        let classic = parse("[markdown]\nheading_ids = \"classic\"\n").unwrap();
        assert_eq!(classic.config.markdown.heading_ids, HeadingIds::Classic);
        let problem = parse("[markdown]\nheading_ids = \"gitlab\"\n").unwrap_err();
        let text = problem.to_string();
        assert!(text.contains("site.toml:2:15"), "{text}");
        assert!(
            text.contains("github") && text.contains("classic"),
            "{text}"
        );
    }
}
