//! `--dry-run`: the exact request, credentials redacted, nothing sent, no password needed.

use crate::support::*;

#[test]
fn prints_the_request_and_sends_nothing_without_any_credentials() {
    for (command, path, body) in [
        (Mfa::voice_request(), "voice", default_voice_body()),
        (Mfa::sms_request(), "messaging", default_sms_body()),
    ] {
        let mut server = mockito::Server::new();
        let nothing = nothing_sent(&mut server);
        let base_url = format!("{}/api/v1", server.url());
        let mfa = command.args(&[
            "--dry-run",
            "--account-id",
            ACCOUNT,
            "--base-url",
            &base_url,
        ]);
        let config = mfa.default_config_path();
        // It still says what a real run would miss: all of it, in one line.
        mfa.run().assert(
            0,
            &shown_request(&format!("{base_url}/accounts/{ACCOUNT}/code/{path}"), &body),
            &format!(
                "{GUARD_WOULD_SEND}mfa: warning: a real run would fail: 2 settings are missing: the API username \
                 (pass --username, set BW_USERNAME, or add `username`) and the API password (set \
                 BW_PASSWORD, or add `password` or `password_command`); add keys to profile \
                 `default` in {}\n",
                config.display()
            ),
        );
        nothing.assert();
    }
}

#[test]
fn with_every_credential_a_dry_run_warns_of_nothing() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
        .args(&["--dry-run"])
        .run();
    assert_eq!(
        (outcome.code, outcome.stderr.as_str()),
        (0, GUARD_WOULD_SEND)
    );
    nothing.assert();
    let half = Mfa::voice_request()
        .args(&["-n", "--account-id", ACCOUNT])
        .env("BW_CLIENT_ID", CLIENT_ID)
        .run();
    assert!(
        half.stderr.contains(
            "\nmfa: warning: a real run would fail: no client secret for the client id (from \
             environment variable BW_CLIENT_ID)"
        ),
        "{}",
        half.stderr
    );
}

#[test]
fn with_a_password_set_it_is_still_redacted() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
        .args(&["-n", "--verbose"])
        .run();
    assert_eq!(
        (outcome.code, outcome.stderr.as_str()),
        (0, GUARD_WOULD_SEND)
    );
    assert!(
        outcome.stdout.contains("Authorization: Basic <redacted>\n"),
        "{}",
        outcome.stdout
    );
    nothing.assert();
}

#[test]
fn json_gives_one_object_with_the_exact_body() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let base_url = format!("{}/api/v1", server.url());
    let outcome = Mfa::voice(&base_url)
        .args(&["--dry-run", "--json", "--scope", "login"])
        .run();
    let guard: serde_json::Value = serde_json::from_str(&outcome.stderr).unwrap();
    assert_eq!(
        (
            outcome.code,
            &guard["guard"]["decision"],
            &guard["guard"]["country"]
        ),
        (0, &serde_json::json!("send"), &serde_json::json!("US"))
    );
    assert_eq!(outcome.stdout.lines().count(), 1);
    let shown: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(
        shown,
        serde_json::json!({
            "method": "POST",
            "url": format!("{base_url}/accounts/{ACCOUNT}/code/voice"),
            "headers": {
                "Accept": "application/json",
                "Authorization": "Basic <redacted>",
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
            "body": {
                "to": TO, "from": FROM, "applicationId": APP, "scope": "login",
                "message": "Your temporary {NAME} {SCOPE} code is {CODE}", "digits": 6,
            },
        })
    );
    nothing.assert();
}

#[test]
fn the_account_id_is_digits_only_so_no_other_path_can_be_built() {
    let outcome = Mfa::voice_request()
        .args(&["-n", "--account-id", "99"])
        .run();
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome
            .stdout
            .starts_with("POST https://mfa.bandwidth.com/api/v1/accounts/99/code/voice\n"),
        "{}",
        outcome.stdout
    );
    for bad in ["..", "99/00 0", "9900000/../1"] {
        Mfa::voice_request()
            .args(&["-n", "--account-id", bad])
            .run()
            .assert_error(
                2,
                &format!(
                    "invalid value '{bad}' for '--account-id <ID>': must be digits only (e.g. \
                     9900000)"
                ),
            );
    }
    Mfa::voice_request()
        .args(&["-n"])
        .env("BW_ACCOUNT_ID", "..")
        .run()
        .assert_error(
            3,
            "environment variable BW_ACCOUNT_ID is invalid (\"..\"): must be digits only",
        );
}

#[test]
fn bad_input_is_still_refused() {
    Mfa::voice_request()
        .args(&["-n", "--account-id", ACCOUNT, "--to", "+1"])
        .run()
        .assert_error(2, "invalid value '+1' for '--to <NUMBER>'");
}
