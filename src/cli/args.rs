//! The command line, as clap sees it: commands, flags and their help.
//!
//! Flags are parsed straight into the library's checked types, so a bad `--to` is a
//! usage error (exit 2) that names the flag and the rule before anything else happens.
//! Environment variables and profile keys are resolved later, in `settings`, where
//! their origin is kept for messages; the help only names them.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use mfa::{
    AccountId, ApplicationId, BaseUrl, ClientId, Digits, ExpirationMinutes, MessageTemplate,
    PhoneNumber, Retries, Scope, Username,
};

use crate::cli::examples::examples;
use crate::cli::failure::exit_status_help;
pub use crate::cli::flag_values::{CodeSource, Fallback, Tries};
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
#[command(
    name = "mfa",
    version,
    disable_version_flag = true,
    max_term_width = 100,
    args_override_self = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    /// Print the version; -vV adds the commit, target, compiler and features
    #[arg(short = 'V', long, action = clap::ArgAction::Version)]
    version: (),

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the arguments (the program's name first). The exit-status table that help
    /// shows is built only when an argument may ask for help: a send does not need it.
    pub fn parse_args(args: &[OsString]) -> Result<Self, clap::Error> {
        let command = if may_ask_for_help(args) {
            let words: Vec<&str> = args.iter().filter_map(|arg| arg.to_str()).collect();
            Self::command_for_help(&words)
        } else {
            Self::command()
        };
        let mut matches = command.try_get_matches_from(args)?;
        let flags = Flags::given(&matches);
        let mut cli = Self::from_arg_matches_mut(&mut matches)
            .map_err(|err| err.format(&mut Self::command()))?;
        cli.global.flags = flags;
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
        list_only_what_applies(table::describe_flags(Self::command()), None)
    }

    /// The command line as help shows it: documented; `--help` (not `-h`) adds the
    /// examples and the exit-status table after `mfa` and each command that calls the
    /// API or asks what became of a code, and examples after `mfa config`, `doctor` and
    /// `log`. Only the commands named among `words`
    /// (the command line's) are given their own copies of the options: help shows one
    /// command, and `mfa --help` then builds no copy at all.
    pub fn command_for_help(words: &[&str]) -> clap::Command {
        let table = exit_status_help();
        let more = |path: &str| format!("Examples and exit statuses: `{path} --help`");
        let mut command =
            list_only_what_applies(table::describe_flags(Self::command()), Some(words))
                .after_help(more("mfa"))
                .after_long_help(format!("{}\n{table}", examples(&[])));
        for name in ["voice", "sms", "verify", "status"] {
            let after = format!("{}\n{table}", examples(&[name]));
            let short = more(&format!("mfa {name}"));
            command =
                command.mut_subcommand(name, |sub| sub.after_help(short).after_long_help(after));
        }
        for name in ["config", "doctor", "log"] {
            let short = format!("Examples: `mfa {name} --help`");
            let after = examples(&[name]);
            command =
                command.mut_subcommand(name, |sub| sub.after_help(short).after_long_help(after));
        }
        command
    }
}

/// The options every command takes, by the `id` clap knows them by, and whether the
/// command at `path` (`""` for `mfa`, `"config show"`) does anything with each: help
/// and completions list only those that apply. The settings' flags apply where
/// settings are shown or used; `--dry-run` and `--verbose` only where a request is made.
fn applies(path: &str, id: &str) -> bool {
    let selects = matches!(id, "profile" | "config");
    let format = matches!(id, "output" | "json");
    let request = matches!(id, "dry_run" | "verbose");
    match path {
        "" | "voice" | "sms" | "verify" => true,
        "doctor" => !request,
        "status" => id != "dry_run",
        "log" => selects || format || id == "log_file",
        "config show" | "config get" => !request,
        "config path" | "config profiles" => id == "config" || format,
        _ if path == "config" || path.starts_with("config ") => selects || format,
        _ => false,
    }
}

