//! Everything `mfa` writes: results, the request it would send, logs and errors.
//!
//! Each renderer writes into a `Write`, so text and JSON are unit-tested on buffers.
//! Text is for people and for `$(...)`: the id alone on its line. JSON is one object on
//! one line. Anything that came from the network is written with control characters
//! escaped, so an answer cannot drive the terminal.

use std::io::{self, Write};

use mfa::{CallId, MessageId, Request, Response, Verdict, Wait};
use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::value::RawValue;

use crate::cli::args::{GlobalArgs, OutputFormat};
use crate::cli::failure::Failure;

/// What a call answered, whichever call it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `mfa voice`.
    CallId(CallId),
    /// `mfa sms`.
    MessageId(MessageId),
    /// `mfa verify`.
    Verdict(Verdict),
}

/// A result: in text the id, `valid` or `invalid` alone on a line; in JSON
/// `{"callId":"..."}`, `{"messageId":"..."}` or `{"valid":true|false}`.
pub fn write_outcome(
    out: &mut dyn Write,
    format: OutputFormat,
    outcome: &Outcome,
) -> io::Result<()> {
    let shown = ShownOutcome::of(outcome);
    match format {
        OutputFormat::Text => writeln!(out, "{}", shown.text),
        OutputFormat::Json => writeln!(out, "{}", serde_json::json!({ shown.key: shown.json })),
    }
}

/// An outcome in a sentence, for a warning that it could not be written.
pub fn describe(outcome: &Outcome) -> String {
    ShownOutcome::of(outcome).sentence
}

/// How an outcome is written, decided in one place for every output.
struct ShownOutcome<'a> {
    /// The JSON key, e.g. `callId`.
    key: &'static str,
    json: serde_json::Value,
    /// The text line, e.g. the id or `valid`.
    text: &'a str,
    sentence: String,
}

