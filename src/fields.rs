//! The values a request is made of, each a type that can only hold a valid value.
//!
//! The rules are Bandwidth's published ones (the README's options tables list them).
//! Checking them here, before anything is sent, means a typo costs an error message
//! instead of a billed, failed call, and a [`crate::CodeRequest`] or
//! [`crate::VerifyRequest`] built from these types is valid by construction.
//! Lengths count characters (Unicode scalar values), as JSON Schema's `maxLength` does.
//! Nothing is trimmed or rewritten: a value is taken as typed, or refused.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::secret::Secret;

/// Why a value was refused: the rule it breaks, in words a user can act on, and the
/// field it was for.
///
/// ```
/// let refused = "+1".parse::<mfa::PhoneNumber>().unwrap_err();
/// assert_eq!(refused.field(), Some("PhoneNumber"));
/// assert!(refused.rule().starts_with("must be an E.164"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    rule: String,
    field: Option<&'static str>,
}

impl InvalidValue {
    /// An error that states the rule the value broke.
    pub fn from_rule(rule: impl Into<String>) -> Self {
        InvalidValue {
            rule: rule.into(),
            field: None,
        }
    }

    /// The same error, about the field called `field` (the type of the value, e.g.
    /// `PhoneNumber`), unless it already names one.
    pub fn about(mut self, field: &'static str) -> Self {
        self.field.get_or_insert(field);
        self
    }

    /// The rule that was broken, e.g. `must be a whole number from 2 to 8`.
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// The field the value was for: the type that refused it (`PhoneNumber`,
    /// `AccountId`, `Digits`, `ExpirationMinutes`, `BaseUrl`, ...), when known.
    pub fn field(&self) -> Option<&'static str> {
        self.field
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rule)
    }
}

impl std::error::Error for InvalidValue {}

fn char_count(value: &str) -> usize {
    value.chars().count()
}

