//! The command line, as clap sees it: commands, flags and their help.
//!
//! Flags are parsed straight into the library's checked types, so a bad `--to` is a
//! usage error (exit 2) that names the flag and the rule before anything else happens.
//! Environment variables and profile keys are resolved later, in `settings`, where
//! their origin is kept for messages; the help only names them.

use std::ffi::OsString;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use mfa::{
    AccountId, ApplicationId, BaseUrl, ClientId, Code, Digits, ExpirationMinutes, InvalidValue,
    MessageTemplate, PhoneNumber, Retries, Scope, Username,
};

use crate::cli::failure::exit_status_help;
use crate::cli::settings::table::{self, Seconds, Setting};

/// Send one-time codes by voice call or text message with Bandwidth's multi-factor
/// authentication API, and check the codes users type back.
///
/// Settings come from flags, then environment variables, then the profile in the
/// config file, then built-in defaults. The password is never a flag: set BW_PASSWORD,
/// or put `password` or `password_command` in the profile (`mfa config set password -`).
/// OAuth2 client credentials (BW_CLIENT_ID and BW_CLIENT_SECRET, or `client_id` and
/// `client_secret`) are used instead when both are given.
#[derive(Debug, Parser)]
// A flag given twice takes its last value, as in most tools, so a shell alias that
// sets a default can be overridden on the command line.
#[command(name = "mfa", version, max_term_width = 100, args_override_self = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the arguments (the program's name first). The exit-status table that help
    /// shows is built only when an argument may ask for help: a send does not need it.
    pub fn parse_args(args: &[OsString]) -> Result<Self, clap::Error> {
        let command = if may_ask_for_help(args) {
            Self::command_for_help()
        } else {
            Self::command()
        };
        let mut matches = command.try_get_matches_from(args)?;
        let cli = Self::from_arg_matches_mut(&mut matches)
            .map_err(|err| err.format(&mut Self::command()))?;
        cli.refuse_a_second_number()?;
        Ok(cli)
    }

    /// `--to` names one person: given twice, which one was meant would be a guess (every
    /// other flag given twice takes its last value).
    fn refuse_a_second_number(&self) -> Result<(), clap::Error> {
        let numbers = match &self.command {
            Command::Api(ApiCommand::Voice(args) | ApiCommand::Sms(args)) => args.numbers.len(),
            Command::Api(ApiCommand::Verify(args)) => args.numbers.len(),
            _ => 1,
        };
        if numbers > 1 {
            return Err(Self::command().error(
                clap::error::ErrorKind::ArgumentConflict,
                "the argument '--to <NUMBER>' cannot be used multiple times: it names one \
                 person; run mfa once for each number",
            ));
        }
        Ok(())
    }

    /// The command line as the man page and completions describe it: each setting's
    /// flag with its help from the settings table. Parsing alone does not need it.
    pub fn documented() -> clap::Command {
        table::describe_flags(Self::command())
    }

    /// The command line as help shows it: documented, with the exit-status table after
    /// the help of `mfa` and of each command that calls the API.
    pub fn command_for_help() -> clap::Command {
        let table = exit_status_help();
        let mut command = Self::documented().after_help(table.clone());
        for name in ["voice", "sms", "verify"] {
            command = command.mut_subcommand(name, |sub| sub.after_help(table.clone()));
        }
        command
    }
}

/// A few lines on what the command named by `path` (`mfa`, `mfa config`) takes, for a
/// command line that named none of its commands: each command in a line, and one
/// example.
pub fn short_help(path: &str) -> String {
    let mut command = Cli::command();
    for name in path.split(' ').skip(1) {
        if let Some(sub) = command.find_subcommand(name) {
            command = sub.clone();
        }
    }
    let mut help = format!("Usage: {path} <COMMAND> [OPTIONS]\n\nCommands:\n");
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        help.push_str(&format!("  {:<12} {about}\n", sub.get_name()));
    }
    let example = match path {
        "mfa config" => "mfa config set account_id 9900000",
        _ => "mfa voice --to +15553334444",
    };
    help.push_str(&format!(
        "\nExample: {example}\n\nRun `{path} --help` for every option, `{path} <COMMAND> --help` \
         for a command's.\n"
    ));
    help
}

