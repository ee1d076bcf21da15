//! The link walker: every link and resource on every rendered page must
//! lead to a page or file of the site, every `#anchor` to an element of its
//! target page, and every image must have alt text. A problem is placed in
//! the page's Markdown source when it is written there, and otherwise in the
//! rendered page with a hint naming the template it comes from; a template's
//! mistake is reported once, with how many pages repeat it.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::base::codes::Code;
use crate::base::diagnostics::Diagnostic;
use crate::base::text::nearest;
use crate::build::output::Contents;
use crate::build::{BuildOptions, RenderedSite};
use crate::input::config::Config;
use crate::input::content::{ContentStore, Page};

use super::html::{ParsedPage, Reference};
use super::report::plural;
use super::urls::{has_scheme, last_segment, normalise, output_of, percent_decode, with_index};

/// The rendered site as the link check sees it.
pub(super) struct Portal<'a> {
    root: &'a Path,
    base_url: String,
    base_path: String,
    /// The output folder, relative to the root where possible, for locations.
    output_dir: PathBuf,
    /// Every output path.
    files: BTreeSet<&'a str>,
    /// Every HTML page, parsed.
    pages: BTreeMap<&'a str, ParsedPage>,
    /// Output path of a page → the content source it renders.
    sources: BTreeMap<String, &'a Page>,
    /// Output path of a page → its template.
    templates: BTreeMap<&'a str, &'a str>,
}

/// What the links of every page found, and which files they reach.
pub(super) struct LinkResults {
    /// Broken links and anchors, images without alt text.
    pub(super) findings: Vec<Diagnostic>,
    /// The output path of every file a link or resource reaches.
    pub(super) referenced: HashSet<String>,
}

