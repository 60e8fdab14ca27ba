//! Exit-code integrity: a full disk, closed pipes and panics end with exit 2 and a message,
//! never 0 or 1, and never an abort.

use std::process::{Command, Stdio};

use super::*;

const CLEAN: &str = "# @threat SQL injection (#sqli) [high]\n# @exposes Shop:API to #sqli\n# @mitigates Shop:API against #sqli with #pq\n# @control Parameterized queries (#pq)\n# @tests #pq for Shop:API\n";

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_the_output_exits_2_with_a_message() {
    let dir = common::tree(&[("a.py", CLEAN)]);
    for args in [
        &["check", "--format", "json", "-o", "/dev/full"][..],
        &["report", "--format", "html", "-o", "/dev/full"],
        &["scan", "-o", "/dev/full"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("cannot write /dev/full: No space left on device"),
            "{err}"
        );
    }
    // Stdout on a full disk, as `> file` on a full volume would be.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["check", "--format", "json"])
        .current_dir(dir.path())
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
}

/// A pipe whose reading end is already closed: every write to it fails with EPIPE.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer
}

#[test]
fn a_closed_stderr_changes_no_exit_code() {
    let dir = common::tree(&[
        ("a.py", CLEAN),
        ("boom.py", CLEAN),
        ("bad.py", "# @mitigates X against\n"),
    ]);
    let status = |args: &[&str], panic_on: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_threatline"));
        cmd.args(args)
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(closed_pipe());
        if let Some(name) = panic_on {
            cmd.env("THREATLINE_TEST_PANIC_ON", name);
        }
        cmd.status().unwrap().code()
    };
    // Diagnostics to a closed stderr, then the gate's answer.
    assert_eq!(status(&["check", "--format", "json"], None), Some(1));
    // An error message to a closed stderr: still 2, not a panic about printing.
    assert_eq!(status(&["check", "no-such-dir"], None), Some(2));
    // A panic whose report cannot be printed: still 2, not an abort.
    #[cfg(debug_assertions)]
    assert_eq!(status(&["check"], Some("boom.py")), Some(2));
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let dir = common::tree(&[("a.py", CLEAN)]);
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["report", "--format", "html"])
        .current_dir(dir.path())
        .stdout(closed_pipe())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
