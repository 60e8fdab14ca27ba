//! Documentation of the diagnostic codes: problems with the annotations themselves,
//! reported with `file:line:col`, the offending text and a hint.

use super::{DiagnosticDoc, documented};
use crate::diagnostics::Code;

documented! {
    /// ## What it means
    ///
    /// A line starts with an annotation verb and carries its structure (a `#ref`, a ` -- `
    /// description, or a keyword of the verb's form such as `against` for `@mitigates`),
    /// but does not parse: a part is missing, a bracket or `(#id` is not closed, a
    /// description's quote is not closed.
    ///
    /// ## Why it matters
    ///
    /// A malformed line adds nothing to the model, so the mitigation or exposure it meant
    /// to record is silently missing. It is an error: `check` fails on it.
    ///
    /// ## Fix
    ///
    /// Follow the hint, which shows the verb's form, e.g. `@mitigates <component> against
    /// <threat> [with <control>]`.
    pub struct MalformedAnnotation;
}

documented! {
    /// ## What it means
    ///
    /// A `#id` names nothing: no threat, control, component (or flow, where one can stand)
    /// declares that id, and no name normalises to it.
    ///
    /// ## Why it matters
    ///
    /// Usually a typo (`#sqlli` for `#sqli`): the relation points nowhere, and an exposure
    /// or mitigation that should join up does not. The annotation stays in the model with
    /// the unresolved id; the error makes `check` fail until it is fixed.
    ///
    /// ## Fix
    ///
    /// Take the "did you mean" suggestion, or declare the entity: `@threat SQL injection
    /// (#sqli)`.
    pub struct DanglingReference;
}

documented! {
    /// ## What it means
    ///
    /// One id is declared for two different names (`@threat SQL injection (#sqli)` and
    /// `@threat Session fixation (#sqli)`), or one flow id for two flows.
    ///
    /// ## Why it matters
    ///
    /// Every `#sqli` reference would be ambiguous; threatline keeps the first declaration
    /// (in path, line, column order) and reports the second.
    ///
    /// ## Fix
    ///
    /// Give each entity its own id, or write the same name everywhere the id is declared.
    pub struct DuplicateId;
}

documented! {
    /// ## What it means
    ///
    /// The YAML block after an annotation line ending in `:` does not parse, or is not a
    /// mapping of `key: value` lines.
    ///
    /// ## Why it matters
    ///
    /// The block's fields (description, priority, STRIDE, ...) are lost; the annotation
    /// itself stays in the model.
    ///
    /// ## Fix
    ///
    /// Indent the block's lines under the annotation, one `key: value` per line, and end the
    /// block with a blank comment line or the end of the comment.
    pub struct InvalidYaml;
}

documented! {
    /// ## What it means
    ///
    /// A comment line starts with an annotation verb but reads like prose: it carries none
    /// of the verb's structure (`@mitigates are written next to the code`), or a name in it
    /// reads as a sentence (a final period, a comma followed by more words, more than 8
    /// words: kernel-doc's `@control is set, further wait until ...`).
    ///
    /// ## Why it matters
    ///
    /// It may be an annotation written wrongly, or just a sentence. It is a warning; it
    /// never fails the gate. It is reported only in a tree that holds a threat model; in a
    /// repository with none, such lines are other people's prose and `check` only counts
    /// them.
    ///
    /// ## Fix
    ///
    /// Reword the sentence, put `@skip` before the verb to switch the line off, or complete
    /// the annotation. A name that must hold a comma or a period can be quoted or given an
    /// id: `@threat Command, template or NoSQL injection (#injection)`.
    pub struct ProseLike;
}

documented! {
    /// ## What it means
    ///
    /// A file was not scanned: over the size cap (`--max-file-size`, 2 MiB by default) with
    /// a possible annotation in it (an oversized file with none is passed over in silence),
    /// unreadable, or a symlink that leads outside the scanned root.
    ///
    /// ## Why it matters
    ///
    /// Annotations in that file are not in the model.
    ///
    /// ## Fix
    ///
    /// Exclude generated and vendored files with `--exclude`, raise the cap, or fix the
    /// permissions.
    pub struct SkippedFile;
}

