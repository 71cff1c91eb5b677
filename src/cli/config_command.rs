//! `mfa config path|init|set|show`: seeing and editing profiles.
//!
//! Each acts on the config file in use and the selected profile, found the same way
//! as for every other command. Edits go through toml_edit, so the rest of the file
//! keeps its comments, order and layout; a value is checked by the same rule as the
//! flag or variable for the same setting, and the edited file is read back as `mfa`
//! reads it before it replaces the old one, so `mfa config` never writes a file that
//! `mfa` would refuse. Secrets are set from stdin only and shown only as set or not.

use std::io::Write;
use std::path::{Path, PathBuf};

use mfa::InvalidValue;
use toml_edit::{DocumentMut, Item, Key, Table, Value};

use crate::cli::args::{ConfigCommand, DoctorArgs, GlobalArgs, OutputFormat};
use crate::cli::config_file::{self, ConfigFile};
use crate::cli::doctor;
use crate::cli::failure::{Exit, Failure};
use crate::cli::input::Input;
use crate::cli::origin::Origin;
use crate::cli::output;
use crate::cli::settings::table::{self, Kind, Setting};
use crate::cli::settings::{self, Env, ShownSetting, ShownValue, Sources};
use crate::cli::setup::{self, Answer};

/// Where a `mfa config` command acts: the global flags, the environment, the user's
/// config folder and the output format, carried together.
#[derive(Clone, Copy)]
struct Here<'a> {
    global: &'a GlobalArgs,
    env: Env<'a>,
    config_dir: Option<&'a Path>,
    format: OutputFormat,
}

