//! Failures below HTTP: nobody listening, a server that never answers, and one that
//! never finishes the TLS handshake.

use std::io::Read;
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use crate::support::*;

#[test]
fn a_refused_connection_exits_8_and_says_nothing_was_sent() {
    // A port that was free a moment ago and has nobody listening now.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base_url = format!("http://127.0.0.1:{port}/api/v1");
    Mfa::voice(&base_url).run().assert(
        8,
        "",
        &format!(
            "mfa: error: could not connect to 127.0.0.1:{port}: connection refused; nothing was sent\n"
        ),
    );
}

#[test]
fn a_failed_name_lookup_exits_8_says_nothing_was_sent_and_is_retried() {
    let host = unresolvable_host();
    let outcome = Mfa::voice(&format!("https://{host}/api/v1"))
        .args(&["--retries", "2", "--verbose"])
        .run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (8, ""));
    let notes = outcome
        .stderr
        .lines()
        .filter(|line| line.starts_with("* name not found; waiting "))
        .count();
    assert_eq!(notes, 2, "{}", outcome.stderr);
    let last = outcome.stderr.lines().last().unwrap();
    assert!(
        last.starts_with(&format!(
            "mfa: error: could not connect to {host}: its name could not be looked up ("
        )) && last.ends_with("); nothing was sent"),
        "{last}"
    );
}

#[test]
fn a_request_too_long_to_build_says_nothing_was_sent_and_names_the_host_alone() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let account = "1".repeat(70_000);
    let host = server.host_with_port();
    Mfa::voice_request()
        .args(&[
            "--account-id",
            &account,
            "--base-url",
            &format!("{}/api/v1", server.url()),
        ])
        .env("BW_USERNAME", USERNAME)
        .env("BW_PASSWORD", PASSWORD)
        .run()
        .assert(
            8,
            "",
            &format!(
                "mfa: error: could not connect to {host}: http: uri too long; nothing was sent\n"
            ),
        );
    nothing.assert();
}

/// A server that takes one request and never answers. Returns its port and a way
/// to get the request's first bytes once `mfa` has given up.
fn silent_server() -> (u16, impl FnOnce() -> String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (received, request_arrived) = mpsc::channel();
    let server = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut buffer = [0u8; 4096];
        let n = socket.read(&mut buffer).unwrap();
        received
            .send(String::from_utf8_lossy(&buffer[..n]).into_owned())
            .unwrap();
        // Read on without answering until mfa gives up and closes the connection.
        while socket.read(&mut buffer).is_ok_and(|n| n > 0) {}
    });
    let request = move || {
        let request = request_arrived
            .recv_timeout(Duration::from_secs(5))
            .unwrap();
        server.join().unwrap();
        request
    };
    (port, request)
}

#[test]
fn no_answer_in_time_exits_8_and_says_the_code_may_have_been_sent() {
    let (port, request) = silent_server();
    let base_url = format!("http://127.0.0.1:{port}/api/v1");
    Mfa::voice(&base_url)
        .args(&["--timeout", "1"])
        .run()
        .assert(
            8,
            "",
            &format!(
                "mfa: error: no answer from 127.0.0.1:{port} within 1 s; the code may have been \
             sent, so check before sending another\n"
            ),
        );
    let request = request();
    assert!(
        request.starts_with(&format!("POST {VOICE_PATH} HTTP/1.1\r\n")),
        "{request}"
    );
}

#[test]
fn no_answer_to_a_check_says_it_may_have_counted_as_an_attempt() {
    let (port, request) = silent_server();
    let base_url = format!("http://127.0.0.1:{port}/api/v1");
    Mfa::verify(&base_url)
        .args(&["--timeout", "0.5"])
        .run()
        .assert(
            8,
            "",
            &format!(
                "mfa: error: no answer from 127.0.0.1:{port} within 0.5 s; the code may have \
                 been checked, which counts as an attempt\n"
            ),
        );
    let request = request();
    assert!(
        request.starts_with(&format!("POST {VERIFY_PATH} HTTP/1.1\r\n")),
        "{request}"
    );
}

#[test]
fn a_tls_handshake_that_never_finishes_says_nothing_was_sent() {
    // The server takes the TLS hello and never answers: no request can have gone out.
    let (port, hello) = silent_server();
    Mfa::voice(&format!("https://localhost:{port}/api/v1"))
        .args(&["--timeout", "1"])
        .run()
        .assert(
            8,
            "",
            &format!(
                "mfa: error: could not connect to localhost:{port} within 1 s; nothing was sent\n"
            ),
        );
    let hello = hello();
    assert!(
        !hello.contains("POST"),
        "only a TLS hello arrived: {hello:?}"
    );
}
