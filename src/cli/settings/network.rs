//! Network settings: retries, extra trusted CAs, and the proxies the environment names.
//!
//! Retries and the CA file follow the usual precedence (flag, variable, profile). A CA
//! file named by a flag that cannot be used is a usage error (exit 2); one named by
//! the environment or the profile is a configuration error (exit 3); either message
//! names the file and where it was named. A relative `ca_file` in a profile is read
//! from the config file's folder, so it means the same from any working directory.
//!
//! Proxies come only from the environment, by curl's names: `https_proxy` then
//! `HTTPS_PROXY`, then `all_proxy` then `ALL_PROXY`, for `https://` URLs, and `no_proxy`
//! then `NO_PROXY` for the hosts that skip them. An `http://` URL (loopback only) is
//! never reached through a proxy, so `http_proxy` and `HTTP_PROXY` are never read; the
//! proxy variables are read only when a command calls an `https://` URL. A proxy's
//! value is never repeated in a message: it may hold a password.

use std::io::Write;
use std::path::PathBuf;

use mfa::{BaseUrl, CaCertificates, NoProxy, Proxies, Proxy, Retries, TokenUrl, Transport};

use super::sources::Sources;
use super::sources::invalid;
use super::table::{self, Setting};
use super::{non_empty, non_empty_path};
use crate::cli::args::GlobalArgs;
use crate::cli::ca_file::read_certificates;
use crate::cli::failure::Failure;
use crate::cli::origin::{Origin, Sourced};
use crate::cli::output::Log;

const HTTPS_PROXY: [&str; 4] = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];
const NO_PROXY: [&str; 2] = ["no_proxy", "NO_PROXY"];

/// A URL a command calls, and its `host:port` for messages.
#[derive(Debug)]
pub struct Endpoint<'a> {
    pub url: &'a str,
    pub host: String,
}

impl<'a> Endpoint<'a> {
    /// The API.
    pub fn of_api(url: &'a BaseUrl) -> Self {
        Endpoint {
            url: url.as_str(),
            host: url.host(),
        }
    }

    /// The token endpoint.
    pub fn of_token(url: &'a TokenUrl) -> Self {
        Endpoint {
            url: url.as_str(),
            host: url.host(),
        }
    }
}

/// How requests travel, and where each part of that came from.
#[derive(Debug)]
pub struct Network {
    pub retries: Sourced<Retries>,
    pub ca_file: Option<CaFile>,
    /// Whether the system's store vouches for servers too (`ca_roots`).
    pub system_roots: bool,
    pub https_proxy: Option<Sourced<Proxy>>,
    pub no_proxy: Option<Sourced<NoProxy>>,
}

/// The extra CAs, and the file they came from.
#[derive(Debug)]
pub struct CaFile {
    pub path: PathBuf,
    pub origin: Origin,
    pub certificates: CaCertificates,
}

impl Network {
    /// The library's transport for these settings, with `timeout`.
    pub fn transport(&self, timeout: std::time::Duration) -> Transport {
        let transport = Transport::default()
            .with_timeout(timeout)
            .with_retries(self.retries.value)
            .with_proxies(self.proxies())
            .with_system_roots(self.system_roots);
        match &self.ca_file {
            Some(file) => transport.with_ca_certificates(file.certificates.clone()),
            None => transport,
        }
    }

    /// The library's proxies for these settings.
    fn proxies(&self) -> Proxies {
        let https = self.https_proxy.as_ref().map(|p| p.value.clone());
        let no_proxy = self.no_proxy.as_ref().map(|list| list.value.clone());
        Proxies::new(https, no_proxy.unwrap_or_default())
    }

    /// `--verbose` notes on how requests travel: extra CAs, retries, and each
    /// endpoint's proxy when a proxy variable is set.
    pub fn log(&self, log: Log, err: &mut dyn Write, endpoints: &[Endpoint]) {
        if let Some(file) = &self.ca_file {
            let note = format!(
                "trusting {} more CA certificate(s) from {} (from {})",
                file.certificates.len(),
                file.path.display(),
                file.origin
            );
            log.note(err, &note);
        }
        if self.retries.value.get() > 0 {
            let note = format!(
                "retries: up to {} (from {}), only after a failed name lookup, a refused \
                 connection or HTTP 429",
                self.retries.value, self.retries.origin
            );
            log.note(err, &note);
        }
        for endpoint in endpoints {
            if let Some(route) = self.route(endpoint) {
                log.note(err, &route);
            }
        }
    }

    /// How a request to `endpoint` goes, when a proxy variable has a say:
    /// `proxy http://proxy:3128 (from environment variable HTTPS_PROXY)`, or why it
    /// skips the proxy. The library's [`Proxies::for_url`] decides; this only says it.
    fn route(&self, endpoint: &Endpoint) -> Option<String> {
        let url = endpoint.url;
        let proxy = self
            .https_proxy
            .as_ref()
            .filter(|_| url.starts_with("https://"))?;
        let host = &endpoint.host;
        let (via, from) = (&proxy.value, origin_name(&proxy.origin));
        Some(match (self.proxies().for_url(url), &self.no_proxy) {
            (None, Some(list)) => format!(
                "{host}: no proxy, as {} lists it (the proxy would be {via} from {from})",
                origin_name(&list.origin),
            ),
            _ => format!("{host}: through proxy {via} (from {from})"),
        })
    }
}

