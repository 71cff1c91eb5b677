//! `Failure` and `Exit`: every way a command can end, and its exit status.
//!
//! The one place that maps errors to the exit-status table of the README (and of
//! `--help`). API failures arrive as the library's `mfa::Error` and are mapped by their
//! class, so this file never looks at an HTTP status code.

use mfa::ErrorClass;

/// The exit status table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success,
    /// The command worked and its answer is "no": `verify`'s code is not valid, or
    /// `config get`'s key is not set (as `git config` says it). Not a failure.
    AnswerNo,
    Usage,
    Config,
    CredentialsRefused,
    Rejected,
    RateLimited,
    ServerFailed,
    Network,
    UnexpectedAnswer,
    /// `mfa status`: the outcome is not known yet (still ringing or queued, not yet
    /// visible, a text sent without a delivery receipt). Not a failure.
    NotYetKnown,
    /// The guard refused the send: a limit on codes was reached; nothing was sent.
    Guarded,
    /// Ended by a signal: 128 and its number, as a shell reports it (SIGHUP 129, SIGINT
    /// 130, SIGQUIT 131, SIGTERM 143, SIGUSR1 138 on Linux).
    Signalled(u8),
}

impl Exit {
    /// The status the process exits with.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::AnswerNo => 1,
            Exit::Usage => 2,
            Exit::Config => 3,
            Exit::CredentialsRefused => 4,
            Exit::Rejected => 5,
            Exit::RateLimited => 6,
            Exit::ServerFailed => 7,
            Exit::Network => 8,
            Exit::UnexpectedAnswer => 9,
            Exit::NotYetKnown => 10,
            Exit::Guarded => 11,
            Exit::Signalled(code) => code,
        }
    }
}

/// What each exit status means: the one table `--help` and `mfa man` both show, each
/// status as it is shown (a signal's as `128+N`).
pub const EXIT_STATUS: [(&str, &str); 17] = [
    (
        "0",
        "success (verify: the code is valid; status: the call was answered, the text \
         delivered)",
    ),
    (
        "1",
        "verify: the code is not valid; status: the call ended unanswered, the text was not \
         delivered; config get: the key is not set",
    ),
    (
        "2",
        "usage: unknown command or flag, invalid flag value, or a missing \
         --to/--from/--application-id/--expiration or code; nothing was sent (but --verify \
         given no code back: the code was sent and not checked)",
    ),
    (
        "3",
        "configuration: missing or unusable credentials (a failed password_command too), \
         config file (one another user could change too), profile, audit log or CA file, an \
         invalid value from the environment or the config file, or a stdout that cannot be \
         written (a full disk); nothing was sent",
    ),
    (
        "4",
        "the API or its token endpoint refused the credentials (401, 403)",
    ),
    ("5", "the API rejected the request (400, other 4xx)"),
    ("6", "rate limited (429), after any retries"),
    ("7", "the API failed (5xx); never retried"),
    (
        "8",
        "network: no connection, proxy or TLS failure, or no answer in time (the message says \
         whether the code may have been sent)",
    ),
    (
        "9",
        "unexpected answer: a 2xx that is not the documented JSON, a redirect, or no HTTP at all",
    ),
    (
        "10",
        "status: not known yet (ringing or queued, not yet visible, a text sent with no \
         delivery receipt yet)",
    ),
    (
        "11",
        "refused by the guard: the number's country is not allowed, its type is refused, or a \
         limit on the codes sent was reached; nothing was sent, and the message names the rule",
    ),
    (
        "129",
        "hung up (the terminal closed, SIGHUP); the message says whether the code may have been \
         sent",
    ),
    (
        "130",
        "interrupted (Ctrl-C, SIGINT); the message says whether the code may have been sent",
    ),
    (
        "131",
        "quit (SIGQUIT); the message says whether the code may have been sent",
    ),
    (
        "143",
        "terminated (SIGTERM); the message says whether the code may have been sent",
    ),
    (
        "128+N",
        "ended by any other signal N whose default is to end a process (SIGUSR1, SIGUSR2, \
         SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, ...), as SIGTERM ends it; SIGXFSZ is ignored, so \
         a write past the file-size limit fails and says so",
    ),
];

