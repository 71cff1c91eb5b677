//! The audit log (`--log`, `MFA_LOG`, `log_file`): one whole JSON line for each call,
//! however it ended, with no code or secret; a file that is not the user's own regular
//! file is refused before anything is sent; runs at once never mix their lines.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;

use crate::support::*;

/// The log's lines, as JSON.
fn entries(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn each_call_appends_one_line_saying_who_called_whom_and_how_it_ended() {
    let mut server = mockito::Server::new();
    let send = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    let api = format!("{}/api/v1", server.url());
    Mfa::voice(&api)
        .args(&["--log", log.to_str().unwrap()])
        .run()
        .assert(0, "c-1\n", "");
    let check = api_mock(&mut server, VERIFY_PATH, &default_verify_body())
        .with_body(r#"{"valid":false}"#)
        .expect(1)
        .create();
    Mfa::verify(&api)
        .env("MFA_LOG", log.to_str().unwrap())
        .run()
        .assert(1, "invalid\n", "");
    send.assert();
    check.assert();
    let mode = std::fs::metadata(&log).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(CODE) && !text.contains(PASSWORD), "{text}");
    let entries = entries(&log);
    assert_eq!(entries.len(), 2, "{entries:?}");
    let sent = &entries[0];
    for (key, value) in [
        ("command", "voice"),
        ("call", "voice"),
        ("profile", "default"),
        ("accountId", ACCOUNT),
        ("to", TO),
        ("id", "c-1"),
        ("sent", "yes"),
        ("version", env!("CARGO_PKG_VERSION")),
    ] {
        assert_eq!(sent[key], value, "{key}: {sent}");
    }
    assert_eq!(sent["status"], 200);
    assert_eq!(sent["exit"], 0);
    let time = sent["time"].as_str().unwrap();
    assert!(
        time.len() == 24 && time.ends_with('Z') && time.as_bytes()[19] == b'.',
        "{time}"
    );
    assert!(sent["operator"]["uid"].is_u64(), "{sent}");
    assert!(sent["host"].is_string(), "{sent}");
    let checked = &entries[1];
    assert_eq!(checked["call"], "verify");
    assert_eq!(checked["valid"], false);
    assert_eq!(checked["exit"], 1);
}

#[test]
fn a_call_that_may_have_gone_out_is_logged_and_its_message_names_mfa_log() {
    let mut server = mockito::Server::new();
    let failed = voice_mock(&mut server, &default_voice_body())
        .with_status(503)
        .with_body(r#"{"error":"down","requestId":"r-503"}"#)
        .expect(1)
        .create();
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    Mfa::voice(&format!("{}/api/v1", server.url()))
        .args(&["--log", log.to_str().unwrap()])
        .run()
        .assert(
            7,
            "",
            &format!(
                "mfa: error: the API failed (HTTP 503): down (requestId r-503); the audit log \
                 holds this call: `mfa log --to {TO}`; the code may have been sent, so check \
                 before sending another\n"
            ),
        );
    failed.assert();
    let entries = entries(&log);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["sent"], "maybe");
    assert_eq!(entries[0]["exit"], 7);
    assert_eq!(entries[0]["status"], 503);
    assert_eq!(entries[0]["requestId"], "r-503");
}

#[test]
fn a_log_that_is_not_the_users_own_regular_file_is_refused_before_anything_is_sent() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let folder = tempfile::tempdir().unwrap();
    let fifo = folder.path().join("fifo");
    make_fifo(&fifo);
    let link = folder.path().join("link");
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    for (path, why) in [
        (fifo, "it is a FIFO, not a regular file"),
        (link, "it is a symbolic link, not a regular file"),
    ] {
        Mfa::voice(&format!("{}/api/v1", server.url()))
            .env("MFA_LOG", path.to_str().unwrap())
            .run()
            .assert(
                3,
                "",
                &format!(
                    "mfa: error: the audit log {} (from environment variable MFA_LOG) cannot \
                     be used: {why}; nothing was sent\n",
                    path.display()
                ),
            );
    }
    // Another user's file, as only root can make here.
    let theirs = folder.path().join("theirs.jsonl");
    std::fs::write(&theirs, "").unwrap();
    if std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).is_ok() {
        let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
            .args(&["--log", theirs.to_str().unwrap()])
            .run();
        outcome.assert_error(3, "the audit log ");
        assert!(
            outcome
                .stderr
                .contains("the file belongs to another user (uid 65534)"),
            "{}",
            outcome.stderr
        );
    }
    nothing.assert();
}

