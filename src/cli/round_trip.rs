//! The help desk's round trip (`mfa voice|sms --verify`): once the code is sent, the
//! code read back is asked for and checked for the same number and scope, up to the
//! tries allowed; every way it can end says that the code was sent.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use mfa::{AuthScheme, Verdict};

use crate::cli::args::{self, ApiCommand, OutputFormat};
use crate::cli::audit::{self, AuditLog};
use crate::cli::call::{ApiCall, Caller, Record, deliver};
use crate::cli::failure::{Exit, Failure};
use crate::cli::input::Input;
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
}

impl RoundTrip {
    /// What `command` asks for, if it is a send with `--verify`; the code lifetime is
    /// required (exit 2 when nothing gives it), before anything is sent.
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
        Ok(Some(RoundTrip {
            to: body.to.clone(),
            scope: body.scope.clone(),
            lifetime,
            tries: args.tries.unwrap_or_default(),
        }))
    }

    /// Prints the id as a send does (JSON waits for the end), then asks for the code
    /// read back and checks it, up to the tries allowed: exit 0 when valid, 1 when
    /// every try was not.
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
        let id = match sent {
            Outcome::CallId(id) => id.as_str(),
            Outcome::MessageId(id) => id.as_str(),
            Outcome::Verdict(_) => "",
        };
        let send_call = match sent {
            Outcome::MessageId(_) => mfa::Call::MessagingCode,
            _ => mfa::Call::VoiceCode,
        };
        // Whatever ends the check, the code went out: the failure says so.
        let not_checked = |failure: Failure| Failure::NotChecked {
            why: Box::new(failure),
            call: send_call,
            id: id.to_owned(),
        };
        let tries = self.tries.get();
        let mut tried = 0;
        loop {
            tried += 1;
            let left = tries - tried + 1;
            // At the prompt and during the check, an interruption says the code was
            // sent, and how far its check got.
            interrupt::install_after_send(
                asked.format,
                send_call,
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
            let code = match input.read_code_back(err, left) {
                Ok(code) => code,
                Err(failure) => {
                    if let Some(log) = asked.record {
                        let entry = self.abandoned(asked, id, failure.exit(), failure.reason());
                        log.append_or_warn(&entry, asked.format, err);
                    }
                    return Err(not_checked(failure));
                }
            };
            interrupt::check_out();
            let verdict = match self.check(asked, code, id, err).map_err(not_checked)? {
                Outcome::Verdict(verdict) => verdict,
                _ => Verdict::Invalid,
            };
            let last = tried == tries;
            if verdict.is_valid() || last {
                let shown = write_verdict(out, asked.format, sent, verdict, tried);
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

impl RoundTrip {
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
/// id of the code `sent`, the verdict and the tries it took.
fn write_verdict(
    out: &mut dyn Write,
    format: OutputFormat,
    sent: &Outcome,
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
            writeln!(
                out,
                "{}",
                serde_json::json!({ key: id, "valid": verdict.is_valid(), "tries": tried })
            )
        }
    }
}
