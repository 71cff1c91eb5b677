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

/// A strict voice mock whose answer, `c-1`, comes only after `delay`.
fn slow_answer(server: &mut mockito::ServerGuard, delay: Duration) -> mockito::Mock {
    voice_mock(server, &default_voice_body())
        .with_chunked_body(move |body| {
            std::thread::sleep(delay);
            body.write_all(br#"{"callId":"c-1"}"#)
        })
        .expect(1)
        .create()
}

/// What stays on the terminal once each status line is erased: the text after the
/// last `\r\x1b[K` of each line.
fn left_on_screen(shown: &str) -> String {
    shown
        .split("\r\n")
        .map(|line| line.rsplit("\r\x1b[K").next().unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_slow_answer_shows_a_status_line_at_a_terminal_erased_when_done() {
    let mut server = mockito::Server::new();
    let call = slow_answer(&mut server, Duration::from_millis(2_500));
    let mfa = Mfa::voice(&format!("{}/api/v1", server.url()));
    let (code, shown) = in_a_terminal(&mfa, b"", Duration::ZERO);
    assert_eq!(code, 0, "{shown:?}");
    let host = server.host_with_port();
    assert!(
        shown.contains(&format!("\r\x1b[Kmfa: waiting for {host} to answer (1 s)")),
        "{shown:?}"
    );
    assert!(
        shown.contains(&format!("\r\x1b[Kmfa: waiting for {host} to answer (2 s)")),
        "{shown:?}"
    );
    assert_eq!(left_on_screen(&shown), "c-1\n", "{shown:?}");
    call.assert();
}

#[test]
fn without_a_terminal_a_slow_answer_leaves_stderr_empty() {
    let mut server = mockito::Server::new();
    let call = slow_answer(&mut server, Duration::from_millis(1_500));
    Mfa::voice(&format!("{}/api/v1", server.url()))
        .run()
        .assert(0, "c-1\n", "");
    call.assert();
}

#[test]
fn with_json_or_the_log_no_status_line_is_drawn_even_at_a_terminal() {
    for flag in ["--json", "--verbose"] {
        let mut server = mockito::Server::new();
        let call = slow_answer(&mut server, Duration::from_millis(1_500));
        let mfa = Mfa::voice(&format!("{}/api/v1", server.url())).args(&[flag]);
        let (code, shown) = in_a_terminal(&mfa, b"", Duration::ZERO);
        assert_eq!(code, 0, "{shown:?}");
        assert!(!shown.contains("\x1b[K"), "{flag}: {shown:?}");
        assert!(!shown.contains("to answer ("), "{flag}: {shown:?}");
        call.assert();
    }
}

/// Strict voice mocks: a 429 with `Retry-After: 2`, then `c-1`; each expected once.
fn rate_limited_once(server: &mut mockito::ServerGuard) -> (mockito::Mock, mockito::Mock) {
    let refused = voice_mock(server, &default_voice_body())
        .with_status(429)
        .with_header("Retry-After", "2")
        .with_body(r#"{"message":"Too many requests"}"#)
        .expect(1)
        .create();
    let call = voice_mock(server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    (refused, call)
}

#[test]
fn a_retry_wait_is_announced_at_a_terminal_without_the_log() {
    let mut server = mockito::Server::new();
    let (refused, call) = rate_limited_once(&mut server);
    let mfa = Mfa::voice(&format!("{}/api/v1", server.url())).args(&["--retries", "1"]);
    let (code, shown) = in_a_terminal(&mfa, b"", Duration::ZERO);
    assert_eq!(code, 0, "{shown:?}");
    assert!(
        shown.contains("\r\x1b[Kmfa: waiting to try again (1 s)"),
        "{shown:?}"
    );
    assert_eq!(
        left_on_screen(&shown),
        "mfa: HTTP 429; waiting 2 s as Retry-After says, then retry 1 of 1\nc-1\n",
        "{shown:?}"
    );
    refused.assert();
    call.assert();
}

#[test]
fn without_a_terminal_a_retry_wait_leaves_stderr_empty() {
    let mut server = mockito::Server::new();
    let (refused, call) = rate_limited_once(&mut server);
    Mfa::voice(&format!("{}/api/v1", server.url()))
        .args(&["--retries", "1"])
        .run()
        .assert(0, "c-1\n", "");
    refused.assert();
    call.assert();
}

#[test]
fn ctrl_c_under_the_status_line_erases_it_before_saying_what_was_sent() {
    let mut server = mockito::Server::new();
    let _never = slow_answer(&mut server, Duration::from_secs(5));
    let mfa = Mfa::voice(&format!("{}/api/v1", server.url()));
    let (code, shown) = in_a_terminal(&mfa, b"\x03", Duration::from_millis(2_300));
    assert_eq!(code, 130, "{shown:?}");
    assert!(shown.contains("to answer (2 s)"), "{shown:?}");
    assert_eq!(
        left_on_screen(&shown),
        "mfa: error: interrupted (SIGINT) while the request was out; the code may have been \
         sent, so check before sending another\n",
        "{shown:?}"
    );
}

/// Python that runs a command in a new pseudo-terminal and plays a dialog with it: for
/// each step, waits (at most 20 s in all) until the terminal shows the step's prompt,
/// then types its answer. Prints all the terminal showed; exits as the command did
/// (128 and the signal's number if a signal ended it).
const DIALOG: &str = r#"
import json, os, pty, select, sys, time
steps, argv = json.loads(sys.argv[1]), sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
shown, seen, deadline = b"", 0, time.time() + 20
def more():
    global shown
    ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.time()))
    if not ready:
        return False
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        return False
    shown += chunk
    return bool(chunk)
for prompt, answer in steps:
    while shown.find(prompt.encode(), seen) < 0:
        if not more():
            sys.stdout.buffer.write(shown)
            sys.stderr.write("never shown: %r\n" % prompt)
            os.kill(pid, 9)
            sys.exit(99)
    seen = shown.find(prompt.encode(), seen) + len(prompt)
    time.sleep(0.05)
    os.write(fd, answer.encode())
while more():
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(shown)
sys.exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))
"#;

/// Runs `mfa` as `mfa.command()` would, in a pseudo-terminal, answering each prompt
/// of `steps` as it shows (`\r` is Enter); returns the exit status and all it showed.
fn dialog(mfa: &Mfa, steps: &[(&str, &str)]) -> (i32, String) {
    let inner = mfa.command();
    let steps = serde_json::to_string(steps).unwrap();
    let output = Command::new("python3")
        .args(["-c", DIALOG, &steps])
        .arg(inner.get_program())
        .args(inner.get_args())
        .env_clear()
        .envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.stderr.is_empty(),
        "{}\n{shown}",
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), shown)
}

