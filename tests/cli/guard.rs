//! The guard before every send: the number's country must be allowed
//! (`allowed_countries`) and its type not refused (`refused_number_types`: premium rate
//! and shared cost by default), and at most 5 codes go to one number in 10 minutes
//! unless `max_codes_per_number` says otherwise, and `max_codes_per_hour` in all,
//! counted across runs in a record under the state folder that holds no number; a
//! refusal is exit 11 and costs no request; where no record can be kept, a warning says
//! so and the code goes (or, with `uncounted_sends = "refuse"`, it does not). Last, a
//! pumping attack of 1,000 attempts against all of it.

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

#[test]
fn a_number_of_a_country_not_allowed_is_refused_naming_its_country_and_the_setting() {
    let mut server = mockito::Server::new();
    let canada = sends_to(&mut server, "+15062345678", 1);
    // Made last, it takes any request the others do not: none may come.
    let elsewhere = server
        .mock("POST", mockito::Matcher::Any)
        .expect(0)
        .create();
    let home = Mfa::new();
    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("audit.jsonl");
    let allowed = |to: &str| {
        voice_to(&home, &server, to)
            .env("MFA_ALLOWED_COUNTRIES", "US,CA")
            .args(&["--log", log.to_str().unwrap()])
    };
    // +1 876 is Jamaica, though it shares the United States' calling code.
    allowed("+18765230123").run().assert(
        11,
        "",
        "mfa: error: refused by the guard: the number is in JM, of type \
         fixed-line-or-mobile, and allowed_countries (MFA_ALLOWED_COUNTRIES) is US,CA (add JM to it \
         to send there); nothing was sent\n",
    );
    allowed("+80012345678").run().assert(
        11,
        "",
        "mfa: error: refused by the guard: the number is of no country, of type toll-free, \
         and allowed_countries (MFA_ALLOWED_COUNTRIES) is US,CA (set it to any to \
         send there); nothing was sent\n",
    );
    allowed("+15062345678").run().assert(0, "c-1\n", "");
    let json = allowed("+447400123456").args(&["--json"]).run();
    assert_eq!(json.code, 11);
    let error: serde_json::Value = serde_json::from_str(&json.stderr).unwrap();
    assert_eq!(
        (&error["error"]["kind"], &error["error"]["sent"]),
        (&"guard".into(), &"no".into())
    );
    // Each refusal is a line of the audit log, as the send is.
    let entries: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let exits: Vec<_> = entries
        .iter()
        .map(|e| e["exit"].as_i64().unwrap())
        .collect();
    assert_eq!(exits, [11, 11, 0, 11]);
    canada.assert();
    elsewhere.assert();
}

#[test]
fn premium_rate_and_shared_cost_are_refused_unless_the_setting_lists_other_types() {
    let mut server = mockito::Server::new();
    let premium = sends_to(&mut server, "+19002345678", 1);
    let plain = sends_to(&mut server, TO, 1);
    let home = Mfa::new();
    voice_to(&home, &server, "+19002345678").run().assert(
        11,
        "",
        "mfa: error: refused by the guard: the number is in US, of type premium-rate, and \
         refused_number_types (MFA_REFUSED_NUMBER_TYPES) is premium-rate,shared-cost (take \
         premium-rate out of it to send to such a number); nothing was sent\n",
    );
    // A text message passes the same guard.
    let text = Mfa::new()
        .args(&["sms", "--to", "+449012345678", "--from", FROM])
        .args(&["--application-id", SMS_APP])
        .connected(&format!("{}/api/v1", server.url()))
        .run();
    assert_eq!(text.code, 11, "{}", text.stderr);
    assert!(
        text.stderr
            .contains("the number is in GB, of type premium-rate"),
        "{}",
        text.stderr
    );
    // `none` refuses no type; a number the plan does not know goes unless listed.
    voice_to(&home, &server, "+19002345678")
        .env("MFA_REFUSED_NUMBER_TYPES", "none")
        .run()
        .assert(0, "c-1\n", "");
    let listed = voice_to(&home, &server, TO)
        .env("MFA_REFUSED_NUMBER_TYPES", "invalid,toll-free")
        .run();
    assert_eq!(listed.code, 11, "{}", listed.stderr);
    assert!(
        listed.stderr.contains(
            "the number is in US, of type invalid (the numbering plan does not know it), and \
             refused_number_types (MFA_REFUSED_NUMBER_TYPES) is invalid,toll-free"
        ),
        "{}",
        listed.stderr
    );
    voice_to(&home, &server, TO).run().assert(0, "c-1\n", "");
    // A type that is not one is a configuration error, before anything is sent.
    let bad = voice_to(&home, &server, TO)
        .env("MFA_REFUSED_NUMBER_TYPES", "premium")
        .run();
    assert_eq!(bad.code, 3, "{}", bad.stderr);
    assert!(
        bad.stderr
            .contains("environment variable MFA_REFUSED_NUMBER_TYPES is invalid (\"premium\")"),
        "{}",
        bad.stderr
    );
    premium.assert();
    plain.assert();
}

