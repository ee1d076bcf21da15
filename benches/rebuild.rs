//! Rebuild benchmark for `proficio serve`: how long a one-file edit takes to
//! reach the preview. Two sites are measured: a generated portal of many
//! modules (a one-module edit, then an edit to the footer template every
//! page includes) and the demo portal with its partner files cloned many
//! times (a one-partner edit, then a new person in that partner's file,
//! which changes every partner's figures, then a new name, which moves the
//! partner in every list). For each it reports the full
//! render, the incremental render after the edit (`render_changes`, as the
//! server calls it), and, through a real server on a loopback port, the
//! server's own event-to-ready time and the time from saving the file to the
//! page showing the change over HTTP. Results go to standard output as a
//! Markdown table; `docs/performance.md` records them.
//!
//! ```sh
//! cargo bench --bench rebuild -- --modules 1000 --partners 100 --edits 9
//! cargo bench --bench rebuild -- --corpus DIR   # a corpus of TOML-front-matter pages
//! ```

use std::path::{Path, PathBuf};

// The allocator the `proficio` binary runs with, so the figures are the
// preview's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use proficio::BuildOptions;
use proficio::build::incremental::render_changes;
use proficio::build::{PageCache, render};
use proficio::serve::{ServeOptions, Server};

/// Skills, workflows and levels of the default catalogue, cycled through.
const SKILLS: [&str; 6] = [
    "prompting",
    "workflow-design",
    "data-interpretation",
    "output-validation",
    "light-automation",
    "actions-and-reporting",
];
const WORKFLOWS: [&str; 6] = [
    "account-planning",
    "qbr",
    "onboarding",
    "co-selling",
    "performance-reporting",
    "ecosystem-mapping",
];
const LEVELS: [&str; 3] = ["nay-sayer", "experimenter", "practitioner"];
const SECTIONS: usize = 20;
/// How long the end-to-end measurement waits for one edit to show.
const PATIENCE: Duration = Duration::from_secs(120);

struct Args {
    modules: usize,
    partners: usize,
    edits: usize,
    corpus: Option<PathBuf>,
}

fn parse_args() -> Args {
    let mut args = Args {
        modules: 1000,
        partners: 100,
        edits: 9,
        corpus: None,
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let mut value = || given.next().unwrap_or_default();
        match flag.as_str() {
            "--modules" => args.modules = value().parse().unwrap_or(args.modules),
            "--partners" => args.partners = value().parse().unwrap_or(args.partners),
            "--edits" => args.edits = value().parse().unwrap_or(args.edits).max(1),
            "--corpus" => args.corpus = Some(PathBuf::from(value())),
            // `cargo bench` passes `--bench`; anything else is ignored too.
            _ => {}
        }
    }
    args
}

fn main() {
    let args = parse_args();
    let scratch = tempfile::tempdir().expect("a temporary folder");
    println!(
        "| site | pages | full render | incremental render (re-rendered) | event to ready | save to visible |"
    );
    println!("|---|---|---|---|---|---|");
    if args.modules > 0 || args.corpus.is_some() {
        let root = scratch.path().join("modules");
        let (label, target) = match &args.corpus {
            Some(corpus) => (
                format!("corpus {}", corpus.display()),
                import_corpus(corpus, &root),
            ),
            None => (
                format!("{} modules", args.modules),
                generate_modules(&root, args.modules),
            ),
        };
        let edit = |i: usize| module_edit(&root, &target, i);
        measure(&label, &root, &args, &edit);
        // A site's own copy of the footer, which every page includes.
        write(&root, FOOTER, &footer(""));
        let edit = |i: usize| template_edit(&root, i);
        measure(&format!("{label}, template edit"), &root, &args, &edit);
    }
    if args.partners > 0 {
        let root = scratch.path().join("partners");
        let id = clone_demo_with_partners(&root, args.partners);
        let edit = |i: usize| partner_edit(&root, &id, i);
        let label = format!("demo, {} partners", args.partners);
        measure(&label, &root, &args, &edit);
        let edit = |i: usize| person_edit(&root, &id, i);
        measure(&format!("{label}, new person"), &root, &args, &edit);
        let edit = |i: usize| rename_edit(&root, &id, i);
        measure(&format!("{label}, new name"), &root, &args, &edit);
    }
}

/// One edit: the file to write, its new text, the URL path that shows it
/// and the text that proves it does.
struct Edit {
    file: PathBuf,
    text: String,
    url: String,
    marker: String,
}

