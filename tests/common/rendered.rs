//! A site rendered in memory, as the preview holds it, read back file by
//! file.

use proficio::build::RenderedSite;
use proficio::build::output::Contents;

/// Every file of a rendered site, as (path, bytes), in the site's order.
pub fn files_of(site: &RenderedSite) -> Vec<(String, Vec<u8>)> {
    site.files
        .iter()
        .map(|file| {
            let bytes = match &file.contents {
                Contents::Bytes(bytes) => bytes.to_vec(),
                Contents::Copy(path) => std::fs::read(path).expect("copied file"),
            };
            (file.path.clone(), bytes)
        })
        .collect()
}

/// The text of the file at `path` among `files`.
pub fn page(files: &[(String, Vec<u8>)], path: &str) -> String {
    let (_, bytes) = files
        .iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("{path} rendered"));
    String::from_utf8_lossy(bytes).into_owned()
}