/// The options every command takes that `-h` leaves to `--help`: the settings whose
/// rows say so (those usually kept in a profile), and the spelled-out output format.
fn only_in_long_help(id: &str) -> bool {
    match table::by_global_id(id) {
        Some(setting) => !setting.in_short_help,
        None => id == "output",
    }
}

/// Hides the options every command takes from each command they do not apply to, and
/// leaves some to `--help`. Clap copies such an option into each command under the
/// one that defines it, unless the command has its own; so a command where it is to
/// be shown otherwise than where it comes from gets its own copy, before clap builds
/// the command line.
fn list_only_what_applies(command: clap::Command, only: Option<&[&str]>) -> clap::Command {
    let mut command = command.mut_args(|arg| {
        let short = arg.is_global_set() && only_in_long_help(arg.get_id().as_str());
        // What is left to --help is shown there, and in the man page, as its long help.
        let arg = match (short, arg.get_long_help(), arg.get_help().cloned()) {
            (true, None, Some(help)) => arg.long_help(help),
            _ => arg,
        };
        arg.hide_short_help(short)
    });
    let global: Vec<clap::Arg> = command
        .get_arguments()
        .filter(|arg| arg.is_global_set())
        .cloned()
        .collect();
    copy_where_shown_otherwise(&mut command, &global, "", only);
    command
}

