//! `Failure` and `Exit`: every way a command can end, and its exit status.
//!
//! The one place that maps errors to the exit-status table of the README (and of
//! `--help`). API failures arrive as the library's `mfa::Error` and are mapped by their
//! class, so this file never looks at an HTTP status code.

use mfa::ErrorClass;

/// The exit status table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    Success = 0,
    /// The command worked and its answer is "no": `verify`'s code is not valid, or
    /// `config get`'s key is not set (as `git config` says it). Not a failure.
    AnswerNo = 1,
    Usage = 2,
    Config = 3,
    CredentialsRefused = 4,
    Rejected = 5,
    RateLimited = 6,
    ServerFailed = 7,
    Network = 8,
    UnexpectedAnswer = 9,
    /// Ended by SIGHUP (the terminal closed): 128 + 1, as a shell reports it.
    HungUp = 129,
    /// Ended by SIGINT (Ctrl-C): 128 + 2.
    Interrupted = 130,
    /// Ended by SIGQUIT (Ctrl-\): 128 + 3.
    Quit = 131,
    /// Ended by SIGTERM: 128 + 15.
    Terminated = 143,
}

/// What each exit status means: the one table `--help` and `mfa man` both show.
pub const EXIT_STATUS: [(Exit, &str); 14] = [
    (Exit::Success, "success (verify: the code is valid)"),
    (
        Exit::AnswerNo,
        "verify: the code is not valid; config get: the key is not set",
    ),
    (
        Exit::Usage,
        "usage: unknown command or flag, invalid flag value, or a missing \
         --to/--from/--application-id/--expiration or code; nothing was sent (but --verify \
         given no code back: the code was sent and not checked)",
    ),
    (
        Exit::Config,
        "configuration: missing or unusable credentials (a failed password_command too), \
         config file, profile or CA file, an invalid value from the environment or the \
         config file, or a stdout that cannot be written (a full disk); nothing was sent",
    ),
    (
        Exit::CredentialsRefused,
        "the API or its token endpoint refused the credentials (401, 403)",
    ),
    (
        Exit::Rejected,
        "the API rejected the request (400, other 4xx)",
    ),
    (Exit::RateLimited, "rate limited (429), after any retries"),
    (Exit::ServerFailed, "the API failed (5xx); never retried"),
    (
        Exit::Network,
        "network: no connection, proxy or TLS failure, or no answer in time (the message says \
         whether the code may have been sent)",
    ),
    (
        Exit::UnexpectedAnswer,
        "unexpected answer: a 2xx that is not the documented JSON, a redirect, or no HTTP at all",
    ),
    (
        Exit::HungUp,
        "hung up (the terminal closed, SIGHUP); the message says whether the code may have been \
         sent",
    ),
    (
        Exit::Interrupted,
        "interrupted (Ctrl-C, SIGINT); the message says whether the code may have been sent",
    ),
    (
        Exit::Quit,
        "quit (SIGQUIT); the message says whether the code may have been sent",
    ),
    (
        Exit::Terminated,
        "terminated (SIGTERM); the message says whether the code may have been sent",
    ),
];

