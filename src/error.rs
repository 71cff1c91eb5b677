//! `Error`: everything that can go wrong once a request is built, and its class.
//!
//! A caller (the `mfa` binary among them) decides what to do from [`Error::class`], the
//! rows of the exit-status table, and never has to look at HTTP status codes itself.
//! `Display` is the sentence a user reads: what happened ([`Error::what_failed`]: the
//! HTTP status, the API's own message and its `requestId`), then whether the code may
//! have been sent, in the words of [`Delivery::in_words`], the one place that says it.
//! A failure to get an OAuth2 access token is its own variant: no call was made, so
//! nothing was sent.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::fields::InvalidValue;
use crate::request::Call;
use crate::text::{excerpt, push_shown};

/// How much of an API message or a body an error quotes.
pub(crate) const EXCERPT_CHARS: usize = 300;

/// What kind of failure an [`Error`] is; each has its own exit status in `mfa`.
///
/// Exhaustive on purpose: each class is one row of the exit-status table (README, Exit
/// status), and a new row changes what every script must handle, so it comes only
/// with a new major version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The API refused the credentials (401, 403).
    CredentialsRefused,
    /// The API rejected the request (400 and any other 4xx not listed here).
    Rejected,
    /// Too many requests (429).
    RateLimited,
    /// The API failed (5xx).
    ServerFailed,
    /// No connection, a TLS failure, or no answer in time.
    Network,
    /// An answer that is not what the API documents: a 2xx without the expected JSON,
    /// a redirect, or something that is not HTTP.
    UnexpectedAnswer,
}

impl ErrorClass {
    /// A short, stable name for scripts: `credentials`, `rejected`, `rate_limited`,
    /// `server`, `network`, `unexpected_answer`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorClass::CredentialsRefused => "credentials",
            ErrorClass::Rejected => "rejected",
            ErrorClass::RateLimited => "rate_limited",
            ErrorClass::ServerFailed => "server",
            ErrorClass::Network => "network",
            ErrorClass::UnexpectedAnswer => "unexpected_answer",
        }
    }

    /// The class of an error status from the token endpoint, where a 400 is how
    /// OAuth2 refuses a client (`invalid_client`, `unauthorized_client`).
    fn of_token_status(status: u16) -> Self {
        match status {
            400 => ErrorClass::CredentialsRefused,
            other => ErrorClass::of_status(other),
        }
    }

    /// The class of an HTTP error status (4xx or 5xx).
    fn of_status(status: u16) -> Self {
        match status {
            401 | 403 => ErrorClass::CredentialsRefused,
            429 => ErrorClass::RateLimited,
            500..=599 => ErrorClass::ServerFailed,
            _ => ErrorClass::Rejected,
        }
    }
}

/// Whether a request that failed may have been acted on: for a send, whether the code
/// may have gone out; for a check, whether it may have counted as an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// Nothing reached the API, or the API refused it: safe to make again once the
    /// cause is fixed.
    NotSent,
    /// It may have been acted on: check before sending another.
    MaybeSent,
    /// The API accepted it, but its answer could not be used.
    Sent,
}

impl Delivery {
    /// The clause every failure ends with, for `call` (none: a failure before any call
    /// was chosen, which is always [`Delivery::NotSent`]): `nothing was sent`, `the code
    /// may have been sent, so check before sending another`, ...
    pub fn in_words(self, call: Option<Call>) -> &'static str {
        match (self, call) {
            (Delivery::NotSent, _) => "nothing was sent",
            (_, Some(call)) if call.asks_only() => "it only asked: no code was sent",
            (Delivery::MaybeSent, Some(Call::VerifyCode)) => {
                "the code may have been checked, which counts as an attempt"
            }
            (Delivery::Sent, Some(Call::VerifyCode)) => {
                "the code was checked, which counts as an attempt"
            }
            (Delivery::MaybeSent, _) => {
                "the code may have been sent, so check before sending another"
            }
            (Delivery::Sent, _) => "the API took the request, so the code was sent",
        }
    }
}

