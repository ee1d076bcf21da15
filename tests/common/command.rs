//! The `proficio` binary run as a user runs it, without colours.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `proficio` with `args` and waits for it.
pub fn proficio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_proficio"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run proficio")
}

/// What a run printed on stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// What a run printed on stdout.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A path as a command-line argument.
pub fn path(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// A site's root folder as a command-line argument.
pub fn root_arg(site: &super::Site) -> String {
    path(site.root()).to_string()
}
