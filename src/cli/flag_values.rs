//! The values of the flags that are not settings: how many codes `--verify` tries
//! (`--tries`), where `--fallback` sends the code, and where `mfa verify`'s code is
//! (`--code`). Each refuses what breaks its rule as the settings' values do.

use std::str::FromStr;

use mfa::{Code, InvalidValue};

/// Where `--fallback` sends the code when the call ends unanswered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Fallback {
    /// By text message.
    Sms,
}

/// How many codes `--verify` takes: 1 to 10; 3 unless told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tries(u8);

impl Tries {
    /// The number.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl Default for Tries {
    fn default() -> Self {
        Tries(3)
    }
}

impl std::str::FromStr for Tries {
    type Err = mfa::InvalidValue;

    fn from_str(value: &str) -> Result<Self, mfa::InvalidValue> {
        match value.parse::<u8>() {
            Ok(n @ 1..=10) if value.bytes().all(|b| b.is_ascii_digit()) => Ok(Tries(n)),
            _ => Err(mfa::InvalidValue::from_rule(
                "must be a whole number of tries from 1 to 10",
            )),
        }
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
