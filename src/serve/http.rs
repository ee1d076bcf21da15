//! The preview's HTTP/1.1 server: hyper on a small tokio runtime, so an idle
//! or slow connection costs a few kilobytes rather than a thread, and a
//! request head that is not complete within [`HEAD_DEADLINE`] (also the
//! wait for the next request on a kept-alive connection) closes its
//! connection. GET and HEAD only. Requests are answered only from the
//! in-memory snapshot, so no URL can reach a file on disk; paths with `.`
//! or `..` segments (also percent-encoded), backslashes or NUL bytes are
//! refused outright with 400, and a preview on loopback answers only
//! requests naming this machine. The live-reload event stream is a
//! response body fed by a task of its own, with a heartbeat that finds a
//! closed tab within seconds.

use std::convert::Infallible;
use std::net::TcpListener;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{Either, Full, channel::Channel};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::Semaphore;

use crate::base::diagnostics::{Error, Result};

use super::inject::{self, EVENTS_PATH};
use super::state::{Refresh, Shared, Snapshot};

/// Connections served at once; more are answered 503 and closed. Far above
/// what browsers open, far below what exhausts memory or descriptors.
const MAX_CONNECTIONS: usize = 4096;
/// The most bytes a request head (request line and headers) may have.
const MAX_HEAD: usize = 32 * 1024;
/// How long a client has to send a whole request head, counted from the
/// connection's start or the end of the previous response: a slow or idle
/// connection is closed after this.
const HEAD_DEADLINE: Duration = Duration::from_secs(5);
/// How often an idle event stream sends a comment, so a closed tab is
/// noticed (its second write after closing fails) and its stream ends
/// within seconds; a comment is a few bytes.
const HEARTBEAT: Duration = Duration::from_secs(2);
/// Threads answering requests: answers come from memory, so two suffice.
const WORKERS: usize = 2;

type Body = Either<Full<Bytes>, Channel<Bytes>>;
type Reply = hyper::Response<Body>;

/// Starts accepting connections on `listener` until the server stops.
pub(crate) fn spawn(listener: TcpListener, shared: Arc<Shared>) -> Result<JoinHandle<()>> {
    let cannot = |e: std::io::Error| Error::Refused(format!("cannot start the web server: {e}"));
    listener.set_nonblocking(true).map_err(cannot)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .thread_name("proficio-http")
        .enable_io()
        .enable_time()
        .build()
        .map_err(cannot)?;
    super::spawn("proficio-http", move || {
        runtime.block_on(accept(listener, shared));
        // Open connections and event streams end with the runtime.
        runtime.shutdown_timeout(Duration::from_secs(1));
    })
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_DEADLINE)
        .max_header_size(MAX_HEAD);
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let accepted = listener.accept().await;
        if shared.stopping() {
            return;
        }
        let Ok((stream, _)) = accepted else {
            // Out of descriptors or an aborted handshake: give the system
            // a moment instead of spinning.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let on_loopback = stream.local_addr().is_ok_and(|a| a.ip().is_loopback());
        let io = TokioIo::new(stream);
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            let busy = service_fn(|_| async {
                Ok::<_, Infallible>(refusal(503, "Too many connections.\n"))
            });
            tokio::spawn(http.serve_connection(io, busy));
            continue;
        };
        let shared = shared.clone();
        let service = service_fn(move |request| {
            let reply = answer(&request, &shared, on_loopback);
            async move { Ok::<_, Infallible>(reply) }
        });
        let connection = http.serve_connection(io, service);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
}

/// The answer to one request.
fn answer(request: &Request<Incoming>, shared: &Arc<Shared>, on_loopback: bool) -> Reply {
    if let Some(refused) = refused(request, on_loopback) {
        return refused;
    }
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    if path_of(target) == EVENTS_PATH {
        return events(shared, request.method() == Method::HEAD);
    }
    respond(target, &shared.current()).into_reply()
}

/// The refusal of what the preview does not serve: other methods, bodies,
/// targets that are not plain paths, two `Host` headers, and on loopback a
/// `Host` naming another machine.
fn refused(request: &Request<Incoming>, on_loopback: bool) -> Option<Reply> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut reply = refusal(405, "Only GET and HEAD are served.\n");
        reply
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Some(reply);
    }
    // An absolute URL would name a host of its own beside the Host header.
    if request.uri().scheme().is_some() || request.uri().authority().is_some() {
        return Some(refusal(
            400,
            "The request target must be a path starting with /.\n",
        ));
    }
    let headers = request.headers();
    // RFC 9112, 3.2: two Host lines could make the Host check and a proxy
    // in front disagree about which host is meant.
    let mut hosts = headers.get_all(header::HOST).iter();
    let host = hosts.next();
    if hosts.next().is_some() {
        return Some(refusal(400, "More than one Host header.\n"));
    }
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|n| n.as_bytes().trim_ascii() != b"0");
    if has_body {
        return Some(refusal(400, "A GET or HEAD request has no body.\n"));
    }
    let host = match host.map(HeaderValue::to_str) {
        Some(Err(_)) => return Some(refusal(400, "The Host header is not text.\n")),
        Some(Ok(host)) => Some(host),
        None => None,
    };
    if on_loopback && !names_this_machine(host) {
        return Some(refusal(
            403,
            "This preview only answers requests for localhost.\n",
        ));
    }
    None
}

