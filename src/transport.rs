//! `Transport`: how a request reaches the API and its token endpoint.
//!
//! One POST, the same way for every call: within a time-out, through the proxy the
//! URL calls for, trusting the built-in roots and any extra CAs, with redirects not
//! followed and the answer's body read up to [`BODY_CAP`]. A failure says whether the
//! request may have reached the server, since a send is not idempotent. The only
//! repeats are those [`crate::retry`] allows, and only as many as asked for.

use std::borrow::Cow;
use std::io::Read;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use ureq::Agent;
use ureq::unversioned::transport::{ConnectProxyConnector, Connector, TcpConnector};

use crate::base_url::host_of;
use crate::error::{Delivery, IoFailure, NetworkCause};
use crate::progress::{IpOrName, Notice, Progress, Tracked};
use crate::proxy::{Proxies, Proxy};
use crate::redact::Redactions;
use crate::request::USER_AGENT;
use crate::retry::{self, Retries, Wait, WaitReason};
use crate::text;
use crate::tls::{self, CaCertificates, Handshake, HandshakeNotice, TlsConnector, Trust};

/// The most of an answer's body that is read; the rest is cut, not buffered.
pub const BODY_CAP: usize = 64 * 1024;

/// The longest head (status line and headers) of an answer that is read; a longer one is
/// refused as no answer of the API's. Common gateways refuse heads over 4 to 8 KiB.
pub const HEAD_CAP: usize = 16 * 1024;

/// Room for each connection's input: a whole head of [`HEAD_CAP`] and 1 KiB more, so
/// that a longer head fills it and is refused as too long, rather than read as a
/// connection that stopped sending.
const INPUT_BUFFER: usize = HEAD_CAP + 1024;

/// Room for each connection's output, unless one line of the request head is longer
/// (see [`output_room`]): ureq writes the head a line at a time and the body in pieces.
/// ureq's default, 128 KiB for each of input and output, twice over with TLS, is
/// written to in full when a connection opens: half a MiB of a send's memory.
const OUTPUT_BUFFER: usize = 16 * 1024;

/// How long a call may take unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// An HTTP answer, as received (the body cut at [`BODY_CAP`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The headers, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, as text: a byte that is not UTF-8 is written `\xNN`.
    pub body: String,
    /// Whether the body was longer than [`BODY_CAP`] and cut.
    pub cut: bool,
    /// The body as JSON is read from it, each byte that is not UTF-8 a U+FFFD (so that
    /// an id holding one is refused as such), when it had any; else the body is it.
    pub(crate) decoded: Option<String>,
}

impl Response {
    /// The text the body's JSON is read from: `\xNN` in the body stands for a byte that
    /// is not UTF-8, which JSON reads as U+FFFD.
    pub(crate) fn json_text(&self) -> &str {
        self.decoded.as_deref().unwrap_or(&self.body)
    }

    /// The first header called `name`, in any casing.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The answer with every secret of `redactions` taken out of its headers and body:
    /// the one step between receiving an answer and anything reading it. A body cut at
    /// [`BODY_CAP`] loses a tail that begins a secret too; a JSON body is scrubbed again
    /// once decoded, so that a secret behind a JSON escape of another encoding (a
    /// `\u0025` for the `%` of a percent-encoded echo) is found as well.
    pub(crate) fn scrubbed(mut self, redactions: &Redactions) -> Response {
        if redactions.is_empty() {
            return self;
        }
        for (_, value) in &mut self.headers {
            if let Cow::Owned(clean) = redactions.scrub(value) {
                *value = clean;
            }
        }
        let clean = match self.cut {
            true => redactions.scrub_cut(&self.body),
            false => redactions.scrub(&self.body),
        };
        if let Cow::Owned(clean) = clean {
            self.body = clean;
        }
        if let Some(decoded) = &mut self.decoded
            && let Cow::Owned(clean) = redactions.scrub(decoded)
        {
            *decoded = clean;
        }
        if let Ok(mut json) = serde_json::from_str::<serde_json::Value>(self.json_text())
            && scrub_json(&mut json, redactions)
        {
            self.body = json.to_string();
            self.decoded = None;
        }
        self
    }
}

