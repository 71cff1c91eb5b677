//! The config file as `mfa config` edits it: where it is and whose profile is meant
//! (`Here`), the one sequence every edit follows (`Edit`: locate, lock, read anew,
//! save what reads back), a value checked by its setting's rule, a key set or a
//! profile removed with the file's comments kept, and the template `init` writes.

use std::path::{Path, PathBuf};

use mfa::InvalidValue;
use toml_edit::{DocumentMut, Item, Key, Table, Value};

use crate::cli::args::{GlobalArgs, OutputFormat};
use crate::cli::config_file::{self, ConfigFile};
use crate::cli::failure::Failure;
use crate::cli::origin::Origin;
use crate::cli::output;
use crate::cli::private_files;
use crate::cli::settings::table::{self, Kind, Setting};
use crate::cli::settings::{self, Env};
use crate::cli::setup;

/// Where a `mfa config` command acts: the global flags, the environment, the user's
/// config folder and the output format, carried together.
#[derive(Clone, Copy)]
pub struct Here<'a> {
    pub global: &'a GlobalArgs,
    pub env: Env<'a>,
    pub config_dir: Option<&'a Path>,
    /// Where the guard's record is, for the doctor `config init` offers.
    pub state_dir: Option<&'a Path>,
    pub format: OutputFormat,
}

/// An edit of the config file, the one sequence every edit follows: the file located,
/// its edit lock taken (held while this lives), the file read anew under it, and at
/// the end the new text saved.
pub struct Edit {
    pub path: PathBuf,
    /// The file's text (`None` if it does not exist yet) and its document.
    pub text: Option<String>,
    pub document: DocumentMut,
    _lock: private_files::Lock,
}

impl Edit {
    /// Locates the file, takes its lock and reads it.
    pub fn begin(here: Here) -> Result<Edit, Failure> {
        let (path, _) = located(here.global, here.env, here.config_dir)?;
        let lock = lock_for_edit(&path, here.global, here.env)?;
        let (text, document) = read_document(&path)?;
        Ok(Edit {
            path,
            text,
            document,
            _lock: lock,
        })
    }

    /// The profile the command acts on, with the file's `default_profile`.
    pub fn profile(&self, here: Here) -> Result<String, Failure> {
        profile_of(here.global, here.env, &self.document, &self.path)
    }

    /// Saves `text` (the document edited, or a new text), read back first; the lock is
    /// let go after.
    pub fn save(&self, text: &str) -> Result<ConfigFile, Failure> {
        save(&self.path, text)
    }
}

/// Takes the config file's edit lock, waiting at most the time-out (`--timeout`, else
/// `MFA_TIMEOUT`, else the default: the file itself is not read before the lock).
pub fn lock_for_edit(
    path: &Path,
    global: &GlobalArgs,
    env: Env,
) -> Result<private_files::Lock, Failure> {
    let patience = global
        .timeout
        .or_else(|| env(table::TIMEOUT.variable?)?.to_str()?.parse().ok())
        .unwrap_or_else(table::Seconds::default_timeout)
        .duration();
    config_file::lock_for_edit(path, patience)
        .map_err(|e| Failure::Config(format!("cannot edit {}: {e}", output::path(path))))
}

/// The config file's path, or the error saying that no place is known for it.
pub fn located(
    global: &GlobalArgs,
    env: Env,
    config_dir: Option<&Path>,
) -> Result<(PathBuf, Origin), Failure> {
    settings::config_path(global.config.as_deref(), env, config_dir).ok_or_else(|| {
        Failure::Config("no user config directory is known; pass --config or set MFA_CONFIG".into())
    })
}

/// The file's text (`None` if it does not exist yet) and its document. A file `mfa`
/// would refuse is refused here too, before anything is changed.
pub fn read_document(path: &Path) -> Result<(Option<String>, DocumentMut), Failure> {
    let failure = |e| settings::load_failure(path, &Origin::Default, e);
    let Some((text, _)) = config_file::read_text(path).map_err(failure)? else {
        return Ok((None, DocumentMut::new()));
    };
    config_file::parse(&text).map_err(failure)?;
    let document = text
        .parse()
        .expect("text that parses as a config file is a TOML document");
    Ok((Some(text), document))
}

