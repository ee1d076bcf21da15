//! A small HTTP/1.1 server for the preview, on the standard library alone:
//! GET and HEAD, keep-alive, one thread per connection (bounded), and the
//! server-sent event stream that drives live reload. Requests are answered
//! only from the in-memory snapshot, so no URL can reach a file on disk;
//! paths with `.` or `..` segments (also percent-encoded), backslashes or NUL
//! bytes are refused outright with 400. Every limit (line length, header
//! size, idle time, connection count) is there so a stray client cannot tie
//! the preview up.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::base::diagnostics::Result;

use super::inject::{self, EVENTS_PATH};
use super::state::{Refresh, Shared, Snapshot};

/// Connections served at once; more get a 503 straight away.
const MAX_CONNECTIONS: usize = 256;
/// The longest request line or header line accepted.
const MAX_LINE: usize = 8 * 1024;
/// The most header bytes accepted in one request.
const MAX_HEAD: usize = 32 * 1024;
/// How long an idle keep-alive connection stays open.
const IDLE: Duration = Duration::from_secs(10);
/// How long a write may block before the client counts as gone.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often an idle event stream sends a comment, so a closed tab is
/// noticed (its second write after closing fails) and its thread ends
/// within seconds; a comment is a few bytes.
const HEARTBEAT: Duration = Duration::from_secs(2);

/// Starts accepting connections on `listener` until the server stops.
pub(crate) fn spawn(listener: TcpListener, shared: Arc<Shared>) -> Result<JoinHandle<()>> {
    super::spawn("proficio-http", move || accept(&listener, &shared))
}

fn accept(listener: &TcpListener, shared: &Arc<Shared>) {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if shared.stopping() {
            break;
        }
        let Ok(stream) = stream else {
            // Out of descriptors or an aborted handshake: give the system
            // a moment instead of spinning.
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        if active.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            let _ = write_response(
                &stream,
                &Response::text(503, "Too many connections.\n"),
                false,
                false,
            );
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let (shared, active_here) = (shared.clone(), active.clone());
        let spawned = std::thread::Builder::new()
            .name("proficio-connection".to_string())
            .spawn(move || {
                let _ = connection(stream, &shared);
                active_here.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// One parsed request head.
#[derive(Debug, PartialEq, Eq)]
struct Request {
    head_only: bool,
    target: String,
    keep_alive: bool,
    /// The `Host` header, if any.
    host: Option<String>,
}

/// Why a request is answered with an error and the connection closed.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// The client went away or sent half a request: nothing to answer.
    Gone,
    /// A request that gets this status.
    Status(u16, &'static str),
}

impl From<io::Error> for Refusal {
    fn from(_: io::Error) -> Refusal {
        Refusal::Gone
    }
}

/// Serves requests on one connection until it closes or idles out.
fn connection(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(IDLE))?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let on_loopback = stream.local_addr()?.ip().is_loopback();
    while !shared.stopping() {
        let request = match read_request(&mut reader) {
            Ok(request) if on_loopback && !names_this_machine(request.host.as_deref()) => {
                let why = "This preview only answers requests for localhost.\n";
                return write_response(&stream, &Response::text(403, why), false, false);
            }
            Ok(request) => request,
            Err(Refusal::Gone) => return Ok(()),
            Err(Refusal::Status(status, why)) => {
                return write_response(&stream, &Response::text(status, why), false, false);
            }
        };
        if path_of(&request.target) == EVENTS_PATH {
            return events(&stream, shared, request.head_only);
        }
        let response = respond(&request.target, &shared.current());
        write_response(&stream, &response, request.head_only, request.keep_alive)?;
        if !request.keep_alive {
            break;
        }
    }
    Ok(())
}

/// Reads one request head; bodies are refused, since GET and HEAD have none.
fn read_request(reader: &mut impl BufRead) -> std::result::Result<Request, Refusal> {
    let mut line = read_line(reader)?;
    if line.is_empty() {
        // One empty line before a request is allowed (RFC 9112, 2.2).
        line = read_line(reader)?;
    }
    let parts: Vec<&str> = line.split_ascii_whitespace().collect();
    let [method, target, version] = parts[..] else {
        return Err(Refusal::Status(400, "Malformed request line.\n"));
    };
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => {
            return Err(Refusal::Status(
                505,
                "Only HTTP/1.0 and HTTP/1.1 are served.\n",
            ));
        }
    };
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return Err(Refusal::Status(405, "Only GET and HEAD are served.\n")),
    };
    let headers = read_headers(reader)?;
    // RFC 9112, 3.2: two Host lines could make the Host check and a proxy
    // in front disagree about which host is meant.
    if headers.iter().filter(|(name, _)| name == "host").count() > 1 {
        return Err(Refusal::Status(400, "More than one Host header.\n"));
    }
    let connection = header(&headers, "connection").map(str::to_ascii_lowercase);
    let has_body = header(&headers, "transfer-encoding").is_some()
        || header(&headers, "content-length").is_some_and(|n| n.trim() != "0");
    if has_body {
        return Err(Refusal::Status(400, "A GET or HEAD request has no body.\n"));
    }
    let keep_alive = match connection.as_deref() {
        Some(value) if value.contains("close") => false,
        Some(value) if value.contains("keep-alive") => true,
        _ => http11,
    };
    Ok(Request {
        head_only,
        target: target.to_string(),
        keep_alive,
        host: header(&headers, "host").map(str::to_string),
    })
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

/// Header lines up to the blank line that ends the head.
fn read_headers(reader: &mut impl BufRead) -> std::result::Result<Vec<(String, String)>, Refusal> {
    let mut headers = Vec::new();
    let mut size = 0;
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            return Ok(headers);
        }
        size += line.len();
        if size > MAX_HEAD {
            return Err(Refusal::Status(
                431,
                "The request's headers are too large.\n",
            ));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(Refusal::Status(400, "Malformed header line.\n"));
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// One line without its line ending; `Gone` at the end of the stream.
fn read_line(reader: &mut impl BufRead) -> std::result::Result<String, Refusal> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX) + 1;
    io::Read::take(&mut *reader, limit).read_until(b'\n', &mut bytes)?;
    if bytes.last() != Some(&b'\n') {
        return Err(if bytes.len() > MAX_LINE {
            Refusal::Status(431, "A request line is too long.\n")
        } else {
            Refusal::Gone
        });
    }
    bytes.pop();
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    String::from_utf8(bytes).map_err(|_| Refusal::Status(400, "The request is not text.\n"))
}

/// The event stream: a `hello` with the current generation, then `reload` or
/// `styles` after each rebuild that changed the output, and comments to keep
/// the connection alive. It ends when the client goes or the server stops.
fn events(stream: &TcpStream, shared: &Shared, head_only: bool) -> io::Result<()> {
    let mut out = stream;
    out.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
          Connection: close\r\n\r\n",
    )?;
    if head_only {
        return out.flush();
    }
    let mut sent = shared.current().generation;
    write!(out, "retry: 1000\nevent: hello\ndata: {sent}\n\n")?;
    out.flush()?;
    loop {
        let snapshot = shared.wait_newer(sent, HEARTBEAT);
        if shared.stopping() {
            return Ok(());
        }
        match snapshot.refresh_since(sent) {
            Some(Refresh::Reload) => {
                write!(out, "event: reload\ndata: {}\n\n", snapshot.generation)?
            }
            Some(Refresh::Styles) => {
                write!(out, "event: styles\ndata: {}\n\n", snapshot.generation)?
            }
            None => out.write_all(b": still here\n\n")?,
        }
        out.flush()?;
        sent = snapshot.generation;
    }
}

