//! `mfa config path|init|set|show`, the permission warning, and `password_command`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::*;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn path_names_the_file_in_use() {
    let mfa = Mfa::new().args(&["config", "path"]);
    let default = mfa.default_config_path();
    mfa.run().assert(0, &format!("{}\n", default.display()), "");
    Mfa::new()
        .args(&["config", "path"])
        .env("MFA_CONFIG", "/etc/mfa.toml")
        .run()
        .assert(0, "/etc/mfa.toml\n", "");
    Mfa::new()
        .args(&["config", "path", "--config", "./mine.toml"])
        .env("MFA_CONFIG", "/etc/mfa.toml")
        .run()
        .assert(0, "./mine.toml\n", "");
    let outcome = Mfa::new()
        .args(&["config", "path", "--json"])
        .env("MFA_CONFIG", "/nowhere/mfa.toml")
        .run();
    assert_eq!(
        (
            outcome.code,
            outcome.stdout.as_str(),
            outcome.stderr.as_str()
        ),
        (
            0,
            "{\"exists\":false,\"origin\":\"environment variable MFA_CONFIG\",\"path\":\"/nowhere/mfa.toml\"}\n",
            ""
        )
    );
}

#[test]
fn init_writes_a_private_commented_template_that_mfa_reads() {
    let mfa = Mfa::new().args(&["config", "init"]);
    let path = mfa.default_config_path();
    mfa.run().assert(
        0,
        "",
        &format!(
            "mfa: wrote profile `default` to {}; fill it in with `mfa config set KEY VALUE`\n",
            path.display()
        ),
    );
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    let text = read(&path);
    assert!(text.contains("\n[profiles.default]\n"), "{text}");
    for key in [
        "account_id",
        "username",
        "password_command",
        "client_id",
        "from",
        "voice_application_id",
        "messaging_application_id",
        "digits",
        "message",
        "scope",
        "expiration_minutes",
        "timeout",
    ] {
        assert!(text.contains(&format!("#   {key} = ")), "{key}: {text}");
    }
    // The template is a valid, empty profile: a dry run works against it.
    let mfa = Mfa::new();
    std::fs::create_dir_all(mfa.default_config_path().parent().unwrap()).unwrap();
    std::fs::write(mfa.default_config_path(), &text).unwrap();
    let outcome = mfa
        .args(&["voice", "--to", TO, "--from", FROM, "--application-id", APP])
        .args(&["--account-id", ACCOUNT, "--dry-run"])
        .run();
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
}

