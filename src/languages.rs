//! The language table: `grammars/languages.yaml`, compiled in, plus the one function
//! that maps a grammar name to its tree-sitter crate.
//!
//! Everything language-specific that the extractor needs (comment node kinds, markers,
//! docstring queries) is data from the table, so adding a language never adds control flow.

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use serde::Deserialize;
use tree_sitter::{Language as Grammar, Query};

const TABLE_SOURCE: &str = include_str!("../grammars/languages.yaml");

/// One row of the language table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    pub name: String,
    pub grammar: String,
    #[serde(default)]
    pub extensions: Vec<String>,
    #[serde(default)]
    pub filenames: Vec<String>,
    #[serde(default)]
    pub prefixes: Vec<String>,
    #[serde(default)]
    pub interpreters: Vec<String>,
    pub comments: Vec<String>,
    #[serde(default)]
    pub line_markers: Vec<String>,
    #[serde(default)]
    pub block_markers: Vec<(String, String)>,
    /// Line markers that open a comment on any line of a file's opening run of comment
    /// lines (see `grammars/languages.yaml`); sorted longest first.
    #[serde(default)]
    pub header_markers: Vec<String>,
    /// Words that begin a preamble line (imports, package clauses): never a declaration.
    #[serde(default)]
    pub preamble: Vec<String>,
    #[serde(default)]
    pub docstrings: Option<DocstringRule>,
    /// A tree-sitter query whose `@symbol` captures are the declarations an annotation can
    /// belong to (functions, methods, types) and whose `@name` captures name them.
    #[serde(default)]
    pub symbols: Option<String>,
    #[serde(default)]
    pub threatspec_keys: bool,
    /// A comment node counts exactly when it is the first thing on its line, whatever
    /// its parent. Docker reads `#` elsewhere as an argument, but tree-sitter-containerfile
    /// opens a comment at a `#` inside a quoted value, and that comment swallows the
    /// closing quote, so the real comment lines below end up inside a string node.
    #[serde(default)]
    pub comments_start_lines: bool,
    /// Index in the table; set after loading.
    #[serde(skip)]
    pub index: usize,
    /// `comment_kinds[id]`: whether the grammar's node kind `id` is a comment; set after
    /// loading, so the tree walk compares numbers, not names.
    #[serde(skip)]
    comment_kinds: Vec<bool>,
}

/// Where a language keeps documentation strings that count as comments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocstringRule {
    pub query: String,
    #[serde(default)]
    pub first_in_body: bool,
    /// Delimiter pairs that open and close a docstring at the start of a line, for the
    /// line-by-line fallback that has no tree to run the query on.
    #[serde(default)]
    pub fallback_markers: Vec<(String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    languages: Vec<Language>,
}

/// The loaded table with lookup indexes.
pub struct Languages {
    pub all: Vec<Language>,
    by_extension: HashMap<String, usize>,
    by_filename: HashMap<String, usize>,
    by_interpreter: HashMap<String, usize>,
    /// Compiled on first use: compiling a query costs milliseconds, and most runs need
    /// one or two languages' queries at most.
    docstring_queries: Vec<std::sync::OnceLock<Option<Query>>>,
    symbol_queries: Vec<std::sync::OnceLock<Option<Query>>>,
}

static LANGUAGES: LazyLock<Languages> = LazyLock::new(|| {
    Languages::load(TABLE_SOURCE).expect("grammars/languages.yaml is valid (tested)")
});

/// The compiled-in language table.
pub fn table() -> &'static Languages {
    &LANGUAGES
}

/// The tree-sitter grammar for a grammar name of the table. The only place that names a
/// grammar crate.
pub fn grammar(name: &str) -> Option<Grammar> {
    let language_fn = match name {
        "rust" => tree_sitter_rust::LANGUAGE,
        "python" => tree_sitter_python::LANGUAGE,
        "go" => tree_sitter_go::LANGUAGE,
        "javascript" => tree_sitter_javascript::LANGUAGE,
        "typescript" => tree_sitter_typescript::LANGUAGE_TYPESCRIPT,
        "tsx" => tree_sitter_typescript::LANGUAGE_TSX,
        "java" => tree_sitter_java::LANGUAGE,
        "kotlin" => tree_sitter_kotlin_ng::LANGUAGE,
        "c" => tree_sitter_c::LANGUAGE,
        "cpp" => tree_sitter_cpp::LANGUAGE,
        "c_sharp" => tree_sitter_c_sharp::LANGUAGE,
        "swift" => tree_sitter_swift::LANGUAGE,
        "scala" => tree_sitter_scala::LANGUAGE,
        "ruby" => tree_sitter_ruby::LANGUAGE,
        "php" => tree_sitter_php::LANGUAGE_PHP,
        "bash" => tree_sitter_bash::LANGUAGE,
        "lua" => tree_sitter_lua::LANGUAGE,
        "haskell" => tree_sitter_haskell::LANGUAGE,
        "elixir" => tree_sitter_elixir::LANGUAGE,
        "sql" => tree_sitter_sequel::LANGUAGE,
        "yaml" => tree_sitter_yaml::LANGUAGE,
        "json" => tree_sitter_json::LANGUAGE,
        "toml" => tree_sitter_toml_ng::LANGUAGE,
        "hcl" => tree_sitter_hcl::LANGUAGE,
        "containerfile" => tree_sitter_containerfile::LANGUAGE,
        _ => return None,
    };
    Some(language_fn.into())
}

