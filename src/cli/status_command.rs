//! `mfa status ID...`: whether each code reached the phone. A call id (`c-...`) is asked
//! of the Voice API (the call's state), any other id of the Messaging API (the text's
//! status); `--voice` or `--sms` says which for every id. Sends nothing.
//!
//! Each id ends as one of three outcomes, which make the exit status: it reached the
//! phone (a call answered, a text `DELIVERED`: 0), it did not (a call that ended
//! unanswered, a text `FAILED` or `UNDELIVERED`: 1), or it is not known yet (10): still
//! queued or ringing, not yet visible (Bandwidth shows a call within a few minutes and
//! keeps it 7 days, then answers 404), or a text `SENT` with no delivery receipt yet.
//! A failure to ask keeps its own exit status. Of several ids, the worst counts: a
//! failure, then 1, then 10, then 0; stderr says whose it is. With an audit log, each
//! outcome learned is a line of it (call `status`), which `mfa log` shows with its send.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use mfa::{AuthScheme, CallState, MessageStatus, Request};

use crate::cli::Places;
use crate::cli::args::{ApiCommand, GlobalArgs, OutputFormat, StatusArgs};
use crate::cli::audit::{self, AuditLog};
use crate::cli::call::{Caller, Record, deliver, print_outcome};
use crate::cli::failure::{Exit, Failure};
use crate::cli::input::Input;
use crate::cli::interrupt;
use crate::cli::log_command::instant;
use crate::cli::output::{self, Outcome};
use crate::cli::settings::{Connection, Endpoint, Env, Sources};

/// The longest stdin read for ids: far more than any list of ids a pipe carries.
const STDIN_CAP: u64 = 1024 * 1024;

/// Which API an id is asked of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    Voice,
    Sms,
}

impl Channel {
    /// `voice` or `sms`, as JSON names it.
    fn name(self) -> &'static str {
        match self {
            Channel::Voice => "voice",
            Channel::Sms => "sms",
        }
    }
}

/// What became of one id.
#[derive(Debug)]
struct Report {
    id: String,
    channel: Channel,
    /// `Some(true)`: it reached the phone; `Some(false)`: it did not; `None`: not known.
    reached: Option<bool>,
    /// What happened, in words.
    words: String,
    /// The API's own fields, for JSON.
    fields: serde_json::Map<String, serde_json::Value>,
}

impl Report {
    /// Its audit log entry, beginning from `base`.
    fn learned(&self, base: &audit::Entry) -> audit::Entry {
        let exit = rank_of(self.reached).1.code();
        audit::Entry::learned(base, &self.id, &self.words, self.reached, exit)
    }

    /// An id the API does not know (yet): not known, as `words` say why.
    fn not_found(id: &str, channel: Channel, words: &str) -> Self {
        Report {
            id: id.to_owned(),
            channel,
            reached: None,
            words: words.to_owned(),
            fields: serde_json::Map::from_iter([("state".to_owned(), "not found".into())]),
        }
    }
}

