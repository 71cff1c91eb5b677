//! `mfa config show`: every setting of the table, in its order, with the value in
//! effect and where it came from, checked as a command would check it; a secret only
//! as set or not.

use super::sources::Sources;
use super::table::{self, Kind, SETTINGS, Setting};
use crate::cli::args::GlobalArgs;
use crate::cli::credentials::Password;
use crate::cli::failure::Failure;
use crate::cli::origin::{Origin, Sourced};

/// One line of `mfa config show`.
#[derive(Debug)]
pub struct ShownSetting {
    pub setting: &'static Setting,
    pub value: ShownValue,
}

/// A setting's value as `mfa config show` may show it.
#[derive(Debug, PartialEq)]
pub enum ShownValue {
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
    /// Every setting in effect, in the table's order.
    pub fn show(&self, global: &GlobalArgs) -> Result<Vec<ShownSetting>, Failure> {
        SETTINGS
            .into_iter()
            .map(|setting| {
                Ok(ShownSetting {
                    setting,
                    value: self.shown(setting, global)?,
                })
            })
            .collect()
    }

    fn shown(&self, setting: &Setting, global: &GlobalArgs) -> Result<ShownValue, Failure> {
        if setting.is_secret() {
            if setting.key == table::PASSWORD.key {
                return Ok(match self.password()? {
                    Some(Password::Given(given)) => ShownValue::Secret {
                        origin: given.origin,
                    },
                    Some(Password::Command { origin, .. }) => ShownValue::FromCommand { origin },
                    None => ShownValue::NotSet,
                });
            }
            return Ok(match self.secret(setting)? {
                Some(secret) => ShownValue::Secret {
                    origin: secret.origin,
                },
                None => ShownValue::NotSet,
            });
        }
        let given = self.pick_text(setting, global.given(setting))?;
        let given = given.or_else(|| setting.default.map(|d| Sourced::default_value(d.into())));
        Ok(match given {
            Some(Sourced { value, origin }) => ShownValue::Value {
                text: match setting.kind {
                    Kind::Path => self.path_of(setting, &value, &origin).display().to_string(),
                    _ => value,
                },
                number: matches!(setting.kind, Kind::WholeNumber | Kind::Number),
                origin,
            },
            None => ShownValue::NotSet,
        })
    }
}
