//! A small LSP client for the end-to-end tests: it starts the real binary, speaks JSON-RPC
//! with `Content-Length` framing over its stdin and stdout as an editor does, keeps the
//! text of the buffers it opened, and applies the server's edits to them (or to the files
//! on disk) the way an editor would. Every read has a timeout, so a server that hangs
//! fails the test instead of hanging it.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any one answer may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(60);

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    /// Messages received and not yet asked for, in order.
    queue: VecDeque<Value>,
    next_id: i64,
    pub root: PathBuf,
    temp: Option<tempfile::TempDir>,
    /// Open buffers: uri → (text, version).
    pub docs: HashMap<String, (String, i64)>,
    stderr: Arc<Mutex<String>>,
    /// Requests the server sent to the client (answered with `null`).
    pub server_requests: Vec<Value>,
}

/// Copies `tests/lsp/<fixture>` into a new temporary directory.
pub fn workspace(fixture: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/lsp")
        .join(fixture);
    copy_dir(&from, &dir.path().join("ws"));
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub fn uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_str().unwrap().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn path_of(uri: &str) -> PathBuf {
    let path = uri.strip_prefix("file://").unwrap();
    let bytes = path.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&path[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    PathBuf::from(String::from_utf8(out).unwrap())
}

/// The LSP position (line, UTF-16 offset) of the first `needle` on 0-based `line`,
/// plus `delta` characters.
pub fn position(text: &str, line: usize, needle: &str, delta: usize) -> Value {
    let l = text.lines().nth(line).expect("line");
    let at = l
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not on line {line}: {l}"));
    let before: String = l[..at].chars().chain(l[at..].chars().take(delta)).collect();
    json!({"line": line, "character": before.encode_utf16().count()})
}

/// The byte offset of an LSP position in a text with `\n` line ends.
pub fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let mut start = 0;
    for _ in 0..line {
        start += text[start..]
            .find('\n')
            .map_or(text.len() - start, |i| i + 1);
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut units = 0;
    for (i, c) in text[start..end].char_indices() {
        if units >= character {
            return start + i;
        }
        units += c.len_utf16();
    }
    end
}

/// Applies LSP text edits (all against the same original text) to a text.
pub fn apply(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, &new);
    }
    out
}

impl Client {
    /// Starts `threatline lsp` on a copy of a fixture and initializes it.
    pub fn start(fixture: &str) -> Client {
        Client::start_with(fixture, &[], |_| {})
    }

    /// Starts with extra environment and a chance to prepare the workspace first.
    pub fn start_with(fixture: &str, env: &[(&str, &str)], prepare: impl FnOnce(&Path)) -> Client {
        let dir = workspace(fixture);
        let root = dir.path().join("ws");
        prepare(&root);
        let cache = dir.path().join("cache");
        let mut client = Client::start_at(&root, &cache, env);
        client.temp = Some(dir);
        client
    }