/// The exit status table as `--help` shows it: each meaning wrapped to 100 columns
/// under itself, so clap (which wraps at 100 at most) keeps the layout.
pub fn exit_status_help() -> String {
    const WIDTH: usize = 100;
    const INDENT: &str = "         ";
    let mut help = String::from("Exit status:");
    for (exit, meaning) in EXIT_STATUS {
        let mut line = format!("  {exit:>5}  ");
        let mut line_has_words = false;
        for word in meaning.split(' ') {
            if line_has_words && line.len() + 1 + word.len() > WIDTH {
                help.push('\n');
                help.push_str(&line);
                line = INDENT.to_owned();
                line_has_words = false;
            }
            if line_has_words {
                line.push(' ');
            }
            line.push_str(word);
            line_has_words = true;
        }
        help.push('\n');
        help.push_str(&line);
    }
    help
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

/// Why a command did not succeed.
#[derive(Debug, Clone)]
pub enum Failure {
    /// A bad flag or value on the command line; nothing was sent.
    Usage(String),
    /// Missing or unusable settings, config file or profile; nothing was sent.
    Config(String),
    /// The call was made and failed. `advice` says what to check, in the user's terms
    /// (which flag, variable or file a refused credential came from).
    Api {
        error: mfa::Error,
        advice: Option<String>,
    },
    /// What a command that sent nothing had to print could not be written to stdout (a
    /// full disk); a reader that closed it is no failure.
    Output(String),
    /// `--verify` could not read the code back, or the check of it failed (`why`): the
    /// code `call` sent, as `id`, is not checked. Whatever the check's failure, the code
    /// was sent: the exit status is the check's, `sent` is always `yes`.
    NotChecked {
        why: Box<Failure>,
        call: mfa::Call,
        id: String,
    },
    /// The guard refused the send (a limit on codes reached): what it says, the limit,
    /// and when a code may go again. Nothing was sent.
    Guarded(String),
    /// A signal ended the run while `call` was being made, after it got as far as
    /// `sent` says.
    Interrupted {
        signal: Signal,
        call: mfa::Call,
        sent: mfa::Delivery,
        /// Where to look before sending another (the audit log), if anywhere.
        hint: Option<String>,
        /// The id of the code sent, when the run was past the send (a round trip).
        id: Option<String>,
    },
}

/// A signal that ended a run with a word on what was sent: its system number and
/// name (`interrupt` says which signals those are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    number: u8,
    name: &'static str,
}

impl Signal {
    /// The signal numbered `number` on this system, called `name` (`SIGINT`). (Where
    /// the system has no signals to handle, Windows, none is made.)
    #[cfg_attr(not(unix), allow(dead_code))]
    pub const fn new(number: u8, name: &'static str) -> Self {
        Signal { number, name }
    }

    /// `SIGHUP`, `SIGINT`, `SIGUSR1`, `SIGRTMIN+3`, ...
    pub fn name(self) -> &'static str {
        self.name
    }

    /// The system's number for it.
    #[cfg_attr(not(unix), allow(dead_code))]
    pub fn number(self) -> u8 {
        self.number
    }

    /// The exit status a run it ends has: 128 and its number.
    pub fn exit(self) -> Exit {
        Exit::Signalled(128u8.saturating_add(self.number))
    }
}

impl Failure {
    /// The exit status.
    pub fn exit(&self) -> Exit {
        match self {
            Failure::Usage(_) => Exit::Usage,
            Failure::Guarded(_) => Exit::Guarded,
            Failure::NotChecked { why, .. } => why.exit(),
            Failure::Config(_) | Failure::Output(_) => Exit::Config,
            Failure::Interrupted { signal, .. } => signal.exit(),
            Failure::Api { error, .. } => match error.class() {
                ErrorClass::CredentialsRefused => Exit::CredentialsRefused,
                ErrorClass::Rejected => Exit::Rejected,
                ErrorClass::RateLimited => Exit::RateLimited,
                ErrorClass::ServerFailed => Exit::ServerFailed,
                ErrorClass::Network => Exit::Network,
                ErrorClass::UnexpectedAnswer => Exit::UnexpectedAnswer,
            },
        }
    }

