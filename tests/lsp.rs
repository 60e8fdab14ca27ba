//! End-to-end tests of `threatline lsp`: the real binary, spoken to over stdio as an editor
//! speaks to it (tests/lsp/client.rs), on a copy of a small workspace (tests/lsp/shop).

#[path = "lsp/client.rs"]
mod client;

use client::{Client, position, uri};
use serde_json::{Value, json};

const SERVER: &str = "app/server.py";
const STORE: &str = "db/store.go";

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn with_code<'a>(diagnostics: &'a [Value], code: &str) -> &'a Value {
    diagnostics
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no `{code}` in {diagnostics:#?}"))
}

fn at(c: &Client, uri: &str, line: usize, needle: &str, delta: usize) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position(c.text(uri), line, needle, delta)})
}

#[test]
fn initialize_advertises_the_features_and_shutdown_exits_zero() {
    let mut c = Client::start("shop");
    let registered = c.wait(|m| m["method"] == "client/registerCapability");
    assert_eq!(
        registered["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    let again = c.request("initialize", json!({"capabilities": {}}));
    assert_eq!(again["error"]["code"], -32600);
    let status = c.shutdown();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn diagnostics_on_open_sit_on_their_utf16_columns() {
    let mut c = Client::start("shop");
    let server = c.open(SERVER);
    let diagnostics = c.current_diagnostics(&server);
    // `GREETING = "Grüße 😀"  # @exposes #web to #xss`: 24 characters before `@`, one of
    // them two UTF-16 units.
    let exposure = with_code(&diagnostics, "unmitigated-exposure");
    assert_eq!(
        exposure["range"]["start"],
        json!({"line": 8, "character": 25})
    );
    assert_eq!(
        exposure["range"]["end"],
        json!({"line": 8, "character": 46})
    );
    assert_eq!(exposure["severity"], 2, "medium is a warning");
    assert_eq!(exposure["source"], "threatline");
    assert!(
        exposure["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("docs/rules.md#unmitigated-exposure")
    );
    let related = exposure["relatedInformation"].as_array().unwrap();
    assert!(
        related[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("fix: add `@mitigates #web against #xss"),
        "{related:?}"
    );
    let crossing = with_code(&diagnostics, "unprotected-crossing");
    assert_eq!(crossing["severity"], 1, "high is an error");
    assert_eq!(
        crossing["range"]["start"],
        json!({"line": 6, "character": 2})
    );
    let untested = with_code(&diagnostics, "untested-control");
    assert_eq!(untested["severity"], 4, "info is a hint");
}

#[test]
fn an_error_typed_is_reported_and_cleared_when_fixed() {
    let mut c = Client::start("shop");
    let server = c.open(SERVER);
    assert!(!codes(&c.current_diagnostics(&server)).contains(&"dangling-reference".into()));
    c.replace(&server, 5, "#param-queries", "#param-querys");
    let diagnostics = c.current_diagnostics(&server);
    let dangling = with_code(&diagnostics, "dangling-reference");
    assert_eq!(dangling["severity"], 1);
    assert!(
        dangling["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `#param-queries`?")
    );
    let text = c.text(&server).to_string();
    assert_eq!(
        dangling["range"]["start"],
        position(&text, 5, "#param-querys", 0)
    );
    assert_eq!(
        dangling["range"]["end"],
        position(&text, 5, "#param-querys", 13)
    );
    c.replace(&server, 5, "#param-querys", "#param-queries");
    let diagnostics = c.current_diagnostics(&server);
    assert!(
        !codes(&diagnostics).contains(&"dangling-reference".into()),
        "{diagnostics:#?}"
    );
    assert_eq!(c.shutdown().code(), Some(0));
}

#[test]
fn hover_shows_the_entity_as_a_card() {
    let mut c = Client::start("shop");
    let server = c.open(SERVER);
    // Asked before the first walk has finished: answered once it has.
    let hover = c.call("textDocument/hover", at(&c, &server, 8, "#xss", 2));
    let card = hover["contents"]["value"].as_str().unwrap();
    assert!(
        card.contains("**Threat** · Cross-site Scripting `#xss`"),
        "{card}"
    );
    assert!(card.contains("severity **medium**"), "{card}");
    assert!(
        card.contains("**Exposed**") && card.contains("Shop:Web:App"),
        "{card}"
    );
    assert!(
        card.contains("**Mitigated**") && card.contains("Output Escaping"),
        "{card}"
    );
    assert!(card.contains("`unmitigated-exposure` (medium)"), "{card}");
    assert_eq!(hover["range"]["start"], json!({"line": 8, "character": 42}));
    let hover = c.call("textDocument/hover", at(&c, &server, 1, "Web:App", 1));
    let card = hover["contents"]["value"].as_str().unwrap();
    assert!(
        card.contains("**Component** · Shop:Web:App `#web`"),
        "{card}"
    );
    assert!(
        card.contains("layer **compute**") && card.contains("zone shop"),
        "{card}"
    );
    assert!(
        card.contains("**Flows**") && card.contains("Shop:Data:Postgres"),
        "{card}"
    );
    let hover = c.call("textDocument/hover", at(&c, &server, 5, "@mitigates", 3));
    let card = hover["contents"]["value"].as_str().unwrap();
    assert!(
        card.contains("@mitigates <component> against <threat>"),
        "{card}"
    );
    let hover = c.call("textDocument/hover", at(&c, &server, 6, "#browser-web", 1));
    let card = hover["contents"]["value"].as_str().unwrap();
    assert!(
        card.contains("**Flow** · User:Browser → Shop:Web:App"),
        "{card}"
    );
    assert!(card.contains("`unprotected-crossing` (high)"), "{card}");
    let nothing = c.call("textDocument/hover", at(&c, &server, 12, "return", 1));
    assert_eq!(nothing, Value::Null);
}

#[test]
fn definition_goes_to_the_declaration_or_the_catalogue() {
    let mut c = Client::start("shop");
    let store = c.open(STORE);
    let found = c.call(
        "textDocument/definition",
        at(&c, &store, 5, "#param-queries", 3),
    );
    assert_eq!(found["uri"], uri(&c.root.join(SERVER)));
    let server_text = std::fs::read_to_string(c.root.join(SERVER)).unwrap();
    assert_eq!(
        found["range"]["start"],
        position(&server_text, 4, "param-queries)", 0)
    );
    // A catalogue id: its entry in the catalogue file, written out read-only.
    c.replace(&store, 5, "#param-queries", "#db-least-privilege-accounts");
    let found = c.call(
        "textDocument/definition",
        at(&c, &store, 5, "#db-least-privilege-accounts", 3),
    );
    let file = client::path_of(found["uri"].as_str().unwrap());
    assert!(file.ends_with("catalogue/generic.yaml"), "{file:?}");
    let line = found["range"]["start"]["line"].as_u64().unwrap() as usize;
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.lines()
            .nth(line)
            .unwrap()
            .contains("id: db-least-privilege-accounts"),
        "{}",
        text.lines().nth(line).unwrap()
    );
    assert!(std::fs::metadata(&file).unwrap().permissions().readonly());
}

#[test]
fn references_are_found_across_files() {
    let mut c = Client::start("shop");
    let server = c.open(SERVER);
    let mut params = at(&c, &server, 2, "#sqli", 2);
    params["context"] = json!({"includeDeclaration": true});
    let found = c.call("textDocument/references", params.clone());
    let places: Vec<(String, u64)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let file = client::path_of(l["uri"].as_str().unwrap());
            let rel = file
                .strip_prefix(&c.root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, l["range"]["start"]["line"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        places,
        [
            (SERVER.to_string(), 2),
            (SERVER.to_string(), 5),
            (STORE.to_string(), 5)
        ]
    );
    params["context"] = json!({"includeDeclaration": false});
    let found = c.call("textDocument/references", params);
    assert_eq!(found.as_array().unwrap().len(), 2);
}

#[test]
fn rename_changes_every_file_and_the_model_still_resolves() {
    let mut c = Client::start("shop");
    let server = c.open(SERVER);
    c.current_diagnostics(&server);
    let prepared = c.call("textDocument/prepareRename", at(&c, &server, 5, "#sqli", 1));
    assert_eq!(prepared["placeholder"], "sqli");
    assert_eq!(
        prepared["range"]["start"],
        position(c.text(&server), 5, "sqli", 0)
    );
    // A name is not an id; an id that names something else is taken.
    let name = c.request(
        "textDocument/prepareRename",
        at(&c, &server, 6, "User:Browser", 2),
    );
    assert!(
        name["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only an `#id`")
    );
    let mut taken = at(&c, &server, 5, "#sqli", 1);
    taken["newName"] = json!("xss");
    let taken = c.request("textDocument/rename", taken);
    assert!(
        taken["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already names")
    );

    let mut params = at(&c, &server, 5, "#sqli", 1);
    params["newName"] = json!("#sql-injection");
    let edit = c.call("textDocument/rename", params);
    let changes = edit["changes"].as_object().unwrap();
    assert_eq!(changes[&server].as_array().unwrap().len(), 2);
    let store = uri(&c.root.join(STORE));
    assert_eq!(changes[&store].as_array().unwrap().len(), 1);
    c.apply_workspace_edit(&edit);
    assert!(c.text(&server).contains("SQL Injection (#sql-injection)"));
    let on_disk = std::fs::read_to_string(c.root.join(STORE)).unwrap();
    assert!(on_disk.contains("against #sql-injection with"), "{on_disk}");
    let diagnostics = c.current_diagnostics(&server);
    assert!(
        !codes(&diagnostics).contains(&"dangling-reference".into()),
        "{diagnostics:#?}"
    );
    let mut params = at(&c, &server, 2, "#sql-injection", 2);
    params["context"] = json!({"includeDeclaration": true});
    let found = c.call("textDocument/references", params);
    assert_eq!(found.as_array().unwrap().len(), 3, "{found:#}");
}

/// The labels offered at the end of line `line` after typing `typed` there.
fn offered(c: &mut Client, uri: &str, typed: &str) -> Vec<Value> {
    let text = c.text(uri).to_string();
    let last = text.lines().count();
    let end = json!({"line": last, "character": 0});
    c.edit(
        uri,
        &[json!({"range": {"start": end, "end": end}, "newText": typed})],
    );
    let text = c.text(uri).to_string();
    let line = text.lines().last().unwrap();
    let position = json!({"line": last, "character": line.encode_utf16().count()});
    let result = c.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position}),
    );
    // Take the line away again.
    let start = json!({"line": last, "character": 0});
    let stop = json!({"line": last, "character": line.encode_utf16().count()});
    c.edit(
        uri,
        &[json!({"range": {"start": start, "end": stop}, "newText": ""})],
    );
    result["items"].as_array().cloned().unwrap_or_default()
}

fn labels(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["label"].as_str().unwrap()).collect()
}

#[test]
fn completion_offers_what_each_slot_takes() {
    let mut c = Client::start("shop");
    let server = c.open(SERVER);
    c.current_diagnostics(&server);
    let verbs = offered(&mut c, &server, "# @mit");
    let verb_labels = labels(&verbs);
    for verb in [
        "mitigates",
        "exposes",
        "accepts",
        "connects",
        "threat",
        "flows",
    ] {
        assert!(verb_labels.contains(&verb), "{verb_labels:?}");
    }
    let mitigates = verbs.iter().find(|i| i["label"] == "mitigates").unwrap();
    assert_eq!(mitigates["textEdit"]["newText"], "mitigates ");
    assert_eq!(mitigates["textEdit"]["range"]["start"]["character"], 3);

    let targets = offered(&mut c, &server, "# @mitigates ");
    let target_labels = labels(&targets);
    for target in ["#web", "#db", "#console", "#browser-web", "User:Browser"] {
        assert!(target_labels.contains(&target), "{target_labels:?}");
    }
    assert!(!target_labels.contains(&"#sqli"));

    let keywords = labels(&offered(&mut c, &server, "# @mitigates #web ")).join(" ");
    assert!(keywords.starts_with("against"), "{keywords}");

    let threats = offered(&mut c, &server, "# @mitigates #web against #");
    let threat_labels = labels(&threats);
    for threat in ["#sqli", "#xss", "#web-sqli", "#transport-cleartext"] {
        assert!(threat_labels.contains(&threat), "{threat_labels:?}");
    }
    assert!(!threat_labels.contains(&"#tls") && !threat_labels.contains(&"against"));
    let catalogued = threats.iter().find(|i| i["label"] == "#web-sqli").unwrap();
    assert!(
        catalogued["detail"]
            .as_str()
            .unwrap()
            .starts_with("catalogue: ")
    );
    assert!(
        catalogued["documentation"]["value"]
            .as_str()
            .unwrap()
            .contains("Catalogue threat")
    );

    let after_threat =
        labels(&offered(&mut c, &server, "# @mitigates #web against #xss ")).join(" ");
    assert!(
        after_threat.starts_with("with using") || after_threat.starts_with("using with"),
        "{after_threat}"
    );

    let controls = offered(&mut c, &server, "# @mitigates #web against #xss with #");
    let control_labels = labels(&controls);
    for control in ["#escaping", "#tls", "#param-queries", "#transport-tls"] {
        assert!(control_labels.contains(&control), "{control_labels:?}");
    }
    assert!(!control_labels.contains(&"#xss"));

    let exposure = labels(&offered(&mut c, &server, "# @exposes #web to #")).join(" ");
    assert!(
        exposure.contains("#xss") && !exposure.contains("#escaping"),
        "{exposure}"
    );
    let accepted = labels(&offered(&mut c, &server, "# @accepts #xss on ")).join(" ");
    assert!(
        accepted.contains("#web") && accepted.contains("#browser-web"),
        "{accepted}"
    );

    let qualifiers = labels(&offered(&mut c, &server, "# @threat Replay [high, ")).join(" ");
    for q in ["critical", "tampering", "likelihood:low", "P1"] {
        assert!(qualifiers.contains(q), "{qualifiers}");
    }
    let layers = labels(&offered(&mut c, &server, "# @component Shop:Cache [")).join(" ");
    assert!(
        layers.contains("storage") && !layers.contains("critical"),
        "{layers}"
    );
    let classes = labels(&offered(&mut c, &server, "# @handles ")).join(" ");
    assert!(
        classes.contains("pii") && classes.contains("secrets"),
        "{classes}"
    );

    // Not in an annotation: nothing.
    let none = offered(&mut c, &server, "x = 'mail@home'");
    assert!(none.is_empty(), "{none:?}");
}

/// The code actions offered on 0-based `line` of a buffer.
fn actions(c: &mut Client, uri: &str, line: usize) -> Vec<Value> {
    let range =
        json!({"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}});
    let result = c.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": []}}),
    );
    result.as_array().cloned().unwrap_or_default()
}

fn apply_action(c: &mut Client, uri: &str, line: usize, title_start: &str) {
    let found = actions(c, uri, line);
    let action = found
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with(title_start))
        .unwrap_or_else(|| panic!("no `{title_start}` in {found:#?}"));
    assert_eq!(action["kind"], "quickfix");
    c.apply_workspace_edit(&action["edit"]);
}

#[test]
fn the_did_you_mean_action_fixes_a_dangling_reference() {
    let mut c = Client::start("shop");
    let server = c.open(SERVER);
    c.replace(&server, 5, "#param-queries", "#param-querys");
    assert!(codes(&c.current_diagnostics(&server)).contains(&"dangling-reference".into()));
    apply_action(
        &mut c,
        &server,
        5,
        "Change `#param-querys` to `#param-queries`",
    );
    assert!(
        c.text(&server)
            .lines()
            .nth(5)
            .unwrap()
            .ends_with("with #param-queries")
    );
    let diagnostics = c.current_diagnostics(&server);
    assert!(
        !codes(&diagnostics).contains(&"dangling-reference".into()),
        "{diagnostics:#?}"
    );
}

#[test]
fn the_mitigation_action_writes_a_line_in_the_comment_style_and_the_finding_goes() {
    let mut c = Client::start("shop");
    let server = c.open(SERVER);
    assert!(codes(&c.current_diagnostics(&server)).contains(&"unmitigated-exposure".into()));
    apply_action(
        &mut c,
        &server,
        8,
        "Mitigate: add `@mitigates #web against #xss with #escaping`",
    );
    assert_eq!(
        c.text(&server).lines().nth(9).unwrap(),
        "# @mitigates #web against #xss with #escaping"
    );
    let diagnostics = c.current_diagnostics(&server);
    assert!(
        !codes(&diagnostics).contains(&"unmitigated-exposure".into()),
        "{diagnostics:#?}"
    );
}

#[test]
fn the_acceptance_action_answers_an_exposure() {
    let mut c = Client::start("shop");
    let server = c.open(SERVER);
    c.current_diagnostics(&server);
    apply_action(&mut c, &server, 8, "Accept: add `@accepts #xss on #web");
    assert_eq!(
        c.text(&server).lines().nth(9).unwrap(),
        "# @accepts #xss on #web with <reason>"
    );
    let diagnostics = c.current_diagnostics(&server);
    assert!(
        !codes(&diagnostics).contains(&"unmitigated-exposure".into()),
        "{diagnostics:#?}"
    );
}

#[test]
fn the_crossing_actions_protect_or_accept_the_flow() {
    let mut c = Client::start("shop");
    let server = c.open(SERVER);
    c.current_diagnostics(&server);
    apply_action(&mut c, &server, 6, "Protect the flow: add `and #tls`");
    assert_eq!(
        c.text(&server).lines().nth(6).unwrap(),
        "# @connects User:Browser to #web with plain HTTP and #tls (#browser-web)"
    );
    let diagnostics = c.current_diagnostics(&server);
    assert!(
        !codes(&diagnostics).contains(&"unprotected-crossing".into()),
        "{diagnostics:#?}"
    );

    let mut c = Client::start("shop");
    let server = c.open(SERVER);
    c.current_diagnostics(&server);
    apply_action(
        &mut c,
        &server,
        6,
        "Accept: add `@accepts #transport-cleartext on #browser-web",
    );
    assert_eq!(
        c.text(&server).lines().nth(7).unwrap(),
        "# @accepts #transport-cleartext on #browser-web with <reason>"
    );
    let diagnostics = c.current_diagnostics(&server);
    assert!(
        !codes(&diagnostics).contains(&"unprotected-crossing".into()),
        "{diagnostics:#?}"
    );
}

/// `attack-path`: the finding sits on the flow into the target, in the target's file, and
/// every hop (in another file too) is related information in hop order; the crossing's
/// quick fix on that flow answers the hop and takes the finding away.
#[test]
fn an_attack_path_is_published_on_the_flow_into_the_target_with_its_hops() {
    const ORDERS: &str = "app/orders.py";
    let mut c = Client::start_with("shop", &[], |root| {
        std::fs::write(
            root.join(ORDERS),
            "\"\"\"Orders: the web server writes them to their own store.\"\"\"\n\
             # @connects #web to Shop:Data:Orders with SQL (#web-orders)\n\
             # @handles pii on Shop:Data:Orders\n",
        )
        .unwrap();
    });
    let orders = c.open(ORDERS);
    let diagnostics = c.current_diagnostics(&orders);
    let path = with_code(&diagnostics, "attack-path");
    assert_eq!(path["severity"], 1, "pii: high, an error");
    assert_eq!(path["range"]["start"], json!({"line": 1, "character": 2}));
    let message = path["message"].as_str().unwrap();
    assert!(
        message.ends_with("User:Browser → Shop:Web:App → Shop:Data:Orders"),
        "{message}"
    );
    assert!(
        path["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("docs/rules.md#attack-path")
    );
    let related = path["relatedInformation"].as_array().unwrap();
    let hops: Vec<(&str, u64, &str)> = related
        .iter()
        .filter(|r| !r["message"].as_str().unwrap().starts_with("fix: "))
        .map(|r| {
            (
                r["location"]["uri"].as_str().unwrap(),
                r["location"]["range"]["start"]["line"].as_u64().unwrap(),
                r["message"].as_str().unwrap(),
            )
        })
        .collect();
    let server = uri(&c.root.join(SERVER));
    assert_eq!(hops.len(), 2, "{related:#?}");
    assert_eq!((hops[0].0, hops[0].1), (server.as_str(), 6));
    assert!(
        hops[0]
            .2
            .starts_with("hop 1 of 2: `User:Browser` → `Shop:Web:App`")
    );
    assert_eq!((hops[1].0, hops[1].1), (orders.as_str(), 1));
    assert!(
        hops[1]
            .2
            .starts_with("hop 2 of 2: `Shop:Web:App` → `Shop:Data:Orders`")
    );

    // The quick fix protects the flow into the target (a control used beside it first):
    // one answered hop closes the path.
    apply_action(&mut c, &orders, 1, "Protect the flow: add `and #tls`");
    let diagnostics = c.current_diagnostics(&orders);
    assert!(
        !codes(&diagnostics).contains(&"attack-path".into()),
        "{diagnostics:#?}"
    );
}

#[test]
fn symbols_of_a_file_and_of_the_workspace() {
    let mut c = Client::start("shop");
    let server = c.open(SERVER);
    let symbols = c.call(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": server}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Shop:Web:App",
            "SQL Injection",
            "Cross-site Scripting",
            "Parameterised Queries",
            "#web against #sqli with #param-queries",
            "User:Browser to #web with plain HTTP (#browser-web)",
            "#web to #xss",
        ]
    );
    assert_eq!(symbols[0]["kind"], 2, "a component is a module");
    assert_eq!(
        symbols[6]["range"]["start"],
        json!({"line": 8, "character": 25})
    );
    let found = c.call("workspace/symbol", json!({"query": "tls"}));
    let found = found.as_array().unwrap();
    let tls = found
        .iter()
        .find(|s| s["name"] == "TLS Everywhere")
        .expect("TLS");
    assert_eq!(tls["location"]["uri"], uri(&c.root.join(STORE)));
    assert_eq!(tls["location"]["range"]["start"]["line"], 3);
    let all = c.call("workspace/symbol", json!({"query": ""}));
    assert!(all.as_array().unwrap().len() >= 9);
}

#[test]
fn files_changed_on_disk_are_picked_up() {
    let mut c = Client::start("shop");
    let server = c.open(SERVER);
    assert!(codes(&c.current_diagnostics(&server)).contains(&"unmitigated-exposure".into()));
    // A new file that mitigates the exposure.
    let extra = c.root.join("app/extra.py");
    std::fs::write(&extra, "# @mitigates #web against #xss with #escaping\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&extra), "type": 1}]}),
    );
    let diagnostics = c.diagnostics(&server, Some(1));
    assert!(
        !codes(&diagnostics).contains(&"unmitigated-exposure".into()),
        "{diagnostics:#?}"
    );
    // A change to a file nobody has open: its own diagnostics are published.
    let store = c.root.join(STORE);
    let text = std::fs::read_to_string(&store).unwrap();
    std::fs::write(&store, text.replace("(#tls)", "(#tls-everywhere)")).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&store), "type": 2}]}),
    );
    let diagnostics = c.diagnostics_until(&uri(&store), |d| {
        d.iter().any(|d| d["code"] == "dangling-reference")
    });
    let dangling = with_code(&diagnostics, "dangling-reference");
    assert_eq!(
        dangling["range"]["start"],
        json!({"line": 4, "character": 30})
    );
    // Deleted: its diagnostics are cleared.
    std::fs::remove_file(&store).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&store), "type": 3}]}),
    );
    c.diagnostics_until(&uri(&store), <[Value]>::is_empty);
}

