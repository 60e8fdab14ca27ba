//! The threat model as one self-contained HTML file: the Markdown report's sections
//! ([`crate::report::sections`]) with the data-flow diagram drawn as inline SVG by
//! [`super::svg`]. No script, no network: a strict Content-Security-Policy says so to the
//! browser, inline CSS styles the screen (a phone's too: tables scroll in their own box,
//! severity filters and the full-size diagram are `:target` links) and print (so "print to
//! PDF" in CI is one step), and every piece of annotation text, in text and in attributes,
//! goes through [`escape`].

use std::fmt::{self, Write as _};

use crate::report::detail::{LEDE, ReportOptions, Status};
use crate::report::markup::{Align, Inline, Item, ListStyle, Markup, Style, Table};
use crate::report::sections::{self, SECTIONS};
use crate::report::{LAYERS, Report, layer_name, stride_name};

use super::svg;

/// Screen and print styles, inlined.
const STYLE: &str = concat!(include_str!("report.css"), include_str!("diagram.css"));

/// The policy: nothing may load or run; only the inline styles and `data:` images apply.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// Renders the whole report.
pub fn to_html(report: &Report, options: &ReportOptions) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_html(&mut out, report, options);
    out
}

/// Writes the whole report to `out`.
pub fn write_html(
    out: &mut dyn fmt::Write,
    report: &Report,
    options: &ReportOptions,
) -> fmt::Result {
    let title = escape(&format!("Threat model: {}", options.title));
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{title}</h1>\n\
         <p class=\"lede\">{}</p>\n</header>\n<nav>",
        escape(LEDE)
    )?;
    for (id, name) in SECTIONS {
        write!(out, "<a href=\"#{id}\">{name}</a> ")?;
    }
    out.write_str("</nav>\n<main>\n")?;
    sections::write(&mut Html::new(out), report, options)?;
    out.write_str("</main>\n</body>\n</html>\n")
}

/// [`Markup`] as HTML.
pub struct Html<'w> {
    out: &'w mut dyn fmt::Write,
}

impl<'w> Html<'w> {
    pub fn new(out: &'w mut dyn fmt::Write) -> Html<'w> {
        Html { out }
    }
}

fn status_class(status: Status) -> &'static str {
    match status {
        Status::Open => "open",
        Status::Mitigated => "mitigated",
        Status::Accepted => "accepted",
        Status::Transferred => "transferred",
        Status::HandledAbove | Status::Baselined => "other",
    }
}

/// Inline content as HTML, every piece of text escaped.
pub fn inline(content: &[Inline]) -> String {
    let mut out = String::new();
    for piece in content {
        match piece {
            Inline::Text(s) => out.push_str(&escape(s)),
            Inline::Code(s) => {
                let _ = write!(out, "<code>{}</code>", escape(s));
            }
            Inline::Strong(c) => {
                let _ = write!(out, "<strong>{}</strong>", inline(c));
            }
            Inline::Alert(c) => {
                let _ = write!(out, "<strong class=\"red\">{}</strong>", inline(c));
            }
            Inline::Label(l) => {
                let _ = write!(out, "<em>{}</em>", escape(l));
            }
            Inline::Link { text, href } => {
                let _ = write!(out, "<a href=\"{}\">{}</a>", escape(href), escape(text));
            }
            Inline::Anchor { target, content } => {
                let _ = write!(
                    out,
                    "<a class=\"ref\" href=\"#{}\">{}</a>",
                    escape(target),
                    inline(content)
                );
            }
            Inline::Target { id, content } => {
                let _ = write!(
                    out,
                    "<span id=\"{}\">{}</span>",
                    escape(id),
                    inline(content)
                );
            }
            Inline::Hint { text, title } => {
                let _ = write!(
                    out,
                    "<span title=\"{}\">{}</span>",
                    escape(title),
                    escape(text)
                );
            }
            Inline::Severity(s) => out.push_str(&sev_badge(s.as_str())),
            Inline::Status(s) => {
                let _ = write!(
                    out,
                    "<span class=\"status status-{}\">{}</span>",
                    status_class(*s),
                    s.as_str()
                );
            }
            Inline::Stride(s) => {
                let _ = write!(out, "<span class=\"stride\">{}</span>", stride_name(*s));
            }
            Inline::Muted(c) => {
                let _ = write!(out, "<span class=\"muted\">{}</span>", inline(c));
            }
            Inline::Inferred => out.push_str("<span class=\"inferred\">(inferred)</span>"),
            Inline::Path(s) => out.push_str(&breakable(s)),
            Inline::Swatch(layer) => {
                let _ = write!(
                    out,
                    "<span class=\"swatch\" style=\"background:{}\"></span>",
                    svg::layer_colour(*layer)
                );
            }
        }
    }
    out
}