impl Language {
    /// Whether a node of this kind id is a comment of this language.
    pub fn is_comment(&self, kind_id: u16) -> bool {
        self.comment_kinds
            .get(kind_id as usize)
            .copied()
            .unwrap_or(false)
    }
}

impl Languages {
    fn load(source: &str) -> Result<Self, String> {
        let table: Table = serde_saphyr::from_str(source).map_err(|e| e.to_string())?;
        let mut all = table.languages;
        let mut by_extension = HashMap::new();
        let mut by_filename = HashMap::new();
        let mut by_interpreter = HashMap::new();
        let mut docstring_queries = Vec::with_capacity(all.len());
        let mut symbol_queries = Vec::with_capacity(all.len());
        for (index, language) in all.iter_mut().enumerate() {
            language.index = index;
            // Longest marker first, so `///` wins over `//`, whatever order the data uses.
            language
                .line_markers
                .sort_by_key(|m| std::cmp::Reverse(m.len()));
            language
                .header_markers
                .sort_by_key(|m| std::cmp::Reverse(m.len()));
            language
                .block_markers
                .sort_by_key(|(open, close)| std::cmp::Reverse((open.len(), close.len())));
            for ext in &language.extensions {
                by_extension.insert(ext.to_ascii_lowercase(), index);
            }
            for name in &language.filenames {
                by_filename.insert(name.clone(), index);
            }
            for interpreter in &language.interpreters {
                by_interpreter.insert(interpreter.clone(), index);
            }
            let g = grammar(&language.grammar)
                .ok_or_else(|| format!("unknown grammar {}", language.grammar))?;
            language.comment_kinds = (0..g.node_kind_count() as u16)
                .map(|id| {
                    g.node_kind_for_id(id)
                        .is_some_and(|kind| language.comments.iter().any(|k| k == kind))
                })
                .collect();
            docstring_queries.push(std::sync::OnceLock::new());
            symbol_queries.push(std::sync::OnceLock::new());
        }
        Ok(Languages {
            all,
            by_extension,
            by_filename,
            by_interpreter,
            docstring_queries,
            symbol_queries,
        })
    }

    /// The language of a file from its name alone (extension, well-known name, prefix).
    pub fn by_path(&self, path: &Path) -> Option<&Language> {
        let file_name = path.file_name()?.to_str()?;
        if let Some(&i) = self.by_filename.get(file_name) {
            return Some(&self.all[i]);
        }
        if let Some(ext) = path.extension().and_then(|e| e.to_str())
            && let Some(&i) = self.by_extension.get(&ext.to_ascii_lowercase())
        {
            return Some(&self.all[i]);
        }
        self.all.iter().find(|l| {
            l.prefixes
                .iter()
                .any(|p| file_name.len() > p.len() && file_name.starts_with(p.as_str()))
        })
    }

    /// The language named by a `#!` line, if the content starts with one.
    pub fn by_shebang(&self, content: &[u8]) -> Option<&Language> {
        let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
        let rest = content.strip_prefix(b"#!")?;
        let end = memchr::memchr2(b'\n', b'\r', rest)
            .unwrap_or(rest.len())
            .min(256);
        let line = std::str::from_utf8(&rest[..end]).ok()?;
        let mut words = line.split_whitespace();
        let program = words.next()?;
        let mut interpreter = program.rsplit('/').next()?;
        if interpreter == "env" {
            // `#!/usr/bin/env -S bash -e`: skip env's own options.
            interpreter = words.find(|w| !w.starts_with('-') && !w.contains('='))?;
        }
        let interpreter = interpreter.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
        let i = self
            .by_interpreter
            .get(interpreter)
            .or_else(|| self.by_interpreter.get(interpreter.trim_end_matches('-')))?;
        Some(&self.all[*i])
    }

