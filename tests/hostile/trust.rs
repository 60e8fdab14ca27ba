//! Boundaries of trust: config found in the tree cannot point the tool outside it, no
//! file of the tree is executed, and the binary has no network code.

use std::process::Command;

use super::*;

fn check(dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["check", "--format", "json"])
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn config_paths_that_leave_the_tree_are_refused() {
    for (config, expected) in [
        ("paths: [../x]\n", "`../x` leaves the scanned tree"),
        ("exclude: [/etc]\n", "`/etc` leaves the scanned tree"),
        (
            "catalogues: [../../acme.yaml]\n",
            "`../../acme.yaml` leaves the scanned tree",
        ),
        (
            "catalogues: [/etc/passwd]\n",
            "`/etc/passwd` leaves the scanned tree",
        ),
    ] {
        let dir = hostile_tree(&[("threatline.yaml", config.as_bytes())]);
        let (code, err) = check(dir.path());
        assert_eq!(code, 2, "{config}");
        assert!(
            err.contains(" --> threatline.yaml:1:") && err.contains(expected),
            "{err}"
        );
    }
}

#[cfg(unix)]
#[test]
fn links_in_the_tree_do_not_lead_config_outside_it() {
    use std::os::unix::fs::symlink;
    let outside = common::tree(&[
        ("secrets.yaml", "paths: [SECRET_TOKEN_123]\n"),
        ("acme.yaml", "threats:\n  - SECRET_TOKEN_456\n"),
        ("src/x.py", "# @exposes Outside:X to T\n"),
    ]);
    let o = outside.path();
    let cases: [(&str, &Path, &str, &str); 4] = [
        // The config itself a link out of the tree (or to the job's environment).
        (
            "threatline.yaml",
            &o.join("secrets.yaml"),
            "",
            "cannot read config threatline.yaml: it is a link to a file outside its directory",
        ),
        (
            "threatline.yaml",
            Path::new("/proc/self/environ"),
            "",
            "cannot read config threatline.yaml: it is a link to a file outside its directory",
        ),
        // A catalogue that the config names, a link out.
        (
            "cat.yaml",
            &o.join("acme.yaml"),
            "catalogues: [cat.yaml]\n",
            "cannot read catalogue cat.yaml: it is a link to a file outside its directory",
        ),
        // A path to scan, a link to a directory out.
        (
            "src",
            &o.join("src"),
            "paths: [src]\n",
            "`src` resolves outside the scanned root (a symlink); not scanned",
        ),
    ];
    for (link, target, config, expected) in cases {
        let dir = hostile_tree(&[]);
        if !config.is_empty() {
            common::write(dir.path(), "threatline.yaml", config.as_bytes());
        }
        symlink(target, dir.path().join(link)).unwrap();
        let (code, err) = check(dir.path());
        assert_eq!(code, 2, "{link} -> {}: {err}", target.display());
        assert!(err.contains(expected), "{err}");
        assert!(
            !err.contains("SECRET_TOKEN") && !err.contains("PATH="),
            "{err}"
        );
        assert!(!err.contains(o.to_str().unwrap()), "{err}");
    }
    // A link to a device is no config file: never read (it would never end).
    let dir = hostile_tree(&[]);
    symlink("/dev/zero", dir.path().join("threatline.yaml")).unwrap();
    let (code, err) = check(dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("--> threatline.yaml:1:1"), "{err}");
}

#[test]
fn a_config_error_names_the_file_relative_to_the_root() {
    let dir = hostile_tree(&[("threatline.yaml", b"fail_on: severe\n")]);
    let (code, err) = check(dir.path());
    assert_eq!(code, 2);
    assert!(
        err.contains("`fail_on: severe` is not a severity\n --> threatline.yaml:1:10\n"),
        "{err}"
    );
    // Found above the scanned directory: still relative.
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["check", "ok"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\n --> ../threatline.yaml:1:10\n"), "{err}");
}

/// Every crate the binary links (normal dependencies, this platform), with the features
/// it is built with: `name [f1,f2]`, from Cargo itself.
fn resolved_features() -> Vec<(String, Vec<String>)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "--locked",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(["-f", "{p} [{f}]"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.split_once(' ')?;
            let features = rest.split_once('[')?.1.split_once(']')?.0;
            Some((
                name.to_string(),
                features.split(',').map(str::to_string).collect(),
            ))
        })
        .collect()
}

#[test]
fn no_network_client_and_no_yaml_include_are_built_in() {
    let resolved = resolved_features();
    const NETWORK: &[&str] = &[
        "reqwest",
        "hyper",
        "ureq",
        "curl",
        "isahc",
        "attohttpc",
        "h2",
        "tokio",
        "async-std",
        "native-tls",
        "rustls",
        "openssl",
        "mio",
        "socket2",
    ];
    for (name, _) in &resolved {
        assert!(
            !NETWORK.contains(&name.as_str()),
            "`{name}` would give the tool network code"
        );
    }
    let (_, saphyr) = resolved
        .iter()
        .find(|(n, _)| n == "serde-saphyr")
        .expect("serde-saphyr");
    // `include` lets a YAML document read other files: a config in the tree could name any.
    assert!(
        !saphyr.iter().any(|f| f.starts_with("include")),
        "{saphyr:?}"
    );
}

/// Pull-request mode reads revisions with the `git` binary: the one process the tool
/// starts, a fixed name, never a path or a command from the scanned tree.
const ALLOWED_PROCESS: &str = "Command::new(\"git\")";

#[test]
fn nothing_in_the_source_starts_a_process() {
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut text = std::fs::read_to_string(&path).unwrap();
                if path.parent().is_some_and(|d| d.ends_with("src/git")) {
                    text = text.replace(ALLOWED_PROCESS, "");
                    text = text.replace("std::process::Command", "");
                    text = text.replace("process::{Command", "");
                }
                for needle in [
                    "process::Command",
                    "Command::new",
                    "libloading",
                    "dlopen",
                    "TcpStream",
                    "UdpSocket",
                ] {
                    assert!(!text.contains(needle), "{}: `{needle}`", path.display());
                }
            }
        }
    }
}
