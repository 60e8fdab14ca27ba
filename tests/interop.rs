//! Interop: Graphviz DOT, Threatspec's layouts (checked with Threatspec's own schemas, and
//! read by Threatspec itself when it is installed), Open Threat Model, and the Threatspec
//! import. The round trip is the point: a Threatspec-annotated tree, scanned, written in
//! Threatspec's layouts, imported as `.threatline` files and scanned again, gives the same
//! model.

mod common;
#[path = "interop/diagram.rs"]
mod diagram;
#[path = "interop/importing.rs"]
mod importing;
#[path = "interop/layouts.rs"]
mod layouts;
#[path = "interop/roundtrip.rs"]
mod roundtrip;
#[path = "interop/threatspec_cli.rs"]
mod threatspec_cli;
#[path = "interop/threatspec_schemas.rs"]
mod threatspec_schemas;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;
use std::sync::LazyLock;

use serde_json::Value;
use threatline::import::{self, ImportOptions};
use threatline::model::{Model, TargetKind};
use threatline::output::{dot, otm, threatspec};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/example");
const TREE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/threatspec-tree");
const HAND_WRITTEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/threatspec-0.5");
const OTM_SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemas/otm-schema.json");

static EXAMPLE_MODEL: LazyLock<Model> = LazyLock::new(|| common::scan(Path::new(EXAMPLE)));

/// Everything a model says, by names and paths rather than ids (ids may change shape on
/// the way through Threatspec: `#api-gateway` comes back `#api_gateway`), one sorted line
/// per entity or relation.
fn facts(m: &Model) -> BTreeMap<&'static str, BTreeSet<String>> {
    let path: HashMap<&str, String> = m
        .components
        .iter()
        .map(|c| (c.id.as_str(), c.path.join(":")))
        .collect();
    let threat: HashMap<&str, &str> = m
        .threats
        .iter()
        .map(|t| (t.id.as_str(), t.name.as_str()))
        .collect();
    let control: HashMap<&str, &str> = m
        .controls
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str()))
        .collect();
    let flow: HashMap<&str, String> = m
        .flows
        .iter()
        .map(|f| {
            (
                f.id.as_str(),
                format!("flow {} -> {}", path[f.from.as_str()], path[f.to.as_str()]),
            )
        })
        .collect();
    let target = |t: &str, kind: TargetKind| match kind {
        TargetKind::Component => path.get(t).cloned().unwrap_or_else(|| format!("?{t}")),
        TargetKind::Flow => flow.get(t).cloned().unwrap_or_else(|| format!("?{t}")),
    };
    let json = |v: &BTreeMap<String, Value>| serde_json::to_string(v).unwrap();
    let mut f: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let mut add = |kind: &'static str, line: String| {
        f.entry(kind).or_default().insert(line);
    };
    for c in &m.components {
        add(
            "components",
            format!(
                "{} {:?} {:?} data={:?} {:?} {}",
                c.path.join(":"),
                c.layer,
                c.layer_source,
                c.data,
                c.description,
                json(&c.properties)
            ),
        );
    }
    for t in &m.threats {
        add(
            "threats",
            format!(
                "{} {:?} {:?} {:?} {:?} {:?} {:?} {}",
                t.name,
                t.severity,
                t.stride,
                t.likelihood,
                t.refs,
                t.description,
                t.countermeasures,
                json(&t.properties)
            ),
        );
    }
    for c in &m.controls {
        add(
            "controls",
            format!(
                "{} {:?} {:?} {}",
                c.name,
                c.refs,
                c.description,
                json(&c.properties)
            ),
        );
    }
    for x in &m.mitigations {
        add(
            "mitigations",
            format!(
                "{} against {} with {:?} {:?} {}",
                target(&x.target, x.target_kind),
                threat[x.threat.as_str()],
                x.control.as_deref().map(|c| control[c]),
                x.description,
                json(&x.properties)
            ),
        );
    }
    for x in &m.exposures {
        add(
            "exposures",
            format!(
                "{} to {} {:?} {:?} {:?} {}",
                target(&x.target, x.target_kind),
                threat[x.threat.as_str()],
                x.severity,
                x.refs,
                x.description,
                json(&x.properties)
            ),
        );
    }
    for x in &m.acceptances {
        add(
            "acceptances",
            format!(
                "{} on {} {:?} {}",
                threat[x.threat.as_str()],
                target(&x.target, x.target_kind),
                x.description,
                json(&x.properties)
            ),
        );
    }
    for x in &m.transfers {
        add(
            "transfers",
            format!(
                "{} from {} to {} {:?} {}",
                threat[x.threat.as_str()],
                path[x.from.as_str()],
                path[x.to.as_str()],
                x.description,
                json(&x.properties)
            ),
        );
    }
    for x in &m.flows {
        let mut controls: Vec<&str> = x.controls.iter().map(|c| control[c.as_str()]).collect();
        controls.sort_unstable();
        add(
            "connections",
            format!(
                "{} two_way={} {:?} protected_by={controls:?} {:?} {}",
                flow[x.id.as_str()],
                x.two_way,
                x.mechanism,
                x.description,
                json(&x.properties)
            ),
        );
    }
    for x in &m.reviews {
        add(
            "reviews",
            format!("{} {:?}", path[x.target.as_str()], x.details),
        );
    }
    for x in &m.tests {
        add(
            "tests",
            format!(
                "{} for {}",
                control[x.control.as_str()],
                path[x.target.as_str()]
            ),
        );
    }
    for x in &m.findings {
        add("findings", format!("{} {:?}", x.code, x.severity));
    }
    f
}

fn assert_same_facts(before: &Model, after: &Model) {
    let (a, b) = (facts(before), facts(after));
    for kind in [
        "components",
        "threats",
        "controls",
        "mitigations",
        "exposures",
        "acceptances",
        "transfers",
        "connections",
        "reviews",
        "tests",
        "findings",
    ] {
        assert_eq!(
            a.get(kind),
            b.get(kind),
            "{kind} differ after the round trip"
        );
    }
}

/// Writes Threatspec files into `dir/threatmodel/`, imports them with the library, writes
/// the `.threatline` files into `dir/imported/` and scans those.
fn import_and_rescan(dir: &Path, files: &[(&str, String)]) -> (import::Imported, Model) {
    for (name, text) in files {
        common::write(dir, &format!("threatmodel/{name}"), text.as_bytes());
    }
    let ts = import::read(&dir.join("threatmodel")).expect("the Threatspec files read");
    let imported = import::to_annotations(&ts, &ImportOptions::default());
    assert_eq!(
        import::check(&ts, &imported, false),
        Vec::<String>::new(),
        "the import reads back"
    );
    for (name, text) in &imported.files {
        common::write(dir, &format!("imported/{name}"), text.as_bytes());
    }
    let model = common::scan(&dir.join("imported"));
    (imported, model)
}

// ---------------------------------------------------------------------------------------
// Golden files of the example, reviewed by eye

#[test]
fn golden_dot() {
    insta::assert_snapshot!("example_dot", dot::to_dot(&EXAMPLE_MODEL));
}

#[test]
fn golden_threatspec() {
    insta::assert_snapshot!(
        "example_threatspec",
        threatspec::to_threatspec(&EXAMPLE_MODEL, "example")
    );
}

#[test]
fn golden_otm() {
    insta::assert_snapshot!("example_otm", otm::to_otm(&EXAMPLE_MODEL, "example"));
}