/// Gives each command under `command` (at `path`) its own copy of each of `global`
/// that it shows otherwise than `command` does: hidden where it does not apply. With
/// `only`, just the commands whose names are among those words.
fn copy_where_shown_otherwise(
    command: &mut clap::Command,
    global: &[clap::Arg],
    path: &str,
    only: Option<&[&str]>,
) {
    let above: Vec<bool> = global
        .iter()
        .map(|arg| applies(path, arg.get_id().as_str()))
        .collect();
    for sub in command.get_subcommands_mut() {
        if only.is_some_and(|words| !words.contains(&sub.get_name())) {
            continue;
        }
        let inner = match path {
            "" => sub.get_name().to_string(),
            _ => format!("{path} {}", sub.get_name()),
        };
        for (arg, shown_above) in global.iter().zip(&above) {
            let shown = applies(&inner, arg.get_id().as_str());
            if shown != *shown_above {
                *sub = std::mem::take(sub).arg(arg.clone().hide(!shown));
            }
        }
        copy_where_shown_otherwise(sub, global, &inner, only);
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
    // The settings' flags, each field named for its row's key: their help comes from
    // the settings table, and `given` finds them by that name.
    #[arg(short = 'p', long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

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

    #[arg(long = "log", global = true, value_name = "FILE")]
    pub log_file: Option<PathBuf>,

    /// Output format
    #[arg(short = 'o', long, global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,

    /// Same as --output json
    #[arg(long, global = true, conflicts_with = "output")]
    pub json: bool,

    /// Print the exact request (credentials as <redacted>) and what the guard would
    /// decide, and send nothing; needs no password
    #[arg(short = 'n', long, global = true)]
    pub dry_run: bool,

    /// Log the request and the answer to stderr, secrets redacted
    #[arg(short = 'v', long, global = true)]
    pub verbose: bool,

    /// Every flag the command line gave, as typed: see [`Flags`].
    #[arg(skip)]
    pub flags: Flags,
}

/// The flags a command line gave (every command's own too), by the id clap knows each
/// by, with the text typed for each: what `GlobalArgs::given` reads a setting's flag
/// from, so no list of flags is kept beside the settings table.
#[derive(Debug, Default, Clone)]
pub struct Flags(Vec<(String, String)>);

impl Flags {
    /// The flags `matches` (the command line's, before its values are taken) gave.
    fn given(matches: &clap::ArgMatches) -> Self {
        let mut deepest = matches;
        while let Some((_, sub)) = deepest.subcommand() {
            deepest = sub;
        }
        let typed = |id: &clap::Id| -> Option<(String, String)> {
            let id = id.as_str();
            if deepest.value_source(id) != Some(clap::parser::ValueSource::CommandLine) {
                return None;
            }
            let last = deepest.try_get_raw(id).ok()??.next_back()?;
            Some((id.to_owned(), last.to_string_lossy().into_owned()))
        };
        Flags(deepest.ids().filter_map(typed).collect())
    }
}

impl GlobalArgs {
    /// The text `setting`'s flag was given, if it was: a flag every command takes is
    /// found by its row's key (its field's name), a command's own (`--from`,
    /// `--application-id`) by its long name. On a command that calls the API, its own
    /// `--application-id` is the id of that call's application, whichever row asks.
    pub fn given(&self, setting: &Setting) -> Option<String> {
        let long = setting.flag?.trim_start_matches('-').replace('-', "_");
        let Flags(flags) = &self.flags;
        flags
            .iter()
            .find(|(id, _)| *id == setting.key || *id == long)
            .map(|(_, text)| text.clone())
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

    /// Check the config file, settings, credentials, route to the API and applications,
    /// sending no code: the credentials through one verify for a fictional number
    Doctor(DoctorArgs),

    /// Say whether each code reached the phone: a call answered, a text delivered;
    /// sends nothing
    #[command(long_about = "Say whether each code reached the phone: for a call id \
(c-...), the Voice API's state of the call (answered, busy, not answered in time, \
rejected, failed); for a message id, the Messaging API's status of the text (delivered, \
or not, with its error code). Sends nothing. The ids come from the arguments, or one a \
line from stdin. A text that is SENT has reached the carrier, and only the carrier's \
delivery receipt (DELIVERED) says the phone got it: until then it is not known yet. \
Exit 0: it reached the phone; 1: it did not; 10: not known yet (--wait asks again until \
it is known or the wait is over); several ids: the worst (a failure, then 1, then 10, \
then 0), and stderr says whose.")]
    Status(StatusArgs),

    /// Show the audit log's entries, newest first: one a call made, how it ended
    Log(LogArgs),

    /// Print a completion script for SHELL; see the README for where it goes
    Completions {
        /// The shell to complete for
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff), e.g. `mkdir -p ~/.local/share/man/man1 && mfa man >
    /// ~/.local/share/man/man1/mfa.1`
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
    /// Set up the selected profile: at a terminal, ask for each setting a send needs
    /// (Enter keeps the value shown), then offer to run `mfa doctor`; elsewhere, or with
    /// --no-input, write a commented template (mode 600), never over a profile
    Init {
        /// Do not ask, even at a terminal: write the template
        #[arg(long)]
        no_input: bool,
    },
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
    /// List the profiles in the config file, the default one and the one in use now
    /// (from -p or MFA_PROFILE) marked
    Profiles,
    /// Make NAME the default profile (`default_profile` at the file's top)
    Use {
        /// The profile, which must be in the file
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Delete profile NAME from the file, keeping the other profiles and their comments;
    /// asks first at a terminal
    Remove {
        /// The profile to delete
        #[arg(value_name = "NAME")]
        name: String,
        /// Do not ask: for scripts, which have no terminal to ask at
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// What `mfa status` takes.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The call ids (c-...) and message ids to report; none: one a line from stdin
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Every id is a call's (by default only a `c-` id is)
    #[arg(long, conflicts_with = "sms")]
    pub voice: bool,
    /// Every id is a text message's
    #[arg(long)]
    pub sms: bool,
    /// Ask again until each outcome is final, at most SECONDS (300 without one), pausing
    /// 2 s, then half as long again each time, up to 30 s
    #[arg(
        long,
        value_name = "SECONDS",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "300"
    )]
    pub wait: Option<Seconds>,
}

/// What `mfa log` takes.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only the calls to this number (E.164)
    #[arg(long, value_name = "NUMBER")]
    pub to: Option<PhoneNumber>,
    /// Only the calls since then: a time ago (`2h`, `30min`, `7days`), a date
    /// (`2026-12-01`) or a date and time (`2026-12-01T09:00:00Z`, `...+01:00`; without
    /// a zone, UTC)
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// At most this many entries, the newest
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

/// What `mfa doctor` takes.
#[derive(Debug, Args)]
#[command(
    long_about = "Check, one line each and sending no code, everything a send needs: the \
config file and profile, the settings of voice, sms and verify, the credentials (a \
password_command is run; its output is never shown), the route to the API (proxy, name \
lookup, connection, and for https:// the TLS handshake: its version, the certificate's \
issuer and days left, a warning under 14), an OAuth2 token when client credentials are \
used, and the credentials themselves.\n\nThat check is the one call of the MFA API that sends \
nothing: a verify of code 000000 for a number picked at random from +12025550100 to \
+12025550199 (555-01xx numbers are kept for fiction) in scope mfa-doctor. It counts as \
one verify attempt for that number, and no call or message is sent. A 429 (rate limited) \
is a warning: the credentials are then neither confirmed nor refused. --to checks \
against a number of your own instead.\n\nThen four reads, sending nothing: whether the \
credentials can read call state and message status (what `mfa status` asks; 401/403 is a \
warning naming the role the API user lacks), and, from the Dashboard API, whether each \
application id set is an application of the right kind (else a failure, exit 3) \
associated with a location (else a warning: texts through it vanish). A read the \
credentials may not make, or that gets no answer, is a warning.\n\nEach \
line is ok, warn or fail; the exit status is 0 when nothing failed (warnings allowed), \
else that of the first failure (3 config, 4 credentials, 8 network, ...). Never retries."
)]
pub struct DoctorArgs {
    /// Check the credentials against this number instead of the fictional one (E.164)
    #[arg(long, value_name = "NUMBER")]
    pub to: Option<PhoneNumber>,
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