    /// A stable name for scripts, the `kind` of the JSON error.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Usage(_) => "usage",
            Failure::Guarded(_) => "guard",
            Failure::NotChecked { why, .. } => why.kind(),
            Failure::Config(_) => "config",
            Failure::Output(_) => "output",
            Failure::Interrupted { .. } => "interrupted",
            Failure::Api { error, .. } => error.class().name(),
        }
    }

    /// Whether the request may have been acted on, for scripts: `no` (nothing reached
    /// the API, or it refused), `maybe`, or `yes` (the API accepted it).
    pub fn sent(&self) -> &'static str {
        sent_word(self.delivery())
    }

    /// The whole message a person reads, without the `mfa: error: ` prefix: what
    /// failed, what to do about it, and last, always, whether anything was sent.
    pub fn sentence(&self) -> String {
        format!(
            "{}; {}",
            self.reason(),
            self.delivery().in_words(self.call())
        )
    }

    /// What failed and what to do about it, without whether anything was sent: for a
    /// report that sends nothing (`mfa doctor`, a dry run's warning).
    pub fn reason(&self) -> String {
        match self {
            Failure::Usage(message)
            | Failure::Config(message)
            | Failure::Output(message)
            | Failure::Guarded(message) => message.clone(),
            Failure::NotChecked { why, id, .. } => {
                format!("{}; the code sent ({id}) is not checked", why.reason())
            }
            Failure::Interrupted {
                signal,
                sent,
                hint,
                id,
                ..
            } => {
                let signal = signal.name();
                let what = match (sent, id) {
                    // In a round trip, past the send: the hint says how far the check got.
                    (_, Some(_)) => format!("interrupted ({signal})"),
                    (mfa::Delivery::NotSent, None) => {
                        format!("interrupted ({signal}) before the request went out")
                    }
                    (mfa::Delivery::Sent, None) => {
                        format!("interrupted ({signal}) after the API answered")
                    }
                    (_, None) => format!("interrupted ({signal}) while the request was out"),
                };
                match hint {
                    Some(hint) if id.is_some() => format!("{what} {hint}"),
                    Some(hint) if *sent != mfa::Delivery::NotSent => format!("{what}; {hint}"),
                    _ => what,
                }
            }
            Failure::Api {
                error,
                advice: None,
            } => error.what_failed(),
            Failure::Api {
                error,
                advice: Some(advice),
            } => format!("{}; {advice}", error.what_failed()),
        }
    }

    /// Whether the request may have been acted on.
    fn delivery(&self) -> mfa::Delivery {
        match self {
            Failure::Usage(_) | Failure::Config(_) | Failure::Output(_) | Failure::Guarded(_) => {
                mfa::Delivery::NotSent
            }
            Failure::NotChecked { .. } => mfa::Delivery::Sent,
            Failure::Api { error, .. } => error.delivery(),
            Failure::Interrupted { sent, .. } => *sent,
        }
    }

    /// The call the failure is about, if one was chosen.
    fn call(&self) -> Option<mfa::Call> {
        match self {
            Failure::Usage(_) | Failure::Config(_) | Failure::Output(_) | Failure::Guarded(_) => {
                None
            }
            Failure::NotChecked { call, .. } => Some(*call),
            Failure::Api { error, .. } => error.call(),
            Failure::Interrupted { call, .. } => Some(*call),
        }
    }

    /// The library error behind this failure, if the call was made.
    pub fn api_error(&self) -> Option<&mfa::Error> {
        match self {
            Failure::Api { error, .. } => Some(error),
            Failure::NotChecked { why, .. } => why.api_error(),
            _ => None,
        }
    }

    /// The id of a code that was sent though what followed failed, with its JSON key
    /// (`callId` or `messageId`): a script must see it, so as not to send another.
    pub fn sent_id(&self) -> Option<(&'static str, &str)> {
        match self {
            Failure::NotChecked {
                call: mfa::Call::MessagingCode,
                id,
                ..
            } => Some(("messageId", id)),
            Failure::NotChecked { id, .. } => Some(("callId", id)),
            Failure::Interrupted {
                call: mfa::Call::MessagingCode,
                id: Some(id),
                ..
            } => Some(("messageId", id)),
            Failure::Interrupted { id: Some(id), .. } => Some(("callId", id)),
            _ => None,
        }
    }

    /// A failed call's advice with `more` after it; any other failure as it is.
    pub fn advising(self, more: &str) -> Failure {
        match self {
            Failure::Api { error, advice } => Failure::Api {
                error,
                advice: Some(match advice {
                    Some(advice) => format!("{advice}; {more}"),
                    None => more.to_owned(),
                }),
            },
            other => other,
        }
    }
}