/// `HTTPS_PROXY` rather than `environment variable HTTPS_PROXY`, for short notes.
fn origin_name(origin: &Origin) -> String {
    match origin {
        Origin::Env(name) => (*name).to_owned(),
        other => other.to_string(),
    }
}

impl Sources<'_> {
    /// Retries, extra CAs, and the proxies for `endpoints`, each checked.
    pub fn network(&self, global: &GlobalArgs, endpoints: &[Endpoint]) -> Result<Network, Failure> {
        let retries = self.retries(global)?;
        let uses = |scheme: &str| endpoints.iter().any(|e| e.url.starts_with(scheme));
        let https_proxy = match uses("https://") {
            true => self.proxy(&HTTPS_PROXY)?,
            false => None,
        };
        let no_proxy = match https_proxy {
            Some(_) => first_set(self, &NO_PROXY)?.map(|(list, name)| Sourced {
                value: NoProxy::parse(&list),
                origin: Origin::Env(name),
            }),
            None => None,
        };
        let system_roots = self
            .given(&table::CA_ROOTS)?
            .map(|given| match (table::CA_ROOTS.check)(&given.value) {
                Ok(()) => Ok(given.value != "builtin"),
                Err(rule) => Err(invalid(
                    &table::CA_ROOTS,
                    &given.value,
                    &given.origin,
                    &rule,
                )),
            })
            .transpose()?
            .unwrap_or(true);
        Ok(Network {
            retries,
            ca_file: self.ca_file(global)?,
            system_roots,
            https_proxy,
            no_proxy,
        })
    }

    /// How many retries, 0 unless given.
    fn retries(&self, global: &GlobalArgs) -> Result<Sourced<Retries>, Failure> {
        Ok(self
            .pick(&table::RETRIES, global.retries)?
            .unwrap_or_else(|| Sourced::default_value(Retries::default())))
    }

    /// The first of `names` that is set, as a proxy.
    fn proxy(&self, names: &[&'static str]) -> Result<Option<Sourced<Proxy>>, Failure> {
        let Some((value, name)) = first_set(self, names)? else {
            return Ok(None);
        };
        match value.parse::<Proxy>() {
            Ok(proxy) => Ok(Some(Sourced {
                value: proxy,
                origin: Origin::Env(name),
            })),
            Err(err) => Err(Failure::Config(format!(
                "environment variable {name} is invalid: {err}"
            ))),
        }
    }

    /// The audit log's file, if one is set: from `--log`, `MFA_LOG` or the profile's
    /// `log_file` (relative to the config file's folder).
    pub fn log_file(&self, global: &GlobalArgs) -> Result<Option<(PathBuf, Origin)>, Failure> {
        self.file_setting(&table::LOG_FILE, global.log_file.as_ref())
    }

    /// A setting that names a file: from its flag (`flag`), else its variable (any
    /// bytes a path may hold, as the flag's), else the profile, relative to the config
    /// file's folder.
    fn file_setting(
        &self,
        setting: &Setting,
        flag: Option<&PathBuf>,
    ) -> Result<Option<(PathBuf, Origin)>, Failure> {
        let variable = setting.variable.expect("a file setting has a variable");
        if let Some(path) = flag {
            let flag = setting.flag.expect("a file setting has a flag");
            return Ok(Some((path.clone(), Origin::Flag(flag))));
        }
        if let Some(path) = non_empty_path(self.env, variable) {
            return Ok(Some((path, Origin::Env(variable))));
        }
        Ok(self.given(setting)?.map(|given| {
            let path = self.path_of(setting, &given.value, &given.origin);
            (path, given.origin)
        }))
    }

    /// The extra CAs: from `--ca-file`, `MFA_CA_FILE` or the profile's `ca_file`.
    fn ca_file(&self, global: &GlobalArgs) -> Result<Option<CaFile>, Failure> {
        let setting = &table::CA_FILE;
        let Some((path, origin)) = self.file_setting(setting, global.ca_file.as_ref())? else {
            return Ok(None);
        };
        match read_certificates(&path) {
            Ok(certificates) => Ok(Some(CaFile {
                path,
                origin,
                certificates,
            })),
            Err(rule) => Err(invalid(
                setting,
                &path.display().to_string(),
                &origin,
                &rule,
            )),
        }
    }
}

/// The proxy variables, and what they give, for the man page.
pub fn proxy_variables() -> Vec<(String, String)> {
    let pair = |names: &[&str]| names.join(", ");
    vec![
        (
            pair(&HTTPS_PROXY[..2]),
            "the proxy for https:// URLs, e.g. http://user:password@proxy:3128".to_owned(),
        ),
        (
            pair(&HTTPS_PROXY[2..]),
            "the proxy for https:// URLs when the two above are not set; http:// URLs \
             (loopback only) are never reached through a proxy"
                .to_owned(),
        ),
        (
            pair(&NO_PROXY),
            "hosts, domains, addresses and CIDR ranges that skip the proxy; * for all; \
             loopback hosts are not skipped unless listed"
                .to_owned(),
        ),
    ]
}

/// The first of `names` set to something, and its name.
fn first_set(
    sources: &Sources,
    names: &[&'static str],
) -> Result<Option<(String, &'static str)>, Failure> {
    for name in names {
        if let Some(value) = non_empty(sources.env, name)? {
            return Ok(Some((value, name)));
        }
    }
    Ok(None)
}
