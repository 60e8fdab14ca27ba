//! The YAML block reader (SPEC 3.4): the lines under an annotation ending in `:`.
//! Errors must point inside the block.
#![no_main]

use libfuzzer_sys::fuzz_target;
use threatline::annotation::yaml_block::parse_block;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.split('\n').collect();
    if let Err(e) = parse_block(&lines) {
        assert!(
            e.line < lines.len(),
            "error line {} of {}",
            e.line,
            lines.len()
        );
    }
});
