//! `mfa doctor`: each check in order, the first failure's exit status, the checks that
//! depend on a failed one skipped, and never a code sent: the only call it makes is a
//! verify for a fictional number in a scope of its own.

use crate::servers::{TestCa, closed_port, file_with, tls_server};
use crate::support::*;

/// The verify body the doctor sends: code 000000 for the fictional number.
const DOCTOR_BODY: &str =
    r#"{"to":"+12025550100","scope":"mfa-doctor","code":"000000","expirationTimeInMinutes":1}"#;

/// A profile with every setting, the password in it (mode 600), against `server`.
fn complete_profile(server: &mockito::ServerGuard) -> String {
    format!(
        "[profiles.default]\naccount_id = \"{ACCOUNT}\"\nusername = \"{USERNAME}\"\n\
         password = \"{PASSWORD}\"\nfrom = \"{FROM}\"\nvoice_application_id = \"{APP}\"\n\
         messaging_application_id = \"{SMS_APP}\"\nexpiration_minutes = 5\n\
         base_url = \"{}/api/v1\"\n",
        server.url()
    )
}

/// Strict mocks of the two calls that send a code: neither may be made.
fn no_code_sent(server: &mut mockito::ServerGuard) -> [mockito::Mock; 2] {
    [VOICE_PATH, SMS_PATH].map(|path| server.mock("POST", path).expect(0).create())
}

/// The doctor's verify, answered `status`, expected once.
fn doctor_verify(server: &mut mockito::ServerGuard, status: usize) -> mockito::Mock {
    api_mock(server, VERIFY_PATH, DOCTOR_BODY)
        .with_status(status)
        .with_body(if status == 200 {
            r#"{"valid":false}"#
        } else {
            r#"{"message":"Unauthorized"}"#
        })
        .expect(1)
        .create()
}

