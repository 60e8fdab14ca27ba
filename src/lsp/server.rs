//! The main loop: lifecycle (`initialize` … `shutdown`, `exit`), one thread handling
//! messages in order, walks on worker threads, and every handler behind `catch_unwind` so
//! that a bug answers one request with an error instead of ending the session.
//!
//! Messages are taken in batches: everything already queued is applied before the models
//! are rebuilt and diagnostics published, so a burst of keystrokes costs one rebuild.
//! Requests see the model as of every change before them.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Instant;

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{MessageType, Uri};
use serde_json::{Value, json};

use super::convert::uri_to_path;
use super::state::State;
use super::transport::{self, Incoming, MalformedKind, Out};
use super::workspace::{self, Folder, Loaded};
use super::{notifications, requests};

/// What the loop waits on: the client, or a walk finishing.
pub enum Event {
    Incoming(Incoming),
    Walked {
        root: PathBuf,
        generation: u64,
        result: Result<Box<Loaded>, String>,
    },
}

impl From<Incoming> for Event {
    fn from(incoming: Incoming) -> Event {
        Event::Incoming(incoming)
    }
}

#[derive(PartialEq, Eq)]
enum Phase {
    Uninitialized,
    Running,
    ShuttingDown,
}

/// Why a request got no result.
pub enum Failure {
    MethodNotFound,
    InvalidParams(String),
    Failed(String),
}

pub struct Server {
    out: Sender<Out>,
    events: Sender<Event>,
    phase: Phase,
    pub state: State,
    /// Requests that need a model, held while the first walk runs.
    deferred: Vec<Request>,
    /// The client can register file watchers for us.
    watch_files: bool,
    next_id: i32,
}

/// Serves on stdio until `exit` (or the client goes away); the exit code.
pub fn run() -> u8 {
    let (events, incoming) = mpsc::channel::<Event>();
    let (out, outgoing) = mpsc::channel::<Out>();
    let writer = transport::stdio(events.clone(), outgoing);
    let mut server = Server {
        out,
        events,
        phase: Phase::Uninitialized,
        state: State::new(),
        deferred: Vec::new(),
        watch_files: false,
        next_id: 0,
    };
    let code = server.main_loop(&incoming);
    drop(server);
    let _ = writer.join();
    code
}

impl Server {
    fn main_loop(&mut self, incoming: &Receiver<Event>) -> u8 {
        loop {
            let Ok(event) = incoming.recv() else {
                return self.exit_code();
            };
            if let Some(code) = self.handle(event) {
                return code;
            }
            while let Ok(event) = incoming.try_recv() {
                if let Some(code) = self.handle(event) {
                    return code;
                }
            }
            if self.phase != Phase::Uninitialized {
                self.guarded("publishing diagnostics", |s| s.publish());
            }
        }
    }

    /// 0 after `shutdown`, 1 otherwise (the protocol's rule for `exit`).
    fn exit_code(&self) -> u8 {
        u8::from(self.phase != Phase::ShuttingDown)
    }

    fn handle(&mut self, event: Event) -> Option<u8> {
        match event {
            Event::Incoming(Incoming::Closed) => return Some(self.exit_code()),
            Event::Incoming(Incoming::Malformed { id, code, detail }) => {
                self.malformed(id, code, &detail);
            }
            Event::Incoming(Incoming::Message(Message::Request(req))) => self.request(req),
            Event::Incoming(Incoming::Message(Message::Notification(n))) => {
                if n.method == "exit" {
                    return Some(self.exit_code());
                }
                if self.phase == Phase::Running {
                    let method = n.method.clone();
                    self.guarded(&method, |s| notifications::handle(s, n));
                }
            }
            Event::Incoming(Incoming::Message(Message::Response(_))) => {}
            Event::Walked {
                root,
                generation,
                result,
            } => self.walked(root, generation, result),
        }
        None
    }

    fn request(&mut self, req: Request) {
        match (&self.phase, req.method.as_str()) {
            (Phase::Uninitialized, "initialize") => {
                let id = req.id.clone();
                let result = self.initialize(&req.params);
                self.respond(Response::new_ok(id, result));
                self.phase = Phase::Running;
            }
            (Phase::Uninitialized, _) => self.respond(Response::new_err(
                req.id,
                ErrorCode::ServerNotInitialized as i32,
                "the server is not initialized".into(),
            )),
            (Phase::ShuttingDown, _) => self.respond(Response::new_err(
                req.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            )),
            (Phase::Running, "initialize") => self.respond(Response::new_err(
                req.id,
                ErrorCode::InvalidRequest as i32,
                "the server is already initialized".into(),
            )),
            (Phase::Running, "shutdown") => {
                self.respond(Response::new_ok(req.id, Value::Null));
                self.phase = Phase::ShuttingDown;
            }
            (Phase::Running, method) if self.state.loading() && requests::needs_model(method) => {
                self.deferred.push(req);
            }
            (Phase::Running, _) => self.dispatch(req),
        }
    }

