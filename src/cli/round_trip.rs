//! The help desk's round trip (`mfa voice|sms --verify`): once the code is sent, the
//! code read back is asked for and checked for the same number and scope, up to the
//! tries allowed; every way it can end says that the code was sent.
//!
//! A voice call is watched meanwhile (`call_watch`): at a terminal each change shows
//! above the prompt, and when the call ends unanswered, the key `s` sends the code by
//! text message instead (to the same number, with the same scope; both sends are
//! logged). `--fallback sms` sends it without asking; off a terminal it first waits
//! for the call to be answered or to end, since nothing can be shown while a line is
//! read.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use mfa::{AuthScheme, CodeRequest, Verdict};

use crate::cli::args::{self, ApiCommand, OutputFormat};
use crate::cli::audit::{self, AuditLog};
use crate::cli::call::{ApiCall, Caller, Record, deliver};
use crate::cli::call_watch::{News, Watch};
use crate::cli::failure::{Exit, Failure};
use crate::cli::guard;
use crate::cli::hidden_prompt::Heard;
use crate::cli::input::{Input, ReadBack};
use crate::cli::interrupt;
use crate::cli::output::{self, Outcome};
use crate::cli::settings::{Connection, Sources};

/// `--verify` on a send: what the check of the code read back needs, resolved before
/// the code is sent, so that a missing lifetime never costs a call.
pub struct RoundTrip {
    to: mfa::PhoneNumber,
    scope: Option<mfa::Scope>,
    lifetime: mfa::ExpirationMinutes,
    tries: args::Tries,
    /// A voice round trip's watch of its call, if it can be made.
    watch: Option<Watching>,
}

/// How a voice round trip watches its call: where its state is asked, the text message
/// it may fall back to (when the settings make one), and whether without asking
/// (`--fallback sms`).
struct Watching {
    voice_url: mfa::BaseUrl,
    text: Option<CodeRequest>,
    without_asking: bool,
}

/// Where a round trip's checks go, and how they are told.
pub struct Asked<'a> {
    pub caller: &'a Caller<'a>,
    pub connection: &'a Connection,
    pub scheme: AuthScheme,
    pub sources: &'a Sources<'a>,
    pub record: Option<&'a AuditLog>,
    pub last_status: &'a Arc<AtomicU16>,
    pub command: &'static str,
    pub format: OutputFormat,
    pub show_status: bool,
    pub hint: Option<String>,
    /// Where the guard's record is kept: the text a fallback sends is counted too.
    pub state_dir: Option<&'a std::path::Path>,
}

/// The code sent whose read-back is being checked: the call's, or the text's a
/// fallback sent.
struct Sent {
    outcome: Outcome,
    call: mfa::Call,
}

impl Sent {
    fn of(outcome: &Outcome) -> Sent {
        let call = match outcome {
            Outcome::MessageId(_) => mfa::Call::MessagingCode,
            _ => mfa::Call::VoiceCode,
        };
        Sent {
            outcome: outcome.clone(),
            call,
        }
    }

    fn id(&self) -> &str {
        match &self.outcome {
            Outcome::CallId(id) => id.as_str(),
            Outcome::MessageId(id) => id.as_str(),
            Outcome::Verdict(_) => "",
        }
    }
}

/// How long, off a terminal, `--fallback sms` waits for the call to be answered or to
/// end before reading the code: longer than a call rings.
const LONGEST_RING: Duration = Duration::from_secs(120);

impl RoundTrip {
    /// What `command` asks for, if it is a send with `--verify`; the code lifetime is
    /// required (exit 2 when nothing gives it), and so is the text message
    /// `--fallback sms` would send, before anything is sent.
    pub fn of(
        command: &ApiCommand,
        call: &ApiCall,
        sources: &Sources,
    ) -> Result<Option<Self>, Failure> {
        let (ApiCommand::Voice(args) | ApiCommand::Sms(args)) = command else {
            return Ok(None);
        };
        let (true, ApiCall::Voice(body) | ApiCall::Sms(body)) = (args.verify, call) else {
            return Ok(None);
        };
        let lifetime = sources.require_lifetime(args.expiration)?;
        let watch = match (command, args.fallback) {
            (ApiCommand::Sms(_), Some(_)) => {
                return Err(Failure::Usage(
                    "--fallback sms is for `mfa voice --verify`: a text message has no call \
                     to fall back from"
                        .into(),
                ));
            }
            (ApiCommand::Voice(_), Some(args::Fallback::Sms)) => Some(Watching {
                voice_url: sources.question_urls()?.0,
                text: Some(sources.fallback_request(args)?),
                without_asking: true,
            }),
            // Watched at a terminal only, where it can be offered; never a reason not
            // to send.
            (ApiCommand::Voice(_), None) => {
                sources.question_urls().ok().map(|(voice_url, _)| Watching {
                    voice_url,
                    text: sources.fallback_request(args).ok(),
                    without_asking: false,
                })
            }
            _ => None,
        };
        Ok(Some(RoundTrip {
            to: body.to.clone(),
            scope: body.scope.clone(),
            lifetime,
            tries: args.tries.unwrap_or_default(),
            watch,
        }))
    }

