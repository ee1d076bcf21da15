//! What the live preview keeps of the partner data between renders, so an
//! edit to one partner file recomputes that partner's figures alone: the
//! [`Ledger`], what [`Ledger::update`] recomputed ([`Recomputed`]) and
//! [`compute_kept`], which starts one.

use super::exports::{self, PartnerExport};
use super::partner::partner_view;
use super::{Coverage, Ecosystem, PartnerView, Standings, add_up, computed, computed_with};
use crate::base::audience::Audience;
use crate::base::memo::Memo;
use crate::input::config::Config;
use crate::input::content::ContentStore;
use crate::partners::metrics::PartnerFile;

/// What the live preview keeps of the partner data between renders, so that
/// an edit to one partner file recomputes that partner's figures alone and
/// then adds up the others' kept ones: the parsed files, each partner's
/// people at every quarter, and each shown partner's export rows.
pub struct Ledger {
    files: Vec<PartnerFile>,
    /// In file order, with what every partner's figures share that they
    /// were worked out with.
    standings: Memo<Coverage, Vec<Standings>>,
    /// In the order of the ecosystem's partners.
    exports: Vec<PartnerExport>,
    /// How many updates the figures have had: what is made from them (the
    /// export files) is kept with the revision it was made from.
    revision: u64,
}

/// Which partner views [`Ledger::update`] recomputed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recomputed {
    /// The edited partner's: its place among the ecosystem's partners, if shown.
    One(Option<usize>),
    /// The edited partner's, whose new name moved it among the ecosystem's
    /// partners: its new place, and for each place the place the partner
    /// there held before.
    Moved {
        /// The edited partner's new place.
        at: usize,
        /// `order[new] == old` for every partner shown.
        order: Vec<usize>,
    },
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
        standings: Memo::new(coverage, standings),
        revision: 0,
    };
    Some((ecosystem, ledger))
}

impl Ledger {
    /// Puts `file` in place of the kept file at the same path, recomputes
    /// its partner's view, export rows and the figures adding up all
    /// partners, and updates `ecosystem`. When the edit changes what every
    /// view depends on (the quarters covered, the total headcount, which
    /// sets each partner's share of the program cost), every partner's view
    /// is recomputed from the kept files; a new name moves the partner's view
    /// to its place by name, the others' views keeping their figures.
    /// `None`, with nothing changed, when no kept file has that path or no
    /// quarter has data any more: that takes [`compute`](super::compute).
    /// A new [`Ledger::revision`] follows every update.
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
        let old = std::mem::replace(&mut self.files[index], file);
        let Some(coverage) = Coverage::of(config, &self.files) else {
            self.files[index] = old;
            return None;
        };
        // Every update from here on succeeds.
        self.revision += 1;
        if self.standings.get(&coverage).is_none() {
            let (every, standings) = computed_with(&coverage, config, store, &self.files, audience);
            *ecosystem = every;
            self.standings = Memo::new(coverage, standings);
            self.exports = exports::partner_exports(ecosystem);
            return Some(Recomputed::Every);
        }
        let learning_order = crate::input::content::learning_order(store.modules());
        let inputs = coverage.inputs(config, store, &learning_order, audience);
        let (view, standings) = partner_view(&inputs, &self.files[index]);
        if let Some(kept) = self.standings.get_mut(&coverage) {
            kept[index] = standings;
        }
        let mut recomputed = Recomputed::One(shown);
        if let Some(at) = shown {
            self.exports[at] = PartnerExport::new(&view);
            ecosystem.partners[at] = view;
            recomputed = self.keep_in_name_order(ecosystem, at);
        }
        add_up(
            &inputs,
            &self.files,
            self.standings.value(),
            audience,
            ecosystem,
        );
        Some(recomputed)
    }

    /// The partner files the figures were computed from, in file order.
    pub fn files(&self) -> &[PartnerFile] {
        &self.files
    }

    /// The revision of the figures: different after every [`Ledger::update`].
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Puts the partner views (and their export rows) back in name order
    /// after the view at `at` changed, as [`compute`](super::compute) sorts them.
    fn keep_in_name_order(&mut self, ecosystem: &mut Ecosystem, at: usize) -> Recomputed {
        let key = |view: &PartnerView| (view.summary.name.clone(), view.summary.id.clone());
        let views = &ecosystem.partners;
        if views.windows(2).all(|pair| key(&pair[0]) <= key(&pair[1])) {
            return Recomputed::One(Some(at));
        }
        let mut order: Vec<usize> = (0..views.len()).collect();
        order.sort_by_cached_key(|old| key(&views[*old]));
        ecosystem.partners = reordered(std::mem::take(&mut ecosystem.partners), &order);
        self.exports = reordered(std::mem::take(&mut self.exports), &order);
        let at = order.iter().position(|old| *old == at).unwrap_or(at);
        Recomputed::Moved { at, order }
    }

    /// The export files of `ecosystem`, from the kept rows.
    pub fn exports(&self, ecosystem: &Ecosystem, config: &Config) -> Vec<(String, Vec<u8>)> {
        exports::assemble(ecosystem, config, &self.exports)
    }
}

/// `items` in the order `order` gives (`order[new] == old`).
pub fn reordered<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut taken: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.iter().filter_map(|old| taken[*old].take()).collect()
}
