//! The sections of the reports people read, each written once against [`Markup`]: the
//! summary, the diagram with its unprotected crossings and data flows, the attack paths
//! (`paths.rs`), the model by CCCS layer (a card per component), the STRIDE × CCCS
//! coverage and the findings. Markdown and HTML differ only in their [`Markup`]
//! implementation.

use std::fmt;

use crate::analysis::Finding;
use crate::annotation::Severity;
use crate::model::{Component, LayerSource, Site};

use super::detail::{
    self, ReportOptions, Words, component_anchor, findings_by_severity, flow_entries, gate_text,
    guards, level_word, source, threat_item,
};
use super::markup::{Align, Cell, Inline, Item, ListStyle, Markup, Style, Table, code, text};
use super::{ComponentSection, Report, SEVERITIES, STRIDE, layer_name, stride_letter, stride_name};

/// The sections, in order, and the anchors the HTML navigation links to.
pub const SECTIONS: [(&str, &str); 6] = [
    ("summary", "Summary"),
    ("diagram", "Data-flow diagram"),
    ("paths", "Attack paths"),
    ("layers", "Threat model by CCCS layer"),
    ("coverage", "STRIDE × CCCS coverage"),
    ("findings", "Findings"),
];

/// Writes every section of the report.
pub fn write(m: &mut dyn Markup, report: &Report, options: &ReportOptions) -> fmt::Result {
    let words = Words::new(report.model);
    let view = View {
        report,
        options,
        words: &words,
    };
    view.summary(m)?;
    view.diagram(m)?;
    super::paths::section(m, SECTIONS[2], report, options, &words)?;
    view.layers(m)?;
    view.coverage(m)?;
    view.findings(m)
}

struct View<'a, 'm> {
    report: &'a Report<'m>,
    options: &'a ReportOptions,
    words: &'a Words<'m>,
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// A component's name, linked to its section, with `(inferred)` after a guessed layer.
fn component_name(c: &Component, target: bool) -> Vec<Inline> {
    let path = vec![Inline::Path(c.path.join(":"))];
    let mut out = vec![if target {
        Inline::Target {
            id: component_anchor(&c.id),
            content: path,
        }
    } else {
        Inline::Anchor {
            target: component_anchor(&c.id),
            content: path,
        }
    }];
    if c.layer_source == LayerSource::Inferred {
        out.extend([text(" "), Inline::Inferred]);
    }
    out
}

impl View<'_, '_> {
    fn summary(&self, m: &mut dyn Markup) -> fmt::Result {
        let s = &self.report.summary;
        let model = self.report.model;
        m.section(SECTIONS[0].0, SECTIONS[0].1)?;
        m.paragraph(
            Style::Gate { passed: s.passed },
            &[
                Inline::Strong(vec![text(if s.passed {
                    "Gate: PASS"
                } else {
                    "Gate: FAIL"
                })]),
                text(format!(": {} (", gate_text(s))),
                code(format!("--fail-on {}", s.fail_on.as_str())),
                text(")."),
            ],
        )?;
        let mut head: Vec<Vec<Inline>> = SEVERITIES
            .iter()
            .map(|s| vec![Inline::Severity(*s)])
            .collect();
        head.extend([vec![text("errors")], vec![text("warnings")]]);
        let mut counts: Vec<Cell> = s
            .findings
            .iter()
            .map(|n| Cell::new(vec![text(n.to_string())]))
            .collect();
        counts.extend([
            Cell::new(vec![text(s.errors.to_string())]),
            Cell::new(vec![text(s.warnings.to_string())]),
        ]);
        m.table(&Table {
            class: "counts",
            align: vec![Align::Right; head.len()],
            head,
            rows: vec![counts],
        })?;
        let inferred = model
            .components
            .iter()
            .filter(|c| c.layer_source == LayerSource::Inferred)
            .count();
        let mut line = format!(
            "{} components ({inferred} with an inferred layer), {} threats, {} controls, {} \
             data flows, {} trust boundaries.",
            model.components.len(),
            model.threats.len(),
            model.controls.len(),
            model.flows.len(),
            model.boundaries.len()
        );
        if self.options.baselined > 0 {
            line.push_str(&format!(
                " {} findings are hidden by the baseline.",
                self.options.baselined
            ));
        }
        m.paragraph(Style::Plain, &[text(line)])?;
        m.end_section()
    }

