//! `threatline catalogue`: browse and search the threat catalogue.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, ValueEnum};

use super::{exit, write_output};
use crate::annotation::Layer;
use crate::catalogue::{Catalogue, Entry, Kind, Listing};
use crate::escape::for_terminal;

/// The layers in the order every listing uses (SPEC's CCCS order).
const LAYERS: [Layer; 4] = [
    Layer::Control,
    Layer::Compute,
    Layer::Communication,
    Layer::Storage,
];

/// A one-line description longer than this is cut: listings are for scanning.
const SUMMARY_CHARS: usize = 110;

#[derive(Args, Debug)]
pub struct CatalogueArgs {
    /// Only entries of this CCCS layer.
    #[arg(
        long,
        value_name = "LAYER",
        value_parser = PossibleValuesParser::new(["control", "compute", "communication", "storage"])
            .map(|s| Layer::parse(&s).expect("one of the possible values")),
    )]
    pub layer: Option<Layer>,
    /// Only entries matching every word in their id, name, component or description,
    /// best match first.
    #[arg(long, value_name = "WORDS")]
    pub search: Option<String>,
    /// text: grouped by layer, one entry per two lines; json and yaml: the full entries,
    /// in the layout of a catalogue file.
    #[arg(long, value_enum, default_value_t = CatalogueFormat::Text)]
    pub format: CatalogueFormat,
    /// Use this config file (its `catalogues:` add organisation entries) instead of
    /// looking for threatline.yaml from the current directory up.
    #[command(flatten)]
    pub config: super::check::ConfigArg,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatalogueFormat {
    Text,
    Json,
    Yaml,
}

pub fn run(args: &CatalogueArgs) -> anyhow::Result<u8> {
    let config =
        crate::config::Config::load(args.config.file.as_deref(), std::path::Path::new("."))?;
    let options = config.build_options()?;
    run_with(args, &options.catalogue)
}

/// Runs the command on a given catalogue (the built-in one merged with the configured
/// organisation catalogues).
pub fn run_with(args: &CatalogueArgs, catalogue: &Catalogue) -> anyhow::Result<u8> {
    let selected = select(args, catalogue);
    let text = match args.format {
        CatalogueFormat::Text => text(&selected, args),
        CatalogueFormat::Json => {
            let mut json = serde_json::to_string_pretty(&Listing::new(selected))?;
            json.push('\n');
            json
        }
        CatalogueFormat::Yaml => serde_saphyr::to_string(&Listing::new(selected))?,
    };
    write_output(None, &text)?;
    Ok(exit::CLEAN)
}

/// The entries to show: the search's ranking, or catalogue order, then the layer filter.
fn select<'a>(args: &CatalogueArgs, catalogue: &'a Catalogue) -> Vec<&'a Entry> {
    let entries: Vec<&Entry> = match &args.search {
        Some(query) => catalogue.search(query),
        None => catalogue.entries().iter().collect(),
    };
    entries
        .into_iter()
        .filter(|e| args.layer.is_none_or(|l| e.layer == l))
        .collect()
}

fn text(entries: &[&Entry], args: &CatalogueArgs) -> String {
    if entries.is_empty() {
        let mut what = String::from("No catalogue entry");
        if let Some(q) = &args.search {
            what.push_str(&format!(" matches `{}`", for_terminal(q)));
        }
        if let Some(l) = args.layer {
            what.push_str(&format!(" in layer {}", l.as_str()));
        }
        return format!("{what}.\n");
    }
    let id_width = entries.iter().map(|e| e.id.len()).max().unwrap_or(2).max(2);
    let mut out = String::new();
    for layer in LAYERS {
        let in_layer: Vec<&Entry> = entries
            .iter()
            .copied()
            .filter(|e| e.layer == layer)
            .collect();
        if in_layer.is_empty() {
            continue;
        }
        let threats = in_layer.iter().filter(|e| e.kind == Kind::Threat).count();
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!(
            "{} ({}, {})\n",
            capitalised(layer.as_str()),
            count(threats, "threat"),
            count(in_layer.len() - threats, "control")
        ));
        out.push_str(&format!(
            "  {:<id_width$}  {:<7}  STRIDE  {:<8}  {:<10}  NAME\n",
            "ID", "KIND", "PRIORITY", "LIKELIHOOD"
        ));
        // A listing shows threats before controls; a search keeps its ranking.
        let mut ordered = in_layer;
        if args.search.is_none() {
            ordered.sort_by_key(|e| e.kind);
        }
        for e in ordered {
            out.push_str(&format!(
                "  {:<id_width$}  {:<7}  {}  {:<8}  {:<10}  {}\n",
                e.id,
                e.kind.as_str(),
                e.stride_letters(),
                e.priority.as_str(),
                e.likelihood.as_str(),
                for_terminal(&e.name)
            ));
            out.push_str(&format!(
                "  {:id_width$}  {}\n",
                "",
                for_terminal(&summary(&e.description))
            ));
        }
    }
    let threats = entries.iter().filter(|e| e.kind == Kind::Threat).count();
    out.push_str(&format!(
        "\n{} ({}, {}). STRIDE: S spoofing, T tampering, R repudiation, \
         I information disclosure, D denial of service, E elevation of privilege.\n\
         Use an id in an annotation as `#id`; `--format yaml` shows the full entries.\n",
        count(entries.len(), "entry"),
        count(threats, "threat"),
        count(entries.len() - threats, "control")
    ));
    out
}

/// `1 threat`, `2 threats`, `2 entries`.
fn count(n: usize, noun: &str) -> String {
    match (n, noun.strip_suffix('y')) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {noun}s"),
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The description's first sentence on one line, cut at [`SUMMARY_CHARS`].
fn summary(description: &str) -> String {
    let flat = description.split_whitespace().collect::<Vec<_>>().join(" ");
    // A sentence ends at ". " before a capital or code; "e.g. x" does not end one.
    let end = flat
        .match_indices(". ")
        .find(|(i, _)| {
            flat[i + 2..]
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c == '`')
        })
        .map(|(i, _)| i + 1)
        .unwrap_or(flat.len());
    let sentence = &flat[..end];
    if sentence.chars().count() <= SUMMARY_CHARS {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(SUMMARY_CHARS - 3).collect();
    format!("{}...", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_the_first_sentence_on_one_line() {
        assert_eq!(summary("One two.\n  Three four."), "One two.");
        assert_eq!(summary("Use e.g. this. Then that."), "Use e.g. this.");
        assert_eq!(summary("No full stop"), "No full stop");
        let long = "word ".repeat(60);
        let s = summary(&long);
        assert!(s.chars().count() <= SUMMARY_CHARS);
        assert!(s.ends_with("..."));
    }

    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(count(1, "threat"), "1 threat");
        assert_eq!(count(0, "control"), "0 controls");
        assert_eq!(count(2, "entry"), "2 entries");
        assert_eq!(count(1, "entry"), "1 entry");
    }
}
