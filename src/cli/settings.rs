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

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use mfa::{
    AccountId, ApplicationId, AuthScheme, BaseUrl, ClientId, Code, CodeRequest, Digits,
    ExpirationMinutes, InvalidValue, MessageTemplate, PhoneNumber, Scope, Secret, TokenUrl,
    Username, VerifyRequest,
};

use crate::cli::args::{GlobalArgs, SendArgs, VerifyArgs};
use crate::cli::config_file::{self, LoadError, Profile};
use crate::cli::credentials::{Login, Password};
use crate::cli::failure::Failure;

mod network;
pub use network::{Endpoint, Network, read_certificates};

/// Looks up an environment variable.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Where a setting's value came from, as a message names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag(&'static str),
    Env(&'static str),
    Profile { key: &'static str, place: String },
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

/// A time-out: more than 0 and at most 3600 seconds, fractions allowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seconds(Duration);

impl Seconds {
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
        let rule = || InvalidValue::from_rule("must be a number of seconds above 0, at most 3600");
        let seconds: f64 = value.parse().map_err(|_| rule())?;
        if seconds > 0.0 && seconds <= 3600.0 {
            Ok(Seconds(Duration::from_secs_f64(seconds)))
        } else {
            Err(rule())
        }
    }
}

/// The environment and the selected profile: what settings are resolved against.
pub struct Sources<'a> {
    env: Env<'a>,
    profile: Profile,
    /// `profile `NAME` in FILE`, for messages.
    place: String,
    /// The config file in use, if any user config directory is known or one was named.
    pub file: Option<FileChoice>,
    /// The selected profile's name.
    pub profile_name: Sourced<String>,
    /// Things the user should fix that do not stop the command, e.g. a config file
    /// holding a password that others can read.
    pub warnings: Vec<String>,
}

/// The config file in use: where it is, why there, and whether it exists.
#[derive(Debug, Clone)]
pub struct FileChoice {
    pub path: PathBuf,
    pub origin: Origin,
    pub exists: bool,
}

/// The config file to use: `--config`, else `MFA_CONFIG`, else
/// `<config_dir>/mfa/config.toml`; `None` when nothing is named and no user config
/// directory is known.
pub fn config_path(
    global: &GlobalArgs,
    env: Env,
    config_dir: Option<&Path>,
) -> Option<(PathBuf, Origin)> {
    if let Some(path) = &global.config {
        return Some((path.clone(), Origin::Flag("--config")));
    }
    if let Some(path) = non_empty(env, "MFA_CONFIG") {
        return Some((path.into(), Origin::Env("MFA_CONFIG")));
    }
    config_dir.map(|dir| (config_file::default_path(dir), Origin::Default))
}

/// The profile to use: `--profile`, else `MFA_PROFILE`, else the file's
/// `default_profile`, else `default`.
pub fn profile_name(
    global: &GlobalArgs,
    env: Env,
    file_default: Option<&str>,
    path: &Path,
) -> Sourced<String> {
    let (value, origin) = match (&global.profile, non_empty(env, "MFA_PROFILE")) {
        (Some(name), _) => (name.clone(), Origin::Flag("--profile")),
        (None, Some(name)) => (name, Origin::Env("MFA_PROFILE")),
        (None, None) => match file_default {
            Some(name) => (
                name.to_owned(),
                Origin::Profile {
                    key: "default_profile",
                    place: path.display().to_string(),
                },
            ),
            None => ("default".to_owned(), Origin::Default),
        },
    };
    Sourced { value, origin }
}

/// The error for a file that could not be used.
pub fn load_failure(path: &Path, origin: &Origin, err: LoadError) -> Failure {
    let shown = path.display();
    Failure::Config(match err {
        LoadError::Missing => format!("config file {shown} (from {origin}) does not exist"),
        LoadError::Unreadable(why) => format!("cannot read config file {shown}: {why}"),
        LoadError::Invalid(why) => format!("config file {shown} is invalid: {why}"),
    })
}

