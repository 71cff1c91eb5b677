//! `mfa status`: whether each code reached the phone, asked of the Voice API (a call's
//! state) or the Messaging API (a text's status) with one strict GET each; the exit
//! status says it (0 reached, 1 not, 10 not known yet), the worst of several; nothing
//! is sent.

use mockito::Matcher;

use crate::support::*;

/// `mfa status` with the credentials, asking `server`'s `/voice` and `/messaging`.
fn status(server: &mockito::ServerGuard) -> Mfa {
    Mfa::new()
        .args(&["status", "--account-id", ACCOUNT, "--username", USERNAME])
        .env("BW_PASSWORD", PASSWORD)
        .env("MFA_VOICE_URL", &format!("{}/voice", server.url()))
        .env("MFA_MESSAGING_URL", &format!("{}/messaging", server.url()))
}

/// A strict mock of the GET of call `id`'s state, answered `body`, expected once.
fn call_state(server: &mut mockito::ServerGuard, id: &str, body: &str) -> mockito::Mock {
    asked(
        server,
        &format!("/voice/accounts/{ACCOUNT}/calls/{id}"),
        Matcher::Missing,
    )
    .with_body(body)
    .create()
}

/// A strict mock of the GET of message `id`'s status, its one message `message`.
fn message_status(server: &mut mockito::ServerGuard, id: &str, message: &str) -> mockito::Mock {
    let path = format!("/messaging/users/{ACCOUNT}/messages");
    asked(server, &path, Matcher::Exact(format!("messageId={id}")))
        .with_body(format!(r#"{{"totalCount":1,"messages":[{message}]}}"#))
        .create()
}

/// A GET with the headers every question carries, no body and no Content-Type.
fn asked(server: &mut mockito::ServerGuard, path: &str, query: Matcher) -> mockito::Mock {
    server
        .mock("GET", path)
        .match_query(query)
        .match_header("authorization", basic_auth().as_str())
        .match_header("accept", "application/json")
        .match_header("content-type", Matcher::Missing)
        .match_header("user-agent", USER_AGENT)
        .match_body(Matcher::Exact(String::new()))
        .expect(1)
}

/// Strict mocks that fail if anything is sent to the MFA API.
fn no_code_sent(server: &mut mockito::ServerGuard) -> Vec<mockito::Mock> {
    [VOICE_PATH, SMS_PATH, VERIFY_PATH]
        .map(|path| server.mock("POST", path).expect(0).create())
        .into()
}

#[test]
fn each_ending_of_a_call_reads_in_words_with_its_exit_status() {
    let times = r#""startTime":"2026-12-06T10:00:00.000Z","endTime":"2026-12-06T10:01:00.000Z""#;
    for (body, line, exit) in [
        (
            format!(
                r#"{{"state":"disconnected","disconnectCause":"hangup",{times},"answerTime":"2026-12-06T10:00:12.500Z"}}"#
            ),
            "answered after 12 s",
            0,
        ),
        (
            r#"{"state":"answered","answerTime":"2026-12-06T10:00:03Z"}"#.into(),
            "answered",
            0,
        ),
        (
            format!(r#"{{"state":"disconnected","disconnectCause":"busy",{times}}}"#),
            "busy",
            1,
        ),
        (
            r#"{"state":"disconnected","disconnectCause":"timeout"}"#.into(),
            "not answered in time",
            1,
        ),
        (
            r#"{"state":"disconnected","disconnectCause":"rejected"}"#.into(),
            "rejected",
            1,
        ),
        (
            r#"{"state":"disconnected","disconnectCause":"error","errorMessage":"no route"}"#
                .into(),
            "failed: no route",
            1,
        ),
        (r#"{"state":"queued"}"#.into(), "queued: not final yet", 10),
        (
            r#"{"state":"initiated"}"#.into(),
            "ringing: not final yet",
            10,
        ),
        (
            r#"{"state":"transferring"}"#.into(),
            "transferring: not final yet",
            10,
        ),
    ] {
        let mut server = mockito::Server::new();
        let nothing = no_code_sent(&mut server);
        let asked = call_state(&mut server, "c-1", &body);
        let outcome = status(&server).args(&["c-1"]).run();
        assert_eq!(
            (outcome.code, outcome.stdout.as_str()),
            (exit, format!("c-1  {line}\n").as_str()),
            "{body}: {}",
            outcome.stderr
        );
        let said = match exit {
            0 => String::new(),
            _ => format!("mfa: exit {exit} is that of c-1\n"),
        };
        assert_eq!(outcome.stderr, said, "{body}");
        asked.assert();
        nothing.iter().for_each(mockito::Mock::assert);
    }
}

#[test]
fn a_call_not_found_is_not_known_yet() {
    let mut server = mockito::Server::new();
    let asked = asked(
        &mut server,
        &format!("/voice/accounts/{ACCOUNT}/calls/c-9"),
        Matcher::Missing,
    )
    .with_status(404)
    .with_body(r#"{"type":"not-found","description":"The call was not found"}"#)
    .create();
    let outcome = status(&server).args(&["c-9"]).run();
    assert_eq!(
        (outcome.code, outcome.stdout.as_str()),
        (
            10,
            "c-9  not found: Bandwidth shows a call within a few minutes, and keeps it 7 days\n"
        ),
        "{}",
        outcome.stderr
    );
    asked.assert();
}

#[test]
fn each_status_of_a_text_reads_in_words_and_sent_is_not_delivered() {
    for (message, line, exit) in [
        (
            r#"{"messageId":"m-1","messageStatus":"DELIVERED"}"#,
            "delivered",
            0,
        ),
        (
            r#"{"messageId":"m-1","messageStatus":"UNDELIVERED","errorCode":4720}"#,
            "not delivered: error 4720 (the carrier rejected the number as invalid)",
            1,
        ),
        (
            r#"{"messageId":"m-1","messageStatus":"FAILED"}"#,
            "not delivered",
            1,
        ),
        (
            r#"{"messageId":"m-1","messageStatus":"SENT"}"#,
            "sent to the carrier, no delivery receipt yet: not final",
            10,
        ),
        (
            r#"{"messageId":"m-1","messageStatus":"QUEUED"}"#,
            "queued: not final yet",
            10,
        ),
    ] {
        let mut server = mockito::Server::new();
        let asked = message_status(&mut server, "m-1", message);
        let outcome = status(&server).args(&["m-1"]).run();
        assert_eq!(
            (outcome.code, outcome.stdout.as_str()),
            (exit, format!("m-1  {line}\n").as_str()),
            "{message}: {}",
            outcome.stderr
        );
        asked.assert();
    }
}

#[test]
fn ids_come_from_stdin_one_a_line_and_the_worst_outcome_is_the_exit_status() {
    let mut server = mockito::Server::new();
    let answered = call_state(
        &mut server,
        "c-1",
        r#"{"state":"disconnected","answerTime":"2026-12-06T10:00:03Z"}"#,
    );
    let queued = call_state(&mut server, "c-2", r#"{"state":"queued"}"#);
    let busy = call_state(
        &mut server,
        "c-3",
        r#"{"state":"disconnected","disconnectCause":"busy"}"#,
    );
    // As `mfa voice ... | mfa status` gives them: blank lines and spaces are no ids.
    let outcome = status(&server).stdin("c-1\n\n  c-2  \nc-3\n").run();
    assert_eq!(
        (outcome.code, outcome.stdout.as_str()),
        (1, "c-1  answered\nc-2  queued: not final yet\nc-3  busy\n"),
        "{}",
        outcome.stderr
    );
    assert_eq!(outcome.stderr, "mfa: exit 1 is that of c-3\n");
    for mock in [answered, queued, busy] {
        mock.assert();
    }
}

#[test]
fn json_is_one_object_an_id_with_the_apis_fields() {
    let mut server = mockito::Server::new();
    let _call = call_state(
        &mut server,
        "c-1",
        r#"{"state":"disconnected","disconnectCause":"busy","startTime":"2026-12-06T10:00:00Z"}"#,
    );
    let _text = message_status(
        &mut server,
        "m-1",
        r#"{"messageId":"m-1","messageStatus":"UNDELIVERED","errorCode":4720}"#,
    );
    let outcome = status(&server).args(&["c-1", "m-1", "--json"]).run();
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    let objects: Vec<serde_json::Value> = outcome
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        objects,
        [
            serde_json::json!({"id":"c-1","channel":"voice","final":true,"reached":false,
                "outcome":"busy","state":"disconnected","cause":"busy",
                "startTime":"2026-12-06T10:00:00Z"}),
            serde_json::json!({"id":"m-1","channel":"sms","final":true,"reached":false,
                "outcome":"not delivered: error 4720 (the carrier rejected the number as invalid)","state":"UNDELIVERED","errorCode":4720}),
        ]
    );
    assert_eq!(outcome.stderr, "", "JSON says it all on stdout");
}

#[test]
fn a_refusal_keeps_its_exit_status_names_the_id_and_the_others_are_still_asked() {
    let mut server = mockito::Server::new();
    let refused = asked(
        &mut server,
        &format!("/voice/accounts/{ACCOUNT}/calls/c-1"),
        Matcher::Missing,
    )
    .with_status(401)
    .with_body(r#"{"type":"unauthorized","description":"Unauthorized"}"#)
    .create();
    let delivered = message_status(&mut server, "m-1", r#"{"messageStatus":"DELIVERED"}"#);
    let outcome = status(&server).args(&["c-1", "m-1"]).run();
    assert_eq!(
        (outcome.code, outcome.stdout.as_str()),
        (4, "m-1  delivered\n")
    );
    assert!(
        outcome.stderr.starts_with(
            "mfa: error: c-1: the API refused the credentials (HTTP 401): Unauthorized"
        ),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.ends_with("mfa: exit 4 is that of c-1\n"),
        "{}",
        outcome.stderr
    );
    assert!(
        !outcome.stderr.contains("sent"),
        "it sends nothing: {}",
        outcome.stderr
    );
    refused.assert();
    delivered.assert();
}

#[test]
fn a_flag_says_which_api_and_no_id_at_all_is_a_usage_error() {
    let mut server = mockito::Server::new();
    let asked = message_status(
        &mut server,
        "c-looks-like-a-call",
        r#"{"messageStatus":"DELIVERED"}"#,
    );
    let outcome = status(&server)
        .args(&["--sms", "c-looks-like-a-call"])
        .run();
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    asked.assert();
    let none = status(&server).run();
    assert_eq!(none.code, 2);
    assert!(
        none.stderr.starts_with("mfa: error: no id: "),
        "{}",
        none.stderr
    );
    let both = status(&server).args(&["--sms", "--voice", "x"]).run();
    assert_eq!(both.code, 2, "{}", both.stderr);
}

/// A call mock answering `first` to the first `times` questions, then `then`.
fn changing_call(
    server: &mut mockito::ServerGuard,
    times: usize,
    first: (usize, &'static str),
    then: &'static str,
) -> (
    mockito::Mock,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let asked = std::sync::Arc::new(AtomicUsize::new(0));
    let count = std::sync::Arc::clone(&asked);
    let mock = server
        .mock(
            "GET",
            format!("/voice/accounts/{ACCOUNT}/calls/c-1").as_str(),
        )
        .match_header("authorization", basic_auth().as_str())
        .with_status(first.0)
        .with_body_from_request(move |_| {
            let n = count.fetch_add(1, Ordering::SeqCst);
            match n < times {
                true => first.1.into(),
                false => then.into(),
            }
        })
        .expect_at_least(times + 1)
        .create();
    (mock, asked)
}

#[test]
fn wait_asks_again_until_the_outcome_is_final() {
    let mut server = mockito::Server::new();
    let (mock, asked) = changing_call(
        &mut server,
        1,
        (200, r#"{"state":"initiated"}"#),
        r#"{"state":"disconnected","answerTime":"2026-12-06T10:00:03Z"}"#,
    );
    let outcome = status(&server).args(&["--wait=20", "c-1"]).run();
    assert_eq!(
        (
            outcome.code,
            outcome.stdout.as_str(),
            outcome.stderr.as_str()
        ),
        (0, "c-1  answered\n", ""),
    );
    assert_eq!(
        asked.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "one pause, one more question"
    );
    mock.assert();
}

#[test]
fn wait_ends_when_its_time_is_up_with_the_outcome_not_known() {
    let mut server = mockito::Server::new();
    let (mock, asked) = changing_call(
        &mut server,
        1,
        (200, r#"{"state":"queued"}"#),
        r#"{"state":"queued"}"#,
    );
    let started = std::time::Instant::now();
    let outcome = status(&server).args(&["c-1", "--wait=3"]).run();
    assert_eq!(
        (outcome.code, outcome.stdout.as_str()),
        (10, "c-1  queued: not final yet\n")
    );
    let took = started.elapsed();
    assert!(took >= std::time::Duration::from_secs(3), "{took:?}");
    assert!(took < std::time::Duration::from_secs(15), "{took:?}");
    // Asked at the start, after a pause of 2 s, and once more when the wait was up (a
    // busy machine may leave no room for the one between).
    let times = asked.load(std::sync::atomic::Ordering::SeqCst);
    assert!((2..=3).contains(&times), "{times}");
    mock.assert();
}

#[test]
fn wait_takes_a_call_not_yet_visible_as_not_known_and_asks_again() {
    let mut server = mockito::Server::new();
    let missing = server
        .mock(
            "GET",
            format!("/voice/accounts/{ACCOUNT}/calls/c-1").as_str(),
        )
        .with_status(404)
        .with_body(r#"{"type":"not-found","description":"not found"}"#)
        .expect(1)
        .create();
    // Once the first (404) has been answered, mockito gives the next: the call's state.
    let found = server
        .mock(
            "GET",
            format!("/voice/accounts/{ACCOUNT}/calls/c-1").as_str(),
        )
        .with_body(r#"{"state":"disconnected","disconnectCause":"busy"}"#)
        .expect(1)
        .create();
    let outcome = status(&server).args(&["c-1", "--wait=20"]).run();
    assert_eq!(
        (outcome.code, outcome.stdout.as_str()),
        (1, "c-1  busy\n"),
        "{}",
        outcome.stderr
    );
    missing.assert();
    found.assert();
}

/// A voice send (`mfa voice` with every setting) to `server`, asking its `/voice` and
/// `/messaging` afterwards.
fn sent_by(send: Mfa, server: &mockito::ServerGuard) -> Mfa {
    send.env("MFA_VOICE_URL", &format!("{}/voice", server.url()))
        .env("MFA_MESSAGING_URL", &format!("{}/messaging", server.url()))
}

#[test]
fn voice_wait_keeps_the_id_alone_on_stdout_and_says_the_outcome_on_stderr() {
    let mut server = mockito::Server::new();
    let send = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let asked = call_state(
        &mut server,
        "c-1",
        r#"{"state":"disconnected","disconnectCause":"busy"}"#,
    );
    let api = format!("{}/api/v1", server.url());
    let outcome = sent_by(Mfa::voice(&api), &server)
        .args(&["--wait=20"])
        .run();
    assert_eq!(
        (
            outcome.code,
            outcome.stdout.as_str(),
            outcome.stderr.as_str()
        ),
        (1, "c-1\n", "mfa: c-1  busy\n")
    );
    send.assert();
    asked.assert();
    // JSON: one object, the id and the outcome in it.
    let mut server = mockito::Server::new();
    let _send = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .create();
    let _asked = call_state(
        &mut server,
        "c-1",
        r#"{"state":"answered","answerTime":"2026-12-06T10:00:03Z"}"#,
    );
    let api = format!("{}/api/v1", server.url());
    let json = sent_by(Mfa::voice(&api), &server)
        .args(&["--wait", "--json"])
        .run();
    assert_eq!(json.code, 0, "{}", json.stderr);
    let object: serde_json::Value = serde_json::from_str(json.stdout.trim_end()).unwrap();
    assert_eq!(object["callId"], "c-1");
    assert_eq!(
        (&object["outcome"]["reached"], &object["outcome"]["outcome"]),
        (&true.into(), &"answered".into())
    );
}

#[test]
fn sms_wait_that_runs_out_is_not_known_and_a_failure_to_ask_never_sends_again() {
    let mut server = mockito::Server::new();
    let send = api_mock(&mut server, SMS_PATH, &default_sms_body())
        .with_body(r#"{"messageId":"m-1"}"#)
        .expect(1)
        .create();
    // Asked at the start and again until the wait is up.
    let asked = asked(
        &mut server,
        &format!("/messaging/users/{ACCOUNT}/messages"),
        Matcher::Exact("messageId=m-1".into()),
    )
    .with_body(r#"{"messages":[{"messageStatus":"SENT"}]}"#)
    .expect_at_least(2)
    .create();
    let api = format!("{}/api/v1", server.url());
    let outcome = sent_by(Mfa::sms(&api), &server).args(&["--wait=3"]).run();
    assert_eq!(
        (
            outcome.code,
            outcome.stdout.as_str(),
            outcome.stderr.as_str()
        ),
        (
            10,
            "m-1\n",
            "mfa: m-1  sent to the carrier, no delivery receipt yet: not final\n"
        )
    );
    send.assert();
    asked.assert();
    // The Voice API refuses the credentials: the code was sent, once; not known.
    let mut server = mockito::Server::new();
    let send = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let refused = asked_refused(&mut server);
    let api = format!("{}/api/v1", server.url());
    let outcome = sent_by(Mfa::voice(&api), &server).args(&["--wait"]).run();
    assert_eq!(
        (outcome.code, outcome.stdout.as_str()),
        (10, "c-1\n"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.starts_with(
            "mfa: warning: the code was sent (c-1); what became of it could not be asked: the \
             API refused the credentials (HTTP 403)"
        ),
        "{}",
        outcome.stderr
    );
    send.assert();
    refused.assert();
    // In JSON the error is `mfa status --json`'s: kind, status, message.
    let mut server = mockito::Server::new();
    let _send = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .create();
    let _refused = asked_refused(&mut server);
    let api = format!("{}/api/v1", server.url());
    let outcome = sent_by(Mfa::voice(&api), &server)
        .args(&["--wait", "--json"])
        .run();
    assert_eq!(outcome.code, 10, "{}", outcome.stderr);
    let object: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    let error = &object["outcome"]["error"];
    assert_eq!(
        (&object["callId"], &error["kind"], &error["status"]),
        (&"c-1".into(), &"credentials".into(), &403.into()),
        "{object}"
    );
    assert!(
        error["message"].as_str().unwrap().contains("HTTP 403"),
        "{object}"
    );
}

/// The Voice API refusing the question with 403, once.
fn asked_refused(server: &mut mockito::ServerGuard) -> mockito::Mock {
    asked(
        server,
        &format!("/voice/accounts/{ACCOUNT}/calls/c-1"),
        Matcher::Missing,
    )
    .with_status(403)
    .with_body(r#"{"type":"forbidden","description":"no Voice role"}"#)
    .create()
}

#[test]
fn wait_is_settled_before_any_send_and_never_with_verify() {
    let mut server = mockito::Server::new();
    let nothing = no_code_sent(&mut server);
    let api = format!("{}/api/v1", server.url());
    // A Voice API URL in clear text off this machine: refused before the send.
    let outcome = Mfa::voice(&api)
        .env("MFA_VOICE_URL", "http://voice.example.com/api/v2")
        .args(&["--wait"])
        .run();
    assert_eq!(outcome.code, 3, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("MFA_VOICE_URL"),
        "{}",
        outcome.stderr
    );
    let both = Mfa::voice(&api)
        .args(&["--wait", "--verify", "--expiration", "3"])
        .run();
    assert_eq!(both.code, 2, "{}", both.stderr);
    nothing.iter().for_each(mockito::Mock::assert);
}

#[test]
fn each_outcome_learned_is_logged_and_mfa_log_shows_the_last_with_its_send() {
    let mut server = mockito::Server::new();
    let send = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    let log = log.to_str().unwrap();
    let api = format!("{}/api/v1", server.url());
    // Sent with --wait, which learns the call is still ringing when the wait ends...
    // (asked once, and again when the second's pause is cut to the wait's end)
    let ringing = asked(
        &mut server,
        "/voice/accounts/9900000/calls/c-1",
        Matcher::Missing,
    )
    .expect_at_least(1)
    .expect_at_most(2)
    .with_body(r#"{"state":"initiated"}"#)
    .create();
    let outcome = sent_by(Mfa::voice(&api), &server)
        .args(&["--wait=1", "--log", log])
        .run();
    assert_eq!(outcome.code, 10, "{}", outcome.stderr);
    ringing.assert();
    ringing.remove();
    // ... then `mfa status` learns it was answered.
    let answered = call_state(
        &mut server,
        "c-1",
        r#"{"state":"disconnected","startTime":"2026-12-06T10:00:00Z","answerTime":"2026-12-06T10:00:07Z"}"#,
    );
    status(&server)
        .args(&["c-1"])
        .env("MFA_LOG", log)
        .run()
        .assert(0, "c-1  answered after 7 s\n", "");
    answered.assert();
    send.assert();
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    let expected = [
        ("voice", "voice", TO, None, None, 0),
        (
            "voice",
            "status",
            TO,
            Some("ringing: not final yet"),
            None,
            10,
        ),
        (
            "status",
            "status",
            "",
            Some("answered after 7 s"),
            Some(true),
            0,
        ),
    ];
    for (line, (command, call, to, words, reached, exit)) in lines.iter().zip(expected) {
        assert_eq!(
            (
                line["command"].as_str(),
                line["call"].as_str(),
                line["to"].as_str(),
                line["outcome"].as_str(),
                line["reached"].as_bool(),
                line["exit"].as_u64()
            ),
            (
                Some(command),
                Some(call),
                Some(to),
                words,
                reached,
                Some(exit)
            ),
            "{line}"
        );
        assert_eq!(line["id"], "c-1", "{line}");
        assert_eq!(line["accountId"], ACCOUNT, "{line}");
    }
    assert_eq!(lines[1]["sent"], "no", "a question sends nothing");
    // The table: one row, the send's, with the last outcome learned of it.
    let table = Mfa::new().args(&["log", "--log", log]).run();
    assert_eq!(table.code, 0, "{}", table.stderr);
    let rows: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(rows.len(), 2, "{}", table.stdout);
    assert!(rows[1].contains("sent; answered after 7 s"), "{}", rows[1]);
    // JSON: every line, as in the file.
    let json = Mfa::new().args(&["log", "--log", log, "--json"]).run();
    assert_eq!(json.stdout.lines().count(), 3, "{}", json.stdout);
}
