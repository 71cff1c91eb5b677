//! The config file: where it is, how it is read and written, and what a profile may
//! hold.
//!
//! Unknown keys are errors that name the key, so a typo never drops a setting
//! silently. Parse errors give the line and the parser's words but never the line's
//! text, which may hold a password. A file that holds a secret and that others can
//! read draws a warning with the fix. A file that another user could change is refused
//! as a whole, as ssh refuses its config ([`owned_path`]'s rule, checked on the file
//! opened): every setting in it could send the password to a server of theirs, run a
//! command of theirs or write to the user's files. Writes replace the file whole,
//! keeping its mode (a new file gets 0600), so a failed write never leaves half a file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mfa::Secret;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};

use crate::cli::owned_path::{self, Access, Foreign, Refusal};
use crate::cli::private_files;
use crate::cli::settings::table::{self, Kind, Setting};
use crate::cli::untrusted_file::Unreadable;

/// The whole file: an optional default profile and the profiles by name.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// The file's permission bits, as opened (0 for text not read from a file).
    #[serde(skip)]
    pub mode: u32,
}

/// One `[profiles.NAME]` table: keys of the settings table, each with the TOML type of
/// its kind. Every key is optional: the environment may hold all.
#[derive(Debug, Default, Clone)]
pub struct Profile {
    values: BTreeMap<&'static str, ProfileValue>,
}

/// A value as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileValue {
    Text(String),
    Whole(i64),
    Fraction(f64),
    Secret(Secret<String>),
}

impl Profile {
    /// The value of `setting` as text, as a flag or variable would give it; `None` if
    /// the profile does not hold it or it is a secret.
    pub fn text(&self, setting: &Setting) -> Option<String> {
        match self.values.get(setting.key)? {
            ProfileValue::Text(text) => Some(text.clone()),
            ProfileValue::Whole(n) => Some(n.to_string()),
            ProfileValue::Fraction(x) => Some(x.to_string()),
            ProfileValue::Secret(_) => None,
        }
    }

    /// The secret `setting`, if the profile holds it.
    pub fn secret(&self, setting: &Setting) -> Option<&Secret<String>> {
        match self.values.get(setting.key)? {
            ProfileValue::Secret(secret) => Some(secret),
            _ => None,
        }
    }

    /// Whether the profile holds `setting`.
    pub fn has(&self, setting: &Setting) -> bool {
        self.values.contains_key(setting.key)
    }

    /// A profile of `pairs` of key and TOML value, for tests.
    #[cfg(test)]
    pub fn of(toml: &str) -> Self {
        parse(&format!("[profiles.p]\n{toml}"))
            .unwrap()
            .profiles
            .remove("p")
            .unwrap()
    }
}

impl<'de> Deserialize<'de> for Profile {
    /// Each key must be one of the table's, and its value of its kind's TOML type. A
    /// message names the key and the type expected, never the value: a password typed
    /// without quotes is still a password.
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = Profile;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of settings")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Profile, A::Error> {
                let mut values = BTreeMap::new();
                while let Some(setting) = map.next_key_seed(KeyOf)? {
                    let value = map.next_value_seed(ValueOf(setting))?;
                    values.insert(setting.key, value);
                }
                Ok(Profile { values })
            }
        }
        deserializer.deserialize_map(Keys)
    }
}

/// Reads a key, which must be one of the settings table's; refused as it is read, so
/// the message gives the key's own line.
struct KeyOf;

impl<'de> DeserializeSeed<'de> for KeyOf {
    type Value = &'static Setting;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyOf {
    type Value = &'static Setting;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a setting's key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        table::by_key(key).ok_or_else(|| {
            let shown = mfa::unversioned::printable(key);
            E::custom(match table::closest_key(key) {
                Some(meant) => format!("unknown key `{shown}`; did you mean `{meant}`?"),
                None => format!(
                    "unknown key `{shown}`; the keys are `{}`",
                    table::KEYS.join("`, `")
                ),
            })
        })
    }
}

