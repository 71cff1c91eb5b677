//! Proxies: which one a request goes through, and the hosts that skip it.
//!
//! The rules are curl's, so an operator's proxy variables mean the same to `mfa`:
//! `https://` URLs use the HTTPS proxy (or the proxy for all); a no-proxy list of
//! names, domains (`example.com` also covers `api.example.com`), IP addresses and CIDR
//! ranges, or `*` for every host, skips the proxy. Loopback hosts are not special: they
//! go through the proxy too unless the list names them. Requests go through an HTTP
//! proxy as a `CONNECT` tunnel, so the proxy sees the host but never the request, and
//! TLS runs end to end.
//!
//! One rule is not curl's: an `http://` URL (only ever a loopback host, see
//! `base_url`) is reached directly, never through a proxy. Its credentials travel in
//! clear text, which the proxy would see, and a proxy's loopback is not ours.
//!
//! A proxy URL may hold a username and password (`http://user:pw@proxy:3128`): they
//! are kept as a [`Secret`], and a proxy is only ever shown as `scheme://host:port`.

use std::fmt;
use std::net::IpAddr;

use ureq::http::Uri;

use crate::base_url::check_port;
use crate::fields::InvalidValue;
use crate::secret::Secret;

/// One proxy server.
#[derive(Clone)]
pub struct Proxy {
    /// `scheme://host:port`, for messages.
    shown: String,
    /// The URL as given, credentials and all.
    url: Secret<String>,
}

impl Proxy {
    /// The proxy's address for messages: `http://proxy.example:3128`, without any
    /// username or password.
    pub fn as_str(&self) -> &str {
        &self.shown
    }

    /// The ureq proxy to connect through.
    pub(crate) fn to_ureq(&self) -> ureq::Proxy {
        ureq::Proxy::new(self.url.expose()).expect("checked when parsed")
    }
}

impl std::str::FromStr for Proxy {
    type Err = InvalidValue;

    /// A proxy URL: `http://host:port` or `https://host:port`, optionally with
    /// `user:password@`; a bare `host:port` means `http://`, as in curl. SOCKS
    /// proxies are refused with a rule that says so.
    fn from_str(value: &str) -> Result<Self, InvalidValue> {
        let with_scheme = if value.contains("://") {
            value.to_owned()
        } else {
            format!("http://{value}")
        };
        // Messages about a bad value never repeat it: it may hold a password.
        let uri: Uri = with_scheme.parse().map_err(|_| {
            InvalidValue::from_rule("must be a proxy URL such as http://proxy.example:3128")
        })?;
        let scheme = uri.scheme_str().unwrap_or("").to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            "socks4" | "socks4a" | "socks5" | "socks5h" => {
                return Err(InvalidValue::from_rule(
                    "is a SOCKS proxy, which mfa does not support; use an HTTP proxy \
                     (http://host:port)",
                ));
            }
            _ => {
                return Err(InvalidValue::from_rule(
                    "must be an http:// or https:// proxy URL",
                ));
            }
        };
        let authority = uri.authority().ok_or_else(|| {
            InvalidValue::from_rule("must name the proxy's host, as in http://proxy.example:3128")
        })?;
        if authority.host().is_empty() || !matches!(uri.path(), "" | "/") {
            return Err(InvalidValue::from_rule(
                "must be scheme://host:port with no path, as in http://proxy.example:3128",
            ));
        }
        // Not in the rule: the value may hold a password.
        check_port(authority.as_str())
            .map_err(|_| InvalidValue::from_rule("has a port that is not one from 1 to 65535"))?;
        let port = authority.port_u16().unwrap_or(default_port);
        let shown = format!("{scheme}://{}:{port}", authority.host());
        if ureq::Proxy::new(&with_scheme).is_err() {
            return Err(InvalidValue::from_rule(
                "must be a proxy URL such as http://proxy.example:3128",
            ));
        }
        Ok(Proxy {
            shown,
            url: Secret::new(with_scheme),
        })
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Proxy({})", self.shown)
    }
}

impl fmt::Display for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

/// Hosts that skip the proxy: curl's `NO_PROXY`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoProxy {
    every_host: bool,
    names: Vec<String>,
    ranges: Vec<(IpAddr, u8)>,
}

impl NoProxy {
    /// A comma-separated list: `*` (every host), host names and domains (a leading
    /// `.` or `*.` is the same as none), IP addresses, and CIDR ranges such as
    /// `10.0.0.0/8`. Empty entries are skipped.
    pub fn parse(list: &str) -> Self {
        let mut no_proxy = NoProxy::default();
        for entry in list.split([',', ' ']).map(str::trim) {
            let entry = entry.to_ascii_lowercase();
            if entry.is_empty() {
                continue;
            }
            if entry == "*" {
                no_proxy.every_host = true;
                continue;
            }
            if let Some(range) = ip_range(&entry) {
                no_proxy.ranges.push(range);
                continue;
            }
            let name = entry.trim_start_matches("*.").trim_start_matches('.');
            no_proxy.names.push(name.to_owned());
        }
        no_proxy
    }

