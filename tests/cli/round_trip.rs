//! `mfa voice --verify` and `mfa sms --verify`: send, print the id, then check the code
//! read back for the same number and scope, up to `--tries`; everything the check needs
//! is resolved before the code is sent.

use crate::support::*;

#[test]
fn a_wrong_code_is_asked_again_and_the_right_one_is_valid() {
    let mut server = mockito::Server::new();
    let (sent, wrong, right) = (
        round_trip_send(&mut server),
        round_trip_check(&mut server, "11112222", false),
        round_trip_check(&mut server, CODE, true),
    );
    round_trip(&server)
        .stdin(&format!("11112222\n{CODE}\n"))
        .run()
        .assert(0, "c-1\nvalid\n", "mfa: invalid; 2 tries left\n");
    sent.assert();
    wrong.assert();
    right.assert();
}

#[test]
fn every_try_invalid_exits_1_and_json_is_one_object() {
    let mut server = mockito::Server::new();
    let (sent, first, second) = (
        round_trip_send(&mut server),
        round_trip_check(&mut server, "11112222", false),
        round_trip_check(&mut server, "33334444", false),
    );
    round_trip(&server)
        .args(&["--tries", "2", "--json"])
        .stdin("11112222\n33334444\n")
        .run()
        .assert(
            1,
            "{\"callId\":\"c-1\",\"tries\":2,\"valid\":false}\n",
            "mfa: invalid; 1 try left\n",
        );
    sent.assert();
    first.assert();
    second.assert();
}

#[test]
fn a_missing_lifetime_never_costs_a_call() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
        .args(&["--verify"])
        .run();
    outcome.assert_error(
        2,
        "no code lifetime: pass --expiration, set MFA_EXPIRATION_MINUTES",
    );
    nothing.assert();
    // --tries and --expiration only go with --verify.
    let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
        .args(&["--tries", "2"])
        .run();
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    nothing.assert();
}

#[test]
fn no_code_read_back_says_the_code_was_sent_and_not_checked() {
    let mut server = mockito::Server::new();
    let sent = round_trip_send(&mut server);
    round_trip(&server).run().assert(
        2,
        "c-1\n",
        "mfa: error: stdin ended before a code was read back; the code sent (c-1) is not \
         checked; the API took the request, so the code was sent\n",
    );
    sent.assert();
}

#[test]
fn the_round_trips_calls_are_each_logged() {
    let mut server = mockito::Server::new();
    let (sent, right) = (
        round_trip_send(&mut server),
        round_trip_check(&mut server, CODE, true),
    );
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    round_trip(&server)
        .args(&["--log", log.to_str().unwrap()])
        .stdin(&format!("{CODE}\n"))
        .run()
        .assert(0, "c-1\nvalid\n", "");
    sent.assert();
    right.assert();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(CODE), "{text}");
    let entries: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (entries[0]["command"].as_str(), entries[0]["call"].as_str()),
        (Some("voice"), Some("voice"))
    );
    assert_eq!(
        (entries[1]["command"].as_str(), entries[1]["call"].as_str()),
        (Some("voice"), Some("verify"))
    );
    assert_eq!(entries[1]["valid"], true);
    assert_eq!(entries[1]["scope"], "login");
}
