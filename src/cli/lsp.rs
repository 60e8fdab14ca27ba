//! `threatline lsp`: the language server over stdio (`crate::lsp`).

use clap::Args;

#[derive(Args, Debug)]
pub struct LspArgs {}

pub fn run(_args: &LspArgs) -> anyhow::Result<u8> {
    crate::lsp::serve()?;
    Ok(super::exit::CLEAN)
}
