//! The settings table's rows for the guard (`cli::guard`): where codes may go, the
//! number types refused, the limits on codes sent, and what a send does when they
//! cannot be counted. [`super::rows::SETTINGS`] lists them with every other row.

use super::{
    Countries, Example, Hides, Kind, Needed, NumberTypes, PerHour, PerNumber, Question, SENDS,
    Setting, Uncounted, rule,
};

pub const ALLOWED_COUNTRIES: Setting = Setting {
    key: "allowed_countries",
    what: "countries codes may go to",
    help: "The countries codes may go to: ISO 3166 region codes, comma-separated (US,CA), \
           placed from the number (+1 876 is JM); any for every one. Unset, every one, and \
           `mfa doctor` warns. A number elsewhere is refused (exit 11)",
    flag: None,
    variable: Some("MFA_ALLOWED_COUNTRIES"),
    kind: Kind::Text,
    check: rule::<Countries>,
    calls: SENDS,
    default: None,
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: Some(Question {
        ask: "Countries codes may go to (comma-separated, such as US,CA; any for every one)",
        suggested: None,
        may_skip: true,
        signs_in: false,
    }),
    example: Some(Example {
        note: "The guard: where codes may go, what kind of number is refused, how many:",
        value: "US,CA",
    }),
    in_short_help: false,
};
pub const REFUSED_NUMBER_TYPES: Setting = Setting {
    key: "refused_number_types",
    what: "number types refused",
    help: "The kinds of number refused, comma-separated, or none: fixed-line, mobile, \
           fixed-line-or-mobile, toll-free, premium-rate, shared-cost, personal-number, voip, \
           pager, uan, voicemail, invalid (one the numbering plan does not know). A send to one \
           is refused (exit 11)",
    flag: None,
    variable: Some("MFA_REFUSED_NUMBER_TYPES"),
    kind: Kind::Text,
    check: rule::<NumberTypes>,
    calls: SENDS,
    default: Some("premium-rate,shared-cost"),
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: None,
    in_short_help: false,
};
pub const MAX_CODES_PER_NUMBER: Setting = Setting {
    key: "max_codes_per_number",
    what: "limit on codes to one number",
    help: "At most this many codes to one number in a window (5/10m: 5 in 10 minutes), \
           counted across runs; off for none. A send past it is refused (exit 11)",
    flag: None,
    variable: Some("MFA_MAX_CODES_PER_NUMBER"),
    kind: Kind::Text,
    check: rule::<PerNumber>,
    calls: SENDS,
    default: Some("5/10m"),
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: None,
    in_short_help: false,
};
pub const MAX_CODES_PER_HOUR: Setting = Setting {
    key: "max_codes_per_hour",
    what: "limit on codes in an hour",
    help: "At most this many codes in all in an hour, counted across runs; off for none. A \
           send past it is refused (exit 11)",
    flag: None,
    variable: Some("MFA_MAX_CODES_PER_HOUR"),
    kind: Kind::Text,
    check: rule::<PerHour>,
    calls: SENDS,
    default: Some("off"),
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: None,
    in_short_help: false,
};
pub const UNCOUNTED_SENDS: Setting = Setting {
    key: "uncounted_sends",
    what: "sends the limits cannot count",
    help: "What a send does when the record of codes sent cannot be kept (no writable state \
           folder), so max_codes_per_number and max_codes_per_hour cannot be counted: send, \
           with a warning, or refuse (exit 11)",
    flag: None,
    variable: Some("MFA_UNCOUNTED_SENDS"),
    kind: Kind::Text,
    check: rule::<Uncounted>,
    calls: SENDS,
    default: Some("send"),
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: None,
    in_short_help: false,
};
