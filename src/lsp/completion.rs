//! Completion inside an annotation: verbs after `@`; the keywords of the verb's form
//! (`against`, `with`, `to`, ...); `#ids` of the kind each slot takes (a threat after
//! `to` or `against`, a control after `with` or `using`, a component or flow as a
//! target), catalogue ids with their description; qualifiers inside `[`.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionResponse, CompletionTextEdit,
    Documentation, MarkupContent, MarkupKind, Position, Range, TextEdit,
};

use super::convert::{LineIndex, byte_of_utf16, utf16_len};
use super::hover::entry_card;
use super::index::path_key;
use super::state::FileContext;
use crate::annotation::{Severity, VERB_WORDS, Verb};
use crate::catalogue::{Kind as CatalogueKind, stride_word};
use crate::model::normalize::id_key;

/// What a slot of a form takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// A component, or a flow by `#id`.
    Target,
    Component,
    Threat,
    Control,
    DataClass,
    /// Free text: a new name, details.
    Text,
}

/// One step of a form: the keywords that open it, what it takes, whether it may be left
/// out.
type Step = (&'static [&'static str], Want, bool);

fn steps(verb: Verb) -> &'static [Step] {
    use Want::*;
    match verb {
        Verb::Mitigates => &[
            (&[], Target, false),
            (&["against"], Threat, false),
            (&["with", "using"], Control, true),
        ],
        Verb::Exposes => &[
            (&[], Target, false),
            (&["to"], Threat, false),
            (&["with"], Text, true),
        ],
        Verb::Accepts => &[
            (&[], Threat, false),
            (&["on", "to"], Target, false),
            (&["with"], Text, true),
        ],
        Verb::Transfers => &[
            (&[], Threat, false),
            (&["from"], Component, false),
            (&["to"], Component, false),
            (&["with"], Text, true),
        ],
        Verb::Connects => &[
            (&[], Component, false),
            (&["to", "->", "<->", "with"], Component, false),
            (&["with", "via", "using"], Control, true),
        ],
        Verb::Boundary => &[
            (&[], Text, true),
            (&["between", "around"], Component, false),
            (&["and", "|"], Component, false),
        ],
        Verb::Handles => &[(&[], DataClass, false), (&["on"], Component, false)],
        Verb::Tests => &[(&[], Control, false), (&["for"], Component, false)],
        Verb::Owns => &[(&[], Text, false), (&["for"], Component, false)],
        Verb::Component | Verb::Review | Verb::Assumes => &[(&[], Component, false)],
        Verb::Threat | Verb::Control | Verb::Feature | Verb::Comment => &[(&[], Text, false)],
    }
}

const DATA_CLASSES: &[&str] = &["pii", "phi", "financial", "secrets", "internal", "public"];

pub fn complete(ctx: &FileContext, position: Position) -> Option<CompletionResponse> {
    let index = LineIndex::new(&ctx.text);
    let line = index.line(position.line as usize);
    let cursor = byte_of_utf16(line, position.character);
    let before = &line[..cursor];
    let at = annotation_start(before)?;
    let after_at = &before[at + 1..];
    let verb_len = after_at.bytes().take_while(u8::is_ascii_alphabetic).count();
    let range_from = |start: usize| {
        Range::new(
            Position::new(position.line, utf16_len(&line[..start])),
            position,
        )
    };
    if verb_len == after_at.len() {
        return Some(list(verbs(range_from(at + 1))));
    }
    let verb = Verb::from_word(&after_at[..verb_len])?;
    let args_start = at + 1 + verb_len;
    let args = &before[args_start..];
    if args.contains(" -- ") {
        return None;
    }
    let word_start = args
        .rfind(|c: char| c.is_whitespace() || matches!(c, '[' | ',' | '('))
        .map_or(0, |i| i + 1);
    let word = &args[word_start..];
    let range = range_from(args_start + word_start);
    if args.rfind('[') > args.rfind(']') {
        return Some(list(qualifiers(verb, range)));
    }
    let words: Vec<&str> = args[..word_start].split_whitespace().collect();
    let (want, next) = slot(verb, &words);
    let mut items = Vec::new();
    if !word.starts_with('#') {
        for keyword in next {
            items.push(keyword_item(keyword, range));
        }
    }
    items.extend(entities(ctx, want, range));
    Some(list(items))
}

