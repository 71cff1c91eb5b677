//! `Client`: sends a [`Request`] over HTTPS and reads the answer into a typed result.
//!
//! The one place that talks to the network, the same way for every call and for the
//! OAuth2 token request; each call adds only a method that pairs its body with its
//! [`Call`] and reads its answer. It knows nothing of flags, files or the environment:
//! it is built from explicit values. Its rules come from CONTRACT.md: redirects are not
//! followed, answers are read up to [`BODY_CAP`], and a failure says whether the request
//! may already have reached the API, since a send is not idempotent and must never be
//! repeated blindly. The one repeat it makes: a call refused with 401 while carrying an
//! access token that was not just issued is made once more with a new token, since a
//! refused call did nothing.

use std::io::Read;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use ureq::Agent;
use ureq::http::Uri;

use crate::answer::{self, CallId, MessageId, Verdict};
use crate::base_url::BaseUrl;
use crate::error::{Delivery, Error, NetworkCause};
use crate::fields::{AccountId, Username};
use crate::request::{AuthScheme, Body, Call, CodeRequest, Request, VerifyRequest};
use crate::secret::Secret;
use crate::token::{AccessToken, ClientCredentials};

/// The most of an answer's body that is read; the rest is cut, not buffered.
pub const BODY_CAP: usize = 64 * 1024;

/// How long a call may take unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// The account's API username and password, sent as HTTP Basic.
    Basic {
        /// The API username.
        username: Username,
        /// The API password.
        password: Secret<String>,
    },
    /// OAuth2 client credentials, traded for an access token sent as `Bearer`.
    ClientCredentials(ClientCredentials),
}

impl Credentials {
    /// How these credentials go into a request.
    pub fn scheme(&self) -> AuthScheme {
        match self {
            Credentials::Basic { .. } => AuthScheme::Basic,
            Credentials::ClientCredentials(_) => AuthScheme::Bearer,
        }
    }
}

/// `Basic base64(user:password)`: made at the moment of sending, never stored.
pub(crate) fn basic_authorization(user: &str, password: &Secret<String>) -> String {
    let pair = format!("{user}:{}", password.expose());
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// An HTTP answer, as received (the body cut at [`BODY_CAP`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The headers, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, as text (invalid UTF-8 replaced).
    pub body: String,
    /// Whether the body was longer than [`BODY_CAP`] and cut.
    pub cut: bool,
}

impl Response {
    /// The first header called `name`, in any casing.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// A client for one Bandwidth account.
///
/// ```
/// use std::time::Duration;
/// use mfa::{Client, Credentials, Secret};
///
/// let client = Client::new(
///     mfa::BaseUrl::default(),
///     "9900000".parse()?,
///     Credentials::Basic { username: "api-user".parse()?, password: Secret::from("pw") },
/// )
/// .with_timeout(Duration::from_secs(10));
/// assert_eq!(client.timeout(), Duration::from_secs(10));
/// # Ok::<(), mfa::InvalidValue>(())
/// ```
///
/// With [`Credentials::ClientCredentials`], the client gets an access token before its
/// first call and keeps it until 60 s before it expires ([`AccessToken::is_usable_at`]).
#[derive(Debug)]
pub struct Client {
    base_url: BaseUrl,
    account_id: AccountId,
    credentials: Credentials,
    timeout: Duration,
    token: Mutex<Option<HeldToken>>,
}

/// The access token in use, and whether it was issued for the call now being made.
#[derive(Debug, Clone)]
struct HeldToken {
    token: AccessToken,
    /// Issued and not yet used. A 401 with such a token is final: a new one would be
    /// refused too. Any other token may have been revoked since it last worked.
    just_issued: bool,
}

impl Client {
    /// A client that calls `base_url` for `account_id` with `credentials`, with the
    /// default time-out of 30 s.
    pub fn new(base_url: BaseUrl, account_id: AccountId, credentials: Credentials) -> Self {
        Client {
            base_url,
            account_id,
            credentials,
            timeout: DEFAULT_TIMEOUT,
            token: Mutex::new(None),
        }
    }

    /// Sets how long a call may take in all, from connecting to the last byte. A token
    /// request gets the same time.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Starts with an access token got earlier (from a cache, say), used while it is
    /// usable instead of asking for a new one. If the API refuses it (401), the client
    /// drops it and asks for a new one, once.
    pub fn with_token(self, token: AccessToken) -> Self {
        self.hold(token, false);
        self
    }

