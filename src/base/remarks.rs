//! Where a run's passing remarks go: lines that are neither a result nor a
//! problem ("waiting for another build of public/ to finish"). The library
//! prints nothing itself; the command line sends remarks to the terminal,
//! the live preview to its log, and a test to whatever it checks.

use std::fmt;
use std::sync::Arc;

/// Takes one line at a time.
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// A run's remarks; silent unless given a [`Log`].
#[derive(Clone, Default)]
pub struct Remarks(Option<Log>);

impl Remarks {
    /// Remarks sent to `log`.
    pub fn to(log: Log) -> Remarks {
        Remarks(Some(log))
    }

    /// Passes `line` on, if anyone listens.
    pub fn say(&self, line: &str) {
        if let Some(log) = &self.0 {
            log(line);
        }
    }
}

impl fmt::Debug for Remarks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Remarks(to a log)"
        } else {
            "Remarks(silent)"
        })
    }
}

/// Where remarks go changes nothing that is built, so any two are equal.
impl PartialEq for Remarks {
    fn eq(&self, _: &Remarks) -> bool {
        true
    }
}