impl<'a> Sources<'a> {
    /// Finds and reads the config file and selects the profile.
    ///
    /// Only a file the user named must exist, and only a profile the user named
    /// (flag, variable or `default_profile`) must be in it.
    pub fn load(
        global: &GlobalArgs,
        env: Env<'a>,
        config_dir: Option<&Path>,
    ) -> Result<Self, Failure> {
        let Some((path, file_origin)) = config_path(global, env, config_dir) else {
            if global.profile.is_some() || non_empty(env, "MFA_PROFILE").is_some() {
                return Err(Failure::Config(
                    "a profile was named, but no user config directory is known to find \
                     the config file in; pass --config or set MFA_CONFIG"
                        .into(),
                ));
            }
            return Ok(Sources {
                env,
                profile: Profile::default(),
                place: "the config file (no user config directory is known)".into(),
                file: None,
                profile_name: Sourced {
                    value: "default".into(),
                    origin: Origin::Default,
                },
                warnings: Vec::new(),
            });
        };
        let named = file_origin != Origin::Default;
        let file = config_file::load(&path, named)
            .map_err(|err| load_failure(&path, &file_origin, err))?;
        let shown = path.display();
        let name = profile_name(
            global,
            env,
            file.as_ref().and_then(|f| f.default_profile.as_deref()),
            &path,
        );
        let warnings = file
            .as_ref()
            .and_then(|file| config_file::exposure_warning(&path, file))
            .into_iter()
            .collect();
        let place = format!("profile `{}` in {shown}", name.value);
        let profile = match file.as_ref().and_then(|f| f.profiles.get(&name.value)) {
            Some(profile) => profile.clone(),
            None => match (&name.origin, &file) {
                (Origin::Default, _) => Profile::default(),
                (origin, None) => {
                    return Err(Failure::Config(format!(
                        "profile `{}` (from {origin}) not found: there is no config file at {shown}",
                        name.value
                    )));
                }
                (origin, Some(file)) => {
                    let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
                    let known = if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    };
                    return Err(Failure::Config(format!(
                        "profile `{}` (from {origin}) not found in {shown}; its profiles: {known}",
                        name.value
                    )));
                }
            },
        };
        let sources = Sources {
            env,
            profile,
            place,
            file: Some(FileChoice {
                exists: file.is_some(),
                path,
                origin: file_origin,
            }),
            profile_name: name,
            warnings,
        };
        sources.refuse_a_password_given_twice()?;
        Ok(sources)
    }

    /// Sources with no config file, for tests.
    #[cfg(test)]
    fn new(env: Env<'a>, profile: Profile) -> Self {
        Sources {
            env,
            profile,
            place: "profile `default` in /cfg/mfa/config.toml".into(),
            file: None,
            profile_name: Sourced {
                value: "default".into(),
                origin: Origin::Default,
            },
            warnings: Vec::new(),
        }
    }

    /// The origin of a key of the selected profile.
    fn in_profile(&self, key: &'static str) -> Origin {
        Origin::Profile {
            key,
            place: self.place.clone(),
        }
    }

    /// A profile that gives the password two ways at once: which one wins would be a
    /// guess.
    fn refuse_a_password_given_twice(&self) -> Result<(), Failure> {
        let p = &self.profile;
        if p.password.is_some() && p.password_command.is_some() {
            return Err(Failure::Config(format!(
                "{} has both `password` and `password_command`; keep one",
                self.place
            )));
        }
        Ok(())
    }

    /// One setting: the flag's value, else the variable's, else the profile key's, each
    /// checked by `T`'s rule.
    fn pick<T: FromStr<Err = InvalidValue>>(
        &self,
        setting: &Setting,
        flag: Option<T>,
        profile_value: Option<String>,
    ) -> Result<Option<Sourced<T>>, Failure> {
        if let Some(value) = flag {
            let origin = Origin::Flag(setting.flag.expect("a flag value comes from a flag"));
            return Ok(Some(Sourced { value, origin }));
        }
        let from_env = setting
            .variable
            .and_then(|name| Some((non_empty(self.env, name)?, Origin::Env(name))));
        let from_profile = || {
            let origin = self.in_profile(setting.key);
            profile_value.map(|raw| (raw, origin))
        };
        let Some((raw, origin)) = from_env.or_else(from_profile) else {
            return Ok(None);
        };
        match raw.parse() {
            Ok(value) => Ok(Some(Sourced { value, origin })),
            Err(err) => Err(Failure::Config(format!(
                "{origin} is invalid ({raw:?}): {err}"
            ))),
        }
    }

    /// A setting that must be given somewhere; `failure` says which kind of error its
    /// absence is.
    fn require<T: FromStr<Err = InvalidValue>>(
        &self,
        setting: &Setting,
        flag: Option<T>,
        profile_value: Option<String>,
        failure: fn(String) -> Failure,
    ) -> Result<Sourced<T>, Failure> {
        self.pick(setting, flag, profile_value)?
            .ok_or_else(|| failure(self.missing(setting)))
    }

    /// The error for a required setting that nothing gave, saying every way to give it.
    fn missing(&self, setting: &Setting) -> String {
        format!("no {}: {}", setting.what, self.ways(setting))
    }

    /// Every way to give a setting: "pass --x, set X, or add `x` to profile ...".
    fn ways(&self, setting: &Setting) -> String {
        let mut ways = Vec::new();
        if let Some(flag) = setting.flag {
            ways.push(format!("pass {flag}"));
        }
        if let Some(variable) = setting.variable {
            ways.push(format!("set {variable}"));
        }
        let last = format!("add `{}` to {}", setting.key, self.place);
        if ways.is_empty() {
            last
        } else {
            format!("{}, or {last}", ways.join(", "))
        }
    }

    /// Where the request goes and how long it may take.
    pub fn connection(&self, global: &GlobalArgs) -> Result<Connection, Failure> {
        let parts = self.connection_parts(global)?;
        Ok(Connection {
            account_id: parts
                .account_id
                .ok_or_else(|| Failure::Config(self.missing(&ACCOUNT_ID)))?,
            base_url: parts.base_url,
            timeout: parts.timeout,
        })
    }

    /// The connection's settings, the account id only if given.
    fn connection_parts(&self, global: &GlobalArgs) -> Result<ConnectionParts, Failure> {
        let p = &self.profile;
        let account_id = self.pick(&ACCOUNT_ID, global.account_id.clone(), p.account_id.clone())?;
        let base_url = self
            .pick(&BASE_URL, global.base_url.clone(), p.base_url.clone())?
            .unwrap_or_else(|| Sourced {
                value: BaseUrl::default(),
                origin: Origin::Default,
            });
        let timeout = self
            .pick(&TIMEOUT, global.timeout, p.timeout.map(|t| t.to_string()))?
            .unwrap_or(Sourced {
                value: Seconds(mfa::DEFAULT_TIMEOUT),
                origin: Origin::Default,
            });
        Ok(ConnectionParts {
            account_id,
            base_url,
            timeout,
        })
    }

    /// Who is calling: OAuth2 client credentials when both the client id and the
    /// secret are given, else the username and password. Nothing is run or fetched
    /// here: a `password_command` runs only when a call is really made.
    pub fn login(&self, global: &GlobalArgs) -> Result<Login, Failure> {
        let p = &self.profile;
        let client_id: Option<Sourced<ClientId>> =
            self.pick(&CLIENT_ID, global.client_id.clone(), p.client_id.clone())?;
        let client_secret = self.secret(&CLIENT_SECRET, &p.client_secret);
        let username: Option<Sourced<Username>> =
            self.pick(&USERNAME, global.username.clone(), p.username.clone())?;
        match (client_id, client_secret, username, self.password()) {
            (Some(client_id), Some(client_secret), _, _) => Ok(Login::Client {
                client_id,
                client_secret,
                token_url: self.token_url()?,
            }),
            (_, _, Some(username), Some(password)) => Ok(Login::Basic { username, password }),
            (Some(client_id), None, _, _) => Err(Failure::Config(format!(
                "no client secret for the client id (from {}): {}",
                client_id.origin,
                self.ways(&CLIENT_SECRET)
            ))),
            (None, Some(client_secret), _, _) => Err(Failure::Config(format!(
                "no client id for the client secret (from {}): {}",
                client_secret.origin,
                self.ways(&CLIENT_ID)
            ))),
            (None, None, None, _) => Err(Failure::Config(self.missing(&USERNAME))),
            (None, None, Some(_), None) => Err(Failure::Config(format!(
                "no API password: set BW_PASSWORD, or add `password` (`mfa config set password \
                 -`) or `password_command` to {} (it is never a flag, so it stays out of shell \
                 history)",
                self.place
            ))),
        }
    }

    /// The scheme the call will use, judged without reading or checking any secret, so
    /// `--dry-run` shows it on a machine with no credentials.
    pub fn scheme(&self, global: &GlobalArgs) -> AuthScheme {
        let p = &self.profile;
        let client_id = global.client_id.is_some()
            || CLIENT_ID
                .variable
                .is_some_and(|name| non_empty(self.env, name).is_some())
            || p.client_id.is_some();
        if client_id && self.secret(&CLIENT_SECRET, &p.client_secret).is_some() {
            AuthScheme::Bearer
        } else {
            AuthScheme::Basic
        }
    }

    /// The password, from `BW_PASSWORD`, else the profile's `password`, else its
    /// `password_command` (not run yet).
    fn password(&self) -> Option<Password> {
        if let Some(given) = self.secret(&PASSWORD, &self.profile.password) {
            return Some(Password::Given(given));
        }
        let command = self.profile.password_command.clone()?;
        Some(Password::Command {
            command: Secret::new(command),
            origin: self.in_profile("password_command"),
        })
    }

    /// A secret from its variable, else the profile. It never passes through `pick`,
    /// whose messages show the value; an empty one counts as unset.
    fn secret(
        &self,
        setting: &Setting,
        profile_value: &Option<Secret<String>>,
    ) -> Option<Sourced<Secret<String>>> {
        let variable = setting.variable.expect("a secret has a variable");
        if let Some(value) = non_empty(self.env, variable) {
            return Some(Sourced {
                value: Secret::new(value),
                origin: Origin::Env(variable),
            });
        }
        let value = profile_value.clone().filter(|v| !v.expose().is_empty())?;
        Some(Sourced {
            value,
            origin: self.in_profile(setting.key),
        })
    }

    /// The OAuth2 token endpoint.
    pub fn token_url(&self) -> Result<Sourced<TokenUrl>, Failure> {
        Ok(self
            .pick(&TOKEN_URL, None, self.profile.token_url.clone())?
            .unwrap_or_else(|| Sourced {
                value: TokenUrl::default(),
                origin: Origin::Default,
            }))
    }

    /// The body of a request to send a code by `channel`. Only the application id
    /// differs between the channels: each has its own variable and profile key, and
    /// one is never taken for the other.
    pub fn code_request(&self, args: &SendArgs, channel: Channel) -> Result<CodeRequest, Failure> {
        let p = &self.profile;
        let from: Sourced<PhoneNumber> =
            self.require(&FROM, args.from.clone(), p.from.clone(), Failure::Usage)?;
        let (application_setting, profile_application_id) = match channel {
            Channel::Voice => (&VOICE_APPLICATION_ID, &p.voice_application_id),
            Channel::Messaging => (&MESSAGING_APPLICATION_ID, &p.messaging_application_id),
        };
        let application_id: Sourced<ApplicationId> = self.require(
            application_setting,
            args.application_id.clone(),
            profile_application_id.clone(),
            Failure::Usage,
        )?;
        let mut request = CodeRequest::new(args.to.clone(), from.value, application_id.value)
            .with_message(self.message(args.message.clone())?.value)
            .with_digits(self.digits(args.digits)?.value);
        request.scope = self.scope(args.scope.clone())?;
        Ok(request)
    }

    /// The message template, or the default one.
    fn message(&self, flag: Option<MessageTemplate>) -> Result<Sourced<MessageTemplate>, Failure> {
        Ok(self
            .pick(&MESSAGE, flag, self.profile.message.clone())?
            .unwrap_or_else(|| Sourced {
                value: MessageTemplate::default(),
                origin: Origin::Default,
            }))
    }

    /// The number of digits, or the default.
    fn digits(&self, flag: Option<Digits>) -> Result<Sourced<Digits>, Failure> {
        Ok(self
            .pick(&DIGITS, flag, self.profile.digits.map(|d| d.to_string()))?
            .unwrap_or_else(|| Sourced {
                value: Digits::default(),
                origin: Origin::Default,
            }))
    }

    /// The body of a request to check `code`. There is no default code lifetime: how
    /// old a code may be is the operator's policy to state, once in the profile or
    /// on each call.
    pub fn verify_request(&self, args: &VerifyArgs, code: Code) -> Result<VerifyRequest, Failure> {
        let p = &self.profile;
        let expiration: Sourced<ExpirationMinutes> = self.require(
            &EXPIRATION,
            args.expiration,
            p.expiration_minutes.map(|m| m.to_string()),
            Failure::Usage,
        )?;
        let mut request = VerifyRequest::new(args.to.clone(), code, expiration.value);
        request.scope = self.scope(args.scope.clone())?;
        Ok(request)
    }

    /// The scope, shared by sending and checking, so that a profile's scope checks
    /// the codes it sent.
    fn scope(&self, flag: Option<Scope>) -> Result<Option<Scope>, Failure> {
        let scope = self.pick(&SCOPE, flag, self.profile.scope.clone())?;
        Ok(scope.map(|scope| scope.value))
    }
}