/// The byte offset of the `@` that starts the annotation being written: one at the start
/// of the comment text (after markers and whitespace), or at the start of a line.
fn annotation_start(before: &str) -> Option<usize> {
    before.match_indices('@').map(|(i, _)| i).rev().find(|&i| {
        let prefix = before[..i].trim_end();
        let spaced = before[..i].len() != prefix.len() || prefix.is_empty();
        prefix.is_empty()
            || (prefix.ends_with(['/', '#', '-', '*', '!', '%', '"', '\'', '{', '<', ';'])
                && (spaced || prefix.ends_with(['/', '#', '*', '"'])))
    })
}

/// What the slot at the end of `words` takes, and the keywords that may come next.
fn slot(verb: Verb, words: &[&str]) -> (Want, Vec<&'static str>) {
    let steps = steps(verb);
    let mut current = 0;
    let mut filled = 0;
    for word in words {
        let next = (current + 1..steps.len())
            .find(|&j| steps[j].0.iter().any(|k| k.eq_ignore_ascii_case(word)));
        match next {
            Some(j) => {
                current = j;
                filled = 0;
            }
            None => filled += 1,
        }
    }
    let mut keywords = Vec::new();
    if filled > 0 {
        for (kws, _, optional) in &steps[current + 1..] {
            keywords.extend(kws.iter().filter(|k| k.chars().all(char::is_alphabetic)));
            if !optional {
                break;
            }
        }
    }
    (steps[current].1, keywords)
}

fn list(items: Vec<CompletionItem>) -> CompletionResponse {
    CompletionResponse::List(CompletionList {
        is_incomplete: false,
        items,
    })
}

fn item(label: String, kind: CompletionItemKind, range: Range, insert: String) -> CompletionItem {
    CompletionItem {
        label,
        kind: Some(kind),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, insert))),
        ..CompletionItem::default()
    }
}

fn markdown(value: String) -> Option<Documentation> {
    Some(Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    }))
}

fn verbs(range: Range) -> Vec<CompletionItem> {
    let canonical = |w: &str| Verb::from_word(w).is_some_and(|v| v.as_str() == w);
    VERB_WORDS
        .iter()
        .filter(|(w, _)| canonical(w) || matches!(*w, "asset" | "flows" | "audit" | "validates"))
        .map(|(word, verb)| {
            let mut i = item(
                word.to_string(),
                CompletionItemKind::KEYWORD,
                range,
                format!("{word} "),
            );
            i.detail = Some(verb.usage().to_string());
            if !canonical(word) {
                i.detail = Some(format!("alias of @{}: {}", verb.as_str(), verb.usage()));
                i.sort_text = Some(format!("z{word}"));
            }
            i
        })
        .collect()
}

fn keyword_item(keyword: &str, range: Range) -> CompletionItem {
    let mut i = item(
        keyword.to_string(),
        CompletionItemKind::KEYWORD,
        range,
        format!("{keyword} "),
    );
    i.sort_text = Some(format!("0{keyword}"));
    i
}

fn qualifiers(verb: Verb, range: Range) -> Vec<CompletionItem> {
    let mut words: Vec<(String, &str)> = Vec::new();
    match verb {
        Verb::Component => {
            for layer in ["control", "compute", "communication", "storage"] {
                words.push((layer.into(), "CCCS layer"));
            }
        }
        _ => {
            for s in Severity::ALL {
                words.push((s.as_str().into(), "severity"));
            }
            for (p, s) in [
                ("P0", "critical"),
                ("P1", "high"),
                ("P2", "medium"),
                ("P3", "low"),
            ] {
                words.push((p.into(), s));
            }
        }
    }
    if verb == Verb::Threat {
        for s in [
            crate::annotation::Stride::Spoofing,
            crate::annotation::Stride::Tampering,
            crate::annotation::Stride::Repudiation,
            crate::annotation::Stride::InformationDisclosure,
            crate::annotation::Stride::DenialOfService,
            crate::annotation::Stride::ElevationOfPrivilege,
        ] {
            words.push((stride_word(s).into(), "STRIDE"));
        }
        for l in ["low", "medium", "high"] {
            words.push((format!("likelihood:{l}"), "likelihood"));
        }
    }
    if verb == Verb::Boundary {
        words.push(("untrusted".into(), "the zone it declares is untrusted"));
        words.push(("trusted".into(), "the zone it declares is trusted"));
    }
    words
        .into_iter()
        .map(|(w, detail)| {
            let mut i = item(w.clone(), CompletionItemKind::ENUM_MEMBER, range, w);
            i.detail = Some(detail.to_string());
            i
        })
        .collect()
}

