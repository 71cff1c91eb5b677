//! The `mfa` command: parses the command line, resolves settings, runs the command
//! and turns the outcome into output and an exit status.
//!
//! `run` takes everything from outside as parameters (arguments, an environment
//! lookup, the user's config and cache directories, stdin, stdout and stderr), so it
//! can be driven whole from a test; `main` only wires in the real ones.

mod args;
mod audit;
mod ca_file;
mod certificate;
mod completion;
mod config_command;
mod config_file;
mod credentials;
mod doctor;
mod failure;
mod hidden_prompt;
mod input;
mod interrupt;
mod log_command;
mod man;
mod origin;
mod output;
mod owned_path;
mod private_files;
mod settings;
mod setup;
mod status;
#[cfg(unix)]
mod terminal;
mod token_cache;
mod untrusted_file;
mod version;

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use clap::CommandFactory;
use clap::error::ErrorKind;
use mfa::{AuthScheme, Client, CodeRequest, Request, Verdict, VerifyRequest};

use args::{ApiCommand, Cli, CodeSource, Command, GlobalArgs, OutputFormat};
use audit::AuditLog;
use credentials::Login;
use failure::{Exit, Failure};
use input::Input;
use output::{Log, Outcome};
use settings::{Channel, Connection, Endpoint, Env, Network, Sources};
use status::StatusLine;
use token_cache::TokenCache;

/// The user's folders: where the config file and the token cache are by default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Places<'a> {
    pub config_dir: Option<&'a Path>,
    pub cache_dir: Option<&'a Path>,
}

/// Runs `mfa` in this process's real surroundings.
pub fn main() -> ExitCode {
    keep_out_of_core_dumps();
    interrupt::ignore_file_size_limit();
    completion::answer_if_asked();
    let env = |name: &str| std::env::var_os(name);
    // A folder made from a relative HOME or XDG_* variable would be taken from the
    // working directory: ignored, as the XDG spec says of relative paths.
    let absolute = |dir: Option<std::path::PathBuf>| dir.filter(|dir| dir.is_absolute());
    let (config_dir, cache_dir) = (absolute(dirs::config_dir()), absolute(dirs::cache_dir()));
    let exit = run(
        std::env::args_os(),
        &env,
        Places {
            config_dir: config_dir.as_deref(),
            cache_dir: cache_dir.as_deref(),
        },
        &mut Input {
            reader: &mut io::stdin().lock(),
            terminal: input::stdin_is_terminal(),
        },
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    );
    exit.into()
}

