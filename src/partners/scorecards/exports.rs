//! The machine-readable exports: `data/metrics.json` and one CSV per main
//! table. Each partner's share of every file is written on its own (in
//! parallel) and the files are put together from those parts, so the live
//! preview rewrites only the part of a partner whose figures changed. Text
//! cells of the CSVs are written so a spreadsheet never runs them as
//! formulas (see `text`).

use serde::Serialize;

use rayon::prelude::*;

use serde_json::value::RawValue;

use super::executive::ExecutivePage;
use super::{Ecosystem, PartnerView, ProgramView, SCHEMA_VERSION};
use crate::base::text;
use crate::input::config::Config;
use crate::partners::roi::PaybackStatus;

/// One partner's rows of every export, in the bytes the files hold.
#[derive(Debug, Clone)]
pub struct PartnerExport {
    /// The partner's object in `metrics.json`, indented for its place in
    /// the `partners` array.
    json: Vec<u8>,
    /// The partner's summary in `metrics.json`, indented for its place in
    /// the executive summary's lists, as serialised JSON.
    summary: Box<RawValue>,
    partners_csv: Vec<u8>,
    kpis_csv: Vec<u8>,
    workflows_csv: Vec<u8>,
}

/// How deep a partner's object sits in `metrics.json`: in the `partners`
/// array of the top-level object.
const PARTNER_INDENT: &[u8] = b"    ";
/// How deep a partner's summary sits: in a list of the `ecosystem` object.
const SUMMARY_INDENT: &[u8] = b"      ";

impl PartnerExport {
    /// The rows of `view`.
    pub fn new(view: &PartnerView) -> PartnerExport {
        let summary = html_safe_json(&view.summary, SUMMARY_INDENT)
            .and_then(|json| String::from_utf8(json).ok())
            .and_then(|json| RawValue::from_string(json).ok())
            .unwrap_or_else(|| RawValue::NULL.to_owned());
        PartnerExport {
            json: html_safe_json(view, PARTNER_INDENT).unwrap_or_default(),
            summary,
            partners_csv: csv_bytes(None, vec![partners_row(view)]),
            kpis_csv: csv_bytes(None, kpi_rows(view)),
            workflows_csv: csv_bytes(None, workflow_rows(view)),
        }
    }
}

/// Every partner's rows, in the order of `ecosystem.partners`.
pub fn partner_exports(ecosystem: &Ecosystem) -> Vec<PartnerExport> {
    ecosystem
        .partners
        .par_iter()
        .map(PartnerExport::new)
        .collect()
}

/// The export files of `ecosystem`, from its partners' rows `parts` (one per
/// partner, in order).
pub fn assemble(
    ecosystem: &Ecosystem,
    config: &Config,
    parts: &[PartnerExport],
) -> Vec<(String, Vec<u8>)> {
    let csv = |header: Vec<u8>, part: fn(&PartnerExport) -> &[u8]| {
        let mut bytes = header;
        for export in parts {
            bytes.extend_from_slice(part(export));
        }
        bytes
    };
    let mut files = Vec::new();
    if let Some(json) = metrics_json(ecosystem, config, parts) {
        files.push(("data/metrics.json".to_string(), json));
    }
    let partners = csv(partners_header(config), |e| &e.partners_csv);
    files.push(("data/partners.csv".to_string(), partners));
    let kpis = csv(header(&KPIS_HEADER), |e| &e.kpis_csv);
    files.push(("data/kpis.csv".to_string(), kpis));
    let workflows = csv(header(&WORKFLOWS_HEADER), |e| &e.workflows_csv);
    files.push(("data/workflows.csv".to_string(), workflows));
    files
}

/// Everything in `metrics.json` but the partners; the executive summary's
/// partner summaries are the parts' prepared JSON.
#[derive(Serialize)]
struct Head<'a, R: Serialize> {
    schema_version: u32,
    baseline_quarter: &'a str,
    latest_quarter: &'a str,
    program: ProgramView<'a>,
    ecosystem: Option<ExecutivePage<'a, R>>,
}

impl<'a, R: Serialize> Head<'a, R> {
    /// The head of `ecosystem`, with `summaries` standing for its partners'
    /// summaries (one per partner, in order).
    fn new(ecosystem: &'a Ecosystem, config: &'a Config, summaries: &'a [R]) -> Self {
        Head {
            schema_version: SCHEMA_VERSION,
            baseline_quarter: &ecosystem.baseline_quarter,
            latest_quarter: &ecosystem.latest_quarter,
            program: ProgramView::new(config, &ecosystem.audience),
            ecosystem: ecosystem.report.as_ref().map(|r| r.data(summaries)),
        }
    }
}

