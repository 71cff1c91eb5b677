//! `mfa sms`: the same flags and rules as `voice`, its own path, its own application id.

use crate::support::*;

fn api(server: &mockito::ServerGuard) -> String {
    format!("{}/api/v1", server.url())
}

fn sms_mock(server: &mut mockito::ServerGuard, body: &str) -> mockito::Mock {
    api_mock(server, SMS_PATH, body)
}

#[test]
fn sends_once_and_prints_the_message_id() {
    let mut server = mockito::Server::new();
    let mock = sms_mock(&mut server, &default_sms_body())
        .with_header("content-type", "application/json")
        .with_body(r#"{"messageId":"m-1700000000000-abc"}"#)
        .expect(1)
        .create();
    Mfa::sms(&api(&server))
        .run()
        .assert(0, "m-1700000000000-abc\n", "");
    mock.assert();
}

#[test]
fn json_output_is_one_object_whatever_the_casing_of_the_answer() {
    let mut server = mockito::Server::new();
    let mock = sms_mock(&mut server, &default_sms_body())
        .with_body(r#"{"MessageId":"m-1","extra":true}"#)
        .expect(1)
        .create();
    Mfa::sms(&api(&server))
        .args(&["--json"])
        .run()
        .assert(0, "{\"messageId\":\"m-1\"}\n", "");
    mock.assert();
}

#[test]
fn scope_digits_and_message_go_into_the_body() {
    let mut server = mockito::Server::new();
    let body = format!(
        r#"{{"to":"{TO}","from":"{FROM}","applicationId":"{SMS_APP}","scope":"login","message":"{{NAME}}: {{CODE}}","digits":4}}"#
    );
    let mock = sms_mock(&mut server, &body)
        .with_body(r#"{"messageId":"m-1"}"#)
        .expect(1)
        .create();
    Mfa::sms(&api(&server))
        .args(&[
            "--scope",
            "login",
            "--digits",
            "4",
            "--message",
            "{NAME}: {CODE}",
        ])
        .run()
        .assert(0, "m-1\n", "");
    mock.assert();
}

#[test]
fn the_application_id_comes_from_bw_messaging_application_id() {
    let mut server = mockito::Server::new();
    let mock = sms_mock(&mut server, &default_sms_body())
        .with_body(r#"{"messageId":"m-env"}"#)
        .expect(1)
        .create();
    Mfa::new()
        .args(&["sms", "--to", TO])
        .env("BW_ACCOUNT_ID", ACCOUNT)
        .env("BW_USERNAME", USERNAME)
        .env("BW_PASSWORD", PASSWORD)
        .env("BW_NUMBER", FROM)
        .env("BW_MESSAGING_APPLICATION_ID", SMS_APP)
        .env("BW_VOICE_APPLICATION_ID", APP)
        .env("MFA_BASE_URL", &api(&server))
        .run()
        .assert(0, "m-env\n", "");
    mock.assert();
}

#[test]
fn the_application_id_comes_from_the_profiles_messaging_key() {
    let mut server = mockito::Server::new();
    let mock = sms_mock(&mut server, &default_sms_body())
        .with_body(r#"{"messageId":"m-file"}"#)
        .expect(1)
        .create();
    let config = format!(
        "[profiles.default]\naccount_id = \"{ACCOUNT}\"\nusername = \"{USERNAME}\"\n\
         password = \"{PASSWORD}\"\nfrom = \"{FROM}\"\nvoice_application_id = \"{APP}\"\n\
         messaging_application_id = \"{SMS_APP}\"\nbase_url = \"{}\"\n",
        api(&server)
    );
    Mfa::new()
        .args(&["sms", "--to", TO])
        .config(&config)
        .run()
        .assert(0, "m-file\n", "");
    mock.assert();
}

#[test]
fn the_voice_application_id_is_never_used_for_a_text_message() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let config = format!("[profiles.default]\nvoice_application_id = \"{APP}\"\n");
    let home = Mfa::new()
        .args(&["sms", "--to", TO, "--from", FROM])
        .args(&["--account-id", ACCOUNT, "--username", USERNAME])
        .args(&["--base-url", &api(&server)])
        .env("BW_PASSWORD", PASSWORD)
        .env("BW_VOICE_APPLICATION_ID", APP)
        .config(&config);
    let config_path = home.default_config_path();
    home.run().assert(
        2,
        "",
        &format!(
            "mfa: error: no messaging application id: pass --application-id, set \
             BW_MESSAGING_APPLICATION_ID, or add `messaging_application_id` to profile \
             `default` in {}; nothing was sent\n",
            config_path.display()
        ),
    );
    nothing.assert();
}

#[test]
fn verbose_logs_the_exchange_without_secrets() {
    let mut server = mockito::Server::new();
    let mock = sms_mock(&mut server, &default_sms_body())
        .with_body(r#"{"messageId":"m-1"}"#)
        .expect(1)
        .create();
    let outcome = Mfa::sms(&api(&server)).args(&["-v"]).run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, "m-1\n"));
    outcome.assert_stderr_has_lines(&[
        format!("> POST {}{SMS_PATH}", server.url()),
        "> Authorization: Basic <redacted>".into(),
        format!("> {}", default_sms_body()),
        "< HTTP 200".into(),
        r#"< {"messageId":"m-1"}"#.into(),
    ]);
    mock.assert();
}

#[test]
fn a_400_exits_5_with_the_apis_words() {
    let mut server = mockito::Server::new();
    let mock = sms_mock(&mut server, &default_sms_body())
        .with_status(400)
        .with_body(r#"{"error":"applicationId is not a messaging application","requestId":"r-1"}"#)
        .expect(1)
        .create();
    Mfa::sms(&api(&server)).run().assert(
        5,
        "",
        "mfa: error: the API rejected the request (HTTP 400): applicationId is not a messaging \
         application (requestId r-1); nothing was sent\n",
    );
    mock.assert();
}

#[test]
fn a_200_without_a_message_id_exits_9() {
    let mut server = mockito::Server::new();
    let mock = sms_mock(&mut server, &default_sms_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    Mfa::sms(&api(&server)).run().assert(
        9,
        "",
        "mfa: error: unexpected answer from the API (HTTP 200): expected JSON with a string \
         \"messageId\"; body: \"{\\\"callId\\\":\\\"c-1\\\"}\"; the API took the request, so the code \
         was sent\n",
    );
    mock.assert();
}

#[test]
fn bad_input_exits_2_and_sends_nothing() {
    for (flag, value, rule) in [
        (
            "--to",
            "5553334444",
            "must be an E.164 number: `+`, a digit 1 to 9, then 1 to 14 more digits, and \
             nothing else (e.g. +15553334444); did you mean +15553334444?",
        ),
        ("--digits", "9", "must be a whole number from 2 to 8"),
        (
            "--message",
            "no code here",
            "must contain {CODE}, where the code goes",
        ),
        (
            "--application-id",
            "",
            "must not be empty (it is 1 to 50 characters)",
        ),
    ] {
        let mut server = mockito::Server::new();
        let nothing = nothing_sent(&mut server);
        let shown_flag = match flag {
            "--to" => "--to <NUMBER>",
            "--digits" => "--digits <N>",
            "--message" => "--message <TEXT>",
            _ => "--application-id <ID>",
        };
        Mfa::sms(&api(&server)).args(&[flag, value]).run().assert(
            2,
            "",
            &format!(
                "mfa: error: invalid value '{value}' for '{shown_flag}': {rule}; try `mfa sms --help`; nothing was sent\n"
            ),
        );
        nothing.assert();
    }
}