/// `no`, `maybe` or `yes`.
pub fn sent_word(delivery: mfa::Delivery) -> &'static str {
    match delivery {
        mfa::Delivery::NotSent => "no",
        mfa::Delivery::Sent => "yes",
        _ => "maybe",
    }
}

impl From<mfa::Error> for Failure {
    /// A call's failure, with its class's exit status; a value the library refused
    /// before any request is a usage error (exit 2), as the same value typed as a
    /// flag is.
    fn from(error: mfa::Error) -> Self {
        match error {
            mfa::Error::Invalid(invalid) => Failure::Usage(invalid.to_string()),
            error => Failure::Api {
                error,
                advice: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> Failure {
        Failure::from(mfa::Error::api(
            mfa::Call::VoiceCode,
            status,
            None,
            None,
            None,
        ))
    }

    #[test]
    fn the_exit_table_lists_every_status_once_in_order() {
        let codes: Vec<&str> = EXIT_STATUS.iter().map(|(code, _)| *code).collect();
        let mut expected: Vec<String> = [
            Exit::Success,
            Exit::AnswerNo,
            Exit::Usage,
            Exit::Config,
            Exit::CredentialsRefused,
            Exit::Rejected,
            Exit::RateLimited,
            Exit::ServerFailed,
            Exit::Network,
            Exit::UnexpectedAnswer,
            Exit::NotYetKnown,
            Exit::Guarded,
        ]
        .iter()
        .map(|exit| exit.code().to_string())
        .collect();
        expected.extend(["129", "130", "131", "143", "128+N"].map(String::from));
        assert_eq!(codes, expected);
        let help = exit_status_help();
        assert!(help.starts_with("Exit status:\n      0  success"), "{help}");
        assert!(
            help.contains("\n      8  network: no connection, proxy or TLS failure"),
            "{help}"
        );
        assert!(help.lines().all(|line| line.len() <= 100), "{help}");
        assert!(
            help.contains("\n         code back: the code was sent and not checked)"),
            "{help}"
        );
        assert!(
            help.contains("\n    130  interrupted (Ctrl-C, SIGINT)"),
            "{help}"
        );
        assert!(help.contains("\n    143  terminated (SIGTERM)"), "{help}");
        assert!(
            help.contains("\n  128+N  ended by any other signal N"),
            "{help}"
        );
    }

    #[test]
    fn every_failure_has_its_exit_status() {
        assert_eq!(Failure::Usage(String::new()).exit().code(), 2);
        assert_eq!(Failure::Config(String::new()).exit().code(), 3);
        assert_eq!(api(401).exit().code(), 4);
        assert_eq!(api(403).exit().code(), 4);
        assert_eq!(api(400).exit().code(), 5);
        assert_eq!(api(404).exit().code(), 5);
        assert_eq!(api(429).exit().code(), 6);
        assert_eq!(api(500).exit().code(), 7);
        assert_eq!(api(504).exit().code(), 7);
        let network = Failure::from(mfa::Error::network(
            mfa::Call::VoiceCode,
            "h",
            mfa::Delivery::NotSent,
            mfa::NetworkCause::Failed("x".into()),
        ));
        assert_eq!(network.exit().code(), 8);
        let odd = Failure::from(mfa::Error::unexpected_answer(
            mfa::Call::VoiceCode,
            Some(200),
            mfa::Delivery::Sent,
            "x",
            String::new(),
        ));
        assert_eq!(odd.exit().code(), 9);
        let invalid = mfa::InvalidValue::from_rule("must be 2 to 8 digits");
        let refused = Failure::from(mfa::Error::from(invalid));
        assert_eq!(refused.exit().code(), 2);
        assert_eq!(refused.reason(), "must be 2 to 8 digits");
    }

    #[test]
    fn advice_follows_the_error() {
        let failure = Failure::Api {
            error: mfa::Error::api(
                mfa::Call::VoiceCode,
                401,
                Some("Unauthorized".into()),
                None,
                None,
            ),
            advice: Some("check BW_PASSWORD".into()),
        };
        assert_eq!(
            failure.sentence(),
            "the API refused the credentials (HTTP 401): Unauthorized; check BW_PASSWORD; \
             nothing was sent"
        );
        assert_eq!(
            failure.reason(),
            "the API refused the credentials (HTTP 401): Unauthorized; check BW_PASSWORD"
        );
        assert_eq!(failure.kind(), "credentials");
    }
}
