//! Golden tests of comment extraction, one directory per language of the table
//! (`tests/languages/<language>/`).
//!
//! Each fixture holds annotations in every comment form its language has, and traps:
//! annotation-looking text in string literals, whose threat names all contain `TRAP`.
//! Snapshots alone would let a blindly accepted regression through, so every test also
//! checks the hand-counted number of annotations, that each reported position points at
//! the annotation's own text in the raw file, and that no trap was read.

use std::path::{Path, PathBuf};
use std::time::Duration;

use threatline::scan::{FileKind, FileResult, Scanner, kind_by_name};
use threatline::walk::{WalkOptions, walk};

fn fixture_dir(language: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/languages")
        .join(language)
}

fn scan_dir(root: &Path) -> Vec<FileResult> {
    let mut options = WalkOptions::new(root);
    // One thread: the order of diagnostics within a file must not depend on scheduling.
    options.threads = 1;
    walk(&options).expect("fixture directory walks").files
}

/// `file:line:col verb text` per annotation (with its description and YAML fields),
/// then `file:line:col code` per diagnostic.
fn render(files: &[FileResult]) -> String {
    let mut out = String::new();
    for file in files {
        for a in &file.annotations {
            out.push_str(&format!("{} {} {}\n", a.location, a.verb.as_str(), a.text));
            // Continuation lines (`-- "..."`) show here: a block closer read as one would.
            if let Some(description) = &a.description {
                out.push_str(&format!("    description {description:?}\n"));
            }
            // The YAML block shows where the block ended (never at a `*/`).
            if let Some(fields) = &a.fields {
                let json = serde_json::to_string(fields).expect("fields serialise");
                out.push_str(&format!("    fields {json}\n"));
            }
        }
    }
    for file in files {
        for d in &file.diagnostics {
            out.push_str(&format!("{} {}\n", d.location, d.code.as_str()));
        }
    }
    out
}

