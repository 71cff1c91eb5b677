//! The shell around the tool: completion scripts, the man page, `--version`, unknown
//! commands, and no colour ever.

use std::io::Read;
use std::process::Stdio;

use crate::support::*;

#[test]
fn completions_are_generated_for_every_shell_and_ask_mfa_at_each_tab() {
    for (shell, marker) in [
        ("bash", "complete -o nospace -o bashdefault"),
        ("zsh", "#compdef mfa"),
        ("fish", "complete --keep-order --exclusive --command mfa"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "set edit:completion:arg-completer[mfa]"),
    ] {
        let outcome = Mfa::new().args(&["completions", shell]).run();
        assert_eq!((outcome.code, outcome.stderr.as_str()), (0, ""), "{shell}");
        let script = &outcome.stdout;
        assert!(script.contains(marker), "{shell}: {script}");
        // The shell's name goes with the variable, quoted or not.
        assert!(
            script.contains(&format!("MFA_COMPLETE = \"{shell}\""))
                || script.contains(&format!("MFA_COMPLETE=\"{shell}\""))
                || script.contains(&format!("MFA_COMPLETE={shell} ")),
            "{shell}: {script}"
        );
    }
    // Autoloaded from $fpath, the zsh script completes the TAB that loaded it too.
    let zsh = Mfa::new().args(&["completions", "zsh"]).run().stdout;
    assert!(
        zsh.ends_with(
            "if [ \"$funcstack[1]\" = \"_mfa\" ]; then _clap_dynamic_completer_mfa \"$@\"; fi\n"
        ),
        "{zsh}"
    );
}

/// A config file with two profiles, `work` the default.
const TWO_PROFILES: &str =
    "default_profile = \"work\"\n\n[profiles.work]\naccount_id = \"1\"\n\n[profiles.home]\n";

/// What bash offers for the command line `words` (the last one being completed) with
/// the script of `mfa completions bash` loaded, `mfa` on the PATH, in `mfa`'s
/// surroundings (its HOME and variables).
fn bash_offers(mfa: &Mfa, words: &[&str]) -> Vec<String> {
    let script = Mfa::new().args(&["completions", "bash"]).run().stdout;
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("mfa.bash");
    std::fs::write(&path, script).unwrap();
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let current = words.last().unwrap();
    let previous = words[words.len() - 2];
    let line = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; _clap_complete_mfa mfa '{current}' \
         '{previous}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display(),
        quoted.join(" "),
        words.len() - 1,
    );
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_mfa"));
    let inner = mfa.command();
    let output = std::process::Command::new("bash")
        .args(["--norc", "-c", &line])
        .env_clear()
        .envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", binary.parent().unwrap().display()),
        )
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_a_profile_to_the_names_in_the_config_file() {
    let mfa = Mfa::new().config(TWO_PROFILES);
    assert_eq!(bash_offers(&mfa, &["mfa", "-p", ""]), ["home", "work"]);
    assert_eq!(
        bash_offers(&mfa, &["mfa", "voice", "--profile", "w"]),
        ["work"]
    );
    assert_eq!(
        bash_offers(&mfa, &["mfa", "config", "show", "-p", "h"]),
        ["home"]
    );
    // The file MFA_CONFIG names, when it names one.
    let (_folder, other) = crate::servers::file_with("[profiles.staging]\n", "other.toml");
    let mfa = mfa.env("MFA_CONFIG", other.to_str().unwrap());
    assert_eq!(bash_offers(&mfa, &["mfa", "-p", ""]), ["staging"]);
    // No file, or one mfa refuses: nothing to offer, and no error on the screen.
    assert!(bash_offers(&Mfa::new(), &["mfa", "-p", ""]).is_empty());
    let broken = Mfa::new().config("this is [not toml");
    assert!(bash_offers(&broken, &["mfa", "-p", ""]).is_empty());
}

