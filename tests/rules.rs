//! One fixture per rule under `tests/rules/<code>/`, where the rule fires and where it must
//! not (mitigated by an ancestor, accepted, transferred, protected flow, same-zone flow,
//! sensitive-data step-up), checked by explicit assertions and an insta snapshot.

mod common;

use std::path::Path;

use threatline::analysis::Finding;
use threatline::annotation::Severity;
use threatline::model::Model;

fn run(code: &str) -> (Model, Vec<Finding>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/rules")
        .join(code);
    let model = common::scan(&dir);
    let findings = model
        .findings
        .iter()
        .filter(|f| f.code == code)
        .cloned()
        .collect();
    (model, findings)
}

fn snapshot(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} [{}] {}\n  fix: {}\n",
                f.severity.as_str(),
                f.code,
                f.site.location,
                f.fingerprint,
                f.message,
                f.fix.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

fn places(findings: &[Finding]) -> Vec<(u32, Severity)> {
    findings
        .iter()
        .map(|f| (f.site.location.line, f.severity))
        .collect()
}

#[test]
fn unmitigated_exposure() {
    let (model, findings) = run("unmitigated-exposure");
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    // shop.py: the unanswered ones only, in file order; flows.go: the unanswered flow.
    let by_file: Vec<(&str, u32, Severity)> = findings
        .iter()
        .map(|f| {
            (
                f.site.location.file.as_str(),
                f.site.location.line,
                f.severity,
            )
        })
        .collect();
    assert_eq!(
        by_file,
        vec![
            ("flows.go", 9, Severity::Low),
            ("shop.py", 17, Severity::Medium),
            ("shop.py", 37, Severity::Low),
            ("shop.py", 43, Severity::High),
        ]
    );
    assert_eq!(findings[3].component.as_deref(), Some("shop.catalog"));
    assert_eq!(findings[0].flow.as_deref(), Some("api-cache"));
    insta::assert_snapshot!(snapshot(&findings));
}

#[test]
fn unmitigated_threat() {
    let (model, findings) = run("unmitigated-threat");
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    assert_eq!(places(&findings), vec![(2, Severity::High)]);
    assert_eq!(findings[0].threat.as_deref(), Some("webhook-replay"));
    insta::assert_snapshot!(snapshot(&findings));
}

#[test]
fn unprotected_crossing() {
    let (model, findings) = run("unprotected-crossing");
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    let got: Vec<(u32, Severity, Option<usize>)> = findings
        .iter()
        .map(|f| (f.site.location.line, f.severity, f.boundaries_crossed))
        .collect();
    assert_eq!(
        got,
        vec![
            (14, Severity::High, Some(1)), // implicit zones, nothing protects it
            (18, Severity::High, Some(1)), // plain HTTP: no transport protects it
            (31, Severity::Critical, Some(1)), // declared boundary stands in for the zones
            (34, Severity::High, Some(1)), // declared boundary inside one zone
            (37, Severity::High, Some(1)), // medium zone, pii: one step up
            (40, Severity::High, Some(1)), // medium zone, financial: one step up
            (43, Severity::Critical, Some(2)), // two declared boundaries, high, pii
        ]
    );
    // `with HTTPS/443` (line 17) is protected by TLS, inferred; plain HTTP says what it is.
    assert!(
        findings[1].message.contains("it goes over HTTP"),
        "{}",
        findings[1].message
    );
    // Flow ends are related locations.
    assert_eq!(findings[0].related.len(), 2);
    insta::assert_snapshot!(snapshot(&findings));
}