/// Splits raw bytes into lines the way editors count them: `\n`, `\r\n` and a lone `\r`
/// all end a line. A leading byte order mark is not part of the first line.
fn raw_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&bytes[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&bytes[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    lines.push(&bytes[start..]);
    lines
}

/// The text of a raw line from a 1-based column: columns count Unicode scalar values,
/// an invalid UTF-8 sequence counting as one (as lossy decoding replaces it with one
/// U+FFFD).
fn from_column(line: &[u8], column: u32) -> String {
    String::from_utf8_lossy(line)
        .chars()
        .skip(column as usize - 1)
        .collect()
}

/// Every annotation's reported position holds `@` and the annotation's own text.
fn assert_positions_exact(root: &Path, files: &[FileResult]) {
    for file in files {
        let bytes = std::fs::read(root.join(&file.path)).expect("fixture readable");
        let lines = raw_lines(&bytes);
        for a in &file.annotations {
            let loc = &a.location;
            let line = lines
                .get(loc.line as usize - 1)
                .unwrap_or_else(|| panic!("{loc}: no such line"));
            let at = from_column(line, loc.column);
            assert!(
                at.starts_with('@') && at.starts_with(&a.text),
                "{loc}: expected `{}` there, the line reads `{at}` from that column",
                a.text
            );
        }
    }
}

/// Scans one fixture directory and checks everything the module doc promises.
fn golden(language: &str, expected_annotations: usize) {
    let root = fixture_dir(language);
    let files = scan_dir(&root);
    let rendered = render(&files);
    assert_positions_exact(&root, &files);
    for a in files.iter().flat_map(|f| &f.annotations) {
        assert!(
            !a.text.contains("TRAP"),
            "{}: text in a string literal was read as an annotation: {}",
            a.location,
            a.text
        );
    }
    let found = files.iter().map(|f| f.annotations.len()).sum::<usize>();
    assert_eq!(
        found, expected_annotations,
        "{language}: annotation count\n{rendered}"
    );
    // Last, so that accepting snapshots blindly cannot record a wrong count.
    insta::assert_snapshot!(format!("languages_{language}"), rendered);
}

#[test]
fn rust() {
    golden("rust", 16);
}

#[test]
fn python() {
    golden("python", 10);
}

#[test]
fn go() {
    golden("go", 8);
}

#[test]
fn javascript() {
    golden("javascript", 12);
}

#[test]
fn typescript() {
    golden("typescript", 10);
}

#[test]
fn tsx() {
    golden("tsx", 8);
}

#[test]
fn java() {
    golden("java", 11);
}

#[test]
fn kotlin() {
    golden("kotlin", 8);
}

#[test]
fn c() {
    golden("c", 8);
}

#[test]
fn cpp() {
    golden("cpp", 8);
}

#[test]
fn csharp() {
    golden("csharp", 8);
}

#[test]
fn swift() {
    golden("swift", 8);
}

#[test]
fn scala() {
    golden("scala", 8);
}

#[test]
fn ruby() {
    golden("ruby", 8);
}

#[test]
fn php() {
    golden("php", 8);
}

#[test]
fn bash() {
    golden("bash", 8);
}

#[test]
fn lua() {
    golden("lua", 10);
}

#[test]
fn haskell() {
    golden("haskell", 9);
}

#[test]
fn elixir() {
    golden("elixir", 10);
}

#[test]
fn sql() {
    golden("sql", 9);
}

#[test]
fn yaml() {
    golden("yaml", 16);
}

#[test]
fn json() {
    golden("json", 9);
}

#[test]
fn toml() {
    golden("toml", 4);
}

#[test]
fn hcl() {
    golden("hcl", 8);
}

#[test]
fn dockerfile() {
    golden("dockerfile", 6);
}

#[test]
fn plain() {
    golden("plain", 7);
}

// --- File typing -------------------------------------------------------------------

#[test]
fn extensionless_scripts_are_typed_by_their_shebang() {
    let script = fixture_dir("bash").join("release");
    assert!(
        kind_by_name(&script).is_none(),
        "the name alone says nothing"
    );
    let bytes = std::fs::read(&script).unwrap();
    let mut scanner = Scanner::new(Duration::from_secs(5));
    let result = scanner
        .scan("release", bytes, None)
        .expect("the `#!/usr/bin/env bash` line makes it Bash");
    let texts: Vec<&str> = result.annotations.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(
        texts,
        ["@mitigates Sh:Deploy against #sh_creds with masked CI variables"]
    );
    // Without the `#!` line the same content is not read at all.
    let headless = b"# @threat Headless (#headless)\n".to_vec();
    assert!(scanner.scan("notes", headless, None).is_none());
}

#[test]
fn dockerfile_variants_are_typed_by_name() {
    for name in [
        "Dockerfile",
        "Dockerfile.prod",
        "deploy/Containerfile.dev",
        "x.dockerfile",
    ] {
        match kind_by_name(Path::new(name)) {
            Some(FileKind::Code(language)) => assert_eq!(language.name, "Dockerfile", "{name}"),
            _ => panic!("{name} is not typed as a Dockerfile"),
        }
    }
    let files = scan_dir(&fixture_dir("dockerfile"));
    let prod = files.iter().find(|f| f.path == "Dockerfile.prod").unwrap();
    assert_eq!(prod.annotations.len(), 1);
}

// --- Line endings, BOM, invalid UTF-8 ------------------------------------------------

/// Copies every fixture into `dest/<language>/`, transformed.
fn transformed_fixtures(dest: &Path, transform: &dyn Fn(&[u8]) -> Vec<u8>) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/languages");
    let mut languages = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let language = dir.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::create_dir_all(dest.join(&language)).unwrap();
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let bytes = std::fs::read(&file).unwrap();
            std::fs::write(
                dest.join(&language).join(file.file_name().unwrap()),
                transform(&bytes),
            )
            .unwrap();
        }
        languages.push(language);
    }
    languages.sort();
    languages
}

