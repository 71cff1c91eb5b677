//! What a script can rely on: every JSON error says in `"sent"` whether the request may
//! have been acted on (`no`, `maybe`, `yes`), for every exit class, and a 429 says in
//! `"retryAfter"` how long the API asked to wait.

use crate::servers::{closed_port, raw_server};
use crate::support::*;

/// The JSON error of `outcome`, after checking its exit status and that stdout is empty.
#[track_caller]
fn json_error(outcome: &Outcome, code: i32) -> serde_json::Value {
    assert_eq!(
        (outcome.code, outcome.stdout.as_str()),
        (code, ""),
        "{}",
        outcome.stderr
    );
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    let json: serde_json::Value = serde_json::from_str(&outcome.stderr).unwrap();
    json["error"].clone()
}

/// `mfa voice --json` against a mock answering `status` with `body`: the error's
/// `kind` and `sent`.
fn answered(status: usize, body: &str, code: i32) -> (String, String) {
    let mut server = mockito::Server::new();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_status(status)
        .with_body(body)
        .expect(1)
        .create();
    let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
        .args(&["--json"])
        .run();
    mock.assert();
    let error = json_error(&outcome, code);
    (
        error["kind"].as_str().unwrap().to_owned(),
        error["sent"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn each_answer_of_the_api_says_whether_the_code_went_out() {
    for (status, body, code, kind, sent) in [
        (400, r#"{"error":"bad"}"#, 5, "rejected", "no"),
        (401, r#"{"message":"Unauthorized"}"#, 4, "credentials", "no"),
        (403, r#"{"Message":"no access"}"#, 4, "credentials", "no"),
        (404, "", 5, "rejected", "no"),
        (429, r#"{"error":"too many"}"#, 6, "rate_limited", "no"),
        (500, r#"{"error":"fault"}"#, 7, "server", "maybe"),
        (503, "<html>down</html>", 7, "server", "maybe"),
        (
            200,
            "<html>captive portal</html>",
            9,
            "unexpected_answer",
            "maybe",
        ),
        (200, r#"{"callid":"c-1"}"#, 9, "unexpected_answer", "yes"),
        (
            200,
            r#"{"callId":"c-1\u202e"}"#,
            9,
            "unexpected_answer",
            "yes",
        ),
        (302, "", 9, "unexpected_answer", "maybe"),
    ] {
        assert_eq!(
            answered(status, body, code),
            (kind.to_owned(), sent.to_owned()),
            "{status} {body}"
        );
    }
}

#[test]
fn usage_and_config_errors_sent_nothing() {
    let usage = Mfa::voice_request()
        .args(&["--json", "--digits", "9"])
        .run();
    assert_eq!(json_error(&usage, 2)["sent"], "no");
    let config = Mfa::voice_request().args(&["--json"]).run();
    let error = json_error(&config, 3);
    assert_eq!(
        (error["kind"].as_str(), error["sent"].as_str()),
        (Some("config"), Some("no"))
    );
}

#[test]
fn network_failures_say_no_before_sending_and_maybe_after() {
    let refused = Mfa::voice(&format!("http://127.0.0.1:{}/api/v1", closed_port()))
        .args(&["--json"])
        .run();
    assert_eq!(json_error(&refused, 8)["sent"], "no");
    let lookup = Mfa::voice(&format!("https://{}/api/v1", unresolvable_host()))
        .args(&["--json"])
        .run();
    assert_eq!(json_error(&lookup, 8)["sent"], "no");
    // Reads the request, then closes without a word.
    let (port, log) = raw_server(|_| {});
    let dropped = Mfa::voice(&format!("http://127.0.0.1:{port}/api/v1"))
        .args(&["--json"])
        .run();
    let error = json_error(&dropped, 8);
    assert_eq!(error["sent"], "maybe", "{error}");
    assert_eq!(log.entries().len(), 1);
}

#[test]
fn refused_client_credentials_sent_nothing() {
    let mut server = mockito::Server::new();
    let token = server
        .mock("POST", TOKEN_PATH)
        .with_status(401)
        .with_body(r#"{"error":"invalid_client"}"#)
        .expect(1)
        .create();
    let outcome = Mfa::voice_oauth(&server).args(&["--json"]).run();
    let error = json_error(&outcome, 4);
    assert_eq!(error["sent"], "no", "{error}");
    token.assert();
}

#[test]
fn a_429_in_json_carries_how_long_the_api_asked_to_wait() {
    let mut server = mockito::Server::new();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_status(429)
        .with_header("Retry-After", "30")
        .with_body(r#"{"error":"too many","requestId":"r-9"}"#)
        .expect(1)
        .create();
    let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
        .args(&["--json"])
        .run();
    let error = json_error(&outcome, 6);
    assert_eq!(error["retryAfter"], 30, "{error}");
    assert_eq!(error["sent"], "no");
    assert_eq!(
        error["detail"],
        "the API is rate limiting these requests (HTTP 429): too many (requestId r-9); it asks \
         to wait 30 s before trying again; nothing was sent"
    );
    mock.assert();
}

#[test]
fn commands_that_never_send_do_not_say_they_sent_nothing() {
    let file = "[profiles.prod]\naccount_id = \"9900000\"\n";
    for args in [
        &["log"][..],
        &["config", "get", "colour"],
        &["config", "remove", "prod"],
        &["config", "use", "staging"],
        &["config", "unset", "colour"],
    ] {
        let outcome = Mfa::new().args(args).config(file).run();
        assert!(
            outcome.code == 2 || outcome.code == 3,
            "{args:?}: {outcome:?}"
        );
        assert!(
            outcome.stderr.starts_with("mfa: error: "),
            "{args:?}: {outcome:?}"
        );
        assert!(
            !outcome.stderr.contains("sent"),
            "{args:?}: {}",
            outcome.stderr
        );
        let json = Mfa::new().args(args).args(&["--json"]).config(file).run();
        let detail = json_error(&json, outcome.code)["detail"].clone();
        assert!(
            !detail.as_str().unwrap().contains("sent"),
            "{args:?}: {detail}"
        );
    }
    // A command that may send says that it did not.
    let outcome = Mfa::new().args(&["voice", "--to", "+15553334444"]).run();
    assert!(
        outcome.stderr.ends_with("; nothing was sent\n"),
        "{}",
        outcome.stderr
    );
}
