//! Which files are read, and what is said about those that are not: one rule for the
//! walker on disk and for blobs read out of git, so that a model read from either sees the
//! same files and the same warnings.
//!
//! - A file whose extension no language claims is never read; an extensionless one is read
//!   when its `#!` line names a known interpreter.
//! - A binary file (a NUL byte in its first [`SNIFF_LEN`] bytes) is passed over in silence.
//! - A file over the size cap is not kept in memory, but it is streamed through the
//!   prefilter: it gets a `skipped-file` warning only when it may hold an annotation, so a
//!   2 MB generated header with no `@verb` in it costs a read and says nothing.

use std::io::{self, Read};
use std::path::Path;

use crate::diagnostics::{Code, Diagnostic};
use crate::languages::table;
use crate::location::Location;
use crate::prefilter;
use crate::scan::{FileKind, FileResult, kind_by_name};

/// The bytes read to decide whether a file is binary.
pub const SNIFF_LEN: usize = 8 * 1024;

/// How a file is read, from its name alone: `Some(None)` when only its content (a `#!`
/// line) can tell, `None` when it is never read (an extension no language claims).
pub fn by_name(path: &Path) -> Option<Option<FileKind>> {
    match kind_by_name(path) {
        Some(kind) => Some(Some(kind)),
        None if path.extension().is_some() => None,
        None => Some(None),
    }
}

/// The files a project includes (GuardLink's `include` globs, relative to the root); every
/// file when there are none.
#[derive(Debug, Default)]
pub struct Includes(Option<globset::GlobSet>);

impl Includes {
    pub fn new(globs: &[String]) -> Result<Includes, String> {
        if globs.is_empty() {
            return Ok(Includes(None));
        }
        let mut set = globset::GlobSetBuilder::new();
        for glob in globs {
            let glob = globset::GlobBuilder::new(glob.trim_start_matches("./"))
                .literal_separator(true)
                .build()
                .map_err(|e| format!("bad include glob `{glob}`: {e}"))?;
            set.add(glob);
        }
        set.build()
            .map(|set| Includes(Some(set)))
            .map_err(|e| e.to_string())
    }

    /// Whether the file at `relative` (`/`-separated) is included.
    pub fn admits(&self, relative: &str) -> bool {
        self.0.as_ref().is_none_or(|set| set.is_match(relative))
    }
}

/// Whether content is binary, judged from its first bytes.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(SNIFF_LEN)]).is_some()
}

/// A file's content, or why it is not kept.
pub enum Content {
    Whole(Vec<u8>),
    /// Over the cap: its size, and whether the prefilter saw a possible annotation in it.
    TooLarge {
        size: u64,
        may_hold: bool,
    },
}

/// Reads at most `cap` bytes whole. A longer stream (`size_hint` says so up front, or it
/// grows past the cap while being read) is read on through the prefilter and dropped.
pub fn read_capped(
    mut reader: impl Read,
    size_hint: u64,
    cap: u64,
    kind: Option<FileKind>,
) -> io::Result<Content> {
    if size_hint > cap {
        return too_large(reader, kind);
    }
    let mut bytes = Vec::with_capacity(size_hint as usize + 1);
    // At most one byte past the cap: enough to know it is over.
    (&mut reader).take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return too_large(io::Cursor::new(bytes).chain(reader), kind);
    }
    Ok(Content::Whole(bytes))
}

/// Streams an oversized file through the prefilter (to its end: the size is reported).
pub fn too_large(reader: impl Read, kind: Option<FileKind>) -> io::Result<Content> {
    let mut counted = Counted {
        inner: reader,
        read: 0,
    };
    let may_hold = stream_may_hold(&mut counted, kind)?;
    io::copy(&mut counted, &mut io::sink())?;
    Ok(Content::TooLarge {
        size: counted.read,
        may_hold,
    })
}

/// Whether a stream of a file of `kind` may hold an annotation, without keeping it: not
/// when it is binary, nor when its `#!` line names no language we read.
fn stream_may_hold(mut reader: impl Read, kind: Option<FileKind>) -> io::Result<bool> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut reader)
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)?;
    if is_binary(&head) {
        return Ok(false);
    }
    let keys = match kind.or_else(|| table().by_shebang(&head).map(FileKind::Code)) {
        Some(FileKind::Code(language)) => language.threatspec_keys,
        Some(FileKind::Plain) => false,
        None => return Ok(false),
    };
    prefilter::stream_may_hold_annotation(io::Cursor::new(head).chain(reader), keys)
}