/// Reports each id's outcome; returns the exit status of the worst.
pub fn run(
    args: &StatusArgs,
    global: &GlobalArgs,
    env: Env,
    places: Places,
    input: &mut Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Failure> {
    let format = global.format();
    let ids = ids(args, input)?;
    let sources = Sources::load_warning(global, env, places.config_dir, err)?;
    let connection = sources.connection(global)?;
    let (voice_url, messaging_url) = sources.question_urls()?;
    let scheme = sources.scheme(global)?;
    let token_url = match scheme {
        AuthScheme::Bearer => Some(sources.token_url()?.value),
        _ => None,
    };
    let mut endpoints = vec![
        Endpoint::of_api(&voice_url),
        Endpoint::of_api(&messaging_url),
    ];
    endpoints.extend(token_url.as_ref().map(Endpoint::of_token));
    let network = sources.network(global, &endpoints)?;
    let audit = sources
        .log_file(global)?
        .map(|(path, origin)| AuditLog::open(&path, &origin))
        .transpose()?;
    // What each line learned is logged with: no number is known here, only the id.
    let base = audit::Entry::begin(
        "status",
        "status",
        &sources.profile_name.value,
        connection.account_id.value.as_str(),
        "",
        None,
    );
    let show_status = output::shows_status(global);
    let caller = Caller::connect(
        global,
        &sources,
        &connection,
        &network,
        &endpoints,
        places,
        show_status,
        Default::default(),
        err,
    )?
    .asking(voice_url.clone(), messaging_url.clone());
    let asking = Asking {
        caller: &caller,
        voice_url: &voice_url,
        messaging_url: &messaging_url,
        account: &connection.account_id.value,
        scheme,
    };
    // `--wait`: until every id's outcome is final, or the wait is over.
    let started = Instant::now();
    let deadline = args.wait.map(|wait| started + wait.duration());
    if deadline.is_some() {
        say_when_interrupted(format);
    }
    let mut worst: Option<(Rank, Exit, String)> = None;
    for (id, channel) in ids {
        let asked = asking.until(&id, channel, (started, deadline), err);
        let written = match &asked {
            Ok(report) => write_report(out, format, report),
            Err(failure) => write_failure(out, err, format, &id, channel, failure),
        };
        written.map_err(|e| Failure::Output(format!("could not write to stdout: {e}")))?;
        let (rank, exit) = match &asked {
            Ok(report) => rank_of(report.reached),
            Err(failure) => (Rank::Failed, failure.exit()),
        };
        if let (Some(log), Ok(report)) = (&audit, &asked) {
            log.append_or_warn(&report.learned(&base), format, err);
        }
        if worst.as_ref().is_none_or(|(was, _, _)| rank > *was) {
            worst = Some((rank, exit, id.clone()));
        }
    }
    caller.finish();
    let (_, exit, whose) = worst.expect("at least one id");
    if exit != Exit::Success && format == OutputFormat::Text {
        let _ = writeln!(err, "mfa: exit {} is that of {whose}", exit.code());
    }
    Ok(exit)
}

/// The first pause between two questions of `--wait`, and the longest: each is half as
/// long again as the one before, well within the APIs' rate limits (the Messaging
/// API's is 3,500 requests in 5 minutes).
const FIRST_PAUSE: Duration = Duration::from_secs(2);
const LONGEST_PAUSE: Duration = Duration::from_secs(30);

/// What each question is asked with.
struct Asking<'a> {
    caller: &'a Caller<'a>,
    voice_url: &'a mfa::BaseUrl,
    messaging_url: &'a mfa::BaseUrl,
    account: &'a mfa::AccountId,
    scheme: AuthScheme,
}

impl Asking<'_> {
    /// Asks what became of `id` until it is final or the wait (`started`, ending at the
    /// deadline, if any) is over: once without a deadline.
    fn until(
        &self,
        id: &str,
        channel: Channel,
        (started, deadline): (Instant, Option<Instant>),
        err: &mut dyn Write,
    ) -> Result<Report, Failure> {
        let mut pause = FIRST_PAUSE;
        loop {
            let asked = self.ask(id, channel, err);
            let open = matches!(&asked, Ok(report) if report.reached.is_none());
            let left = deadline.map_or(Duration::ZERO, |d| {
                d.saturating_duration_since(Instant::now())
            });
            if !open || left.is_zero() {
                return asked;
            }
            self.caller.awaiting(id, started);
            std::thread::sleep(pause.min(left));
            pause = (pause * 3 / 2).min(LONGEST_PAUSE);
        }
    }

    /// Asks once what became of `id`, of the API of `channel`. A call not found yet is
    /// a report (not known), not a failure.
    fn ask(&self, id: &str, channel: Channel, err: &mut dyn Write) -> Result<Report, Failure> {
        let (caller, account, scheme) = (self.caller, self.account, self.scheme);
        let asked = match channel {
            Channel::Voice => {
                let request = Request::call_state(self.voice_url, account, scheme, id);
                let host = self.voice_url.host();
                id.parse()
                    .map_err(|rule| bad_id(id, rule))
                    .and_then(|call_id| {
                        caller.ask(&host, &request, |c| c.call_state(&call_id), err)
                    })
                    .map(|state| of_call(id, state))
            }
            Channel::Sms => {
                let request = Request::message_status(self.messaging_url, account, scheme, id);
                let host = self.messaging_url.host();
                id.parse()
                    .map_err(|rule| bad_id(id, rule))
                    .and_then(|message_id| {
                        caller.ask(&host, &request, |c| c.message_status(&message_id), err)
                    })
                    .map(|status| of_message(id, status))
            }
        };
        asked.or_else(|failure| not_visible(id, channel, failure))
    }
}

