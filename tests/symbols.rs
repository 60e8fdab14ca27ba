//! Golden tests of symbol anchors: one small realistic file per language with a `symbols`
//! query (`tests/symbols/<language>/`), holding an exposure in each place that matters:
//!
//! - a doc comment right above a function or method, with attribute, annotation or
//!   decorator lines between where the language has them: the declaration's symbol;
//! - a comment inside a method's body: the method, qualified by the class, module or
//!   impl around it (`Orders.find`);
//! - the file's opening comment, a blank line above the code: no symbol;
//! - a trap: a comment above a blank line above a function: no symbol.
//!
//! Each test compares `(line, symbol)` of every exposure with the list written here.

mod common;

use std::path::Path;

use threatline::languages::table;

/// `(line, symbol)` of every exposure the scan of `tests/symbols/<dir>` finds, by line,
/// after checking that the directory holds one file and that it is read as `language`.
fn exposures(dir: &str, language: &str) -> Vec<(u32, Option<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/symbols")
        .join(dir);
    let files: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{dir}: one fixture file");
    let read_as = table().by_path(&files[0]).map(|l| l.name.as_str());
    assert_eq!(read_as, Some(language), "{}", files[0].display());
    let model = common::scan(&root);
    let mut found: Vec<_> = model
        .exposures
        .iter()
        .map(|e| (e.site.location.line, e.site.symbol.clone()))
        .collect();
    found.sort();
    found
}

fn check(dir: &str, language: &str, expected: &[(u32, Option<&str>)]) {
    let expected: Vec<_> = expected
        .iter()
        .map(|&(line, symbol)| (line, symbol.map(str::to_string)))
        .collect();
    assert_eq!(exposures(dir, language), expected, "{language}");
}

/// Every language with a `symbols` query, and its fixture directory.
const GOLDEN: &[(&str, &str)] = &[
    ("Rust", "rust"),
    ("Python", "python"),
    ("Go", "go"),
    ("JavaScript", "javascript"),
    ("TypeScript", "typescript"),
    ("TSX", "tsx"),
    ("Java", "java"),
    ("Kotlin", "kotlin"),
    ("C", "c"),
    ("C++", "cpp"),
    ("C#", "csharp"),
    ("Swift", "swift"),
    ("Scala", "scala"),
    ("Ruby", "ruby"),
    ("PHP", "php"),
    ("Bash", "bash"),
    ("Lua", "lua"),
    ("Haskell", "haskell"),
    ("Elixir", "elixir"),
    ("SQL", "sql"),
    ("TOML", "toml"),
    ("HCL", "hcl"),
];

/// The languages deliberately without a `symbols` query, and why.
const WITHOUT_SYMBOLS: &[(&str, &str)] = &[
    (
        "YAML",
        "data: no declarations (x-threatspec values are read by key)",
    ),
    (
        "JSON",
        "data: no declarations (x-threatspec values are read by key)",
    ),
    (
        "Dockerfile",
        "a build stage is one FROM instruction in the tree, not a node holding the stage",
    ),
];

#[test]
fn every_language_with_declarations_has_a_symbols_query_and_a_golden() {
    for language in &table().all {
        let name = language.name.as_str();
        let golden = GOLDEN.iter().any(|(l, _)| *l == name);
        let without = WITHOUT_SYMBOLS.iter().any(|(l, _)| *l == name);
        match &language.symbols {
            Some(_) => {
                assert!(golden, "{name}: a symbols query with no golden here");
                assert!(!without, "{name}: listed as having no symbols query");
            }
            None => assert!(
                without,
                "{name}: no symbols query; write one, or list the language in \
                 WITHOUT_SYMBOLS with the reason"
            ),
        }
    }
    for (name, dir) in GOLDEN.iter().chain(WITHOUT_SYMBOLS) {
        assert!(
            table().all.iter().any(|l| l.name == *name),
            "{name} ({dir}): no such language in the table"
        );
    }
}

#[test]
fn every_golden_directory_is_tested() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/symbols");
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            GOLDEN.iter().any(|(_, d)| *d == dir),
            "tests/symbols/{dir}: not in GOLDEN"
        );
    }
}

#[test]
fn rust() {
    check(
        "rust",
        "Rust",
        &[
            (2, None),
            // Doc comment, then `#[must_use]` and `#[inline]`.
            (12, Some("Orders.find")),
            (16, Some("Orders.find")),
            (23, Some("audit.record")),
            (27, None),
        ],
    );
}