/// Whether an argument may ask for help: `--help`, `help`, or short flags that hold an
/// `h` (`-h`, `-vh`). More than clap takes as a request for help (a profile named `help`,
/// say), never less, so help always has its exit-status table.
fn may_ask_for_help(args: &[OsString]) -> bool {
    args.iter().skip(1).any(|arg| {
        let arg = arg.as_encoded_bytes();
        arg == b"--help"
            || arg == b"help"
            || (arg.starts_with(b"-") && !arg.starts_with(b"--") && arg.contains(&b'h'))
    })
}

/// Options every command takes, before or after the command's name.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Profile to use from the config file [env: MFA_PROFILE] [default: the file's
    /// `default_profile`, else `default`]
    #[arg(short = 'p', long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Config file [env: MFA_CONFIG] [default: <user config dir>/mfa/config.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    // The settings' flags: their help comes from the settings table.
    #[arg(long, global = true, value_name = "ID")]
    pub account_id: Option<AccountId>,

    #[arg(long, global = true, value_name = "NAME")]
    pub username: Option<Username>,

    #[arg(long, global = true, value_name = "ID")]
    pub client_id: Option<ClientId>,

    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<BaseUrl>,

    #[arg(long, global = true, value_name = "SECONDS")]
    pub timeout: Option<Seconds>,

    #[arg(long, global = true, value_name = "N")]
    pub retries: Option<Retries>,

    #[arg(long, global = true, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,

    /// Output format
    #[arg(short = 'o', long, global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,

    /// Same as --output json
    #[arg(long, global = true, conflicts_with = "output")]
    pub json: bool,

    /// Print the exact request (credentials as <redacted>) and send nothing; needs no
    /// password
    #[arg(short = 'n', long, global = true)]
    pub dry_run: bool,

    /// Log the request and the answer to stderr, secrets redacted
    #[arg(short = 'v', long, global = true)]
    pub verbose: bool,
}

impl GlobalArgs {
    /// The value `setting`'s flag gave, as text, if it is a flag every command takes
    /// and it was given.
    pub fn given(&self, setting: &Setting) -> Option<String> {
        fn text(value: Option<&impl std::fmt::Display>) -> Option<String> {
            value.map(ToString::to_string)
        }
        match setting.flag? {
            "--account-id" => text(self.account_id.as_ref()),
            "--username" => text(self.username.as_ref()),
            "--client-id" => text(self.client_id.as_ref()),
            "--base-url" => text(self.base_url.as_ref()),
            "--timeout" => text(self.timeout.as_ref()),
            "--retries" => text(self.retries.as_ref()),
            "--ca-file" => text(self.ca_file.as_ref().map(|path| path.display()).as_ref()),
            _ => None,
        }
    }

    /// The output format asked for.
    pub fn format(&self) -> OutputFormat {
        if self.json {
            OutputFormat::Json
        } else {
            self.output.unwrap_or(OutputFormat::Text)
        }
    }
}

/// How results and errors are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// The id alone on a line; errors as one `mfa: error: ...` line
    Text,
    /// One JSON object on one line; errors as one JSON object on stderr
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The commands that call the API.
    #[command(flatten)]
    Api(ApiCommand),

    /// See and edit profiles in the config file
    #[command(subcommand)]
    Config(ConfigCommand),

    /// Print a completion script for SHELL; see the README for where it goes
    Completions {
        /// The shell to complete for
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff), e.g. `mfa man > ~/.local/share/man/man1/mfa.1`
    Man,
}

/// The commands that call the API: each makes one call.
#[derive(Debug, Subcommand)]
pub enum ApiCommand {
    /// Send a code by voice call; prints the call id
    Voice(SendArgs),

    /// Send a code by text message; prints the message id
    Sms(SendArgs),

    /// Check a code a user typed back; prints `valid` (exit 0) or `invalid` (exit 1)
    Verify(VerifyArgs),
}

