//! A whole file through `Scanner::scan`: the first byte picks the language (or a plain
//! annotation file) and whether the parse deadline is zero, which sends the file through
//! the line-by-line fallback; the rest is the file. Positions must lie inside the file.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use threatline::languages::table;
use threatline::scan::{FileKind, Scanner};

fuzz_target!(|data: &[u8]| {
    let Some((&first, content)) = data.split_first() else {
        return;
    };
    let languages = &table().all;
    let pick = (first & 0x7f) as usize % (languages.len() + 1);
    let kind = match languages.get(pick) {
        Some(language) => FileKind::Code(language),
        None => FileKind::Plain,
    };
    let deadline = if first & 0x80 != 0 {
        Duration::ZERO
    } else {
        Duration::from_secs(2)
    };
    let mut scanner = Scanner::new(deadline);
    let Some(result) = scanner.scan("fuzz", content.to_vec(), Some(kind)) else {
        return;
    };
    // Line count as the Source counts: LF, CRLF and lone CR all end a line.
    let lines = 1 + content
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && content.get(i + 1) != Some(&b'\n')))
        .count();
    for a in &result.annotations {
        assert!(a.location.line >= 1 && a.location.line as usize <= lines);
        assert!(a.location.column >= 1);
    }
    for d in &result.diagnostics {
        assert!(d.location.line >= 1 && d.location.line as usize <= lines);
    }
    let _ = threatline::diagnostics::render(&result.diagnostics, false);
});