    /// The time-out in force.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The access token held now, if any: to keep for a later client.
    pub fn token(&self) -> Option<AccessToken> {
        self.held().map(|held| held.token)
    }

    /// Asks the token endpoint for a new access token now and holds it for the next
    /// call. Needs [`Credentials::ClientCredentials`]; with Basic credentials it does
    /// nothing and returns `None`.
    pub fn fetch_token(&self) -> Result<Option<AccessToken>, Error> {
        let Credentials::ClientCredentials(client) = &self.credentials else {
            return Ok(None);
        };
        Ok(Some(self.issue(client)?))
    }

    fn held(&self) -> Option<HeldToken> {
        self.token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn hold(&self, token: AccessToken, just_issued: bool) {
        *self.token.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(HeldToken { token, just_issued });
    }

    /// The request for `call` with `body`, as this client would send it: for
    /// showing (`--dry-run`, `--verbose`) before [`Client::send`].
    pub fn request(&self, call: Call, body: &impl Body) -> Request {
        Request::new(
            call,
            &self.base_url,
            &self.account_id,
            self.credentials.scheme(),
            body,
        )
    }

    /// Sends a code by voice call, once, and returns the call's id.
    ///
    /// ```no_run
    /// use mfa::{Client, CodeRequest, Credentials, Digits, Secret};
    ///
    /// let client = Client::new(
    ///     mfa::BaseUrl::default(),
    ///     "9900000".parse()?,
    ///     Credentials::Basic { username: "api-user".parse()?, password: Secret::from("pw") },
    /// );
    /// let call = client.send_voice_code(&CodeRequest {
    ///     to: "+15553334444".parse()?,
    ///     from: "+15554443333".parse()?,
    ///     application_id: "93de2206-9669-4e07-948d-329f4b722ee2".parse()?,
    ///     scope: None,
    ///     message: "Your code is {CODE}".parse()?,
    ///     digits: Digits::new(6)?,
    /// })?;
    /// println!("{}", call.as_str());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_voice_code(&self, body: &CodeRequest) -> Result<CallId, Error> {
        answer::call_id(&self.send(&self.request(Call::VoiceCode, body))?)
    }

    /// Sends a code by text message, once, and returns the message's id. The
    /// `application_id` is the messaging application's.
    ///
    /// ```no_run
    /// use mfa::{Client, CodeRequest, Credentials, Digits, Secret};
    ///
    /// let client = Client::new(
    ///     mfa::BaseUrl::default(),
    ///     "9900000".parse()?,
    ///     Credentials::Basic { username: "api-user".parse()?, password: Secret::from("pw") },
    /// );
    /// let message = client.send_messaging_code(&CodeRequest {
    ///     to: "+15553334444".parse()?,
    ///     from: "+15554443333".parse()?,
    ///     application_id: "b2a1d4b8-3c7e-4f0a-9d6e-5a8c1f2e7b90".parse()?,
    ///     scope: Some("login".parse()?),
    ///     message: "Your {NAME} login code is {CODE}".parse()?,
    ///     digits: Digits::new(6)?,
    /// })?;
    /// println!("{}", message.as_str());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_messaging_code(&self, body: &CodeRequest) -> Result<MessageId, Error> {
        answer::message_id(&self.send(&self.request(Call::MessagingCode, body))?)
    }

