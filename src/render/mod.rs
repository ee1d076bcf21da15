//! Turning text into HTML: Markdown bodies with their outlines and links
//! ([`markdown`], kept per page by [`bodies`]), the Tera templates with the
//! filters and functions they call ([`templates`]), and the inline SVG
//! charts ([`charts`]); how a URL is formed and what a link looks like
//! ([`links`]). These are the tools the compute stage (`site`) and
//! the render stage (`build`) use; none of them knows the site model.

pub mod bodies;
pub mod charts;
pub mod links;
pub mod markdown;
pub mod templates;