/// One line of `mfa config show`.
#[derive(Debug, PartialEq)]
pub struct Entry {
    /// The profile key that names the setting.
    pub key: &'static str,
    pub shown: Shown,
}

/// A setting's value as `mfa config show` may show it.
#[derive(Debug, PartialEq)]
pub enum Shown {
    NotSet,
    /// A value, as text; `number` when it is one (JSON shows it unquoted).
    Value {
        text: String,
        number: bool,
        origin: Origin,
    },
    /// A secret: only that it is set, and where.
    Secret {
        origin: Origin,
    },
    /// The password will come from `password_command`, which is not run to show it.
    FromCommand {
        origin: Origin,
    },
}

impl Sources<'_> {
    /// Every setting in effect, in the order of `mfa config set`'s keys, each checked
    /// as a command would check it; a secret only as set or not.
    pub fn entries(&self, global: &GlobalArgs) -> Result<Vec<Entry>, Failure> {
        let p = &self.profile;
        let given = |value: &Option<Sourced<Secret<String>>>| match value {
            Some(secret) => Shown::Secret {
                origin: secret.origin.clone(),
            },
            None => Shown::NotSet,
        };
        let connection = self.connection_parts(global)?;
        let password = match self.password() {
            Some(Password::Given(given)) => Shown::Secret {
                origin: given.origin,
            },
            Some(Password::Command { origin, .. }) => Shown::FromCommand { origin },
            None => Shown::NotSet,
        };
        let command = match &p.password_command {
            Some(command) => Shown::Value {
                text: command.clone(),
                number: false,
                origin: self.in_profile("password_command"),
            },
            None => Shown::NotSet,
        };
        Ok(vec![
            entry("account_id", connection.account_id, false),
            entry(
                "username",
                self.pick::<Username>(&USERNAME, global.username.clone(), p.username.clone())?,
                false,
            ),
            Entry {
                key: "password",
                shown: password,
            },
            Entry {
                key: "password_command",
                shown: command,
            },
            entry(
                "client_id",
                self.pick::<ClientId>(&CLIENT_ID, global.client_id.clone(), p.client_id.clone())?,
                false,
            ),
            Entry {
                key: "client_secret",
                shown: given(&self.secret(&CLIENT_SECRET, &p.client_secret)),
            },
            entry("token_url", Some(self.token_url()?), false),
            entry("base_url", Some(connection.base_url), false),
            entry("timeout", Some(connection.timeout), true),
            entry("retries", Some(self.retries(global)?), true),
            entry(
                "ca_file",
                self.ca_file(global)?.map(|file| Sourced {
                    value: file.path.display().to_string(),
                    origin: file.origin,
                }),
                false,
            ),
            entry(
                "from",
                self.pick::<PhoneNumber>(&FROM, None, p.from.clone())?,
                false,
            ),
            entry(
                "voice_application_id",
                self.pick::<ApplicationId>(
                    &VOICE_APPLICATION_ID,
                    None,
                    p.voice_application_id.clone(),
                )?,
                false,
            ),
            entry(
                "messaging_application_id",
                self.pick::<ApplicationId>(
                    &MESSAGING_APPLICATION_ID,
                    None,
                    p.messaging_application_id.clone(),
                )?,
                false,
            ),
            entry("digits", Some(self.digits(None)?), true),
            entry("message", Some(self.message(None)?), false),
            entry(
                "scope",
                self.pick::<Scope>(&SCOPE, None, p.scope.clone())?,
                false,
            ),
            entry(
                "expiration_minutes",
                self.pick::<ExpirationMinutes>(
                    &EXPIRATION,
                    None,
                    p.expiration_minutes.map(|m| m.to_string()),
                )?,
                true,
            ),
        ])
    }
}

