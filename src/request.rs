//! The calls of the API, as requests that can be shown before they are sent.
//!
//! [`Call`] names the three calls and holds what differs between them: the path, and
//! what a failure after sending means. [`CodeRequest`] and [`VerifyRequest`] are their
//! bodies. [`Request`] is the exact request `mfa` sends (method, URL, headers, body),
//! made by one constructor per call, so a body can only go to the call that takes it,
//! except that the `Authorization` value is kept out of it (the client adds it at the
//! moment of sending) and that its shown body masks the code being verified, so
//! showing a `Request` (before sending it, or in a log) leaks neither.

use serde::Serialize;

use crate::base_url::BaseUrl;
use crate::credentials::AuthScheme;
use crate::fields::{
    AccountId, ApplicationId, Code, Digits, ExpirationMinutes, MessageTemplate, PhoneNumber, Scope,
};

/// `User-Agent: mfa/<version>`.
pub const USER_AGENT: &str = concat!("mfa/", env!("CARGO_PKG_VERSION"));

/// What a masked value is shown as.
pub const REDACTED: &str = "<redacted>";

/// The body of a request to send a code, by voice call or by text message: who gets
/// it, from which number, through which application, and what it says. Valid by
/// construction, since every field is a checked type.
///
/// ```
/// use mfa::{CodeRequest, Digits};
///
/// let request = CodeRequest::new(
///     "+15553334444".parse()?,
///     "+15554443333".parse()?,
///     "93de2206-9669-4e07-948d-329f4b722ee2".parse()?,
/// )
/// .with_scope("login".parse()?)
/// .with_digits(Digits::new(8)?);
/// assert_eq!(request.message.as_str(), "Your temporary {NAME} {SCOPE} code is {CODE}");
/// # Ok::<(), mfa::InvalidValue>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CodeRequest {
    /// The phone that gets the code.
    pub to: PhoneNumber,
    /// The Bandwidth number the call or message comes from.
    pub from: PhoneNumber,
    /// The Bandwidth voice or messaging application that places the call or sends
    /// the message.
    pub application_id: ApplicationId,
    /// What the code is for; `None` leaves the key out and the server uses `2FA`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// The text spoken or sent, with `{CODE}` where the code goes.
    pub message: MessageTemplate,
    /// How many digits the code has.
    pub digits: Digits,
}

/// The body of a request to check a code a user typed back. Valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyRequest {
    /// The phone the code was sent to.
    pub to: PhoneNumber,
    /// The scope the code was sent with; `None` leaves the key out (the server's
    /// default, `2FA`).
    pub scope: Option<Scope>,
    /// The code the user typed.
    pub code: Code,
    /// How old the code may be and still count.
    pub expiration_minutes: ExpirationMinutes,
}

impl CodeRequest {
    /// A code for `to`, from the Bandwidth number `from`, through the voice or
    /// messaging application `application_id`: the default message
    /// ([`MessageTemplate::default`]) and number of digits ([`Digits::default`]), no
    /// scope (the server uses `2FA`).
    pub fn new(to: PhoneNumber, from: PhoneNumber, application_id: ApplicationId) -> Self {
        CodeRequest {
            to,
            from,
            application_id,
            scope: None,
            message: MessageTemplate::default(),
            digits: Digits::default(),
        }
    }

    /// What the code is for.
    pub fn with_scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// The text spoken or sent.
    pub fn with_message(mut self, message: MessageTemplate) -> Self {
        self.message = message;
        self
    }

    /// How many digits the code has.
    pub fn with_digits(mut self, digits: Digits) -> Self {
        self.digits = digits;
        self
    }
}

impl VerifyRequest {
    /// A check of `code`, sent to `to`, that counts it valid if at most
    /// `expiration_minutes` old; no scope (the server's default, `2FA`).
    pub fn new(to: PhoneNumber, code: Code, expiration_minutes: ExpirationMinutes) -> Self {
        VerifyRequest {
            to,
            scope: None,
            code,
            expiration_minutes,
        }
    }

    /// The scope the code was sent with.
    pub fn with_scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// The body on the wire, with `code` in the code's place: the one place that
    /// names the JSON keys, for the body sent and the body shown alike.
    fn wire<'a>(&'a self, code: &'a str) -> impl Serialize + 'a {
        #[derive(Serialize)]
        struct Wire<'a> {
            to: &'a PhoneNumber,
            #[serde(skip_serializing_if = "Option::is_none")]
            scope: &'a Option<Scope>,
            code: &'a str,
            #[serde(rename = "expirationTimeInMinutes")]
            expiration_minutes: ExpirationMinutes,
        }
        Wire {
            to: &self.to,
            scope: &self.scope,
            code,
            expiration_minutes: self.expiration_minutes,
        }
    }
}

