//! JSON-RPC over stdio with `Content-Length` framing, tolerant of a bad client.
//!
//! `lsp-server`'s own stdio transport ends the connection at the first payload that is
//! not a message (its reader thread returns the error), so one stray write to the server's
//! stdin would end the session. This reader answers a payload that is not JSON with a
//! parse error, one that is JSON but no message with an invalid-request error, and after
//! garbage (or a length over [`MAX_BODY`], which no editor sends) resynchronises on the
//! next `Content-Length` header. Messages themselves are `lsp-server`'s types.

use std::io::{self, BufRead, Write};
use std::sync::mpsc::{Receiver, Sender};
use std::thread::JoinHandle;

use lsp_server::{Message, RequestId};

/// A header line longer than this is garbage, read on and dropped.
const MAX_HEADER_LINE: usize = 8 * 1024;

/// A length larger than this is taken for garbage: no body is read for it.
pub const MAX_BODY: usize = 256 * 1024 * 1024;

/// What the reader hands the server.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A frame that held no message: what was wrong, and the request id when one could be
    /// read (so the error can be answered to it).
    Malformed {
        id: Option<RequestId>,
        code: MalformedKind,
        detail: String,
    },
    /// The client closed stdin (or reading it failed).
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MalformedKind {
    /// Not JSON, or not UTF-8: JSON-RPC's parse error.
    Parse,
    /// JSON, but not a request, response or notification.
    Invalid,
    /// Bytes between frames, a bad header or an oversized frame.
    Framing,
}

/// What the writer sends: a message, or a raw JSON-RPC object (a parse error's response
/// has a `null` id, which `lsp-server`'s `Response` cannot hold).
pub enum Out {
    Message(Message),
    Raw(serde_json::Value),
}

impl From<Message> for Out {
    fn from(message: Message) -> Out {
        Out::Message(message)
    }
}

/// Starts the reader thread on stdin (sending into `sink`) and the writer thread on
/// stdout (fed by the returned channel's receiver).
pub fn stdio<E>(sink: Sender<E>, outgoing: Receiver<Out>) -> JoinHandle<()>
where
    E: From<Incoming> + Send + 'static,
{
    std::thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || {
            let stdin = io::stdin();
            read_loop(stdin.lock(), |incoming| {
                sink.send(E::from(incoming)).is_ok()
            });
        })
        .expect("a thread can be started");
    std::thread::Builder::new()
        .name("lsp-writer".into())
        .spawn(move || {
            let stdout = io::stdout();
            let mut out = stdout.lock();
            for message in outgoing {
                if write(&mut out, &message).is_err() {
                    break;
                }
            }
        })
        .expect("a thread can be started")
}

/// Writes one framed message and flushes.
pub fn write(out: &mut impl Write, message: &Out) -> io::Result<()> {
    let text = match message {
        Out::Message(m) => {
            let mut buf = Vec::new();
            m.write(&mut buf)?;
            out.write_all(&buf)?;
            return out.flush();
        }
        Out::Raw(value) => value.to_string(),
    };
    write!(out, "Content-Length: {}\r\n\r\n", text.len())?;
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Reads frames until the input ends or `deliver` says the server is gone.
pub fn read_loop(mut input: impl BufRead, mut deliver: impl FnMut(Incoming) -> bool) {
    loop {
        let (garbage, frame) = match read_frame(&mut input) {
            Ok(read) => read,
            Err(_) => (None, Frame::End),
        };
        if let Some(detail) = garbage {
            let bad = Incoming::Malformed {
                id: None,
                code: MalformedKind::Framing,
                detail,
            };
            if !deliver(bad) {
                return;
            }
        }
        let incoming = match frame {
            Frame::Body(body) => parse(&body),
            Frame::End => {
                deliver(Incoming::Closed);
                return;
            }
        };
        let exit =
            matches!(&incoming, Incoming::Message(Message::Notification(n)) if n.method == "exit");
        if !deliver(incoming) || exit {
            return;
        }
    }
}

enum Frame {
    Body(Vec<u8>),
    End,
}

/// Reads the next frame: headers up to a blank line, then `Content-Length` bytes. Garbage
/// read before the frame's header is returned with it, described once.
fn read_frame(input: &mut impl BufRead) -> io::Result<(Option<String>, Frame)> {
    let mut length: Option<usize> = None;
    let mut garbage: Option<String> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        if read_line_capped(input, &mut line)? == 0 {
            return Ok((garbage, Frame::End));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            let Some(length) = length.take() else {
                continue;
            };
            if length > MAX_BODY {
                garbage.get_or_insert_with(|| {
                    format!("a length of {length} bytes is over the {MAX_BODY} byte limit")
                });
                continue;
            }
            let mut body = vec![0; length];
            input.read_exact(&mut body)?;
            return Ok((garbage, Frame::Body(body)));
        }
        let lower = text.to_ascii_lowercase();
        if let Some(at) = lower.find("content-length:") {
            if at > 0 {
                garbage.get_or_insert_with(|| shorten(&text[..at]));
            }
            match text[at + "content-length:".len()..].trim().parse::<usize>() {
                Ok(n) => length = Some(n),
                Err(_) => {
                    garbage.get_or_insert_with(|| shorten(text));
                    length = None;
                }
            }
        } else if length.is_some() && text.contains(':') {
            // Another header (`Content-Type`): nothing to do with it.
        } else {
            garbage.get_or_insert_with(|| shorten(text));
            length = None;
        }
    }
}