/// `mfa config ...`: each acts on the config file in use (`--config`, MFA_CONFIG, or
/// the default path) and the selected profile (`--profile`, MFA_PROFILE, the file's
/// `default_profile`, else `default`).
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the path of the config file in use
    Path,
    /// Write a commented template for the selected profile, creating the file with mode
    /// 600; never overwrites a profile
    Init,
    /// Set one key of the selected profile, keeping the rest of the file and its
    /// comments; `password` and `client_secret` are read from stdin (`-`)
    Set {
        /// The key to set
        #[arg(value_name = "KEY", value_parser = clap::builder::PossibleValuesParser::new(table::KEYS))]
        key: String,
        /// The value, checked by the same rule as the flag or variable; for `password`
        /// and `client_secret` only `-`, which reads it from stdin, so it stays out of
        /// shell history
        #[arg(value_name = "VALUE", allow_hyphen_values = true)]
        value: String,
    },
    /// Show every setting in effect for the selected profile and where it comes from;
    /// secrets only as set or not set
    Show,
    /// Print the value in effect of one setting (nothing if it is not set); a secret
    /// only as `set` or `not set`
    Get {
        /// The key to print
        #[arg(value_name = "KEY", value_parser = clap::builder::PossibleValuesParser::new(table::KEYS))]
        key: String,
    },
    /// Remove one key from the selected profile, keeping the rest of the file as it is
    Unset {
        /// The key to remove
        #[arg(value_name = "KEY", value_parser = clap::builder::PossibleValuesParser::new(table::KEYS))]
        key: String,
    },
    /// List the profiles in the config file, the default one marked
    Profiles,
}

/// What a code-sending command (`voice`, `sms`) takes.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The phone that gets the code, in E.164 form (e.g. +15553334444); one number
    #[arg(long = "to", value_name = "NUMBER", required = true, action = ArgAction::Append)]
    numbers: Vec<PhoneNumber>,

    // The settings' flags: their help comes from the settings table.
    #[arg(long, value_name = "NUMBER")]
    pub from: Option<PhoneNumber>,

    #[arg(long, value_name = "ID")]
    pub application_id: Option<ApplicationId>,

    #[arg(long)]
    pub scope: Option<Scope>,

    #[arg(long, value_name = "N")]
    pub digits: Option<Digits>,

    #[arg(long, value_name = "TEXT")]
    pub message: Option<MessageTemplate>,
}

impl SendArgs {
    /// The one number `--to` names.
    pub fn to(&self) -> &PhoneNumber {
        &self.numbers[0]
    }
}

/// What `mfa verify` takes.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The phone the code was sent to, in E.164 form (e.g. +15553334444); one number
    #[arg(long = "to", value_name = "NUMBER", required = true, action = ArgAction::Append)]
    numbers: Vec<PhoneNumber>,

    /// The code the user typed, 4 to 8 characters; `-` reads it from stdin, so it stays
    /// out of shell history and the process list
    #[arg(long, value_name = "CODE")]
    pub code: CodeSource,

    // The settings' flags: their help comes from the settings table.
    #[arg(long)]
    pub scope: Option<Scope>,

    #[arg(long, value_name = "MINUTES")]
    pub expiration: Option<ExpirationMinutes>,
}

impl VerifyArgs {
    /// The one number `--to` names.
    pub fn to(&self) -> &PhoneNumber {
        &self.numbers[0]
    }
}

/// Where the code to verify is: on the command line, or on stdin (`--code -`).
#[derive(Debug, Clone)]
pub enum CodeSource {
    Given(Code),
    Stdin,
}

impl FromStr for CodeSource {
    type Err = InvalidValue;