/// Takes every secret out of each string (and key) of `value`, once decoded; whether
/// any was found.
fn scrub_json(value: &mut serde_json::Value, redactions: &Redactions) -> bool {
    use serde_json::Value;
    match value {
        Value::String(text) => match redactions.scrub(text) {
            Cow::Owned(clean) => {
                *text = clean;
                true
            }
            Cow::Borrowed(_) => false,
        },
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |found, item| scrub_json(item, redactions) | found),
        Value::Object(fields) => {
            let mut found = false;
            let old = std::mem::take(fields);
            for (key, mut item) in old {
                found |= scrub_json(&mut item, redactions);
                let key = match redactions.scrub(&key) {
                    Cow::Owned(clean) => {
                        found = true;
                        clean
                    }
                    Cow::Borrowed(_) => key,
                };
                fields.insert(key, item);
            }
            found
        }
        _ => false,
    }
}

/// Told of each wait before a retry, e.g. to log it.
type WaitNotice = Arc<dyn Fn(&Wait) + Send + Sync>;

/// How requests travel: time-out, retries, proxies and trusted CAs.
///
/// ```
/// use std::time::Duration;
/// use mfa::{NoProxy, Proxies, Retries, Transport};
///
/// let transport = Transport::default()
///     .with_timeout(Duration::from_secs(10))
///     .with_retries(Retries::new(2)?)
///     .with_proxies(Proxies::new(
///         Some("http://proxy.example:3128".parse()?),
///         NoProxy::parse("localhost,.internal.example"),
///     ));
/// let proxy = transport.proxy_for("https://mfa.bandwidth.com/api/v1");
/// assert_eq!(proxy.map(|p| p.as_str()), Some("http://proxy.example:3128"));
/// # Ok::<(), mfa::InvalidValue>(())
/// ```
#[derive(Clone)]
pub struct Transport {
    timeout: Duration,
    retries: Retries,
    proxies: Proxies,
    trust: Arc<Trust>,
    on_wait: Option<WaitNotice>,
    on_handshake: Option<HandshakeNotice>,
    /// How long this transport (and its clones) has waited before retries so far.
    waited: Arc<Mutex<Duration>>,
}

impl Default for Transport {
    /// 30 s, no retries, no proxy, the built-in roots and the system's store.
    fn default() -> Self {
        Transport {
            timeout: DEFAULT_TIMEOUT,
            retries: Retries::default(),
            proxies: Proxies::default(),
            trust: Arc::new(Trust::default()),
            on_wait: None,
            on_handshake: None,
            waited: Arc::default(),
        }
    }
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("proxies", &self.proxies)
            .field("trust", &self.trust)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// How long one request may take in all, from connecting to the last byte.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many times a request refused before it was processed (a refused connection,
    /// a 429) is made again. Never after a time-out, a dropped connection or a 5xx.
    pub fn with_retries(mut self, retries: Retries) -> Self {
        self.retries = retries;
        self
    }

    /// The proxies to go through.
    pub fn with_proxies(mut self, proxies: Proxies) -> Self {
        self.proxies = proxies;
        self
    }

    /// CA certificates to trust besides the built-in roots.
    pub fn with_ca_certificates(mut self, extra: CaCertificates) -> Self {
        self.trust = Arc::new(self.trust.with_extra(extra));
        self
    }

    /// Whether to trust the operating system's store of CAs too (`SSL_CERT_FILE` and
    /// `SSL_CERT_DIR` honoured), as curl and git do: yes unless told otherwise. It is
    /// read only when the built-in roots (and extra CAs) do not know a server's issuer.
    pub fn with_system_roots(mut self, system: bool) -> Self {
        self.trust = Arc::new(self.trust.with_system(system));
        self
    }

    /// Calls `notice` before each wait for a retry, e.g. to log it.
    pub fn on_wait(mut self, notice: impl Fn(&Wait) + Send + Sync + 'static) -> Self {
        self.on_wait = Some(Arc::new(notice));
        self
    }

    /// Calls `notice` after each TLS handshake that succeeded (the API's, a token
    /// endpoint's, an `https://` proxy's), before the request is written, e.g. to show
    /// the server's certificate. Unversioned, as [`Handshake`] is (see
    /// [`unversioned`](crate::unversioned)).
    pub fn on_handshake(mut self, notice: impl Fn(&Handshake) + Send + Sync + 'static) -> Self {
        self.on_handshake = Some(Arc::new(notice));
        self
    }