/// Reads up to and including `\n`, keeping at most [`MAX_HEADER_LINE`] bytes of it.
fn read_line_capped(input: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<usize> {
    let mut total = 0;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(total);
        }
        let (used, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        let room = MAX_HEADER_LINE.saturating_sub(line.len());
        line.extend_from_slice(&available[..used.min(room)]);
        input.consume(used);
        total += used;
        if done {
            return Ok(total);
        }
    }
}

fn shorten(text: &str) -> String {
    let mut s: String = text.chars().take(80).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    format!("bytes that are no LSP header: {s:?}")
}

/// A frame's body as a message, or what is wrong with it.
fn parse(body: &[u8]) -> Incoming {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Incoming::Malformed {
                id: None,
                code: MalformedKind::Parse,
                detail: format!("the message is not JSON: {e}"),
            };
        }
    };
    let id = value
        .get("id")
        .and_then(|id| serde_json::from_value::<RequestId>(id.clone()).ok());
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(e) => Incoming::Malformed {
            id,
            code: MalformedKind::Invalid,
            detail: format!("the JSON is not a JSON-RPC request, response or notification: {e}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<String> {
        let mut got = Vec::new();
        read_loop(input, |incoming| {
            got.push(match incoming {
                Incoming::Message(Message::Request(r)) => format!("request {}", r.method),
                Incoming::Message(Message::Notification(n)) => format!("notification {}", n.method),
                Incoming::Message(Message::Response(_)) => "response".to_string(),
                Incoming::Malformed { code, id, .. } => format!("{code:?} {id:?}"),
                Incoming::Closed => "closed".to_string(),
            });
            true
        });
        got
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn garbage_between_frames_is_reported_and_skipped() {
        let input = format!(
            "{}hello there\n{}{}{}",
            frame(r#"{"jsonrpc":"2.0","id":1,"method":"a"}"#),
            frame("{not json"),
            frame(r#"{"jsonrpc":"2.0","id":7}"#),
            frame(r#"{"jsonrpc":"2.0","method":"b"}"#),
        );
        assert_eq!(
            frames(input.as_bytes()),
            [
                "request a",
                "Framing None",
                "Parse None",
                "Invalid Some(RequestId(I32(7)))",
                "notification b",
                "closed"
            ]
        );
    }

    #[test]
    fn a_length_over_the_limit_is_garbage_and_the_next_frame_is_read() {
        let input = format!(
            "Content-Length: 99999999999999\r\n\r\n{}",
            frame(r#"{"jsonrpc":"2.0","method":"d"}"#)
        );
        assert_eq!(
            frames(input.as_bytes()),
            ["Framing None", "notification d", "closed"]
        );
    }

    #[test]
    fn a_bad_length_and_a_header_run_into_garbage() {
        let input = format!(
            "Content-Length: lots\r\n\r\njunk{}",
            frame(r#"{"jsonrpc":"2.0","method":"c"}"#)
        );
        assert_eq!(
            frames(input.as_bytes()),
            ["Framing None", "notification c", "closed"]
        );
    }
}
