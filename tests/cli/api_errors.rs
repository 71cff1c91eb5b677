//! `mfa voice` sending for real: success in text and JSON, and every API error status.

use crate::support::*;

fn api(server: &mockito::ServerGuard) -> String {
    format!("{}/api/v1", server.url())
}

#[test]
fn sends_once_and_prints_the_call_id() {
    let mut server = mockito::Server::new();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_header("content-type", "application/json")
        .with_body(r#"{"callId":"c-2c7d3f3e"}"#)
        .expect(1)
        .create();
    Mfa::voice(&api(&server))
        .run()
        .assert(0, "c-2c7d3f3e\n", "");
    mock.assert();
}

#[test]
fn a_url_longer_than_the_output_buffer_is_sent_whole() {
    // The request line is longer than the 16 KiB mfa writes a head in.
    let prefix = format!("/{}", "p".repeat(20_000));
    let mut server = mockito::Server::new();
    let mock = api_mock(
        &mut server,
        &format!("{prefix}/accounts/{ACCOUNT}/code/voice"),
        &default_voice_body(),
    )
    .with_body(r#"{"callId":"c-long-url"}"#)
    .expect(1)
    .create();
    Mfa::voice(&format!("{}{prefix}", server.url()))
        .run()
        .assert(0, "c-long-url\n", "");
    mock.assert();
}

#[test]
fn json_output_is_one_object() {
    let mut server = mockito::Server::new();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1","extra":true}"#)
        .expect(1)
        .create();
    Mfa::voice(&api(&server))
        .args(&["--json"])
        .run()
        .assert(0, "{\"callId\":\"c-1\"}\n", "");
    mock.assert();
}

#[test]
fn output_json_is_the_same_as_json() {
    let mut server = mockito::Server::new();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    Mfa::voice(&api(&server))
        .args(&["-o", "json"])
        .run()
        .assert(0, "{\"callId\":\"c-1\"}\n", "");
    mock.assert();
}

#[test]
fn the_capitalised_callid_of_older_deployments_is_accepted() {
    let mut server = mockito::Server::new();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"CallId":"c-upper"}"#)
        .expect(1)
        .create();
    Mfa::voice(&api(&server)).run().assert(0, "c-upper\n", "");
    mock.assert();
}

#[test]
fn scope_digits_and_message_go_into_the_body() {
    let mut server = mockito::Server::new();
    let body = format!(
        r#"{{"to":"{TO}","from":"{FROM}","applicationId":"{APP}","scope":"login","message":"Code: {{CODE}}","digits":8}}"#
    );
    let mock = voice_mock(&mut server, &body)
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    Mfa::voice(&api(&server))
        .args(&[
            "--scope",
            "login",
            "--digits",
            "8",
            "--message",
            "Code: {CODE}",
        ])
        .run()
        .assert(0, "c-1\n", "");
    mock.assert();
}

#[test]
fn everything_can_come_from_the_environment() {
    let mut server = mockito::Server::new();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-env"}"#)
        .expect(1)
        .create();
    Mfa::new()
        .args(&["voice", "--to", TO])
        .env("BW_ACCOUNT_ID", ACCOUNT)
        .env("BW_USERNAME", USERNAME)
        .env("BW_PASSWORD", PASSWORD)
        .env("BW_NUMBER", FROM)
        .env("BW_VOICE_APPLICATION_ID", APP)
        .env("MFA_BASE_URL", &api(&server))
        .env("MFA_TIMEOUT", "5")
        .run()
        .assert(0, "c-env\n", "");
    mock.assert();
}

#[test]
fn everything_can_come_from_a_profile() {
    let mut server = mockito::Server::new();
    let body = format!(
        r#"{{"to":"{TO}","from":"{FROM}","applicationId":"{APP}","scope":"2FA","message":"Your {{NAME}} code is {{CODE}}","digits":4}}"#
    );
    let mock = voice_mock(&mut server, &body)
        .with_body(r#"{"callId":"c-file"}"#)
        .expect(1)
        .create();
    let config = format!(
        r#"
default_profile = "prod"

[profiles.prod]
account_id = "{ACCOUNT}"
username = "{USERNAME}"
password = "{PASSWORD}"
from = "{FROM}"
voice_application_id = "{APP}"
base_url = "{}"
timeout = 5
digits = 4
scope = "2FA"
message = "Your {{NAME}} code is {{CODE}}"
"#,
        api(&server)
    );
    Mfa::new()
        .args(&["voice", "--to", TO])
        .config(&config)
        .run()
        .assert(0, "c-file\n", "");
    mock.assert();
}

#[test]
fn the_flag_beats_the_environment_which_beats_the_profile() {
    let mut server = mockito::Server::new();
    let body = format!(
        r#"{{"to":"{TO}","from":"+15550000001","applicationId":"env-app","message":"Your temporary {{NAME}} {{SCOPE}} code is {{CODE}}","digits":6}}"#
    );
    let mock = voice_mock(&mut server, &body)
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let config = format!(
        "[profiles.default]\naccount_id = \"{ACCOUNT}\"\nusername = \"{USERNAME}\"\n\
         password = \"wrong-password\"\nfrom = \"+15550000009\"\nvoice_application_id = \"file-app\"\n"
    );
    Mfa::new()
        .args(&[
            "voice",
            "--to",
            TO,
            "--from",
            "+15550000001",
            "--base-url",
            &api(&server),
        ])
        .config(&config)
        .env("BW_PASSWORD", PASSWORD)
        .env("BW_NUMBER", "+15550000002")
        .env("BW_VOICE_APPLICATION_ID", "env-app")
        .run()
        .assert(0, "c-1\n", "");
    mock.assert();
}

#[test]
fn an_empty_variable_counts_as_unset() {
    let mut server = mockito::Server::new();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let config = format!("[profiles.default]\npassword = \"{PASSWORD}\"\nfrom = \"{FROM}\"\n");
    Mfa::voice(&api(&server))
        .config(&config)
        .env("BW_PASSWORD", "")
        .env("BW_NUMBER", "")
        .run()
        .assert(0, "c-1\n", "");
    mock.assert();
}

#[test]
fn verbose_logs_the_exchange_without_secrets() {
    let mut server = mockito::Server::new();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_header("content-type", "application/json")
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let outcome = Mfa::voice(&api(&server)).args(&["--verbose"]).run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, "c-1\n"));
    let url = format!("{}{VOICE_PATH}", server.url());
    outcome.assert_stderr_has_lines(&[
        format!("> POST {url}"),
        "> Authorization: Basic <redacted>".into(),
        format!("> User-Agent: {USER_AGENT}"),
        format!("> {}", default_voice_body()),
        "< HTTP 200".into(),
        "< content-type: application/json".into(),
        r#"< {"callId":"c-1"}"#.into(),
    ]);
    mock.assert();
}

