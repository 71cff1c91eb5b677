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
fn off_a_terminal_a_line_that_is_no_code_is_skipped_and_costs_no_try() {
    let mut server = mockito::Server::new();
    let (sent, wrong, right) = (
        round_trip_send(&mut server),
        round_trip_check(&mut server, "11112222", false),
        round_trip_check(&mut server, CODE, true),
    );
    // Only two tries: the lines that are no code (a word, an empty line, letters in
    // digits) cost none, and reach no server.
    round_trip(&server)
        .args(&["--tries", "2"])
        .stdin(&format!("yes\n\n11112222\n12a4\n{CODE}\n"))
        .run()
        .assert(
            0,
            "c-1\nvalid\n",
            "mfa: the line read back on stdin is no code: it must be digits (0 to 9) and \
             nothing else; reading the next\n\
             mfa: the line read back on stdin is no code: it must be 2 to 8 digits (it has 0); \
             reading the next\n\
             mfa: invalid; 1 try left\n\
             mfa: the line read back on stdin is no code: it must be digits (0 to 9) and \
             nothing else; reading the next\n",
        );
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
    // The check names the send it checks.
    assert_eq!(entries[1]["checks"], "c-1");
}

#[test]
fn a_round_trip_that_ends_at_the_prompt_is_logged_as_such_and_mfa_log_says_how() {
    let mut server = mockito::Server::new();
    let (sent, wrong) = (
        round_trip_send(&mut server),
        round_trip_check(&mut server, "11112222", false),
    );
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    let log = log.to_str().unwrap();
    // One wrong code, then the input ends.
    let outcome = round_trip(&server)
        .args(&["--log", log])
        .stdin("11112222\n")
        .run();
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    sent.assert();
    wrong.assert();
    let text = std::fs::read_to_string(log).unwrap();
    let entries: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(entries.len(), 3, "{text}");
    assert_eq!(
        (&entries[0]["call"], &entries[0]["exit"]),
        (&"voice".into(), &0.into())
    );
    assert_eq!(
        (&entries[1]["valid"], &entries[1]["checks"]),
        (&false.into(), &"c-1".into())
    );
    let ended = &entries[2];
    assert_eq!(
        (
            &ended["command"],
            &ended["call"],
            &ended["checks"],
            &ended["exit"],
            &ended["sent"]
        ),
        (
            &"voice".into(),
            &"verify".into(),
            &"c-1".into(),
            &2.into(),
            &"no".into()
        ),
        "{text}"
    );
    assert_eq!(ended["ended"], "stdin ended before a code was read back");
    // mfa log reads it in words, with the scope, the operator and the send it checks.
    let shown = Mfa::new().args(&["log", "--log", log]).run();
    let lines: Vec<&str> = shown.stdout.lines().collect();
    assert!(
        lines[0].starts_with("TIME")
            && lines[0].contains(" SCOPE ")
            && lines[0].contains(" OPERATOR "),
        "{}",
        shown.stdout
    );
    assert!(
        lines[1].contains(" login ")
            && lines[1].contains("stdin ended before a code was read back")
            && lines[1].ends_with("(checks c-1)"),
        "{}",
        shown.stdout
    );
    assert!(lines[2].contains(" invalid "), "{}", shown.stdout);
}

