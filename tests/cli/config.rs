//! Configuration failures: each exits 3, names the file, profile, key or variable, and
//! sends nothing.

use crate::support::*;

/// `mfa voice` with request flags but nothing else, against a server that must
/// receive nothing.
fn bare(server: &mockito::ServerGuard) -> Mfa {
    Mfa::voice_request().args(&["--base-url", &format!("{}/api/v1", server.url())])
}

#[test]
fn a_named_config_file_that_is_missing() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let mfa = bare(&server);
    let missing = mfa.home().join("nope.toml");
    let missing = missing.to_str().unwrap();
    mfa.args(&["--config", missing]).run().assert(
        3,
        "",
        &format!(
            "mfa: error: config file {missing} (from --config) does not exist; nothing was sent\n"
        ),
    );
    let mfa = bare(&server);
    let missing = mfa.home().join("nope.toml");
    let missing = missing.to_str().unwrap();
    mfa.env("MFA_CONFIG", missing).run().assert(
        3,
        "",
        &format!(
            "mfa: error: config file {missing} (from environment variable MFA_CONFIG) does not exist; nothing was sent\n"
        ),
    );
    nothing.assert();
}

#[test]
fn a_malformed_file_gives_the_line_but_not_the_password() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let mfa = bare(&server).config(&format!("[profiles.default]\npassword = \"{PASSWORD}\n"));
    let path = mfa.default_config_path();
    mfa.run().assert_error(
        3,
        &format!("config file {} is invalid: line 2: ", path.display()),
    );
    nothing.assert();
}

#[test]
fn an_unknown_key_is_named_with_the_key_it_likely_meant() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let mfa = bare(&server).config(&format!("[profiles.default]\npasword = \"{PASSWORD}\"\n"));
    let path = mfa.default_config_path();
    mfa.run().assert(
        3,
        "",
        &format!(
            "mfa: error: config file {} is invalid: line 2: unknown key `pasword`; did you mean \
             `password`?; nothing was sent\n",
            path.display()
        ),
    );
    let mfa = bare(&server).config("[profiles.default]\naccountid = \"9900000\"\n");
    let outcome = mfa.run();
    assert!(
        outcome
            .stderr
            .contains("line 2: unknown key `accountid`; did you mean `account_id`?"),
        "{}",
        outcome.stderr
    );
    nothing.assert();
}

#[test]
fn a_named_profile_that_is_missing() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let config = "[profiles.prod]\naccount_id = \"1\"\n[profiles.test]\naccount_id = \"2\"\n";
    let mfa = bare(&server).config(config).args(&["--profile", "staging"]);
    let path = mfa.default_config_path();
    mfa.run().assert(
        3,
        "",
        &format!(
            "mfa: error: profile `staging` (from --profile) not found in {}; its profiles: prod, test; nothing was sent\n",
            path.display()
        ),
    );
    let mfa = bare(&server).config(config).env("MFA_PROFILE", "staging");
    mfa.run().assert_error(
        3,
        "profile `staging` (from environment variable MFA_PROFILE) not found in ",
    );
    let mfa = bare(&server).config(&format!("default_profile = \"staging\"\n{config}"));
    mfa.run()
        .assert_error(3, "profile `staging` (from key `default_profile` of ");
    nothing.assert();
}

#[test]
fn a_named_profile_with_no_config_file_at_all() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let mfa = bare(&server).args(&["-p", "prod"]);
    let path = mfa.default_config_path();
    mfa.run().assert(
        3,
        "",
        &format!(
            "mfa: error: profile `prod` (from --profile) not found: there is no config file at \
             {}; nothing was sent\n",
            path.display()
        ),
    );
    nothing.assert();
}

#[test]
fn no_account_id() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    bare(&server)
        .args(&["--username", USERNAME])
        .env("BW_PASSWORD", PASSWORD)
        .run()
        .assert_error(
            3,
            "no account id: pass --account-id, set BW_ACCOUNT_ID, or add `account_id` to profile `default` in ",
        );
    nothing.assert();
}

#[test]
fn no_username() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    bare(&server)
        .args(&["--account-id", ACCOUNT])
        .env("BW_PASSWORD", PASSWORD)
        .run()
        .assert_error(3, "no API username: pass --username, set BW_USERNAME, or add `username` to profile `default` in ");
    nothing.assert();
}

#[test]
fn no_password() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let mfa = bare(&server).args(&["--account-id", ACCOUNT, "--username", USERNAME]);
    let path = mfa.default_config_path();
    mfa.run().assert(
        3,
        "",
        &format!(
            "mfa: error: no API password: set BW_PASSWORD, or add `password` (`mfa config set \
             password -`) or `password_command` to profile `default` in {} (it is never a flag, \
             so it stays out of shell history); nothing was sent\n",
            path.display()
        ),
    );
    nothing.assert();
}