#[test]
fn config_init_at_a_terminal_asks_for_each_setting_and_writes_them_all() {
    let mfa = Mfa::new().args(&["config", "init"]);
    let path = mfa.default_config_path();
    let (code, shown) = dialog(
        &mfa,
        &[
            ("Account id: ", "99x\r"),
            ("try again", ""),
            ("Account id: ", &format!("{ACCOUNT}\r")),
            ("OAuth2 client credentials [1]: ", "\r"),
            ("API username: ", &format!("{USERNAME}\r")),
            ("such as a password manager's [1]: ", "\r"),
            (
                "API password (typed without echo): ",
                &format!("{PASSWORD}\r"),
            ),
            (
                "From number (E.164, e.g. +15554443333): ",
                &format!("{FROM}\r"),
            ),
            (
                "Voice application id (Enter to leave unset): ",
                &format!("{APP}\r"),
            ),
            ("Messaging application id (Enter to leave unset): ", "\r"),
            ("in minutes (1 to 15) [5]: ", "\r"),
            ("(sends no code)? [Y/n] ", "n\r"),
        ],
    );
    assert_eq!(code, 0, "{shown}");
    assert!(!shown.contains(PASSWORD), "the password was shown: {shown}");
    assert!(
        shown.contains("must be digits only (e.g. 9900000); try again"),
        "{shown}"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    for line in [
        format!("account_id = \"{ACCOUNT}\""),
        format!("username = \"{USERNAME}\""),
        format!("password = \"{PASSWORD}\""),
        format!("from = \"{FROM}\""),
        format!("voice_application_id = \"{APP}\""),
        "expiration_minutes = 5".to_owned(),
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in:\n{text}");
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // It is a profile mfa reads: a dry run needs nothing more.
    let dry = Mfa::new()
        .args(&["voice", "--to", TO, "--dry-run", "--config"])
        .args(&[path.to_str().unwrap()])
        .run();
    assert_eq!((dry.code, dry.stderr.as_str()), (0, ""), "{}", dry.stderr);
}

#[test]
fn config_init_again_edits_the_profile_in_place_and_runs_the_doctor() {
    let mut server = mockito::Server::new();
    let verify = fictional_verify(&mut server)
        .with_body(r#"{"valid":false}"#)
        .expect(1)
        .create();
    let before = format!(
        "# my own notes\n[profiles.default]\naccount_id = \"{ACCOUNT}\" # the real one\n\
         username = \"{USERNAME}\"\npassword = \"{PASSWORD}\"\nfrom = \"+15550000000\"\n\
         voice_application_id = \"{APP}\"\nexpiration_minutes = 3\n"
    );
    let mfa = Mfa::new()
        .args(&["config", "init"])
        .env("MFA_BASE_URL", &format!("{}/api/v1", server.url()))
        .config(&before);
    let (code, shown) = dialog(
        &mfa,
        &[
            (&format!("Account id [{ACCOUNT}]: "), "\r"),
            ("[1]: ", "\r"),
            (&format!("API username [{USERNAME}]: "), "\r"),
            ("[1]: ", "\r"),
            ("API password (typed without echo) [set]: ", "\r"),
            ("[+15550000000]: ", &format!("{FROM}\r")),
            ("]: ", "\r"),
            ("(Enter to leave unset): ", "\r"),
            ("[3]: ", "\r"),
            ("(sends no code)? [Y/n] ", "\r"),
        ],
    );
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("(1 setting(s) changed)"), "{shown}");
    assert!(shown.contains("ok    API access: "), "{shown}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    let after = std::fs::read_to_string(mfa.default_config_path()).unwrap();
    assert_eq!(after, before.replace("+15550000000", FROM));
    verify.assert();
}

#[test]
fn ctrl_c_during_config_init_leaves_the_file_as_it_was() {
    let before = "# mine\n[profiles.default]\naccount_id = \"1\"\n";
    let mfa = Mfa::new().args(&["config", "init"]).config(before);
    let (code, shown) = dialog(
        &mfa,
        &[
            ("Account id [1]: ", "2\r"),
            ("OAuth2 client credentials [1]: ", "\x03"),
        ],
    );
    assert_eq!(code, 130, "{shown}");
    assert_eq!(
        std::fs::read_to_string(mfa.default_config_path()).unwrap(),
        before
    );
}

#[test]
fn config_init_with_no_input_writes_the_template_even_at_a_terminal() {
    let mfa = Mfa::new().args(&["config", "init", "--no-input"]);
    let (code, shown) = dialog(&mfa, &[]);
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("mfa: wrote profile `default` to "),
        "{shown}"
    );
    let text = std::fs::read_to_string(mfa.default_config_path()).unwrap();
    assert!(text.contains("#   account_id = \"9900000\""), "{text}");
}

#[test]
fn the_round_trip_asks_for_the_code_without_echo_and_says_the_tries_left() {
    let mut server = mockito::Server::new();
    let send = round_trip_send(&mut server);
    let wrong = round_trip_check(&mut server, "11112222", false);
    let right = round_trip_check(&mut server, CODE, true);
    let (code, shown) = dialog(
        &round_trip(&server),
        &[
            ("Code read back (3 tries left): ", "11112222\r"),
            ("Code read back (2 tries left): ", "12a\r"),
            ("type it again", ""),
            ("Code read back (2 tries left): ", &format!("{CODE}\r")),
        ],
    );
    assert_eq!(code, 0, "{shown}");
    assert!(shown.starts_with("c-1\r\n"), "{shown}");
    assert!(shown.contains("mfa: invalid; 2 tries left"), "{shown}");
    assert!(shown.ends_with("valid\r\n"), "{shown}");
    assert!(
        !shown.contains(CODE) && !shown.contains("11112222"),
        "{shown}"
    );
    send.assert();
    wrong.assert();
    right.assert();
}

#[test]
fn ctrl_c_at_the_round_trips_prompt_says_the_code_was_sent_and_not_checked() {
    let mut server = mockito::Server::new();
    let send = round_trip_send(&mut server);
    let none = server.mock("POST", VERIFY_PATH).expect(0).create();
    let (code, shown) = dialog(
        &round_trip(&server),
        &[("Code read back (3 tries left): ", "\x03")],
    );
    assert_eq!(code, 130, "{shown}");
    assert!(
        shown.contains(
            "mfa: error: interrupted (SIGINT) at the code prompt, \
             before the code read back was checked; the API took the request, so the code \
             was sent"
        ),
        "{shown}"
    );
    send.assert();
    none.assert();
}

/// Runs `mfa` in a new pseudo-terminal, waits for `prompt`, then ends the run there:
/// Ctrl-C typed (`how` = "ctrl-c") or a signal sent from outside (`how` = "TERM",
/// "USR1", ...). Returns how it ended (the exit status, or minus the signal that killed
/// it) and whether the terminal echoes again afterwards.
fn ended_at_prompt(mfa: &Mfa, prompt: &str, how: &str) -> (i32, bool, String) {
    let inner = mfa.command();
    let script = "import os, pty, signal, sys, termios\n\
                  prompt, how = sys.argv[1].encode(), sys.argv[2]\n\
                  pid, fd = pty.fork()\n\
                  if pid == 0:\n    os.execv(sys.argv[3], sys.argv[3:])\n\
                  shown = b''\n\
                  while prompt not in shown:\n    shown += os.read(fd, 1024)\n\
                  if how == 'ctrl-c':\n    os.write(fd, b'\\x03')\n\
                  else:\n    os.kill(pid, getattr(signal, 'SIG' + how))\n\
                  _, status = os.waitpid(pid, 0)\n\
                  echo = termios.tcgetattr(fd)[3] & termios.ECHO\n\
                  try:\n    shown += os.read(fd, 4096)\nexcept OSError:\n    pass\n\
                  sys.stderr.write(shown.decode(errors='replace'))\n\
                  print(os.waitstatus_to_exitcode(status), 'echo' if echo else 'silent')\n";
    let output = Command::new("python3")
        .args(["-c", script, prompt, how])
        .arg(inner.get_program())
        .args(inner.get_args())
        .env_clear()
        .envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    let shown = String::from_utf8_lossy(&output.stderr).into_owned();
    let mut words = said.split_whitespace();
    let status = words.next().and_then(|w| w.parse().ok()).unwrap_or(999);
    (status, words.next() == Some("echo"), shown)
}

#[test]
fn a_run_ended_at_a_hidden_prompt_leaves_the_terminal_echoing_as_it_was() {
    let mut server = mockito::Server::new();
    let _send = round_trip_send(&mut server);
    // (what is asked, its prompt, how the run ends, the status it ends with)
    let cases: [(Mfa, &str, &str, i32); 5] = [
        (
            Mfa::new().args(&["config", "set", "password", "-"]),
            "Password: ",
            "ctrl-c",
            -2,
        ),
        (
            Mfa::new().args(&["config", "set", "client_secret", "-"]),
            "Client secret: ",
            "TERM",
            -15,
        ),
        (
            Mfa::verify_request()
                .args(&["--code", "-"])
                .connected(&format!("{}/api/v1", server.url())),
            "Code: ",
            "USR1",
            -10,
        ),
        (round_trip(&server), "Code read back", "ctrl-c", 130),
        (round_trip(&server), "Code read back", "ALRM", 142),
    ];
    for (mfa, prompt, how, status) in cases {
        let (ended, echoing, shown) = ended_at_prompt(&mfa, prompt, how);
        assert_eq!(ended, status, "{prompt} {how}: {shown}");
        assert!(
            echoing,
            "{prompt} {how}: the terminal was left without echo: {shown}"
        );
    }
}

#[test]
fn config_init_making_a_secret_readable_by_others_makes_the_file_private_and_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let before = format!(
        "[profiles.default]\naccount_id = \"{ACCOUNT}\"\nusername = \"{USERNAME}\"\n\
         from = \"{FROM}\"\nvoice_application_id = \"{APP}\"\nexpiration_minutes = 3\n"
    );
    let mfa = Mfa::new()
        .args(&["config", "init"])
        .config_with_mode(&before, 0o644);
    let path = mfa.default_config_path();
    let (code, shown) = dialog(
        &mfa,
        &[
            (&format!("Account id [{ACCOUNT}]: "), "\r"),
            ("[1]: ", "\r"),
            (&format!("API username [{USERNAME}]: "), "\r"),
            ("[1]: ", "\r"),
            (
                "API password (typed without echo): ",
                &format!("{PASSWORD}\r"),
            ),
            ("]: ", "\r"),
            ("]: ", "\r"),
            ("(Enter to leave unset): ", "\r"),
            ("[3]: ", "\r"),
            ("(sends no code)? [Y/n] ", "n\r"),
        ],
    );
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains(&format!(
            "mfa: warning: config file {} holds a password and can be read by its group and \
             others (mode 644); it is 600 now",
            path.display()
        )),
        "{shown}"
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}
