//! What the API answered: an id, a verdict, or an error, read from a [`Response`].
//!
//! Every call's answer goes through the same steps: a redirect, a 4xx/5xx or a cut
//! body is judged the same way for all three calls, and only the last step, the key
//! that holds the result, differs. The key's documented casing is tried first, then
//! the casing older deployments show (`CallId`, `MessageId`, `Valid`); unknown keys
//! are ignored.

use std::time::SystemTime;

use crate::error::{Delivery, EXCERPT_CHARS, Error, quoted};
use crate::fields::InvalidValue;
use crate::request::Call;
use crate::retry::retry_after;
use crate::text::{excerpt, is_hidden};
use crate::transport::{BODY_CAP, Response};

/// The id of the voice call that speaks the code: not empty, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallId(String);

/// The id of the text message that carries the code: not empty, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageId(String);

impl CallId {
    /// The id as the API gave it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl MessageId {
    /// The id as the API gave it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for CallId {
    type Err = InvalidValue;

    /// An id as a caller kept it: the rule the API's answer is held to.
    fn from_str(id: &str) -> Result<Self, InvalidValue> {
        check_id(id).map(|()| CallId(id.to_owned()))
    }
}

impl std::str::FromStr for MessageId {
    type Err = InvalidValue;

    /// An id as a caller kept it: the rule the API's answer is held to.
    fn from_str(id: &str) -> Result<Self, InvalidValue> {
        check_id(id).map(|()| MessageId(id.to_owned()))
    }
}

/// An id must be something a line of output can carry as it is: not empty, and no
/// control, format or separator character (a line break would let an answer forge a
/// second line, a right-to-left override disguise the id), and whole: no replacement
/// character, which stands where the answer held bytes that are not UTF-8, so the id
/// shown would not be the id the API gave.
fn check_id(id: &str) -> Result<(), InvalidValue> {
    if id.contains(char::REPLACEMENT_CHARACTER) {
        return Err(InvalidValue::from_rule(NOT_UTF8));
    }
    if id.is_empty() || id.chars().any(is_hidden) {
        return Err(InvalidValue::from_rule(
            "must not be empty or hold control or invisible characters",
        ));
    }
    Ok(())
}

/// The rule an id with bytes that are not UTF-8 breaks.
const NOT_UTF8: &str = "must be UTF-8 text (it holds bytes that are not, or U+FFFD in their place)";

/// Whether the API accepted a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The code is right and young enough.
    Valid,
    /// The code is wrong, too old, or was never sent to this number and scope.
    Invalid,
}

impl Verdict {
    /// `true` for [`Verdict::Valid`].
    pub fn is_valid(self) -> bool {
        self == Verdict::Valid
    }
}

/// What the Voice API says of the call that speaks a code (`getCallState`). The
/// strings are the API's own, untrusted: show them escaped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CallState {
    /// `queued`, `initiated`, `answered`, `disconnected`, or a state added since.
    pub state: String,
    /// Why it ended, once it has: `hangup`, `busy`, `timeout`, `cancel`, `rejected`,
    /// `error`, or a cause added since.
    pub disconnect_cause: Option<String>,
    /// When it was placed in the queue (RFC 3339).
    pub enqueued_time: Option<String>,
    /// When it began ringing out (RFC 3339); `None` while queued.
    pub start_time: Option<String>,
    /// When it was answered (RFC 3339), if it was.
    pub answer_time: Option<String>,
    /// When it ended (RFC 3339), once it has.
    pub end_time: Option<String>,
    /// For a call that ended with an error: what the error was.
    pub error_message: Option<String>,
}

impl CallState {
    /// Whether the call reached the phone: `Some(true)` once it was answered (by a
    /// person or a voicemail), `Some(false)` once it ended unanswered, `None` while it
    /// may still be (queued, ringing, or a state this library does not know).
    pub fn reached(&self) -> Option<bool> {
        if self.answer_time.is_some() || self.state == "answered" {
            Some(true)
        } else if self.state == "disconnected" {
            Some(false)
        } else {
            None
        }
    }
}

/// What the Messaging API says of the text message that carries a code
/// (`listMessages`, narrowed to its id). The strings are the API's own, untrusted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct MessageStatus {
    /// `RECEIVED`, `QUEUED`, `SENDING`, `SENT`, `FAILED`, `DELIVERED`, `ACCEPTED`,
    /// `UNDELIVERED`, or a status added since.
    pub status: String,
    /// The API's numeric error code, for a message that failed.
    pub error_code: Option<i64>,
    /// When Bandwidth received it to send (RFC 3339).
    pub receive_time: Option<String>,
}

