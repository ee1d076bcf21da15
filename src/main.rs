//! The `proficio` command line: parses arguments and calls the library.

use std::io::IsTerminal;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Args, Parser, Subcommand, ValueEnum};
use proficio::base::audience::Audience;
use proficio::base::remarks::Remarks;
use proficio::build::CacheChoice;
use proficio::{BuildOptions, Error};

/// mimalloc reuses memory freed by any thread; the system allocator keeps
/// each thread's freed memory for that thread, so data loaded in parallel
/// and dropped stayed resident through a large build.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's option `mi_option_purge_delay`: its number is fixed by the
/// library's ABI, but the Rust bindings do not name it.
const MIMALLOC_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory stays with mimalloc before going back to the
/// system. mimalloc 3 waits a second, longer than a build's phases last, so
/// a phase's garbage was still resident when the next phase peaked; 10 ms
/// (mimalloc 2's choice) took a 10,000-module build from 271 to 237 MB at
/// the same speed.
const PURGE_AFTER_MILLISECONDS: std::ffi::c_long = 10;

/// Build partner enablement portals from Markdown modules.
#[derive(Parser)]
#[command(name = "proficio", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The arguments `build`, `check` and `serve` share: which site, published
/// where, with or without drafts, for whom.
#[derive(Args)]
struct SiteArgs {
    /// The site's root folder (holding site.toml).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Publish under this absolute URL instead of base_url from site.toml.
    #[arg(long)]
    base_url: Option<String>,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// Who the portal is for: `internal` (everything) or `partner:<id>`
    /// (all modules and that partner's scorecard, nothing of any other partner).
    #[arg(long, default_value = "internal", value_parser = parse_audience)]
    audience: Audience,
    /// Keep the build cache (highlighted code from earlier runs) in DIR
    /// instead of .proficio-cache/ beside site.toml.
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    cache_dir: Option<PathBuf>,
    /// Use no build cache: read none, write none.
    #[arg(long)]
    no_cache: bool,
}

impl SiteArgs {
    /// The build cache these arguments ask for.
    fn cache(&self) -> CacheChoice {
        match (&self.cache_dir, self.no_cache) {
            (_, true) => CacheChoice::Off,
            (Some(dir), false) => CacheChoice::At(dir.clone()),
            (None, false) => CacheChoice::Beside,
        }
    }

    /// The library's build options for these arguments, writing into `output`.
    fn options(self, output: Option<PathBuf>) -> BuildOptions {
        BuildOptions {
            cache: self.cache(),
            root: self.root,
            output,
            base_url: self.base_url,
            drafts: self.drafts,
            audience: self.audience,
            remarks: Remarks::to(Arc::new(|line: &str| eprintln!("{line}"))),
            ..BuildOptions::default()
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder.
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Output folder (default: output_dir from site.toml, under the root).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Preview the site: build it in memory, serve it over HTTP and rebuild on
    /// every change, reloading open pages.
    // The preview publishes under its own address unless told otherwise.
    #[command(mut_arg("base_url", |arg| arg.help(
        "Publish under this absolute URL instead of the server's own address"
    )))]
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// The port to listen on; when it is busy the next free one is used.
        #[arg(long, default_value_t = proficio::serve::DEFAULT_PORT)]
        port: u16,
        /// Poll for changes instead of using the system's change events
        /// (for network drives and containers).
        #[arg(long)]
        poll: bool,
    },
    /// Check the site without writing anything: every validation of `build`,
    /// plus broken links and anchors, images without alt text, unused assets
    /// and modules outside every track. Exits 1 when there are errors.
    // Nothing is published: links are checked as if it were.
    #[command(mut_arg("base_url", |arg| arg.help(
        "Check as published under this absolute URL instead of base_url from site.toml"
    )))]
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// `human` (source lines with a caret) or `json` (one document on stdout).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
    },
    /// Create a new site with sample modules in DIR (which must be empty or absent).
    Init {
        /// Folder for the new site.
        dir: PathBuf,
    },
}

/// How `proficio check` prints its findings.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Each finding with its source line and a caret, then a summary.
    Human,
    /// One JSON document (schema in docs/ci.md).
    Json,
}

fn main() -> ExitCode {
    // SAFETY: one store into mimalloc's table of options, made before any
    // other thread exists; the value is in the option's range.
    unsafe { libmimalloc_sys::mi_option_set(MIMALLOC_PURGE_DELAY, PURGE_AFTER_MILLISECONDS) };
    let cli = Cli::parse();
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let result = match cli.command {
        Command::Build { site, output } => {
            let started = Instant::now();
            let options = site.options(output);
            proficio::build(&options).map(|report| {
                eprintln!(
                    "Built {} pages and copied {} files into {} in {} ms{}",
                    report.pages.len(),
                    report.files_copied,
                    proficio::build::describe_output(&options, &report),
                    started.elapsed().as_millis(),
                    report.cache.map_or_else(String::new, |cache| format!(
                        " (build cache: code of {} bodies found, {} highlighted)",
                        cache.hits, cache.misses
                    ))
                );
                for note in &report.notes {
                    eprintln!("warning: {note}");
                }
            })
        }
        Command::Serve {
            site,
            bind,
            port,
            poll,
        } => {
            let mut options = proficio::serve::ServeOptions::new(&site.root);
            options.cache = site.cache();
            options.bind = bind;
            options.port = port;
            options.poll = poll;
            options.drafts = site.drafts;
            options.base_url = site.base_url;
            options.audience = site.audience;
            options.colour = colour;
            proficio::serve::Server::start(options).map(proficio::serve::Server::wait)
        }
        Command::Check {
            site,
            format,
            strict,
        } => return run_check(&site.options(None), format, strict),
        Command::Init { dir } => {
            proficio::init::init(&dir).map(|()| print!("{}", proficio::init::next_steps(&dir)))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error, colour);
            ExitCode::FAILURE
        }
    }
}

/// Runs `proficio check` and prints its report: exit 0 without errors, 1 with.
fn run_check(options: &BuildOptions, format: Format, strict: bool) -> ExitCode {
    let mut report = match proficio::check::check(options) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    if strict {
        report.make_strict();
    }
    match format {
        Format::Json => println!("{}", report.to_json()),
        Format::Human => {
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            print!("{}", report.render(colour));
        }
    }
    if report.errors() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn report(error: &Error, colour: bool) {
    match error {
        Error::Input(diagnostics) => {
            for diagnostic in diagnostics {
                eprint!("{}", diagnostic.render(colour));
            }
            let count = diagnostics.len();
            eprintln!(
                "error: the build stopped with {count} problem{}; the previous output is untouched",
                if count == 1 { "" } else { "s" }
            );
        }
        other => eprintln!("error: {other}"),
    }
}

fn parse_audience(text: &str) -> Result<Audience, String> {
    Audience::parse(text)
        .ok_or_else(|| format!("`{text}` is not an audience: use `internal` or `partner:<id>`"))
}
