//! Criterion benchmarks of the per-item hot paths of a build, on pages and
//! partner files from the benchmark corpus generator (`examples/gen_corpus.rs`):
//!
//! - `markdown/*`: one module body to HTML (`markdown::render`), with and
//!   without its two fenced code blocks, and each block's highlighting alone,
//!   plus a C# and a TypeScript block written under GitHub's names;
//! - `syntaxes/*`: loading the syntax set from its binary dump, which a
//!   build does once (bat's collection, and syntect's own for comparison);
//! - `content/parse_page`: splitting a module file and parsing its front matter;
//! - `templates/*`: rendering one module page, section page and partner
//!   scorecard through the default theme, with the context the build gives it;
//! - `analytics/*`: parsing one partner file (50 people, eight quarters) and
//!   the per-partner analytics: every person's state at a quarter and the ROI;
//! - `search/index_module_page`: reading one rendered module page (body,
//!   code and all) for the search index, as every build does per page;
//! - `scorecards/*`: one partner's validation (`metrics::validate`) and whole
//!   scorecard computation (`scorecards::compute`, recommendations included)
//!   against catalogues of 100, 1,000 and 10,000 generated modules.
//!
//! ```sh
//! cargo bench --bench hot_paths            # everything, under two minutes
//! cargo bench --bench hot_paths -- markdown  # one group
//! ```

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use proficio::base::audience::Audience;
use proficio::base::quarter::Quarter;
use proficio::build::output::Contents;
use proficio::build::search::SearchIndex;
use proficio::build::{self, BuildOptions};
use proficio::input::config::Config;
use proficio::input::content;
use proficio::input::theme;
use proficio::markup::highlight::{self, CodeStyle};
use proficio::partners::analytics;
use proficio::partners::metrics;
use proficio::partners::roi;
use proficio::partners::scorecards;
use proficio::render::markdown::{self, LinkTargets};
use proficio::render::templates::Templates;
use proficio::site;
use syntect::highlighting::ThemeSet;
use syntect::html::highlighted_html_for_string;
use syntect::parsing::SyntaxSet;

#[allow(dead_code)]
#[path = "../examples/gen_corpus.rs"]
mod gen_corpus;

const SEED: u64 = 42;
/// Modules in the generated catalogue the benchmarked pages link into.
const MODULES: usize = 1000;
/// The module benchmarked alone (it has 5 headings and both code blocks).
const PAGE: usize = 7;

struct Corpus {
    heads: Vec<gen_corpus::Head>,
    sections: Vec<String>,
}

impl Corpus {
    fn new(modules: usize) -> Corpus {
        let sections = gen_corpus::section_names(20);
        Corpus {
            heads: gen_corpus::heads(SEED, modules, &sections),
            sections,
        }
    }

    fn module(&self, i: usize, code: bool) -> gen_corpus::Module {
        gen_corpus::module(SEED, i, &self.heads, &self.sections, code)
    }

    fn page(&self, i: usize, code: bool) -> content::Page {
        let module = self.module(i, code);
        content::parse_page(&module.source, Arc::from(module.text), &Default::default())
            .expect("generated page parses")
    }

    /// Link targets for every generated module, as the build computes them.
    fn targets(&self) -> LinkTargets {
        LinkTargets {
            base_path: "/".to_string(),
            base_url: "http://localhost/".to_string(),
            paths: self
                .heads
                .iter()
                .map(|h| {
                    (
                        format!("modules/{}/{}.md", h.section, h.slug),
                        format!("/modules/{}/{}/", h.section, h.slug),
                    )
                })
                .collect(),
            left_out: Default::default(),
            raw_html: Default::default(),
            heading_ids: Default::default(),
            code: Default::default(),
        }
    }

    fn partner(&self, i: usize) -> (String, String) {
        let ids: Vec<String> = self.heads.iter().map(|h| h.slug.clone()).collect();
        let (id, text) = gen_corpus::partner_file(SEED, i, &ids);
        (format!("{id}.yaml"), text)
    }
}

fn config() -> Config {
    Config::parse(
        PathBuf::from("site.toml"),
        Arc::from(gen_corpus::site_toml()),
    )
    .expect("generated site.toml parses")
    .config
}

/// A C# block as course material writes it, under GitHub's name.
const CSHARP: (&str, &str) = (
    "csharp",
    r#"using System.Net.Http;

namespace Lessons;

public interface IGreeter
{
    Task<string> GreetAsync(string name, CancellationToken token = default);
}

public sealed class Greeter(HttpClient http) : IGreeter
{
    // Asks the service for a greeting; falls back to a local one.
    public async Task<string> GreetAsync(string name, CancellationToken token = default)
    {
        var response = await http.GetAsync($"/greet?name={name}", token);
        return response.IsSuccessStatusCode
            ? await response.Content.ReadAsStringAsync(token)
            : $"Hello, {name}!";
    }
}
"#,
);

