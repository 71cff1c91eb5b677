//! The `mfa` command: parses the command line, resolves settings, runs the command
//! and turns the outcome into output and an exit status.
//!
//! `run` takes everything from outside as parameters (arguments, an environment
//! lookup, the user's config directory, stdin, stdout and stderr), so it can be driven
//! whole from a test; `main` only wires in the real ones.

mod args;
mod config_file;
mod failure;
mod input;
mod output;
mod settings;

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use mfa::{Answer, AuthScheme, Call, Client, ErrorClass, Request, Verdict};

use args::{Cli, CodeSource, Command, OutputFormat};
use failure::{Exit, Failure};
use input::Input;
use settings::{Channel, Connection, Env, Sources};

/// Runs `mfa` in this process's real surroundings.
pub fn main() -> ExitCode {
    let env = |name: &str| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
    let config_dir = dirs::config_dir();
    let exit = run(
        std::env::args_os(),
        &env,
        config_dir.as_deref(),
        &mut Input {
            reader: &mut io::stdin().lock(),
            terminal: input::stdin_is_terminal(),
        },
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    );
    exit.into()
}

/// Runs `mfa` with the given arguments and surroundings; returns the exit status.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    env: Env,
    config_dir: Option<&Path>,
    input: &mut Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Exit {
    let args: Vec<OsString> = args.into_iter().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(clap_error) => return usage_error(&clap_error, &args, out, err),
    };
    match call_api(&cli, env, config_dir, input, out, err) {
        Ok(exit) => exit,
        Err(failure) => {
            let _ = output::write_failure(err, cli.global.format(), &failure);
            failure.exit()
        }
    }
}

/// Every command: resolves the settings, builds the one request the command makes,
/// then shows it (`--dry-run`) or sends it once and prints the answer.
fn call_api(
    cli: &Cli,
    env: Env,
    config_dir: Option<&Path>,
    input: &mut Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Failure> {
    let global = &cli.global;
    let sources = Sources::load(global, env, config_dir)?;
    let connection = sources.connection(global)?;
    let request = match &cli.command {
        Command::Voice(args) => {
            let body = sources.code_request(args, Channel::Voice)?;
            request(&connection, Call::VoiceCode, &body)
        }
        Command::Sms(args) => {
            let body = sources.code_request(args, Channel::Messaging)?;
            request(&connection, Call::MessagingCode, &body)
        }
        Command::Verify(args) => {
            let code = match &args.code {
                CodeSource::Given(code) => code.clone(),
                CodeSource::Stdin => input.read_code(err)?,
            };
            let body = sources.verify_request(args, code)?;
            request(&connection, Call::VerifyCode, &body)
        }
    };
    if global.dry_run {
        deliver(
            output::write_request(out, global.format(), &request),
            err,
            "the request",
        );
        return Ok(Exit::Success);
    }
    let login = sources.login(global)?;
    let client = Client::new(
        connection.base_url.value,
        connection.account_id.value,
        login.credentials(),
    )
    .with_timeout(connection.timeout.value.duration());
    if global.verbose {
        let _ = output::log_request(err, &request);
    }
    let response = client.send(&request)?;
    if global.verbose {
        let _ = output::log_response(err, &response);
    }
    let answer = Answer::read(request.call(), &response).map_err(|error| {
        let advice = (error.class() == ErrorClass::CredentialsRefused).then(|| login.advice());
        Failure::Api { error, advice }
    })?;
    deliver(
        output::write_answer(out, global.format(), &answer),
        err,
        &output::describe(&answer),
    );
    Ok(match answer {
        Answer::Verdict(Verdict::Invalid) => Exit::CodeInvalid,
        _ => Exit::Success,
    })
}

/// The request for `call`, to show or to send. It is built before any credential is
/// looked at, so `--dry-run` needs none; its scheme is the only one `mfa` has so far.
fn request(connection: &Connection, call: Call, body: &impl mfa::Body) -> Request {
    Request::new(
        call,
        &connection.base_url.value,
        &connection.account_id.value,
        AuthScheme::Basic,
        body,
    )
}

/// Finishes writing a result. A reader that closed stdout (`| head -c0`) chose to stop
/// reading: that is no failure. Any other write error is reported with what was lost,
/// since the call has already been made and must not be made again to see it; the
/// exit status stays the call's own.
fn deliver(written: io::Result<()>, err: &mut dyn Write, what: &str) {
    if let Err(e) = written
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(err, "mfa: warning: could not write {what} to stdout: {e}");
    }
}