#[test]
fn fifty_runs_at_once_leave_fifty_whole_lines() {
    let mut server = mockito::Server::new();
    let sends = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-many"}"#)
        .expect(50)
        .create();
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    let runs: Vec<_> = (0..50)
        .map(|_| {
            Mfa::voice(&format!("{}/api/v1", server.url()))
                .env("MFA_LOG", log.to_str().unwrap())
                .start()
        })
        .collect();
    for run in runs {
        Outcome::of(run.wait_with_output().unwrap()).assert(0, "c-many\n", "");
    }
    sends.assert();
    let entries = entries(&log);
    assert_eq!(entries.len(), 50);
    assert!(entries.iter().all(|entry| entry["id"] == "c-many"));
}

#[test]
fn an_interrupted_call_is_logged_too() {
    use std::time::{Duration, Instant};
    let (port, requests) =
        crate::servers::raw_server(|_| std::thread::sleep(Duration::from_secs(30)));
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    let child = Mfa::sms(&format!("http://127.0.0.1:{port}/api/v1"))
        .args(&["--log", log.to_str().unwrap()])
        .start();
    let started = Instant::now();
    while requests.entries().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(10));
    }
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    Outcome::of(child.wait_with_output().unwrap()).assert(
        143,
        "",
        &format!(
            "mfa: error: interrupted (SIGTERM) while the request was out; the audit log holds \
             this call: `mfa log --to {TO}`; the code may have been sent, so check before \
             sending another\n"
        ),
    );
    let entries = entries(&log);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["call"], "sms");
    assert_eq!(entries[0]["sent"], "maybe");
    assert_eq!(entries[0]["exit"], 143);
}

#[test]
fn the_doctors_credential_check_is_logged() {
    let mut server = mockito::Server::new();
    let verify = fictional_verify(&mut server)
        .with_body(r#"{"valid":false}"#)
        .expect(1)
        .create();
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    let outcome = Mfa::new()
        .args(&["doctor", "--account-id", ACCOUNT, "--username", USERNAME])
        .args(&["--base-url", &format!("{}/api/v1", server.url())])
        .args(&["--log", log.to_str().unwrap()])
        .env("BW_PASSWORD", PASSWORD)
        .run();
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    verify.assert();
    let entries = entries(&log);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["command"], "doctor");
    assert_eq!(entries[0]["call"], "verify");
    assert_eq!(entries[0]["scope"], "mfa-doctor");
    assert_eq!(entries[0]["valid"], false);
    assert!(
        entries[0]["to"].as_str().unwrap().starts_with("+120255501"),
        "{}",
        entries[0]
    );
}

