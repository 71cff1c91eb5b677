//! The guard before a send, as the command line applies it: the rules from the
//! settings (`allowed_countries`, `refused_number_types`, `max_codes_per_number`,
//! `max_codes_per_hour`, `uncounted_sends`) given to `mfa::Guard`, the codes counted in
//! the record under the state folder (`send_record`), and each refusal in words that
//! name the rule, the number's value for it, and what would let a code go: a time to
//! wait for, or the setting to change. A refusal is [`Failure::Guarded`] (exit 11).
//!
//! The number's own rules (its country, its type) are judged first, without the
//! record; the record is opened only when a limit is on and the number passed.

use std::path::Path;
use std::time::{Duration, SystemTime};

use mfa::{Guard, GuardError, GuardRule, NumberRules, PhoneNumber, Placed, Refusal};

use crate::cli::args::OutputFormat;
use crate::cli::failure::Failure;
use crate::cli::output;
use crate::cli::send_record::FileRecord;
use crate::cli::settings::table::Uncounted;
use crate::cli::settings::{GuardRules, Sources};

/// Whether a code may go to `to`; if it may, it is counted. Where no record can be
/// kept (no state folder, one that cannot be written), the limits cannot be counted:
/// the code goes with a warning, or, with `uncounted_sends = "refuse"`, is refused.
pub fn admit(
    sources: &Sources,
    state_dir: Option<&Path>,
    to: &PhoneNumber,
    (format, err): (OutputFormat, &mut dyn std::io::Write),
) -> Result<(), Failure> {
    let rules = sources.guard_rules()?;
    let refused = |error: GuardError| Failure::Guarded(words(&error, &rules));
    number_rules(&rules).check(to).map_err(refused)?;
    if !rules.counts() {
        return Ok(());
    }
    let record = state_dir
        .ok_or_else(|| NO_FOLDER.to_owned())
        .and_then(|dir| FileRecord::open(dir).map_err(|error| error.to_string()));
    // The number's rules are judged: the guard that counts need not judge them again.
    let decided = match record {
        Ok(record) => with_limits(Guard::new(record), &rules)
            .numbers(NumberRules::default().refused_number_types(Vec::new()))
            .admit(to),
        Err(why) => return uncounted(&why, &rules, (format, err)),
    };
    match decided {
        Ok(()) => Ok(()),
        Err(GuardError::Unrecorded(error)) => uncounted(&error.to_string(), &rules, (format, err)),
        Err(error) => Err(refused(error)),
    }
}

/// `--dry-run`: what the guard would decide, counting nothing and making no record:
/// a line on stderr (in JSON, `{"guard":{"decision":...}}`).
pub fn show_decision(
    sources: &Sources,
    state_dir: Option<&Path>,
    to: &PhoneNumber,
    (format, err): (OutputFormat, &mut dyn std::io::Write),
) -> Result<(), Failure> {
    let rules = sources.guard_rules()?;
    // Only a record already kept is read: a dry run leaves no file behind.
    let kept = state_dir.filter(|dir| FileRecord::path(dir).exists());
    let checked =
        number_rules(&rules)
            .check(to)
            .and_then(|placed| match (rules.counts(), kept, state_dir) {
                (true, Some(dir), _) => FileRecord::open(dir)
                    .map_err(GuardError::Unrecorded)
                    .and_then(|record| with_rules(Guard::new(record), &rules).check(to)),
                (true, None, None) => {
                    Err(GuardError::Unrecorded(mfa::RecordError(NO_FOLDER.into())))
                }
                _ => Ok(placed),
            });
    let placed = match &checked {
        Ok(placed) | Err(GuardError::Country(placed) | GuardError::NumberType(placed)) => *placed,
        Err(_) => Placed::of(to),
    };
    let (decision, words) = match &checked {
        Ok(_) => ("send", format!("would send: {}", where_and_what(&placed))),
        Err(GuardError::Unrecorded(error)) => match rules.uncounted {
            Uncounted::Send => (
                "send",
                format!("would send uncounted: {}; {error}", where_and_what(&placed)),
            ),
            Uncounted::Refuse => (
                "refuse",
                format!("would refuse: {}", uncounted_refusal(&error.to_string())),
            ),
        },
        Err(error) => ("refuse", format!("would refuse: {}", words(error, &rules))),
    };
    let _ = match format {
        OutputFormat::Text => writeln!(err, "mfa: guard: {}", output::escaped(&words)),
        OutputFormat::Json => writeln!(
            err,
            "{}",
            serde_json::json!({ "guard": {
                "decision": decision,
                "country": placed.country.map(|c| c.to_string()),
                "numberType": placed.number_type.as_str(),
                "message": words,
            }})
        ),
    };
    Ok(())
}

