//! `mfa doctor`: every check that can be made without sending a code, one line each,
//! in order: the config file, the settings of each call, the credentials, the route to
//! the API, an OAuth2 token, the credentials themselves through the one call that
//! sends nothing (a `verify` for a fictional number), and then the reads (`reads`):
//! call state, message status, and each application.
//!
//! The TLS check is the handshake of the calls themselves, seen through the transport's
//! [`on_handshake`](mfa::Transport::on_handshake): the handshake ends before any byte of
//! a request is written, so a refused certificate stops the call with nothing sent, and
//! what is checked is exactly what a send would meet. Each host's handshake gets a line
//! before the line of the call that made it.
//!
//! Each line is `ok`, `warn` or `fail`, the check and one short detail; no secret is
//! ever shown. A failed check skips the checks that depend on it. The exit status is
//! that of the first failure's class (0 when nothing failed, warnings allowed). Nothing
//! is retried.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use mfa::unversioned::Handshake;
use mfa::{
    Call, Client, Credentials, ExpirationMinutes, NetworkCause, PhoneNumber, Retries, VerifyRequest,
};

use crate::cli::args::{DoctorArgs, GlobalArgs, OutputFormat};
use crate::cli::audit::{self, AuditLog};
use crate::cli::call;
use crate::cli::certificate::{self, Summary};
use crate::cli::credentials::{Login, Password};
use crate::cli::failure::{Exit, Failure};
use crate::cli::interrupt;
use crate::cli::origin::Origin;
use crate::cli::output;
use crate::cli::settings::table::{self, Seconds, Setting};
use crate::cli::settings::{Connection, Endpoint, Env, ShownValue, Sources};
use crate::cli::status_line::StatusLine;

mod guard;
mod network;
mod reads;
mod report;

use network::{connect, host_and_port, look_up};
use report::{Report, Status};

/// The number the credentials are checked against unless `--to` names another: one of
/// +12025550100 to +12025550199, the 555-01xx range North American numbering keeps for
/// fiction, so no phone has it. It is picked at random each run, as Bandwidth's own SDK
/// tests do: the API rate-limits verifies for one number, and a CI job that checked the
/// same number on every build would soon be turned away.
fn fictional_number() -> PhoneNumber {
    use std::hash::{BuildHasher, Hasher};
    // std's hasher is keyed from the system's randomness for each process: random
    // enough to spread checks over a hundred numbers, with no crate for it.
    let pick = std::hash::RandomState::new().build_hasher().finish() % 100;
    format!("+120255501{pick:02}").parse().expect("a number")
}

/// The scope of that check: its own, so it never counts against a real code's tries.
pub const SCOPE: &str = "mfa-doctor";

/// Runs the checks, writing each line as its check ends (text) or the report at the
/// end (JSON); returns the exit status. A signal (Ctrl-C) ends it saying that nothing
/// was sent, whatever it was doing: its one call is a verify for a fictional number.
pub fn run(
    args: &DoctorArgs,
    global: &GlobalArgs,
    env: Env,
    places: crate::cli::Places,
    out: &mut dyn Write,
) -> Result<Exit, Failure> {
    say_when_interrupted(global.format());
    let mut report = Report::new(global.format(), out);
    check(args, global, env, places, &mut report);
    let exit = report.first_failure.unwrap_or(Exit::Success);
    let written = report.end();
    output::written(written, out, "the report")?;
    Ok(exit)
}

/// From now on, a signal ends the run with one error line (one JSON object with
/// `--json`): interrupted, and nothing was sent.
fn say_when_interrupted(format: OutputFormat) {
    interrupt::install_words(|signal| {
        let why = format!("interrupted ({}) during the checks", signal.name());
        interrupt::said(format, &why, Some(interrupt::NOTHING_SENT_BEFORE))
    });
}

/// What `work` gives, the status line `status` drawn meanwhile and erased after.
fn within<T>(status: StatusLine, work: impl FnOnce() -> T) -> T {
    let done = work();
    status.finish();
    done
}

