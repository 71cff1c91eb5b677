//! A call made: the client made ready once (credentials, a token from the cache, the
//! status line, the verbose log) and able to make several calls; the call itself
//! (`ApiCall`: which of the three, its request, its audit entry); its record in the
//! audit log, interrupted or not; and what its outcome prints and exits with.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use mfa::{AuthScheme, Client, CodeRequest, Request, Verdict, VerifyRequest};

use crate::cli::Places;
use crate::cli::args::{ApiCommand, CodeSource, GlobalArgs, OutputFormat};
use crate::cli::audit::{self, AuditLog};
use crate::cli::credentials::Login;
use crate::cli::failure::{self, Exit, Failure};
use crate::cli::input::Input;
use crate::cli::interrupt;
use crate::cli::output::{self, Log, Outcome};
use crate::cli::settings::{Channel, Connection, Endpoint, Network, Sources};
use crate::cli::status_line::StatusLine;
use crate::cli::token_cache::{self, TokenCache};

/// A client ready to make calls: the credentials resolved (a `password_command` has
/// run), a token at hand if need be (from the cache), the status line and the log.
pub struct Caller<'a> {
    client: Client,
    /// The credentials, for a client of a watch's own.
    credentials: mfa::Credentials,
    cache: Option<TokenCache>,
    status: Arc<StatusLine>,
    log: Log,
    format: OutputFormat,
    login: Login,
    connection: &'a Connection,
    network: &'a Network,
    host: &'a str,
}

impl<'a> Caller<'a> {
    /// Gets ready to call the API at `endpoints[0]` (and the token endpoint after it,
    /// if any). `last_status` is told each answer's HTTP status.
    #[allow(clippy::too_many_arguments)]
    pub fn connect(
        global: &GlobalArgs,
        sources: &Sources,
        connection: &'a Connection,
        network: &'a Network,
        endpoints: &'a [Endpoint],
        places: Places,
        show_status: bool,
        last_status: Arc<AtomicU16>,
        err: &mut dyn Write,
    ) -> Result<Self, Failure> {
        let (format, log) = (global.format(), Log::new(global.verbose));
        let login = sources.login(global)?;
        let timeout = connection.timeout.value.duration();
        let credentials = login.credentials(timeout)?;
        let kept = credentials.clone();
        // Begun once a password command is done with the terminal: the token endpoint
        // (if any) is called first.
        let first_host = endpoints
            .last()
            .map_or("", |endpoint| endpoint.host.as_str());
        let status = Arc::new(StatusLine::start(show_status, first_host));
        let cache = TokenCache::for_credentials(&credentials, places.cache_dir);
        network.log(log, err, endpoints);
        let mut transport = log.waits(network.transport(timeout));
        if status.on() {
            let status = Arc::clone(&status);
            transport = transport.on_wait(move |wait| status.retry(wait));
        }
        let client = Client::new(
            connection.base_url.value.clone(),
            connection.account_id.value.clone(),
            credentials,
        )
        .with_transport(transport);
        let written = Arc::clone(&status);
        let client = client
            .on_request_written(move || {
                interrupt::request_written();
                written.written();
            })
            .on_response(move |response| {
                interrupt::answered(response.status);
                last_status.store(response.status, Ordering::Relaxed);
                log.response(response);
            });
        let client = match login.scheme() {
            AuthScheme::Bearer => {
                token_cache::token_for(client, cache.as_ref(), timeout, log, format, err)
                    .map_err(|error| refusal(&login, connection, network, error))?
            }
            _ => client,
        };
        Ok(Caller {
            client,
            credentials: kept,
            cache,
            status,
            log,
            format,
            login,
            connection,
            network,
            host: &endpoints[0].host,
        })
    }

    /// The same caller, asking the Voice and Messaging APIs at these URLs, with a status
    /// line of its own (a call's is done with once it is answered), drawn where the
    /// first one would be.
    pub fn asking(self, voice_url: mfa::BaseUrl, messaging_url: mfa::BaseUrl) -> Self {
        // The first line is done with: the client's notices still reach it, and must
        // draw nothing more.
        self.status.finish();
        let status = Arc::new(StatusLine::start(self.status.on(), &voice_url.host()));
        Caller {
            client: self
                .client
                .with_voice_url(voice_url)
                .with_messaging_url(messaging_url),
            status,
            ..self
        }
    }

