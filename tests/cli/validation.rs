//! Bad input: each exits 2, names the flag and the rule, and sends nothing.

use crate::support::*;

/// Runs the standard voice command with `extra` flags (later flags win) against a
/// server that must receive nothing; checks exit 2 and the one-line message.
#[track_caller]
fn refused(extra: &[&str], message: &str) -> Outcome {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    // The tested flag comes last, so it overrides the valid one `voice` gives.
    let outcome = Mfa::voice(&format!("{}/api/v1", server.url()))
        .args(extra)
        .run();
    outcome.assert_error(2, message);
    nothing.assert();
    outcome
}

const E164: &str = "must be an E.164 number: `+`, a digit 1 to 9, then 1 to 14 more digits, and nothing else (e.g. +15553334444)";

#[test]
fn a_bad_to_number() {
    for bad in [
        "5553334444",
        "+1",
        "+1234567890123456",
        "+05553334444",
        "+1555333444x",
    ] {
        refused(
            &["--to", bad],
            &format!("invalid value '{bad}' for '--to <NUMBER>': {E164}"),
        );
    }
}

#[test]
fn a_to_number_with_a_trailing_newline() {
    refused(
        &["--to", "+15553334444\n"],
        &format!("invalid value '+15553334444\\n' for '--to <NUMBER>': {E164}"),
    );
}

#[test]
fn a_bad_from_number() {
    refused(
        &["--from", "+1 555 444 3333"],
        &format!("invalid value '+1 555 444 3333' for '--from <NUMBER>': {E164}"),
    );
}

#[test]
fn digits_outside_two_to_eight() {
    for bad in ["1", "9", "0", "six"] {
        refused(
            &["--digits", bad],
            &format!(
                "invalid value '{bad}' for '--digits <N>': must be a whole number from 2 to 8"
            ),
        );
    }
}

#[test]
fn a_message_without_the_code() {
    refused(
        &["--message", "Your code is"],
        "invalid value 'Your code is' for '--message <TEXT>': must contain {CODE}, where the code goes",
    );
}