/// A status line for a wait at `host`: drawn after a second, at a terminal, in text;
/// erased when dropped.
fn waiting(global: &GlobalArgs, host: &str) -> StatusLine {
    let wanted = global.format() == OutputFormat::Text && std::io::stderr().is_terminal();
    StatusLine::start(wanted, host)
}

/// The checks, in order, each skipped when one it needs has failed: (1) the config
/// file and the profile, (2) the settings of each call, (3) the credentials, (4) the
/// route, (5) a token for OAuth2 and (6) the one call, which sends nothing.
fn check(
    args: &DoctorArgs,
    global: &GlobalArgs,
    env: Env,
    places: crate::cli::Places,
    report: &mut Report,
) {
    let Some(sources) = config_file(global, env, places.config_dir, report) else {
        return;
    };
    if !settings(&sources, global, report) {
        return;
    }
    guard::lines(&sources, places.state_dir, report);
    let connection = sources.connection(global);
    let timeout = match &connection {
        Ok(connection) => connection.timeout.value.duration(),
        Err(_) => Seconds::default_timeout().duration(),
    };
    let login = sources.login(global);
    let credentials = credentials(&login, timeout, report);
    // The route needs the account id, whose absence the settings' checks have already
    // failed.
    let Ok(connection) = connection else {
        return;
    };
    let urls = match reads::Urls::of(&sources) {
        Ok(urls) => urls,
        Err(failure) => return report.fail("settings", &failure),
    };
    let Some((transport, handshakes)) = route(&sources, global, &connection, &login, &urls, report)
    else {
        return;
    };
    let (Some(credentials), Ok(login)) = (credentials, &login) else {
        return;
    };
    let reach = Reach {
        sources: &sources,
        global,
        connection: &connection,
        login,
        handshakes,
        urls: &urls,
    };
    api_access(args, reach, credentials, transport, report);
}

/// (1) The config file and the profile: the sources the other checks read.
fn config_file<'a>(
    global: &GlobalArgs,
    env: Env<'a>,
    config_dir: Option<&Path>,
    report: &mut Report,
) -> Option<Sources<'a>> {
    let sources = match Sources::load(global, env, config_dir) {
        Ok(sources) => sources,
        Err(failure) => {
            report.fail("config file", &failure);
            return None;
        }
    };
    let file = match &sources.file {
        Some(file) if file.exists => format!("{} (found, {})", file.path.display(), file.origin),
        Some(file) => format!(
            "{} (not found, {}): settings come from flags and variables",
            file.path.display(),
            file.origin
        ),
        None => "none: no user config directory is known".to_string(),
    };
    let profile = &sources.profile_name;
    let detail = format!(
        "{file}; profile `{}` ({})",
        mfa::unversioned::printable(&profile.value),
        profile.origin
    );
    match sources.warnings.as_slice() {
        [] => report.ok("config file", detail),
        warnings => report.warn("config file", format!("{detail}; {}", warnings.join("; "))),
    }

    Some(sources)
}

