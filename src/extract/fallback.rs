//! When a parse runs past its deadline, comments are read line by line: whole-line
//! comments by the language's markers and block comments by their delimiters. Less
//! precise than the tree (a string that looks like a comment line would count), but
//! nothing is lost; the scan reports the fallback.

use super::markers::{Delimiters, comment_lines};
use super::{CommentBlock, CommentLine};
use crate::languages::Language;
use crate::source::Source;

pub fn line_comment_blocks(source: &Source, language: &Language) -> Vec<CommentBlock> {
    let bytes = &source.bytes;
    let mut blocks = Vec::new();
    let mut current: Vec<CommentLine> = Vec::new();
    let mut start = source.line_start(1);
    let mut open_block: Option<(usize, &str)> = None;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let line = &bytes[start..end];
        let indent = line.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let text = &line[indent..];
        if let Some((block_start, close)) = open_block {
            if let Some(i) = memchr::memmem::find(line, close.as_bytes()) {
                let stop = start + i + close.len();
                comment_lines(
                    source,
                    block_start,
                    stop,
                    Delimiters::Comment(language),
                    &mut current,
                );
                blocks.push(std::mem::take(&mut current));
                open_block = None;
            }
        } else if let Some((open, close)) = language
            .block_markers
            .iter()
            .find(|(open, _)| text.starts_with(open.as_bytes()))
        {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            let block_start = start + indent;
            let after = &bytes[block_start + open.len()..end];
            match memchr::memmem::find(after, close.as_bytes()) {
                Some(i) => {
                    let stop = block_start + open.len() + i + close.len();
                    comment_lines(
                        source,
                        block_start,
                        stop,
                        Delimiters::Comment(language),
                        &mut current,
                    );
                    blocks.push(std::mem::take(&mut current));
                }
                None => open_block = Some((block_start, close.as_str())),
            }
        } else if language
            .line_markers
            .iter()
            .any(|m| text.starts_with(m.as_bytes()))
        {
            comment_lines(
                source,
                start + indent,
                end,
                Delimiters::Comment(language),
                &mut current,
            );
        } else if !current.is_empty() {
            blocks.push(std::mem::take(&mut current));
        }
        start = end + 1;
    }
    if let Some((block_start, _)) = open_block {
        comment_lines(
            source,
            block_start,
            bytes.len(),
            Delimiters::Comment(language),
            &mut current,
        );
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}