    /// A client of its own asking the Voice API at `voice_url` with these credentials
    /// and the token in use, for a thread that watches a call: it draws no status line
    /// and is not what an interruption speaks of.
    pub fn watcher(&self, voice_url: mfa::BaseUrl) -> Client {
        let timeout = self.connection.timeout.value.duration();
        let client = Client::new(
            self.connection.base_url.value.clone(),
            self.connection.account_id.value.clone(),
            self.credentials.clone(),
        )
        .with_transport(self.network.transport(timeout))
        .with_voice_url(voice_url);
        match self.client.token() {
            Some(token) => client.with_token(token),
            None => client,
        }
    }

    /// Asks `question` (a call's state, a message's status; shown as `request`) of
    /// `host`, the status line drawn meanwhile, and keeps what it taught the token
    /// cache, as [`make`](Self::make) does.
    pub fn ask<T>(
        &self,
        host: &str,
        request: &Request,
        question: impl FnOnce(&Client) -> Result<T, mfa::Error>,
        err: &mut dyn Write,
    ) -> Result<T, Failure> {
        let token_before = self.client.token();
        self.log.request(err, request);
        self.status.connecting(host);
        let answer = question(&self.client);
        self.keep_token(token_before, &answer, err);
        answer.map_err(|error| self.refused(error))
    }

    /// Keeps in the cache what a call taught of the token: a new one issued, or the one
    /// held (`token_before`) refused.
    fn keep_token<T>(
        &self,
        token_before: Option<mfa::AccessToken>,
        answer: &Result<T, mfa::Error>,
        err: &mut dyn Write,
    ) {
        if let Some(cache) = &self.cache {
            let refused = matches!(answer, Err(mfa::Error::Api { status: 401, .. }));
            token_cache::keep_token(
                &self.client,
                cache,
                token_before.as_ref(),
                refused,
                self.log,
                self.format,
                err,
            );
        }
    }

    /// Shows, after a second, that the outcome of `what` is awaited, since `since`.
    pub fn awaiting(&self, what: &str, since: std::time::Instant) {
        self.status.awaiting(what, since);
    }

    /// Erases the status line: the calls are over.
    pub fn finish(&self) {
        self.status.finish();
    }

    /// A failed call, with what to check in the user's terms.
    fn refused(&self, error: mfa::Error) -> Failure {
        refusal(&self.login, self.connection, self.network, error)
    }

    /// Makes `call` (shown as `request`) once, and keeps what it taught the token cache.
    pub fn make(
        &self,
        call: &ApiCall,
        request: &Request,
        err: &mut dyn Write,
    ) -> Result<Outcome, Failure> {
        let token_before = self.client.token();
        self.log.request(err, request);
        self.status.connecting(self.host);
        let outcome = call.make(&self.client);
        self.status.finish();
        self.keep_token(token_before, &outcome, err);
        outcome.map_err(|error| self.refused(error))
    }
}

/// A failed call, with what to check in the user's terms: where each refused
/// credential came from, or which CA to trust.
fn refusal(
    login: &Login,
    connection: &Connection,
    network: &Network,
    error: mfa::Error,
) -> Failure {
    let advice = login
        .advice(&error, &connection.account_id)
        .or_else(|| base_url_advice(&error, connection))
        .or_else(|| certificate_advice(&error, network));
    Failure::Api { error, advice }
}

/// The audit log, and the entry of the call being made, to finish with its outcome.
pub struct Record<'a> {
    pub log: &'a AuditLog,
    pub entry: audit::Entry,
}

impl Record<'_> {
    /// Has an interruption while the call is out append its entry, ended by the signal.
    pub fn on_interrupt(&self) {
        #[cfg(unix)]
        interrupt::log_to(self.log.raw_fd(), |signal, sent| {
            ended(self.entry.clone(), signal.exit(), sent, None)
        });
    }

    /// Appends the entry for `made`, the call's outcome; `status` is the HTTP status of
    /// its last answer (0: none). A failure to write is a warning: the call stands.
    pub fn outcome(
        &self,
        made: &Result<Outcome, Failure>,
        status: u16,
        format: OutputFormat,
        err: &mut dyn Write,
    ) {
        let mut entry = self.entry.clone();
        entry.status = (status != 0).then_some(status);
        let line = match made {
            Ok(outcome) => ended(entry, exit_of(outcome), mfa::Delivery::Sent, Some(outcome)),
            Err(failure) => {
                entry.failed(failure);
                audit::line(&entry)
            }
        };
        if let Err(e) = self.log.append_line(&line) {
            let warning = format!(
                "could not write the audit log {}: {e}; the call's result stands as said",
                self.log.path().display()
            );
            let _ = output::write_warning(err, format, &warning);
        }
    }
}