#[test]
fn bash_completes_keys_output_formats_and_only_the_options_that_apply() {
    let mfa = Mfa::new();
    for command in ["get", "set", "unset"] {
        let keys = bash_offers(&mfa, &["mfa", "config", command, ""]);
        for key in [
            "account_id",
            "password",
            "voice_application_id",
            "expiration_minutes",
        ] {
            assert!(keys.contains(&key.to_string()), "{command}: {keys:?}");
        }
    }
    assert_eq!(
        bash_offers(&mfa, &["mfa", "config", "unset", "ti"]),
        ["timeout"]
    );
    assert_eq!(
        bash_offers(&mfa, &["mfa", "--output", ""]),
        ["text", "json"]
    );
    assert_eq!(bash_offers(&mfa, &["mfa", "voice", "-o", "j"]), ["json"]);
    let show = bash_offers(&mfa, &["mfa", "config", "show", "--"]);
    assert!(show.contains(&"--account-id".to_string()), "{show:?}");
    assert!(!show.contains(&"--dry-run".to_string()), "{show:?}");
    let voice = bash_offers(&mfa, &["mfa", "voice", "--"]);
    for flag in ["--to", "--dry-run", "--retries", "--profile"] {
        assert!(voice.contains(&flag.to_string()), "{voice:?}");
    }
}

#[test]
fn zsh_and_fish_get_the_same_answers_from_mfa() {
    for (shell, index) in [("zsh", Some("2")), ("fish", None)] {
        let mut asking = Mfa::new().config(TWO_PROFILES).env("MFA_COMPLETE", shell);
        if let Some(index) = index {
            asking = asking.env("_CLAP_COMPLETE_INDEX", index);
        }
        let outcome = asking.args(&["--", "mfa", "-p", ""]).run();
        assert_eq!((outcome.code, outcome.stderr.as_str()), (0, ""), "{shell}");
        let offered: Vec<&str> = outcome.stdout.lines().collect();
        assert_eq!(offered, ["home", "work"], "{shell}");
    }
}

#[test]
fn completing_a_whole_send_sends_nothing_and_needs_no_setting() {
    let mut server = mockito::Server::new();
    let nothing = nothing_sent(&mut server);
    let url = format!("{}/api/v1", server.url());
    let words = [
        "mfa",
        "voice",
        "--to",
        TO,
        "--from",
        FROM,
        "--application-id",
        APP,
        "--account-id",
        ACCOUNT,
        "--username",
        USERNAME,
        "--base-url",
        &url,
        "--",
    ];
    let offered = bash_offers(&Mfa::new().env("BW_PASSWORD", PASSWORD), &words);
    assert!(offered.contains(&"--dry-run".to_string()), "{offered:?}");
    nothing.assert();
}