#[test]
fn bad_input_never_stops_the_server() {
    let mut c = Client::start_with("shop", &[], |root| {
        let mut big = String::new();
        while big.len() < 3 * 1024 * 1024 {
            big.push_str("def f():\n    return 1\n");
        }
        big.push_str("# @exposes #web to #xss\n");
        std::fs::write(root.join("app/big.py"), big).unwrap();
        std::fs::write(
            root.join("app/blob.py"),
            b"# @exposes #web to #xss\n\0\x01\x02",
        )
        .unwrap();
    });
    // Garbage between frames, a body that is not JSON, JSON that is no message.
    c.send_raw(b"this is not a header\r\n\r\n");
    c.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let parse = c.wait(|m| m["error"]["code"] == -32700);
    assert_eq!(parse["id"], Value::Null);
    c.send(json!({"jsonrpc": "2.0", "id": 99}));
    let invalid = c.wait(|m| m["id"] == 99);
    assert_eq!(invalid["error"]["code"], -32600);
    // An unknown method, an unknown notification, bad parameters.
    let unknown = c.request("threatline/unknown", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    c.notify("threatline/whatever", json!({"x": 1}));
    let bad = c.request("textDocument/hover", json!("nonsense"));
    assert_eq!(bad["error"]["code"], -32602);
    // A file outside the workspace: its own syntax is checked, ids are not.
    let outside = tempfile::tempdir().unwrap();
    let loose = c.open_text(
        &outside.path().join("loose.py"),
        "# @threat Replay (#replay)\n# @mitigates #nowhere against #replay with\n",
    );
    let diagnostics = c.diagnostics(&loose, Some(1));
    assert_eq!(
        codes(&diagnostics),
        ["malformed-annotation"],
        "{diagnostics:#?}"
    );
    let hover = c.call("textDocument/hover", at(&c, &loose, 0, "#replay", 1));
    assert_eq!(hover, Value::Null);
    // A huge buffer is reported, not read; a binary one is passed over.
    let big = c.open("app/big.py");
    let diagnostics = c.diagnostics(&big, Some(1));
    assert_eq!(codes(&diagnostics), ["skipped-file"], "{diagnostics:#?}");
    let blob = c.open("app/blob.py");
    assert!(c.diagnostics(&blob, Some(1)).is_empty());
    // A change to a buffer that is not open, then a position far past the end.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&c.root.join("nope.py")), "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    let server = c.open(SERVER);
    let far =
        json!({"textDocument": {"uri": server}, "position": {"line": 9999, "character": 9999}});
    assert_eq!(c.call("textDocument/hover", far.clone()), Value::Null);
    assert_eq!(c.call("textDocument/definition", far), Value::Null);
    let hover = c.call("textDocument/hover", at(&c, &server, 2, "#sqli", 1));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("SQL Injection")
    );
    assert_eq!(c.shutdown().code(), Some(0));
}