/// (2) The settings of each call; `false` when they cannot even be read.
fn settings(sources: &Sources, global: &GlobalArgs, report: &mut Report) -> bool {
    let shown = match sources.show(global) {
        Ok(shown) => shown,
        Err(failure) => {
            report.fail("settings", &failure);
            return false;
        }
    };
    let value_of = |setting: &Setting| {
        shown
            .iter()
            .find(|line| line.setting.key == setting.key)
            .map(|line| &line.value)
    };
    // What each call cannot be made without, by the table; the credentials have a
    // step of their own.
    let needs = [
        ("voice settings", Call::VoiceCode),
        ("sms settings", Call::MessagingCode),
        ("verify settings", Call::VerifyCode),
    ]
    .map(|(name, call)| {
        let needed: Vec<&Setting> = table::SETTINGS
            .into_iter()
            .filter(|setting| setting.is_needed_by(call, false))
            .collect();
        (name, needed)
    });
    for (name, settings) in needs {
        // Keys grouped by where they come from, in the order met: the config file line
        // above already names the file and profile, so a key of it says only that.
        let mut found: Vec<(String, Vec<String>)> = Vec::new();
        let mut missing = Vec::new();
        for setting in settings {
            match value_of(setting) {
                Some(ShownValue::Value { origin, .. }) => {
                    let from = match origin {
                        Origin::Profile { .. } => "the profile".to_string(),
                        other => other.to_string(),
                    };
                    // Quoted: a key called `from` must not read "from from".
                    let key = format!("`{}`", setting.key);
                    match found.iter_mut().find(|(source, _)| *source == from) {
                        Some((_, keys)) => keys.push(key),
                        None => found.push((from, vec![key])),
                    }
                }
                _ => missing.push(setting),
            }
        }
        let found: Vec<String> = found
            .iter()
            .map(|(from, keys)| format!("{} from {from}", keys.join(", ")))
            .collect();
        if missing.is_empty() {
            report.ok(name, format!("complete: {}", found.join("; ")));
        } else if missing
            .iter()
            .any(|setting| setting.key == table::ACCOUNT_ID.key)
        {
            report.fail(name, &Failure::Config(sources.missing(&table::ACCOUNT_ID)));
        } else {
            // Another call may be all this profile is for; a flag can still fill it in.
            let keys: Vec<String> = missing.iter().map(|s| format!("`{}`", s.key)).collect();
            report.warn(
                name,
                format!("missing {} (a flag can still give it)", keys.join(", ")),
            );
        }
    }

    true
}

/// (3) The credentials: a `password_command` is run, its output never shown.
fn credentials(
    login: &Result<Login, Failure>,
    timeout: Duration,
    report: &mut Report,
) -> Option<Credentials> {
    match login {
        Ok(login) => match login.credentials(timeout) {
            Ok(credentials) => {
                report.ok("credentials", describe(login));
                Some(credentials)
            }
            Err(failure) => {
                report.fail("credentials", &failure);
                None
            }
        },
        Err(failure) => {
            report.fail("credentials", failure);
            None
        }
    }
}

/// (4) The route: the base URL, the proxy, the name lookup, the connection; the
/// transport the calls then take (the reads' too), and the handshakes it makes.
fn route(
    sources: &Sources,
    global: &GlobalArgs,
    connection: &Connection,
    login: &Result<Login, Failure>,
    urls: &reads::Urls,
    report: &mut Report,
) -> Option<(mfa::Transport, Handshakes)> {
    let timeout = connection.timeout.value.duration();
    let base_url = &connection.base_url;
    let mut endpoints = vec![Endpoint::of_api(&base_url.value)];
    endpoints.extend([&urls.voice, &urls.messaging, &urls.dashboard].map(Endpoint::of_api));
    let token_url = match login {
        Ok(Login::Client { token_url, .. }) => Some(token_url.value.clone()),
        _ => None,
    };
    endpoints.extend(token_url.as_ref().map(Endpoint::of_token));
    let network = match sources.network(global, &endpoints) {
        Ok(network) => network,
        Err(failure) => {
            report.fail("route", &failure);
            return None;
        }
    };
    let never_again: Retries = "0".parse().expect("0 retries is a number of retries");
    let handshakes = Handshakes::default();
    let transport = network
        .transport(timeout)
        .with_retries(never_again)
        .on_handshake(handshakes.keeper());
    let proxy = transport.proxy_for(base_url.value.as_str()).cloned();
    let via = match &proxy {
        Some(proxy) => format!("through the proxy {}", proxy.as_str()),
        None => "direct (no proxy variable applies)".to_string(),
    };
    report.ok(
        "route",
        format!("{} ({}), {via}", base_url.value, base_url.origin),
    );
    let reached = proxy
        .as_ref()
        .map_or(base_url.value.as_str(), |p| p.as_str());
    let (host, port) = host_and_port(reached)?;
    let addresses = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => {
            report.ok(
                "name lookup",
                format!("{host} is an address: nothing to look up"),
            );
            vec![SocketAddr::new(ip, port)]
        }
        Err(_) => match within(waiting(global, &host), || look_up(&host, port, timeout)) {
            Ok(addresses) => {
                let first = addresses[0];
                report.ok("name lookup", format!("{host}: {}", first.ip()));
                addresses
            }
            Err(problem) => {
                report.fail_network("name lookup", format!("{host}: {problem}"));
                return None;
            }
        },
    };
    let host_port = format!("{host}:{port}");
    match within(waiting(global, &host_port), || connect(&addresses, timeout)) {
        Ok(address) => report.ok("connection", format!("{address} (TCP)")),
        Err(problem) => {
            report.fail_network("connection", format!("{host}:{port}: {problem}"));
            return None;
        }
    }

    Some((transport, handshakes))
}

