//! SIGHUP, Ctrl-C (SIGINT), SIGQUIT and SIGTERM while `mfa` works: one line saying
//! whether the code may have gone out, exit 128 and the signal's number, the
//! `password_command` and what it started ended too, and no temporary file left behind.

use std::time::{Duration, Instant};

use crate::servers::{closed_port, raw_server};
use crate::support::*;

/// Sends `signal` (`HUP`, `INT`, `QUIT`, `TERM`) to `child`.
fn signal(child: &std::process::Child, signal: &str) {
    let sent = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Waits, at most 10 s, until `ready` holds.
#[track_caller]
fn wait_until(what: &str, ready: impl Fn() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < Duration::from_secs(10), "never: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A server on 127.0.0.1 that reads each request and holds its answer for 30 s.
fn holding_server() -> (u16, crate::servers::Log) {
    raw_server(|_| std::thread::sleep(Duration::from_secs(30)))
}

#[test]
fn ctrl_c_while_the_request_is_out_says_the_code_may_have_been_sent_and_exits_130() {
    let (port, log) = holding_server();
    let child = Mfa::voice(&format!("http://127.0.0.1:{port}/api/v1")).start();
    wait_until("the request arrives", || log.entries().len() == 1);
    signal(&child, "INT");
    Outcome::of(child.wait_with_output().unwrap()).assert(
        130,
        "",
        "mfa: error: interrupted (SIGINT) while the request was out; the code may have been \
         sent, so check before sending another\n",
    );
}

#[test]
fn a_closed_terminal_or_sigquit_while_the_request_is_out_say_so_too() {
    for (name, code) in [("HUP", 129), ("QUIT", 131)] {
        let (port, log) = holding_server();
        let child = Mfa::sms(&format!("http://127.0.0.1:{port}/api/v1")).start();
        wait_until("the request arrives", || log.entries().len() == 1);
        signal(&child, name);
        Outcome::of(child.wait_with_output().unwrap()).assert(
            code,
            "",
            &format!(
                "mfa: error: interrupted (SIG{name}) while the request was out; the code may \
                 have been sent, so check before sending another\n"
            ),
        );
    }
}

#[test]
fn sigterm_in_json_says_maybe_and_exits_143() {
    let (port, log) = holding_server();
    let child = Mfa::verify(&format!("http://127.0.0.1:{port}/api/v1"))
        .args(&["--json"])
        .start();
    wait_until("the request arrives", || log.entries().len() == 1);
    signal(&child, "TERM");
    let outcome = Outcome::of(child.wait_with_output().unwrap());
    assert_eq!((outcome.code, outcome.stdout.as_str()), (143, ""));
    let error: serde_json::Value = serde_json::from_str(&outcome.stderr).unwrap();
    assert_eq!(
        error,
        serde_json::json!({"error": {
            "kind": "interrupted",
            "sent": "maybe",
            "message": "interrupted (SIGTERM) while the request was out; the code may have \
                        been checked, which counts as an attempt",
            "detail": "interrupted (SIGTERM) while the request was out; the code may have \
                       been checked, which counts as an attempt",
        }})
    );
}

#[test]
fn an_interruption_before_anything_was_written_says_nothing_was_sent() {
    // Waiting to retry a refused connection: nothing has gone out.
    let child = Mfa::voice(&format!("http://127.0.0.1:{}/api/v1", closed_port()))
        .args(&["--retries", "5"])
        .start();
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "INT");
    Outcome::of(child.wait_with_output().unwrap()).assert(
        130,
        "",
        "mfa: error: interrupted (SIGINT) before the request went out; nothing was sent\n",
    );
}

#[test]
fn the_password_command_and_what_it_started_end_with_mfa() {
    let folder = tempfile::tempdir().unwrap();
    let pid_file = folder.path().join("sleep.pid");
    let command = format!(
        "sleep 30 & echo $! > '{}'; wait",
        pid_file.to_str().unwrap()
    );
    let mfa = Mfa::voice_request()
        .args(&[
            "--account-id",
            ACCOUNT,
            "--username",
            USERNAME,
            "--base-url",
            &format!("http://127.0.0.1:{}/api/v1", closed_port()),
        ])
        .config(&format!(
            "[profiles.default]\npassword_command = {}\n",
            toml_string(&command)
        ));
    let child = mfa.start();
    wait_until("the command starts its sleep", || {
        std::fs::read_to_string(&pid_file).is_ok_and(|pid| pid.ends_with('\n'))
    });
    let sleep = std::fs::read_to_string(&pid_file).unwrap();
    let sleep = format!("/proc/{}", sleep.trim());
    assert!(std::path::Path::new(&sleep).exists());
    signal(&child, "TERM");
    Outcome::of(child.wait_with_output().unwrap()).assert(
        143,
        "",
        "mfa: error: interrupted (SIGTERM) before the request went out; nothing was sent\n",
    );
    // The sleep is killed with its group; /proc keeps it until its parent reaps it.
    wait_until("the command's sleep has ended", || {
        std::fs::read_to_string(format!("{sleep}/stat")).map_or(true, |stat| stat.contains(") Z "))
    });
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn an_interrupted_config_edit_leaves_no_temporary_file() {
    // Interrupted at many moments of the edit, from before it starts to after it ends,
    // by each of the four signals (SIGHUP: the terminal closed): never is a temporary
    // file (which would hold the password) left behind, and the file is whole, old or new.
    for (sig, delay) in ["INT", "HUP", "QUIT", "TERM"]
        .into_iter()
        .flat_map(|sig| (0..40u64).map(move |delay| (sig, delay)))
    {
        let mfa = Mfa::new()
            .args(&["config", "set", "password", "-"])
            .config("[profiles.default]\nusername = \"u\"\n");
        let folder = mfa.default_config_path().parent().unwrap().to_owned();
        let mut child = mfa
            .command()
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
        }
        std::thread::sleep(Duration::from_micros(delay * 100));
        signal(&child, sig);
        child.wait().unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        // The edit's lock file may stay after a signal (empty: it is only ever locked),
        // nothing else.
        names.retain(|name| name != "config.toml.lock");
        assert_eq!(names, ["config.toml"], "SIG{sig} after {delay}00 µs");
        let text = std::fs::read_to_string(folder.join("config.toml")).unwrap();
        assert!(
            text == "[profiles.default]\nusername = \"u\"\n"
                || text
                    == format!("[profiles.default]\nusername = \"u\"\npassword = \"{PASSWORD}\"\n"),
            "{text}"
        );
    }
}

#[test]
fn a_signal_during_the_round_trips_check_says_the_code_was_sent() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static ANSWERED: AtomicUsize = AtomicUsize::new(0);
    // The send is answered; the check that follows is held.
    let (port, log) = raw_server(|socket| {
        use std::io::Write;
        if ANSWERED.fetch_add(1, Ordering::SeqCst) == 0 {
            let body = r#"{"callId":"c-1"}"#;
            let _ = write!(
                socket,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        } else {
            std::thread::sleep(Duration::from_secs(30));
        }
    });
    let child = Mfa::voice(&format!("http://127.0.0.1:{port}/api/v1"))
        .args(&["--verify", "--expiration", "3", "--json"])
        .stdin(&format!("{CODE}\n"))
        .start();
    wait_until("the check arrives", || log.entries().len() == 2);
    signal(&child, "TERM");
    let outcome = Outcome::of(child.wait_with_output().unwrap());
    assert_eq!((outcome.code, outcome.stdout.as_str()), (143, ""));
    let error: serde_json::Value = serde_json::from_str(&outcome.stderr).unwrap();
    assert_eq!(error["error"]["sent"], "yes", "{}", outcome.stderr);
    assert_eq!(error["error"]["callId"], "c-1", "{}", outcome.stderr);
    assert_eq!(
        error["error"]["detail"],
        "interrupted (SIGTERM) while the code read back was being checked; the API took the \
         request, so the code was sent"
    );
}

/// The system's number for the signal `name` (`USR1`), as `kill -l` gives it.
fn number_of(name: &str) -> i32 {
    let listed = std::process::Command::new("kill")
        .args(["-l", name])
        .output()
        .unwrap();
    String::from_utf8(listed.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn every_signal_that_would_end_the_run_says_what_was_sent_logs_it_and_exits_128_and_n() {
    let mut names = vec![
        "HUP", "INT", "QUIT", "TERM", "USR1", "USR2", "ALRM", "VTALRM", "PROF", "XCPU",
    ];
    if cfg!(target_os = "linux") {
        names.extend(["STKFLT", "IO", "PWR"]);
    }
    for name in names {
        // What `kill` calls SIGIO.
        let sent = if name == "IO" { "POLL" } else { name };
        let (port, log) = holding_server();
        let folder = tempfile::tempdir().unwrap();
        let audit = folder.path().join("audit.jsonl");
        let child = Mfa::voice(&format!("http://127.0.0.1:{port}/api/v1"))
            .args(&["--log", audit.to_str().unwrap()])
            .start();
        wait_until("the request arrives", || log.entries().len() == 1);
        signal(&child, sent);
        let outcome = Outcome::of(child.wait_with_output().unwrap());
        assert_eq!(
            outcome.code,
            128 + number_of(sent),
            "SIG{name}: {}",
            outcome.stderr
        );
        assert_eq!(outcome.stdout, "", "SIG{name}");
        assert_eq!(
            outcome.stderr,
            format!(
                "mfa: error: interrupted (SIG{name}) while the request was out; the audit log \
                 holds this call: `mfa log --to {TO}`; the code may have been sent, so check \
                 before sending another\n"
            ),
            "SIG{name}"
        );
        let logged = std::fs::read_to_string(&audit).unwrap();
        let entry: serde_json::Value = serde_json::from_str(logged.trim()).unwrap();
        assert_eq!(entry["sent"], "maybe", "SIG{name}: {logged}");
        assert_eq!(entry["exit"], 128 + number_of(sent), "SIG{name}: {logged}");
    }
}