#[test]
fn a_dry_run_shows_what_the_guard_would_decide_and_counts_nothing() {
    let mut server = mockito::Server::new();
    let once = sends_to(&mut server, TO, 1);
    // In a fresh home a dry run leaves no record behind.
    let fresh = Mfa::new();
    voice_to(&fresh, &server, TO)
        .args(&["--dry-run"])
        .run()
        .assert(
            0,
            &shown_request(
                &format!("{}/api/v1/accounts/{ACCOUNT}/code/voice", server.url()),
                &voice_body_to(TO),
            ),
            GUARD_WOULD_SEND,
        );
    assert!(!fresh.home().join(".local/state/mfa").exists());
    let home = Mfa::new();
    let limit = |mfa: Mfa| mfa.env("MFA_MAX_CODES_PER_NUMBER", "1/10m");
    limit(voice_to(&home, &server, TO))
        .run()
        .assert(0, "c-1\n", "");
    let record = home.home().join(".local/state/mfa/sent");
    let before = std::fs::read_to_string(&record).unwrap();
    let dry = limit(voice_to(&home, &server, TO))
        .args(&["--dry-run"])
        .run();
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stderr.starts_with(
            "mfa: guard: would refuse: refused by the guard: 1 code was sent to this number \
             in 10 min already (limit 1/10m)"
        ),
        "{}",
        dry.stderr
    );
    let json = voice_to(&home, &server, "+19002345678")
        .args(&["--dry-run", "--json"])
        .run();
    let decision: serde_json::Value = serde_json::from_str(&json.stderr).unwrap();
    assert_eq!(
        decision["guard"],
        serde_json::json!({
            "decision": "refuse",
            "country": "US",
            "numberType": "premium-rate",
            "message": "would refuse: refused by the guard: the number is in US, of type \
                        premium-rate, and refused_number_types (MFA_REFUSED_NUMBER_TYPES) is \
                        premium-rate,shared-cost (take premium-rate out of it to send to \
                        such a number)",
        })
    );
    assert_eq!(std::fs::read_to_string(&record).unwrap(), before);
    once.assert();
}

#[test]
fn with_uncounted_sends_refuse_a_send_the_limits_cannot_count_is_refused() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let home = Mfa::new();
    std::fs::write(home.home().join(".local"), "in the way").unwrap();
    let outcome = voice_to(&home, &server, TO)
        .env("MFA_UNCOUNTED_SENDS", "refuse")
        .run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (11, ""));
    assert!(
        outcome.stderr.starts_with(
            "mfa: error: refused by the guard: the record of codes sent cannot be used: "
        ) && outcome.stderr.trim_end().ends_with(
            "cannot be counted, and uncounted_sends (MFA_UNCOUNTED_SENDS) is refuse; nothing \
             was sent"
        ),
        "{}",
        outcome.stderr
    );
    nothing.assert();
}

/// A pumping attack as a page that sends codes meets it: 1,000 attempts, to
/// premium-rate numbers, to countries the business does not serve, and to one number
/// again and again, among ten real sign-ins. With `allowed_countries = "US,CA"` and the
/// defaults, only the sign-ins and the first 5 codes to the hammered number reach the
/// API: 15 requests of 1,000.
#[test]
fn a_pumping_attack_of_a_thousand_attempts_reaches_the_api_only_for_the_allowed_sends() {
    let mut server = mockito::Server::new();
    let hammered = sends_to(&mut server, TO, 5);
    let sign_ins: Vec<String> = (0..10).map(|n| format!("+120155501{n:02}")).collect();
    let real: Vec<_> = sign_ins
        .iter()
        .map(|to| sends_to(&mut server, to, 1))
        .collect();
    let elsewhere = server
        .mock("POST", mockito::Matcher::Any)
        .expect(0)
        .create();
    let mut attempts: Vec<(String, &str)> = Vec::new();
    for n in 0..400 {
        // Premium rate in a country allowed: +1 900 in the United States.
        let to = format!("+1900{}{n:06}", 2 + n % 8);
        attempts.push((to, "premium"));
    }
    for n in 0..300 {
        // Countries never served: Jamaica (+1 876), the United Kingdom, Nigeria, and a
        // satellite service of no country.
        let to = match n % 4 {
            0 => format!("+1876523{n:04}"),
            1 => format!("+4474001{n:05}"),
            2 => format!("+2348031{n:06}"),
            _ => format!("+8816{n:08}"),
        };
        attempts.push((to, "country"));
    }
    for _ in 0..290 {
        attempts.push((TO.to_owned(), "hammered"));
    }
    for to in &sign_ins {
        attempts.push((to.clone(), "sign-in"));
    }
    assert_eq!(attempts.len(), 1000);
    // Mixed as an attack would send them.
    let mut order: Vec<usize> = (0..attempts.len()).collect();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for i in (1..order.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        order.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    let home = Mfa::new();
    let mut exits = std::collections::BTreeMap::new();
    for i in order {
        let (to, kind) = &attempts[i];
        let outcome = voice_to(&home, &server, to)
            .env("MFA_ALLOWED_COUNTRIES", "US,CA")
            .run();
        let expected = match *kind {
            "premium" => "of type premium-rate",
            "country" => "allowed_countries (MFA_ALLOWED_COUNTRIES) is US,CA",
            _ => "",
        };
        assert!(
            outcome.stderr.contains(expected),
            "{to}: {}",
            outcome.stderr
        );
        *exits.entry((*kind, outcome.code)).or_insert(0) += 1;
    }
    assert_eq!(
        exits,
        [
            (("country", 11), 300),
            (("hammered", 0), 5),
            (("hammered", 11), 285),
            (("premium", 11), 400),
            (("sign-in", 0), 10),
        ]
        .into_iter()
        .collect(),
    );
    hammered.assert();
    real.iter().for_each(mockito::Mock::assert);
    elsewhere.assert();
}
