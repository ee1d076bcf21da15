//! `proficio serve` end to end: a server on a free loopback port previews a
//! fixture site while the tests edit it the way editors do (in-place writes,
//! a temporary file renamed over the original, vim's backup dance, new,
//! renamed and deleted files and folders), and read the pages back over HTTP
//! with a bounded wait. Also: the error overlay and recovery, the event
//! stream, refused paths and hosts, partner previews, and the pages a
//! preview serves equal to a full build.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{SITE_TOML, Site, module, snapshot};
use proficio::base::audience::Audience;
use proficio::serve::{ServeOptions, Server};

/// How long a change may take to show; generous for a loaded CI machine.
const PATIENCE: Duration = Duration::from_secs(20);

/// How long a change that must not cause a rebuild is given to cause one.
const QUIET: Duration = Duration::from_millis(1500);

fn fixture() -> Site {
    Site::with_config(&[
        (
            "content/modules/first.md",
            &module(
                "title: First module\nlevel: experimenter\ntrack: basics\nskills: [prompting]",
                "## Start\n\nThe original first text.\n",
            ),
        ),
        (
            "content/modules/second.md",
            &module(
                "title: Second module\nlevel: practitioner\ntrack: basics\nprerequisites: [first]",
                "## Next\n\nSecond body.\n",
            ),
        ),
        ("content/about.md", "# About\n\nWho we are.\n"),
    ])
}

