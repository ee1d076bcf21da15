//! Learning tracks: each track's modules in learning order (prerequisites
//! first), its page (`track.html`), the list of tracks (`tracks.html`) and
//! the previous/next links a module of a track shows. A new view of a
//! track's order goes here.

use std::collections::BTreeSet;

use serde::Serialize;
use tera::Value;

use crate::input::config::CatalogEntry;
use crate::input::content::{ContentStore, Page, learning_order};
use crate::render::links::{Ref, TermRef};

use super::views::TRACKS;
use super::{Model, RenderJob, output_for};

/// A module's place in its track, `track_nav` of its page.
#[derive(Debug, Clone, Serialize)]
pub(super) struct TrackNav {
    previous: Option<Ref>,
    next: Option<Ref>,
    position: usize,
    total: usize,
    track: TermRef,
}

/// A track as `track.html`, `tracks.html` and the home page see it.
#[derive(Serialize)]
struct TrackView<'t> {
    description: &'t Option<String>,
    /// Prerequisites of its modules that are not in the track.
    external_prerequisites: Vec<Ref>,
    id: &'t str,
    /// Summaries of its modules, in learning order.
    modules: Vec<Value>,
    title: &'t str,
    total_minutes: u32,
    url: String,
}

/// Modules of a track in learning order.
pub(super) fn order_track<'a>(store: &'a ContentStore, track: &str) -> Vec<&'a str> {
    learning_order(
        store
            .modules()
            .filter(|m| m.front.track.as_deref() == Some(track)),
    )
}

impl<'a> Model<'a> {
    pub(super) fn track_nav(&self, page: &Page) -> Option<TrackNav> {
        let track = page.front.track.as_ref()?;
        let order = self.tracks.get(track)?;
        let position = *self.track_positions.get(page.source.as_str())?;
        Some(TrackNav {
            previous: position.checked_sub(1).map(|i| self.link(order[i])),
            next: order.get(position + 1).map(|s| self.link(s)),
            position: position + 1,
            total: order.len(),
            track: self.catalog_ref(TRACKS, &self.config.tracks, track),
        })
    }

    /// The view of `track`.
    pub(super) fn track_value(&self, track: &CatalogEntry) -> Value {
        let order = self.tracks.get(&track.id).map_or(&[][..], Vec::as_slice);
        let in_track: BTreeSet<&str> = order
            .iter()
            .map(|s| self.store.pages[*s].id.as_str())
            .collect();
        let mut external = BTreeSet::new();
        for source in order {
            for id in &self.store.pages[*source].front.prerequisites {
                if !in_track.contains(id.as_str())
                    && let Some(module) = self.store.module(id)
                {
                    external.insert(module.source.as_str());
                }
            }
        }
        let total_minutes: u32 = order
            .iter()
            .filter_map(|s| self.store.pages[*s].front.duration_minutes)
            .sum();
        Value::from_serializable(&TrackView {
            description: &track.description,
            external_prerequisites: external.iter().map(|s| self.link(s)).collect(),
            id: &track.id,
            modules: order.iter().map(|s| self.summary_value(s)).collect(),
            title: &track.title,
            total_minutes,
            url: self.url(&format!("/{TRACKS}/{}/", track.id)),
        })
    }

    pub(super) fn track_jobs(&self, jobs: &mut Vec<RenderJob>) {
        if self.config.tracks.is_empty() {
            return;
        }
        let mut values = Vec::new();
        for track in &self.config.tracks {
            let value = self.track_value(track);
            let path = format!("/{TRACKS}/{}/", track.id);
            let mut job = self.job(&path, output_for(&path), "track.html", "track");
            job.context.insert_value("track", value.clone());
            jobs.push(job);
            values.push(value);
        }
        let path = format!("/{TRACKS}/");
        let mut job = self.job(&path, output_for(&path), "tracks.html", "tracks");
        job.context.insert_value("tracks", Value::from(values));
        jobs.push(job);
    }
}