fn entry<T: fmt::Display>(key: &'static str, value: Option<Sourced<T>>, number: bool) -> Entry {
    Entry {
        key,
        shown: match value {
            Some(value) => Shown::Value {
                text: value.value.to_string(),
                number,
                origin: value.origin,
            },
            None => Shown::NotSet,
        },
    }
}

/// How a code is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Voice,
    Messaging,
}

/// What a setting is called in each place it can come from: one row of the settings
/// table in CONTRACT.md.
pub struct Setting {
    /// What it is, in a message: "no {what}: ...".
    what: &'static str,
    flag: Option<&'static str>,
    variable: Option<&'static str>,
    key: &'static str,
}

const ACCOUNT_ID: Setting = Setting {
    what: "account id",
    flag: Some("--account-id"),
    variable: Some("BW_ACCOUNT_ID"),
    key: "account_id",
};
const USERNAME: Setting = Setting {
    what: "API username",
    flag: Some("--username"),
    variable: Some("BW_USERNAME"),
    key: "username",
};
const PASSWORD: Setting = Setting {
    what: "API password",
    flag: None,
    variable: Some("BW_PASSWORD"),
    key: "password",
};
const CLIENT_ID: Setting = Setting {
    what: "client id",
    flag: Some("--client-id"),
    variable: Some("BW_CLIENT_ID"),
    key: "client_id",
};
const CLIENT_SECRET: Setting = Setting {
    what: "client secret",
    flag: None,
    variable: Some("BW_CLIENT_SECRET"),
    key: "client_secret",
};
const TOKEN_URL: Setting = Setting {
    what: "token URL",
    flag: None,
    variable: Some("MFA_TOKEN_URL"),
    key: "token_url",
};
const BASE_URL: Setting = Setting {
    what: "base URL",
    flag: Some("--base-url"),
    variable: Some("MFA_BASE_URL"),
    key: "base_url",
};
const TIMEOUT: Setting = Setting {
    what: "time-out",
    flag: Some("--timeout"),
    variable: Some("MFA_TIMEOUT"),
    key: "timeout",
};
const RETRIES: Setting = Setting {
    what: "number of retries",
    flag: Some("--retries"),
    variable: Some("MFA_RETRIES"),
    key: "retries",
};
const FROM: Setting = Setting {
    what: "from number",
    flag: Some("--from"),
    variable: Some("BW_NUMBER"),
    key: "from",
};
const VOICE_APPLICATION_ID: Setting = Setting {
    what: "voice application id",
    flag: Some("--application-id"),
    variable: Some("BW_VOICE_APPLICATION_ID"),
    key: "voice_application_id",
};
const MESSAGING_APPLICATION_ID: Setting = Setting {
    what: "messaging application id",
    flag: Some("--application-id"),
    variable: Some("BW_MESSAGING_APPLICATION_ID"),
    key: "messaging_application_id",
};
const EXPIRATION: Setting = Setting {
    what: "code lifetime",
    flag: Some("--expiration"),
    variable: None,
    key: "expiration_minutes",
};
const SCOPE: Setting = Setting {
    what: "scope",
    flag: Some("--scope"),
    variable: None,
    key: "scope",
};
const MESSAGE: Setting = Setting {
    what: "message",
    flag: Some("--message"),
    variable: None,
    key: "message",
};
const DIGITS: Setting = Setting {
    what: "number of digits",
    flag: Some("--digits"),
    variable: None,
    key: "digits",
};

