//! The `proficio` command line: parses arguments and calls the library.

use std::io::IsTerminal;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use proficio::base::audience::Audience;
use proficio::{BuildOptions, Error};

/// mimalloc reuses memory freed by any thread; the system allocator keeps
/// each thread's freed memory for that thread, so data loaded in parallel
/// and dropped stayed resident through a large build.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Build partner enablement portals from Markdown modules.
#[derive(Parser)]
#[command(name = "proficio", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder.
    Build {
        /// The site's root folder (holding site.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (default: output_dir from site.toml, under the root).
        #[arg(long)]
        output: Option<PathBuf>,
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
    },
    /// Preview the site: build it in memory, serve it over HTTP and rebuild on
    /// every change, reloading open pages.
    Serve {
        /// The site's root folder (holding site.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
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
        /// Include pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Publish under this absolute URL instead of the server's own address.
        #[arg(long)]
        base_url: Option<String>,
        /// Who the preview is for: `internal` (everything) or `partner:<id>`
        /// (the modules and that partner's own scorecard only).
        #[arg(long, default_value = "internal", value_parser = parse_audience)]
        audience: Audience,
    },
    /// Check the site without writing anything: every validation of `build`,
    /// plus broken links and anchors, images without alt text, unused assets
    /// and modules outside every track. Exits 1 when there are errors.
    Check {
        /// The site's root folder (holding site.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Check as published under this absolute URL instead of base_url from site.toml.
        #[arg(long)]
        base_url: Option<String>,
        /// Include pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Who the portal is for: `internal` (everything) or `partner:<id>`.
        #[arg(long, default_value = "internal", value_parser = parse_audience)]
        audience: Audience,
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
    let cli = Cli::parse();
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let result = match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            audience,
        } => {
            let started = Instant::now();
            let options = BuildOptions {
                root,
                output,
                base_url,
                drafts,
                audience,
            };
            proficio::build(&options).map(|report| {
                eprintln!(
                    "Built {} pages and copied {} files into {} in {} ms",
                    report.pages.len(),
                    report.files_copied,
                    proficio::build::describe_output(&options, &report),
                    started.elapsed().as_millis()
                );
                for note in &report.notes {
                    eprintln!("warning: {note}");
                }
            })
        }
        Command::Serve {
            root,
            bind,
            port,
            poll,
            drafts,
            base_url,
            audience,
        } => {
            let mut options = proficio::serve::ServeOptions::new(root);
            options.bind = bind;
            options.port = port;
            options.poll = poll;
            options.drafts = drafts;
            options.base_url = base_url;
            options.audience = audience;
            options.colour = colour;
            proficio::serve::Server::start(options).map(proficio::serve::Server::wait)
        }
        Command::Check {
            root,
            base_url,
            drafts,
            audience,
            format,
            strict,
        } => {
            let options = BuildOptions {
                root,
                output: None,
                base_url,
                drafts,
                audience,
            };
            return run_check(&options, format, strict);
        }
        Command::Init { dir } => proficio::init::init(&dir).map(|()| {
            eprintln!(
                "Created a new site in {}. Build it with: proficio build --root {}",
                dir.display(),
                dir.display()
            );
        }),
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
