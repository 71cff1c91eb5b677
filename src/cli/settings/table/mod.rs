//! The settings table: one row per setting, everything else derives from it.
//!
//! A row says what a setting is called in each place it can come from (flag,
//! environment variable, profile key), what kind of value it holds, the rule that value
//! follows, whether it is a secret, which calls use it and which cannot be made without
//! it, its default, its question in `mfa config init`, its line in the template, and
//! whether `-h` lists its flag. From the rows come the keys a profile may hold and
//! their TOML types (`config_file`), the keys `mfa config set` takes and how it checks
//! and writes each (`config_command`), the order of `mfa config show`, the `[env: ...]
//! [profile: ...] [default: ...]` of each flag's help and which flags `-h` leaves to
//! `--help` (`args`), the man page's ENVIRONMENT section, the variables `Sources`
//! reads, the settings a call reports missing (`requests`), the doctor's checks of each
//! call, the set-up's questions (`setup`) and the template. The two rows that choose
//! the config file and the profile ([`CHOOSERS`]) are no profile's keys.
//!
//! The rows themselves are in `rows`. Adding a setting: one row there (and its place in
//! [`SETTINGS`]), its field in `args` if it has a flag (named for the row's key), and
//! the line that uses its value; then its line in the README, which the `documented`
//! tests hold to the rows.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use mfa::{Call, InvalidValue};

mod guard_rows;
mod rows;

pub use guard_rows::{
    ALLOWED_COUNTRIES, MAX_CODES_PER_HOUR, MAX_CODES_PER_NUMBER, REFUSED_NUMBER_TYPES,
    UNCOUNTED_SENDS,
};
pub use rows::{
    ACCOUNT_ID, BASE_URL, CA_FILE, CA_ROOTS, CHOOSERS, CLIENT_ID, CLIENT_SECRET, CONFIG_VARIABLE,
    DASHBOARD_URL, DIGITS, EXPIRATION, FROM, LOG_FILE, MESSAGE, MESSAGING_APPLICATION_ID,
    MESSAGING_URL, PASSWORD, PASSWORD_COMMAND, PROFILE_VARIABLE, RETRIES, SCOPE, SETTINGS, TIMEOUT,
    TOKEN_URL, USERNAME, VOICE_APPLICATION_ID, VOICE_URL,
};

/// The rule of the checked type `T`.
fn rule<T: FromStr<Err = InvalidValue>>(value: &str) -> Result<(), InvalidValue> {
    value.parse::<T>().map(drop)
}

/// The calls that send a code.
const SENDS: &[Call] = &[Call::VoiceCode, Call::MessagingCode];

/// What kind of value a setting holds: its TOML type in a profile, and how `config
/// set` takes and writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text: a TOML string.
    Text,
    /// A whole number: a TOML integer.
    WholeNumber,
    /// A number, fractions allowed: a TOML integer or float.
    Number,
    /// A file's path: a TOML string; `config set` keeps it absolute.
    Path,
    /// A secret: a TOML string never shown, set only from stdin.
    Secret,
    /// A shell command: a TOML string, shown (it is no secret), run only for a call.
    Command,
}

/// One setting, as every place it can come from names it.
pub struct Setting {
    /// The profile key: what `mfa config set|show` and the config file call it.
    pub key: &'static str,
    /// What it is, in a message: "no {what}: ...".
    pub what: &'static str,
    /// What the flag does, for its help; the table adds where else it can come from.
    pub help: &'static str,
    /// The flag that gives it, if any (`--account-id`).
    pub flag: Option<&'static str>,
    /// The environment variable that gives it, if any.
    pub variable: Option<&'static str>,
    pub kind: Kind,
    /// The rule a value must follow, from a flag, a variable, the file or `config set`.
    pub check: fn(&str) -> Result<(), InvalidValue>,
    /// The calls that use it.
    pub calls: &'static [Call],
    /// The value used when nothing gives it.
    pub default: Option<&'static str>,
    /// What part of a value that breaks the rule may be a secret, never shown.
    pub hides: Hides,
    /// Whether a profile may hold it: false for the two that choose the config file and
    /// the profile.
    pub in_profile: bool,
    /// The calls that cannot be made without it: what a send or a check reports missing,
    /// and what `mfa doctor` checks for each call.
    pub needed: Needed,
    /// Its question in `mfa config init` at a terminal, if it asks one.
    pub question: Option<Question>,
    /// Its line in the commented profile `mfa config init` writes elsewhere, if any.
    pub example: Option<Example>,
    /// Whether `-h` lists its flag, if every command takes it; else only `--help` does.
    pub in_short_help: bool,
}