    /// Checks a code the user typed back. A wrong or expired code is
    /// `Ok(Verdict::Invalid)`, not an error; too many checks for one number is an
    /// [`Error`] of class [`crate::ErrorClass::RateLimited`].
    ///
    /// ```no_run
    /// use mfa::{Client, Credentials, ErrorClass, ExpirationMinutes, Secret, Verdict, VerifyRequest};
    ///
    /// let client = Client::new(
    ///     mfa::BaseUrl::default(),
    ///     "9900000".parse()?,
    ///     Credentials::Basic { username: "api-user".parse()?, password: Secret::from("pw") },
    /// );
    /// let typed = "123456"; // what the user typed
    /// let check = client.verify_code(&VerifyRequest {
    ///     to: "+15553334444".parse()?,
    ///     scope: Some("login".parse()?),
    ///     code: typed.parse()?,
    ///     expiration_minutes: ExpirationMinutes::new(3)?,
    /// });
    /// match check {
    ///     Ok(Verdict::Valid) => println!("welcome"),
    ///     Ok(Verdict::Invalid) => println!("wrong or expired code"),
    ///     Err(err) if err.class() == ErrorClass::RateLimited => println!("wait: {err}"),
    ///     Err(err) => return Err(err.into()),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_code(&self, body: &VerifyRequest) -> Result<Verdict, Error> {
        answer::verdict(&self.send(&self.request(Call::VerifyCode, body))?)
    }

    /// Sends a request once and returns the answer, whatever its status. Only a
    /// failure to get an answer at all is an error here; [`crate::Answer::read`]
    /// judges the answer. With client credentials, an access token is got first if
    /// none is held or it is nearly spent; a 401 to a token that was not just issued
    /// gets one new token and one more try, since the API did nothing with the first.
    pub fn send(&self, request: &Request) -> Result<Response, Error> {
        match &self.credentials {
            Credentials::Basic { username, password } => {
                self.exchange(request, basic_authorization(username.as_str(), password))
            }
            Credentials::ClientCredentials(client) => self.send_with_token(client, request),
        }
    }

    fn send_with_token(
        &self,
        client: &ClientCredentials,
        request: &Request,
    ) -> Result<Response, Error> {
        let now = std::time::SystemTime::now();
        // A token just issued is used even if it lives less than the renewal margin:
        // a newer one would live no longer.
        let (mut token, just_issued) = match self.held() {
            Some(held) if held.just_issued || held.token.is_usable_at(now) => {
                (held.token, held.just_issued)
            }
            _ => (self.issue(client)?, true),
        };
        let mut response = self.exchange(request, token.bearer())?;
        if response.status == 401 && !just_issued {
            token = self.issue(client)?;
            response = self.exchange(request, token.bearer())?;
        }
        // Whatever the answer, the token has now been used once.
        self.hold(token, false);
        Ok(response)
    }

    /// A new token from the endpoint, held as just issued.
    fn issue(&self, client: &ClientCredentials) -> Result<AccessToken, Error> {
        let token = client.fetch_token(self.timeout)?;
        self.hold(token.clone(), true);
        Ok(token)
    }

    /// One exchange with the API: the request with `authorization`, and its answer.
    fn exchange(&self, request: &Request, authorization: String) -> Result<Response, Error> {
        let mut headers: Vec<(&str, &str)> = request.plain_headers().into_iter().collect();
        headers.push(("Authorization", &authorization));
        post(
            request.url(),
            &headers,
            request.body().as_bytes(),
            self.timeout,
        )
        .map_err(|failed| match failed {
            Failed::NotHttp(problem) => Error::UnexpectedAnswer {
                status: None,
                problem: format!("not an HTTP answer ({problem})"),
                body: String::new(),
            },
            Failed::Network(delivery, cause) => Error::Network {
                call: request.call(),
                host: host_of(request.url()),
                delivery,
                cause,
            },
        })
    }
}

/// Why an exchange got no HTTP answer.
pub(crate) enum Failed {
    /// Something answered, but not in HTTP.
    NotHttp(String),
    /// No answer; whether the request may have gone out, and why.
    Network(Delivery, NetworkCause),
}