    /// The time-out in force.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The retries allowed.
    pub fn retries(&self) -> Retries {
        self.retries
    }

    /// The proxy a request to `url` goes through, if any.
    pub fn proxy_for(&self, url: &str) -> Option<&Proxy> {
        self.proxies.for_url(url)
    }

    /// `host:port` of `url`, and the proxy in between if any, for messages.
    pub(crate) fn describe_host(&self, url: &str) -> String {
        let host = host_of(url);
        match self.proxy_for(url) {
            Some(proxy) => format!("{host} (through proxy {proxy})"),
            None => host,
        }
    }

    /// POSTs `body` to `url` with `headers` and returns the answer whatever its status,
    /// its body cut at [`BODY_CAP`]. Made again only after a failed name lookup, a
    /// refused connection or a 429, as many times as the retries allow, waiting first;
    /// all the waits of this transport and its clones add up to at most
    /// [`MAX_TOTAL_WAIT`](crate::retry::MAX_TOTAL_WAIT). `written` is told when the
    /// first byte of a request goes out.
    pub(crate) fn post(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        written: Option<&Notice>,
    ) -> Result<Response, NoAnswer> {
        self.exchange(url, headers, Some(body), written)
    }

    /// GETs `url` with `headers`, as [`post`](Self::post) posts.
    pub(crate) fn get(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        written: Option<&Notice>,
    ) -> Result<Response, NoAnswer> {
        self.exchange(url, headers, None, written)
    }

    /// A POST of `body`, or a GET without one, made again as [`post`](Self::post) says.
    fn exchange(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        written: Option<&Notice>,
    ) -> Result<Response, NoAnswer> {
        let mut retry = 0;
        loop {
            let result = self.once(url, headers, body, written);
            if retry >= self.retries.get() {
                return result;
            }
            let Some((reason, delay)) = wait_before_retry(&result, retry + 1) else {
                return result;
            };
            if !self.take_from_budget(delay) {
                return result;
            }
            retry += 1;
            let wait = Wait {
                retry,
                of: self.retries.get(),
                delay,
                reason,
            };
            if let Some(notice) = &self.on_wait {
                notice(&wait);
            }
            std::thread::sleep(wait.delay);
        }
    }

    /// Takes `delay` from what is left of the waits' budget, if it fits.
    fn take_from_budget(&self, delay: Duration) -> bool {
        let mut waited = self.waited.lock().unwrap_or_else(PoisonError::into_inner);
        let fits = waited
            .checked_add(delay)
            .is_some_and(|total| total <= retry::MAX_TOTAL_WAIT);
        if fits {
            *waited += delay;
        }
        fits
    }

