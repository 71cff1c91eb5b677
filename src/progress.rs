//! How far one request got: whether its host's name was looked up, and whether any
//! byte of it was written to the connection.
//!
//! A send is not idempotent, so a failure must say truthfully whether the code may
//! have gone out. The library underneath names its failures its own way (a failed
//! lookup is an I/O error, a URL too long to send an HTTP error); what decides is
//! simpler: until the first byte of the request is written, nothing was sent,
//! whatever went wrong. [`Tracked`] is the last link of the connector chain and sees
//! every write of the request (a proxy's `CONNECT` and the TLS handshake happen inside
//! the links before it, so they do not count); [`IpOrName`] is the resolver and sees
//! the lookup succeed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// Told of a moment in a request's life, e.g. its first byte written.
pub(crate) type Notice = Arc<dyn Fn() + Send + Sync>;

/// How far one request got. Shared by the resolver and the connector of its agent.
#[derive(Default)]
pub(crate) struct Progress {
    looked_up: AtomicBool,
    written: AtomicBool,
    /// Told when the first byte is written.
    on_written: Option<Notice>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("looked_up", &self.looked_up)
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

impl Progress {
    /// A request not yet begun; `on_written` is told when its first byte goes out.
    pub(crate) fn new(on_written: Option<Notice>) -> Self {
        Progress {
            on_written,
            ..Progress::default()
        }
    }

    /// Whether the name of the host to connect to was looked up (or was an address).
    pub(crate) fn looked_up(&self) -> bool {
        self.looked_up.load(Ordering::Relaxed)
    }

    /// Whether any byte of the request was written to the connection.
    pub(crate) fn written(&self) -> bool {
        self.written.load(Ordering::Relaxed)
    }
}

/// Finds the addresses to connect to: an IP address as it is, in place, as curl does; a
/// name with ureq's resolver, which looks it up on a thread of its own so that the
/// time-out bounds the lookup too. That thread was 5% of a plain-HTTP send's time over
/// loopback (bench/compare.sh). Notes in [`Progress`] when the addresses are known.
#[derive(Debug, Default)]
pub(crate) struct IpOrName {
    names: DefaultResolver,
    progress: Arc<Progress>,
}

impl IpOrName {
    pub(crate) fn new(progress: Arc<Progress>) -> Self {
        IpOrName {
            names: DefaultResolver::default(),
            progress,
        }
    }
}

impl Resolver for IpOrName {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let ip = uri.host().and_then(|host| {
            let host = host.trim_start_matches('[').trim_end_matches(']');
            host.parse::<std::net::IpAddr>().ok()
        });
        let port = uri.port_u16().or(match uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        });
        let addresses = match (ip, port) {
            (Some(ip), Some(port)) => {
                let mut addresses = self.names.empty();
                addresses.push(std::net::SocketAddr::new(ip, port));
                addresses
            }
            _ => self.names.resolve(uri, config, timeout)?,
        };
        self.progress.looked_up.store(true, Ordering::Relaxed);
        Ok(addresses)
    }
}

/// The last link of the connector chain: hands on the connection the links before it
/// made, watched by a [`TrackedTransport`]. Through a proxy, the chain also runs for
/// the connection to the proxy itself, whose `CONNECT` is no byte of the request: only
/// the connection that goes through the proxy (its settings name one) is watched.
#[derive(Debug)]
pub(crate) struct Tracked {
    progress: Arc<Progress>,
    proxied: bool,
}

impl Tracked {
    /// Watches the request `progress` is for; `proxied` when it goes through a proxy.
    pub(crate) fn new(progress: Arc<Progress>, proxied: bool) -> Self {
        Tracked { progress, proxied }
    }
}

impl<In: Transport> Connector<In> for Tracked {
    type Out = TrackedTransport<In>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let to_the_proxy = self.proxied && details.config.proxy().is_none();
        Ok(chained.map(|inner| TrackedTransport {
            inner,
            progress: self.progress.clone(),
            watching: !to_the_proxy,
        }))
    }
}