/// Every setting that has a variable, in the order of the contract's table.
const WITH_VARIABLES: [&Setting; 12] = [
    &ACCOUNT_ID,
    &USERNAME,
    &PASSWORD,
    &CLIENT_ID,
    &CLIENT_SECRET,
    &TOKEN_URL,
    &BASE_URL,
    &TIMEOUT,
    &RETRIES,
    &FROM,
    &VOICE_APPLICATION_ID,
    &MESSAGING_APPLICATION_ID,
];

/// Every environment variable `mfa` reads and what it gives, for the man page.
pub fn variables() -> Vec<(String, String)> {
    let mut all = vec![
        ("MFA_PROFILE".to_owned(), "the profile to use".to_owned()),
        ("MFA_CONFIG".to_owned(), "the config file".to_owned()),
    ];
    all.extend(WITH_VARIABLES.iter().filter_map(|setting| {
        let variable = setting.variable?;
        Some((variable.to_owned(), format!("the {}", setting.what)))
    }));
    all.extend(network::variables());
    all
}

/// The connection's settings before the account id is required.
struct ConnectionParts {
    account_id: Option<Sourced<AccountId>>,
    base_url: Sourced<BaseUrl>,
    timeout: Sourced<Seconds>,
}

/// Where requests go, and for how long to wait.
#[derive(Debug)]
pub struct Connection {
    pub account_id: Sourced<AccountId>,
    pub base_url: Sourced<BaseUrl>,
    pub timeout: Sourced<Seconds>,
}

