//! The threat model as a Markdown document that GitHub and GitLab render as it is: the
//! gate summary, the Mermaid data-flow diagram with its unprotected crossings, the model by
//! CCCS layer, the STRIDE × CCCS coverage matrix, then the findings. What each section says
//! is [`crate::report::sections`]; this file is how Markdown writes it ([`Markdown`]).
//!
//! Every piece of annotation text goes through [`text`] or [`code_span`]: a repository is
//! untrusted input when CI renders a fork's pull request, so no name or description may
//! open a link, raw HTML, an autolink, a Liquid tag or a new table cell.

use std::fmt::{self, Write as _};

use crate::report::Report;
use crate::report::detail::{LEDE, ReportOptions};
use crate::report::markup::{Align, Inline, Item, ListStyle, Markup, Style, Table};
use crate::report::{sections, stride_name};

use super::mermaid;

/// Renders the whole report.
pub fn to_markdown(report: &Report, options: &ReportOptions) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_markdown(&mut out, report, options);
    out
}

/// Writes the whole report to `out`.
pub fn write_markdown(
    out: &mut dyn fmt::Write,
    report: &Report,
    options: &ReportOptions,
) -> fmt::Result {
    writeln!(out, "# Threat model: {}\n", text(&options.title))?;
    writeln!(out, "{LEDE}\n")?;
    sections::write(&mut Markdown::new(out), report, options)
}

/// [`Markup`] as Markdown (GitHub Flavored: tables, and `<details>` to fold).
pub struct Markdown<'w> {
    out: &'w mut dyn fmt::Write,
}

impl<'w> Markdown<'w> {
    pub fn new(out: &'w mut dyn fmt::Write) -> Markdown<'w> {
        Markdown { out }
    }
}

/// Inline content as Markdown; `cell` when it goes in a table cell, where a `|` inside a
/// code span must be escaped too.
pub fn inline(content: &[Inline], cell: bool) -> String {
    let mut out = String::new();
    for piece in content {
        match piece {
            Inline::Text(s) | Inline::Path(s) => out.push_str(&text(s)),
            Inline::Code(s) => out.push_str(&code_span(s, cell)),
            Inline::Strong(c) | Inline::Alert(c) => {
                let _ = write!(out, "**{}**", inline(c, cell));
            }
            Inline::Label(l) => out.push_str(l),
            Inline::Link { text: t, href } => {
                let _ = write!(out, "[{}]({href})", text(t));
            }
            Inline::Anchor { content, .. }
            | Inline::Target { content, .. }
            | Inline::Muted(content) => out.push_str(&inline(content, cell)),
            Inline::Hint { text: t, .. } => out.push_str(&text(t)),
            Inline::Severity(s) => out.push_str(s.as_str()),
            Inline::Status(s) => {
                let _ = write!(out, "**{}**", s.as_str());
            }
            Inline::Stride(s) => out.push_str(stride_name(*s)),
            Inline::Inferred => out.push_str("(inferred)"),
            Inline::Swatch(_) => {}
        }
    }
    out
}

/// Inline content as plain text for an HTML block (a `<summary>`): code as its text.
fn html_text(content: &[Inline]) -> String {
    let mut out = String::new();
    for piece in content {
        match piece {
            Inline::Text(s) | Inline::Code(s) | Inline::Path(s) => {
                out.push_str(&super::html::escape(s));
            }
            other => out.push_str(&super::html::escape(&inline(
                std::slice::from_ref(other),
                false,
            ))),
        }
    }
    out
}

impl Markup for Markdown<'_> {
    fn section(&mut self, _id: &str, title: &str) -> fmt::Result {
        writeln!(self.out, "## {title}\n")
    }

    fn end_section(&mut self) -> fmt::Result {
        Ok(())
    }

    fn heading(&mut self, content: &[Inline]) -> fmt::Result {
        writeln!(self.out, "### {}\n", inline(content, false))
    }