/// Marks the process not dumpable, as ssh-agent and gpg-agent do: no core file of it is
/// written (it would hold the password or client secret), and other processes of the
/// same user cannot attach to read its memory.
fn keep_out_of_core_dumps() {
    #[cfg(target_os = "linux")]
    #[allow(unsafe_code)]
    // SAFETY: prctl(PR_SET_DUMPABLE) takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

/// Runs `mfa` with the given arguments and surroundings; returns the exit status.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    env: Env,
    places: Places,
    input: &mut Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Exit {
    let args: Vec<OsString> = args.into_iter().collect();
    let cli = match Cli::parse_args(&args) {
        Ok(cli) => cli,
        Err(clap_error) => return usage_error(&clap_error, &args, out, err),
    };
    let result = match &cli.command {
        // Made from the command definition alone: no config file, no environment.
        Command::Completions { shell } => {
            let script = completion::write_script(*shell, out);
            output::written(script, out, "the completion script").map(|()| Exit::Success)
        }
        Command::Man => {
            let page = man::write_man(out);
            output::written(page, out, "the man page").map(|()| Exit::Success)
        }
        Command::Config(command) => config_command::run(
            command,
            &cli.global,
            env,
            places.config_dir,
            input,
            out,
            err,
        ),
        Command::Doctor(args) => doctor::run(args, &cli.global, env, places.config_dir, out),
        Command::Log(args) => log_command::run(args, &cli.global, env, places.config_dir, out, err),
        Command::Api(command) => call_api(command, &cli.global, env, places, input, out, err),
    };
    match result {
        Ok(exit) => exit,
        Err(failure) => {
            let _ = output::write_failure(err, cli.global.format(), &failure);
            failure.exit()
        }
    }
}

/// Every API command: resolves the settings, builds the one request the command
/// makes, then shows it (`--dry-run`) or makes the call once and prints the outcome.
fn call_api(
    command: &ApiCommand,
    global: &GlobalArgs,
    env: Env,
    places: Places,
    input: &mut Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Failure> {
    let format = global.format();
    let sources = Sources::load(global, env, places.config_dir)?;
    for warning in &sources.warnings {
        let _ = output::write_warning(err, format, warning);
    }
    // Everything missing at once, so a first run costs one try, not one a setting; a
    // lone gap gets its own message from the step that needs it.
    let missing = sources.all_missing(global, command, !global.dry_run)?;
    if missing.len() > 1 {
        return Err(sources.missing_all(&missing));
    }
    let connection = sources.connection(global)?;
    // Judged before any secret is read, so `--dry-run` needs none.
    let scheme = sources.scheme(global)?;
    let token_url = match scheme {
        AuthScheme::Bearer => Some(sources.token_url()?.value),
        _ => None,
    };
    let mut endpoints = vec![Endpoint::of_api(&connection.base_url.value)];
    endpoints.extend(token_url.as_ref().map(Endpoint::of_token));
    // Checked in a dry run too: a CA file or proxy variable that would stop the call
    // should show up before it.
    let network = sources.network(global, &endpoints)?;
    let call = ApiCall::from_command(command, &sources, input, err)?;
    let round_trip = RoundTrip::of(command, &call, &sources)?;
    if let Some(warning) = call.undocumented_digits() {
        let _ = output::write_warning(err, format, &warning);
    }
    let request = call.request(&connection, scheme);
    if global.dry_run {
        // No credential is needed to show the request, but a real run would need them.
        let missing = sources.all_missing(global, command, true)?;
        let gap = match sources.login(global) {
            Err(_) if missing.len() > 1 => Some(sources.missing_all(&missing)),
            Err(failure) => Some(failure),
            Ok(_) => None,
        };
        if let Some(gap) = gap {
            let warning = format!("a real run would fail: {}", gap.reason());
            let _ = output::write_warning(err, format, &warning);
        }
        let shown = output::write_request(out, format, &request);
        output::written(shown, out, "the request")?;
        return Ok(Exit::Success);
    }

    // Opened, and checked, before anything is sent: a log that cannot be written is
    // no reason to have sent a code without a record.
    let audit = match sources.log_file(global)? {
        Some((path, origin)) => Some(AuditLog::open(&path, &origin)?),
        None => None,
    };
    let record = audit.as_ref().map(|log| Record {
        log,
        entry: call.entry("", &sources, &connection),
    });
    let hint = record.as_ref().map(|_| {
        format!(
            "the audit log holds this call: `mfa log --to {}`",
            call.to().as_str()
        )
    });
    // Only at a terminal, and never with the log, which says each step itself.
    let show_status = format == OutputFormat::Text && !global.verbose && io::stderr().is_terminal();
    interrupt::install(format, call.call(), show_status, hint.clone());
    if let Some(record) = &record {
        record.on_interrupt();
    }
    let last_status = Arc::new(AtomicU16::new(0));
    // A failure that may have acted names the log, where the call is.
    let hinted = |failure: Failure| match (&failure, &hint) {
        (Failure::Api { error, .. }, Some(hint)) if error.delivery() != mfa::Delivery::NotSent => {
            failure.advising(hint)
        }
        _ => failure,
    };
    let caller = Caller::connect(
        global,
        &sources,
        &connection,
        &network,
        &endpoints,
        places,
        show_status,
        Arc::clone(&last_status),
        err,
    );
    let made = match &caller {
        Ok(caller) => caller.make(&call, &request, err),
        Err(failure) => Err(failure.clone()),
    }
    .map_err(hinted);
    if let Some(record) = &record {
        record.outcome(&made, last_status.load(Ordering::Relaxed), format, err);
    }
    let outcome = made?;
    if let Some(trip) = round_trip {
        let caller = caller?;
        let asked = Asked {
            caller: &caller,
            connection: &connection,
            scheme,
            sources: &sources,
            record: record.as_ref().map(|record| record.log),
            last_status: &last_status,
            command: call.name(),
            format,
            show_status,
            hint: hint.clone(),
        };
        return trip.run(&asked, &outcome, input, out, err);
    }
    deliver(
        output::write_outcome(out, format, &outcome),
        err,
        &output::describe(&outcome),
    );
    Ok(exit_of(&outcome))
}

/// `--verify` on a send: what the check of the code read back needs, resolved before
/// the code is sent, so that a missing lifetime never costs a call.
struct RoundTrip {
    to: mfa::PhoneNumber,
    scope: Option<mfa::Scope>,
    lifetime: mfa::ExpirationMinutes,
    tries: args::Tries,
}

/// Where a round trip's checks go, and how they are told.
struct Asked<'a> {
    caller: &'a Caller<'a>,
    connection: &'a Connection,
    scheme: AuthScheme,
    sources: &'a Sources<'a>,
    record: Option<&'a AuditLog>,
    last_status: &'a Arc<AtomicU16>,
    command: &'static str,
    format: OutputFormat,
    show_status: bool,
    hint: Option<String>,
}

impl RoundTrip {
    /// What `command` asks for, if it is a send with `--verify`; the code lifetime is
    /// required (exit 2 when nothing gives it), before anything is sent.
    fn of(
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
    fn run(
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
            interrupt::at_prompt();
            let code = input.read_code_back(err, left).map_err(not_checked)?;
            interrupt::check_out();
            let mut check = mfa::VerifyRequest::new(self.to.clone(), code, self.lifetime);
            if let Some(scope) = &self.scope {
                check = check.with_scope(scope.clone());
            }
            let call = ApiCall::Verify(check);
            let request = call.request(asked.connection, asked.scheme);
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
            let verdict = match made.map_err(not_checked)? {
                Outcome::Verdict(verdict) => verdict,
                _ => Verdict::Invalid,
            };
            let last = tried == tries;
            if verdict.is_valid() || last {
                let shown = match asked.format {
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
                        let key = match sent {
                            Outcome::MessageId(_) => "messageId",
                            _ => "callId",
                        };
                        writeln!(
                            out,
                            "{}",
                            serde_json::json!({ key: id, "valid": verdict.is_valid(), "tries": tried })
                        )
                    }
                };
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

/// A client ready to make calls: the credentials resolved (a `password_command` has
/// run), a token at hand if need be (from the cache), the status line and the log.
struct Caller<'a> {
    client: Client,
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
    fn connect(
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

    /// A failed call, with what to check in the user's terms.
    fn refused(&self, error: mfa::Error) -> Failure {
        refusal(&self.login, self.connection, self.network, error)
    }

    /// Makes `call` (shown as `request`) once, and keeps what it taught the token cache.
    fn make(
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
        if let Some(cache) = &self.cache {
            let refused = matches!(&outcome, Err(mfa::Error::Api { status: 401, .. }));
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
        .or_else(|| certificate_advice(&error, network));
    Failure::Api { error, advice }
}

/// The audit log, and the entry of the call being made, to finish with its outcome.
struct Record<'a> {
    log: &'a AuditLog,
    entry: audit::Entry,
}

impl Record<'_> {
    /// Has an interruption while the call is out append its entry, ended by the signal.
    fn on_interrupt(&self) {
        #[cfg(unix)]
        interrupt::log_to(self.log.raw_fd(), |signal, sent| {
            ended(self.entry.clone(), signal.exit(), sent, None)
        });
    }

    /// Appends the entry for `made`, the call's outcome; `status` is the HTTP status of
    /// its last answer (0: none). A failure to write is a warning: the call stands.
    fn outcome(
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
fn exit_of(outcome: &Outcome) -> Exit {
    match outcome {
        Outcome::Verdict(Verdict::Invalid) => Exit::AnswerNo,
        _ => Exit::Success,
    }
}

/// The call an API command makes, with its checked body.
enum ApiCall {
    Voice(CodeRequest),
    Sms(CodeRequest),
    Verify(VerifyRequest),
}

impl ApiCall {
    /// The call `command` makes, its body resolved from the settings (and, for
    /// `verify --code -`, the code read from stdin).
    fn from_command(
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
    fn request(&self, connection: &Connection, scheme: AuthScheme) -> Request {
        let (base_url, account_id) = (&connection.base_url.value, &connection.account_id.value);
        match self {
            ApiCall::Voice(body) => Request::voice_code(base_url, account_id, scheme, body),
            ApiCall::Sms(body) => Request::messaging_code(base_url, account_id, scheme, body),
            ApiCall::Verify(body) => Request::verify_code(base_url, account_id, scheme, body),
        }
    }

    /// A warning for a code of 2 or 3 digits: sent as asked, but Bandwidth documents 4
    /// to 8 today, and may refuse it.
    fn undocumented_digits(&self) -> Option<String> {
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
    fn to(&self) -> &mfa::PhoneNumber {
        match self {
            ApiCall::Voice(body) | ApiCall::Sms(body) => &body.to,
            ApiCall::Verify(body) => &body.to,
        }
    }

    /// The call's name in the audit log and in `mfa log`.
    fn name(&self) -> &'static str {
        match self {
            ApiCall::Voice(_) => "voice",
            ApiCall::Sms(_) => "sms",
            ApiCall::Verify(_) => "verify",
        }
    }

    /// Its audit log entry as it begins, made by `command` (its own name if empty):
    /// who makes which call, to whom, when; the outcome is filled in later.
    fn entry(&self, command: &str, sources: &Sources, connection: &Connection) -> audit::Entry {
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
    fn call(&self) -> mfa::Call {
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

/// Finishes writing a result. A reader that closed stdout (`| head -c0`) chose to stop
/// reading: that is no failure. Any other write error is reported with what was lost,
/// since the call has already been made and must not be made again to see it; the
/// exit status stays the call's own.
fn deliver(written: io::Result<()>, err: &mut dyn Write, what: &str) {
    if let Err(e) = written
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(err, "mfa: warning: could not write {what} to stdout: {e}");
    }
}

/// Reports a command line clap refused (exit 2), or prints the help or version it
/// was asked for (exit 0). Errors keep the contract's one-line form.
fn usage_error(
    clap_error: &clap::Error,
    args: &[OsString],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Exit {
    if matches!(
        clap_error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let shown = write!(out, "{}", clap_error.render()).and_then(|()| {
            if clap_error.kind() == ErrorKind::DisplayVersion && version::asked_verbose(args) {
                write!(out, "{}", version::verbose())
            } else {
                Ok(())
            }
        });
        let what = match clap_error.kind() {
            ErrorKind::DisplayVersion => "the version",
            _ => "the help",
        };
        return match output::written(shown, out, what) {
            Ok(()) => Exit::Success,
            Err(failure) => {
                let _ = output::write_failure(err, asked_format(args), &failure);
                failure.exit()
            }
        };
    }
    let rendered = match value_error(clap_error) {
        Some(message) => message,
        None => clap_error.render().to_string(),
    };
    // clap's message, up to the first blank line, as one line.
    let message: Vec<&str> = rendered
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect();
    // Whatever clap quotes of the arguments (a value, an unknown flag or command) is
    // escaped as any other text from outside is.
    let message = mfa::printable(&message.join(" ")).into_owned();
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    let path = command_path(args);
    let format = asked_format(args);
    if clap_error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let failure = Failure::Usage(format!("no command given; try `{path} --help`"));
        let _ = output::write_failure(err, format, &failure);
        if format == OutputFormat::Text {
            let _ = write!(err, "\n{}", args::short_help(&path));
        }
        return Exit::Usage;
    }
    let message = match suggestion(clap_error) {
        Some(like) => format!(
            "{message}; did you mean '{}'? try `{path} --help`",
            mfa::printable(&like)
        ),
        None => format!("{message}; try `{path} --help`"),
    };
    let _ = output::write_failure(err, format, &Failure::Usage(message));
    Exit::Usage
}

/// What clap found close to a mistyped command, flag or value, if anything.
fn suggestion(clap_error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .find_map(|kind| match clap_error.get(kind)? {
        ContextValue::String(like) => Some(like.clone()),
        ContextValue::Strings(likes) => likes.first().cloned(),
        _ => None,
    })
}

/// The command the arguments name, as far as they name one: `mfa`, `mfa voice`, `mfa
/// config set`: whose help a mistake points to.
fn command_path(args: &[OsString]) -> String {
    let mut command = Cli::command();
    let mut path = String::from("mfa");
    for arg in args.iter().skip(1) {
        let Some(arg) = arg.to_str() else { continue };
        if arg == "--" {
            break;
        }
        let Some(sub) = command.find_subcommand(arg).cloned() else {
            continue;
        };
        path.push(' ');
        path.push_str(sub.get_name());
        command = sub;
    }
    path
}

/// clap's message for a value our types refused, with the value's control characters
/// escaped: a pasted `+15553334444\n` must show as such, not as a broken line. A code
/// to verify is never shown, even a mistyped one, nor a password typed into a URL or a
/// username.
fn value_error(clap_error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    if clap_error.kind() != ErrorKind::ValueValidation {
        return None;
    }
    let (Some(ContextValue::String(arg)), Some(ContextValue::String(value))) = (
        clap_error.get(ContextKind::InvalidArg),
        clap_error.get(ContextKind::InvalidValue),
    ) else {
        return None;
    };
    let rule = std::error::Error::source(clap_error)?;
    if arg.starts_with("--code ") {
        return Some(format!("invalid value for '{arg}': {rule}"));
    }
    // A setting's flag shows the value as the setting does: no password in a URL.
    let flag = arg.split(' ').next().unwrap_or(arg);
    let shown = match settings::table::SETTINGS
        .into_iter()
        .find(|setting| setting.flag == Some(flag))
    {
        Some(setting) => setting.shown(value),
        None => output::escaped(value),
    };
    Some(format!("invalid value '{shown}' for '{arg}': {rule}"))
}

/// The output format the raw arguments ask for, for errors found before they parse.
fn asked_format(args: &[OsString]) -> OutputFormat {
    let args: Vec<&str> = args
        .iter()
        .skip(1)
        .map(|a| a.to_str().unwrap_or(""))
        .take_while(|a| *a != "--")
        .collect();
    let json = args.iter().enumerate().any(|(i, arg)| {
        matches!(*arg, "--json" | "--output=json" | "-ojson" | "-o=json")
            || (matches!(*arg, "--output" | "-o") && args.get(i + 1) == Some(&"json"))
    });
    if json {
        OutputFormat::Json
    } else {
        OutputFormat::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn json_is_noticed_before_parsing() {
        for args in [
            &["mfa", "voice", "--json", "--bogus"][..],
            &["mfa", "-o", "json", "voice"],
            &["mfa", "--output=json"],
        ] {
            assert_eq!(asked_format(&os(args)), OutputFormat::Json, "{args:?}");
        }
        assert_eq!(
            asked_format(&os(&["mfa", "voice", "--", "--json"])),
            OutputFormat::Text
        );
        assert_eq!(
            asked_format(&os(&["mfa", "voice", "--to", "json"])),
            OutputFormat::Text
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_process_is_kept_out_of_core_dumps() {
        keep_out_of_core_dumps();
        #[allow(unsafe_code)]
        // SAFETY: prctl(PR_GET_DUMPABLE) only returns a number.
        let dumpable = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
        assert_eq!(dumpable, 0);
    }

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

    #[test]
    fn usage_errors_are_one_line_and_exit_2() {
        let env = |_: &str| None;
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let exit = run(
            os(&["mfa", "voice", "--to", "+1"]),
            &env,
            Places::default(),
            &mut Input {
                reader: &mut &b""[..],
                terminal: false,
            },
            &mut out,
            &mut err,
        );
        assert_eq!(exit, Exit::Usage);
        let err = String::from_utf8(err).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("mfa: error: invalid value '+1' for '--to <NUMBER>': must be an E.164"),
            "{err}"
        );
        assert!(out.is_empty());
    }
}