#[test]
fn mfa_log_shows_the_entries_newest_first_filtered_and_skips_damaged_lines() {
    let mut server = mockito::Server::new();
    let other = "+15550001111";
    let first = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-first"}"#)
        .expect(1)
        .create();
    let second = voice_mock(&mut server, &voice_body_to(other))
        .with_body(r#"{"callId":"c-second"}"#)
        .expect(1)
        .create();
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    let log = log.to_str().unwrap();
    let api = format!("{}/api/v1", server.url());
    Mfa::voice(&api)
        .args(&["--log", log])
        .run()
        .assert(0, "c-first\n", "");
    std::fs::OpenOptions::new()
        .append(true)
        .open(log)
        .unwrap()
        .write_all(b"{\"half\": \nnot an entry\n")
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    Mfa::new()
        .args(&[
            "voice",
            "--to",
            other,
            "--from",
            FROM,
            "--application-id",
            APP,
        ])
        .connected(&api)
        .args(&["--log", log])
        .run()
        .assert(0, "c-second\n", "");
    first.assert();
    second.assert();
    let shown = Mfa::new().args(&["log", "--log", log]).run();
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let lines: Vec<&str> = shown.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", shown.stdout);
    assert!(lines[0].starts_with("TIME "), "{}", lines[0]);
    assert!(
        lines[1].contains(other) && lines[1].contains(" sent ") && lines[1].ends_with("c-second"),
        "{}",
        lines[1]
    );
    assert!(lines[2].ends_with("c-first"), "{}", lines[2]);
    assert_eq!(
        shown.stderr,
        format!(
            "mfa: warning: 2 line(s) of {log} are not mfa's entries (damaged or another \
             program's) and were skipped\n"
        )
    );
    // --to, --limit, --since and JSON lines.
    let only = Mfa::new()
        .args(&["log", "--log", log, "--to", TO, "--json"])
        .run();
    let entries: Vec<serde_json::Value> = only
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["id"], "c-first");
    let newest = Mfa::new()
        .args(&[
            "log", "--log", log, "--limit", "1", "--since", "1h", "--json",
        ])
        .run();
    assert_eq!(newest.stdout.lines().count(), 1, "{}", newest.stdout);
    assert!(newest.stdout.contains("c-second"));
    let none = Mfa::new()
        .args(&["log", "--log", log, "--since", "2099-01-01"])
        .run();
    assert_eq!(
        none.stdout.lines().count(),
        1,
        "only the header: {}",
        none.stdout
    );
}

#[test]
fn mfa_log_with_no_log_set_says_how_to_turn_it_on() {
    Mfa::new().args(&["log"]).run().assert(
        3,
        "",
        "mfa: error: no audit log is set, so there is nothing to show; turn it on with --log \
         FILE, MFA_LOG=FILE, or `mfa config set log_file FILE`, and each call is written to \
         it\n",
    );
}

#[test]
fn mfa_log_before_any_call_shows_no_entries() {
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("not-yet.jsonl");
    Mfa::new()
        .args(&["log", "--json", "--log", log.to_str().unwrap()])
        .run()
        .assert(0, "", "");
}

#[test]
fn a_log_that_cannot_be_written_once_the_code_is_sent_is_a_warning_and_the_result_stands() {
    let mut server = mockito::Server::new();
    let send = voice_mock(&mut server, &default_voice_body())
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    // (The guard's record, in HOME, cannot be written either: that warning is another
    // test's, so its limit is off here.)
    let mfa = Mfa::voice(&format!("{}/api/v1", server.url()))
        .args(&["--log", log.to_str().unwrap()])
        .env("MFA_MAX_CODES_PER_NUMBER", "off");
    // A full disk, as the kernel shows it: a file-size limit of 0 makes every write to
    // the log fail (EFBIG), while the pipes to the test are written as ever. SIGXFSZ,
    // which comes with the failed write, has its default (ending the process) here:
    // mfa ignores it itself, so the write fails and says so.
    let inner = mfa.command();
    let mut limited = std::process::Command::new("/bin/bash");
    limited
        .env_clear()
        .args(["-c", "trap - XFSZ; ulimit -f 0; exec \"$0\" \"$@\""])
        .arg(inner.get_program())
        .args(inner.get_args());
    for (name, value) in inner.get_envs() {
        limited.env(name, value.unwrap());
    }
    let outcome = Outcome::of(limited.output().unwrap());
    send.assert();
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(outcome.stdout, "c-1\n");
    assert!(
        outcome.stderr.starts_with(&format!(
            "mfa: warning: could not write the audit log {}: ",
            log.display()
        )) && outcome
            .stderr
            .ends_with("; the call's result stands as said\n"),
        "{}",
        outcome.stderr
    );
    assert_eq!(std::fs::metadata(&log).unwrap().len(), 0);
}

