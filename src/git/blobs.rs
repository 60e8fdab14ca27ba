//! Streaming blobs out of one `git cat-file --batch` and scanning them in parallel. One
//! thread feeds object names to git, this thread reads the blobs in order, and a pool of
//! workers (each with its own `Scanner`, as the walker's threads have) scans them; results
//! are sorted by path afterwards, so the thread count never changes the output.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Mutex, mpsc};

use super::GitError;
use super::select::Wanted;
use crate::admit::{self, Content};
use crate::scan::{FileKind, FileResult, Scanner};
use crate::walk::WalkOptions;

struct Batch {
    child: Child,
    stdout: BufReader<ChildStdout>,
    feeder: std::thread::JoinHandle<std::io::Result<()>>,
}

/// Starts `git cat-file --batch` and a thread writing `oids` to it.
fn start(top: &Path, oids: Vec<String>) -> Result<Batch, GitError> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(GitError::Spawn)?;
    let mut stdin = child.stdin.take().expect("piped");
    let stdout = BufReader::new(child.stdout.take().expect("piped"));
    // Written from another thread: git answers while we write, and a full pipe either way
    // would otherwise block both.
    let feeder = std::thread::spawn(move || {
        for oid in oids {
            stdin.write_all(oid.as_bytes())?;
            stdin.write_all(b"\n")?;
        }
        Ok(())
    });
    Ok(Batch {
        child,
        stdout,
        feeder,
    })
}

/// One blob's header and content: `None` when git says the object is missing. A blob
/// over `cap` bytes is read through the prefilter, not kept (see `crate::admit`).
fn next_blob(
    stdout: &mut impl BufRead,
    cap: u64,
    kind: Option<FileKind>,
) -> Result<Option<Content>, GitError> {
    let mut header = String::new();
    stdout
        .read_line(&mut header)
        .map_err(|e| GitError::Command("cat-file --batch".into(), e.to_string()))?;
    let parts: Vec<&str> = header.split_whitespace().collect();
    match parts[..] {
        [_, "missing"] => Ok(None),
        [_, _, size] => {
            let size: u64 = size
                .parse()
                .map_err(|_| GitError::Parse(format!("cat-file header `{}`", header.trim())))?;
            let io =
                |e: std::io::Error| GitError::Command("cat-file --batch".into(), e.to_string());
            let mut blob = stdout.by_ref().take(size);
            let content = admit::read_capped(&mut blob, size, cap, kind).map_err(io)?;
            if blob.limit() > 0 {
                return Err(GitError::Parse(format!(
                    "cat-file ended {} bytes short of a blob",
                    blob.limit()
                )));
            }
            let mut newline = [0u8; 1];
            stdout.read_exact(&mut newline).map_err(io)?;
            Ok(Some(content))
        }
        _ => Err(GitError::Parse(format!(
            "cat-file header `{}`",
            header.trim()
        ))),
    }
}

fn finish(batch: Batch) -> Result<(), GitError> {
    let Batch {
        mut child, feeder, ..
    } = batch;
    let fed = feeder
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("feeder panicked")));
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let status = child
        .wait()
        .map_err(|e| GitError::Command("cat-file --batch".into(), e.to_string()))?;
    if !status.success() {
        return Err(GitError::Command(
            "cat-file --batch".into(),
            stderr.trim().to_string(),
        ));
    }
    fed.map_err(|e| GitError::Command("cat-file --batch".into(), e.to_string()))
}

/// The contents of a few small blobs (ignore files), in order; a missing one is empty.
pub fn read_small(top: &Path, oids: &[&str]) -> Result<Vec<Vec<u8>>, GitError> {
    if oids.is_empty() {
        return Ok(Vec::new());
    }
    let mut batch = start(top, oids.iter().map(|s| s.to_string()).collect())?;
    let mut out = Vec::with_capacity(oids.len());
    for _ in oids {
        out.push(match next_blob(&mut batch.stdout, 1024 * 1024, None)? {
            Some(Content::Whole(bytes)) => bytes,
            _ => Vec::new(),
        });
    }
    finish(batch)?;
    Ok(out)
}