/// An audit log entry ended with `exit`, `sent` and, if the API answered, the `outcome`.
fn ended(
    mut entry: audit::Entry,
    exit: Exit,
    sent: mfa::Delivery,
    outcome: Option<&Outcome>,
) -> Vec<u8> {
    entry.exit = exit.code();
    entry.sent = failure::sent_word(sent).to_owned();
    match outcome {
        Some(Outcome::CallId(id)) => entry.id = Some(id.as_str().to_owned()),
        Some(Outcome::MessageId(id)) => entry.id = Some(id.as_str().to_owned()),
        Some(Outcome::Verdict(verdict)) => entry.valid = Some(verdict.is_valid()),
        None => {}
    }
    audit::line(&entry)
}

/// The exit status of a call the API answered: 1 for a code that is not valid.
pub fn exit_of(outcome: &Outcome) -> Exit {
    match outcome {
        Outcome::Verdict(Verdict::Invalid) => Exit::AnswerNo,
        _ => Exit::Success,
    }
}

/// The call an API command makes, with its checked body.
pub enum ApiCall {
    Voice(CodeRequest),
    Sms(CodeRequest),
    Verify(VerifyRequest),
}

impl ApiCall {
    /// The call `command` makes, its body resolved from the settings (and, for
    /// `verify --code -`, the code read from stdin).
    pub fn from_command(
        command: &ApiCommand,
        sources: &Sources,
        input: &mut Input,
        err: &mut dyn Write,
    ) -> Result<Self, Failure> {
        Ok(match command {
            ApiCommand::Voice(args) => ApiCall::Voice(sources.code_request(args, Channel::Voice)?),
            ApiCommand::Sms(args) => ApiCall::Sms(sources.code_request(args, Channel::Messaging)?),
            ApiCommand::Verify(args) => {
                let code = match &args.code {
                    CodeSource::Given(code) => code.clone(),
                    CodeSource::Stdin => input.read_code(err)?,
                };
                ApiCall::Verify(sources.verify_request(args, code)?)
            }
        })
    }

    /// The request the call makes, to show (`--dry-run`, `--verbose`): the one the
    /// client sends, but for the `Authorization` value.
    pub fn request(&self, connection: &Connection, scheme: AuthScheme) -> Request {
        let (base_url, account_id) = (&connection.base_url.value, &connection.account_id.value);
        match self {
            ApiCall::Voice(body) => Request::voice_code(base_url, account_id, scheme, body),
            ApiCall::Sms(body) => Request::messaging_code(base_url, account_id, scheme, body),
            ApiCall::Verify(body) => Request::verify_code(base_url, account_id, scheme, body),
        }
    }

    /// A warning for a code of 2 or 3 digits: sent as asked, but Bandwidth documents 4
    /// to 8 today, and may refuse it.
    pub fn undocumented_digits(&self) -> Option<String> {
        let (what, digits) = match self {
            ApiCall::Voice(body) | ApiCall::Sms(body) if !body.digits.is_documented() => {
                ("a code of", usize::from(body.digits.get()))
            }
            ApiCall::Verify(body)
                if body.code.digits() < usize::from(mfa::DOCUMENTED_MIN_DIGITS) =>
            {
                ("the code has", body.code.digits())
            }
            _ => return None,
        };
        Some(format!(
            "{what} {digits} digits: Bandwidth documents 4 to 8 today, so the API may refuse it"
        ))
    }

    /// The number the code goes to, or was sent to.
    pub fn to(&self) -> &mfa::PhoneNumber {
        match self {
            ApiCall::Voice(body) | ApiCall::Sms(body) => &body.to,
            ApiCall::Verify(body) => &body.to,
        }
    }

    /// Whether it sends a code (and so must pass the guard).
    pub fn sends(&self) -> bool {
        matches!(self, ApiCall::Voice(_) | ApiCall::Sms(_))
    }

    /// The call's name in the audit log and in `mfa log`.
    pub fn name(&self) -> &'static str {
        match self {
            ApiCall::Voice(_) => "voice",
            ApiCall::Sms(_) => "sms",
            ApiCall::Verify(_) => "verify",
        }
    }

    /// Its audit log entry as it begins, made by `command` (its own name if empty):
    /// who makes which call, to whom, when; the outcome is filled in later.
    pub fn entry(&self, command: &str, sources: &Sources, connection: &Connection) -> audit::Entry {
        let scope = match self {
            ApiCall::Voice(body) | ApiCall::Sms(body) => body.scope.as_ref(),
            ApiCall::Verify(body) => body.scope.as_ref(),
        };
        let command = if command.is_empty() {
            self.name()
        } else {
            command
        };
        audit::Entry::begin(
            command,
            self.name(),
            &sources.profile_name.value,
            connection.account_id.value.as_str(),
            self.to().as_str(),
            scope.map(|scope| scope.as_str()),
        )
    }

    /// Which call of the API it is.
    pub fn call(&self) -> mfa::Call {
        match self {
            ApiCall::Voice(_) => mfa::Call::VoiceCode,
            ApiCall::Sms(_) => mfa::Call::MessagingCode,
            ApiCall::Verify(_) => mfa::Call::VerifyCode,
        }
    }

    /// Makes the call, once, through the library's typed calls.
    fn make(&self, client: &Client) -> Result<Outcome, mfa::Error> {
        match self {
            ApiCall::Voice(body) => client.send_voice_code(body).map(Outcome::CallId),
            ApiCall::Sms(body) => client.send_messaging_code(body).map(Outcome::MessageId),
            ApiCall::Verify(body) => client.verify_code(body).map(Outcome::Verdict),
        }
    }
}

