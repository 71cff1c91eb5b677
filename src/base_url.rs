//! `BaseUrl` and `TokenUrl`: where the API and its OAuth2 token endpoint live, and the
//! rule that credentials never travel in clear.
//!
//! `https://` always; `http://` only to a loopback host (`127.0.0.0/8`, `::1`,
//! `localhost`), which tests and local proxies use. A URL with a user name or password
//! in it is refused, since a URL is shown wherever a request is shown or logged; so is
//! one with a query or a fragment, since each call's path is added to it.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use ureq::http::Uri;

use crate::fields::InvalidValue;

/// Bandwidth's MFA API.
pub const DEFAULT_BASE_URL: &str = "https://mfa.bandwidth.com/api/v1";

/// Bandwidth's Voice API, which tells a call's state.
pub const DEFAULT_VOICE_URL: &str = "https://voice.bandwidth.com/api/v2";

/// Bandwidth's Messaging API, which tells a message's status.
pub const DEFAULT_MESSAGING_URL: &str = "https://messaging.bandwidth.com/api/v2";

/// Bandwidth's Dashboard API, which tells what an application is and where it is used.
pub const DEFAULT_DASHBOARD_URL: &str = "https://dashboard.bandwidth.com/api";

/// Bandwidth's OAuth2 token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://api.bandwidth.com/api/v1/oauth2/token";