impl MessageStatus {
    /// Whether the message reached the phone: `Some(true)` once `DELIVERED` (the
    /// carrier's receipt), `Some(false)` once `FAILED` or `UNDELIVERED`, `None`
    /// otherwise. `SENT` is `None`: it was handed to the carrier, and only a delivery
    /// receipt says it reached the phone; some carriers send none.
    pub fn reached(&self) -> Option<bool> {
        match self.status.as_str() {
            "DELIVERED" => Some(true),
            "FAILED" | "UNDELIVERED" => Some(false),
            _ => None,
        }
    }
}

/// The call state from an answer to `getCallState`.
pub(crate) fn call_state(response: &Response) -> Result<CallState, Error> {
    let expected = Expected {
        call: Call::CallState,
        what: "a string \"state\"",
    };
    let json = expected.success_json(response)?;
    let text = |key: &str| {
        json.get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    Ok(CallState {
        state: text("state").ok_or_else(|| expected.missing(response))?,
        disconnect_cause: text("disconnectCause"),
        enqueued_time: text("enqueuedTime"),
        start_time: text("startTime"),
        answer_time: text("answerTime"),
        end_time: text("endTime"),
        error_message: text("errorMessage"),
    })
}

/// The status of the one message an answer to `listMessages` lists, if it lists one:
/// an empty list is `None` (the message is not visible, or not the account's).
pub(crate) fn message_status(response: &Response) -> Result<Option<MessageStatus>, Error> {
    let expected = Expected {
        call: Call::MessageStatus,
        what: "an array \"messages\"",
    };
    let json = expected.success_json(response)?;
    let messages = json
        .get("messages")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| expected.missing(response))?;
    let Some(message) = messages.first() else {
        return Ok(None);
    };
    let status = message
        .get("messageStatus")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| expected.missing(response))?;
    Ok(Some(MessageStatus {
        status: status.to_owned(),
        error_code: message.get("errorCode").and_then(serde_json::Value::as_i64),
        receive_time: message
            .get("receiveTime")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
    }))
}

/// The call id from an answer to a voice send.
pub(crate) fn call_id(response: &Response) -> Result<CallId, Error> {
    read_id(response, Call::VoiceCode, ["callId", "CallId"]).map(CallId)
}

/// The message id from an answer to a messaging send.
pub(crate) fn message_id(response: &Response) -> Result<MessageId, Error> {
    read_id(response, Call::MessagingCode, ["messageId", "MessageId"]).map(MessageId)
}

/// The verdict from an answer to a check.
pub(crate) fn verdict(response: &Response) -> Result<Verdict, Error> {
    let expected = Expected {
        call: Call::VerifyCode,
        what: "a boolean \"valid\"",
    };
    let json = expected.success_json(response)?;
    match ["valid", "Valid"].iter().find_map(|key| json.get(*key)) {
        Some(serde_json::Value::Bool(true)) => Ok(Verdict::Valid),
        Some(serde_json::Value::Bool(false)) => Ok(Verdict::Invalid),
        _ => Err(expected.missing(response)),
    }
}

/// A string id under one of `keys` in a successful answer to a send.
fn read_id(response: &Response, call: Call, keys: [&str; 2]) -> Result<String, Error> {
    let what = format!("a string \"{}\"", keys[0]);
    let expected = Expected { call, what: &what };
    let json = expected.success_json(response)?;
    let id = keys
        .iter()
        .find_map(|key| json.get(*key))
        .and_then(|id| id.as_str())
        .ok_or_else(|| expected.missing(response))?;
    if let Err(broken) = check_id(id) {
        let problem = match broken.rule() {
            NOT_UTF8 => "holds bytes that are not UTF-8 text",
            _ => "is empty or holds control or invisible characters",
        };
        return Err(expected.unexpected(
            response,
            Delivery::Sent,
            &format!("the \"{}\" {problem}", keys[0]),
        ));
    }
    Ok(id.to_owned())
}

/// What a successful answer to `call` must hold.
pub(crate) struct Expected<'a> {
    pub(crate) call: Call,
    /// e.g. `a string "callId"`.
    pub(crate) what: &'a str,
}