/// Each line's status and check name, as `status name`.
fn lines(outcome: &Outcome) -> Vec<String> {
    outcome
        .stdout
        .lines()
        .map(|line| {
            line.split(':')
                .next()
                .unwrap()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn every_check_passes_and_no_code_is_sent() {
    let mut server = mockito::Server::new();
    let sends = no_code_sent(&mut server);
    let verify = doctor_verify(&mut server, 200);
    let outcome = Mfa::new()
        .config(&complete_profile(&server))
        .args(&["doctor"])
        .run();
    assert_eq!(
        (outcome.code, outcome.stderr.as_str()),
        (0, ""),
        "{}",
        outcome.stdout
    );
    assert_eq!(
        lines(&outcome),
        [
            "ok config file",
            "ok voice settings",
            "ok sms settings",
            "ok verify settings",
            "ok credentials",
            "ok route",
            "ok name lookup",
            "ok connection",
            "ok API access",
        ]
    );
    assert!(
        outcome.stdout.contains(
            "ok    credentials: Basic: username api-user from key `username` of profile `default`"
        ),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome
            .stdout
            .contains("(one verify for +12025550100 in scope mfa-doctor; no call, no message)"),
        "{}",
        outcome.stdout
    );
    verify.assert();
    sends.iter().for_each(mockito::Mock::assert);
}

#[test]
fn a_wrong_password_fails_the_last_check_with_exit_4() {
    let mut server = mockito::Server::new();
    let sends = no_code_sent(&mut server);
    let refused = server
        .mock("POST", VERIFY_PATH)
        .with_status(401)
        .with_body(r#"{"message":"Unauthorized"}"#)
        .expect(1)
        .create();
    let outcome = Mfa::new()
        .config(&complete_profile(&server))
        .env("BW_PASSWORD", "not-the-password")
        .args(&["doctor"])
        .run();
    assert_eq!(outcome.code, 4, "{}", outcome.stdout);
    let last = outcome.stdout.lines().last().unwrap();
    assert!(
        last.starts_with("fail  API access: the API refused the credentials (HTTP 401)"),
        "{last}"
    );
    assert!(last.contains("environment variable BW_PASSWORD"), "{last}");
    refused.assert();
    sends.iter().for_each(mockito::Mock::assert);
}

#[test]
fn with_no_config_and_no_settings_the_settings_fail_with_exit_3_and_nothing_is_called() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let outcome = Mfa::new().args(&["doctor"]).run();
    assert_eq!(outcome.code, 3, "{}", outcome.stdout);
    let shown = lines(&outcome);
    assert_eq!(shown[0], "ok config file");
    assert_eq!(shown[1], "fail voice settings");
    assert!(
        outcome.stdout.contains("(not found, the default)"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("no account id: pass --account-id"),
        "{}",
        outcome.stdout
    );
    // The credentials are checked still; nothing that needs the account is tried.
    assert_eq!(shown[4], "fail credentials");
    assert_eq!(shown.len(), 5, "{}", outcome.stdout);
    nothing.assert();
}

#[test]
fn a_config_file_others_can_read_is_a_warning_not_a_failure() {
    let mut server = mockito::Server::new();
    let verify = doctor_verify(&mut server, 200);
    let outcome = Mfa::new()
        .config_with_mode(&complete_profile(&server), 0o644)
        .args(&["doctor"])
        .run();
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    let first = outcome.stdout.lines().next().unwrap();
    assert!(first.starts_with("warn  config file: "), "{first}");
    assert!(first.contains("chmod 600"), "{first}");
    verify.assert();
}

#[test]
fn an_unreachable_host_fails_the_connection_with_exit_8_and_stops_there() {
    let port = closed_port();
    let outcome = Mfa::new()
        .args(&["doctor", "--account-id", ACCOUNT, "--username", USERNAME])
        .args(&["--base-url", &format!("http://127.0.0.1:{port}/api/v1")])
        .env("BW_PASSWORD", PASSWORD)
        .run();
    assert_eq!(outcome.code, 8, "{}", outcome.stdout);
    let last = outcome.stdout.lines().last().unwrap();
    assert_eq!(
        last,
        format!("fail  connection: 127.0.0.1:{port}: connection refused")
    );
}

#[test]
fn refused_client_credentials_fail_the_token_check_with_exit_4() {
    let mut server = mockito::Server::new();
    let sends = no_code_sent(&mut server);
    let token = server
        .mock("POST", TOKEN_PATH)
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(r#"{"error":"invalid_client"}"#)
        .expect(1)
        .create();
    let verify = server.mock("POST", VERIFY_PATH).expect(0).create();
    let outcome = Mfa::new()
        .args(&["doctor", "--account-id", ACCOUNT])
        .args(&["--base-url", &format!("{}/api/v1", server.url())])
        .env("BW_CLIENT_ID", CLIENT_ID)
        .env("BW_CLIENT_SECRET", CLIENT_SECRET)
        .env("MFA_TOKEN_URL", &format!("{}{TOKEN_PATH}", server.url()))
        .run();
    assert_eq!(outcome.code, 4, "{}", outcome.stdout);
    assert!(
        outcome.stdout.contains("ok    credentials: OAuth2: client id client-9f8e7d from environment variable BW_CLIENT_ID"),
        "{}",
        outcome.stdout
    );
    assert_eq!(lines(&outcome).last().unwrap(), "fail token");
    token.assert();
    verify.assert();
    sends.iter().for_each(mockito::Mock::assert);
}

#[test]
fn json_is_one_object_with_every_check() {
    let mut server = mockito::Server::new();
    let own_number = DOCTOR_BODY.replace("+12025550100", TO);
    let verify = api_mock(&mut server, VERIFY_PATH, &own_number)
        .with_body(r#"{"valid":false}"#)
        .expect(1)
        .create();
    let outcome = Mfa::new()
        .config(&complete_profile(&server))
        .args(&["doctor", "--json", "--to", TO])
        .run();
    assert_eq!((outcome.code, outcome.stderr.as_str()), (0, ""));
    let report: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(report["ok"], true);
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 9);
    assert_eq!(checks[0]["name"], "config file");
    assert_eq!(checks[8]["status"], "ok");
    assert!(
        checks[8]["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("one verify for {TO}"))
    );
    // --to checks against the user's own number instead of the fictional one.
    assert!(!outcome.stdout.contains("+12025550100"));
    verify.assert();
}

#[test]
fn a_server_from_an_unknown_ca_fails_the_api_check_with_exit_8_and_a_ca_file_fixes_it() {
    let ca = TestCa::new();
    let (port, log) = tls_server(ca.issue(&["localhost"]), r#"{"valid":false}"#);
    let doctor = || {
        Mfa::new()
            .args(&["doctor", "--account-id", ACCOUNT, "--username", USERNAME])
            .args(&["--base-url", &format!("https://localhost:{port}/api/v1")])
            .env("BW_PASSWORD", PASSWORD)
    };
    let outcome = doctor().run();
    assert_eq!(outcome.code, 8, "{}", outcome.stdout);
    let last = outcome.stdout.lines().last().unwrap();
    assert!(last.starts_with("fail  API access: "), "{last}");
    assert!(
        last.contains("not signed by a trusted CA (unknown issuer)"),
        "{last}"
    );
    // The connection check's bare connection, then the refused handshake: no request.
    assert_eq!(log.entries(), ["handshake failed", "handshake failed"]);
    let (_folder, ca_file) = file_with(&ca.pem(), "ca.pem");
    let outcome = doctor()
        .args(&["--ca-file", ca_file.to_str().unwrap()])
        .run();
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    let requests = log.entries();
    let verify = requests.last().unwrap();
    assert!(
        verify.starts_with(&format!("POST {VERIFY_PATH} ")),
        "{requests:?}"
    );
    assert!(verify.ends_with(DOCTOR_BODY), "{requests:?}");
    assert_eq!(
        requests.len(),
        4,
        "one bare connection and one request: {requests:?}"
    );
}