/// Runs one `mfa config` command.
pub fn run(
    command: &ConfigCommand,
    global: &GlobalArgs,
    env: Env,
    config_dir: Option<&Path>,
    input: &mut Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Failure> {
    let here = Here {
        global,
        env,
        config_dir,
        format: global.format(),
    };
    if global.dry_run
        && matches!(
            command,
            ConfigCommand::Init { .. }
                | ConfigCommand::Set { .. }
                | ConfigCommand::Unset { .. }
                | ConfigCommand::Use { .. }
                | ConfigCommand::Remove { .. }
        )
    {
        return Err(Failure::Usage(
            "--dry-run is for voice, sms and verify; `mfa config show` shows a profile \
             without changing it"
                .into(),
        ));
    }
    match command {
        ConfigCommand::Path => path(here, out),
        ConfigCommand::Init { no_input } if input.terminal && !no_input => {
            set_up(here, input, out, err)
        }
        ConfigCommand::Init { .. } => init(here, out, err),
        ConfigCommand::Set { key, value } => set(here, key, value, input, out, err),
        ConfigCommand::Show => show(here, out, err),
        ConfigCommand::Get { key } => get(here, key, out),
        ConfigCommand::Unset { key } => unset(here, key, out, err),
        ConfigCommand::Profiles => profiles(here, out),
        ConfigCommand::Use { name } => use_profile(here, name, out, err),
        ConfigCommand::Remove { name, yes } => remove(here, name, *yes, input, out, err),
    }
}

/// An edit of the config file, the one sequence every edit follows: the file located,
/// its edit lock taken (held while this lives), the file read anew under it, and at
/// the end the new text saved.
struct Edit {
    path: PathBuf,
    /// The file's text (`None` if it does not exist yet) and its document.
    text: Option<String>,
    document: DocumentMut,
    _lock: std::fs::File,
}

impl Edit {
    /// Locates the file, takes its lock and reads it.
    fn begin(here: Here) -> Result<Edit, Failure> {
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
    fn profile(&self, here: Here) -> Result<String, Failure> {
        profile_of(here.global, here.env, &self.document, &self.path)
    }

    /// Saves `text` (the document edited, or a new text), read back first; the lock is
    /// let go after.
    fn save(&self, text: &str) -> Result<ConfigFile, Failure> {
        save(&self.path, text)
    }
}

/// `mfa config path`.
fn path(here: Here, out: &mut dyn Write) -> Result<Exit, Failure> {
    let format = here.format;
    let (path, origin) = located(here.global, here.env, here.config_dir)?;
    let shown = match format {
        OutputFormat::Text => writeln!(out, "{}", path.display()),
        OutputFormat::Json => writeln!(
            out,
            "{}",
            serde_json::json!({
                "path": path.display().to_string(),
                "origin": origin.to_string(),
                "exists": path.exists(),
            })
        ),
    };
    output::written(shown, out, "the path")?;
    Ok(Exit::Success)
}

/// `mfa config init` without questions: a commented template for the profile.
fn init(here: Here, out: &mut dyn Write, err: &mut dyn Write) -> Result<Exit, Failure> {
    let format = here.format;
    let edit = Edit::begin(here)?;
    let profile = edit.profile(here)?;
    let (path, document) = (&edit.path, &edit.document);
    if has_profile(document, &profile) {
        return Err(Failure::Config(format!(
            "profile `{}` already exists in {}; change it with `mfa config set KEY \
             VALUE`",
            output::escaped(&profile),
            output::path(path)
        )));
    }
    edit.save(&with_template(edit.text.clone(), &profile))?;
    // The hint names the profile unless it is the one used with none named.
    let file_default = document.get("default_profile").and_then(Item::as_str);
    let named = profile != file_default.unwrap_or("default");
    let hint = named.then_some(profile.as_str());
    let said = confirm(out, err, format, path, &profile, None, hint);
    output::written(said, out, "the result")?;
    Ok(Exit::Success)
}

/// `mfa config set KEY VALUE` (a secret: `-`, from stdin).
fn set(
    here: Here,
    key: &str,
    value: &str,
    input: &mut Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Failure> {
    let format = here.format;
    let setting = table::by_key(key)
        .ok_or_else(|| Failure::Usage(format!("`{}` is not a setting", output::escaped(key))))?;
    let key = setting.key;
    let new_value = match (setting.kind, value) {
        (Kind::Secret, "-") => Value::from(input.read_secret(key)?.expose().as_str()),
        (Kind::Secret, _) => {
            return Err(Failure::Usage(format!(
                "the {} is never given on the command line, where shell history and \
                 the process list would keep it; run `mfa config set {key} -` and \
                 type or pipe it in",
                key.replace('_', " ")
            )));
        }
        _ => checked(setting, value).map_err(|rule| {
            Failure::Usage(format!(
                "invalid value '{}' for `{key}`: {rule}",
                setting.shown(value)
            ))
        })?,
    };
    let mut edit = Edit::begin(here)?;
    let profile = edit.profile(here)?;
    let replaced = set_key(&mut edit.document, &profile, key, new_value).map_err(|why| {
        Failure::Config(format!(
            "cannot set `{key}` in {}: {why}",
            output::path(&edit.path)
        ))
    })?;
    let file = edit.save(&edit.document.to_string())?;
    if let Some(other) = replaced {
        let _ = output::write_warning(
            err,
            format,
            &format!(
                "removed `{other}` from profile `{}`, since `{key}` replaces it",
                output::escaped(&profile)
            ),
        );
    }
    let said = confirm(out, err, format, &edit.path, &profile, Some(key), None);
    output::written(said, out, "the result")?;
    if let Some(warning) = config_file::exposure_warning(&edit.path, &file) {
        let _ = output::write_warning(err, format, &warning);
    }
    Ok(Exit::Success)
}

/// `mfa config show`: every setting with where it comes from.
fn show(here: Here, out: &mut dyn Write, err: &mut dyn Write) -> Result<Exit, Failure> {
    let (global, format) = (here.global, here.format);
    let sources = Sources::load(global, here.env, here.config_dir)?;
    for warning in &sources.warnings {
        let _ = output::write_warning(err, format, warning);
    }
    let shown = sources.show(global)?;
    let login = sources.login(global);
    let credentials = match &login {
        Ok(login) => Ok(login.scheme()),
        Err(failure) => Err(failure.reason()),
    };
    let listed = write_show(out, format, &sources, &credentials, &shown);
    output::written(listed, out, "the settings")?;
    Ok(Exit::Success)
}

/// `mfa config get KEY`: one setting's value as it would be used (exit 1 if unset).
fn get(here: Here, key: &str, out: &mut dyn Write) -> Result<Exit, Failure> {
    let (global, format) = (here.global, here.format);
    let sources = Sources::load(global, here.env, here.config_dir)?;
    let shown = sources.show(global)?;
    let Some(line) = shown.iter().find(|line| line.setting.key == key) else {
        return Err(Failure::Usage(format!(
            "`{}` is not a setting",
            output::escaped(key)
        )));
    };
    let printed = match format {
        OutputFormat::Text => match &line.value {
            ShownValue::NotSet if line.setting.is_secret() => writeln!(out, "not set"),
            ShownValue::NotSet => Ok(()),
            ShownValue::Value { text, .. } => writeln!(out, "{}", output::escaped(text)),
            ShownValue::Secret { .. } | ShownValue::FromCommand { .. } => {
                writeln!(out, "set")
            }
        },
        OutputFormat::Json => {
            let mut object = shown_json(&line.value);
            object["key"] = key.into();
            writeln!(out, "{object}")
        }
    };
    output::written(printed, out, "the value")?;
    if line.value == ShownValue::NotSet {
        return Ok(Exit::AnswerNo);
    }
    Ok(Exit::Success)
}

/// `mfa config unset KEY`: the key out of the profile.
fn unset(here: Here, key: &str, out: &mut dyn Write, err: &mut dyn Write) -> Result<Exit, Failure> {
    let format = here.format;
    let mut edit = Edit::begin(here)?;
    let profile = edit.profile(here)?;
    let removed = edit
        .document
        .get_mut("profiles")
        .and_then(Item::as_table_like_mut)
        .and_then(|profiles| profiles.get_mut(&profile))
        .and_then(Item::as_table_like_mut)
        .and_then(|table| table.remove(key))
        .is_some();
    if removed {
        edit.save(&edit.document.to_string())?;
    }
    let said = match format {
        OutputFormat::Text if removed => writeln!(
            err,
            "mfa: removed `{key}` from profile `{}` in {}",
            output::escaped(&profile),
            output::path(&edit.path)
        ),
        OutputFormat::Text => writeln!(
            err,
            "mfa: `{key}` was not set in profile `{}` in {}; nothing changed",
            output::escaped(&profile),
            output::path(&edit.path)
        ),
        OutputFormat::Json => writeln!(
            out,
            "{}",
            serde_json::json!({
                "path": edit.path.display().to_string(),
                "profile": profile,
                "key": key,
                "removed": removed,
            })
        ),
    };
    output::written(said, out, "the result")?;
    Ok(Exit::Success)
}

/// `mfa config profiles`: the profiles, the default and the one in use marked.
fn profiles(here: Here, out: &mut dyn Write) -> Result<Exit, Failure> {
    let (global, env, format) = (here.global, here.env, here.format);
    let (path, _) = located(global, env, here.config_dir)?;
    let (_, document) = read_document(&path)?;
    let default = document
        .get("default_profile")
        .and_then(Item::as_str)
        .unwrap_or("default");
    let in_use = settings::profile_name(global, env, Some(default), &path)?;
    let chosen = matches!(in_use.origin, Origin::Flag(_) | Origin::Env(_));
    let names = profile_names(&document);
    let listed = match format {
        OutputFormat::Text => names.iter().try_for_each(|name| {
            let mark = match (*name == default, chosen && *name == in_use.value) {
                (true, true) => format!(" (default, in use from {})", in_use.origin),
                (true, false) => " (default)".to_owned(),
                (false, true) => format!(" (in use from {})", in_use.origin),
                (false, false) => String::new(),
            };
            writeln!(out, "{}{mark}", output::escaped(name))
        }),
        OutputFormat::Json => {
            let profiles: Vec<serde_json::Value> = names
                .iter()
                .map(|name| {
                    serde_json::json!({
                        "name": name,
                        "default": *name == default,
                        "inUse": *name == in_use.value,
                    })
                })
                .collect();
            writeln!(
                out,
                "{}",
                serde_json::json!({
                    "path": path.display().to_string(),
                    "default": default,
                    "inUse": in_use.value,
                    "profiles": profiles,
                })
            )
        }
    };
    output::written(listed, out, "the profiles")?;
    Ok(Exit::Success)
}

/// `mfa config use NAME`: the default profile.
fn use_profile(
    here: Here,
    name: &str,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Failure> {
    let format = here.format;
    let mut edit = Edit::begin(here)?;
    known_profile(&edit.document, name, &edit.path)?;
    edit.document["default_profile"] = toml_edit::value(name);
    edit.save(&edit.document.to_string())?;
    let said = match format {
        OutputFormat::Text => writeln!(
            err,
            "mfa: profile `{}` is the default in {} now",
            output::escaped(name),
            output::path(&edit.path)
        ),
        OutputFormat::Json => writeln!(
            out,
            "{}",
            serde_json::json!({"path": edit.path.display().to_string(), "default": name})
        ),
    };
    output::written(said, out, "the result")?;
    Ok(Exit::Success)
}

/// `mfa config remove NAME`: the profile out of the file, asked first at a terminal.
fn remove(
    here: Here,
    name: &str,
    yes: bool,
    input: &mut Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Failure> {
    let format = here.format;
    let (path, _) = located(here.global, here.env, here.config_dir)?;
    // Asked before the edit lock is taken: a run waiting at the question never
    // holds up another's edit. The file is read anew under the lock.
    known_profile(&read_document(&path)?.1, name, &path)?;
    let shown = output::escaped(name);
    if !yes {
        if !input.terminal {
            return Err(Failure::Usage(format!(
                "removing profile `{shown}` needs --yes when there is no terminal to \
                 ask at"
            )));
        }
        if !input.confirm(
            err,
            &format!(
                "Remove profile `{shown}` from {}? [y/N] ",
                output::path(&path)
            ),
        )? {
            let _ = writeln!(err, "mfa: nothing removed");
            return Ok(Exit::AnswerNo);
        }
    }
    let mut edit = Edit::begin(here)?;
    known_profile(&edit.document, name, &path)?;
    remove_profile(&mut edit.document, name);
    let document = &mut edit.document;
    // A default that names no profile would stop every run: it goes too.
    let was_default = document.get("default_profile").and_then(Item::as_str) == Some(name);
    if was_default {
        document.remove("default_profile");
    }
    let text = document.to_string();
    edit.save(&text)?;
    let said = match format {
        OutputFormat::Text if was_default => writeln!(
            err,
            "mfa: removed profile `{shown}` from {}; it was the default, so `default` \
             is now",
            output::path(&path)
        ),
        OutputFormat::Text => writeln!(
            err,
            "mfa: removed profile `{shown}` from {}",
            output::path(&path)
        ),
        OutputFormat::Json => writeln!(
            out,
            "{}",
            serde_json::json!({
                "path": path.display().to_string(),
                "removed": name,
                "wasDefault": was_default,
            })
        ),
    };
    output::written(said, out, "the result")?;
    Ok(Exit::Success)
}

/// Takes the config file's edit lock, waiting at most the time-out (`--timeout`, else
/// `MFA_TIMEOUT`, else the default: the file itself is not read before the lock).
fn lock_for_edit(path: &Path, global: &GlobalArgs, env: Env) -> Result<std::fs::File, Failure> {
    let patience = global
        .timeout
        .or_else(|| env(table::TIMEOUT.variable?)?.to_str()?.parse().ok())
        .unwrap_or_else(table::Seconds::default_timeout)
        .duration();
    config_file::lock_for_edit(path, patience)
        .map_err(|e| Failure::Config(format!("cannot edit {}: {e}", output::path(path))))
}

/// The config file's path, or the error saying that no place is known for it.
fn located(
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
fn read_document(path: &Path) -> Result<(Option<String>, DocumentMut), Failure> {
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
fn profile_of(
    global: &GlobalArgs,
    env: Env,
    document: &DocumentMut,
    path: &Path,
) -> Result<String, Failure> {
    let default = document.get("default_profile").and_then(Item::as_str);
    Ok(settings::profile_name(global, env, default, path)?.value)
}

/// The profiles of the file, in its order.
fn profile_names(document: &DocumentMut) -> Vec<&str> {
    document
        .get("profiles")
        .and_then(Item::as_table_like)
        .map(|profiles| profiles.iter().map(|(name, _)| name).collect())
        .unwrap_or_default()
}

/// Refuses a profile the file does not have, listing those it has.
fn known_profile(document: &DocumentMut, name: &str, path: &Path) -> Result<(), Failure> {
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

fn has_profile(document: &DocumentMut, profile: &str) -> bool {
    document
        .get("profiles")
        .and_then(Item::as_table_like)
        .is_some_and(|profiles| profiles.contains_key(profile))
}

/// Sets `key` of `profile` to `value`, creating the profile if need be and keeping a
/// value's trailing comment. Setting `password` removes `password_command` and the
/// other way round, since a profile may hold only one; returns the one removed.
fn set_key(
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

/// `mfa config init` at a terminal: asks for each setting (see `setup`), then writes
/// every answer at once, into the profile as it is (its comments kept) or into a new
/// one made from the template; then offers `mfa doctor`, whose exit status it returns.
fn set_up(
    here: Here,
    input: &mut Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Failure> {
    let (global, env, config_dir) = (here.global, here.env, here.config_dir);
    let (path, _) = located(global, env, config_dir)?;
    let (_, document) = read_document(&path)?;
    let profile = profile_of(global, env, &document, &path)?;
    let answers = setup::ask(input, err, &current_values(&document, &profile))?;
    // The answers took as long as the user did: the file is read anew under the lock.
    let edit = Edit::begin(here)?;
    let mut document = if has_profile(&edit.document, &profile) {
        edit.document.clone()
    } else {
        with_template(edit.text.clone(), &profile)
            .parse()
            .expect("a file mfa reads, with a template, is a TOML document")
    };
    for (setting, answer) in &answers {
        let value = match answer {
            Answer::Secret(secret) => Value::from(secret.expose().as_str()),
            Answer::Text(text) => checked(setting, text).map_err(|rule| {
                Failure::Usage(format!("`{}`: {rule}; nothing was written", setting.key))
            })?,
        };
        set_key(&mut document, &profile, setting.key, value).map_err(|why| {
            Failure::Config(format!(
                "cannot set `{}` in {}: {why}",
                setting.key,
                output::path(&path)
            ))
        })?;
    }
    let file = edit.save(&document.to_string())?;
    let _ = writeln!(
        err,
        "mfa: wrote profile `{}` to {} ({} setting(s) changed)",
        output::escaped(&profile),
        output::path(&path),
        answers.len()
    );
    // A secret written into a file others can read: made private at once, and said.
    if let Some(warning) = config_file::make_private_if_exposed(&path, &file) {
        let _ = output::write_warning(err, here.format, &warning);
    }
    if setup::offer_doctor(input, err)? {
        return doctor::run(&DoctorArgs { to: None }, global, env, config_dir, out);
    }
    Ok(Exit::Success)
}

/// What `profile` holds now, as `setup` shows it: a secret only as `set`.
fn current_values(document: &DocumentMut, profile: &str) -> setup::Current {
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
fn save(path: &Path, text: &str) -> Result<ConfigFile, Failure> {
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

/// Says what was written: on stderr in text (stdout stays for data), as one object
/// on stdout in JSON.
fn confirm(
    out: &mut dyn Write,
    err: &mut dyn Write,
    format: OutputFormat,
    path: &Path,
    profile: &str,
    key: Option<&str>,
    named: Option<&str>,
) -> std::io::Result<()> {
    let selector = match named {
        // One line whatever the name holds: its controls escaped.
        Some(name) => format!("-p {} ", output::escaped(&shell_word(name))),
        None => String::new(),
    };
    match (format, key) {
        (OutputFormat::Text, None) => writeln!(
            err,
            "mfa: wrote profile `{}` to {}; fill it in with `mfa {selector}config set KEY \
             VALUE`",
            output::escaped(profile),
            output::path(path)
        ),
        (OutputFormat::Text, Some(key)) => writeln!(
            err,
            "mfa: set `{key}` of profile `{}` in {}",
            output::escaped(profile),
            output::path(path)
        ),
        (OutputFormat::Json, key) => {
            let mut object = serde_json::json!({
                "path": path.display().to_string(),
                "profile": profile,
            });
            if let Some(key) = key {
                object["key"] = key.into();
            }
            writeln!(out, "{object}")
        }
    }
}

/// A profile's name as a shell reads it: as it is if plain, else in single quotes.
fn shell_word(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        name.to_owned()
    } else {
        format!("'{}'", name.replace('\'', "'\\''"))
    }
}

/// `value` as the TOML value for `setting`, checked by the setting's own rule: a whole
/// number or number as a TOML number, a path made absolute (the file named here, from
/// any folder later), anything else as the string typed.
fn checked(setting: &Setting, value: &str) -> Result<Value, InvalidValue> {
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
const FILE_HEADER: &str = "\
# mfa's config file: one [profiles.NAME] table per account or use.
# Flags and environment variables override what is set here.
# `mfa config show` shows what is in effect; `mfa config set KEY VALUE` changes a key.
# default_profile = \"prod\"

";

/// The file's `text` (or a new file's header) with a commented profile for `profile`
/// after it.
fn with_template(text: Option<String>, profile: &str) -> String {
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
fn remove_profile(document: &mut DocumentMut, name: &str) {
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

/// A commented profile for `profile`: every key, none set. The comments stand above
/// the table's header, where toml_edit keeps them with the table, so keys set later
/// go under the header and the comments never drift into another profile.
fn template(profile: &str) -> String {
    // In a comment: a line break in the name must not end it.
    let shown = output::escaped(profile);
    format!(
        "# Profile `{shown}`. Uncomment and fill in the keys it needs, or run
# `mfa --profile {shown} config set KEY VALUE`:
#   account_id = \"9900000\"
# Username and password (HTTP Basic); set the password with `mfa config set password -`,
# or let a password manager print it:
#   username = \"api-user\"
#   password_command = \"pass show bandwidth/api-user\"
# Or OAuth2 client credentials, used instead when both are set; set the secret with
# `mfa config set client_secret -`:
#   client_id = \"...\"
#   from = \"+15554443333\"
#   voice_application_id = \"...\"
#   messaging_application_id = \"...\"
#   digits = 6
#   message = \"Your temporary {{NAME}} {{SCOPE}} code is {{CODE}}\"
#   scope = \"2FA\"
#   expiration_minutes = 3
#   timeout = 30
# Make a request again after a refused connection or HTTP 429 only (never after a
# time-out or a 5xx), and trust a private CA (PEM) besides the built-in ones:
#   retries = 2
#   ca_file = \"/etc/ssl/certs/company-ca.pem\"
[profiles.{}]
",
        Key::new(profile)
    )
}

/// A setting's value as `config show` and `config get` write it in text: the value and
/// where it came from; a secret only as set.
fn shown_text(value: &ShownValue) -> String {
    match value {
        ShownValue::NotSet => "not set".to_owned(),
        ShownValue::Value { text, origin, .. } => format!("{} ({origin})", output::escaped(text)),
        ShownValue::Secret { origin } => format!("set ({origin})"),
        ShownValue::FromCommand { origin } => format!("from the command in {origin} (not run)"),
    }
}

/// A setting's value as `config show` and `config get` write it in JSON.
fn shown_json(value: &ShownValue) -> serde_json::Value {
    match value {
        ShownValue::NotSet => serde_json::json!({ "set": false }),
        ShownValue::Value {
            text,
            number,
            origin,
        } => {
            let value = if *number {
                serde_json::from_str(text).unwrap_or_else(|_| text.as_str().into())
            } else {
                serde_json::Value::from(text.as_str())
            };
            serde_json::json!({ "set": true, "value": value, "origin": origin.to_string() })
        }
        ShownValue::Secret { origin } => {
            serde_json::json!({ "set": true, "origin": origin.to_string() })
        }
        ShownValue::FromCommand { origin } => serde_json::json!({
            "set": true, "origin": origin.to_string(), "command_run": false
        }),
    }
}

/// `mfa config show`: the file, the profile, the credentials in use, then each key.
fn write_show(
    out: &mut dyn Write,
    format: OutputFormat,
    sources: &Sources,
    credentials: &Result<mfa::AuthScheme, String>,
    shown: &[ShownSetting],
) -> std::io::Result<()> {
    let credentials_text = match credentials {
        Ok(mfa::AuthScheme::Bearer) => "OAuth2 client credentials".to_owned(),
        Ok(_) => "username and password".to_owned(),
        Err(why) => format!("none complete ({why})"),
    };
    match format {
        OutputFormat::Text => {
            let file = match &sources.file {
                Some(file) => format!(
                    "{} ({}{})",
                    output::path(&file.path),
                    file.origin,
                    if file.exists { "" } else { "; does not exist" }
                ),
                None => "none (no user config directory is known)".into(),
            };
            writeln!(out, "{:<26}{file}", "config file")?;
            writeln!(
                out,
                "{:<26}{} ({})",
                "profile", sources.profile_name.value, sources.profile_name.origin
            )?;
            writeln!(out, "{:<26}{credentials_text}", "credentials")?;
            for line in shown {
                writeln!(out, "{:<26}{}", line.setting.key, shown_text(&line.value))?;
            }
            Ok(())
        }
        OutputFormat::Json => {
            let mut settings = serde_json::Map::new();
            for line in shown {
                settings.insert(line.setting.key.into(), shown_json(&line.value));
            }
            let credentials = match credentials {
                Ok(mfa::AuthScheme::Bearer) => serde_json::json!("client_credentials"),
                Ok(_) => serde_json::json!("basic"),
                Err(_) => serde_json::Value::Null,
            };
            let file = sources.file.as_ref().map(|file| {
                serde_json::json!({
                    "path": file.path.display().to_string(),
                    "origin": file.origin.to_string(),
                    "exists": file.exists,
                })
            });
            let document = serde_json::json!({
                "configFile": file,
                "profile": {
                    "name": sources.profile_name.value,
                    "origin": sources.profile_name.origin.to_string(),
                },
                "credentials": credentials,
                "settings": settings,
            });
            writeln!(out, "{document}")
        }
    }
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
            ("timeout", "2.5"),
            ("retries", "2"),
            ("from", "+15554443333"),
            ("voice_application_id", "app"),
            ("messaging_application_id", "app"),
            ("digits", "6"),
            ("message", "{CODE}"),
            ("scope", "2FA"),
            ("expiration_minutes", "3"),
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