    /// The compiled docstring query of a language, if it has a docstring rule.
    pub fn docstring_query(&self, language: &Language) -> Option<&Query> {
        self.docstring_queries[language.index]
            .get_or_init(|| {
                let rule = language.docstrings.as_ref()?;
                let grammar = grammar(&language.grammar)?;
                // The queries are data of this repository, checked by a test.
                Query::new(&grammar, &rule.query).ok()
            })
            .as_ref()
    }

    /// The compiled symbol query of a language, if it has one.
    pub fn symbol_query(&self, language: &Language) -> Option<&Query> {
        self.symbol_queries[language.index]
            .get_or_init(|| {
                let query = language.symbols.as_ref()?;
                let grammar = grammar(&language.grammar)?;
                // The queries are data of this repository, checked by a test.
                Query::new(&grammar, query).ok()
            })
            .as_ref()
    }

    /// Whether a file name is one of the plain annotation formats (`*.threatline`, `*.gal`).
    pub fn is_plain_annotation_file(path: &Path) -> bool {
        matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("threatline") | Some("gal")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_symbol_query_compiles_with_its_two_captures() {
        for language in &table().all {
            if let Some(text) = &language.symbols {
                let grammar = grammar(&language.grammar).unwrap();
                let query = Query::new(&grammar, text)
                    .unwrap_or_else(|e| panic!("{}: symbol query: {e}", language.name));
                for capture in ["symbol", "name"] {
                    assert!(
                        query.capture_index_for_name(capture).is_some(),
                        "{}: no @{capture}",
                        language.name
                    );
                }
            }
        }
    }

    #[test]
    fn every_docstring_query_compiles() {
        for language in &table().all {
            if language.docstrings.is_some() {
                assert!(
                    table().docstring_query(language).is_some(),
                    "{}: docstring query does not compile",
                    language.name
                );
            }
        }
    }

    #[test]
    fn every_grammar_sets_at_run_time() {
        // cargo cannot see a grammar ABI mismatch; only `set_language` can.
        let mut parser = tree_sitter::Parser::new();
        for language in &table().all {
            let grammar = grammar(&language.grammar)
                .unwrap_or_else(|| panic!("{}: unknown grammar", language.name));
            parser
                .set_language(&grammar)
                .unwrap_or_else(|e| panic!("{}: {e}", language.name));
            let tree = parser.parse("x", None);
            assert!(tree.is_some(), "{} parses", language.name);
        }
    }

    #[test]
    fn comment_kinds_exist_in_their_grammar() {
        for language in &table().all {
            let grammar = grammar(&language.grammar).unwrap();
            for kind in &language.comments {
                assert_ne!(
                    grammar.id_for_node_kind(kind, true),
                    0,
                    "{}: no node kind {kind}",
                    language.name
                );
            }
        }
    }

    #[test]
    fn files_are_typed_by_extension_name_and_shebang() {
        let t = table();
        let name = |p: &str| t.by_path(Path::new(p)).map(|l| l.name.as_str());
        assert_eq!(name("src/main.rs"), Some("Rust"));
        assert_eq!(name("a/B.JAVA"), Some("Java"));
        assert_eq!(name("Dockerfile"), Some("Dockerfile"));
        assert_eq!(name("deploy/Dockerfile.prod"), Some("Dockerfile"));
        assert_eq!(name("main.tf"), Some("HCL"));
        assert_eq!(name("README"), None);
        let shebang = |s: &str| t.by_shebang(s.as_bytes()).map(|l| l.name.as_str());
        assert_eq!(shebang("#!/usr/bin/env bash\necho"), Some("Bash"));
        assert_eq!(shebang("#!/bin/sh -e\n"), Some("Bash"));
        assert_eq!(shebang("#!/usr/bin/python3.11\n"), Some("Python"));
        assert_eq!(shebang("#!/usr/bin/env -S node --x\n"), Some("JavaScript"));
        assert_eq!(shebang("echo\n"), None);
        assert_eq!(shebang("\u{FEFF}#!/bin/bash\r\n"), Some("Bash"));
        // Old Mac line ends: the interpreter line ends at the CR.
        assert_eq!(shebang("#!/bin/sh\rpython3 x.py\r"), Some("Bash"));
        assert_eq!(shebang("#!/usr/bin/env\rpython3\r"), None);
        assert_eq!(name(".envrc"), Some("Bash"));
    }
}