#[test]
fn a_message_over_2048_characters() {
    let long = format!("{{CODE}}{}", "x".repeat(2043));
    let outcome = refused(&["--message", &long], "invalid value '{CODE}xxx");
    assert!(
        outcome.stderr.ends_with(
            "': must be at most 2048 characters (it has 2049); try `mfa voice --help`; \
             nothing was sent\n"
        ),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_scope_over_25_characters_or_empty() {
    let long = "s".repeat(26);
    refused(
        &["--scope", &long],
        &format!(
            "invalid value '{long}' for '--scope <SCOPE>': must be at most 25 characters (it has 26)"
        ),
    );
    refused(
        &["--scope", ""],
        "invalid value '' for '--scope <SCOPE>': must not be empty (leave it out for the server's default, 2FA)",
    );
}

#[test]
fn an_application_id_over_50_characters() {
    let long = "a".repeat(51);
    refused(
        &["--application-id", &long],
        &format!(
            "invalid value '{long}' for '--application-id <ID>': must be at most 50 characters (it has 51)"
        ),
    );
}

#[test]
fn a_plain_http_base_url_to_another_host() {
    refused(
        &["--base-url", "http://mfa.bandwidth.com/api/v1"],
        "invalid value 'http://mfa.bandwidth.com/api/v1' for '--base-url <URL>': must start with https://",
    );
}

#[test]
fn a_timeout_of_zero_or_too_small_to_be_any_time() {
    for timeout in ["0", "1e-300", "0.0001"] {
        refused(
            &["--timeout", timeout],
            &format!(
                "invalid value '{timeout}' for '--timeout <SECONDS>': must be a number of \
                 seconds from 0.001 to 3600"
            ),
        );
    }
}

#[test]
fn a_username_with_a_colon() {
    refused(
        &["--username", "api:user"],
        "invalid value 'api:***' for '--username <NAME>': must not contain `:`",
    );
}

#[test]
fn an_unknown_flag() {
    refused(&["--pasword", "x"], "unexpected argument '--pasword' found");
}

#[test]
fn the_password_is_never_a_flag() {
    refused(
        &["--password", PASSWORD],
        "unexpected argument '--password' found",
    );
}

#[test]
fn a_missing_to() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    Mfa::new()
        .args(&["voice", "--from", FROM])
        .run()
        .assert_error(
            2,
            "the following required arguments were not provided: --to <NUMBER>",
        );
    nothing.assert();
}

#[test]
fn a_missing_from_names_every_way_to_give_it() {
    let mfa = Mfa::new()
        .args(&[
            "voice",
            "--to",
            TO,
            "--account-id",
            ACCOUNT,
            "--application-id",
            APP,
            "--username",
            USERNAME,
        ])
        .env("BW_PASSWORD", PASSWORD);
    let config = mfa.default_config_path();
    mfa.run().assert(
        2,
        "",
        &format!(
            "mfa: error: no from number: pass --from, set BW_NUMBER, or add `from` to profile \
             `default` in {}; nothing was sent\n",
            config.display()
        ),
    );
}

#[test]
fn a_missing_application_id() {
    Mfa::new()
        .args(&["voice", "--to", TO, "--account-id", ACCOUNT, "--from", FROM])
        .args(&["--username", USERNAME])
        .env("BW_PASSWORD", PASSWORD)
        .run()
        .assert_error(2, "no voice application id: pass --application-id, set BW_VOICE_APPLICATION_ID, or add `voice_application_id` to profile `default`");
}

#[test]
fn no_command_shows_the_short_help() {
    let outcome = Mfa::new().run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (2, ""));
    assert!(
        outcome.stderr.starts_with(
            "mfa: error: no command given; try `mfa --help`; nothing was sent\n\n\
                 Usage: mfa <COMMAND>"
        ),
        "{}",
        outcome.stderr
    );
    for line in [
        "  voice        Send a code by voice call; prints the call id",
        "Example: mfa voice --to +15553334444",
    ] {
        assert!(outcome.stderr.contains(line), "{line}: {}", outcome.stderr);
    }
    assert!(outcome.stderr.lines().count() < 20);
    let config = Mfa::new().args(&["config"]).run();
    assert!(
        config.stderr.contains("  unset        Remove one key"),
        "{}",
        config.stderr
    );
    // With --json, one object as for every error.
    let json = Mfa::new().args(&["--json"]).run();
    assert_eq!(json.stderr.lines().count(), 1, "{}", json.stderr);
}

#[test]
fn a_mistyped_command_flag_or_key_gets_a_suggestion_and_its_commands_help() {
    for (args, line) in [
        (
            &["vocie"][..],
            "mfa: error: unrecognized subcommand 'vocie'; did you mean 'voice'? try `mfa --help`; nothing was sent",
        ),
        (
            &["voice", "--too", "x"],
            "mfa: error: unexpected argument '--too' found; did you mean '--to'? try `mfa voice --help`; nothing was sent",
        ),
        (
            &["sms", "--form", "x"],
            "mfa: error: unexpected argument '--form' found; did you mean '--from'? try `mfa sms --help`; nothing was sent",
        ),
        // Of several like it, the most like it.
        (
            &["config", "unst"],
            "mfa: error: unrecognized subcommand 'unst'; did you mean 'unset'? try `mfa config --help`",
        ),
        (
            &["config", "sett"],
            "mfa: error: unrecognized subcommand 'sett'; did you mean 'set'? try `mfa config --help`",
        ),
    ] {
        Mfa::new()
            .args(args)
            .run()
            .assert(2, "", &format!("{line}\n"));
    }
    let key = Mfa::new().args(&["config", "set", "acount_id", "1"]).run();
    assert_eq!(key.code, 2);
    assert!(
        key.stderr
            .ends_with("; did you mean 'account_id'? try `mfa config set --help`\n"),
        "{}",
        key.stderr
    );
    let json = Mfa::new().args(&["vocie", "--json"]).run();
    let error: serde_json::Value = serde_json::from_str(&json.stderr).unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean 'voice'?"),
        "{error}"
    );
}

#[test]
fn usage_errors_are_json_with_json() {
    let outcome = Mfa::new().args(&["--json", "voice", "--to", "+1"]).run();
    assert_eq!((outcome.code, outcome.stdout.as_str()), (2, ""));
    let error: serde_json::Value = serde_json::from_str(&outcome.stderr).unwrap();
    assert_eq!(error["error"]["kind"], "usage");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid value '+1' for '--to <NUMBER>'"),
        "{error}"
    );
}