    fn paragraph(&mut self, _style: Style, content: &[Inline]) -> fmt::Result {
        writeln!(self.out, "{}\n", inline(content, false))
    }

    fn list(&mut self, _style: ListStyle, items: &[Item]) -> fmt::Result {
        if items.is_empty() {
            return Ok(());
        }
        for item in items {
            writeln!(self.out, "- {}", inline(&item.content, false))?;
            for child in &item.children {
                writeln!(self.out, "  - {}", inline(child, false))?;
            }
        }
        writeln!(self.out)
    }

    fn table(&mut self, table: &Table) -> fmt::Result {
        let head: Vec<String> = table.head.iter().map(|h| inline(h, true)).collect();
        writeln!(self.out, "| {} |", head.join(" | "))?;
        let align: String = table
            .align
            .iter()
            .map(|a| match a {
                Align::Left => "---|",
                Align::Right => "---:|",
                Align::Center => ":-:|",
            })
            .collect();
        writeln!(self.out, "|{align}")?;
        for row in &table.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|c| {
                    let s = inline(&c.content, true);
                    // An empty cell keeps its column: a space, not nothing.
                    if s.is_empty() { " ".to_string() } else { s }
                })
                .collect();
            writeln!(self.out, "| {} |", cells.join(" | "))?;
        }
        writeln!(self.out)
    }

    fn fold(&mut self, summary: &[Inline]) -> fmt::Result {
        writeln!(
            self.out,
            "<details><summary>{}</summary>\n",
            html_text(summary)
        )
    }

    fn end_fold(&mut self) -> fmt::Result {
        writeln!(self.out, "</details>\n")
    }

    fn group(&mut self, _id: &str) -> fmt::Result {
        Ok(())
    }

    fn end_group(&mut self) -> fmt::Result {
        Ok(())
    }

    fn filters(&mut self, _all: &str, _links: &[(String, Vec<Inline>)]) -> fmt::Result {
        Ok(())
    }

    fn card(&mut self, _id: &str, title: &[Inline]) -> fmt::Result {
        writeln!(self.out, "#### {}\n", inline(title, false))
    }

    fn end_card(&mut self) -> fmt::Result {
        Ok(())
    }

    fn diagram(&mut self, report: &Report) -> fmt::Result {
        write!(
            self.out,
            "```mermaid\n{}```\n\nSubgraphs are trust zones; shapes are CCCS layers ({}). \
             **Thick red** arrows cross a trust boundary with no control on them.",
            mermaid::to_mermaid(report.model, &report.dfd),
            mermaid::LEGEND
        )?;
        if !report.attack_paths.is_empty() {
            self.out.write_str(
                " **Thick purple** arrows labelled `path N hop M` are the hops of an attack \
                 path (below).",
            )?;
        }
        writeln!(self.out, "\n")
    }
}

