//! What the API answered: an id, a verdict, or an error, read from a [`Response`].
//!
//! Every call's answer goes through the same steps: a redirect, a 4xx/5xx or a cut
//! body is judged the same way for all three calls, and only the last step, the key
//! that holds the result, differs. The key's documented casing is tried first, then
//! the casing older deployments show (`CallId`, `MessageId`, `Valid`); unknown keys
//! are ignored.

use crate::error::{Error, quoted};
use crate::fields::InvalidValue;
use crate::transport::{BODY_CAP, Response};

/// How much of a non-JSON error body goes into an error message.
const EXCERPT_CHARS: usize = 200;

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

/// An id must be something a line of output can carry: not empty, no control
/// characters (a line break would let an answer forge a second line).
fn check_id(id: &str) -> Result<(), InvalidValue> {
    if id.is_empty() || id.chars().any(char::is_control) {
        return Err(InvalidValue::from_rule(
            "must not be empty or hold control characters",
        ));
    }
    Ok(())
}

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

/// The call id from an answer to a voice send.
pub(crate) fn call_id(response: &Response) -> Result<CallId, Error> {
    read_id(response, ["callId", "CallId"]).map(CallId)
}

/// The message id from an answer to a messaging send.
pub(crate) fn message_id(response: &Response) -> Result<MessageId, Error> {
    read_id(response, ["messageId", "MessageId"]).map(MessageId)
}

/// The verdict from an answer to a check.
pub(crate) fn verdict(response: &Response) -> Result<Verdict, Error> {
    let expected = Expected {
        what: "a boolean \"valid\"",
        does: "the code may have been checked",
    };
    let json = success_json(response, &expected)?;
    match ["valid", "Valid"].iter().find_map(|key| json.get(*key)) {
        Some(serde_json::Value::Bool(true)) => Ok(Verdict::Valid),
        Some(serde_json::Value::Bool(false)) => Ok(Verdict::Invalid),
        _ => Err(expected.missing(response)),
    }
}

/// A string id under one of `keys` in a successful answer to a send.
fn read_id(response: &Response, keys: [&str; 2]) -> Result<String, Error> {
    let what = format!("a string \"{}\"", keys[0]);
    let expected = Expected {
        what: &what,
        does: "the code may have been sent",
    };
    let json = success_json(response, &expected)?;
    let id = keys
        .iter()
        .find_map(|key| json.get(*key))
        .and_then(|id| id.as_str())
        .ok_or_else(|| expected.missing(response))?;
    if check_id(id).is_err() {
        return Err(unexpected(
            response,
            format!(
                "the \"{}\" is empty or holds control characters; {}",
                keys[0], expected.does
            ),
        ));
    }
    Ok(id.to_owned())
}

/// What a successful answer must hold, and what the call may have done if it does not.
struct Expected<'a> {
    /// e.g. `a string "callId"`.
    what: &'a str,
    /// e.g. `the code may have been sent`.
    does: &'static str,
}

impl Expected<'_> {
    fn missing(&self, response: &Response) -> Error {
        unexpected(
            response,
            format!("expected JSON with {}; {}", self.what, self.does),
        )
    }
}

/// The JSON object of a 2xx answer, or the error the answer amounts to.
fn success_json(
    response: &Response,
    expected: &Expected,
) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    match response.status {
        200..=299 if response.cut => Err(unexpected(
            response,
            format!(
                "the answer is longer than {BODY_CAP} bytes (cut); {}",
                expected.does
            ),
        )),
        200..=299 => match serde_json::from_str(&response.body) {
            Ok(serde_json::Value::Object(json)) => Ok(json),
            _ => Err(expected.missing(response)),
        },
        300..=399 => Err(unexpected(
            response,
            match response.header("location") {
                Some(location) => format!(
                    "a redirect to {}, not followed; check the base URL",
                    quoted(location)
                ),
                None => "a redirect with no Location, not followed; check the base URL".into(),
            },
        )),
        400..=599 => Err(api_error(response)),
        other => Err(unexpected(
            response,
            format!("HTTP status {other} is not one the API uses"),
        )),
    }
}

