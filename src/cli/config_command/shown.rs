//! What `mfa config` says: the confirmation of an edit (on stderr in text, one object
//! on stdout in JSON), and `show` and `get`'s settings with where each comes from,
//! secrets only as set or not.

use std::io::Write;
use std::path::Path;

use crate::cli::args::OutputFormat;
use crate::cli::output;
use crate::cli::settings::{ShownSetting, ShownValue, Sources};

/// Says what was written: on stderr in text (stdout stays for data), as one object
/// on stdout in JSON.
pub fn confirm(
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
pub fn shell_word(name: &str) -> String {
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

/// A setting's value as `config show` and `config get` write it in text: the value and
/// where it came from; a secret only as set.
pub fn shown_text(value: &ShownValue) -> String {
    match value {
        ShownValue::NotSet => "not set".to_owned(),
        ShownValue::Value { text, origin, .. } => format!("{} ({origin})", output::escaped(text)),
        ShownValue::Secret { origin } => format!("set ({origin})"),
        ShownValue::FromCommand { origin } => format!("from the command in {origin} (not run)"),
    }
}

/// A setting's value as `config show` and `config get` write it in JSON.
pub fn shown_json(value: &ShownValue) -> serde_json::Value {
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
pub fn write_show(
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