fn measure(label: &str, root: &Path, args: &Args, edit: &dyn Fn(usize) -> Edit) {
    let options = BuildOptions {
        root: root.to_path_buf(),
        ..BuildOptions::default()
    };
    let full: Vec<Duration> = (0..3).map(|_| time(|| render_fresh(&options)).0).collect();
    let mut cache = render_fresh(&options).cache;
    let mut incremental = Vec::new();
    let mut pages = (0, 0);
    for i in 0..args.edits {
        let change = edit(i);
        std::fs::write(&change.file, &change.text).expect("write the edit");
        let relative = change
            .file
            .strip_prefix(root)
            .expect("the edit is in the site");
        let relative = relative.to_string_lossy().replace('\\', "/");
        let (took, site) = time(|| {
            render_changes(&options, &mut cache, &[relative.as_str()]).expect("incremental render")
        });
        incremental.push(took);
        pages = (site.pages_rendered, site.pages.len());
        // Outside the timing, as the server frees it after serving.
        cache = site.cache;
    }
    drop(cache);
    let (ready, visible) = end_to_end(root, args.edits, edit);
    println!(
        "| {label} | {} | {} | {} ({} of {}) | {} | {} |",
        pages.1,
        median(full),
        median(incremental),
        pages.0,
        pages.1,
        median(ready),
        median(visible)
    );
}

fn render_fresh(options: &BuildOptions) -> proficio::build::RenderedSite {
    render(options, &PageCache::default()).expect("the benchmark site builds")
}

/// Edits through a running server: the server's own event-to-ready time
/// (from its rebuild line) and save-to-visible over HTTP.
fn end_to_end(
    root: &Path,
    edits: usize,
    edit: &dyn Fn(usize) -> Edit,
) -> (Vec<Duration>, Vec<Duration>) {
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut options = ServeOptions::new(root);
    options.port = 0;
    let sink = lines.clone();
    options.log = Arc::new(move |line: &str| sink.lock().expect("log").push(line.to_string()));
    let server = Server::start(options).expect("the server starts");
    let (mut ready, mut visible) = (Vec::new(), Vec::new());
    for i in 0..edits {
        let change = edit(i + 1000);
        let seen = lines.lock().expect("log").len();
        let started = Instant::now();
        std::fs::write(&change.file, &change.text).expect("write the edit");
        wait_until_visible(server.port(), &change.url, &change.marker);
        visible.push(started.elapsed());
        ready.push(wait_for_rebuild_line(&lines, seen));
    }
    server.stop();
    (ready, visible)
}

