//! The doctor's lines on the guard: the countries codes may go to (a warning while
//! every one may), the number types refused, and the limits on codes sent with where
//! they are counted (a warning when both are off, or when no record can be kept).

use std::path::Path;

use super::report::Report;
use crate::cli::failure::Failure;
use crate::cli::send_record::FileRecord;
use crate::cli::settings::table::{Countries, Uncounted};
use crate::cli::settings::{GuardRules, Sources};

/// The guard's rules in force, a line each. Opening the record locks it and counts
/// nothing.
pub fn lines(sources: &Sources, state_dir: Option<&Path>, report: &mut Report) {
    let rules = match sources.guard_rules() {
        Ok(rules) => rules,
        Err(failure) => return report.fail("guard", &failure),
    };
    countries(&rules, report);
    number_types(&rules, report);
    limits(&rules, state_dir, report);
}

fn countries(rules: &GuardRules, report: &mut Report) {
    match &rules.countries {
        None => report.warn(
            "countries",
            "every one: allowed_countries is unset, so a code may go to any country, those \
             the business never serves included; set it to the countries served (`mfa config \
             set allowed_countries US,CA`), or to any",
        ),
        Some(Countries(None)) => report.ok("countries", "every one (allowed_countries is any)"),
        Some(Countries(Some(list))) => {
            let list: Vec<String> = list.iter().map(ToString::to_string).collect();
            report.ok("countries", list.join(","));
        }
    }
}

fn number_types(rules: &GuardRules, report: &mut Report) {
    let refused: Vec<&str> = rules.refused_types.iter().map(|t| t.as_str()).collect();
    match refused.is_empty() {
        true => report.warn(
            "number types",
            "none refused: codes may go to premium-rate and shared-cost numbers \
             (refused_number_types is none)",
        ),
        false => report.ok("number types", format!("{} refused", refused.join(","))),
    }
}

/// The limits in force, and whether their record can be kept.
fn limits(rules: &GuardRules, state_dir: Option<&Path>, report: &mut Report) {
    let limits = match (rules.per_number, rules.per_hour) {
        (None, None) => {
            return report.warn(
                "guard",
                "off: no limit on the codes sent (max_codes_per_number and max_codes_per_hour \
                 are off)",
            );
        }
        (per_number, per_hour) => format!(
            "{} to one number, {} in all an hour",
            per_number.map_or("no limit".to_owned(), |limit| limit.to_string()),
            per_hour.map_or("no limit".to_owned(), |limit| limit.codes().to_string()),
        ),
    };
    let record = state_dir
        .ok_or_else(|| "no folder is known to keep it in".to_owned())
        .and_then(|dir| {
            FileRecord::open(dir)
                .map(|_| FileRecord::path(dir))
                .map_err(|e| e.to_string())
        });
    match (record, rules.uncounted) {
        (Ok(path), _) => report.ok("guard", format!("{limits}; counted in {}", path.display())),
        (Err(why), Uncounted::Send) => report.warn(
            "guard",
            format!("{limits}, but they cannot be counted: {why}; each code goes uncounted"),
        ),
        (Err(why), Uncounted::Refuse) => report.fail(
            "guard",
            &Failure::Guarded(format!(
                "{limits}, but they cannot be counted: {why}; every send is refused \
                 (uncounted_sends is refuse)"
            )),
        ),
    }
}