#[test]
fn a_bad_value_in_the_environment_names_the_variable() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    Mfa::new()
        .args(&[
            "voice",
            "--to",
            TO,
            "--application-id",
            APP,
            "--account-id",
            ACCOUNT,
        ])
        .env("BW_NUMBER", "15554443333")
        .run()
        .assert_error(
            3,
            "environment variable BW_NUMBER is invalid (\"15554443333\"): must be an E.164 number",
        );
    Mfa::voice(&format!("{}/api/v1", server.url()))
        .env("MFA_TIMEOUT", "soon")
        .run()
        .assert_error(
            3,
            "environment variable MFA_TIMEOUT is invalid (\"soon\"): must be a number of seconds",
        );
    nothing.assert();
}

#[test]
fn a_bad_value_in_the_profile_names_the_key() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let mfa = Mfa::voice(&format!("{}/api/v1", server.url()))
        .config("[profiles.default]\nmessage = \"no code here\"\n");
    let path = mfa.default_config_path();
    mfa.run().assert(
        3,
        "",
        &format!(
            "mfa: error: key `message` of profile `default` in {} is invalid (\"no code here\"): \
             must contain {{CODE}}, where the code goes; nothing was sent\n",
            path.display()
        ),
    );
    nothing.assert();
}

#[test]
fn an_http_base_url_in_the_profile_is_refused() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    Mfa::voice_request()
        .args(&["--account-id", ACCOUNT])
        .env("BW_USERNAME", USERNAME)
        .env("BW_PASSWORD", PASSWORD)
        .config("[profiles.default]\nbase_url = \"http://mfa.bandwidth.com/api/v1\"\n")
        .run()
        .assert_error(3, "key `base_url` of profile `default` in ");
    nothing.assert();
}

#[test]
fn the_example_config_file_works_for_every_command() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
    for (command, path, expected) in [
        (
            &["voice"][..],
            "/code/voice",
            "\"applicationId\":\"93de2206-",
        ),
        (&["sms"], "/code/messaging", "\"applicationId\":\"b2a1d4b8-"),
        (
            &["verify", "--code", "-"],
            "/code/verify",
            "\"expirationTimeInMinutes\":5",
        ),
    ] {
        let outcome = Mfa::new()
            .args(command)
            .args(&["--to", TO, "--dry-run", "--config", example])
            .stdin(CODE)
            .run();
        assert_eq!(outcome.code, 0, "{command:?}: {}", outcome.stderr);
        assert!(
            outcome.stdout.starts_with(&format!(
                "POST https://mfa.bandwidth.com/api/v1/accounts/9900000{path}\n"
            )),
            "{}",
            outcome.stdout
        );
        assert!(outcome.stdout.contains(expected), "{}", outcome.stdout);
    }
}

#[cfg(unix)]
#[test]
fn a_device_or_a_fifo_as_a_file_is_refused_at_once_never_read() {
    let folder = tempfile::tempdir().unwrap();
    let fifo = folder.path().join("fifo");
    make_fifo(&fifo);
    let fifo = fifo.to_str().unwrap();
    for (args, env, code, message) in [
        (vec!["--config", "/dev/zero"], None, 3, "cannot read config file /dev/zero: it is a device, not a regular file".to_owned()),
        (vec![], Some(("MFA_CONFIG", "/dev/zero")), 3, "cannot read config file /dev/zero: it is a device".to_owned()),
        (vec!["--config", fifo], None, 3, format!("cannot read config file {fifo}: it is a FIFO, not a regular file")),
        (
            vec!["--account-id", ACCOUNT, "--ca-file", fifo],
            None,
            2,
            format!("the CA file {fifo} (from --ca-file) cannot be read: it is a FIFO, not a regular file"),
        ),
        (
            vec!["--account-id", ACCOUNT],
            Some(("MFA_CA_FILE", "/dev/zero")),
            3,
            "the CA file /dev/zero (from environment variable MFA_CA_FILE) cannot be read: it is a device".to_owned(),
        ),
    ] {
        let mut mfa = Mfa::voice_request().args(&["-n"]).args(&args);
        if let Some((name, value)) = env {
            mfa = mfa.env(name, value);
        }
        let started = std::time::Instant::now();
        mfa.run().assert_error(code, &message);
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{args:?}");
    }
}

