//! One file's bytes as the parser sees them, and byte offset to line/column mapping.
//!
//! Positions are always those of the original file: a lone CR is turned into LF in place
//! (same length) so grammars see line ends, and a UTF-8 byte order mark is blanked in
//! place and skipped by columns.

/// A file's content prepared for parsing.
pub struct Source {
    pub bytes: Vec<u8>,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl Source {
    pub fn new(mut bytes: Vec<u8>) -> Source {
        let bom = bytes.starts_with(BOM);
        if bom {
            bytes[..3].copy_from_slice(b"   ");
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
        line_starts.push(if bom { 3 } else { 0 });
        line_starts.extend(memchr::memchr_iter(b'\n', &bytes).map(|i| i + 1));
        Source { bytes, line_starts }
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
    /// UTF-8 byte counting as one.
    pub fn column_of(&self, offset: usize) -> u32 {
        let start = self.line_start(self.line_of(offset));
        let offset = offset.max(start);
        1 + self.bytes[start..offset]
            .iter()
            .filter(|b| (**b & 0xC0) != 0x80)
            .count() as u32
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
    fn a_bom_is_not_a_column() {
        let s = Source::new(b"\xEF\xBB\xBF// @x".to_vec());
        assert_eq!(s.column_of(3), 1);
        assert_eq!(s.column_of(6), 4);
    }
}