    fn diagram(&self, m: &mut dyn Markup) -> fmt::Result {
        m.section(SECTIONS[1].0, SECTIONS[1].1)?;
        m.diagram(self.report)?;
        m.heading(&[text("Unprotected crossings")])?;
        if self.report.unprotected.is_empty() {
            m.paragraph(
                Style::Plain,
                &[text(
                    "None: every flow that crosses a trust boundary has a control.",
                )],
            )?;
        } else {
            let items: Vec<Item> = self
                .report
                .unprotected
                .iter()
                .map(|f| {
                    let mut content = vec![
                        Inline::Strong(vec![Inline::Severity(f.severity)]),
                        text(": "),
                    ];
                    content.extend(self.words.message(&f.message));
                    content.push(text(" ("));
                    content.extend(source(self.options, &f.site));
                    content.push(text(")"));
                    Item {
                        content,
                        children: Vec::new(),
                    }
                })
                .collect();
            m.list(ListStyle::Crossings, &items)?;
        }
        if !self.report.model.flows.is_empty() {
            self.flows(m)?;
        }
        m.end_section()
    }

    fn flows(&self, m: &mut dyn Markup) -> fmt::Result {
        let model = self.report.model;
        let words = self.words;
        let rows = flow_entries(model)
            .iter()
            .map(|entry| {
                let f = entry.flow;
                let arrow = if f.two_way { " ↔ " } else { " → " };
                let mut protection = Vec::new();
                for (i, g) in guards(model, &words.names, entry).iter().enumerate() {
                    if i > 0 {
                        protection.push(text("; "));
                    }
                    protection.extend(g.inline());
                }
                if protection.is_empty() {
                    protection.push(text("–"));
                }
                vec![
                    Cell::new(vec![code(f.id.as_str())]),
                    Cell::new(vec![
                        words.component(&f.from),
                        text(arrow),
                        words.component(&f.to),
                    ]),
                    Cell::new(vec![text(
                        words.names.mechanism(f).unwrap_or_else(|| "–".to_string()),
                    )]),
                    Cell::new(vec![text(format!(
                        "{}{arrow}{}",
                        words.zone(&f.from_zone),
                        words.zone(&f.to_zone)
                    ))]),
                    Cell::new(protection),
                    Cell::new(source(self.options, &f.site)),
                ]
            })
            .collect();
        m.heading(&[text("Data flows")])?;
        m.table(&Table {
            class: "flows",
            head: [
                "Flow",
                "Between",
                "Mechanism",
                "Zones",
                "Protection",
                "Source",
            ]
            .map(|h| vec![text(h)])
            .to_vec(),
            align: vec![Align::Left; 6],
            rows,
        })
    }

    fn layers(&self, m: &mut dyn Markup) -> fmt::Result {
        m.section(SECTIONS[3].0, SECTIONS[3].1)?;
        for section in &self.report.layers {
            m.heading(&[
                Inline::Swatch(section.layer),
                text(format!("{} layer", layer_name(section.layer))),
            ])?;
            if section.components.is_empty() {
                m.paragraph(Style::Muted, &[text("No components in this layer.")])?;
                continue;
            }
            let (with, without): (Vec<&ComponentSection>, Vec<&ComponentSection>) = section
                .components
                .iter()
                .partition(|c| !c.threats.is_empty());
            for c in with {
                self.card(m, c)?;
            }
            if !without.is_empty() {
                let mut line = vec![text("No threat recorded on: ")];
                for (i, c) in without.iter().enumerate() {
                    if i > 0 {
                        line.push(text(", "));
                    }
                    line.extend(component_name(c.component, true));
                }
                line.push(text("."));
                m.paragraph(Style::Muted, &line)?;
            }
        }
        m.end_section()
    }