/// What the calls of steps 5 and 6 are made with.
struct Reach<'a> {
    sources: &'a Sources<'a>,
    global: &'a GlobalArgs,
    connection: &'a Connection,
    login: &'a Login,
    handshakes: Handshakes,
    urls: &'a reads::Urls,
}

/// (5) A token, for OAuth2; (6) the one call, a verify for a fictional number, which
/// sends nothing, and its audit line.
fn api_access(
    args: &DoctorArgs,
    reach: Reach,
    credentials: Credentials,
    transport: mfa::Transport,
    report: &mut Report,
) {
    let Reach {
        sources,
        global,
        connection,
        login,
        mut handshakes,
        urls,
    } = reach;
    let oauth2 = matches!(credentials, Credentials::ClientCredentials(_));
    let client = Client::new(
        connection.base_url.value.clone(),
        connection.account_id.value.clone(),
        credentials,
    )
    .with_transport(transport)
    .with_voice_url(urls.voice.clone())
    .with_messaging_url(urls.messaging.clone())
    .with_dashboard_url(urls.dashboard.clone());
    let refused = |error: mfa::Error| {
        let advice = login
            .advice(&error, &connection.account_id)
            .or_else(|| call::base_url_advice(&error, connection));
        Failure::Api { error, advice }
    };
    // The request's progress, for what an interruption writes to the audit log.
    let client = client
        .on_request_written(interrupt::request_written)
        .on_response(|response| interrupt::answered(response.status));
    if oauth2 {
        let token_host = match login {
            Login::Client { token_url, .. } => Endpoint::of_token(&token_url.value).host,
            Login::Basic { .. } => String::new(),
        };
        let token = within(waiting(global, &token_host), || client.fetch_token());
        handshakes.report(report);
        match token {
            Ok(_) => report.ok("token", "the token endpoint issued an access token"),
            Err(error) => return report.fail(failed_check("token", &error), &refused(error)),
        }
    }
    let to = match &args.to {
        Some(to) => to.clone(),
        None => fictional_number(),
    };
    let request = VerifyRequest::new(
        to.clone(),
        "000000".parse().expect("a code"),
        ExpirationMinutes::new(1.0).expect("a lifetime"),
    )
    .with_scope(SCOPE.parse().expect("a scope"));
    let (audit, mut entry) = match audit_of(sources, global, connection, &to) {
        Ok(audit) => audit,
        Err(failure) => return report.fail("audit log", &failure),
    };
    let api_host = Endpoint::of_api(&connection.base_url.value).host;
    let verified = within(waiting(global, &api_host), || client.verify_code(&request));
    if let Some(log) = &audit {
        log_the_call(log, &mut entry, &verified, report);
    }
    handshakes.report(report);
    match verified {
        Ok(_) => report.ok(
            "API access",
            format!(
                "the API took the credentials for account {} (one verify for {to} in scope \
                 {SCOPE}; no call, no message)",
                connection.account_id.value
            ),
        ),
        // Turned away before the credentials were looked at: they are neither
        // confirmed nor refused, and a CI job should not fail for it.
        Err(error) if error.class() == mfa::ErrorClass::RateLimited => {
            let wait = match error.retry_after() {
                Some(wait) => format!("{} s", wait.as_secs()),
                None => "about 30 s".to_owned(),
            };
            report.warn(
                "API access",
                format!("rate limited (HTTP 429): credentials not confirmed; try again in {wait}"),
            );
        }
        Err(error) => return report.fail(failed_check("API access", &error), &refused(error)),
    }
    let reader = reads::Reader {
        client: &client,
        global,
        urls,
        handshakes: &mut handshakes,
    };
    reads::check(reader, sources, report);
}