#[test]
fn python() {
    check(
        "python",
        "Python",
        &[
            (2, None),
            // Comment, then `@functools.lru_cache`.
            (9, Some("Payments.charge")),
            (12, Some("Payments.charge")),
            (17, Some("Payments.Refunds.issue")),
            (21, None),
        ],
    );
}

#[test]
fn go() {
    check(
        "go",
        "Go",
        &[
            (2, None),
            (9, Some("Server")),
            // A method is declared outside its type: its name is not qualified by it.
            (16, Some("ServeHTTP")),
            (20, None),
        ],
    );
}

#[test]
fn javascript() {
    check(
        "javascript",
        "JavaScript",
        &[
            (2, None),
            // JSDoc, then `@logged`.
            (9, Some("Sessions.login")),
            (13, Some("Sessions.login")),
            (19, Some("handler")),
            (23, None),
        ],
    );
}

#[test]
fn typescript() {
    check(
        "typescript",
        "TypeScript",
        &[
            (2, None),
            (7, Some("Finder.find")),
            // TSDoc, then `@Get(":id")`.
            (15, Some("OrderService.find")),
            (19, Some("OrderService.find")),
            (26, Some("Internal.audit")),
            (30, None),
        ],
    );
}

#[test]
fn tsx() {
    check(
        "tsx",
        "TSX",
        &[
            (2, None),
            (6, Some("Profile")),
            (8, Some("Profile")),
            // JSDoc, then `@bound`.
            (15, Some("Editor.save")),
            (19, Some("Editor.save")),
            (24, None),
        ],
    );
}

#[test]
fn java() {
    check(
        "java",
        "Java",
        &[
            (2, None),
            // Javadoc, then `@PostMapping(...)` and `@Transactional`.
            (11, Some("AccountController.update")),
            (16, Some("AccountController.update")),
            (22, Some("AccountController.Validator.check")),
            (28, None),
        ],
    );
}

#[test]
fn kotlin() {
    check(
        "kotlin",
        "Kotlin",
        &[
            (2, None),
            (9, Some("Ledger.append")),
            // KDoc, then `@Synchronized` and `@Throws(...)`.
            (18, Some("Wallet.transfer")),
            (23, Some("Wallet.transfer")),
            // An unnamed companion object adds no level.
            (32, Some("Wallet.open")),
            (42, None),
            // A property holding a lambda is a declaration, as in JavaScript.
            (46, Some("main.spend")),
        ],
    );
}

#[test]
fn c() {
    check(
        "c",
        "C",
        &[
            (2, None),
            (10, Some("frame")),
            // An anonymous struct is named by its typedef.
            (16, Some("status_t")),
            // Doc comment, then `[[nodiscard]]`.
            (21, Some("parse_frame")),
            (26, Some("parse_frame")),
            // A function returning a pointer.
            (32, Some("frame_dup")),
            // Above a blank line above a prototype.
            (38, None),
        ],
    );
}

#[test]
fn cpp() {
    check(
        "cpp",
        "C++",
        &[
            (2, None),
            // Above the `template <...>` line of a class template.
            (9, Some("store.Cache")),
            // Doc comment, then `[[nodiscard]]`.
            (14, Some("store.Cache.get")),
            (17, Some("store.Cache.get")),
            // A definition outside its class is named as written.
            (35, Some("store.Pool::take")),
            (41, None),
        ],
    );
}

#[test]
fn csharp() {
    check(
        "csharp",
        "C#",
        &[
            (2, None),
            (12, Some("Shop.Api.IOrders.Find")),
            // XML doc, then `[HttpGet("{id}")]`.
            (20, Some("Shop.Api.OrdersController.Get")),
            (24, Some("Shop.Api.OrdersController.Get")),
            // In a property's getter.
            (32, Some("Shop.Api.OrdersController.Token")),
            (41, None),
        ],
    );
}

#[test]
fn swift() {
    check(
        "swift",
        "Swift",
        &[
            (2, None),
            (7, Some("SecretStore.read")),
            // Doc comment, then `@discardableResult`.
            (13, Some("Keychain.read")),
            (16, Some("Keychain.read")),
            (21, Some("Keychain.init")),
            // An extension is named by the type it extends.
            (31, Some("Keychain.wipe")),
            (40, None),
        ],
    );
}

#[test]
fn scala() {
    check(
        "scala",
        "Scala",
        &[
            (2, None),
            (7, Some("Store.append")),
            // Scaladoc, then `@throws[...]`.
            (13, Some("Ledger.record")),
            (17, Some("Ledger.record")),
            // The companion object.
            (24, Some("Ledger.apply")),
            (31, None),
        ],
    );
}