#[test]
fn every_way_of_asking_for_the_full_help_shows_examples_and_the_exit_status_table() {
    for args in [
        &["--help"][..],
        &["voice", "--help"],
        &["sms", "--help"],
        &["verify", "--help"],
        &["help", "voice"],
        &["voice", "--to", TO, "--help"],
    ] {
        let help = Mfa::new().args(args).run();
        assert_eq!((help.code, help.stderr.as_str()), (0, ""), "{args:?}");
        assert!(
            help.stdout.contains("\nExamples:\n  "),
            "{args:?}: {}",
            help.stdout
        );
        assert!(
            help.stdout
                .contains("\nExit status:\n      0  success (verify"),
            "{args:?}: {}",
            help.stdout
        );
        assert!(help.stdout.contains("  9  "), "{args:?}: {}", help.stdout);
    }
    // `-h` is the short page: it says where the rest is.
    for (args, path) in [
        (&["-h"][..], "mfa"),
        (&["sms", "-h"], "mfa sms"),
        (&["verify", "-vh"], "mfa verify"),
    ] {
        let help = Mfa::new().args(args).run();
        assert_eq!((help.code, help.stderr.as_str()), (0, ""), "{args:?}");
        assert!(
            help.stdout.lines().count() < 40,
            "{args:?}: {}",
            help.stdout
        );
        assert!(
            !help.stdout.contains("Exit status:"),
            "{args:?}: {}",
            help.stdout
        );
        assert!(
            help.stdout
                .ends_with(&format!("\nExamples and exit statuses: `{path} --help`\n")),
            "{args:?}: {}",
            help.stdout
        );
    }
    // Config's commands call no API and show no table.
    let help = Mfa::new().args(&["config", "set", "--help"]).run();
    assert_eq!(help.code, 0);
    assert!(!help.stdout.contains("Exit status:"), "{}", help.stdout);
}

#[test]
fn each_commands_help_lists_the_options_that_apply_to_it() {
    let listed = |args: &[&str], flag: &str| {
        let help = Mfa::new().args(args).run();
        assert_eq!((help.code, help.stderr.as_str()), (0, ""), "{args:?}");
        help.stdout
            .lines()
            .any(|line| line.trim_start().split([',', ' ']).any(|word| word == flag))
    };
    for args in [
        &["voice", "--help"][..],
        &["help", "sms"],
        &["verify", "-h"],
    ] {
        for flag in ["--dry-run", "--verbose", "--account-id"] {
            assert!(listed(args, flag), "{args:?} lists {flag}");
        }
    }
    for args in [
        &["config", "show", "--help"][..],
        &["config", "set", "-h"],
        &["doctor", "--help"],
        &["help", "doctor"],
    ] {
        for flag in ["--dry-run", "--verbose"] {
            assert!(!listed(args, flag), "{args:?} lists {flag}");
        }
        assert!(listed(args, "--profile"), "{args:?} lists --profile");
    }
}

#[test]
fn help_and_version_go_to_stdout_and_exit_0() {
    let help = Mfa::new().args(&["--help"]).run();
    assert_eq!((help.code, help.stderr.as_str()), (0, ""));
    assert!(help.stdout.contains("Exit status:"), "{}", help.stdout);
    Mfa::new().args(&["--version"]).run().assert(
        0,
        &format!("mfa {}\n", env!("CARGO_PKG_VERSION")),
        "",
    );
}

#[test]
fn to_given_twice_is_refused_and_nothing_is_sent() {
    for extra in [&["--to", "+15550000001"][..], &["--to=+15553334444"]] {
        refused(
            extra,
            "the argument '--to <NUMBER>' cannot be used multiple times: it names one person; \
             run mfa once for each number; try `mfa voice --help`",
        );
    }
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    Mfa::verify(&format!("{}/api/v1", server.url()))
        .args(&["--to", "+15550000001", "--json"])
        .run()
        .assert_exit_and_stdout(2, "");
    nothing.assert();
}

