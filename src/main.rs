//! The `proficio` command line: parses arguments and calls the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use proficio::{BuildOptions, Error};

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
    },
    /// Create a new site with sample modules in DIR (which must be empty or absent).
    Init {
        /// Folder for the new site.
        dir: PathBuf,
    },
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
        } => {
            let started = Instant::now();
            let options = BuildOptions {
                root,
                output,
                base_url,
                drafts,
            };
            proficio::build(&options).map(|report| {
                eprintln!(
                    "Built {} pages and copied {} files into {} in {} ms",
                    report.pages.len(),
                    report.files_copied,
                    proficio::build::describe_output(&options, &report),
                    started.elapsed().as_millis()
                );
            })
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