    /// A component's card: what it is, then its threats.
    fn card(&self, m: &mut dyn Markup, section: &ComponentSection) -> fmt::Result {
        let c = section.component;
        let model = self.report.model;
        m.card(&component_anchor(&c.id), &[text(c.path.join(":"))])?;
        let mut meta = vec![
            text("id "),
            code(format!("#{}", c.id)),
            text(format!(" · layer {}", layer_name(c.layer))),
        ];
        if c.layer_source == LayerSource::Inferred {
            meta.extend([text(" "), Inline::Inferred]);
        }
        meta.push(text(if c.zone.is_empty() {
            " · no zone (a data source or sink)".to_string()
        } else {
            format!(" · zone {}", self.words.zone(&c.zone))
        }));
        if !c.data.is_empty() {
            meta.push(text(format!(" · handles {}", c.data.join(", "))));
        }
        if !c.owners.is_empty() {
            meta.push(text(format!(" · owned by {}", c.owners.join(", "))));
        }
        meta.push(text(" · "));
        meta.extend(source(self.options, &c.site));
        m.paragraph(Style::Meta, &meta)?;
        if let Some(d) = &c.description {
            m.paragraph(Style::Plain, &[text(d.as_str())])?;
        }
        for a in model.assumptions.iter().filter(|a| a.target == c.id) {
            let mut line = vec![
                Inline::Label("Assumes:"),
                text(format!(
                    " {} (",
                    a.statement.as_deref().unwrap_or("(nothing said)")
                )),
            ];
            line.extend(source(self.options, &a.site));
            line.push(text(")"));
            m.paragraph(Style::Assumption, &line)?;
        }
        let items: Vec<Item> = section
            .threats
            .iter()
            .map(|entry| threat_item(self.words, model, c, entry, self.options))
            .collect();
        m.list(ListStyle::Threats, &items)?;
        m.end_card()
    }

    fn coverage(&self, m: &mut dyn Markup) -> fmt::Result {
        m.section(SECTIONS[4].0, SECTIONS[4].1)?;
        m.paragraph(
            Style::Plain,
            &[text(
                "Which STRIDE categories have at least one threat considered (exposed, \
                 mitigated, accepted or transferred, on the component or one containing it). \
                 Per layer, the number of its components that consider the category.",
            )],
        )?;
        let mut head = vec![vec![text("Layer")], vec![text("Components")]];
        head.extend(STRIDE.iter().map(|s| vec![text(stride_name(*s))]));
        let rows = self
            .report
            .layers
            .iter()
            .map(|section| {
                let mut row = vec![
                    Cell {
                        content: vec![text(layer_name(section.layer))],
                        header: true,
                        class: None,
                    },
                    Cell::new(vec![text(section.components.len().to_string())]),
                ];
                row.extend(section.coverage.iter().map(|&n| Cell {
                    content: vec![text(n.to_string())],
                    class: Some(if n > 0 { "on" } else { "off" }),
                    header: false,
                }));
                row
            })
            .collect();
        let mut align = vec![Align::Left];
        align.extend([Align::Right; 7]);
        m.table(&Table {
            class: "matrix",
            head,
            align,
            rows,
        })?;
        m.paragraph(
            Style::Plain,
            &[
                text(
                    "Per component: ✓ where it considers the category; ✗ where its CCCS layer \
                     expects the category and nothing considers it (",
                ),
                code("threatline coverage"),
                text(
                    " suggests threats for each ✗); blank where its layer does not expect \
                     the category and nothing considers it.",
                ),
            ],
        )?;
        let mut head = vec![vec![text("Component")], vec![text("Layer")]];
        head.extend(STRIDE.iter().map(|s| {
            vec![Inline::Hint {
                text: stride_letter(*s).to_string(),
                title: stride_name(*s),
            }]
        }));
        let mut rows = Vec::new();
        for section in &self.report.layers {
            for c in &section.components {
                let mut layer = vec![text(layer_name(section.layer))];
                if c.component.layer_source == LayerSource::Inferred {
                    layer.extend([text(" "), Inline::Inferred]);
                }
                let mut row = vec![
                    Cell {
                        content: vec![self.words.component(&c.component.id)],
                        header: true,
                        class: None,
                    },
                    Cell::new(layer),
                ];
                row.extend(c.coverage.iter().zip(c.expected).map(|(&on, expected)| {
                    let (class, mark) = match (on, expected) {
                        (true, _) => ("on", "✓"),
                        (false, true) => ("gap", "✗"),
                        (false, false) => ("off", ""),
                    };
                    Cell {
                        content: vec![text(mark)],
                        class: Some(class),
                        header: false,
                    }
                }));
                rows.push(row);
            }
        }
        let mut align = vec![Align::Left, Align::Left];
        align.extend([Align::Center; 6]);
        m.table(&Table {
            class: "matrix",
            head,
            align,
            rows,
        })?;
        m.paragraph(
            Style::Muted,
            &[text(format!("{}.", detail::stride_legend()))],
        )?;
        m.end_section()
    }

