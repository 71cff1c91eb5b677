//! The doctor's reads, after the credentials are confirmed: questions that send
//! nothing and that no send needs, so none of them fails the run but a wrong
//! application id.
//!
//! - `call state` and `message status`: whether the credentials can read what `mfa
//!   status` and `--wait` ask, through a lookup of an id that cannot exist (a 404 or an
//!   empty list is `ok`; 401 or 403 a `warn` naming the role the API user lacks).
//! - `voice application` and `sms application`, for each id set: whether the Dashboard
//!   API knows it (a `fail`, exit 3, when it does not: every send through it would be
//!   refused), of the right kind (likewise), and associated with a location (a `warn`
//!   when with none: a messaging application's texts then vanish; a voice application
//!   may not need one). Credentials that may not read the Dashboard API get a `warn`
//!   saying the check could not be made.

use mfa::{Application, ApplicationId, BaseUrl, Client, Error, ErrorClass};

use super::report::{Report, Status};
use super::{Handshakes, waiting, within};
use crate::cli::args::GlobalArgs;
use crate::cli::failure::Failure;
use crate::cli::settings::{Channel, Sources};

/// A call id no call has: the Voice API answers 404 to credentials that may read calls.
const NO_SUCH_CALL: &str = "c-mfa-doctor-no-such-call";
/// A message id no message has: the Messaging API lists none.
const NO_SUCH_MESSAGE: &str = "mfa-doctor-no-such-message";

/// Where the reads go.
pub struct Urls {
    pub voice: BaseUrl,
    pub messaging: BaseUrl,
    pub dashboard: BaseUrl,
}

impl Urls {
    /// Each API's URL from its setting, else Bandwidth's.
    pub fn of(sources: &Sources) -> Result<Urls, Failure> {
        let (voice, messaging) = sources.question_urls()?;
        let dashboard = sources.dashboard_url()?;
        Ok(Urls {
            voice,
            messaging,
            dashboard,
        })
    }
}

/// What the reads are made with.
pub struct Reader<'a> {
    pub client: &'a Client,
    pub global: &'a GlobalArgs,
    pub urls: &'a Urls,
    pub handshakes: &'a mut Handshakes,
}

/// Makes every read, a line each (a `TLS` line first for each new host).
pub fn check(reader: Reader, sources: &Sources, report: &mut Report) {
    let Reader {
        client,
        global,
        urls,
        handshakes,
    } = reader;
    let voice_host = urls.voice.host();
    let call = within(waiting(global, &voice_host), || {
        client.call_state(&NO_SUCH_CALL.parse().expect("a call id"))
    });
    handshakes.report(report);
    let (status, detail) = match call {
        Ok(_) => read("call state", &voice_host, "the lookup found a call"),
        Err(error) => read_refused("call state", &voice_host, "Voice", &error),
    };
    report.add("call state", status, detail);

    let messaging_host = urls.messaging.host();
    let message = within(waiting(global, &messaging_host), || {
        client.message_status(&NO_SUCH_MESSAGE.parse().expect("a message id"))
    });
    handshakes.report(report);
    let (status, detail) = match message {
        Ok(_) => read("message status", &messaging_host, "the lookup was answered"),
        Err(error) => read_refused("message status", &messaging_host, "Messaging", &error),
    };
    report.add("message status", status, detail);

    for (name, channel) in [
        ("voice application", Channel::Voice),
        ("sms application", Channel::Messaging),
    ] {
        match sources.application_id(channel) {
            Ok(Some(id)) => {
                let host = urls.dashboard.host();
                let found = within(waiting(global, &host), || application(client, &id, channel));
                handshakes.report(report);
                judge(report, name, channel, &id, &host, found);
            }
            // Not set: the settings' line has said so.
            Ok(None) => {}
            Err(failure) => report.fail(name, &failure),
        }
    }
}

