//! `Failure` and `Exit`: every way a command can end, and its exit status.
//!
//! The one place that maps errors to the exit-status table in CONTRACT.md (and in
//! `--help`). API failures arrive as the library's `mfa::Error` and are mapped by their
//! class, so this file never looks at an HTTP status code.

use mfa::ErrorClass;

/// The exit status table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    Success = 0,
    /// `verify` only: the API said the code is not valid. Not a failure: the call
    /// worked, and its answer is "no".
    CodeInvalid = 1,
    Usage = 2,
    Config = 3,
    CredentialsRefused = 4,
    Rejected = 5,
    RateLimited = 6,
    ServerFailed = 7,
    Network = 8,
    UnexpectedAnswer = 9,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

/// Why a command did not succeed.
#[derive(Debug)]
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
}

impl Failure {
    /// The exit status.
    pub fn exit(&self) -> Exit {
        match self {
            Failure::Usage(_) => Exit::Usage,
            Failure::Config(_) => Exit::Config,
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
            Failure::Config(_) => "config",
            Failure::Api { error, .. } => error.class().name(),
        }
    }

    /// The whole message a person reads, without the `mfa: error: ` prefix.
    pub fn sentence(&self) -> String {
        match self {
            Failure::Usage(message) | Failure::Config(message) => message.clone(),
            Failure::Api {
                error,
                advice: None,
            } => error.to_string(),
            Failure::Api {
                error,
                advice: Some(advice),
            } => format!("{error}; {advice}"),
        }
    }

    /// The library error behind this failure, if the call was made.
    pub fn api_error(&self) -> Option<&mfa::Error> {
        match self {
            Failure::Api { error, .. } => Some(error),
            _ => None,
        }
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
            status,
            message: None,
            request_id: None,
        })
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
            status: Some(200),
            problem: "x".into(),
            body: String::new(),
        });
        assert_eq!(odd.exit() as u8, 9);
    }

    #[test]
    fn advice_follows_the_error() {
        let failure = Failure::Api {
            error: mfa::Error::Api {
                status: 401,
                message: Some("Unauthorized".into()),
                request_id: None,
            },
            advice: Some("check BW_PASSWORD".into()),
        };
        assert_eq!(
            failure.sentence(),
            "the API refused the credentials (HTTP 401): Unauthorized; check BW_PASSWORD"
        );
        assert_eq!(failure.kind(), "credentials");
    }
}
