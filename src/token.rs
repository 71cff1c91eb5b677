//! OAuth2 client credentials: trading a client id and secret for an access token.
//!
//! Newer Bandwidth accounts authenticate this way: `POST` to the token endpoint with
//! HTTP Basic `client_id:client_secret` and `grant_type=client_credentials`; calls then
//! carry `Authorization: Bearer <access_token>`. As the official SDK does, a token is
//! used until 60 s before it expires ([`AccessToken::RENEW_BEFORE`]). The token, like the secret,
//! lives in a [`Secret`]: no `Debug` and no error ever shows it, and the body of a
//! token answer, which may hold one, is never quoted.

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::answer::{error_words, json_text};
use crate::credentials::{ClientCredentials, basic_authorization};
use crate::error::{Error, TokenError};
use crate::fields::InvalidValue;
use crate::redact::Redactions;
use crate::request::USER_AGENT;
use crate::secret::Secret;
use crate::transport::{BODY_CAP, NoAnswer, Response, Transport};

/// What the token request's body says.
const GRANT: &str = "grant_type=client_credentials";

/// The most `expires_in` is believed: a year. A longer one is taken as a year, so an
/// absurd answer cannot overflow the clock.
const LONGEST_LIFE: Duration = Duration::from_secs(365 * 24 * 3600);

/// An access token and when it expires. `Debug` shows only the expiry.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    value: Secret<String>,
    expires_at: SystemTime,
}

impl AccessToken {
    /// A token is renewed this long before it expires, never used closer to its end.
    pub const RENEW_BEFORE: Duration = Duration::from_secs(60);

    /// A token, checked to be something an `Authorization` header can carry: not
    /// empty, visible ASCII only.
    pub fn new(value: impl Into<String>, expires_at: SystemTime) -> Result<Self, InvalidValue> {
        let value = value.into();
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidValue::from_rule(
                "must be visible ASCII characters only, and not empty",
            ));
        }
        Ok(AccessToken {
            value: Secret::new(value),
            expires_at,
        })
    }

    /// The token itself. Every call is a place where it leaves its wrapper.
    pub fn expose(&self) -> &str {
        self.value.expose()
    }

    /// When the endpoint said it expires.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// Whether it may still be used at `now`: until [`AccessToken::RENEW_BEFORE`] its
    /// expiry.
    pub fn is_usable_at(&self, now: SystemTime) -> bool {
        now.checked_add(Self::RENEW_BEFORE)
            .is_some_and(|limit| limit < self.expires_at)
    }

    /// The `Authorization` header value.
    pub(crate) fn bearer(&self) -> String {
        format!("Bearer {}", self.expose())
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &self.value)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Asks `client`'s token endpoint for a new access token, carried by `transport` (once,
/// unless its retries allow more after a refused connection or a 429).
pub(crate) fn fetch(
    client: &ClientCredentials,
    transport: &Transport,
) -> Result<AccessToken, Error> {
    let url = client.token_url.as_str();
    let fail = |reason| Error::Token {
        host: transport.describe_host(url),
        reason,
    };
    let asked_at = SystemTime::now();
    let authorization = basic_authorization(client.client_id.as_str(), &client.client_secret);
    let headers = [
        ("Accept", "application/json"),
        ("Authorization", authorization.as_str()),
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("User-Agent", USER_AGENT),
    ];
    let response = transport
        .post(url, &headers, GRANT.as_bytes(), None)
        .map_err(|no_answer| {
            fail(match no_answer {
                NoAnswer::NotHttp(problem) => TokenError::Unexpected {
                    status: None,
                    problem: format!("not an HTTP answer ({problem})"),
                },
                NoAnswer::Network { cause, .. } => TokenError::Network(cause),
            })
        })?;
    // An echo of the request would hold the client secret: scrubbed before it is read
    // (its words may be quoted in an error).
    let mut redactions = Redactions::default();
    redactions.add_basic(client.client_id.as_str(), client.client_secret.expose());
    read_token(&response.scrubbed(&redactions), asked_at).map_err(fail)
}