/// The selected profile's name, with the document's `default_profile`.
pub fn profile_of(
    global: &GlobalArgs,
    env: Env,
    document: &DocumentMut,
    path: &Path,
) -> Result<String, Failure> {
    let default = document.get("default_profile").and_then(Item::as_str);
    Ok(settings::profile_name(global, env, default, path)?.value)
}

/// The profiles of the file, in its order.
pub fn profile_names(document: &DocumentMut) -> Vec<&str> {
    document
        .get("profiles")
        .and_then(Item::as_table_like)
        .map(|profiles| profiles.iter().map(|(name, _)| name).collect())
        .unwrap_or_default()
}

/// Refuses a profile the file does not have, listing those it has.
pub fn known_profile(document: &DocumentMut, name: &str, path: &Path) -> Result<(), Failure> {
    if has_profile(document, name) {
        return Ok(());
    }
    let known: Vec<String> = profile_names(document)
        .into_iter()
        .map(output::escaped)
        .collect();
    let known = if known.is_empty() {
        "none".to_owned()
    } else {
        known.join(", ")
    };
    Err(Failure::Config(format!(
        "profile `{}` not found in {}; its profiles: {known}",
        output::escaped(name),
        output::path(path)
    )))
}

pub fn has_profile(document: &DocumentMut, profile: &str) -> bool {
    document
        .get("profiles")
        .and_then(Item::as_table_like)
        .is_some_and(|profiles| profiles.contains_key(profile))
}

/// Sets `key` of `profile` to `value`, creating the profile if need be and keeping a
/// value's trailing comment. Setting `password` removes `password_command` and the
/// other way round, since a profile may hold only one; returns the one removed.
pub fn set_key(
    document: &mut DocumentMut,
    profile: &str,
    key: &str,
    mut value: Value,
) -> Result<Option<&'static str>, String> {
    let profiles = document
        .entry("profiles")
        .or_insert_with(|| {
            let mut table = Table::new();
            table.set_implicit(true);
            Item::Table(table)
        })
        .as_table_like_mut()
        .ok_or("`profiles` is not a table")?;
    let table = profiles
        .entry(profile)
        .or_insert(Item::Table(Table::new()))
        .as_table_like_mut()
        .ok_or_else(|| format!("`profiles.{}` is not a table", output::escaped(profile)))?;
    match table.get_mut(key) {
        // Replaced in place, so the key keeps the comment above it.
        Some(old) => {
            if let Some(old_value) = old.as_value() {
                *value.decor_mut() = old_value.decor().clone();
            }
            *old = Item::Value(value);
        }
        None => {
            table.insert(key, Item::Value(value));
        }
    }
    let other = match key {
        "password" => Some("password_command"),
        "password_command" => Some("password"),
        _ => None,
    };
    Ok(other.filter(|other| table.remove(other).is_some()))
}

/// What `profile` holds now, as `setup` shows it: a secret only as `set`.
pub fn current_values(document: &DocumentMut, profile: &str) -> setup::Current {
    let Some(table) = document
        .get("profiles")
        .and_then(Item::as_table_like)
        .and_then(|profiles| profiles.get(profile))
        .and_then(Item::as_table_like)
    else {
        return setup::Current::new();
    };
    table::SETTINGS
        .into_iter()
        .filter_map(|setting| {
            let value = table.get(setting.key)?.as_value()?;
            let shown = match (setting.is_secret(), value.as_str()) {
                (true, _) => "set".to_owned(),
                (false, Some(text)) => text.to_owned(),
                (false, None) => value.to_string().trim().to_owned(),
            };
            Some((setting.key, shown))
        })
        .collect()
}