#[test]
fn a_panic_in_a_worker_is_logged_and_the_server_carries_on() {
    let mut c = Client::start_with("shop", &[("THREATLINE_TEST_PANIC_ON", "boom.py")], |_| {});
    let server = c.open(SERVER);
    c.current_diagnostics(&server);
    // A new file makes the folder be walked again; reading it panics in a walker thread.
    let boom = c.root.join("app/boom.py");
    std::fs::write(&boom, "# @threat Boom\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&boom), "type": 1}]}),
    );
    let logged = c.wait(|m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("internal error"))
    });
    assert_eq!(logged["params"]["type"], 1, "{logged}");
    let hover = c.call("textDocument/hover", at(&c, &server, 2, "#sqli", 1));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("SQL Injection")
    );
    c.replace(&server, 5, "#param-queries", "#param-querys");
    assert!(codes(&c.current_diagnostics(&server)).contains(&"dangling-reference".into()));
    c.wait_stderr("test panic in a walker thread");
    assert_eq!(c.shutdown().code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_exit_code_one() {
    let mut c = Client::start("shop");
    c.notify("exit", Value::Null);
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = c.try_wait() {
            assert_eq!(status.code(), Some(1));
            return;
        }
        assert!(
            started.elapsed() < client::TIMEOUT,
            "the server did not exit"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A second client: Neovim's own, headless (tests/lsp/nvim_check.lua). Skipped with a note
/// when `nvim` is not installed, except under `CI=true`, where it must run.
#[test]
fn neovim_sees_what_the_server_says() {
    let found = std::process::Command::new("nvim")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "nvim is not installed (Debian: apt-get install neovim)"
        );
        eprintln!("skipped: nvim is not installed (Debian: apt-get install neovim)");
        return;
    }
    let dir = client::workspace("shop");
    let ws = dir.path().join("ws");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp/nvim_check.lua");
    let mut child = std::process::Command::new("nvim")
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("THREATLINE_BIN", env!("CARGO_BIN_EXE_threatline"))
        .env("WS", &ws)
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("nvim starts");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > client::TIMEOUT {
            let _ = child.kill();
            panic!("nvim did not finish");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        status.success() && stdout.contains("OK"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_config_that_cannot_be_used_is_reported_on_its_file() {
    let mut c = Client::start_with("shop", &[], |root| {
        std::fs::write(
            root.join("threatline.yaml"),
            "fail_on: high\nexclud: [vendor]\n",
        )
        .unwrap();
    });
    let server = c.open(SERVER);
    // The folder is still checked, with the default settings.
    assert!(codes(&c.current_diagnostics(&server)).contains(&"unmitigated-exposure".into()));
    let config = uri(&c.root.join("threatline.yaml"));
    let diagnostics = c.diagnostics_until(&config, |d| !d.is_empty());
    let problem = with_code(&diagnostics, "config");
    assert_eq!(
        problem["range"]["start"],
        json!({"line": 1, "character": 0})
    );
    assert!(
        problem["message"].as_str().unwrap().contains("exclude"),
        "{problem}"
    );
    // Fixed on disk: the folder is read again with it, and the diagnostic goes.
    std::fs::write(
        c.root.join("threatline.yaml"),
        "fail_on: high\nexclude: [vendor]\n",
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": config, "type": 2}]}),
    );
    c.diagnostics_until(&config, <[Value]>::is_empty);
}