/// Declares a string-backed field type: `FromStr` runs the check, `as_str` and
/// `Display` give the value back unchanged, `Serialize` writes it as a JSON string.
macro_rules! string_field {
    ($(#[$doc:meta])* $name:ident, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The value as it was given.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = InvalidValue;

            fn from_str(value: &str) -> Result<Self, InvalidValue> {
                let check: fn(&str) -> Result<(), InvalidValue> = $check;
                check(value).map_err(|e| e.about(stringify!($name)))?;
                Ok($name(value.to_owned()))
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidValue;

            fn try_from(value: String) -> Result<Self, InvalidValue> {
                let check: fn(&str) -> Result<(), InvalidValue> = $check;
                check(&value).map_err(|e| e.about(stringify!($name)))?;
                Ok($name(value))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

const E164_RULE: &str = "must be an E.164 number: `+`, a digit 1 to 9, then 1 to 14 more \
                         digits, and nothing else (e.g. +15553334444)";

string_field!(
    /// A phone number in E.164 form: `+`, a digit 1 to 9, then 1 to 14 digits. A number
    /// typed another way is refused, never rewritten; the refusal suggests the E.164
    /// form when the number has one plain reading (`5553334444`, `+1 555 333 4444`:
    /// did you mean +15553334444?).
    PhoneNumber,
    |value| {
        if is_e164(value) {
            return Ok(());
        }
        Err(InvalidValue::from_rule(match e164_reading(value) {
            Some(meant) => format!("{E164_RULE}; did you mean {meant}?"),
            None => E164_RULE.to_owned(),
        }))
    }
);

/// Whether `value` is in E.164 form.
fn is_e164(value: &str) -> bool {
    value.strip_prefix('+').is_some_and(|digits| {
        (2..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

/// The E.164 form of a number typed another way, when it has one plain reading: with
/// spaces, `-`, `.` or brackets between its digits (`+1 555 333 4444`,
/// `(555) 333-4444`), or without its `+`: 11 digits from `1` (`1-555-333-4444`), or 10
/// that can only be a North American number (`5553334444`, whose area code and
/// exchange each start 2 to 9), the numbers Bandwidth serves. Anything else (another
/// country's national form, other scripts' digits) has no reading.
fn e164_reading(typed: &str) -> Option<String> {
    let value = typed.trim();
    let (plus, rest) = match value.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let mut digits = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let starts_2_to_9 = |at: usize| digits[at..].starts_with(|c: char| ('2'..='9').contains(&c));
    let meant = match (plus, digits.len()) {
        (true, _) => format!("+{digits}"),
        (false, 11) if digits.starts_with('1') && starts_2_to_9(1) && starts_2_to_9(4) => {
            format!("+{digits}")
        }
        (false, 10) if starts_2_to_9(0) && starts_2_to_9(3) => format!("+1{digits}"),
        _ => return None,
    };
    (is_e164(&meant) && meant != typed).then_some(meant)
}

string_field!(
    /// The id of a Bandwidth voice or messaging application: 1 to 50 characters.
    ApplicationId,
    |value| match char_count(value) {
        1..=50 => Ok(()),
        0 => Err(InvalidValue::from_rule("must not be empty (it is 1 to 50 characters)")),
        n => Err(InvalidValue::from_rule(format!("must be at most 50 characters (it has {n})"))),
    }
);

string_field!(
    /// What the code is for, e.g. `2FA` or `login`: 1 to 25 characters. The server's
    /// default, `2FA`, applies when no scope is given at all.
    Scope,
    |value| match char_count(value) {
        1..=25 => Ok(()),
        0 => Err(InvalidValue::from_rule(
            "must not be empty (leave it out for the server's default, 2FA)",
        )),
        n => Err(InvalidValue::from_rule(format!("must be at most 25 characters (it has {n})"))),
    }
);

/// The message used when none is given.
pub const DEFAULT_MESSAGE: &str = "Your temporary {NAME} {SCOPE} code is {CODE}";

string_field!(
    /// The text spoken or sent: at most 2048 characters, with `{CODE}` where the code
    /// goes; it may also use `{NAME}` (the application's name) and `{SCOPE}`.
    MessageTemplate,
    |value| {
        let n = char_count(value);
        if n > 2048 {
            Err(InvalidValue::from_rule(format!("must be at most 2048 characters (it has {n})")))
        } else if !value.contains("{CODE}") {
            Err(InvalidValue::from_rule("must contain {CODE}, where the code goes"))
        } else {
            Ok(())
        }
    }
);

impl Default for MessageTemplate {
    /// [`DEFAULT_MESSAGE`].
    fn default() -> Self {
        MessageTemplate(DEFAULT_MESSAGE.to_owned())
    }
}

string_field!(
    /// A Bandwidth account id: digits only (`9900000`), so no other path can be built
    /// from it (`..` would climb out of the account).
    AccountId,
    |value| {
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(())
        } else {
            Err(InvalidValue::from_rule("must be digits only (e.g. 9900000)"))
        }
    }
);

string_field!(
    /// An API username: not empty, and without `:`, which HTTP Basic cannot carry.
    Username,
    |value| {
        if value.is_empty() {
            Err(InvalidValue::from_rule("must not be empty"))
        } else if value.contains(':') {
            Err(InvalidValue::from_rule("must not contain `:`, which HTTP Basic cannot carry"))
        } else {
            Ok(())
        }
    }
);

string_field!(
    /// An OAuth2 client id: not empty, without `:` (HTTP Basic cannot carry it) and
    /// without spaces or control characters.
    ClientId,
    |value| {
        if value.is_empty() {
            Err(InvalidValue::from_rule("must not be empty"))
        } else if value.contains(':') {
            Err(InvalidValue::from_rule("must not contain `:`, which HTTP Basic cannot carry"))
        } else if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Err(InvalidValue::from_rule("must not contain spaces or control characters"))
        } else {
            Ok(())
        }
    }
);

/// Declares a small whole-number field type: `new` and `FromStr` check the range
/// (`FromStr` takes digits only: no sign, space or fraction), `get` and `Display` give
/// the number back, `Serialize` writes it as a JSON number.
macro_rules! bounded_number {
    ($(#[$doc:meta])* $name:ident, $min:literal..=$max:literal, $rule:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(u8);

        impl $name {
            /// The smallest value.
            pub const MIN: u8 = $min;
            /// The largest value.
            pub const MAX: u8 = $max;

            /// Checks the number.
            pub fn new(value: u8) -> Result<Self, $crate::fields::InvalidValue> {
                if ($min..=$max).contains(&value) {
                    Ok($name(value))
                } else {
                    Err($crate::fields::InvalidValue::from_rule($rule).about(stringify!($name)))
                }
            }

            /// The number.
            pub fn get(self) -> u8 {
                self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::fields::InvalidValue;

            fn from_str(value: &str) -> Result<Self, $crate::fields::InvalidValue> {
                let rule = || {
                    $crate::fields::InvalidValue::from_rule($rule).about(stringify!($name))
                };
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(rule());
                }
                $name::new(value.parse().map_err(|_| rule())?)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}
pub(crate) use bounded_number;

bounded_number!(
    /// How many digits the code has: 2 to 8; 6 unless told otherwise.
    Digits,
    2..=8,
    "must be a whole number from 2 to 8"
);

impl Default for Digits {
    fn default() -> Self {
        Digits(6)
    }
}

/// The fewest digits Bandwidth's current documentation and SDKs allow in a code; the
/// API description this crate follows allows 2, so 2 and 3 are sent, but a caller may
/// want to warn.
pub const DOCUMENTED_MIN_DIGITS: u8 = 4;

impl Digits {
    /// Whether Bandwidth's current documentation allows this many digits (4 to 8).
    pub fn is_documented(self) -> bool {
        self.0 >= DOCUMENTED_MIN_DIGITS
    }
}

/// How old a code may be, in minutes, and still be accepted: 1 to 15, fractions
/// allowed (`1.5`), as Bandwidth's schema types it (a JSON number). Sent as a whole
/// number when it is one (`3`, also for `3.0`).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct ExpirationMinutes(f64);

impl ExpirationMinutes {
    const RULE: &str = "must be a number of minutes from 1 to 15 (e.g. 3 or 1.5)";

    /// Checks a number of minutes.
    pub fn new(minutes: f64) -> Result<Self, InvalidValue> {
        if (1.0..=15.0).contains(&minutes) {
            Ok(ExpirationMinutes(minutes))
        } else {
            Err(InvalidValue::from_rule(Self::RULE).about("ExpirationMinutes"))
        }
    }

    /// The number of minutes.
    pub fn get(self) -> f64 {
        self.0
    }

    /// The minutes as a whole number, when they are one.
    fn whole(self) -> Option<u8> {
        (self.0.fract() == 0.0).then_some(self.0 as u8)
    }
}

// Only numbers from 1 to 15 are ever held: never NaN.
impl Eq for ExpirationMinutes {}

impl FromStr for ExpirationMinutes {
    type Err = InvalidValue;

    /// Digits, with a fraction after a `.` if need be: no sign, exponent or space.
    fn from_str(value: &str) -> Result<Self, InvalidValue> {
        let rule = || InvalidValue::from_rule(Self::RULE).about("ExpirationMinutes");
        let (whole, fraction) = value.split_once('.').unwrap_or((value, "0"));
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(fraction) {
            return Err(rule());
        }
        ExpirationMinutes::new(value.parse().map_err(|_| rule())?)
    }
}

impl fmt::Display for ExpirationMinutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.whole() {
            Some(whole) => whole.fmt(f),
            None => self.0.fmt(f),
        }
    }
}

impl Serialize for ExpirationMinutes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.whole() {
            Some(whole) => serializer.serialize_u8(whole),
            None => serializer.serialize_f64(self.0),
        }
    }
}

/// A one-time code as the user typed it back: 2 to 8 ASCII digits (as many as a send may
/// ask for), once the whitespace
/// around it is trimmed. Anything else (a letter, a byte-order mark, a zero-width space,
/// another script's digits) is refused before it can cost a verify attempt. It is kept
/// out of every output: `Debug` prints `Code(<redacted>)`, there is no `Display`, and
/// requests show it as `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Code(Secret<String>);

impl Code {
    /// The code itself. Every call is a place where the code leaves its wrapper.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// How many digits it has.
    pub fn digits(&self) -> usize {
        self.expose().len()
    }

    /// The code in `value`, trimmed, if it is one. The rule never quotes the value: it
    /// is a secret, even when mistyped.
    fn checked(value: &str) -> Result<&str, InvalidValue> {
        let code = value.trim();
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidValue::from_rule(
                "must be digits (0 to 9) and nothing else",
            ));
        }
        match code.len() {
            2..=8 => Ok(code),
            n => Err(InvalidValue::from_rule(format!(
                "must be 2 to 8 digits (it has {n})"
            ))),
        }
    }
}

impl FromStr for Code {
    type Err = InvalidValue;

    /// The code typed, without the whitespace around it.
    fn from_str(value: &str) -> Result<Self, InvalidValue> {
        let checked = Code::checked(value).map_err(|e| e.about("Code"))?;
        Ok(Code(Secret::new(checked.to_owned())))
    }
}

impl TryFrom<String> for Code {
    type Error = InvalidValue;

    fn try_from(value: String) -> Result<Self, InvalidValue> {
        value.parse()
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Code(<redacted>)")
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_number_accepts_the_shortest_and_longest_e164() {
        assert_eq!("+12".parse::<PhoneNumber>().unwrap().as_str(), "+12");
        let longest = "+123456789012345";
        assert_eq!(longest.parse::<PhoneNumber>().unwrap().as_str(), longest);
        assert!("+15553334444".parse::<PhoneNumber>().is_ok());
    }

    #[test]
    fn phone_number_refuses_everything_else() {
        for bad in [
            "",
            "+",
            "+1",                // too short: a digit 1-9 then at least one more
            "+1234567890123456", // 16 digits: too long
            "15553334444",       // no plus
            "+05553334444",      // leading zero
            "+1555333444a",
            "+1 5553334444",
            "+1-555-333-4444",
            "+15553334444\n", // trailing newline from a pasted value
            " +15553334444",
            "+15553334444 ",
            "++15553334444",
            "+١٥٥٥٣٣٣٤٤٤٤", // non-ASCII digits
        ] {
            let err = bad.parse::<PhoneNumber>().unwrap_err();
            assert!(err.rule().starts_with(E164_RULE), "{bad:?}");
        }
    }

    #[test]
    fn a_number_with_one_plain_reading_gets_it_suggested_and_others_none() {
        for (typed, meant) in [
            ("5553334444", Some("+15553334444")),
            ("(555) 333-4444", Some("+15553334444")),
            ("555.333.4444", Some("+15553334444")),
            ("15553334444", Some("+15553334444")),
            ("1-555-333-4444", Some("+15553334444")),
            ("+1 555 333 4444", Some("+15553334444")),
            ("+1-555-333-4444", Some("+15553334444")),
            ("+44 20 7946 0958", Some("+442079460958")),
            ("+15553334444\n", Some("+15553334444")),
            (" +15553334444", Some("+15553334444")),
            // Not one reading: a national form of another country, an exchange or area
            // code from 0 or 1, too short or long, letters, other scripts, two pluses.
            ("020 7946 0958", None),
            ("1553334444", None),
            ("5551334444", None),
            ("25553334444", None),
            ("555333444", None),
            ("555333444a", None),
            ("+١٥٥٥٣٣٣٤٤٤٤", None),
            ("++15553334444", None),
            ("+05553334444", None),
            ("", None),
        ] {
            let rule = typed.parse::<PhoneNumber>().unwrap_err().rule().to_owned();
            match meant {
                Some(meant) => assert_eq!(
                    rule,
                    format!("{E164_RULE}; did you mean {meant}?"),
                    "{typed:?}"
                ),
                None => assert_eq!(rule, E164_RULE, "{typed:?}"),
            }
        }
    }

    #[test]
    fn application_id_is_one_to_fifty_characters() {
        assert!("a".parse::<ApplicationId>().is_ok());
        assert!("a".repeat(50).parse::<ApplicationId>().is_ok());
        assert!(
            "é".repeat(50).parse::<ApplicationId>().is_ok(),
            "characters, not bytes"
        );
        assert_eq!(
            "a".repeat(51).parse::<ApplicationId>().unwrap_err().rule(),
            "must be at most 50 characters (it has 51)"
        );
        assert_eq!(
            "".parse::<ApplicationId>().unwrap_err().rule(),
            "must not be empty (it is 1 to 50 characters)"
        );
    }

    #[test]
    fn scope_is_one_to_twenty_five_characters() {
        assert!("2FA".parse::<Scope>().is_ok());
        assert!("s".repeat(25).parse::<Scope>().is_ok());
        assert_eq!(
            "s".repeat(26).parse::<Scope>().unwrap_err().rule(),
            "must be at most 25 characters (it has 26)"
        );
        assert_eq!(
            "".parse::<Scope>().unwrap_err().rule(),
            "must not be empty (leave it out for the server's default, 2FA)"
        );
    }

    #[test]
    fn message_needs_code_and_at_most_2048_characters() {
        assert!("{CODE}".parse::<MessageTemplate>().is_ok());
        let longest = format!("{}{{CODE}}", "x".repeat(2042));
        assert_eq!(longest.chars().count(), 2048);
        assert!(longest.parse::<MessageTemplate>().is_ok());
        let too_long = format!("{}{{CODE}}", "x".repeat(2043));
        assert_eq!(
            too_long.parse::<MessageTemplate>().unwrap_err().rule(),
            "must be at most 2048 characters (it has 2049)"
        );
        for bad in ["Your code is", "Your code is {code}", "{NAME} {SCOPE}", ""] {
            assert_eq!(
                bad.parse::<MessageTemplate>().unwrap_err().rule(),
                "must contain {CODE}, where the code goes",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn message_is_kept_as_typed() {
        let typed = "  Your {NAME} code: {CODE}\n";
        assert_eq!(typed.parse::<MessageTemplate>().unwrap().as_str(), typed);
    }

    #[test]
    fn digits_are_two_to_eight() {
        for n in 2..=8 {
            assert_eq!(Digits::new(n).unwrap().get(), n);
            assert_eq!(n.to_string().parse::<Digits>().unwrap().get(), n);
        }
        assert_eq!(Digits::default().get(), 6);
        for bad in [0, 1, 9, 255] {
            assert_eq!(
                Digits::new(bad).unwrap_err().rule(),
                "must be a whole number from 2 to 8"
            );
        }
        for bad in [
            "",
            "six",
            "6.0",
            " 6",
            "+6",
            "-6",
            "1",
            "9",
            "258",
            "99999999999999999999",
        ] {
            assert!(bad.parse::<Digits>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn account_id_is_digits_only() {
        assert!("9900000".parse::<AccountId>().is_ok());
        for bad in ["", "..", "99/../1", "9900000 ", "abc", "٩٩"] {
            assert_eq!(
                bad.parse::<AccountId>().unwrap_err().rule(),
                "must be digits only (e.g. 9900000)",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn username_is_not_empty_and_has_no_colon() {
        assert_eq!("api-user".parse::<Username>().unwrap().as_str(), "api-user");
        assert_eq!(
            "".parse::<Username>().unwrap_err().rule(),
            "must not be empty"
        );
        assert_eq!(
            "api:user".parse::<Username>().unwrap_err().rule(),
            "must not contain `:`, which HTTP Basic cannot carry"
        );
    }

    #[test]
    fn client_id_fits_http_basic() {
        let id: ClientId = "c1-9f8e".parse().unwrap();
        assert_eq!(id.as_str(), "c1-9f8e");
        for (bad, rule) in [
            ("", "must not be empty"),
            ("a:b", "must not contain `:`, which HTTP Basic cannot carry"),
            ("a b", "must not contain spaces or control characters"),
            ("ab\n", "must not contain spaces or control characters"),
        ] {
            assert_eq!(bad.parse::<ClientId>().unwrap_err().rule(), rule, "{bad:?}");
        }
    }

    #[test]
    fn code_is_two_to_eight_ascii_digits_trimmed() {
        for good in ["12", "123", "1234", "12345678", "00000000"] {
            assert_eq!(good.parse::<Code>().unwrap().expose(), good);
            assert_eq!(good.parse::<Code>().unwrap().digits(), good.len());
        }
        assert!(!Digits::new(3).unwrap().is_documented());
        assert!(Digits::new(4).unwrap().is_documented());
        for (typed, kept) in [
            (" 1234", "1234"),
            ("1234\n", "1234"),
            ("\t48213967 \r\n", "48213967"),
        ] {
            assert_eq!(typed.parse::<Code>().unwrap().expose(), kept, "{typed:?}");
        }
        assert_eq!(
            "1".parse::<Code>().unwrap_err().rule(),
            "must be 2 to 8 digits (it has 1)"
        );
        assert_eq!(
            "123456789".parse::<Code>().unwrap_err().rule(),
            "must be 2 to 8 digits (it has 9)"
        );
        assert_eq!(
            "  ".parse::<Code>().unwrap_err().rule(),
            "must be 2 to 8 digits (it has 0)"
        );
        for bad in [
            "12 34",
            "a1b2",
            "12\u{1b}34",
            "\u{feff}1234",
            "1234\u{200b}",
            "\u{661}\u{662}\u{663}\u{664}",
            "\u{ff11}\u{ff12}\u{ff13}\u{ff14}",
            "+1234",
            "1234.",
        ] {
            let err = bad.parse::<Code>().unwrap_err();
            assert_eq!(
                err.rule(),
                "must be digits (0 to 9) and nothing else",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn code_is_never_shown_by_debug_or_its_errors() {
        let code: Code = "48213967".parse().unwrap();
        assert_eq!(format!("{code:?}"), "Code(<redacted>)");
        assert_eq!(serde_json::to_string(&code).unwrap(), r#""48213967""#);
        let err = "482139670".parse::<Code>().unwrap_err();
        assert!(!err.rule().contains("48213967"));
    }

    #[test]
    fn expiration_is_one_to_fifteen_minutes_fractions_allowed() {
        for (typed, minutes, json) in [
            ("1", 1.0, "1"),
            ("3", 3.0, "3"),
            ("3.0", 3.0, "3"),
            ("1.5", 1.5, "1.5"),
            ("15", 15.0, "15"),
            ("15.00", 15.0, "15"),
        ] {
            let parsed: ExpirationMinutes = typed.parse().unwrap();
            assert_eq!(parsed.get(), minutes, "{typed}");
            assert_eq!(serde_json::to_string(&parsed).unwrap(), json, "{typed}");
            assert_eq!(parsed.to_string(), json, "{typed}");
        }
        for bad in [0.0, 0.99, 15.01, 16.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(
                ExpirationMinutes::new(bad).unwrap_err().rule(),
                "must be a number of minutes from 1 to 15 (e.g. 3 or 1.5)"
            );
        }
        for bad in [
            "", "0", "16", "15.5", "five", " 5", "5 ", "+5", "-5", "1e1", ".5", "5.", "0x5", "nan",
            "inf",
        ] {
            assert!(bad.parse::<ExpirationMinutes>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn fields_serialize_as_plain_json_values() {
        let to: PhoneNumber = "+15553334444".parse().unwrap();
        assert_eq!(serde_json::to_string(&to).unwrap(), r#""+15553334444""#);
        assert_eq!(
            serde_json::to_string(&Digits::new(6).unwrap()).unwrap(),
            "6"
        );
    }
}