/// The calls that cannot be made without a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needed {
    /// None: it has a default, or it is one way among others.
    Never,
    /// These calls.
    By(&'static [Call]),
    /// Every call signed in with a username and password (HTTP Basic): none when client
    /// credentials are given.
    ForBasicAuth,
}

/// A setting's question in `mfa config init`.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    /// What it asks, before the value kept in `[brackets]`.
    pub ask: &'static str,
    /// What Enter takes when the profile holds nothing.
    pub suggested: Option<&'static str>,
    /// Whether Enter may leave it unset (a profile for one channel needs only its own
    /// application id).
    pub may_skip: bool,
    /// Whether it is asked by the choice of how to sign in, in that choice's order,
    /// rather than in the table's after it.
    pub signs_in: bool,
}

/// A setting's commented line in a profile's template: `#   key = value`.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// The comment above the line, if any ("" for none); each of its lines is prefixed
    /// with `# `.
    pub note: &'static str,
    /// An example value that follows the setting's rule, as `mfa config set` takes it.
    pub value: &'static str,
}

/// The part of a mistyped value that may hold a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hides {
    /// Nothing: the value is shown whole.
    Nothing,
    /// A password in a URL (`https://user:password@host`).
    UrlPassword,
    /// What follows a `:` (`user:password` typed as a username).
    AfterColon,
}

impl Setting {
    /// Whether `call` cannot be made without it, signed in as `basic_auth` says.
    pub fn is_needed_by(&self, call: Call, basic_auth: bool) -> bool {
        match self.needed {
            Needed::Never => false,
            Needed::By(calls) => calls.contains(&call),
            Needed::ForBasicAuth => basic_auth,
        }
    }

    /// Its line in a template, with its note above it: `#   key = "value"`.
    pub fn template_line(&self) -> Option<String> {
        let example = self.example?;
        let value = match self.kind {
            Kind::WholeNumber | Kind::Number => example.value.to_owned(),
            _ => toml_edit::Value::from(example.value).to_string(),
        };
        let mut lines = String::new();
        for line in example.note.lines() {
            lines.push_str(&format!("# {line}\n"));
        }
        lines.push_str(&format!("#   {} = {value}\n", self.key));
        Some(lines)
    }

    /// Whether its value is never shown.
    pub fn is_secret(&self) -> bool {
        self.kind == Kind::Secret
    }

    /// A value given for this setting as a message may show it: hidden characters
    /// escaped, and any part that may be a secret (see [`Hides`]) as `***`.
    pub fn shown(&self, value: &str) -> String {
        let value = mfa::unversioned::printable(value);
        match self.hides {
            Hides::Nothing => value.into_owned(),
            Hides::AfterColon => match value.split_once(':') {
                Some((before, _)) => format!("{before}:***"),
                None => value.into_owned(),
            },
            Hides::UrlPassword => without_url_password(&value),
        }
    }
}

/// `scheme://user:password@host/...` as `scheme://user:***@host/...`; anything else as
/// it is.
fn without_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}{path}")
        }
        None => url.to_owned(),
    }
}

impl fmt::Debug for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Setting({})", self.key)
    }
}

/// Every profile key, in the table's order.
pub const KEYS: [&str; SETTINGS.len()] = {
    let mut keys = [""; SETTINGS.len()];
    let mut i = 0;
    while i < SETTINGS.len() {
        keys[i] = SETTINGS[i].key;
        i += 1;
    }
    keys
};

/// The setting a profile key names.
pub fn by_key(key: &str) -> Option<&'static Setting> {
    SETTINGS.into_iter().find(|setting| setting.key == key)
}

