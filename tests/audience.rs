//! Audience-scoped builds: the portal one partner may receive carries all
//! modules and that partner's scorecard, and no trace of any other partner:
//! no byte of it depends on another partner's file, which may change, break
//! or go without changing the portal, and no figure reveals the program's
//! total cost or headcount.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Site, contains, scores};
use proficio::base::audience::Audience;
use proficio::build::OTHER_PARTNER_PROBLEM;
use proficio::{BuildOptions, BuildReport, Error};

/// The demo portal at the repository root.
fn demo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every demo partner: its id and the name in its file.
fn demo_partners() -> Vec<(String, String)> {
    let dir = demo().join("content/partners");
    let mut partners: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("demo partners")
        .map(|entry| entry.expect("entry").path())
        .map(|path| {
            let id = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path).expect("partner file");
            let name = text
                .lines()
                .find_map(|line| line.strip_prefix("name: "))
                .expect("a name line")
                .trim()
                .to_string();
            (id, name)
        })
        .collect();
    partners.sort();
    partners
}

fn build(audience: Audience, output: &Path) -> Result<proficio::BuildReport, Error> {
    proficio::build(&BuildOptions {
        root: demo(),
        output: Some(output.to_path_buf()),
        audience,
        ..BuildOptions::default()
    })
}

#[test]
fn each_partner_portal_holds_no_byte_of_any_other_partner() {
    let partners = demo_partners();
    assert!(partners.len() >= 12, "the demo has a dozen partners");
    for (id, name) in &partners {
        let output = tempfile::tempdir().expect("output folder");
        let target = output.path().join("portal");
        build(Audience::Partner(id.clone()), &target).expect("a partner portal builds");
        let everything = common::snapshot(&target);
        let scorecard =
            std::fs::read_to_string(target.join("partners").join(id).join("index.html"))
                .expect("the partner's own scorecard");
        assert!(
            scorecard.contains(name.as_str()),
            "{id}: its scorecard names it"
        );
        assert!(
            target.join("modules/qbr-narrative/index.html").exists(),
            "{id}: all modules"
        );
        assert!(
            !target.join("reports").exists(),
            "{id}: the executive summary is internal"
        );
        assert!(
            !target.join("partners/index.html").exists(),
            "{id}: no partner list"
        );
        for (other_id, other_name) in partners.iter().filter(|(other, _)| other != id) {
            for (path, bytes) in &everything {
                assert!(
                    !contains(bytes, other_id) && !contains(bytes, other_name),
                    "{id}'s portal mentions {other_id} in {path}"
                );
            }
        }
    }
}

#[test]
fn the_internal_portal_has_every_scorecard_the_list_and_the_executive_summary() {
    let output = tempfile::tempdir().expect("output folder");
    let target = output.path().join("portal");
    build(Audience::Internal, &target).expect("the internal portal builds");
    for (id, _) in demo_partners() {
        assert!(
            target
                .join("partners")
                .join(&id)
                .join("index.html")
                .exists(),
            "{id}"
        );
    }
    assert!(target.join("partners/index.html").exists());
    assert!(target.join("reports/executive/index.html").exists());
}

#[test]
fn an_audience_naming_no_partner_is_refused_and_writes_nothing() {
    let output = tempfile::tempdir().expect("output folder");
    let target = output.path().join("portal");
    let error = build(Audience::Partner("no-such-partner".to_string()), &target)
        .expect_err("an unknown partner is refused");
    assert!(matches!(error, Error::Refused(_)), "{error}");
    assert!(error.to_string().contains("no-such-partner"), "{error}");
    // The message may show in a partner's preview: it lists no partner.
    for (id, _) in demo_partners() {
        assert!(!error.to_string().contains(&id), "{error}");
    }
    assert!(!target.exists());
}

#[test]
fn audiences_parse_from_the_command_line_form() {
    assert_eq!(Audience::parse("internal"), Some(Audience::Internal));
    assert_eq!(
        Audience::parse("partner:acme"),
        Some(Audience::Partner("acme".to_string()))
    );
    assert_eq!(Audience::parse("partner:"), None);
    assert_eq!(Audience::parse("everyone"), None);
}

/// The partner whose portal the derived-figure tests build.
const OWN: &str = "kestrel-advisory";
/// The other partner whose file they change.
const OTHER: &str = "content/partners/halvorsen-digital.yaml";