impl Expected<'_> {
    /// The JSON object of a 2xx answer, or the error the answer amounts to.
    fn success_json(
        &self,
        response: &Response,
    ) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
        self.success(response)?;
        match serde_json::from_str(response.json_text()) {
            Ok(serde_json::Value::Object(json)) => Ok(json),
            // Not the API's kind of answer at all: a gateway's page, say.
            _ => Err(self.unexpected(response, Delivery::MaybeSent, &self.expecting("JSON"))),
        }
    }

    /// `Ok` for a whole 2xx answer, else the error the answer amounts to.
    pub(crate) fn success(&self, response: &Response) -> Result<(), Error> {
        let maybe = Delivery::MaybeSent;
        match response.status {
            200..=299 if response.cut => Err(self.unexpected(
                response,
                maybe,
                &format!("the answer is longer than {BODY_CAP} bytes (cut)"),
            )),
            200..=299 => Ok(()),
            300..=399 => Err(self.unexpected(
                response,
                maybe,
                &match response.header("location") {
                    Some(location) => format!(
                        "a redirect to {}, not followed; check the base URL",
                        quoted(location)
                    ),
                    None => "a redirect with no Location, not followed; check the base URL".into(),
                },
            )),
            400..=599 => Err(api_error(response, self.call)),
            other => Err(self.unexpected(
                response,
                maybe,
                &format!("HTTP status {other} is not one the API uses"),
            )),
        }
    }

    /// `expected JSON with a string "callId"`, in the answer's `language`.
    pub(crate) fn expecting(&self, language: &str) -> String {
        format!("expected {language} with {}", self.what)
    }

    /// The error for a JSON object from the API without what it should hold: the API
    /// took the request.
    fn missing(&self, response: &Response) -> Error {
        self.unexpected(response, Delivery::Sent, &self.expecting("JSON"))
    }

    /// An unexpected answer: `problem`, and whether the call was acted on.
    pub(crate) fn unexpected(
        &self,
        response: &Response,
        delivery: Delivery,
        problem: &str,
    ) -> Error {
        Error::UnexpectedAnswer {
            call: self.call,
            status: Some(response.status),
            delivery,
            problem: problem.to_owned(),
            body: response.body.clone(),
        }
    }
}

/// The API's own words from an error answer: `error`, `message` or `Message`, and
/// `requestId`, and how long a 429 asks to wait; or, from a body that is not the API's
/// JSON, its start.
fn api_error(response: &Response, call: Call) -> Error {
    let retry_after = match response.status {
        429 => response
            .header("Retry-After")
            .and_then(|value| retry_after(value, SystemTime::now())),
        _ => None,
    };
    Error::Api {
        call,
        status: response.status,
        // The MFA API's words, or the Voice and Messaging APIs' (`description`).
        message: error_words(response, &["error", "message", "Message", "description"]),
        request_id: json_text(response, &["requestId", "RequestId"]),
        retry_after,
    }
}

/// The words of an error answer: the first of `keys` in its JSON object, or, from a
/// body that is not JSON, its start, quoted. On one line either way.
pub(crate) fn error_words(response: &Response, keys: &[&str]) -> Option<String> {
    json_text(response, keys).or_else(|| {
        let body = response.body.trim();
        let is_json = serde_json::from_str::<serde_json::Value>(body).is_ok();
        (!body.is_empty() && !is_json).then(|| {
            let start: String = body.chars().take(EXCERPT_CHARS).collect();
            let more = if start.len() < body.len() { "..." } else { "" };
            format!("{}{more}", quoted(&start))
        })
    })
}