    /// One POST (with `body`) or GET (without), once.
    fn once(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        written: Option<&Notice>,
    ) -> Result<Response, NoAnswer> {
        let progress = Arc::new(Progress::new(written.cloned()));
        let agent = self.agent(url, output_room(url, headers), &progress);
        let sent = match body {
            Some(body) => with_headers(agent.post(url), headers).send(body),
            None => with_headers(agent.get(url), headers).call(),
        };
        let answer = match sent {
            Ok(answer) => answer,
            // Through a proxy, before a byte of the request went into the tunnel, what
            // was not HTTP was the proxy's answer to the `CONNECT`.
            Err(ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..))
                if self.proxy_for(url).is_some() && !progress.written() =>
            {
                return Err(NoAnswer::Network {
                    delivery: Delivery::NotSent,
                    cause: NetworkCause::Failed(
                        "the proxy did not answer the CONNECT in HTTP".into(),
                    ),
                    retry: None,
                });
            }
            Err(ureq::Error::Protocol(problem)) => {
                return Err(NoAnswer::NotHttp(problem.to_string()));
            }
            Err(ureq::Error::LargeResponseHeader(..)) => {
                return Err(NoAnswer::NotHttp("its headers are too large".into()));
            }
            Err(err) => return Err(classify(err, self.timeout, &progress)),
        };
        let status = answer.status().as_u16();
        let headers = answer
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), text::from_bytes(value.as_bytes())))
            .collect();
        let mut bytes = Vec::new();
        let read = answer
            .into_body()
            .into_reader()
            .take(BODY_CAP as u64 + 1)
            .read_to_end(&mut bytes);
        if let Err(err) = read {
            // ureq hands its own errors (its time-out among them) back inside an I/O
            // error while the body is read.
            let cause = match ureq::Error::from(err) {
                ureq::Error::Timeout(_) => NetworkCause::TimedOut(self.timeout),
                ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                    NetworkCause::TimedOut(self.timeout)
                }
                ureq::Error::Io(io) => NetworkCause::Io(IoFailure::new(
                    format!("reading the answer: {}", io_words(&io)),
                    io,
                )),
                other => NetworkCause::Failed(format!("reading the answer: {other}")),
            };
            return Err(NoAnswer::Network {
                delivery: Delivery::MaybeSent,
                cause,
                retry: None,
            });
        }
        let cut = bytes.len() > BODY_CAP;
        bytes.truncate(BODY_CAP);
        Ok(Response {
            status,
            headers,
            body: text::from_bytes(&bytes),
            cut,
            decoded: std::str::from_utf8(&bytes)
                .is_err()
                .then(|| String::from_utf8_lossy(&bytes).into_owned()),
        })
    }

    /// An agent for one request to `url`: its proxy, if any, and this transport's
    /// trust; the TLS set-up itself waits for the first `https://` connection.
    /// `output` is the room the request's head needs, from [`output_room`].
    fn agent(&self, url: &str, output: usize, progress: &Arc<Progress>) -> Agent {
        // Connecting gets a little less time than the whole call, so that a connection
        // that never opens is reported as such (nothing was sent) rather than as the
        // whole call's time-out, which cannot tell whether the request went out.
        let timeout = self.timeout;
        let margin = (timeout / 10).min(Duration::from_secs(1));
        let connect = timeout.saturating_sub(margin);
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(USER_AGENT)
            .proxy(self.proxy_for(url).map(Proxy::to_ureq))
            .timeout_global(Some(timeout))
            .timeout_resolve(Some(connect))
            .timeout_connect(Some(connect))
            .max_response_header_size(HEAD_CAP)
            .input_buffer_size(INPUT_BUFFER)
            .output_buffer_size(output)
            .build();
        let connector = ()
            .chain(ConnectProxyConnector::default())
            .chain(TcpConnector::default())
            .chain(TlsConnector {
                trust: self.trust.clone(),
                on_handshake: self.on_handshake.clone(),
            })
            .chain(Tracked::new(
                progress.clone(),
                self.proxy_for(url).is_some(),
            ));
        Agent::with_parts(config, connector, IpOrName::new(progress.clone()))
    }
}

/// `builder` with each of `headers`.
fn with_headers<B>(
    mut builder: ureq::RequestBuilder<B>,
    headers: &[(&str, &str)],
) -> ureq::RequestBuilder<B> {
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder
}

/// The output room a request needs: [`OUTPUT_BUFFER`], or more when one line of its
/// head (the request line with the URL's path, or one header) is longer, so that no URL
/// or token is too long to send. A line is at most 16 bytes more than its URL or its
/// header's name and value (`POST `, ` HTTP/1.1`, `: `, line ends).
fn output_room(url: &str, headers: &[(&str, &str)]) -> usize {
    let longest = headers
        .iter()
        .map(|(name, value)| name.len() + value.len())
        .chain([url.len()])
        .max()
        .unwrap_or_default();
    OUTPUT_BUFFER.max(longest + 64)
}

/// Why and how long to wait before retry `retry` (1 for the first) after `result`;
/// `None` when the result may not be retried: it may have been processed.
fn wait_before_retry(
    result: &Result<Response, NoAnswer>,
    retry: u8,
) -> Option<(WaitReason, Duration)> {
    match result {
        Ok(answer) if answer.status == 429 => {
            let asked = answer
                .header("Retry-After")
                .and_then(|value| retry::retry_after(value, SystemTime::now()));
            let reason = WaitReason::RateLimited {
                retry_after: asked.is_some(),
            };
            Some((reason, asked.unwrap_or_else(|| retry::backoff(retry))))
        }
        Err(NoAnswer::Network {
            retry: Some(reason),
            ..
        }) => Some((reason.clone(), retry::backoff(retry))),
        _ => None,
    }
}