struct Counted<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// A file not scanned, with the reason as a `skipped-file` warning.
pub fn skipped(path: &str, message: String, hint: &str) -> FileResult {
    FileResult {
        diagnostics: vec![
            Diagnostic::new(Code::SkippedFile, Location::new(path, 1, 1), message).hint(hint),
        ],
        path: path.to_string(),
        annotations: Vec::new(),
    }
}

/// The warning for a file over the cap that may hold an annotation; nothing otherwise.
pub fn oversized(path: &str, size: u64, cap: u64, may_hold: bool) -> Option<FileResult> {
    may_hold.then(|| {
        skipped(
            path,
            format!("not scanned: {size} bytes is over the {cap} byte limit, and it may hold annotations"),
            "raise `--max-file-size`, or exclude generated files with `--exclude`",
        )
    })
}

/// The warning for a file that could not be read.
pub fn unreadable(path: &str, error: &io::Error) -> FileResult {
    skipped(
        path,
        format!("not scanned: {error}"),
        "check the file's permissions, or exclude it with `--exclude`",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(
        text: &[u8],
        hint: u64,
        cap: u64,
        kind: Option<FileKind>,
    ) -> (Option<Vec<u8>>, Option<(u64, bool)>) {
        match read_capped(text, hint, cap, kind).unwrap() {
            Content::Whole(b) => (Some(b), None),
            Content::TooLarge { size, may_hold } => (None, Some((size, may_hold))),
        }
    }

    #[test]
    fn over_the_cap_is_judged_by_the_prefilter_and_sized_to_its_end() {
        let go = kind_by_name(Path::new("a.go"));
        let mut big = "x".repeat(100_000);
        assert_eq!(
            read(big.as_bytes(), 100_000, 10, go),
            (None, Some((100_000, false)))
        );
        big.push_str("\n// @threat Tampering");
        let len = big.len() as u64;
        // Known to be over from its size, or found over while reading (it grew).
        assert_eq!(read(big.as_bytes(), len, 10, go), (None, Some((len, true))));
        assert_eq!(read(big.as_bytes(), 5, 10, go), (None, Some((len, true))));
        assert_eq!(
            read(b"// @threat T", 12, 12, go).0.as_deref(),
            Some(&b"// @threat T"[..])
        );
    }

    #[test]
    fn an_oversized_file_that_is_binary_or_of_no_language_says_nothing() {
        let mut binary = b"\0\x01".to_vec();
        binary.extend_from_slice(b"// @threat T");
        assert_eq!(
            read(&binary, 1000, 4, kind_by_name(Path::new("a.c"))).1,
            Some((14, false))
        );
        // Extensionless: the `#!` line decides.
        assert_eq!(
            read(b"#!/bin/bash\n# @threat T\n", 100, 4, None).1,
            Some((24, true))
        );
        assert_eq!(
            read(b"#!/usr/bin/awk\n# @threat T\n", 100, 4, None).1,
            Some((27, false))
        );
        assert!(oversized("a.c", 10, 4, false).is_none());
        let d = &oversized("a.c", 10, 4, true).unwrap().diagnostics[0];
        assert_eq!(d.code, Code::SkippedFile);
        assert!(d.message.contains("may hold annotations"), "{}", d.message);
    }

    #[test]
    fn includes_match_relative_paths_as_fast_glob_does() {
        let i = Includes::new(&["**/*.ts".into(), ".guardlink/definitions.ts".into()]).unwrap();
        assert!(i.admits("a.ts") && i.admits("src/deep/b.ts") && i.admits(".guardlink/x.ts"));
        assert!(!i.admits("a.py") && !i.admits("src/a.tsx"));
        let i = Includes::new(&["src/*.py".into()]).unwrap();
        assert!(i.admits("src/a.py") && !i.admits("src/x/a.py"));
        assert!(Includes::new(&[]).unwrap().admits("anything"));
        assert!(Includes::new(&["a[".into()]).is_err());
    }

    #[test]
    fn names_decide_first() {
        assert!(matches!(by_name(Path::new("a.go")), Some(Some(_))));
        assert!(matches!(by_name(Path::new("run")), Some(None)));
        assert!(by_name(Path::new("a.png")).is_none());
    }
}
