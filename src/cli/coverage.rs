//! `threatline coverage`: per component, the STRIDE categories considered against those
//! its CCCS layer expects, with catalogue suggestions to paste for each gap.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::check::{ConfigArg, checked_model};
use super::{WalkArgs, exit, write_output};
use crate::analysis::coverage::{ComponentCoverage, coverage};
use crate::analysis::graph::ModelGraph;
use crate::catalogue::stride_word;
use crate::escape::for_terminal;
use crate::report::{LAYERS, STRIDE, layer_name, stride_letter};

#[derive(Args, Debug)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub walk: WalkArgs,
    #[arg(long, value_enum, default_value_t = CoverageFormat::Text)]
    pub format: CoverageFormat,
    /// Only components with gaps.
    #[arg(long)]
    pub gaps_only: bool,
    /// Write the output to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArg,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoverageFormat {
    Text,
    Json,
    Yaml,
}

pub fn run(args: &CoverageArgs) -> anyhow::Result<u8> {
    let skip: Vec<PathBuf> = args.output.iter().cloned().collect();
    let (model, config) = checked_model(&args.walk, &args.config, &skip)?;
    let catalogue = config.build_options()?.catalogue;
    let graph = ModelGraph::new(&model);
    let mut rows = coverage(&model, &graph, &catalogue);
    if args.gaps_only {
        rows.retain(|r| !r.gaps.is_empty());
    }
    let text = match args.format {
        CoverageFormat::Text => text(&rows),
        CoverageFormat::Json => serde_json::to_string_pretty(&rows)? + "\n",
        CoverageFormat::Yaml => serde_saphyr::to_string(&rows)?,
    };
    write_output(args.output.as_ref(), &text)?;
    Ok(exit::CLEAN)
}

fn text(rows: &[ComponentCoverage]) -> String {
    let mut out = String::new();
    let with_gaps = rows.iter().filter(|r| !r.gaps.is_empty()).count();
    let gaps: usize = rows.iter().map(|r| r.gaps.len()).sum();
    let _ = writeln!(
        out,
        "STRIDE coverage: {} components, {with_gaps} with gaps, {gaps} gaps in all",
        rows.len()
    );
    let _ = writeln!(
        out,
        "  ✓ considered   ✗ expected for the layer, not considered   · neither\n"
    );
    let width = rows
        .iter()
        .map(|r| r.component.path.join(":").chars().count())
        .max()
        .unwrap_or(0)
        .clamp(20, 60);
    for layer in LAYERS {
        let in_layer: Vec<&ComponentCoverage> = rows.iter().filter(|r| r.layer == layer).collect();
        if in_layer.is_empty() {
            continue;
        }
        let letters: Vec<String> = STRIDE
            .iter()
            .map(|s| stride_letter(*s).to_string())
            .collect();
        let _ = writeln!(
            out,
            "{:<w$}  {}",
            format!("{} layer", layer_name(layer)),
            letters.join(" "),
            w = width + 2
        );
        for row in in_layer {
            let marks: Vec<&str> = STRIDE
                .iter()
                .map(|s| {
                    if row.considered.contains(s) {
                        "✓"
                    } else if row.expected.contains(s) {
                        "✗"
                    } else {
                        "·"
                    }
                })
                .collect();
            let name = for_terminal(&row.component.path.join(":")).into_owned();
            let _ = writeln!(out, "  {name:<width$}  {}", marks.join(" "));
            for gap in &row.gaps {
                let _ = writeln!(
                    out,
                    "      ✗ {}: {}",
                    stride_word(gap.stride),
                    first_sentence(&gap.reason)
                );
                for s in &gap.suggestions {
                    let _ = writeln!(
                        out,
                        "          {}   ({})",
                        for_terminal(&s.annotation),
                        for_terminal(&s.name)
                    );
                }
            }
        }
        out.push('\n');
    }
    out
}

/// The first sentence of a reason, for one line of output.
fn first_sentence(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.find(". ") {
        Some(i) => flat[..=i].to_string(),
        None => flat,
    }
}