impl Serialize for VerifyRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.wire(self.code.expose()).serialize(serializer)
    }
}

/// A request body: [`CodeRequest`] or [`VerifyRequest`].
trait Body: Serialize {
    /// The body as it may be shown: the JSON sent, with any secret in it masked.
    fn shown(&self) -> String {
        to_json(self)
    }

    /// The code the body holds, if it checks one.
    fn code(&self) -> Option<&Code> {
        None
    }
}

impl Body for CodeRequest {}

impl Body for VerifyRequest {
    fn shown(&self) -> String {
        to_json(&self.wire(REDACTED))
    }

    fn code(&self) -> Option<&Code> {
        Some(&self.code)
    }
}

/// `text` as it may stand in a URL's path segment or query value: every byte but the
/// unreserved ones (`A-Z a-z 0-9 - . _ ~`) percent-encoded, so an id can never change
/// the path or add to the query.
fn encoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn to_json<T: Serialize + ?Sized>(body: &T) -> String {
    serde_json::to_string(body).expect("a request body of checked fields always serializes")
}

/// The calls `mfa` makes. Each knows its path and what a failure after sending may
/// have done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Call {
    /// Send a code by voice call ([`CodeRequest`]); answers with a call id.
    VoiceCode,
    /// Send a code by text message ([`CodeRequest`]); answers with a message id.
    MessagingCode,
    /// Check a code ([`VerifyRequest`]); answers whether it is valid.
    VerifyCode,
    /// Ask the Voice API for a call's state (`GET`); sends nothing.
    CallState,
    /// Ask the Messaging API for a message's status (`GET`); sends nothing.
    MessageStatus,
    /// Ask the Dashboard API what an application is (`GET`, XML); sends nothing.
    Application,
    /// Ask the Dashboard API which locations an application is associated with (`GET`,
    /// XML); sends nothing.
    ApplicationLocations,
}

impl Call {
    /// The path of a send or a check under the MFA API's `/accounts/{accountId}/`; of a
    /// question, its path under its own API, with the id asked about as `{id}`.
    pub fn path(self) -> &'static str {
        match self {
            Call::VoiceCode => "code/voice",
            Call::MessagingCode => "code/messaging",
            Call::VerifyCode => "code/verify",
            Call::CallState => "accounts/{accountId}/calls/{id}",
            Call::MessageStatus => "users/{accountId}/messages?messageId={id}",
            Call::Application => "accounts/{accountId}/applications/{id}",
            Call::ApplicationLocations => {
                "accounts/{accountId}/applications/{id}/associatedsippeers"
            }
        }
    }

    /// Whether it only asks (`GET`): it sends no code, and may be made again.
    pub fn asks_only(self) -> bool {
        matches!(
            self,
            Call::CallState | Call::MessageStatus | Call::Application | Call::ApplicationLocations
        )
    }

    /// Whether its answer is XML (the Dashboard API's) rather than JSON.
    fn answers_in_xml(self) -> bool {
        matches!(self, Call::Application | Call::ApplicationLocations)
    }
}

/// One HTTP request, ready to send or to show. Its `Debug` shows the masked body.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    call: Call,
    method: &'static str,
    url: String,
    auth: AuthScheme,
    body: String,
    shown_body: String,
    /// The code being verified, if any: kept to be taken out of the answer.
    code: Option<Code>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("call", &self.call)
            .field("method", &self.method)
            .field("url", &self.url)
            .field("auth", &self.auth)
            .field("body", &self.shown_body)
            .finish()
    }
}

impl Request {
    /// The request to send a code by voice call to the account at `base_url`.
    pub fn voice_code(
        base_url: &BaseUrl,
        account_id: &AccountId,
        auth: AuthScheme,
        body: &CodeRequest,
    ) -> Self {
        Request::new(Call::VoiceCode, base_url, account_id, auth, body)
    }

    /// The request to send a code by text message to the account at `base_url`.
    pub fn messaging_code(
        base_url: &BaseUrl,
        account_id: &AccountId,
        auth: AuthScheme,
        body: &CodeRequest,
    ) -> Self {
        Request::new(Call::MessagingCode, base_url, account_id, auth, body)
    }

    /// The request to check a code, to the account at `base_url`.
    pub fn verify_code(
        base_url: &BaseUrl,
        account_id: &AccountId,
        auth: AuthScheme,
        body: &VerifyRequest,
    ) -> Self {
        Request::new(Call::VerifyCode, base_url, account_id, auth, body)
    }