/// The rules on the number itself, which need no record.
fn number_rules(rules: &GuardRules) -> NumberRules {
    NumberRules::default()
        .allowed_countries(rules.allowed_countries())
        .refused_number_types(rules.refused_types.clone())
}

/// `guard` with every rule the settings give.
fn with_rules(guard: Guard, rules: &GuardRules) -> Guard {
    with_limits(guard, rules).numbers(number_rules(rules))
}

/// `guard` with the limits the settings give.
fn with_limits(guard: Guard, rules: &GuardRules) -> Guard {
    guard.per_number(rules.per_number).overall(rules.per_hour)
}

/// The limits could not be counted, for `why`: a warning and the code goes, or, as
/// `uncounted_sends` may say, a refusal.
fn uncounted(
    why: &str,
    rules: &GuardRules,
    (format, err): (OutputFormat, &mut dyn std::io::Write),
) -> Result<(), Failure> {
    if rules.uncounted == Uncounted::Refuse {
        return Err(Failure::Guarded(uncounted_refusal(why)));
    }
    let warning = format!("{why}; {UNCOUNTED}, so this code goes uncounted");
    let _ = output::write_warning(err, format, &warning);
    Ok(())
}

/// Why no record can be kept where the system names no state folder.
const NO_FOLDER: &str = "no folder is known to keep the record of codes sent in";

/// What a send the limits cannot count is told.
const UNCOUNTED: &str =
    "the limits on codes sent (max_codes_per_number, max_codes_per_hour) cannot be counted";

/// The refusal of a send the limits cannot count, for `why`.
fn uncounted_refusal(why: &str) -> String {
    format!(
        "refused by the guard: {why}; {UNCOUNTED}, and uncounted_sends (MFA_UNCOUNTED_SENDS) is refuse"
    )
}

/// `the number is in US, of type mobile`.
fn where_and_what(placed: &Placed) -> String {
    let country = placed
        .country
        .map_or("of no country".to_owned(), |country| {
            format!("in {country}")
        });
    let unknown = match placed.number_type {
        mfa::NumberType::Invalid => " (the numbering plan does not know it)",
        _ => "",
    };
    format!(
        "the number is {country}, of type {}{unknown}",
        placed.number_type
    )
}

/// A refusal in words: the rule, the number's value for it, and what lets a code go.
fn words(error: &GuardError, rules: &GuardRules) -> String {
    match error {
        GuardError::Country(placed) => {
            let allowed: Vec<String> = rules
                .allowed_countries()
                .unwrap_or_default()
                .iter()
                .map(ToString::to_string)
                .collect();
            let change = match placed.country {
                Some(country) => format!("add {country} to it"),
                None => "set it to any".to_owned(),
            };
            format!(
                "refused by the guard: {}, and allowed_countries (MFA_ALLOWED_COUNTRIES) is \
                 {} ({change} to send there)",
                where_and_what(placed),
                allowed.join(","),
            )
        }
        GuardError::NumberType(placed) => {
            let refused: Vec<&str> = rules.refused_types.iter().map(|t| t.as_str()).collect();
            format!(
                "refused by the guard: {}, and refused_number_types \
                 (MFA_REFUSED_NUMBER_TYPES) is {} (take {} out of it to send to such a number)",
                where_and_what(placed),
                refused.join(","),
                placed.number_type,
            )
        }
        GuardError::Limit(refusal) => limit_words(refusal),
        other => other.to_string(),
    }
}

/// A limit reached in words: the limit, when a code may go again, and what changes it.
fn limit_words(refusal: &Refusal) -> String {
    let (whose, setting) = match refusal.rule {
        GuardRule::PerNumber => (
            "to this number",
            "max_codes_per_number (MFA_MAX_CODES_PER_NUMBER)",
        ),
        _ => ("in all", "max_codes_per_hour (MFA_MAX_CODES_PER_HOUR)"),
    };
    let wait = refusal
        .retry_at
        .duration_since(SystemTime::now())
        .unwrap_or_default()
        .as_secs()
        + 1;
    let codes = match refusal.limit.codes() {
        1 => "1 code was".to_owned(),
        n => format!("{n} codes were"),
    };
    format!(
        "refused by the guard: {codes} sent {whose} in {} already (limit {}); a code may go \
         again in {wait} s, at {}, or change {setting}",
        window_words(refusal.limit.window()),
        refusal.limit,
        humantime::format_rfc3339_seconds(refusal.retry_at),
    )
}

/// A window in words: `10 min`, `1 h`, `90 s`, `30 d`.
fn window_words(window: Duration) -> String {
    let seconds = window.as_secs();
    match seconds {
        s if s.is_multiple_of(86_400) => format!("{} d", s / 86_400),
        s if s.is_multiple_of(3600) => format!("{} h", s / 3600),
        s if s.is_multiple_of(60) => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}