/// From now on, a signal (Ctrl-C) ends the wait saying the outcome is not known; it
/// sent nothing.
fn say_when_interrupted(format: OutputFormat) {
    interrupt::install_words(|signal| {
        let why = format!(
            "interrupted ({}) while waiting for the outcome, which is not known",
            signal.name()
        );
        interrupt::said(format, &why, None)
    });
}

/// The ids to report: the arguments, else one a line from stdin; each with the API
/// it is asked of.
fn ids(args: &StatusArgs, input: &mut Input) -> Result<Vec<(String, Channel)>, Failure> {
    let mut ids = args.ids.clone();
    if ids.is_empty() {
        let mut text = String::new();
        (&mut input.reader)
            .take(STDIN_CAP)
            .read_to_string(&mut text)
            .map_err(|e| Failure::Usage(format!("cannot read the ids from stdin: {e}")))?;
        ids = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect();
    }
    if ids.is_empty() {
        return Err(Failure::Usage(
            "no id: give the call or message ids, or one a line on stdin (`mfa voice ... | \
             mfa status`)"
                .into(),
        ));
    }
    Ok(ids
        .into_iter()
        .map(|id| {
            let channel = match (args.voice, args.sms) {
                (true, _) => Channel::Voice,
                (_, true) => Channel::Sms,
                _ if id.starts_with("c-") => Channel::Voice,
                _ => Channel::Sms,
            };
            (id, channel)
        })
        .collect())
}

/// An id that cannot be one (empty, a control character): a usage error.
fn bad_id(id: &str, rule: mfa::InvalidValue) -> Failure {
    Failure::Usage(format!(
        "the id '{}' {rule}",
        mfa::unversioned::printable(id)
    ))
}

/// A 404 for a call: not visible yet, or older than 7 days; not known, not a failure.
fn not_visible(id: &str, channel: Channel, failure: Failure) -> Result<Report, Failure> {
    let api_404 = failure.api_error().and_then(mfa::Error::status) == Some(404);
    if !(api_404 && channel == Channel::Voice) {
        return Err(failure);
    }
    let words = "not found: Bandwidth shows a call within a few minutes, and keeps it 7 days";
    Ok(Report::not_found(id, channel, words))
}

/// What a call's `state` says.
fn of_call(id: &str, state: CallState) -> Report {
    let reached = state.reached();
    let words = call_words(&state);
    let mut fields = serde_json::Map::new();
    fields.insert("state".into(), state.state.clone().into());
    let optional = [
        ("cause", state.disconnect_cause),
        ("startTime", state.start_time),
        ("answerTime", state.answer_time),
        ("endTime", state.end_time),
        ("errorMessage", state.error_message),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            fields.insert(key.into(), value.into());
        }
    }
    Report {
        id: id.to_owned(),
        channel: Channel::Voice,
        reached,
        words,
        fields,
    }
}