/// Declares a URL type: `FromStr` runs [`check`] with the type's default as the
/// example, then `$keep` makes the value kept; `as_str`, `Display` and `host` give it
/// back; `Default` is the type's default.
macro_rules! checked_url {
    ($(#[$doc:meta])* $name:ident, $default:expr, $keep:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// The URL as kept.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// `host:port` as the URL writes it (`mfa.bandwidth.com`, `127.0.0.1:8080`),
            /// for messages.
            pub fn host(&self) -> String {
                host_of(&self.0)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name($default.to_owned())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = InvalidValue;

            fn from_str(value: &str) -> Result<Self, InvalidValue> {
                check(value, $default).map_err(|e| e.about(stringify!($name)))?;
                let keep: fn(&str) -> &str = $keep;
                Ok($name(keep(value).to_owned()))
            }
        }
    };
}

checked_url!(
    /// Where the API is: an `https://` URL, or `http://` to a loopback host, kept
    /// without a trailing `/`.
    BaseUrl,
    DEFAULT_BASE_URL,
    |url| url.trim_end_matches('/')
);

checked_url!(
    /// The OAuth2 token endpoint: an `https://` URL, or `http://` to a loopback host,
    /// kept as given.
    TokenUrl,
    DEFAULT_TOKEN_URL,
    |url| url
);

/// The port an authority (`host:port`, `[::1]:port`) names, if any, must be 1 to 65535.
/// The URL parser underneath keeps a longer one in the authority but gives no port for
/// it, and the connection would then go to the scheme's default port: credentials sent
/// to whatever listens there.
pub(crate) fn check_port(authority: &str) -> Result<(), InvalidValue> {
    let after_host = match authority.rfind(']') {
        Some(end) => &authority[end + 1..],
        None => authority,
    };
    let Some((_, port)) = after_host.rsplit_once(':') else {
        return Ok(());
    };
    match port.parse::<u16>() {
        Ok(1..) if port.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        _ => Err(InvalidValue::from_rule(format!(
            "has the port {:?}, which is not a port from 1 to 65535",
            port
        ))),
    }
}

/// Whether `host` (as written in a URL) is this machine.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        || host.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// `host:port` of a URL (as written in it), for messages: what stands between `://`
/// and the path, so that a URL too long to parse is still named by its host alone.
pub(crate) fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// The rules both URLs follow; `example` is shown when `value` is no URL at all.
fn check(value: &str, example: &str) -> Result<(), InvalidValue> {
    let not_a_url = || InvalidValue::from_rule(format!("must be a URL such as {example}"));
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(not_a_url());
    }
    // The URL parser underneath drops a fragment, but the path of each call is added
    // to the URL as written: `.../code/voice#` would make every call a voice send.
    if value.contains('#') {
        return Err(InvalidValue::from_rule("must not have a fragment (`#...`)"));
    }
    let uri: Uri = value.parse().map_err(|_| not_a_url())?;
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return Err(not_a_url());
    };
    if authority.as_str().contains('@') {
        return Err(InvalidValue::from_rule(
            "must not hold a user name or password; credentials come from the \
             environment or the config file",
        ));
    }
    if uri.query().is_some() {
        return Err(InvalidValue::from_rule("must not have a query (`?...`)"));
    }
    check_port(authority.as_str())?;
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback_host(authority.host()) => Ok(()),
        "http" => Err(InvalidValue::from_rule(
            "must start with https:// (plain http:// is only for 127.0.0.1, ::1 or \
             localhost), so credentials never travel in clear text",
        )),
        _ => Err(not_a_url()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_keeps_the_port() {
        let local: BaseUrl = "http://127.0.0.1:9/api/x".parse().unwrap();
        assert_eq!(local.host(), "127.0.0.1:9");
        assert_eq!(BaseUrl::default().host(), "mfa.bandwidth.com");
        assert_eq!(TokenUrl::default().host(), "api.bandwidth.com");
        let long = format!(
            "http://127.0.0.1:9/accounts/{}/code/voice",
            "1".repeat(70_000)
        );
        assert_eq!(host_of(&long), "127.0.0.1:9");
    }

    #[test]
    fn a_port_out_of_range_is_refused_not_taken_for_the_default() {
        for bad in [
            "http://127.0.0.1:99999/api",
            "http://127.0.0.1:65536/x",
            "https://mfa.example:443000/",
            "https://mfa.example:0/",
            "http://[::1]:70000/",
        ] {
            let err = bad.parse::<BaseUrl>().unwrap_err();
            assert!(
                err.rule().ends_with("which is not a port from 1 to 65535"),
                "{bad}: {err}"
            );
            assert!(bad.parse::<TokenUrl>().is_err(), "{bad}");
        }
        for good in [
            "http://127.0.0.1:65535/api",
            "https://[2001:db8::1]:8443",
            "https://h:1",
        ] {
            assert!(good.parse::<BaseUrl>().is_ok(), "{good}");
        }
    }

    #[test]
    fn default_is_bandwidth() {
        assert_eq!(
            BaseUrl::default().as_str(),
            "https://mfa.bandwidth.com/api/v1"
        );
    }

    #[test]
    fn https_is_accepted_anywhere_and_the_trailing_slash_dropped() {
        for (typed, kept) in [
            (
                "https://mfa.bandwidth.com/api/v1",
                "https://mfa.bandwidth.com/api/v1",
            ),
            (
                "https://mfa.bandwidth.com/api/v1/",
                "https://mfa.bandwidth.com/api/v1",
            ),
            ("https://proxy.example:8443", "https://proxy.example:8443"),
        ] {
            assert_eq!(typed.parse::<BaseUrl>().unwrap().as_str(), kept);
        }
    }

    #[test]
    fn http_is_accepted_for_loopback_hosts_only() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3/api",
            "http://localhost:1234/api/v1",
            "http://LOCALHOST",
            "http://[::1]:8080",
        ] {
            assert!(ok.parse::<BaseUrl>().is_ok(), "{ok}");
        }
        for bad in [
            "http://mfa.bandwidth.com/api/v1",
            "http://128.0.0.1",
            "http://10.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
        ] {
            let err = bad.parse::<BaseUrl>().unwrap_err();
            assert!(
                err.rule().starts_with("must start with https://"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn other_shapes_are_refused() {
        for bad in [
            "",
            "mfa.bandwidth.com",
            "ftp://x.example",
            "https://",
            "https://a b",
        ] {
            assert_eq!(
                bad.parse::<BaseUrl>().unwrap_err().rule(),
                "must be a URL such as https://mfa.bandwidth.com/api/v1",
                "{bad:?}"
            );
        }
        assert!(
            "https://user:pw@mfa.bandwidth.com"
                .parse::<BaseUrl>()
                .unwrap_err()
                .rule()
                .starts_with("must not hold a user name or password")
        );
        assert_eq!(
            "https://x.example/api?x=1"
                .parse::<BaseUrl>()
                .unwrap_err()
                .rule(),
            "must not have a query (`?...`)"
        );
        for bad in [
            "http://127.0.0.1:9/accounts/9900000/code/voice#",
            "https://x.example/api#part",
            "https://x.example#",
        ] {
            assert_eq!(
                bad.parse::<BaseUrl>().unwrap_err().rule(),
                "must not have a fragment (`#...`)",
                "{bad}"
            );
            assert!(bad.parse::<TokenUrl>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_token_url_follows_the_same_rules_and_is_kept_as_given() {
        assert_eq!(
            TokenUrl::default().as_str(),
            "https://api.bandwidth.com/api/v1/oauth2/token"
        );
        let local: TokenUrl = "http://127.0.0.1:9/oauth2/token/".parse().unwrap();
        assert_eq!(local.as_str(), "http://127.0.0.1:9/oauth2/token/");
        let err = "http://api.bandwidth.com/api/v1/oauth2/token"
            .parse::<TokenUrl>()
            .unwrap_err();
        assert!(err.rule().starts_with("must start with https://"), "{err}");
        assert_eq!(
            "token".parse::<TokenUrl>().unwrap_err().rule(),
            "must be a URL such as https://api.bandwidth.com/api/v1/oauth2/token"
        );
    }
}
