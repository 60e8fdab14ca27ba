//! Reading the written files back, as `threatline scan` will: every diagnostic they raise,
//! and every relation that did not come back, is a problem to report, so an import never
//! loses part of a model quietly.

use std::time::Duration;

use super::{Imported, ThreatspecModel};
use crate::model::{BuildOptions, Model, build};
use crate::scan::{FileKind, Scanner};

/// The model the written files make, as a scan of them would build it.
pub fn model_of(imported: &Imported) -> Model {
    let mut scanner = Scanner::new(Duration::from_secs(5));
    let files = imported
        .files
        .iter()
        .filter_map(|(name, text)| {
            scanner.scan(name, text.as_bytes().to_vec(), Some(FileKind::Plain))
        })
        .collect();
    build(files, &BuildOptions::default())
}

/// What does not read back as it should: diagnostics, and relations of a kind that came
/// back fewer than they went in. (Connections may come back fewer without loss: threatline
/// reads the same flow written twice as one flow.)
pub fn check(ts: &ThreatspecModel, imported: &Imported, library_only: bool) -> Vec<String> {
    let model = model_of(imported);
    let mut problems: Vec<String> = model
        .diagnostics
        .iter()
        .map(|d| format!("{}: {} {}", d.location, d.code.as_str(), d.message))
        .collect();
    if library_only {
        return problems;
    }
    let counts = [
        ("mitigations", ts.mitigations.len(), model.mitigations.len()),
        ("exposures", ts.exposures.len(), model.exposures.len()),
        ("acceptances", ts.acceptances.len(), model.acceptances.len()),
        ("transfers", ts.transfers.len(), model.transfers.len()),
        ("reviews", ts.reviews.len(), model.reviews.len()),
        ("tests", ts.tests.len(), model.tests.len()),
    ];
    for (kind, went, came) in counts {
        if came != went {
            problems.push(format!("{went} {kind} were imported but {came} read back"));
        }
    }
    if model.flows.is_empty() && !ts.connections.is_empty() {
        problems.push(format!(
            "{} connections were imported but none read back",
            ts.connections.len()
        ));
    }
    problems
}