    /// Prints the id as a send does (JSON waits for the end), then asks for the code
    /// read back and checks it, up to the tries allowed: exit 0 when valid, 1 when
    /// every try was not. A voice call is watched meanwhile (at a terminal, or with
    /// `--fallback sms`); when it ends unanswered the code may go by text message
    /// instead, and the code read back is then that one's.
    pub fn run(
        &self,
        asked: &Asked,
        sent: &Outcome,
        input: &mut Input,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<Exit, Failure> {
        if asked.format == OutputFormat::Text {
            deliver(
                output::write_outcome(out, asked.format, sent),
                err,
                &output::describe(sent),
            );
            let _ = out.flush();
        }
        let mut now = Sent::of(sent);
        let mut fell_back = None;
        let mut watch = self.watch(asked, sent, input.terminal);
        if let (Some(watch), false) = (&watch, input.terminal) {
            // Off a terminal nothing can be shown while a line is read: the call is
            // answered, or ends, first.
            self.prompting(asked, &now);
            let news = watch.outcome_by(Instant::now() + LONGEST_RING);
            if let Some(news) = &news {
                self.learned(asked, &now, news, err);
                let _ = writeln!(err, "mfa: {}", said_of(news));
            }
            if news.is_some_and(|news| news.unanswered()) {
                let text = self.fall_back(asked, &now, out, err)?;
                now = Sent::of(&text);
                fell_back = Some(text);
            }
        }
        let tries = self.tries.get();
        let mut tried = 0;
        loop {
            tried += 1;
            let left = tries - tried + 1;
            self.prompting(asked, &now);
            let mut heard = Vec::new();
            let read = match watch.as_ref().filter(|_| input.terminal) {
                Some(watching) => {
                    let offer = self.offer();
                    let mut hear = |news: News| heard.push(news);
                    let mut telling = telling(watching, offer, &mut hear);
                    input.read_code_back(err, left, Some(&mut telling))
                }
                None => input.read_code_back(err, left, None),
            };
            for news in &heard {
                self.learned(asked, &now, news, err);
            }
            let code = match read {
                Ok(ReadBack::Code(code)) => code,
                Ok(ReadBack::Key) => {
                    // The text message instead: no try is spent.
                    watch = None;
                    let text = self.fall_back(asked, &now, out, err)?;
                    now = Sent::of(&text);
                    fell_back = Some(text);
                    tried -= 1;
                    continue;
                }
                Err(failure) => return Err(self.abandoned_at_prompt(asked, &now, failure, err)),
            };
            interrupt::check_out();
            let not_checked = |failure| now.not_checked(failure);
            let verdict = match self
                .check(asked, code, now.id(), err)
                .map_err(not_checked)?
            {
                Outcome::Verdict(verdict) => verdict,
                _ => Verdict::Invalid,
            };
            let last = tried == tries;
            if verdict.is_valid() || last {
                let sends = (sent, fell_back.as_ref());
                let shown = write_verdict(out, asked.format, sends, verdict, tried);
                deliver(shown, err, "the verdict");
                return Ok(if verdict.is_valid() {
                    Exit::Success
                } else {
                    Exit::AnswerNo
                });
            }
            let left = tries - tried;
            let _ = writeln!(
                err,
                "mfa: invalid; {left} {} left",
                if left == 1 { "try" } else { "tries" }
            );
        }
    }
}

impl Sent {
    /// Whatever ends the check, the code went out: the failure says so.
    fn not_checked(&self, failure: Failure) -> Failure {
        Failure::NotChecked {
            why: Box::new(failure),
            call: self.call,
            id: self.id().to_owned(),
        }
    }
}

/// What the prompt is told of `news`, as one line above it: `offer` is the fallback's
/// (`None`: none can be sent; `Some(true)`: it is sent without asking).
fn telling<'a>(
    watch: &'a Watch,
    offer: Option<bool>,
    hear: &'a mut dyn FnMut(News),
) -> impl FnMut() -> Heard + 'a {
    let mut answer_next = false;
    move || {
        if answer_next {
            return Heard::Answer;
        }
        let Some(news) = watch.news() else {
            return Heard::Nothing;
        };
        let line = format!("mfa: {}", said_of(&news));
        let unanswered = news.unanswered();
        hear(news);
        match (unanswered, offer) {
            (true, Some(true)) => {
                answer_next = true;
                Heard::Say {
                    line: format!("{line}; sending the code by text message instead"),
                    key: None,
                }
            }
            (true, Some(false)) => Heard::Say {
                line: format!(
                    "{line}; press s to send the code by text message instead, or type the \
                     code if it was read back"
                ),
                key: Some(b's'),
            },
            _ => Heard::Say { line, key: None },
        }
    }
}

