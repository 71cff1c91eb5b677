//! `--retries`: only what surely was not processed is made again (a refused connection,
//! a 429), after the wait `Retry-After` asks for or a back-off; never after a 5xx, a
//! time-out or a connection dropped after sending, since a second send rings twice.

use std::time::{Duration, Instant, SystemTime};

use crate::servers::{closed_port, raw_server};
use crate::support::*;

fn api(server: &mockito::ServerGuard) -> String {
    format!("{}/api/v1", server.url())
}

/// A strict voice mock answering 429 with `retry_after`, expected `times` times.
fn rate_limited(
    server: &mut mockito::ServerGuard,
    retry_after: &str,
    times: usize,
) -> mockito::Mock {
    voice_mock(server, &default_voice_body())
        .with_status(429)
        .with_header("Retry-After", retry_after)
        .with_body(r#"{"message":"Too many requests","requestId":"r-429"}"#)
        .expect(times)
        .create()
}

/// A strict voice mock answering `c-1`, expected once.
fn success(server: &mut mockito::ServerGuard) -> mockito::Mock {
    voice_mock(server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create()
}

/// The one `--verbose` note that starts with `prefix`, and the seconds it says.
fn wait_note<'a>(outcome: &'a Outcome, prefix: &str) -> (&'a str, f64) {
    let note = outcome
        .stderr
        .lines()
        .find(|line| line.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} in {}", outcome.stderr));
    let seconds = note[prefix.len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no seconds in {note}"));
    (note, seconds)
}

const RATE_LIMITED: &str = "mfa: error: the API is rate limiting these requests (HTTP 429): Too \
                            many requests (requestId r-429); nothing was sent\n";

#[test]
fn a_429_is_made_again_after_the_wait_retry_after_asks_for() {
    let mut server = mockito::Server::new();
    // The first matching mock with hits left answers: 429 once, then the call id.
    let refused = rate_limited(&mut server, "1", 1);
    let call = success(&mut server);
    let started = Instant::now();
    let outcome = Mfa::voice(&api(&server))
        .args(&["--retries", "2", "--verbose"])
        .run();
    let took = started.elapsed();
    outcome.assert_exit_and_stdout(0, "c-1\n");
    refused.assert();
    call.assert();
    outcome.assert_stderr_has_lines(&[
        "* retries: up to 2 (from --retries), only after a failed name lookup, a refused \
         connection or HTTP 429"
            .into(),
        "* HTTP 429; waiting 1 s as Retry-After says, then retry 1 of 2".into(),
    ]);
    assert!(took >= Duration::from_secs(1), "waited as asked: {took:?}");
}

#[test]
fn retry_after_may_be_an_http_date() {
    let mut server = mockito::Server::new();
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3));
    let refused = rate_limited(&mut server, &at, 1);
    let call = success(&mut server);
    let outcome = Mfa::voice(&api(&server))
        .args(&["--retries", "1", "--verbose"])
        .run();
    outcome.assert_exit_and_stdout(0, "c-1\n");
    refused.assert();
    call.assert();
    let (note, waited) = wait_note(&outcome, "* HTTP 429; waiting ");
    assert!(
        note.ends_with(" s as Retry-After says, then retry 1 of 1"),
        "{note}"
    );
    // The date has whole seconds: 3 s from the test's now, less what has passed since.
    assert!((1.0..=3.0).contains(&waited), "{note}");
}

#[test]
fn by_default_a_429_is_final() {
    let mut server = mockito::Server::new();
    let refused = rate_limited(&mut server, "0", 1);
    Mfa::voice(&api(&server)).run().assert(6, "", RATE_LIMITED);
    refused.assert();
}