#[test]
fn a_fifo_for_a_config_file_gives_no_names_and_no_hang() {
    let folder = tempfile::tempdir().unwrap();
    let fifo = folder.path().join("config.toml");
    make_fifo(&fifo);
    let mfa = Mfa::new().env("MFA_CONFIG", fifo.to_str().unwrap());
    let started = std::time::Instant::now();
    assert!(bash_offers(&mfa, &["mfa", "-p", ""]).is_empty());
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn another_tools_complete_variable_is_no_completion_request() {
    Mfa::new()
        .env("COMPLETE", "bash")
        .args(&["--version"])
        .run()
        .assert(0, &format!("mfa {}\n", env!("CARGO_PKG_VERSION")), "");
}

#[test]
fn a_complete_variable_left_in_the_environment_never_stops_a_send() {
    for shell in ["bash", "zsh", "fish"] {
        let mut server = mockito::Server::new();
        let call = voice_mock(&mut server, &default_voice_body())
            .with_body(r#"{"callId":"c-1"}"#)
            .expect(1)
            .create();
        Mfa::voice(&format!("{}/api/v1", server.url()))
            .env("MFA_COMPLETE", shell)
            .run()
            .assert(0, "c-1\n", "");
        call.assert();
    }
}

#[test]
fn the_bash_script_is_valid_bash() {
    let outcome = Mfa::new().args(&["completions", "bash"]).run();
    let folder = tempfile::tempdir().unwrap();
    let script = folder.path().join("mfa.bash");
    std::fs::write(&script, &outcome.stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn completions_read_no_config_and_need_no_settings() {
    // A config file named but missing, and a broken default one: both would stop any
    // other command.
    let outcome = Mfa::new()
        .config("this is [not toml")
        .env("MFA_CONFIG", "/nonexistent/config.toml")
        .env("MFA_PROFILE", "nowhere")
        .args(&["completions", "fish"])
        .run();
    assert_eq!((outcome.code, outcome.stderr.as_str()), (0, ""));
    assert!(
        outcome
            .stdout
            .contains("complete --keep-order --exclusive --command mfa")
    );
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    Mfa::new()
        .args(&["completions", "tcsh"])
        .run()
        .assert_error(
            2,
            "invalid value 'tcsh' for '<SHELL>' [possible values: bash, elvish, fish, powershell, \
         zsh]",
        );
}

#[test]
fn the_man_page_has_every_command_and_the_exit_table_of_the_help() {
    let man = Mfa::new().args(&["man"]).run();
    assert_eq!((man.code, man.stderr.as_str()), (0, ""));
    let page = &man.stdout;
    assert!(page.contains(".TH MFA 1 "), "{page}");
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH COMMANDS",
        ".SH \"EXIT STATUS\"",
        ".SH ENVIRONMENT",
        ".SH FILES",
    ] {
        assert!(page.contains(section), "{section}");
    }
    for command in [
        "mfa voice",
        "mfa sms",
        "mfa verify",
        "mfa config set",
        "mfa completions",
    ] {
        assert!(page.contains(&format!(".SS \"{command}\"")), "{command}");
    }
    for variable in [
        "BW_PASSWORD",
        "MFA_RETRIES",
        "MFA_CA_FILE",
        "no_proxy, NO_PROXY",
    ] {
        assert!(page.contains(&format!("\\fB{variable}\\fR")), "{variable}");
    }
    // Every row of the help's exit table is in the page, in roff's spelling.
    let help = Mfa::new().args(&["--help"]).run();
    let mut table: Vec<String> = Vec::new();
    let rows = help
        .stdout
        .split("Exit status:\n")
        .nth(1)
        .expect("the exit table");
    for line in rows.lines() {
        match line.strip_prefix("         ") {
            // A meaning's next line, wrapped under it.
            Some(more) => table.last_mut().unwrap().push_str(&format!(" {more}")),
            None => table.push(line.trim_start().to_owned()),
        }
    }
    let codes: Vec<String> = (0..=11)
        .chain([129, 130, 131, 143])
        .map(|n| n.to_string())
        .chain(["128+N".to_owned()])
        .collect();
    assert_eq!(table.len(), codes.len(), "{table:?}");
    for (n, row) in codes.into_iter().zip(&table) {
        let meaning = row
            .strip_prefix(&format!("{n}  "))
            .unwrap_or_else(|| panic!("row {n}: {row}"));
        let in_roff = meaning.replace('-', "\\-").replace('\'', "\\*(Aq");
        assert!(
            page.contains(&format!(
                ".TP\n\\fB{}\\fR\n{in_roff}\n",
                n.replace('-', "\\-")
            )),
            "exit {n} in the man page: {in_roff}"
        );
    }
}

#[test]
fn version_prints_the_name_and_version() {
    let expected = format!("mfa {}\n", env!("CARGO_PKG_VERSION"));
    for flag in ["--version", "-V"] {
        Mfa::new().args(&[flag]).run().assert(0, &expected, "");
    }
}

#[test]
fn verbose_version_adds_what_a_bug_report_needs() {
    for flags in [&["-vV"][..], &["--verbose", "--version"], &["-V", "-v"]] {
        let outcome = Mfa::new().args(flags).run();
        assert_eq!(
            (outcome.code, outcome.stderr.as_str()),
            (0, ""),
            "{flags:?}"
        );
        let lines: Vec<&str> = outcome.stdout.lines().collect();
        assert_eq!(lines[0], format!("mfa {}", env!("CARGO_PKG_VERSION")));
        let keys: Vec<&str> = lines[1..]
            .iter()
            .map(|line| line.split_once(": ").unwrap().0)
            .collect();
        assert_eq!(
            keys,
            [
                "binary",
                "commit-hash",
                "commit-date",
                "target",
                "release",
                "rustc",
                "features"
            ]
        );
        let commit = lines[2].strip_prefix("commit-hash: ").unwrap();
        assert!(
            commit == "unknown"
                || (commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit())),
            "{commit}"
        );
        assert!(lines[6].starts_with("rustc: rustc 1."), "{}", lines[6]);
        assert!(lines[7].contains("cli"), "{}", lines[7]);
    }
}

#[test]
fn an_unknown_command_exits_2() {
    Mfa::new().args(&["frobnicate"]).run().assert(
        2,
        "",
        "mfa: error: unrecognized subcommand 'frobnicate'; try `mfa --help`; nothing was sent\n",
    );
    Mfa::new()
        .args(&["vocie", "--to", TO])
        .run()
        .assert_error(2, "unrecognized subcommand 'vocie'");
}

#[test]
fn a_closed_stdout_is_no_crash_for_completions_or_the_man_page() {
    for args in [&["completions", "bash"][..], &["man"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader); // like `| head -c0` before anything is written
        let mut child = Mfa::new()
            .command()
            .args(args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!((status.code(), stderr.as_str()), (Some(0), ""), "{args:?}");
    }
}

/// Runs `mfa` with `args` in a pseudo-terminal (util-linux `script`), so that stdout
/// and stderr are terminals, and returns all it wrote.
fn in_a_terminal(mfa: &Mfa, args: &str) -> String {
    let binary = env!("CARGO_BIN_EXE_mfa");
    let script = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &format!("{binary} {args}"), "/dev/null"])
        .env_clear()
        .env("HOME", mfa.home())
        .env("TERM", "xterm-256color")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    String::from_utf8_lossy(&script.stdout).into_owned()
}

#[test]
fn there_is_no_colour_even_in_a_terminal() {
    // No NO_COLOR, a colour terminal, and CLICOLOR_FORCE: still no escape sequence,
    // so NO_COLOR and a stderr that is no terminal are honoured too.
    let mfa = Mfa::new();
    for args in ["--help", "voice --bogus", "voice --to +1", "voice --help"] {
        let shown = in_a_terminal(&mfa, args);
        assert!(shown.contains("mfa"), "{args}: {shown}");
        assert!(
            !shown.contains('\u{1b}'),
            "{args}: an escape sequence in {shown:?}"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn output_lost_to_a_full_disk_is_a_failure_for_a_command_that_sent_nothing() {
    for (args, what) in [
        (&["--help"][..], "the help"),
        (&["--version"], "the version"),
        (&["man"], "the man page"),
        (&["completions", "bash"], "the completion script"),
        (&["config", "path"], "the path"),
        (&["config", "show"], "the settings"),
        (
            &[
                "voice",
                "-n",
                "--to",
                TO,
                "--from",
                FROM,
                "--application-id",
                APP,
                "--account-id",
                ACCOUNT,
                "--username",
                USERNAME,
            ],
            "the request",
        ),
    ] {
        let mfa = Mfa::new().args(args).env("BW_PASSWORD", PASSWORD);
        let output = mfa
            .command()
            .stdin(std::process::Stdio::null())
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(3), "{args:?}: {stderr}");
        // A dry run says the guard's decision first.
        let error = stderr.strip_prefix(GUARD_WOULD_SEND).unwrap_or(&stderr);
        assert!(
            error.starts_with(&format!("mfa: error: could not write {what} to stdout: ")),
            "{args:?}: {stderr}"
        );
    }
    // A reader that closes stdout chose to stop reading: no failure.
    let mut child = Mfa::new()
        .args(&["man"])
        .command()
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8(output.stderr).unwrap(), "");
}
