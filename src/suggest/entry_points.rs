//! Server entry points in code: Go `http.ListenAndServe` (or a server's
//! `.ListenAndServe()`) and `grpc.NewServer`, Python `Flask(__name__)`, `FastAPI()` and
//! Django's `manage.py`, Node `express()` with `.listen(`, Java and Kotlin
//! `@SpringBootApplication`, Rust `axum::serve`, `actix_web::HttpServer` and
//! `TcpListener::bind`. Each is a Compute component named after the service's directory.
//!
//! Recognition is by line, with comment lines skipped: these calls are distinctive
//! enough that a parser would add cost without changing the answer. Tests (by file
//! name, and Rust's `#[cfg(test)]` modules) are left out, since the servers they start
//! are not the project's components.

use std::sync::LazyLock;

use regex::Regex;

use super::files::{SourceFile, extension, file_name};
use super::{Context, Detection, Detector, service_name};
use crate::annotation::Layer;

pub const DETECTOR: Detector = Detector {
    name: "entry-point",
    reads,
    detect,
};

/// One way of starting a server: the file extensions it applies to, the line that shows
/// it, what it is called, and a word the file must also contain (an import that makes a
/// common name unambiguous).
struct Pattern {
    extensions: &'static [&'static str],
    line: &'static str,
    what: &'static str,
    requires: Option<&'static str>,
}

const GO: &[&str] = &["go"];
const PYTHON: &[&str] = &["py"];
const NODE: &[&str] = &["js", "mjs", "cjs", "ts", "mts", "cts"];
const JVM: &[&str] = &["java", "kt"];
const RUST: &[&str] = &["rs"];

/// In order of preference: a file's first matching pattern names what it is.
const PATTERNS: &[Pattern] = &[
    Pattern {
        extensions: GO,
        line: r"\bgrpc\.NewServer\s*\(",
        what: "gRPC server",
        requires: None,
    },
    Pattern {
        extensions: GO,
        line: r"\bListenAndServe(TLS)?\s*\(",
        what: "Go HTTP server",
        requires: Some("net/http"),
    },
    Pattern {
        extensions: PYTHON,
        line: r"\bFlask\s*\(\s*__name__",
        what: "Flask app",
        requires: None,
    },
    Pattern {
        extensions: PYTHON,
        line: r"\bFastAPI\s*\(",
        what: "FastAPI app",
        requires: None,
    },
    Pattern {
        extensions: PYTHON,
        line: r"\bexecute_from_command_line\s*\(",
        what: "Django project",
        requires: Some("django"),
    },
    Pattern {
        extensions: NODE,
        line: r"\.listen\s*\(",
        what: "Express server",
        requires: Some("express()"),
    },
    Pattern {
        extensions: JVM,
        line: r"^\s*@SpringBootApplication\b",
        what: "Spring Boot application",
        requires: None,
    },
    Pattern {
        extensions: RUST,
        line: r"\baxum::(serve\s*\(|Server::bind)",
        what: "axum server",
        requires: None,
    },
    Pattern {
        extensions: RUST,
        line: r"\bHttpServer::new\s*\(",
        what: "actix-web server",
        requires: Some("actix_web"),
    },
    Pattern {
        extensions: RUST,
        line: r"\bTcpListener::bind\s*\(",
        what: "TCP server",
        requires: None,
    },
];

static REGEXES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .map(|p| Regex::new(p.line).expect("entry point patterns are valid (tested)"))
        .collect()
});

fn reads(path: &str) -> bool {
    let Some(ext) = extension(path) else {
        return false;
    };
    PATTERNS
        .iter()
        .any(|p| p.extensions.contains(&ext.as_str()))
        && !is_test(path)
}

/// A test file by its name (test directories are never walked: see `files.rs`).
fn is_test(path: &str) -> bool {
    let name = file_name(path);
    let (stem, ext) = name.split_once('.').unwrap_or((name, ""));
    let lower = stem.to_ascii_lowercase();
    let jvm = matches!(ext, "java" | "kt");
    lower.starts_with("test_")
        || lower.ends_with("_test")
        || lower == "conftest"
        || (jvm && (stem.ends_with("Test") || stem.ends_with("Tests") || stem.ends_with("IT")))
        || ext.starts_with("test.")
        || ext.starts_with("spec.")
}

