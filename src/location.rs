//! Source positions: the relative path, the real 1-based line and column in the file.

use serde::{Deserialize, Serialize};

/// Where something was written. Columns count Unicode scalar values from 1; an invalid
/// UTF-8 sequence counts as one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    /// Path relative to the scanned root, `/`-separated.
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn new(file: impl Into<String>, line: u32, column: u32) -> Self {
        Location {
            file: file.into(),
            line,
            column,
        }
    }

    /// The same line, another column.
    pub fn at_column(&self, column: u32) -> Location {
        Location {
            file: self.file.clone(),
            line: self.line,
            column,
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}