/// A connection that notes in [`Progress`] when the first byte of the request is
/// written to it.
#[derive(Debug)]
pub(crate) struct TrackedTransport<In> {
    inner: In,
    progress: Arc<Progress>,
    /// False on the connection to a proxy, whose writes are not the request's.
    watching: bool,
}

impl<In: Transport> Transport for TrackedTransport<In> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        // Noted before the write: a write that fails half way may have sent something.
        if amount > 0
            && self.watching
            && !self.progress.written.swap(true, Ordering::Relaxed)
            && let Some(notice) = &self.progress.on_written
        {
            notice();
        }
        self.inner.transmit_output(amount, timeout)
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.inner.maybe_await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
impl Progress {
    /// Sets how far a request got, for tests of what a failure then means.
    pub(crate) fn mark(&self, looked_up: bool, written: bool) {
        self.looked_up.store(looked_up, Ordering::Relaxed);
        self.written.store(written, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(url: &str) -> (Vec<String>, bool) {
        let config = ureq::Agent::config_builder().build();
        let progress = Arc::new(Progress::default());
        let addresses = IpOrName::new(progress.clone())
            .resolve(&url.parse().unwrap(), &config, NextTimeout::default())
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        (addresses, progress.looked_up())
    }

    #[test]
    fn an_ip_address_is_taken_as_it_is_and_a_name_is_looked_up() {
        assert_eq!(
            resolved("http://127.0.0.1:8080/x"),
            (vec!["127.0.0.1:8080".to_owned()], true)
        );
        assert_eq!(resolved("https://10.1.2.3/x").0, ["10.1.2.3:443"]);
        assert_eq!(resolved("http://[::1]/x").0, ["[::1]:80"]);
        assert_eq!(
            resolved("https://[2001:db8::7]:8443/x").0,
            ["[2001:db8::7]:8443"]
        );
        let (local, looked_up) = resolved("http://localhost:9/x");
        assert!(
            local.contains(&"127.0.0.1:9".to_owned()) || local.contains(&"[::1]:9".to_owned()),
            "{local:?}"
        );
        assert!(looked_up);
    }

    /// A name no lookup can find, refused by the system's resolver before it asks any
    /// name server (a label of 64 characters is one more than DNS allows): no test
    /// sends a query off this machine.
    pub(crate) fn unresolvable_host() -> String {
        format!("{}.invalid", "a".repeat(64))
    }

    #[test]
    fn a_name_that_cannot_be_looked_up_leaves_the_progress_unmarked() {
        let config = ureq::Agent::config_builder().build();
        let progress = Arc::new(Progress::default());
        let failed = IpOrName::new(progress.clone()).resolve(
            &format!("https://{}/x", unresolvable_host())
                .parse()
                .unwrap(),
            &config,
            NextTimeout::default(),
        );
        assert!(failed.is_err());
        assert!(!progress.looked_up());
    }

    /// A transport that takes every write, for watching what `Tracked` notes.
    #[derive(Debug)]
    struct Sink(ureq::unversioned::transport::LazyBuffers);

    impl Transport for Sink {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.0
        }
        fn transmit_output(&mut self, _: usize, _: NextTimeout) -> Result<(), ureq::Error> {
            Ok(())
        }
        fn await_input(&mut self, _: NextTimeout) -> Result<bool, ureq::Error> {
            Ok(false)
        }
        fn is_open(&mut self) -> bool {
            true
        }
    }

    #[test]
    fn the_first_byte_written_is_noted_once_and_told() {
        let told = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = told.clone();
        let notice: Notice = Arc::new(move || {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        let progress = Arc::new(Progress::new(Some(notice)));
        let mut transport = TrackedTransport {
            inner: Sink(ureq::unversioned::transport::LazyBuffers::new(64, 64)),
            progress: progress.clone(),
            watching: true,
        };
        transport
            .transmit_output(0, NextTimeout::default())
            .unwrap();
        assert!(!progress.written());
        transport
            .transmit_output(5, NextTimeout::default())
            .unwrap();
        transport
            .transmit_output(5, NextTimeout::default())
            .unwrap();
        assert!(progress.written());
        assert_eq!(told.load(Ordering::Relaxed), 1);
    }
}
