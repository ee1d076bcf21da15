//! Audience-scoped builds: the portal one partner may receive carries all
//! modules and that partner's scorecard, and no trace of any other partner.

use std::path::{Path, PathBuf};

use proficio::scorecards::Audience;
use proficio::{BuildOptions, Error};

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

/// Every file under `dir`, as (path, bytes).
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("output folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("output file");
                out.push((path, bytes));
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn each_partner_portal_holds_no_byte_of_any_other_partner() {
    let partners = demo_partners();
    assert!(partners.len() >= 12, "the demo has a dozen partners");
    for (id, name) in &partners {
        let output = tempfile::tempdir().expect("output folder");
        let target = output.path().join("portal");
        build(Audience::Partner(id.clone()), &target).expect("a partner portal builds");
        let everything = files(&target);
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
                    "{id}'s portal mentions {other_id} in {}",
                    path.display()
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