/// A failed call. [`std::error::Error::source`] leads to what failed underneath: the
/// [`NetworkCause`] or [`TokenError`], and from there the certificate check or I/O
/// error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with a 4xx or 5xx status.
    #[non_exhaustive]
    Api {
        /// The call that was made.
        call: Call,
        /// The HTTP status.
        status: u16,
        /// The API's own words (`error`, `message` or `Message`), or the start of a
        /// body that was not the API's JSON (a gateway's HTML page, say).
        message: Option<String>,
        /// The API's `requestId`, to quote to Bandwidth's support.
        request_id: Option<String>,
        /// How long a 429's `Retry-After` asks to wait, when it says.
        retry_after: Option<Duration>,
    },
    /// No answer: the connection failed, TLS failed, or the time ran out.
    #[non_exhaustive]
    Network {
        /// The call that was being made.
        call: Call,
        /// The host and port that was called.
        host: String,
        /// Whether the request may have reached the API.
        delivery: Delivery,
        /// What failed.
        cause: NetworkCause,
    },
    /// An answer the API does not document.
    #[non_exhaustive]
    UnexpectedAnswer {
        /// The call that was made.
        call: Call,
        /// The HTTP status, when there was one.
        status: Option<u16>,
        /// Whether the request was acted on: [`Delivery::Sent`] when the API answered
        /// its own kind of success (a JSON object) without what it should hold.
        delivery: Delivery,
        /// What is wrong with it.
        problem: String,
        /// The body as received (cut at the size cap); messages quote its start.
        body: String,
    },
    /// No OAuth2 access token could be had, so the call was not made.
    #[non_exhaustive]
    Token {
        /// The token endpoint's host and port.
        host: String,
        /// What went wrong.
        reason: TokenError,
    },
    /// A value was refused before any request was made: a caller's own `?` on a
    /// checked type's parse (`"+1555".parse::<PhoneNumber>()?`) in a function that
    /// returns this error. Its class is [`ErrorClass::Rejected`]; nothing was sent.
    Invalid(InvalidValue),
}

/// Why no access token could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// The token endpoint answered with a 4xx or 5xx status.
    #[non_exhaustive]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The endpoint's own words (`error` and `error_description`, or `message`).
        message: Option<String>,
    },
    /// No answer: the connection failed, TLS failed, or the time ran out.
    Network(NetworkCause),
    /// A 2xx (or a redirect) without a usable token. Its body is never shown, since it
    /// may hold a token.
    #[non_exhaustive]
    Unexpected {
        /// The HTTP status, when there was one.
        status: Option<u16>,
        /// What is wrong with it.
        problem: String,
    },
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetworkCause {
    /// The time-out ran out.
    TimedOut(Duration),
    /// The server's TLS certificate failed a check: nothing was sent.
    Certificate(CertificateProblem),
    /// The connection failed (refused, reset, closed early), with the I/O error.
    Io(IoFailure),
    /// Anything else, in the transport's words.
    Failed(String),
}

/// A failed read or write on the connection: a few plain words for the message, and
/// the I/O error itself as their [`source`](std::error::Error::source).
#[derive(Debug, Clone)]
pub struct IoFailure {
    words: String,
    error: Arc<std::io::Error>,
}

impl IoFailure {
    /// `words` say what failed, in the user's terms; `error` is kept as the source.
    pub(crate) fn new(words: String, error: std::io::Error) -> Self {
        IoFailure {
            words,
            error: Arc::new(error),
        }
    }

    /// The kind of I/O error: `ConnectionRefused`, `ConnectionReset`, ...
    pub fn kind(&self) -> std::io::ErrorKind {
        self.error.kind()
    }
}

impl PartialEq for IoFailure {
    fn eq(&self, other: &Self) -> bool {
        self.words == other.words && self.kind() == other.kind()
    }
}

impl Eq for IoFailure {}

impl fmt::Display for IoFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words)
    }
}

impl std::error::Error for IoFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.error)
    }
}