/// A TypeScript block, under GitHub's short name.
const TYPESCRIPT: (&str, &str) = (
    "ts",
    r#"import { readFile } from "node:fs/promises";

export interface Lesson {
  id: string;
  title: string;
  minutes?: number;
}

type Catalogue = Record<string, Lesson>;

/** Reads the lessons and indexes them by id. */
export async function loadLessons(path: string): Promise<Catalogue> {
  const lessons: Lesson[] = JSON.parse(await readFile(path, "utf8"));
  return Object.fromEntries(lessons.map((lesson) => [lesson.id, lesson]));
}

const total = (all: Lesson[]): number =>
  all.reduce((sum, { minutes = 0 }) => sum + minutes, 0);
"#,
);

/// The fenced blocks of a Markdown text: (language, code).
fn code_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(language) = line.strip_prefix("```").filter(|l| !l.is_empty()) {
            let mut code = String::new();
            for line in lines.by_ref().take_while(|l| *l != "```") {
                code.push_str(line);
                code.push('\n');
            }
            blocks.push((language.to_string(), code));
        }
    }
    blocks
}

fn markdown(c: &mut Criterion) {
    let corpus = Corpus::new(MODULES);
    let targets = corpus.targets();
    let with_code = corpus.page(PAGE, true);
    let without_code = corpus.page(PAGE, false);
    let rendered = markdown::render(&with_code, &targets);
    assert!(rendered.problems.is_empty(), "{:?}", rendered.problems);
    let mut group = c.benchmark_group("markdown");
    // Each render gets blocks of its own: a build highlights a block once,
    // and a kept one would make this measure a lookup.
    let fresh = || {
        let mut fresh = targets.clone();
        fresh.code = Arc::default();
        fresh
    };
    group.bench_function("render_page", |b| {
        b.iter_batched(
            fresh,
            |targets| markdown::render(black_box(&with_code), &targets),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("render_page_without_code", |b| {
        b.iter(|| markdown::render(black_box(&without_code), &targets))
    });
    for (language, code) in code_blocks(with_code.body())
        .into_iter()
        .chain([CSHARP, TYPESCRIPT].map(|(l, c)| (l.to_string(), c.to_string())))
    {
        let style = CodeStyle::default();
        let html = style.highlight(&code, &language).expect("highlighted");
        // The same block as syntect renders it with inline styles (one
        // theme): what the compact markup is measured against, in time and
        // in bytes.
        let themes = ThemeSet::load_defaults();
        let syntaxes = SyntaxSet::load_defaults_newlines();
        let syntax = syntaxes
            .find_syntax_by_token(&language)
            .map(|syntax| (syntaxes.clone(), syntax.clone()));
        group.bench_function(format!("highlight_{language}_block"), |b| {
            b.iter(|| style.highlight(black_box(&code), &language))
        });
        if let Some((set, syntax)) = syntax {
            let theme = &themes.themes[highlight::DEFAULT_LIGHT];
            let inline = highlighted_html_for_string(&code, &set, &syntax, theme).expect("inline");
            eprintln!(
                "{language} block: {} bytes with classes, {} with inline styles ({:.2}x)",
                html.len(),
                inline.len(),
                html.len() as f64 / inline.len() as f64
            );
            group.bench_function(format!("syntect_inline_{language}_block"), |b| {
                b.iter(|| highlighted_html_for_string(black_box(&code), &set, &syntax, theme))
            });
        }
    }
    group.finish();

    let mut group = c.benchmark_group("syntaxes");
    group.sample_size(10);
    group.bench_function("load_bat_collection", |b| {
        b.iter(two_face::syntax::extra_newlines)
    });
    group.bench_function("load_syntect_defaults", |b| {
        b.iter(syntect::parsing::SyntaxSet::load_defaults_newlines)
    });
    group.finish();

    let module = corpus.module(PAGE, true);
    let text: Arc<str> = Arc::from(module.text);
    c.bench_function("content/parse_page", |b| {
        b.iter(|| content::parse_page(&module.source, black_box(text.clone()), &Default::default()))
    });
}

fn analytics(c: &mut Criterion) {
    let corpus = Corpus::new(MODULES);
    let config = config();
    let (file_name, text) = corpus.partner(0);
    let text: Arc<str> = Arc::from(text);
    let partner = metrics::parse(&file_name, text.clone(), &Default::default())
        .expect("generated partner parses");
    let skills = analytics::skill_ids(&config);
    let rules = &config.level_rules();
    let baseline = Quarter::parse(&gen_corpus::quarter_label(0)).expect("quarter");
    let quarters: Vec<Quarter> = (0..gen_corpus::QUARTERS)
        .map(|q| Quarter::parse(&gen_corpus::quarter_label(q)).expect("quarter"))
        .collect();
    let latest = *quarters.last().expect("quarters");
    let period: Vec<Quarter> = quarters[1..].to_vec();

    let mut group = c.benchmark_group("analytics");
    group.bench_function("parse_partner", |b| {
        b.iter(|| metrics::parse(&file_name, black_box(text.clone()), &Default::default()))
    });
    group.bench_function("person_states_one_quarter", |b| {
        b.iter(|| {
            partner
                .record
                .people
                .iter()
                .map(|person| {
                    analytics::person_state(
                        person,
                        &partner.record.workflows,
                        black_box(latest),
                        &skills,
                        rules,
                    )
                })
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("person_states_all_quarters", |b| {
        b.iter(|| {
            quarters
                .iter()
                .map(|q| {
                    partner
                        .record
                        .people
                        .iter()
                        .map(|person| {
                            analytics::person_state(
                                person,
                                &partner.record.workflows,
                                black_box(*q),
                                &skills,
                                rules,
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("roi", |b| {
        b.iter(|| {
            roi::roi(
                black_box(&partner),
                &config.program,
                baseline,
                &period,
                &roi::Comparison::default(),
                |_| 550.0,
            )
        })
    });
    group.finish();

    // One partner's checks and scorecard against a catalogue of modules: the
    // per-partner work of a build, which grows with the number of modules.
    let mut group = c.benchmark_group("scorecards");
    group.sample_size(10);
    for modules in [100, 1000, 10000] {
        let corpus = Corpus::new(modules);
        let mut store = content::ContentStore::default();
        for i in 0..modules {
            let page = corpus.page(i, true);
            store.pages.insert(page.source.clone(), page);
        }
        // Without it every completion names an unknown module.
        store.index_modules();
        let (file_name, text) = corpus.partner(0);
        let partner = metrics::parse(&file_name, Arc::from(text), &Default::default())
            .expect("partner parses");
        let partners = [partner];
        group.bench_function(format!("validate_one_partner_{modules}_modules"), |b| {
            b.iter(|| metrics::validate(black_box(&partners), &config, &store))
        });
        group.bench_function(format!("compute_one_partner_{modules}_modules"), |b| {
            b.iter(|| {
                scorecards::compute(&config, &store, black_box(&partners), &Audience::Internal)
            })
        });
    }
    group.finish();
}

/// A generated site of 100 modules and `partners` partners, in a temporary
/// folder that lasts as long as the first value.
fn small_site(partners: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path().join("site");
    gen_corpus::generate(&gen_corpus::Args {
        modules: 100,
        partners,
        seed: SEED,
        sections: 20,
        out: root.clone(),
        code: true,
    })
    .expect("corpus written");
    (dir, root)
}

/// Renders through the default theme with the contexts the build computes for
/// a small generated site.
fn templates(c: &mut Criterion) {
    let (_dir, root) = small_site(10);
    let loaded = Config::load(&root).expect("config");
    let config = &loaded.config;
    let (store, problems) = content::load(&root, false, &Default::default()).expect("content");
    assert!(problems.is_empty());
    let (partners, problems) = metrics::load(&root, &Default::default()).expect("partners");
    assert!(problems.is_empty());
    let theme = theme::load(&root, &loaded).expect("theme");
    let computed = site::compute(
        config,
        &store,
        partners,
        &Audience::Internal,
        site::PartnerData::Drop,
        None,
    )
    .expect("site computes");
    let levels: Vec<String> = config.levels.iter().map(|l| l.title.clone()).collect();
    let mut templates =
        Templates::new(&theme, computed.targets.clone(), levels).expect("templates compile");
    templates.set_globals(computed.globals.clone());

    let mut group = c.benchmark_group("templates");
    for (template, name) in [
        ("module.html", "module_page"),
        ("section.html", "section_page"),
        ("partner.html", "partner_scorecard"),
    ] {
        let job = computed
            .jobs
            .iter()
            .filter(|job| job.template == template)
            .nth(1)
            .unwrap_or_else(|| panic!("a {template} page"));
        // The whole context but the rendered Markdown, which is measured above.
        let context = computed.context(job);
        templates.render(job.template, &context).expect("renders");
        group.bench_function(name, |b| {
            b.iter(|| templates.render(job.template, black_box(&context)))
        });
    }
    group.finish();
}

/// Reads a module page of a small generated site, rendered by the build,
/// for the search index.
fn search(c: &mut Criterion) {
    let (_dir, root) = small_site(0);
    let site = build::render_once(&BuildOptions {
        root,
        ..BuildOptions::default()
    })
    .expect("site renders");
    let page = site
        .pages
        .iter()
        .filter(|page| page.template == "module.html")
        .nth(PAGE)
        .expect("a module page");
    let html = site
        .files
        .iter()
        .find_map(|file| match &file.contents {
            Contents::Bytes(bytes) if file.path == page.output => Some(bytes.clone()),
            _ => None,
        })
        .expect("the page's HTML");
    let outputs = [(page.output.as_str(), page.template.as_str())];
    c.bench_function("search/index_module_page", |b| {
        b.iter_batched(
            || SearchIndex::new("/", outputs.into_iter()),
            |index| index.add(&page.output, black_box(&html)),
            BatchSize::SmallInput,
        )
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = markdown, analytics, templates, search
}
criterion_main!(benches);