#[test]
fn a_config_file_over_a_mebibyte_is_refused() {
    let big = format!("# {}\n[profiles.default]\n", "x".repeat(1024 * 1024));
    let mfa = Mfa::voice_request().args(&["-n"]).config(&big);
    let path = mfa.default_config_path();
    mfa.run().assert_error(
        3,
        &format!(
            "cannot read config file {}: it is larger than 1 MiB",
            path.display()
        ),
    );
}

#[cfg(unix)]
#[test]
fn a_variable_that_is_not_utf8_is_refused_naming_it_never_altered() {
    use std::os::unix::ffi::OsStringExt;
    let latin1 = |text: &[u8]| std::ffi::OsString::from_vec(text.to_vec());
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let url = format!("{}/api/v1", server.url());
    for name in ["BW_PASSWORD", "BW_ACCOUNT_ID", "BW_USERNAME", "MFA_PROFILE"] {
        let mut mfa = Mfa::voice_request().args(&["--base-url", &url]);
        for (other, value) in [
            ("BW_PASSWORD", PASSWORD),
            ("BW_ACCOUNT_ID", ACCOUNT),
            ("BW_USERNAME", USERNAME),
        ] {
            if other != name {
                mfa = mfa.env(other, value);
            }
        }
        mfa.env_os(name, latin1(b"p\xe9ss")).run().assert_error(
            3,
            &format!(
                "environment variable {name} is not UTF-8 text; mfa takes a value as it is \
                     or not at all"
            ),
        );
    }
    nothing.assert();
}