/// Which check a server's TLS certificate failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateProblem {
    /// It is not signed by a trusted CA: a private CA, or a TLS-inspecting proxy, whose
    /// certificate can be added to the trusted ones.
    UnknownIssuer,
    /// It is for another host name.
    NotValidForName,
    /// It has expired.
    Expired,
    /// It is not valid yet.
    NotValidYet,
    /// It has been revoked.
    Revoked,
    /// Another check, in words that finish "the server's certificate ...", e.g. "is a
    /// CA's own certificate, not one a CA issued to the server (CaUsedAsEndEntity)".
    Other(String),
}

impl fmt::Display for CertificateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TLS: the server's certificate ")?;
        match self {
            CertificateProblem::UnknownIssuer => {
                f.write_str("is not signed by a trusted CA (unknown issuer)")
            }
            CertificateProblem::NotValidForName => f.write_str("is not valid for this host name"),
            CertificateProblem::Expired => f.write_str("has expired"),
            CertificateProblem::NotValidYet => f.write_str("is not valid yet"),
            CertificateProblem::Revoked => f.write_str("has been revoked"),
            CertificateProblem::Other(problem) => f.write_str(problem),
        }
    }
}

impl std::error::Error for CertificateProblem {}

impl fmt::Display for NetworkCause {
    /// Why the connection failed, in a few words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkCause::TimedOut(after) => {
                write!(f, "no answer within {} s", after.as_secs_f64())
            }
            NetworkCause::Certificate(problem) => problem.fmt(f),
            NetworkCause::Io(failure) => failure.fmt(f),
            NetworkCause::Failed(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for NetworkCause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NetworkCause::Certificate(problem) => Some(problem),
            NetworkCause::Io(failure) => Some(failure),
            NetworkCause::TimedOut(_) | NetworkCause::Failed(_) => None,
        }
    }
}

impl Error {
    /// Which row of the exit-status table this error belongs to.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Api { status, .. } => ErrorClass::of_status(*status),
            Error::Network { .. } => ErrorClass::Network,
            Error::UnexpectedAnswer { .. } => ErrorClass::UnexpectedAnswer,
            Error::Invalid(_) => ErrorClass::Rejected,
            Error::Token { reason, .. } => match reason {
                TokenError::Refused { status, .. } => ErrorClass::of_token_status(*status),
                TokenError::Network(_) => ErrorClass::Network,
                TokenError::Unexpected { .. } => ErrorClass::UnexpectedAnswer,
            },
        }
    }

    /// Whether the request may have been acted on: nothing reached the API or the API
    /// refused it (a 4xx, a failed token request), it may have (no answer, a 5xx, an
    /// answer that is not the API's), or it was (an unusable success).
    pub fn delivery(&self) -> Delivery {
        match self {
            Error::Api { status, .. }
                if ErrorClass::of_status(*status) == ErrorClass::ServerFailed =>
            {
                Delivery::MaybeSent
            }
            Error::Api { .. } | Error::Token { .. } | Error::Invalid(_) => Delivery::NotSent,
            Error::Network { delivery, .. } | Error::UnexpectedAnswer { delivery, .. } => *delivery,
        }
    }

    /// The call this error is about: none for a failed token request, which came
    /// before it.
    pub fn call(&self) -> Option<Call> {
        match self {
            Error::Api { call, .. }
            | Error::Network { call, .. }
            | Error::UnexpectedAnswer { call, .. } => Some(*call),
            Error::Token { .. } | Error::Invalid(_) => None,
        }
    }

    /// How long the API asked to wait before trying again (a 429's `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The HTTP status, when the API answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::UnexpectedAnswer { status, .. } => *status,
            Error::Network { .. } | Error::Invalid(_) => None,
            Error::Token { reason, .. } => match reason {
                TokenError::Refused { status, .. } => Some(*status),
                TokenError::Unexpected { status, .. } => *status,
                TokenError::Network(_) => None,
            },
        }
    }

    /// The API's `requestId`, when it gave one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The API's own message, when it gave one.
    pub fn api_message(&self) -> Option<&str> {
        match self {
            Error::Api { message, .. }
            | Error::Token {
                reason: TokenError::Refused { message, .. },
                ..
            } => message.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    /// What failed, then whether the code may have been sent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}; {}",
            self.what_failed(),
            self.delivery().in_words(self.call())
        )
    }
}

