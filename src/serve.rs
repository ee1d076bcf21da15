//! The live preview behind `proficio serve`: renders the site into memory,
//! serves it over HTTP, watches the site's inputs and rebuilds on every
//! change, telling open pages to reload through server-sent events. Nothing
//! is ever written to the output folder and nothing is served from disk: a
//! request can only reach a file of the rendered site. A build error never
//! stops the server; it keeps serving the last good site with an overlay that
//! names the problem until the input is fixed. [`Server::start`] runs all of
//! it on background threads, so tests and the binary drive it the same way.

mod http;
mod inject;
mod rebuild;
mod state;
mod watch;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::base::audience::Audience;
use crate::base::diagnostics::{Error, Result};
use crate::base::remarks::Remarks;
use crate::build::{BuildOptions, CacheChoice};

use rebuild::Rebuilder;
use state::Shared;

/// The port `proficio serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 1111;

/// How many ports after a busy one are tried before giving up.
const PORT_ATTEMPTS: u16 = 20;

/// Where the server's terminal lines go (and the builds' remarks).
pub use crate::base::remarks::Log;

/// What to serve and how.
#[derive(Clone)]
pub struct ServeOptions {
    /// The site's root folder (holding `site.toml`).
    pub root: PathBuf,
    /// The address to listen on; loopback unless asked otherwise.
    pub bind: IpAddr,
    /// The port to listen on; the next free one is used when it is busy, and
    /// 0 lets the system choose.
    pub port: u16,
    /// Polls the inputs instead of relying on the system's change events
    /// (for network drives and containers, where those do not arrive).
    pub poll: bool,
    /// Includes pages marked `draft: true`.
    pub drafts: bool,
    /// Publishes under this URL; by default the server's own address, so
    /// absolute links (feeds, canonical URLs) point at the preview.
    pub base_url: Option<String>,
    /// Who the preview is for, as with `build --audience`.
    pub audience: Audience,
    /// Where highlighted code is kept between runs, as with `build`: the
    /// preview reads what the last build kept, so a large site opens fast
    /// (the command line's default is the folder beside `site.toml`).
    pub cache: CacheChoice,
    /// Colours diagnostics for a terminal.
    pub colour: bool,
    /// Receives every line the server prints (startup, one per rebuild,
    /// diagnostics).
    pub log: Log,
}

