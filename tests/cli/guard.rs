//! The guard before every send: at most 5 codes to one number in 10 minutes unless
//! `max_codes_per_number` says otherwise, and `max_codes_per_hour` in all, counted
//! across runs in a record under the state folder that holds no number; a refusal is
//! exit 11 and costs no request; where no record can be kept, a warning says so and
//! the code goes.

use std::os::unix::fs::PermissionsExt;

use crate::support::*;

/// The voice send to `to`, answering `c-1`, expected `times`.
fn sends_to(server: &mut mockito::ServerGuard, to: &str, times: usize) -> mockito::Mock {
    voice_mock(server, &voice_body_to(to))
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(times)
        .create()
}

/// `mfa voice --to {to}` with every setting, against `server`, in `home`'s HOME.
fn voice_to(home: &Mfa, server: &mockito::ServerGuard, to: &str) -> Mfa {
    home.again(&[
        "voice",
        "--to",
        to,
        "--from",
        FROM,
        "--application-id",
        APP,
        "--account-id",
        ACCOUNT,
        "--username",
        USERNAME,
        "--base-url",
        &format!("{}/api/v1", server.url()),
    ])
    .env("BW_PASSWORD", PASSWORD)
}

#[test]
fn the_sixth_code_to_one_number_in_ten_minutes_is_refused_with_exit_11_and_sends_nothing() {
    let mut server = mockito::Server::new();
    let five = sends_to(&mut server, TO, 5);
    let other = sends_to(&mut server, "+15553335555", 1);
    let home = Mfa::new();
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    for _ in 0..5 {
        voice_to(&home, &server, TO).run().assert(0, "c-1\n", "");
    }
    let refused = voice_to(&home, &server, TO)
        .args(&["--log", log.to_str().unwrap()])
        .run();
    assert_eq!((refused.code, refused.stdout.as_str()), (11, ""));
    let said = refused.stderr.trim_end();
    assert!(
        said.starts_with(
            "mfa: error: refused by the guard: 5 codes were sent to this number in 10 min \
             already (limit 5/10m); a code may go again in "
        ) && said.ends_with(
            "or change max_codes_per_number (MFA_MAX_CODES_PER_NUMBER); nothing was sent"
        ),
        "{said}"
    );
    // Another number is not this one's count.
    voice_to(&home, &server, "+15553335555")
        .run()
        .assert(0, "c-1\n", "");
    // In JSON: kind guard, nothing sent; the audit log holds the refusal.
    let json = voice_to(&home, &server, TO).args(&["--json"]).run();
    assert_eq!(json.code, 11);
    let error: serde_json::Value = serde_json::from_str(&json.stderr).unwrap();
    let error = &error["error"];
    assert_eq!(
        (&error["kind"], &error["sent"]),
        (&"guard".into(), &"no".into())
    );
    let entry: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&log).unwrap().trim()).unwrap();
    assert_eq!((&entry["exit"], &entry["sent"]), (&11.into(), &"no".into()));
    five.assert();
    other.assert();
    // The record counts numbers it cannot name.
    let record = home.home().join(".local/state/mfa/sent");
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(
        !text.contains("5553334444") && !text.contains("5553335555"),
        "{text}"
    );
    let mode = std::fs::metadata(&record).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn a_limit_of_off_sends_every_code_and_the_hourly_limit_counts_every_number() {
    let mut server = mockito::Server::new();
    let seven = sends_to(&mut server, TO, 7);
    let home = Mfa::new();
    for _ in 0..7 {
        voice_to(&home, &server, TO)
            .env("MFA_MAX_CODES_PER_NUMBER", "off")
            .run()
            .assert(0, "c-1\n", "");
    }
    seven.assert();
    let mut server = mockito::Server::new();
    let (a, b, c) = (
        sends_to(&mut server, "+15553330010", 1),
        sends_to(&mut server, "+15553330011", 1),
        sends_to(&mut server, "+15553330012", 0),
    );
    let home = Mfa::new();
    for (to, exit) in [
        ("+15553330010", 0),
        ("+15553330011", 0),
        ("+15553330012", 11),
    ] {
        let outcome = voice_to(&home, &server, to)
            .env("MFA_MAX_CODES_PER_HOUR", "2")
            .run();
        assert_eq!(outcome.code, exit, "{to}: {}", outcome.stderr);
    }
    let refused = voice_to(&home, &server, "+15553330012")
        .env("MFA_MAX_CODES_PER_HOUR", "2")
        .run();
    assert!(
        refused.stderr.contains(
            "2 codes were sent in all in 1 h already (limit 2/1h); a code may go again in"
        ) && refused
            .stderr
            .contains("or change max_codes_per_hour (MFA_MAX_CODES_PER_HOUR)"),
        "{}",
        refused.stderr
    );
    for mock in [a, b, c] {
        mock.assert();
    }
    // A limit that breaks its rule is a configuration error, before anything is sent.
    let bad = voice_to(&Mfa::new(), &server, TO)
        .env("MFA_MAX_CODES_PER_NUMBER", "5 per minute")
        .run();
    assert_eq!(bad.code, 3, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("MFA_MAX_CODES_PER_NUMBER"),
        "{}",
        bad.stderr
    );
}

#[test]
fn fifty_runs_at_once_with_a_limit_of_three_make_exactly_three_requests() {
    let mut server = mockito::Server::new();
    let three = sends_to(&mut server, TO, 3);
    let home = Mfa::new();
    let runs: Vec<_> = (0..50)
        .map(|_| {
            voice_to(&home, &server, TO)
                .env("MFA_MAX_CODES_PER_NUMBER", "3/10m")
                .start()
        })
        .collect();
    let mut exits = std::collections::BTreeMap::new();
    for run in runs {
        let outcome = Outcome::of(run.wait_with_output().unwrap());
        *exits.entry(outcome.code).or_insert(0) += 1;
    }
    assert_eq!(exits, [(0, 3), (11, 47)].into_iter().collect(), "{exits:?}");
    three.assert();
}

#[test]
fn where_no_record_can_be_kept_a_warning_says_so_and_the_code_goes() {
    let mut server = mockito::Server::new();
    let sent = sends_to(&mut server, TO, 1);
    let home = Mfa::new();
    // A state folder that cannot be made (a file in its way; a read-only home would do
    // the same, but not for a test run as root).
    std::fs::write(home.home().join(".local"), "in the way").unwrap();
    let outcome = voice_to(&home, &server, TO).run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (0, "c-1\n"));
    assert!(
        outcome
            .stderr
            .starts_with("mfa: warning: the record of codes sent cannot be used: ")
            && outcome.stderr.trim_end().ends_with(
                "the limits on codes sent (max_codes_per_number, max_codes_per_hour) cannot \
                 be counted, so this code goes uncounted"
            ),
        "{}",
        outcome.stderr
    );
    sent.assert();
}
