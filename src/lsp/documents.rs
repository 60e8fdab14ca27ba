//! The buffers the editor has open: their unsaved text, kept in step with `didChange`
//! (whole or incremental).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::convert::{LineIndex, uri_to_path};

pub struct Document {
    pub uri: Uri,
    /// The file it is, for a `file:` URI.
    pub path: Option<PathBuf>,
    pub text: String,
    pub version: i32,
}

#[derive(Default)]
pub struct Documents {
    by_uri: HashMap<String, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: Uri, text: String, version: i32) {
        let path = uri_to_path(&uri);
        self.by_uri.insert(
            uri.as_str().to_string(),
            Document {
                uri,
                path,
                text,
                version,
            },
        );
    }

    /// Applies the changes of one `didChange`, in order. A range outside the text is
    /// clamped to it, as the protocol's positions are.
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> Result<&Document, String> {
        let doc = self
            .by_uri
            .get_mut(uri.as_str())
            .ok_or_else(|| format!("didChange for {} which is not open", uri.as_str()))?;
        for change in changes {
            match change.range {
                None => doc.text = change.text,
                Some(range) => {
                    let (start, end) = {
                        let index = LineIndex::new(&doc.text);
                        (index.offset(range.start), index.offset(range.end))
                    };
                    let (start, end) = (start.min(end), start.max(end));
                    doc.text.replace_range(start..end, &change.text);
                }
            }
        }
        doc.version = version;
        Ok(doc)
    }

    pub fn close(&mut self, uri: &Uri) -> Option<Document> {
        self.by_uri.remove(uri.as_str())
    }

    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.by_uri.get(uri.as_str())
    }

    /// The open buffer of a file.
    pub fn by_path(&self, path: &Path) -> Option<&Document> {
        self.by_uri
            .values()
            .find(|d| d.path.as_deref() == Some(path))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Document> {
        self.by_uri.values()
    }
}

/// The text of files as the editor sees them: the open buffer, else the file on disk
/// (decoded as the scanner decodes it: lossily, without a BOM), read once per use.
pub struct Texts<'a> {
    docs: &'a Documents,
    disk: HashMap<PathBuf, Option<String>>,
}

/// A file this large is not read only to place diagnostics: columns are taken as counted.
const MAX_READ: u64 = 16 * 1024 * 1024;

impl<'a> Texts<'a> {
    pub fn new(docs: &'a Documents) -> Texts<'a> {
        Texts {
            docs,
            disk: HashMap::new(),
        }
    }

    /// The text of a file open in the editor.
    pub fn open(&self, path: &Path) -> Option<&'a str> {
        self.docs.by_path(path).map(|d| d.text.as_str())
    }

    /// The URI the editor knows an open file by.
    pub fn uri_of(&self, path: &Path) -> Option<Uri> {
        self.docs.by_path(path).map(|d| d.uri.clone())
    }

    /// The text of a file, when it can be had.
    pub fn get(&mut self, path: &Path) -> Option<&str> {
        if let Some(doc) = self.docs.by_path(path) {
            return Some(&doc.text);
        }
        self.disk
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                let meta = std::fs::metadata(path).ok()?;
                if meta.len() > MAX_READ {
                    return None;
                }
                let bytes = std::fs::read(path).ok()?;
                let text = String::from_utf8_lossy(&bytes);
                Some(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
            })
            .as_deref()
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use lsp_types::{Position, Range};

    use super::*;

    #[test]
    fn incremental_changes_count_utf16_units() {
        let mut docs = Documents::default();
        let uri = Uri::from_str("file:///x.py").unwrap();
        docs.open(uri.clone(), "a😀b\n# @x #tpyo\n".into(), 1);
        let change = |line, from, to, text: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(line, from),
                Position::new(line, to),
            )),
            range_length: None,
            text: text.into(),
        };
        // The emoji is two units: `b` is at 3.
        let doc = docs
            .change(
                &uri,
                2,
                vec![change(0, 3, 4, "B"), change(1, 6, 10, "typo")],
            )
            .unwrap();
        assert_eq!(doc.text, "a😀B\n# @x #typo\n");
        assert_eq!(doc.version, 2);
    }
}