#[test]
fn init_never_overwrites_a_profile_and_adds_others_after_the_rest() {
    let existing = "# my notes\n[profiles.default]\naccount_id = \"1\" # keep me\n";
    let mfa = Mfa::new().args(&["config", "init"]).config(existing);
    let path = mfa.default_config_path();
    mfa.run().assert_error(
        3,
        &format!(
            "profile `default` already exists in {}; change it with `mfa config set KEY VALUE`",
            path.display()
        ),
    );
    assert_eq!(read(&path), existing);

    let mfa = Mfa::new()
        .args(&["config", "init", "--profile", "test", "--json"])
        .config(existing);
    let path = mfa.default_config_path();
    mfa.run().assert(
        0,
        &format!("{{\"path\":\"{}\",\"profile\":\"test\"}}\n", path.display()),
        "",
    );
    let text = read(&path);
    assert!(text.starts_with(existing), "{text}");
    assert!(text.ends_with("\n[profiles.test]\n"), "{text}");
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn set_changes_one_key_and_keeps_the_rest_of_the_file() {
    let existing = "# my notes\n\
                    default_profile = \"prod\"\n\
                    \n\
                    [profiles.prod]\n\
                    # the account we bill\n\
                    account_id = \"1\" # old\n\
                    from = \"+15550000001\"\n\
                    \n\
                    [profiles.test]\n\
                    account_id = \"2\"\n";
    let mfa = Mfa::new()
        .args(&["config", "set", "account_id", ACCOUNT])
        .config(existing);
    let path = mfa.default_config_path();
    mfa.run().assert(
        0,
        "",
        &format!(
            "mfa: set `account_id` of profile `prod` in {}\n",
            path.display()
        ),
    );
    assert_eq!(
        read(&path),
        existing.replace("account_id = \"1\" # old", "account_id = \"9900000\" # old")
    );
    assert_eq!(mode(&path), 0o600);

    let mfa = Mfa::new()
        .args(&["config", "set", "digits", "4", "-p", "test", "--json"])
        .config(existing);
    let path = mfa.default_config_path();
    mfa.run().assert(
        0,
        &format!(
            "{{\"key\":\"digits\",\"path\":\"{}\",\"profile\":\"test\"}}\n",
            path.display()
        ),
        "",
    );
    assert_eq!(read(&path), format!("{existing}digits = 4\n"));
}

#[test]
fn set_creates_the_file_and_profile_when_missing() {
    let mfa = Mfa::new().args(&["config", "set", "from", FROM, "--profile", "prod"]);
    let path = mfa.default_config_path();
    assert_eq!(mfa.run().code, 0);
    assert_eq!(read(&path), format!("[profiles.prod]\nfrom = \"{FROM}\"\n"));
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn set_refuses_an_unknown_key_listing_the_known_ones() {
    let mfa = Mfa::new()
        .args(&["config", "set", "pasword", "x"])
        .config("[profiles.default]\n");
    let path = mfa.default_config_path();
    mfa.run().assert_error(
        2,
        "invalid value 'pasword' for '<KEY>' [possible values: account_id, username, password, \
         password_command, client_id, client_secret, token_url, base_url, voice_url, messaging_url, dashboard_url, timeout, retries, ca_file, ca_roots, log_file, from, \
         voice_application_id, messaging_application_id, digits, message, scope, \
         expiration_minutes, allowed_countries, refused_number_types, max_codes_per_number, \
         max_codes_per_hour, uncounted_sends]",
    );
    assert_eq!(read(&path), "[profiles.default]\n");
}

#[test]
fn set_checks_the_value_by_the_settings_rule() {
    for (key, value, rule) in [
        ("from", "5550000001", "must be an E.164 number"),
        ("digits", "9", "must be a whole number from 2 to 8"),
        ("base_url", "http://example.com", "must start with https://"),
        (
            "timeout",
            "0",
            "must be a number of seconds from 0.001 to 3600",
        ),
        (
            "expiration_minutes",
            "16",
            "must be a number of minutes from 1 to 15 (e.g. 3 or 1.5)",
        ),
    ] {
        let mfa = Mfa::new()
            .args(&["config", "set", key, value])
            .config("[profiles.default]\n");
        let path = mfa.default_config_path();
        mfa.run()
            .assert_error(2, &format!("invalid value '{value}' for `{key}`: {rule}"));
        assert_eq!(read(&path), "[profiles.default]\n", "{key}");
    }
}

#[test]
fn set_refuses_to_edit_a_file_mfa_cannot_read() {
    let broken = "[profiles.default]\npasword = \"x\"\n";
    let mfa = Mfa::new()
        .args(&["config", "set", "account_id", ACCOUNT])
        .config(broken);
    let path = mfa.default_config_path();
    mfa.run().assert_error(
        3,
        &format!(
            "config file {} is invalid: line 2: unknown key `pasword`",
            path.display()
        ),
    );
    assert_eq!(read(&path), broken);
}

#[test]
fn a_secret_is_never_taken_from_the_command_line() {
    for key in ["password", "client_secret"] {
        let mfa = Mfa::new()
            .args(&["config", "set", key, PASSWORD])
            .config("[profiles.default]\n");
        let path = mfa.default_config_path();
        mfa.run().assert_error(
            2,
            &format!(
                "the {} is never given on the command line, where shell history and the process \
                 list would keep it; run `mfa config set {key} -` and type or pipe it in",
                key.replace('_', " ")
            ),
        );
        assert_eq!(read(&path), "[profiles.default]\n");
    }
}

#[test]
fn a_secret_is_read_from_stdin_and_written_privately() {
    let mfa = Mfa::new()
        .args(&["config", "set", "password", "-"])
        .stdin(&format!("{PASSWORD}\n"))
        .config("[profiles.default]\nusername = \"api-user\"\n");
    let path = mfa.default_config_path();
    mfa.run().assert(
        0,
        "",
        &format!(
            "mfa: set `password` of profile `default` in {}\n",
            path.display()
        ),
    );
    assert_eq!(
        read(&path),
        format!("[profiles.default]\nusername = \"api-user\"\npassword = \"{PASSWORD}\"\n")
    );
    assert_eq!(mode(&path), 0o600);

    let mfa = Mfa::new()
        .args(&["config", "set", "client_secret", "-"])
        .stdin(CLIENT_SECRET);
    let path = mfa.default_config_path();
    assert_eq!(mfa.run().code, 0);
    assert_eq!(
        read(&path),
        format!("[profiles.default]\nclient_secret = \"{CLIENT_SECRET}\"\n")
    );

    let mfa = Mfa::new()
        .args(&["config", "set", "password", "-"])
        .stdin("");
    mfa.run()
        .assert_error(2, "mfa config set password -: stdin holds no password");
    assert!(!mfa.default_config_path().exists());
}

#[test]
fn setting_a_password_replaces_a_password_command_and_says_so() {
    let mfa = Mfa::new()
        .args(&["config", "set", "password", "-"])
        .stdin(PASSWORD)
        .config("[profiles.default]\npassword_command = \"pass show bw\"\n");
    let path = mfa.default_config_path();
    mfa.run().assert(
        0,
        "",
        &format!(
            "mfa: warning: removed `password_command` from profile `default`, since `password` \
             replaces it\nmfa: set `password` of profile `default` in {}\n",
            path.display()
        ),
    );
    assert_eq!(
        read(&path),
        format!("[profiles.default]\npassword = \"{PASSWORD}\"\n")
    );
}

#[test]
fn setting_a_secret_in_a_file_others_can_read_keeps_its_mode_and_warns() {
    let mfa = Mfa::new()
        .args(&["config", "set", "password", "-"])
        .stdin(PASSWORD)
        .config_with_mode("[profiles.default]\n", 0o644);
    let path = mfa.default_config_path();
    let shown = path.display();
    mfa.run().assert(
        0,
        "",
        &format!(
            "mfa: set `password` of profile `default` in {shown}\n\
             mfa: warning: config file {shown} holds a password and can be read by its group and \
             others (mode 644); run `chmod 600 {shown}`\n"
        ),
    );
    assert_eq!(mode(&path), 0o644);
}

#[test]
fn config_edits_refuse_dry_run() {
    let mfa = Mfa::new().args(&["config", "set", "account_id", "1", "--dry-run"]);
    mfa.run().assert_error(
        2,
        "--dry-run is for voice, sms and verify; `mfa config show` shows a profile without \
         changing it",
    );
    assert!(!mfa.default_config_path().exists());
}

#[test]
fn show_gives_every_setting_with_its_origin_and_secrets_only_as_set() {
    let mfa = Mfa::new()
        .args(&["config", "show", "--username", USERNAME])
        .env("BW_PASSWORD", PASSWORD)
        .env("BW_NUMBER", FROM)
        .config(&format!(
            "[profiles.default]\naccount_id = \"{ACCOUNT}\"\nclient_secret = \"{CLIENT_SECRET}\"\n\
             digits = 8\n"
        ));
    let path = mfa.default_config_path();
    let place = format!("profile `default` in {}", path.display());
    let expected = format!(
        "config file               {path} (the default)\n\
         profile                   default (the default)\n\
         credentials               username and password\n\
         account_id                {ACCOUNT} (key `account_id` of {place})\n\
         username                  {USERNAME} (--username)\n\
         password                  set (environment variable BW_PASSWORD)\n\
         password_command          not set\n\
         client_id                 not set\n\
         client_secret             set (key `client_secret` of {place})\n\
         token_url                 https://api.bandwidth.com/api/v1/oauth2/token (the default)\n\
         base_url                  https://mfa.bandwidth.com/api/v1 (the default)\n\
         voice_url                 https://voice.bandwidth.com/api/v2 (the default)\n\
         messaging_url             https://messaging.bandwidth.com/api/v2 (the default)\n\
         dashboard_url             https://dashboard.bandwidth.com/api (the default)\n\
         timeout                   30 (the default)\n\
         retries                   0 (the default)\n\
         ca_file                   not set\n\
         ca_roots                  system (the default)\n\
         log_file                  not set\n\
         from                      {FROM} (environment variable BW_NUMBER)\n\
         voice_application_id      not set\n\
         messaging_application_id  not set\n\
         digits                    8 (key `digits` of {place})\n\
         message                   Your temporary {{NAME}} {{SCOPE}} code is {{CODE}} (the default)\n\
         scope                     not set\n\
         expiration_minutes        not set\n\
         allowed_countries         not set\n\
         refused_number_types      premium-rate,shared-cost (the default)\n\
         max_codes_per_number      5/10m (the default)\n\
         max_codes_per_hour        off (the default)\n\
         uncounted_sends           send (the default)\n",
        path = path.display()
    );
    mfa.run().assert(0, &expected, "");
}

#[test]
fn show_in_json_is_one_document_and_says_client_credentials_win() {
    let outcome = Mfa::new()
        .args(&["config", "show", "--json", "--client-id", CLIENT_ID])
        .env("BW_USERNAME", USERNAME)
        .env("BW_PASSWORD", PASSWORD)
        .env("BW_CLIENT_SECRET", CLIENT_SECRET)
        .config("[profiles.default]\npassword_command = \"pass show bw\"\n")
        .run();
    assert_eq!((outcome.code, outcome.stderr.as_str()), (0, ""));
    assert_eq!(outcome.stdout.lines().count(), 1);
    let shown: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(shown["credentials"], "client_credentials");
    assert_eq!(shown["profile"]["name"], "default");
    assert_eq!(shown["configFile"]["exists"], true);
    let settings = &shown["settings"];
    assert_eq!(settings["client_id"]["value"], CLIENT_ID);
    assert_eq!(settings["client_id"]["origin"], "--client-id");
    assert_eq!(
        settings["client_secret"],
        serde_json::json!({"set": true, "origin": "environment variable BW_CLIENT_SECRET"})
    );
    assert_eq!(
        settings["password"],
        serde_json::json!({"set": true, "origin": "environment variable BW_PASSWORD"})
    );
    assert_eq!(settings["password_command"]["value"], "pass show bw");
    assert_eq!(settings["timeout"]["value"], 30);
    assert_eq!(settings["from"], serde_json::json!({"set": false}));
}

#[test]
fn show_says_why_no_credentials_are_complete_without_running_any_command() {
    let mfa = Mfa::new()
        .args(&["config", "show"])
        .config("[profiles.default]\npassword_command = \"touch \\\"$HOME/ran\\\"\"\n");
    let outcome = mfa.run();
    assert_eq!((outcome.code, outcome.stderr.as_str()), (0, ""));
    assert!(
        outcome.stdout.contains(
            "\ncredentials               none complete (no API username: pass --username, set \
             BW_USERNAME, or add `username` to profile `default` in "
        ),
        "{}",
        outcome.stdout
    );
    assert!(outcome.stdout.contains(
        "\npassword                  from the command in key `password_command` of profile \
         `default` in "
    ));
    assert!(!mfa.home().join("ran").exists());
}

#[test]
fn a_file_others_can_read_holding_a_password_draws_a_warning_and_the_command_runs() {
    let mut server = mockito::Server::new();
    let call = voice_mock(&mut server, &default_voice_body())
        .with_status(200)
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let mfa = Mfa::voice_request()
        .args(&[
            "--account-id",
            ACCOUNT,
            "--username",
            USERNAME,
            "--base-url",
            &format!("{}/api/v1", server.url()),
        ])
        .config_with_mode(
            &format!("[profiles.default]\npassword = \"{PASSWORD}\"\n"),
            0o640,
        );
    let shown = mfa.default_config_path().display().to_string();
    mfa.run().assert(
        0,
        "c-1\n",
        &format!(
            "mfa: warning: config file {shown} holds a password and can be read by its group \
             (mode 640); run `chmod 600 {shown}`\n"
        ),
    );
    call.assert();
}

#[test]
fn no_warning_at_mode_600_or_without_a_secret() {
    for (text, mode) in [
        (
            format!("[profiles.default]\npassword = \"{PASSWORD}\"\n"),
            0o600,
        ),
        (
            "[profiles.default]\npassword_command = \"x\"\n".to_owned(),
            0o644,
        ),
    ] {
        let outcome = Mfa::voice_request()
            .args(&["--account-id", ACCOUNT, "--username", USERNAME, "--dry-run"])
            .config_with_mode(&text, mode)
            .run();
        assert_eq!(
            (outcome.code, outcome.stderr.as_str()),
            (0, GUARD_WOULD_SEND),
            "{mode:o}"
        );
    }
}

#[test]
fn the_warning_is_json_with_json_output() {
    let outcome = Mfa::voice_request()
        .args(&["--account-id", ACCOUNT, "--client-id", CLIENT_ID])
        .args(&["--dry-run", "--json"])
        .config_with_mode(
            &format!("[profiles.default]\nclient_secret = \"{CLIENT_SECRET}\"\n"),
            0o604,
        )
        .run();
    assert_eq!(outcome.code, 0);
    let [warning, guard] = outcome.stderr.lines().collect::<Vec<_>>()[..] else {
        panic!("{}", outcome.stderr);
    };
    let guard: serde_json::Value = serde_json::from_str(guard).unwrap();
    assert_eq!(guard["guard"]["decision"], "send");
    let warning: serde_json::Value = serde_json::from_str(warning).unwrap();
    assert!(
        warning["warning"]["message"]
            .as_str()
            .unwrap()
            .contains("holds a client secret and can be read by others (mode 604)"),
        "{warning}"
    );
}

/// `mfa voice` against `server` with the password from `password_command`.
fn with_password_command(server: &mockito::ServerGuard, command: &str) -> Mfa {
    Mfa::voice_request()
        .args(&[
            "--account-id",
            ACCOUNT,
            "--username",
            USERNAME,
            "--base-url",
            &format!("{}/api/v1", server.url()),
        ])
        .config(&format!(
            "[profiles.default]\npassword_command = {}\n",
            toml_string(command)
        ))
}

fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

#[test]
fn password_command_prints_the_password() {
    let mut server = mockito::Server::new();
    let call = voice_mock(&mut server, &default_voice_body())
        .with_status(200)
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let mfa = with_password_command(&server, "cat \"$HOME/pw.txt\"");
    std::fs::write(mfa.home().join("pw.txt"), format!("{PASSWORD}\n")).unwrap();
    mfa.run().assert(0, "c-1\n", "");
    call.assert();
}

#[test]
fn a_failing_password_command_exits_3_with_its_stderr_and_sends_nothing() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let mfa = with_password_command(
        &server,
        "echo 'gpg: decryption failed: No secret key' >&2; exit 2",
    );
    let place = format!(
        "profile `default` in {}",
        mfa.default_config_path().display()
    );
    mfa.run().assert_error(
        3,
        &format!(
            "the command in key `password_command` of {place} failed (exit status 2); its \
             stderr: gpg: decryption failed: No secret key"
        ),
    );
    nothing.assert();
}

#[test]
fn a_password_command_with_no_shell_to_run_it_says_the_shell_is_missing() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    // As in a container built FROM scratch: no `sh` anywhere on the PATH.
    let empty = tempfile::tempdir().unwrap();
    let mfa = with_password_command(&server, "pass show bandwidth")
        .env("PATH", empty.path().to_str().unwrap());
    let place = format!(
        "profile `default` in {}",
        mfa.default_config_path().display()
    );
    mfa.run().assert_error(
        3,
        &format!(
            "the command in key `password_command` of {place} could not be started: there is \
             no shell (`sh`) on this system to run it, as in a container that has none; give \
             the password in BW_PASSWORD instead"
        ),
    );
    nothing.assert();
}

