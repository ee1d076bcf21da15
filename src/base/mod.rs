//! The ground floor: what every stage needs and that knows nothing of a
//! site. Who a build is for ([`audience`]), the persistent cache of what
//! a build computed ([`build_cache`]), the kinds of problem
//! ([`codes`]), problems located in files and
//! how they are reported ([`diagnostics`]), which files a run may read
//! ([`paths`]), calendar quarters ([`quarter`]), how numbers and dates are
//! written ([`format`](mod@format)), small text helpers ([`text`]), the bound on YAML
//! aliases ([`yaml`]), a result kept with the inputs it was computed
//! from ([`memo`]) and where a run's passing remarks go ([`remarks`]).
//! Nothing here imports from another folder of the crate.

pub mod audience;
pub mod build_cache;
pub mod codes;
pub mod diagnostics;
pub mod format;
pub mod memo;
pub mod paths;
pub mod quarter;
pub mod remarks;
pub mod text;
pub mod yaml;
