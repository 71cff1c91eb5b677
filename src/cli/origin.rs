//! Where a value came from (`Origin`), and a value that remembers it (`Sourced`).
//!
//! Every message about a setting names its origin, never a secret's value: "the password
//! (from environment variable BW_PASSWORD)". This module imports nothing else of the
//! command line, so every part of it can use these.

use std::fmt;

/// Where a setting's value came from, as a message names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag, e.g. `--account-id`.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A key of the config file: `place` is `profile `NAME` in FILE` (or the file
    /// alone, for a key at its top).
    Profile { key: &'static str, place: String },
    /// Nothing gave it: the built-in default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => f.write_str(flag),
            Origin::Env(name) => write!(f, "environment variable {name}"),
            Origin::Profile { key, place } => write!(f, "key `{key}` of {place}"),
            Origin::Default => f.write_str("the default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Sourced<T> {
    /// A value nothing gave: the built-in default.
    pub fn default_value(value: T) -> Self {
        Sourced {
            value,
            origin: Origin::Default,
        }
    }
}