/// Builds `site` for `audience` into a fresh folder outside it; returns the
/// report and every output file.
fn build_site(site: &Site, audience: Audience) -> (BuildReport, BTreeMap<String, Vec<u8>>) {
    let output = tempfile::tempdir().expect("output folder");
    let target = output.path().join("portal");
    let mut options = site.options();
    options.output = Some(target.clone());
    options.audience = audience;
    let report = match proficio::build(&options) {
        Ok(report) => report,
        Err(error) => panic!("the build failed:\n{error}"),
    };
    (report, common::snapshot(&target))
}

fn own_portal(site: &Site) -> (BuildReport, BTreeMap<String, Vec<u8>>) {
    build_site(site, Audience::Partner(OWN.to_string()))
}

/// Another partner's file with `from` replaced by `to`, checking it was there.
fn replace_in(site: &Site, path: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(site.path(path)).expect("partner file");
    assert!(text.contains(from), "{path} holds {from:?}");
    site.write(path, &text.replacen(from, to, 1));
}

/// A quarter after every quarter of the demo, as a KPI entry.
const NEWER_QUARTER: &str = "  - quarter: 2027-Q4
    partner_sourced_revenue: 9000000
    sales_cycle_days: 40
    cost_to_serve: 100000
    enablement_throughput: 40
    margin_contribution: 2000000
";

/// A person to add to a partner's `people:`, strong in every skill.
fn new_person() -> String {
    format!(
        "people:\n  - id: zz-01\n    role: new hire\n    assessments:\n      - date: 2025-06-01\n        scores: {}\n",
        scores(4, &[])
    )
}

