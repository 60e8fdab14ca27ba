//! Flows over a secure transport are protected (catalogue/transports.yaml), in both
//! dialects; flows over plain HTTP or raw TCP are not, and say so; a config turns the
//! inference off.

mod common;

use std::process::Command;

use common::{scan_configured, tree, write};

const PROTECTED: &[&str] = &[
    "HTTPS",
    "HTTPS/443",
    "HTTPS and mutual TLS",
    "TLS 1.3",
    "https://api.example.com",
    "sslmode=verify-full",
    "SSH",
];

const UNPROTECTED: &[(&str, Option<&str>)] = &[
    ("HTTP", Some("HTTP")),
    ("HTTP:8080", Some("HTTP")),
    ("plain HTTP", Some("HTTP")),
    ("TCP 5432", Some("TCP")),
    ("HTTPSish", None),
    ("without TLS", None),
];

/// One flow per mechanism from `User` into `Shop` (two zones), in the dialect's words.
fn flows(gal: bool) -> String {
    let mut text = String::new();
    for (i, mechanism) in PROTECTED
        .iter()
        .copied()
        .chain(UNPROTECTED.iter().map(|(m, _)| *m))
        .enumerate()
    {
        let line = if gal {
            format!("@flows User.Client{i} -> Shop.Service{i} via {mechanism}\n")
        } else {
            format!("@connects User:Client{i} to Shop:Service{i} with {mechanism}\n")
        };
        text.push_str(&line);
    }
    text
}

fn crossings(m: &threatline::model::Model) -> Vec<(String, String)> {
    m.findings
        .iter()
        .filter(|f| f.code == "unprotected-crossing")
        .map(|f| (f.site.text.clone(), f.message.clone()))
        .collect()
}

#[test]
fn a_secure_transport_protects_a_crossing_in_both_dialects() {
    for gal in [false, true] {
        let dir = tree(&[("model.threatline", &flows(gal))]);
        let m = scan_configured(dir.path());
        let found = crossings(&m);
        assert_eq!(found.len(), UNPROTECTED.len(), "gal={gal}: {found:#?}");
        for (mechanism, insecure) in UNPROTECTED {
            let (_, message) = found
                .iter()
                .find(|(text, _)| text.ends_with(&format!(" {mechanism}")))
                .unwrap_or_else(|| panic!("gal={gal}: `{mechanism}` is not a finding: {found:#?}"));
            match insecure {
                Some(t) => assert!(message.contains(&format!("it goes over {t}")), "{message}"),
                None => assert!(!message.contains("it goes over"), "{message}"),
            }
        }
        // Inferred, and said so: the control and the words it comes from.
        let https = m
            .flows
            .iter()
            .find(|f| f.mechanism.as_deref() == Some("HTTPS/443"))
            .unwrap();
        assert_eq!(https.controls, Vec::<String>::new(), "no declared control");
        assert_eq!(https.inferred.len(), 1);
        assert_eq!(
            (
                https.inferred[0].control.as_str(),
                https.inferred[0].name.as_str(),
                https.inferred[0].from.as_str()
            ),
            ("transport-tls", "TLS", "HTTPS/443")
        );
        let both = m
            .flows
            .iter()
            .find(|f| f.mechanism.as_deref() == Some("HTTPS and mutual TLS"))
            .unwrap();
        let names: Vec<&str> = both.inferred.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["mutual TLS", "TLS"]);
    }
}

#[test]
fn the_config_turns_the_inference_off_or_adds_local_transports() {
    let dir = tree(&[
        ("model.threatline", &flows(true)),
        ("threatline.yaml", "transports:\n  infer: false\n"),
    ]);
    let all = PROTECTED.len() + UNPROTECTED.len();
    assert_eq!(crossings(&scan_configured(dir.path())).len(), all);
    write(
        dir.path(),
        "threatline.yaml",
        b"transports:\n  secure:\n    - name: Corp VPN\n      spellings: [corpnet]\n",
    );
    write(
        dir.path(),
        "extra.threatline",
        b"@flows User.Laptop -> Shop.Git via corpnet\n",
    );
    let m = scan_configured(dir.path());
    assert_eq!(crossings(&m).len(), UNPROTECTED.len());
    let vpn = m
        .flows
        .iter()
        .find(|f| f.mechanism.as_deref() == Some("corpnet"))
        .unwrap();
    assert_eq!(vpn.inferred[0].name, "Corp VPN");
}

#[test]
fn reports_say_the_protection_is_inferred() {
    let dir = tree(&[(
        "model.threatline",
        "@flows User.Browser -> Shop.Web via HTTPS/443\n",
    )]);
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["report", "--format", "markdown"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("protected by TLS (inferred from HTTPS/443)"),
        "{text}"
    );
    let json = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["scan"])
        .arg(dir.path())
        .output()
        .unwrap();
    let model: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        model["flows"][0]["inferred"][0]["from"], "HTTPS/443",
        "{model}"
    );
}
