//! What the walk holds of each file until it ends: a result in the cache's record
//! encoding, gathered in one buffer, decoded in path order once the walk is over.

use crate::cache::codec;
use crate::scan::FileResult;

/// Whether a file's result holds anything for the model.
pub(super) fn holds_something(result: &FileResult) -> bool {
    !result.annotations.is_empty() || !result.diagnostics.is_empty()
}

/// A file's result while the walk runs: in the cache's record encoding (about 140 bytes an
/// annotation, a tenth of what the decoded annotation takes), or as it is when the encoding
/// has no place for something in it.
pub(super) enum Held {
    Encoded(Vec<u8>),
    Plain(FileResult),
}

impl Held {
    /// Holds a result with something in it; nothing otherwise.
    pub(super) fn new(result: FileResult) -> Option<Held> {
        if !holds_something(&result) {
            return None;
        }
        Some(match codec::encode(&result.path, None, Some(&result)) {
            Ok(bytes) => Held::Encoded(bytes),
            Err(_) => Held::Plain(result),
        })
    }
}

/// What the walk holds of the files that held something, until it ends: their records end
/// to end in one buffer, so that the walker threads keep no small allocation alive between
/// files (what they free, they reuse for the next file; the buffer grows by doubling,
/// outside their heaps). Decoded once the walk is over, in path order, on the thread that
/// builds the model: on 200,000 files, the walk holds 4 MB where the decoded results
/// take 40.
#[derive(Default)]
pub(super) struct Results {
    bytes: Vec<u8>,
    /// Offset and length of each record in `bytes`.
    records: Vec<(usize, usize)>,
    plain: Vec<FileResult>,
}

impl Results {
    pub(super) fn push(&mut self, held: Held) {
        match held {
            Held::Encoded(record) => {
                self.records.push((self.bytes.len(), record.len()));
                self.bytes.extend_from_slice(&record);
            }
            Held::Plain(result) => self.plain.push(result),
        }
    }

    pub(super) fn extend(&mut self, held: Option<Held>) {
        if let Some(held) = held {
            self.push(held);
        }
    }

    /// The results in path order: records (with their paths) and plain results.
    fn sorted(bytes: &[u8], records: Vec<(usize, usize)>, plain: Vec<FileResult>) -> Vec<Item<'_>> {
        let mut items: Vec<Item> = records
            .into_iter()
            .map(|(offset, len)| {
                let record = &bytes[offset..offset + len];
                Item::Record(codec::head(record).map_or("", |h| h.path), record)
            })
            .chain(plain.into_iter().map(Item::Plain))
            .collect();
        items.sort_by(|a, b| a.path().cmp(b.path()));
        items
    }

    /// Every result, sorted by path; `reread` gives the result of a file whose record does
    /// not decode.
    pub(super) fn into_results(
        self,
        mut reread: impl FnMut(&str) -> Option<FileResult>,
    ) -> Vec<FileResult> {
        let Results {
            bytes,
            records,
            plain,
        } = self;
        Results::sorted(&bytes, records, plain)
            .into_iter()
            .filter_map(|item| match item {
                Item::Plain(result) => Some(result),
                Item::Record(path, record) => match codec::decode(record, path) {
                    Ok(Some(result)) => Some(result),
                    _ => reread(path),
                },
            })
            .collect()
    }

    /// Every result as one run in path order, and the number of files with annotations.
    pub(super) fn into_run(
        self,
        mut reread: impl FnMut(&str) -> Option<FileResult>,
    ) -> (FileResult, usize) {
        let Results {
            bytes,
            records,
            plain,
        } = self;
        let items = Results::sorted(&bytes, records, plain);
        let (mut annotations, mut diagnostics) = (0, 0);
        for item in &items {
            match item {
                Item::Record(_, record) => {
                    if let Ok(head) = codec::head(record) {
                        annotations += head.annotations;
                        diagnostics += head.diagnostics;
                    }
                }
                Item::Plain(result) => {
                    annotations += result.annotations.len();
                    diagnostics += result.diagnostics.len();
                }
            }
        }
        let mut run = FileResult {
            path: String::new(),
            annotations: Vec::with_capacity(annotations),
            diagnostics: Vec::with_capacity(diagnostics),
        };
        let mut files_with_annotations = 0;
        for item in items {
            let before = (run.annotations.len(), run.diagnostics.len());
            let plain = match item {
                Item::Plain(result) => Some(result),
                Item::Record(path, record) => {
                    match codec::decode_into(
                        record,
                        path,
                        &mut run.annotations,
                        &mut run.diagnostics,
                    ) {
                        Ok(_) => None,
                        Err(_) => {
                            run.annotations.truncate(before.0);
                            run.diagnostics.truncate(before.1);
                            reread(path)
                        }
                    }
                }
            };
            if let Some(result) = plain {
                run.annotations.extend(result.annotations);
                run.diagnostics.extend(result.diagnostics);
            }
            files_with_annotations += usize::from(run.annotations.len() > before.0);
        }
        (run, files_with_annotations)
    }
}

/// A result in [`Results::sorted`].
enum Item<'a> {
    Record(&'a str, &'a [u8]),
    Plain(FileResult),
}

impl Item<'_> {
    fn path(&self) -> &str {
        match self {
            Item::Record(path, _) => path,
            Item::Plain(result) => &result.path,
        }
    }
}
