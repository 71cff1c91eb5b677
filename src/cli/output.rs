//! Everything `mfa` writes: results, the request it would send, logs and errors.
//!
//! Each renderer writes into a `Write`, so text and JSON are unit-tested on buffers.
//! Text is for people and for `$(...)`: the id alone on its line. JSON is one object on
//! one line. Anything that came from the network is written with control characters
//! escaped, so an answer cannot drive the terminal.

use std::io::{self, Write};

use mfa::{Answer, Request, Response, Verdict};
use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::value::RawValue;

use crate::cli::args::OutputFormat;
use crate::cli::failure::Failure;

/// A result: in text the id, `valid` or `invalid` alone on a line; in JSON
/// `{"callId":"..."}`, `{"messageId":"..."}` or `{"valid":true|false}`.
pub fn write_answer(out: &mut dyn Write, format: OutputFormat, answer: &Answer) -> io::Result<()> {
    let shown = Shown::of(answer);
    match format {
        OutputFormat::Text => writeln!(out, "{}", shown.text),
        OutputFormat::Json => writeln!(out, "{}", serde_json::json!({ shown.key: shown.json })),
    }
}

/// An answer in a sentence, for a warning that it could not be written.
pub fn describe(answer: &Answer) -> String {
    Shown::of(answer).sentence
}

/// How an answer is written, decided in one place for every output.
struct Shown<'a> {
    /// The JSON key, e.g. `callId`.
    key: &'static str,
    json: serde_json::Value,
    /// The text line, e.g. the id or `valid`.
    text: &'a str,
    sentence: String,
}

impl<'a> Shown<'a> {
    fn of(answer: &'a Answer) -> Self {
        match answer {
            Answer::CallId(id) => Shown {
                key: "callId",
                json: id.as_str().into(),
                text: id.as_str(),
                sentence: format!("the call id {}", id.as_str()),
            },
            Answer::MessageId(id) => Shown {
                key: "messageId",
                json: id.as_str().into(),
                text: id.as_str(),
                sentence: format!("the message id {}", id.as_str()),
            },
            Answer::Verdict(verdict) => {
                let text = match verdict {
                    Verdict::Valid => "valid",
                    Verdict::Invalid => "invalid",
                };
                Shown {
                    key: "valid",
                    json: verdict.is_valid().into(),
                    text,
                    sentence: format!("the verdict ({text})"),
                }
            }
        }
    }
}