fn detect(file: &SourceFile, _cx: &Context) -> Vec<Detection> {
    let ext = extension(&file.path).unwrap_or_default();
    for (pattern, regex) in PATTERNS.iter().zip(REGEXES.iter()) {
        if !pattern.extensions.contains(&ext.as_str())
            || pattern
                .requires
                .is_some_and(|word| !file.text.contains(word))
        {
            continue;
        }
        // Django's marker only counts in the project's own manage.py.
        if pattern.what == "Django project" && file_name(&file.path) != "manage.py" {
            continue;
        }
        let hit = file
            .text
            .lines()
            .enumerate()
            // Rust keeps unit tests at the end of the file they test.
            .take_while(|(_, line)| ext != "rs" || line.trim() != "#[cfg(test)]")
            .find(|(_, line)| !is_comment(line) && regex.is_match(line));
        if let Some((index, _)) = hit {
            return vec![Detection {
                segments: vec![service_name(&file.path)],
                layer: Layer::Compute,
                line: index as u32 + 1,
                reason: pattern.what.to_string(),
            }];
        }
    }
    Vec::new()
}

/// A line that is a comment from its start, in any of the languages above.
fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("//") || t.starts_with('#') || t.starts_with("/*") || t.starts_with('*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LayerKeywords;

    fn run(path: &str, text: &str) -> Option<(String, u32, String)> {
        let cx = Context {
            system: "Shop",
            keywords: LayerKeywords::builtin(),
        };
        assert!(reads(path), "{path} is read");
        let found = detect(&SourceFile::new(path, text), &cx);
        assert!(found.len() <= 1);
        found
            .into_iter()
            .next()
            .map(|d| (d.segments.join(":"), d.line, d.reason))
    }

    #[test]
    fn recognises_each_framework() {
        let go = "package main\nimport \"net/http\"\nfunc main() {\n\tsrv.ListenAndServe()\n}\n";
        assert_eq!(
            run("cmd/gateway/main.go", go),
            Some(("gateway".into(), 4, "Go HTTP server".into()))
        );
        let grpc = "import \"google.golang.org/grpc\"\ns := grpc.NewServer()\n";
        assert_eq!(run("rpc/server.go", grpc).unwrap().2, "gRPC server");
        let flask = "from flask import Flask\napp = Flask(__name__)\n";
        assert_eq!(
            run("web/app.py", flask),
            Some(("web".into(), 2, "Flask app".into()))
        );
        let fastapi = "from fastapi import FastAPI\napp = FastAPI(title=\"x\")\n";
        assert_eq!(run("orders/app/api.py", fastapi).unwrap().0, "orders");
        let django = "import os\nfrom django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n";
        assert_eq!(run("site/manage.py", django).unwrap().1, 3);
        assert_eq!(run("site/other.py", django), None);
        let express = "const app = express();\n// app.listen(1)\napp.listen(8080);\n";
        assert_eq!(
            run("auth/src/server.ts", express),
            Some(("auth".into(), 3, "Express server".into()))
        );
        assert_eq!(run("web/client.js", "socket.listen(1);\n"), None);
        let spring = "package shop.payments;\n@SpringBootApplication\npublic class App {}\n";
        assert_eq!(
            run("payments/src/main/java/shop/payments/App.java", spring),
            Some(("payments".into(), 2, "Spring Boot application".into()))
        );
        let axum = "async fn main() {\n    axum::serve(tokio::net::TcpListener::bind(a).await?, app);\n}\n";
        assert_eq!(run("catalogue/src/main.rs", axum).unwrap().2, "axum server");
        let actix = "use actix_web::{App, HttpServer};\n    HttpServer::new(|| App::new())\n";
        assert_eq!(run("api/src/main.rs", actix).unwrap().2, "actix-web server");
        let tcp = "let l = std::net::TcpListener::bind(\"0.0.0.0:1\")?;\n";
        assert_eq!(run("src/main.rs", tcp).unwrap().0, "app");
    }

    #[test]
    fn comments_and_prose_are_not_servers() {
        let text =
            "// http.ListenAndServe(\":80\", nil)\n/* grpc.NewServer() */\nimport \"net/http\"\n";
        assert_eq!(run("x/main.go", text), None);
        assert_eq!(run("x/a.py", "# app = Flask(__name__)\n"), None);
        assert_eq!(
            run("x/App.kt", "// @SpringBootApplication\nclass App\n"),
            None
        );
    }

    #[test]
    fn tests_are_not_read() {
        for path in [
            "x/main_test.go",
            "x/test_app.py",
            "x/conftest.py",
            "web/server.test.ts",
            "web/server.spec.js",
            "src/test/java/shop/AppTest.java",
            "x/AppTests.kt",
            "x/ServerIT.java",
        ] {
            assert!(!reads(path), "{path}");
        }
        assert!(!reads("README.md"));
        assert!(reads("latest/app.py"));
        assert!(reads("x/Latest.java"));
    }

    #[test]
    fn rust_unit_tests_are_not_servers() {
        let text = "fn main() {}\n\n#[cfg(test)]\nmod tests {\n    const S: &str = \"axum::serve(l, app)\";\n}\n";
        assert_eq!(run("svc/src/main.rs", text), None);
    }

    #[test]
    fn patterns_compile() {
        assert_eq!(REGEXES.len(), PATTERNS.len());
    }
}