#[test]
fn ruby() {
    check(
        "ruby",
        "Ruby",
        &[
            (2, None),
            (8, Some("Billing.Charge")),
            (10, Some("Billing.Charge.create")),
            (16, Some("Billing.Charge.capture")),
            // `class << self` adds no level.
            (22, Some("Billing.Charge.refund")),
            // `class Billing::Invoice` is named as written.
            (31, Some("Billing::Invoice.total")),
            (36, None),
        ],
    );
}

#[test]
fn php() {
    check(
        "php",
        "PHP",
        &[
            (3, None),
            (11, Some("Finder.find")),
            // PHPDoc, then `#[Route(...)]`; `namespace App\Http;` holds nothing.
            (19, Some("OrderController.find")),
            (24, Some("OrderController.find")),
            (33, Some("Audits.audit")),
            (37, None),
        ],
    );
}

#[test]
fn bash() {
    check(
        "bash",
        "Bash",
        &[
            (3, None),
            (8, Some("upload")),
            (10, Some("upload")),
            (18, None),
        ],
    );
}

#[test]
fn lua() {
    check(
        "lua",
        "Lua",
        &[
            (2, None),
            // `local function check`.
            (7, Some("check")),
            (9, Some("check")),
            // Names as written.
            (13, Some("M.access")),
            (19, Some("M:log")),
            // `local handler = function (req) ... end`.
            (23, Some("handler")),
            (27, None),
        ],
    );
}

#[test]
fn haskell() {
    check(
        "haskell",
        "Haskell",
        &[
            (2, None),
            (9, Some("Session")),
            // A class method's signature.
            (15, Some("Store.fetch")),
            // An instance is named by its type: `instance Show Session`.
            (20, Some("Session.show")),
            // Haddock above the signature, then in the equation.
            (24, Some("login")),
            (27, Some("login")),
            (33, None),
        ],
    );
}

#[test]
fn elixir() {
    check(
        "elixir",
        "Elixir",
        &[
            (2, None),
            // Comment, then `@doc` and `@spec`.
            (8, Some("Shop.Accounts.register")),
            (12, Some("Shop.Accounts.register")),
            // `defp hash(password) when is_binary(password)`.
            (17, Some("Shop.Accounts.hash")),
            (27, Some("Shop.Accounts.Token.sign")),
            (33, None),
        ],
    );
}

#[test]
fn sql() {
    check(
        "sql",
        "SQL",
        &[
            (2, None),
            (4, Some("users")),
            (7, Some("users")),
            // Not `void`, the return type.
            (15, Some("delete_user")),
            (21, None),
        ],
    );
}

#[test]
fn toml() {
    check(
        "toml",
        "TOML",
        &[
            (2, None),
            (6, None),
            (9, Some("database")),
            (11, Some("database")),
            (18, Some("users")),
        ],
    );
}

#[test]
fn hcl() {
    check(
        "hcl",
        "HCL",
        &[
            (2, None),
            // A block is named by its last label: `resource "aws_s3_bucket" "logs"`.
            (9, Some("logs")),
            (14, Some("logs.lifecycle")),
            (20, Some("vpc")),
            (24, None),
        ],
    );
}

/// `(line, symbol)` of every exposure in a tree of one file.
fn exposures_of(path: &str, text: &str) -> Vec<(u32, Option<String>)> {
    let model = common::model(&[(path, text)]);
    let mut found: Vec<_> = model
        .exposures
        .iter()
        .map(|e| (e.site.location.line, e.site.symbol.clone()))
        .collect();
    found.sort();
    found
}

#[test]
fn haskell_top_level_declarations_keep_their_symbols_when_the_module_fails_to_parse() {
    // Twice more, annotations defused: the second module header makes the whole file one
    // ERROR node, whose children the top-level functions and signatures then are. An
    // annotation at the end makes the whole file parsed (not a prefix that parses clean).
    let fixture = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/symbols/haskell/Auth.hs"),
    )
    .unwrap();
    let padded = format!("\n{}", fixture.replace('@', "_")).repeat(2);
    let text = format!("{fixture}{padded}\n-- @exposes App:Auth to Tampering\n");
    let mut expected = exposures("haskell", "Haskell");
    expected.push((text.lines().count() as u32, None));
    assert_eq!(exposures_of("Auth.hs", &text), expected);
}

#[test]
fn cpp_a_local_variable_that_parses_as_a_prototype_is_no_declaration() {
    // `Lock lock(mutex);` in a body is a `declaration` with a function declarator.
    let text = "\
int get() {
    // @exposes App:Cache to Tampering
    Lock lock(mutex);
    return 0;
}
";
    assert_eq!(
        exposures_of("cache.cpp", text),
        [(2, Some("get".to_string()))]
    );
}