#[test]
fn a_port_out_of_range_is_refused_not_sent_to_another_port() {
    for url in ["http://127.0.0.1:99999/api", "http://127.0.0.1:65616/api"] {
        refused(
            &["--base-url", url],
            &format!("invalid value '{url}' for '--base-url <URL>': has the port"),
        );
        let mut server = mockito::Server::new();
        let nothing = nothing_sent(&mut server);
        Mfa::voice_request()
            .args(&["--account-id", ACCOUNT, "--username", USERNAME])
            .env("BW_PASSWORD", PASSWORD)
            .env("MFA_BASE_URL", url)
            .run()
            .assert_error(
                3,
                &format!("environment variable MFA_BASE_URL is invalid (\"{url}\"): has the port"),
            );
        Mfa::voice_request()
            .args(&["--account-id", ACCOUNT, "--username", USERNAME])
            .env("BW_PASSWORD", PASSWORD)
            .config(&format!("[profiles.default]\nbase_url = \"{url}\"\n"))
            .run()
            .assert_error(3, "key `base_url` of profile `default` in ");
        nothing.assert();
    }
}

#[test]
fn a_password_typed_into_a_url_or_username_is_never_shown() {
    const SECRET: &str = "S3cr3t-in-a-url";
    let url = format!("https://c:{SECRET}@example.com/api");
    let user = format!("user:{SECRET}");
    let runs = [
        (
            Mfa::voice_request().args(&["--base-url", &url]),
            2,
            "invalid value 'https://c:***@example.com/api' for '--base-url <URL>'",
        ),
        (
            Mfa::voice_request().args(&["--username", &user]),
            2,
            "invalid value 'user:***' for '--username <NAME>'",
        ),
        (
            Mfa::voice_request()
                .args(&["-n", "--account-id", ACCOUNT])
                .env("MFA_BASE_URL", &url),
            3,
            "environment variable MFA_BASE_URL is invalid (\"https://c:***@example.com/api\")",
        ),
        (
            Mfa::voice_request()
                .args(&["-n", "--account-id", ACCOUNT])
                .env("BW_CLIENT_ID", CLIENT_ID)
                .env("BW_CLIENT_SECRET", CLIENT_SECRET)
                .env("MFA_TOKEN_URL", &url),
            3,
            "environment variable MFA_TOKEN_URL is invalid (\"https://c:***@example.com/api\")",
        ),
        (
            Mfa::voice_request()
                .args(&["--account-id", ACCOUNT])
                .env("BW_USERNAME", &user)
                .env("BW_PASSWORD", PASSWORD),
            3,
            "environment variable BW_USERNAME is invalid (\"user:***\")",
        ),
        (
            Mfa::voice_request()
                .args(&["-n", "--account-id", ACCOUNT])
                .config(&format!("[profiles.default]\nbase_url = \"{url}\"\n")),
            3,
            "key `base_url` of profile `default` in ",
        ),
        (
            Mfa::new().args(&["config", "set", "base_url", &url]),
            2,
            "invalid value 'https://c:***@example.com/api' for `base_url`",
        ),
    ];
    for (mfa, code, start) in runs {
        let outcome = mfa.run();
        outcome.assert_error(code, start);
        assert!(!outcome.stderr.contains(SECRET), "{}", outcome.stderr);
    }
}

#[test]
fn a_base_or_token_url_with_a_fragment_is_refused_naming_it() {
    // `...#` once made every call, sms and verify among them, a voice send.
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let voice = format!("{}/api/v1/accounts/9900000/code/voice#", server.url());
    Mfa::sms_request()
        .args(&["--account-id", ACCOUNT, "--username", USERNAME])
        .env("BW_PASSWORD", PASSWORD)
        .env("MFA_BASE_URL", &voice)
        .run()
        .assert_error(3, "environment variable MFA_BASE_URL is invalid");
    let outcome = Mfa::sms(&voice).run();
    outcome.assert_error(2, "invalid value ");
    assert!(
        outcome
            .stderr
            .contains("must not have a fragment (`#...`); try `mfa sms --help`; nothing was sent"),
        "{}",
        outcome.stderr
    );
    let outcome = Mfa::voice_oauth(&server)
        .env("MFA_TOKEN_URL", &format!("{}/oauth2/token#x", server.url()))
        .run();
    outcome.assert_error(3, "environment variable MFA_TOKEN_URL is invalid");
    assert!(
        outcome.stderr.contains("must not have a fragment"),
        "{}",
        outcome.stderr
    );
    let doctor = Mfa::new()
        .args(&["doctor", "--account-id", ACCOUNT, "--username", USERNAME])
        .env("BW_PASSWORD", PASSWORD)
        .env("MFA_BASE_URL", &voice)
        .run();
    assert_eq!(doctor.code, 3, "{}", doctor.stdout);
    assert!(
        doctor.stdout.contains("must not have a fragment"),
        "{}",
        doctor.stdout
    );
    nothing.assert();
}

