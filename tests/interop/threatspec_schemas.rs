//! The `threatmodel/` directory against the JSON Schemas Threatspec 0.5.0 itself checks it
//! with (`tests/schemas/threatspec/`, copied from the package), and the command that writes
//! it: `report --format threatspec --layout directory -o DIR`.

use super::*;

const SCHEMAS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemas/threatspec");

/// The schema Threatspec checks a file of its `threatmodel/` directory (or its
/// `threatspec.yaml`) with: `threats.json` is checked by `threats_schema.json`, and so on.
fn schema_for(file: &str) -> jsonschema::Validator {
    let stem = match file {
        "threatspec.yaml" => "config",
        other => other.strip_suffix(".json").expect("a JSON file"),
    };
    let path = Path::new(SCHEMAS).join(format!("{stem}_schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).expect("Threatspec's schema is JSON");
    jsonschema::validator_for(&schema).expect("Threatspec's schema compiles")
}

/// Every way `text` (the file `file` of the directory) breaks Threatspec's schema.
pub fn threatspec_schema_errors(file: &str, text: &str) -> Vec<String> {
    let instance: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return vec![format!("{file}: not JSON: {e}")],
    };
    schema_for(file)
        .iter_errors(&instance)
        .map(|e| format!("{file}{}: {e}", e.instance_path()))
        .collect()
}

/// The four files, each valid against its schema; and, what PyYAML (which Threatspec reads
/// them with before validating) would stop at or read as a line break, never written.
pub fn assert_valid_for_threatspec(files: &[(&str, String)]) {
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, threatspec::DIRECTORY_FILES);
    for (name, text) in files {
        assert_eq!(
            threatspec_schema_errors(name, text),
            Vec::<String>::new(),
            "{name} breaks Threatspec's schema"
        );
        let unsafe_char = text.chars().find(|c| {
            matches!(
                c,
                '\u{7f}'
                    ..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            )
        });
        assert_eq!(unsafe_char, None, "{name}: a character PyYAML refuses");
    }
}

/// A tree with what Threatspec has no words for: a mitigation without a control,
/// references nothing declares, a mitigation of a flow, and names and details holding DEL,
/// C1 controls, U+2028, quotes and backslashes.
const AWKWARD: &str = "@component App:Web (#web)\n\
    @component App:DB (#db)\n\
    @threat SQL Injection (#sqli)\n\
    @threat Bad\u{7f}Name (#bad)\n\
    @control Param Queries (#pq)\n\
    @control No Control (#no-control)\n\
    @mitigates #web against #sqli\n\
    @mitigates #db against #sqli -- \"nothing named, twice\"\n\
    @mitigates #db against #bad with #no-control\n\
    @mitigates #web against #nothreat with #nocontrol\n\
    @connects #web to #ghost with HTTP (#f1)\n\
    @connects #web with #db with SQL\n\
    @mitigates #f1 against #sqli with #pq\n\
    @exposes #web to #bad with del\u{7f} nel\u{85} ls\u{2028} c1\u{9b} \"quoted\" back\\slash\n\
    @tests #nocontrol for #web\n\
    @review #ghost3 who owns this?\n\
    @accepts #sqli on #ghost4 with fine\n\
    @transfers #sqli from #web to #ghost5 with the CDN\n";

pub fn awkward_tree() -> tempfile::TempDir {
    common::tree(&[("src/model.threatline", AWKWARD)])
}

#[test]
fn the_directory_of_the_example_and_of_a_threatspec_tree_is_valid_for_threatspec() {
    assert_valid_for_threatspec(&threatspec::to_threatspec_directory(&EXAMPLE_MODEL));
    let tree = common::scan(Path::new(TREE));
    assert_valid_for_threatspec(&threatspec::to_threatspec_directory(&tree));
}