type Mutation = (&'static str, bool, fn(&Site));

/// Changes to partners other than [`OWN`]: what each does, whether it leaves
/// a problem in that file, and how.
const MUTATIONS: [Mutation; 10] = [
    ("another partner's headcount grows", false, |site| {
        replace_in(site, OTHER, "people:\n", &new_person())
    }),
    ("another partner reports a newer quarter", false, |site| {
        let text = std::fs::read_to_string(site.path(OTHER)).expect("partner file");
        site.write(OTHER, &format!("{text}{NEWER_QUARTER}"));
    }),
    ("another partner is renamed", false, |site| {
        replace_in(
            site,
            OTHER,
            "name: Halvorsen Digital",
            "name: Zephyr Digital",
        )
    }),
    ("another partner's people change", false, |site| {
        let text = std::fs::read_to_string(site.path(OTHER)).expect("partner file");
        site.write(OTHER, &text.replace("prompting: 1,", "prompting: 4,"));
    }),
    ("another partner's file is deleted", false, |site| {
        site.remove(OTHER)
    }),
    ("a new partner is added", false, |site| {
        let text = std::fs::read_to_string(site.path(OTHER)).expect("partner file");
        let text = text.replace("name: Halvorsen Digital", "name: Newcomer Ltd");
        site.write(
            "content/partners/newcomer.yaml",
            &format!("{text}{NEWER_QUARTER}"),
        );
    }),
    ("every other partner is deleted", false, |site| {
        for entry in std::fs::read_dir(site.path("content/partners")).expect("partners") {
            let path = entry.expect("entry").path();
            if path.file_stem().is_some_and(|stem| stem != OWN) {
                std::fs::remove_file(path).expect("remove partner file");
            }
        }
    }),
    ("another partner's file does not parse", true, |site| {
        site.write(OTHER, "name: [Halvorsen Digital\nsecret: 123\n")
    }),
    ("another partner's file fails its checks", true, |site| {
        replace_in(site, OTHER, "workflow: qbr", "workflow: no-such-workflow")
    }),
    ("another partner's file is not UTF-8", true, |site| {
        site.write_bytes(OTHER, b"name: Halvorsen \xff Digital\n")
    }),
];

#[test]
fn no_change_to_another_partners_file_changes_a_byte_of_this_partners_portal() {
    let (report, before) = own_portal(&Site::demo());
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    let (_, internal_before) = build_site(&Site::demo(), Audience::Internal);
    for (what, broken, mutate) in MUTATIONS {
        let site = Site::demo();
        mutate(&site);
        if !broken {
            // The change is real: the internal portal shows it.
            let (_, internal) = build_site(&site, Audience::Internal);
            assert!(
                internal != internal_before,
                "{what}: the internal portal changes"
            );
        }
        let (report, after) = own_portal(&site);
        let names: Vec<&String> = after.keys().collect();
        assert_eq!(
            names,
            before.keys().collect::<Vec<_>>(),
            "{what}: the files"
        );
        for (name, bytes) in &before {
            assert!(after[name] == *bytes, "{what}: {name} changed");
        }
        let expected: Vec<String> = if broken {
            vec![OTHER_PARTNER_PROBLEM.to_string()]
        } else {
            Vec::new()
        };
        assert_eq!(report.notes, expected, "{what}");
    }
}

#[test]
fn a_partner_portal_shows_its_own_cost_and_nothing_of_the_program_total() {
    let (_, portal) = own_portal(&Site::demo());
    let scorecard =
        String::from_utf8(portal[&format!("partners/{OWN}/index.html")].clone()).expect("UTF-8");
    // 11 people × $530 × 5 quarters after the 2025-Q2 baseline.
    assert!(
        scorecard.contains("$530 per person per quarter × 11 people × 5 quarters"),
        "the cost is the partner's own, with its formula"
    );
    assert!(scorecard.contains("$29,150"), "the partner's own cost");
    for (path, bytes) in &portal {
        for total in ["headcount share", "licences", "enablement_per_quarter"] {
            assert!(!contains(bytes, total), "{path} shows {total}");
        }
    }
    let metrics: serde_json::Value =
        serde_json::from_slice(&portal["data/metrics.json"]).expect("metrics.json");
    assert_eq!(metrics["program"]["per_person_per_quarter"], 530.0);
    assert!(metrics["program"].get("licences_per_quarter").is_none());
    assert_eq!(
        metrics["partners"][0]["roi_breakdown"]["investment"],
        29150.0
    );
    // Its own full cost, not a slice of the program's: the percentage is
    // shown; no other partner is seen, so nothing is netted.
    assert!(metrics["partners"][0]["roi"].is_number());
    assert_eq!(metrics["partners"][0]["roi_breakdown"]["compared"], false);
    assert!(
        scorecard.contains(
            "not netted (no comparison group: no partner without an embedded workflow in the data)"
        ),
        "{scorecard}"
    );
    assert!(!scorecard.contains("comparison group’s reduction"));
}

#[test]
fn without_a_cost_per_person_a_partner_portal_shows_no_cost_and_no_roi() {
    let site = Site::demo();
    replace_in(&site, "site.toml", "per_person_per_quarter = 530", "");
    let (_, portal) = own_portal(&site);
    let scorecard =
        String::from_utf8(portal[&format!("partners/{OWN}/index.html")].clone()).expect("UTF-8");
    assert!(
        scorecard.contains("not shown: no cost per person is set for partner portals"),
        "{scorecard}"
    );
    assert!(!scorecard.contains("headcount share"));
    let metrics: serde_json::Value =
        serde_json::from_slice(&portal["data/metrics.json"]).expect("metrics.json");
    assert!(metrics["partners"][0]["roi"].is_null());
    assert_eq!(metrics["partners"][0]["roi_breakdown"]["investment"], 0.0);
    // The internal portal still measures the partner against its share.
    let (_, internal) = build_site(&site, Audience::Internal);
    let internal_card =
        String::from_utf8(internal[&format!("partners/{OWN}/index.html")].clone()).expect("UTF-8");
    assert!(internal_card.contains("this partner’s headcount share of (licences $21,000"));
}

#[test]
fn the_partners_own_broken_file_stops_its_build_with_every_detail_and_nothing_of_others() {
    let site = Site::demo();
    site.write(&format!("content/partners/{OWN}.yaml"), "name: [Kestrel\n");
    site.write(OTHER, "name: [Halvorsen Digital\n");
    let mut options = site.options();
    let output = tempfile::tempdir().expect("output folder");
    options.output = Some(output.path().join("portal"));
    options.audience = Audience::Partner(OWN.to_string());
    let error = proficio::build(&options).expect_err("its own file is broken");
    let text = error.to_string();
    assert!(matches!(error, Error::Input(_)), "{text}");
    assert!(
        text.contains(&format!("content/partners/{OWN}.yaml:1:")),
        "{text}"
    );
    assert!(
        !text.contains("halvorsen") && !text.contains("Halvorsen"),
        "{text}"
    );
    assert!(!output.path().join("portal").exists());
}
