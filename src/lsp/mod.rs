//! The language server (`threatline lsp`): the workspace's threat model where the code is
//! written. Diagnostics and findings on the lines they point at, hover cards, go to
//! definition, references and rename of ids, completion of verbs, keywords, ids and
//! qualifiers, quick fixes, and symbols. `docs/editors.md` shows how to run it in an
//! editor.
//!
//! One module per job:
//!
//! - [`transport`]: JSON-RPC framing on stdio, tolerant of a bad client;
//! - [`server`]: the main loop and lifecycle; [`notifications`] and [`requests`] route
//!   messages; [`state`] is what the server knows;
//! - [`workspace`]: one folder's walk, per-file results and model rebuild;
//!   [`documents`]: the open buffers;
//! - [`convert`]: UTF-16 positions against the model's scalar columns, URIs;
//! - [`index`]: where every entity is mentioned;
//! - the features: [`diagnostics`], [`hover`], [`navigation`] (definition, references,
//!   rename), [`completion`], [`actions`], [`symbols`]; [`comments`] writes lines in a
//!   file's comment style.

mod actions;
mod catalogue_files;
mod comments;
mod completion;
pub mod convert;
mod diagnostics;
mod documents;
mod hover;
mod index;
mod navigation;
mod notifications;
mod requests;
mod server;
mod state;
mod symbols;
pub mod transport;
mod workspace;

use serde_json::{Value, json};

/// Serves the Language Server Protocol on stdin/stdout until `exit`; the exit code (0
/// after `shutdown`, 1 when the client exits or goes away without it).
pub fn serve() -> u8 {
    // The command line's hook ends the process on any panic; here a panic is one failed
    // request, answered as such and logged, so the hook only writes to stderr (which
    // editors keep as the server's log).
    std::panic::set_hook(Box::new(|info| {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "threatline lsp: internal error: {}",
            crate::escape::for_terminal(&info.to_string())
        );
    }));
    server::run()
}

/// What the server offers.
fn capabilities() -> Value {
    json!({
        "positionEncoding": "utf-16",
        "textDocumentSync": {
            "openClose": true,
            "change": 2,
            "save": {"includeText": false},
        },
        "hoverProvider": true,
        "definitionProvider": true,
        "referencesProvider": true,
        "renameProvider": {"prepareProvider": true},
        "completionProvider": {
            "triggerCharacters": ["@", "#", "[", ","],
            "resolveProvider": false,
        },
        "codeActionProvider": {"codeActionKinds": ["quickfix"]},
        "documentSymbolProvider": true,
        "workspaceSymbolProvider": true,
        "workspace": {
            "workspaceFolders": {"supported": true, "changeNotifications": true},
        },
    })
}
