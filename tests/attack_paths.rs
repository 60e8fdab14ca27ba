//! The `attack-path` rule and zone trust (SPEC §4 "Zone trust", §5): the example of the
//! issue, every way a hop is answered on every hop, what makes a target, how zones become
//! untrusted (declared, config, inferred, overridden), two-way flows, cycles, ties, the
//! fingerprint, and a chain long enough to catch a recursive search.

mod common;

use threatline::analysis::{Finding, RuleCode};
use threatline::annotation::Severity;
use threatline::model::Model;

/// The example of the issue: a visitor, three hops, the card vault.
const EXAMPLE: &str = "\
@component Internet:Visitor
@connects Internet:Visitor to Shop:Web with HTTP (#visitor-web)
@connects Shop:Web to Shop:Checkout with JSON on localhost (#web-checkout)
@connects Shop:Checkout to Shop:Card Vault with SQL (#checkout-vault)
@handles financial on Shop:Card Vault
";

const HOPS: [&str; 3] = ["visitor-web", "web-checkout", "checkout-vault"];

fn model_of(text: &str) -> Model {
    common::model(&[("model.threatline", text)])
}

fn paths(model: &Model) -> Vec<&Finding> {
    model
        .findings
        .iter()
        .filter(|f| f.code == RuleCode::AttackPath)
        .collect()
}

/// `(target, route)` of every attack path.
fn routes(model: &Model) -> Vec<(String, String)> {
    paths(model)
        .into_iter()
        .map(|f| (f.component.clone().unwrap(), model.route(&f.path)))
        .collect()
}

fn trust_of(model: &Model, id: &str) -> Option<(String, String, Option<String>)> {
    let c = model.components.iter().find(|c| c.id == id)?;
    c.trust.as_ref().map(|t| {
        (
            t.level.as_str().to_string(),
            t.source.as_str().to_string(),
            t.keyword.clone(),
        )
    })
}

#[test]
fn the_example_is_critical_at_the_flow_into_the_vault() {
    let model = model_of(EXAMPLE);
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    let found = paths(&model);
    assert_eq!(found.len(), 1);
    let f = found[0];
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.site.location.line, 4, "the @connects into the vault");
    assert_eq!(f.flow.as_deref(), Some("checkout-vault"));
    assert_eq!(f.component.as_deref(), Some("shop.card_vault"));
    let hops: Vec<&str> = f.path.iter().map(|h| h.flow.as_str()).collect();
    assert_eq!(hops, HOPS);
    assert_eq!(
        model.route(&f.path),
        "Internet:Visitor → Shop:Web → Shop:Checkout → Shop:Card Vault"
    );
    let related: Vec<u32> = f.related.iter().map(|r| r.site.location.line).collect();
    assert_eq!(related, [2, 3, 4], "every hop, in order");
    assert!(
        f.related[0].message.contains("over HTTP"),
        "{:?}",
        f.related
    );
    // Today's crossing on the first hop is still reported, on its own.
    assert!(model.findings.iter().any(
        |x| x.code == RuleCode::UnprotectedCrossing && x.flow.as_deref() == Some("visitor-web")
    ));
}

#[test]
fn an_answer_on_any_one_hop_closes_the_path() {
    for hop in HOPS {
        let line = EXAMPLE
            .lines()
            .find(|l| l.ends_with(&format!("(#{hop})")))
            .unwrap();
        // The flow's mechanism replaced by a declared control, or by a secure transport
        // (an inferred control); or the flow mitigated, or accepted.
        let mechanism = line
            .split(" with ")
            .nth(1)
            .unwrap()
            .split(" (#")
            .next()
            .unwrap();
        let variants = [
            (
                "declared control",
                format!(
                    "@control Mutual TLS (#mtls)\n{}",
                    EXAMPLE.replace(line, &line.replace(mechanism, "#mtls"))
                ),
            ),
            (
                "inferred transport",
                EXAMPLE.replace(line, &line.replace(mechanism, "HTTPS")),
            ),
            (
                "@mitigates",
                format!("{EXAMPLE}@mitigates #{hop} against Tampering with Request signing\n"),
            ),
            (
                "@accepts",
                format!(
                    "{EXAMPLE}@accepts Eavesdropping on #{hop} with the segment is monitored\n"
                ),
            ),
        ];
        for (how, text) in variants {
            let model = model_of(&text);
            assert!(
                model.diagnostics.is_empty(),
                "{how} on {hop}: {:?}",
                model.diagnostics
            );
            assert_eq!(routes(&model), vec![], "{how} on {hop}");
        }
    }
}

#[test]
fn a_target_is_a_component_that_handles_sensitive_data() {
    for (class, severity) in [
        ("financial", Some(Severity::Critical)),
        ("secrets", Some(Severity::Critical)),
        ("phi", Some(Severity::Critical)),
        ("pii", Some(Severity::High)),
        ("internal", None),
        ("public", None),
    ] {
        let text = EXAMPLE.replace("@handles financial", &format!("@handles {class}"));
        let model = model_of(&text);
        let got: Vec<Severity> = paths(&model).iter().map(|f| f.severity).collect();
        assert_eq!(got, severity.into_iter().collect::<Vec<_>>(), "{class}");
    }
    // Nothing handled at all: nothing to reach.
    let model = model_of(&EXAMPLE.replace("@handles financial on Shop:Card Vault\n", ""));
    assert_eq!(routes(&model), vec![]);
    // pii and financial: the worse class decides.
    let model = model_of(&EXAMPLE.replace("@handles financial", "@handles pii, financial"));
    assert_eq!(paths(&model)[0].severity, Severity::Critical);
    // Data handled by a parent is handled by its parts.
    let model = model_of(&EXAMPLE.replace(
        "@handles financial on Shop:Card Vault",
        "@handles secrets on Shop:Card Vault\n@connects Shop:Checkout to Vault:HSM:Keys with PKCS11 (#keys)\n@handles secrets on Vault:HSM",
    ));
    let targets: Vec<String> = routes(&model).into_iter().map(|(t, _)| t).collect();
    assert_eq!(targets, ["shop.card_vault", "vault.hsm.keys"]);
}

#[test]
fn zones_are_untrusted_when_declared_inferred_or_configured() {
    // Declared: a name the keyword table does not know.
    let declared = model_of(
        "@boundary Feeds (#feeds) [untrusted] around Vendor\n\
         @connects Vendor:Feed to Shop:Importer with CSV (#feed)\n\
         @connects Shop:Importer to Shop:Products with SQL (#products)\n\
         @handles pii on Shop:Products\n",
    );
    assert_eq!(
        trust_of(&declared, "vendor.feed"),
        Some(("untrusted".into(), "declared".into(), None))
    );
    assert_eq!(
        routes(&declared),
        [(
            "shop.products".to_string(),
            "Vendor:Feed → Shop:Importer → Shop:Products".to_string()
        )]
    );
    // The qualifier may end the line too.
    let at_end = model_of(
        "@boundary Feeds (#feeds) around Vendor [untrusted]\n\
         @connects Vendor:Feed to Shop:Importer with CSV (#feed)\n",
    );
    assert_eq!(
        trust_of(&at_end, "vendor.feed").map(|t| t.0),
        Some("untrusted".into())
    );
    let b = &at_end.boundaries[0];
    assert_eq!(b.trust, Some(threatline::model::Trust::Untrusted));
    assert!(
        !b.properties.contains_key("tags"),
        "a typed field, not a tag"
    );

    // Inferred: marked as such, with the keyword; every component of the zone.
    let inferred = model_of(EXAMPLE);
    assert_eq!(
        trust_of(&inferred, "internet.visitor"),
        Some((
            "untrusted".into(),
            "inferred".into(),
            Some("internet".into())
        ))
    );
    assert_eq!(
        trust_of(&inferred, "internet"),
        trust_of(&inferred, "internet.visitor")
    );
    assert_eq!(
        trust_of(&inferred, "shop.web"),
        None,
        "nothing said: trusted"
    );
    // A zone declared `around` is named by its boundary: `External Partners` ends in a
    // keyword, whatever its members are called.
    let around = model_of(
        "@boundary External Partners (#ext) around Acme\n\
         @connects Acme:API to Shop:Hooks with JSON (#hooks)\n\
         @connects Shop:Hooks to Shop:Orders with SQL (#orders)\n\
         @handles pii on Shop:Orders\n",
    );
    assert_eq!(
        trust_of(&around, "acme.api"),
        Some((
            "untrusted".into(),
            "inferred".into(),
            Some("partner".into())
        ))
    );
    assert_eq!(routes(&around).len(), 1);

    // `[trusted]` overrides the keyword: no path from there.
    let trusted = model_of(&format!(
        "@boundary Internet (#internet) [trusted] around Internet\n{EXAMPLE}"
    ));
    assert_eq!(
        trust_of(&trusted, "internet.visitor"),
        Some(("trusted".into(), "declared".into(), None))
    );
    assert_eq!(routes(&trusted), vec![]);
}

#[test]
fn config_lists_untrusted_and_trusted_zones() {
    let text = "\
@connects Vendor:Feed to Shop:Importer with CSV (#feed)
@connects Shop:Importer to Shop:Products with SQL (#products)
@handles pii on Shop:Products
@connects Customer:Browser to Shop:Web with HTTP (#browse)
@connects Shop:Web to Shop:Products with SQL (#web-products)
";
    // Without config: `Customer` is inferred, `Vendor` is nothing.
    let dir = common::tree(&[("model.threatline", text)]);
    let model = common::scan_configured(dir.path());
    assert_eq!(
        routes(&model),
        [(
            "shop.products".to_string(),
            "Customer:Browser → Shop:Web → Shop:Products".to_string()
        )]
    );
    // With config: `Vendor` untrusted, `Customer` trusted (overriding the keyword).
    let dir = common::tree(&[
        ("model.threatline", text),
        (
            "threatline.yaml",
            "untrusted: [Vendor]\ntrusted: [customer]\n",
        ),
    ]);
    let model = common::scan_configured(dir.path());
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    assert_eq!(
        trust_of(&model, "vendor.feed"),
        Some(("untrusted".into(), "config".into(), None))
    );
    assert_eq!(
        trust_of(&model, "customer.browser"),
        Some(("trusted".into(), "config".into(), None))
    );
    assert_eq!(
        routes(&model),
        [(
            "shop.products".to_string(),
            "Vendor:Feed → Shop:Importer → Shop:Products".to_string()
        )]
    );
    // A name that reaches no zone: a warning where the config writes it, with the nearest
    // zone; a typo must not leave an outside zone trusted without a word.
    let dir = common::tree(&[
        ("model.threatline", text),
        ("threatline.yaml", "untrusted:\n  - Vendr\n"),
    ]);
    let model = common::scan_configured(dir.path());
    let warnings: Vec<(String, String, Option<String>)> = model
        .diagnostics
        .iter()
        .map(|d| (d.location.to_string(), d.message.clone(), d.hint.clone()))
        .collect();
    assert_eq!(
        warnings,
        [(
            "threatline.yaml:2:5".to_string(),
            "`untrusted:` names zone `Vendr`, which no annotation makes; it changes nothing"
                .to_string(),
            Some("did you mean `Vendor`?".to_string())
        )]
    );
    // Explicit words that disagree: untrusted wins, and the conflict is reported.
    let dir = common::tree(&[
        (
            "model.threatline",
            &format!("@boundary Feeds (#feeds) [untrusted] around Vendor\n{text}"),
        ),
        ("threatline.yaml", "trusted: [Feeds]\n"),
    ]);
    let model = common::scan_configured(dir.path());
    assert_eq!(
        trust_of(&model, "vendor.feed"),
        Some(("untrusted".into(), "declared".into(), None))
    );
    assert_eq!(
        common::diagnostics(&model),
        ["conflict threatline.yaml:1:11"]
    );
}

#[test]
fn config_errors_name_the_zone_list() {
    use threatline::config::Config;
    let err = Config::parse("untrusted: [Stripe]\ntrusted: [stripe]\n").unwrap_err();
    assert!(
        err.message()
            .contains("zone `stripe` is listed under both `untrusted` (line 1) and `trusted`"),
        "{}",
        err.message()
    );
    assert_eq!(err.place().map(|p| (p.line, p.column)), Some((2, 11)));
    let err = Config::parse("untrusted: ['  ']\n").unwrap_err();
    assert!(
        err.message().contains("is not a zone name"),
        "{}",
        err.message()
    );
    let err = Config::parse("untrusted_zones: [a]\n").unwrap_err();
    assert_eq!(err.hint().as_deref(), Some("did you mean `untrusted`?"));
    let c = Config::parse("untrusted: [Stripe, GitHub]\ntrusted: [Customer]\n").unwrap();
    let names: Vec<&str> = c.trust.untrusted.iter().map(|z| z.name.as_str()).collect();
    assert_eq!(names, ["Stripe", "GitHub"]);
    assert_eq!(
        c.trust.trusted[0].location.to_string(),
        "threatline.yaml:2:11"
    );
}

#[test]
fn a_two_way_flow_is_taken_both_ways_and_a_one_way_flow_only_one() {
    let two_way = model_of(
        "@flows Internet.Visitor -> Shop.Web via HTTP (#visit)\n\
         @flows Shop.Vault <-> Shop.Web via SQL (#vault-web)\n\
         @handles financial on Shop.Vault\n",
    );
    let found = paths(&two_way);
    assert_eq!(found.len(), 1);
    assert_eq!(
        two_way.route(&found[0].path),
        "Internet:Visitor → Shop:Web → Shop:Vault"
    );
    assert!(found[0].path[1].backwards);
    assert_eq!(found[0].path[1].from, "shop.web");
    assert_eq!(found[0].path[1].to, "shop.vault");
    assert!(found[0].related[1].message.contains("two-way"));
    // `@connects A with B` is two-way too.
    let with = model_of(
        "@connects Internet:Visitor to Shop:Web with HTTP (#visit)\n\
         @connects Shop:Vault with Shop:Web (#vault-web)\n\
         @handles financial on Shop:Vault\n",
    );
    assert_eq!(paths(&with).len(), 1);
    // Written the other way and one-way: data goes from the vault to the web tier only.
    let one_way = model_of(
        "@flows Internet.Visitor -> Shop.Web via HTTP (#visit)\n\
         @flows Shop.Vault -> Shop.Web via SQL (#vault-web)\n\
         @handles financial on Shop.Vault\n",
    );
    assert_eq!(routes(&one_way), vec![]);
}

#[test]
fn a_cycle_is_walked_once_and_the_path_stays_the_shortest() {
    let model = model_of(&format!(
        "{EXAMPLE}@connects Shop:Checkout to Shop:Web with callbacks (#callback)\n\
         @connects Shop:Card Vault to Shop:Checkout with SQL results (#results)\n\
         @connects Shop:Web to Shop:Web with itself (#self)\n"
    ));
    assert_eq!(
        routes(&model),
        [(
            "shop.card_vault".to_string(),
            "Internet:Visitor → Shop:Web → Shop:Checkout → Shop:Card Vault".to_string()
        )]
    );
}

#[test]
fn of_two_entries_the_shorter_path_is_the_one_finding() {
    let model = model_of(&format!(
        "{EXAMPLE}@connects Partner:Portal to Shop:Checkout with XML (#portal)\n"
    ));
    assert_eq!(
        routes(&model),
        [(
            "shop.card_vault".to_string(),
            "Partner:Portal → Shop:Checkout → Shop:Card Vault".to_string()
        )]
    );
    // Equally short: the entry first in component-path order, whatever the file order.
    for text in [
        "@connects Internet:Visitor to Shop:Web with HTTP\n@connects Internet:Attacker to Shop:Web with HTTP\n",
        "@connects Internet:Attacker to Shop:Web with HTTP\n@connects Internet:Visitor to Shop:Web with HTTP\n",
    ] {
        let model = model_of(&format!(
            "{text}@connects Shop:Web to Shop:Vault with SQL\n@handles secrets on Shop:Vault\n"
        ));
        assert_eq!(
            routes(&model),
            [(
                "shop.vault".to_string(),
                "Internet:Attacker → Shop:Web → Shop:Vault".to_string()
            )]
        );
    }
}

#[test]
fn a_path_leaves_the_outside_once_and_crosses_a_boundary() {
    // The entry is where the path leaves the untrusted zones: never through another
    // untrusted component, and a target outside is no target.
    let model = model_of(
        "@connects Internet:Bot to Internet:Proxy with HTTP\n\
         @connects Internet:Proxy to Shop:Web with HTTP\n\
         @connects Shop:Web to Shop:Vault with SQL\n\
         @handles secrets on Shop:Vault\n\
         @connects Shop:Web to Customer:Wallet with push\n\
         @handles financial on Customer:Wallet\n",
    );
    assert_eq!(
        routes(&model),
        [(
            "shop.vault".to_string(),
            "Internet:Proxy → Shop:Web → Shop:Vault".to_string()
        )]
    );
    // Through a data source in no zone, no boundary is crossed: no path.
    let model = model_of(
        "@flows Internet.Bot -> Clipboard via paste\n\
         @flows Clipboard -> Bank.Vault via read\n\
         @flows Bank.Vault -> Bank.Ledger via write\n\
         @handles secrets on Bank.Ledger\n",
    );
    assert_eq!(routes(&model), vec![]);
}

#[test]
fn the_fingerprint_is_the_entry_and_the_target() {
    let fingerprint = |text: &str| paths(&model_of(text))[0].fingerprint.clone();
    let base = fingerprint(EXAMPLE);
    // Moved lines, other hops in between: the same finding for a baseline.
    let moved = format!(
        "\n\n\n{}",
        EXAMPLE.lines().rev().collect::<Vec<_>>().join("\n")
    );
    assert_eq!(fingerprint(&moved), base);
    let longer = EXAMPLE.replace(
        "Shop:Web to Shop:Checkout with JSON on localhost (#web-checkout)",
        "Shop:Web to Shop:Cart with JSON (#web-cart)\n@connects Shop:Cart to Shop:Checkout with JSON (#cart-checkout)",
    );
    assert_eq!(paths(&model_of(&longer))[0].path.len(), 4);
    assert_eq!(fingerprint(&longer), base);
    // Another entry or another target: another finding.
    assert_ne!(fingerprint(&EXAMPLE.replace("Visitor", "Crawler")), base);
    assert_ne!(fingerprint(&EXAMPLE.replace("Card Vault", "Ledger")), base);
}

#[test]
fn a_long_chain_is_searched_without_recursion() {
    let n = 5_000;
    let mut text = String::from("@connects Internet:Visitor to Shop:S0 with HTTP\n");
    for i in 0..n {
        text.push_str(&format!(
            "@connects Shop:S{i} to Shop:S{} with RPC\n",
            i + 1
        ));
    }
    text.push_str(&format!("@handles secrets on Shop:S{n}\n"));
    let model = model_of(&text);
    let found = paths(&model);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path.len(), n + 1);
}

#[test]
fn the_text_report_draws_the_path_with_each_hops_place() {
    let model = model_of(EXAMPLE);
    let text = threatline::output::text::render_findings(&model, false, false);
    let at = text.find("attack-path").expect("the finding is shown");
    let shown: Vec<&str> = text[at..].lines().map(str::trim).collect();
    assert_eq!(shown[0], "attack-path  model.threatline:4:1");
    assert!(
        shown.contains(&"path: Internet:Visitor → Shop:Web → Shop:Checkout → Shop:Card Vault"),
        "{text}"
    );
    for hop in [
        "1. Internet:Visitor → Shop:Web      model.threatline:2",
        "2. Shop:Web → Shop:Checkout         model.threatline:3",
        "3. Shop:Checkout → Shop:Card Vault  model.threatline:4",
    ] {
        assert!(shown.contains(&hop), "{hop}\n{text}");
    }
    // The hops are drawn, not repeated as notes.
    assert!(!text[at..].contains("note: hop"), "{text}");
}

#[test]
fn explain_prints_the_rule() {
    let doc = threatline::analysis::rules::explain("ATTACK-PATH").unwrap();
    for section in [
        "# attack-path",
        "## What it finds",
        "## Why it matters",
        "## Example",
        "## Fix",
    ] {
        assert!(doc.contains(section), "{section}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["explain", "attack-path"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("untrusted zone"));
}