documented! {
    /// ## What it means
    ///
    /// Parsing a file took longer than the deadline (pathological or generated input), so
    /// its comments were read line by line instead of from the syntax tree.
    ///
    /// ## Why it matters
    ///
    /// Nothing is lost, but the line-by-line reading cannot tell a comment marker inside a
    /// string from a real comment.
    ///
    /// ## Fix
    ///
    /// Exclude minified or generated files with `--exclude`.
    pub struct ParseTimeout;
}

documented! {
    /// ## What it means
    ///
    /// Two annotations disagree about one entity: two CCCS layers for one component, or an
    /// explicit id that is also another component's path. Also for zone trust: a zone said
    /// to be `[untrusted]` in one place and `[trusted]` (or `trusted:` in `threatline.yaml`)
    /// in another, and a zone that `threatline.yaml` lists under `untrusted:` or `trusted:`
    /// but no annotation makes (reported at its line of the config, with the nearest zone).
    ///
    /// ## Why it matters
    ///
    /// threatline keeps the first and tells you which one it kept; for zone trust it keeps
    /// `untrusted`, the safe reading. A zone name in the config that reaches no zone changes
    /// nothing: a typo there would leave an outside zone trusted.
    ///
    /// ## Fix
    ///
    /// Make the annotations agree; correct the zone's name in `threatline.yaml` (a zone is
    /// named by its id or its name: `@boundary Suppliers (#suppliers) around ...` is
    /// `suppliers`, an implicit zone by its top-level component).
    pub struct Conflict;
}

documented! {
    /// ## What it means
    ///
    /// An entry of the `--baseline` file matches no current finding or diagnostic.
    ///
    /// ## Why it matters
    ///
    /// The finding was fixed (good) or its ids changed, in which case the finding is back
    /// under a new fingerprint. Stale entries make a baseline hard to trust.
    ///
    /// ## Fix
    ///
    /// Remove the entry, or record the baseline again with `threatline baseline`.
    pub struct BaselineOrphan;
}

documented! {
    /// ## What it means
    ///
    /// Another tool's project file that threatline reads (GuardLink's
    /// `.guardlink/config.json`) holds a key threatline does not know, a value of the wrong
    /// shape, or does not parse. That key (or the file) is ignored; the rest is used.
    ///
    /// ## Why it matters
    ///
    /// GuardLink's `include`, `exclude` and `definitions` decide which files make up the
    /// model. A setting that is silently dropped would change the model without a word.
    ///
    /// ## Fix
    ///
    /// Correct the key or its value; or, to have threatline ignore GuardLink's project file
    /// altogether, write `guardlink: false` in `threatline.yaml`.
    pub struct ForeignConfig;
}

pub const ALL: &[DiagnosticDoc] = &[
    DiagnosticDoc {
        code: Code::MalformedAnnotation,
        summary: "An annotation with structure that does not parse.",
        doc: MalformedAnnotation::DOC,
    },
    DiagnosticDoc {
        code: Code::DanglingReference,
        summary: "A #id that nothing declares.",
        doc: DanglingReference::DOC,
    },
    DiagnosticDoc {
        code: Code::DuplicateId,
        summary: "One id declared for two different names.",
        doc: DuplicateId::DOC,
    },
    DiagnosticDoc {
        code: Code::InvalidYaml,
        summary: "An annotation's YAML block that does not parse.",
        doc: InvalidYaml::DOC,
    },
    DiagnosticDoc {
        code: Code::ProseLike,
        summary: "A verb at the start of a line that reads as prose.",
        doc: ProseLike::DOC,
    },
    DiagnosticDoc {
        code: Code::SkippedFile,
        summary: "A file that was not scanned.",
        doc: SkippedFile::DOC,
    },
    DiagnosticDoc {
        code: Code::ParseTimeout,
        summary: "A file parsed line by line after the parse deadline.",
        doc: ParseTimeout::DOC,
    },
    DiagnosticDoc {
        code: Code::Conflict,
        summary: "Two annotations that disagree about one entity.",
        doc: Conflict::DOC,
    },
    DiagnosticDoc {
        code: Code::BaselineOrphan,
        summary: "A baseline entry that matches nothing.",
        doc: BaselineOrphan::DOC,
    },
    DiagnosticDoc {
        code: Code::ForeignConfig,
        summary: "A setting of another tool's project file that threatline cannot use.",
        doc: ForeignConfig::DOC,
    },
];