/// What became of a call, in words: `answered after 12 s`, `busy`, `not answered in
/// time`, `ringing: not final yet`, ... (escape them to show them: the API's own
/// strings are in some).
pub fn call_words(state: &CallState) -> String {
    let seconds = |from: &Option<String>, to: &Option<String>| -> Option<u64> {
        let (from, to) = (instant(from.as_deref()?)?, instant(to.as_deref()?)?);
        Some(to.duration_since(from).ok()?.as_secs())
    };
    let cause = state.disconnect_cause.clone().unwrap_or_default();
    match (state.reached(), state.state.as_str()) {
        (Some(true), _) => match seconds(&state.start_time, &state.answer_time) {
            Some(after) => format!("answered after {after} s"),
            None => "answered".to_owned(),
        },
        (Some(false), _) => match cause.as_str() {
            "busy" => "busy".to_owned(),
            "timeout" => "not answered in time".to_owned(),
            "rejected" => "rejected".to_owned(),
            "cancel" => "cancelled before it was answered".to_owned(),
            "hangup" => "hung up before it was answered".to_owned(),
            _ => match &state.error_message {
                Some(message) => format!("failed: {message}"),
                None => format!("ended unanswered ({cause})"),
            },
        },
        (None, "queued") => "queued: not final yet".to_owned(),
        (None, "initiated") => "ringing: not final yet".to_owned(),
        (None, other) => format!("{other}: not final yet"),
    }
}

/// What a text's status says; `None`: the API lists no such message.
fn of_message(id: &str, status: Option<MessageStatus>) -> Report {
    let Some(status) = status else {
        let words = "not found: Bandwidth lists a message within a few minutes of it";
        return Report::not_found(id, Channel::Sms, words);
    };
    let words = match (status.reached(), status.status.as_str()) {
        (Some(true), _) => "delivered".to_owned(),
        (Some(false), _) => match status.error_code {
            Some(code) => format!("not delivered: error {code} ({})", error_meaning(code)),
            None => "not delivered".to_owned(),
        },
        (None, "SENT") => "sent to the carrier, no delivery receipt yet: not final".to_owned(),
        (None, other) => format!("{}: not final yet", other.to_ascii_lowercase()),
    };
    let mut fields = serde_json::Map::new();
    fields.insert("state".into(), status.status.clone().into());
    if let Some(code) = status.error_code {
        fields.insert("errorCode".into(), code.into());
    }
    if let Some(time) = &status.receive_time {
        fields.insert("receiveTime".into(), time.clone().into());
    }
    Report {
        id: id.to_owned(),
        channel: Channel::Sms,
        reached: status.reached(),
        words,
        fields,
    }
}

/// What a Messaging API error code means, in a few words: the codes a code's text
/// meets most, else what the code's digits say (its first: the sender's error, 4, a
/// service failure, 5, or not clear, 9; its second, for a 4: Bandwidth's refusal or
/// the carrier's, 7).
fn error_meaning(code: i64) -> &'static str {
    match code {
        4432 => "the destination's country is not allowed",
        4476 => "the sending number is not registered to a 10DLC campaign",
        4701 => "the phone cannot be reached, or has no text service",
        4702 => "the phone is unavailable: off, out of reach or full",
        4720 => "the carrier rejected the number as invalid",
        4750 => "the carrier rejected the message, giving no reason",
        4751 => "the carrier rejected the message as too long",
        4752 => "the carrier rejected the message as malformed",
        4753 => "the phone rejected the message",
        4770 => "the carrier blocked the message as spam",
        5620 => "the carrier blocked the sending number",
        9902 => "no delivery receipt came in time",
        4700..=4799 => "the carrier refused it: sending it again fails the same way",
        4000..=4999 => "Bandwidth refused it: sending it again fails the same way",
        5000..=5999 => "a service failure on the way",
        _ => "it failed on the way, for no clear reason",
    }
}

/// How bad an outcome is, for the exit status of several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Reached,
    NotYetKnown,
    NotReached,
    Failed,
}

