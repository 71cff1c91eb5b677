//! `mfa` at a person's terminal, a real pseudo-terminal this test opens (`openpty`)
//! and reads as it shows: a `password_command` that asks there, prompts typed without
//! echo, the status line of a slow answer, and Ctrl-C or a signal at any of them, after
//! which the terminal echoes again.

use std::io::Write;
use std::process::Child;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::support::*;

/// `mfa` run as `mfa.command()` would run it, but in a new pseudo-terminal of its own
/// (a new session whose controlling terminal it is, as a login shell's), so that it
/// can prompt, turn echo off, and take Ctrl-C typed there. What the terminal shows is
/// read as it comes, so each step waits for the text it needs, never a fixed time.
struct Terminal {
    child: Child,
    master: std::fs::File,
    shown: Arc<(Mutex<Vec<u8>>, Condvar)>,
    reader: Option<std::thread::JoinHandle<()>>,
    /// How much of what was shown a step has already waited past.
    seen: usize,
}

impl Terminal {
    /// Starts `mfa` in a new pseudo-terminal.
    #[allow(unsafe_code)]
    fn start(mfa: &Mfa) -> Terminal {
        let (mut master, mut slave) = (-1, -1);
        // SAFETY: openpty(3) writes the two descriptors it opens into the integers it is
        // given; the name, settings and size are left to the system (null).
        let opened = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: each descriptor was just opened and is owned by nothing else.
        let (master, slave) = unsafe {
            use std::os::fd::FromRawFd;
            (
                std::fs::File::from_raw_fd(master),
                std::fs::File::from_raw_fd(slave),
            )
        };
        let mut command = mfa.command();
        command
            .stdin(slave.try_clone().unwrap())
            .stdout(slave.try_clone().unwrap())
            .stderr(slave);
        // SAFETY: between fork and exec the child only calls setsid(2) and ioctl(2),
        // both async-signal-safe, on its own standard input.
        unsafe {
            use std::os::unix::process::CommandExt;
            command.pre_exec(|| {
                // The request's type differs between systems (Linux, macOS).
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().unwrap();
        // The child's end is closed here (the command held the only copies), so the
        // reader sees the end once the child is gone.
        drop(command);
        let shown = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let (kept, mut from) = (Arc::clone(&shown), master.try_clone().unwrap());
        let reader = std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            // EIO once no process holds the terminal: the end.
            while let Ok(read @ 1..) = std::io::Read::read(&mut from, &mut chunk) {
                kept.0.lock().unwrap().extend_from_slice(&chunk[..read]);
                kept.1.notify_all();
            }
        });
        Terminal {
            child,
            master,
            shown,
            reader: Some(reader),
            seen: 0,
        }
    }

    /// Waits (at most 20 s) until the terminal shows `text` after what a step before
    /// waited for.
    #[track_caller]
    fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let (lock, shown_more) = &*self.shown;
        let mut shown = lock.lock().unwrap();
        loop {
            if let Some(at) = find(&shown[self.seen..], text.as_bytes()) {
                self.seen += at + text.len();
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "never shown: {text:?}; shown: {:?}",
                String::from_utf8_lossy(&shown)
            );
            shown = shown_more.wait_timeout(shown, left).unwrap().0;
        }
    }

    /// Types `text` at the terminal (`\r` is Enter, `\x03` Ctrl-C).
    fn type_in(&mut self, text: &str) {
        self.master.write_all(text.as_bytes()).unwrap();
    }

    /// Sends `signal` to the run, as `kill` would.
    #[allow(unsafe_code)]
    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) takes plain integers.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// Waits for the run to end: how it ended (its exit status, or 128 and the signal
    /// that ended it, as a shell says), all the terminal showed, and whether the
    /// terminal echoes what is typed afterwards.
    #[allow(unsafe_code)]
    fn end(mut self) -> (i32, String, bool) {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the run never ended"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        // SAFETY: a zeroed termios is valid to be filled in; tcgetattr(3) reads the
        // settings of the open terminal into it.
        let echoing = unsafe {
            use std::os::fd::AsRawFd;
            let mut settings: libc::termios = std::mem::zeroed();
            libc::tcgetattr(self.master.as_raw_fd(), &mut settings);
            settings.c_lflag & libc::ECHO != 0
        };
        self.reader.take().unwrap().join().unwrap();
        let shown = String::from_utf8_lossy(&self.shown.0.lock().unwrap()).into_owned();
        use std::os::unix::process::ExitStatusExt;
        let code = status
            .code()
            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
        (code, shown, echoing)
    }
}

