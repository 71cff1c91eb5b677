//! `mfa voice`, `mfa sms` and `mfa verify`: the settings resolved, the one request
//! the command makes built, then shown (`--dry-run`) or made once, with its audit
//! record and, for `--verify`, the round trip that follows.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use mfa::AuthScheme;

use crate::cli::Places;
use crate::cli::args::{ApiCommand, GlobalArgs};
use crate::cli::audit::AuditLog;
use crate::cli::call::{ApiCall, Caller, Record, print_outcome};
use crate::cli::failure::{Exit, Failure};
use crate::cli::guard;
use crate::cli::input::Input;
use crate::cli::interrupt;
use crate::cli::output;
use crate::cli::round_trip::{Asked, RoundTrip};
use crate::cli::settings::{Endpoint, Env, Sources};
use crate::cli::status_command::WaitAfterSend;

/// Every API command: resolves the settings, builds the one request the command
/// makes, then shows it (`--dry-run`) or makes the call once and prints the outcome.
pub fn run(
    command: &ApiCommand,
    global: &GlobalArgs,
    env: Env,
    places: Places,
    input: &mut Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Failure> {
    let format = global.format();
    let sources = Sources::load_warning(global, env, places.config_dir, err)?;
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
    let wait = WaitAfterSend::of(command, &sources)?;
    if let Some(warning) = call.undocumented_digits() {
        let _ = output::write_warning(err, format, &warning);
    }
    let request = call.request(&connection, scheme);
    if global.dry_run {
        let to = (call.sends().then(|| call.to()), places.state_dir);
        return dry_run(command, global, &sources, &request, to, out, err);
    }
    let (audit, hint) = audit_log(global, &sources, &call)?;
    let record = audit.as_ref().map(|log| Record {
        log,
        entry: call.entry("", &sources, &connection),
    });
    let logged = (record.as_ref(), format);
    pass_guard(&call, &sources, places.state_dir, logged, err)?;
    // Only at a terminal, and never with the log, which says each step itself.
    let show_status = output::shows_status(global);
    interrupt::install(format, call.call(), show_status, hint.clone());
    if let Some(record) = &record {
        record.on_interrupt();
    }
    let last_status = Arc::new(AtomicU16::new(0));
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
    .map_err(|failure| hinted(failure, hint.as_deref()));
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
            state_dir: places.state_dir,
        };
        return trip.run(&asked, &outcome, input, out, err);
    }
    if let Some(wait) = wait {
        let sent = (&outcome, record.as_ref());
        return wait.run(caller?, (&connection, scheme), sent, (format, out, err));
    }
    Ok(print_outcome(&outcome, format, out, err))
}

/// The guard, for a send, before anything is read or sent (a password command, a
/// token): a refusal costs no request, and is logged as any ending is.
fn pass_guard(
    call: &ApiCall,
    sources: &Sources,
    state_dir: Option<&std::path::Path>,
    (record, format): (Option<&Record>, crate::cli::args::OutputFormat),
    err: &mut dyn Write,
) -> Result<(), Failure> {
    if !call.sends() {
        return Ok(());
    }
    let admitted = guard::admit(sources, state_dir, call.to(), (format, err));
    if let (Err(failure), Some(record)) = (&admitted, record) {
        record.outcome(&Err(failure.clone()), 0, format, err);
    }
    admitted
}

/// The audit log, if one is set, opened and checked before anything is sent (a log
/// that cannot be written is no reason to have sent a code without a record); and the
/// hint a failure that may have acted then gives: where the call is logged.
fn audit_log(
    global: &GlobalArgs,
    sources: &Sources,
    call: &ApiCall,
) -> Result<(Option<AuditLog>, Option<String>), Failure> {
    let Some((path, origin)) = sources.log_file(global)? else {
        return Ok((None, None));
    };
    let hint = format!(
        "the audit log holds this call: `mfa log --to {}`",
        call.to().as_str()
    );
    Ok((Some(AuditLog::open(&path, &origin)?), Some(hint)))
}

/// A failure that may have acted, with `hint` (where the call is logged) after it.
fn hinted(failure: Failure, hint: Option<&str>) -> Failure {
    match (&failure, hint) {
        (Failure::Api { error, .. }, Some(hint)) if error.delivery() != mfa::Delivery::NotSent => {
            failure.advising(hint)
        }
        _ => failure,
    }
}

/// `--dry-run`: the request as it would be sent, and nothing sent. No credential is
/// needed to show it, but a warning says what a real run would still lack.
fn dry_run(
    command: &ApiCommand,
    global: &GlobalArgs,
    sources: &Sources,
    request: &mfa::Request,
    (to, state_dir): (Option<&mfa::PhoneNumber>, Option<&std::path::Path>),
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Failure> {
    let format = global.format();
    if let Some(to) = to {
        guard::show_decision(sources, state_dir, to, (format, err))?;
    }
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
    let shown = output::write_request(out, format, request);
    output::written(shown, out, "the request")?;
    Ok(Exit::Success)
}