#[test]
fn a_log_others_could_read_change_or_lead_astray_is_refused_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let chmod = |path: &std::path::Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let folder = tempfile::tempdir().unwrap();
    // A file of the user's that a planted link would lead the log to.
    let bashrc = folder.path().join("bashrc");
    std::fs::write(&bashrc, "# mine\n").unwrap();
    chmod(&bashrc, 0o600);
    // (the case, the log's path once made so, what mfa must say)
    type Make = fn(&std::path::Path, &std::path::Path) -> std::path::PathBuf;
    let cases: [(&str, Make, &str); 5] = [
        (
            "others can read it",
            |dir, _| {
                let log = dir.join("readable.jsonl");
                std::fs::write(&log, "").unwrap();
                std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
                log
            },
            "other users can read or write it (mode 644); fix it with `chmod 600 ",
        ),
        (
            "others can write it",
            |dir, _| {
                let log = dir.join("writable.jsonl");
                std::fs::write(&log, "").unwrap();
                std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o602)).unwrap();
                log
            },
            "other users can write the file (mode 602); fix it with `chmod go-w ",
        ),
        (
            "its folder is open to all",
            |dir, _| {
                let open = dir.join("open");
                std::fs::create_dir(&open).unwrap();
                std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
                open.join("audit.jsonl")
            },
            "other users can add and replace files in its folder ",
        ),
        (
            "a link to a file of the user's",
            |dir, bashrc| {
                let log = dir.join("link.jsonl");
                std::os::unix::fs::symlink(bashrc, &log).unwrap();
                log
            },
            "it is a symbolic link, not a regular file",
        ),
        (
            "a link planted in a shared sticky folder",
            |dir, bashrc| {
                let shared = dir.join("shared");
                std::fs::create_dir(&shared).unwrap();
                std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
                std::os::unix::fs::symlink(bashrc, shared.join("audit.jsonl")).unwrap();
                shared.join("audit.jsonl")
            },
            "it is a symbolic link, not a regular file",
        ),
    ];
    for (case, make, why) in cases {
        let log = make(folder.path(), &bashrc);
        let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
            .env("MFA_LOG", log.to_str().unwrap())
            .run();
        outcome.assert_error(
            3,
            &format!(
                "the audit log {} (from environment variable MFA_LOG) cannot be used: ",
                log.display()
            ),
        );
        assert!(outcome.stderr.contains(why), "{case}: {}", outcome.stderr);
        assert_eq!(
            std::fs::read_to_string(&bashrc).unwrap(),
            "# mine\n",
            "{case}"
        );
        let mode = std::fs::metadata(&bashrc).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{case}");
    }
    nothing.assert();
}

#[test]
fn mfa_log_escapes_hidden_characters_and_takes_any_since_without_a_panic() {
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    // An entry as another tool could have written it: a line separator, a paragraph
    // separator and a right-to-left override in what is shown, an offset in its time.
    let entry = serde_json::json!({
        "time": "2026-12-01T10:00:00+01:00", "command": "voice", "call": "voice",
        "to": "+1555\u{2028}mfa: error", "id": "c-1\u{202e}gnp.exe\u{2029}",
        "sent": "yes", "exit": 0, "version": "0.2.0",
    });
    std::fs::write(&log, format!("{entry}\n")).unwrap();
    let log = log.to_str().unwrap();
    let shown = Mfa::new().args(&["log", "--log", log]).run();
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert_eq!(shown.stdout.lines().count(), 2, "{}", shown.stdout);
    assert!(
        shown.stdout.contains("+1555\\u{2028}mfa: error")
            && shown.stdout.contains("c-1\\u{202e}gnp.exe\\u{2029}")
            && !shown.stdout.contains('\u{2028}')
            && !shown.stdout.contains('\u{202e}'),
        "{}",
        shown.stdout
    );
    // Since an instant, whatever offset the entry was written with.
    for (since, rows) in [
        ("2026-12-01T08:59:59Z", 2),
        ("2026-12-01T09:00:01Z", 1),
        ("100years", 2),
        ("1000000000years", 2),
    ] {
        let shown = Mfa::new()
            .args(&["log", "--log", log, "--since", since])
            .run();
        assert_eq!(shown.code, 0, "{since}: {}", shown.stderr);
        assert_eq!(
            shown.stdout.lines().count(),
            rows,
            "{since}: {}",
            shown.stdout
        );
    }
    for wrong in ["0000-01-01", "99999-01-01", "2026-12-01T09:00:60Z"] {
        let shown = Mfa::new()
            .args(&["log", "--log", log, "--since", wrong])
            .run();
        shown.assert_error(2, &format!("invalid value '{wrong}' for '--since <WHEN>'"));
    }
}