fn entities(ctx: &FileContext, want: Want, range: Range) -> Vec<CompletionItem> {
    let m = &ctx.model;
    let mut items = Vec::new();
    let mut id_item = |id: &str, detail: String, kind, sort: &str, doc: Option<String>| {
        let mut i = item(format!("#{id}"), kind, range, format!("#{id}"));
        i.filter_text = Some(format!("#{id} {detail}"));
        i.detail = Some(detail);
        i.sort_text = Some(format!("{sort}{id}"));
        i.documentation = doc.and_then(markdown);
        items.push(i);
    };
    match want {
        Want::Threat => {
            for t in &m.threats {
                let doc = t.description.clone();
                id_item(&t.id, t.name.clone(), CompletionItemKind::EVENT, "1", doc);
            }
            for e in ctx.catalogue.threats() {
                if !m.threats.iter().any(|t| id_key(&t.id) == id_key(&e.id)) {
                    let detail = format!("catalogue: {}", e.name);
                    id_item(
                        &e.id,
                        detail,
                        CompletionItemKind::EVENT,
                        "2",
                        Some(entry_card(e)),
                    );
                }
            }
        }
        Want::Control => {
            for c in &m.controls {
                let doc = c.description.clone();
                id_item(
                    &c.id,
                    c.name.clone(),
                    CompletionItemKind::INTERFACE,
                    "1",
                    doc,
                );
            }
            for e in ctx.catalogue.controls() {
                debug_assert_eq!(e.kind, CatalogueKind::Control);
                if !m.controls.iter().any(|c| id_key(&c.id) == id_key(&e.id)) {
                    let detail = format!("catalogue: {}", e.name);
                    id_item(
                        &e.id,
                        detail,
                        CompletionItemKind::INTERFACE,
                        "2",
                        Some(entry_card(e)),
                    );
                }
            }
        }
        Want::Component | Want::Target => {
            let mut paths = Vec::new();
            for c in &m.components {
                let path = c.path.join(":");
                if c.id != path_key(&path) && !c.id.starts_with("path:") {
                    let doc = c.description.clone();
                    id_item(&c.id, path, CompletionItemKind::MODULE, "1", doc);
                } else {
                    paths.push(path);
                }
            }
            if want == Want::Target {
                for f in m.flows.iter().filter(|f| !f.id.contains("->")) {
                    let detail = format!("flow {} → {}", f.from, f.to);
                    id_item(&f.id, detail, CompletionItemKind::OPERATOR, "2", None);
                }
            }
            for path in paths {
                let mut i = item(
                    path.clone(),
                    CompletionItemKind::MODULE,
                    range,
                    path.clone(),
                );
                i.detail = Some("component".into());
                i.sort_text = Some(format!("3{path}"));
                items.push(i);
            }
        }
        Want::DataClass => {
            for class in DATA_CLASSES {
                items.push(item(
                    class.to_string(),
                    CompletionItemKind::ENUM_MEMBER,
                    range,
                    class.to_string(),
                ));
            }
        }
        Want::Text => {}
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_follow_the_form() {
        assert_eq!(slot(Verb::Mitigates, &[]).0, Want::Target);
        assert_eq!(
            slot(Verb::Mitigates, &["#web"]),
            (Want::Target, vec!["against"])
        );
        assert_eq!(slot(Verb::Mitigates, &["#web", "against"]).0, Want::Threat);
        assert_eq!(
            slot(Verb::Mitigates, &["#web", "against", "#sqli"]),
            (Want::Threat, vec!["with", "using"])
        );
        assert_eq!(
            slot(Verb::Mitigates, &["#web", "against", "#sqli", "using"]).0,
            Want::Control
        );
        assert_eq!(slot(Verb::Accepts, &["#sqli", "on"]).0, Want::Target);
        assert_eq!(slot(Verb::Connects, &["A", "with"]).0, Want::Component);
        assert_eq!(
            slot(Verb::Connects, &["A", "to", "B", "with"]).0,
            Want::Control
        );
        assert_eq!(
            slot(Verb::Exposes, &["a", "b", "to", "c", "with"]).0,
            Want::Text
        );
    }

    #[test]
    fn an_annotation_starts_after_a_marker() {
        assert_eq!(annotation_start("# @mitig"), Some(2));
        assert_eq!(annotation_start("    // @exposes #web to #"), Some(7));
        assert_eq!(annotation_start("@threat X"), Some(0));
        assert_eq!(annotation_start("x = 1  # @"), Some(9));
        assert_eq!(annotation_start("mail me@home"), None);
        assert_eq!(annotation_start("///@component"), Some(3));
    }
}