/// `metrics.json`: the head's fields, then `partners`, laid out as one pretty
/// serialisation of the whole would be.
fn metrics_json(
    ecosystem: &Ecosystem,
    config: &Config,
    parts: &[PartnerExport],
) -> Option<Vec<u8>> {
    let summaries: Vec<&RawValue> = parts.iter().map(|part| &*part.summary).collect();
    let mut json = html_safe_json(&Head::new(ecosystem, config, &summaries), b"")?;
    // The head is a non-empty object, so it ends in a newline and a brace.
    json.truncate(json.len().checked_sub(2)?);
    let total: usize = parts
        .iter()
        .map(|p| p.json.len() + 2 + PARTNER_INDENT.len())
        .sum();
    json.reserve(total + 32);
    json.extend_from_slice(b",\n  \"partners\": [");
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        json.push(b'\n');
        json.extend_from_slice(PARTNER_INDENT);
        json.extend_from_slice(&part.json);
    }
    if !parts.is_empty() {
        json.extend_from_slice(b"\n  ");
    }
    json.extend_from_slice(b"]\n}");
    Some(json)
}

/// Pretty JSON with `indent` after every line break, made inert with
/// [`text::inert_json`]. Line breaks only occur between values (inside
/// strings they are escaped), so indenting them nests the whole value.
fn html_safe_json(value: &impl Serialize, indent: &'static [u8]) -> Option<Vec<u8>> {
    let plain = serde_json::to_vec_pretty(value).ok()?;
    Some(text::inert_json(&plain, indent))
}

/// CSV records, each field quoted only where it needs to be.
fn csv_bytes(header: Option<&[&str]>, rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if let Some(header) = header {
        let _ = writer.write_record(header);
    }
    for row in rows {
        let _ = writer.write_record(&row);
    }
    writer.into_inner().unwrap_or_default()
}

/// A text cell (a name, region, id or label) as a spreadsheet may safely
/// open it: one that starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return would be taken for a formula, so it gets a leading `'` (OWASP's
/// rule against CSV injection). Numbers are formatted here and written as
/// they are, so a negative figure stays a number.
fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

fn header(names: &[&str]) -> Vec<u8> {
    csv_bytes(Some(names), Vec::new())
}

fn opt(value: Option<f64>) -> String {
    value.map_or(String::new(), |v| format!("{v:.4}"))
}

fn partners_header(config: &Config) -> Vec<u8> {
    let levels: Vec<String> = config
        .levels
        .iter()
        .map(|l| format!("people_{}", l.id.replace('-', "_")))
        .collect();
    let mut names = vec!["id", "name", "tier", "region", "headcount"];
    names.extend(levels.iter().map(String::as_str));
    names.extend([
        "score",
        "score_change",
        "hours_saved",
        "benefits",
        "investment",
        "roi",
        "payback_months",
        "payback",
        "roi_low",
        "roi_high",
        "flags",
        "health",
    ]);
    header(&names)
}

fn partners_row(view: &PartnerView) -> Vec<String> {
    let s = &view.summary;
    let roi = &view.roi_breakdown.roi;
    let mut row = vec![
        text(&s.id),
        text(&s.name),
        text(&format!("{:?}", s.tier).to_lowercase()),
        text(&s.region),
        s.headcount.to_string(),
    ];
    row.extend(s.levels.iter().map(|l| l.count.to_string()));
    row.extend([
        format!("{:.2}", s.score),
        opt(s.score_change),
        format!("{:.2}", roi.hours_saved),
        format!("{:.2}", roi.benefits),
        format!("{:.2}", roi.investment),
        opt(s.roi),
        opt(s.payback_months),
        payback_status(s.payback).to_string(),
        opt(roi.low.roi.filter(|_| roi.roi_meaningful)),
        opt(roi.high.roi.filter(|_| roi.roi_meaningful)),
        text(&s.flags.iter().map(|f| f.id).collect::<Vec<_>>().join(" ")),
        text(s.health.status.id()),
    ]);
    row
}

/// The payback status as `metrics.json` writes it.
fn payback_status(status: PaybackStatus) -> &'static str {
    match status {
        PaybackStatus::PaidBack => "paid_back",
        PaybackStatus::NotYet => "not_yet",
        PaybackStatus::NoCost => "no_cost",
        PaybackStatus::NoData => "no_data",
    }
}

const KPIS_HEADER: [&str; 4] = ["partner", "quarter", "kpi", "value"];

fn kpi_rows(view: &PartnerView) -> Vec<Vec<String>> {
    view.kpis
        .iter()
        .flat_map(|kpi| {
            kpi.points.iter().map(|point| {
                vec![
                    text(&view.summary.id),
                    text(&point.label),
                    text(kpi.id),
                    format!("{}", point.value),
                ]
            })
        })
        .collect()
}