/// An `ok` line for a read the credentials may make.
fn read(what: &str, host: &str, how: &str) -> (Status, String) {
    (
        Status::Ok,
        format!("the credentials can read {what} at {host} ({how}; nothing sent)"),
    )
}

/// The line for a failed read: a 404 (or a 400 for an id of a shape the API refuses)
/// means the credentials were let in; 401/403 that the API user lacks `role`.
fn read_refused(what: &str, host: &str, role: &str, error: &Error) -> (Status, String) {
    match error.status() {
        Some(404) => read(what, host, "an id that does not exist: 404"),
        Some(status @ (401 | 403)) => (
            Status::Warn,
            format!(
                "HTTP {status} from {host}: the API user lacks the {role} role, so `mfa \
                 status` and `--wait` cannot see {}",
                if role == "Voice" { "calls" } else { "messages" }
            ),
        ),
        _ => (Status::Warn, could_not_check(error)),
    }
}

/// A warning's words for a read that could not be made: the error's first sentence.
fn could_not_check(error: &Error) -> String {
    match error.class() {
        ErrorClass::RateLimited => "rate limited (HTTP 429): not checked".to_owned(),
        _ => format!("could not check: {error}"),
    }
}

/// The application `id`, and how many locations it is associated with, asked only of
/// one of the kind `channel` sends through.
fn application(
    client: &Client,
    id: &ApplicationId,
    channel: Channel,
) -> Result<(Application, usize), Error> {
    let found = client.application(id)?;
    if !is_of_kind(&found, channel) {
        return Ok((found, 0));
    }
    let locations = client.application_locations(id)?;
    Ok((found, locations.len()))
}

/// Whether `application` can carry the codes sent by `channel`.
fn is_of_kind(application: &Application, channel: Channel) -> bool {
    match channel {
        Channel::Voice => application.is_voice(),
        Channel::Messaging => application.is_messaging(),
    }
}

/// The line of the application `id` of sends by `channel`, from what the Dashboard
/// API at `host` said.
fn judge(
    report: &mut Report,
    name: &'static str,
    channel: Channel,
    id: &ApplicationId,
    host: &str,
    found: Result<(Application, usize), Error>,
) {
    let (kind, right_kind) = match channel {
        Channel::Voice => ("voice", "Voice-V2"),
        Channel::Messaging => ("messaging", "Messaging-V2"),
    };
    let (application, locations) = match found {
        Ok(found) => found,
        Err(error) if error.status() == Some(404) => {
            let why = format!(
                "{id} is not an application of this account ({host} answered 404): every \
                 {kind} send through it will be refused"
            );
            return report.fail(name, &Failure::Config(why));
        }
        Err(error) => {
            let why = match error.status() {
                Some(status @ (401 | 403)) => format!(
                    "{id} not checked: the credentials may not read the Dashboard API at \
                     {host} (HTTP {status})"
                ),
                _ => format!("{id} not checked: {}", could_not_check(&error)),
            };
            return report.warn(name, why);
        }
    };
    let called = match &application.name {
        Some(app_name) => format!("{id} ({app_name})"),
        None => id.to_string(),
    };
    if !is_of_kind(&application, channel) {
        let why = format!(
            "{called} is a {} application, not a {right_kind} one: every {kind} send \
             through it will be refused",
            application.service_type
        );
        return report.fail(name, &Failure::Config(why));
    }
    match (locations, channel) {
        (0, Channel::Messaging) => report.warn(
            name,
            format!(
                "{called} is associated with no location: messages sent through it will \
                 silently vanish; associate it with one in the Bandwidth App"
            ),
        ),
        (0, Channel::Voice) => report.warn(
            name,
            format!(
                "{called} is associated with no location: calls may not be placed unless \
                 the account routes them another way"
            ),
        ),
        (1, _) => report.ok(name, format!("{called}: {right_kind}, one location")),
        (n, _) => report.ok(name, format!("{called}: {right_kind}, {n} locations")),
    }
}
