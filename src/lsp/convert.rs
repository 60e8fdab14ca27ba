//! Positions and addresses: the model's 1-based lines and Unicode-scalar columns against
//! LSP's 0-based lines and UTF-16 code units, and `file:` URIs against paths.
//!
//! A model column counts Unicode scalar values from 1 (an invalid UTF-8 sequence counts as
//! one, as lossy decoding shows it); an LSP character offset counts UTF-16 code units from
//! 0. `é` is one of each, `😀` is one scalar and two code units, so every column goes
//! through the text of its line. Lines end at `\n`, `\r\n` or a lone `\r`, for both: the
//! scanner turns a lone `\r` into a line end too (`source.rs`).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};

/// Where each line of a text starts.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// A byte order mark opens the text: the model does not count it as a column of line
    /// 1, the editor's text does.
    bom: bool,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            text,
            starts,
            bom: text.starts_with('\u{feff}'),
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte range of 0-based line `line` without its line end; the last line's end when
    /// `line` is past it.
    fn bounds(&self, line: usize) -> (usize, usize) {
        let Some(&start) = self.starts.get(line) else {
            return (self.text.len(), self.text.len());
        };
        let mut end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let bytes = self.text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        (start, end)
    }

    /// The text of 0-based line `line`, without its line end (and without a BOM).
    pub fn line(&self, line: usize) -> &'a str {
        let (start, end) = self.bounds(line);
        let text = &self.text[start..end];
        if line == 0 && self.bom {
            &text['\u{feff}'.len_utf8()..]
        } else {
            text
        }
    }

    /// The line end of 0-based `line`: `\n`, `\r\n`, `\r`, or nothing on the last line.
    pub fn eol(&self, line: usize) -> &'a str {
        let (_, end) = self.bounds(line);
        let next = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        &self.text[end.min(next)..next]
    }

    /// UTF-16 units the editor counts on `line` before what the model counts.
    fn lead(&self, line: usize) -> u32 {
        u32::from(line == 0 && self.bom)
    }

    /// The byte offset of an LSP position, clamped to its line (a position past the end
    /// of a line is its end, as the protocol asks).
    pub fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        if line >= self.starts.len() {
            return self.text.len();
        }
        let (start, end) = self.bounds(line);
        start + byte_of_utf16(&self.text[start..end], position.character)
    }

    /// The LSP position of a byte offset.
    pub fn position_of_offset(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let (start, end) = self.bounds(line);
        let upto = &self.text[start..offset.clamp(start, end)];
        Position::new(line as u32, utf16_len(upto))
    }

    /// The LSP position of the model's 1-based `line` and scalar `column`.
    pub fn position(&self, line: u32, column: u32) -> Position {
        let line0 = line.saturating_sub(1) as usize;
        let character = utf16_of_column(self.line(line0), column) + self.lead(line0);
        Position::new(line0 as u32, character)
    }

    /// The model's 1-based line and scalar column of an LSP position.
    pub fn column_of(&self, position: Position) -> (u32, u32) {
        let line0 = position.line as usize;
        let units = position.character.saturating_sub(self.lead(line0));
        (position.line + 1, column_of_utf16(self.line(line0), units))
    }

    /// The range of a span of scalar columns `[start, end)` on 1-based `line`.
    pub fn range(&self, line: u32, start: u32, end: u32) -> Range {
        Range::new(
            self.position(line, start),
            self.position(line, end.max(start)),
        )
    }
}

/// UTF-16 code units of a text.
pub fn utf16_len(text: &str) -> u32 {
    text.chars().map(|c| c.len_utf16() as u32).sum()
}

/// The UTF-16 offset of 1-based scalar `column` in `line`; a column past the end counts
/// on as if the line went on in single units (a model column is never there, but a
/// stale one must not panic).
pub fn utf16_of_column(line: &str, column: u32) -> u32 {
    let wanted = column.saturating_sub(1) as usize;
    let mut units = 0;
    let mut count = 0;
    for c in line.chars().take(wanted) {
        units += c.len_utf16() as u32;
        count += 1;
    }
    units + (wanted - count) as u32
}

/// The 1-based scalar column at UTF-16 offset `units` of `line`; an offset inside a
/// surrogate pair is the character's own column.
pub fn column_of_utf16(line: &str, units: u32) -> u32 {
    let mut seen = 0;
    let mut column = 1;
    for c in line.chars() {
        if seen >= units {
            break;
        }
        let width = c.len_utf16() as u32;
        if seen + width > units {
            break;
        }
        seen += width;
        column += 1;
    }
    column
}

/// The byte offset at UTF-16 offset `units` of `line`, clamped to its end.
pub fn byte_of_utf16(line: &str, units: u32) -> usize {
    let mut seen = 0;
    for (i, c) in line.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16() as u32;
        if seen > units {
            // Inside a surrogate pair: the character's start.
            return i;
        }
    }
    line.len()
}

/// The byte offset of 1-based scalar `column` in `line`, clamped to its end.
pub fn byte_of_column(line: &str, column: u32) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i)
}

/// The path of a `file:` URI, percent-decoded; `None` for any other scheme.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text
        .strip_prefix("file://")
        .or_else(|| text.strip_prefix("FILE://"))?;
    // `file://host/path`: only the local host.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(i) if rest[..i].eq_ignore_ascii_case("localhost") => &rest[i..],
        _ => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode(path)?;
    // `/C:/x` on Windows.
    #[cfg(windows)]
    let decoded = match decoded.strip_prefix('/') {
        Some(rest) if rest.as_bytes().get(1) == Some(&b':') => rest.to_string(),
        _ => decoded,
    };
    Some(PathBuf::from(decoded))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `file:` URI of an absolute path, with every byte outside the unreserved set and
/// `/` percent-encoded (as VS Code writes them).
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let text = path.to_str()?;
    #[cfg(windows)]
    let text = &format!("/{}", text.replace('\\', "/"));
    if !text.starts_with('/') {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str("file://");
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_scalars_and_positions_count_utf16_units() {
        let text = "x = \"😀é\"  # @exposes #web to #sqli\nnext";
        let index = LineIndex::new(text);
        // `@` is the 13th character: x, space, =, space, ", 😀, é, ", space, space, #,
        // space; 😀 is two UTF-16 units, so the editor counts 13 units before it.
        let at = text.chars().position(|c| c == '@').unwrap() as u32 + 1;
        assert_eq!(at, 13);
        let p = index.position(1, at);
        assert_eq!(p, Position::new(0, 13));
        assert_eq!(index.column_of(p), (1, at));
        assert_eq!(index.offset(p), text.find('@').unwrap());
        // Inside the surrogate pair: the emoji's own column.
        assert_eq!(index.column_of(Position::new(0, 6)), (1, 6));
        assert_eq!(index.position(2, 1), Position::new(1, 0));
        assert_eq!(index.position_of_offset(text.len()), Position::new(1, 4));
    }

    #[test]
    fn line_ends_of_every_kind_and_a_bom() {
        let index = LineIndex::new("\u{feff}a\r\nb\rc\n");
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line(0), "a");
        assert_eq!(index.line(1), "b");
        assert_eq!(index.line(2), "c");
        assert_eq!(index.position(1, 2), Position::new(0, 2));
        assert_eq!(index.column_of(Position::new(0, 2)), (1, 2));
    }

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/a b/ü#x.py");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/%C3%BC%23x.py");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
        let other = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(uri_to_path(&other), None);
    }
}