/// The first of `keys` that holds a string in the answer's JSON object: its start, on
/// one line.
pub(crate) fn json_text(response: &Response, keys: &[&str]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(response.json_text()).ok()?;
    let text = keys.iter().find_map(|key| json.get(key)?.as_str())?;
    let quoted = quoted(&excerpt(text, EXCERPT_CHARS));
    Some(quoted[1..quoted.len() - 1].to_owned())
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
            decoded: None,
        }
    }

    #[test]
    fn call_id_is_read_in_either_casing() {
        assert_eq!(
            call_id(&answer(200, r#"{"callId":"c-1"}"#))
                .unwrap()
                .as_str(),
            "c-1"
        );
        assert_eq!(
            call_id(&answer(200, r#"{"CallId":"c-2"}"#))
                .unwrap()
                .as_str(),
            "c-2"
        );
        assert_eq!(
            call_id(&answer(200, r#"{"callId":"c-3","extra":[1]}"#))
                .unwrap()
                .as_str(),
            "c-3"
        );
    }

    #[test]
    fn message_id_is_read_in_either_casing() {
        assert_eq!(
            message_id(&answer(200, r#"{"messageId":"m-1"}"#))
                .unwrap()
                .as_str(),
            "m-1"
        );
        assert_eq!(
            message_id(&answer(200, r#"{"MessageId":"m-2"}"#))
                .unwrap()
                .as_str(),
            "m-2"
        );
        let err = message_id(&answer(200, r#"{"callId":"c-1"}"#)).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"unexpected answer from the API (HTTP 200): expected JSON with a string "messageId"; body: "{\"callId\":\"c-1\"}"; the API took the request, so the code was sent"#
        );
        assert_eq!(err.delivery(), Delivery::Sent);
    }

    #[test]
    fn a_2xx_without_a_usable_id_is_unexpected() {
        // Not the API's kind of answer: it may have come from something else.
        for body in ["", "OK", "[]", r#""callId""#, "<html>"] {
            let err = call_id(&answer(200, body)).unwrap_err();
            assert_eq!(err.class(), ErrorClass::UnexpectedAnswer, "{body:?}");
            assert_eq!(err.delivery(), Delivery::MaybeSent, "{body:?}");
            assert!(
                err.to_string()
                    .ends_with("; the code may have been sent, so check before sending another"),
                "{err}"
            );
        }
        // The API's JSON, without a usable id: the API took the request.
        for body in [
            r#"{"callid":"x"}"#,
            r#"{"callId":5}"#,
            r#"{"callId":null}"#,
            r#"{"callId":""}"#,
            r#"{"callId":"a\nb"}"#,
            r#"{"callId":"c-\u202egnp.exe\u2028mfa: error: forged"}"#,
            r#"{"callId":"zero\u200bwidth"}"#,
        ] {
            let err = call_id(&answer(200, body)).unwrap_err();
            assert_eq!(err.class(), ErrorClass::UnexpectedAnswer, "{body:?}");
            assert_eq!(err.delivery(), Delivery::Sent, "{body:?}");
            assert!(
                err.to_string()
                    .ends_with("; the API took the request, so the code was sent"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_verdict_is_a_boolean_valid() {
        assert_eq!(
            verdict(&answer(200, r#"{"valid":true}"#)).unwrap(),
            Verdict::Valid
        );
        assert_eq!(
            verdict(&answer(200, r#"{"valid":false,"extra":1}"#)).unwrap(),
            Verdict::Invalid
        );
        assert_eq!(
            verdict(&answer(200, r#"{"Valid":true}"#)).unwrap(),
            Verdict::Valid
        );
        assert!(Verdict::Valid.is_valid() && !Verdict::Invalid.is_valid());
    }

    #[test]
    fn a_valid_that_is_not_a_boolean_is_unexpected() {
        for body in [
            r#"{"valid":"true"}"#,
            r#"{"valid":1}"#,
            r#"{"valid":null}"#,
            r#"{"valid":[true]}"#,
            r#"{"verified":true}"#,
            "{}",
            "true",
            "",
        ] {
            let err = verdict(&answer(200, body)).unwrap_err();
            assert_eq!(err.class(), ErrorClass::UnexpectedAnswer, "{body:?}");
            assert!(err.to_string().contains("the code "), "{err}");
        }
        assert_eq!(
            verdict(&answer(200, r#"{"valid":"yes"}"#))
                .unwrap_err()
                .to_string(),
            r#"unexpected answer from the API (HTTP 200): expected JSON with a boolean "valid"; body: "{\"valid\":\"yes\"}"; the code was checked, which counts as an attempt"#
        );
        assert!(
            verdict(&answer(200, "true"))
                .unwrap_err()
                .to_string()
                .ends_with("; the code may have been checked, which counts as an attempt")
        );
    }

    #[test]
    fn ids_a_caller_kept_follow_the_same_rule() {
        assert_eq!("c-1".parse::<CallId>().unwrap().as_str(), "c-1");
        assert_eq!("m-1".parse::<MessageId>().unwrap().as_str(), "m-1");
        for bad in ["", "a\nb", "\u{1b}[2J", "c-\u{202e}gnp.exe", "a\u{2028}b"] {
            assert!(bad.parse::<CallId>().is_err(), "{bad:?}");
            assert!(bad.parse::<MessageId>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_cut_answer_is_unexpected() {
        let mut long = answer(200, r#"{"callId":"c-1"}"#);
        long.cut = true;
        let err = call_id(&long).unwrap_err();
        assert!(err.to_string().contains("longer than 65536 bytes"), "{err}");
    }

    #[test]
    fn a_redirect_names_its_location() {
        let mut moved = answer(302, "");
        moved
            .headers
            .push(("Location".into(), "https://elsewhere.example/".into()));
        let errors = [
            (
                call_id(&moved).unwrap_err(),
                "sent, so check before sending another",
            ),
            (
                message_id(&moved).unwrap_err(),
                "sent, so check before sending another",
            ),
            (
                verdict(&moved).unwrap_err(),
                "checked, which counts as an attempt",
            ),
        ];
        for (err, done) in errors {
            assert_eq!(err.class(), ErrorClass::UnexpectedAnswer);
            assert_eq!(err.delivery(), Delivery::MaybeSent);
            assert_eq!(
                err.to_string(),
                format!(
                    "unexpected answer from the API (HTTP 302): a redirect to \
                     \"https://elsewhere.example/\", not followed; check the base URL; body: \
                     \"\"; the code may have been {done}"
                )
            );
        }
    }

    #[test]
    fn error_bodies_give_the_api_message_in_any_casing() {
        let err = call_id(&answer(
            400,
            r#"{"error":"to number is required","requestId":"r-1"}"#,
        ))
        .unwrap_err();
        assert_eq!(err.api_message(), Some("to number is required"));
        assert_eq!(err.request_id(), Some("r-1"));
        let err = message_id(&answer(403, r#"{"Message":"no access"}"#)).unwrap_err();
        assert_eq!(err.api_message(), Some("no access"));
        let err = verdict(&answer(401, r#"{"message":"Unauthorized"}"#)).unwrap_err();
        assert_eq!(err.api_message(), Some("Unauthorized"));
        assert_eq!(err.class(), ErrorClass::CredentialsRefused);
        let err = verdict(&answer(
            429,
            r#"{"error":"Too many requests, wait 30 seconds","requestId":"r-9"}"#,
        ))
        .unwrap_err();
        assert_eq!(err.class(), ErrorClass::RateLimited);
        assert_eq!(
            err.api_message(),
            Some("Too many requests, wait 30 seconds")
        );
    }

    #[test]
    fn a_gateway_page_is_shown_cut_and_on_one_line() {
        let page = format!("<html>\n<body>{}</body></html>", "x".repeat(300));
        let err = call_id(&answer(502, &page)).unwrap_err();
        assert_eq!(err.class(), ErrorClass::ServerFailed);
        let message = err.api_message().unwrap();
        assert!(message.starts_with(r#""<html>\n<body>xxx"#), "{message}");
        assert!(message.ends_with("\"..."), "{message}");
        assert!(!message.contains('\n'));
        let empty = call_id(&answer(503, "")).unwrap_err();
        assert_eq!(
            empty.to_string(),
            "the API failed (HTTP 503) with no message; the code may have been sent, so \
             check before sending another"
        );
    }

    #[test]
    fn a_429_keeps_how_long_it_asks_to_wait() {
        let mut limited = answer(429, r#"{"error":"too many","requestId":"r-2"}"#);
        limited.headers.push(("Retry-After".into(), "3600".into()));
        let err = verdict(&limited).unwrap_err();
        assert_eq!(
            err.retry_after(),
            Some(std::time::Duration::from_secs(3600))
        );
        assert_eq!(err.delivery(), Delivery::NotSent);
        let mut other = answer(503, "");
        other.headers.push(("Retry-After".into(), "30".into()));
        assert_eq!(call_id(&other).unwrap_err().retry_after(), None);
    }

    #[test]
    fn a_long_api_message_is_cut_and_hidden_characters_escaped() {
        let body = format!(
            r#"{{"error":"bad \u202e{}","requestId":"r-3"}}"#,
            "x".repeat(70_000)
        );
        let err = call_id(&answer(400, &body)).unwrap_err();
        let message = err.api_message().unwrap();
        assert!(message.starts_with("bad \\u{202e}xxx"), "{message}");
        assert!(message.ends_with("..."), "{message}");
        assert!(message.len() < 400);
    }

    #[test]
    fn statuses_the_api_does_not_use_are_unexpected() {
        let err = call_id(&answer(101, "")).unwrap_err();
        assert_eq!(err.class(), ErrorClass::UnexpectedAnswer);
    }
}