/// The audit log the doctor's one call goes into, if one is set, as any call does (a
/// log that cannot be used fails before the call), and the call's entry, which an
/// interruption while the call is out appends, ended by the signal.
fn audit_of(
    sources: &Sources,
    global: &GlobalArgs,
    connection: &Connection,
    to: &PhoneNumber,
) -> Result<(Option<AuditLog>, audit::Entry), Failure> {
    let audit = sources
        .log_file(global)?
        .map(|(path, origin)| AuditLog::open(&path, &origin))
        .transpose()?;
    let entry = audit::Entry::begin(
        "doctor",
        "verify",
        &sources.profile_name.value,
        connection.account_id.value.as_str(),
        to.as_str(),
        Some(SCOPE),
    );
    #[cfg(unix)]
    if let Some(log) = &audit {
        interrupt::log_to(log.raw_fd(), |signal, sent| {
            let mut interrupted = entry.clone();
            interrupted.exit = signal.exit().code();
            interrupted.sent = crate::cli::failure::sent_word(sent).to_owned();
            audit::line(&interrupted)
        });
    }
    Ok((audit, entry))
}

/// Ends the doctor's call's audit `entry` with how `verified` ended and appends it to
/// `log`; a line that cannot be written is a warning.
fn log_the_call(
    log: &AuditLog,
    entry: &mut audit::Entry,
    verified: &Result<mfa::Verdict, mfa::Error>,
    report: &mut Report,
) {
    match verified {
        Ok(verdict) => {
            entry.sent = "yes".into();
            entry.valid = Some(verdict.is_valid());
        }
        Err(error) => {
            entry.failed(&Failure::from(error.clone()));
            entry.status = error.status();
        }
    }
    if let Err(e) = log.append_line(&audit::line(entry)) {
        let why = format!("could not write {}: {e}", log.path().display());
        report.warn("audit log", why);
    }
}

/// The check a failed call fails: `TLS` when the server's certificate was refused (the
/// handshake failed, so the call itself was never made), else the call's own.
fn failed_check(call: &'static str, error: &mfa::Error) -> &'static str {
    match error {
        mfa::Error::Network {
            cause: NetworkCause::Certificate(_),
            ..
        } => "TLS",
        _ => call,
    }
}

/// The TLS handshakes the calls made, kept by the transport as they happen.
#[derive(Debug, Default)]
struct Handshakes {
    made: Arc<Mutex<Vec<Handshake>>>,
    /// The hosts already reported: one line each.
    reported: Vec<String>,
}

impl Handshakes {
    /// What the transport calls with each handshake.
    fn keeper(&self) -> impl Fn(&Handshake) + Send + Sync + 'static {
        let made = self.made.clone();
        move |handshake| {
            made.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(handshake.clone())
        }
    }

    /// A `TLS` line for each host whose handshake has not been reported yet.
    fn report(&mut self, report: &mut Report) {
        let made = std::mem::take(&mut *self.made.lock().unwrap_or_else(PoisonError::into_inner));
        for handshake in made {
            if self.reported.contains(&handshake.host) {
                continue;
            }
            self.reported.push(handshake.host.clone());
            let (status, detail) = tls_check(
                &handshake.host,
                handshake.protocol,
                &handshake.certificate,
                handshake.trusted_by,
                SystemTime::now(),
            );
            report.add("TLS", status, detail);
        }
    }
}