/// Every fixture, transformed, gives the same annotations at the same positions.
fn same_as_fixtures(transform: &dyn Fn(&[u8]) -> Vec<u8>) {
    let temp = tempfile::tempdir().unwrap();
    let languages = transformed_fixtures(temp.path(), transform);
    assert!(languages.len() >= 26, "every fixture directory is copied");
    for language in languages {
        let expected = render(&scan_dir(&fixture_dir(&language)));
        let root = temp.path().join(&language);
        let files = scan_dir(&root);
        assert_eq!(render(&files), expected, "{language}");
        assert_positions_exact(&root, &files);
    }
}

fn replace_newlines(bytes: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        if b == b'\n' {
            out.extend_from_slice(with);
        } else {
            out.push(b);
        }
    }
    out
}

#[test]
fn crlf_line_ends_change_nothing() {
    same_as_fixtures(&|bytes| replace_newlines(bytes, b"\r\n"));
}

#[test]
fn lone_cr_line_ends_change_nothing() {
    same_as_fixtures(&|bytes| replace_newlines(bytes, b"\r"));
}

#[test]
fn a_byte_order_mark_changes_nothing() {
    same_as_fixtures(&|bytes| [b"\xEF\xBB\xBF".as_slice(), bytes].concat());
}

#[test]
fn invalid_utf8_is_tolerated_and_positions_stay_exact() {
    let temp = tempfile::tempdir().unwrap();
    let source: &[u8] = b"fn f() {\n\
        \x20   let s = \"\xff\x80\xfe\"; // @threat Latin-1 caf\xe9 (#latin1)\n\
        \x20   // caf\xe9 \x80\x80 prose first, so no annotation here: @threat Not one\n\
        \x20   /* \xe9\xe9 */ /* @mitigates App:Web against #latin1 with \xc3 care */\n\
        \x20   // @control Decoder (#decoder)\n\
        }\n";
    std::fs::write(temp.path().join("bytes.rs"), source).unwrap();
    let files = scan_dir(temp.path());
    assert_positions_exact(temp.path(), &files);
    let found: Vec<String> = files[0]
        .annotations
        .iter()
        .map(|a| format!("{} {}", a.location, a.text))
        .collect();
    assert_eq!(
        found,
        [
            "bytes.rs:2:23 @threat Latin-1 caf\u{FFFD} (#latin1)",
            "bytes.rs:4:17 @mitigates App:Web against #latin1 with \u{FFFD} care",
            "bytes.rs:5:8 @control Decoder (#decoder)",
        ]
    );
}

// --- Parse deadline ------------------------------------------------------------------

#[test]
fn past_the_parse_deadline_comments_are_read_line_by_line() {
    for (language, file, expected) in [
        ("rust", "orders.rs", 15),
        ("go", "server.go", 8),
        ("python", "payments.py", 10),
    ] {
        let path = fixture_dir(language).join(file);
        let bytes = std::fs::read(&path).unwrap();
        let mut scanner = Scanner::new(Duration::ZERO);
        let result = scanner
            .scan(file, bytes, kind_by_name(&path))
            .expect("the fixture holds annotations");
        let codes: Vec<&str> = result.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert!(codes.contains(&"parse-timeout"), "{file}: {codes:?}");
        // The fallback cannot tell strings from comments, so traps may be read; every
        // real annotation of the tree-based scan must still be there, at its position.
        let real: Vec<String> = scan_dir(&fixture_dir(language))
            .iter()
            .flat_map(|f| &f.annotations)
            .map(|a| format!("{} {}", a.location, a.text))
            .collect();
        let fallback: Vec<String> = result
            .annotations
            .iter()
            .map(|a| format!("{} {}", a.location, a.text))
            .collect();
        let kept = real.iter().filter(|a| fallback.contains(a)).count();
        assert_eq!(kept, expected, "{file}: fallback found {fallback:#?}");
    }
}
