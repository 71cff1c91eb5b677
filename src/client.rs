//! `Client`: sends a [`Request`] over HTTPS and reads the answer into a typed result.
//!
//! The one place that talks to the network. It knows nothing of flags, files or the
//! environment: it is built from explicit values. Its rules come from CONTRACT.md:
//! redirects are not followed, answers are read up to [`BODY_CAP`], and a failure says
//! whether the request may already have reached the API, since a send is not
//! idempotent and must never be repeated blindly.

use std::io::Read;
use std::time::Duration;

use base64::Engine as _;
use ureq::Agent;
use ureq::http::Uri;

use crate::base_url::BaseUrl;
use crate::error::{Delivery, Error, NetworkCause, quoted};
use crate::fields::{AccountId, Username};
use crate::request::{AuthScheme, Call, CodeRequest, Request};
use crate::secret::Secret;

/// The most of an answer's body that is read; the rest is cut, not buffered.
pub const BODY_CAP: usize = 64 * 1024;

/// How long a call may take unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How much of a non-JSON error body goes into an error message.
const EXCERPT_CHARS: usize = 200;

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
}

impl Credentials {
    /// How these credentials go into a request.
    pub fn scheme(&self) -> AuthScheme {
        match self {
            Credentials::Basic { .. } => AuthScheme::Basic,
        }
    }

    /// The `Authorization` header value: made at the moment of sending, never stored.
    fn authorization(&self) -> String {
        match self {
            Credentials::Basic { username, password } => {
                let pair = format!("{username}:{}", password.expose());
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
        }
    }
}

/// The id of the voice call that speaks the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallId(pub String);

impl CallId {
    /// The id as the API gave it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
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
    fn header(&self, name: &str) -> Option<&str> {
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
#[derive(Debug)]
pub struct Client {
    base_url: BaseUrl,
    account_id: AccountId,
    credentials: Credentials,
    timeout: Duration,
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
        }
    }

    /// Sets how long a call may take in all, from connecting to the last byte.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time-out in force.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The request that [`Client::send_voice_code`] sends, for showing.
    pub fn voice_code_request(&self, body: &CodeRequest) -> Request {
        Request::new(
            Call::VoiceCode,
            &self.base_url,
            &self.account_id,
            self.credentials.scheme(),
            body,
        )
    }

    /// Sends a code by voice call and returns the call's id.
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
        let response = self.send(&self.voice_code_request(body))?;
        read_id(Call::VoiceCode, &response).map(CallId)
    }