/// Why an exchange got no HTTP answer.
pub(crate) enum NoAnswer {
    /// Something answered, but not in HTTP.
    NotHttp(String),
    /// No answer: whether the request may have gone out, why, and, for the failures
    /// that prove nothing was processed (a failed name lookup, a refused connection),
    /// why it may be made again.
    Network {
        delivery: Delivery,
        cause: NetworkCause,
        retry: Option<WaitReason>,
    },
}

/// Why an exchange failed, and whether the request may have reached the server: only
/// if a byte of it was written ([`Progress`]), whatever the failure is called.
fn classify(err: ureq::Error, timeout: Duration, progress: &Progress) -> NoAnswer {
    use std::io::ErrorKind as Io;
    let (written, looked_up) = (progress.written(), progress.looked_up());
    let delivery = if written {
        Delivery::MaybeSent
    } else {
        Delivery::NotSent
    };
    let not_found = |words: String, io: std::io::Error| {
        let cause = NetworkCause::Io(IoFailure::new(words, io));
        (cause, Some(WaitReason::NameNotFound))
    };
    let (cause, retry) = match err {
        ureq::Error::Timeout(_) => (NetworkCause::TimedOut(timeout), None),
        ureq::Error::HostNotFound => (
            NetworkCause::Failed("its name was not found".into()),
            Some(WaitReason::NameNotFound),
        ),
        ureq::Error::Io(io) if !looked_up => not_found(
            format!("its name could not be looked up ({})", io_words(&io)),
            io,
        ),
        ureq::Error::Io(io) => {
            let refused = !written && io.kind() == Io::ConnectionRefused;
            let cause = NetworkCause::Io(IoFailure::new(io_words(&io), io));
            (cause, refused.then_some(WaitReason::Refused))
        }
        ureq::Error::ConnectionFailed => (NetworkCause::Failed("connection failed".into()), None),
        ureq::Error::ConnectProxyFailed(why) => (proxy_refusal(&why), None),
        ureq::Error::Rustls(problem) => (tls::tls_failure(&problem), None),
        ureq::Error::Tls(problem) => (NetworkCause::Failed(format!("TLS failed: {problem}")), None),
        other => (NetworkCause::Failed(other.to_string()), None),
    };
    NoAnswer::Network {
        delivery,
        cause,
        retry: retry.filter(|_| !written),
    }
}

/// A proxy's refusal to open a tunnel, in words: ureq says `proxy server responded
/// 407/407`.
fn proxy_refusal(why: &str) -> NetworkCause {
    let status = why
        .strip_prefix("proxy server responded ")
        .and_then(|rest| rest.split('/').next())
        .and_then(|status| status.parse::<u16>().ok());
    NetworkCause::Failed(match status {
        // 407 is the standard answer; some proxies (tinyproxy) say 401.
        Some(status @ (401 | 407)) => format!(
            "the proxy refused to open a tunnel (HTTP {status}: it wants other proxy credentials)"
        ),
        Some(status) => format!("the proxy refused to open a tunnel (HTTP {status})"),
        None => format!("the proxy did not open a tunnel ({why})"),
    })
}

