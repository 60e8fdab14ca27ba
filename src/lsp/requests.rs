//! Requests from the client, routed to the feature that answers them. A file that no
//! folder scans gets an empty answer (`null`), never an error.

use lsp_server::Request;
use lsp_types::{
    CodeActionParams, CompletionParams, DocumentSymbolParams, GotoDefinitionParams, HoverParams,
    ReferenceParams, RenameParams, TextDocumentPositionParams, WorkspaceSymbolParams,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::documents::Texts;
use super::server::{Failure, Server};
use super::{actions, completion, hover, navigation, symbols};

/// Whether a request needs the workspace model (and waits for the first walk).
pub fn needs_model(method: &str) -> bool {
    method.starts_with("textDocument/") || method == "workspace/symbol"
}

pub fn handle(server: &mut Server, req: Request) -> Result<Value, Failure> {
    // Every change before this request is in the models it reads.
    server.state.refresh();
    let state = &mut server.state;
    let value =
        match req.method.as_str() {
            "textDocument/hover" => {
                let p: HoverParams = params(req)?;
                let at = p.text_document_position_params;
                let ctx = state.context(&at.text_document.uri);
                to_value(ctx.and_then(|ctx| hover::hover(&ctx, at.position)))
            }
            "textDocument/definition" => {
                let p: GotoDefinitionParams = params(req)?;
                let at = p.text_document_position_params;
                let ctx = state.context(&at.text_document.uri);
                let mut texts = Texts::new(&state.docs);
                to_value(ctx.and_then(|ctx| navigation::definition(&ctx, at.position, &mut texts)))
            }
            "textDocument/references" => {
                let p: ReferenceParams = params(req)?;
                let at = p.text_document_position;
                let ctx = state.context(&at.text_document.uri);
                let mut texts = Texts::new(&state.docs);
                let declaration = p.context.include_declaration;
                to_value(ctx.and_then(|ctx| {
                    navigation::references(&ctx, at.position, declaration, &mut texts)
                }))
            }
            "textDocument/prepareRename" => {
                let p: TextDocumentPositionParams = params(req)?;
                match state.context(&p.text_document.uri) {
                    Some(ctx) => to_value(navigation::prepare_rename(&ctx, p.position)?),
                    None => Value::Null,
                }
            }
            "textDocument/rename" => {
                let p: RenameParams = params(req)?;
                let at = p.text_document_position;
                match state.context(&at.text_document.uri) {
                    Some(ctx) => {
                        let mut texts = Texts::new(&state.docs);
                        to_value(navigation::rename(
                            &ctx,
                            at.position,
                            &p.new_name,
                            &mut texts,
                        )?)
                    }
                    None => Value::Null,
                }
            }
            "textDocument/completion" => {
                let p: CompletionParams = params(req)?;
                let at = p.text_document_position;
                let ctx = state.context(&at.text_document.uri);
                to_value(ctx.and_then(|ctx| completion::complete(&ctx, at.position)))
            }
            "textDocument/codeAction" => {
                let p: CodeActionParams = params(req)?;
                let ctx = state.context(&p.text_document.uri);
                to_value(ctx.map(|ctx| actions::actions(&ctx, p.range, p.context.only.as_deref())))
            }
            "textDocument/documentSymbol" => {
                let p: DocumentSymbolParams = params(req)?;
                let ctx = state.context(&p.text_document.uri);
                to_value(ctx.map(|ctx| symbols::document(&ctx)))
            }
            "workspace/symbol" => {
                let p: WorkspaceSymbolParams = params(req)?;
                let all = state.all();
                let mut texts = Texts::new(&state.docs);
                to_value(symbols::workspace(&all, &p.query, &mut texts))
            }
            _ => return Err(Failure::MethodNotFound),
        };
    Ok(value)
}

fn params<P: DeserializeOwned>(req: Request) -> Result<P, Failure> {
    serde_json::from_value(req.params).map_err(|e| Failure::InvalidParams(e.to_string()))
}

fn to_value(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
