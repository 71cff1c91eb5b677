//! The calls of the API, as requests that can be shown before they are sent.
//!
//! [`Request`] is the exact request `mfa` sends (method, URL, headers, body), except
//! that the `Authorization` value is kept out of it: the client adds it at the moment
//! of sending, so showing a `Request` (`--dry-run`, `--verbose`) cannot leak it.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use crate::base_url::BaseUrl;
use crate::fields::{AccountId, ApplicationId, Digits, MessageTemplate, PhoneNumber, Scope};

/// `User-Agent: mfa/<version>`.
pub const USER_AGENT: &str = concat!("mfa/", env!("CARGO_PKG_VERSION"));

/// The body of a request to send a code by voice call: who to call, from which number,
/// through which application, and what to say. Valid by construction, since every
/// field is a checked type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeRequest {
    /// The phone that gets the code.
    pub to: PhoneNumber,
    /// The Bandwidth number the call comes from.
    pub from: PhoneNumber,
    /// The Bandwidth application that places the call.
    pub application_id: ApplicationId,
    /// What the code is for; `None` leaves the key out and the server uses `2FA`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// The text spoken, with `{CODE}` where the code goes.
    pub message: MessageTemplate,
    /// How many digits the code has.
    pub digits: Digits,
}

/// How a request proves who is calling; the credentials themselves stay with the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    /// HTTP Basic with the API username and password.
    Basic,
}

impl AuthScheme {
    /// The scheme's name in the `Authorization` header.
    pub fn name(self) -> &'static str {
        match self {
            AuthScheme::Basic => "Basic",
        }
    }
}

/// The calls of the API. Each knows its path and how to read its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// Send a code by voice call; answers with a call id.
    VoiceCode,
}

impl Call {
    /// The path under `/accounts/{accountId}/`.
    pub fn path(self) -> &'static str {
        match self {
            Call::VoiceCode => "code/voice",
        }
    }

    /// The JSON keys that may hold the answer's id: the documented one first, then
    /// the casing the product brief shows.
    pub(crate) fn id_keys(self) -> [&'static str; 2] {
        match self {
            Call::VoiceCode => ["callId", "CallId"],
        }
    }
}

/// Characters left as they are in a path segment: RFC 3986's unreserved set.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One HTTP request, ready to send or to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    call: Call,
    url: String,
    auth: AuthScheme,
    body: String,
}

impl Request {
    /// Builds the request for `call` with `body` to the account at `base_url`.
    pub fn new(
        call: Call,
        base_url: &BaseUrl,
        account_id: &AccountId,
        auth: AuthScheme,
        body: &CodeRequest,
    ) -> Self {
        let account = utf8_percent_encode(account_id.as_str(), PATH_SEGMENT);
        Request {
            call,
            url: format!("{base_url}/accounts/{account}/{}", call.path()),
            auth,
            body: serde_json::to_string(body).expect("a CodeRequest always serializes"),
        }
    }

    /// Which call this is.
    pub fn call(&self) -> Call {
        self.call
    }

    /// Always `POST`.
    pub fn method(&self) -> &'static str {
        "POST"
    }

    /// The full URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How the request is authenticated.
    pub fn auth(&self) -> AuthScheme {
        self.auth
    }

    /// The headers `mfa` sets other than `Authorization`.
    pub fn plain_headers(&self) -> [(&'static str, &'static str); 3] {
        [
            ("Accept", "application/json"),
            ("Content-Type", "application/json"),
            ("User-Agent", USER_AGENT),
        ]
    }

    /// Every header as it may be shown: `Authorization` as `<scheme> <redacted>`.
    pub fn shown_headers(&self) -> Vec<(&'static str, String)> {
        let [accept, content_type, user_agent] = self.plain_headers();
        vec![
            (accept.0, accept.1.to_owned()),
            ("Authorization", format!("{} <redacted>", self.auth.name())),
            (content_type.0, content_type.1.to_owned()),
            (user_agent.0, user_agent.1.to_owned()),
        ]
    }

    /// The JSON body, exactly as sent.
    pub fn body(&self) -> &str {
        &self.body
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
        let request = Request::new(
            Call::VoiceCode,
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
    }

    #[test]
    fn no_scope_leaves_the_key_out() {
        let body = serde_json::to_value(code_request(None)).unwrap();
        assert!(body.get("scope").is_none(), "{body}");
    }

    #[test]
    fn account_id_is_percent_encoded() {
        let request = Request::new(
            Call::VoiceCode,
            &"http://127.0.0.1:1/api".parse().unwrap(),
            &"a b/c?d%é".parse().unwrap(),
            AuthScheme::Basic,
            &code_request(None),
        );
        assert_eq!(
            request.url(),
            "http://127.0.0.1:1/api/accounts/a%20b%2Fc%3Fd%25%C3%A9/code/voice"
        );
    }

    #[test]
    fn shown_headers_redact_the_authorization() {
        let request = Request::new(
            Call::VoiceCode,
            &BaseUrl::default(),
            &"1".parse().unwrap(),
            AuthScheme::Basic,
            &code_request(None),
        );
        assert_eq!(
            request.shown_headers(),
            vec![
                ("Accept", "application/json".to_owned()),
                ("Authorization", "Basic <redacted>".to_owned()),
                ("Content-Type", "application/json".to_owned()),
                ("User-Agent", format!("mfa/{}", env!("CARGO_PKG_VERSION"))),
            ]
        );
    }
}
