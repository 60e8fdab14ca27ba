//! Generated documentation stays in step with the code.

use std::path::Path;

#[test]
fn rules_md_is_generated_from_the_rules() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let generated = threatline::analysis::rules::markdown();
    if std::env::var_os("THREATLINE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/rules.md is stale: run THREATLINE_UPDATE_DOCS=1 cargo test --test docs"
    );
}