/// News of the call in words, escaped: `the call: ringing: not final yet`, `the call:
/// busy`, `the call's state cannot be seen: ...`.
fn said_of(news: &News) -> String {
    match news {
        News::State { words, .. } => format!("the call: {}", output::escaped(words)),
        News::Unseen(why) => format!("the call's state cannot be seen: {}", output::escaped(why)),
    }
}

impl RoundTrip {
    /// The watch of the call `sent`, for a voice round trip at a terminal (where it is
    /// shown) or with `--fallback sms`.
    fn watch(&self, asked: &Asked, sent: &Outcome, terminal: bool) -> Option<Watch> {
        let watching = self.watch.as_ref()?;
        let Outcome::CallId(id) = sent else {
            return None;
        };
        (terminal || watching.without_asking)
            .then(|| Watch::start(asked.caller.watcher(watching.voice_url.clone()), id.clone()))
    }

    /// What may be done when the call ends unanswered: `None`, nothing (no text can be
    /// sent); `Some(false)`, offer the text; `Some(true)`, send it.
    fn offer(&self) -> Option<bool> {
        let watching = self.watch.as_ref()?;
        watching.text.as_ref().map(|_| watching.without_asking)
    }

    /// From now until the code read back is checked, an interruption says the code
    /// `now` was sent and not checked (and is logged so, with a log).
    fn prompting(&self, asked: &Asked, now: &Sent) {
        let id = now.id();
        interrupt::install_after_send(
            asked.format,
            now.call,
            id,
            asked.show_status,
            asked.hint.clone(),
        );
        #[cfg(unix)]
        if let Some(log) = asked.record {
            interrupt::log_at_prompt_to(log.raw_fd(), |signal| {
                let how = format!("interrupted ({}) at the code prompt", signal.name());
                audit::line(&self.abandoned(asked, id, signal.exit(), how))
            });
        }
        interrupt::at_prompt();
    }

    /// A round trip ended at the prompt by `failure` (stdin ended, unreadable): logged,
    /// and said to have sent the code `now`.
    fn abandoned_at_prompt(
        &self,
        asked: &Asked,
        now: &Sent,
        failure: Failure,
        err: &mut dyn Write,
    ) -> Failure {
        if let Some(log) = asked.record {
            let entry = self.abandoned(asked, now.id(), failure.exit(), failure.reason());
            log.append_or_warn(&entry, asked.format, err);
        }
        now.not_checked(failure)
    }

    /// Logs `news` of the call `now`, an outcome learned.
    fn learned(&self, asked: &Asked, now: &Sent, news: &News, err: &mut dyn Write) {
        let (Some(log), News::State { words, reached }) = (asked.record, news) else {
            return;
        };
        let base = audit::Entry::begin(
            asked.command,
            "status",
            &asked.sources.profile_name.value,
            asked.connection.account_id.value.as_str(),
            self.to.as_str(),
            self.scope.as_ref().map(|scope| scope.as_str()),
        );
        let exit = match reached {
            Some(true) => Exit::Success,
            Some(false) => Exit::AnswerNo,
            None => Exit::NotYetKnown,
        };
        let entry = audit::Entry::learned(&base, now.id(), words, *reached, exit.code());
        log.append_or_warn(&entry, asked.format, err);
    }

