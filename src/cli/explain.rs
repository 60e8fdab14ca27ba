//! `threatline explain CODE`: what a finding or diagnostic code means and how to fix it.

use clap::Args;

use super::{exit, write_output};
use crate::analysis::rules;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A finding or diagnostic code (`unmitigated-exposure`); none lists them all.
    pub code: Option<String>,
}

pub fn run(args: &ExplainArgs) -> anyhow::Result<u8> {
    let Some(code) = &args.code else {
        let mut text = String::from("Findings:\n");
        for r in rules::ALL {
            text.push_str(&format!("  {:<22} {}\n", r.code, r.summary));
        }
        text.push_str("Diagnostics:\n");
        for d in rules::DIAGNOSTICS {
            text.push_str(&format!("  {:<22} {}\n", d.code, d.summary));
        }
        write_output(None, &text)?;
        return Ok(exit::CLEAN);
    };
    match rules::explain(code) {
        Some(text) => {
            write_output(None, &text)?;
            Ok(exit::CLEAN)
        }
        None => match rules::nearest_code(code) {
            Some(near) => anyhow::bail!(
                "unknown code `{code}`; did you mean `{near}`? (`threatline explain` lists them all)"
            ),
            None => anyhow::bail!(
                "unknown code `{code}`; known codes: {}",
                rules::all_codes().join(", ")
            ),
        },
    }
}