#[test]
fn a_first_send_names_every_missing_setting_at_once() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let mfa = Mfa::new()
        .args(&["voice", "--to", TO])
        .env("MFA_BASE_URL", &format!("{}/api/v1", server.url()));
    let path = mfa.default_config_path();
    mfa.run().assert(
        3,
        "",
        &format!(
            "mfa: error: 5 settings are missing: the account id (pass --account-id, set \
             BW_ACCOUNT_ID, or add `account_id`), the from number (pass --from, set BW_NUMBER, \
             or add `from`), the voice application id (pass --application-id, set \
             BW_VOICE_APPLICATION_ID, or add `voice_application_id`), the API username (pass \
             --username, set BW_USERNAME, or add `username`) and the API password (set \
             BW_PASSWORD, or add `password` or `password_command`); add keys to profile \
             `default` in {}; nothing was sent\n",
            path.display()
        ),
    );
    // Only what the command asks for: a check needs no from number, but a lifetime.
    let outcome = Mfa::new()
        .args(&["verify", "--to", TO, "--code", CODE])
        .env("BW_ACCOUNT_ID", ACCOUNT)
        .env("MFA_BASE_URL", &format!("{}/api/v1", server.url()))
        .env("BW_PASSWORD", PASSWORD)
        .run();
    outcome.assert_error(
        3,
        "2 settings are missing: the code lifetime (pass --expiration, set \
         MFA_EXPIRATION_MINUTES, or add `expiration_minutes`) and the API username",
    );
    // Flags' gaps alone are a usage error, as each alone is.
    let outcome = Mfa::new()
        .args(&[
            "sms",
            "--to",
            TO,
            "--account-id",
            ACCOUNT,
            "--username",
            USERNAME,
        ])
        .env("BW_PASSWORD", PASSWORD)
        .run();
    outcome.assert_error(
        2,
        "2 settings are missing: the from number (pass --from, set BW_NUMBER, or add `from`) \
         and the messaging application id",
    );
    nothing.assert();
}

#[test]
fn whatever_clap_quotes_of_the_arguments_is_escaped() {
    // (the arguments, a part of the message that quotes them escaped)
    let cases: [(&[&str], &str); 5] = [
        (
            &["config", "set", "key\u{1b}[2J", "1"],
            "invalid value 'key\\u{1b}[2J'",
        ),
        (
            &["vo\u{1b}[2Jice"],
            "unrecognized subcommand 'vo\\u{1b}[2Jice'",
        ),
        (
            &["voice", "--t\u{1b}o", TO],
            "unexpected argument '--t\\u{1b}o'",
        ),
        (
            &["voice", "--output", "x\u{202e}y"],
            "invalid value 'x\\u{202e}y'",
        ),
        (&["log", "--limit", "1\n2"], "invalid value '1\\n2'"),
    ];
    for (args, quoted) in cases {
        for json in [false, true] {
            let mut mfa = Mfa::new().args(args);
            if json {
                mfa = mfa.args(&["--json"]);
            }
            let outcome = mfa.run();
            assert_eq!(outcome.code, 2, "{args:?}: {}", outcome.stderr);
            assert_eq!(
                outcome.stderr.lines().count(),
                1,
                "{args:?}: {}",
                outcome.stderr
            );
            assert!(
                !outcome.stderr.contains('\u{1b}') && !outcome.stderr.contains('\u{202e}'),
                "{args:?}: {}",
                outcome.stderr
            );
            if !json {
                assert!(
                    outcome.stderr.contains(quoted),
                    "{args:?}: {}",
                    outcome.stderr
                );
            }
        }
    }
}