/// An error answer: exits `code` with one stderr line, and the mock was called once.
#[track_caller]
fn error_answer(status: usize, body: &str, code: i32, message: &str) {
    let mut server = mockito::Server::new();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_status(status)
        .with_body(body)
        .expect(1)
        .create();
    Mfa::voice(&api(&server))
        .run()
        .assert(code, "", &format!("mfa: error: {message}\n"));
    mock.assert();
}

#[test]
fn a_400_exits_5_with_the_apis_message_and_request_id() {
    error_answer(
        400,
        r#"{"error":"to number is required","requestId":"f0a1b2c3"}"#,
        5,
        "the API rejected the request (HTTP 400): to number is required (requestId f0a1b2c3); nothing was sent",
    );
}

#[test]
fn a_401_exits_4_and_says_where_the_credentials_came_from() {
    error_answer(
        401,
        r#"{"message":"Unauthorized"}"#,
        4,
        "the API refused the credentials (HTTP 401): Unauthorized; check the username (from \
         --username) and the password (from environment variable BW_PASSWORD); nothing was sent",
    );
}

#[test]
fn a_403_with_the_older_message_casing_exits_4() {
    error_answer(
        403,
        r#"{"Message":"User is not authorized to access this resource"}"#,
        4,
        "the API refused the credentials (HTTP 403): User is not authorized to access this \
         resource; check that account 9900000 (from --account-id) is the right one and that \
         the username (from --username) may use MFA on it; the password is from environment \
         variable BW_PASSWORD; nothing was sent",
    );
}

