//! What a reader sees for a reference: one resolver that every report and diagram uses, so
//! no format prints a raw `#id` where a name exists, and no two formats name a thing
//! differently. Ids stay in machine formats (JSON, SARIF fingerprints, OTM ids); people get
//! names.

use std::collections::HashMap;

use crate::annotation::lexer::id_len;
use crate::model::{Component, Flow, Model};

/// The names of a model's components, threats, controls and flows by id.
pub struct Names<'m> {
    components: HashMap<&'m str, &'m Component>,
    threats: HashMap<&'m str, &'m str>,
    controls: HashMap<&'m str, &'m str>,
    flows: HashMap<&'m str, &'m Flow>,
}

impl<'m> Names<'m> {
    pub fn new(model: &'m Model) -> Names<'m> {
        Names {
            components: model
                .components
                .iter()
                .map(|c| (c.id.as_str(), c))
                .collect(),
            threats: model
                .threats
                .iter()
                .map(|t| (t.id.as_str(), t.name.as_str()))
                .collect(),
            controls: model
                .controls
                .iter()
                .map(|c| (c.id.as_str(), c.name.as_str()))
                .collect(),
            flows: model.flows.iter().map(|f| (f.id.as_str(), f)).collect(),
        }
    }

    /// A component's whole path, `Shop:Orders:Service`; `#id` when nothing declares it.
    pub fn component(&self, id: &str) -> String {
        match self.components.get(id) {
            Some(c) => c.path.join(":"),
            None => format!("#{id}"),
        }
    }

    /// A component's name with its parent, `Orders:Service`: what a diagram node shows,
    /// where `Service` alone would be one of three.
    pub fn component_short(&self, id: &str) -> String {
        match self.components.get(id) {
            Some(c) if c.path.len() > 2 => c.path[c.path.len() - 2..].join(":"),
            Some(c) => c.path.join(":"),
            None => format!("#{id}"),
        }
    }

    pub fn threat(&self, id: &str) -> String {
        self.threats
            .get(id)
            .map_or_else(|| format!("#{id}"), |n| n.to_string())
    }

    pub fn control(&self, id: &str) -> String {
        self.controls
            .get(id)
            .map_or_else(|| format!("#{id}"), |n| n.to_string())
    }

    /// A flow as people name it: its ends, `Shop:Orders:Service → Shop:Storage:Postgres`.
    pub fn flow(&self, id: &str) -> String {
        match self.flows.get(id) {
            Some(f) => {
                let arrow = if f.two_way { "↔" } else { "→" };
                format!(
                    "{} {arrow} {}",
                    self.component(&f.from),
                    self.component(&f.to)
                )
            }
            None => format!("#{id}"),
        }
    }

    /// Whatever `id` names, controls first (the `#tls` of a flow's mechanism), then
    /// threats, components and flows; `None` when it names nothing.
    pub fn any(&self, id: &str) -> Option<String> {
        if let Some(n) = self.controls.get(id) {
            return Some(n.to_string());
        }
        if let Some(n) = self.threats.get(id) {
            return Some(n.to_string());
        }
        if self.components.contains_key(id) {
            return Some(self.component(id));
        }
        self.flows.contains_key(id).then(|| self.flow(id))
    }

    /// Free text (a flow's mechanism, a description) with every `#id` that names
    /// something replaced by its name: `HTTPS and #tls` reads `HTTPS and TLS Everywhere`.
    /// A `#` that names nothing stays as written.
    pub fn text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find('#') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let n = id_len(after);
            // An id starts a word: `C#`, `a#b` are not references.
            let starts_word = out
                .chars()
                .last()
                .is_none_or(|c| !c.is_alphanumeric() && c != '_');
            match (n > 0 && starts_word)
                .then(|| self.any(&after[..n]))
                .flatten()
            {
                Some(name) => {
                    out.push_str(&name);
                    rest = &after[n..];
                }
                None => {
                    out.push('#');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// A flow's label in a diagram: its mechanism with references named, else nothing.
    pub fn mechanism(&self, flow: &Flow) -> Option<String> {
        flow.mechanism.as_deref().map(|m| self.text(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BuildOptions, Model};

    fn model(text: &str) -> Model {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.py"), text).unwrap();
        crate::scan_tree(
            &crate::walk::WalkOptions::new(dir.path()),
            &BuildOptions::default(),
        )
        .unwrap()
    }

    #[test]
    fn references_in_text_read_as_names() {
        let m = model(
            "# @control TLS Everywhere (#tls)\n# @component Shop:Orders:Service (#orders)\n\
             # @connects #orders to Shop:Storage:Postgres with HTTPS and #tls (#orders-db)\n",
        );
        let names = Names::new(&m);
        assert_eq!(names.text("HTTPS and #tls"), "HTTPS and TLS Everywhere");
        assert_eq!(names.text("#tls."), "TLS Everywhere.");
        assert_eq!(names.text("C# and #nothing"), "C# and #nothing");
        assert_eq!(names.component_short("orders"), "Orders:Service");
        assert_eq!(names.component("orders"), "Shop:Orders:Service");
        assert_eq!(
            names.flow("orders-db"),
            "Shop:Orders:Service → Shop:Storage:Postgres"
        );
        assert_eq!(names.control("missing"), "#missing");
    }
}