/// The profile key a mistyped `word` most likely meant, if one is close: the same but
/// for case, `_` and `-` (`accountid`, `Account-ID`), else the most similar by clap's
/// own measure (Jaro-Winkler), if similar enough.
pub fn closest_key(word: &str) -> Option<&'static str> {
    let plain = |text: &str| -> String {
        text.chars()
            .filter(|c| !matches!(c, '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let typed = plain(word);
    if let Some(key) = KEYS.into_iter().find(|key| plain(key) == typed) {
        return Some(key);
    }
    KEYS.into_iter()
        .map(|key| (strsim::jaro_winkler(&typed, &plain(key)), key))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, key)| key)
}

/// Every row: the two that choose, then every setting.
pub fn every_row() -> impl Iterator<Item = &'static Setting> {
    CHOOSERS.into_iter().chain(SETTINGS)
}

/// The row of `id`, the id clap knows a flag every command takes by: a field of
/// `GlobalArgs` is named for its row's key. `None` for the output options.
pub fn by_global_id(id: &str) -> Option<&'static Setting> {
    every_row().find(|setting| setting.key == id && setting.flag.is_some())
}

/// Every row's variable and what it gives, for the man page, in the rows' order.
pub fn variables() -> Vec<(String, String)> {
    every_row()
        .filter_map(|setting| {
            let variable = setting.variable?;
            Some((variable.to_owned(), format!("the {}", setting.what)))
        })
        .collect()
}

/// The call the command `name` makes, if it makes one.
fn call_of(name: &str) -> Option<Call> {
    match name {
        "voice" => Some(Call::VoiceCode),
        "sms" => Some(Call::MessagingCode),
        "verify" => Some(Call::VerifyCode),
        _ => None,
    }
}

/// Gives each setting's flag its help from the table: what it does, then `[env: X]
/// [profile: key] [default: d]`. A command's own flag is the setting its call uses
/// (`voice --application-id` is the voice application's id). Order is kept.
pub fn describe_flags(command: clap::Command) -> clap::Command {
    command
        .mut_args(|arg| describe(arg, None))
        .mut_subcommands(|sub| {
            let call = call_of(sub.get_name());
            sub.mut_args(|arg| describe(arg, call))
        })
}

/// `arg` with its setting's help, if it is a setting's flag. Where two settings share a
/// flag (`--application-id`), the command's call chooses; a send command's flag for a
/// setting of the check (`voice --expiration`) is the round trip's, so its help says
/// it goes with `--verify`.
fn describe(arg: clap::Arg, call: Option<Call>) -> clap::Arg {
    let Some(long) = arg.get_long() else {
        return arg;
    };
    let of_flag: Vec<&Setting> = every_row()
        .filter(|setting| setting.flag.and_then(|flag| flag.strip_prefix("--")) == Some(long))
        .collect();
    let for_call = |setting: &&&Setting| call.is_none_or(|call| setting.calls.contains(&call));
    let setting = match of_flag.iter().find(for_call) {
        Some(setting) => *setting,
        None if of_flag.len() == 1 => of_flag[0],
        None => return arg,
    };
    let help = flag_help(setting);
    let round_trip = call.is_some_and(|call| !setting.calls.contains(&call));
    match round_trip {
        true => arg.help(format!("With --verify: {}", lowercase_first(&help))),
        false => arg.help(help),
    }
}

/// `text` with its first letter in lower case, to follow a colon.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `Bandwidth account id [env: BW_ACCOUNT_ID] [profile: account_id]`.
fn flag_help(setting: &Setting) -> String {
    let mut help = setting.help.to_owned();
    if let Some(variable) = setting.variable {
        help.push_str(&format!(" [env: {variable}]"));
    }
    if setting.in_profile {
        help.push_str(&format!(" [profile: {}]", setting.key));
    }
    match setting.default {
        Some(default) if default.contains(' ') && setting.kind == Kind::Text => {
            help.push_str(&format!(" [default: \"{default}\"]"));
        }
        Some(default) => help.push_str(&format!(" [default: {default}]")),
        None => {}
    }
    help
}

/// A time-out: more than 0 and at most 3600 seconds, fractions allowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seconds(Duration);

impl Seconds {
    /// [`mfa::DEFAULT_TIMEOUT`].
    pub fn default_timeout() -> Self {
        Seconds(mfa::DEFAULT_TIMEOUT)
    }

