//! The config file: where it is, how it is read, and what a profile may hold.
//!
//! Unknown keys are errors that name the key, so a typo never drops a setting
//! silently. Parse errors give the line and the parser's words but never the line's
//! text, which may hold a password.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mfa::Secret;
use serde::Deserialize;

/// The whole file: an optional default profile and the profiles by name.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One `[profiles.NAME]` table. Every key is optional: the environment may hold all.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub account_id: Option<String>,
    pub username: Option<String>,
    pub password: Option<Secret<String>>,
    pub base_url: Option<String>,
    pub timeout: Option<TomlNumber>,
    pub from: Option<String>,
    pub voice_application_id: Option<String>,
    pub digits: Option<i64>,
    pub message: Option<String>,
    pub scope: Option<String>,
    pub messaging_application_id: Option<String>,
    pub expiration_minutes: Option<i64>,
    // Keys the contract names for features still to come. They are known, so a file
    // written for a later version is not refused as a typo, and then refused by name in
    // `settings`, since ignoring them would authenticate or connect differently from
    // what the file says.
    pub password_command: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret<String>>,
    pub token_url: Option<String>,
    pub retries: Option<i64>,
    pub ca_file: Option<String>,
}

/// A TOML number, whole or not (`timeout = 30` or `timeout = 2.5`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum TomlNumber {
    Whole(i64),
    Fraction(f64),
}

impl std::fmt::Display for TomlNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TomlNumber::Whole(n) => n.fmt(f),
            TomlNumber::Fraction(x) => x.fmt(f),
        }
    }
}

/// Why the file could not be used.
#[derive(Debug, PartialEq, Eq)]
pub enum LoadError {
    /// A file the user named does not exist.
    Missing,
    /// It exists but could not be read.
    Unreadable(String),
    /// It is not a valid config file.
    Invalid(String),
}

/// Reads the file at `path`. A missing file is `Ok(None)` when `named` is false (the
/// default path), and an error when the user named it.
pub fn load(path: &Path, named: bool) -> Result<Option<ConfigFile>, LoadError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text).map(Some),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !named => Ok(None),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Err(LoadError::Missing),
        Err(err) => Err(LoadError::Unreadable(err.kind().to_string())),
    }
}

/// Parses a config file's text.
pub fn parse(text: &str) -> Result<ConfigFile, LoadError> {
    toml_edit::de::from_str(text).map_err(|err| {
        let place = err
            .span()
            .map(|span| {
                let line = text[..span.start].matches('\n').count() + 1;
                format!("line {line}: ")
            })
            .unwrap_or_default();
        LoadError::Invalid(format!("{place}{}", err.message().trim_end()))
    })
}

/// `<user config dir>/mfa/config.toml`.
pub fn default_path(config_dir: &Path) -> PathBuf {
    config_dir.join("mfa").join("config.toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_profiles_and_the_default_profile() {
        let file = parse(
            r#"
            default_profile = "prod"
            [profiles.prod]
            account_id = "9900000"
            password = "hunter2"
            digits = 6
            timeout = 2.5
            "#,
        )
        .unwrap();
        assert_eq!(file.default_profile.as_deref(), Some("prod"));
        let prod = &file.profiles["prod"];
        assert_eq!(prod.account_id.as_deref(), Some("9900000"));
        assert_eq!(prod.password.as_ref().unwrap().expose(), "hunter2");
        assert_eq!(prod.digits, Some(6));
        assert_eq!(prod.timeout, Some(TomlNumber::Fraction(2.5)));
    }

    #[test]
    fn an_unknown_key_is_named() {
        let err = parse("[profiles.prod]\npasword = \"hunter2\"\n").unwrap_err();
        let LoadError::Invalid(message) = err else {
            panic!("{err:?}")
        };
        assert!(
            message.starts_with("line 2: unknown field `pasword`"),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[test]
    fn an_unknown_top_level_key_is_named() {
        let LoadError::Invalid(message) = parse("profile = \"x\"\n").unwrap_err() else {
            panic!()
        };
        assert!(message.contains("unknown field `profile`"), "{message}");
    }

    #[test]
    fn a_malformed_file_gives_the_line_but_not_its_text() {
        let LoadError::Invalid(message) =
            parse("[profiles.prod]\npassword = \"hunter2\n").unwrap_err()
        else {
            panic!()
        };
        assert!(message.starts_with("line 2: "), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[test]
    fn a_wrong_type_is_an_error() {
        let LoadError::Invalid(message) = parse("[profiles.p]\ndigits = \"six\"\n").unwrap_err()
        else {
            panic!()
        };
        assert!(message.starts_with("line 2: "), "{message}");
    }

    #[test]
    fn a_missing_default_file_is_fine_but_a_named_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.toml");
        assert!(load(&path, false).unwrap().is_none());
        assert_eq!(load(&path, true).unwrap_err(), LoadError::Missing);
    }

    #[test]
    fn the_example_config_is_valid() {
        let file = parse(include_str!("../../config.example.toml")).unwrap();
        assert_eq!(file.default_profile.as_deref(), Some("prod"));
        assert_eq!(file.profiles["prod"].digits, Some(6));
        assert!(file.profiles.contains_key("test"));
    }

    #[test]
    fn the_default_path_is_under_the_config_dir() {
        assert_eq!(
            default_path(Path::new("/home/u/.config")),
            PathBuf::from("/home/u/.config/mfa/config.toml")
        );
    }
}