impl Error {
    /// What failed, in words, without whether the code may have been sent: for a
    /// caller that adds its own advice before that clause.
    pub fn what_failed(&self) -> String {
        match self {
            Error::Api {
                status,
                message,
                request_id,
                retry_after,
                ..
            } => {
                let what = match ErrorClass::of_status(*status) {
                    ErrorClass::CredentialsRefused => "the API refused the credentials",
                    ErrorClass::RateLimited => "the API is rate limiting these requests",
                    ErrorClass::ServerFailed => "the API failed",
                    _ => "the API rejected the request",
                };
                let mut said = format!("{what} (HTTP {status})");
                match message {
                    Some(message) => {
                        said.push_str(": ");
                        said.push_str(&excerpt(message, EXCERPT_CHARS));
                    }
                    None => said.push_str(" with no message"),
                }
                if let Some(id) = request_id {
                    said.push_str(&format!(" (requestId {id})"));
                }
                if let Some(wait) = retry_after.filter(|wait| !wait.is_zero()) {
                    said.push_str(&format!(
                        "; it asks to wait {} s before trying again",
                        wait.as_secs()
                    ));
                }
                said
            }
            Error::Network {
                host,
                delivery,
                cause,
                ..
            } => match (cause, delivery) {
                (NetworkCause::TimedOut(after), Delivery::NotSent) => {
                    format!(
                        "could not connect to {host} within {} s",
                        after.as_secs_f64()
                    )
                }
                (NetworkCause::TimedOut(after), _) => {
                    format!("no answer from {host} within {} s", after.as_secs_f64())
                }
                (why, Delivery::NotSent) => format!("could not connect to {host}: {why}"),
                (why, _) => format!("the connection to {host} failed after sending: {why}"),
            },
            Error::UnexpectedAnswer {
                status,
                problem,
                body,
                ..
            } => {
                let mut said = String::from("unexpected answer from the API");
                if let Some(status) = status {
                    said.push_str(&format!(" (HTTP {status})"));
                }
                said.push_str(": ");
                said.push_str(problem);
                // Something that was no HTTP answer has no body to show.
                if status.is_some() {
                    let start = excerpt(body, EXCERPT_CHARS);
                    said.push_str(&format!("; body: {}", quoted(&start)));
                }
                said
            }
            Error::Token { host, reason } => token_failed(host, reason),
            Error::Invalid(invalid) => match invalid.field() {
                Some(field) => format!("invalid {field}: {invalid}"),
                None => format!("invalid value: {invalid}"),
            },
        }
    }
}

impl From<InvalidValue> for Error {
    /// So `?` takes a checked type's refusal where a call's error is returned.
    fn from(invalid: InvalidValue) -> Self {
        Error::Invalid(invalid)
    }
}

/// Constructors of the variants with fields, which are `#[non_exhaustive]` so each can
/// gain a field without breaking a caller: for a caller's own tests (a stand-in for
/// [`Client`](crate::Client), say). The library makes its errors itself.
impl Error {
    /// An [`Error::Api`]: the API answered `call` with `status` (4xx or 5xx), its own
    /// `message` and `request_id`, and a 429's `retry_after`.
    pub fn api(
        call: Call,
        status: u16,
        message: Option<String>,
        request_id: Option<String>,
        retry_after: Option<Duration>,
    ) -> Self {
        Error::Api {
            call,
            status,
            message,
            request_id,
            retry_after,
        }
    }

    /// An [`Error::Network`]: no answer from `host` to `call`.
    pub fn network(
        call: Call,
        host: impl Into<String>,
        delivery: Delivery,
        cause: NetworkCause,
    ) -> Self {
        Error::Network {
            call,
            host: host.into(),
            delivery,
            cause,
        }
    }

    /// An [`Error::UnexpectedAnswer`]: `body` (with `status`, if HTTP) answered `call`
    /// and is not what the API documents, for the reason `problem`.
    pub fn unexpected_answer(
        call: Call,
        status: Option<u16>,
        delivery: Delivery,
        problem: impl Into<String>,
        body: impl Into<String>,
    ) -> Self {
        Error::UnexpectedAnswer {
            call,
            status,
            delivery,
            problem: problem.into(),
            body: body.into(),
        }
    }