/// The token in a token endpoint's answer, expiring `expires_in` seconds after
/// `asked_at` (the moment the request went out, so the expiry errs early).
fn read_token(response: &Response, asked_at: SystemTime) -> Result<AccessToken, TokenError> {
    let unexpected = |problem: String| TokenError::Unexpected {
        status: Some(response.status),
        problem,
    };
    match response.status {
        200..=299 => {}
        300..=399 => {
            return Err(unexpected(
                "a redirect, not followed; check the token URL".into(),
            ));
        }
        400..=599 => {
            let words = error_words(response, &["error", "message", "Message"]);
            let detail = json_text(response, &["error_description"]);
            let message = match (words, detail) {
                (Some(words), Some(detail)) => Some(format!("{words}: {detail}")),
                (words, detail) => words.or(detail),
            };
            return Err(TokenError::Refused {
                status: response.status,
                message,
            });
        }
        other => {
            return Err(unexpected(format!(
                "HTTP status {other} is not one the endpoint uses"
            )));
        }
    }
    if response.cut {
        return Err(unexpected(format!(
            "the answer is longer than {BODY_CAP} bytes (cut)"
        )));
    }
    let expected = || unexpected("expected JSON with a string \"access_token\"".into());
    let json: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(response.json_text()).map_err(|_| expected())?;
    let value = json
        .get("access_token")
        .and_then(|value| value.as_str())
        .ok_or_else(expected)?;
    let bearer = |kind: &serde_json::Value| {
        kind.as_str()
            .is_some_and(|k| k.eq_ignore_ascii_case("bearer"))
    };
    if json.get("token_type").is_some_and(|kind| !bearer(kind)) {
        return Err(unexpected("the \"token_type\" is not Bearer".into()));
    }
    // A token without `expires_in` is used for this call and not kept.
    let life = match json.get("expires_in") {
        None => Duration::ZERO,
        Some(seconds) => seconds
            .as_f64()
            .filter(|s| *s >= 0.0)
            .map(|s| Duration::from_secs_f64(s.min(LONGEST_LIFE.as_secs_f64())))
            .ok_or_else(|| unexpected("the \"expires_in\" is not a number of seconds".into()))?,
    };
    AccessToken::new(value, asked_at + life).map_err(|rule| {
        unexpected(format!(
            "the \"access_token\" {rule}; a header cannot carry it"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: body.into(),
            cut: false,
            decoded: None,
        }
    }

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn a_token_is_read_with_its_expiry() {
        let token = read_token(
            &answer(
                200,
                r#"{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}"#,
            ),
            at(1000),
        )
        .unwrap();
        assert_eq!(token.expose(), "tok-1");
        assert_eq!(token.expires_at(), at(4600));
        assert_eq!(token.bearer(), "Bearer tok-1");
        assert!(!format!("{token:?}").contains("tok-1"));
    }

    #[test]
    fn a_token_is_used_until_a_minute_before_it_expires() {
        let token = AccessToken::new("t", at(1000)).unwrap();
        assert!(token.is_usable_at(at(939)));
        assert!(!token.is_usable_at(at(940)));
        assert!(!token.is_usable_at(at(2000)));
    }

    #[test]
    fn a_token_without_expiry_is_not_kept() {
        let token = read_token(&answer(200, r#"{"access_token":"t"}"#), at(5)).unwrap();
        assert!(!token.is_usable_at(at(5)));
    }

    #[test]
    fn refusals_carry_the_oauth_error_and_description() {
        let refused = read_token(
            &answer(
                401,
                r#"{"error":"invalid_client","error_description":"Bad client"}"#,
            ),
            at(0),
        )
        .unwrap_err();
        assert_eq!(
            refused,
            TokenError::Refused {
                status: 401,
                message: Some("invalid_client: Bad client".into())
            }
        );
        let gateway = read_token(&answer(502, "<html>bad gateway</html>"), at(0)).unwrap_err();
        assert_eq!(
            gateway,
            TokenError::Refused {
                status: 502,
                message: Some("\"<html>bad gateway</html>\"".into())
            }
        );
    }

    #[test]
    fn odd_answers_are_unexpected_and_never_quote_the_body() {
        for (body, problem) in [
            (
                r#"{"token":"secret-tok"}"#,
                "expected JSON with a string \"access_token\"",
            ),
            ("secret-tok", "expected JSON with a string \"access_token\""),
            (
                r#"{"access_token":"secret tok","expires_in":60}"#,
                "the \"access_token\" must be visible ASCII characters only, and not empty; \
                 a header cannot carry it",
            ),
            (
                r#"{"access_token":"secret-tok","token_type":"mac"}"#,
                "the \"token_type\" is not Bearer",
            ),
            (
                r#"{"access_token":"secret-tok","expires_in":"soon"}"#,
                "the \"expires_in\" is not a number of seconds",
            ),
            (
                r#"{"access_token":"secret-tok","expires_in":-1}"#,
                "the \"expires_in\" is not a number of seconds",
            ),
        ] {
            let failure = read_token(&answer(200, body), at(0)).unwrap_err();
            assert_eq!(
                failure,
                TokenError::Unexpected {
                    status: Some(200),
                    problem: problem.into()
                },
                "{body}"
            );
        }
        let mut huge = answer(200, r#"{"access_token":"secret-tok"}"#);
        huge.cut = true;
        assert!(matches!(
            read_token(&huge, at(0)),
            Err(TokenError::Unexpected { .. })
        ));
    }

    #[test]
    fn an_absurd_lifetime_is_taken_as_a_year() {
        let token = read_token(
            &answer(200, r#"{"access_token":"t","expires_in":1e300}"#),
            at(0),
        )
        .unwrap();
        assert_eq!(token.expires_at(), at(365 * 24 * 3600));
    }
}