#[test]
fn a_silent_password_command_exits_3() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let mfa = with_password_command(&server, "true");
    let place = format!(
        "profile `default` in {}",
        mfa.default_config_path().display()
    );
    mfa.run().assert_error(
        3,
        &format!("the command in key `password_command` of {place} printed no password"),
    );
    nothing.assert();
}

#[test]
fn a_password_command_that_hangs_is_stopped_at_the_time_out() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let mfa = with_password_command(&server, "sleep 30").args(&["--timeout", "0.5"]);
    let place = format!(
        "profile `default` in {}",
        mfa.default_config_path().display()
    );
    mfa.run().assert_error(
        3,
        &format!(
            "the command in key `password_command` of {place} did not finish within 0.5 s (the \
             time-out); it was stopped"
        ),
    );
    nothing.assert();
}

#[test]
fn bw_password_wins_and_dry_run_runs_no_command() {
    let mut server = mockito::Server::new();
    let call = voice_mock(&mut server, &default_voice_body())
        .with_status(200)
        .with_body(r#"{"callId":"c-1"}"#)
        .expect(1)
        .create();
    let mfa = with_password_command(&server, "touch \"$HOME/ran\"; exit 1");
    mfa.run()
        .assert_error(3, "the command in key `password_command`");
    std::fs::remove_file(mfa.home().join("ran")).unwrap();
    let mfa = mfa.env("BW_PASSWORD", PASSWORD);
    mfa.run().assert(0, "c-1\n", "");
    assert!(!mfa.home().join("ran").exists());
    call.assert();
    let mfa = with_password_command(&server, "touch \"$HOME/ran\"").args(&["--dry-run"]);
    assert_eq!(mfa.run().code, 0);
    assert!(!mfa.home().join("ran").exists());
}

#[test]
fn a_refused_password_names_the_command_it_came_from() {
    let mut server = mockito::Server::new();
    let call = server
        .mock("POST", VOICE_PATH)
        .with_status(401)
        .with_body(r#"{"message":"Unauthorized"}"#)
        .expect(1)
        .create();
    let mfa = with_password_command(&server, "echo wrong-password");
    let place = format!(
        "profile `default` in {}",
        mfa.default_config_path().display()
    );
    mfa.run().assert_error(
        4,
        &format!(
            "the API refused the credentials (HTTP 401): Unauthorized; check the username (from \
             --username) and the password (from key `password_command` of {place})"
        ),
    );
    call.assert();
}

#[test]
fn a_secret_of_the_wrong_type_is_named_by_its_key_never_shown() {
    for (toml, key, expected) in [
        ("password = 73317331", "password", "a string, in quotes"),
        (
            "client_secret = 7331.25",
            "client_secret",
            "a string, in quotes",
        ),
        ("digits = \"73317331\"", "digits", "a whole number"),
    ] {
        for args in [
            &["config", "show"][..],
            &["config", "set", "username", "u"],
            &["voice", "--dry-run", "--to", TO],
        ] {
            let mfa = Mfa::new()
                .args(args)
                .config(&format!("[profiles.default]\n{toml}\n"));
            let path = mfa.default_config_path();
            let outcome = mfa.run();
            outcome.assert_error(
                3,
                &format!(
                    "config file {} is invalid: line 2: `{key}` must be {expected}",
                    path.display()
                ),
            );
            assert!(
                !outcome.stderr.contains("7331"),
                "{args:?}: {}",
                outcome.stderr
            );
        }
    }
}

#[test]
fn edits_made_at_once_all_land() {
    let folder = tempfile::tempdir().unwrap();
    let config = folder.path().join("config.toml");
    let config = config.to_str().unwrap();
    // 24 runs at once: one profile each for 16, and eight keys of one profile.
    let mut children = Vec::new();
    for n in 0..16 {
        let profile = format!("p{n}");
        let account = format!("{}", 1000 + n);
        children.push(
            Mfa::new()
                .args(&[
                    "--config",
                    config,
                    "-p",
                    &profile,
                    "config",
                    "set",
                    "account_id",
                    &account,
                ])
                .start(),
        );
    }
    let keys = [
        ("account_id", "9900000"),
        ("username", "api-user"),
        ("from", "+15554443333"),
        ("voice_application_id", "app"),
        ("digits", "7"),
        ("scope", "login"),
        ("retries", "2"),
        ("timeout", "9"),
    ];
    for (key, value) in keys {
        children.push(
            Mfa::new()
                .args(&[
                    "--config", config, "-p", "shared", "config", "set", key, value,
                ])
                .start(),
        );
    }
    for child in children {
        let outcome = Outcome::of(child.wait_with_output().unwrap());
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    }
    let text = read(Path::new(config));
    for n in 0..16 {
        assert!(
            text.contains(&format!("[profiles.p{n}]\naccount_id = \"{}\"\n", 1000 + n)),
            "p{n}: {text}"
        );
    }
    for (key, value) in keys {
        let line = match key {
            "digits" | "retries" | "timeout" => format!("{key} = {value}\n"),
            _ => format!("{key} = \"{value}\"\n"),
        };
        assert!(text.contains(&line), "{key}: {text}");
    }
}

#[test]
fn an_edit_leaves_no_lock_file_behind() {
    let mfa = Mfa::new()
        .args(&["config", "set", "account_id", ACCOUNT])
        .config("[profiles.default]\n");
    assert_eq!(mfa.run().code, 0);
    let folder = mfa.default_config_path().parent().unwrap().to_path_buf();
    let names: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["config.toml"]);
}

#[test]
fn an_edit_waits_for_another_no_longer_than_the_timeout() {
    let mfa = Mfa::new()
        .args(&["--timeout", "1", "config", "set", "account_id", ACCOUNT])
        .config("[profiles.default]\n");
    let path = mfa.default_config_path();
    let lock = path.with_file_name("config.toml.lock");
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .unwrap();
    held.lock().unwrap();
    let started = std::time::Instant::now();
    mfa.run().assert_error(
        3,
        &format!(
            "cannot edit {}: another run is editing it, and has for longer than the time-out \
             (1 s)",
            path.display()
        ),
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(read(&path), "[profiles.default]\n");
}

#[cfg(unix)]
#[test]
fn an_edit_through_a_dangling_link_makes_the_file_it_names_and_keeps_the_link() {
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("dotfiles").join("mfa.toml");
    let link = folder.path().join("config.toml");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    Mfa::new()
        .args(&[
            "--config",
            link.to_str().unwrap(),
            "config",
            "set",
            "account_id",
            ACCOUNT,
        ])
        .run()
        .assert_exit_and_stdout(0, "");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        read(&target),
        format!("[profiles.default]\naccount_id = \"{ACCOUNT}\"\n")
    );
}

const TWO_PROFILES: &str = "# my notes\n\
    default_profile = \"prod\"\n\
    \n\
    [profiles.prod]\n\
    account_id = \"9900000\" # the main one\n\
    password = \"pw-in-file\"\n\
    digits = 4\n\
    \n\
    [profiles.test]\n\
    account_id = \"9900001\"\n";

#[test]
fn get_prints_one_value_and_a_secret_only_as_set() {
    let run = |args: &[&str]| {
        Mfa::new()
            .args(&[&["config", "get"][..], args].concat())
            .config(TWO_PROFILES)
            .run()
    };
    run(&["account_id"]).assert(0, "9900000\n", "");
    run(&["digits"]).assert(0, "4\n", "");
    run(&["-p", "test", "account_id"]).assert(0, "9900001\n", "");
    run(&["password"]).assert(0, "set\n", "");
    // An unset key exits 1, as `git config` does, so a script can test it.
    run(&["-p", "test", "password"]).assert(1, "not set\n", "");
    run(&["scope"]).assert(1, "", "");
    let outcome = run(&["scope", "--json"]);
    assert_eq!(outcome.code, 1);
    assert_eq!(outcome.stdout, "{\"key\":\"scope\",\"set\":false}\n");
    run(&["message"]).assert(0, "Your temporary {NAME} {SCOPE} code is {CODE}\n", "");
    let outcome = run(&["digits", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(json["key"], "digits");
    assert_eq!(json["value"], 4);
    assert_eq!(json["set"], true);
    let outcome = run(&["password", "--json"]);
    assert!(!outcome.stdout.contains("pw-in-file"), "{}", outcome.stdout);
    let json: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(
        (json["set"].as_bool(), json.get("value")),
        (Some(true), None)
    );
    Mfa::new()
        .args(&["config", "get", "pasword"])
        .config(TWO_PROFILES)
        .run()
        .assert_exit_and_stdout(2, "");
}

#[test]
fn unset_removes_one_key_and_keeps_the_rest_byte_for_byte() {
    let mfa = Mfa::new()
        .args(&["config", "unset", "password"])
        .config(TWO_PROFILES);
    let path = mfa.default_config_path();
    mfa.run().assert(
        0,
        "",
        &format!(
            "mfa: removed `password` from profile `prod` in {}\n",
            path.display()
        ),
    );
    assert_eq!(
        read(&path),
        TWO_PROFILES.replace("password = \"pw-in-file\"\n", "")
    );
    // Again: nothing to remove, nothing changed, and said so.
    let outcome = Mfa::new()
        .args(&["config", "unset", "password", "--json"])
        .config(&read(&path))
        .run();
    let json: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(
        (json["removed"].as_bool(), json["key"].as_str()),
        (Some(false), Some("password"))
    );
    // From OAuth2 back to Basic, without editing the file by hand.
    let mfa = Mfa::new()
        .args(&["-p", "test", "config", "unset", "account_id"])
        .config(TWO_PROFILES);
    let path = mfa.default_config_path();
    mfa.run().assert_exit_and_stdout(0, "");
    assert_eq!(
        read(&path),
        TWO_PROFILES.replace("account_id = \"9900001\"\n", "")
    );
}

#[test]
fn profiles_lists_the_profiles_and_marks_the_default() {
    Mfa::new()
        .args(&["config", "profiles"])
        .config(TWO_PROFILES)
        .run()
        .assert(0, "prod (default)\ntest\n", "");
    let outcome = Mfa::new()
        .args(&["config", "profiles", "--json"])
        .config(TWO_PROFILES)
        .run();
    let json: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(json["default"], "prod");
    assert_eq!(json["inUse"], "prod");
    assert_eq!(
        json["profiles"],
        serde_json::json!([
            {"name": "prod", "default": true, "inUse": true},
            {"name": "test", "default": false, "inUse": false},
        ])
    );
    // The profile in effect now, from -p or MFA_PROFILE, is marked too.
    Mfa::new()
        .args(&["-p", "test", "config", "profiles"])
        .config(TWO_PROFILES)
        .run()
        .assert(0, "prod (default)\ntest (in use from --profile)\n", "");
    Mfa::new()
        .args(&["config", "profiles"])
        .env("MFA_PROFILE", "prod")
        .config(TWO_PROFILES)
        .run()
        .assert(
            0,
            "prod (default, in use from environment variable MFA_PROFILE)\ntest\n",
            "",
        );
    // No file yet: no profiles.
    Mfa::new()
        .args(&["config", "profiles"])
        .run()
        .assert(0, "", "");
}

#[test]
fn use_makes_a_profile_the_default_keeping_the_rest_of_the_file() {
    let mfa = Mfa::new()
        .args(&["config", "use", "test"])
        .config(TWO_PROFILES);
    let path = mfa.default_config_path();
    mfa.run().assert(
        0,
        "",
        &format!(
            "mfa: profile `test` is the default in {} now\n",
            path.display()
        ),
    );
    assert_eq!(
        read(&path),
        TWO_PROFILES.replace("default_profile = \"prod\"", "default_profile = \"test\"")
    );
    Mfa::new()
        .args(&["config", "profiles", "--config", path.to_str().unwrap()])
        .run()
        .assert(0, "prod\ntest (default)\n", "");
    // A profile the file lacks is refused, naming those it has.
    let mfa = Mfa::new()
        .args(&["config", "use", "staging"])
        .config(TWO_PROFILES);
    let path = mfa.default_config_path();
    mfa.run().assert(
        3,
        "",
        &format!(
            "mfa: error: profile `staging` not found in {}; its profiles: prod, test\n",
            path.display()
        ),
    );
    assert_eq!(read(&path), TWO_PROFILES);
}

#[test]
fn remove_deletes_a_profile_with_yes_and_keeps_the_others_and_their_comments() {
    let file = "# my file\ndefault_profile = \"prod\"\n\n# production\n[profiles.prod]\n\
                account_id = \"1\" # the real one\n\n# testing\n[profiles.test]\naccount_id = \"2\"\n";
    let mfa = Mfa::new()
        .args(&["config", "remove", "test", "--yes"])
        .config(file);
    let path = mfa.default_config_path();
    mfa.run().assert(
        0,
        "",
        &format!("mfa: removed profile `test` from {}\n", path.display()),
    );
    assert_eq!(
        read(&path),
        "# my file\ndefault_profile = \"prod\"\n\n# production\n[profiles.prod]\n\
         account_id = \"1\" # the real one\n"
    );
    // Without a terminal to ask at, --yes is needed; nothing changes.
    let mfa = Mfa::new().args(&["config", "remove", "prod"]).config(file);
    let path = mfa.default_config_path();
    mfa.run().assert(
        2,
        "",
        "mfa: error: removing profile `prod` needs --yes when there is no terminal to ask at\n",
    );
    assert_eq!(read(&path), file);
    // The default profile goes with its `default_profile`.
    let mfa = Mfa::new()
        .args(&["config", "remove", "prod", "-y", "--json"])
        .config(file);
    let path = mfa.default_config_path();
    let outcome = mfa.run();
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let json: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(json["wasDefault"], true);
    assert!(!read(&path).contains("default_profile"), "{}", read(&path));
    assert!(read(&path).contains("[profiles.test]"));
}

#[test]
fn remove_keeps_the_files_top_comment_and_takes_only_the_profiles_own() {
    // (the file, the profile removed, the file after)
    let cases = [
        (
            "# my mfa settings\n\n# staging account\n[profiles.staging]\naccount_id = \"1\"\n\n\
             # production\n[profiles.prod]\naccount_id = \"2\"\n",
            "staging",
            "# my mfa settings\n\n# production\n[profiles.prod]\naccount_id = \"2\"\n",
        ),
        (
            "# my mfa settings\n\n# the only one\n[profiles.only]\naccount_id = \"1\"\n",
            "only",
            "# my mfa settings\n",
        ),
        (
            "# production\n[profiles.prod]\naccount_id = \"2\"\n",
            "prod",
            "",
        ),
    ];
    for (before, name, after) in cases {
        let mfa = Mfa::new()
            .args(&["config", "remove", name, "--yes"])
            .config(before);
        let outcome = mfa.run();
        assert_eq!(outcome.code, 0, "{name}: {}", outcome.stderr);
        assert_eq!(read(&mfa.default_config_path()), after, "{name}");
    }
}

#[test]
fn init_names_the_profile_in_its_hint_unless_it_is_the_default() {
    for (args, hint) in [
        (&["config", "init"][..], "`mfa config set KEY VALUE`"),
        (
            &["-p", "test", "config", "init"],
            "`mfa -p test config set KEY VALUE`",
        ),
        (
            &["-p", "my prod", "config", "init"],
            "`mfa -p 'my prod' config set KEY VALUE`",
        ),
    ] {
        let outcome = Mfa::new().args(args).run();
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
        assert!(
            outcome
                .stderr
                .ends_with(&format!("; fill it in with {hint}\n")),
            "{args:?}: {}",
            outcome.stderr
        );
    }
}

#[test]
fn every_command_that_reads_the_profile_warns_of_a_config_file_others_can_read() {
    let profile = format!(
        "[profiles.default]\naccount_id = \"{ACCOUNT}\"\nusername = \"{USERNAME}\"\n\
         password = \"{PASSWORD}\"\nfrom = \"{FROM}\"\nvoice_application_id = \"{APP}\"\n"
    );
    for command in [
        &["voice", "--to", TO, "--dry-run"][..],
        &["config", "show"],
        &["log", "--log", "/nonexistent-folder/audit.jsonl"],
        &["status", "c-1"],
    ] {
        // (`mfa status` asks a port where nobody listens.)
        let nowhere = format!("http://127.0.0.1:{}", crate::servers::closed_port());
        let outcome = Mfa::new()
            .config_with_mode(&profile, 0o644)
            .args(command)
            .env("MFA_VOICE_URL", &nowhere)
            .run();
        let first = outcome.stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("mfa: warning: ") && first.contains("chmod 600"),
            "{command:?}: {}",
            outcome.stderr
        );
    }
}
