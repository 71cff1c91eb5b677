//! `Guard`: the rules a send must pass, checked before it, so that whoever can type a
//! number into a page that sends codes cannot make the account pay for calls to
//! premium-rate lines, to countries the business never serves, or for a thousand codes
//! to one number. A refusal never costs a request, and says which rule, and when the
//! number may be tried again.
//!
//! The number's own rules come first, from where the numbering plan places it
//! ([`Placed`]): its country must be among those allowed (every one unless told
//! otherwise), and its type not among those refused ([`DEFAULT_REFUSED_TYPES`]:
//! premium rate and shared cost, on which no person receives a login code). A number
//! the plan does not know is refused only when [`NumberType::Invalid`] is listed: the
//! guard never refuses what the API accepts unless told to.
//!
//! Then the limits count codes in a sliding window: to one number (`per_number`, 5 in 10
//! minutes unless told otherwise, as Twilio's own service default), and in all
//! (`overall`, off unless set). The counts come from a [`SendRecord`]: [`MemoryRecord`]
//! for one process, or the caller's own store (a file, a database) shared by every
//! process that sends, which must decide and record in one step, exclusively of the
//! others, so that runs at once never send one code more than the limit. A record
//! holds no number in clear: each is a [`NumberKey`], a keyed hash (HMAC-SHA-256) under
//! the record's own [`RecordKey`].

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use crate::fields::{InvalidValue, PhoneNumber};
use crate::numbering::{Country, NumberType, Placed};

/// At most this many codes in a window: `5/10m` (units `s`, `m`, `h`, `d`).
///
/// ```
/// let limit: mfa::CodeLimit = "5/10m".parse()?;
/// assert_eq!((limit.codes(), limit.window().as_secs()), (5, 600));
/// assert_eq!(limit.to_string(), "5/10m");
/// assert!("0/10m".parse::<mfa::CodeLimit>().is_err());
/// # Ok::<(), mfa::InvalidValue>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeLimit {
    codes: u32,
    window: Duration,
}

/// The longest window: a month, past which a count means nothing for a code.
const LONGEST_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);
/// The most codes a limit may allow in its window.
const MOST_CODES: u32 = 100_000;

impl CodeLimit {
    /// `codes` in `window`: 1 to 100,000 codes, in 1 s to 30 days.
    pub fn new(codes: u32, window: Duration) -> Result<Self, InvalidValue> {
        let fits = (1..=MOST_CODES).contains(&codes)
            && window >= Duration::from_secs(1)
            && window <= LONGEST_WINDOW
            && window.subsec_nanos() == 0;
        match fits {
            true => Ok(CodeLimit { codes, window }),
            false => Err(InvalidValue::from_rule(RULE).about("CodeLimit")),
        }
    }

    /// How many codes the window allows.
    pub fn codes(self) -> u32 {
        self.codes
    }

    /// How long the window is.
    pub fn window(self) -> Duration {
        self.window
    }
}

const RULE: &str = "must be CODES/WINDOW: 1 to 100000 codes in a window of whole seconds \
                    (s), minutes (m), hours (h) or days (d) from 1s to 30d, e.g. 5/10m";

impl FromStr for CodeLimit {
    type Err = InvalidValue;

    fn from_str(text: &str) -> Result<Self, InvalidValue> {
        let refused = || InvalidValue::from_rule(RULE).about("CodeLimit");
        let (codes, window) = text.split_once('/').ok_or_else(refused)?;
        let number = |digits: &str| -> Option<u64> {
            let plain = !digits.is_empty() && digits.len() <= 9;
            (plain && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.parse().ok())
                .flatten()
        };
        let codes = number(codes).ok_or_else(refused)?;
        let unit = match window.bytes().last() {
            Some(b's') => 1,
            Some(b'm') => 60,
            Some(b'h') => 3600,
            Some(b'd') => 86_400,
            _ => return Err(refused()),
        };
        let count = number(&window[..window.len() - 1]).ok_or_else(refused)?;
        let codes = u32::try_from(codes).map_err(|_| refused())?;
        CodeLimit::new(codes, Duration::from_secs(count * unit))
    }
}