/// An I/O error in a few plain words, without the OS error number.
fn io_words(err: &std::io::Error) -> String {
    use std::io::ErrorKind as Io;
    match err.kind() {
        Io::ConnectionRefused => "connection refused".into(),
        Io::ConnectionReset => "connection reset".into(),
        Io::ConnectionAborted => "connection aborted".into(),
        Io::UnexpectedEof => "the connection closed before an answer came".into(),
        _ => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(failed: NoAnswer) -> (Delivery, Option<WaitReason>) {
        match failed {
            NoAnswer::Network {
                delivery, retry, ..
            } => (delivery, retry),
            NoAnswer::NotHttp(_) => panic!("not a network failure"),
        }
    }

    /// A request that got as far as its name looked up and, if `written`, a byte out.
    fn progress(written: bool) -> Progress {
        let progress = Progress::default();
        progress.mark(true, written);
        progress
    }

    #[test]
    fn whatever_fails_before_a_byte_is_written_sent_nothing() {
        use std::io::{Error as IoError, ErrorKind};
        let timeout = DEFAULT_TIMEOUT;
        let failures = || {
            [
                ureq::Error::Timeout(ureq::Timeout::Resolve),
                ureq::Error::Timeout(ureq::Timeout::Connect),
                ureq::Error::Timeout(ureq::Timeout::Global),
                ureq::Error::ConnectionFailed,
                ureq::Error::ConnectProxyFailed("proxy server responded 407/".into()),
                ureq::Error::Io(IoError::from(ErrorKind::NetworkUnreachable)),
                ureq::Error::Io(IoError::from(ErrorKind::ConnectionReset)),
                ureq::Error::Tls("bad certificate"),
                ureq::Error::Rustls(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::UnknownIssuer,
                )),
                ureq::Error::Http(ureq::http::Error::from(
                    ureq::http::Uri::try_from("\u{0}").unwrap_err(),
                )),
            ]
        };
        for err in failures() {
            let shown = err.to_string();
            assert_eq!(
                delivery(classify(err, timeout, &progress(false))),
                (Delivery::NotSent, None),
                "{shown}"
            );
        }
        for err in failures() {
            let shown = err.to_string();
            assert_eq!(
                delivery(classify(err, timeout, &progress(true))).0,
                Delivery::MaybeSent,
                "{shown}"
            );
        }
    }

    #[test]
    fn a_failed_lookup_or_a_refused_connection_may_be_retried_nothing_else() {
        use std::io::{Error as IoError, ErrorKind};
        let lookup = IoError::other("failed to lookup address information");
        assert_eq!(
            delivery(classify(
                ureq::Error::Io(lookup),
                DEFAULT_TIMEOUT,
                &Progress::default()
            )),
            (Delivery::NotSent, Some(WaitReason::NameNotFound))
        );
        assert_eq!(
            delivery(classify(
                ureq::Error::HostNotFound,
                DEFAULT_TIMEOUT,
                &Progress::default()
            )),
            (Delivery::NotSent, Some(WaitReason::NameNotFound))
        );
        let refused = || ureq::Error::Io(IoError::from(ErrorKind::ConnectionRefused));
        assert_eq!(
            delivery(classify(refused(), DEFAULT_TIMEOUT, &progress(false))),
            (Delivery::NotSent, Some(WaitReason::Refused))
        );
        assert_eq!(
            delivery(classify(refused(), DEFAULT_TIMEOUT, &progress(true))),
            (Delivery::MaybeSent, None)
        );
    }

    #[test]
    fn only_a_refusal_or_a_429_is_waited_for_and_retried() {
        let answer = |status: u16, headers: &[(&str, &str)]| {
            Ok(Response {
                status,
                headers: headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                body: String::new(),
                cut: false,
                decoded: None,
            })
        };
        let rate_limited = wait_before_retry(&answer(429, &[("retry-after", "3")]), 1);
        assert_eq!(
            rate_limited,
            Some((
                WaitReason::RateLimited { retry_after: true },
                Duration::from_secs(3)
            ))
        );
        let (reason, delay) = wait_before_retry(&answer(429, &[]), 2).unwrap();
        assert_eq!(reason, WaitReason::RateLimited { retry_after: false });
        assert!(delay <= retry::FIRST_BACKOFF * 2, "{delay:?}");
        let refused = Err(NoAnswer::Network {
            delivery: Delivery::NotSent,
            cause: NetworkCause::Failed("connection refused".into()),
            retry: Some(WaitReason::Refused),
        });
        assert_eq!(
            wait_before_retry(&refused, 1).unwrap().0,
            WaitReason::Refused
        );
        for status in [200, 400, 401, 500, 502, 503] {
            assert_eq!(
                wait_before_retry(&answer(status, &[("Retry-After", "1")]), 1),
                None
            );
        }
        let after_sending = [
            (Delivery::MaybeSent, NetworkCause::TimedOut(DEFAULT_TIMEOUT)),
            (
                Delivery::MaybeSent,
                NetworkCause::Failed("connection reset".into()),
            ),
            (
                Delivery::NotSent,
                NetworkCause::Failed("host not found".into()),
            ),
        ];
        for (delivery, cause) in after_sending {
            let failed = Err(NoAnswer::Network {
                delivery,
                cause,
                retry: None,
            });
            assert_eq!(wait_before_retry(&failed, 1), None);
        }
    }

    #[test]
    fn all_the_waits_of_a_transport_and_its_clones_add_up_to_a_minute_at_most() {
        let transport = Transport::default();
        let clone = transport.clone();
        assert!(transport.take_from_budget(Duration::from_secs(45)));
        assert!(clone.take_from_budget(Duration::from_secs(15)));
        assert!(!transport.take_from_budget(Duration::from_millis(1)));
        assert!(Transport::default().take_from_budget(retry::MAX_TOTAL_WAIT));
        assert!(!Transport::default().take_from_budget(Duration::from_secs(3600)));
        assert!(!Transport::default().take_from_budget(Duration::MAX));
    }

    #[test]
    fn a_proxy_refusal_says_what_the_proxy_wants() {
        let words = |why: &str| match proxy_refusal(why) {
            NetworkCause::Failed(words) => words,
            other => panic!("{other:?}"),
        };
        for status in [401, 407] {
            assert_eq!(
                words(&format!("proxy server responded {status}/{status}")),
                format!(
                    "the proxy refused to open a tunnel (HTTP {status}: it wants other proxy \
                     credentials)"
                )
            );
        }
        assert_eq!(
            words("proxy server responded 403/Forbidden"),
            "the proxy refused to open a tunnel (HTTP 403)"
        );
        assert_eq!(
            words("proxy server did not respond"),
            "the proxy did not open a tunnel (proxy server did not respond)"
        );
    }

    #[test]
    fn a_host_behind_a_proxy_is_named_with_it() {
        let transport = Transport::default().with_proxies(Proxies::new(
            Some("http://user:pw@proxy.example:3128".parse().unwrap()),
            crate::proxy::NoProxy::default(),
        ));
        assert_eq!(
            transport.describe_host("https://mfa.bandwidth.com/api/v1/x"),
            "mfa.bandwidth.com (through proxy http://proxy.example:3128)"
        );
        assert_eq!(
            transport.describe_host("http://127.0.0.1:9/x"),
            "127.0.0.1:9"
        );
    }

    #[test]
    fn the_output_room_fits_the_longest_line_of_the_head() {
        let url = "https://mfa.bandwidth.com/api/v1/accounts/9900000/code/voice";
        assert_eq!(
            output_room(url, &[("Accept", "application/json")]),
            OUTPUT_BUFFER
        );
        let long_path = format!("http://127.0.0.1:9/{}", "a".repeat(20_000));
        assert_eq!(output_room(&long_path, &[]), long_path.len() + 64);
        let token = format!("Bearer {}", "t".repeat(30_000));
        assert_eq!(
            output_room(url, &[("Authorization", &token)]),
            "Authorization".len() + token.len() + 64
        );
    }

    /// A server on 127.0.0.1 that reads what comes and answers `answer` to the first
    /// connection, then goes away.
    fn server_answering(answer: &'static str) -> u16 {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().unwrap();
            let mut request = [0; 4096];
            let _ = socket.read(&mut request);
            let _ = socket.write_all(answer.as_bytes());
        });
        port
    }

    #[test]
    fn plain_http_never_sets_up_tls_and_https_does_on_its_first_connection() {
        let transport = Transport::default();
        let port =
            server_answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        let Ok(answer) = transport.post(&format!("http://127.0.0.1:{port}/x"), &[], b"{}", None)
        else {
            panic!("the plain HTTP call failed");
        };
        assert_eq!((answer.status, answer.body.as_str()), (200, "{}"));
        assert!(!transport.trust.is_set_up());

        // Not TLS at all on the other side: the handshake fails, after the set-up.
        let port = server_answering("HTTP/1.1 400 Bad Request\r\n\r\n");
        assert!(
            transport
                .post(&format!("https://127.0.0.1:{port}/x"), &[], b"{}", None)
                .is_err()
        );
        assert!(transport.trust.is_set_up());
    }
}