/// The rank and exit status of an outcome.
fn rank_of(reached: Option<bool>) -> (Rank, Exit) {
    match reached {
        Some(true) => (Rank::Reached, Exit::Success),
        Some(false) => (Rank::NotReached, Exit::AnswerNo),
        None => (Rank::NotYetKnown, Exit::NotYetKnown),
    }
}

/// One line (`ID  what happened`), or one JSON object.
fn write_report(out: &mut dyn Write, format: OutputFormat, report: &Report) -> std::io::Result<()> {
    match format {
        OutputFormat::Text => writeln!(out, "{}", text_line(report)),
        OutputFormat::Json => writeln!(out, "{}", json_object(report)),
    }
}

/// `ID  what happened`, escaped.
fn text_line(report: &Report) -> String {
    format!(
        "{}  {}",
        output::escaped(&report.id),
        output::escaped(&report.words)
    )
}

/// The JSON object of a report: the id, its channel, whether it is final and reached
/// the phone, in words, and the API's own fields.
fn json_object(report: &Report) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    object.insert("id".into(), report.id.clone().into());
    object.insert("channel".into(), report.channel.name().into());
    object.insert("final".into(), report.reached.is_some().into());
    object.insert("reached".into(), report.reached.into());
    object.insert("outcome".into(), report.words.clone().into());
    object.extend(report.fields.clone());
    serde_json::Value::Object(object)
}

/// An id that could not be asked about: in text, an error line on stderr naming it; in
/// JSON, its object on stdout with the error in it, one object an id either way.
fn write_failure(
    out: &mut dyn Write,
    err: &mut dyn Write,
    format: OutputFormat,
    id: &str,
    channel: Channel,
    failure: &Failure,
) -> std::io::Result<()> {
    let reason = output::escaped(&failure.reason());
    match format {
        OutputFormat::Text => {
            let _ = writeln!(err, "mfa: error: {}: {reason}", output::escaped(id));
            Ok(())
        }
        OutputFormat::Json => {
            let object = serde_json::json!({
                "id": id, "channel": channel.name(), "final": false, "reached": null,
                "error": error_object(failure),
            });
            writeln!(out, "{object}")
        }
    }
}

/// The `error` of an outcome that could not be asked: its kind, the HTTP status if the
/// API answered, and the message.
fn error_object(failure: &Failure) -> serde_json::Value {
    let mut error = serde_json::Map::new();
    error.insert("kind".into(), failure.kind().into());
    if let Some(status) = failure.api_error().and_then(mfa::Error::status) {
        error.insert("status".into(), status.into());
    }
    error.insert("message".into(), output::escaped(&failure.reason()).into());
    serde_json::Value::Object(error)
}

/// `--wait` on `voice` or `sms`: where the outcome is asked and for how long, resolved
/// before the code is sent, so a bad setting never costs a send.
pub struct WaitAfterSend {
    voice_url: mfa::BaseUrl,
    messaging_url: mfa::BaseUrl,
    wait: Duration,
}

impl WaitAfterSend {
    /// What `command` asks for, if it is a send with `--wait`.
    pub fn of(command: &ApiCommand, sources: &Sources) -> Result<Option<Self>, Failure> {
        let (ApiCommand::Voice(args) | ApiCommand::Sms(args)) = command else {
            return Ok(None);
        };
        let Some(wait) = args.wait else {
            return Ok(None);
        };
        let (voice_url, messaging_url) = sources.question_urls()?;
        Ok(Some(WaitAfterSend {
            voice_url,
            messaging_url,
            wait: wait.duration(),
        }))
    }