/// Whether a request's `Host` names this machine. A preview on a loopback
/// address refuses other names, so a web page cannot reach it through a
/// name of its own that resolves to 127.0.0.1 (DNS rebinding). A request
/// without the header (HTTP/1.0) cannot come from such a page.
fn names_this_machine(host: Option<&str>) -> bool {
    let Some(host) = host else { return true };
    let name = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A plain-text error that also closes the connection.
fn refusal(status: u16, why: &'static str) -> Reply {
    let mut reply = Response::text(status, why).into_reply();
    reply
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    reply
}

/// The event stream: a `hello` with the current generation, then `reload` or
/// `styles` after each rebuild that changed the output, and comments to keep
/// the connection alive. Its task ends when the client goes (the body is
/// dropped and the next send fails) or the server stops.
fn events(shared: &Arc<Shared>, head_only: bool) -> Reply {
    let (mut sender, body) = Channel::new(4);
    if !head_only {
        let shared = shared.clone();
        tokio::spawn(async move {
            let mut generations = shared.subscribe();
            let mut sent = shared.current().generation;
            let hello = format!("retry: 1000\nevent: hello\ndata: {sent}\n\n");
            if sender.send_data(hello.into()).await.is_err() {
                return;
            }
            loop {
                let waited = tokio::time::timeout(HEARTBEAT, generations.changed()).await;
                if shared.stopping() || matches!(waited, Ok(Err(_))) {
                    return;
                }
                let snapshot = shared.current();
                let message = match snapshot.refresh_since(sent) {
                    Some(Refresh::Reload) => {
                        format!("event: reload\ndata: {}\n\n", snapshot.generation)
                    }
                    Some(Refresh::Styles) => {
                        format!("event: styles\ndata: {}\n\n", snapshot.generation)
                    }
                    None => ": still here\n\n".to_string(),
                };
                if sender.send_data(message.into()).await.is_err() {
                    return;
                }
                sent = snapshot.generation;
            }
        });
    }
    let mut reply = hyper::Response::new(Either::Right(body));
    let headers = reply.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    reply
}

/// A response body: bytes shared with the snapshot, or made for this request.
enum Payload {
    Shared(Arc<Vec<u8>>),
    Owned(Vec<u8>),
}

/// Output bytes served without copying them out of the snapshot.
struct SharedBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

struct Response {
    status: u16,
    content_type: &'static str,
    location: Option<String>,
    body: Payload,
}

impl Response {
    fn text(status: u16, text: &str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            location: None,
            body: Payload::Owned(text.as_bytes().to_vec()),
        }
    }

    fn redirect(location: String) -> Response {
        Response {
            location: Some(location),
            ..Response::text(301, "Moved.\n")
        }
    }

    fn into_reply(self) -> Reply {
        let body = match self.body {
            Payload::Shared(bytes) => Bytes::from_owner(SharedBytes(bytes)),
            Payload::Owned(bytes) => Bytes::from(bytes),
        };
        let mut reply = hyper::Response::new(Either::Left(Full::new(body)));
        *reply.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = reply.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        // A location is a path the server made from a valid request path.
        if let Some(location) = self.location.and_then(|l| HeaderValue::try_from(l).ok()) {
            headers.insert(header::LOCATION, location);
        }
        reply
    }
}

/// Where a request path leads in the site.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// An output file (`modules/qbr/index.html`).
    File(String),
    /// The same place with a trailing slash.
    Redirect(String),
    /// Outside the site's base path.
    Outside,
}

/// The answer to a GET for `target` from `snapshot`.
fn respond(target: &str, snapshot: &Snapshot) -> Response {
    let key = match resolve(target, &snapshot.base_path) {
        Err(why) => return Response::text(400, why),
        Ok(Target::Redirect(location)) => return Response::redirect(location),
        Ok(Target::Outside) => None,
        Ok(Target::File(key)) => Some(key),
    };
    if !snapshot.built {
        let overlay = snapshot.overlay.as_deref().unwrap_or("");
        return html(503, inject::holding_page(overlay, snapshot.generation));
    }
    let Some(key) = key else {
        return not_found(snapshot);
    };
    if let Some(bytes) = snapshot.files.get(&key) {
        return file(&key, bytes, snapshot);
    }
    // A folder asked for without its slash: send the browser to the slash
    // form, so relative links in the page resolve as they will when published.
    if snapshot.files.contains_key(&format!("{key}/index.html")) {
        return Response::redirect(format!("{}/", path_of(target)));
    }
    not_found(snapshot)
}

