//! Notifications from the client: buffers opened, edited, saved and closed, files changed
//! on disk, folders added and removed. Each changes the state; the main loop rebuilds and
//! publishes once the queue is empty.

use std::path::PathBuf;

use lsp_server::{Notification, RequestId};
use lsp_types::{
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    FileChangeType, MessageType,
};
use serde::de::DeserializeOwned;

use super::convert::uri_to_path;
use super::server::Server;

pub fn handle(server: &mut Server, n: Notification) {
    let method = n.method.clone();
    let result = match method.as_str() {
        "initialized" => {
            server.register_watchers();
            Ok(())
        }
        "textDocument/didOpen" => params(n).map(|p| did_open(server, p)),
        "textDocument/didChange" => params(n).map(|p| did_change(server, p)),
        "textDocument/didSave" => params(n).map(|p| did_save(server, p)),
        "textDocument/didClose" => params(n).map(|p| did_close(server, p)),
        "workspace/didChangeWatchedFiles" => params(n).map(|p| watched(server, p)),
        "workspace/didChangeWorkspaceFolders" => params(n).map(|p| folders(server, p)),
        "$/cancelRequest" => {
            let id = serde_json::from_value::<RequestId>(n.params["id"].clone());
            if let Ok(id) = id {
                server.cancel(&id);
            }
            Ok(())
        }
        // `$/setTrace`, `workspace/didChangeConfiguration` and the like: nothing to do.
        _ => Ok(()),
    };
    if let Err(e) = result {
        server.log(
            MessageType::WARNING,
            &format!("ignored `{method}`: bad parameters: {e}"),
        );
    }
}

fn params<P: DeserializeOwned>(n: Notification) -> Result<P, serde_json::Error> {
    serde_json::from_value(n.params)
}

fn did_open(server: &mut Server, p: DidOpenTextDocumentParams) {
    let doc = p.text_document;
    let path = uri_to_path(&doc.uri);
    server.state.docs.open(doc.uri, doc.text, doc.version);
    if let Some(path) = path {
        server.state.forced.insert(path);
    }
}

fn did_change(server: &mut Server, p: DidChangeTextDocumentParams) {
    let uri = p.text_document.uri;
    match server
        .state
        .docs
        .change(&uri, p.text_document.version, p.content_changes)
    {
        Ok(doc) => {
            if let Some(path) = doc.path.clone() {
                server.state.forced.insert(path);
            }
        }
        Err(e) => server.log(MessageType::WARNING, &e),
    }
}

fn did_save(server: &mut Server, p: DidSaveTextDocumentParams) {
    if let Some(path) = uri_to_path(&p.text_document.uri) {
        disk_changed(server, vec![(path, false)]);
    }
}

fn did_close(server: &mut Server, p: DidCloseTextDocumentParams) {
    let uri = p.text_document.uri;
    server.state.docs.close(&uri);
    if let Some(path) = uri_to_path(&uri) {
        // The file is what is on disk again (unsaved edits are gone).
        disk_changed(server, vec![(path.clone(), false)]);
        server.state.forced.insert(path);
    }
}

fn watched(server: &mut Server, p: DidChangeWatchedFilesParams) {
    let changes = p
        .changes
        .into_iter()
        .filter_map(|c| Some((uri_to_path(&c.uri)?, c.typ == FileChangeType::DELETED)))
        .collect();
    disk_changed(server, changes);
}

/// Files changed on disk: each is read again, or its folder walked again when that is the
/// only way to know what changed.
fn disk_changed(server: &mut Server, changes: Vec<(PathBuf, bool)>) {
    let mut walks: Vec<PathBuf> = Vec::new();
    for (path, deleted) in changes {
        let Some(i) = server.state.folder_of(&path) else {
            continue;
        };
        let state = &mut server.state;
        let folder = &mut state.folders[i];
        if !folder.is_loaded() {
            continue;
        }
        if folder.file_changed(&path, deleted, &mut state.scanner) && !walks.contains(&folder.root)
        {
            walks.push(folder.root.clone());
        }
    }
    for root in walks {
        server.start_walk(&root);
    }
}

fn folders(server: &mut Server, p: DidChangeWorkspaceFoldersParams) {
    for removed in p.event.removed {
        if let Some(root) = uri_to_path(&removed.uri) {
            server.state.folders.retain(|f| f.root != root);
            server.state.unpublished = true;
        }
    }
    for added in p.event.added {
        if let Some(root) = uri_to_path(&added.uri) {
            server.add_folder(root, added.name);
        }
    }
}
