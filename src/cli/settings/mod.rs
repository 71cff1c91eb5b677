//! Settings, resolved in one place, each remembering where it came from.
//!
//! Precedence, highest first:
//! 1. the command-line flag;
//! 2. the environment variable (one set to the empty string counts as unset);
//! 3. the key in the selected profile of the config file;
//! 4. the built-in default.
//!
//! The environment comes in as a lookup function, so precedence is tested without
//! touching the process environment. A bad value from a flag never gets here (clap
//! refuses it: exit 2); a bad value from the environment or the file is a
//! configuration error (exit 3) that names the variable or the file, profile and key.
//!
//! One job a file: `table` (every setting's names, kind and rule), `sources` (finding
//! the config file and profile, and resolving one setting), `login` (who is calling),
//! `requests` (where the request goes and its body), `network` (retries, CAs,
//! proxies) and `show` (`mfa config show`).

#[cfg(test)]
mod documented;
mod login;
mod network;
mod requests;
mod show;
mod sources;
pub mod table;
#[cfg(test)]
mod tests;

pub use network::{Endpoint, Network, proxy_variables};
pub use requests::{Channel, Connection, GuardRules};
pub use show::{ShownSetting, ShownValue};
pub use sources::{Sources, config_path, in_home, load_failure, profile_name};

use std::ffi::OsString;
use std::path::PathBuf;

use crate::cli::failure::Failure;

/// Looks up an environment variable, as the system holds it (not always UTF-8).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

/// A variable's value, with the empty string counting as unset. A value that is not
/// UTF-8 text is refused naming the variable, never altered to be read (a password
/// with a Latin-1 byte would be sent with U+FFFD in its place).
fn non_empty(env: Env, name: &str) -> Result<Option<String>, Failure> {
    match env(name).filter(|value| !value.is_empty()) {
        None => Ok(None),
        Some(value) => value.into_string().map(Some).map_err(|_| {
            Failure::Config(format!(
                "environment variable {name} is not UTF-8 text; mfa takes a value as it is \
                 or not at all"
            ))
        }),
    }
}

/// A variable that names a file: any bytes the system takes in a path, as the flag's
/// value would be.
fn non_empty_path(env: Env, name: &str) -> Option<PathBuf> {
    env(name)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}