/// A variable's value, with the empty string counting as unset.
fn non_empty(env: Env, name: &str) -> Option<String> {
    env(name).filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::{Cli, Command};
    use clap::Parser;
    use std::collections::HashMap;

    fn cli(args: &[&str]) -> Cli {
        let mut all = vec!["mfa", "voice", "--to", "+15553334444"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap()
    }

    fn send_args(cli: &Cli) -> &SendArgs {
        match &cli.command {
            Command::Voice(args) | Command::Sms(args) => args,
            other => panic!("not a send: {other:?}"),
        }
    }

    fn verify_args(args: &[&str]) -> VerifyArgs {
        let mut all = vec!["mfa", "verify", "--to", "+15553334444", "--code", "1234"];
        all.extend_from_slice(args);
        match Cli::try_parse_from(all).unwrap().command {
            Command::Verify(args) => args,
            other => panic!("not verify: {other:?}"),
        }
    }

    impl Sources<'_> {
        fn voice_code(&self, args: &SendArgs) -> Result<CodeRequest, Failure> {
            self.code_request(args, Channel::Voice)
        }
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn profile(account_id: &str, from: &str) -> Profile {
        Profile {
            account_id: Some(account_id.into()),
            from: Some(from.into()),
            ..Profile::default()
        }
    }

    #[test]
    fn the_flag_beats_the_environment_which_beats_the_profile() {
        let env = env_of(&[("BW_ACCOUNT_ID", "from-env")]);
        let sources = Sources::new(&env, profile("from-profile", "+15550000001"));
        let with_flag = sources
            .connection(&cli(&["--account-id", "from-flag"]).global)
            .unwrap();
        assert_eq!(with_flag.account_id.value.as_str(), "from-flag");
        assert_eq!(with_flag.account_id.origin, Origin::Flag("--account-id"));

        let without_flag = sources.connection(&cli(&[]).global).unwrap();
        assert_eq!(without_flag.account_id.value.as_str(), "from-env");
        assert_eq!(without_flag.account_id.origin, Origin::Env("BW_ACCOUNT_ID"));

        let no_env = env_of(&[]);
        let sources = Sources::new(&no_env, profile("from-profile", "+15550000001"));
        let from_profile = sources.connection(&cli(&[]).global).unwrap();
        assert_eq!(from_profile.account_id.value.as_str(), "from-profile");
        assert_eq!(
            from_profile.account_id.origin.to_string(),
            "key `account_id` of profile `default` in /cfg/mfa/config.toml"
        );
    }

    #[test]
    fn an_empty_variable_counts_as_unset() {
        let env = env_of(&[
            ("BW_ACCOUNT_ID", ""),
            ("BW_NUMBER", ""),
            ("BW_PASSWORD", ""),
        ]);
        let sources = Sources::new(&env, profile("from-profile", "+15550000001"));
        let connection = sources.connection(&cli(&[]).global).unwrap();
        assert_eq!(connection.account_id.value.as_str(), "from-profile");
        let request = sources
            .voice_code(send_args(&cli(&["--application-id", "app"])))
            .unwrap();
        assert_eq!(request.from.as_str(), "+15550000001");
        let Err(Failure::Config(message)) = sources.login(&cli(&["--username", "u"]).global) else {
            panic!()
        };
        assert!(
            message.starts_with("no API password: set BW_PASSWORD, or add `password`"),
            "{message}"
        );
    }

    #[test]
    fn defaults_fill_what_nothing_gives() {
        let env = env_of(&[("BW_ACCOUNT_ID", "1")]);
        let sources = Sources::new(&env, Profile::default());
        let connection = sources.connection(&cli(&[]).global).unwrap();
        assert_eq!(
            connection.base_url.value.as_str(),
            "https://mfa.bandwidth.com/api/v1"
        );
        assert_eq!(connection.base_url.origin, Origin::Default);
        assert_eq!(connection.timeout.value.duration(), Duration::from_secs(30));
        let request = sources
            .voice_code(send_args(&cli(&[
                "--from",
                "+15550000001",
                "--application-id",
                "a",
            ])))
            .unwrap();
        assert_eq!(request.digits.get(), 6);
        assert_eq!(request.message.as_str(), mfa::DEFAULT_MESSAGE);
        assert_eq!(request.scope, None);
    }

    #[test]
    fn every_request_setting_follows_the_same_order() {
        let env = env_of(&[
            ("BW_NUMBER", "+15550000002"),
            ("BW_VOICE_APPLICATION_ID", "env-app"),
        ]);
        let profile = Profile {
            from: Some("+15550000003".into()),
            voice_application_id: Some("profile-app".into()),
            digits: Some(4),
            message: Some("p {CODE}".into()),
            scope: Some("p-scope".into()),
            ..Profile::default()
        };
        let sources = Sources::new(&env, profile);
        let request = sources.voice_code(send_args(&cli(&[]))).unwrap();
        assert_eq!(request.from.as_str(), "+15550000002");
        assert_eq!(request.application_id.as_str(), "env-app");
        assert_eq!(request.digits.get(), 4);
        assert_eq!(request.message.as_str(), "p {CODE}");
        assert_eq!(request.scope.unwrap().as_str(), "p-scope");
        let request = sources
            .voice_code(send_args(&cli(&[
                "--from",
                "+15550000004",
                "--application-id",
                "flag-app",
                "--digits",
                "8",
                "--message",
                "f {CODE}",
                "--scope",
                "f-scope",
            ])))
            .unwrap();
        assert_eq!(request.from.as_str(), "+15550000004");
        assert_eq!(request.application_id.as_str(), "flag-app");
        assert_eq!(request.digits.get(), 8);
        assert_eq!(request.message.as_str(), "f {CODE}");
        assert_eq!(request.scope.unwrap().as_str(), "f-scope");
    }

    #[test]
    fn a_bad_value_from_the_environment_is_a_config_error_naming_it() {
        let env = env_of(&[("BW_NUMBER", "5550000001")]);
        let sources = Sources::new(&env, Profile::default());
        let Err(Failure::Config(message)) =
            sources.voice_code(send_args(&cli(&["--application-id", "a"])))
        else {
            panic!()
        };
        assert!(
            message.starts_with(
                "environment variable BW_NUMBER is invalid (\"5550000001\"): must be an E.164"
            ),
            "{message}"
        );
    }

    #[test]
    fn a_bad_value_from_the_profile_names_the_key_and_profile() {
        let env = env_of(&[]);
        let sources = Sources::new(
            &env,
            Profile {
                digits: Some(9),
                ..Profile::default()
            },
        );
        let Err(Failure::Config(message)) = sources.voice_code(send_args(&cli(&[
            "--from",
            "+15550000001",
            "--application-id",
            "a",
        ]))) else {
            panic!()
        };
        assert_eq!(
            message,
            "key `digits` of profile `default` in /cfg/mfa/config.toml is invalid (\"9\"): \
             must be a whole number from 2 to 8"
        );
    }

    #[test]
    fn a_missing_request_value_is_a_usage_error_naming_every_way_to_give_it() {
        let env = env_of(&[]);
        let sources = Sources::new(&env, Profile::default());
        let Err(Failure::Usage(message)) =
            sources.voice_code(send_args(&cli(&["--application-id", "a"])))
        else {
            panic!()
        };
        assert_eq!(
            message,
            "no from number: pass --from, set BW_NUMBER, or add `from` to profile `default` in \
             /cfg/mfa/config.toml"
        );
    }

    #[test]
    fn a_missing_account_id_is_a_config_error() {
        let env = env_of(&[]);
        let sources = Sources::new(&env, Profile::default());
        let Err(Failure::Config(message)) = sources.connection(&cli(&[]).global) else {
            panic!()
        };
        assert!(
            message.starts_with("no account id: pass --account-id, set BW_ACCOUNT_ID"),
            "{message}"
        );
    }

    /// The password `login` resolves to, and the advice for a refusal.
    fn password_and_advice(login: &Login) -> (String, String) {
        let Ok(mfa::Credentials::Basic { password, .. }) =
            login.credentials(Duration::from_secs(5))
        else {
            panic!("{login:?}")
        };
        let refused = mfa::Error::Api {
            status: 401,
            message: None,
            request_id: None,
        };
        (password.expose().clone(), login.advice(&refused).unwrap())
    }

    #[test]
    fn the_password_comes_from_the_environment_then_the_profile_and_is_never_shown() {
        let env = env_of(&[("BW_PASSWORD", "env-secret")]);
        let with_profile = Profile {
            password: Some(Secret::from("file-secret")),
            ..Profile::default()
        };
        let sources = Sources::new(&env, with_profile.clone());
        let login = sources.login(&cli(&["--username", "u"]).global).unwrap();
        assert_eq!(
            password_and_advice(&login),
            (
                "env-secret".to_owned(),
                "check the username (from --username) and the password (from environment \
                 variable BW_PASSWORD)"
                    .to_owned()
            )
        );
        assert!(!format!("{login:?}").contains("env-secret"));

        let no_env = env_of(&[]);
        let sources = Sources::new(&no_env, with_profile);
        let login = sources.login(&cli(&["--username", "u"]).global).unwrap();
        assert_eq!(password_and_advice(&login).0, "file-secret");
        assert!(!format!("{login:?}").contains("file-secret"));
    }

    #[test]
    fn a_password_command_runs_only_when_nothing_else_gives_the_password() {
        let profile = Profile {
            password_command: Some("printf 'from-command\\n'".into()),
            ..Profile::default()
        };
        let no_env = env_of(&[]);
        let sources = Sources::new(&no_env, profile.clone());
        let login = sources.login(&cli(&["--username", "u"]).global).unwrap();
        assert_eq!(
            password_and_advice(&login),
            (
                "from-command".to_owned(),
                "check the username (from --username) and the password (from key \
                 `password_command` of profile `default` in /cfg/mfa/config.toml)"
                    .to_owned()
            )
        );
        let env = env_of(&[("BW_PASSWORD", "env-secret")]);
        let sources = Sources::new(&env, profile);
        let login = sources.login(&cli(&["--username", "u"]).global).unwrap();
        assert_eq!(password_and_advice(&login).0, "env-secret");
    }

    #[test]
    fn complete_client_credentials_win_over_basic() {
        let env = env_of(&[
            ("BW_USERNAME", "u"),
            ("BW_PASSWORD", "pw"),
            ("BW_CLIENT_ID", "c1"),
            ("BW_CLIENT_SECRET", "cs"),
        ]);
        let sources = Sources::new(&env, Profile::default());
        let global = cli(&[]).global;
        let login = sources.login(&global).unwrap();
        assert_eq!(login.scheme(), AuthScheme::Bearer);
        assert_eq!(sources.scheme(&global), AuthScheme::Bearer);
        let Ok(mfa::Credentials::ClientCredentials(client)) =
            login.credentials(Duration::from_secs(1))
        else {
            panic!("{login:?}")
        };
        assert_eq!(client.client_id.as_str(), "c1");
        assert_eq!(client.client_secret.expose(), "cs");
        assert_eq!(
            client.token_url.as_str(),
            "https://api.bandwidth.com/api/v1/oauth2/token"
        );
        assert!(!format!("{login:?}").contains("cs\""));

        // A client id alone does not make client credentials: Basic is used.
        let env = env_of(&[
            ("BW_USERNAME", "u"),
            ("BW_PASSWORD", "pw"),
            ("BW_CLIENT_ID", "c1"),
        ]);
        let sources = Sources::new(&env, Profile::default());
        assert_eq!(sources.login(&global).unwrap().scheme(), AuthScheme::Basic);
        assert_eq!(sources.scheme(&global), AuthScheme::Basic);
    }

    #[test]
    fn half_of_the_client_credentials_says_what_is_missing_and_where_the_rest_came_from() {
        let env = env_of(&[]);
        let sources = Sources::new(
            &env,
            Profile {
                client_secret: Some(Secret::from("cs")),
                ..Profile::default()
            },
        );
        let Err(Failure::Config(message)) = sources.login(&cli(&[]).global) else {
            panic!()
        };
        assert_eq!(
            message,
            "no client id for the client secret (from key `client_secret` of profile \
             `default` in /cfg/mfa/config.toml): pass --client-id, set BW_CLIENT_ID, or add \
             `client_id` to profile `default` in /cfg/mfa/config.toml"
        );
        let sources = Sources::new(&env, Profile::default());
        let Err(Failure::Config(message)) = sources.login(&cli(&["--client-id", "c1"]).global)
        else {
            panic!()
        };
        assert_eq!(
            message,
            "no client secret for the client id (from --client-id): set BW_CLIENT_SECRET, or \
             add `client_secret` to profile `default` in /cfg/mfa/config.toml"
        );
    }

    #[test]
    fn the_token_url_follows_the_settings_order() {
        let env = env_of(&[
            ("BW_CLIENT_ID", "c1"),
            ("BW_CLIENT_SECRET", "cs"),
            ("MFA_TOKEN_URL", "http://127.0.0.1:9/token"),
        ]);
        let profile = Profile {
            token_url: Some("https://example.com/token".into()),
            ..Profile::default()
        };
        let sources = Sources::new(&env, profile.clone());
        let Login::Client { token_url, .. } = sources.login(&cli(&[]).global).unwrap() else {
            panic!()
        };
        assert_eq!(token_url.value.as_str(), "http://127.0.0.1:9/token");
        assert_eq!(token_url.origin, Origin::Env("MFA_TOKEN_URL"));
        let env = env_of(&[
            ("BW_CLIENT_ID", "c1"),
            ("BW_CLIENT_SECRET", "cs"),
            ("MFA_TOKEN_URL", "http://example.com/token"),
        ]);
        let Err(Failure::Config(message)) = Sources::new(&env, profile).login(&cli(&[]).global)
        else {
            panic!()
        };
        assert!(
            message.starts_with(
                "environment variable MFA_TOKEN_URL is invalid (\"http://example.com/token\"): \
                 must start with https://"
            ),
            "{message}"
        );
    }

    #[test]
    fn show_lists_every_settable_key_in_order_and_no_secret() {
        let env = env_of(&[("BW_PASSWORD", "env-secret"), ("BW_ACCOUNT_ID", "99")]);
        let sources = Sources::new(
            &env,
            Profile {
                client_secret: Some(Secret::from("file-secret")),
                digits: Some(4),
                ..Profile::default()
            },
        );
        let entries = sources.entries(&cli(&[]).global).unwrap();
        let keys: Vec<&str> = entries.iter().map(|entry| entry.key).collect();
        assert_eq!(keys, crate::cli::args::SETTABLE_KEYS);
        let shown = format!("{entries:?}");
        assert!(!shown.contains("env-secret") && !shown.contains("file-secret"));
        assert_eq!(
            entries[2].shown,
            Shown::Secret {
                origin: Origin::Env("BW_PASSWORD")
            }
        );
        let digits = entries.iter().find(|e| e.key == "digits").unwrap();
        assert!(matches!(&digits.shown, Shown::Value { text, number: true, .. } if text == "4"));
    }

    #[test]
    fn a_bad_username_from_the_environment_is_refused() {
        let env = env_of(&[("BW_USERNAME", "a:b"), ("BW_PASSWORD", "pw")]);
        let sources = Sources::new(&env, Profile::default());
        let Err(Failure::Config(message)) = sources.login(&cli(&[]).global) else {
            panic!()
        };
        assert!(
            message.starts_with("environment variable BW_USERNAME is invalid"),
            "{message}"
        );
    }

    #[test]
    fn a_password_given_two_ways_is_refused() {
        let env = env_of(&[]);
        let sources = Sources::new(
            &env,
            Profile {
                password: Some(Secret::from("pw")),
                password_command: Some("pass x".into()),
                ..Profile::default()
            },
        );
        let Err(Failure::Config(message)) = sources.refuse_a_password_given_twice() else {
            panic!()
        };
        assert_eq!(
            message,
            "profile `default` in /cfg/mfa/config.toml has both `password` and \
             `password_command`; keep one"
        );
    }

    #[test]
    fn a_named_profile_without_a_config_dir_is_an_error() {
        let env = env_of(&[("MFA_PROFILE", "prod")]);
        let Err(Failure::Config(message)) = Sources::load(&cli(&[]).global, &env, None) else {
            panic!()
        };
        assert!(
            message.starts_with("a profile was named, but no user config directory"),
            "{message}"
        );
        let none = env_of(&[]);
        assert!(Sources::load(&cli(&[]).global, &none, None).is_ok());
    }

    #[test]
    fn sms_takes_the_messaging_application_id_and_never_the_voice_one() {
        let voice_only = env_of(&[("BW_VOICE_APPLICATION_ID", "voice-app")]);
        let sources = Sources::new(
            &voice_only,
            Profile {
                from: Some("+15550000001".into()),
                voice_application_id: Some("voice-app".into()),
                ..Profile::default()
            },
        );
        let Err(Failure::Usage(message)) =
            sources.code_request(send_args(&cli(&[])), Channel::Messaging)
        else {
            panic!()
        };
        assert_eq!(
            message,
            "no messaging application id: pass --application-id, set \
             BW_MESSAGING_APPLICATION_ID, or add `messaging_application_id` to profile \
             `default` in /cfg/mfa/config.toml"
        );

        let both = env_of(&[
            ("BW_VOICE_APPLICATION_ID", "voice-env"),
            ("BW_MESSAGING_APPLICATION_ID", "sms-env"),
        ]);
        let profile = Profile {
            from: Some("+15550000001".into()),
            voice_application_id: Some("voice-file".into()),
            messaging_application_id: Some("sms-file".into()),
            ..Profile::default()
        };
        let sources = Sources::new(&both, profile.clone());
        let args = cli(&[]);
        let sms = sources
            .code_request(send_args(&args), Channel::Messaging)
            .unwrap();
        assert_eq!(sms.application_id.as_str(), "sms-env");
        let voice = sources
            .code_request(send_args(&args), Channel::Voice)
            .unwrap();
        assert_eq!(voice.application_id.as_str(), "voice-env");
        let none = env_of(&[]);
        let sources = Sources::new(&none, profile);
        let sms = sources
            .code_request(send_args(&args), Channel::Messaging)
            .unwrap();
        assert_eq!(sms.application_id.as_str(), "sms-file");
    }

    #[test]
    fn verify_takes_its_lifetime_from_the_flag_then_the_profile() {
        let env = env_of(&[]);
        let code: Code = "1234".parse().unwrap();
        let sources = Sources::new(
            &env,
            Profile {
                expiration_minutes: Some(5),
                scope: Some("login".into()),
                ..Profile::default()
            },
        );
        let from_profile = sources
            .verify_request(&verify_args(&[]), code.clone())
            .unwrap();
        assert_eq!(from_profile.expiration_minutes.get(), 5);
        assert_eq!(from_profile.scope.unwrap().as_str(), "login");
        let from_flag = sources
            .verify_request(
                &verify_args(&["--expiration", "15", "--scope", "2FA"]),
                code.clone(),
            )
            .unwrap();
        assert_eq!(from_flag.expiration_minutes.get(), 15);
        assert_eq!(from_flag.scope.unwrap().as_str(), "2FA");
    }

    #[test]
    fn verify_without_a_lifetime_says_how_to_give_one() {
        let env = env_of(&[]);
        let sources = Sources::new(&env, Profile::default());
        let Err(Failure::Usage(message)) =
            sources.verify_request(&verify_args(&[]), "1234".parse().unwrap())
        else {
            panic!()
        };
        assert_eq!(
            message,
            "no code lifetime: pass --expiration, or add `expiration_minutes` to profile \
             `default` in /cfg/mfa/config.toml"
        );
        let sources = Sources::new(
            &env,
            Profile {
                expiration_minutes: Some(16),
                ..Profile::default()
            },
        );
        let Err(Failure::Config(message)) =
            sources.verify_request(&verify_args(&[]), "1234".parse().unwrap())
        else {
            panic!()
        };
        assert_eq!(
            message,
            "key `expiration_minutes` of profile `default` in /cfg/mfa/config.toml is invalid \
             (\"16\"): must be a whole number of minutes from 1 to 15"
        );
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
        for bad in ["0", "-1", "3600.5", "nan", "inf", "", "1e400", "ten"] {
            assert!(bad.parse::<Seconds>().is_err(), "{bad}");
        }
    }
}
