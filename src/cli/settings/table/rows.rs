//! The rows of the settings table: one constant a setting, each saying everything
//! said of it anywhere (see the table's own doc for what derives from a row), then
//! [`SETTINGS`], every profile key's row in `mfa config show`'s order, and the two rows
//! that choose the config file and the profile.

use std::path::Path;

use mfa::{
    AccountId, ApplicationId, BaseUrl, Call, ClientId, Digits, ExpirationMinutes, InvalidValue,
    MessageTemplate, PhoneNumber, Retries, Scope, TokenUrl, Username,
};

use super::guard_rows::{
    ALLOWED_COUNTRIES, MAX_CODES_PER_HOUR, MAX_CODES_PER_NUMBER, REFUSED_NUMBER_TYPES,
    UNCOUNTED_SENDS,
};
use super::{Example, Hides, Kind, Needed, Question, SENDS, Seconds, Setting, rule};
use crate::cli::ca_file::read_certificates;

/// Any value: a secret's only rule is that it is given, which reading it checks.
fn any(_: &str) -> Result<(), InvalidValue> {
    Ok(())
}

/// Every call `mfa` makes: the three of the MFA API, the questions of `mfa status`, and
/// the doctor's reads of the applications.
const ALL_CALLS: &[Call] = &[
    Call::VoiceCode,
    Call::MessagingCode,
    Call::VerifyCode,
    Call::CallState,
    Call::MessageStatus,
    Call::Application,
    Call::ApplicationLocations,
];
/// The MFA API's calls.
const MFA_CALLS: &[Call] = &[Call::VoiceCode, Call::MessagingCode, Call::VerifyCode];