#[test]
fn a_404_is_a_rejection_exit_5() {
    error_answer(
        404,
        "",
        5,
        "the API rejected the request (HTTP 404) with no message; nothing was sent",
    );
}

#[test]
fn a_429_exits_6() {
    error_answer(
        429,
        r#"{"error":"Too many requests","requestId":"r-429"}"#,
        6,
        "the API is rate limiting these requests (HTTP 429): Too many requests (requestId r-429); nothing was sent",
    );
}

#[test]
fn a_500_exits_7() {
    error_answer(
        500,
        r#"{"error":"Internal server error","requestId":"r-500"}"#,
        7,
        "the API failed (HTTP 500): Internal server error (requestId r-500); the code may have \
         been sent, so check before sending another",
    );
}

#[test]
fn a_502_with_an_html_page_exits_7_and_shows_its_start() {
    error_answer(
        502,
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n</html>\r\n",
        7,
        r#"the API failed (HTTP 502): "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n</html>"; the code may have been sent, so check before sending another"#,
    );
}

#[test]
fn a_200_that_is_not_json_exits_9_with_the_raw_body() {
    error_answer(
        200,
        "<html>OK</html>",
        9,
        r#"unexpected answer from the API (HTTP 200): expected JSON with a string "callId"; body: "<html>OK</html>"; the code may have been sent, so check before sending another"#,
    );
}

#[test]
fn a_200_without_a_call_id_exits_9() {
    error_answer(
        200,
        r#"{"messageId":"m-1"}"#,
        9,
        r#"unexpected answer from the API (HTTP 200): expected JSON with a string "callId"; body: "{\"messageId\":\"m-1\"}"; the API took the request, so the code was sent"#,
    );
}

#[test]
fn a_call_id_with_control_characters_is_refused_not_printed() {
    error_answer(
        200,
        "{\"callId\":\"c-1\\u001b[2J\"}",
        9,
        r#"unexpected answer from the API (HTTP 200): the "callId" is empty or holds control or invisible characters; body: "{\"callId\":\"c-1\\u001b[2J\"}"; the API took the request, so the code was sent"#,
    );
}

#[test]
fn a_redirect_is_not_followed_and_exits_9_naming_the_location() {
    let mut server = mockito::Server::new();
    let elsewhere = format!("{}/elsewhere", server.url());
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_status(307)
        .with_header("location", &elsewhere)
        .expect(1)
        .create();
    let not_followed = server.mock("POST", "/elsewhere").expect(0).create();
    Mfa::voice(&api(&server)).run().assert(
        9,
        "",
        &format!(
            "mfa: error: unexpected answer from the API (HTTP 307): a redirect to \"{elsewhere}\", \
             not followed; check the base URL; body: \"\"; the code may have been sent, so \
             check before sending another\n"
        ),
    );
    mock.assert();
    not_followed.assert();
}

#[test]
fn json_errors_are_one_object_on_stderr() {
    let mut server = mockito::Server::new();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_status(400)
        .with_body(r#"{"error":"to number is required","requestId":"f0a1"}"#)
        .expect(1)
        .create();
    let outcome = Mfa::voice(&api(&server)).args(&["--json"]).run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (5, ""));
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    let error: serde_json::Value = serde_json::from_str(&outcome.stderr).unwrap();
    assert_eq!(
        error,
        serde_json::json!({"error": {
            "kind": "rejected",
            "status": 400,
            "message": "to number is required",
            "requestId": "f0a1",
            "sent": "no",
            "detail": "the API rejected the request (HTTP 400): to number is required \
                       (requestId f0a1); nothing was sent"
        }})
    );
    mock.assert();
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    let mut server = mockito::Server::new();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let mfa = Mfa::voice(&api(&server));
    let mut command = mfa.command();
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    drop(child.stdout.take()); // like `| head -c0`: the reader is gone before the id comes
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!((output.status.code(), stderr.as_str()), (Some(0), ""));
    mock.assert();
}