fn wait_until_visible(port: u16, url: &str, marker: &str) {
    let started = Instant::now();
    while started.elapsed() < PATIENCE {
        if fetch(port, url).contains(marker) {
            return;
        }
        // Often enough to resolve milliseconds, seldom enough not to slow
        // the rebuild it waits for on a two-core machine.
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{url} never showed {marker}");
}

/// The time the server's next rebuild line reports (`… in 41 ms`).
fn wait_for_rebuild_line(lines: &Mutex<Vec<String>>, seen: usize) -> Duration {
    let started = Instant::now();
    while started.elapsed() < PATIENCE {
        let found = lines.lock().expect("log")[seen..].iter().find_map(|line| {
            line.rsplit_once(" in ")?
                .1
                .strip_suffix(" ms")?
                .parse()
                .ok()
        });
        if let Some(ms) = found {
            return Duration::from_millis(ms);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("the server printed no rebuild line");
}

fn fetch(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let mut reply = String::new();
    if stream.write_all(request.as_bytes()).is_ok() {
        let _ = stream.read_to_string(&mut reply);
    }
    reply
}

fn time<T>(work: impl FnOnce() -> T) -> (Duration, T) {
    let started = Instant::now();
    let value = work();
    (started.elapsed(), value)
}

fn median(mut times: Vec<Duration>) -> String {
    times.sort();
    let middle = times.get(times.len() / 2).copied().unwrap_or_default();
    format!("{} ms", middle.as_millis())
}

// ------------------------------------------------------------ generated site

/// Writes a site of `count` modules in [`SECTIONS`] sections; returns the
/// source key of the module the benchmark edits.
fn generate_modules(root: &Path, count: usize) -> String {
    write(root, "site.toml", &site_toml());
    write(
        root,
        "content/_index.md",
        "# Benchmark portal\n\nGenerated.\n",
    );
    write(
        root,
        "content/modules/_index.md",
        "# Modules\n\nAll of them.\n",
    );
    for section in 0..SECTIONS.min(count.max(1)) {
        let text = format!(
            "---\ntitle: Section {section}\nweight: {section}\n---\nModules of section {section}.\n"
        );
        write(
            root,
            &format!("content/modules/s{section:02}/_index.md"),
            &text,
        );
    }
    for i in 0..count {
        write(root, &module_key(i), &module_text(i, count, ""));
    }
    module_key(count / 2)
}

fn site_toml() -> String {
    let mut text =
        "title = \"Benchmark portal\"\nbase_url = \"https://bench.example/\"\n".to_string();
    for track in 0..3 {
        text.push_str(&format!(
            "\n[[tracks]]\nid = \"track-{track}\"\ntitle = \"Track {track}\"\ndescription = \"Ten modules.\"\n"
        ));
    }
    text
}

fn module_key(i: usize) -> String {
    format!("content/modules/s{:02}/m{i:05}.md", i % SECTIONS)
}

/// A module of about 700 words with headings, lists, a table, two
/// highlighted code blocks and three checked links to other modules.
fn module_text(i: usize, count: usize, extra: &str) -> String {
    let mut front = format!(
        "title: Module {i}\nsummary: What module {i} teaches.\ndate: 2026-{:02}-{:02}\nweight: {}\nlevel: {}\nskills: [{}]\nworkflows: [{}]\ntags: [tag-{}, tag-{}]\n",
        1 + i % 12,
        1 + i % 28,
        i % 7,
        LEVELS[i % 3],
        SKILLS[i % 6],
        WORKFLOWS[(i / 6) % 6],
        i % 40,
        (i * 7) % 40
    );
    if i < 30 {
        front.push_str(&format!("track: track-{}\n", i % 3));
        if i >= 3 {
            front.push_str(&format!("prerequisites: [m{:05}]\n", i - 3));
        }
    }
    let links: Vec<String> = (1..=3)
        .map(|k| {
            let j = (i + k * 97) % count.max(1);
            format!("[module {j}](@/{})", &module_key(j)["content/".len()..])
        })
        .collect();
    format!("---\n{front}---\n{}{extra}", body(i, &links.join(", ")))
}

fn body(i: usize, links: &str) -> String {
    let sentence = format!(
        "Partner manager {i} drafts the quarterly review with the assistant, checks every figure against the CRM export and records the minutes saved. "
    );
    let paragraph = sentence.repeat(6);
    format!(
        "## Why it matters\n\n{paragraph}\n\n## Steps\n\n1. Collect the inputs.\n2. Draft with the prompt below.\n3. Validate each claim.\n\n{paragraph}\n\n\
         | step | minutes before | minutes after |\n|---|---|---|\n| draft | 90 | 25 |\n| review | 30 | 20 |\n\n\
         ```python\ndef minutes_saved(before, after):\n    return sum(b - a for b, a in zip(before, after))\n```\n\n\
         ```yaml\nworkflow: qbr\nsaved_minutes: {i}\n```\n\n## Check yourself\n\n{paragraph}\n\nSee also {links}.\n"
    )
}

fn module_edit(root: &Path, key: &str, i: usize) -> Edit {
    let file = root.join(key);
    let original = std::fs::read_to_string(&file).expect("read the module");
    let base = original.split("\nBench edit ").next().unwrap_or(&original);
    let marker = format!("Bench edit {i} done.");
    Edit {
        text: format!("{base}\nBench edit {i} done.\n"),
        url: page_url(key),
        file,
        marker,
    }
}

/// The footer override a template edit rewrites.
const FOOTER: &str = "templates/partials/footer.html";

/// The default theme's footer with `extra` at its end.
fn footer(extra: &str) -> String {
    let default = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("themes/default/templates")
        .join(FOOTER.trim_start_matches("templates/"));
    let text = std::fs::read_to_string(default).expect("the default footer");
    text.replace("</footer>", &format!("{extra}</footer>"))
}

/// One template edit: a line in the footer of every page.
fn template_edit(root: &Path, i: usize) -> Edit {
    let marker = format!("Bench footer {i}");
    Edit {
        file: root.join(FOOTER),
        text: footer(&format!("<p>{marker}</p>")),
        url: "/".to_string(),
        marker,
    }
}

/// `content/modules/s01/m00001.md` → `/modules/s01/m00001/`.
fn page_url(key: &str) -> String {
    let inside = key.trim_start_matches("content").trim_end_matches(".md");
    format!("{inside}/")
}

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create a folder");
    }
    std::fs::write(path, text).expect("write a file");
}

// ------------------------------------------------------------- imported corpus

/// Copies a corpus of Markdown pages with TOML front matter (`+++`) under
/// `content/modules/`, turning the front matter into proficio's YAML and
/// giving each page a level, skills and workflows; absolute links move
/// under `/modules/`. Returns the key of the page to edit.
fn import_corpus(corpus: &Path, root: &Path) -> String {
    write(root, "site.toml", &site_toml());
    write(
        root,
        "content/modules/_index.md",
        "# Modules\n\nImported.\n",
    );
    let source = corpus.join("content");
    let mut keys = Vec::new();
    let walker = walkdir::WalkDir::new(&source).sort_by_file_name();
    for entry in walker.into_iter().filter_map(|e| e.ok()) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let relative = path.strip_prefix(&source).expect("under the corpus");
        let key = format!(
            "content/modules/{}",
            relative.to_string_lossy().replace('\\', "/")
        );
        let text = std::fs::read_to_string(path).expect("read a corpus page");
        write(root, &key, &convert_page(&text, keys.len()));
        if !key.ends_with("_index.md") {
            keys.push(key);
        }
    }
    keys.get(keys.len() / 2)
        .cloned()
        .expect("the corpus has pages")
}