impl fmt::Display for CodeLimit {
    /// `5/10m`: the window in the largest unit that writes it whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.window.as_secs();
        let (count, unit) = [(86_400, "d"), (3600, "h"), (60, "m"), (1, "s")]
            .into_iter()
            .find(|(size, _)| seconds.is_multiple_of(*size))
            .map(|(size, unit)| (seconds / size, unit))
            .unwrap_or((seconds, "s"));
        write!(f, "{}/{count}{unit}", self.codes)
    }
}

/// The key a record hashes numbers under: 32 random bytes, kept with the record.
#[derive(Clone)]
pub struct RecordKey {
    bytes: [u8; 32],
    hmac: ring::hmac::Key,
}

impl RecordKey {
    /// A new key from the system's randomness.
    pub fn generate() -> Result<Self, RecordError> {
        let random = ring::rand::SystemRandom::new();
        let mut bytes = [0u8; 32];
        ring::rand::SecureRandom::fill(&random, &mut bytes)
            .map_err(|_| RecordError("the system gave no random bytes for a key".into()))?;
        Ok(RecordKey::from_bytes(&bytes))
    }

    /// The key a record kept.
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        RecordKey {
            bytes: *bytes,
            hmac: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, bytes),
        }
    }

    /// Its bytes, for a record to keep it.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.bytes
    }
}

impl fmt::Debug for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecordKey(<redacted>)")
    }
}

/// A number as a record keeps it: the first 16 bytes of its HMAC-SHA-256 under the
/// record's key, so the record can count a number's codes but not name the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NumberKey(pub [u8; 16]);

impl NumberKey {
    /// The key of `number` under `key`.
    pub fn of(key: &RecordKey, number: &PhoneNumber) -> Self {
        let tag = ring::hmac::sign(&key.hmac, number.as_str().as_bytes());
        let mut kept = [0u8; 16];
        kept.copy_from_slice(&tag.as_ref()[..16]);
        NumberKey(kept)
    }
}

/// One code sent, as a record keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// The number it went to, hashed.
    pub number: NumberKey,
    /// When it was admitted.
    pub at: SystemTime,
}

/// What a record could not do: read or write its store. The guard then cannot count,
/// and says so; whether to send anyway is the caller's choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError(pub String);

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the record of codes sent cannot be used: {}", self.0)
    }
}

impl std::error::Error for RecordError {}

/// Where the codes sent are counted. `admit` must be one step, exclusive of every
/// other run sharing the store (a lock, a transaction): shown the codes sent at or
/// after `since`, `decide` says whether one more may go; if it may, the send of
/// `number` at `now` is recorded before `admit` returns.
pub trait SendRecord: Send + Sync {
    /// The key numbers are hashed under.
    fn key(&self) -> &RecordKey;

    /// Decides and records in one step; `decide`'s answer (`None`: admitted).
    fn admit(
        &self,
        number: NumberKey,
        now: SystemTime,
        since: SystemTime,
        decide: &mut dyn FnMut(&[Sent]) -> Option<Refusal>,
    ) -> Result<Option<Refusal>, RecordError>;
}

/// A record in this process's memory: for a server that sends every code itself, or
/// for tests. Forgets codes older than the longest window asked about.
#[derive(Debug)]
pub struct MemoryRecord {
    key: RecordKey,
    sent: Mutex<Vec<Sent>>,
}

impl MemoryRecord {
    /// An empty record with a new key.
    pub fn new() -> Result<Self, RecordError> {
        Ok(MemoryRecord {
            key: RecordKey::generate()?,
            sent: Mutex::new(Vec::new()),
        })
    }
}

impl SendRecord for MemoryRecord {
    fn key(&self) -> &RecordKey {
        &self.key
    }

    fn admit(
        &self,
        number: NumberKey,
        now: SystemTime,
        since: SystemTime,
        decide: &mut dyn FnMut(&[Sent]) -> Option<Refusal>,
    ) -> Result<Option<Refusal>, RecordError> {
        let mut sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
        sent.retain(|code| code.at >= since);
        let refused = decide(&sent);
        if refused.is_none() {
            sent.push(Sent { number, at: now });
        }
        Ok(refused)
    }
}

/// Which limit refused a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GuardRule {
    /// Codes to one number in a window.
    PerNumber,
    /// Codes in all in a window.
    Overall,
}

/// A send the guard refused: the limit, and when a code may go again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// Which limit.
    pub rule: GuardRule,
    /// The limit as set.
    pub limit: CodeLimit,
    /// When the oldest code counted leaves the window.
    pub retry_at: SystemTime,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whose = match self.rule {
            GuardRule::PerNumber => "to this number",
            GuardRule::Overall => "in all",
        };
        write!(
            f,
            "at most {} codes {whose} (limit {})",
            self.limit.codes, self.limit
        )
    }
}