/// Headers as a JSON object, in the order they are sent.
struct Headers<'a>(&'a [(&'static str, String)]);

impl Serialize for Headers<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// The request `--dry-run` shows: in text, as HTTP would carry it; in JSON, as one
/// object whose `body` is the exact JSON that would be sent (a code to verify masked).
pub fn write_request(
    out: &mut dyn Write,
    format: OutputFormat,
    request: &Request,
) -> io::Result<()> {
    match format {
        OutputFormat::Text => write_http(out, request, ""),
        OutputFormat::Json => {
            let headers = request.shown_headers();
            #[derive(Serialize)]
            struct Shown<'a> {
                method: &'a str,
                url: &'a str,
                headers: Headers<'a>,
                body: &'a RawValue,
            }
            let body: &RawValue =
                serde_json::from_str(request.shown_body()).expect("a request body is always JSON");
            let shown = Shown {
                method: request.method(),
                url: request.url(),
                headers: Headers(&headers),
                body,
            };
            writeln!(
                out,
                "{}",
                serde_json::to_string(&shown).map_err(io::Error::other)?
            )
        }
    }
}

/// `--verbose`: the request about to be sent, each line after `> `.
pub fn log_request(err: &mut dyn Write, request: &Request) -> io::Result<()> {
    write_http(err, request, "> ")
}

/// A request as HTTP carries it (request line, headers, blank line, body), each line
/// after `prefix`; the one shape shared by `--dry-run` and `--verbose`.
fn write_http(out: &mut dyn Write, request: &Request, prefix: &str) -> io::Result<()> {
    let mut line = |text: &str| writeln!(out, "{}", format!("{prefix}{text}").trim_end());
    line(&format!("{} {}", request.method(), request.url()))?;
    for (name, value) in request.shown_headers() {
        line(&format!("{name}: {value}"))?;
    }
    line("")?;
    line(request.shown_body())
}

/// `--verbose`: the answer, each line after `< `.
pub fn log_response(err: &mut dyn Write, response: &Response) -> io::Result<()> {
    writeln!(err, "< HTTP {}", response.status)?;
    for (name, value) in &response.headers {
        writeln!(err, "< {name}: {}", escaped(value))?;
    }
    writeln!(err, "<")?;
    for line in response.body.lines() {
        writeln!(err, "< {}", escaped(line))?;
    }
    if response.cut {
        writeln!(err, "< (cut at {} bytes)", mfa::BODY_CAP)?;
    }
    Ok(())
}

/// Text from the network or a file with control characters escaped.
pub fn escaped(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A warning: something to fix that did not stop the command. One `mfa: warning: ...`
/// line, or with JSON output one object, `{"warning":{"message":...}}`.
pub fn write_warning(err: &mut dyn Write, format: OutputFormat, message: &str) -> io::Result<()> {
    match format {
        OutputFormat::Text => writeln!(err, "mfa: warning: {message}"),
        OutputFormat::Json => writeln!(
            err,
            "{}",
            serde_json::json!({ "warning": { "message": message } })
        ),
    }
}

/// `--verbose`: a step that is not the request or its answer, after `* `.
pub fn log_note(err: &mut dyn Write, note: &str) -> io::Result<()> {
    writeln!(err, "* {note}")
}

/// An error: one `mfa: error: ...` line, or with JSON output one object:
/// `{"error":{"kind":...,"status":...,"message":...,"requestId":...,"detail":...}}`.
/// `message` is the API's own message when it gave one, else the whole sentence,
/// which `detail` always holds.
pub fn write_failure(
    err: &mut dyn Write,
    format: OutputFormat,
    failure: &Failure,
) -> io::Result<()> {
    let sentence = failure.sentence();
    match format {
        OutputFormat::Text => writeln!(err, "mfa: error: {sentence}"),
        OutputFormat::Json => {
            let api = failure.api_error();
            let mut object = serde_json::Map::new();
            object.insert("kind".into(), failure.kind().into());
            if let Some(status) = api.and_then(mfa::Error::status) {
                object.insert("status".into(), status.into());
            }
            let message = api.and_then(mfa::Error::api_message).unwrap_or(&sentence);
            object.insert("message".into(), message.into());
            if let Some(id) = api.and_then(mfa::Error::request_id) {
                object.insert("requestId".into(), id.into());
            }
            object.insert("detail".into(), sentence.as_str().into());
            writeln!(err, "{}", serde_json::json!({ "error": object }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mfa::{AuthScheme, Call, CodeRequest, Digits, ExpirationMinutes, VerifyRequest};

    fn rendered(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut buffer = Vec::new();
        write(&mut buffer).unwrap();
        String::from_utf8(buffer).unwrap()
    }

    fn request() -> Request {
        Request::new(
            Call::VoiceCode,
            &"http://127.0.0.1:8080/api".parse().unwrap(),
            &"99".parse().unwrap(),
            AuthScheme::Basic,
            &CodeRequest {
                to: "+15553334444".parse().unwrap(),
                from: "+15554443333".parse().unwrap(),
                application_id: "app".parse().unwrap(),
                scope: None,
                message: "{CODE}".parse().unwrap(),
                digits: Digits::new(6).unwrap(),
            },
        )
    }

    /// The answer the API gives in `json`, read as `mfa` reads it.
    fn answer(call: Call, json: &str) -> Answer {
        let response = Response {
            status: 200,
            headers: Vec::new(),
            body: json.into(),
            cut: false,
        };
        Answer::read(call, &response).unwrap()
    }

    #[test]
    fn every_answer_in_text_and_json() {
        for (call, api, text, json) in [
            (
                Call::VoiceCode,
                r#"{"callId":"c-1"}"#,
                "c-1\n",
                "{\"callId\":\"c-1\"}\n",
            ),
            (
                Call::MessagingCode,
                r#"{"MessageId":"m-1"}"#,
                "m-1\n",
                "{\"messageId\":\"m-1\"}\n",
            ),
            (
                Call::VerifyCode,
                r#"{"valid":true}"#,
                "valid\n",
                "{\"valid\":true}\n",
            ),
            (
                Call::VerifyCode,
                r#"{"valid":false}"#,
                "invalid\n",
                "{\"valid\":false}\n",
            ),
        ] {
            let answer = answer(call, api);
            assert_eq!(
                rendered(|w| write_answer(w, OutputFormat::Text, &answer)),
                text
            );
            assert_eq!(
                rendered(|w| write_answer(w, OutputFormat::Json, &answer)),
                json
            );
        }
        assert_eq!(
            describe(&answer(Call::MessagingCode, r#"{"messageId":"m-1"}"#)),
            "the message id m-1"
        );
    }

    #[test]
    fn a_code_to_verify_is_masked_in_the_dry_run_and_the_log() {
        let request = Request::new(
            Call::VerifyCode,
            &"http://127.0.0.1:8080/api".parse().unwrap(),
            &"99".parse().unwrap(),
            AuthScheme::Basic,
            &VerifyRequest {
                to: "+15553334444".parse().unwrap(),
                scope: None,
                code: "48213967".parse().unwrap(),
                expiration_minutes: ExpirationMinutes::new(3).unwrap(),
            },
        );
        let masked = r#"{"to":"+15553334444","code":"<redacted>","expirationTimeInMinutes":3}"#;
        let text = rendered(|w| write_request(w, OutputFormat::Text, &request));
        assert!(text.ends_with(&format!("\n\n{masked}\n")), "{text}");
        let json = rendered(|w| write_request(w, OutputFormat::Json, &request));
        assert!(json.contains(&format!("\"body\":{masked}}}")), "{json}");
        let log = rendered(|w| log_request(w, &request));
        assert!(log.ends_with(&format!("> {masked}\n")), "{log}");
        for shown in [text, json, log] {
            assert!(!shown.contains("48213967"), "{shown}");
        }
    }

    #[test]
    fn the_dry_run_request_in_text() {
        let version = env!("CARGO_PKG_VERSION");
        assert_eq!(
            rendered(|w| write_request(w, OutputFormat::Text, &request())),
            format!(
                "POST http://127.0.0.1:8080/api/accounts/99/code/voice\n\
                 Accept: application/json\n\
                 Authorization: Basic <redacted>\n\
                 Content-Type: application/json\n\
                 User-Agent: mfa/{version}\n\
                 \n\
                 {{\"to\":\"+15553334444\",\"from\":\"+15554443333\",\"applicationId\":\"app\",\"message\":\"{{CODE}}\",\"digits\":6}}\n"
            )
        );
    }

    #[test]
    fn the_dry_run_request_in_json_keeps_the_body_exact() {
        let text = rendered(|w| write_request(w, OutputFormat::Json, &request()));
        assert_eq!(text.lines().count(), 1);
        let version = env!("CARGO_PKG_VERSION");
        assert_eq!(
            text,
            format!(
                "{{\"method\":\"POST\",\"url\":\"http://127.0.0.1:8080/api/accounts/99/code/voice\",\
                 \"headers\":{{\"Accept\":\"application/json\",\"Authorization\":\"Basic <redacted>\",\
                 \"Content-Type\":\"application/json\",\"User-Agent\":\"mfa/{version}\"}},\
                 \"body\":{{\"to\":\"+15553334444\",\"from\":\"+15554443333\",\"applicationId\":\"app\",\
                 \"message\":\"{{CODE}}\",\"digits\":6}}}}\n"
            )
        );
    }

    #[test]
    fn the_verbose_log_marks_direction_and_escapes_the_answer() {
        let log = rendered(|w| log_request(w, &request()));
        assert!(
            log.starts_with("> POST http://127.0.0.1:8080/api/accounts/99/code/voice\n"),
            "{log}"
        );
        assert!(log.contains("> Authorization: Basic <redacted>\n"), "{log}");
        let response = Response {
            status: 200,
            headers: vec![("x-odd".into(), "a\u{1b}[2J".into())],
            body: "{\"callId\":\"c\u{7}\"}".into(),
            cut: true,
        };
        assert_eq!(
            rendered(|w| log_response(w, &response)),
            "< HTTP 200\n< x-odd: a\\u{1b}[2J\n<\n< {\"callId\":\"c\\u{7}\"}\n< (cut at 65536 bytes)\n"
        );
    }

    #[test]
    fn a_failure_in_text_and_json() {
        let failure = Failure::from(mfa::Error::Api {
            status: 400,
            message: Some("to number is required".into()),
            request_id: Some("r-1".into()),
        });
        assert_eq!(
            rendered(|w| write_failure(w, OutputFormat::Text, &failure)),
            "mfa: error: the API rejected the request (HTTP 400): to number is required (requestId r-1)\n"
        );
        let json: serde_json::Value = serde_json::from_str(&rendered(|w| {
            write_failure(w, OutputFormat::Json, &failure)
        }))
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": {
                "kind": "rejected", "status": 400, "message": "to number is required",
                "requestId": "r-1",
                "detail": "the API rejected the request (HTTP 400): to number is required (requestId r-1)"
            }})
        );
        let usage = Failure::Usage("no from number".into());
        assert_eq!(
            rendered(|w| write_failure(w, OutputFormat::Json, &usage)),
            "{\"error\":{\"detail\":\"no from number\",\"kind\":\"usage\",\"message\":\"no from number\"}}\n"
        );
    }
}