#[test]
fn attack_path() {
    let (model, findings) = run("attack-path");
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    let got: Vec<(&str, u32, Severity, Option<&str>)> = findings
        .iter()
        .map(|f| {
            (
                f.site.location.file.as_str(),
                f.site.location.line,
                f.severity,
                f.component.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            // Two entries reach the ledger: one finding, the partner's two hops.
            ("billing.ts", 5, Severity::Critical, Some("billing.ledger")),
            // The example of the issue: three hops, at the vault's flow, critical.
            ("shop.py", 6, Severity::Critical, Some("shop.card_vault")),
            // A declared untrusted zone and a two-way flow taken backwards: pii, high.
            (
                "suppliers.go",
                8,
                Severity::High,
                Some("catalogue.profiles")
            ),
        ]
    );
    let route = |f: &threatline::analysis::Finding| model.route(&f.path);
    assert_eq!(
        route(&findings[1]),
        "Internet:Visitor → Shop:Web → Shop:Checkout → Shop:Card Vault"
    );
    assert_eq!(
        route(&findings[0]),
        "Partner:Portal → Billing:Gateway → Billing:Ledger"
    );
    assert_eq!(
        route(&findings[2]),
        "Vendor:Feed → Catalogue:Importer → Catalogue:Profiles"
    );
    assert!(findings[2].path[1].backwards);
    assert!(findings[2].message.contains("zone `Feeds`, untrusted,"));
    assert!(
        findings[1]
            .message
            .contains("zone `Internet`, untrusted (inferred from `internet`)")
    );
    // Every hop is a related place, in order, and the finding is at the last one.
    for f in &findings {
        assert_eq!(f.related.len(), f.path.len());
        for (r, h) in f.related.iter().zip(&f.path) {
            assert_eq!(r.site.location, h.site.location);
        }
        assert_eq!(f.path.last().unwrap().site.location, f.site.location);
        assert_eq!(
            f.flow.as_deref(),
            Some(f.path.last().unwrap().flow.as_str())
        );
    }
    // Zones: inferred from the name, declared, and a keyword overridden by `[trusted]`.
    let trust = |id: &str| {
        model
            .components
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.trust.clone())
            .map(|t| (t.level.as_str(), t.source.as_str()))
    };
    assert_eq!(trust("internet.visitor"), Some(("untrusted", "inferred")));
    assert_eq!(trust("partner.portal"), Some(("untrusted", "inferred")));
    assert_eq!(trust("vendor.feed"), Some(("untrusted", "declared")));
    assert_eq!(trust("marketing.site"), Some(("trusted", "declared")));
    assert_eq!(trust("shop.web"), None);
    insta::assert_snapshot!(snapshot(&findings));
}

#[test]
fn untested_control() {
    let (model, findings) = run("untested-control");
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    let controls: Vec<&str> = findings
        .iter()
        .filter_map(|f| f.control.as_deref())
        .collect();
    assert_eq!(controls, vec!["rate-limit", "frame_ancestors_header"]);
    assert!(findings.iter().all(|f| f.severity == Severity::Info));
    insta::assert_snapshot!(snapshot(&findings));
}

#[test]
fn open_review() {
    let (model, findings) = run("open-review");
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    assert_eq!(
        places(&findings),
        vec![(2, Severity::Info), (5, Severity::Info)]
    );
    assert!(
        findings
            .iter()
            .all(|f| f.component.as_deref() == Some("shop.sessions"))
    );
    insta::assert_snapshot!(snapshot(&findings));
}

#[test]
fn every_rule_has_a_fixture_and_documentation() {
    for rule in threatline::analysis::rules::ALL {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/rules")
            .join(rule.code.as_str());
        assert!(dir.is_dir(), "no fixture for {}", rule.code);
        for section in [
            "## What it finds",
            "## Why it matters",
            "## Example",
            "## Fix",
        ] {
            assert!(rule.doc.contains(section), "{}: no {section}", rule.code);
        }
    }
}

#[test]
fn stride_gap() {
    let (model, findings) = run("stride-gap");
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    let components: Vec<&str> = findings
        .iter()
        .filter_map(|f| f.component.as_deref())
        .collect();
    assert_eq!(components, vec!["orders-db"]);
    assert_eq!(findings[0].severity, Severity::Info);
    assert!(
        findings[0]
            .message
            .ends_with("has no threat considered for repudiation, information-disclosure"),
        "{}",
        findings[0].message
    );
    assert!(
        findings[0]
            .fix
            .as_deref()
            .unwrap()
            .contains("@exposes #orders-db to #db-")
    );
    insta::assert_snapshot!(snapshot(&findings));
}
