//! Hostile answers: a body that never ends, headers that never end, a trickle, and an
//! id that would break the one-line output. Each ends in bounded time with exit 9 (or
//! 8 for the trickle's time-out), and nothing unsafe reaches stdout.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::servers::raw_server;
use crate::support::*;

/// What an answer whose head is too long (or never ends) is told as.
const HEAD_TOO_LARGE: &str = "mfa: error: unexpected answer from the API: not an HTTP answer \
                              (its headers are too large); the code may have been sent, so \
                              check before sending another\n";

/// `mfa voice` against the raw server on `port`.
fn voice_to(port: u16) -> Mfa {
    Mfa::voice(&format!("http://127.0.0.1:{port}/api/v1"))
}

/// Runs a send against `port` and checks its answer was cut: exit 9, said so.
fn assert_cut(port: u16) {
    let outcome = voice_to(port).run();
    assert_eq!(
        outcome.code,
        9,
        "{}",
        &outcome.stderr[..200.min(outcome.stderr.len())]
    );
    assert!(
        outcome
            .stderr
            .contains("the answer is longer than 65536 bytes (cut)")
    );
}

/// Writes `head`, then `chunk` again and again until the client goes away.
fn endless(socket: &mut std::net::TcpStream, head: &[u8], chunk: &[u8]) {
    if socket.write_all(head).is_err() {
        return;
    }
    while socket.write_all(chunk).is_ok() {}
}

#[test]
fn an_endless_body_is_cut_and_exits_9() {
    let (port, log) = raw_server(|socket| {
        endless(
            socket,
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"callId\":\"",
            &[b'a'; 8192],
        )
    });
    let started = Instant::now();
    let outcome = voice_to(port).run();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!((outcome.code, outcome.stdout.as_str()), (9, ""));
    assert!(
        outcome.stderr.starts_with(
            "mfa: error: unexpected answer from the API (HTTP 200): the answer is longer than \
             65536 bytes (cut); body: \"{\\\"callId\\\":\\\"aaaa"
        ),
        "{}",
        &outcome.stderr[..200.min(outcome.stderr.len())]
    );
    assert_eq!(outcome.stderr.lines().count(), 1);
    // The body shown is the cap's worth, not more.
    assert!(
        outcome.stderr.len() < 65536 + 300,
        "{}",
        outcome.stderr.len()
    );
    assert_eq!(log.entries().len(), 1);
}

#[test]
fn an_endless_chunked_body_or_a_huge_length_is_cut_too() {
    let (port, _log) = raw_server(|socket| {
        endless(
            socket,
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"1000\r\n"
                .iter()
                .chain(&[b' '; 0x1000])
                .chain(b"\r\n")
                .copied()
                .collect::<Vec<u8>>()
                .as_slice(),
        )
    });
    assert_cut(port);

    let (port, _log) = raw_server(|socket| {
        endless(
            socket,
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n",
            &[b'x'; 8192],
        )
    });
    assert_cut(port);
}

#[test]
fn endless_headers_are_no_http_answer() {
    let (port, _log) = raw_server(|socket| {
        endless(
            socket,
            b"HTTP/1.1 200 OK\r\n",
            b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaa\r\n",
        )
    });
    voice_to(port).run().assert(
        9,
        "",
        "mfa: error: unexpected answer from the API: not an HTTP answer (http parse resulted \
             in too many headers); the code may have been sent, so check before sending \
             another\n",
    );
    let (port, _log) =
        raw_server(|socket| endless(socket, b"HTTP/1.1 200 OK\r\nX-Filler: ", &[b'a'; 8192]));
    voice_to(port).run().assert(9, "", HEAD_TOO_LARGE);
}

/// Answers with one `X-Filler` header of `filler` bytes and a call id.
fn answer_with_a_long_head(socket: &mut std::net::TcpStream, filler: usize) {
    let body = r#"{"callId":"c-long-head"}"#;
    let _ = write!(
        socket,
        "HTTP/1.1 200 OK\r\nX-Filler: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        "a".repeat(filler),
        body.len()
    );
}

#[test]
fn a_head_within_16_kib_is_read_and_a_longer_one_exits_9() {
    let (port, log) = raw_server(|socket| answer_with_a_long_head(socket, 16_000));
    voice_to(port).run().assert(0, "c-long-head\n", "");
    assert_eq!(log.entries().len(), 1);

    let (port, log) = raw_server(|socket| answer_with_a_long_head(socket, 16_400));
    voice_to(port).run().assert(9, "", HEAD_TOO_LARGE);
    assert_eq!(log.entries().len(), 1);
}

