//! Output formats, one file each; all escaping for a format lives in that format's file.

pub mod data;
pub mod dot;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod mermaid;
pub mod otm;
pub mod sarif;
pub mod summary;
pub mod svg;
pub mod text;
pub mod threatspec;
pub mod verdict;
