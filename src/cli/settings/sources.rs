//! Where settings come from: the config file and the profile it selects, the
//! environment, and a flag's value; and one setting resolved from them by precedence.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use mfa::InvalidValue;

use super::table::{self, Kind, Setting};
use super::{Env, non_empty, non_empty_path};
use crate::cli::args::GlobalArgs;
use crate::cli::config_file::{self, LoadError, Profile};
use crate::cli::failure::Failure;
use crate::cli::origin::{Origin, Sourced};

/// The environment and the selected profile: what settings are resolved against.
pub struct Sources<'a> {
    pub(super) env: Env<'a>,
    pub(super) profile: Profile,
    /// `profile `NAME` in FILE`, for messages.
    pub(super) place: String,
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

/// The config file to use: `flag` (`--config`), else `MFA_CONFIG`, else
/// `<config_dir>/mfa/config.toml`; `None` when nothing is named and no user config
/// directory is known.
pub fn config_path(
    flag: Option<&Path>,
    env: Env,
    config_dir: Option<&Path>,
) -> Option<(PathBuf, Origin)> {
    if let Some(path) = flag {
        return Some((path.to_path_buf(), Origin::Flag("--config")));
    }
    if let Some(path) = non_empty_path(env, table::CONFIG_VARIABLE) {
        return Some((path, Origin::Env(table::CONFIG_VARIABLE)));
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
) -> Result<Sourced<String>, Failure> {
    let (value, origin) = match (&global.profile, non_empty(env, table::PROFILE_VARIABLE)?) {
        (Some(name), _) => (name.clone(), Origin::Flag("--profile")),
        (None, Some(name)) => (name, Origin::Env(table::PROFILE_VARIABLE)),
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
    Ok(Sourced { value, origin })
}

/// The error for a file that could not be used.
pub fn load_failure(path: &Path, origin: &Origin, err: LoadError) -> Failure {
    let shown = path.display();
    Failure::Config(match err {
        LoadError::Missing => format!("config file {shown} (from {origin}) does not exist"),
        LoadError::Unreadable(why) => format!("cannot read config file {shown}: {why}"),
        LoadError::Invalid(why) => format!("config file {shown} is invalid: {why}"),
        LoadError::Foreign(foreign) => format!(
            "config file {shown} is not used: {}, so another user could choose its \
             settings (where your password is sent, what runs as you, which files are \
             written); fix it with `{}`",
            foreign.why, foreign.fix
        ),
    })
}

impl<'a> Sources<'a> {
    /// [`load`](Self::load), for a command that goes on despite what it warns of: each
    /// warning is written to `err` first (a JSON object with `--json`).
    pub fn load_warning(
        global: &GlobalArgs,
        env: Env<'a>,
        config_dir: Option<&Path>,
        err: &mut dyn std::io::Write,
    ) -> Result<Self, Failure> {
        let sources = Sources::load(global, env, config_dir)?;
        for warning in &sources.warnings {
            let _ = crate::cli::output::write_warning(err, global.format(), warning);
        }
        Ok(sources)
    }

    /// Finds and reads the config file and selects the profile.
    ///
    /// Only a file the user named must exist, and only a profile the user named
    /// (flag, variable or `default_profile`) must be in it.
    pub fn load(
        global: &GlobalArgs,
        env: Env<'a>,
        config_dir: Option<&Path>,
    ) -> Result<Self, Failure> {
        let Some((path, file_origin)) = config_path(global.config.as_deref(), env, config_dir)
        else {
            if global.profile.is_some() || non_empty(env, table::PROFILE_VARIABLE)?.is_some() {
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
        )?;
        let warnings = file
            .as_ref()
            .and_then(|file| config_file::exposure_warning(&path, file))
            .into_iter()
            .collect();
        // A name from a flag, a variable or the file: shown with its controls escaped.
        let shown_name = mfa::unversioned::printable(&name.value);
        let place = format!("profile `{shown_name}` in {shown}");
        let profile = match file.as_ref().and_then(|f| f.profiles.get(&name.value)) {
            Some(profile) => profile.clone(),
            None => match (&name.origin, &file) {
                (Origin::Default, _) => Profile::default(),
                (origin, None) => {
                    return Err(Failure::Config(format!(
                        "profile `{shown_name}` (from {origin}) not found: there is no config file \
                         at {shown}"
                    )));
                }
                (origin, Some(file)) => {
                    let known: Vec<String> = file
                        .profiles
                        .keys()
                        .map(|name| mfa::unversioned::printable(name).into_owned())
                        .collect();
                    let known = if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    };
                    return Err(Failure::Config(format!(
                        "profile `{shown_name}` (from {origin}) not found in {shown}; its \
                         profiles: {known}"
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
    pub(super) fn new(env: Env<'a>, profile: Profile) -> Self {
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
    pub(super) fn in_profile(&self, key: &'static str) -> Origin {
        Origin::Profile {
            key,
            place: self.place.clone(),
        }
    }

    /// A profile that gives the password two ways at once: which one wins would be a
    /// guess.
    pub(super) fn refuse_a_password_given_twice(&self) -> Result<(), Failure> {
        if self.profile.has(&table::PASSWORD) && self.profile.has(&table::PASSWORD_COMMAND) {
            return Err(Failure::Config(format!(
                "{} has both `password` and `password_command`; keep one",
                self.place
            )));
        }
        Ok(())
    }

    /// One setting: the flag's value, else the variable's, else the profile key's, each
    /// checked by `T`'s rule.
    pub(super) fn pick<T: FromStr<Err = InvalidValue>>(
        &self,
        setting: &Setting,
        flag: Option<T>,
    ) -> Result<Option<Sourced<T>>, Failure> {
        if let Some(value) = flag {
            let origin = Origin::Flag(setting.flag.expect("a flag value comes from a flag"));
            return Ok(Some(Sourced { value, origin }));
        }
        let Some(given) = self.given(setting)? else {
            return Ok(None);
        };
        match given.value.parse() {
            Ok(value) => Ok(Some(Sourced {
                value,
                origin: given.origin,
            })),
            Err(rule) => Err(invalid(setting, &given.value, &given.origin, &rule)),
        }
    }

    /// A setting as text, from the flag's value (`flag`, as typed), else the variable,
    /// else the profile, checked by the setting's rule: for showing it.
    pub(super) fn pick_text(
        &self,
        setting: &Setting,
        flag: Option<String>,
    ) -> Result<Option<Sourced<String>>, Failure> {
        let given = match (flag, setting.flag) {
            (Some(value), Some(name)) => Sourced {
                value,
                origin: Origin::Flag(name),
            },
            _ => match self.given(setting)? {
                Some(given) => given,
                None => return Ok(None),
            },
        };
        // A path is checked, and named, as the file it names.
        let checked = match setting.kind {
            Kind::Path => {
                let path = self.path_of(setting, &given.value, &given.origin);
                path.to_string_lossy().into_owned()
            }
            _ => given.value.clone(),
        };
        match (setting.check)(&checked) {
            Ok(()) => Ok(Some(given)),
            Err(rule) => Err(invalid(setting, &checked, &given.origin, &rule)),
        }
    }

    /// A setting's raw value from its variable, else the profile.
    pub(super) fn given(&self, setting: &Setting) -> Result<Option<Sourced<String>>, Failure> {
        if let Some(name) = setting.variable
            && let Some(value) = non_empty(self.env, name)?
        {
            return Ok(Some(Sourced {
                value,
                origin: Origin::Env(name),
            }));
        }
        Ok(self.profile.text(setting).map(|value| Sourced {
            value,
            origin: self.in_profile(setting.key),
        }))
    }

    /// The file a path setting names: `~/...` is in the home folder, wherever it comes
    /// from (a shell would have said so on a command line, not in a file or a quoted
    /// value); another relative path from the profile is taken from the config file's
    /// folder, so it means the same from any working directory.
    pub(super) fn path_of(&self, setting: &Setting, value: &str, origin: &Origin) -> PathBuf {
        if let Some(home) = in_home(value).filter(|_| setting.kind == Kind::Path) {
            return home;
        }
        let folder = self.file.as_ref().and_then(|file| file.path.parent());
        match (origin, folder) {
            (Origin::Profile { .. }, Some(folder)) if setting.kind == Kind::Path => {
                folder.join(value)
            }
            _ => PathBuf::from(value),
        }
    }

    /// A setting that must be given somewhere; `failure` says which kind of error its
    /// absence is.
    pub(super) fn require<T: FromStr<Err = InvalidValue>>(
        &self,
        setting: &Setting,
        flag: Option<T>,
        failure: fn(String) -> Failure,
    ) -> Result<Sourced<T>, Failure> {
        self.pick(setting, flag)?
            .ok_or_else(|| failure(self.missing(setting)))
    }

    /// The error for a required setting that nothing gave, saying every way to give it.
    pub fn missing(&self, setting: &Setting) -> String {
        format!("no {}: {}", setting.what, self.ways(setting))
    }

    /// Every way to give a setting but the file: "pass --x, set X, or add `x`".
    pub(super) fn ways_short(&self, setting: &Setting) -> String {
        let mut ways = Vec::new();
        if let Some(flag) = setting.flag {
            ways.push(format!("pass {flag}"));
        }
        if let Some(variable) = setting.variable {
            ways.push(format!("set {variable}"));
        }
        let last = format!("add `{}`", setting.key);
        if ways.is_empty() {
            last
        } else {
            format!("{}, or {last}", ways.join(", "))
        }
    }

    /// `profile `NAME` in FILE`, for messages.
    pub(super) fn place_shown(&self) -> &str {
        &self.place
    }

    /// Every way to give a setting: "pass --x, set X, or add `x` to profile ...".
    pub(super) fn ways(&self, setting: &Setting) -> String {
        format!("{} to {}", self.ways_short(setting), self.place)
    }
}

/// The error for a value that breaks its rule: a usage error when a flag gave it, else
/// a configuration error naming the variable or the file, profile and key.
pub(super) fn invalid(
    setting: &Setting,
    value: &str,
    origin: &Origin,
    rule: &InvalidValue,
) -> Failure {
    let message = match setting.kind {
        Kind::Path => format!("the {} {value} (from {origin}) {rule}", setting.what),
        _ => format!("{origin} is invalid (\"{}\"): {rule}", setting.shown(value)),
    };
    match origin {
        Origin::Flag(_) => Failure::Usage(message),
        _ => Failure::Config(message),
    }
}

/// `value` as a path in the home folder, if it begins `~/` (or is `~`) and the home
/// folder is known: what a user means by it, as a shell does. (`~user/` is left alone.)
pub fn in_home(value: &str) -> Option<PathBuf> {
    let rest = match value {
        "~" => "",
        _ => value.strip_prefix("~/")?,
    };
    let home = dirs::home_dir().filter(|home| home.is_absolute())?;
    Some(home.join(rest))
}