/// A response body: bytes shared with the snapshot, or made for this request.
enum Payload {
    Shared(Arc<Vec<u8>>),
    Owned(Vec<u8>),
}

impl AsRef<[u8]> for Payload {
    fn as_ref(&self) -> &[u8] {
        match self {
            Payload::Shared(bytes) => bytes,
            Payload::Owned(bytes) => bytes,
        }
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

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    }
}

fn write_response(
    mut stream: &TcpStream,
    response: &Response,
    head_only: bool,
    keep_alive: bool,
) -> io::Result<()> {
    let body = response.body.as_ref();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: {}\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        body.len(),
        if keep_alive { "keep-alive" } else { "close" },
    );
    if response.status == 405 {
        head.push_str("Allow: GET, HEAD\r\n");
    }
    if let Some(location) = &response.location {
        head.push_str(&format!("Location: {location}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
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
    fn request_heads_are_parsed_with_their_connection_mode() {
        let parse = |text: &str| read_request(&mut text.as_bytes());
        let request = parse("GET /a/ HTTP/1.1\r\nHost: x\r\n\r\n").expect("request");
        assert_eq!(request.target, "/a/");
        assert!(request.keep_alive && !request.head_only);
        let request = parse("HEAD / HTTP/1.0\r\n\r\n").expect("request");
        assert!(!request.keep_alive && request.head_only);
        let request = parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").expect("request");
        assert!(!request.keep_alive);
        assert_eq!(
            parse("POST / HTTP/1.1\r\n\r\n").map(|_| ()),
            Err(Refusal::Status(405, "Only GET and HEAD are served.\n"))
        );
        assert!(matches!(
            parse("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"),
            Err(Refusal::Status(400, _))
        ));
        assert!(matches!(
            parse("GET / HTTP/2\r\n\r\n"),
            Err(Refusal::Status(505, _))
        ));
        assert_eq!(parse("GET / HTTP/1.1\r\nHost"), Err(Refusal::Gone));
        assert_eq!(
            parse("GET / HTTP/1.1\r\nHost: localhost\r\nhost: evil.example\r\n\r\n").map(|_| ()),
            Err(Refusal::Status(400, "More than one Host header.\n"))
        );
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_LINE));
        assert!(matches!(parse(&long), Err(Refusal::Status(431, _))));
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