fn convert_page(text: &str, i: usize) -> String {
    let rest = text.strip_prefix("+++\n").unwrap_or(text);
    let (front, body) = rest.split_once("\n+++\n").unwrap_or(("", rest));
    let table: toml::Table = front.parse().unwrap_or_default();
    let mut yaml = String::new();
    for (key, value) in &table {
        let value = match value {
            toml::Value::String(s) => format!("{s:?}"),
            toml::Value::Datetime(d) => format!("\"{d}\""),
            toml::Value::Array(items) => {
                let items: Vec<String> = items
                    .iter()
                    .filter_map(|v| v.as_str())
                    .map(|s| format!("{s:?}"))
                    .collect();
                format!("[{}]", items.join(", "))
            }
            other => other.to_string(),
        };
        yaml.push_str(&format!("{key}: {value}\n"));
    }
    yaml.push_str(&format!(
        "level: {}\nskills: [{}]\nworkflows: [{}]\n",
        LEVELS[i % 3],
        SKILLS[i % 6],
        WORKFLOWS[(i / 6) % 6]
    ));
    format!("---\n{yaml}---\n{}", body.replace("](/", "](/modules/"))
}

// --------------------------------------------------------------- partner site

/// The demo portal (this repository's own `site.toml` and `content/`) with
/// each partner file cloned until there are `count`; returns the id of the
/// partner the benchmark edits.
fn clone_demo_with_partners(root: &Path, count: usize) -> String {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_tree(&demo.join("content"), &root.join("content"));
    std::fs::copy(demo.join("site.toml"), root.join("site.toml")).expect("copy site.toml");
    let partners = root.join("content/partners");
    let originals: Vec<PathBuf> = std::fs::read_dir(&partners)
        .expect("the demo has partners")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    let mut sorted = originals.clone();
    sorted.sort();
    for n in 0..count.saturating_sub(sorted.len()) {
        let original = &sorted[n % sorted.len()];
        let stem = original
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("partner");
        let text = std::fs::read_to_string(original).expect("read a partner file");
        let text = text.replacen("name: ", &format!("name: Copy {n} of "), 1);
        std::fs::write(partners.join(format!("{stem}-{n:04}.yaml")), text).expect("clone");
    }
    sorted
        .first()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .expect("a partner")
}

fn partner_edit(root: &Path, id: &str, i: usize) -> Edit {
    let file = root.join(format!("content/partners/{id}.yaml"));
    let text = std::fs::read_to_string(&file).expect("read the partner file");
    let marker = format!("Bench Owner {i}");
    let text: String = text
        .lines()
        .map(|line| {
            if line.starts_with("owner: ") {
                format!("owner: {marker}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    Edit {
        file,
        text,
        url: format!("/partners/{id}/"),
        marker,
    }
}

/// [`partner_edit`] that also adds a person, which changes the total
/// headcount and so every partner's share of the program cost (the owner
/// shows that the edit arrived: people are listed only with `show_people`).
fn person_edit(root: &Path, id: &str, i: usize) -> Edit {
    let edit = partner_edit(root, id, i);
    let person = format!("people:\n  - id: bench-person-{i}\n    role: analyst\n");
    Edit {
        text: edit.text.replacen("people:\n", &person, 1),
        ..edit
    }
}

/// [`partner_edit`] that also renames the partner, which moves it in every
/// list.
fn rename_edit(root: &Path, id: &str, i: usize) -> Edit {
    let edit = partner_edit(root, id, i);
    Edit {
        text: edit
            .text
            .replacen("name: ", &format!("name: Renamed {i} "), 1),
        ..edit
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        let relative = entry.path().strip_prefix(from).expect("under the tree");
        let target = to.join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("create a folder");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}
