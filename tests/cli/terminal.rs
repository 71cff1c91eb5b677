//! A `password_command` that asks on the terminal, run in a real pseudo-terminal
//! (Python's `pty` module holds the other end): it can read what is typed, and Ctrl-C
//! typed there ends it and `mfa` both.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// Runs `mfa` as `mfa.command()` would, but in a new pseudo-terminal that gets `typed`
/// (written a little at a time after `pause`); returns the exit status and all the
/// terminal showed (stdout and stderr together, and the echo of what was typed).
fn in_a_terminal(mfa: &Mfa, typed: &[u8], pause: Duration) -> (i32, String) {
    let inner = mfa.command();
    let mut outer = Command::new("python3");
    outer
        .args([
            "-c",
            "import os, pty, sys; status = pty.spawn(sys.argv[1:]); \
             sys.exit(os.waitstatus_to_exitcode(status) % 256)",
        ])
        .arg(inner.get_program())
        .args(inner.get_args())
        .env_clear()
        .envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = outer.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::sleep(pause);
    stdin.write_all(typed).unwrap();
    stdin.flush().unwrap();
    // Kept open until the run ends: the terminal is not closed under it.
    let started = Instant::now();
    let output = loop {
        if let Some(_status) = child.try_wait().unwrap() {
            break child.wait_with_output().unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the run never ended"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    let shown = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code().unwrap_or(-1), shown)
}

/// `mfa voice` against `base_url` whose password comes from a command that asks for it
/// on the terminal.
fn asking(base_url: &str) -> Mfa {
    Mfa::voice_request()
        .args(&[
            "--account-id",
            ACCOUNT,
            "--username",
            USERNAME,
            "--base-url",
            base_url,
        ])
        .config(
            "[profiles.default]\npassword_command = \"printf 'Password: ' >/dev/tty; \
             read -r pw </dev/tty; printf '%s\\\\n' \\\"$pw\\\"\"\n",
        )
}

#[test]
fn a_password_command_can_ask_on_the_terminal() {
    let mut server = mockito::Server::new();
    let call = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let mfa = asking(&format!("{}/api/v1", server.url()));
    let typed = format!("{PASSWORD}\n");
    let (code, shown) = in_a_terminal(&mfa, typed.as_bytes(), Duration::from_millis(300));
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("Password: "), "{shown}");
    assert!(shown.ends_with("c-1\r\n"), "{shown}");
    call.assert();
}

#[test]
fn ctrl_c_at_the_commands_prompt_ends_it_and_mfa_sending_nothing() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let mfa = asking(&format!("{}/api/v1", server.url()));
    let started = Instant::now();
    let (code, shown) = in_a_terminal(&mfa, b"\x03", Duration::from_millis(500));
    assert_eq!(code, 130, "{shown}");
    assert!(
        shown.contains(
            "mfa: error: interrupted (SIGINT) before the request went out; nothing was sent"
        ),
        "{shown}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    nothing.assert();
}

#[test]
fn a_code_typed_on_the_terminal_is_not_echoed() {
    let mut server = mockito::Server::new();
    let call = api_mock(&mut server, VERIFY_PATH, &default_verify_body())
        .with_body(r#"{"valid":true}"#)
        .expect(1)
        .create();
    let mfa = Mfa::verify_request()
        .args(&["--code", "-"])
        .connected(&format!("{}/api/v1", server.url()));
    let typed = format!("{CODE}\n");
    let (code, shown) = in_a_terminal(&mfa, typed.as_bytes(), Duration::from_millis(800));
    assert_eq!(code, 0, "{shown}");
    assert!(shown.starts_with("Code: "), "{shown}");
    assert!(shown.ends_with("valid\r\n"), "{shown}");
    assert!(!shown.contains(CODE), "{shown}");
    call.assert();
}