impl Markup for Html<'_> {
    fn section(&mut self, id: &str, title: &str) -> fmt::Result {
        writeln!(
            self.out,
            "<section id=\"{}\">\n<h2>{}</h2>",
            escape(id),
            escape(title)
        )
    }

    fn end_section(&mut self) -> fmt::Result {
        writeln!(self.out, "</section>")
    }

    fn heading(&mut self, content: &[Inline]) -> fmt::Result {
        writeln!(self.out, "<h3>{}</h3>", inline(content))
    }

    fn paragraph(&mut self, style: Style, content: &[Inline]) -> fmt::Result {
        let class = match style {
            Style::Plain => "",
            Style::Lede => " class=\"lede\"",
            Style::Gate { passed: true } => " class=\"gate pass\"",
            Style::Gate { passed: false } => " class=\"gate fail\"",
            Style::Meta => " class=\"meta\"",
            Style::Muted => " class=\"muted\"",
            Style::Assumption => " class=\"assumption\"",
        };
        writeln!(self.out, "<p{class}>{}</p>", inline(content))
    }

    fn list(&mut self, style: ListStyle, items: &[Item]) -> fmt::Result {
        if items.is_empty() {
            return Ok(());
        }
        let class = match style {
            ListStyle::Plain => "",
            ListStyle::Crossings => " class=\"crossings\"",
            ListStyle::Threats => " class=\"threats\"",
        };
        writeln!(self.out, "<ul{class}>")?;
        for item in items {
            if item.children.is_empty() {
                writeln!(self.out, "<li>{}</li>", inline(&item.content))?;
                continue;
            }
            writeln!(
                self.out,
                "<li><p class=\"head\">{}</p>\n<ul>",
                inline(&item.content)
            )?;
            for child in &item.children {
                writeln!(self.out, "<li>{}</li>", inline(child))?;
            }
            writeln!(self.out, "</ul></li>")?;
        }
        writeln!(self.out, "</ul>")
    }

    fn table(&mut self, table: &Table) -> fmt::Result {
        let align = |i: usize| match table.align.get(i) {
            Some(Align::Right) => " class=\"num\"",
            Some(Align::Center) => " class=\"mid\"",
            _ => "",
        };
        // A table scrolls in its own box: on a phone the page keeps its width.
        write!(
            self.out,
            "<div class=\"scroll\"><table class=\"{}\"><thead><tr>",
            table.class
        )?;
        for (i, h) in table.head.iter().enumerate() {
            write!(self.out, "<th{}>{}</th>", align(i), inline(h))?;
        }
        writeln!(self.out, "</tr></thead><tbody>")?;
        for row in &table.rows {
            self.out.write_str("<tr>")?;
            for (i, cell) in row.iter().enumerate() {
                let tag = if cell.header { "th" } else { "td" };
                let class = match (cell.class, align(i)) {
                    (Some(c), _) => format!(" class=\"{c}\""),
                    (None, a) => a.to_string(),
                };
                write!(self.out, "<{tag}{class}>{}</{tag}>", inline(&cell.content))?;
            }
            writeln!(self.out, "</tr>")?;
        }
        writeln!(self.out, "</tbody></table></div>")
    }

    fn fold(&mut self, summary: &[Inline]) -> fmt::Result {
        writeln!(
            self.out,
            "<details class=\"fold\"><summary>{}</summary>",
            inline(summary)
        )
    }

    fn end_fold(&mut self) -> fmt::Result {
        writeln!(self.out, "</details>")
    }

    fn group(&mut self, id: &str) -> fmt::Result {
        writeln!(self.out, "<div class=\"group\" id=\"{}\">", escape(id))
    }

    fn end_group(&mut self) -> fmt::Result {
        writeln!(self.out, "</div>")
    }

    /// Links to each group: `:target` shows the chosen one alone (report.css), no script.
    fn filters(&mut self, all: &str, links: &[(String, Vec<Inline>)]) -> fmt::Result {
        write!(
            self.out,
            "<p class=\"filters\">Show: <a href=\"#{}\">all</a>",
            escape(all)
        )?;
        for (id, label) in links {
            write!(
                self.out,
                " <a href=\"#{}\">{}</a>",
                escape(id),
                inline(label)
            )?;
        }
        writeln!(self.out, "</p>")
    }

    fn card(&mut self, id: &str, title: &[Inline]) -> fmt::Result {
        writeln!(
            self.out,
            "<article class=\"card\" id=\"{}\">\n<h4>{}</h4>",
            escape(id),
            inline(title)
        )
    }

    fn end_card(&mut self) -> fmt::Result {
        writeln!(self.out, "</article>")
    }

    /// The SVG in a box that scrolls; `#diagram-full` (a `:target`) shows it over the
    /// page at its natural size.
    fn diagram(&mut self, report: &Report) -> fmt::Result {
        writeln!(
            self.out,
            "<div class=\"diagram\" id=\"diagram-full\">\n\
             <a class=\"close\" href=\"#diagram\">Close the full-size diagram</a>"
        )?;
        self.out
            .write_str(&svg::to_svg(report.model, &report.dfd))?;
        self.out.write_str(
            "</div>\n<p class=\"legend\"><a href=\"#diagram-full\">Open the diagram full size</a> · \
             Boxes are trust zones. Layers: ",
        )?;
        for layer in LAYERS {
            write!(
                self.out,
                "{}{} ",
                inline(&[Inline::Swatch(layer)]),
                layer_name(layer)
            )?;
        }
        write!(
            self.out,
            "· dashed outline: layer inferred from the name · \
             <span class=\"red\">thick red</span>: crosses a trust boundary with no control"
        )?;
        if !report.attack_paths.is_empty() {
            self.out.write_str(
                " · <span class=\"purple\">thick purple</span>, numbered: the hops of an \
                 <a href=\"#paths\">attack path</a>",
            )?;
        }
        writeln!(self.out, ".</p>")
    }
}

/// A component path, escaped, that may wrap after each `:` in a narrow table cell.
fn breakable(path: &str) -> String {
    escape(path).replace(':', ":<wbr>")
}

fn sev_badge(severity: &str) -> String {
    format!("<span class=\"sev sev-{severity}\">{severity}</span>")
}

/// Escapes text for an HTML (or inline SVG) text node or quoted attribute: `&`, `<`, `>`,
/// `"` and `'` become entities; line breaks become spaces; other control and bidirectional
/// characters become visible `\u{..}`, so nothing invisible reorders what a reviewer reads.
pub fn escape(s: &str) -> String {
    let s = s.replace(['\n', '\r', '\t'], " ");
    let s = crate::escape::for_terminal(&s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_leaves_no_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape("a\nb\u{202e}"), "a b\\u{202e}");
    }
}