    /// Whether requests to `host` skip the proxy.
    pub fn covers(&self, host: &str) -> bool {
        if self.every_host {
            return true;
        }
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self.ranges.iter().any(|range| in_range(ip, *range))
                || self.names.iter().any(|name| name == host);
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.names.iter().any(|name| {
            host == *name
                || host
                    .strip_suffix(name.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    }
}

/// `10.0.0.0/8`, `::1`, `[::1]` or `127.0.0.1` as an address and prefix length.
fn ip_range(entry: &str) -> Option<(IpAddr, u8)> {
    let entry = entry.trim_start_matches('[').trim_end_matches(']');
    let (address, bits) = match entry.split_once('/') {
        Some((address, bits)) => (address, Some(bits.parse::<u8>().ok()?)),
        None => (entry, None),
    };
    let address: IpAddr = address.parse().ok()?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some((address, bits))
}

fn in_range(ip: IpAddr, (network, bits): (IpAddr, u8)) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(network)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(network) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(network)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(network) & mask
        }
        _ => false,
    }
}

/// The proxy in force for `https://` URLs, and the hosts that skip it. The default is
/// no proxy at all. `http://` URLs never go through a proxy.
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    https: Option<Proxy>,
    no_proxy: NoProxy,
}

impl Proxies {
    /// The proxy for `https://` URLs, and the hosts that skip it. For curl's
    /// `ALL_PROXY`, pass it when there is no `HTTPS_PROXY`.
    pub fn new(https: Option<Proxy>, no_proxy: NoProxy) -> Self {
        Proxies { https, no_proxy }
    }

    /// The proxy a request to `url` goes through, if any: never for an `http://` URL,
    /// whose credentials travel in clear text.
    pub fn for_url(&self, url: &str) -> Option<&Proxy> {
        let uri: Uri = url.parse().ok()?;
        let proxy = match uri.scheme_str() {
            Some("https") => self.https.as_ref(),
            _ => None,
        }?;
        if self.no_proxy.covers(uri.host()?) {
            return None;
        }
        Some(proxy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_is_shown_without_its_credentials() {
        let proxy: Proxy = "http://alice:s3cret@proxy.example:3128".parse().unwrap();
        assert_eq!(proxy.as_str(), "http://proxy.example:3128");
        assert_eq!(format!("{proxy:?}"), "Proxy(http://proxy.example:3128)");
        assert_eq!(proxy.to_string(), "http://proxy.example:3128");
    }

    #[test]
    fn a_bare_host_and_port_is_an_http_proxy_and_ports_default() {
        let bare: Proxy = "proxy.example:8080".parse().unwrap();
        assert_eq!(bare.as_str(), "http://proxy.example:8080");
        let https: Proxy = "https://proxy.example".parse().unwrap();
        assert_eq!(https.as_str(), "https://proxy.example:443");
        let http: Proxy = "HTTP://proxy.example/".parse().unwrap();
        assert_eq!(http.as_str(), "http://proxy.example:80");
    }

    #[test]
    fn bad_proxies_are_refused_without_repeating_the_value() {
        for (value, rule) in [
            ("socks5://alice:s3cret@proxy:1080", "SOCKS proxy"),
            ("ftp://alice:s3cret@proxy:21", "http:// or https://"),
            ("http://alice:s3cret@proxy:3128/path", "no path"),
            ("http://", "proxy URL"),
            ("http://alice:s3cret@proxy:99999", "port"),
            ("proxy:65536", "port"),
        ] {
            let err = value.parse::<Proxy>().unwrap_err().to_string();
            assert!(err.contains(rule), "{value}: {err}");
            assert!(!err.contains("s3cret"), "{err}");
        }
    }

    #[test]
    fn no_proxy_matches_names_domains_addresses_and_ranges() {
        let list =
            NoProxy::parse(" localhost, .corp.example,*.internal, 10.0.0.0/8 ,::1, 192.0.2.7");
        for host in [
            "localhost",
            "LOCALHOST",
            "corp.example",
            "api.corp.example",
            "deep.api.internal",
            "10.1.2.3",
            "[::1]",
            "192.0.2.7",
        ] {
            assert!(list.covers(host), "{host}");
        }
        for host in [
            "notcorp.example",
            "localhost.evil.example",
            "127.0.0.1",
            "11.0.0.1",
            "192.0.2.8",
            "[::2]",
        ] {
            assert!(!list.covers(host), "{host}");
        }
        assert!(NoProxy::parse("*").covers("anything.example"));
        assert!(!NoProxy::parse("").covers("localhost"));
    }

    #[test]
    fn https_goes_through_the_proxy_loopback_too_unless_listed_and_http_never() {
        let https: Proxy = "http://tls-proxy:3128".parse().unwrap();
        let proxies = Proxies::new(Some(https), NoProxy::parse("skip.example"));
        let via = |url: &str| proxies.for_url(url).map(Proxy::as_str);
        assert_eq!(via("https://api.example/x"), Some("http://tls-proxy:3128"));
        assert_eq!(via("https://127.0.0.1:9/x"), Some("http://tls-proxy:3128"));
        assert_eq!(via("http://127.0.0.1:9/x"), None);
        assert_eq!(via("http://localhost:9/x"), None);
        assert_eq!(via("https://skip.example/x"), None);
        assert!(
            Proxies::default()
                .for_url("https://api.example/x")
                .is_none()
        );
    }
}