/// Why the guard stopped a send.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GuardError {
    /// The number's country is not among those allowed: nothing was sent.
    Country(Placed),
    /// The number's type is refused: nothing was sent.
    NumberType(Placed),
    /// A limit was reached: nothing was sent.
    Limit(Refusal),
    /// The record could not be used, so nothing could be counted.
    Unrecorded(RecordError),
}

impl fmt::Display for GuardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuardError::Country(placed) => match placed.country {
                Some(country) => write!(f, "refused by the guard: {country} is not allowed"),
                None => f.write_str("refused by the guard: the number is of no country"),
            },
            GuardError::NumberType(placed) => write!(
                f,
                "refused by the guard: a {} number is refused",
                placed.number_type
            ),
            GuardError::Limit(refusal) => write!(f, "refused by the guard: {refusal}"),
            GuardError::Unrecorded(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for GuardError {}

/// The limits, and the record they count in.
///
/// ```
/// use std::time::{Duration, SystemTime};
///
/// let guard = mfa::Guard::new(mfa::MemoryRecord::new()?).per_number(Some("2/1h".parse()?));
/// let to: mfa::PhoneNumber = "+15553334444".parse()?;
/// let now = SystemTime::now();
/// assert!(guard.admit_at(&to, now).is_ok());
/// assert!(guard.admit_at(&to, now).is_ok());
/// let Err(mfa::GuardError::Limit(refusal)) = guard.admit_at(&to, now) else {
///     panic!("a third code in the hour");
/// };
/// assert_eq!(refusal.retry_at, now + Duration::from_secs(3600));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Guard {
    numbers: NumberRules,
    per_number: Option<CodeLimit>,
    overall: Option<CodeLimit>,
    record: Arc<dyn SendRecord>,
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("numbers", &self.numbers)
            .field("per_number", &self.per_number)
            .field("overall", &self.overall)
            .finish_non_exhaustive()
    }
}

/// The limit on codes to one number unless told otherwise: 5 in 10 minutes.
pub const DEFAULT_PER_NUMBER: CodeLimit = CodeLimit {
    codes: 5,
    window: Duration::from_secs(600),
};

/// The number types refused unless told otherwise: premium rate and shared cost.
pub const DEFAULT_REFUSED_TYPES: [NumberType; 2] =
    [NumberType::PremiumRate, NumberType::SharedCost];

/// The guard's rules on the number itself, its country and its type, which need no
/// record: a [`Guard`] judges them first, and they can be judged alone.
///
/// ```
/// let rules = mfa::NumberRules::default().allowed_countries(Some(vec!["US".parse()?]));
/// assert!(rules.check(&"+12015550123".parse()?).is_ok());
/// assert!(matches!(
///     rules.check(&"+18765230123".parse()?),
///     Err(mfa::GuardError::Country(_))
/// ));
/// # Ok::<(), mfa::InvalidValue>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberRules {
    allowed_countries: Option<Vec<Country>>,
    refused_types: Vec<NumberType>,
}

impl Default for NumberRules {
    /// Every country; [`DEFAULT_REFUSED_TYPES`] refused.
    fn default() -> Self {
        NumberRules {
            allowed_countries: None,
            refused_types: DEFAULT_REFUSED_TYPES.to_vec(),
        }
    }
}

impl NumberRules {
    /// Sets the countries codes may go to (`None`: every one). A number of no country
    /// (+800, +882, ...) goes only where this is `None`.
    pub fn allowed_countries(mut self, countries: Option<Vec<Country>>) -> Self {
        self.allowed_countries = countries;
        self
    }

    /// Sets the number types refused (empty: none).
    pub fn refused_number_types(mut self, types: Vec<NumberType>) -> Self {
        self.refused_types = types;
        self
    }

    /// The countries allowed (`None`: every one).
    pub fn countries(&self) -> Option<&[Country]> {
        self.allowed_countries.as_deref()
    }

    /// The types refused.
    pub fn refused_types(&self) -> &[NumberType] {
        &self.refused_types
    }

    /// Whether the rules let every number go: every country, no type refused.
    pub fn is_open(&self) -> bool {
        self.allowed_countries.is_none() && self.refused_types.is_empty()
    }