fn unexpected(response: &Response, problem: String) -> Error {
    Error::UnexpectedAnswer {
        status: Some(response.status),
        problem,
        body: response.body.clone(),
    }
}

/// The API's own words from an error answer: `error`, `message` or `Message`, and
/// `requestId`; or, from a body that is not the API's JSON, its start.
fn api_error(response: &Response) -> Error {
    Error::Api {
        status: response.status,
        message: error_words(response, &["error", "message", "Message"]),
        request_id: json_text(response, &["requestId", "RequestId"]),
    }
}

/// The words of an error answer: the first of `keys` in its JSON object, or, from a
/// body that is not JSON, its start, quoted. On one line either way.
pub(crate) fn error_words(response: &Response, keys: &[&str]) -> Option<String> {
    json_text(response, keys).or_else(|| {
        let body = response.body.trim();
        let is_json = serde_json::from_str::<serde_json::Value>(body).is_ok();
        (!body.is_empty() && !is_json).then(|| {
            let excerpt: String = body.chars().take(EXCERPT_CHARS).collect();
            let more = if body.chars().count() > EXCERPT_CHARS {
                "..."
            } else {
                ""
            };
            format!("{}{more}", quoted(&excerpt))
        })
    })
}

/// The first of `keys` that holds a string in the answer's JSON object, on one line.
pub(crate) fn json_text(response: &Response, keys: &[&str]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(&response.body).ok()?;
    keys.iter()
        .find_map(|key| json.get(key)?.as_str())
        .map(one_line)
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
            r#"unexpected answer from the API (HTTP 200): expected JSON with a string "messageId"; the code may have been sent; body: "{\"callId\":\"c-1\"}""#
        );
    }

    #[test]
    fn a_2xx_without_a_usable_id_is_unexpected() {
        for body in [
            "",
            "OK",
            "[]",
            r#""callId""#,
            r#"{"callid":"x"}"#,
            r#"{"callId":5}"#,
            r#"{"callId":null}"#,
            r#"{"callId":""}"#,
            r#"{"callId":"a\nb"}"#,
        ] {
            let err = call_id(&answer(200, body)).unwrap_err();
            assert_eq!(err.class(), ErrorClass::UnexpectedAnswer, "{body:?}");
            assert!(
                err.to_string().contains("the code may have been sent"),
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
            assert!(
                err.to_string().contains("the code may have been checked"),
                "{err}"
            );
        }
        assert_eq!(
            verdict(&answer(200, r#"{"valid":"yes"}"#))
                .unwrap_err()
                .to_string(),
            r#"unexpected answer from the API (HTTP 200): expected JSON with a boolean "valid"; the code may have been checked; body: "{\"valid\":\"yes\"}""#
        );
    }

    #[test]
    fn ids_a_caller_kept_follow_the_same_rule() {
        assert_eq!("c-1".parse::<CallId>().unwrap().as_str(), "c-1");
        assert_eq!("m-1".parse::<MessageId>().unwrap().as_str(), "m-1");
        for bad in ["", "a\nb", "\u{1b}[2J"] {
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
            call_id(&moved).unwrap_err(),
            message_id(&moved).unwrap_err(),
            verdict(&moved).unwrap_err(),
        ];
        for err in errors {
            assert_eq!(err.class(), ErrorClass::UnexpectedAnswer);
            assert_eq!(
                err.to_string(),
                "unexpected answer from the API (HTTP 302): a redirect to \
                 \"https://elsewhere.example/\", not followed; check the base URL; body: \"\""
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
            "the API failed (HTTP 503) with no message"
        );
    }

    #[test]
    fn statuses_the_api_does_not_use_are_unexpected() {
        let err = call_id(&answer(101, "")).unwrap_err();
        assert_eq!(err.class(), ErrorClass::UnexpectedAnswer);
    }
}