/// Reads one value of `setting`, of its kind's TOML type.
struct ValueOf(&'static Setting);

impl ValueOf {
    fn wrong<E: de::Error>(&self) -> E {
        let expected = match self.0.kind {
            Kind::WholeNumber => "a whole number",
            Kind::Number => "a number",
            Kind::Text | Kind::Path | Kind::Secret | Kind::Command => "a string, in quotes",
        };
        E::custom(format!("`{}` must be {expected}", self.0.key))
    }
}

impl<'de> DeserializeSeed<'de> for ValueOf {
    type Value = ProfileValue;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<ProfileValue, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueOf {
    type Value = ProfileValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "the value of `{}`", self.0.key)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<ProfileValue, E> {
        match self.0.kind {
            Kind::Secret => Ok(ProfileValue::Secret(Secret::new(text.to_owned()))),
            Kind::Text | Kind::Path | Kind::Command => Ok(ProfileValue::Text(text.to_owned())),
            Kind::WholeNumber | Kind::Number => Err(self.wrong()),
        }
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<ProfileValue, E> {
        match self.0.kind {
            Kind::WholeNumber | Kind::Number => Ok(ProfileValue::Whole(n)),
            _ => Err(self.wrong()),
        }
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<ProfileValue, E> {
        match i64::try_from(n) {
            Ok(n) => self.visit_i64(n),
            Err(_) => Err(self.wrong()),
        }
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<ProfileValue, E> {
        match self.0.kind {
            Kind::Number => Ok(ProfileValue::Fraction(x)),
            _ => Err(self.wrong()),
        }
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<ProfileValue, E> {
        Err(self.wrong())
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<ProfileValue, A::Error> {
        Err(self.wrong())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<ProfileValue, A::Error> {
        Err(self.wrong())
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
    /// Another user could change it: it is not the user's config.
    Foreign(Foreign),
}

/// Reads the file at `path`. A missing file is `Ok(None)` when `named` is false (the
/// default path), and an error when the user named it.
pub fn load(path: &Path, named: bool) -> Result<Option<ConfigFile>, LoadError> {
    match read_text(path)? {
        Some((text, mode)) => parse(&text).map(|file| Some(ConfigFile { mode, ..file })),
        None if named => Err(LoadError::Missing),
        None => Ok(None),
    }
}

/// The largest config file read: a file of many profiles is a few KiB.
const CONFIG_CAP: u64 = 1024 * 1024;

/// The file's text and permission bits, or `None` if there is no file. Only a regular
/// file of UTF-8 text, at most [`CONFIG_CAP`], that is the user's own is read.
pub fn read_text(path: &Path) -> Result<Option<(String, u32)>, LoadError> {
    match owned_path::read(path, CONFIG_CAP) {
        Ok((bytes, mode)) => String::from_utf8(bytes)
            .map(|text| Some((text, mode)))
            .map_err(|_| LoadError::Unreadable("it is not UTF-8 text".into())),
        Err(Refusal::Unusable(Unreadable::Missing)) => Ok(None),
        Err(Refusal::Foreign(foreign)) => Err(LoadError::Foreign(foreign)),
        Err(why) => Err(LoadError::Unreadable(why.to_string())),
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
        // The parser's words quote a key as the file wrote it: escaped, like any text
        // from the file.
        let words = mfa::unversioned::printable(err.message().trim_end()).into_owned();
        LoadError::Invalid(format!("{place}{words}"))
    })
}

/// The warning for a file that holds a password or client secret and that the
/// group or others may read, with the `chmod` that fixes it.
pub fn exposure_warning(path: &Path, file: &ConfigFile) -> Option<String> {
    let exposed = exposure(path, file)?;
    Some(format!(
        "{exposed}; run `chmod 600 {}`",
        owned_path::shell_quoted(path)
    ))
}

/// If `file` (read from `path`) holds a secret its group or others may read: makes the
/// file private (mode 600, on the file opened), and says so, or why it could not.
pub fn make_private_if_exposed(path: &Path, file: &ConfigFile) -> Option<String> {
    let exposed = exposure(path, file)?;
    Some(match make_private(path) {
        Ok(()) => format!("{exposed}; it is 600 now"),
        Err(e) => format!("{exposed}, and could not be made 600: {e}"),
    })
}

/// What a file that holds a secret its group or others may read exposes, in words.
fn exposure(path: &Path, file: &ConfigFile) -> Option<String> {
    let holds = |setting| file.profiles.values().any(|p| p.secret(setting).is_some());
    let (password, client_secret) = (holds(&table::PASSWORD), holds(&table::CLIENT_SECRET));
    let holds = match (password, client_secret) {
        (true, true) => "a password and a client secret",
        (true, false) => "a password",
        (false, true) => "a client secret",
        (false, false) => return None,
    };
    let mode = file.mode;
    let who = match (mode & 0o040 != 0, mode & 0o004 != 0) {
        (true, true) => "its group and others",
        (true, false) => "its group",
        (false, true) => "others",
        (false, false) => return None,
    };
    Some(format!(
        "config file {} holds {holds} and can be read by {who} (mode {mode:o})",
        path.display()
    ))
}

/// Replaces the file at `path` with `text`, keeping its mode, or with mode 0600 if it
/// is new; its folder is created (mode 0700) if need be. A symbolic link is followed,
/// so the file it points to is the one replaced, or made if it does not exist yet:
/// the link is never replaced by a file of its own. Returns the file's mode.
pub fn write(path: &Path, text: &str) -> std::io::Result<u32> {
    let path = followed(path)?;
    let mode = match owned_path::open(&path, Access::Read) {
        Ok(opened) => Some(opened.mode),
        Err(Refusal::Unusable(Unreadable::Missing)) => None,
        Err(why) => return Err(std::io::Error::other(why.to_string())),
    };
    private_files::replace(&path, text.as_bytes(), mode)?;
    Ok(mode.unwrap_or(0o600))
}

/// Takes the group's and others' access to the config file at `path` away (mode 600),
/// on the file opened (a link's target, checked as [`owned_path`] checks it).
fn make_private(path: &Path) -> std::io::Result<()> {
    let opened = owned_path::open(path, Access::Read)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        opened
            .file
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = opened;
    Ok(())
}

/// The file `path` names once every symbolic link on the way is followed, whether or
/// not that file exists yet; each link and folder checked as [`owned_path`] checks them.
pub fn followed(path: &Path) -> std::io::Result<PathBuf> {
    Ok(owned_path::resolve(path)?)
}

/// Takes the lock that serialises edits of the config file at `path` (a file beside
/// the one a link leads to, `NAME.lock`), waiting at most `patience` for another
/// run's edit to end. Held until the returned file is dropped; each edit reads the
/// file anew under it, so two edits at once both land.
pub fn lock_for_edit(path: &Path, patience: Duration) -> std::io::Result<private_files::Lock> {
    let path = followed(path)?;
    let (folder, mut name) = owned_path::split(&path);
    name.push(".lock");
    private_files::lock(
        &folder.join(name),
        patience,
        "its lock file",
        "another run is editing it, and has",
    )
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
        assert_eq!(prod.text(&table::ACCOUNT_ID).as_deref(), Some("9900000"));
        assert_eq!(prod.secret(&table::PASSWORD).unwrap().expose(), "hunter2");
        assert_eq!(prod.text(&table::PASSWORD), None, "a secret is never text");
        assert_eq!(prod.text(&table::DIGITS).as_deref(), Some("6"));
        assert_eq!(prod.text(&table::TIMEOUT).as_deref(), Some("2.5"));
        assert!(prod.has(&table::TIMEOUT) && !prod.has(&table::SCOPE));
    }

    #[test]
    fn an_unknown_key_is_named() {
        let err = parse("[profiles.prod]\npasword = \"hunter2\"\n").unwrap_err();
        let LoadError::Invalid(message) = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            message,
            "line 2: unknown key `pasword`; did you mean `password`?"
        );
        let LoadError::Invalid(message) = parse("[profiles.prod]\ncolour = \"x\"\n").unwrap_err()
        else {
            panic!()
        };
        assert!(
            message.starts_with("line 2: unknown key `colour`; the keys are `account_id`, "),
            "{message}"
        );
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
    fn a_value_of_the_wrong_type_names_the_key_and_the_type_never_the_value() {
        for (toml, message) in [
            (
                "password = 73317331",
                "`password` must be a string, in quotes",
            ),
            (
                "client_secret = 7.5",
                "`client_secret` must be a string, in quotes",
            ),
            ("username = true", "`username` must be a string, in quotes"),
            ("digits = \"six\"", "`digits` must be a whole number"),
            ("digits = 6.5", "`digits` must be a whole number"),
            ("timeout = \"30\"", "`timeout` must be a number"),
            ("from = [1]", "`from` must be a string, in quotes"),
            ("scope = { a = 1 }", "`scope` must be a string, in quotes"),
        ] {
            let LoadError::Invalid(shown) = parse(&format!("[profiles.p]\n{toml}\n")).unwrap_err()
            else {
                panic!("{toml}")
            };
            assert!(shown.starts_with("line 2: "), "{toml}: {shown}");
            assert!(shown.contains(message), "{toml}: {shown}");
            for part in ["73317331", "7.5", "true", "six", "6.5"] {
                assert!(!shown.contains(part), "{toml}: {shown}");
            }
        }
    }

    #[test]
    fn every_key_of_the_table_may_be_in_a_profile() {
        for setting in table::SETTINGS {
            let value = match setting.kind {
                Kind::WholeNumber | Kind::Number => "1",
                _ => "\"x\"",
            };
            let file = parse(&format!("[profiles.p]\n{} = {value}\n", setting.key)).unwrap();
            assert!(file.profiles["p"].has(setting), "{setting:?}");
        }
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
        assert_eq!(
            file.profiles["prod"].text(&table::DIGITS).as_deref(),
            Some("6")
        );
        assert!(file.profiles.contains_key("test"));
    }

    #[cfg(unix)]
    #[test]
    fn a_secret_others_can_read_draws_a_warning_with_the_fix() {
        let path = Path::new("/home/me/my config.toml");
        let read = |text: &str, mode| ConfigFile {
            mode,
            ..parse(text).unwrap()
        };
        let with_password = |mode| read("[profiles.a]\npassword = \"pw\"\n", mode);
        let with_secret = read("[profiles.a]\nclient_secret = \"s\"\n", 0o640);
        let without = read("[profiles.a]\npassword_command = \"pass x\"\n", 0o644);
        assert_eq!(
            exposure_warning(path, &with_password(0o644)).unwrap(),
            "config file /home/me/my config.toml holds a password and can be read by its \
             group and others (mode 644); run `chmod 600 '/home/me/my config.toml'`"
        );
        assert!(
            exposure_warning(path, &with_secret)
                .unwrap()
                .contains("holds a client secret and can be read by its group (mode 640)")
        );
        assert_eq!(exposure_warning(path, &without), None);
        for private in [0o600, 0o400, 0o700, 0o622] {
            assert_eq!(
                exposure_warning(path, &with_password(private)),
                None,
                "{private:o}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn writing_keeps_the_mode_and_makes_new_files_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new").join("config.toml");
        let mode_of = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(write(&path, "a = 1\n").unwrap(), 0o600);
        assert_eq!(mode_of(&path), 0o600);
        assert_eq!(mode_of(path.parent().unwrap()), 0o700);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert_eq!(write(&path, "a = 2\n").unwrap(), 0o640);
        assert_eq!(mode_of(&path), 0o640);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 2\n");
        // Through a link, the file it points to is replaced and the link kept.
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        write(&link, "a = 3\n").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 3\n");
    }

    #[test]
    fn the_default_path_is_under_the_config_dir() {
        assert_eq!(
            default_path(Path::new("/home/u/.config")),
            PathBuf::from("/home/u/.config/mfa/config.toml")
        );
    }
}