/// POSTs `body` to `url` with `headers`, once, within `timeout`, and returns the
/// answer whatever its status, its body cut at [`BODY_CAP`]. Redirects are not
/// followed.
pub(crate) fn post(
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> Result<Response, Failed> {
    let mut builder = agent(timeout).post(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let answer = match builder.send(body) {
        Ok(answer) => answer,
        Err(ureq::Error::Protocol(problem)) => return Err(Failed::NotHttp(problem.to_string())),
        Err(err) => {
            let (delivery, cause) = classify(err, timeout);
            return Err(Failed::Network(delivery, cause));
        }
    };
    let status = answer.status().as_u16();
    let headers = answer
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut bytes = Vec::new();
    let read = answer
        .into_body()
        .into_reader()
        .take(BODY_CAP as u64 + 1)
        .read_to_end(&mut bytes);
    if let Err(err) = read {
        let cause = match err.kind() {
            std::io::ErrorKind::TimedOut => NetworkCause::TimedOut(timeout),
            _ => NetworkCause::Failed(format!("reading the answer: {err}")),
        };
        return Err(Failed::Network(Delivery::MaybeSent, cause));
    }
    let cut = bytes.len() > BODY_CAP;
    bytes.truncate(BODY_CAP);
    Ok(Response {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        cut,
    })
}

fn agent(timeout: Duration) -> Agent {
    // Connecting gets a little less time than the whole call, so that a connection
    // that never opens is reported as such (nothing was sent) rather than as the
    // whole call's time-out, which cannot tell whether the request went out.
    let margin = (timeout / 10).min(Duration::from_secs(1));
    let connect = timeout.saturating_sub(margin);
    Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(timeout))
        .timeout_resolve(Some(connect))
        .timeout_connect(Some(connect))
        .build()
        .new_agent()
}

/// Whether a failed exchange may have reached the server, and why it failed.
fn classify(err: ureq::Error, timeout: Duration) -> (Delivery, NetworkCause) {
    use std::io::ErrorKind as Io;
    use ureq::Timeout as T;
    match err {
        ureq::Error::Timeout(T::Resolve | T::Connect) => {
            (Delivery::NotSent, NetworkCause::TimedOut(timeout))
        }
        ureq::Error::Timeout(_) => (Delivery::MaybeSent, NetworkCause::TimedOut(timeout)),
        ureq::Error::HostNotFound => (
            Delivery::NotSent,
            NetworkCause::Failed("host not found".into()),
        ),
        ureq::Error::ConnectionFailed => (
            Delivery::NotSent,
            NetworkCause::Failed("connection failed".into()),
        ),
        ureq::Error::Io(io) => {
            let delivery = match io.kind() {
                Io::ConnectionRefused
                | Io::AddrNotAvailable
                | Io::NetworkUnreachable
                | Io::HostUnreachable => Delivery::NotSent,
                _ => Delivery::MaybeSent,
            };
            (delivery, NetworkCause::Failed(io_words(&io)))
        }
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => (
            Delivery::NotSent,
            NetworkCause::Failed(format!("TLS failed: {err}")),
        ),
        other => (Delivery::MaybeSent, NetworkCause::Failed(other.to_string())),
    }
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

/// `host:port` of a URL, for messages.
pub(crate) fn host_of(url: &str) -> String {
    url.parse::<Uri>()
        .ok()
        .and_then(|uri| uri.authority().map(|a| a.as_str().to_owned()))
        .unwrap_or_else(|| url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_authorization_is_base64_of_user_colon_password() {
        assert_eq!(
            basic_authorization("api-user", &Secret::from("hunter2")),
            "Basic YXBpLXVzZXI6aHVudGVyMg=="
        );
        let credentials = Credentials::Basic {
            username: "api-user".parse().unwrap(),
            password: Secret::from("hunter2"),
        };
        assert!(!format!("{credentials:?}").contains("hunter2"));
    }

    #[test]
    fn failures_before_sending_say_nothing_was_sent_and_after_say_maybe() {
        use std::io::{Error as IoError, ErrorKind};
        let timeout = DEFAULT_TIMEOUT;
        let not_sent = [
            ureq::Error::Timeout(ureq::Timeout::Resolve),
            ureq::Error::Timeout(ureq::Timeout::Connect),
            ureq::Error::HostNotFound,
            ureq::Error::ConnectionFailed,
            ureq::Error::Io(IoError::from(ErrorKind::ConnectionRefused)),
            ureq::Error::Io(IoError::from(ErrorKind::NetworkUnreachable)),
            ureq::Error::Tls("bad certificate"),
        ];
        for err in not_sent {
            let shown = err.to_string();
            assert_eq!(classify(err, timeout).0, Delivery::NotSent, "{shown}");
        }
        let maybe_sent = [
            ureq::Error::Timeout(ureq::Timeout::Global),
            ureq::Error::Timeout(ureq::Timeout::RecvResponse),
            ureq::Error::Timeout(ureq::Timeout::SendBody),
            ureq::Error::Io(IoError::from(ErrorKind::ConnectionReset)),
            ureq::Error::Io(IoError::from(ErrorKind::UnexpectedEof)),
        ];
        for err in maybe_sent {
            let shown = err.to_string();
            assert_eq!(classify(err, timeout).0, Delivery::MaybeSent, "{shown}");
        }
    }

    #[test]
    fn host_of_keeps_the_port() {
        assert_eq!(host_of("http://127.0.0.1:9/api/x"), "127.0.0.1:9");
        assert_eq!(
            host_of("https://mfa.bandwidth.com/api/v1/x"),
            "mfa.bandwidth.com"
        );
    }
}