#[test]
fn a_trickling_answer_ends_at_the_time_out() {
    let (port, _log) = raw_server(|socket| {
        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
        while socket.write_all(b" ").is_ok() {
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let started = Instant::now();
    let outcome = voice_to(port).args(&["--timeout", "1"]).run();
    assert!(started.elapsed() < Duration::from_secs(5));
    outcome.assert(
        8,
        "",
        &format!(
            "mfa: error: no answer from 127.0.0.1:{port} within 1 s; the code may have been sent, \
             so check before sending another\n"
        ),
    );
}

#[test]
fn an_id_with_a_line_break_is_refused_not_printed() {
    for (id, shown) in [
        ("c-1\\nmfa: error: fake", "c-1\\\\nmfa: error: fake"),
        ("c-1\\r", "c-1\\\\r"),
        ("c-1\\u0000", "c-1\\\\u0000"),
    ] {
        let mut server = mockito::Server::new();
        let body = format!(r#"{{"callId":"{id}"}}"#);
        let mock = voice_mock(&mut server, &default_voice_body())
            .with_body(&body)
            .expect(1)
            .create();
        Mfa::voice(&format!("{}/api/v1", server.url())).run().assert(
            9,
            "",
            &format!(
                "mfa: error: unexpected answer from the API (HTTP 200): the \"callId\" is empty or \
                 holds control or invisible characters; body: \
                 \"{{\\\"callId\\\":\\\"{shown}\\\"}}\"; the API took the request, so the code \
                 was sent\n"
            ),
        );
        mock.assert();
    }
}

#[test]
fn the_verbose_log_escapes_control_characters_in_the_answer() {
    let (port, _log) = raw_server(|socket| {
        let _ = socket.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Length: 19\r\nConnection: close\r\n\r\n\
              {\"callId\":\"c\x07\x1b[2J\"}",
        );
    });
    let outcome = voice_to(port).args(&["--verbose"]).run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (9, ""));
    outcome.assert_stderr_has_lines(&[
        "< HTTP 200".into(),
        "< content-length: 19".into(),
        "<".into(),
        "< {\"callId\":\"c\\u{7}\\u{1b}[2J\"}".into(),
    ]);
    assert!(!outcome.stderr.contains('\u{1b}') && !outcome.stderr.contains('\u{7}'));
}

#[test]
fn an_id_with_invisible_or_bidi_characters_is_refused_and_shown_escaped() {
    let mut server = mockito::Server::new();
    let body = r#"{"callId":"c-\u202egnp.exe\u2028mfa: error: forged"}"#;
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_body(body)
        .expect(1)
        .create();
    let outcome = Mfa::voice(&format!("{}/api/v1", server.url())).run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (9, ""));
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    assert!(
        !outcome.stderr.contains('\u{202e}') && !outcome.stderr.contains('\u{2028}'),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("the \"callId\" is empty or holds control or invisible characters"),
        "{}",
        outcome.stderr
    );
    mock.assert();
}

#[test]
fn a_huge_error_body_is_quoted_in_part() {
    let mut server = mockito::Server::new();
    let message = format!("bad \u{202e}{}", "x".repeat(65_000));
    let body = serde_json::json!({ "error": message, "requestId": "r-1" }).to_string();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_status(400)
        .with_body(&body)
        .expect(1)
        .create();
    let outcome = Mfa::voice(&format!("{}/api/v1", server.url())).run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (5, ""));
    assert!(
        outcome.stderr.len() < 1000,
        "{} bytes",
        outcome.stderr.len()
    );
    assert!(
        outcome
            .stderr
            .starts_with("mfa: error: the API rejected the request (HTTP 400): bad \\u{202e}xxx"),
        "{}",
        &outcome.stderr[..200]
    );
    assert!(
        outcome
            .stderr
            .ends_with("xxx... (requestId r-1); nothing was sent\n")
    );
    mock.assert();

    let page = format!("<html>{}</html>", "y".repeat(65_000));
    let mut server = mockito::Server::new();
    let mock = voice_mock(&mut server, &default_voice_body())
        .with_body(&page)
        .expect(1)
        .create();
    let outcome = Mfa::voice(&format!("{}/api/v1", server.url())).run();
    assert_eq!(outcome.code, 9);
    assert!(
        outcome.stderr.len() < 1000,
        "{} bytes",
        outcome.stderr.len()
    );
    mock.assert();
}

#[test]
fn an_id_with_bytes_that_are_not_utf8_is_refused_never_printed_mended() {
    let (port, _log) = raw_server(|socket| {
        let _ = socket.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Length: 18\r\nConnection: close\r\n\r\n\
              {\"callId\":\"c-\xff\xfe1\"}",
        );
    });
    let outcome = voice_to(port).run();
    assert_eq!(
        (outcome.code, outcome.stdout.as_str()),
        (9, ""),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.starts_with(
            "mfa: error: unexpected answer from the API (HTTP 200): the \"callId\" holds bytes \
             that are not UTF-8 text; body: "
        ),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .ends_with("; the API took the request, so the code was sent\n"),
        "{}",
        outcome.stderr
    );
    // The body shows the bytes as they came, never U+FFFD in their place.
    assert!(
        outcome.stderr.contains(r"c-\\xff\\xfe1") && !outcome.stderr.contains('\u{fffd}'),
        "{}",
        outcome.stderr
    );
}