    /// Starts on a workspace where it is, with the per-file cache under `cache`.
    pub fn start_at(root: &Path, cache: &Path, env: &[(&str, &str)]) -> Client {
        let root = root.to_path_buf();
        let mut command = Command::new(env!("CARGO_BIN_EXE_threatline"));
        command
            .arg("lsp")
            .env("XDG_CACHE_HOME", cache)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("the binary starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(body) = read_frame(&mut reader) {
                let value: Value = serde_json::from_slice(&body).expect("the server writes JSON");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdin = child.stdin.take();
        let mut client = Client {
            child,
            stdin,
            rx,
            queue: VecDeque::new(),
            next_id: 0,
            root: root.clone(),
            temp: None,
            docs: HashMap::new(),
            stderr,
            server_requests: Vec::new(),
        };
        let result = client.call(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": {
                    "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
                    "textDocument": {"publishDiagnostics": {"relatedInformation": true}},
                },
                "workspaceFolders": [{"uri": uri(&root), "name": "ws"}],
            }),
        );
        assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
        client.notify("initialized", json!({}));
        client
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until the server's stderr holds `needle` (it is read on another thread).
    pub fn wait_stderr(&self, needle: &str) {
        let started = Instant::now();
        while !self.stderr().contains(needle) {
            assert!(
                started.elapsed() < TIMEOUT,
                "no `{needle}` on stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    pub fn send(&mut self, message: Value) {
        let body = message.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response (the whole message).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == id && m.get("method").is_none())
    }

    /// A request's result; the test fails on an error.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// The next message, whatever it is; requests from the server are answered.
    fn recv(&mut self) -> Value {
        match self.rx.recv_timeout(TIMEOUT) {
            Ok(m) => {
                if m.get("method").is_some() && m.get("id").is_some() {
                    let answer = json!({"jsonrpc": "2.0", "id": m["id"], "result": null});
                    self.send(answer);
                    self.server_requests.push(m.clone());
                }
                m
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!(
                    "no message from the server in {TIMEOUT:?}; stderr:\n{}",
                    self.stderr()
                )
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic!("the server closed its output; stderr:\n{}", self.stderr())
            }
        }
    }

    /// The first message (already received or to come) that `pred` accepts.
    pub fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.queue.iter().position(&pred) {
            return self.queue.remove(i).unwrap();
        }
        loop {
            let m = self.recv();
            if pred(&m) {
                return m;
            }
            self.queue.push_back(m);
        }
    }

    /// The diagnostics published for `uri` at `version` (any version when `None`).
    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let m = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == v)
        });
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }

    /// The first diagnostics published for `uri` that `pred` accepts (earlier ones are
    /// passed over).
    pub fn diagnostics_until(&mut self, uri: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let m = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && pred(m["params"]["diagnostics"].as_array().unwrap())
        });
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }

    /// The diagnostics of the buffer's current version.
    pub fn current_diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let version = self.docs[uri].1;
        self.diagnostics(uri, Some(version))
    }

    /// Opens a file of the workspace; its uri.
    pub fn open(&mut self, rel: &str) -> String {
        let path = self.root.join(rel);
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        self.open_text(&path, &text)
    }

    pub fn open_text(&mut self, path: &Path, text: &str) -> String {
        let uri = uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "", "version": 1, "text": text}}),
        );
        self.docs.insert(uri.clone(), (text.to_string(), 1));
        uri
    }

    pub fn text(&self, uri: &str) -> &str {
        &self.docs[uri].0
    }

    /// Applies edits to an open buffer and sends them as incremental changes.
    pub fn edit(&mut self, uri: &str, edits: &[Value]) {
        let (text, version) = self.docs.get(uri).cloned().expect("open");
        let mut sorted = edits.to_vec();
        sorted.sort_by_key(|e| std::cmp::Reverse(offset(&text, &e["range"]["start"])));
        let changes: Vec<Value> = sorted
            .iter()
            .map(|e| json!({"range": e["range"], "text": e["newText"]}))
            .collect();
        let new_text = apply(&text, edits);
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version + 1}, "contentChanges": changes}),
        );
        self.docs.insert(uri.to_string(), (new_text, version + 1));
    }

    /// Replaces the first `from` on 0-based `line` with `to`.
    pub fn replace(&mut self, uri: &str, line: usize, from: &str, to: &str) {
        let text = self.text(uri).to_string();
        let start = position(&text, line, from, 0);
        let end = position(&text, line, from, from.chars().count());
        self.edit(
            uri,
            &[json!({"range": {"start": start, "end": end}, "newText": to})],
        );
    }

    /// Applies a workspace edit as an editor does: open buffers are edited, other files
    /// are written and reported as changed.
    pub fn apply_workspace_edit(&mut self, edit: &Value) {
        let changes = edit["changes"].as_object().expect("changes");
        let mut written = Vec::new();
        for (uri, edits) in changes {
            let edits = edits.as_array().unwrap();
            if self.docs.contains_key(uri) {
                self.edit(uri, edits);
            } else {
                let path = path_of(uri);
                let text = std::fs::read_to_string(&path).unwrap();
                std::fs::write(&path, apply(&text, edits)).unwrap();
                written.push(json!({"uri": uri, "type": 2}));
            }
        }
        if !written.is_empty() {
            self.notify(
                "workspace/didChangeWatchedFiles",
                json!({"changes": written}),
            );
        }
    }

    /// The exit status, once the server has exited.
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// `shutdown`, then `exit`: the exit status.
    pub fn shutdown(mut self) -> ExitStatus {
        let result = self.request("shutdown", Value::Null);
        assert!(result.get("error").is_none(), "{result}");
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if started.elapsed() > TIMEOUT {
                let _ = self.child.kill();
                panic!("the server did not exit; stderr:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One framed message from the server, or `None` at the end.
fn read_frame(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    Some(body)
}