/// Reads `text` back as `mfa` would, then writes it; returns the file as read.
pub fn save(path: &Path, text: &str) -> Result<ConfigFile, Failure> {
    let file = config_file::parse(text).map_err(|e| {
        Failure::Config(format!(
            "the edit would make {} invalid ({e:?}); it was not written",
            output::path(path)
        ))
    })?;
    let mode = config_file::write(path, text)
        .map_err(|e| Failure::Config(format!("cannot write {}: {e}", output::path(path))))?;
    Ok(ConfigFile { mode, ..file })
}

/// `value` as the TOML value for `setting`, checked by the setting's own rule: a whole
/// number or number as a TOML number, a path made absolute (the file named here, from
/// any folder later), anything else as the string typed.
pub fn checked(setting: &Setting, value: &str) -> Result<Value, InvalidValue> {
    let check = setting.check;
    match setting.kind {
        Kind::Text | Kind::Command => {
            check(value)?;
            Ok(Value::from(value))
        }
        Kind::WholeNumber | Kind::Number => {
            check(value)?;
            Ok(match (value.parse::<i64>(), value.parse::<f64>()) {
                (Ok(whole), _) => Value::from(whole),
                (_, Ok(fraction)) if setting.kind == Kind::Number => Value::from(fraction),
                _ => return Err(InvalidValue::from_rule("must be a number")),
            })
        }
        Kind::Path => {
            // `~/` is the home folder, as a shell would take it unquoted.
            let value = settings::in_home(value).unwrap_or_else(|| PathBuf::from(value));
            let path = std::path::absolute(value)
                .map_err(|err| InvalidValue::from_rule(format!("is not a usable path: {err}")))?;
            let text = path.to_str().ok_or_else(|| {
                InvalidValue::from_rule("must be a path in UTF-8, as TOML holds only text")
            })?;
            check(text)?;
            Ok(Value::from(text))
        }
        Kind::Secret => Err(InvalidValue::from_rule(
            "is read from stdin only: give `-` as the value",
        )),
    }
}

/// The start of a new config file.
pub const FILE_HEADER: &str = "\
# mfa's config file: one [profiles.NAME] table per account or use.
# Flags and environment variables override what is set here.
# `mfa config show` shows what is in effect; `mfa config set KEY VALUE` changes a key.
# default_profile = \"prod\"

";

/// The file's `text` (or a new file's header) with a commented profile for `profile`
/// after it.
pub fn with_template(text: Option<String>, profile: &str) -> String {
    let mut new = match text {
        Some(text) if !text.trim().is_empty() => format!("{}\n\n", text.trim_end()),
        _ => FILE_HEADER.to_owned(),
    };
    new.push_str(&template(profile));
    new
}

/// Takes the profile `name` out of `document`, with the comments right above its header
/// (its own); what stands above those, up to a blank line (the file's top comment, or
/// the end of the profile before), stays where it was.
pub fn remove_profile(document: &mut DocumentMut, name: &str) {
    let Some(profiles) = document
        .get_mut("profiles")
        .and_then(Item::as_table_like_mut)
    else {
        return;
    };
    let Some(Item::Table(removed)) = profiles.remove(name) else {
        return;
    };
    let prefix = removed
        .decor()
        .prefix()
        .and_then(|prefix| prefix.as_str())
        .unwrap_or("");
    let Some(end) = prefix.rfind("\n\n") else {
        return;
    };
    let kept = &prefix[..end + 2];
    // The next table in the file takes it; with none, the end of the file.
    let after = removed.position();
    let next = profiles
        .iter_mut()
        .filter_map(|(_, item)| item.as_table_mut())
        .filter(|table| table.position() > after)
        .min_by_key(|table| table.position());
    match next {
        Some(table) => {
            let own = table
                .decor()
                .prefix()
                .and_then(|prefix| prefix.as_str())
                .unwrap_or("")
                .to_owned();
            table
                .decor_mut()
                .set_prefix(format!("{kept}{}", own.trim_start_matches('\n')));
        }
        None => {
            let trailing = document.trailing().as_str().unwrap_or("").to_owned();
            let kept = kept.trim_end_matches('\n');
            document.set_trailing(format!("{kept}\n{trailing}"));
        }
    }
}