/// The `TLS` line of a handshake with `host`: the version, who issued the server's
/// certificate and the days it has left at `now`, a warning under
/// [`certificate::WARN_DAYS`] or when the certificate cannot be read.
fn tls_check(
    host: &str,
    protocol: &str,
    certificate: &[u8],
    trusted_by: &str,
    now: SystemTime,
) -> (Status, String) {
    let Some(summary) = Summary::read(certificate) else {
        return (
            Status::Warn,
            format!("{host}: {protocol}, but its certificate could not be read"),
        );
    };
    let days = summary.days_left(now);
    let left = match days {
        Some(1) => "expires in 1 day".to_string(),
        Some(days) => format!("expires in {days} days"),
        None => "expired".to_string(),
    };
    let detail = format!(
        "{host}: {protocol}, certificate issued by {} (trusted through {}), {left}",
        summary.issuer, trusted_by
    );
    if days.is_some_and(|days| days >= certificate::WARN_DAYS) {
        (Status::Ok, detail)
    } else {
        (Status::Warn, format!("{detail}: renew it soon"))
    }
}

/// Which credentials, and where each part came from; never a secret.
fn describe(login: &Login) -> String {
    match login {
        Login::Basic { username, password } => {
            let password = match password {
                Password::Given(given) => format!("password from {}", given.origin),
                Password::Command { origin, .. } => {
                    format!("password from the password_command ({origin}), which ran")
                }
            };
            format!(
                "Basic: username {} from {}, {password}",
                username.value, username.origin
            )
        }
        Login::Client {
            client_id,
            client_secret,
            token_url,
        } => format!(
            "OAuth2: client id {} from {}, secret from {}, tokens from {}",
            client_id.value, client_id.origin, client_secret.origin, token_url.value
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOTS: &str = "the built-in roots";

    fn certificate(common_name: &str, days: i64) -> Vec<u8> {
        certificate::made_for_tests(common_name, None, days)
    }

    #[test]
    fn two_weeks_left_is_ok_and_less_is_a_warning() {
        let now = SystemTime::now();
        let (status, detail) = tls_check("h", "TLS 1.3", &certificate("CA", 14), ROOTS, now);
        assert_eq!(
            (status, detail.as_str()),
            (
                Status::Ok,
                "h: TLS 1.3, certificate issued by CA (trusted through the built-in roots), \
                 expires in 14 days"
            )
        );
        let store = "the system's store";
        let (status, detail) = tls_check("h", "TLS 1.2", &certificate("CA", 1), store, now);
        assert_eq!(
            (status, detail.as_str()),
            (
                Status::Warn,
                "h: TLS 1.2, certificate issued by CA (trusted through the system's store), \
                 expires in 1 day: renew it soon"
            )
        );
    }

    #[test]
    fn a_certificate_that_cannot_be_read_is_a_warning() {
        let (status, detail) = tls_check("h", "TLS 1.3", b"\x30\x00", ROOTS, SystemTime::now());
        assert_eq!(
            (status, detail.as_str()),
            (
                Status::Warn,
                "h: TLS 1.3, but its certificate could not be read"
            )
        );
    }

    #[test]
    fn an_issuer_name_with_terminal_controls_is_shown_escaped() {
        let hostile = certificate("CA\u{1b}]0;owned\u{7}\u{1b}[2J", 30);
        let mut out = Vec::new();
        let mut report = Report::new(OutputFormat::Text, &mut out);
        let (status, detail) = tls_check("h", "TLS 1.3", &hostile, ROOTS, SystemTime::now());
        report.add("TLS", status, detail);
        report.end().unwrap();
        let shown = String::from_utf8(out).unwrap();
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown:?}"
        );
        assert!(
            shown.starts_with("ok    TLS: h: TLS 1.3, certificate issued by CA"),
            "{shown}"
        );
    }
}
