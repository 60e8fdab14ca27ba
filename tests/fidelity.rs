//! The gate says what GuardLink projects mean, as they are written: the most severe
//! exposure decides, bare data sources are no zones, GuardLink's project scope and `@source`
//! anchors are honoured, and every flow annotation is kept.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{model, tree};

fn check(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threatline"))
        .arg("check")
        .args(args)
        .arg(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

const DEFINITIONS: &str = "\
// @asset Agent.Launcher (#launcher)
// @threat Prompt_Injection (#pi)
";

#[test]
fn the_most_severe_exposure_decides_whatever_the_file_order() {
    // The medium exposure sorts first by path; the high one must still fail the gate.
    for (first, second) in [("medium", "high"), ("high", "medium")] {
        let dir = tree(&[
            (".guardlink/definitions.ts", DEFINITIONS),
            (
                "src/launcher.ts",
                &format!("// @exposes #launcher to #pi [{first}]\nexport {{}};\n"),
            ),
            (
                "src/workers/prompts.ts",
                &format!("// @exposes #launcher to #pi [{second}]\nexport {{}};\n"),
            ),
        ]);
        let m = common::scan(dir.path());
        let found: Vec<_> = m
            .findings
            .iter()
            .filter(|f| f.code == "unmitigated-exposure")
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one finding per (component, threat): {found:#?}"
        );
        let f = found[0];
        assert_eq!(f.severity.as_str(), "high");
        let high = if first == "high" {
            "src/launcher.ts"
        } else {
            "src/workers/prompts.ts"
        };
        let other = if first == "high" {
            "src/workers/prompts.ts"
        } else {
            "src/launcher.ts"
        };
        assert_eq!(f.site.location.file, high);
        assert_eq!(f.related.len(), 1);
        assert_eq!(f.related[0].site.location.file, other);
        assert!(
            f.related[0].message.contains("medium"),
            "{}",
            f.related[0].message
        );
        let out = check(dir.path(), &["--no-cache"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn a_bare_name_nothing_declares_is_a_data_source_not_a_zone() {
    let m = model(&[(
        "src/launcher.ts",
        "// @asset App.Launcher (#launcher)\n\
         // @asset App.TUI (#tui)\n\
         // @flows EnvVars -> #launcher via process.env\n\
         // @flows #tui -> Terminal\n\
         // @flows #launcher -> Other.Service via stdin\n\
         // @boundary between #tui and Terminal (#term)\n\
         export {};\n",
    )]);
    let crossings: Vec<&str> = m
        .findings
        .iter()
        .filter(|f| f.code == "unprotected-crossing")
        .filter_map(|f| f.flow.as_deref())
        .collect();
    // EnvVars crosses nothing; Terminal crosses only the boundary declared around it;
    // `Other.Service` is a two-segment path, in zone `other`.
    assert_eq!(crossings.len(), 2, "{crossings:?}");
    assert!(
        crossings.iter().any(|f| f.contains("terminal")),
        "{crossings:?}"
    );
    assert!(
        crossings.iter().any(|f| f.contains("other")),
        "{crossings:?}"
    );
    let envvars = m.components.iter().find(|c| c.id == "envvars").unwrap();
    assert_eq!(envvars.zone, "", "a data source is in no zone");
    let other = m.components.iter().find(|c| c.id == "other").unwrap();
    assert_eq!(
        other.zone, "other",
        "a parent is a zone, though nothing declares it"
    );
}

#[test]
fn every_annotation_of_one_flow_is_kept() {
    let m = model(&[
        (
            "src/a.ts",
            "// @flows ProjectRoot -> #parser via fast-glob -- \"walks the tree\"\nexport {};\n",
        ),
        (
            "src/b.ts",
            "// @flows ProjectRoot -> #parser via fast-glob -- \"reads each file\"\nexport {};\n",
        ),
        ("src/c.ts", "// @asset Core.Parser (#parser)\nexport {};\n"),
    ]);
    assert_eq!(m.flows.len(), 1, "one edge: {:#?}", m.flows);
    let flow = &m.flows[0];
    assert_eq!(flow.site.location.file, "src/a.ts");
    assert_eq!(flow.description.as_deref(), Some("walks the tree"));
    assert_eq!(flow.also_at.len(), 1);
    assert_eq!(flow.also_at[0].site.location.file, "src/b.ts");
    assert_eq!(
        flow.also_at[0].description.as_deref(),
        Some("reads each file")
    );
    assert_eq!(m.stats.annotations.values().sum::<usize>(), 3);
}