    /// Then ask for the code the user reads back, and check it
    #[arg(
        long,
        long_help = "Then ask for the code the user reads back and check it, for the same \
                     number and scope (at a terminal without echo; else one line of stdin a \
                     try, a line that is no code skipped); exit 0 when valid, 1 when every \
                     try was not"
    )]
    pub verify: bool,

    /// With --verify: how many codes may be tried, each a verify attempt [default: 3]
    #[arg(long, value_name = "N", requires = "verify")]
    pub tries: Option<Tries>,

    /// With voice --verify: when the call ends unanswered, send the code by text
    #[arg(
        long_help = "With `mfa voice --verify`: when the call ends unanswered (busy, not \
                     answered in time, rejected), send the code by text message to the same \
                     number, with the same scope, without asking (at a terminal, the key s \
                     offers it), and check the code read back from it",
        long,
        value_name = "CHANNEL",
        requires = "verify",
        hide_short_help = true
    )]
    pub fallback: Option<Fallback>,

    /// Then wait for the outcome, as `mfa status --wait`
    #[arg(
        long_help = "Then wait, at most SECONDS (300 without one), to say whether the code \
                     reached the phone, as `mfa status --wait` does: the id still alone on \
                     stdout's first line, the outcome on stderr, the exit status the \
                     outcome's (0 reached, 1 not, 10 not known)",
        long,
        value_name = "SECONDS",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "300",
        conflicts_with = "verify"
    )]
    pub wait: Option<Seconds>,

    /// With --verify: how old the code may be, in minutes from 1 to 15
    #[arg(long, value_name = "MINUTES", requires = "verify")]
    pub expiration: Option<ExpirationMinutes>,
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

    /// The code the user typed, 2 to 8 digits; `-` reads it from stdin, so it stays
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
        Cli::command_for_help(&[]).debug_assert();
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
    fn every_flag_a_command_shows_says_where_else_its_value_can_come_from() {
        for path in every_command() {
            let words: Vec<&str> = path.split(' ').skip(1).collect();
            let mut command = Cli::command_for_help(&words);
            for word in &words {
                command = command.find_subcommand(word).unwrap().clone();
            }
            for arg in command.get_arguments().filter(|arg| !arg.is_hide_set()) {
                let Some(long) = arg.get_long() else { continue };
                let help = arg
                    .get_long_help()
                    .or(arg.get_help())
                    .map(ToString::to_string)
                    .unwrap_or_default();
                // The variables of the settings this flag gives (two share
                // --application-id): the help names one of them.
                let variables: Vec<&str> = table::SETTINGS
                    .iter()
                    .filter(|setting| setting.flag.map(|f| f.trim_start_matches('-')) == Some(long))
                    .filter_map(|setting| setting.variable)
                    .collect();
                if !variables.is_empty() {
                    assert!(
                        variables
                            .iter()
                            .any(|variable| help.contains(&format!("[env: {variable}]"))),
                        "{path} --{long}: {help}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_option_every_command_takes_is_a_rows_field_or_one_of_the_output_options() {
        let command = Cli::command();
        for arg in command.get_arguments().filter(|arg| arg.is_global_set()) {
            let id = arg.get_id().as_str();
            match table::by_global_id(id) {
                Some(setting) => assert_eq!(
                    setting.flag.map(|flag| flag.trim_start_matches('-')),
                    arg.get_long(),
                    "{id}"
                ),
                None => assert!(
                    ["output", "json", "dry_run", "verbose"].contains(&id),
                    "{id} is neither a row nor an output option"
                ),
            }
        }
    }

    #[test]
    fn given_finds_each_rows_flag_as_typed_before_or_after_the_command() {
        let line = "mfa --timeout 2.50 --log /tmp/a.log -p p1 voice --to +15553334444 \
                    --account-id 12 --from +15554443333 --application-id app --verify \
                    --expiration 1.5 --timeout 07";
        let cli = Cli::parse_args(&shell_words(line)).unwrap();
        let given = |setting: &Setting| cli.global.given(setting);
        let [profile, config] = table::CHOOSERS;
        assert_eq!(
            given(&table::TIMEOUT).as_deref(),
            Some("07"),
            "the last one"
        );
        assert_eq!(given(&table::LOG_FILE).as_deref(), Some("/tmp/a.log"));
        assert_eq!(given(profile).as_deref(), Some("p1"));
        assert_eq!(given(&table::ACCOUNT_ID).as_deref(), Some("12"));
        assert_eq!(given(&table::FROM).as_deref(), Some("+15554443333"));
        assert_eq!(given(&table::VOICE_APPLICATION_ID).as_deref(), Some("app"));
        assert_eq!(given(&table::EXPIRATION).as_deref(), Some("1.5"));
        for not_given in [&table::USERNAME, &table::PASSWORD, &table::DIGITS, config] {
            assert_eq!(given(not_given), None, "{not_given:?}");
        }
        // A default is not given.
        let cli = Cli::parse_args(&shell_words("mfa voice --to +15553334444")).unwrap();
        assert_eq!(cli.global.given(&table::DIGITS), None);
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

    /// The help `line` (`mfa voice -h`) prints, as `mfa` renders it.
    fn help_of(line: &str) -> String {
        let args: Vec<OsString> = line.split(' ').map(OsString::from).collect();
        let err = Cli::parse_args(&args).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp, "{line}");
        err.to_string()
    }

    /// Every command's path, `mfa` first.
    fn every_command() -> Vec<String> {
        let mut paths = vec!["mfa".to_string()];
        for sub in Cli::command().get_subcommands() {
            paths.push(format!("mfa {}", sub.get_name()));
            for inner in sub.get_subcommands() {
                paths.push(format!("mfa {} {}", sub.get_name(), inner.get_name()));
            }
        }
        paths
    }

    #[test]
    fn dash_h_is_a_short_page_and_dash_dash_help_the_full_one() {
        for path in every_command() {
            let short = help_of(&format!("{path} -h"));
            assert!(short.lines().count() < 40, "{path} -h: {short}");
            assert!(!short.contains("Exit status:"), "{path} -h: {short}");
            assert!(!short.contains("--retries"), "{path} -h: {short}");
        }
        for name in ["mfa", "mfa voice", "mfa sms", "mfa verify"] {
            let short = help_of(&format!("{name} -h"));
            assert!(
                short.ends_with(&format!("Examples and exit statuses: `{name} --help`\n")),
                "{short}"
            );
            let long = help_of(&format!("{name} --help"));
            assert!(long.contains("\nExamples:\n  "), "{name}: {long}");
            assert!(
                long.contains("Exit status:\n      0  success"),
                "{name}: {long}"
            );
            assert!(long.contains("6  rate limited (429)"), "{name}: {long}");
            assert!(long.contains("--retries <N>"), "{name}: {long}");
        }
        let config = help_of("mfa config --help");
        assert!(config.contains("\nExamples:\n  "), "{config}");
        assert!(config.contains("mfa config unset client_id"), "{config}");
    }

    #[test]
    fn each_command_lists_only_the_options_that_apply_to_it() {
        let lists = |help: &str, flag: &str| {
            help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n"))
        };
        for path in every_command() {
            let help = help_of(&format!("{path} --help"));
            let api = ["mfa", "mfa voice", "mfa sms", "mfa verify"].contains(&path.as_str());
            let asks = path == "mfa status";
            let shows_settings = api
                || asks
                || path == "mfa config show"
                || path == "mfa config get"
                || path == "mfa doctor";
            let in_config = path.starts_with("mfa config");
            // `status` asks, so its requests may be logged; it sends nothing to dry-run.
            assert_eq!(lists(&help, "--dry-run"), api, "{path} --help: {help}");
            assert_eq!(
                lists(&help, "--verbose"),
                api || asks,
                "{path} --help: {help}"
            );
            for flag in ["--retries", "--ca-file", "--account-id", "--timeout"] {
                assert_eq!(
                    lists(&help, flag),
                    shows_settings,
                    "{path} --help, {flag}: {help}"
                );
            }
            let takes_a_file =
                api || asks || in_config || path == "mfa doctor" || path == "mfa log";
            assert_eq!(
                lists(&help, "--config"),
                takes_a_file,
                "{path} --help: {help}"
            );
            assert_eq!(
                lists(&help, "--json"),
                takes_a_file,
                "{path} --help: {help}"
            );
        }
        // Hidden from help, the options are still taken where they mean something.
        let args = |line: &str| line.split(' ').map(OsString::from).collect::<Vec<_>>();
        assert!(Cli::parse_args(&args("mfa config set account_id 1 --profile test")).is_ok());
        assert!(Cli::parse_args(&args("mfa config path --json")).is_ok());
    }

    /// A command line as a shell splits it: words between blanks, `'...'` and `"..."`
    /// quoting.
    fn shell_words(line: &str) -> Vec<OsString> {
        let (mut words, mut word, mut quote) = (Vec::new(), String::new(), None);
        for c in line.chars() {
            match (quote, c) {
                (None, '\'' | '"') => quote = Some(c),
                (Some(open), _) if c == open => quote = None,
                (None, ' ') if !word.is_empty() => {
                    words.push(OsString::from(std::mem::take(&mut word)))
                }
                (None, ' ') => {}
                _ => word.push(c),
            }
        }
        words.extend((!word.is_empty()).then(|| OsString::from(word)));
        words
    }

    #[test]
    fn every_example_is_a_command_line_mfa_takes() {
        let mut seen = 0;
        for path in crate::cli::examples::WITH_EXAMPLES {
            for line in examples(path)
                .lines()
                .filter(|line| line.starts_with("    "))
            {
                // Each `mfa ...` part of a shell line: after `$(` or `| `, before `)`,
                // ` >`, ` |` or `;`.
                for (at, _) in line.match_indices("mfa ") {
                    let command = &line[at..];
                    let end = [")", " >", " |", ";"]
                        .iter()
                        .filter_map(|stop| command.find(stop))
                        .min()
                        .unwrap_or(command.len());
                    let words = shell_words(&command[..end]);
                    let parsed = Cli::parse_args(&words);
                    assert!(parsed.is_ok(), "{line}: {:?}", parsed.err());
                    seen += 1;
                }
            }
        }
        assert!(seen >= 25, "{seen}");
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
