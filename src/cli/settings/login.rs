//! Who is calling, resolved from the settings: OAuth2 client credentials when both the
//! client id and secret are given, else the username and password. Nothing is run or
//! fetched here: a `password_command` runs only when a call is really made.

use mfa::{AuthScheme, ClientId, Secret, TokenUrl, Username};

use super::sources::Sources;
use super::table::{self, Setting};
use crate::cli::args::GlobalArgs;
use crate::cli::credentials::{Login, Password};
use crate::cli::failure::Failure;
use crate::cli::origin::{Origin, Sourced};

impl Sources<'_> {
    /// Who is calling, with where each part came from.
    pub fn login(&self, global: &GlobalArgs) -> Result<Login, Failure> {
        let client_id: Option<Sourced<ClientId>> =
            self.pick(&table::CLIENT_ID, global.client_id.clone())?;
        let client_secret = self.secret(&table::CLIENT_SECRET)?;
        let username: Option<Sourced<Username>> =
            self.pick(&table::USERNAME, global.username.clone())?;
        match (client_id, client_secret, username, self.password()?) {
            (Some(client_id), Some(client_secret), _, _) => Ok(Login::Client {
                client_id,
                client_secret,
                token_url: self.token_url()?,
            }),
            (_, _, Some(username), Some(password)) => Ok(Login::Basic { username, password }),
            (Some(client_id), None, _, _) => Err(Failure::Config(format!(
                "no client secret for the client id (from {}): {}",
                client_id.origin,
                self.ways(&table::CLIENT_SECRET)
            ))),
            (None, Some(client_secret), _, _) => Err(Failure::Config(format!(
                "no client id for the client secret (from {}): {}",
                client_secret.origin,
                self.ways(&table::CLIENT_ID)
            ))),
            (None, None, None, _) => Err(Failure::Config(self.missing(&table::USERNAME))),
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
    pub fn scheme(&self, global: &GlobalArgs) -> Result<AuthScheme, Failure> {
        let client_id = global.client_id.is_some() || self.given(&table::CLIENT_ID)?.is_some();
        Ok(
            if client_id && self.secret(&table::CLIENT_SECRET)?.is_some() {
                AuthScheme::Bearer
            } else {
                AuthScheme::Basic
            },
        )
    }

    /// The password, from `BW_PASSWORD`, else the profile's `password`, else its
    /// `password_command` (not run yet).
    pub(super) fn password(&self) -> Result<Option<Password>, Failure> {
        if let Some(given) = self.secret(&table::PASSWORD)? {
            return Ok(Some(Password::Given(given)));
        }
        let Some(command) = self.profile.text(&table::PASSWORD_COMMAND) else {
            return Ok(None);
        };
        Ok(Some(Password::Command {
            command: Secret::new(command),
            origin: self.in_profile(table::PASSWORD_COMMAND.key),
        }))
    }

    /// A secret from its variable, else the profile. It never passes through `pick`,
    /// whose messages show the value; an empty one counts as unset.
    pub(super) fn secret(
        &self,
        setting: &Setting,
    ) -> Result<Option<Sourced<Secret<String>>>, Failure> {
        let variable = setting.variable.expect("a secret has a variable");
        if let Some(value) = super::non_empty(self.env, variable)? {
            return Ok(Some(Sourced {
                value: Secret::new(value),
                origin: Origin::Env(variable),
            }));
        }
        let value = self
            .profile
            .secret(setting)
            .filter(|v| !v.expose().is_empty());
        Ok(value.map(|value| Sourced {
            value: value.clone(),
            origin: self.in_profile(setting.key),
        }))
    }

    /// The OAuth2 token endpoint.
    pub fn token_url(&self) -> Result<Sourced<TokenUrl>, Failure> {
        Ok(self
            .pick(&table::TOKEN_URL, None)?
            .unwrap_or_else(|| Sourced::default_value(TokenUrl::default())))
    }
}