    /// Prints the id of the code `sent` (in text at once, so a pipe gets it), then asks
    /// what became of it until that is final or the wait is over. The outcome goes to
    /// stderr (text) or into the one JSON object, and makes the exit status: 0, 1, or 10
    /// when it is not known (the wait ran out, or the outcome could not be asked: the
    /// code was sent either way, and is never sent again).
    pub fn run(
        self,
        caller: Caller,
        (connection, scheme): (&Connection, AuthScheme),
        (sent, record): (&Outcome, Option<&Record>),
        (format, out, err): (OutputFormat, &mut dyn Write, &mut dyn Write),
    ) -> Result<Exit, Failure> {
        let (key, id, channel) = match sent {
            Outcome::MessageId(id) => ("messageId", id.as_str(), Channel::Sms),
            Outcome::CallId(id) => ("callId", id.as_str(), Channel::Voice),
            Outcome::Verdict(_) => return Ok(Exit::Success),
        };
        if format == OutputFormat::Text {
            print_outcome(sent, format, out, err);
            let _ = out.flush();
        }
        let sent_before = interrupt::SentBefore {
            word: "yes",
            words: "the code was sent; what became of it is not known",
            id: Some((key, id)),
        };
        interrupt::install_words(|signal| {
            let why = format!(
                "interrupted ({}) while waiting for the outcome",
                signal.name()
            );
            interrupt::said(format, &why, Some(sent_before))
        });
        let caller = caller.asking(self.voice_url.clone(), self.messaging_url.clone());
        let asking = Asking {
            caller: &caller,
            voice_url: &self.voice_url,
            messaging_url: &self.messaging_url,
            account: &connection.account_id.value,
            scheme,
        };
        let started = Instant::now();
        let asked = asking.until(id, channel, (started, Some(started + self.wait)), err);
        caller.finish();
        let exit = match &asked {
            Ok(report) => rank_of(report.reached).1,
            Err(_) => Exit::NotYetKnown,
        };
        if let (Some(record), Ok(report)) = (record, &asked) {
            record
                .log
                .append_or_warn(&report.learned(&record.entry), format, err);
        }
        // The outcome is the run's last word; a stderr that cannot take it changes nothing.
        let _ = match (format, &asked) {
            (OutputFormat::Text, Ok(report)) => writeln!(err, "mfa: {}", text_line(report)),
            (OutputFormat::Text, Err(failure)) => output::write_warning(
                err,
                format,
                &format!(
                    "the code was sent ({id}); what became of it could not be asked: {}",
                    failure.reason()
                ),
            ),
            (OutputFormat::Json, _) => {
                let outcome = match &asked {
                    Ok(report) => json_object(report),
                    Err(failure) => serde_json::json!({
                        "final": false, "reached": null, "error": error_object(failure),
                    }),
                };
                let object = serde_json::json!({ key: id, "outcome": outcome });
                deliver(writeln!(out, "{object}"), err, &output::describe(sent));
                Ok(())
            }
        };
        Ok(exit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_code_reads_in_words_known_or_by_its_digits() {
        for (code, words) in [
            (
                4476,
                "the sending number is not registered to a 10DLC campaign",
            ),
            (4720, "the carrier rejected the number as invalid"),
            (4770, "the carrier blocked the message as spam"),
            (9902, "no delivery receipt came in time"),
            (
                4799,
                "the carrier refused it: sending it again fails the same way",
            ),
            (
                4001,
                "Bandwidth refused it: sending it again fails the same way",
            ),
            (5106, "a service failure on the way"),
            (9999, "it failed on the way, for no clear reason"),
            (0, "it failed on the way, for no clear reason"),
            (-1, "it failed on the way, for no clear reason"),
            (i64::MAX, "it failed on the way, for no clear reason"),
        ] {
            assert_eq!(error_meaning(code), words, "{code}");
        }
        let mut text = MessageStatus::default();
        text.status = "UNDELIVERED".into();
        text.error_code = Some(5620);
        assert_eq!(
            of_message("m-1", Some(text)).words,
            "not delivered: error 5620 (the carrier blocked the sending number)"
        );
    }
}
