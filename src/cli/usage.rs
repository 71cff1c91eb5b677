//! What clap says of the command line: the help or version it was asked for (exit 0),
//! or a usage error (exit 2) as one line, `mfa: error: ...` (one JSON object with
//! `--json`), naming the command whose help to read, with whatever it quotes of the
//! arguments escaped.

use std::ffi::OsString;
use std::io::Write;

use clap::CommandFactory;
use clap::error::ErrorKind;

use crate::cli::args::{self, Cli, OutputFormat};
use crate::cli::failure::{Exit, Failure};
use crate::cli::output::{self, Sends};
use crate::cli::settings;
use crate::cli::version;

/// Reports a command line clap refused (exit 2), or prints the help or version it
/// was asked for (exit 0). Errors keep the contract's one-line form.
pub fn report(
    clap_error: &clap::Error,
    args: &[OsString],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Exit {
    if matches!(
        clap_error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let shown = write!(out, "{}", clap_error.render()).and_then(|()| {
            if clap_error.kind() == ErrorKind::DisplayVersion && version::asked_verbose(args) {
                write!(out, "{}", version::verbose())
            } else {
                Ok(())
            }
        });
        let what = match clap_error.kind() {
            ErrorKind::DisplayVersion => "the version",
            _ => "the help",
        };
        return match output::written(shown, out, what) {
            Ok(()) => Exit::Success,
            Err(failure) => {
                let _ = output::write_failure_of(err, asked_format(args), &failure, sends(args));
                failure.exit()
            }
        };
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
    // Whatever clap quotes of the arguments (a value, an unknown flag or command) is
    // escaped as any other text from outside is.
    let message = mfa::unversioned::printable(&message.join(" ")).into_owned();
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    let path = command_path(args);
    let format = asked_format(args);
    if clap_error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let failure = Failure::Usage(format!("no command given; try `{path} --help`"));
        let _ = output::write_failure_of(err, format, &failure, sends(args));
        if format == OutputFormat::Text {
            let _ = write!(err, "\n{}", args::short_help(&path));
        }
        return Exit::Usage;
    }
    let message = match suggestion(clap_error) {
        Some(like) => format!(
            "{message}; did you mean '{}'? try `{path} --help`",
            mfa::unversioned::printable(&like)
        ),
        None => format!("{message}; try `{path} --help`"),
    };
    let failure = Failure::Usage(message);
    let _ = output::write_failure_of(err, format, &failure, sends(args));
    Exit::Usage
}

/// Whether the command the arguments name may send a code: `config`, `log`, `man` and
/// `completions` never do, so their errors do not say what was not sent.
pub fn sends(args: &[OsString]) -> Sends {
    match command_path(args).split(' ').nth(1) {
        Some("config" | "log" | "man" | "completions") => Sends::Never,
        _ => Sends::Maybe,
    }
}

/// What clap found close to a mistyped command, flag or value, if anything.
fn suggestion(clap_error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .find_map(|kind| match clap_error.get(kind)? {
        ContextValue::String(like) => Some(like.clone()),
        // clap lists them from the least like to the most.
        ContextValue::Strings(likes) => likes.last().cloned(),
        _ => None,
    })
}

/// The command the arguments name, as far as they name one: `mfa`, `mfa voice`, `mfa
/// config set`: whose help a mistake points to.
fn command_path(args: &[OsString]) -> String {
    let mut command = Cli::command();
    let mut path = String::from("mfa");
    for arg in args.iter().skip(1) {
        let Some(arg) = arg.to_str() else { continue };
        if arg == "--" {
            break;
        }
        let Some(sub) = command.find_subcommand(arg).cloned() else {
            continue;
        };
        path.push(' ');
        path.push_str(sub.get_name());
        command = sub;
    }
    path
}

/// clap's message for a value our types refused, with the value's control characters
/// escaped: a pasted `+15553334444\n` must show as such, not as a broken line. A code
/// to verify is never shown, even a mistyped one, nor a password typed into a URL or a
/// username.
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
    // A setting's flag shows the value as the setting does: no password in a URL.
    let flag = arg.split(' ').next().unwrap_or(arg);
    let shown = match settings::table::SETTINGS
        .into_iter()
        .find(|setting| setting.flag == Some(flag))
    {
        Some(setting) => setting.shown(value),
        None => output::escaped(value),
    };
    Some(format!("invalid value '{shown}' for '{arg}': {rule}"))
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
}