impl<'a> Portal<'a> {
    /// The rendered `site` of the options' root, `config` and `store`, its
    /// HTML pages parsed.
    pub(super) fn new(
        options: &'a BuildOptions,
        config: &Config,
        store: &'a ContentStore,
        site: &'a RenderedSite,
    ) -> Portal<'a> {
        let pages = site
            .files
            .iter()
            .filter(|f| f.path.ends_with(".html"))
            .filter_map(|f| match &f.contents {
                Contents::Bytes(bytes) => Some((f.path.as_str(), ParsedPage::parse(bytes))),
                Contents::Copy(_) => None,
            })
            .collect();
        let sources = store
            .pages
            .values()
            .map(|page| (output_of(&page.path), page))
            .collect();
        Portal {
            root: &options.root,
            base_url: config.base_url.trim_end_matches('/').to_string(),
            base_path: config.base_path().to_string(),
            output_dir: site
                .output_dir
                .strip_prefix(&options.root)
                .unwrap_or(&site.output_dir)
                .to_path_buf(),
            files: site.files.iter().map(|f| f.path.as_str()).collect(),
            pages,
            sources,
            templates: site
                .pages
                .iter()
                .map(|p| (p.output.as_str(), p.template.as_str()))
                .collect(),
        }
    }

    /// Links, anchors and alt text of every page. A template mistake repeats
    /// on many pages: it is reported once, on the first page, with a count.
    pub(super) fn check_pages(&self) -> LinkResults {
        let mut results = LinkResults {
            findings: Vec::new(),
            referenced: HashSet::new(),
        };
        let mut from_templates: BTreeMap<(Code, String), (Diagnostic, usize)> = BTreeMap::new();
        for (output, page) in &self.pages {
            for (finding, in_markdown) in self.check_page(output, page, &mut results.referenced) {
                if in_markdown {
                    results.findings.push(finding);
                } else {
                    let key = (finding.code, finding.message.clone());
                    from_templates.entry(key).or_insert((finding, 0)).1 += 1;
                }
            }
        }
        for (_, (mut finding, count)) in from_templates {
            if count > 1 {
                finding.message.push_str(&format!(
                    " (and on {} other page{})",
                    count - 1,
                    plural(count - 1)
                ));
            }
            results.findings.push(finding);
        }
        results
    }

    /// The findings of one page, each with whether it is located in Markdown.
    fn check_page(
        &self,
        output: &str,
        page: &ParsedPage,
        referenced: &mut HashSet<String>,
    ) -> Vec<(Diagnostic, bool)> {
        let mut findings = Vec::new();
        for reference in &page.references {
            if let Some(problem) = self.check_reference(output, reference, referenced) {
                findings.push(self.locate(output, page, reference.span.clone(), problem));
            }
        }
        for image in &page.images_without_alt {
            let problem = LinkProblem {
                code: Code::ImageMissingAlt,
                message: format!("image `{}` has no alt text", image.src),
                hint: "add alt=\"…\" describing the image, or alt=\"\" if it is only decoration"
                    .to_string(),
                needles: vec![
                    Needle::attribute(&image.src),
                    Needle::segment(last_segment(&image.src)),
                ],
            };
            findings.push(self.locate(output, page, image.span.clone(), problem));
        }
        findings
    }

    /// Checks one link, recording the file it reaches.
    fn check_reference(
        &self,
        output: &str,
        reference: &Reference,
        referenced: &mut HashSet<String>,
    ) -> Option<LinkProblem> {
        let url = reference.url.trim();
        match self.resolve(output, url) {
            Resolved::External => None,
            Resolved::Missing(why) => Some(LinkProblem::broken_link(url, why)),
            Resolved::Found { file, fragment } => {
                referenced.insert(file.clone());
                self.check_fragment(url, &file, fragment.as_deref())
            }
        }
    }

    /// A `#fragment` must name an element of the target page.
    fn check_fragment(&self, url: &str, file: &str, fragment: Option<&str>) -> Option<LinkProblem> {
        let fragment = fragment.filter(|f| !f.is_empty() && *f != "top")?;
        let target = self.pages.get(file)?;
        if target.ids.contains(fragment) {
            return None;
        }
        Some(LinkProblem::broken_anchor(url, file, fragment, &target.ids))
    }

    /// Resolves a URL found on page `from` to an output file.
    fn resolve(&self, from: &str, url: &str) -> Resolved {
        let own_site = self.base_url.clone() + "/";
        let url = match url.strip_prefix(&own_site) {
            Some(rest) => format!("{}{rest}", self.base_path),
            None if url == self.base_url => self.base_path.clone(),
            None => url.to_string(),
        };
        if url.is_empty() || has_scheme(&url) || url.starts_with("//") {
            return Resolved::External;
        }
        let (before, fragment) = match url.split_once('#') {
            Some((before, fragment)) => (before, Some(percent_decode(fragment))),
            None => (url.as_str(), None),
        };
        let path = before.split_once('?').map_or(before, |(path, _)| path);
        let Some(joined) = self.join(from, path) else {
            return Resolved::Missing(format!(
                "`{path}` is outside the site's base path `{}`",
                self.base_path
            ));
        };
        let candidates = if joined.is_empty() || path.ends_with('/') || path.is_empty() {
            vec![with_index(&joined, path.is_empty(), from)]
        } else {
            vec![joined.clone(), format!("{joined}/index.html")]
        };
        match candidates
            .into_iter()
            .find(|c| self.files.contains(c.as_str()))
        {
            Some(file) => Resolved::Found { file, fragment },
            None => Resolved::Missing(format!("nothing is built at `/{joined}`")),
        }
    }

    /// The output path (without `index.html`) a URL path leads to from page
    /// `from`; `None` for a root-relative path outside the base path.
    fn join(&self, from: &str, path: &str) -> Option<String> {
        if path.is_empty() {
            return Some(from.to_string());
        }
        let relative = if path.starts_with('/') {
            let with_slash = format!("{path}/");
            match path.strip_prefix(&self.base_path) {
                Some(rest) => rest.to_string(),
                None if with_slash == self.base_path => String::new(),
                None => return None,
            }
        } else {
            let folder = from.rfind('/').map_or("", |i| &from[..=i]);
            format!("{folder}{path}")
        };
        Some(normalise(&relative))
    }

    /// Places a problem: in the page's Markdown source when the link can be
    /// found there, otherwise in the rendered page with a hint naming the
    /// template. The flag says whether it was found in Markdown.
    fn locate(
        &self,
        output: &str,
        page: &ParsedPage,
        span: Range<usize>,
        problem: LinkProblem,
    ) -> (Diagnostic, bool) {
        if let Some(source) = self.sources.get(output)
            && let Some(range) = problem.find_in(source)
        {
            let finding = Diagnostic::new(
                problem.code,
                source.file.clone(),
                source.text.clone(),
                range,
                problem.message,
            );
            return (finding.hint(problem.hint), true);
        }
        let finding = Diagnostic::new(
            problem.code,
            self.output_dir.join(output),
            page.html.clone(),
            span,
            problem.message,
        );
        let origin = self.origin(output);
        (finding.hint(format!("{}; {origin}", problem.hint)), false)
    }

    /// Where a rendered page's markup comes from, for hints.
    fn origin(&self, output: &str) -> String {
        let Some(template) = self.templates.get(output) else {
            return "the page is a static file of the site or its theme".to_string();
        };
        let place = if self.root.join("templates").join(template).is_file() {
            format!("the site's templates/{template}")
        } else {
            format!("the theme's template {template}")
        };
        match self.sources.get(output) {
            Some(source) => format!(
                "it comes from {place} (or a template it extends or includes), rendering {}",
                source.file.display()
            ),
            None => format!("it comes from {place} (or a template it extends or includes)"),
        }
    }
}