/// The exit status table as `--help` shows it: each meaning wrapped to 100 columns
/// under itself, so clap (which wraps at 100 at most) keeps the layout.
pub fn exit_status_help() -> String {
    const WIDTH: usize = 100;
    const INDENT: &str = "       ";
    let mut help = String::from("Exit status:");
    for (exit, meaning) in EXIT_STATUS {
        let mut line = format!("  {:>3}  ", exit as u8);
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
        std::process::ExitCode::from(exit as u8)
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

/// The signals that end a run with a word on what was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The terminal closed (or a session ended).
    Hangup,
    /// Ctrl-C.
    Interrupt,
    /// Ctrl-\.
    Quit,
    /// A polite request to stop, from a CI runner or `kill`.
    Terminate,
}

impl Signal {
    /// Every one, in the order of their numbers.
    pub const ALL: [Signal; 4] = [
        Signal::Hangup,
        Signal::Interrupt,
        Signal::Quit,
        Signal::Terminate,
    ];

    /// `SIGHUP`, `SIGINT`, `SIGQUIT` or `SIGTERM`.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Hangup => "SIGHUP",
            Signal::Interrupt => "SIGINT",
            Signal::Quit => "SIGQUIT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// The exit status a run it ends has: 128 and its number.
    pub fn exit(self) -> Exit {
        match self {
            Signal::Hangup => Exit::HungUp,
            Signal::Interrupt => Exit::Interrupted,
            Signal::Quit => Exit::Quit,
            Signal::Terminate => Exit::Terminated,
        }
    }
}

impl Failure {
    /// The exit status.
    pub fn exit(&self) -> Exit {
        match self {
            Failure::Usage(_) => Exit::Usage,
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
            Failure::Usage(message) | Failure::Config(message) | Failure::Output(message) => {
                message.clone()
            }
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
            Failure::Usage(_) | Failure::Config(_) | Failure::Output(_) => mfa::Delivery::NotSent,
            Failure::NotChecked { .. } => mfa::Delivery::Sent,
            Failure::Api { error, .. } => error.delivery(),
            Failure::Interrupted { sent, .. } => *sent,
        }
    }

    /// The call the failure is about, if one was chosen.
    fn call(&self) -> Option<mfa::Call> {
        match self {
            Failure::Usage(_) | Failure::Config(_) | Failure::Output(_) => None,
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
    fn from(error: mfa::Error) -> Self {
        Failure::Api {
            error,
            advice: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> Failure {
        Failure::from(mfa::Error::Api {
            call: mfa::Call::VoiceCode,
            status,
            message: None,
            request_id: None,
            retry_after: None,
        })
    }

    #[test]
    fn the_exit_table_lists_every_status_once_in_order() {
        let codes: Vec<u8> = EXIT_STATUS.iter().map(|(exit, _)| *exit as u8).collect();
        let mut expected: Vec<u8> = (0..=9).collect();
        expected.extend([129, 130, 131, 143]);
        assert_eq!(codes, expected);
        let help = exit_status_help();
        assert!(help.starts_with("Exit status:\n    0  success"), "{help}");
        assert!(
            help.contains("\n    8  network: no connection, proxy or TLS failure"),
            "{help}"
        );
        assert!(help.lines().all(|line| line.len() <= 100), "{help}");
        assert!(
            help.contains("\n       the code may have been sent)"),
            "{help}"
        );
        assert!(
            help.contains("\n  130  interrupted (Ctrl-C, SIGINT)"),
            "{help}"
        );
        assert!(help.contains("\n  143  terminated (SIGTERM)"), "{help}");
    }

    #[test]
    fn every_failure_has_its_exit_status() {
        assert_eq!(Failure::Usage(String::new()).exit() as u8, 2);
        assert_eq!(Failure::Config(String::new()).exit() as u8, 3);
        assert_eq!(api(401).exit() as u8, 4);
        assert_eq!(api(403).exit() as u8, 4);
        assert_eq!(api(400).exit() as u8, 5);
        assert_eq!(api(404).exit() as u8, 5);
        assert_eq!(api(429).exit() as u8, 6);
        assert_eq!(api(500).exit() as u8, 7);
        assert_eq!(api(504).exit() as u8, 7);
        let network = Failure::from(mfa::Error::Network {
            call: mfa::Call::VoiceCode,
            host: "h".into(),
            delivery: mfa::Delivery::NotSent,
            cause: mfa::NetworkCause::Failed("x".into()),
        });
        assert_eq!(network.exit() as u8, 8);
        let odd = Failure::from(mfa::Error::UnexpectedAnswer {
            call: mfa::Call::VoiceCode,
            status: Some(200),
            delivery: mfa::Delivery::Sent,
            problem: "x".into(),
            body: String::new(),
        });
        assert_eq!(odd.exit() as u8, 9);
    }

    #[test]
    fn advice_follows_the_error() {
        let failure = Failure::Api {
            error: mfa::Error::Api {
                call: mfa::Call::VoiceCode,
                status: 401,
                message: Some("Unauthorized".into()),
                request_id: None,
                retry_after: None,
            },
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
