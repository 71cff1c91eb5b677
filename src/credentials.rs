//! Who is calling: the account's username and password, or OAuth2 client credentials,
//! and how each goes into an `Authorization` header.
//!
//! The header is made at the moment of sending ([`basic_authorization`] here, the
//! bearer value in `token`), so no request that can be shown ever holds it.

use base64::Engine as _;

use crate::base_url::TokenUrl;
use crate::fields::{ClientId, Username};
use crate::secret::Secret;

/// Who is calling.
///
/// A variant with fields is made with its constructor, so it may gain one:
///
/// ```compile_fail
/// let _ = mfa::Credentials::Basic {
///     username: "api-user".parse().unwrap(),
///     password: mfa::Secret::from("pw"),
/// };
/// ```
///
/// ```
/// let _ = mfa::Credentials::basic("api-user".parse()?, mfa::Secret::from("pw"));
/// # Ok::<(), mfa::InvalidValue>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// The account's API username and password, sent as HTTP Basic; made with
    /// [`Credentials::basic`].
    #[non_exhaustive]
    Basic {
        /// The API username.
        username: Username,
        /// The API password.
        password: Secret<String>,
    },
    /// OAuth2 client credentials, traded for an access token sent as `Bearer`.
    ClientCredentials(ClientCredentials),
}

impl Credentials {
    /// The account's API `username` and `password`, sent as HTTP Basic.
    pub fn basic(username: Username, password: Secret<String>) -> Self {
        Credentials::Basic { username, password }
    }

    /// How these credentials go into a request.
    pub fn scheme(&self) -> AuthScheme {
        match self {
            Credentials::Basic { .. } => AuthScheme::Basic,
            Credentials::ClientCredentials(_) => AuthScheme::Bearer,
        }
    }
}

/// An OAuth2 client: its id and secret, and where tokens are issued.
///
/// ```
/// use mfa::{ClientCredentials, Secret};
///
/// let client = ClientCredentials::new("c1-9f8e".parse()?, Secret::from("..."))
///     .with_token_url("https://auth.example/oauth2/token".parse()?);
/// assert_eq!(client.token_url.as_str(), "https://auth.example/oauth2/token");
/// # Ok::<(), mfa::InvalidValue>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientCredentials {
    /// The client id.
    pub client_id: ClientId,
    /// The client secret.
    pub client_secret: Secret<String>,
    /// The token endpoint.
    pub token_url: TokenUrl,
}

impl ClientCredentials {
    /// A client whose tokens come from Bandwidth's token endpoint.
    pub fn new(client_id: ClientId, client_secret: Secret<String>) -> Self {
        ClientCredentials {
            client_id,
            client_secret,
            token_url: TokenUrl::default(),
        }
    }

    /// Tokens come from `token_url` instead.
    pub fn with_token_url(mut self, token_url: TokenUrl) -> Self {
        self.token_url = token_url;
        self
    }
}

/// How a request proves who is calling; the credentials themselves stay with the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthScheme {
    /// HTTP Basic with the API username and password.
    Basic,
    /// An OAuth2 access token, got with client credentials.
    Bearer,
}

impl AuthScheme {
    /// The scheme's name in the `Authorization` header.
    pub fn name(self) -> &'static str {
        match self {
            AuthScheme::Basic => "Basic",
            AuthScheme::Bearer => "Bearer",
        }
    }
}

/// `Basic base64(user:password)`: made at the moment of sending, never stored.
pub(crate) fn basic_authorization(user: &str, password: &Secret<String>) -> String {
    let pair = format!("{user}:{}", password.expose());
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_authorization_is_base64_of_user_colon_password() {
        assert_eq!(
            basic_authorization("api-user", &Secret::from("hunter2")),
            "Basic YXBpLXVzZXI6aHVudGVyMg=="
        );
        let credentials = Credentials::Basic {
            username: "api-user".parse().unwrap(),
            password: Secret::from("hunter2"),
        };
        assert!(!format!("{credentials:?}").contains("hunter2"));
        assert_eq!(credentials.scheme(), AuthScheme::Basic);
    }

    #[test]
    fn client_credentials_go_to_bandwidth_unless_told_otherwise() {
        let client = ClientCredentials::new("c1".parse().unwrap(), Secret::from("s"));
        assert_eq!(client.token_url, TokenUrl::default());
        assert_eq!(
            Credentials::ClientCredentials(client).scheme(),
            AuthScheme::Bearer
        );
    }
}