/// Where a URL leads.
enum Resolved {
    /// Another site, or a scheme such as `mailto:`: not checked.
    External,
    /// An output file, with the fragment asked for.
    Found {
        file: String,
        fragment: Option<String>,
    },
    /// Nothing the build produces; why, for the hint.
    Missing(String),
}

/// A problem of a link or image before it is located.
struct LinkProblem {
    code: Code,
    message: String,
    hint: String,
    /// What to look for in the Markdown source, in order.
    needles: Vec<Needle>,
}

impl LinkProblem {
    fn broken_link(url: &str, why: String) -> LinkProblem {
        let (before, _) = url.split_once('#').unwrap_or((url, ""));
        LinkProblem {
            code: Code::BrokenLink,
            message: format!("link to `{url}`, which is not a page or file of the site"),
            hint: why,
            needles: vec![
                Needle::attribute(url),
                Needle::segment(last_segment(before)),
            ],
        }
    }

    fn broken_anchor(url: &str, file: &str, fragment: &str, ids: &HashSet<String>) -> LinkProblem {
        LinkProblem {
            code: Code::BrokenAnchor,
            message: format!("link to `{url}`: `{file}` has no element with id `{fragment}`"),
            hint: anchor_hint(fragment, ids),
            needles: vec![Needle::attribute(url), Needle::fragment(fragment)],
        }
    }

    /// Byte range of the first needle found in the page's Markdown body.
    fn find_in(&self, page: &Page) -> Option<Range<usize>> {
        let body = page.body();
        self.needles.iter().find_map(|needle| {
            needle
                .find(body)
                .map(|i| page.body_start + i..page.body_start + i + needle.text.len())
        })
    }
}

/// The ids nearest to `fragment` first ("did you mean"), then others of
/// of the page in sorted order, eight in all.
fn anchor_hint(fragment: &str, ids: &HashSet<String>) -> String {
    let mut known: Vec<&str> = ids.iter().map(String::as_str).collect();
    known.sort_unstable();
    let near = nearest(fragment, &known);
    let others: Vec<&str> = known
        .iter()
        .filter(|id| !near.contains(id))
        .take(8 - near.len())
        .copied()
        .collect();
    let quoted = |ids: &[&str]| {
        ids.iter()
            .map(|id| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (near.is_empty(), others.is_empty()) {
        (true, true) => "that page has no ids".to_string(),
        (true, false) => format!("ids on that page include: {}", quoted(&others)),
        (false, true) => format!("did you mean {}?", quoted(&near)),
        (false, false) => format!(
            "did you mean {}? Other ids on that page: {}",
            quoted(&near),
            quoted(&others)
        ),
    }
}

/// Text to look for in a Markdown body, with what may stand before it.
struct Needle {
    text: String,
    /// Characters allowed just before; empty for any.
    before: &'static str,
}

impl Needle {
    /// A whole URL, as written in `(…)`, `<…>` or an HTML attribute.
    fn attribute(url: &str) -> Needle {
        Needle {
            text: url.to_string(),
            before: "(<\"'= \t\n",
        }
    }

    /// `#fragment`, after a path or alone.
    fn fragment(fragment: &str) -> Needle {
        Needle {
            text: format!("#{fragment}"),
            before: "",
        }
    }

    /// A file name at the end of a path.
    fn segment(segment: &str) -> Needle {
        Needle {
            text: segment.to_string(),
            before: "/(<\"'= \t\n",
        }
    }

    fn find(&self, body: &str) -> Option<usize> {
        if self.text.is_empty() {
            return None;
        }
        body.match_indices(self.text.as_str())
            .map(|(i, _)| i)
            .find(|&i| {
                let previous = body[..i].chars().next_back();
                let next = body[i + self.text.len()..].chars().next();
                let before_ok =
                    self.before.is_empty() || previous.is_some_and(|c| self.before.contains(c));
                let after_ok = next.is_none_or(|c| c.is_whitespace() || ")\"'>".contains(c));
                before_ok && after_ok
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needles_respect_their_delimiters() {
        let needle = Needle::attribute("/x/");
        assert_eq!(needle.find("see /x/y and [x](/x/)"), Some(17));
        assert_eq!(Needle::fragment("part").find("[a](@/m.md#part)"), Some(10));
    }
}
