//! `threatline lsp`: the language server over stdio (`crate::lsp`, docs/editors.md).

use clap::Args;

#[derive(Args, Debug)]
pub struct LspArgs {
    /// Accepted for editors that pass it (VS Code's client does); stdio is the only
    /// transport.
    #[arg(long, hide = true)]
    pub stdio: bool,
}

pub fn run(_args: &LspArgs) -> anyhow::Result<u8> {
    Ok(crate::lsp::serve())
}