#[test]
fn when_the_retries_run_out_the_last_429_is_reported() {
    let mut server = mockito::Server::new();
    let refused = rate_limited(&mut server, "0", 3);
    let outcome = Mfa::voice(&api(&server))
        .args(&["--retries", "2", "--verbose"])
        .run();
    assert_eq!(outcome.code, 6, "{}", outcome.stderr);
    assert!(outcome.stderr.ends_with(RATE_LIMITED), "{}", outcome.stderr);
    outcome.assert_stderr_has_lines(&[
        "* HTTP 429; waiting 0 s as Retry-After says, then retry 1 of 2".into(),
        "* HTTP 429; waiting 0 s as Retry-After says, then retry 2 of 2".into(),
    ]);
    refused.assert();
}

#[test]
fn a_429_without_retry_after_backs_off() {
    let mut server = mockito::Server::new();
    let refused = voice_mock(&mut server, &default_voice_body())
        .with_status(429)
        .expect(1)
        .create();
    let call = success(&mut server);
    let outcome = Mfa::voice(&api(&server))
        .args(&["--retries", "1", "--verbose"])
        .run();
    outcome.assert_exit_and_stdout(0, "c-1\n");
    refused.assert();
    call.assert();
    let (note, waited) = wait_note(&outcome, "* HTTP 429; waiting ");
    // The first back-off is 0.5 s less up to half of it, for jitter.
    assert!((0.25..=0.5).contains(&waited), "{note}");
    assert!(note.ends_with(" s, then retry 1 of 1"), "{note}");
}

#[test]
fn a_5xx_is_never_made_again() {
    for status in [500, 502, 503] {
        let mut server = mockito::Server::new();
        let failed = voice_mock(&mut server, &default_voice_body())
            .with_status(status)
            .with_header("Retry-After", "0")
            .with_body(r#"{"message":"down"}"#)
            .expect(1)
            .create();
        let outcome = Mfa::voice(&api(&server)).args(&["--retries", "3"]).run();
        assert_eq!(outcome.code, 7, "{}", outcome.stderr);
        failed.assert();
    }
}

#[test]
fn a_time_out_is_never_made_again() {
    let (port, log) = raw_server(|_| std::thread::sleep(Duration::from_secs(5)));
    Mfa::voice(&format!("http://127.0.0.1:{port}/api/v1"))
        .args(&["--retries", "3", "--timeout", "0.5"])
        .run()
        .assert(
            8,
            "",
            &format!(
                "mfa: error: no answer from 127.0.0.1:{port} within 0.5 s; the code may have \
                 been sent, so check before sending another\n"
            ),
        );
    assert_eq!(log.entries().len(), 1, "one request, never two");
}

#[test]
fn a_connection_dropped_after_sending_is_never_made_again() {
    let (port, log) = raw_server(|socket| {
        let _ = socket.shutdown(std::net::Shutdown::Both);
    });
    let outcome = Mfa::voice(&format!("http://127.0.0.1:{port}/api/v1"))
        .args(&["--retries", "3"])
        .run();
    assert_eq!(outcome.code, 8, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .ends_with("; the code may have been sent, so check before sending another\n"),
        "{}",
        outcome.stderr
    );
    assert_eq!(log.entries().len(), 1, "one request, never two");
}

#[test]
fn a_refused_connection_is_tried_again_saying_each_wait() {
    let port = closed_port();
    let outcome = Mfa::voice(&format!("http://127.0.0.1:{port}/api/v1"))
        .args(&["--retries", "2", "--verbose"])
        .run();
    assert_eq!(outcome.code, 8, "{}", outcome.stderr);
    assert!(
        outcome.stderr.ends_with(&format!(
            "mfa: error: could not connect to 127.0.0.1:{port}: connection refused; nothing was \
             sent\n"
        )),
        "{}",
        outcome.stderr
    );
    let waits: Vec<&str> = outcome
        .stderr
        .lines()
        .filter(|line| line.starts_with("* connection refused; waiting "))
        .collect();
    assert_eq!(waits.len(), 2, "{}", outcome.stderr);
    assert!(waits[0].ends_with(", then retry 1 of 2"), "{}", waits[0]);
    assert!(waits[1].ends_with(", then retry 2 of 2"), "{}", waits[1]);
}

#[test]
fn retries_come_from_the_environment_and_the_profile() {
    let mut server = mockito::Server::new();
    let refused = rate_limited(&mut server, "0", 1);
    let call = success(&mut server);
    Mfa::voice(&api(&server))
        .env("MFA_RETRIES", "1")
        .run()
        .assert(0, "c-1\n", "");
    refused.assert();
    call.assert();

    let refused = rate_limited(&mut server, "0", 1);
    let call = success(&mut server);
    Mfa::voice(&api(&server))
        .config("[profiles.default]\nretries = 1\n")
        .run()
        .assert(0, "c-1\n", "");
    refused.assert();
    call.assert();

    // The flag beats the variable: 0 retries, so the 429 is final.
    let refused = rate_limited(&mut server, "0", 1);
    Mfa::voice(&api(&server))
        .env("MFA_RETRIES", "3")
        .args(&["--retries", "0"])
        .run()
        .assert(6, "", RATE_LIMITED);
    refused.assert();
}

#[test]
fn a_bad_number_of_retries_is_refused_before_anything_is_sent() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let rule = "must be a whole number of retries from 0 to 10";
    Mfa::voice(&api(&server))
        .args(&["--retries", "11"])
        .run()
        .assert_error(
            2,
            &format!("invalid value '11' for '--retries <N>': {rule}"),
        );
    Mfa::voice(&api(&server))
        .env("MFA_RETRIES", "many")
        .run()
        .assert(
            3,
            "",
            &format!(
                "mfa: error: environment variable MFA_RETRIES is invalid (\"many\"): {rule}; \
                 nothing was sent\n"
            ),
        );
    let mfa = Mfa::voice(&api(&server)).config("[profiles.default]\nretries = -1\n");
    let place = format!(
        "profile `default` in {}",
        mfa.default_config_path().display()
    );
    mfa.run().assert(
        3,
        "",
        &format!(
            "mfa: error: key `retries` of {place} is invalid (\"-1\"): {rule}; nothing was sent\n"
        ),
    );
    nothing.assert();
}