    /// The request for `call`, whose body `body` must be: only the constructors above
    /// pair them.
    fn new(
        call: Call,
        base_url: &BaseUrl,
        account_id: &AccountId,
        auth: AuthScheme,
        body: &impl Body,
    ) -> Self {
        // An account id is digits only: it goes into the path as it is.
        let account = account_id.as_str();
        Request {
            call,
            method: "POST",
            url: format!("{base_url}/accounts/{account}/{}", call.path()),
            auth,
            body: to_json(body),
            shown_body: body.shown(),
            code: body.code().cloned(),
        }
    }

    /// The request for the state of the voice call `call_id`, to the account at the
    /// Voice API's `voice_url`: a `GET`, with the id percent-encoded into the path.
    pub fn call_state(
        voice_url: &BaseUrl,
        account_id: &AccountId,
        auth: AuthScheme,
        call_id: &str,
    ) -> Self {
        let account = account_id.as_str();
        let url = format!("{voice_url}/accounts/{account}/calls/{}", encoded(call_id));
        Request::asking(Call::CallState, url, auth)
    }

    /// The request for the status of the text message `message_id`, to the account at
    /// the Messaging API's `messaging_url`: a `GET` of the message list, narrowed to
    /// that id (percent-encoded into the query).
    pub fn message_status(
        messaging_url: &BaseUrl,
        account_id: &AccountId,
        auth: AuthScheme,
        message_id: &str,
    ) -> Self {
        let account = account_id.as_str();
        let id = encoded(message_id);
        let url = format!("{messaging_url}/users/{account}/messages?messageId={id}");
        Request::asking(Call::MessageStatus, url, auth)
    }

    /// The request for what the application `application_id` is, to the account at the
    /// Dashboard API's `dashboard_url`: a `GET`, answered in XML.
    pub fn application(
        dashboard_url: &BaseUrl,
        account_id: &AccountId,
        auth: AuthScheme,
        application_id: &str,
    ) -> Self {
        let account = account_id.as_str();
        let id = encoded(application_id);
        let url = format!("{dashboard_url}/accounts/{account}/applications/{id}");
        Request::asking(Call::Application, url, auth)
    }

    /// The request for the locations (SIP peers) the application `application_id` is
    /// associated with, to the account at the Dashboard API's `dashboard_url`: a `GET`,
    /// answered in XML.
    pub fn application_locations(
        dashboard_url: &BaseUrl,
        account_id: &AccountId,
        auth: AuthScheme,
        application_id: &str,
    ) -> Self {
        let account = account_id.as_str();
        let id = encoded(application_id);
        let url =
            format!("{dashboard_url}/accounts/{account}/applications/{id}/associatedsippeers");
        Request::asking(Call::ApplicationLocations, url, auth)
    }

    /// A `GET` for `call` at `url`: no body.
    fn asking(call: Call, url: String, auth: AuthScheme) -> Self {
        Request {
            call,
            method: "GET",
            url,
            auth,
            body: String::new(),
            shown_body: String::new(),
            code: None,
        }
    }

    /// Which call this is.
    pub fn call(&self) -> Call {
        self.call
    }