#[test]
fn scope_digits_message_and_lifetime_come_from_the_environment_too() {
    let mut server = mockito::Server::new();
    let body = format!(
        r#"{{"to":"{TO}","from":"{FROM}","applicationId":"{APP}","scope":"ci","message":"Code {{CODE}}","digits":4}}"#
    );
    let send = voice_mock(&mut server, &body)
        .with_body(r#"{"callId":"c-env"}"#)
        .expect(1)
        .create();
    let verify_body =
        format!(r#"{{"to":"{TO}","scope":"ci","code":"{CODE}","expirationTimeInMinutes":2.5}}"#);
    let check = api_mock(&mut server, VERIFY_PATH, &verify_body)
        .with_body(r#"{"valid":true}"#)
        .expect(1)
        .create();
    let env = |mfa: Mfa| {
        mfa.env("MFA_SCOPE", "ci")
            .env("MFA_DIGITS", "4")
            .env("MFA_MESSAGE", "Code {CODE}")
            .env("MFA_EXPIRATION_MINUTES", "2.5")
    };
    env(Mfa::voice(&format!("{}/api/v1", server.url())))
        .run()
        .assert(0, "c-env\n", "");
    env(Mfa::new()
        .args(&["verify", "--to", TO, "--code", CODE])
        .connected(&format!("{}/api/v1", server.url())))
    .run()
    .assert(0, "valid\n", "");
    send.assert();
    check.assert();
    // A bad value names its variable.
    let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
        .env("MFA_DIGITS", "9")
        .run();
    outcome.assert_error(3, "environment variable MFA_DIGITS is invalid (\"9\"): ");
}

#[test]
fn a_ci_job_configured_by_the_environment_alone_gets_a_clean_doctor() {
    let mut server = mockito::Server::new();
    let verify = fictional_verify(&mut server)
        .with_body(r#"{"valid":false}"#)
        .expect(1)
        .create();
    let reads = doctor_reads(&mut server);
    let outcome = Mfa::new()
        .args(&["doctor"])
        .reads_at(&server)
        .env("BW_ACCOUNT_ID", ACCOUNT)
        .env("BW_USERNAME", USERNAME)
        .env("BW_PASSWORD", PASSWORD)
        .env("BW_NUMBER", FROM)
        .env("BW_VOICE_APPLICATION_ID", APP)
        .env("BW_MESSAGING_APPLICATION_ID", SMS_APP)
        .env("MFA_EXPIRATION_MINUTES", "5")
        .env("MFA_ALLOWED_COUNTRIES", "US")
        .env("MFA_BASE_URL", &format!("{}/api/v1", server.url()))
        .run();
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    assert!(
        outcome.stdout.lines().all(|line| line.starts_with("ok ")),
        "{}",
        outcome.stdout
    );
    verify.assert();
    reads.iter().for_each(mockito::Mock::assert);
}

#[test]
fn a_404_from_a_base_url_without_the_apis_path_says_to_check_it() {
    let mut server = mockito::Server::new();
    let missing = server
        .mock("POST", "/accounts/9900000/code/voice")
        .with_status(404)
        .with_body("Not Found")
        .expect(1)
        .create();
    let outcome = Mfa::voice(&server.url()).run();
    assert_eq!(outcome.code, 5, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains(&format!(
            "check the base URL {} (from --base-url): the API's paths begin with /api/v1, as in \
             https://mfa.bandwidth.com/api/v1",
            server.url()
        )),
        "{}",
        outcome.stderr
    );
    missing.assert();
    // With the API's path, a 404 is the API's own: no word on the base URL.
    let mut server = mockito::Server::new();
    let _own = server
        .mock("POST", VOICE_PATH)
        .with_status(404)
        .with_body(r#"{"message":"no such application"}"#)
        .expect(1)
        .create();
    let outcome = Mfa::voice(&api(&server)).run();
    assert_eq!(outcome.code, 5, "{}", outcome.stderr);
    assert!(!outcome.stderr.contains("base URL"), "{}", outcome.stderr);
}