    /// Where `to` belongs and what it is, if its country and type pass the rules.
    pub fn check(&self, to: &PhoneNumber) -> Result<Placed, GuardError> {
        let placed = Placed::of(to);
        if let Some(allowed) = &self.allowed_countries
            && !placed.country.is_some_and(|c| allowed.contains(&c))
        {
            return Err(GuardError::Country(placed));
        }
        if self.refused_types.contains(&placed.number_type) {
            return Err(GuardError::NumberType(placed));
        }
        Ok(placed)
    }
}

impl Guard {
    /// A guard counting in `record`: every country, [`DEFAULT_REFUSED_TYPES`] refused,
    /// at most [`DEFAULT_PER_NUMBER`] to one number, no limit in all.
    pub fn new(record: impl SendRecord + 'static) -> Self {
        Guard {
            numbers: NumberRules::default(),
            per_number: Some(DEFAULT_PER_NUMBER),
            overall: None,
            record: Arc::new(record),
        }
    }

    /// Sets the rules on the number itself.
    pub fn numbers(mut self, rules: NumberRules) -> Self {
        self.numbers = rules;
        self
    }

    /// Sets the countries codes may go to (`None`: every one); see
    /// [`NumberRules::allowed_countries`].
    pub fn allowed_countries(mut self, countries: Option<Vec<Country>>) -> Self {
        self.numbers = self.numbers.allowed_countries(countries);
        self
    }

    /// Sets the number types refused (empty: none).
    pub fn refused_number_types(mut self, types: Vec<NumberType>) -> Self {
        self.numbers = self.numbers.refused_number_types(types);
        self
    }

    /// The rules on the number itself.
    pub fn number_rules(&self) -> &NumberRules {
        &self.numbers
    }

    /// Sets the limit on codes to one number (`None`: none).
    pub fn per_number(mut self, limit: Option<CodeLimit>) -> Self {
        self.per_number = limit;
        self
    }

    /// Sets the limit on codes in all (`None`: none).
    pub fn overall(mut self, limit: Option<CodeLimit>) -> Self {
        self.overall = limit;
        self
    }

    /// The limits in force: to one number, in all.
    pub fn limits(&self) -> (Option<CodeLimit>, Option<CodeLimit>) {
        (self.per_number, self.overall)
    }

    /// Whether a code may go to `to` now; if it may, it is counted as sent.
    pub fn admit(&self, to: &PhoneNumber) -> Result<(), GuardError> {
        self.admit_at(to, SystemTime::now())
    }

    /// Whether a code may go to `to` at `now`; if it may, it is counted as sent then.
    pub fn admit_at(&self, to: &PhoneNumber, now: SystemTime) -> Result<(), GuardError> {
        self.decide(to, now, true).map(drop)
    }

    /// What [`Guard::admit`] would say now, counting nothing, and where the number
    /// belongs: for a dry run.
    pub fn check(&self, to: &PhoneNumber) -> Result<Placed, GuardError> {
        self.check_at(to, SystemTime::now())
    }

    /// What [`Guard::admit_at`] would say at `now`, counting nothing.
    pub fn check_at(&self, to: &PhoneNumber, now: SystemTime) -> Result<Placed, GuardError> {
        self.decide(to, now, false)
            .map(|placed| placed.unwrap_or_else(|| Placed::of(to)))
    }

