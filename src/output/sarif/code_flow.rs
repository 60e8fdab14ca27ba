//! An `attack-path` finding's hops as a SARIF `codeFlows` thread flow (kept apart from
//! `sarif.rs`, which holds the log, its rules and results).

use serde_json::json;
use serde_sarif::sarif::{CodeFlow, Message, ThreadFlow, ThreadFlowLocation};

use super::{Places, escape, sentence};
use crate::analysis::Finding;
use crate::model::Model;

/// An attack path as code scanning shows a path query's result (CodeQL's `@kind
/// path-problem`): one code flow with one thread flow, a location per hop in hop order,
/// each the flow's annotation with the hop for its message. The hops are the related
/// locations too, in the same order.
pub(super) fn code_flow(model: &Model, f: &Finding, places: &Places) -> Option<CodeFlow> {
    if f.path.is_empty() {
        return None;
    }
    let locations: Vec<ThreadFlowLocation> = f
        .path
        .iter()
        .enumerate()
        .map(|(i, hop)| {
            let message = f.related.get(i).map(|r| r.message.as_str());
            ThreadFlowLocation::builder()
                .location(places.site(&hop.site, message))
                .execution_order(i as i64 + 1)
                .nesting_level(0)
                .importance(json!("essential"))
                .build()
        })
        .collect();
    let thread = ThreadFlow::builder().locations(locations).build();
    Some(
        CodeFlow::builder()
            .message(
                Message::builder()
                    .text(sentence(&escape(&model.route(&f.path))))
                    .build(),
            )
            .thread_flows(vec![thread])
            .build(),
    )
}