/// A strict mock of the round trip's check of `CODE`, expected once, not yet created.
fn check_of_the_code(server: &mut mockito::ServerGuard) -> mockito::Mock {
    let body =
        format!(r#"{{"to":"{TO}","scope":"login","code":"{CODE}","expirationTimeInMinutes":3}}"#);
    api_mock(server, VERIFY_PATH, &body).expect(1)
}

#[test]
fn every_way_the_check_can_fail_still_says_the_code_was_sent() {
    // (what the check met, its answer, the exit status it has)
    let endings: [(&str, usize, &str, i32); 6] = [
        ("401", 401, r#"{"message":"Unauthorized"}"#, 4),
        ("403", 403, r#"{"message":"Forbidden"}"#, 4),
        (
            "429",
            429,
            r#"{"error":"too many attempts","requestId":"r-9"}"#,
            6,
        ),
        (
            "400",
            400,
            r#"{"error":"code is invalid","requestId":"r-8"}"#,
            5,
        ),
        ("500", 500, r#"{"error":"internal","requestId":"r-7"}"#, 7),
        ("no answer in time", 0, "", 8),
    ];
    // Each server is kept to the end, so none goes back to the pool while its check is
    // still asleep: the next run would get it, and its send no answer.
    let mut kept = Vec::new();
    for (what, status, body, exit) in endings {
        for json in [false, true] {
            let mut server = mockito::Server::new();
            let sent = round_trip_send(&mut server);
            let check = if status == 0 {
                check_of_the_code(&mut server).with_chunked_body(|out| {
                    std::thread::sleep(std::time::Duration::from_secs(3));
                    out.write_all(br#"{"valid":true}"#)
                })
            } else {
                check_of_the_code(&mut server)
                    .with_status(status)
                    .with_body(body)
            }
            .create();
            let mut mfa = round_trip(&server)
                .args(&["--timeout", "1"])
                .stdin(&format!("{CODE}\n"));
            if json {
                mfa = mfa.args(&["--json"]);
            }
            let outcome = mfa.run();
            let case = format!("{what}, json {json}: {}", outcome.stderr);
            assert_eq!(outcome.code, exit, "{case}");
            assert!(!outcome.stderr.contains("nothing was sent"), "{case}");
            if json {
                assert_eq!(outcome.stdout, "", "{case}");
                let error: serde_json::Value = serde_json::from_str(&outcome.stderr).unwrap();
                assert_eq!(error["error"]["sent"], "yes", "{case}");
                assert_eq!(error["error"]["callId"], "c-1", "{case}");
            } else {
                assert_eq!(outcome.stdout, "c-1\n", "{case}");
                assert!(
                    outcome
                        .stderr
                        .contains("the code sent (c-1) is not checked")
                        && outcome
                            .stderr
                            .ends_with("the API took the request, so the code was sent\n"),
                    "{case}"
                );
            }
            sent.assert();
            check.assert();
            kept.push(server);
        }
    }
}

/// A round trip with `--fallback sms`, the messaging application set, asking the
/// call's state of `server`.
fn falling_back(server: &mockito::ServerGuard) -> Mfa {
    round_trip(server)
        .args(&["--fallback", "sms"])
        .env("BW_MESSAGING_APPLICATION_ID", SMS_APP)
        .env("MFA_VOICE_URL", &format!("{}/voice", server.url()))
}

#[test]
fn a_call_not_answered_sends_the_code_by_text_and_its_code_is_checked() {
    let mut server = mockito::Server::new();
    let busy = r#"{"state":"disconnected","disconnectCause":"busy"}"#;
    let (sent, state, text, right) = (
        round_trip_send(&mut server),
        call_c1(&mut server, busy),
        fallback_text(&mut server, 1),
        round_trip_check(&mut server, CODE, true),
    );
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    falling_back(&server)
        .args(&["--log", log.to_str().unwrap()])
        .stdin(&format!("{CODE}\n"))
        .run()
        .assert(
            0,
            "c-1\nm-1\nvalid\n",
            "mfa: the call: busy\nmfa: the code was sent by text message instead\n",
        );
    for mock in [sent, state, text, right] {
        mock.assert();
    }
    // Both sends, what was learned of the call, and the check of the text's code.
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let calls: Vec<(&str, &str)> = lines
        .iter()
        .map(|line| {
            (
                line["command"].as_str().unwrap(),
                line["call"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("voice", "voice"),
            ("voice", "status"),
            ("voice", "sms"),
            ("voice", "verify")
        ]
    );
    assert_eq!(lines[1]["outcome"], "busy");
    assert_eq!(lines[2]["id"], "m-1");
    assert_eq!(lines[2]["scope"], "login");
    assert_eq!(lines[3]["checks"], "m-1");
    // JSON: one object, both ids in it.
    let mut server = mockito::Server::new();
    let _mocks = (
        round_trip_send(&mut server),
        call_c1(&mut server, busy),
        fallback_text(&mut server, 1),
        round_trip_check(&mut server, CODE, true),
    );
    let outcome = falling_back(&server)
        .args(&["--json"])
        .stdin(&format!("{CODE}\n"))
        .run();
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let object: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(
        object,
        serde_json::json!({"callId":"c-1","messageId":"m-1","fallback":"sms","valid":true,"tries":1})
    );
}

#[test]
fn a_call_answered_sends_no_text() {
    let mut server = mockito::Server::new();
    let answered = r#"{"state":"answered","startTime":"2026-12-06T10:00:00Z","answerTime":"2026-12-06T10:00:05Z"}"#;
    let (sent, state, text, right) = (
        round_trip_send(&mut server),
        call_c1(&mut server, answered),
        fallback_text(&mut server, 0),
        round_trip_check(&mut server, CODE, true),
    );
    falling_back(&server)
        .stdin(&format!("{CODE}\n"))
        .run()
        .assert(0, "c-1\nvalid\n", "mfa: the call: answered after 5 s\n");
    for mock in [sent, state, text, right] {
        mock.assert();
    }
}

#[test]
fn a_fallback_that_cannot_be_sent_never_costs_a_call() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    // No messaging application: the text could not be sent, so the call is not made.
    let outcome = round_trip(&server).args(&["--fallback", "sms"]).run();
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("messaging application"),
        "{}",
        outcome.stderr
    );
    // A text message has no call to fall back from.
    let outcome = Mfa::sms(&format!("{}/api/v1", server.url()))
        .args(&["--verify", "--expiration", "3", "--fallback", "sms"])
        .run();
    outcome.assert_error(
        2,
        "--fallback sms is for `mfa voice --verify`: a text message has no call to fall \
         back from",
    );
    // Without --verify there is no round trip to fall back in.
    let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
        .args(&["--fallback", "sms"])
        .run();
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    nothing.assert();
}

#[test]
fn the_text_a_fallback_sends_passes_the_guard_too() {
    let mut server = mockito::Server::new();
    let busy = r#"{"state":"disconnected","disconnectCause":"busy"}"#;
    let (sent, state, text) = (
        round_trip_send(&mut server),
        call_c1(&mut server, busy),
        fallback_text(&mut server, 0),
    );
    // One code to the number in 10 minutes: the call's. The text would be a second.
    let outcome = falling_back(&server)
        .env("MFA_MAX_CODES_PER_NUMBER", "1/10m")
        .stdin(&format!("{CODE}\n"))
        .run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (11, "c-1\n"));
    assert!(
        outcome
            .stderr
            .contains("refused by the guard: 1 code was sent to this number")
            && outcome
                .stderr
                .contains("the code sent (c-1) is not checked"),
        "{}",
        outcome.stderr
    );
    for mock in [sent, state, text] {
        mock.assert();
    }
}