    /// Answers a request, whatever its handler does (a panic is an internal error).
    fn dispatch(&mut self, req: Request) {
        let id = req.id.clone();
        let method = req.method.clone();
        let started = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| requests::handle(self, req)));
        let response = match result {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(Failure::MethodNotFound)) => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("threatline does not handle `{method}`"),
            ),
            Ok(Err(Failure::InvalidParams(e))) => {
                Response::new_err(id, ErrorCode::InvalidParams as i32, e)
            }
            Ok(Err(Failure::Failed(e))) => {
                Response::new_err(id, ErrorCode::RequestFailed as i32, e)
            }
            Err(panic) => {
                let message = format!(
                    "internal error in `{method}`: {}; the server carries on",
                    panic_message(&*panic)
                );
                self.log(MessageType::ERROR, &message);
                Response::new_err(id, ErrorCode::InternalError as i32, message)
            }
        };
        let elapsed = started.elapsed();
        if elapsed.as_millis() > 500 {
            self.log(
                MessageType::LOG,
                &format!("`{method}` took {} ms", elapsed.as_millis()),
            );
        }
        self.respond(response);
    }

    /// Runs a state change; a panic is logged (and shown) and the server goes on.
    pub fn guarded<R>(&mut self, what: &str, f: impl FnOnce(&mut Server) -> R) -> Option<R> {
        match catch_unwind(AssertUnwindSafe(|| f(self))) {
            Ok(r) => Some(r),
            Err(panic) => {
                let message = format!(
                    "internal error while handling `{what}`: {}; the server carries on",
                    panic_message(&*panic)
                );
                self.log(MessageType::ERROR, &message);
                self.show(MessageType::WARNING, &format!("threatline: {message}"));
                None
            }
        }
    }

    fn malformed(&mut self, id: Option<RequestId>, code: MalformedKind, detail: &str) {
        self.log(
            MessageType::WARNING,
            &format!("ignored a bad message: {detail}"),
        );
        match (code, id) {
            (MalformedKind::Parse, _) => {
                let _ = self.out.send(Out::Raw(json!({
                    "jsonrpc": "2.0",
                    "id": null,
                    "error": {"code": ErrorCode::ParseError as i32, "message": detail},
                })));
            }
            (MalformedKind::Invalid, Some(id)) => self.respond(Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                detail.to_string(),
            )),
            _ => {}
        }
    }

    fn initialize(&mut self, params: &Value) -> Value {
        let caps = &params["capabilities"];
        self.watch_files = caps["workspace"]["didChangeWatchedFiles"]["dynamicRegistration"]
            .as_bool()
            .unwrap_or(false);
        self.state.publisher.related_information =
            caps["textDocument"]["publishDiagnostics"]["relatedInformation"]
                .as_bool()
                .unwrap_or(false);
        let mut roots: Vec<(PathBuf, String)> = Vec::new();
        if let Some(folders) = params["workspaceFolders"].as_array() {
            for f in folders {
                if let Some(path) = f["uri"].as_str().and_then(path_of) {
                    let name = f["name"].as_str().unwrap_or_default().to_string();
                    roots.push((path, name));
                }
            }
        }
        if roots.is_empty() {
            let root = params["rootUri"]
                .as_str()
                .and_then(path_of)
                .or_else(|| params["rootPath"].as_str().map(PathBuf::from));
            if let Some(path) = root {
                roots.push((path, String::new()));
            }
        }
        for (root, name) in roots {
            self.add_folder(root, name);
        }
        json!({
            "capabilities": super::capabilities(),
            "serverInfo": {"name": "threatline", "version": env!("CARGO_PKG_VERSION")},
        })
    }

    pub fn add_folder(&mut self, root: PathBuf, name: String) {
        if !root.is_dir() || self.state.folders.iter().any(|f| f.root == root) {
            if !root.is_dir() {
                self.log(
                    MessageType::WARNING,
                    &format!("{} is not a directory; not scanned", root.display()),
                );
            }
            return;
        }
        self.state.folders.push(Folder::new(root.clone(), name));
        self.start_walk(&root);
    }

    /// Starts a walk of a folder on a worker thread (or queues one after the running one).
    pub fn start_walk(&mut self, root: &PathBuf) {
        let Some(folder) = self.state.folders.iter_mut().find(|f| &f.root == root) else {
            return;
        };
        if folder.walking {
            folder.walk_again = true;
            return;
        }
        folder.walking = true;
        folder.generation += 1;
        let generation = folder.generation;
        let root = root.clone();
        let events = self.events.clone();
        let spawned = std::thread::Builder::new()
            .name("lsp-walk".into())
            .spawn(move || {
                let result = catch_unwind(|| workspace::load(&root))
                    .unwrap_or_else(|panic| {
                        Err(format!("internal error: {}", panic_message(&*panic)))
                    })
                    .map(Box::new);
                let _ = events.send(Event::Walked {
                    root,
                    generation,
                    result,
                });
            });
        if let Err(e) = spawned {
            self.log(MessageType::ERROR, &format!("cannot start a walk: {e}"));
        }
    }

    fn walked(&mut self, root: PathBuf, generation: u64, result: Result<Box<Loaded>, String>) {
        let Some(i) = self.state.folders.iter().position(|f| f.root == root) else {
            return;
        };
        let folder = &mut self.state.folders[i];
        if folder.generation != generation {
            return;
        }
        folder.walking = false;
        let again = std::mem::take(&mut folder.walk_again);
        match result {
            Ok(loaded) => {
                let elapsed = loaded.elapsed;
                let files = loaded.walked.len();
                let state = &mut self.state;
                state.folders[i].apply(*loaded, &state.docs, &mut state.scanner);
                let folder = &self.state.folders[i];
                let name = if folder.name.is_empty() {
                    root.display().to_string()
                } else {
                    folder.name.clone()
                };
                self.log(
                    MessageType::INFO,
                    &format!("{name}: {files} files walked in {} ms", elapsed.as_millis()),
                );
            }
            Err(e) => {
                let message = format!("cannot scan {}: {e}", root.display());
                self.log(MessageType::ERROR, &message);
                self.show(MessageType::WARNING, &format!("threatline: {message}"));
                let folder = &mut self.state.folders[i];
                if !folder.is_loaded() {
                    // Serve what there is (nothing) rather than hold requests forever.
                    folder.options = crate::pipeline::ScanOptions::new(
                        crate::walk::WalkOptions::new(&folder.root),
                        crate::config::Config::defaults(),
                    )
                    .ok();
                }
            }
        }
        if again {
            self.start_walk(&root);
        }
        if !self.state.loading() {
            for req in std::mem::take(&mut self.deferred) {
                self.dispatch(req);
            }
        }
    }

    /// Drops a request still waiting for the first walk (`$/cancelRequest`).
    pub fn cancel(&mut self, id: &RequestId) {
        if let Some(at) = self.deferred.iter().position(|r| &r.id == id) {
            let req = self.deferred.remove(at);
            self.respond(Response::new_err(
                req.id,
                ErrorCode::RequestCanceled as i32,
                "cancelled".into(),
            ));
        }
    }

    fn publish(&mut self) {
        for params in self.state.publish() {
            self.notify("textDocument/publishDiagnostics", params);
        }
    }

    /// Asks the client to watch every file of the workspace for us.
    pub fn register_watchers(&mut self) {
        if !self.watch_files {
            return;
        }
        self.next_id += 1;
        let req = Request::new(
            RequestId::from(format!("threatline-{}", self.next_id)),
            "client/registerCapability".into(),
            json!({"registrations": [{
                "id": "threatline-watched-files",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": {"watchers": [{"globPattern": "**/*"}]},
            }]}),
        );
        let _ = self.out.send(Message::Request(req).into());
    }

    pub fn respond(&self, response: Response) {
        let _ = self.out.send(Message::Response(response).into());
    }

    pub fn notify(&self, method: &str, params: impl serde::Serialize) {
        let _ = self
            .out
            .send(Message::Notification(Notification::new(method.into(), params)).into());
    }

    pub fn log(&self, kind: MessageType, message: &str) {
        self.notify(
            "window/logMessage",
            json!({"type": kind, "message": message}),
        );
    }

    pub fn show(&self, kind: MessageType, message: &str) {
        self.notify(
            "window/showMessage",
            json!({"type": kind, "message": message}),
        );
    }
}

fn path_of(uri: &str) -> Option<PathBuf> {
    uri_to_path(&Uri::from_str(uri).ok()?)
}

/// The text of a panic's payload.
pub fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".to_string()
    }
}