/// Text as a code span, shown exactly (CommonMark 0.31 §6.1): the delimiter is a backtick
/// run longer than any inside, with a space each side when the text starts or ends with a
/// backtick (or starts and ends with a space, which a renderer would strip). Inside a span
/// nothing else is markup, so nothing else is escaped; in a table cell a `|` is, since GFM
/// splits cells before it reads spans. Line breaks become spaces and invisible characters
/// visible, as in [`text`].
///
/// Text holding `{{` or `{%` is set as escaped text instead, since a Liquid pass (Jekyll)
/// reads it even inside a span; so is text holding `<` or `](`, which a span keeps inert
/// for a CommonMark renderer but not for a consumer that strips the backticks or reads
/// the source (a notification, a chat preview): no `<` and no link of the repository's
/// reaches the Markdown source at all.
pub fn code_span(s: &str, cell: bool) -> String {
    let s = s.replace(['\n', '\r', '\t'], " ");
    let s = crate::escape::for_terminal(&s);
    if s.is_empty() {
        return String::new();
    }
    if ["{{", "{%", "<", "]("].iter().any(|bad| s.contains(bad)) {
        return text(&s);
    }
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = s.starts_with('`')
        || s.ends_with('`')
        || (s.starts_with(' ') && s.ends_with(' ') && !s.trim().is_empty());
    let pad = if pad { " " } else { "" };
    let body = if cell {
        s.replace('|', "\\|")
    } else {
        s.into_owned()
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Escapes annotation text for Markdown inline content, table cells included.
///
/// `<`, `>`, `&` and `"` become HTML entities (no raw HTML, no entity of the repository's
/// choosing); Markdown punctuation is backslash-escaped (no emphasis, code, links, images,
/// strikethrough, math, headings or cell breaks); `{` and `}` become entities so a Jekyll
/// or Liquid pass sees no `{{`; `://` and `www.` are broken so GFM makes no autolink; line
/// breaks become spaces, other control and bidirectional characters become visible `\u{..}`.
/// A leading `1.` or `1)` is escaped too, so it opens no ordered list.
pub fn text(s: &str) -> String {
    let s = s.replace(['\n', '\r', '\t'], " ");
    let s = crate::escape::for_terminal(&s);
    let chars: Vec<char> = s.chars().collect();
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let list_mark = (1..=9).contains(&digits) && matches!(chars.get(digits), Some('.' | ')'));
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        if list_mark && i == digits {
            out.push('\\');
            out.push(c);
            continue;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '{' => out.push_str("&#123;"),
            '}' => out.push_str("&#125;"),
            ':' if chars[i + 1..].starts_with(&['/', '/']) => out.push_str("&#58;"),
            '.' if i >= 3 && chars[i - 3..i].iter().all(|w| w.eq_ignore_ascii_case(&'w')) => {
                out.push_str("&#46;")
            }
            // With every `[` and `]` escaped no link or image can open, so `(`, `)` and `!`
            // stay as written; but for a reader of the source (or a naive filter) no `](`
            // appears either.
            '(' if i > 0 && chars[i - 1] == ']' => out.push_str("\\("),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            // Only at the start can these open a list or a setext underline.
            '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn text_is_inert() {
        assert_eq!(
            text("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(text("[x](http://evil)"), "\\[x\\]\\(http&#58;//evil)");
        assert_eq!(text("a|b\nc"), "a\\|b c");
        assert_eq!(
            text("{{x}} `y` *z* _w_"),
            "&#123;&#123;x&#125;&#125; \\`y\\` \\*z\\* \\_w\\_"
        );
        assert_eq!(text("# h"), "\\# h");
        assert_eq!(text("- item"), "\\- item");
        assert_eq!(text("see www.evil.com"), "see www&#46;evil.com");
        assert_eq!(text("&lt; $x$"), "&amp;lt; \\$x\\$");
        assert_eq!(text("Shop:Edge:API Gateway"), "Shop:Edge:API Gateway");
        assert_eq!(text("1. one"), "1\\. one");
        assert_eq!(text("2024) x"), "2024\\) x");
    }

    #[test]
    fn code_spans_take_a_longer_fence() {
        use super::code_span;
        assert_eq!(code_span("Shop:Orders", false), "`Shop:Orders`");
        assert_eq!(code_span("a `b` c", false), "``a `b` c``");
        assert_eq!(code_span("`x``", false), "``` `x`` ```");
        assert_eq!(code_span(" x ", false), "`  x  `");
        assert_eq!(code_span("a|b", true), "`a\\|b`");
        assert_eq!(code_span("a|b", false), "`a|b`");
        assert_eq!(code_span("<b>x</b>", false), "&lt;b&gt;x&lt;/b&gt;");
        assert_eq!(
            code_span("[a](javascript:x)", false),
            "\\[a\\]\\(javascript:x)"
        );
        assert_eq!(code_span("{{x}}", false), "&#123;&#123;x&#125;&#125;");
        assert_eq!(code_span("", false), "");
    }
}