impl ServeOptions {
    /// Options for serving the site at `root` on the defaults: 127.0.0.1,
    /// port 1111, system change events, no drafts, the internal audience,
    /// no build cache, lines to standard error.
    pub fn new(root: impl Into<PathBuf>) -> ServeOptions {
        ServeOptions {
            root: root.into(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            poll: false,
            drafts: false,
            base_url: None,
            audience: Audience::Internal,
            cache: CacheChoice::Off,
            colour: false,
            log: Arc::new(|line: &str| eprintln!("{line}")),
        }
    }
}

/// A running preview server; it stops when dropped.
pub struct Server {
    address: SocketAddr,
    url: String,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Server {
    /// Binds the port, renders the site and starts watching and serving. A
    /// site that does not build still starts (showing its problems), and so
    /// does one whose first build is left behind for a newer change; only a
    /// port that cannot be bound or a thread or watcher that cannot start is
    /// an error.
    pub fn start(options: ServeOptions) -> Result<Server> {
        // A wrong URL would fail every render: say so now, not in an overlay.
        if let Some(base_url) = &options.base_url {
            crate::input::config::check_base_url_option(base_url)?;
        }
        let listener = bind(&options)?;
        let address = listener
            .local_addr()
            .map_err(|e| Error::Refused(format!("cannot read the bound address: {e}")))?;
        let url = format!("http://{}/", browsable(address));
        let build = build_options(&options, &url);
        let shared = Arc::new(Shared::new(base_path(
            build.base_url.as_deref().unwrap_or("/"),
        )));
        // One channel brings the rebuild loop both the watcher's changes and
        // its workers' results.
        let (events_tx, events_rx) = mpsc::channel();
        // Watch before the first render so an edit made during it still
        // triggers a rebuild afterwards.
        let watcher = watch::start(
            &options.root,
            options.poll,
            events_tx.clone(),
            shared.clone(),
        )?;
        let mut rebuilder = Rebuilder::new(build, shared.clone(), options.log.clone());
        rebuilder.colour = options.colour;
        let (ready_tx, ready_rx) = mpsc::channel();
        let rebuild = spawn("proficio-rebuild", move || {
            rebuilder.run(events_rx, events_tx, ready_tx)
        })?;
        // Answer once the first build is in, or was walked away from for a
        // newer change (a template that loops without writing).
        let _ = ready_rx.recv();
        (options.log)(&format!(
            "Serving {url} (watching {} with {}; press Ctrl-C to stop)",
            watch::INPUTS.join(", "),
            if options.poll {
                "polling"
            } else {
                "change events"
            }
        ));
        let threads = vec![watcher, rebuild, http::spawn(listener, shared.clone())?];
        Ok(Server {
            address,
            url,
            shared,
            threads,
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The URL to open in a browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Blocks until the server stops (for the command line, which runs until
    /// interrupted).
    pub fn wait(mut self) {
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }

    /// Stops watching and serving, and waits for the background threads.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.shared.stop();
        // The accept loop blocks in `accept`: one connection wakes it up.
        let _ = TcpStream::connect(browsable(self.address));
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if !self.threads.is_empty() {
            self.shutdown();
        }
    }
}

/// The build the preview renders: published at the server's own `url`
/// unless another base URL was asked for, so absolute links stay local.
fn build_options(options: &ServeOptions, url: &str) -> BuildOptions {
    BuildOptions {
        root: options.root.clone(),
        // Nothing is written: the output folder is only named in messages.
        output: None,
        base_url: Some(options.base_url.clone().unwrap_or_else(|| url.to_string())),
        drafts: options.drafts,
        audience: options.audience.clone(),
        // Set for each rebuild (see `rebuild.rs`).
        interrupt: Default::default(),
        remarks: Remarks::to(options.log.clone()),
        cache: options.cache.clone(),
    }
}

/// Binds the requested port or, when it is busy, the next free one, saying so.
fn bind(options: &ServeOptions) -> Result<TcpListener> {
    let attempts = if options.port == 0 { 1 } else { PORT_ATTEMPTS };
    let mut last_error = None;
    for offset in 0..attempts {
        let Some(port) = options.port.checked_add(offset) else {
            break;
        };
        match TcpListener::bind(SocketAddr::new(options.bind, port)) {
            Ok(listener) => {
                if offset > 0 {
                    (options.log)(&format!(
                        "Port {} is in use; serving on port {port} instead.",
                        options.port
                    ));
                }
                return Ok(listener);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => last_error = Some(e),
            Err(e) => {
                return Err(Error::Refused(format!(
                    "cannot listen on {}:{port}: {e}",
                    options.bind
                )));
            }
        }
    }
    Err(Error::Refused(format!(
        "ports {} to {} on {} are all in use ({}); choose another with --port",
        options.port,
        options.port.saturating_add(attempts - 1),
        options.bind,
        last_error.map_or_else(|| "no port left".to_string(), |e| e.to_string())
    )))
}

/// The address a browser on this machine reaches the server at: a wildcard
/// bind is reached through loopback.
fn browsable(address: SocketAddr) -> SocketAddr {
    let ip = match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, address.port())
}

/// The path part of a base URL, always ending in `/`: `/` or `/portal/`.
fn base_path(base_url: &str) -> String {
    let after_scheme = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

fn spawn(name: &str, work: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(work)
        .map_err(|e| Error::Refused(format!("cannot start a thread: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_is_the_url_path_with_a_trailing_slash() {
        assert_eq!(base_path("http://127.0.0.1:1111/"), "/");
        assert_eq!(base_path("https://example.com"), "/");
        assert_eq!(base_path("https://example.com/portal"), "/portal/");
        assert_eq!(base_path("https://example.com/a/b/"), "/a/b/");
    }

    #[test]
    fn wildcard_binds_are_browsed_through_loopback() {
        let any: SocketAddr = "0.0.0.0:8080".parse().expect("address");
        assert_eq!(browsable(any).to_string(), "127.0.0.1:8080");
        let v6: SocketAddr = "[::]:8080".parse().expect("address");
        assert_eq!(browsable(v6).to_string(), "[::1]:8080");
    }
}