fn file(key: &str, bytes: &Arc<Vec<u8>>, snapshot: &Snapshot) -> Response {
    let content_type = content_type(key);
    if content_type.starts_with("text/html") {
        let page = inject::into_html(bytes, snapshot.generation, snapshot.banner());
        return html(200, page);
    }
    Response {
        status: 200,
        content_type,
        location: None,
        body: Payload::Shared(bytes.clone()),
    }
}

/// The site's own 404 page, with status 404.
fn not_found(snapshot: &Snapshot) -> Response {
    match snapshot.files.get("404.html") {
        Some(page) => html(
            404,
            inject::into_html(page, snapshot.generation, snapshot.banner()),
        ),
        None => Response::text(404, "Not found.\n"),
    }
}

fn html(status: u16, page: Vec<u8>) -> Response {
    Response {
        status,
        content_type: "text/html; charset=utf-8",
        location: None,
        body: Payload::Owned(page),
    }
}

/// The request target without its query or fragment.
fn path_of(target: &str) -> &str {
    target.split(['?', '#']).next().unwrap_or("")
}

/// Maps a request target to a file of the site served under `base_path`.
/// Anything that could name a place outside the site is refused rather than
/// normalised, since no real link of the site looks like that.
fn resolve(target: &str, base_path: &str) -> std::result::Result<Target, &'static str> {
    let raw = path_of(target);
    if !raw.starts_with('/') {
        return Err("The request target must be a path starting with /.\n");
    }
    let bytes = percent_decode(raw).ok_or("The path has a malformed %-escape.\n")?;
    let path = String::from_utf8(bytes).map_err(|_| "The path is not UTF-8.\n")?;
    if path.contains(['\0', '\\']) {
        return Err("The path holds a character no site path has.\n");
    }
    if path
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return Err("Paths with . or .. segments are not served.\n");
    }
    let Some(relative) = path.strip_prefix(base_path) else {
        return Ok(if format!("{path}/") == base_path {
            Target::Redirect(base_path.to_string())
        } else {
            Target::Outside
        });
    };
    if relative.is_empty() || relative.ends_with('/') {
        return Ok(Target::File(format!("{relative}index.html")));
    }
    Ok(Target::File(relative.to_string()))
}

/// Decodes `%XX` escapes; `None` when one is malformed.
fn percent_decode(path: &str) -> Option<Vec<u8>> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let text = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The media type of an output file, by its extension.
fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let extension = name.rsplit_once('.').map_or("", |(_, e)| e);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_of_this_machine_reach_a_loopback_preview() {
        for host in [
            "localhost",
            "localhost:1111",
            "LOCALHOST:1111",
            "docs.localhost:1111",
            "127.0.0.1:1111",
            "127.0.0.2",
            "[::1]:1111",
        ] {
            assert!(names_this_machine(Some(host)), "{host}");
        }
        assert!(names_this_machine(None));
        for host in [
            "attacker.example:1111",
            "example.com",
            "10.0.0.5:1111",
            "[::2]:80",
            "",
        ] {
            assert!(!names_this_machine(Some(host)), "{host}");
        }
    }

    #[test]
    fn paths_map_to_output_files() {
        let file = |p: &str| Target::File(p.to_string());
        assert_eq!(resolve("/", "/"), Ok(file("index.html")));
        assert_eq!(resolve("/modules/", "/"), Ok(file("modules/index.html")));
        assert_eq!(resolve("/style.css?v=2", "/"), Ok(file("style.css")));
        assert_eq!(resolve("/a%20b.png#x", "/"), Ok(file("a b.png")));
        assert_eq!(resolve("/portal/x/", "/portal/"), Ok(file("x/index.html")));
        assert_eq!(
            resolve("/portal", "/portal/"),
            Ok(Target::Redirect("/portal/".to_string()))
        );
        assert_eq!(resolve("/elsewhere/", "/portal/"), Ok(Target::Outside));
    }

    #[test]
    fn paths_that_could_leave_the_site_are_refused() {
        for target in [
            "/../etc/passwd",
            "/modules/../../x",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/.%2e/x",
            "/./index.html",
            "/a%5c..%5cb",
            "/a%00b",
            "/%zz",
            "/%2",
            "/%+1",
            "/%ff%fe",
            "http://example.com/",
            "*",
            "etc/passwd",
        ] {
            assert!(resolve(target, "/").is_err(), "{target} was accepted");
        }
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("chart.svg"), "image/svg+xml");
        assert_eq!(content_type("sitemap.xml"), "application/xml");
        assert_eq!(content_type("data/metrics.json"), "application/json");
        assert_eq!(content_type("data/kpis.csv"), "text/csv; charset=utf-8");
        assert_eq!(content_type("logo.png"), "image/png");
        assert_eq!(content_type("photo.jpeg"), "image/jpeg");
        assert_eq!(content_type("font.woff2"), "font/woff2");
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }
}
