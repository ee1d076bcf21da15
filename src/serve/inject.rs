//! What the preview adds to served HTML, and only there (never to a built
//! site): a small script that listens for rebuilds over server-sent events,
//! and, while the input has problems, an overlay naming each one (or, when
//! the site built but something is worth knowing, a notice saying it). Pages stay
//! readable without JavaScript; the script only reloads them or swaps their
//! stylesheets. The overlay is plain HTML with inline styles, so it shows
//! whatever the theme's stylesheet says, and every message in it is escaped.

use crate::base::diagnostics::{Diagnostic, Error};
use crate::render::markdown::escape;

/// Where the event stream is served; outside any site path.
pub(crate) const EVENTS_PATH: &str = "/__proficio/events";

/// `page` with the live-reload script (and `overlay`, if any) placed before
/// its closing `</body>`, or at its end when it has none.
pub(crate) fn into_html(page: &[u8], generation: u64, overlay: Option<&str>) -> Vec<u8> {
    let mut addition = overlay.unwrap_or("").to_string();
    addition.push_str(&script(generation));
    let at = find_body_end(page).unwrap_or(page.len());
    let mut out = Vec::with_capacity(page.len() + addition.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(addition.as_bytes());
    out.extend_from_slice(&page[at..]);
    out
}

/// The start of the last `</body>`, in any letter case.
fn find_body_end(page: &[u8]) -> Option<usize> {
    const TAG: &[u8] = b"</body";
    page.windows(TAG.len())
        .rposition(|window| window.eq_ignore_ascii_case(TAG))
}

/// The live-reload script for a page showing `generation`. It reloads when a
/// newer generation needs it (including one published while the page was
/// loading, which the stream's first `hello` reveals), and on a styles-only
/// change re-fetches the stylesheets with a new query string.
fn script(generation: u64) -> String {
    format!(
        r#"<script data-proficio-live-reload>(function(){{
if(!window.EventSource)return;
var seen={generation},events=new EventSource("{EVENTS_PATH}");
function on(name,act){{events.addEventListener(name,function(e){{var g=Number(e.data);if(g>seen){{seen=g;act(g);}}}});}}
function reload(){{location.reload();}}
on("hello",reload);
on("reload",reload);
on("styles",function(g){{document.querySelectorAll('link[rel~="stylesheet"]').forEach(function(link){{var url=new URL(link.href,location.href);url.searchParams.set("proficio",g);link.href=url.href;}});}});
}})();</script>"#
    )
}

/// A page of its own for when no build has succeeded yet.
pub(crate) fn holding_page(overlay: &str, generation: u64) -> Vec<u8> {
    let page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
        <title>The site does not build yet</title></head>\n\
        <body><main><h1>The site does not build yet</h1>\
        <p>Fix the problems listed above and save; this page reloads by itself.</p>\
        </main></body></html>\n";
    into_html(page.as_bytes(), generation, Some(overlay))
}

/// The overlay listing the problems of a failed build.
pub(crate) fn overlay(error: &Error) -> String {
    let items: String = match error {
        Error::Input(problems) => problems.iter().map(problem_item).collect(),
        other => format!("<li>{}</li>", escape(&other.to_string())),
    };
    let count = error.diagnostics().len().max(1);
    let heading = format!(
        "The last change does not build ({count} problem{}). The preview shows the last good version until the input is fixed.",
        if count == 1 { "" } else { "s" }
    );
    format!(
        "<div id=\"proficio-overlay\" role=\"alert\" style=\"position:fixed;top:0;left:0;right:0;\
z-index:2147483647;max-height:60vh;overflow:auto;margin:0;padding:1rem 1.25rem;\
background:#fff5f5;color:#4a0d0d;border-bottom:4px solid #b3261e;\
box-shadow:0 4px 16px rgba(0,0,0,.35);font:15px/1.5 system-ui,sans-serif;text-align:left\">\
<p style=\"margin:0 0 .5rem;font-weight:700\">{}</p>\
<ol style=\"margin:0;padding-left:1.5rem\">{items}</ol></div>",
        escape(&heading)
    )
}

/// The notice showing `notes` (each one line) on a site that built.
pub(crate) fn notice(notes: &[String]) -> String {
    let items: String = notes
        .iter()
        .map(|note| format!("<li>{}</li>", escape(note)))
        .collect();
    format!(
        "<div id=\"proficio-notice\" role=\"status\" style=\"position:fixed;bottom:0;left:0;right:0;\
z-index:2147483647;margin:0;padding:.5rem 1.25rem;background:#fff8e1;color:#3d2e00;\
border-top:4px solid #b58100;font:15px/1.5 system-ui,sans-serif;text-align:left\">\
<ul style=\"margin:0;padding-left:1.25rem\">{items}</ul></div>"
    )
}

fn problem_item(problem: &Diagnostic) -> String {
    let place = format!(
        "{}:{}:{}",
        problem.file.display(),
        problem.line(),
        problem.column()
    );
    let expected = problem.expected.as_ref().map_or_else(String::new, |e| {
        format!(
            " <span style=\"color:#5f4b00\">(expected {})</span>",
            escape(e)
        )
    });
    format!(
        "<li style=\"margin:.25rem 0\"><code style=\"font:inherit;font-family:ui-monospace,monospace;\
font-weight:700\">{}</code> {}{expected}</li>",
        escape(&place),
        escape(&problem.message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn the_script_goes_before_the_last_closing_body_tag() {
        let page = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(into_html(page, 7, None)).expect("UTF-8");
        let script = out.find("<script").expect("script");
        assert!(script < out.find("</BODY>").expect("body end"), "{out}");
        assert!(out.contains("seen=7"), "{out}");
        assert!(out.ends_with("</BODY></html>"), "{out}");
    }

    #[test]
    fn a_page_without_a_body_tag_gets_the_script_at_its_end() {
        let out = String::from_utf8(into_html(b"<p>bare</p>", 1, None)).expect("UTF-8");
        assert!(out.starts_with("<p>bare</p><script"), "{out}");
    }

    #[test]
    fn the_overlay_escapes_messages_and_names_the_place() {
        let source: Arc<str> = Arc::from("title: x\nlevel: <guru>\n");
        let problem = Diagnostic::new(
            crate::base::codes::Code::Input,
            "content/m.md",
            source,
            16..22,
            "unknown level `<guru>`",
        )
        .expected("one of \"a\", 'b'");
        let html = overlay(&Error::Input(vec![problem]));
        assert!(html.contains("content/m.md:2:8"), "{html}");
        assert!(html.contains("unknown level `&lt;guru&gt;`"), "{html}");
        assert!(
            html.contains("expected one of &quot;a&quot;, &#39;b&#39;"),
            "{html}"
        );
        assert!(!html.contains("<guru>"), "{html}");
    }
}