    /// The rules in turn; with `count`, an admitted code is recorded. The number is
    /// placed unless nothing needs it: a count under open number rules (the command
    /// line judges them first, on their own).
    fn decide(
        &self,
        to: &PhoneNumber,
        now: SystemTime,
        count: bool,
    ) -> Result<Option<Placed>, GuardError> {
        let placed = match count && self.numbers.is_open() {
            true => None,
            false => Some(self.numbers.check(to)?),
        };
        let limits = [
            (GuardRule::PerNumber, self.per_number),
            (GuardRule::Overall, self.overall),
        ];
        let longest = limits
            .iter()
            .filter_map(|(_, limit)| limit.map(CodeLimit::window))
            .max();
        let Some(longest) = longest else {
            return Ok(placed);
        };
        let number = NumberKey::of(self.record.key(), to);
        let since = now.checked_sub(longest).unwrap_or(SystemTime::UNIX_EPOCH);
        let over = |sent: &[Sent]| {
            limits.iter().find_map(|(rule, limit)| {
                let limit = (*limit)?;
                let start = now
                    .checked_sub(limit.window)
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                let mut counted: Vec<SystemTime> = sent
                    .iter()
                    // A code dated after `now` (a clock set back since) still counts.
                    .filter(|code| code.at > start)
                    .filter(|code| *rule == GuardRule::Overall || code.number == number)
                    .map(|code| code.at)
                    .collect();
                let over = counted.len().checked_sub(limit.codes as usize)?;
                counted.sort();
                Some(Refusal {
                    rule: *rule,
                    limit,
                    retry_at: counted[over] + limit.window,
                })
            })
        };
        // A check learns the answer and refuses whatever it is, so the record, which
        // writes only what is admitted, writes nothing.
        let mut checked = None;
        let decided = match count {
            true => self
                .record
                .admit(number, now, since, &mut |sent| over(sent)),
            false => self.record.admit(number, now, since, &mut |sent| {
                checked = Some(over(sent));
                Some(Refusal {
                    rule: GuardRule::PerNumber,
                    limit: DEFAULT_PER_NUMBER,
                    retry_at: now,
                })
            }),
        };
        let decided = match (decided, checked) {
            (Ok(_), Some(answer)) => Ok(answer),
            (decided, _) => decided,
        };
        match decided {
            Ok(None) => Ok(placed),
            Ok(Some(refusal)) => Err(GuardError::Limit(refusal)),
            Err(error) => Err(GuardError::Unrecorded(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_reads_and_writes_as_codes_over_a_window() {
        for (text, codes, seconds, shown) in [
            ("5/10m", 5, 600, "5/10m"),
            ("1/1s", 1, 1, "1/1s"),
            ("3/60m", 3, 3600, "3/1h"),
            ("100000/30d", 100_000, 2_592_000, "100000/30d"),
            ("10/90s", 10, 90, "10/90s"),
        ] {
            let limit: CodeLimit = text.parse().unwrap();
            assert_eq!((limit.codes(), limit.window().as_secs()), (codes, seconds));
            assert_eq!(limit.to_string(), shown);
        }
        for bad in [
            "",
            "5",
            "5/",
            "/10m",
            "0/10m",
            "5/0m",
            "5/10",
            "5/10x",
            "5/31d",
            "-1/10m",
            "5 /10m",
            "5/ 10m",
            "100001/1h",
            "5/10M",
            "4294967296/1h",
            "5/99999999999d",
            "٥/10m",
            "5/10m ",
            "off",
        ] {
            let refused = bad.parse::<CodeLimit>().unwrap_err();
            assert!(refused.rule().starts_with("must be CODES/WINDOW"), "{bad}");
        }
    }

    fn number(text: &str) -> PhoneNumber {
        text.parse().unwrap()
    }

    #[test]
    fn the_limit_per_number_counts_that_number_alone_and_says_when_to_try_again() {
        let guard = Guard::new(MemoryRecord::new().unwrap());
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (a, b) = (number("+15553334444"), number("+15553335555"));
        for minute in 0..5 {
            let at = start + Duration::from_secs(minute * 60);
            assert_eq!(guard.admit_at(&a, at), Ok(()), "{minute}");
        }
        assert_eq!(guard.admit_at(&b, start + Duration::from_secs(300)), Ok(()));
        let refused = guard.admit_at(&a, start + Duration::from_secs(301));
        assert_eq!(
            refused,
            Err(GuardError::Limit(Refusal {
                rule: GuardRule::PerNumber,
                limit: DEFAULT_PER_NUMBER,
                retry_at: start + Duration::from_secs(600),
            }))
        );
        // A refusal is not counted: once the first code leaves the window, one more.
        assert_eq!(guard.admit_at(&a, start + Duration::from_secs(600)), Ok(()));
        assert!(
            guard
                .admit_at(&a, start + Duration::from_secs(601))
                .is_err()
        );
    }

    #[test]
    fn the_overall_limit_counts_every_number_and_none_is_no_limit() {
        let record = MemoryRecord::new().unwrap();
        let guard = Guard::new(record)
            .per_number(None)
            .overall(Some("3/1h".parse().unwrap()));
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        for n in 0..3 {
            assert_eq!(
                guard.admit_at(&number(&format!("+1555333000{n}")), now),
                Ok(())
            );
        }
        let Err(GuardError::Limit(refusal)) = guard.admit_at(&number("+15553339999"), now) else {
            panic!("a fourth code in the hour");
        };
        assert_eq!(refusal.rule, GuardRule::Overall);
        assert_eq!(refusal.to_string(), "at most 3 codes in all (limit 3/1h)");
        let open = Guard::new(MemoryRecord::new().unwrap()).per_number(None);
        for _ in 0..100 {
            assert_eq!(open.admit_at(&number("+15553334444"), now), Ok(()));
        }
    }

    #[test]
    fn a_number_is_kept_only_as_a_keyed_hash() {
        let (one, other) = (
            RecordKey::generate().unwrap(),
            RecordKey::generate().unwrap(),
        );
        let to = number("+15553334444");
        assert_eq!(NumberKey::of(&one, &to), NumberKey::of(&one, &to));
        assert_ne!(NumberKey::of(&one, &to), NumberKey::of(&other, &to));
        assert_ne!(
            NumberKey::of(&one, &to),
            NumberKey::of(&one, &number("+15553334445"))
        );
        assert_eq!(format!("{one:?}"), "RecordKey(<redacted>)");
        let shown = format!("{:?}", NumberKey::of(&one, &to));
        assert!(!shown.contains("5553334444"), "{shown}");
    }

    #[test]
    fn a_number_passes_only_from_an_allowed_country_and_of_a_type_not_refused() {
        let us_only = Guard::new(MemoryRecord::new().unwrap())
            .per_number(None)
            .allowed_countries(Some(vec!["US".parse().unwrap(), "CA".parse().unwrap()]));
        // Each: the number, whether every country's guard admits it, whether US and CA's.
        for (to, anywhere, us_ca) in [
            ("+12015550123", true, true),
            ("+15062345678", true, true),
            ("+15553334444", true, true),
            ("+18765230123", true, false),
            ("+447400123456", true, false),
            ("+80012345678", true, false),
            ("+19002345678", false, false),
            ("+18002345678", true, true),
        ] {
            let every = Guard::new(MemoryRecord::new().unwrap()).per_number(None);
            assert_eq!(every.admit(&number(to)).is_ok(), anywhere, "{to}");
            assert_eq!(us_only.admit(&number(to)).is_ok(), us_ca, "{to}");
        }
        let Err(GuardError::Country(placed)) = us_only.admit(&number("+18765230123")) else {
            panic!("Jamaica is not allowed");
        };
        assert_eq!(placed.country, Some("JM".parse().unwrap()));
        let refused = us_only.admit(&number("+80012345678")).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "refused by the guard: the number is of no country"
        );
        let refused = us_only.admit(&number("+19002345678")).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "refused by the guard: a premium-rate number is refused"
        );
        // Invalid numbers go unless listed; an empty list refuses no type.
        let strict = Guard::new(MemoryRecord::new().unwrap())
            .refused_number_types(vec![NumberType::Invalid, NumberType::TollFree]);
        assert!(matches!(
            strict.admit(&number("+15553334444")),
            Err(GuardError::NumberType(Placed {
                number_type: NumberType::Invalid,
                ..
            }))
        ));
        assert!(strict.admit(&number("+18002345678")).is_err());
        assert!(strict.admit(&number("+19002345678")).is_ok());
        let open = Guard::new(MemoryRecord::new().unwrap()).refused_number_types(vec![]);
        assert!(open.admit(&number("+19002345678")).is_ok());
        assert!(open.number_rules().is_open());
        assert!(!NumberRules::default().is_open());
        assert!(!us_only.number_rules().is_open());
    }

    #[test]
    fn a_check_decides_as_a_send_would_and_counts_nothing() {
        let guard =
            Guard::new(MemoryRecord::new().unwrap()).per_number(Some("1/1h".parse().unwrap()));
        let to = number("+15553334444");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        for _ in 0..3 {
            assert!(guard.check_at(&to, now).is_ok());
        }
        assert_eq!(guard.admit_at(&to, now), Ok(()));
        for _ in 0..2 {
            assert!(matches!(
                guard.check_at(&to, now),
                Err(GuardError::Limit(_))
            ));
        }
        assert!(matches!(
            guard.check_at(&number("+19002345678"), now),
            Err(GuardError::NumberType(_))
        ));
        assert_eq!(
            guard.check_at(&to, now + Duration::from_secs(3600)),
            Ok(Placed::of(&to))
        );
    }
}