    /// Sends the code by text message instead of the call `now`, which ended
    /// unanswered, and prints its id as a send does (stdout's second line): the text's
    /// outcome, or the failure (the call's code was sent, and is not checked).
    fn fall_back(
        &self,
        asked: &Asked,
        now: &Sent,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<Outcome, Failure> {
        let text = self
            .watch
            .as_ref()
            .and_then(|watching| watching.text.clone());
        let Some(text) = text else {
            let why = "no text message can be sent: no messaging application is set";
            return Err(now.not_checked(Failure::Usage(why.into())));
        };
        guard::admit(
            asked.sources,
            asked.state_dir,
            &self.to,
            (asked.format, err),
        )
        .map_err(|failure| now.not_checked(failure))?;
        let call = ApiCall::Sms(text);
        let request = call.request(asked.connection, asked.scheme);
        interrupt::install(
            asked.format,
            mfa::Call::MessagingCode,
            asked.show_status,
            asked.hint.clone(),
        );
        let record = asked.record.map(|log| Record {
            log,
            entry: call.entry(asked.command, asked.sources, asked.connection),
        });
        if let Some(record) = &record {
            record.on_interrupt();
        }
        asked.last_status.store(0, Ordering::Relaxed);
        let made = asked.caller.make(&call, &request, err);
        if let Some(record) = &record {
            let status = asked.last_status.load(Ordering::Relaxed);
            record.outcome(&made, status, asked.format, err);
        }
        let made = made.map_err(|failure| now.not_checked(failure))?;
        if asked.format == OutputFormat::Text {
            let _ = writeln!(err, "mfa: the code was sent by text message instead");
            deliver(
                output::write_outcome(out, asked.format, &made),
                err,
                &output::describe(&made),
            );
            let _ = out.flush();
        }
        Ok(made)
    }

    /// Checks `code`, read back for the code sent as `id`, once, with its audit record.
    fn check(
        &self,
        asked: &Asked,
        code: mfa::Code,
        id: &str,
        err: &mut dyn Write,
    ) -> Result<Outcome, Failure> {
        let mut check = mfa::VerifyRequest::new(self.to.clone(), code, self.lifetime);
        if let Some(scope) = &self.scope {
            check = check.with_scope(scope.clone());
        }
        let call = ApiCall::Verify(check);
        let request = call.request(asked.connection, asked.scheme);
        let record = asked.record.map(|log| {
            let mut entry = call.entry(asked.command, asked.sources, asked.connection);
            entry.checks = Some(id.to_owned());
            Record { log, entry }
        });
        if let Some(record) = &record {
            record.on_interrupt();
        }
        asked.last_status.store(0, Ordering::Relaxed);
        let made = asked.caller.make(&call, &request, err);
        if let Some(record) = &record {
            let status = asked.last_status.load(Ordering::Relaxed);
            record.outcome(&made, status, asked.format, err);
        }
        made
    }

    /// The audit entry of a round trip that ended at the code prompt, `how`, with
    /// `exit`: no check was made of the code sent as `id`.
    fn abandoned(&self, asked: &Asked, id: &str, exit: Exit, how: String) -> audit::Entry {
        let mut entry = audit::Entry::begin(
            asked.command,
            "verify",
            &asked.sources.profile_name.value,
            asked.connection.account_id.value.as_str(),
            self.to.as_str(),
            self.scope.as_ref().map(|scope| scope.as_str()),
        );
        entry.checks = Some(id.to_owned());
        entry.exit = exit.code();
        entry.ended = Some(how);
        entry
    }
}

/// The round trip's last word: `valid` or `invalid`, or with JSON one object with the
/// id of the code `sent` (and of the text it fell back to), the verdict and the tries it
/// took.
fn write_verdict(
    out: &mut dyn Write,
    format: OutputFormat,
    (sent, fell_back): (&Outcome, Option<&Outcome>),
    verdict: Verdict,
    tried: u8,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Text => writeln!(
            out,
            "{}",
            if verdict.is_valid() {
                "valid"
            } else {
                "invalid"
            }
        ),
        OutputFormat::Json => {
            let (key, id) = match sent {
                Outcome::MessageId(id) => ("messageId", id.as_str()),
                Outcome::CallId(id) => ("callId", id.as_str()),
                Outcome::Verdict(_) => ("callId", ""),
            };
            let mut object =
                serde_json::json!({ key: id, "valid": verdict.is_valid(), "tries": tried });
            if let Some(Outcome::MessageId(text)) = fell_back {
                object["messageId"] = text.as_str().into();
                object["fallback"] = "sms".into();
            }
            writeln!(out, "{object}")
        }
    }
}