/// Where `needle` first stands in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len().max(1))
        .position(|window| window == needle)
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
    let (code, shown) = dialog(&mfa, &[("Password: ", &typed)]);
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
    let (code, shown) = dialog(&mfa, &[("Password: ", "\x03")]);
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
    let (code, shown) = dialog(&mfa, &[("Code: ", &typed)]);
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
    let (code, shown) = dialog(&mfa, &[]);
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
        let (code, shown) = dialog(&mfa, &[]);
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
    let (code, shown) = dialog(&mfa, &[]);
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
    let (code, shown) = dialog(&mfa, &[("to answer (2 s)", "\x03")]);
    assert_eq!(code, 130, "{shown:?}");
    assert!(shown.contains("to answer (2 s)"), "{shown:?}");
    assert_eq!(
        left_on_screen(&shown),
        "mfa: error: interrupted (SIGINT) while the request was out; the code may have been \
         sent, so check before sending another\n",
        "{shown:?}"
    );
}

/// Runs `mfa` in a pseudo-terminal, answering each prompt of `steps` as it shows
/// (`\r` is Enter); returns how it ended and all it showed.
fn dialog(mfa: &Mfa, steps: &[(&str, &str)]) -> (i32, String) {
    let mut terminal = Terminal::start(mfa);
    for (prompt, answer) in steps {
        terminal.wait_for(prompt);
        terminal.type_in(answer);
    }
    let (code, shown, _) = terminal.end();
    (code, shown)
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
            ("Type 1 or 2 [1]: ", "\r"),
            ("API username: ", &format!("{USERNAME}\r")),
            ("Type 1 or 2 [1]: ", "\r"),
            (
                "API password (typed without echo): ",
                &format!("{PASSWORD}\r"),
            ),
            (
                "From number (E.164, e.g. +15554443333): ",
                &format!("{FROM}\r"),
            ),
            (
                "Voice application id (the Bandwidth App lists it under Applications; Enter to leave \
                 unset): ",
                &format!("{APP}\r"),
            ),
            (
                "Messaging application id (as the voice one; Enter to leave unset): ",
                "\r",
            ),
            ("in minutes (1 to 15) [5]: ", "\r"),
            ("any for every one) [US]: ", "\r"),
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
        "allowed_countries = \"US\"".to_owned(),
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
    assert_eq!(
        (dry.code, dry.stderr.as_str()),
        (0, GUARD_WOULD_SEND),
        "{}",
        dry.stderr
    );
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
         voice_application_id = \"{APP}\"\nexpiration_minutes = 3\nallowed_countries = \"US\"\n"
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
            ("Enter to leave unset): ", "\r"),
            ("[3]: ", "\r"),
            ("any for every one) [US]: ", "\r"),
            ("(sends no code)? [Y/n] ", "\r"),
        ],
    );
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("(1 setting changed)"), "{shown}");
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
        &[("Account id [1]: ", "2\r"), ("Type 1 or 2 [1]: ", "\x03")],
    );
    assert_eq!(code, 130, "{shown}");
    assert!(
        left_on_screen(&shown).ends_with(
            "\nmfa: error: interrupted (SIGINT) during the set-up; nothing was written\n"
        ),
        "{shown:?}"
    );
    assert_eq!(
        std::fs::read_to_string(mfa.default_config_path()).unwrap(),
        before
    );
}