    fn from_str(value: &str) -> Result<Self, InvalidValue> {
        match value {
            "-" => Ok(CodeSource::Stdin),
            code => code.parse().map(CodeSource::Given),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn json_is_a_shorthand_for_output_json() {
        let cli = Cli::try_parse_from(["mfa", "voice", "--to", "+15553334444", "--json"]).unwrap();
        assert_eq!(cli.global.format(), OutputFormat::Json);
        let cli =
            Cli::try_parse_from(["mfa", "-o", "json", "voice", "--to", "+15553334444"]).unwrap();
        assert_eq!(cli.global.format(), OutputFormat::Json);
        let cli = Cli::try_parse_from(["mfa", "voice", "--to", "+15553334444"]).unwrap();
        assert_eq!(cli.global.format(), OutputFormat::Text);
    }

    #[test]
    fn a_flag_given_twice_takes_its_last_value_but_to_is_one_number() {
        let args = |line: &str| line.split(' ').map(OsString::from).collect::<Vec<_>>();
        let cli = Cli::parse_args(&args(
            "mfa --timeout 5 voice --to +15553334444 --timeout 7 --digits 4 --digits 8",
        ))
        .unwrap();
        let Command::Api(ApiCommand::Voice(send)) = &cli.command else {
            panic!("{cli:?}")
        };
        assert_eq!(send.to().as_str(), "+15553334444");
        assert_eq!(send.digits.unwrap().get(), 8);
        assert_eq!(cli.global.timeout.unwrap().duration().as_secs(), 7);
        for line in [
            "mfa voice --to +15550000001 --to +15553334444",
            "mfa sms --to=+15550000001 --to +15553334444",
            "mfa verify --to +15550000001 --code 1234 --to +15550000001",
        ] {
            let err = Cli::parse_args(&args(line)).unwrap_err();
            assert_eq!(
                err.kind(),
                clap::error::ErrorKind::ArgumentConflict,
                "{line}"
            );
            assert!(err.to_string().contains("it names one person"), "{err}");
        }
    }

    #[test]
    fn each_send_command_names_its_own_application_id() {
        for (command, variable) in [
            ("voice", "BW_VOICE_APPLICATION_ID"),
            ("sms", "BW_MESSAGING_APPLICATION_ID"),
        ] {
            let help = Cli::documented()
                .find_subcommand_mut(command)
                .unwrap()
                .render_long_help()
                .to_string();
            assert!(help.contains(variable), "{command}: {help}");
        }
    }

    #[test]
    fn every_settings_flag_exists_and_takes_its_help_from_the_table() {
        let command = Cli::documented();
        let help_of = |command: &clap::Command, long: &str| {
            let arg = command
                .get_arguments()
                .find(|a| a.get_long() == Some(long))?;
            Some(arg.get_help()?.to_string())
        };
        for setting in table::SETTINGS {
            let Some(flag) = setting.flag else { continue };
            let long = flag.trim_start_matches('-');
            for call in setting.calls {
                let name = match call {
                    mfa::Call::MessagingCode => "sms",
                    mfa::Call::VerifyCode => "verify",
                    _ => "voice",
                };
                let sub = command.find_subcommand(name).unwrap();
                let help = help_of(sub, long)
                    .or_else(|| help_of(&command, long))
                    .unwrap_or_else(|| panic!("{name} has no {flag}"));
                assert!(
                    help.starts_with(setting.help)
                        && help.contains(&format!("[profile: {}]", setting.key)),
                    "{name} {flag}: {help}"
                );
            }
        }
    }

    #[test]
    fn code_dash_means_stdin() {
        let cli =
            Cli::try_parse_from(["mfa", "verify", "--to", "+15553334444", "--code", "-"]).unwrap();
        let Command::Api(ApiCommand::Verify(verify)) = &cli.command else {
            panic!("{cli:?}")
        };
        assert!(matches!(verify.code, CodeSource::Stdin));
        assert_eq!(verify.to().as_str(), "+15553334444");
        let cli = Cli::try_parse_from(["mfa", "verify", "--to", "+15553334444", "--code", "1234"])
            .unwrap();
        let Command::Api(ApiCommand::Verify(verify)) = &cli.command else {
            panic!("{cli:?}")
        };
        assert!(matches!(&verify.code, CodeSource::Given(code) if code.expose() == "1234"));
    }

    #[test]
    fn help_shows_the_exit_status_table() {
        let mut command = Cli::command_for_help();
        let help = command.render_help().to_string();
        assert!(help.contains("Exit status:"), "{help}");
        assert!(help.contains("6  rate limited (429)"), "{help}");
        for name in ["voice", "sms", "verify"] {
            let sub = command.find_subcommand_mut(name).unwrap();
            let help = sub.render_help().to_string();
            assert!(
                help.contains("Exit status:\n    0  success"),
                "{name}: {help}"
            );
        }
    }

    #[test]
    fn help_is_recognised_in_every_spelling_and_a_send_is_not_help() {
        let args = |line: &str| line.split(' ').map(OsString::from).collect::<Vec<_>>();
        for line in [
            "mfa -h",
            "mfa --help",
            "mfa help voice",
            "mfa voice -vh",
            "mfa sms --to x -h",
        ] {
            assert!(may_ask_for_help(&args(line)), "{line}");
        }
        for line in [
            "mfa voice --to +15553334444 --verbose --timeout 5",
            "mfa -p home verify --to +15553334444 --code -",
            "mfa help-desk",
        ] {
            assert!(!may_ask_for_help(&args(line)), "{line}");
        }
    }

    #[test]
    fn the_exit_status_table_is_not_built_for_parsing() {
        assert!(Cli::command().get_after_help().is_none());
        for sub in Cli::command().get_subcommands() {
            assert!(sub.get_after_help().is_none(), "{}", sub.get_name());
        }
    }
}