/// Reports a command line clap refused (exit 2), or prints the help or version it
/// was asked for (exit 0). Errors keep the contract's one-line form.
fn usage_error(
    clap_error: &clap::Error,
    args: &[OsString],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Exit {
    if matches!(
        clap_error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = write!(out, "{}", clap_error.render());
        return Exit::Success;
    }
    let rendered = match value_error(clap_error) {
        Some(message) => message,
        None => clap_error.render().to_string(),
    };
    // clap's message, up to the first blank line, as one line.
    let message: Vec<&str> = rendered
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect();
    let message = message.join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    let message = if clap_error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        "no command given; try `mfa --help`".to_owned()
    } else {
        format!("{message}; try `mfa --help`")
    };
    let _ = output::write_failure(err, asked_format(args), &Failure::Usage(message));
    Exit::Usage
}

/// clap's message for a value our types refused, with the value's control characters
/// escaped: a pasted `+15553334444\n` must show as such, not as a broken line. A code
/// to verify is never shown, even a mistyped one.
fn value_error(clap_error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    if clap_error.kind() != ErrorKind::ValueValidation {
        return None;
    }
    let (Some(ContextValue::String(arg)), Some(ContextValue::String(value))) = (
        clap_error.get(ContextKind::InvalidArg),
        clap_error.get(ContextKind::InvalidValue),
    ) else {
        return None;
    };
    let rule = std::error::Error::source(clap_error)?;
    if arg.starts_with("--code ") {
        return Some(format!("invalid value for '{arg}': {rule}"));
    }
    let value: String = value
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    Some(format!("invalid value '{value}' for '{arg}': {rule}"))
}

/// The output format the raw arguments ask for, for errors found before they parse.
fn asked_format(args: &[OsString]) -> OutputFormat {
    let args: Vec<&str> = args
        .iter()
        .skip(1)
        .map(|a| a.to_str().unwrap_or(""))
        .take_while(|a| *a != "--")
        .collect();
    let json = args.iter().enumerate().any(|(i, arg)| {
        matches!(*arg, "--json" | "--output=json" | "-ojson" | "-o=json")
            || (matches!(*arg, "--output" | "-o") && args.get(i + 1) == Some(&"json"))
    });
    if json {
        OutputFormat::Json
    } else {
        OutputFormat::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn json_is_noticed_before_parsing() {
        for args in [
            &["mfa", "voice", "--json", "--bogus"][..],
            &["mfa", "-o", "json", "voice"],
            &["mfa", "--output=json"],
        ] {
            assert_eq!(asked_format(&os(args)), OutputFormat::Json, "{args:?}");
        }
        assert_eq!(
            asked_format(&os(&["mfa", "voice", "--", "--json"])),
            OutputFormat::Text
        );
        assert_eq!(
            asked_format(&os(&["mfa", "voice", "--to", "json"])),
            OutputFormat::Text
        );
    }

    #[test]
    fn a_closed_stdout_is_not_a_failure() {
        let mut err = Vec::new();
        let closed = Err(io::Error::from(io::ErrorKind::BrokenPipe));
        deliver(closed, &mut err, "the call id c-1");
        assert!(err.is_empty());
    }

    #[test]
    fn another_write_error_says_what_was_lost() {
        let mut err = Vec::new();
        let full = Err(io::Error::other("disk full"));
        deliver(full, &mut err, "the call id c-1");
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "mfa: warning: could not write the call id c-1 to stdout: disk full\n"
        );
    }

    #[test]
    fn usage_errors_are_one_line_and_exit_2() {
        let env = |_: &str| None;
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let exit = run(
            os(&["mfa", "voice", "--to", "+1"]),
            &env,
            None,
            &mut Input {
                reader: &mut &b""[..],
                terminal: false,
            },
            &mut out,
            &mut err,
        );
        assert_eq!(exit, Exit::Usage);
        let err = String::from_utf8(err).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("mfa: error: invalid value '+1' for '--to <NUMBER>': must be an E.164"),
            "{err}"
        );
        assert!(out.is_empty());
    }
}
