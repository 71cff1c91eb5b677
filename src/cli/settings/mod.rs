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

mod login;
mod network;
mod requests;
mod show;
mod sources;
pub mod table;
#[cfg(test)]
mod tests;

pub use network::{Endpoint, Network, proxy_variables};
pub use requests::{Channel, Connection};
pub use show::{ShownSetting, ShownValue};
pub use sources::{Sources, config_path, load_failure, profile_name};

/// Looks up an environment variable.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A variable's value, with the empty string counting as unset.
fn non_empty(env: Env, name: &str) -> Option<String> {
    env(name).filter(|value| !value.is_empty())
}
