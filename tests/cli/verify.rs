//! `mfa verify`: valid (exit 0), invalid (exit 1), the code from stdin, the code never
//! shown, and every bad input refused before anything is sent.
//!
//! The harness fails any run whose output holds `CODE`.

use crate::support::*;

fn api(server: &mockito::ServerGuard) -> String {
    format!("{}/api/v1", server.url())
}

fn verify_mock(server: &mut mockito::ServerGuard, body: &str) -> mockito::Mock {
    api_mock(server, VERIFY_PATH, body)
}

/// The API answers `answer` (status 200) to the default verify body, exactly once.
fn answering(server: &mut mockito::ServerGuard, answer: &str) -> mockito::Mock {
    verify_mock(server, &default_verify_body())
        .with_header("content-type", "application/json")
        .with_body(answer)
        .expect(1)
        .create()
}

#[test]
fn a_valid_code_prints_valid_and_exits_0() {
    let mut server = mockito::Server::new();
    let mock = answering(&mut server, r#"{"valid":true}"#);
    Mfa::verify(&api(&server)).run().assert(0, "valid\n", "");
    mock.assert();
}

#[test]
fn an_invalid_code_prints_invalid_and_exits_1() {
    let mut server = mockito::Server::new();
    let mock = answering(&mut server, r#"{"valid":false}"#);
    Mfa::verify(&api(&server)).run().assert(1, "invalid\n", "");
    mock.assert();
}

#[test]
fn json_gives_the_verdict_with_the_same_exit_status() {
    for (answer, code, stdout) in [
        (r#"{"valid":true}"#, 0, "{\"valid\":true}\n"),
        (r#"{"valid":false,"extra":1}"#, 1, "{\"valid\":false}\n"),
    ] {
        let mut server = mockito::Server::new();
        let mock = answering(&mut server, answer);
        Mfa::verify(&api(&server))
            .args(&["--json"])
            .run()
            .assert(code, stdout, "");
        mock.assert();
    }
}

#[test]
fn code_dash_reads_the_code_from_stdin() {
    for stdin in [format!("{CODE}\n"), CODE.to_owned(), format!("{CODE}\r\n")] {
        let mut server = mockito::Server::new();
        let mock = answering(&mut server, r#"{"valid":true}"#);
        Mfa::verify_stdin(&api(&server), &stdin)
            .run()
            .assert(0, "valid\n", "");
        mock.assert();
    }
}

#[test]
fn stdin_that_is_not_the_code_alone_is_refused_and_nothing_is_sent() {
    for (stdin, message) in [
        ("", "--code -: stdin holds no code; nothing was sent"),
        (
            "48213967\n12345678\n",
            "--code -: stdin holds more than one line; it must hold the code alone; nothing was sent",
        ),
        (
            "4\n",
            "--code -: the code on stdin must be 2 to 8 digits (it has 1); nothing was sent",
        ),
        (
            "4821 3967\n",
            "--code -: the code on stdin must be digits (0 to 9) and nothing else; nothing was sent",
        ),
    ] {
        let mut server = mockito::Server::new();
        let nothing = nothing_sent(&mut server);
        Mfa::verify_stdin(&api(&server), stdin).run().assert(
            2,
            "",
            &format!("mfa: error: {message}\n"),
        );
        nothing.assert();
    }
}

#[test]
fn scope_and_lifetime_come_from_the_profile() {
    let mut server = mockito::Server::new();
    let body =
        format!(r#"{{"to":"{TO}","scope":"login","code":"{CODE}","expirationTimeInMinutes":10}}"#);
    let mock = verify_mock(&mut server, &body)
        .with_body(r#"{"valid":true}"#)
        .expect(1)
        .create();
    let config = format!(
        "[profiles.default]\naccount_id = \"{ACCOUNT}\"\nusername = \"{USERNAME}\"\n\
         password = \"{PASSWORD}\"\nscope = \"login\"\nexpiration_minutes = 10\n\
         base_url = \"{}\"\n",
        api(&server)
    );
    Mfa::new()
        .args(&["verify", "--to", TO, "--code", "-"])
        .stdin(CODE)
        .config(&config)
        .run()
        .assert(0, "valid\n", "");
    mock.assert();
}

#[test]
fn flags_beat_the_profile_for_scope_and_lifetime() {
    let mut server = mockito::Server::new();
    let body =
        format!(r#"{{"to":"{TO}","scope":"2FA","code":"{CODE}","expirationTimeInMinutes":15}}"#);
    let mock = verify_mock(&mut server, &body)
        .with_body(r#"{"valid":false}"#)
        .expect(1)
        .create();
    Mfa::verify(&api(&server))
        .args(&["--scope", "2FA", "--expiration", "15"])
        .config("[profiles.default]\nscope = \"login\"\nexpiration_minutes = 10\n")
        .run()
        .assert(1, "invalid\n", "");
    mock.assert();
}

#[test]
fn no_lifetime_anywhere_is_a_usage_error() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let mfa = Mfa::new()
        .args(&["verify", "--to", TO, "--code", CODE])
        .args(&["--account-id", ACCOUNT, "--username", USERNAME])
        .args(&["--base-url", &api(&server)])
        .env("BW_PASSWORD", PASSWORD);
    let config_path = mfa.default_config_path();
    mfa.run().assert(
        2,
        "",
        &format!(
            "mfa: error: no code lifetime: pass --expiration, set MFA_EXPIRATION_MINUTES, or \
             add `expiration_minutes` to profile `default` in {}; nothing was sent\n",
            config_path.display()
        ),
    );
    nothing.assert();
}

#[test]
fn a_429_exits_6_and_shows_how_long_to_wait() {
    let mut server = mockito::Server::new();
    let mock = verify_mock(&mut server, &default_verify_body())
        .with_status(429)
        .with_body(
            r#"{"error":"Too many requests. Please wait 30 seconds before trying again.","requestId":"r-429"}"#,
        )
        .expect(1)
        .create();
    Mfa::verify(&api(&server)).run().assert(
        6,
        "",
        "mfa: error: the API is rate limiting these requests (HTTP 429): Too many requests. \
         Please wait 30 seconds before trying again. (requestId r-429); nothing was sent\n",
    );
    mock.assert();
}

#[test]
fn a_429_in_json_keeps_the_apis_words_as_the_message() {
    let mut server = mockito::Server::new();
    let mock = verify_mock(&mut server, &default_verify_body())
        .with_status(429)
        .with_body(r#"{"error":"Wait 30 seconds","requestId":"r-429"}"#)
        .expect(1)
        .create();
    let outcome = Mfa::verify(&api(&server)).args(&["--json"]).run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (6, ""));
    let error: serde_json::Value = serde_json::from_str(&outcome.stderr).unwrap();
    assert_eq!(
        error,
        serde_json::json!({"error": {
            "kind": "rate_limited",
            "status": 429,
            "message": "Wait 30 seconds",
            "requestId": "r-429",
            "sent": "no",
            "detail": "the API is rate limiting these requests (HTTP 429): Wait 30 seconds \
                       (requestId r-429); nothing was sent"
        }})
    );
    mock.assert();
}

#[test]
fn a_valid_that_is_not_a_boolean_exits_9() {
    for answer in [
        r#"{"valid":"true"}"#,
        r#"{"valid":1}"#,
        r#"{"valid":null}"#,
        r#"{"verified":true}"#,
        "true",
    ] {
        let mut server = mockito::Server::new();
        let mock = answering(&mut server, answer);
        let quoted = answer.replace('"', "\\\"");
        // The API's JSON object counted the check; anything else may have.
        let did = if answer.starts_with('{') {
            "the code was checked, which counts as an attempt"
        } else {
            "the code may have been checked, which counts as an attempt"
        };
        Mfa::verify(&api(&server)).run().assert(
            9,
            "",
            &format!(
                "mfa: error: unexpected answer from the API (HTTP 200): expected JSON with a \
                 boolean \"valid\"; body: \"{quoted}\"; {did}\n"
            ),
        );
        mock.assert();
    }
}

#[test]
fn a_refused_password_exits_4() {
    let mut server = mockito::Server::new();
    let mock = verify_mock(&mut server, &default_verify_body())
        .with_status(401)
        .with_body(r#"{"message":"Unauthorized"}"#)
        .expect(1)
        .create();
    Mfa::verify(&api(&server)).run().assert_error(
        4,
        "the API refused the credentials (HTTP 401): Unauthorized; check the username",
    );
    mock.assert();
}

/// Runs the standard verify command with `extra` flags (later flags win) against a
/// server that must receive nothing; checks exit 2 and the one-line message.
#[track_caller]
fn refused(extra: &[&str], message: &str) {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    Mfa::verify(&api(&server)).args(extra).run().assert(
        2,
        "",
        &format!("mfa: error: {message}; try `mfa verify --help`; nothing was sent\n"),
    );
    nothing.assert();
}

#[test]
fn a_code_of_1_or_9_digits_is_refused_without_showing_it() {
    refused(
        &["--code", "4"],
        "invalid value for '--code <CODE>': must be 2 to 8 digits (it has 1)",
    );
    // Holds CODE: the harness fails the test if the message shows it.
    refused(
        &["--code", "482139670"],
        "invalid value for '--code <CODE>': must be 2 to 8 digits (it has 9)",
    );
}

#[test]
fn an_expiration_of_0_or_16_is_refused() {
    for bad in ["0", "16", "15.5", "0.5", "1e1", ".5"] {
        refused(
            &["--expiration", bad],
            &format!(
                "invalid value '{bad}' for '--expiration <MINUTES>': must be a number of \
                 minutes from 1 to 15 (e.g. 3 or 1.5)"
            ),
        );
    }
}

#[test]
fn an_expiration_with_a_fraction_is_sent_as_a_json_number() {
    for (given, sent) in [("1.5", "1.5"), ("3.0", "3"), ("14.75", "14.75")] {
        let mut server = mockito::Server::new();
        let body = format!(r#"{{"to":"{TO}","code":"{CODE}","expirationTimeInMinutes":{sent}}}"#);
        let mock = verify_mock(&mut server, &body)
            .with_body(r#"{"valid":true}"#)
            .expect(1)
            .create();
        Mfa::verify(&api(&server))
            .args(&["--expiration", given])
            .run()
            .assert(0, "valid\n", "");
        mock.assert();
    }
    let mut server = mockito::Server::new();
    let body = format!(r#"{{"to":"{TO}","code":"{CODE}","expirationTimeInMinutes":2.5}}"#);
    let mock = verify_mock(&mut server, &body)
        .with_body(r#"{"valid":false}"#)
        .expect(1)
        .create();
    Mfa::new()
        .args(&["verify", "--to", TO, "--code", CODE])
        .config("[profiles.default]\nexpiration_minutes = 2.5\n")
        .connected(&api(&server))
        .run()
        .assert(1, "invalid\n", "");
    mock.assert();
}

#[test]
fn a_bad_number_is_refused() {
    refused(
        &["--to", "+1555333444x"],
        "invalid value '+1555333444x' for '--to <NUMBER>': must be an E.164 number: `+`, a \
         digit 1 to 9, then 1 to 14 more digits, and nothing else (e.g. +15553334444)",
    );
}

#[test]
fn no_code_at_all_is_a_usage_error() {
    let outcome = Mfa::verify_request().args(&["--account-id", ACCOUNT]).run();
    outcome.assert_error(
        2,
        "the following required arguments were not provided: --code <CODE>",
    );
}

#[test]
fn verbose_masks_the_code() {
    let mut server = mockito::Server::new();
    let mock = answering(&mut server, r#"{"valid":true}"#);
    let outcome = Mfa::verify(&api(&server)).args(&["--verbose"]).run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, "valid\n"));
    outcome.assert_stderr_has_lines(&[
        format!("> POST {}{VERIFY_PATH}", server.url()),
        "> Authorization: Basic <redacted>".into(),
        format!(r#"> {{"to":"{TO}","code":"<redacted>","expirationTimeInMinutes":3}}"#),
        "< HTTP 200".into(),
        r#"< {"valid":true}"#.into(),
    ]);
    mock.assert();
}

#[test]
fn dry_run_masks_the_code_in_text_and_json() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let base_url = api(&server);
    Mfa::verify_request()
        .args(&["--code", CODE, "-n", "--account-id", ACCOUNT, "--username", USERNAME])
        .args(&["--base-url", &base_url, "--scope", "login"])
        .env("BW_PASSWORD", PASSWORD)
        .run()
        .assert(
            0,
            &shown_request(
                &format!("{base_url}/accounts/{ACCOUNT}/code/verify"),
                &format!(
                    r#"{{"to":"{TO}","scope":"login","code":"<redacted>","expirationTimeInMinutes":3}}"#
                ),
            ),
            "",
        );
    let outcome = Mfa::verify_request()
        .args(&[
            "--code",
            "-",
            "--dry-run",
            "--json",
            "--account-id",
            ACCOUNT,
            "--username",
            USERNAME,
        ])
        .args(&["--base-url", &base_url])
        .env("BW_PASSWORD", PASSWORD)
        .stdin(CODE)
        .run();
    assert_eq!((outcome.code, outcome.stderr.as_str()), (0, ""));
    let shown: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(
        shown["body"],
        serde_json::json!({"to": TO, "code": "<redacted>", "expirationTimeInMinutes": 3})
    );
    nothing.assert();
}

#[test]
fn a_code_of_anything_but_ascii_digits_is_refused_and_uses_up_no_attempt() {
    for bad in [
        "\u{feff}48213967",
        "4821\u{200b}3967",
        "\u{664}\u{668}\u{662}\u{661}",
        "\u{ff14}\u{ff18}\u{ff12}\u{ff11}",
        "48a13967",
        "4821-3967",
    ] {
        refused(
            &["--code", bad],
            "invalid value for '--code <CODE>': must be digits (0 to 9) and nothing else",
        );
    }
}

#[test]
fn a_code_with_whitespace_around_it_is_trimmed_and_checked() {
    let mut server = mockito::Server::new();
    let mock = verify_mock(&mut server, &default_verify_body())
        .with_body(r#"{"valid":true}"#)
        .expect(2)
        .create();
    Mfa::verify(&api(&server))
        .args(&["--code", &format!("  {CODE}\t")])
        .run()
        .assert(0, "valid\n", "");
    Mfa::verify_stdin(&api(&server), &format!(" {CODE} \r\n"))
        .run()
        .assert(0, "valid\n", "");
    mock.assert();
}

#[test]
fn what_mfa_sends_it_can_check_two_digits_with_a_warning() {
    let mut server = mockito::Server::new();
    let send_body = format!(
        r#"{{"to":"{TO}","from":"{FROM}","applicationId":"{SMS_APP}","message":"Your temporary {{NAME}} {{SCOPE}} code is {{CODE}}","digits":2}}"#
    );
    let send = api_mock(&mut server, SMS_PATH, &send_body)
        .with_body(r#"{"messageId":"m-2"}"#)
        .expect(1)
        .create();
    let check_body = format!(r#"{{"to":"{TO}","code":"42","expirationTimeInMinutes":3}}"#);
    let check = verify_mock(&mut server, &check_body)
        .with_body(r#"{"valid":true}"#)
        .expect(1)
        .create();
    Mfa::sms(&api(&server))
        .args(&["--digits", "2"])
        .run()
        .assert(
            0,
            "m-2\n",
            "mfa: warning: a code of 2 digits: Bandwidth documents 4 to 8 today, so the API may \
         refuse it\n",
        );
    Mfa::verify_request()
        .args(&["--code", "42"])
        .connected(&api(&server))
        .run()
        .assert(
            0,
            "valid\n",
            "mfa: warning: the code has 2 digits: Bandwidth documents 4 to 8 today, so the API \
             may refuse it\n",
        );
    send.assert();
    check.assert();
    // Four digits and more: no word about it.
    let mut server = mockito::Server::new();
    let quiet = verify_mock(
        &mut server,
        &format!(r#"{{"to":"{TO}","code":"4213","expirationTimeInMinutes":3}}"#),
    )
    .with_body(r#"{"valid":false}"#)
    .expect(1)
    .create();
    Mfa::verify_request()
        .args(&["--code", "4213"])
        .connected(&api(&server))
        .run()
        .assert(1, "invalid\n", "");
    quiet.assert();
}