/// For a 404 from a base URL whose path is not the API's (`/api/v1`, which Bandwidth's
/// own has), what to check: most likely the path was left off.
pub fn base_url_advice(error: &mfa::Error, connection: &Connection) -> Option<String> {
    let base_url = &connection.base_url;
    let path_kept = base_url
        .value
        .as_str()
        .trim_end_matches('/')
        .ends_with("/api/v1");
    (error.status() == Some(404) && error.call().is_some() && !path_kept).then(|| {
        format!(
            "check the base URL {} (from {}): the API's paths begin with /api/v1, as in \
             {}",
            base_url.value,
            base_url.origin,
            mfa::DEFAULT_BASE_URL
        )
    })
}

/// What to do about a server certificate from an unknown CA: trust its CA, or check
/// that the CA file given is the right one.
fn certificate_advice(error: &mfa::Error, network: &Network) -> Option<String> {
    use mfa::{CertificateProblem, NetworkCause, TokenError};
    let cause = match error {
        mfa::Error::Network { cause, .. } => cause,
        mfa::Error::Token {
            reason: TokenError::Network(cause),
            ..
        } => cause,
        _ => return None,
    };
    if *cause != NetworkCause::Certificate(CertificateProblem::UnknownIssuer) {
        return None;
    }
    Some(match &network.ca_file {
        None => "if a private CA or a TLS-inspecting proxy signed it, trust that CA's \
                 certificate with --ca-file FILE or MFA_CA_FILE"
            .to_owned(),
        Some(file) => format!(
            "the CA file {} (from {}) does not hold the CA that signed it either",
            file.path.display(),
            file.origin
        ),
    })
}

/// Prints `outcome` (the id, or the verdict) as `format` says, and returns the exit
/// status it makes.
pub fn print_outcome(
    outcome: &Outcome,
    format: OutputFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Exit {
    let written = output::write_outcome(out, format, outcome);
    deliver(written, err, &output::describe(outcome));
    exit_of(outcome)
}

/// Finishes writing a result. A reader that closed stdout (`| head -c0`) chose to stop
/// reading: that is no failure. Any other write error is reported with what was lost,
/// since the call has already been made and must not be made again to see it; the
/// exit status stays the call's own.
pub fn deliver(written: io::Result<()>, err: &mut dyn Write, what: &str) {
    if let Err(e) = written
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(err, "mfa: warning: could not write {what} to stdout: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line_that_cannot_be_written_is_a_warning_and_the_call_stands() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("audit.jsonl");
        std::fs::write(&path, "").unwrap();
        let log = AuditLog::unwritable(&path);
        let record = Record {
            log: &log,
            entry: audit::Entry::begin("voice", "voice", "p", "1", "+15553334444", None),
        };
        let mut err = Vec::new();
        let sent = Ok(Outcome::CallId("c-1".parse().unwrap()));
        record.outcome(&sent, 200, OutputFormat::Text, &mut err);
        let said = String::from_utf8(err).unwrap();
        assert!(
            said.starts_with(&format!(
                "mfa: warning: could not write the audit log {}: ",
                path.display()
            )) && said.ends_with("; the call's result stands as said\n"),
            "{said}"
        );
    }

    #[test]
    fn a_closed_stdout_is_not_a_failure() {
        let mut err = Vec::new();
        let closed = Err(io::Error::from(io::ErrorKind::BrokenPipe));
        deliver(closed, &mut err, "the call id c-1");
        assert!(err.is_empty());
    }

    #[test]
    fn another_write_error_says_what_was_lost() {
        let mut err = Vec::new();
        let full = Err(io::Error::other("disk full"));
        deliver(full, &mut err, "the call id c-1");
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "mfa: warning: could not write the call id c-1 to stdout: disk full\n"
        );
    }
}