    /// Sends a request once and returns the answer, whatever its status. Only a
    /// failure to get an answer at all is an error here; [`read_id`] judges the answer.
    pub fn send(&self, request: &Request) -> Result<Response, Error> {
        let host = host_of(request.url());
        let network = |delivery, cause| Error::Network {
            host: host.clone(),
            delivery,
            cause,
        };
        let agent = self.agent();
        let mut builder = agent.post(request.url());
        for (name, value) in request.plain_headers() {
            builder = builder.header(name, value);
        }
        let answer = builder
            .header("Authorization", self.credentials.authorization())
            .send(request.body().as_bytes());
        let answer = match answer {
            Ok(answer) => answer,
            Err(ureq::Error::Protocol(problem)) => {
                return Err(Error::UnexpectedAnswer {
                    status: None,
                    problem: format!("not an HTTP answer ({problem})"),
                    body: String::new(),
                });
            }
            Err(err) => {
                let (delivery, cause) = self.classify(err);
                return Err(network(delivery, cause));
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
                std::io::ErrorKind::TimedOut => NetworkCause::TimedOut(self.timeout),
                _ => NetworkCause::Failed(format!("reading the answer: {err}")),
            };
            return Err(network(Delivery::MaybeSent, cause));
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

    fn agent(&self) -> Agent {
        // Connecting gets a little less time than the whole call, so that a connection
        // that never opens is reported as such (nothing was sent) rather than as the
        // whole call's time-out, which cannot tell whether the request went out.
        let margin = (self.timeout / 10).min(Duration::from_secs(1));
        let connect = self.timeout.saturating_sub(margin);
        Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(self.timeout))
            .timeout_resolve(Some(connect))
            .timeout_connect(Some(connect))
            .build()
            .new_agent()
    }

    /// Whether a failed exchange may have reached the API, and why it failed.
    fn classify(&self, err: ureq::Error) -> (Delivery, NetworkCause) {
        use std::io::ErrorKind as Io;
        use ureq::Timeout as T;
        match err {
            ureq::Error::Timeout(T::Resolve | T::Connect) => {
                (Delivery::NotSent, NetworkCause::TimedOut(self.timeout))
            }
            ureq::Error::Timeout(_) => (Delivery::MaybeSent, NetworkCause::TimedOut(self.timeout)),
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
fn host_of(url: &str) -> String {
    url.parse::<Uri>()
        .ok()
        .and_then(|uri| uri.authority().map(|a| a.as_str().to_owned()))
        .unwrap_or_else(|| url.to_owned())
}

/// Reads the id out of an answer to `call`, or says what is wrong with the answer.
pub fn read_id(call: Call, response: &Response) -> Result<String, Error> {
    let unexpected = |problem: String| Error::UnexpectedAnswer {
        status: Some(response.status),
        problem,
        body: response.body.clone(),
    };
    match response.status {
        200..=299 => {
            if response.cut {
                return Err(unexpected(format!(
                    "the answer is longer than {BODY_CAP} bytes (cut); the code may have been sent"
                )));
            }
            let keys = call.id_keys();
            let problem = || {
                format!(
                    "expected JSON with a string \"{}\"; the code may have been sent",
                    keys[0]
                )
            };
            let json: serde_json::Value =
                serde_json::from_str(&response.body).map_err(|_| unexpected(problem()))?;
            let id = keys
                .iter()
                .find_map(|key| json.get(key))
                .and_then(|id| id.as_str())
                .ok_or_else(|| unexpected(problem()))?;
            if id.is_empty() || id.chars().any(char::is_control) {
                return Err(unexpected(format!(
                    "the \"{}\" is empty or holds control characters; the code may have been sent",
                    keys[0]
                )));
            }
            Ok(id.to_owned())
        }
        300..=399 => Err(unexpected(match response.header("location") {
            Some(location) => format!(
                "a redirect to {}, not followed; check the base URL",
                quoted(location)
            ),
            None => "a redirect with no Location, not followed; check the base URL".into(),
        })),
        400..=599 => Err(api_error(response)),
        other => Err(unexpected(format!(
            "HTTP status {other} is not one the API uses"
        ))),
    }
}

/// The API's own words from an error answer: `error`, `message` or `Message`, and
/// `requestId`; or, from a body that is not the API's JSON, its start.
fn api_error(response: &Response) -> Error {
    let json: Option<serde_json::Value> = serde_json::from_str(&response.body).ok();
    let field = |keys: &[&str]| {
        let json = json.as_ref()?;
        keys.iter()
            .find_map(|key| json.get(key)?.as_str())
            .map(one_line)
    };
    let message = field(&["error", "message", "Message"]).or_else(|| {
        let body = response.body.trim();
        (!body.is_empty() && json.is_none()).then(|| {
            let excerpt: String = body.chars().take(EXCERPT_CHARS).collect();
            let more = if body.chars().count() > EXCERPT_CHARS {
                "..."
            } else {
                ""
            };
            format!("{}{more}", quoted(&excerpt))
        })
    });
    Error::Api {
        status: response.status,
        message,
        request_id: field(&["requestId", "RequestId"]),
    }
}

/// The API's text with control characters escaped, so it stays on one line.
fn one_line(text: &str) -> String {
    let quoted = quoted(text);
    quoted[1..quoted.len() - 1].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorClass;

    fn answer(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
            cut: false,
        }
    }

    #[test]
    fn basic_authorization_is_base64_of_user_colon_password() {
        let credentials = Credentials::Basic {
            username: "api-user".parse().unwrap(),
            password: Secret::from("hunter2"),
        };
        assert_eq!(
            credentials.authorization(),
            "Basic YXBpLXVzZXI6aHVudGVyMg=="
        );
        assert!(!format!("{credentials:?}").contains("hunter2"));
    }

    #[test]
    fn call_id_is_read_in_either_casing() {
        assert_eq!(
            read_id(Call::VoiceCode, &answer(200, r#"{"callId":"c-1"}"#)).unwrap(),
            "c-1"
        );
        assert_eq!(
            read_id(Call::VoiceCode, &answer(200, r#"{"CallId":"c-2"}"#)).unwrap(),
            "c-2"
        );
        assert_eq!(
            read_id(
                Call::VoiceCode,
                &answer(200, r#"{"callId":"c-3","extra":[1]}"#)
            )
            .unwrap(),
            "c-3"
        );
    }

    #[test]
    fn a_2xx_without_a_usable_id_is_unexpected() {
        for body in [
            "",
            "OK",
            "[]",
            r#"{"callid":"x"}"#,
            r#"{"callId":5}"#,
            r#"{"callId":null}"#,
            r#"{"callId":""}"#,
            r#"{"callId":"a\nb"}"#,
        ] {
            let err = read_id(Call::VoiceCode, &answer(200, body)).unwrap_err();
            assert_eq!(err.class(), ErrorClass::UnexpectedAnswer, "{body:?}");
            assert!(
                err.to_string().contains("the code may have been sent"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_cut_answer_is_unexpected() {
        let mut long = answer(200, r#"{"callId":"c-1"}"#);
        long.cut = true;
        let err = read_id(Call::VoiceCode, &long).unwrap_err();
        assert!(err.to_string().contains("longer than 65536 bytes"), "{err}");
    }

    #[test]
    fn a_redirect_names_its_location() {
        let mut moved = answer(302, "");
        moved
            .headers
            .push(("Location".into(), "https://elsewhere.example/".into()));
        let err = read_id(Call::VoiceCode, &moved).unwrap_err();
        assert_eq!(err.class(), ErrorClass::UnexpectedAnswer);
        assert_eq!(
            err.to_string(),
            "unexpected answer from the API (HTTP 302): a redirect to \
             \"https://elsewhere.example/\", not followed; check the base URL; body: \"\""
        );
    }

    #[test]
    fn error_bodies_give_the_api_message_in_any_casing() {
        let err = read_id(
            Call::VoiceCode,
            &answer(
                400,
                r#"{"error":"to number is required","requestId":"r-1"}"#,
            ),
        )
        .unwrap_err();
        assert_eq!(err.api_message(), Some("to number is required"));
        assert_eq!(err.request_id(), Some("r-1"));
        let err = read_id(Call::VoiceCode, &answer(403, r#"{"Message":"no access"}"#)).unwrap_err();
        assert_eq!(err.api_message(), Some("no access"));
        let err = read_id(
            Call::VoiceCode,
            &answer(401, r#"{"message":"Unauthorized"}"#),
        )
        .unwrap_err();
        assert_eq!(err.api_message(), Some("Unauthorized"));
        assert_eq!(err.class(), ErrorClass::CredentialsRefused);
    }

    #[test]
    fn a_gateway_page_is_shown_cut_and_on_one_line() {
        let page = format!("<html>\n<body>{}</body></html>", "x".repeat(300));
        let err = read_id(Call::VoiceCode, &answer(502, &page)).unwrap_err();
        assert_eq!(err.class(), ErrorClass::ServerFailed);
        let message = err.api_message().unwrap();
        assert!(message.starts_with(r#""<html>\n<body>xxx"#), "{message}");
        assert!(message.ends_with("\"..."), "{message}");
        assert!(!message.contains('\n'));
        let empty = read_id(Call::VoiceCode, &answer(503, "")).unwrap_err();
        assert_eq!(
            empty.to_string(),
            "the API failed (HTTP 503) with no message"
        );
    }

    #[test]
    fn statuses_the_api_does_not_use_are_unexpected() {
        let err = read_id(Call::VoiceCode, &answer(101, "")).unwrap_err();
        assert_eq!(err.class(), ErrorClass::UnexpectedAnswer);
    }

    #[test]
    fn failures_before_sending_say_nothing_was_sent_and_after_say_maybe() {
        use std::io::{Error as IoError, ErrorKind};
        let client = Client::new(
            BaseUrl::default(),
            "1".parse().unwrap(),
            Credentials::Basic {
                username: "u".parse().unwrap(),
                password: Secret::from("p"),
            },
        );
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
            assert_eq!(client.classify(err).0, Delivery::NotSent, "{shown}");
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
            assert_eq!(client.classify(err).0, Delivery::MaybeSent, "{shown}");
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
