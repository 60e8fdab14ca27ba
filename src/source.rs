//! One file's bytes as the parser sees them, and byte offset to line/column mapping.
//!
//! Lines and columns are always those of the original file: a lone CR is turned into LF
//! in place (same length) so grammars see line ends, and a UTF-8 byte order mark is
//! dropped. It is no character of the first line; blanking it instead would indent that
//! line, which YAML, Python and Haskell read as structure.

use std::cell::Cell;

/// A file's content prepared for parsing.
pub struct Source {
    pub bytes: Vec<u8>,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    /// The last [`Source::column_of`] answer, `(offset, column)`. Comments are read in
    /// file order, so counting on from it keeps a minified one-line file of many
    /// comments linear instead of quadratic (a 2 MB line took minutes).
    last_column: Cell<(usize, u32)>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl Source {
    pub fn new(mut bytes: Vec<u8>) -> Source {
        if bytes.starts_with(BOM) {
            bytes.drain(..BOM.len());
        }
        // Lone CR (old Mac line ends) becomes LF; CRLF stays.
        if memchr::memchr(b'\r', &bytes).is_some() {
            for i in 0..bytes.len() {
                if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
                    bytes[i] = b'\n';
                }
            }
        }
        let mut line_starts = Vec::with_capacity(bytes.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', &bytes).map(|i| i + 1));
        Source {
            bytes,
            line_starts,
            last_column: Cell::new((0, 1)),
        }
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> u32 {
        let i = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        i as u32 + 1
    }

    /// 1-based column of a byte offset: characters since the line start, an invalid
    /// UTF-8 sequence counting as one, exactly as lossy decoding replaces it with one
    /// U+FFFD (so a column matches the character index of the decoded line, which is
    /// what annotation texts are). Counting lead bytes instead would give a stray
    /// continuation byte no column at all.
    pub fn column_of(&self, offset: usize) -> u32 {
        let line_start = self.line_start(self.line_of(offset));
        let offset = offset.max(line_start);
        let (mut start, mut column) = (line_start, 1);
        // Go on from the last answer when it lies on this line before `offset`, right
        // after an ASCII byte: decoding restarts there, so the count is the same.
        let (last, last_column) = self.last_column.get();
        if line_start < last && last <= offset && self.bytes[last - 1].is_ascii() {
            (start, column) = (last, last_column);
        }
        for chunk in self.bytes[start..offset].utf8_chunks() {
            column += chunk.valid().chars().count() as u32;
            if !chunk.invalid().is_empty() {
                column += 1;
            }
        }
        self.last_column.set((offset, column));
        column
    }

    pub fn line_start(&self, line: u32) -> usize {
        self.line_starts[(line as usize)
            .saturating_sub(1)
            .min(self.line_starts.len() - 1)]
    }

    /// The text of a 1-based line, without its line ending, decoded lossily.
    pub fn line_text(&self, line: u32) -> Option<String> {
        let i = (line as usize).checked_sub(1)?;
        let start = *self.line_starts.get(i)?;
        let end = self
            .line_starts
            .get(i + 1)
            .map_or(self.bytes.len(), |&next| next - 1);
        let end = end.max(start);
        let mut text = &self.bytes[start..end];
        if text.last() == Some(&b'\r') {
            text = &text[..text.len() - 1];
        }
        Some(String::from_utf8_lossy(text).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_follow_the_original_bytes() {
        let s = Source::new(b"ab\r\ncd\ref\n\xEF\xBB\xBFx\xffy".to_vec());
        assert_eq!(s.line_of(0), 1);
        assert_eq!(s.line_of(4), 2);
        assert_eq!(s.line_of(7), 3);
        assert_eq!(s.line_text(1).as_deref(), Some("ab"));
        assert_eq!(s.line_text(3).as_deref(), Some("ef"));
        // é is one column; an invalid byte is one column.
        let u = Source::new("é@x\n".as_bytes().to_vec());
        assert_eq!(u.column_of(2), 2);
        let bad = Source::new(b"\xff@".to_vec());
        assert_eq!(bad.column_of(1), 2);
    }

    #[test]
    fn an_invalid_sequence_is_one_column_as_lossy_decoding_shows_it() {
        // A stray continuation byte, a truncated 3-byte sequence, a lone lead byte.
        let line = b"\x80a\xe2\x82b\xc3 @x";
        let s = Source::new(line.to_vec());
        let at = line.iter().position(|b| *b == b'@').unwrap();
        let decoded = String::from_utf8_lossy(line);
        let index = decoded.chars().position(|c| c == '@').unwrap();
        assert_eq!(s.column_of(at), index as u32 + 1);
        assert_eq!(s.column_of(at), 7);
    }

    #[test]
    fn columns_counted_on_from_the_last_answer_are_the_same() {
        let line = b"a\xc3\xa9\xe2\x80\xaeb\xff".to_vec();
        let mut bytes = line.repeat(3);
        bytes.extend_from_slice(b"\n\xe2\x82x\xc3y");
        let s = Source::new(bytes);
        let fresh = |offset| Source::new(s.bytes.clone()).column_of(offset);
        // In order, backwards, and into the next line: always the count from the start.
        let offsets: Vec<usize> = (0..s.bytes.len()).chain((0..s.bytes.len()).rev()).collect();
        for offset in offsets {
            assert_eq!(s.column_of(offset), fresh(offset), "at {offset}");
        }
    }

    #[test]
    fn a_bom_is_not_a_column_nor_indentation() {
        let s = Source::new(b"\xEF\xBB\xBFa: 1\nb: 2\n".to_vec());
        assert_eq!(s.bytes, b"a: 1\nb: 2\n");
        assert_eq!(s.column_of(3), 4);
        assert_eq!(s.line_of(5), 2);
        assert_eq!(s.line_text(1).as_deref(), Some("a: 1"));
    }
}