const WORKFLOWS_HEADER: [&str; 9] = [
    "partner",
    "workflow",
    "embedded",
    "since",
    "minutes_before",
    "minutes_after",
    "runs_per_quarter",
    "hours_saved_latest",
    "people_using_ai",
];

fn workflow_rows(view: &PartnerView) -> Vec<Vec<String>> {
    view.workflows
        .iter()
        .map(|w| {
            vec![
                text(&view.summary.id),
                text(&w.id),
                w.embedded.to_string(),
                text(w.since.as_deref().unwrap_or_default()),
                opt(w.minutes_before),
                opt(w.minutes_after),
                format!("{}", w.runs_per_quarter),
                format!("{:.2}", w.hours_saved_latest),
                w.users.to_string(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::audience::Audience;

    #[test]
    fn html_safe_json_escapes_markup_characters_only() {
        let value = serde_json::json!({
            "name": "<b>Smith & Sons</b>",
            "rows": [{"label": "a>b", "value": 1.5}, "&&", "plain"],
        });
        let pretty = serde_json::to_string_pretty(&value).expect("serialises");
        let expected = pretty
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026");
        let json = html_safe_json(&value, b"").expect("serialises");
        assert_eq!(String::from_utf8(json).expect("UTF-8"), expected);
        assert!(expected.contains("\\u003cb\\u003eSmith \\u0026 Sons"));
    }

    #[test]
    fn text_cells_that_start_a_formula_get_a_leading_quote() {
        for value in ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"] {
            assert_eq!(text(value), format!("'{value}"));
        }
        for value in ["", "EMEA", "A=B", "2025-Q2", "'quoted", " =1"] {
            assert_eq!(text(value), value);
        }
        let bytes = csv_bytes(
            None,
            vec![vec![text("=SUM(A1)"), text("a,b"), "-3.5".into()]],
        );
        assert_eq!(
            String::from_utf8(bytes).expect("UTF-8"),
            "'=SUM(A1),\"a,b\",-3.5\n"
        );
    }

    /// The demo portal's partner figures, for everyone or for one partner.
    fn demo_ecosystem(audience: &Audience) -> (Config, Ecosystem) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let config = Config::load(root).expect("the demo configuration").config;
        let (store, _) =
            crate::input::content::load(root, false, &config.limits).expect("the demo content");
        let (partners, _) =
            crate::partners::metrics::load(root, &config.limits).expect("the demo partners");
        let ecosystem = crate::partners::scorecards::compute(&config, &store, &partners, audience)
            .expect("the demo has partner data");
        (config, ecosystem)
    }

    /// `metrics.json` serialised in one piece, as the parts must add up to.
    fn whole_json(ecosystem: &Ecosystem, config: &Config) -> Vec<u8> {
        #[derive(Serialize)]
        struct Whole<'a> {
            #[serde(flatten)]
            head: Head<'a, &'a super::super::views::PartnerSummary>,
            partners: &'a [PartnerView],
        }
        let summaries: Vec<_> = ecosystem.partners.iter().map(|p| &p.summary).collect();
        let whole = Whole {
            head: Head::new(ecosystem, config, &summaries),
            partners: &ecosystem.partners,
        };
        html_safe_json(&whole, b"").expect("serialises")
    }

    #[test]
    fn exports_put_together_from_parts_equal_one_serialisation() {
        for audience in [
            Audience::Internal,
            Audience::Partner("kestrel-advisory".to_string()),
        ] {
            let (config, ecosystem) = demo_ecosystem(&audience);
            let files = assemble(&ecosystem, &config, &partner_exports(&ecosystem));
            let file = |name: &str| {
                let (_, bytes) = files.iter().find(|(path, _)| path == name).expect(name);
                String::from_utf8(bytes.clone()).expect("UTF-8")
            };
            let json = whole_json(&ecosystem, &config);
            assert_eq!(
                file("data/metrics.json"),
                String::from_utf8(json).expect("UTF-8")
            );
            let rows = |of: fn(&PartnerView) -> Vec<Vec<String>>| -> Vec<Vec<String>> {
                ecosystem.partners.iter().flat_map(of).collect()
            };
            assert_eq!(
                file("data/kpis.csv").into_bytes(),
                csv_bytes(Some(&KPIS_HEADER), rows(kpi_rows))
            );
            assert_eq!(
                file("data/workflows.csv").into_bytes(),
                csv_bytes(Some(&WORKFLOWS_HEADER), rows(workflow_rows))
            );
            let partners = file("data/partners.csv");
            assert_eq!(partners.lines().count(), ecosystem.partners.len() + 1);
            assert!(partners.starts_with("id,name,tier,region,headcount,people_"));
        }
    }
}
