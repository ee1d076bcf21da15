//! What the live preview keeps of the partner data between renders, so an
//! edit to one partner file recomputes that partner's figures alone: the
//! [`Ledger`], what [`Ledger::update`] recomputed ([`Recomputed`]) and
//! [`compute_kept`], which starts one.

use super::exports::{self, PartnerExport};
use super::partner::partner_view;
use super::{Coverage, Ecosystem, Standings, add_up, computed, computed_with};
use crate::base::audience::Audience;
use crate::input::config::Config;
use crate::input::content::ContentStore;
use crate::partners::metrics::PartnerFile;

/// What the live preview keeps of the partner data between renders, so that
/// an edit to one partner file recomputes that partner's figures alone and
/// then adds up the others' kept ones: the parsed files, each partner's
/// people at every quarter, and each shown partner's export rows.
pub struct Ledger {
    files: Vec<PartnerFile>,
    /// In file order.
    standings: Vec<Standings>,
    /// In the order of the ecosystem's partners.
    exports: Vec<PartnerExport>,
    coverage: Coverage,
}

/// Which partner views [`Ledger::update`] recomputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recomputed {
    /// The edited partner's: its place among the ecosystem's partners, if shown.
    One(Option<usize>),
    /// Every partner's, since the quarters covered or the total headcount
    /// changed.
    Every,
}

/// Like [`compute`](super::compute), also keeping a [`Ledger`] of `partners` (for a partner
/// audience, of its own file only).
pub fn compute_kept(
    config: &Config,
    store: &ContentStore,
    mut partners: Vec<PartnerFile>,
    audience: &Audience,
) -> Option<(Ecosystem, Ledger)> {
    if let Audience::Partner(id) = audience {
        partners.retain(|p| &p.id == id);
    }
    let (ecosystem, standings, coverage) = computed(config, store, &partners, audience)?;
    let ledger = Ledger {
        exports: exports::partner_exports(&ecosystem),
        files: partners,
        standings,
        coverage,
    };
    Some((ecosystem, ledger))
}

impl Ledger {
    /// Puts `file` in place of the kept file at the same path, recomputes
    /// its partner's view, export rows and the figures adding up all
    /// partners, and updates `ecosystem`. When the edit changes what every
    /// view depends on (the quarters covered, the total headcount, which
    /// sets each partner's share of the program cost), every partner's view
    /// is recomputed from the kept files. `None`, with nothing changed, when
    /// no kept file has that path, no quarter has data any more, or the edit
    /// changes the partner's place in the list (its name): that takes
    /// [`compute`](super::compute).
    pub fn update(
        &mut self,
        config: &Config,
        store: &ContentStore,
        audience: &Audience,
        ecosystem: &mut Ecosystem,
        file: PartnerFile,
    ) -> Option<Recomputed> {
        let index = self.files.iter().position(|kept| kept.file == file.file)?;
        let shown = ecosystem
            .partners
            .iter()
            .position(|view| view.summary.id == file.id);
        let same_place =
            shown.is_none_or(|at| ecosystem.partners[at].summary.name == file.record.name);
        let old = std::mem::replace(&mut self.files[index], file);
        let Some(coverage) = Coverage::of(config, &self.files).filter(|_| same_place) else {
            self.files[index] = old;
            return None;
        };
        if coverage != self.coverage {
            let (every, standings) = computed_with(&coverage, config, store, &self.files, audience);
            *ecosystem = every;
            self.standings = standings;
            self.coverage = coverage;
            self.exports = exports::partner_exports(ecosystem);
            return Some(Recomputed::Every);
        }
        let learning_order = crate::input::content::learning_order(store.modules());
        let inputs = self
            .coverage
            .inputs(config, store, &learning_order, audience);
        let (view, standings) = partner_view(&inputs, &self.files[index]);
        self.standings[index] = standings;
        if let Some(at) = shown {
            self.exports[at] = PartnerExport::new(&view);
            ecosystem.partners[at] = view;
        }
        add_up(&inputs, &self.files, &self.standings, audience, ecosystem);
        Some(Recomputed::One(shown))
    }

    /// The export files of `ecosystem`, from the kept rows.
    pub fn exports(&self, ecosystem: &Ecosystem, config: &Config) -> Vec<(String, Vec<u8>)> {
        exports::assemble(ecosystem, config, &self.exports)
    }
}