    pub fn duration(self) -> Duration {
        self.0
    }
}

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_secs_f64().fmt(f)
    }
}

impl FromStr for Seconds {
    type Err = InvalidValue;

    fn from_str(value: &str) -> Result<Self, InvalidValue> {
        let rule = || InvalidValue::from_rule("must be a number of seconds from 0.001 to 3600");
        let seconds: f64 = value.parse().map_err(|_| rule())?;
        // Not less than a millisecond: a smaller one would be no time at all.
        if (0.001..=3600.0).contains(&seconds) {
            Ok(Seconds(Duration::from_secs_f64(seconds)))
        } else {
            Err(rule())
        }
    }
}

/// `max_codes_per_number`: a limit on the codes to one number (`5/10m`), or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerNumber(pub Option<mfa::CodeLimit>);

impl FromStr for PerNumber {
    type Err = InvalidValue;

    fn from_str(value: &str) -> Result<Self, InvalidValue> {
        match value {
            "off" => Ok(PerNumber(None)),
            limit => limit
                .parse()
                .map(|limit| PerNumber(Some(limit)))
                .map_err(|_| {
                    InvalidValue::from_rule(
                        "must be off, or CODES/WINDOW: 1 to 100000 codes in whole seconds (s), \
                     minutes (m), hours (h) or days (d) up to 30d, e.g. 5/10m",
                    )
                }),
        }
    }
}

/// `max_codes_per_hour`: how many codes in all an hour, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerHour(pub Option<mfa::CodeLimit>);

impl FromStr for PerHour {
    type Err = InvalidValue;

    fn from_str(value: &str) -> Result<Self, InvalidValue> {
        if value == "off" {
            return Ok(PerHour(None));
        }
        let rule =
            || InvalidValue::from_rule("must be off, or a whole number of codes from 1 to 100000");
        let codes: u32 = match value.bytes().all(|b| b.is_ascii_digit()) {
            true => value.parse().map_err(|_| rule())?,
            false => return Err(rule()),
        };
        mfa::CodeLimit::new(codes, Duration::from_secs(3600))
            .map(|limit| PerHour(Some(limit)))
            .map_err(|_| rule())
    }
}

/// `allowed_countries`: ISO 3166 region codes, comma-separated, or `any` (`None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Countries(pub Option<Vec<mfa::Country>>);

impl FromStr for Countries {
    type Err = InvalidValue;

    fn from_str(value: &str) -> Result<Self, InvalidValue> {
        if value == "any" {
            return Ok(Countries(None));
        }
        let rule = |extra: &str| {
            InvalidValue::from_rule(format!(
                "must be any, or ISO 3166 region codes with numbers of their own, \
                 comma-separated, such as US,CA{extra}"
            ))
        };
        // Every region of the plan fits three times over: a longer value is no list.
        if value.len() > 1500 {
            return Err(rule(", at most 1500 characters"));
        }
        let mut countries = Vec::new();
        for code in value.split(',').map(str::trim) {
            let country: mfa::Country = code.parse().map_err(|_| match code {
                "UK" => rule(" (the United Kingdom is GB)"),
                _ => rule(""),
            })?;
            if !countries.contains(&country) {
                countries.push(country);
            }
        }
        Ok(Countries(Some(countries)))
    }
}

/// `refused_number_types`: number types, comma-separated, or `none`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberTypes(pub Vec<mfa::NumberType>);

impl FromStr for NumberTypes {
    type Err = InvalidValue;

    fn from_str(value: &str) -> Result<Self, InvalidValue> {
        if value == "none" {
            return Ok(NumberTypes(Vec::new()));
        }
        let mut types = Vec::new();
        for name in value.split(',').map(str::trim) {
            let kind: mfa::NumberType = name.parse().map_err(|_| {
                let names: Vec<&str> = mfa::NumberType::all()
                    .map(mfa::NumberType::as_str)
                    .collect();
                InvalidValue::from_rule(format!(
                    "must be none, or number types, comma-separated, of {}",
                    names.join(", ")
                ))
            })?;
            if !types.contains(&kind) {
                types.push(kind);
            }
        }
        Ok(NumberTypes(types))
    }
}