pub const ACCOUNT_ID: Setting = Setting {
    key: "account_id",
    what: "account id",
    help: "Bandwidth account id",
    flag: Some("--account-id"),
    variable: Some("BW_ACCOUNT_ID"),
    kind: Kind::Text,
    check: rule::<AccountId>,
    calls: ALL_CALLS,
    default: None,
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::By(ALL_CALLS),
    question: Some(Question {
        ask: "Account id",
        suggested: None,
        may_skip: false,
        signs_in: true,
    }),
    example: Some(Example {
        note: "",
        value: "9900000",
    }),
    in_short_help: true,
};
pub const USERNAME: Setting = Setting {
    key: "username",
    what: "API username",
    help: "API username; the password comes from BW_PASSWORD or the profile's `password` or \
           `password_command`",
    flag: Some("--username"),
    variable: Some("BW_USERNAME"),
    kind: Kind::Text,
    check: rule::<Username>,
    calls: ALL_CALLS,
    default: None,
    hides: Hides::AfterColon,
    in_profile: true,
    needed: Needed::ForBasicAuth,
    question: Some(Question {
        ask: "API username",
        suggested: None,
        may_skip: false,
        signs_in: true,
    }),
    example: Some(Example {
        note: "Username and password (HTTP Basic); set the password with \
               `mfa config set password -`,\n\
               or let a password manager print it:",
        value: "api-user",
    }),
    in_short_help: false,
};
pub const PASSWORD: Setting = Setting {
    key: "password",
    what: "API password",
    help: "API password; never a flag, so it stays out of shell history",
    flag: None,
    variable: Some("BW_PASSWORD"),
    kind: Kind::Secret,
    check: any,
    calls: ALL_CALLS,
    default: None,
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::ForBasicAuth,
    question: Some(Question {
        ask: "API password",
        suggested: None,
        may_skip: false,
        signs_in: true,
    }),
    example: None,
    in_short_help: false,
};
pub const PASSWORD_COMMAND: Setting = Setting {
    key: "password_command",
    what: "password command",
    help: "a command whose output is the API password",
    flag: None,
    variable: None,
    kind: Kind::Command,
    check: |value| match value.trim() {
        "" => Err(InvalidValue::from_rule("must be a command")),
        _ => Ok(()),
    },
    calls: ALL_CALLS,
    default: None,
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: Some(Question {
        ask: "Password command (e.g. pass show bandwidth/api-user)",
        suggested: None,
        may_skip: false,
        signs_in: true,
    }),
    example: Some(Example {
        note: "",
        value: "pass show bandwidth/api-user",
    }),
    in_short_help: false,
};
pub const CLIENT_ID: Setting = Setting {
    key: "client_id",
    what: "client id",
    help: "OAuth2 client id; the secret comes from BW_CLIENT_SECRET or the profile's \
           `client_secret`",
    flag: Some("--client-id"),
    variable: Some("BW_CLIENT_ID"),
    kind: Kind::Text,
    check: rule::<ClientId>,
    calls: ALL_CALLS,
    default: None,
    hides: Hides::AfterColon,
    in_profile: true,
    needed: Needed::Never,
    question: Some(Question {
        ask: "OAuth2 client id",
        suggested: None,
        may_skip: false,
        signs_in: true,
    }),
    example: Some(Example {
        note: "Or OAuth2 client credentials, used instead when both are set; set the secret \
               with\n\
               `mfa config set client_secret -`:",
        value: "...",
    }),
    in_short_help: false,
};
pub const CLIENT_SECRET: Setting = Setting {
    key: "client_secret",
    what: "client secret",
    help: "OAuth2 client secret; never a flag",
    flag: None,
    variable: Some("BW_CLIENT_SECRET"),
    kind: Kind::Secret,
    check: any,
    calls: ALL_CALLS,
    default: None,
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: Some(Question {
        ask: "OAuth2 client secret",
        suggested: None,
        may_skip: false,
        signs_in: true,
    }),
    example: None,
    in_short_help: false,
};
pub const TOKEN_URL: Setting = Setting {
    key: "token_url",
    what: "token URL",
    help: "OAuth2 token endpoint",
    flag: None,
    variable: Some("MFA_TOKEN_URL"),
    kind: Kind::Text,
    check: rule::<TokenUrl>,
    calls: ALL_CALLS,
    default: Some(mfa::DEFAULT_TOKEN_URL),
    hides: Hides::UrlPassword,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: None,
    in_short_help: false,
};
pub const BASE_URL: Setting = Setting {
    key: "base_url",
    what: "base URL",
    help: "API base URL: https://, or http:// to a loopback host only",
    flag: Some("--base-url"),
    variable: Some("MFA_BASE_URL"),
    kind: Kind::Text,
    check: rule::<BaseUrl>,
    calls: MFA_CALLS,
    default: Some(mfa::DEFAULT_BASE_URL),
    hides: Hides::UrlPassword,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: None,
    in_short_help: false,
};
pub const VOICE_URL: Setting = Setting {
    key: "voice_url",
    what: "Voice API URL",
    help: "The Voice API's base URL, which `mfa status` asks a call's state: https://, or \
           http:// to a loopback host only",
    flag: None,
    variable: Some("MFA_VOICE_URL"),
    kind: Kind::Text,
    check: rule::<BaseUrl>,
    calls: &[Call::CallState],
    default: Some(mfa::DEFAULT_VOICE_URL),
    hides: Hides::UrlPassword,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: None,
    in_short_help: false,
};
pub const MESSAGING_URL: Setting = Setting {
    key: "messaging_url",
    what: "Messaging API URL",
    help: "The Messaging API's base URL, which `mfa status` asks a message's status: \
           https://, or http:// to a loopback host only",
    flag: None,
    variable: Some("MFA_MESSAGING_URL"),
    kind: Kind::Text,
    check: rule::<BaseUrl>,
    calls: &[Call::MessageStatus],
    default: Some(mfa::DEFAULT_MESSAGING_URL),
    hides: Hides::UrlPassword,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: None,
    in_short_help: false,
};
pub const DASHBOARD_URL: Setting = Setting {
    key: "dashboard_url",
    what: "Dashboard API URL",
    help: "The Dashboard API's base URL, which `mfa doctor` asks what each application is: \
           https://, or http:// to a loopback host only",
    flag: None,
    variable: Some("MFA_DASHBOARD_URL"),
    kind: Kind::Text,
    check: rule::<BaseUrl>,
    calls: &[Call::Application, Call::ApplicationLocations],
    default: Some(mfa::DEFAULT_DASHBOARD_URL),
    hides: Hides::UrlPassword,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: None,
    in_short_help: false,
};
pub const TIMEOUT: Setting = Setting {
    key: "timeout",
    what: "time-out",
    help: "Give up after this many seconds",
    flag: Some("--timeout"),
    variable: Some("MFA_TIMEOUT"),
    kind: Kind::Number,
    check: rule::<Seconds>,
    calls: ALL_CALLS,
    default: Some("30"),
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: Some(Example {
        note: "The network: how long to wait for an answer, in seconds:",
        value: "30",
    }),
    in_short_help: false,
};
pub const RETRIES: Setting = Setting {
    key: "retries",
    what: "number of retries",
    help: "Make a request again up to N times, only when surely not processed: a failed \
           name lookup, a refused connection, or HTTP 429 (waiting as Retry-After says, at most 60 s, else backing \
           off); never after a time-out or a 5xx",
    flag: Some("--retries"),
    variable: Some("MFA_RETRIES"),
    kind: Kind::WholeNumber,
    check: rule::<Retries>,
    calls: ALL_CALLS,
    default: Some("0"),
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: Some(Example {
        note: "Make a request again after a refused connection or HTTP 429 only (never after \
               a\n\
               time-out or a 5xx):",
        value: "2",
    }),
    in_short_help: false,
};
pub const CA_FILE: Setting = Setting {
    key: "ca_file",
    what: "CA file",
    help: "Trust the CA certificates in this PEM file too, besides the built-in roots",
    flag: Some("--ca-file"),
    variable: Some("MFA_CA_FILE"),
    kind: Kind::Path,
    check: |path| read_certificates(Path::new(path)).map(drop),
    calls: ALL_CALLS,
    default: None,
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: Some(Example {
        note: "Trust a private CA (PEM) besides the built-in ones:",
        value: "/etc/ssl/certs/company-ca.pem",
    }),
    in_short_help: false,
};
pub const CA_ROOTS: Setting = Setting {
    key: "ca_roots",
    what: "trusted roots",
    help: "Which CAs vouch for servers besides --ca-file: `system` (the operating system's \
           store, SSL_CERT_FILE and SSL_CERT_DIR honoured, and the built-in roots) or \
           `builtin` (the built-in roots alone)",
    flag: None,
    variable: Some("MFA_CA_ROOTS"),
    kind: Kind::Text,
    check: |value| match value {
        "system" | "builtin" => Ok(()),
        _ => Err(InvalidValue::from_rule("must be `system` or `builtin`")),
    },
    calls: ALL_CALLS,
    default: Some("system"),
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: None,
    in_short_help: false,
};
pub const LOG_FILE: Setting = Setting {
    key: "log_file",
    what: "audit log",
    help: "Append one JSON line for each API call made to this file (mode 600): when, who, \
           to whom, and how it ended; never a code or secret. Read it with `mfa log`",
    flag: Some("--log"),
    variable: Some("MFA_LOG"),
    kind: Kind::Path,
    check: |path| match path {
        "" => Err(InvalidValue::from_rule("must be a file's path")),
        _ => Ok(()),
    },
    calls: ALL_CALLS,
    default: None,
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: None,
    in_short_help: false,
};
pub const FROM: Setting = Setting {
    key: "from",
    what: "from number",
    help: "The Bandwidth number the code comes from",
    flag: Some("--from"),
    variable: Some("BW_NUMBER"),
    kind: Kind::Text,
    check: rule::<PhoneNumber>,
    calls: SENDS,
    default: None,
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::By(SENDS),
    question: Some(Question {
        ask: "From number (E.164, e.g. +15554443333)",
        suggested: None,
        may_skip: false,
        signs_in: false,
    }),
    example: Some(Example {
        note: "What a send uses: the number it comes from, each channel's application, the \
               code:",
        value: "+15554443333",
    }),
    in_short_help: true,
};
pub const VOICE_APPLICATION_ID: Setting = Setting {
    key: "voice_application_id",
    what: "voice application id",
    help: "The voice application's id (Bandwidth App: Applications)",
    flag: Some("--application-id"),
    variable: Some("BW_VOICE_APPLICATION_ID"),
    kind: Kind::Text,
    check: rule::<ApplicationId>,
    calls: &[Call::VoiceCode],
    default: None,
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::By(&[Call::VoiceCode]),
    question: Some(Question {
        ask: "Voice application id (the Bandwidth App lists it under Applications)",
        suggested: None,
        may_skip: true,
        signs_in: false,
    }),
    example: Some(Example {
        note: "",
        value: "...",
    }),
    in_short_help: true,
};
pub const MESSAGING_APPLICATION_ID: Setting = Setting {
    key: "messaging_application_id",
    what: "messaging application id",
    help: "The messaging application's id (Bandwidth App: Applications)",
    flag: Some("--application-id"),
    variable: Some("BW_MESSAGING_APPLICATION_ID"),
    kind: Kind::Text,
    check: rule::<ApplicationId>,
    calls: &[Call::MessagingCode],
    default: None,
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::By(&[Call::MessagingCode]),
    question: Some(Question {
        ask: "Messaging application id (as the voice one)",
        suggested: None,
        may_skip: true,
        signs_in: false,
    }),
    example: Some(Example {
        note: "",
        value: "...",
    }),
    in_short_help: true,
};
pub const DIGITS: Setting = Setting {
    key: "digits",
    what: "number of digits",
    help: "How many digits the code has, 2 to 8",
    flag: Some("--digits"),
    variable: Some("MFA_DIGITS"),
    kind: Kind::WholeNumber,
    check: rule::<Digits>,
    calls: SENDS,
    default: Some("6"),
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: Some(Example {
        note: "",
        value: "6",
    }),
    in_short_help: true,
};
pub const MESSAGE: Setting = Setting {
    key: "message",
    what: "message",
    help: "The text, with {CODE} where the code goes; may use {NAME} (the application's name, \
           as set up with Bandwidth) and {SCOPE}",
    flag: Some("--message"),
    variable: Some("MFA_MESSAGE"),
    kind: Kind::Text,
    check: rule::<MessageTemplate>,
    calls: SENDS,
    default: Some(mfa::DEFAULT_MESSAGE),
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: Some(Example {
        note: "",
        value: mfa::DEFAULT_MESSAGE,
    }),
    in_short_help: true,
};
pub const SCOPE: Setting = Setting {
    key: "scope",
    what: "scope",
    help: "What the code is for, 1 to 25 characters (checking takes the scope it was sent \
           with); without one, the server uses 2FA",
    flag: Some("--scope"),
    variable: Some("MFA_SCOPE"),
    kind: Kind::Text,
    check: rule::<Scope>,
    calls: MFA_CALLS,
    default: None,
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::Never,
    question: None,
    example: Some(Example {
        note: "",
        value: "2FA",
    }),
    in_short_help: true,
};
pub const EXPIRATION: Setting = Setting {
    key: "expiration_minutes",
    what: "code lifetime",
    help: "How old the code may be, in minutes from 1 to 15 (e.g. 3 or 1.5)",
    flag: Some("--expiration"),
    variable: Some("MFA_EXPIRATION_MINUTES"),
    kind: Kind::Number,
    check: rule::<ExpirationMinutes>,
    calls: &[Call::VerifyCode],
    default: None,
    hides: Hides::Nothing,
    in_profile: true,
    needed: Needed::By(&[Call::VerifyCode]),
    question: Some(Question {
        ask: "Code lifetime for verify, in minutes (1 to 15)",
        suggested: Some("5"),
        may_skip: false,
        signs_in: false,
    }),
    example: Some(Example {
        note: "How old a code `mfa verify` takes may be, in minutes:",
        value: "3",
    }),
    in_short_help: true,
};

