//! The annotation-line grammar: `parse_arguments` for one verb, then the `Finder` over
//! the input as a comment block (every line a comment line), with the diagnostics
//! rendered as the terminal would show them (spans must stay inside their lines).
#![no_main]

use libfuzzer_sys::fuzz_target;
use threatline::annotation::{Finder, Verb, parse_arguments};
use threatline::extract::CommentLine;

const VERBS: [Verb; 12] = [
    Verb::Component,
    Verb::Threat,
    Verb::Control,
    Verb::Mitigates,
    Verb::Exposes,
    Verb::Accepts,
    Verb::Transfers,
    Verb::Connects,
    Verb::Boundary,
    Verb::Handles,
    Verb::Review,
    Verb::Tests,
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let verb = VERBS[first as usize % VERBS.len()];
    let column_of = |offset: usize| 1 + offset as u32;
    if let Err(e) = parse_arguments(verb, &text, &column_of) {
        assert!(e.offset <= text.len(), "error offset past the arguments");
    }

    // The first byte also sets the block's starting column, as if the comment were indented.
    let lines: Vec<CommentLine> = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| CommentLine {
            text: l.to_string(),
            line: i as u32 + 1,
            column: 1 + u32::from(first % 8),
        })
        .collect();
    let source_line = |line: u32| lines.get(line as usize - 1).map(|l| l.text.clone());
    let mut finder = Finder::new("fuzz.c", &source_line);
    finder.block(&lines);
    for a in &finder.found.annotations {
        assert!(a.location.line as usize <= lines.len());
        assert!(a.location.column >= 1);
    }
    for d in &finder.found.diagnostics {
        assert!(d.location.line as usize <= lines.len());
    }
    let _ = threatline::diagnostics::render(&finder.found.diagnostics, false);
});
