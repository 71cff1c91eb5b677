//! `mfa doctor`: each check in order, the first failure's exit status, the checks that
//! depend on a failed one skipped, and never a code sent: the only call it makes is a
//! verify for a fictional number in a scope of its own.

use crate::servers::{ProxyMode, TestCa, closed_port, file_with, forward_proxy, tls_server};
use crate::support::*;

/// The verify body the doctor sends for `to`: code 000000 in its own scope.
fn doctor_body(to: &str) -> String {
    format!(r#"{{"to":"{to}","scope":"mfa-doctor","code":"000000","expirationTimeInMinutes":1}}"#)
}

/// A profile with every setting, the password in it (mode 600), against `server`.
fn complete_profile(server: &mockito::ServerGuard) -> String {
    format!(
        "[profiles.default]\naccount_id = \"{ACCOUNT}\"\nusername = \"{USERNAME}\"\n\
         password = \"{PASSWORD}\"\nfrom = \"{FROM}\"\nvoice_application_id = \"{APP}\"\n\
         messaging_application_id = \"{SMS_APP}\"\nexpiration_minutes = 5\n\
         allowed_countries = \"US,CA\"\nbase_url = \"{}/api/v1\"\n",
        server.url()
    )
}

/// Strict mocks of the two calls that send a code: neither may be made.
fn no_code_sent(server: &mut mockito::ServerGuard) -> [mockito::Mock; 2] {
    [VOICE_PATH, SMS_PATH].map(|path| server.mock("POST", path).expect(0).create())
}

/// The doctor's verify, answered `status`, expected once.
fn doctor_verify(server: &mut mockito::ServerGuard, status: usize) -> mockito::Mock {
    fictional_verify(server)
        .with_status(status)
        .with_body(if status == 200 {
            r#"{"valid":false}"#
        } else {
            r#"{"message":"Unauthorized"}"#
        })
        .expect(1)
        .create()
}

/// The doctor with settings from flags and BW_PASSWORD, against `base_url`.
fn doctor_of(base_url: &str) -> Mfa {
    Mfa::new()
        .args(&["doctor", "--account-id", ACCOUNT, "--username", USERNAME])
        .args(&["--base-url", base_url])
        .env("BW_PASSWORD", PASSWORD)
}

/// The doctor against the TLS test server on `port`, trusting the CA in `ca_file`.
fn doctor_over_tls(port: u16, ca_file: &std::path::Path) -> Mfa {
    doctor_of(&format!("https://localhost:{port}/api/v1"))
        .args(&["--ca-file", ca_file.to_str().unwrap()])
}

/// The line of the check of the credentials.
fn api_access(outcome: &Outcome) -> &str {
    let found = outcome
        .stdout
        .lines()
        .find(|line| line.contains("API access: "));
    found.expect("an API access line")
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
    let reads = doctor_reads(&mut server);
    let outcome = Mfa::new()
        .config(&complete_profile(&server))
        .args(&["doctor"])
        .reads_at(&server)
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
            "ok countries",
            "ok number types",
            "ok guard",
            "ok credentials",
            "ok route",
            "ok name lookup",
            "ok connection",
            "ok API access",
            "ok call state",
            "ok message status",
            "ok voice application",
            "ok sms application",
        ]
    );
    let host = server.host_with_port();
    for line in [
        format!(
            "ok    call state: the credentials can read call state at {host} (an id that does \
             not exist: 404; nothing sent)"
        ),
        format!(
            "ok    message status: the credentials can read message status at {host} (the \
             lookup was answered; nothing sent)"
        ),
        format!("ok    voice application: {APP} (Codes): Voice-V2, one location"),
        format!("ok    sms application: {SMS_APP} (Codes): Messaging-V2, one location"),
    ] {
        assert!(
            outcome.stdout.lines().any(|shown| shown == line),
            "{line}\n{}",
            outcome.stdout
        );
    }
    reads.iter().for_each(mockito::Mock::assert);
    assert!(
        outcome.stdout.contains(
            "ok    voice settings: complete: `account_id`, `from`, `voice_application_id` from \
             the profile\n"
        ),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains(
            "ok    credentials: Basic: username api-user from key `username` of profile `default`"
        ),
        "{}",
        outcome.stdout
    );
    let access = api_access(&outcome);
    assert!(access.starts_with("ok    API access: "), "{access}");
    assert!(
        access.contains("(one verify for +120255501")
            && access.ends_with(" in scope mfa-doctor; no call, no message)"),
        "{access}"
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
fn a_failing_api_says_no_code_was_sent_not_that_one_was_checked() {
    let mut server = mockito::Server::new();
    let sends = no_code_sent(&mut server);
    let failing = doctor_verify(&mut server, 503);
    let outcome = Mfa::new()
        .config(&complete_profile(&server))
        .args(&["doctor"])
        .run();
    assert_eq!(outcome.code, 7, "{}", outcome.stdout);
    let last = outcome.stdout.lines().last().unwrap();
    assert!(
        last.starts_with("fail  API access: the API failed (HTTP 503)")
            && last.ends_with("; no code was sent"),
        "{last}"
    );
    assert!(!last.contains("checked"), "{last}");
    failing.assert();
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
    // The guard and the credentials are checked still; nothing that needs the account
    // is tried.
    assert_eq!(
        shown[4..7],
        ["warn countries", "ok number types", "ok guard"]
    );
    assert_eq!(shown[7], "fail credentials");
    assert_eq!(shown.len(), 8, "{}", outcome.stdout);
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
    let outcome = doctor_of(&format!("http://127.0.0.1:{port}/api/v1")).run();
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
    let verify = api_mock(&mut server, VERIFY_PATH, &doctor_body(TO))
        .with_body(r#"{"valid":false}"#)
        .expect(1)
        .create();
    let reads = doctor_reads(&mut server);
    let outcome = Mfa::new()
        .config(&complete_profile(&server))
        .args(&["doctor", "--json", "--to", TO])
        .reads_at(&server)
        .run();
    assert_eq!((outcome.code, outcome.stderr.as_str()), (0, ""));
    let report: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(report["ok"], true);
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 16);
    assert_eq!(checks[15]["name"], "sms application");
    assert_eq!(checks[15]["status"], "ok");
    reads.iter().for_each(mockito::Mock::assert);
    assert_eq!(checks[0]["name"], "config file");
    assert_eq!(checks[11]["status"], "ok");
    assert!(
        checks[11]["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("one verify for {TO}"))
    );
    // --to checks against the user's own number instead of the fictional one.
    assert!(!outcome.stdout.contains("+120255501"));
    verify.assert();
}

#[test]
fn a_server_from_an_unknown_ca_fails_the_tls_check_with_exit_8_and_a_ca_file_fixes_it() {
    let ca = TestCa::new();
    let (port, log) = tls_server(ca.issue(&["localhost"]), r#"{"valid":false}"#);
    let base_url = format!("https://localhost:{port}/api/v1");
    let outcome = doctor_of(&base_url).run();
    assert_eq!(outcome.code, 8, "{}", outcome.stdout);
    let shown = lines(&outcome);
    assert_eq!(shown[shown.len() - 2..], ["ok connection", "fail TLS"]);
    let last = outcome.stdout.lines().last().unwrap();
    assert!(
        last.ends_with(
            "the server's certificate is not signed by a trusted CA (unknown issuer); \
             nothing was sent"
        ),
        "{last}"
    );
    // The connection check's bare connection, then the refused handshake: no request.
    assert_eq!(
        log.entries_once(2),
        ["handshake failed", "handshake failed"]
    );
    let (_folder, ca_file) = file_with(&ca.pem(), "ca.pem");
    let outcome = doctor_over_tls(port, &ca_file).run();
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    let shown = lines(&outcome);
    let access = shown.iter().position(|line| line == "ok API access");
    let access = access.expect("an API access line");
    assert_eq!(
        shown[access - 2..=access],
        ["ok connection", "ok TLS", "ok API access"]
    );
    let tls = outcome
        .stdout
        .lines()
        .find(|line| line.contains("TLS:"))
        .unwrap();
    let issuer = ca.common_name();
    assert!(
        tls.starts_with(&format!(
            "ok    TLS: localhost: TLS 1.3, certificate issued by {issuer} (trusted through the \
             built-in roots and the CA file), expires in "
        )),
        "{tls}"
    );
    let requests = log.entries();
    let verify = requests.last().unwrap();
    assert!(
        verify.starts_with(&format!("POST {VERIFY_PATH} ")),
        "{requests:?}"
    );
    let body = verify.rsplit("\r\n").next().unwrap();
    assert!(
        body.starts_with(r#"{"to":"+120255501"#)
            && body.ends_with(
                r#"","scope":"mfa-doctor","code":"000000","expirationTimeInMinutes":1}"#
            ),
        "{requests:?}"
    );
    assert_eq!(
        requests.len(),
        4,
        "one bare connection and one request: {requests:?}"
    );
}

#[test]
fn a_certificate_with_less_than_two_weeks_left_is_a_warning() {
    let ca = TestCa::new();
    let (port, _log) = tls_server(
        ca.issue_expiring_in(&["localhost"], 13),
        r#"{"valid":false}"#,
    );
    let (_folder, ca_file) = file_with(&ca.pem(), "ca.pem");
    let outcome = doctor_over_tls(port, &ca_file).run();
    assert_eq!(outcome.code, 0, "warnings do not fail: {}", outcome.stdout);
    let tls = outcome
        .stdout
        .lines()
        .find(|line| line.contains("TLS:"))
        .unwrap();
    assert!(
        tls.starts_with("warn  TLS: localhost: TLS 1.3, certificate issued by "),
        "{tls}"
    );
    assert!(
        tls.ends_with(", expires in 13 days: renew it soon"),
        "{tls}"
    );
}

#[test]
fn an_expired_certificate_fails_the_tls_check_with_exit_8() {
    let ca = TestCa::new();
    let (port, log) = tls_server(ca.issue_expired(&["localhost"]), r#"{"valid":false}"#);
    let (_folder, ca_file) = file_with(&ca.pem(), "ca.pem");
    let outcome = doctor_over_tls(port, &ca_file).run();
    assert_eq!(outcome.code, 8, "{}", outcome.stdout);
    let last = outcome.stdout.lines().last().unwrap();
    assert!(last.starts_with("fail  TLS: "), "{last}");
    assert!(last.contains("has expired"), "{last}");
    assert_eq!(
        log.entries_once(2),
        ["handshake failed", "handshake failed"]
    );
}

#[test]
fn through_a_proxy_the_route_names_it_and_the_tls_check_is_the_apis_own() {
    let ca = TestCa::new();
    let (port, log) = tls_server(ca.issue(&["localhost"]), r#"{"valid":false}"#);
    let (proxy_port, proxy) = forward_proxy(ProxyMode::Tunnel);
    let (_folder, ca_file) = file_with(&ca.pem(), "ca.pem");
    let outcome = doctor_over_tls(port, &ca_file)
        .env("HTTPS_PROXY", &format!("http://127.0.0.1:{proxy_port}"))
        .run();
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    assert!(
        outcome
            .stdout
            .contains(&format!("through the proxy http://127.0.0.1:{proxy_port}")),
        "{}",
        outcome.stdout
    );
    let tls = outcome.stdout.lines().find(|line| line.contains("TLS:"));
    assert!(
        tls.is_some_and(|tls| tls.starts_with("ok    TLS: localhost: TLS 1.3, ")),
        "{}",
        outcome.stdout
    );
    // The connection check reached the proxy; the one tunnel carried the verify.
    assert_eq!(proxy.entries().len(), 1, "{:?}", proxy.entries());
    assert_eq!(log.entries().len(), 1, "{:?}", log.entries());
}

#[test]
fn a_name_that_cannot_be_looked_up_fails_with_exit_8_and_stops_there() {
    // A label of 64 characters: refused by the resolver itself, before any query.
    let host = format!("{}.example", "a".repeat(64));
    let outcome = doctor_of(&format!("https://{host}/api/v1")).run();
    assert_eq!(outcome.code, 8, "{}", outcome.stdout);
    assert_eq!(
        outcome.stdout.lines().last().unwrap(),
        format!("fail  name lookup: {host}: name not found")
    );
}

/// A profile whose password comes from `command` instead of the file.
fn profile_with_password_command(server: &mockito::ServerGuard, command: &str) -> String {
    complete_profile(server).replace(
        &format!("password = \"{PASSWORD}\"\n"),
        &format!("password_command = \"{command}\"\n"),
    )
}

#[test]
fn a_password_command_is_run_and_its_output_never_shown() {
    let mut server = mockito::Server::new();
    let verify = doctor_verify(&mut server, 200);
    let outcome = Mfa::new()
        .config(&profile_with_password_command(
            &server,
            &format!("printf {PASSWORD}"),
        ))
        .args(&["doctor"])
        .run();
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    assert!(
        outcome.stdout.contains(
            "ok    credentials: Basic: username api-user from key `username` of profile \
             `default` in "
        ),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains(
            "password from the password_command (key `password_command` of profile \
             `default` in "
        ),
        "{}",
        outcome.stdout
    );
    assert!(!outcome.stdout.contains(PASSWORD) && !outcome.stderr.contains(PASSWORD));
    verify.assert();
}

#[test]
fn a_failing_password_command_fails_the_credentials_with_exit_3_and_calls_nothing() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let outcome = Mfa::new()
        .config(&profile_with_password_command(
            &server,
            &format!("echo {PASSWORD}; exit 1"),
        ))
        .args(&["doctor"])
        .run();
    assert_eq!(outcome.code, 3, "{}", outcome.stdout);
    let shown = lines(&outcome);
    assert!(shown.contains(&"fail credentials".to_string()), "{shown:?}");
    assert!(
        outcome.stdout.contains("failed (exit status 1)"),
        "{}",
        outcome.stdout
    );
    // The route is still checked; the calls that need credentials are not made.
    assert!(
        !shown.iter().any(|line| line.ends_with("API access")),
        "{shown:?}"
    );
    assert!(!outcome.stdout.contains(PASSWORD) && !outcome.stderr.contains(PASSWORD));
    nothing.assert();
}

#[test]
fn each_run_checks_a_fictional_number_picked_at_random() {
    // The API rate-limits verifies for one number: a CI job running the doctor on every
    // build must not ask about the same one each time.
    let mut server = mockito::Server::new();
    let verify = fictional_verify(&mut server)
        .with_body(r#"{"valid":false}"#)
        .expect(12)
        .create();
    let mut numbers = std::collections::BTreeSet::new();
    for _ in 0..12 {
        let outcome = doctor_of(&format!("{}/api/v1", server.url())).run();
        assert_eq!(outcome.code, 0, "{}", outcome.stdout);
        let access = api_access(&outcome);
        let number = access
            .split("one verify for ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap();
        assert!(
            number.starts_with("+120255501") && number.len() == 12,
            "{access}"
        );
        numbers.insert(number.to_owned());
    }
    // Twelve picks of a hundred, all alike: one chance in 10^22.
    assert!(numbers.len() > 1, "{numbers:?}");
    verify.assert();
}

#[test]
fn a_rate_limited_credential_check_is_a_warning_not_a_failure() {
    for (retry_after, wait) in [(Some("42"), "42 s"), (None, "about 30 s")] {
        let mut server = mockito::Server::new();
        let mut mock = fictional_verify(&mut server)
            .with_status(429)
            .with_body(r#"{"error":"Too many requests","requestId":"r-429"}"#);
        if let Some(seconds) = retry_after {
            mock = mock.with_header("retry-after", seconds);
        }
        let verify = mock.expect(1).create();
        let outcome = doctor_of(&format!("{}/api/v1", server.url())).run();
        assert_eq!(outcome.code, 0, "{}", outcome.stdout);
        assert_eq!(
            api_access(&outcome),
            format!(
                "warn  API access: rate limited (HTTP 429): credentials not confirmed; try \
                 again in {wait}"
            )
        );
        verify.assert();
    }
}

#[test]
fn a_key_named_from_reads_as_a_key_not_from_from() {
    let outcome = Mfa::new()
        .args(&[
            "doctor",
            "--account-id",
            ACCOUNT,
            "--base-url",
            "http://127.0.0.1:1/api",
        ])
        .env("BW_NUMBER", FROM)
        .env("BW_VOICE_APPLICATION_ID", APP)
        .run();
    assert!(
        outcome.stdout.contains(
            "ok    voice settings: complete: `account_id` from --account-id; `from` from \
             environment variable BW_NUMBER; `voice_application_id` from environment variable \
             BW_VOICE_APPLICATION_ID\n"
        ),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains(
            "warn  verify settings: missing `expiration_minutes` (a flag can still give it)\n"
        ),
        "{}",
        outcome.stdout
    );
}

/// A GET at `path` of `server`, answered `status` with `body`, expected once.
fn read(server: &mut mockito::ServerGuard, path: &str, status: usize, body: &str) -> mockito::Mock {
    server
        .mock("GET", path)
        .match_query(mockito::Matcher::Any)
        .with_status(status)
        .with_body(body)
        .expect(1)
        .create()
}

/// The doctor with the complete profile, its reads at `server`, and its lines.
fn doctor_reading(server: &mut mockito::ServerGuard) -> Outcome {
    let _verify = doctor_verify(server, 200);
    Mfa::new()
        .config(&complete_profile(server))
        .args(&["doctor"])
        .reads_at(server)
        .run()
}

/// The line of the check `name`.
fn line_of<'a>(outcome: &'a Outcome, name: &str) -> &'a str {
    let found = outcome
        .stdout
        .lines()
        .find(|line| line[6..].starts_with(&format!("{name}: ")));
    found.unwrap_or_else(|| panic!("no {name} line in\n{}", outcome.stdout))
}

const APPLICATIONS: &str = "/dashboard/accounts/9900000/applications";

#[test]
fn reads_the_credentials_may_not_make_are_warnings_naming_what_is_lacking() {
    let mut server = mockito::Server::new();
    let host = server.host_with_port();
    let sends = no_code_sent(&mut server);
    let refused = r#"{"type":"forbidden","description":"Access denied"}"#;
    let mocks = [
        read(
            &mut server,
            "/voice/accounts/9900000/calls/c-mfa-doctor-no-such-call",
            403,
            refused,
        ),
        read(
            &mut server,
            "/messaging/users/9900000/messages",
            401,
            refused,
        ),
        read(&mut server, &format!("{APPLICATIONS}/{APP}"), 403, "<x/>"),
        read(
            &mut server,
            &format!("{APPLICATIONS}/{SMS_APP}"),
            401,
            "<x/>",
        ),
    ];
    let outcome = doctor_reading(&mut server);
    assert_eq!(outcome.code, 0, "warnings only: {}", outcome.stdout);
    for (name, line) in [
        (
            "call state",
            format!(
                "warn  call state: HTTP 403 from {host}: the API user lacks the Voice role, so \
                 `mfa status` and `--wait` cannot see calls"
            ),
        ),
        (
            "message status",
            format!(
                "warn  message status: HTTP 401 from {host}: the API user lacks the Messaging \
                 role, so `mfa status` and `--wait` cannot see messages"
            ),
        ),
        (
            "voice application",
            format!(
                "warn  voice application: {APP} not checked: the credentials may not read the \
                 Dashboard API at {host} (HTTP 403)"
            ),
        ),
        (
            "sms application",
            format!(
                "warn  sms application: {SMS_APP} not checked: the credentials may not read the \
                 Dashboard API at {host} (HTTP 401)"
            ),
        ),
    ] {
        assert_eq!(line_of(&outcome, name), line);
    }
    mocks.iter().for_each(mockito::Mock::assert);
    sends.iter().for_each(mockito::Mock::assert);
}

#[test]
fn an_application_the_account_lacks_or_of_the_wrong_kind_fails_with_exit_3() {
    let voice = "<ApplicationProvisioningResponse><Application><ServiceType>Voice-V2\
                 </ServiceType></Application></ApplicationProvisioningResponse>";
    let mut server = mockito::Server::new();
    let host = server.host_with_port();
    let mocks = [
        read(&mut server, &format!("{APPLICATIONS}/{APP}"), 404, "<x/>"),
        // The messaging id names a voice application: its locations are not asked.
        read(
            &mut server,
            &format!("{APPLICATIONS}/{SMS_APP}"),
            200,
            voice,
        ),
    ];
    let outcome = doctor_reading(&mut server);
    assert_eq!(outcome.code, 3, "{}", outcome.stdout);
    assert_eq!(
        line_of(&outcome, "voice application"),
        format!(
            "fail  voice application: {APP} is not an application of this account ({host} \
             answered 404): every voice send through it will be refused"
        )
    );
    assert_eq!(
        line_of(&outcome, "sms application"),
        format!(
            "fail  sms application: {SMS_APP} is a Voice-V2 application, not a Messaging-V2 \
             one: every messaging send through it will be refused"
        )
    );
    mocks.iter().for_each(mockito::Mock::assert);
}

#[test]
fn an_application_with_no_location_is_a_warning_and_texts_through_it_vanish() {
    let of_kind = |kind: &str| {
        format!(
            "<ApplicationProvisioningResponse><Application><ServiceType>{kind}</ServiceType>\
             </Application></ApplicationProvisioningResponse>"
        )
    };
    let nowhere = "<AssociatedSipPeersResponse><AssociatedSipPeers/></AssociatedSipPeersResponse>";
    let mut server = mockito::Server::new();
    let mocks = [
        read(
            &mut server,
            &format!("{APPLICATIONS}/{APP}"),
            200,
            &of_kind("Voice-V2"),
        ),
        read(
            &mut server,
            &format!("{APPLICATIONS}/{APP}/associatedsippeers"),
            200,
            nowhere,
        ),
        read(
            &mut server,
            &format!("{APPLICATIONS}/{SMS_APP}"),
            200,
            &of_kind("Messaging-V2"),
        ),
        read(
            &mut server,
            &format!("{APPLICATIONS}/{SMS_APP}/associatedsippeers"),
            200,
            nowhere,
        ),
    ];
    let outcome = doctor_reading(&mut server);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    assert_eq!(
        line_of(&outcome, "sms application"),
        format!(
            "warn  sms application: {SMS_APP} is associated with no location: messages sent \
             through it will silently vanish; associate it with one in the Bandwidth App"
        )
    );
    assert_eq!(
        line_of(&outcome, "voice application"),
        format!(
            "warn  voice application: {APP} is associated with no location: calls may not be \
             placed unless the account routes them another way"
        )
    );
    mocks.iter().for_each(mockito::Mock::assert);
}

#[test]
fn a_read_that_gets_no_answer_is_a_warning_and_the_run_still_passes() {
    // Every read goes to a port where nobody listens (the tests' default).
    let mut server = mockito::Server::new();
    let _verify = doctor_verify(&mut server, 200);
    let outcome = Mfa::new()
        .config(&complete_profile(&server))
        .args(&["doctor"])
        .run();
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    for name in ["call state", "message status"] {
        let line = line_of(&outcome, name);
        assert!(
            line.starts_with(&format!("warn  {name}: could not check: ")),
            "{line}"
        );
        assert!(line.contains("connection refused"), "{line}");
    }
    let line = line_of(&outcome, "voice application");
    assert!(
        line.starts_with(&format!(
            "warn  voice application: {APP} not checked: could not check: "
        )),
        "{line}"
    );
}

#[test]
fn the_guard_line_says_the_limits_and_where_they_are_counted_or_why_not() {
    let mut server = mockito::Server::new();
    let _verify = fictional_verify(&mut server)
        .with_body(r#"{"valid":false}"#)
        .expect(3)
        .create();
    let base = format!("{}/api/v1", server.url());
    let home = Mfa::new();
    let counted = home
        .again(&[
            "doctor",
            "--account-id",
            ACCOUNT,
            "--username",
            USERNAME,
            "--base-url",
            &base,
        ])
        .env("BW_PASSWORD", PASSWORD)
        .env("MFA_MAX_CODES_PER_HOUR", "20")
        .run();
    let record = home.home().join(".local/state/mfa/sent");
    assert_eq!(
        line_of(&counted, "guard"),
        format!(
            "ok    guard: 5/10m to one number, 20 in all an hour; counted in {}",
            record.display()
        )
    );
    assert!(!record.exists(), "the doctor counts nothing");
    let off = doctor_of(&base)
        .env("MFA_MAX_CODES_PER_NUMBER", "off")
        .run();
    assert_eq!(
        line_of(&off, "guard"),
        "warn  guard: off: no limit on the codes sent (max_codes_per_number and \
         max_codes_per_hour are off)"
    );
    let blocked = Mfa::new();
    std::fs::write(blocked.home().join(".local"), "in the way").unwrap();
    let uncounted = blocked
        .again(&[
            "doctor",
            "--account-id",
            ACCOUNT,
            "--username",
            USERNAME,
            "--base-url",
            &base,
        ])
        .env("BW_PASSWORD", PASSWORD)
        .run();
    let line = line_of(&uncounted, "guard");
    assert!(
        line.starts_with(
            "warn  guard: 5/10m to one number, no limit in all an hour, but they \
                          cannot be counted: "
        ) && line.ends_with("; each code goes uncounted"),
        "{line}"
    );
    assert_eq!((counted.code, off.code, uncounted.code), (0, 0, 0));
}

#[test]
fn the_doctor_lists_the_countries_and_number_types_and_warns_while_every_country_may() {
    let mut server = mockito::Server::new();
    let _verify = fictional_verify(&mut server)
        .with_body(r#"{"valid":false}"#)
        .expect(5)
        .create();
    let base = format!("{}/api/v1", server.url());
    let run = |env: &[(&str, &str)]| {
        let mut mfa = doctor_of(&base);
        for (name, value) in env {
            mfa = mfa.env(name, value);
        }
        mfa.run()
    };
    let unset = run(&[]);
    assert_eq!(
        line_of(&unset, "countries"),
        "warn  countries: every one: allowed_countries is unset, so a code may go to any \
         country, those the business never serves included; set it to the countries served \
         (`mfa config set allowed_countries US,CA`), or to any"
    );
    assert_eq!(
        line_of(&unset, "number types"),
        "ok    number types: premium-rate,shared-cost refused"
    );
    let listed = run(&[
        ("MFA_ALLOWED_COUNTRIES", "us, CA"),
        ("MFA_REFUSED_NUMBER_TYPES", "voip,premium-rate"),
    ]);
    assert_eq!(line_of(&listed, "countries"), "ok    countries: US,CA");
    assert_eq!(
        line_of(&listed, "number types"),
        "ok    number types: voip,premium-rate refused"
    );
    let open = run(&[
        ("MFA_ALLOWED_COUNTRIES", "any"),
        ("MFA_REFUSED_NUMBER_TYPES", "none"),
    ]);
    assert_eq!(
        line_of(&open, "countries"),
        "ok    countries: every one (allowed_countries is any)"
    );
    assert_eq!(
        line_of(&open, "number types"),
        "warn  number types: none refused: codes may go to premium-rate and shared-cost \
         numbers (refused_number_types is none)"
    );
    assert_eq!((unset.code, listed.code, open.code), (0, 0, 0));
    // Where every send would be refused, the guard's line fails.
    let blocked = Mfa::new();
    std::fs::write(blocked.home().join(".local"), "in the way").unwrap();
    let refusing = blocked
        .again(&["doctor", "--account-id", ACCOUNT, "--username", USERNAME])
        .args(&["--base-url", &base])
        .env("BW_PASSWORD", PASSWORD)
        .env("MFA_UNCOUNTED_SENDS", "refuse")
        .run();
    let line = line_of(&refusing, "guard");
    assert!(
        line.starts_with("fail  guard: 5/10m to one number, no limit in all an hour, but they cannot be counted: ")
            && line.ends_with("; every send is refused (uncounted_sends is refuse)"),
        "{line}"
    );
    assert_eq!(refusing.code, 11, "{}", refusing.stdout);
    // A value that breaks its rule fails the settings' line, naming the variable.
    let bad = run(&[("MFA_ALLOWED_COUNTRIES", "UK")]);
    assert!(
        bad.stdout.contains(
            "environment variable MFA_ALLOWED_COUNTRIES is invalid (\"UK\"): must be any, or ISO \
             3166 region codes with numbers of their own, comma-separated, such as US,CA (the \
             United Kingdom is GB)"
        ),
        "{}",
        bad.stdout
    );
}