    /// `POST` for a send or a check, `GET` for a question.
    pub fn method(&self) -> &'static str {
        self.method
    }

    /// The full URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How the request is authenticated.
    pub fn auth(&self) -> AuthScheme {
        self.auth
    }

    /// The headers `mfa` sets other than `Authorization`: `Content-Type` only with a
    /// body; `Accept` XML of the Dashboard API, JSON of every other.
    pub fn plain_headers(&self) -> Vec<(&'static str, &'static str)> {
        let accept = match self.call.answers_in_xml() {
            true => "application/xml",
            false => "application/json",
        };
        let mut headers = vec![("Accept", accept)];
        if self.method == "POST" {
            headers.push(("Content-Type", "application/json"));
        }
        headers.push(("User-Agent", USER_AGENT));
        headers
    }

    /// The JSON body as it may be shown: exactly as sent, except that the code of a
    /// [`VerifyRequest`] is `<redacted>` (empty for a `GET`).
    pub fn shown_body(&self) -> &str {
        &self.shown_body
    }

    /// The JSON body exactly as sent, code and all.
    pub(crate) fn body(&self) -> &str {
        &self.body
    }

    /// The code being verified, if this is a check.
    pub(crate) fn code(&self) -> Option<&Code> {
        self.code.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_request(scope: Option<&str>) -> CodeRequest {
        CodeRequest {
            to: "+15553334444".parse().unwrap(),
            from: "+15554443333".parse().unwrap(),
            application_id: "93de2206-9669-4e07-948d-329f4b722ee2".parse().unwrap(),
            scope: scope.map(|s| s.parse().unwrap()),
            message: "Your {NAME} code is {CODE}".parse().unwrap(),
            digits: Digits::new(6).unwrap(),
        }
    }

    #[test]
    fn voice_request_has_the_documented_url_and_body() {
        let request = Request::voice_code(
            &"https://mfa.bandwidth.com/api/v1".parse().unwrap(),
            &"9900000".parse().unwrap(),
            AuthScheme::Basic,
            &code_request(Some("login")),
        );
        assert_eq!(request.method(), "POST");
        assert_eq!(
            request.url(),
            "https://mfa.bandwidth.com/api/v1/accounts/9900000/code/voice"
        );
        assert_eq!(
            request.body(),
            r#"{"to":"+15553334444","from":"+15554443333","applicationId":"93de2206-9669-4e07-948d-329f4b722ee2","scope":"login","message":"Your {NAME} code is {CODE}","digits":6}"#
        );
        assert_eq!(request.shown_body(), request.body());
    }

    #[test]
    fn messaging_request_has_its_own_path_and_the_same_body() {
        let request = Request::messaging_code(
            &"https://mfa.bandwidth.com/api/v1".parse().unwrap(),
            &"9900000".parse().unwrap(),
            AuthScheme::Basic,
            &code_request(None),
        );
        assert_eq!(
            request.url(),
            "https://mfa.bandwidth.com/api/v1/accounts/9900000/code/messaging"
        );
        assert_eq!(
            request.body(),
            r#"{"to":"+15553334444","from":"+15554443333","applicationId":"93de2206-9669-4e07-948d-329f4b722ee2","message":"Your {NAME} code is {CODE}","digits":6}"#
        );
    }

    fn verify_request(scope: Option<&str>) -> VerifyRequest {
        VerifyRequest {
            to: "+15553334444".parse().unwrap(),
            scope: scope.map(|s| s.parse().unwrap()),
            code: "48213967".parse().unwrap(),
            expiration_minutes: ExpirationMinutes::new(3.0).unwrap(),
        }
    }

    #[test]
    fn verify_request_sends_the_code_and_shows_it_masked() {
        let request = Request::verify_code(
            &"https://mfa.bandwidth.com/api/v1".parse().unwrap(),
            &"9900000".parse().unwrap(),
            AuthScheme::Basic,
            &verify_request(Some("login")),
        );
        assert_eq!(
            request.url(),
            "https://mfa.bandwidth.com/api/v1/accounts/9900000/code/verify"
        );
        assert_eq!(
            request.body(),
            r#"{"to":"+15553334444","scope":"login","code":"48213967","expirationTimeInMinutes":3}"#
        );
        assert_eq!(
            request.shown_body(),
            r#"{"to":"+15553334444","scope":"login","code":"<redacted>","expirationTimeInMinutes":3}"#
        );
        let debug = format!("{request:?} {:?}", verify_request(None));
        assert!(!debug.contains("48213967"), "{debug}");
    }

    #[test]
    fn verify_without_scope_leaves_the_key_out_in_both_bodies() {
        let request = Request::verify_code(
            &BaseUrl::default(),
            &"1".parse().unwrap(),
            AuthScheme::Basic,
            &verify_request(None),
        );
        assert_eq!(
            request.body(),
            r#"{"to":"+15553334444","code":"48213967","expirationTimeInMinutes":3}"#
        );
        assert_eq!(
            request.shown_body(),
            r#"{"to":"+15553334444","code":"<redacted>","expirationTimeInMinutes":3}"#
        );
    }

    #[test]
    fn no_scope_leaves_the_key_out() {
        let body = serde_json::to_value(code_request(None)).unwrap();
        assert!(body.get("scope").is_none(), "{body}");
    }

    #[test]
    fn shown_headers_redact_the_authorization() {
        let request = Request::voice_code(
            &BaseUrl::default(),
            &"1".parse().unwrap(),
            AuthScheme::Basic,
            &code_request(None),
        );
        assert_eq!(
            crate::unversioned::shown_headers(&request),
            vec![
                ("Accept", "application/json".to_owned()),
                ("Authorization", "Basic <redacted>".to_owned()),
                ("Content-Type", "application/json".to_owned()),
                ("User-Agent", format!("mfa/{}", env!("CARGO_PKG_VERSION"))),
            ]
        );
    }
}