impl<'a> ShownOutcome<'a> {
    fn of(outcome: &'a Outcome) -> Self {
        match outcome {
            Outcome::CallId(id) => ShownOutcome {
                key: "callId",
                json: id.as_str().into(),
                text: id.as_str(),
                sentence: format!("the call id {}", id.as_str()),
            },
            Outcome::MessageId(id) => ShownOutcome {
                key: "messageId",
                json: id.as_str().into(),
                text: id.as_str(),
                sentence: format!("the message id {}", id.as_str()),
            },
            Outcome::Verdict(verdict) => {
                let text = match verdict {
                    Verdict::Valid => "valid",
                    Verdict::Invalid => "invalid",
                };
                ShownOutcome {
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
            let headers = mfa::unversioned::shown_headers(request);
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

/// `--verbose`: the log of what a call does, on stderr, or nothing at all. One value
/// carried down the call path, so the path reads top to bottom without a test of the
/// flag at each step.
#[derive(Debug, Clone, Copy)]
pub struct Log {
    verbose: bool,
}

impl Log {
    /// The log `--verbose` asks for: on or off.
    pub fn new(verbose: bool) -> Self {
        Log { verbose }
    }

    /// A step that is not the request or its answer, after `* `.
    pub fn note(self, err: &mut dyn Write, note: &str) {
        if self.verbose {
            let _ = writeln!(err, "* {note}");
        }
    }

    /// The request about to be sent, each line after `> `.
    pub fn request(self, err: &mut dyn Write, request: &Request) {
        if self.verbose {
            let _ = write_http(err, request, "> ");
        }
    }

    /// Has `transport` note each wait before a retry as it begins.
    pub fn waits(self, transport: mfa::Transport) -> mfa::Transport {
        if !self.verbose {
            return transport;
        }
        // The process's stderr, not a writer handed down: the library wants a notice
        // it can keep, and `main` hands `run` that same stderr.
        transport.on_wait(|wait: &Wait| {
            let _ = writeln!(io::stderr(), "* {wait}");
        })
    }

    /// An answer of the API, each line after `< `, on the process's stderr (the
    /// client tells it from where it cannot be handed a writer).
    pub fn response(self, response: &Response) {
        if self.verbose {
            let _ = log_response(&mut io::stderr(), response);
        }
    }
}

/// A request as HTTP carries it (request line, headers, blank line, body), each line
/// after `prefix`; the one shape shared by `--dry-run` and `--verbose`.
fn write_http(out: &mut dyn Write, request: &Request, prefix: &str) -> io::Result<()> {
    let mut line = |text: &str| writeln!(out, "{}", format!("{prefix}{text}").trim_end());
    line(&format!("{} {}", request.method(), request.url()))?;
    for (name, value) in mfa::unversioned::shown_headers(request) {
        line(&format!("{name}: {value}"))?;
    }
    line("")?;
    line(request.shown_body())
}

/// `--verbose`: the answer, each line after `< `.
fn log_response(err: &mut dyn Write, response: &Response) -> io::Result<()> {
    writeln!(err, "< HTTP {}", response.status)?;
    for (name, value) in &response.headers {
        writeln!(err, "< {name}: {}", escaped(value))?;
    }
    writeln!(err, "<")?;
    for line in response.body.lines() {
        writeln!(err, "< {}", escaped(line))?;
    }
    if response.cut {
        writeln!(err, "< (cut at {} bytes)", mfa::unversioned::BODY_CAP)?;
    }
    Ok(())
}

/// Text from the network or a file with its control, format and separator characters
/// escaped (the library's one rule for untrusted text).
pub fn escaped(text: &str) -> String {
    mfa::unversioned::printable(text).into_owned()
}

/// A path as a message shows it: any control, format or separator character in it (a
/// path from a variable or a flag is anyone's text) escaped.
pub fn path(path: &std::path::Path) -> String {
    escaped(&path.display().to_string())
}

/// Finishes writing what a command that sent nothing prints (help, the man page, a dry
/// run, `config show`). A reader that closed stdout (`| head -c0`) chose to stop
/// reading: that is no failure. Any other write error is: the command's whole output
/// was lost, so it fails (exit 3) and says so.
pub fn written(result: io::Result<()>, out: &mut dyn Write, what: &str) -> Result<(), Failure> {
    match result.and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Failure::Output(format!(
            "could not write {what} to stdout: {e}"
        ))),
        _ => Ok(()),
    }
}

/// Whether a wait draws the status line: only at a terminal (stderr), in text, and never
/// with `--verbose`, whose log says each step itself.
pub fn shows_status(global: &GlobalArgs) -> bool {
    use std::io::IsTerminal;
    global.format() == OutputFormat::Text && !global.verbose && io::stderr().is_terminal()
}

/// A warning: something to fix that did not stop the command. One `mfa: warning: ...`
/// line, or with JSON output one object, `{"warning":{"message":...}}`.
pub fn write_warning(err: &mut dyn Write, format: OutputFormat, message: &str) -> io::Result<()> {
    let message = escaped(message);
    match format {
        OutputFormat::Text => writeln!(err, "mfa: warning: {message}"),
        OutputFormat::Json => writeln!(
            err,
            "{}",
            serde_json::json!({ "warning": { "message": message } })
        ),
    }
}

/// An error: one `mfa: error: ...` line, or with JSON output one object:
/// `{"error":{"kind":...,"status":...,"message":...,"requestId":...,"retryAfter":...,
/// "sent":...,"detail":...}}`. `message` is the API's own message when it gave one,
/// else the whole sentence, which `detail` always holds; `sent` is `no`, `maybe` or
/// `yes`; `retryAfter` the seconds a 429 asked to wait, when it said.
pub fn write_failure(
    err: &mut dyn Write,
    format: OutputFormat,
    failure: &Failure,
) -> io::Result<()> {
    write_failure_of(err, format, failure, Sends::Maybe)
}

/// Whether the command that failed is one that may send a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sends {
    /// It may (`voice`, `sms`, `verify`, `doctor`'s check): its error ends saying
    /// whether anything was sent.
    Maybe,
    /// It never does (`config`, `log`, `man`, `completions`): saying "nothing was
    /// sent" would only raise the question.
    Never,
}

/// [`write_failure`], for a command that `sends` as it says.
pub fn write_failure_of(
    err: &mut dyn Write,
    format: OutputFormat,
    failure: &Failure,
    sends: Sends,
) -> io::Result<()> {
    // Whatever the message quotes (a path from a variable, a name, an API's words) is
    // escaped once more here, where every error leaves: escaping is idempotent.
    let sentence = escaped(&match sends {
        Sends::Maybe => failure.sentence(),
        Sends::Never => failure.reason(),
    });
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
            if let Some(wait) = api.and_then(mfa::Error::retry_after) {
                object.insert("retryAfter".into(), wait.as_secs().into());
            }
            if let Some((key, id)) = failure.sent_id() {
                object.insert(key.into(), id.into());
            }
            object.insert("sent".into(), failure.sent().into());
            object.insert("detail".into(), sentence.as_str().into());
            writeln!(err, "{}", serde_json::json!({ "error": object }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mfa::{AuthScheme, CodeRequest, ExpirationMinutes, VerifyRequest};

    fn rendered(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut buffer = Vec::new();
        write(&mut buffer).unwrap();
        String::from_utf8(buffer).unwrap()
    }

    fn request() -> Request {
        Request::voice_code(
            &"http://127.0.0.1:8080/api".parse().unwrap(),
            &"99".parse().unwrap(),
            AuthScheme::Basic,
            &CodeRequest::new(
                "+15553334444".parse().unwrap(),
                "+15554443333".parse().unwrap(),
                "app".parse().unwrap(),
            )
            .with_message("{CODE}".parse().unwrap()),
        )
    }

    #[test]
    fn every_outcome_in_text_and_json() {
        for (outcome, text, json) in [
            (
                Outcome::CallId("c-1".parse().unwrap()),
                "c-1\n",
                "{\"callId\":\"c-1\"}\n",
            ),
            (
                Outcome::MessageId("m-1".parse().unwrap()),
                "m-1\n",
                "{\"messageId\":\"m-1\"}\n",
            ),
            (
                Outcome::Verdict(Verdict::Valid),
                "valid\n",
                "{\"valid\":true}\n",
            ),
            (
                Outcome::Verdict(Verdict::Invalid),
                "invalid\n",
                "{\"valid\":false}\n",
            ),
        ] {
            assert_eq!(
                rendered(|w| write_outcome(w, OutputFormat::Text, &outcome)),
                text
            );
            assert_eq!(
                rendered(|w| write_outcome(w, OutputFormat::Json, &outcome)),
                json
            );
        }
        assert_eq!(
            describe(&Outcome::MessageId("m-1".parse().unwrap())),
            "the message id m-1"
        );
    }

    #[test]
    fn a_code_to_verify_is_masked_in_the_dry_run_and_the_log() {
        let request = Request::verify_code(
            &"http://127.0.0.1:8080/api".parse().unwrap(),
            &"99".parse().unwrap(),
            AuthScheme::Basic,
            &VerifyRequest::new(
                "+15553334444".parse().unwrap(),
                "48213967".parse().unwrap(),
                ExpirationMinutes::new(3.0).unwrap(),
            ),
        );
        let masked = r#"{"to":"+15553334444","code":"<redacted>","expirationTimeInMinutes":3}"#;
        let text = rendered(|w| write_request(w, OutputFormat::Text, &request));
        assert!(text.ends_with(&format!("\n\n{masked}\n")), "{text}");
        let json = rendered(|w| write_request(w, OutputFormat::Json, &request));
        assert!(json.contains(&format!("\"body\":{masked}}}")), "{json}");
        let log = rendered(|w| {
            Log::new(true).request(w, &request);
            Ok(())
        });
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
    fn the_verbose_log_marks_the_request_and_is_silent_when_off() {
        let log = rendered(|w| {
            Log::new(true).request(w, &request());
            Log::new(true).note(w, "a note");
            Ok(())
        });
        assert!(
            log.starts_with("> POST http://127.0.0.1:8080/api/accounts/99/code/voice\n"),
            "{log}"
        );
        assert!(log.contains("> Authorization: Basic <redacted>\n"), "{log}");
        assert!(log.ends_with("\n* a note\n"), "{log}");
        let silent = rendered(|w| {
            Log::new(false).request(w, &request());
            Log::new(false).note(w, "a note");
            Ok(())
        });
        assert_eq!(silent, "");
    }

    #[test]
    fn a_failure_in_text_and_json() {
        let failure = Failure::from(mfa::Error::api(
            mfa::Call::VoiceCode,
            400,
            Some("to number is required".into()),
            Some("r-1".into()),
            None,
        ));
        assert_eq!(
            rendered(|w| write_failure(w, OutputFormat::Text, &failure)),
            "mfa: error: the API rejected the request (HTTP 400): to number is required (requestId r-1); nothing was sent\n"
        );
        let json: serde_json::Value = serde_json::from_str(&rendered(|w| {
            write_failure(w, OutputFormat::Json, &failure)
        }))
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": {
                "kind": "rejected", "status": 400, "message": "to number is required",
                "requestId": "r-1", "sent": "no",
                "detail": "the API rejected the request (HTTP 400): to number is required (requestId r-1); nothing was sent"
            }})
        );
        let usage = Failure::Usage("no from number".into());
        assert_eq!(
            rendered(|w| write_failure(w, OutputFormat::Json, &usage)),
            "{\"error\":{\"detail\":\"no from number; nothing was sent\",\"kind\":\"usage\",\
             \"message\":\"no from number; nothing was sent\",\"sent\":\"no\"}}\n"
        );
        let limited = Failure::from(mfa::Error::api(
            mfa::Call::VerifyCode,
            429,
            None,
            None,
            Some(std::time::Duration::from_secs(30)),
        ));
        let json: serde_json::Value = serde_json::from_str(&rendered(|w| {
            write_failure(w, OutputFormat::Json, &limited)
        }))
        .unwrap();
        assert_eq!(json["error"]["retryAfter"], 30);
        assert_eq!(json["error"]["sent"], "no");
    }
}