/// Every setting, in the order `mfa config show` lists them.
pub const SETTINGS: [&Setting; 28] = [
    &ACCOUNT_ID,
    &USERNAME,
    &PASSWORD,
    &PASSWORD_COMMAND,
    &CLIENT_ID,
    &CLIENT_SECRET,
    &TOKEN_URL,
    &BASE_URL,
    &VOICE_URL,
    &MESSAGING_URL,
    &DASHBOARD_URL,
    &TIMEOUT,
    &RETRIES,
    &CA_FILE,
    &CA_ROOTS,
    &LOG_FILE,
    &FROM,
    &VOICE_APPLICATION_ID,
    &MESSAGING_APPLICATION_ID,
    &DIGITS,
    &MESSAGE,
    &SCOPE,
    &EXPIRATION,
    &ALLOWED_COUNTRIES,
    &REFUSED_NUMBER_TYPES,
    &MAX_CODES_PER_NUMBER,
    &MAX_CODES_PER_HOUR,
    &UNCOUNTED_SENDS,
];

/// The profile in use: not a profile key, but the rows' way of naming its flag,
/// variable and default, as a setting's.
pub const PROFILE: Setting = Setting {
    key: "profile",
    what: "profile",
    help: "Profile to use from the config file, else the file's `default_profile`",
    flag: Some("--profile"),
    variable: Some("MFA_PROFILE"),
    kind: Kind::Text,
    check: any,
    calls: ALL_CALLS,
    default: Some("default"),
    hides: Hides::Nothing,
    in_profile: false,
    needed: Needed::Never,
    question: None,
    example: None,
    in_short_help: true,
};
/// The config file in use; see [`PROFILE`].
pub const CONFIG: Setting = Setting {
    key: "config",
    what: "config file",
    help: "Config file",
    flag: Some("--config"),
    variable: Some("MFA_CONFIG"),
    kind: Kind::Path,
    check: any,
    calls: ALL_CALLS,
    default: Some("<user config dir>/mfa/config.toml"),
    hides: Hides::Nothing,
    in_profile: false,
    needed: Needed::Never,
    question: None,
    example: None,
    in_short_help: false,
};

/// [`PROFILE`]'s variable, which is read before any profile.
pub const PROFILE_VARIABLE: &str = variable_of(&PROFILE);
/// [`CONFIG`]'s variable, which is read before any file.
pub const CONFIG_VARIABLE: &str = variable_of(&CONFIG);

const fn variable_of(setting: &Setting) -> &'static str {
    match setting.variable {
        Some(variable) => variable,
        None => panic!("a row that chooses has a variable"),
    }
}

/// The two rows that choose the config file and the profile, which no profile holds.
pub const CHOOSERS: [&Setting; 2] = [&PROFILE, &CONFIG];