    /// An [`Error::Token`]: the token endpoint at `host` gave no access token.
    pub fn token(host: impl Into<String>, reason: TokenError) -> Self {
        Error::Token {
            host: host.into(),
            reason,
        }
    }
}

impl TokenError {
    /// A [`TokenError::Refused`]: the endpoint answered `status`, in its own `message`.
    pub fn refused(status: u16, message: Option<String>) -> Self {
        TokenError::Refused { status, message }
    }

    /// A [`TokenError::Unexpected`]: a success (or redirect) without a usable token.
    pub fn unexpected(status: Option<u16>, problem: impl Into<String>) -> Self {
        TokenError::Unexpected {
            status,
            problem: problem.into(),
        }
    }
}

/// What failed when no access token came from the token endpoint at `host`.
fn token_failed(host: &str, reason: &TokenError) -> String {
    match reason {
        TokenError::Refused { status, message } => {
            let what = match ErrorClass::of_token_status(*status) {
                ErrorClass::CredentialsRefused => "refused the client credentials",
                ErrorClass::RateLimited => "is rate limiting token requests",
                ErrorClass::ServerFailed => "failed",
                _ => "rejected the token request",
            };
            let words = match message {
                Some(message) => format!(": {message}"),
                None => " with no message".to_owned(),
            };
            format!("the token endpoint {host} {what} (HTTP {status}){words}")
        }
        TokenError::Network(NetworkCause::TimedOut(after)) => format!(
            "no access token from {host} within {} s",
            after.as_secs_f64()
        ),
        TokenError::Network(other) => {
            format!("could not get an access token from {host}: {other}")
        }
        TokenError::Unexpected { status, problem } => {
            let status = status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
            format!("unexpected answer from the token endpoint {host}{status}: {problem}")
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Network { cause, .. } => Some(cause),
            Error::Token { reason, .. } => Some(reason),
            // Its rule is in the message already: shown once.
            Error::Api { .. } | Error::UnexpectedAnswer { .. } | Error::Invalid(_) => None,
        }
    }
}

impl fmt::Display for TokenError {
    /// What went wrong, without the endpoint's name (the [`Error`] holding it says that).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Refused { status, .. } => write!(f, "refused (HTTP {status})"),
            TokenError::Network(cause) => cause.fmt(f),
            TokenError::Unexpected { problem, .. } => f.write_str(problem),
        }
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TokenError::Network(cause) => Some(cause),
            TokenError::Refused { .. } | TokenError::Unexpected { .. } => None,
        }
    }
}

