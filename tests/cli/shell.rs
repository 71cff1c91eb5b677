//! The shell around the tool: completion scripts, the man page, `--version`, unknown
//! commands, and no colour ever.

use std::io::Read;
use std::process::Stdio;

use crate::support::*;

#[test]
fn completions_are_generated_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _mfa"),
        ("zsh", "#compdef mfa"),
        ("fish", "complete -c mfa"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "set edit:completion:arg-completer[mfa]"),
    ] {
        let outcome = Mfa::new().args(&["completions", shell]).run();
        assert_eq!((outcome.code, outcome.stderr.as_str()), (0, ""), "{shell}");
        for expected in [marker, "voice", "verify", "retries", "ca-file"] {
            assert!(outcome.stdout.contains(expected), "{shell}: {expected}");
        }
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
    assert!(outcome.stdout.contains("complete -c mfa"));
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
        match line.strip_prefix("       ") {
            // A meaning's next line, wrapped under it.
            Some(more) => table.last_mut().unwrap().push_str(&format!(" {more}")),
            None => table.push(line.trim_start().to_owned()),
        }
    }
    let codes: Vec<u8> = (0..=9).chain([130, 143]).collect();
    assert_eq!(table.len(), codes.len(), "{table:?}");
    for (n, row) in codes.into_iter().zip(&table) {
        let meaning = row
            .strip_prefix(&format!("{n}  "))
            .unwrap_or_else(|| panic!("row {n}: {row}"));
        let in_roff = meaning.replace('-', "\\-").replace('\'', "\\*(Aq");
        assert!(
            page.contains(&format!(".TP\n\\fB{n}\\fR\n{in_roff}\n")),
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
fn an_unknown_command_exits_2() {
    Mfa::new().args(&["frobnicate"]).run().assert(
        2,
        "",
        "mfa: error: unrecognized subcommand 'frobnicate'; try `mfa --help`\n",
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
        assert!(
            stderr.starts_with(&format!("mfa: error: could not write {what} to stdout: ")),
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