    fn findings(&self, m: &mut dyn Markup) -> fmt::Result {
        let model = self.report.model;
        let (id, title) = SECTIONS[5];
        m.section(id, title)?;
        if model.findings.is_empty() {
            m.paragraph(Style::Plain, &[text("No findings.")])?;
        } else {
            let all = findings_by_severity(model);
            let groups: Vec<(Severity, Vec<&Finding>)> = SEVERITIES
                .iter()
                .map(|&s| (s, all.iter().copied().filter(|f| f.severity == s).collect()))
                .filter(|(_, fs): &(Severity, Vec<&Finding>)| !fs.is_empty())
                .collect();
            let links: Vec<(String, Vec<Inline>)> = groups
                .iter()
                .map(|(s, fs)| {
                    (
                        format!("{id}-{}", s.as_str()),
                        vec![Inline::Severity(*s), text(format!(" {}", fs.len()))],
                    )
                })
                .collect();
            m.filters(id, &links)?;
            for (severity, fs) in &groups {
                m.group(&format!("{id}-{}", severity.as_str()))?;
                m.heading(&[text(format!(
                    "{} ({})",
                    capitalised(severity.as_str()),
                    fs.len()
                ))])?;
                if *severity == Severity::Info {
                    self.info(m, fs)?;
                } else {
                    self.findings_table(m, fs, true)?;
                }
                m.end_group()?;
            }
        }
        self.diagnostics(m)?;
        m.end_section()
    }

    /// Info findings, one fold per rule with its count: hints, not risks.
    fn info(&self, m: &mut dyn Markup, findings: &[&Finding]) -> fmt::Result {
        let mut codes: Vec<_> = findings.iter().map(|f| f.code).collect();
        codes.sort_by_key(|c| c.as_str());
        codes.dedup();
        m.paragraph(
            Style::Muted,
            &[text(format!(
                "Hints rather than risks, folded by rule: {}.",
                plural(findings.len(), "finding")
            ))],
        )?;
        for rule in codes {
            let of_rule: Vec<&Finding> = findings
                .iter()
                .copied()
                .filter(|f| f.code == rule)
                .collect();
            m.fold(&[code(rule.as_str()), text(format!(" ({})", of_rule.len()))])?;
            self.findings_table(m, &of_rule, false)?;
            m.end_fold()?;
        }
        Ok(())
    }

    fn findings_table(
        &self,
        m: &mut dyn Markup,
        findings: &[&Finding],
        with_code: bool,
    ) -> fmt::Result {
        let rows = findings
            .iter()
            .map(|f| {
                let mut row = Vec::new();
                if with_code {
                    row.push(Cell::new(vec![code(f.code.as_str())]));
                }
                row.push(Cell::new(self.words.message(&f.message)));
                row.push(Cell::new(source(self.options, &f.site)));
                row
            })
            .collect();
        let head: Vec<&str> = if with_code {
            vec!["Code", "Finding", "Where"]
        } else {
            vec!["Finding", "Where"]
        };
        m.table(&Table {
            class: "findings",
            align: vec![Align::Left; head.len()],
            head: head.into_iter().map(|h| vec![text(h)]).collect(),
            rows,
        })
    }

    fn diagnostics(&self, m: &mut dyn Markup) -> fmt::Result {
        let model = self.report.model;
        if model.diagnostics.is_empty() {
            return Ok(());
        }
        m.heading(&[text("Annotation problems")])?;
        let rows = model
            .diagnostics
            .iter()
            .map(|d| {
                let site = Site {
                    location: d.location.clone(),
                    ..Site::default()
                };
                vec![
                    Cell::new(vec![text(level_word(d.severity))]),
                    Cell::new(vec![code(d.code.as_str())]),
                    Cell::new(self.words.message(&d.message)),
                    Cell::new(source(self.options, &site)),
                ]
            })
            .collect();
        m.table(&Table {
            class: "findings",
            head: ["Level", "Code", "Problem", "Where"]
                .map(|h| vec![text(h)])
                .to_vec(),
            align: vec![Align::Left; 4],
            rows,
        })
    }
}