/// Text on one line, in quotes, with quotes, backslashes and hidden characters
/// escaped, so that a hostile answer can neither break the one-line error format nor
/// drive or disguise what the terminal shows.
pub(crate) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => push_shown(&mut out, c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> Error {
        Error::Api {
            call: Call::VoiceCode,
            status,
            message: Some("to number is required".into()),
            request_id: Some("req-1".into()),
            retry_after: None,
        }
    }

    #[test]
    fn statuses_fall_into_the_exit_table_classes() {
        for (status, class) in [
            (400, ErrorClass::Rejected),
            (401, ErrorClass::CredentialsRefused),
            (403, ErrorClass::CredentialsRefused),
            (404, ErrorClass::Rejected),
            (409, ErrorClass::Rejected),
            (429, ErrorClass::RateLimited),
            (500, ErrorClass::ServerFailed),
            (502, ErrorClass::ServerFailed),
            (599, ErrorClass::ServerFailed),
        ] {
            assert_eq!(api(status).class(), class, "{status}");
        }
    }

    #[test]
    fn api_error_says_status_message_and_request_id() {
        assert_eq!(
            api(400).to_string(),
            "the API rejected the request (HTTP 400): to number is required (requestId req-1); \
             nothing was sent"
        );
        let bare = Error::Api {
            call: Call::VoiceCode,
            status: 401,
            message: None,
            request_id: None,
            retry_after: None,
        };
        assert_eq!(
            bare.to_string(),
            "the API refused the credentials (HTTP 401) with no message; nothing was sent"
        );
        assert_eq!(
            bare.what_failed(),
            "the API refused the credentials (HTTP 401) with no message"
        );
    }

    #[test]
    fn a_5xx_says_the_call_may_have_been_made_and_a_429_when_to_try_again() {
        assert_eq!(
            api(503).to_string(),
            "the API failed (HTTP 503): to number is required (requestId req-1); the code may \
             have been sent, so check before sending another"
        );
        let mut check = api(500);
        if let Error::Api { call, .. } = &mut check {
            *call = Call::VerifyCode;
        }
        assert!(
            check
                .to_string()
                .ends_with("; the code may have been checked, which counts as an attempt"),
            "{check}"
        );
        let mut limited = api(429);
        if let Error::Api { retry_after, .. } = &mut limited {
            *retry_after = Some(Duration::from_secs(3600));
        }
        assert_eq!(
            limited.to_string(),
            "the API is rate limiting these requests (HTTP 429): to number is required \
             (requestId req-1); it asks to wait 3600 s before trying again; nothing was sent"
        );
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(3600)));
    }

    #[test]
    fn whether_the_call_was_acted_on_follows_the_class() {
        for (status, delivery) in [
            (400, Delivery::NotSent),
            (401, Delivery::NotSent),
            (403, Delivery::NotSent),
            (429, Delivery::NotSent),
            (500, Delivery::MaybeSent),
            (504, Delivery::MaybeSent),
        ] {
            assert_eq!(api(status).delivery(), delivery, "{status}");
        }
        let token = Error::Token {
            host: "h".into(),
            reason: TokenError::Refused {
                status: 500,
                message: None,
            },
        };
        assert_eq!(token.delivery(), Delivery::NotSent);
    }

    #[test]
    fn a_long_message_or_body_is_quoted_in_part() {
        let mut long = api(400);
        if let Error::Api { message, .. } = &mut long {
            *message = Some("m".repeat(70_000));
        }
        assert!(long.to_string().len() < 400, "{}", long.to_string().len());
        let body = Error::UnexpectedAnswer {
            call: Call::VoiceCode,
            status: Some(200),
            delivery: Delivery::MaybeSent,
            problem: "not JSON".into(),
            body: "b".repeat(70_000),
        };
        let shown = body.what_failed();
        assert!(shown.len() < 400 && shown.ends_with("bbb...\""), "{shown}");
    }

    #[test]
    fn network_error_says_whether_the_code_may_have_been_sent() {
        let refused = Error::Network {
            call: Call::VoiceCode,
            host: "127.0.0.1:9".into(),
            delivery: Delivery::NotSent,
            cause: NetworkCause::Failed("connection refused".into()),
        };
        assert_eq!(
            refused.to_string(),
            "could not connect to 127.0.0.1:9: connection refused; nothing was sent"
        );
        let late = Error::Network {
            call: Call::MessagingCode,
            host: "127.0.0.1:9".into(),
            delivery: Delivery::MaybeSent,
            cause: NetworkCause::TimedOut(Duration::from_millis(1500)),
        };
        assert_eq!(
            late.to_string(),
            "no answer from 127.0.0.1:9 within 1.5 s; the code may have been sent, \
             so check before sending another"
        );
        let late_check = Error::Network {
            call: Call::VerifyCode,
            host: "127.0.0.1:9".into(),
            delivery: Delivery::MaybeSent,
            cause: NetworkCause::Failed("connection reset".into()),
        };
        assert_eq!(
            late_check.to_string(),
            "the connection to 127.0.0.1:9 failed after sending: connection reset; \
             the code may have been checked, which counts as an attempt"
        );
    }

    #[test]
    fn every_failure_ends_saying_in_words_whether_anything_was_sent() {
        use Call::*;
        for (delivery, call, words) in [
            (Delivery::NotSent, None, "nothing was sent"),
            (Delivery::NotSent, Some(VerifyCode), "nothing was sent"),
            (Delivery::NotSent, Some(CallState), "nothing was sent"),
            (
                Delivery::MaybeSent,
                Some(CallState),
                "it only asked: no code was sent",
            ),
            (
                Delivery::Sent,
                Some(MessageStatus),
                "it only asked: no code was sent",
            ),
            (
                Delivery::MaybeSent,
                Some(Application),
                "it only asked: no code was sent",
            ),
            (
                Delivery::Sent,
                Some(ApplicationLocations),
                "it only asked: no code was sent",
            ),
            (
                Delivery::MaybeSent,
                Some(VoiceCode),
                "the code may have been sent, so check before sending another",
            ),
            (
                Delivery::MaybeSent,
                Some(MessagingCode),
                "the code may have been sent, so check before sending another",
            ),
            (
                Delivery::MaybeSent,
                Some(VerifyCode),
                "the code may have been checked, which counts as an attempt",
            ),
            (
                Delivery::Sent,
                Some(VoiceCode),
                "the API took the request, so the code was sent",
            ),
            (
                Delivery::Sent,
                Some(VerifyCode),
                "the code was checked, which counts as an attempt",
            ),
        ] {
            assert_eq!(delivery.in_words(call), words, "{delivery:?} {call:?}");
        }
        for status in [400, 401, 403, 404, 429, 500, 503] {
            let err = api(status);
            let clause = err.delivery().in_words(err.call());
            assert_eq!(err.to_string(), format!("{}; {clause}", err.what_failed()));
        }
    }

    #[test]
    fn unexpected_answer_shows_the_body_on_one_line() {
        let err = Error::UnexpectedAnswer {
            call: Call::VerifyCode,
            status: Some(200),
            delivery: Delivery::MaybeSent,
            problem: "not JSON".into(),
            body: "<p>\"hi\"</p>\n\u{1b}[31m\u{202e}".into(),
        };
        assert_eq!(
            err.to_string(),
            r#"unexpected answer from the API (HTTP 200): not JSON; body: "<p>\"hi\"</p>\n\u{1b}[31m\u{202e}"; the code may have been checked, which counts as an attempt"#
        );
        assert_eq!(err.class(), ErrorClass::UnexpectedAnswer);
    }

    #[test]
    fn token_errors_say_nothing_was_sent_and_never_show_the_body() {
        let refused = Error::Token {
            host: "127.0.0.1:9".into(),
            reason: TokenError::Refused {
                status: 401,
                message: Some("invalid_client".into()),
            },
        };
        assert_eq!(
            refused.to_string(),
            "the token endpoint 127.0.0.1:9 refused the client credentials (HTTP 401): \
             invalid_client; nothing was sent"
        );
        assert_eq!(refused.class(), ErrorClass::CredentialsRefused);
        assert_eq!(refused.status(), Some(401));
        assert_eq!(refused.api_message(), Some("invalid_client"));
        for (status, class) in [
            (400, ErrorClass::CredentialsRefused),
            (403, ErrorClass::CredentialsRefused),
            (404, ErrorClass::Rejected),
            (429, ErrorClass::RateLimited),
            (503, ErrorClass::ServerFailed),
        ] {
            let err = Error::Token {
                host: "h".into(),
                reason: TokenError::Refused {
                    status,
                    message: None,
                },
            };
            assert_eq!(err.class(), class, "{status}");
        }
        let late = Error::Token {
            host: "h:1".into(),
            reason: TokenError::Network(NetworkCause::TimedOut(Duration::from_secs(2))),
        };
        assert_eq!(
            late.to_string(),
            "no access token from h:1 within 2 s; nothing was sent"
        );
        assert_eq!(late.class(), ErrorClass::Network);
        let odd = Error::Token {
            host: "h:1".into(),
            reason: TokenError::Unexpected {
                status: Some(200),
                problem: "expected JSON with a string \"access_token\"".into(),
            },
        };
        assert_eq!(
            odd.to_string(),
            "unexpected answer from the token endpoint h:1 (HTTP 200): expected JSON with a \
             string \"access_token\"; nothing was sent"
        );
        assert_eq!(odd.class(), ErrorClass::UnexpectedAnswer);
    }
}