/// A commented profile for `profile`: each key whose row has an example, none set, in
/// the settings table's order. The comments stand above the table's header, where
/// toml_edit keeps them with the table, so keys set later go under the header and the
/// comments never drift into another profile.
pub fn template(profile: &str) -> String {
    // In a comment: a line break in the name must not end it.
    let shown = output::escaped(profile);
    let mut text = format!(
        "# Profile `{shown}`. Uncomment and fill in the keys it needs, or run\n\
         # `mfa --profile {shown} config set KEY VALUE`:\n"
    );
    for setting in table::SETTINGS {
        text.extend(setting.template_line());
    }
    text.push_str(&format!("[profiles.{}]\n", Key::new(profile)));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `checked` for the setting called `key`.
    fn check(key: &str, value: &str) -> Result<Value, InvalidValue> {
        checked(table::by_key(key).unwrap(), value)
    }

    #[test]
    fn every_settable_key_has_a_rule_and_lands_in_a_valid_profile() {
        let examples = [
            ("account_id", "9900000"),
            ("username", "api-user"),
            ("password_command", "pass show x"),
            ("client_id", "c1"),
            ("token_url", "https://example.com/token"),
            ("base_url", "https://example.com/api/v1"),
            ("voice_url", "https://voice.example.com/api/v2"),
            ("messaging_url", "https://messaging.example.com/api/v2"),
            ("dashboard_url", "https://dashboard.example.com/api"),
            ("timeout", "2.5"),
            ("retries", "2"),
            ("from", "+15554443333"),
            ("voice_application_id", "app"),
            ("messaging_application_id", "app"),
            ("digits", "6"),
            ("message", "{CODE}"),
            ("scope", "2FA"),
            ("expiration_minutes", "3"),
            ("allowed_countries", "US,CA"),
            ("refused_number_types", "premium-rate,voip"),
            ("max_codes_per_number", "3/1h"),
            ("uncounted_sends", "refuse"),
            ("max_codes_per_hour", "20"),
            ("log_file", "/var/log/mfa.jsonl"),
            ("ca_roots", "builtin"),
        ];
        let folder = tempfile::tempdir().unwrap();
        let ca_file = folder.path().join("ca.pem");
        let mut ca = rcgen::CertificateParams::new(["ca.example".to_owned()]).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = ca
            .self_signed(&rcgen::KeyPair::generate().unwrap())
            .unwrap();
        std::fs::write(&ca_file, ca.pem()).unwrap();
        let ca_file = ca_file.to_str().unwrap();
        for setting in table::SETTINGS {
            let key = setting.key;
            let mut document = DocumentMut::new();
            let value = if key == "ca_file" {
                check(key, ca_file).unwrap()
            } else if setting.is_secret() {
                assert!(check(key, "s3cr3t").is_err(), "{key} only from stdin");
                Value::from("s3cr3t")
            } else {
                let (_, example) = examples
                    .iter()
                    .find(|(k, _)| *k == key)
                    .unwrap_or_else(|| panic!("no example for {key}"));
                check(key, example).unwrap()
            };
            set_key(&mut document, "p", key, value).unwrap();
            let text = document.to_string();
            assert!(config_file::parse(&text).is_ok(), "{key}: {text}");
        }
    }

    #[test]
    fn the_template_uncommented_is_a_valid_profile_of_each_example_in_the_tables_order() {
        let text = template("p");
        let uncommented: String = text
            .lines()
            .map(|line| line.strip_prefix("#   ").unwrap_or(line))
            .map(|line| format!("{line}\n"))
            .collect();
        // The header last, so the keys go under it.
        let (keys, _) = uncommented.split_once("[profiles.p]").unwrap();
        let profile = format!("[profiles.p]\n{keys}");
        assert!(config_file::parse(&profile).is_ok(), "{profile}");
        let written: Vec<&str> = keys
            .lines()
            .filter_map(|line| line.split_once(" = "))
            .map(|(key, _)| key)
            .collect();
        let with_examples: Vec<&str> = table::SETTINGS
            .iter()
            .filter(|setting| setting.example.is_some())
            .map(|setting| setting.key)
            .collect();
        assert_eq!(written, with_examples);
        // Each example is written with its kind's TOML type.
        let document: DocumentMut = profile.parse().unwrap();
        for key in written {
            let value = document["profiles"]["p"][key].as_value().unwrap();
            match table::by_key(key).unwrap().kind {
                Kind::WholeNumber | Kind::Number => assert!(value.is_integer(), "{key}"),
                _ => assert!(value.is_str(), "{key}"),
            }
        }
    }

    #[test]
    fn values_are_checked_by_the_settings_rules() {
        assert_eq!(
            check("from", "5550000001").unwrap_err().rule(),
            "must be an E.164 number: `+`, a digit 1 to 9, then 1 to 14 more digits, and \
             nothing else (e.g. +15553334444)"
        );
        assert!(check("digits", "9").is_err());
        assert!(check("timeout", "0").is_err());
        assert!(check("base_url", "http://example.com").is_err());
        assert!(check("password_command", " ").is_err());
        assert_eq!(check("timeout", "30").unwrap().as_integer(), Some(30));
        assert_eq!(check("timeout", "2.5").unwrap().as_float(), Some(2.5));
        assert_eq!(check("digits", "6").unwrap().as_integer(), Some(6));
    }

    #[test]
    fn setting_keeps_comments_order_and_a_values_own_comment() {
        let mut document: DocumentMut = "# top\n\
             default_profile = \"prod\"\n\
             \n\
             [profiles.prod]\n\
             # the account\n\
             account_id = \"1\" # old one\n\
             from = \"+15554443333\"\n\
             \n\
             [profiles.test]\n\
             account_id = \"2\"\n"
            .parse()
            .unwrap();
        set_key(&mut document, "prod", "account_id", Value::from("9900000")).unwrap();
        set_key(&mut document, "prod", "digits", Value::from(6)).unwrap();
        assert_eq!(
            document.to_string(),
            "# top\n\
             default_profile = \"prod\"\n\
             \n\
             [profiles.prod]\n\
             # the account\n\
             account_id = \"9900000\" # old one\n\
             from = \"+15554443333\"\n\
             digits = 6\n\
             \n\
             [profiles.test]\n\
             account_id = \"2\"\n"
        );
    }

    #[test]
    fn password_and_password_command_replace_each_other() {
        let mut document: DocumentMut = "[profiles.p]\npassword_command = \"pass x\"\n"
            .parse()
            .unwrap();
        let removed = set_key(&mut document, "p", "password", Value::from("pw")).unwrap();
        assert_eq!(removed, Some("password_command"));
        assert_eq!(document.to_string(), "[profiles.p]\npassword = \"pw\"\n");
        let removed = set_key(&mut document, "p", "username", Value::from("u")).unwrap();
        assert_eq!(removed, None);
    }

    #[test]
    fn a_new_profile_gets_its_own_table_and_odd_names_are_quoted() {
        let mut document = DocumentMut::new();
        set_key(&mut document, "my prod", "account_id", Value::from("1")).unwrap();
        assert_eq!(
            document.to_string(),
            "[profiles.\"my prod\"]\naccount_id = \"1\"\n"
        );
        assert!(template("my prod").ends_with("\n[profiles.\"my prod\"]\n"));
        let text = format!("{FILE_HEADER}{}", template("a.b"));
        let file = config_file::parse(&text).unwrap();
        assert!(file.profiles.contains_key("a.b"), "{text}");
    }
}
