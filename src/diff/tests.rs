//! The classification on small models built from `.threatline` text.

use std::time::Duration;

use super::*;
use crate::model::BuildOptions;
use crate::scan::{FileKind, Scanner};

/// A model of `(path, annotations)` files, analysed.
fn model(files: &[(&str, &str)]) -> Model {
    let mut scanner = Scanner::new(Duration::from_secs(5));
    let results = files
        .iter()
        .filter_map(|(path, text)| {
            scanner.scan(path, text.as_bytes().to_vec(), Some(FileKind::Plain))
        })
        .collect();
    let mut m = crate::model::build(results, &BuildOptions::default());
    m.findings = crate::analysis::analyse(&m, &Default::default());
    m
}

fn kinds(base: &Model, head: &Model) -> Vec<(&'static str, Vec<String>)> {
    changes(base, head)
        .into_iter()
        .map(|c| (c.kind.as_str(), c.ids))
        .collect()
}

const BASE: &str = "\
@threat SQL injection (#sqli) [high]
@control Parameterized queries (#pq)
@exposes App:Orders to #sqli
@mitigates App:Orders against #sqli with #pq
@accepts #sqli on App:Reports with read-only replica
@exposes App:Reports to #sqli
@component App:Old (#old)
@boundary DMZ (#dmz) between Internet and App
";

#[test]
fn the_same_model_has_no_changes_wherever_its_lines_are() {
    let base = model(&[("a.threatline", BASE)]);
    // Other files, other order, other lines: ids decide.
    let mut lines: Vec<&str> = BASE.lines().collect();
    lines.reverse();
    let moved = format!("\n\n{}\n", lines.join("\n\n"));
    let head = model(&[("z/b.threatline", &moved)]);
    assert_eq!(kinds(&base, &head), vec![]);
    assert!(new_findings(&base, &head).is_empty());
}

#[test]
fn each_kind_of_change_is_classified() {
    let base = model(&[("a.threatline", BASE)]);
    let head = model(&[(
        "a.threatline",
        "\
@threat SQL injection (#sqli) [critical]
@control Parameterized queries (#pq)
@exposes App:Orders to #sqli
@exposes App:Reports to #sqli [low]
@exposes App:New to Cross-site scripting
@connects Internet:Browser to App:New with HTTP
@boundary Admin (#admin) around Admin
",
    )]);
    let found = kinds(&base, &head);
    let has = |kind: &str, ids: &[&str]| {
        found
            .iter()
            .any(|(k, i)| *k == kind && i.iter().map(String::as_str).eq(ids.iter().copied()))
    };
    assert!(has("removed-defence", &["app.orders", "sqli"]), "{found:?}");
    assert!(
        has("acceptance-removed", &["app.reports", "sqli"]),
        "{found:?}"
    );
    assert!(has("severity-raised", &["sqli"]), "{found:?}");
    assert!(
        has("severity-lowered", &["app.reports", "sqli"]),
        "{found:?}"
    );
    assert!(
        has("new-exposure", &["app.new", "cross_site_scripting"]),
        "{found:?}"
    );
    assert!(
        has("new-unprotected-crossing", &["internet.browser->app.new"]),
        "{found:?}"
    );
    assert!(has("component-added", &["app.new"]), "{found:?}");
    assert!(has("component-removed", &["old"]), "{found:?}");
    assert!(
        has("flow-added", &["internet.browser->app.new"]),
        "{found:?}"
    );
    assert!(has("boundary-added", &["admin"]), "{found:?}");
    assert!(has("boundary-removed", &["dmz"]), "{found:?}");
    // `Internet` exists only as the new browser's parent: not a change of its own.
    assert!(!has("component-added", &["internet"]), "{found:?}");
    // Most alarming first.
    assert_eq!(found[0].0, "removed-defence");
}

#[test]
fn replacing_a_defence_by_an_acceptance_is_a_risk_decision_not_a_removal() {
    let base = model(&[("a.threatline", BASE)]);
    let head = model(&[(
        "a.threatline",
        &BASE.replace(
            "@mitigates App:Orders against #sqli with #pq",
            "@accepts #sqli on App:Orders with legacy, replaced in Q3",
        ),
    )]);
    let found = kinds(&base, &head);
    assert!(
        found.iter().all(|(k, _)| *k != "removed-defence"),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(k, _)| *k == "acceptance-added"),
        "{found:?}"
    );
}

#[test]
fn a_flow_that_loses_its_control_is_a_removed_defence() {
    let base = model(&[(
        "a.threatline",
        "@control TLS (#tls)\n@connects User:Browser to App:Web with #tls\n",
    )]);
    let head = model(&[(
        "a.threatline",
        "@control TLS (#tls)\n@connects User:Browser to App:Web with HTTP\n",
    )]);
    let found = kinds(&base, &head);
    assert!(
        found
            .iter()
            .any(|(k, ids)| *k == "removed-defence" && ids == &["user.browser->app.web"]),
        "{found:?}"
    );
}

#[test]
fn the_policy_turns_kinds_off_and_decides_what_fails() {
    let base = model(&[("a.threatline", BASE)]);
    let head = model(&[("a.threatline", "@component App:Else\n")]);
    let delta = Delta::new(&base, &head, |kind| match kind {
        ChangeKind::ComponentRemoved => ChangeAction::Off,
        ChangeKind::ComponentAdded => ChangeAction::Fail,
        k => k.default_action(),
    });
    assert!(
        delta
            .changes
            .iter()
            .all(|c| c.kind != ChangeKind::ComponentRemoved)
    );
    assert!(delta.fails(Severity::Critical));
    assert_eq!(
        delta.verdict(Severity::Critical).unwrap(),
        "1 component added"
    );
}

#[test]
fn assumptions_added_and_removed_are_changes_for_review() {
    let base = model(&[(
        "a.threatline",
        "@component App:Db (#db)\n@assumes #db backups are encrypted at rest\n",
    )]);
    let head = model(&[(
        "a.threatline",
        "@component App:Db (#db)\n@assumes #db only the VPC reaches it\n",
    )]);
    assert_eq!(
        kinds(&base, &head),
        vec![
            (
                "assumption-added",
                vec!["db".to_string(), "only the VPC reaches it".to_string()]
            ),
            (
                "assumption-removed",
                vec![
                    "db".to_string(),
                    "backups are encrypted at rest".to_string()
                ]
            ),
        ]
    );
    assert_eq!(kinds(&head, &head), vec![]);
}

/// The example: three hops from the internet to the card vault.
const VAULT: &str = "\
@connects Internet:Visitor to Shop:Web with HTTP (#visitor-web)
@connects Shop:Web to Shop:Checkout with JSON on localhost (#web-checkout)
@connects Shop:Checkout to Shop:Card Vault with SQL (#checkout-vault)
@handles financial on Shop:Card Vault
";

#[test]
fn a_new_attack_path_fails_by_default_and_a_closed_one_is_an_improvement() {
    let defended = model(&[(
        "a.threatline",
        &format!(
            "@control mTLS (#mtls)\n{}",
            VAULT.replace("with JSON on localhost", "with #mtls")
        ),
    )]);
    let open = model(&[("a.threatline", VAULT)]);
    // Opened: one change, entry then target, failing by default.
    let delta = Delta::new(&defended, &open, ChangeKind::default_action);
    let paths: Vec<&Change> = delta
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::NewAttackPath)
        .collect();
    assert_eq!(paths.len(), 1, "{:?}", delta.changes);
    assert_eq!(paths[0].ids, vec!["internet.visitor", "shop.card_vault"]);
    assert!(paths[0].fails);
    assert_eq!(paths[0].severity, Some(Severity::Critical));
    assert!(
        paths[0]
            .message
            .ends_with("Internet:Visitor → Shop:Web → Shop:Checkout → Shop:Card Vault"),
        "{}",
        paths[0].message
    );
    assert_eq!(paths[0].site.location.line, 3, "at the flow into the vault");
    // It fails the gate even where the findings would not (`--fail-on critical` and a
    // baseline could hide them): the change itself fails.
    assert!(
        delta
            .verdict(Severity::Critical)
            .unwrap()
            .contains("1 new attack path")
    );
    // Closed again: an improvement, reported, never failing.
    let delta = Delta::new(&open, &defended, ChangeKind::default_action);
    let closed: Vec<&Change> = delta
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::AttackPathRemoved)
        .collect();
    assert_eq!(closed.len(), 1, "{:?}", delta.changes);
    assert!(!closed[0].fails && closed[0].kind.is_improvement());
    assert_eq!(closed[0].side, Side::Base);
    assert!(!delta.fails(Severity::Critical), "{:?}", delta.changes);
    // The same path again, its lines moved: nothing changed.
    let moved = model(&[("z/b.threatline", &format!("\n\n{VAULT}"))]);
    assert!(
        kinds(&open, &moved)
            .iter()
            .all(|(k, _)| !k.contains("attack-path")),
        "{:?}",
        kinds(&open, &moved)
    );
    // The policy can turn it down to a report.
    let delta = Delta::new(&defended, &open, |k| match k {
        ChangeKind::NewAttackPath => ChangeAction::Report,
        k => k.default_action(),
    });
    assert_eq!(delta.failing_changes(), 0);
}