/// `uncounted_sends`: what a send does when its limits cannot be counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uncounted {
    /// Goes, with a warning.
    Send,
    /// Is refused.
    Refuse,
}

impl FromStr for Uncounted {
    type Err = InvalidValue;

    fn from_str(value: &str) -> Result<Self, InvalidValue> {
        match value {
            "send" => Ok(Uncounted::Send),
            "refuse" => Ok(Uncounted::Refuse),
            _ => Err(InvalidValue::from_rule("must be send or refuse")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_are_region_codes_or_any_and_number_types_are_named_or_none() {
        let us_ca = ["US", "CA"]
            .map(|c| c.parse::<mfa::Country>().unwrap())
            .to_vec();
        for (value, countries) in [
            ("any", None),
            ("US,CA", Some(us_ca.clone())),
            ("us, ca", Some(us_ca.clone())),
            ("US,CA,US", Some(us_ca)),
        ] {
            assert_eq!(value.parse::<Countries>().unwrap(), Countries(countries));
        }
        let long = vec!["US"; 600].join(",");
        for (bad, says) in [
            ("", "such as US,CA"),
            ("US,,CA", "such as US,CA"),
            ("UK", "(the United Kingdom is GB)"),
            ("USA", "such as US,CA"),
            ("Any", "such as US,CA"),
            (long.as_str(), "at most 1500 characters"),
        ] {
            let refused = bad.parse::<Countries>().unwrap_err();
            assert!(refused.rule().contains(says), "{bad}: {}", refused.rule());
        }
        let premium = mfa::NumberType::PremiumRate;
        assert_eq!("none".parse::<NumberTypes>().unwrap(), NumberTypes(vec![]));
        assert_eq!(
            "premium-rate, voip,premium-rate"
                .parse::<NumberTypes>()
                .unwrap(),
            NumberTypes(vec![premium, mfa::NumberType::Voip])
        );
        for bad in ["", "premium", "premium-rate,", "None", "off"] {
            assert!(bad.parse::<NumberTypes>().is_err(), "{bad}");
        }
        assert_eq!("refuse".parse::<Uncounted>().unwrap(), Uncounted::Refuse);
        assert!("Refuse".parse::<Uncounted>().is_err());
    }

    #[test]
    fn a_limit_is_off_or_codes_in_a_window() {
        assert_eq!("off".parse::<PerNumber>().unwrap(), PerNumber(None));
        let limit = "3/1h".parse::<PerNumber>().unwrap().0.unwrap();
        assert_eq!((limit.codes(), limit.window().as_secs()), (3, 3600));
        for bad in ["", "Off", "5", "0/1m", "5/10x"] {
            assert!(
                bad.parse::<PerNumber>()
                    .unwrap_err()
                    .rule()
                    .starts_with("must be off")
            );
        }
        assert_eq!("off".parse::<PerHour>().unwrap(), PerHour(None));
        let limit = "20".parse::<PerHour>().unwrap().0.unwrap();
        assert_eq!((limit.codes(), limit.window().as_secs()), (20, 3600));
        for bad in ["", "0", "-1", "100001", "20/1h", "+20", "4294967296"] {
            assert!(
                bad.parse::<PerHour>()
                    .unwrap_err()
                    .rule()
                    .starts_with("must be off")
            );
        }
    }

    #[test]
    fn a_value_is_shown_without_the_part_that_may_be_a_secret() {
        assert_eq!(
            TOKEN_URL.shown("https://c:SECRET@example.com/token"),
            "https://c:***@example.com/token"
        );
        assert_eq!(
            BASE_URL.shown("http://user:pw:more@127.0.0.1:9/api?x"),
            "http://user:***@127.0.0.1:9/api?x"
        );
        assert_eq!(
            BASE_URL.shown("http://127.0.0.1:9/api"),
            "http://127.0.0.1:9/api"
        );
        assert_eq!(USERNAME.shown("user:secret"), "user:***");
        assert_eq!(CLIENT_ID.shown("c1 x"), "c1 x");
        assert_eq!(FROM.shown("+1555\n"), "+1555\\n");
    }

    #[test]
    fn keys_are_unique_and_found_by_name() {
        for (i, key) in KEYS.iter().enumerate() {
            assert!(!KEYS[..i].contains(key), "{key} twice");
            assert_eq!(by_key(key).unwrap().key, *key);
        }
        assert!(by_key("pasword").is_none());
    }

    #[test]
    fn only_the_password_and_client_secret_are_secret_and_neither_is_a_flag() {
        let secret: Vec<&str> = SETTINGS
            .iter()
            .filter(|s| s.is_secret())
            .map(|s| s.key)
            .collect();
        assert_eq!(secret, ["password", "client_secret"]);
        assert!(SETTINGS.iter().all(|s| !s.is_secret() || s.flag.is_none()));
    }

    #[test]
    fn each_call_uses_its_own_settings() {
        let used_by = |call: Call| -> Vec<&str> {
            SETTINGS
                .iter()
                .filter(|s| s.calls.contains(&call))
                .map(|s| s.key)
                .collect()
        };
        let voice = used_by(Call::VoiceCode);
        assert!(voice.contains(&"voice_application_id") && voice.contains(&"from"));
        assert!(!voice.contains(&"messaging_application_id"));
        assert!(!voice.contains(&"expiration_minutes"));
        let sms = used_by(Call::MessagingCode);
        assert!(sms.contains(&"messaging_application_id"));
        assert!(!sms.contains(&"voice_application_id"));
        let verify = used_by(Call::VerifyCode);
        assert!(verify.contains(&"expiration_minutes") && verify.contains(&"scope"));
        assert!(!verify.contains(&"from") && !verify.contains(&"digits"));
    }

    #[test]
    fn each_rule_is_the_checked_types() {
        for (setting, good, bad) in [
            (&ACCOUNT_ID, "9900000", ""),
            (&USERNAME, "api-user", "a:b"),
            (&PASSWORD_COMMAND, "pass show x", " "),
            (&CLIENT_ID, "c1", "a b"),
            (&TOKEN_URL, "https://x.example/t", "http://x.example/t"),
            (&BASE_URL, "https://x.example", "ftp://x"),
            (&TIMEOUT, "2.5", "0"),
            (&RETRIES, "10", "11"),
            (&FROM, "+15554443333", "5554443333"),
            (&VOICE_APPLICATION_ID, "a", ""),
            (&DIGITS, "8", "9"),
            (&MESSAGE, "{CODE}", "no code"),
            (&SCOPE, "2FA", ""),
            (&EXPIRATION, "15", "16"),
            (&CA_FILE, "/dev/null", "/no/such/file.pem"),
        ] {
            if setting.key != "ca_file" {
                assert!((setting.check)(good).is_ok(), "{setting:?} {good:?}");
            }
            assert!((setting.check)(bad).is_err(), "{setting:?} {bad:?}");
        }
    }

    #[test]
    fn every_default_follows_its_rule() {
        for setting in SETTINGS {
            if let Some(default) = setting.default {
                assert!((setting.check)(default).is_ok(), "{setting:?}");
            }
        }
    }

    #[test]
    fn every_example_and_suggested_answer_follows_its_rule() {
        for setting in every_row() {
            let example = setting.example.map(|example| example.value);
            let suggested = setting.question.and_then(|question| question.suggested);
            // The CA file's rule reads the file, which the example only names.
            for value in [example, suggested].into_iter().flatten() {
                if setting.kind != Kind::Path {
                    assert!((setting.check)(value).is_ok(), "{setting:?} {value:?}");
                }
            }
            assert!(
                setting.example.is_none() || !setting.is_secret(),
                "{setting:?}"
            );
        }
    }

    #[test]
    fn each_call_needs_what_its_rows_say_and_basic_auth_adds_the_login() {
        let needed = |call: Call, basic_auth: bool| -> Vec<&str> {
            SETTINGS
                .iter()
                .filter(|s| s.is_needed_by(call, basic_auth))
                .map(|s| s.key)
                .collect()
        };
        assert_eq!(
            needed(Call::VoiceCode, false),
            ["account_id", "from", "voice_application_id"]
        );
        assert_eq!(
            needed(Call::MessagingCode, false),
            ["account_id", "from", "messaging_application_id"]
        );
        assert_eq!(
            needed(Call::VerifyCode, false),
            ["account_id", "expiration_minutes"]
        );
        assert_eq!(
            needed(Call::VerifyCode, true),
            ["account_id", "username", "password", "expiration_minutes"]
        );
        // What a call needs, it uses.
        for setting in SETTINGS {
            for call in [Call::VoiceCode, Call::MessagingCode, Call::VerifyCode] {
                if setting.is_needed_by(call, true) {
                    assert!(setting.calls.contains(&call), "{setting:?} {call:?}");
                }
            }
        }
    }

    #[test]
    fn the_two_that_choose_are_rows_of_no_profile() {
        for setting in CHOOSERS {
            assert!(!setting.in_profile && setting.flag.is_some(), "{setting:?}");
            assert!(by_key(setting.key).is_none(), "{setting:?}");
            assert!(!flag_help(setting).contains("[profile:"), "{setting:?}");
        }
        assert!(SETTINGS.iter().all(|setting| setting.in_profile));
        assert_eq!(
            flag_help(&rows::CONFIG),
            "Config file [env: MFA_CONFIG] [default: <user config dir>/mfa/config.toml]"
        );
        assert_eq!(by_global_id("profile").map(|s| s.key), Some("profile"));
        assert_eq!(by_global_id("log_file").map(|s| s.key), Some("log_file"));
        assert!(by_global_id("password").is_none(), "never a flag");
    }

    #[test]
    fn a_template_line_is_its_note_then_the_key_commented() {
        assert_eq!(
            RETRIES.template_line().unwrap(),
            "# Make a request again after a refused connection or HTTP 429 only (never after a\n\
             # time-out or a 5xx):\n\
             #   retries = 2\n"
        );
        assert_eq!(
            MESSAGE.template_line().unwrap(),
            "#   message = \"Your temporary {NAME} {SCOPE} code is {CODE}\"\n"
        );
        assert_eq!(PASSWORD.template_line(), None);
    }

    #[test]
    fn a_mistyped_key_finds_the_key_it_meant() {
        for (typed, meant) in [
            ("accountid", Some("account_id")),
            ("Account-ID", Some("account_id")),
            ("pasword", Some("password")),
            ("expiration", Some("expiration_minutes")),
            ("voice_app_id", Some("voice_application_id")),
            ("colour", None),
        ] {
            assert_eq!(closest_key(typed), meant, "{typed}");
        }
    }

    #[test]
    fn flag_help_says_where_else_the_value_comes_from() {
        assert_eq!(
            flag_help(&TIMEOUT),
            "Give up after this many seconds [env: MFA_TIMEOUT] [profile: timeout] [default: 30]"
        );
        assert!(
            flag_help(&MESSAGE)
                .ends_with(" [default: \"Your temporary {NAME} {SCOPE} code is {CODE}\"]")
        );
        assert_eq!(
            flag_help(&EXPIRATION),
            "How old the code may be, in minutes from 1 to 15 (e.g. 3 or 1.5) [env: \
             MFA_EXPIRATION_MINUTES] [profile: expiration_minutes]"
        );
    }

    #[test]
    fn the_man_page_lists_every_variable_once() {
        let names: Vec<String> = variables().into_iter().map(|(name, _)| name).collect();
        assert_eq!(names[..2], ["MFA_PROFILE", "MFA_CONFIG"]);
        for setting in every_row() {
            if let Some(variable) = setting.variable {
                assert_eq!(names.iter().filter(|n| *n == variable).count(), 1);
            }
        }
    }

    #[test]
    fn timeouts_are_positive_and_bounded() {
        assert_eq!(
            "2.5".parse::<Seconds>().unwrap().duration(),
            Duration::from_millis(2500)
        );
        assert_eq!(
            "3600".parse::<Seconds>().unwrap().duration(),
            Duration::from_secs(3600)
        );
        assert_eq!(
            "0.001".parse::<Seconds>().unwrap().duration(),
            Duration::from_millis(1)
        );
        for bad in [
            "0", "-1", "3600.5", "nan", "inf", "", "1e400", "ten", "1e-300", "0.0009",
        ] {
            assert!(bad.parse::<Seconds>().is_err(), "{bad}");
        }
    }
}