/// A running server and the lines it printed.
struct Preview {
    server: Server,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Preview {
    fn start(site: &Site) -> Preview {
        Preview::start_with(site, |_| {})
    }

    fn start_with(site: &Site, adjust: impl FnOnce(&mut ServeOptions)) -> Preview {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let mut options = ServeOptions::new(site.root());
        options.port = 0;
        let sink = lines.clone();
        options.log = Arc::new(move |line: &str| {
            sink.lock().expect("log lock").push(line.to_string());
        });
        adjust(&mut options);
        let server = Server::start(options).expect("the server starts");
        Preview { server, lines }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("log lock").clone()
    }

    /// Lines that report a rebuild (they carry a clock time first).
    fn rebuilds(&self) -> usize {
        self.lines()
            .iter()
            .filter(|l| l.len() > 9 && l.as_bytes()[2] == b':' && l.as_bytes()[5] == b':')
            .count()
    }

    fn get(&self, path: &str) -> Reply {
        get(self.server.port(), path)
    }

    /// Polls `path` until `done` holds for the reply, or fails after
    /// [`PATIENCE`] showing the last reply and what the server printed.
    fn wait_for(&self, path: &str, what: &str, done: impl Fn(&Reply) -> bool) -> Reply {
        let started = Instant::now();
        loop {
            let reply = self.get(path);
            if done(&reply) {
                return reply;
            }
            if started.elapsed() > PATIENCE {
                panic!(
                    "{path} never showed {what}; last reply {} with:\n{}\n--- server said:\n{}",
                    reply.status,
                    reply.body,
                    self.lines().join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for_text(&self, path: &str, text: &str) -> Reply {
        self.wait_for(path, text, |r| r.status == 200 && r.body.contains(text))
    }

    fn wait_for_status(&self, path: &str, status: u16) -> Reply {
        self.wait_for(path, &format!("status {status}"), |r| r.status == status)
    }
}

/// One HTTP reply.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A GET for `target` sent byte for byte (so `..` reaches the server as
/// written), on a fresh connection closed after the reply.
fn get(port: u16, target: &str) -> Reply {
    let raw = request(
        port,
        &format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    );
    parse_reply(&raw)
}

fn request(port: u16, text: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the preview");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    stream.write_all(text.as_bytes()).expect("send the request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the reply");
    raw
}

fn parse_reply(raw: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a reply head");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

/// A served page without the live-reload script, to compare with a build.
fn without_script(body: &str) -> String {
    match (
        body.find("<script data-proficio-live-reload>"),
        body.rfind("</script>"),
    ) {
        (Some(start), Some(end)) if end > start => {
            format!("{}{}", &body[..start], &body[end + "</script>".len()..])
        }
        _ => body.to_string(),
    }
}

/// Replaces a file the way vim, JetBrains editors and `sed -i` do: write a
/// temporary file beside it, then rename it over the original.
fn save_by_rename(site: &Site, relative: &str, temporary: &str, text: &str) {
    site.write(temporary, text);
    std::fs::rename(site.path(temporary), site.path(relative)).expect("rename over");
}

#[test]
fn pages_are_served_from_memory_with_their_content_types() {
    let site = fixture();
    let preview = Preview::start(&site);
    let home = preview.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        home.body.contains("/__proficio/events"),
        "no live reload script"
    );
    for (path, media_type) in [
        ("/style.css", "text/css; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
        ("/sitemap.xml", "application/xml"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ] {
        let reply = preview.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(media_type), "{path}");
        assert!(!reply.body.contains("proficio-live-reload"), "{path}");
    }
    let module = preview.get("/modules/first/");
    assert!(module.body.contains("The original first text."));
    let folder = preview.get("/modules/first?x=1");
    assert_eq!(folder.status, 301);
    assert_eq!(folder.header("location"), Some("/modules/first/"));
    let missing = preview.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<html"), "the site's own 404 page");
    assert!(
        !site.path("public").exists(),
        "serve never writes the output folder"
    );
}

#[test]
fn a_loopback_preview_refuses_requests_for_other_host_names() {
    let site = fixture();
    let preview = Preview::start(&site);
    let port = preview.server.port();
    let ask = |host: &str| {
        parse_reply(&request(
            port,
            &format!("GET /about/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        ))
    };
    // A page on another site can make its own name resolve to 127.0.0.1.
    let rebound = ask(&format!("attacker.example:{port}"));
    assert_eq!(rebound.status, 403);
    assert!(!rebound.body.contains("Who we are"));
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let reply = ask(&host);
        assert_eq!(reply.status, 200, "{host}");
        assert!(reply.body.contains("Who we are"), "{host}");
    }
}

#[test]
fn urls_that_could_leave_the_site_are_refused() {
    let site = fixture();
    site.write("secret.txt", "do not serve me");
    let preview = Preview::start(&site);
    for target in [
        "/../secret.txt",
        "/modules/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/modules/%2e%2e/%2e%2e/site.toml",
        "/..%5csecret.txt",
        "/.%2e/site.toml",
        "http://localhost/../secret.txt",
    ] {
        let reply = preview.get(target);
        assert_eq!(reply.status, 400, "{target}");
        assert!(!reply.body.contains("do not serve me"), "{target}");
    }
    for target in [
        "/secret.txt",
        "/site.toml",
        "/content/about.md",
        "//etc/passwd",
    ] {
        let reply = preview.get(target);
        assert_eq!(reply.status, 404, "{target}");
        assert!(!reply.body.contains("do not serve me"), "{target}");
    }
    let post = parse_reply(&request(
        preview.server.port(),
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n",
    ));
    assert_eq!(post.status, 405);
}

#[test]
fn requests_the_preview_does_not_serve_are_refused_and_the_connection_closed() {
    let site = fixture();
    let preview = Preview::start(&site);
    let port = preview.server.port();
    let ask = |text: &str| parse_reply(&request(port, text));
    let post = ask("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    assert_eq!(post.header("connection"), Some("close"));
    let with_body = ask("GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello");
    assert_eq!(with_body.status, 400);
    assert_eq!(with_body.body, "A GET or HEAD request has no body.\n");
    // RFC 9112, 3.2: which of two hosts is meant is not for the server to guess.
    let two_hosts = ask("GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n");
    assert_eq!(two_hosts.status, 400);
    assert_eq!(two_hosts.body, "More than one Host header.\n");
    let huge = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nX-Filler: {}\r\n\r\n",
        "a".repeat(40 * 1024)
    );
    assert_eq!(ask(&huge).status, 431);
    assert_eq!(ask("GET / HTTP/2\r\nHost: localhost\r\n\r\n").status, 400);
    let head = ask("HEAD /about/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body: {}", head.body);
    let length: usize = head
        .header("content-length")
        .and_then(|n| n.parse().ok())
        .expect("HEAD says the length of the page");
    assert_eq!(length, preview.get("/about/").body.len());
}

#[test]
fn pipelined_requests_on_one_connection_are_answered_in_order() {
    let site = fixture();
    let preview = Preview::start(&site);
    let raw = request(
        preview.server.port(),
        "GET /about/ HTTP/1.1\r\nHost: localhost\r\n\r\n\
         GET /modules/first/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    let text = String::from_utf8_lossy(&raw);
    let about = text.find("Who we are.").expect("the first page");
    let first = text
        .find("The original first text.")
        .expect("the second page");
    assert!(about < first);
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2);
}

#[test]
fn slow_and_idle_connections_are_closed_at_the_head_deadline_and_starve_no_one() {
    let site = fixture();
    let preview = Preview::start(&site);
    let port = preview.server.port();
    let open = |first_bytes: &[u8]| {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.write_all(first_bytes).expect("send");
        stream
            .set_read_timeout(Some(PATIENCE))
            .expect("read timeout");
        stream
    };
    // Slowloris: a request head that never ends, one more byte every half
    // second; and connections that say nothing at all. More of them than
    // a thread-per-connection server would take.
    let slow: Vec<TcpStream> = (0..300)
        .map(|_| open(b"GET /about/ HTTP/1.1\r\nHost: localhost\r\nX-Slow: "))
        .collect();
    let dribbling: Vec<TcpStream> = slow
        .iter()
        .map(|s| s.try_clone().expect("a second handle"))
        .collect();
    let dribbler = std::thread::spawn(move || {
        let mut streams = dribbling;
        let until = Instant::now() + PATIENCE;
        while !streams.is_empty() && Instant::now() < until {
            streams.retain_mut(|s| s.write_all(b"a").is_ok());
            std::thread::sleep(Duration::from_millis(500));
        }
        streams.len()
    });
    let mut dawdlers: Vec<TcpStream> = slow
        .into_iter()
        .chain((0..200).map(|_| open(b"")))
        .collect();
    let started = Instant::now();
    for _ in 0..20 {
        let reply = preview.get("/about/");
        assert_eq!(reply.status, 200);
        assert!(reply.body.contains("Who we are."));
    }
    for stream in &mut dawdlers {
        let mut rest = Vec::new();
        // The server closes the connection (possibly after a 408-like reply
        // of its own); the read ends instead of waiting out PATIENCE.
        let _ = stream.read_to_end(&mut rest);
        assert!(
            !String::from_utf8_lossy(&rest).contains("Who we are."),
            "an incomplete request was answered"
        );
    }
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(4) && waited < PATIENCE,
        "connections were closed after {waited:?}, not at the 5 s head deadline"
    );
    assert_eq!(
        dribbler.join().expect("the dribbler"),
        0,
        "a slow head was let be"
    );
}

#[test]
fn in_place_and_rename_saves_show_up() {
    let site = fixture();
    let preview = Preview::start(&site);
    let front = "title: First module\nlevel: experimenter\ntrack: basics\nskills: [prompting]";
    site.write(
        "content/modules/first.md",
        &module(front, "Written in place.\n"),
    );
    preview.wait_for_text("/modules/first/", "Written in place.");
    save_by_rename(
        &site,
        "content/modules/first.md",
        "content/modules/first.md.tmp",
        &module(front, "Saved through a temporary file.\n"),
    );
    preview.wait_for_text("/modules/first/", "Saved through a temporary file.");
    save_by_rename(
        &site,
        "content/modules/first.md",
        "content/modules/first.md___jb_tmp___",
        &module(front, "Saved the JetBrains way.\n"),
    );
    preview.wait_for_text("/modules/first/", "Saved the JetBrains way.");
    // vim: move the original to a backup, write a new file, drop the backup.
    std::fs::rename(
        site.path("content/modules/first.md"),
        site.path("content/modules/first.md~"),
    )
    .expect("backup");
    site.write(
        "content/modules/first.md",
        &module(front, "Saved the vim way.\n"),
    );
    site.remove("content/modules/first.md~");
    preview.wait_for_text("/modules/first/", "Saved the vim way.");
    // The track page lists the module's title: a dependent page follows.
    save_by_rename(
        &site,
        "content/modules/first.md",
        "content/modules/.first.md.swp",
        &module(
            &front.replace("First module", "Renamed first module"),
            "Body.\n",
        ),
    );
    preview.wait_for_text("/tracks/basics/", "Renamed first module");
    preview.wait_for_text("/modules/second/", "Renamed first module");
}

#[test]
fn new_renamed_and_deleted_files_and_folders_show_up() {
    let site = fixture();
    let preview = Preview::start(&site);
    site.write(
        "content/modules/third.md",
        &module("title: Third module\nlevel: experimenter", "Third body.\n"),
    );
    preview.wait_for_text("/modules/third/", "Third body.");
    std::fs::rename(
        site.path("content/modules/third.md"),
        site.path("content/modules/fourth.md"),
    )
    .expect("rename");
    preview.wait_for_text("/modules/fourth/", "Third body.");
    preview.wait_for_status("/modules/third/", 404);
    site.remove("content/modules/fourth.md");
    preview.wait_for_status("/modules/fourth/", 404);

    site.write("content/guides/_index.md", "# Guides\n\nHow-tos.\n");
    site.write("content/guides/setup.md", "# Setup\n\nSet it up.\n");
    preview.wait_for_text("/guides/setup/", "Set it up.");
    std::fs::rename(site.path("content/guides"), site.path("content/handbook")).expect("rename");
    preview.wait_for_text("/handbook/setup/", "Set it up.");
    preview.wait_for_status("/guides/setup/", 404);
    // Files inside a renamed folder are still watched under their new name.
    site.write("content/handbook/setup.md", "# Setup\n\nSet it up again.\n");
    preview.wait_for_text("/handbook/setup/", "Set it up again.");
    site.write("content/handbook/deeper/step.md", "# Step\n\nOne step.\n");
    preview.wait_for_text("/handbook/deeper/step/", "One step.");
    std::fs::remove_dir_all(site.path("content/handbook")).expect("remove folder");
    preview.wait_for_status("/handbook/setup/", 404);
    // The whole content folder moved away and back is watched again.
    std::fs::rename(site.path("content"), site.path("content-away")).expect("move away");
    preview.wait_for_status("/about/", 404);
    std::fs::rename(site.path("content-away"), site.path("content")).expect("move back");
    preview.wait_for_text("/about/", "Who we are.");
    site.write("content/about.md", "# About\n\nAfter the move.\n");
    preview.wait_for_text("/about/", "After the move.");
}

#[test]
fn site_wide_inputs_rebuild_everything() {
    let site = fixture();
    let preview = Preview::start(&site);
    let config = common::SITE_TOML.replace("Test Portal", "Renamed Portal");
    save_by_rename(&site, "site.toml", "site.toml.tmp", &config);
    preview.wait_for_text("/about/", "Renamed Portal");
    // A template folder that did not exist when the server started.
    site.write(
        "templates/robots.txt",
        "User-agent: *\nDisallow: /private/\n",
    );
    preview.wait_for_text("/robots.txt", "Disallow: /private/");
    site.write("static/extra.css", "main { color: red; }\n");
    preview.wait_for_text("/extra.css", "color: red");
    site.write("static/extra.css", "main { color: blue; }\n");
    let reply = preview.wait_for_text("/extra.css", "color: blue");
    assert_eq!(
        reply.header("content-type"),
        Some("text/css; charset=utf-8")
    );
}

#[test]
fn a_broken_file_shows_an_overlay_until_it_is_fixed() {
    let site = fixture();
    let preview = Preview::start(&site);
    site.write(
        "content/modules/first.md",
        &module(
            "title: First module\nlevel: \"<i>wizard</i>\"",
            "Broken body.\n",
        ),
    );
    let reply = preview.wait_for("/about/", "the overlay", |r| {
        r.body.contains("proficio-overlay")
    });
    assert!(
        reply.body.contains("content/modules/first.md:3:9"),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("&lt;i&gt;wizard&lt;/i&gt;"), "escaped");
    assert!(!reply.body.contains("<i>wizard</i>"), "never raw");
    let module_page = preview.get("/modules/first/");
    assert!(
        module_page.body.contains("The original first text."),
        "the last good site stays served"
    );
    assert!(module_page.body.contains("proficio-overlay"));
    let missing = preview.get("/nowhere/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("proficio-overlay"),
        "the 404 page shows it too"
    );
    assert!(
        preview.lines().iter().any(|l| l.contains("first.md:3:9")),
        "the terminal shows the diagnostic: {:?}",
        preview.lines()
    );
    site.write(
        "content/modules/first.md",
        &module("title: First module\nlevel: practitioner", "Fixed body.\n"),
    );
    let fixed = preview.wait_for_text("/modules/first/", "Fixed body.");
    assert!(!fixed.body.contains("proficio-overlay"));
}

#[cfg(unix)]
#[test]
fn a_link_to_a_file_outside_the_site_shows_the_link_never_the_file() {
    let site = fixture();
    let elsewhere = tempfile::tempdir().expect("temporary folder");
    let secret = elsewhere.path().join("passwd");
    std::fs::write(
        &secret,
        "root:x:0:0:SECRET-LINE:/root:/bin/sh\nSECRET-TWO\n",
    )
    .expect("write");
    let preview = Preview::start(&site);
    std::fs::create_dir_all(site.path("content/partners")).expect("partners folder");
    std::os::unix::fs::symlink(&secret, site.path("content/partners/evil.yaml")).expect("symlink");
    let reply = preview.wait_for("/about/", "the overlay", |r| {
        r.body.contains("proficio-overlay")
    });
    assert!(
        reply.body.contains("content/partners/evil.yaml")
            && reply.body.contains("leads outside the site folder"),
        "{}",
        reply.body
    );
    assert!(!reply.body.contains("SECRET"), "{}", reply.body);
    assert!(
        preview.lines().iter().all(|l| !l.contains("SECRET")),
        "{:?}",
        preview.lines()
    );
}

#[test]
fn a_site_that_never_built_recovers_once_fixed() {
    let site = fixture();
    site.write("content/about.md", "---\ntitle: [unclosed\n---\nText.\n");
    let preview = Preview::start(&site);
    let reply = preview.get("/");
    assert_eq!(reply.status, 503);
    assert!(reply.body.contains("content/about.md:2:"), "{}", reply.body);
    site.write("content/about.md", "# About\n\nBack again.\n");
    preview.wait_for_text("/about/", "Back again.");
}

/// A page template whose nested loops would run for hours.
fn runaway(each: &str) -> String {
    format!(
        "{{% extends \"base.html\" %}}{{% block main %}}\
{{% for i in range(end=100000) %}}{{% for j in range(end=100000) %}}{each}{{% endfor %}}.{{% endfor %}}\
{{% endblock main %}}"
    )
}

const FIXED: &str =
    "{% extends \"base.html\" %}{% block main %}<p>Fixed template.</p>{% endblock main %}";

#[test]
fn a_runaway_template_stops_at_its_budget_and_its_fix_is_served() {
    let site = fixture();
    let preview = Preview::start(&site);
    site.write("templates/page.html", &runaway("<p>{{ j }}</p>"));
    let reply = preview.wait_for("/about/", "the overlay", |r| {
        r.body.contains("proficio-overlay")
    });
    assert!(reply.body.contains("max_page_bytes"), "{}", reply.body);
    assert!(
        reply.body.contains("Who we are."),
        "the last good page stays"
    );
    site.write("templates/page.html", FIXED);
    preview.wait_for_text("/about/", "Fixed template.");
}

#[test]
fn a_newer_change_interrupts_a_runaway_rebuild() {
    let site = fixture();
    // Budgets far beyond the test's patience: only the interrupt can end it.
    site.write(
        "site.toml",
        &format!("{SITE_TOML}\n[limits]\nmax_page_milliseconds = 3600000\n"),
    );
    let preview = Preview::start(&site);
    // Writes rarely: one dot after each 100,000 turns of a silent loop.
    site.write("templates/page.html", &runaway(""));
    // Past the watcher's debounce: the runaway rebuild is running.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        preview.get("/about/").body.contains("Who we are."),
        "served meanwhile"
    );
    site.write("templates/page.html", FIXED);
    preview.wait_for_text("/about/", "Fixed template.");
}

/// A page template whose nested loops would run for hours writing nothing,
/// so neither a budget nor an interrupt can stop it.
const SILENT_RUNAWAY: &str = "{% extends \"base.html\" %}{% block main %}\
{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}\
{% endblock main %}";

#[test]
fn a_silent_runaway_rebuild_is_left_behind_and_its_fix_is_served() {
    let site = fixture();
    // Budgets far beyond the test's patience: nothing ends the loop.
    site.write(
        "site.toml",
        &format!("{SITE_TOML}\n[limits]\nmax_page_milliseconds = 3600000\n"),
    );
    // A server stuck in that rebuild would also never stop: if the test
    // fails, it is left running so the test fails rather than hangs.
    let preview = std::mem::ManuallyDrop::new(Preview::start(&site));
    site.write("templates/page.html", SILENT_RUNAWAY);
    // Past the watcher's debounce: the runaway rebuild is running.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        preview.get("/about/").body.contains("Who we are."),
        "served meanwhile"
    );
    site.write("templates/page.html", FIXED);
    preview.wait_for_text("/about/", "Fixed template.");
    let lines = preview.lines().join("\n");
    assert!(
        lines.contains(": the render did not stop for a newer change")
            && lines.contains("still running in the background and the preview goes on without it"),
        "{lines}"
    );
    // The preview goes on: a later edit is served as usual.
    site.write("templates/page.html", &FIXED.replace("Fixed", "Refined"));
    preview.wait_for_text("/about/", "Refined template.");
    drop(std::mem::ManuallyDrop::into_inner(preview));
}

#[test]
fn a_preview_started_on_a_silent_runaway_starts_once_it_is_fixed() {
    let site = Arc::new(fixture());
    site.write(
        "site.toml",
        &format!("{SITE_TOML}\n[limits]\nmax_page_milliseconds = 3600000\n"),
    );
    site.write("templates/page.html", SILENT_RUNAWAY);
    // Started on a thread of its own: a start stuck in the first build
    // must fail the test, not hang it.
    let (started, preview) = std::sync::mpsc::channel();
    let starting = site.clone();
    std::thread::spawn(move || {
        let _ = started.send(Preview::start(&starting));
    });
    std::thread::sleep(Duration::from_millis(1500));
    site.write("templates/page.html", FIXED);
    let preview = preview
        .recv_timeout(PATIENCE)
        .expect("the preview starts once the first build is walked away from");
    preview.wait_for_text("/about/", "Fixed template.");
    let lines = preview.lines().join("\n");
    assert!(
        lines.contains("the first build: the render did not stop for a newer change"),
        "{lines}"
    );
}

#[test]
fn a_tag_too_long_for_a_file_name_is_located_in_the_preview() {
    let site = fixture();
    let tag = "t".repeat(300);
    site.write(
        "content/about.md",
        &format!("---\ntitle: About\ntags: [{tag}]\n---\nText.\n"),
    );
    let preview = Preview::start(&site);
    let reply = preview.get("/");
    assert_eq!(reply.status, 503);
    assert!(
        reply.body.contains("content/about.md:3:8"),
        "{}",
        reply.body
    );
    assert!(
        reply.body.contains("makes a name of 300 bytes"),
        "{}",
        reply.body
    );
}

#[test]
fn the_build_cache_the_preview_and_builds_write_causes_no_rebuild() {
    let site = fixture();
    site.write(
        "content/modules/second.md",
        &module(
            "title: Second module\nlevel: practitioner\ntrack: basics\nprerequisites: [first]",
            "## Next\n\n```python\nprint('cached')\n```\n",
        ),
    );
    let preview = Preview::start_with(&site, |options| {
        options.cache = proficio::build::CacheChoice::Beside;
    });
    let cache = site.path(proficio::base::build_cache::DEFAULT_DIR);
    assert!(
        cache.join("CACHEDIR.TAG").exists(),
        "the preview keeps a cache"
    );
    // A build beside the preview writes entries; so might anything else.
    site.build_with(&proficio::BuildOptions {
        cache: proficio::build::CacheChoice::Beside,
        ..site.options()
    });
    std::fs::write(cache.join("extra.entry"), "x").expect("write into the cache");
    std::thread::sleep(QUIET);
    // Not even for the folder its first render created.
    assert_eq!(
        preview.rebuilds(),
        0,
        "unexpected rebuilds: {:?}",
        preview.lines()
    );
    // The watcher is alive: a real change still rebuilds.
    site.write("content/about.md", "# About\n\nStill watching.\n");
    preview.wait_for_text("/about/", "Still watching.");
}

#[test]
fn touches_and_editor_droppings_do_not_rebuild() {
    let site = fixture();
    let preview = Preview::start(&site);
    let before = preview.rebuilds();
    let file = std::fs::File::options()
        .write(true)
        .open(site.path("content/modules/first.md"))
        .expect("open");
    file.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
        .expect("touch");
    drop(file);
    site.write("content/modules/.first.md.swp", "swap");
    site.write("content/modules/first.md~", "backup");
    site.write("content/modules/#first.md#", "autosave");
    site.write("content/modules/first.md.bck", "backup");
    site.write("public/index.html", "output folder");
    std::thread::sleep(QUIET);
    assert_eq!(
        preview.rebuilds(),
        before,
        "unexpected rebuilds: {:?}",
        preview.lines()
    );
    // The watcher is alive: a real change still rebuilds, once.
    site.write("content/about.md", "# About\n\nStill watching.\n");
    preview.wait_for_text("/about/", "Still watching.");
    let line = preview.lines().last().cloned().unwrap_or_default();
    assert!(
        line.contains("content/about.md changed") && line.contains(" ms"),
        "{line}"
    );
}

#[test]
fn the_event_stream_announces_reloads_and_style_swaps() {
    let site = fixture();
    site.write("static/extra.css", "main { color: red; }\n");
    let preview = Preview::start(&site);
    let mut stream =
        TcpStream::connect(("127.0.0.1", preview.server.port())).expect("connect to the preview");
    stream
        .set_read_timeout(Some(PATIENCE))
        .expect("read timeout");
    stream
        .write_all(b"GET /__proficio/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("subscribe");
    let mut events = BufReader::new(stream);
    let hello = next_event(&mut events);
    assert!(hello.starts_with("event: hello"), "{hello}");
    site.write("static/extra.css", "main { color: blue; }\n");
    let swap = next_event(&mut events);
    assert!(swap.starts_with("event: styles"), "{swap}");
    site.write("content/about.md", "# About\n\nNew words.\n");
    let reload = next_event(&mut events);
    assert!(reload.starts_with("event: reload"), "{reload}");
}

/// The next event of a stream, as its `event:` and `data:` lines; the HTTP
/// head and keep-alive comments are skipped.
fn next_event(reader: &mut impl BufRead) -> String {
    let mut event: Vec<String> = Vec::new();
    loop {
        let mut line = String::new();
        let read = reader.read_line(&mut line).expect("read the event stream");
        assert!(read > 0, "the event stream ended");
        let line = line.trim_end();
        if line.starts_with("event:") || line.starts_with("data:") {
            event.push(line.to_string());
        } else if line.is_empty() && !event.is_empty() {
            return event.join("\n");
        }
    }
}

#[test]
fn polling_sees_changes_too() {
    let site = fixture();
    let preview = Preview::start_with(&site, |options| options.poll = true);
    site.write("content/about.md", "# About\n\nPolled words.\n");
    preview.wait_for_text("/about/", "Polled words.");
    // The new page is served a moment before its rebuild is logged.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while preview.rebuilds() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let before = preview.rebuilds();
    let file = std::fs::File::options()
        .write(true)
        .open(site.path("content/about.md"))
        .expect("open");
    file.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
        .expect("touch");
    drop(file);
    std::thread::sleep(QUIET);
    assert_eq!(preview.rebuilds(), before, "{:?}", preview.lines());
}

#[test]
fn a_base_path_serves_the_site_under_it() {
    let site = fixture();
    let preview = Preview::start_with(&site, |options| {
        options.base_url = Some("https://example.com/portal/".to_string());
    });
    assert_eq!(preview.get("/portal/").status, 200);
    assert_eq!(preview.get("/portal/about/").status, 200);
    let bare = preview.get("/portal");
    assert_eq!(bare.status, 301);
    assert_eq!(bare.header("location"), Some("/portal/"));
    assert_eq!(preview.get("/about/").status, 404);
}

#[test]
fn a_base_url_that_is_not_an_absolute_url_is_refused_at_start() {
    let site = fixture();
    let mut options = ServeOptions::new(site.root());
    options.port = 0;
    options.base_url = Some("portal/".to_string());
    let error = Server::start(options).err().expect("refused");
    assert!(error.to_string().contains("--base-url"), "{error}");
}

#[test]
fn a_busy_port_moves_to_the_next_free_one_and_says_so() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("take a port");
    let port = taken.local_addr().expect("address").port();
    let site = fixture();
    let preview = Preview::start_with(&site, |options| options.port = port);
    assert_ne!(preview.server.port(), port);
    assert_eq!(preview.get("/").status, 200);
    let lines = preview.lines();
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&format!("Port {port} is in use"))
                && l.contains(&preview.server.port().to_string())),
        "{lines:?}"
    );
}

/// Every file a full build of `site` writes is served by `preview`, byte
/// for byte but the live-reload script.
fn assert_serves_a_full_build(preview: &Preview, site: &Site) {
    let output = tempfile::tempdir().expect("temporary folder");
    let mut options = site.options();
    options.output = Some(output.path().join("site"));
    options.base_url = Some(preview.server.url().to_string());
    proficio::build(&options).expect("a full build");
    let built = snapshot(&output.path().join("site"));
    for (path, bytes) in built.iter().filter(|(p, _)| *p != ".proficio-output") {
        let served = preview.get(&format!("/{path}"));
        assert_eq!(served.status, 200, "{path}");
        let expected = String::from_utf8_lossy(bytes);
        assert!(
            without_script(&served.body) == expected,
            "{path} differs from a full build"
        );
    }
}

#[test]
fn after_edits_the_preview_equals_a_fresh_build_byte_for_byte() {
    let site = fixture();
    let preview = Preview::start(&site);
    site.write(
        "content/modules/third.md",
        &module(
            "title: Third module\nlevel: practitioner\ntrack: basics\nprerequisites: [second]\ntags: [new-tag]",
            "## Third\n\nThird body.\n",
        ),
    );
    site.write("content/about.md", "# About us\n\nEdited.\n");
    site.remove("content/modules/second.md");
    site.write(
        "content/modules/third.md",
        &module(
            "title: Third module\nlevel: practitioner\ntrack: basics\ntags: [new-tag]",
            "## Third\n\nThird body, final.\n",
        ),
    );
    preview.wait_for_text("/modules/third/", "Third body, final.");
    preview.wait_for_text("/about/", "Edited.");
    preview.wait_for_status("/modules/second/", 404);
    assert_serves_a_full_build(&preview, &site);
}

#[test]
fn search_finds_an_edited_module_by_its_new_words() {
    let site = fixture();
    let preview = Preview::start(&site);
    preview.wait_for_text("/search/w/ori.json", "\"original\"");
    let front = "title: First module\nlevel: experimenter\ntrack: basics\nskills: [prompting]";
    site.write(
        "content/modules/first.md",
        &module(front, "## Start\n\nZeppelin logistics instead.\n"),
    );
    let words = preview.wait_for_text("/search/w/zep.json", "\"zeppelin\"");
    let pages = preview.get("/search/pages.json").body;
    let pages: Vec<(String, String)> = serde_json::from_str(&pages).expect("the page list");
    let words: std::collections::BTreeMap<String, Vec<u32>> =
        serde_json::from_str(&words.body).expect("a file of words");
    let page = words["zeppelin"][0] as usize;
    assert_eq!(pages[page].0, "/modules/first/");
    let result = preview.get(&format!("/search/r/{page}.json"));
    assert!(
        result.body.contains("Zeppelin logistics instead."),
        "{}",
        result.body
    );
    // The old words are gone with their file of words.
    preview.wait_for_status("/search/w/ori.json", 404);
}

#[test]
fn a_partner_preview_serves_that_partner_only() {
    let site = Site::demo();
    let preview = Preview::start_with(&site, |options| {
        options.audience = Audience::Partner("halvorsen-digital".to_string());
    });
    let scorecard = preview.get("/partners/halvorsen-digital/");
    assert_eq!(scorecard.status, 200);
    assert!(scorecard.body.contains("Halvorsen"));
    assert!(scorecard.body.contains("Your scorecard"));
    for hidden in [
        "/partners/",
        "/reports/executive/",
        "/partners/cordillera-networks/",
    ] {
        assert_eq!(preview.get(hidden).status, 404, "{hidden}");
    }
    assert!(
        !preview
            .get("/data/partners.csv")
            .body
            .contains("cordillera")
    );
}

#[test]
fn a_partner_preview_for_an_unknown_partner_names_no_other_partner() {
    let site = Site::demo();
    let preview = Preview::start_with(&site, |options| {
        options.audience = Audience::Partner("nobody".to_string());
    });
    let page = preview.get("/");
    assert_eq!(page.status, 503);
    assert!(page.body.contains("partner:nobody"), "{}", page.body);
    assert!(!page.body.contains("halvorsen-digital"), "{}", page.body);
    let said = preview.lines().join("\n");
    assert!(said.contains("content/partners/nobody.yaml"), "{said}");
}

/// What a partner preview shows of another partner's problem, escaped as
/// the notice escapes it.
const OTHER_PARTNER_NOTICE: &str = "another partner&#39;s file has a problem";

/// Asserts `text` holds nothing of the file `content/partners/halvorsen-digital.yaml`.
fn assert_nothing_of_the_other_partner(text: &str) {
    for secret in ["halvorsen", "Halvorsen", "SECRET-MARKER"] {
        assert!(!text.contains(secret), "shows {secret}: {text}");
    }
}

#[test]
fn a_partner_preview_renders_past_another_partners_broken_file_and_never_names_it() {
    let site = Site::demo();
    let other = "content/partners/halvorsen-digital.yaml";
    let healthy = std::fs::read_to_string(site.path(other)).expect("partner file");
    let broken = "name: [Halvorsen Digital SECRET-MARKER\nrevenue: 123\n";
    site.write(other, broken);
    let preview = Preview::start_with(&site, |options| {
        options.audience = Audience::Partner("kestrel-advisory".to_string());
    });
    let own = "/partners/kestrel-advisory/";
    // Broken from the start: the partner's own portal is served, with a notice.
    let page = preview.wait_for_text(own, OTHER_PARTNER_NOTICE);
    assert!(page.body.contains("Kestrel Advisory"));
    assert!(
        !page.body.contains("proficio-overlay"),
        "not an error overlay"
    );
    assert_nothing_of_the_other_partner(&page.body);
    // Fixed: the notice goes.
    site.write(other, &healthy);
    preview.wait_for(own, "no notice", |r| {
        r.status == 200 && !r.body.contains(OTHER_PARTNER_NOTICE)
    });
    // Broken while previewing: an edit to the partner's own file still shows.
    site.write(other, broken);
    preview.wait_for_text(own, OTHER_PARTNER_NOTICE);
    let own_file = "content/partners/kestrel-advisory.yaml";
    let text = std::fs::read_to_string(site.path(own_file)).expect("own file");
    site.write(
        own_file,
        &text.replace("name: Kestrel Advisory", "name: Kestrel Advisory Group"),
    );
    let page = preview.wait_for_text(own, "Kestrel Advisory Group");
    assert!(page.body.contains(OTHER_PARTNER_NOTICE));
    assert_nothing_of_the_other_partner(&page.body);
    // The partner's own problem is shown in full, still naming no other file.
    site.write(own_file, "name: [Kestrel\n");
    let page = preview.wait_for_text(own, "proficio-overlay");
    assert!(
        page.body
            .contains("content/partners/kestrel-advisory.yaml:1:"),
        "{}",
        page.body
    );
    assert_nothing_of_the_other_partner(&page.body);
    assert_nothing_of_the_other_partner(&preview.lines().join("\n"));
}

#[test]
fn stopping_frees_the_port() {
    let site = fixture();
    let preview = Preview::start(&site);
    let port = preview.server.port();
    preview.server.stop();
    TcpListener::bind(("127.0.0.1", port)).expect("the port is free again");
}

#[test]
fn the_command_line_serves_until_stopped() {
    let site = fixture();
    let mut child = Command::new(env!("CARGO_BIN_EXE_proficio"))
        .args(["serve", "--port", "0", "--root"])
        .arg(site.root())
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start proficio serve");
    let stderr = child.stderr.take().expect("stderr");
    let port = serving_port(stderr);
    let reply = get(port, "/about/");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("Who we are."));
}

/// Reads the server's startup lines until it says where it serves.
fn serving_port(stderr: impl Read + Send + 'static) -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let started = Instant::now();
    while started.elapsed() < PATIENCE {
        let Ok(line) = rx.recv_timeout(PATIENCE) else {
            break;
        };
        if let Some(rest) = line.strip_prefix("Serving http://127.0.0.1:") {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            return digits.parse().expect("a port number");
        }
    }
    panic!("proficio serve never said where it serves");
}

#[test]
fn an_edited_export_reaches_the_preview_as_a_full_build_would_show_it() {
    let site = Site::copy_of("examples/lms-export");
    let preview = Preview::start(&site);
    preview.wait_for_text("/partners/brightwater-solutions/", "marketing manager");
    let users = std::fs::read_to_string(site.path("data/lms-users.csv")).expect("export");
    site.write(
        "data/lms-users.csv",
        &users.replacen("marketing manager", "channel chief", 1),
    );
    let owner = std::fs::read_to_string(site.path("content/partners/brightwater-solutions.yaml"))
        .expect("partner file");
    site.write(
        "content/partners/brightwater-solutions.yaml",
        &owner.replace("owner: Ines Duarte", "owner: Ines Duarte-Silva"),
    );
    preview.wait_for_text("/partners/brightwater-solutions/", "channel chief");
    preview.wait_for_text("/partners/brightwater-solutions/", "Ines Duarte-Silva");
    assert_serves_a_full_build(&preview, &site);
}