#[test]
fn a_rate_limited_token_request_is_made_again_too() {
    let mut server = mockito::Server::new();
    let refused = server
        .mock("POST", TOKEN_PATH)
        .match_header("authorization", client_basic_auth().as_str())
        .match_body(mockito::Matcher::Exact(
            "grant_type=client_credentials".into(),
        ))
        .with_status(429)
        .with_header("Retry-After", "0")
        .expect(1)
        .create();
    let token = token_mock(&mut server, "tok-Qz-retry", 3600)
        .expect(1)
        .create();
    let call = bearer_voice_mock(&mut server, "tok-Qz-retry")
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    Mfa::voice_oauth(&server)
        .args(&["--retries", "1"])
        .run()
        .assert(0, "c-1\n", "");
    refused.assert();
    token.assert();
    call.assert();
}

#[test]
fn a_retry_after_beyond_what_is_left_of_a_minute_ends_the_run_at_once() {
    for retry_after in ["3600", "61"] {
        let mut server = mockito::Server::new();
        let limited = rate_limited(&mut server, retry_after, 1);
        let started = Instant::now();
        let outcome = Mfa::voice(&api(&server))
            .args(&["--retries", "2", "--verbose"])
            .run();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!((outcome.code, outcome.stdout.as_str()), (6, ""));
        assert!(
            !outcome.stderr.contains("* HTTP 429; waiting"),
            "{}",
            outcome.stderr
        );
        assert_eq!(
            outcome.stderr.lines().last().unwrap(),
            format!(
                "mfa: error: the API is rate limiting these requests (HTTP 429): Too many \
                 requests (requestId r-429); it asks to wait {retry_after} s before trying \
                 again; nothing was sent"
            )
        );
        limited.assert();
    }
}