/// Reads and scans every wanted blob.
pub fn scan(
    top: &Path,
    wanted: Vec<Wanted>,
    options: &WalkOptions,
) -> Result<Vec<FileResult>, GitError> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        options.threads
    };
    let mut batch = start(top, wanted.iter().map(|w| w.oid.clone()).collect())?;
    let results = Mutex::new(Vec::new());
    // Bounded: at most a few blobs wait in memory per worker.
    let (send, receive) = mpsc::sync_channel::<(String, Vec<u8>, Option<FileKind>)>(threads * 4);
    let receive = Mutex::new(receive);
    let read = std::thread::scope(|scope| {
        for _ in 0..threads {
            let (receive, results) = (&receive, &results);
            scope.spawn(move || {
                let mut scanner = Scanner::new(options.parse_deadline);
                loop {
                    let job = receive.lock().expect("no panics hold this lock").recv();
                    let Ok((path, bytes, kind)) = job else {
                        break;
                    };
                    if let Some(result) = scanner.scan(&path, bytes, kind) {
                        results
                            .lock()
                            .expect("no panics hold this lock")
                            .push(result);
                    }
                }
            });
        }
        let read = read_all(
            &mut batch.stdout,
            wanted,
            options.max_file_size,
            &send,
            &results,
        );
        drop(send);
        read
    });
    if let Err(e) = read {
        // git may be blocked writing what nobody reads now.
        let _ = batch.child.kill();
        let _ = finish(batch);
        return Err(e);
    }
    finish(batch)?;
    Ok(results.into_inner().expect("no panics hold this lock"))
}

fn read_all(
    stdout: &mut impl BufRead,
    wanted: Vec<Wanted>,
    cap: u64,
    send: &mpsc::SyncSender<(String, Vec<u8>, Option<FileKind>)>,
    results: &Mutex<Vec<FileResult>>,
) -> Result<(), GitError> {
    for w in wanted {
        let blob = match next_blob(stdout, cap, w.kind)? {
            None => {
                return Err(GitError::Command(
                    "cat-file --batch".into(),
                    format!("object {} of {} is missing", w.oid, w.path),
                ));
            }
            Some(Content::TooLarge { size, may_hold }) => {
                if let Some(warning) = admit::oversized(&w.path, size, cap, may_hold) {
                    results
                        .lock()
                        .expect("no panics hold this lock")
                        .push(warning);
                }
                continue;
            }
            Some(Content::Whole(bytes)) => bytes,
        };
        if admit::is_binary(&blob) {
            continue;
        }
        if send.send((w.path, blob, w.kind)).is_err() {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_blobs_and_passes_over_big_ones() {
        let stream = b"a blob 3\nabc\nb missing\nc blob 5\nhello\nd blob 11\n# @threat T\n";
        let mut r = BufReader::new(&stream[..]);
        let whole = |c: Option<Content>| match c {
            Some(Content::Whole(bytes)) => Some(Ok(bytes)),
            Some(Content::TooLarge { size, may_hold }) => Some(Err((size, may_hold))),
            None => None,
        };
        let py = crate::scan::kind_by_name(std::path::Path::new("a.py"));
        assert_eq!(
            whole(next_blob(&mut r, 4, py).unwrap()),
            Some(Ok(b"abc".to_vec()))
        );
        assert_eq!(whole(next_blob(&mut r, 4, py).unwrap()), None);
        assert_eq!(
            whole(next_blob(&mut r, 4, py).unwrap()),
            Some(Err((5, false)))
        );
        assert_eq!(
            whole(next_blob(&mut r, 4, py).unwrap()),
            Some(Err((11, true)))
        );
        assert!(next_blob(&mut r, 4, py).is_err(), "the stream is over");
    }
}