#[test]
fn what_threatspec_has_no_words_for_is_still_valid_for_threatspec() {
    let dir = awkward_tree();
    let m = common::scan(dir.path());
    let files = threatspec::to_threatspec_directory(&m);
    assert_valid_for_threatspec(&files);
    let tm: Value = serde_json::from_str(&files[0].1).unwrap();
    let controls: Value = serde_json::from_str(&files[2].1).unwrap();
    // The control made for mitigations without one; `#no_control` is a real control's.
    let made: Vec<&Value> = tm["mitigations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["control"] == "#no_control_2")
        .collect();
    assert_eq!(made.len(), 2, "{tm:#}");
    assert_eq!(
        controls["controls"]["#no_control_2"]["custom"],
        serde_json::json!({"threatline_no_control": true})
    );
    assert_eq!(controls["controls"]["#no_control"]["name"], "No Control");
    // The report keeps the `null` it always wrote, and holds no made-up control.
    let report: Value = serde_json::from_str(&threatspec::to_threatspec(&m, "awkward")).unwrap();
    assert!(
        report["threatmodel"]["mitigations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["control"].is_null())
    );
    assert!(report["controls"].get("#no_control_2").is_none());
    // Escaped, not lost: JSON reads the same characters back.
    let exposure = &tm["exposures"][0];
    assert_eq!(
        exposure["details"],
        "del\u{7f} nel\u{85} ls\u{2028} c1\u{9b} \"quoted\" back\\slash"
    );
    assert!(
        files[0]
            .1
            .contains(r"del\u007f nel\u0085 ls\u2028 c1\u009b")
    );
}

/// `threatline report` with `args`, in `cwd`.
pub fn threatline_report(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_threatline"))
        .current_dir(cwd)
        .arg("report")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_command_writes_the_directory_threatspec_reads() {
    let project = tempfile::tempdir().unwrap();
    let out = threatline_report(
        project.path(),
        &[
            EXAMPLE,
            "--format",
            "threatspec",
            "--layout",
            "directory",
            "-o",
            "threatmodel",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(out.stdout.is_empty(), "the files are the output");
    assert!(
        stderr.contains("no ./threatspec.yaml"),
        "it says where Threatspec looks: {stderr}"
    );
    let files: Vec<(&str, String)> = threatspec::DIRECTORY_FILES
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(project.path().join("threatmodel").join(name))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            (*name, text)
        })
        .collect();
    assert_valid_for_threatspec(&files);
    let mut written: Vec<String> = std::fs::read_dir(project.path().join("threatmodel"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "components.json",
            "controls.json",
            "threatmodel.json",
            "threats.json"
        ],
        "no partial file is left behind"
    );

    // Run again with a threatspec.yaml beside it: the files are replaced, in silence.
    let config = "project:\n  name: example\n  description: ''\npaths: []\n";
    let config_value: Value = serde_saphyr::from_str(config).expect("YAML");
    assert_eq!(
        schema_for("threatspec.yaml")
            .iter_errors(&config_value)
            .map(|e| e.to_string())
            .collect::<Vec<_>>(),
        Vec::<String>::new()
    );
    std::fs::write(project.path().join("threatspec.yaml"), config).unwrap();
    std::fs::write(project.path().join("threatmodel/threats.json"), "stale").unwrap();
    let again = threatline_report(
        project.path(),
        &[
            EXAMPLE,
            "--format=threatspec",
            "--layout=directory",
            "--output",
            "threatmodel",
        ],
    );
    assert_eq!(again.status.code(), Some(0));
    assert!(again.stderr.is_empty(), "{:?}", again.stderr);
    let threats = std::fs::read_to_string(project.path().join("threatmodel/threats.json")).unwrap();
    assert_eq!(threats, files[1].1);

    // The default is still the one ThreatModel.json.
    let single = threatline_report(
        project.path(),
        &[EXAMPLE, "--format", "threatspec", "-o", "ThreatModel.json"],
    );
    assert_eq!(single.status.code(), Some(0));
    let report = std::fs::read_to_string(project.path().join("ThreatModel.json")).unwrap();
    assert!(report.contains("\"threatmodel\": {"));
    let explicit = threatline_report(
        project.path(),
        &[EXAMPLE, "--format", "threatspec", "--layout", "report"],
    );
    assert_eq!(String::from_utf8_lossy(&explicit.stdout), report);
}

#[test]
fn the_command_says_what_the_directory_layout_needs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let file = file.to_str().unwrap();
    for (args, says) in [
        (
            &["--format", "threatspec", "--layout", "directory"][..],
            "name their directory with `-o DIR`",
        ),
        (
            &["--format", "threatspec", "--layout", "directory", "-o", "-"],
            "name their directory with `-o DIR`",
        ),
        (
            &["--format", "otm", "--layout", "directory", "-o", "x"],
            "use it with `--format threatspec`",
        ),
        (&["--layout", "report"], "use it with `--format threatspec`"),
        (
            &[
                "--format",
                "threatspec",
                "--layout",
                "directory",
                "-o",
                file,
            ],
            "is a file, not a directory",
        ),
        (
            &["--format", "threatspec", "--layout", "sideways"],
            "invalid value 'sideways'",
        ),
    ] {
        let mut all = vec![EXAMPLE];
        all.extend(args);
        let out = threatline_report(dir.path(), &all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    assert_eq!(std::fs::read(file).unwrap(), b"", "the file is left alone");
}