#[cfg(unix)]
#[test]
fn a_variable_naming_a_file_takes_any_bytes_a_path_may_hold_like_its_flag() {
    use std::os::unix::ffi::OsStringExt;
    let folder = tempfile::tempdir().unwrap();
    let mut name = folder.path().as_os_str().to_owned().into_vec();
    name.extend_from_slice(b"/caf\xe9.toml");
    let path = std::path::PathBuf::from(std::ffi::OsString::from_vec(name));
    std::fs::write(
        &path,
        format!("[profiles.default]\naccount_id = \"{ACCOUNT}\"\n"),
    )
    .unwrap();
    let outcome = Mfa::voice_request()
        .args(&["-n"])
        .env_os("MFA_CONFIG", path.clone().into_os_string())
        .run();
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome.stdout.contains("/accounts/9900000/code/voice"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn profile_names_and_unknown_keys_are_shown_escaped_in_every_message() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let forged = "prod\u{1b}[2J\nmfa: error: forged";
    // A profile named on the command line that the file lacks; the file's own
    // profiles are listed escaped too.
    let mfa = bare(&server)
        .args(&["-p", forged])
        .config("[profiles.\"ok\\u001b[31m\"]\naccount_id = \"1\"\n");
    let path = mfa.default_config_path();
    mfa.run().assert(
        3,
        "",
        &format!(
            "mfa: error: profile `prod\\u{{1b}}[2J\\nmfa: error: forged` (from --profile) not \
             found in {}; its profiles: ok\\u{{1b}}[31m; nothing was sent\n",
            path.display()
        ),
    );
    // An unknown key in the file, with a control character in it.
    let mfa = bare(&server).config("[profiles.default]\n\"pass\\u001bword\" = \"x\"\n");
    let outcome = mfa.run();
    outcome.assert_error(3, "config file ");
    assert!(
        outcome.stderr.contains("unknown key `pass\\u{1b}word`"),
        "{}",
        outcome.stderr
    );
    nothing.assert();
}

#[test]
fn config_init_of_a_profile_with_a_line_break_in_its_name_keeps_the_file_whole() {
    let mfa = Mfa::new().args(&["config", "init", "-p", "a\nb = \"injected\""]);
    let outcome = mfa.run();
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    let text = std::fs::read_to_string(mfa.default_config_path()).unwrap();
    // The name stays in its comments, escaped, and in the table's quoted header.
    assert!(!text.contains("\nb = \"injected\""), "{text}");
    let shown = Mfa::new()
        .args(&["config", "profiles", "--config"])
        .args(&[mfa.default_config_path().to_str().unwrap()])
        .run();
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert_eq!(shown.stdout, "a\\nb = \"injected\"\n");
}

#[test]
fn a_relative_home_or_xdg_folder_is_ignored_never_taken_from_the_working_directory() {
    let cwd = tempfile::tempdir().unwrap();
    let mfa = Mfa::new().args(&["config", "init"]);
    let outcome = Outcome::of(
        mfa.command()
            .env("HOME", "relative-home")
            .current_dir(cwd.path())
            .output()
            .unwrap(),
    );
    outcome.assert(
        3,
        "",
        // A command that never sends a code does not say that it sent none.
        "mfa: error: no user config directory is known; pass --config or set MFA_CONFIG\n",
    );
    assert_eq!(std::fs::read_dir(cwd.path()).unwrap().count(), 0);
    // A relative XDG_CONFIG_HOME is ignored, as the XDG spec says: HOME's folder is used.
    let mfa = Mfa::new().args(&["config", "path"]);
    let outcome = Outcome::of(
        mfa.command()
            .env("XDG_CONFIG_HOME", "relative-xdg")
            .current_dir(cwd.path())
            .output()
            .unwrap(),
    );
    outcome.assert(0, &format!("{}\n", mfa.default_config_path().display()), "");
}

#[test]
fn a_path_from_a_variable_is_escaped_in_every_message() {
    let folder = tempfile::tempdir().unwrap();
    let odd = folder.path().join("odd\u{1b}[2J\u{202e}");
    std::fs::create_dir(&odd).unwrap();
    let config = odd.join("config.toml");
    let missing = odd.join("missing.toml");
    let shown = |path: &std::path::Path| {
        path.display()
            .to_string()
            .replace('\u{1b}', "\\u{1b}")
            .replace('\u{202e}', "\\u{202e}")
    };
    // (the run, what its message says of the path)
    let runs = [
        (
            Mfa::voice_request().env("MFA_CONFIG", missing.to_str().unwrap()),
            format!(
                "config file {} (from environment variable MFA_CONFIG) does not exist",
                shown(&missing)
            ),
        ),
        (
            Mfa::new()
                .args(&["config", "set", "account_id", ACCOUNT])
                .env("MFA_CONFIG", config.to_str().unwrap()),
            format!(
                "mfa: set `account_id` of profile `default` in {}",
                shown(&config)
            ),
        ),
        (
            Mfa::voice_request()
                .args(&["--account-id", ACCOUNT, "--username", USERNAME])
                .env("BW_PASSWORD", PASSWORD)
                .env("MFA_LOG", odd.join("none").join("log").to_str().unwrap()),
            format!("the audit log {}", shown(&odd.join("none").join("log"))),
        ),
    ];
    for (mfa, said) in runs {
        let outcome = mfa.run();
        assert!(
            !outcome.stderr.contains('\u{1b}') && !outcome.stderr.contains('\u{202e}'),
            "{}",
            outcome.stderr
        );
        assert!(outcome.stderr.contains(&said), "{said}: {}", outcome.stderr);
    }
}

#[test]
fn a_relative_path_set_is_kept_absolute_and_said_and_tilde_is_the_home_folder() {
    let mfa = Mfa::new().args(&["config", "set", "log_file", "audit.jsonl"]);
    let cwd = tempfile::tempdir().unwrap();
    let outcome = Outcome::of(mfa.command().current_dir(cwd.path()).output().unwrap());
    let absolute = cwd.path().join("audit.jsonl");
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .ends_with(&format!("mfa: `log_file` holds {}\n", absolute.display())),
        "{}",
        outcome.stderr
    );
    let text = std::fs::read_to_string(mfa.default_config_path()).unwrap();
    assert!(
        text.contains(&format!("log_file = \"{}\"", absolute.display())),
        "{text}"
    );
    // `~/` (quoted, so no shell took it) is the home folder, not a folder named `~`.
    let tilde = Mfa::new().args(&["config", "set", "log_file", "~/audit.jsonl"]);
    let outcome = Outcome::of(tilde.command().current_dir(cwd.path()).output().unwrap());
    let in_home = tilde.home().join("audit.jsonl");
    assert!(
        outcome
            .stderr
            .ends_with(&format!("mfa: `log_file` holds {}\n", in_home.display())),
        "{}",
        outcome.stderr
    );
    // An absolute path set is said once, as set.
    let plain = Mfa::new()
        .args(&["config", "set", "log_file"])
        .args(&[absolute.to_str().unwrap()])
        .run();
    assert_eq!(plain.stderr.lines().count(), 1, "{}", plain.stderr);
}

#[test]
fn a_path_in_the_config_file_from_tilde_is_in_the_home_folder() {
    let mfa = Mfa::new()
        .args(&["config", "get", "log_file"])
        .config("[profiles.default]\nlog_file = \"~/logs/audit.jsonl\"\n");
    let outcome = mfa.run();
    let in_home = mfa.home().join("logs").join("audit.jsonl");
    assert_eq!(
        (outcome.code, outcome.stdout.as_str()),
        (0, format!("{}\n", in_home.display()).as_str()),
        "{}",
        outcome.stderr
    );
}