#[test]
fn config_init_that_changes_nothing_writes_nothing_and_says_so() {
    let before = format!(
        "[profiles.default]\naccount_id = \"{ACCOUNT}\"\nusername = \"{USERNAME}\"\n\
         password = \"{PASSWORD}\"\nfrom = \"{FROM}\"\nexpiration_minutes = 3\n\
         allowed_countries = \"US\"\n"
    );
    let mfa = Mfa::new().args(&["config", "init"]).config(&before);
    let (code, shown) = dialog(
        &mfa,
        &[
            (&format!("Account id [{ACCOUNT}]: "), "\r"),
            ("Type 1 or 2 [1]: ", "\r"),
            (&format!("API username [{USERNAME}]: "), "\r"),
            ("Type 1 or 2 [1]: ", "\r"),
            ("[set]: ", "\r"),
            (&format!("[{FROM}]: "), "\r"),
            ("Enter to leave unset): ", "\r"),
            ("Enter to leave unset): ", "\r"),
            ("[3]: ", "\r"),
            ("any for every one) [US]: ", "\r"),
            ("(sends no code)? [Y/n] ", "n\r"),
        ],
    );
    assert_eq!(code, 0, "{shown}");
    let path = mfa.default_config_path();
    assert!(
        shown.contains(&format!(
            "mfa: nothing changed: profile `default` in {} is as it was",
            path.display()
        )),
        "{shown}"
    );
    assert!(!shown.contains("wrote"), "{shown}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["config.toml"], "no lock file is left");
}

#[test]
fn a_password_typed_at_a_choice_is_wiped_from_the_screen() {
    let mfa = Mfa::new().args(&["config", "init"]);
    let (code, shown) = dialog(
        &mfa,
        &[
            ("Account id: ", &format!("{ACCOUNT}\r")),
            ("Type 1 or 2 [1]: ", &format!("{PASSWORD}\r")),
            ("it was not kept", ""),
            ("Type 1 or 2 [1]: ", "\x03"),
        ],
    );
    assert_eq!(code, 130, "{shown:?}");
    // The terminal echoed it as typed; then it was wiped.
    assert!(shown.contains(PASSWORD), "{shown:?}");
    let screen = screen(&shown);
    assert!(!screen.contains(PASSWORD), "{screen}");
    // The line of the prompt and the answer is gone; the warning stands in its place.
    assert!(
        screen.contains("  2  OAuth2 client credentials\n  that was not 1 or 2"),
        "{screen}"
    );
}

/// What a terminal shows once `shown` is written to it: lines written over, moved up to
/// and cleared as the sequences `mfa` writes say (`\r`, `\n`, `ESC[1A`, `ESC[2K`,
/// `ESC[K`); lines never wrap.
fn screen(shown: &str) -> String {
    let mut rows: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0, 0);
    let mut rest = shown;
    while let Some(c) = rest.chars().next() {
        let mut step = c.len_utf8();
        if rest.starts_with("\x1b[1A") {
            row = usize::saturating_sub(row, 1);
            step = 4;
        } else if rest.starts_with("\x1b[2K") {
            rows[row].clear();
            step = 4;
        } else if rest.starts_with("\x1b[K") {
            rows[row].truncate(col);
            step = 3;
        } else {
            match c {
                '\r' => col = 0,
                '\n' => {
                    row += 1;
                    if rows.len() == row {
                        rows.push(Vec::new());
                    }
                }
                _ => {
                    let line = &mut rows[row];
                    line.resize(line.len().max(col), ' ');
                    match line.get_mut(col) {
                        Some(at) => *at = c,
                        None => line.push(c),
                    }
                    col += 1;
                }
            }
        }
        rest = &rest[step..];
    }
    let lines: Vec<String> = rows.into_iter().map(String::from_iter).collect();
    lines.join("\n")
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
    // A slow machine may draw the status line first; it is erased before the id.
    assert!(left_on_screen(&shown).starts_with("c-1\n"), "{shown}");
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

/// Runs `mfa` in a pseudo-terminal, waits for `prompt`, then ends the run there:
/// Ctrl-C typed (`signal` = 0) or `signal` sent from outside. Returns how it ended, all
/// it showed, and whether the terminal echoes again afterwards.
fn ended_at_prompt(mfa: &Mfa, prompt: &str, signal: libc::c_int) -> (i32, bool, String) {
    let mut terminal = Terminal::start(mfa);
    terminal.wait_for(prompt);
    match signal {
        0 => terminal.type_in("\x03"),
        signal => terminal.signal(signal),
    }
    let (code, shown, echoing) = terminal.end();
    (code, echoing, shown)
}

#[test]
fn a_run_ended_at_a_hidden_prompt_leaves_the_terminal_echoing_as_it_was() {
    let mut server = mockito::Server::new();
    let _send = round_trip_send(&mut server);
    // (what is asked, its prompt, the signal that ends the run (0: Ctrl-C typed), the
    // status it ends with: 128 and a signal's number when the signal itself ends it)
    let cases: [(Mfa, &str, libc::c_int, i32); 5] = [
        (
            Mfa::new().args(&["config", "set", "password", "-"]),
            "Password: ",
            0,
            128 + libc::SIGINT,
        ),
        (
            Mfa::new().args(&["config", "set", "client_secret", "-"]),
            "Client secret: ",
            libc::SIGTERM,
            128 + libc::SIGTERM,
        ),
        (
            Mfa::verify_request()
                .args(&["--code", "-"])
                .connected(&format!("{}/api/v1", server.url())),
            "Code: ",
            libc::SIGUSR1,
            128 + libc::SIGUSR1,
        ),
        (round_trip(&server), "Code read back", 0, 130),
        (
            round_trip(&server),
            "Code read back",
            libc::SIGALRM,
            128 + libc::SIGALRM,
        ),
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
            ("Enter to leave unset): ", "\r"),
            ("[3]: ", "\r"),
            ("any for every one) [US]: ", "\r"),
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

#[test]
fn the_doctor_shows_each_line_as_its_check_ends_and_ctrl_c_logs_the_check() {
    let mut server = mockito::Server::new();
    let verify = fictional_verify(&mut server)
        .with_chunked_body(|body| {
            std::thread::sleep(Duration::from_secs(10));
            body.write_all(br#"{"valid":false}"#)
        })
        .expect(1)
        .create();
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    let mfa = Mfa::new()
        .args(&["doctor", "--account-id", ACCOUNT, "--username", USERNAME])
        .args(&["--base-url", &format!("{}/api/v1", server.url())])
        .args(&["--log", log.to_str().unwrap()])
        .env("BW_PASSWORD", PASSWORD);
    let mut terminal = Terminal::start(&mfa);
    // The lines of the checks that ended are there while the API is still awaited,
    // and after a second, the status line the sends show.
    terminal.wait_for("ok    connection: ");
    let host = server.host_with_port();
    terminal.wait_for(&format!("mfa: waiting for {host} (1 s)"));
    terminal.type_in("\x03");
    let (code, shown, _) = terminal.end();
    assert_eq!(code, 130, "{shown:?}");
    assert!(
        left_on_screen(&shown)
            .ends_with("\nmfa: error: interrupted (SIGINT) during the checks; nothing was sent\n"),
        "{shown:?}"
    );
    let entries = std::fs::read_to_string(&log).unwrap();
    let entry: serde_json::Value = serde_json::from_str(entries.trim_end()).unwrap();
    assert_eq!(
        (&entry["command"], &entry["call"], &entry["exit"]),
        (&"doctor".into(), &"verify".into(), &130.into()),
        "{entries}"
    );
    assert_eq!(entry["sent"], "maybe", "the check was out: {entries}");
    drop(verify);
}

#[test]
fn ctrl_c_at_the_code_prompt_is_logged_as_the_round_trip_ended_there() {
    let mut server = mockito::Server::new();
    let send = round_trip_send(&mut server);
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    let mfa = round_trip(&server).args(&["--log", log.to_str().unwrap()]);
    let (code, shown) = dialog(&mfa, &[("Code read back (3 tries left): ", "\x03")]);
    assert_eq!(code, 130, "{shown:?}");
    send.assert();
    let text = std::fs::read_to_string(&log).unwrap();
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(
        (&last["call"], &last["checks"], &last["exit"], &last["sent"]),
        (&"verify".into(), &"c-1".into(), &130.into(), &"no".into()),
        "{text}"
    );
    assert_eq!(last["ended"], "interrupted (SIGINT) at the code prompt");
}

#[test]
fn ctrl_c_while_waiting_for_an_outcome_says_it_is_not_known() {
    let mut server = mockito::Server::new();
    let _queued = server
        .mock(
            "GET",
            format!("/voice/accounts/{ACCOUNT}/calls/c-1").as_str(),
        )
        .with_body(r#"{"state":"queued"}"#)
        .expect_at_least(1)
        .create();
    let mfa = Mfa::new()
        .args(&[
            "status",
            "c-1",
            "--wait",
            "--account-id",
            ACCOUNT,
            "--username",
            USERNAME,
        ])
        .env("BW_PASSWORD", PASSWORD)
        .env("MFA_VOICE_URL", &format!("{}/voice", server.url()));
    // Drawn each second from the wait's start; by the second, a line left over from
    // the first question would have shown too.
    let (code, shown) = dialog(
        &mfa,
        &[("mfa: waiting for the outcome of c-1 (2 s)", "\x03")],
    );
    assert_eq!(code, 130, "{shown:?}");
    assert!(
        left_on_screen(&shown).ends_with(
            "mfa: error: interrupted (SIGINT) while waiting for the outcome, which is not known\n"
        ),
        "{shown:?}"
    );
    // Only the API asked is named: no line of another (the Messaging API's default).
    assert!(!shown.contains("messaging.bandwidth.com"), "{shown:?}");
}

#[test]
fn ctrl_c_while_a_send_waits_for_its_outcome_says_the_code_was_sent() {
    let mut server = mockito::Server::new();
    let send = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let _queued = server
        .mock(
            "GET",
            format!("/voice/accounts/{ACCOUNT}/calls/c-1").as_str(),
        )
        .with_body(r#"{"state":"queued"}"#)
        .expect_at_least(1)
        .create();
    let mfa = Mfa::voice(&format!("{}/api/v1", server.url()))
        .args(&["--wait"])
        .env("MFA_VOICE_URL", &format!("{}/voice", server.url()));
    let (code, shown) = dialog(&mfa, &[("waiting for the outcome of c-1 (", "\x03")]);
    assert_eq!(code, 130, "{shown:?}");
    let screen = left_on_screen(&shown);
    assert!(screen.starts_with("c-1\n"), "{shown:?}");
    assert!(
        screen.ends_with(
            "mfa: error: interrupted (SIGINT) while waiting for the outcome; the code was sent; \
             what became of it is not known\n"
        ),
        "{shown:?}"
    );
    send.assert();
}

#[test]
fn the_round_trip_shows_the_call_above_the_prompt_and_s_sends_the_code_by_text() {
    let mut server = mockito::Server::new();
    let send = round_trip_send(&mut server);
    let state = call_c1(
        &mut server,
        r#"{"state":"disconnected","disconnectCause":"timeout"}"#,
    );
    let text = fallback_text(&mut server, 1);
    let right = round_trip_check(&mut server, CODE, true);
    let mfa = round_trip(&server)
        .env("BW_MESSAGING_APPLICATION_ID", SMS_APP)
        .env("MFA_VOICE_URL", &format!("{}/voice", server.url()));
    let (code, shown) = dialog(
        &mfa,
        &[
            (
                "mfa: the call: not answered in time; press s to send the code by text \
                 message instead, or type the code if it was read back",
                "",
            ),
            ("Code read back (3 tries left): ", "s"),
            ("m-1", ""),
            ("Code read back (3 tries left): ", &format!("{CODE}\r")),
        ],
    );
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("mfa: the code was sent by text message instead"),
        "{shown}"
    );
    assert!(shown.ends_with("valid\r\n"), "{shown}");
    assert!(!shown.contains(CODE), "{shown}");
    for mock in [send, state, text, right] {
        mock.assert();
    }
}

#[test]
fn with_fallback_sms_a_call_not_answered_sends_the_text_without_asking() {
    let mut server = mockito::Server::new();
    let send = round_trip_send(&mut server);
    let state = call_c1(
        &mut server,
        r#"{"state":"disconnected","disconnectCause":"busy"}"#,
    );
    let text = fallback_text(&mut server, 1);
    let right = round_trip_check(&mut server, CODE, true);
    let mfa = round_trip(&server)
        .args(&["--fallback", "sms"])
        .env("BW_MESSAGING_APPLICATION_ID", SMS_APP)
        .env("MFA_VOICE_URL", &format!("{}/voice", server.url()));
    let (code, shown) = dialog(
        &mfa,
        &[
            (
                "mfa: the call: busy; sending the code by text message instead",
                "",
            ),
            ("m-1", ""),
            ("Code read back (3 tries left): ", &format!("{CODE}\r")),
        ],
    );
    assert_eq!(code, 0, "{shown}");
    for mock in [send, state, text, right] {
        mock.assert();
    }
}
