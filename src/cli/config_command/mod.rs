//! `mfa config path|init|set|show`: seeing and editing profiles.
//!
//! Each acts on the config file in use and the selected profile, found the same way
//! as for every other command. Edits go through toml_edit, so the rest of the file
//! keeps its comments, order and layout; a value is checked by the same rule as the
//! flag or variable for the same setting, and the edited file is read back as `mfa`
//! reads it before it replaces the old one, so `mfa config` never writes a file that
//! `mfa` would refuse. Secrets are set from stdin only and shown only as set or not.

use std::io::Write;

use toml_edit::{Item, Value};

use crate::cli::args::{ConfigCommand, DoctorArgs, GlobalArgs, OutputFormat};
use crate::cli::config_file::{self};
use crate::cli::doctor;
use crate::cli::failure::{Exit, Failure};
use crate::cli::input::Input;
use crate::cli::interrupt;
use crate::cli::origin::Origin;
use crate::cli::output;
use crate::cli::settings::table::{self, Kind};
use crate::cli::settings::{self, Env, ShownValue, Sources};
use crate::cli::setup::{self, Answer};

mod document;
mod shown;

use document::{
    Edit, Here, checked, current_values, has_profile, known_profile, located, profile_names,
    profile_of, read_document, remove_profile, set_key, with_template,
};
use shown::{confirm, shown_json, write_show};

/// Runs one `mfa config` command.
pub fn run(
    command: &ConfigCommand,
    global: &GlobalArgs,
    env: Env,
    places: crate::cli::Places,
    input: &mut Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Failure> {
    let here = Here {
        global,
        env,
        config_dir: places.config_dir,
        state_dir: places.state_dir,
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
    // A path is kept absolute: what it became is said, when that is not what was typed.
    let stored = (setting.kind == Kind::Path)
        .then(|| new_value.as_str().map(str::to_owned))
        .flatten()
        .filter(|stored| stored != value);
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
    if let Some(stored) = stored.filter(|_| format == OutputFormat::Text) {
        let _ = writeln!(err, "mfa: `{key}` holds {}", output::escaped(&stored));
    }
    if let Some(warning) = config_file::exposure_warning(&edit.path, &file) {
        let _ = output::write_warning(err, format, &warning);
    }
    Ok(Exit::Success)
}

/// `mfa config show`: every setting with where it comes from.
fn show(here: Here, out: &mut dyn Write, err: &mut dyn Write) -> Result<Exit, Failure> {
    let (global, format) = (here.global, here.format);
    let sources = Sources::load_warning(global, here.env, here.config_dir, err)?;
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

/// From now on, a signal (Ctrl-C) ends the set-up saying it was `interrupted (SIGINT)
/// {when}`, on a line of its own: the cursor stands at a question.
fn say_when_interrupted(format: OutputFormat, when: &str) {
    interrupt::install_words(|signal| {
        // On a line of its own: the cursor stands at a question.
        let why = format!("interrupted ({}) {when}", signal.name());
        let mut said = b"\n".to_vec();
        said.extend(interrupt::said(format, &why, None));
        said
    });
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
    say_when_interrupted(here.format, "during the set-up; nothing was written");
    let answers = setup::ask(input, err, &current_values(&document, &profile))?;
    // The answers took as long as the user did: the file is read anew under the lock.
    let edit = Edit::begin(here)?;
    if answers.is_empty() && has_profile(&edit.document, &profile) {
        let _ = writeln!(
            err,
            "mfa: nothing changed: profile `{}` in {} is as it was",
            output::escaped(&profile),
            output::path(&path)
        );
        drop(edit);
        return offer_doctor(here, input, out, err);
    }
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
    drop(edit);
    let changed = match answers.len() {
        1 => "1 setting changed".to_owned(),
        n => format!("{n} settings changed"),
    };
    let _ = writeln!(
        err,
        "mfa: wrote profile `{}` to {} ({changed})",
        output::escaped(&profile),
        output::path(&path),
    );
    // A secret written into a file others can read: made private at once, and said.
    if let Some(warning) = config_file::make_private_if_exposed(&path, &file) {
        let _ = output::write_warning(err, here.format, &warning);
    }
    say_when_interrupted(here.format, "after the profile was written");
    offer_doctor(here, input, out, err)
}

/// Offers to run `mfa doctor` on the profile just set up, and runs it if taken; the
/// lock of the edit is let go first, so the check never holds up another edit.
fn offer_doctor(
    here: Here,
    input: &mut Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Failure> {
    if setup::offer_doctor(input, err)? {
        let places = crate::cli::Places {
            config_dir: here.config_dir,
            state_dir: here.state_dir,
            ..Default::default()
        };
        return doctor::run(&DoctorArgs { to: None }, here.global, here.env, places, out);
    }
    Ok(Exit::Success)
}
