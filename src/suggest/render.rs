//! Suggestions for people (text, grouped by the file to paste into, each annotation
//! behind that file's comment marker) and for tools (JSON, YAML).

use std::path::Path;

use super::{Suggestions, SystemSource};
use crate::escape::for_terminal;
use crate::languages::table;

pub fn to_json(s: &Suggestions) -> String {
    let mut text = serde_json::to_string_pretty(s).expect("suggestions serialise");
    text.push('\n');
    text
}

pub fn to_yaml(s: &Suggestions) -> String {
    serde_saphyr::to_string(s).expect("suggestions serialise")
}

/// `root` is the tree as the user named it, for the heading.
pub fn to_text(s: &Suggestions, root: &str) -> String {
    let mut out = String::new();
    let system = for_terminal(&s.system);
    let why = match s.system_source {
        SystemSource::Option => "given with --system".to_string(),
        SystemSource::Model => {
            "the top-level name most components of the existing model use".to_string()
        }
        SystemSource::Directory => "the directory's name".to_string(),
    };
    out.push_str(&format!(
        "Components found in {} that the threat model does not have yet.\n\
         Every path starts with `{system}` ({why}; `--system NAME` changes it).\n",
        for_terminal(root)
    ));
    if s.suggestions.is_empty() {
        out.push_str("\nNo new components to suggest.\n");
    }
    let mut current: Option<&str> = None;
    for suggestion in &s.suggestions {
        if current != Some(suggestion.file.as_str()) {
            current = Some(&suggestion.file);
            out.push_str(&format!("\n{}\n", for_terminal(&suggestion.file)));
        }
        let (open, close) = comment_marker(&suggestion.file);
        out.push_str(&format!(
            "  {open}{}{close}\n",
            for_terminal(&suggestion.annotation)
        ));
        // The first evidence is what the description says; the rest say what they are.
        for (i, e) in suggestion.evidence.iter().enumerate() {
            let what = if i == 0 {
                String::new()
            } else {
                format!("also {}: ", for_terminal(&e.reason))
            };
            out.push_str(&format!(
                "        {}:{}  {what}{}\n",
                for_terminal(&e.file),
                e.line,
                for_terminal(&e.text)
            ));
        }
        if let Some(at) = &suggestion.mentioned_at {
            out.push_str(&format!(
                "        (named at {} without a declaration; this one gives it a layer)\n",
                for_terminal(&at.to_string())
            ));
        }
    }
    if !s.already_modelled.is_empty() {
        out.push_str("\nAlready declared in the model, so not suggested:\n");
        for k in &s.already_modelled {
            let seen: Vec<String> = k
                .evidence
                .iter()
                .map(|e| format!("{}:{}", e.file, e.line))
                .collect();
            out.push_str(&format!(
                "  {}  declared at {}; found at {}\n",
                for_terminal(&k.component),
                for_terminal(&k.location.to_string()),
                for_terminal(&seen.join(", "))
            ));
        }
    }
    let files = {
        let mut f: Vec<&str> = s.suggestions.iter().map(|x| x.file.as_str()).collect();
        f.dedup();
        f.len()
    };
    out.push_str(&format!(
        "\n{} in {}, {} already declared.\n",
        count(s.suggestions.len(), "suggestion"),
        count(files, "file"),
        s.already_modelled.len()
    ));
    if !s.suggestions.is_empty() {
        out.push_str(
            "Paste each line into a comment of the file it is listed under (components resolve \
             across files, so any\nscanned file works), then rename and re-layer to taste: \
             a layer here is a guess from the evidence.\n`threatline catalogue --layer LAYER` \
             lists the threats worth considering for each.\n",
        );
    }
    out
}

/// The marker that makes a line a comment in `file`'s language: `#` or `//` where the
/// language has them, else its first line or block comment. A file threatline reads
/// no comments from gets `#`, with a note to use a `.threatline` file instead.
fn comment_marker(file: &str) -> (String, String) {
    let path = Path::new(file);
    if crate::languages::Languages::is_plain_annotation_file(path) {
        return (String::new(), String::new());
    }
    let Some(language) = table().by_path(path) else {
        return (
            "# ".into(),
            "   (threatline does not read this file: paste into a .threatline file)".into(),
        );
    };
    let markers = &language.line_markers;
    for preferred in ["#", "//", "--"] {
        if markers.iter().any(|m| m == preferred) {
            return (format!("{preferred} "), String::new());
        }
    }
    if let Some(first) = markers.first() {
        return (format!("{first} "), String::new());
    }
    match language.block_markers.first() {
        Some((open, close)) => (format!("{open} "), format!(" {close}")),
        None => (
            "# ".into(),
            "   (this file has no comments: paste into a .threatline file)".into(),
        ),
    }
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_follow_the_language() {
        assert_eq!(comment_marker("a/main.go").0, "// ");
        assert_eq!(comment_marker("a/api.py").0, "# ");
        assert_eq!(comment_marker("a/server.js").0, "// ");
        assert_eq!(comment_marker("infra/main.tf").0, "# ");
        assert_eq!(comment_marker("orders/Dockerfile").0, "# ");
        assert_eq!(comment_marker("k8s/app.yaml").0, "# ");
        assert_eq!(comment_marker("model/x.threatline").0, "");
        assert!(comment_marker("a/dockerfile").1.contains(".threatline"));
    }
}
