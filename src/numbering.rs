//! Where a number belongs and what kind of line it is: its [`Country`] (an ISO 3166
//! region) and its [`NumberType`] (mobile, fixed line, premium rate, ...), read from
//! the number alone by libphonenumber's numbering plan, which `tools/numbering.py`
//! writes into `numbering/plan.txt`: a line a territory, its calling code, the leading
//! digits that claim a number for it, and a pattern a type.
//!
//! A number is placed as libphonenumber places it: of the territories sharing its
//! calling code (the main one first), the first whose leading digits begin its
//! national number, or, for one without, whose patterns know it; so +1 876 is Jamaica
//! and +1 204 Canada, not the United States. A number no territory knows is
//! [`NumberType::Invalid`], placed in its calling code's main country (a number of
//! +800 or +882 has none).
//!
//! The patterns are regular expressions of six forms only (digits, `\d`, classes of
//! digits, `(?:…)` groups, `|`, and the counts `?`, `{n}`, `{n,m}`), which the generator
//! checks, then writes short (`d` for `\d`, `(` for `(?:`, a pattern met before as a
//! reference to it, byte pairs as one symbol; [`whole`] undoes it), so the plan adds
//! 40 KB to the binary rather than 84. [`Pattern`] reads a pattern as it matches,
//! following every position a digit may be at at once, so no pattern can take longer
//! than its length times the number's.

use std::fmt;
use std::str::FromStr;

use crate::fields::{InvalidValue, PhoneNumber};

/// The numbering plan: a line a territory, after a line of where it came from.
const PLAN: &str = include_str!("numbering/plan.txt");

/// A country or territory: its ISO 3166 region code, such as `US` or `JM`.
///
/// ```
/// let jamaica: mfa::Country = "JM".parse()?;
/// assert_eq!(jamaica.to_string(), "JM");
/// assert!("UK".parse::<mfa::Country>().is_err(), "the United Kingdom is GB");
/// # Ok::<(), mfa::InvalidValue>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

impl Country {
    /// The two letters.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Country {
    type Err = InvalidValue;

    /// Two letters, either case, naming a region of the numbering plan.
    fn from_str(text: &str) -> Result<Self, InvalidValue> {
        let refused = || {
            InvalidValue::from_rule(
                "must be an ISO 3166 region code with numbers of its own, such as US, CA or GB",
            )
            .about("Country")
        };
        let upper = text.to_ascii_uppercase();
        let letters: [u8; 2] = upper.as_bytes().try_into().map_err(|_| refused())?;
        let known = territories().any(|t| t.region.as_bytes() == letters);
        match letters.iter().all(u8::is_ascii_uppercase) && known {
            true => Ok(Country(letters)),
            false => Err(refused()),
        }
    }
}

/// What kind of line a number is, as the numbering plan tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum NumberType {
    /// A line at a fixed place.
    FixedLine,
    /// A mobile phone.
    Mobile,
    /// Either: the plan cannot tell them apart (as in the United States).
    FixedLineOrMobile,
    /// Free to call, paid by the one called.
    TollFree,
    /// Paid above the usual rate, some of it to the one called.
    PremiumRate,
    /// Paid in part by the one called.
    SharedCost,
    /// A number that follows a person to other lines.
    PersonalNumber,
    /// A line over the internet.
    Voip,
    /// A pager.
    Pager,
    /// A universal access number: one number for a business's many lines.
    Uan,
    /// A voicemail box.
    Voicemail,
    /// A number the plan does not know for its country.
    Invalid,
}

/// Every type, in the order of [`NumberType`].
const TYPES: [(NumberType, &str); 12] = [
    (NumberType::FixedLine, "fixed-line"),
    (NumberType::Mobile, "mobile"),
    (NumberType::FixedLineOrMobile, "fixed-line-or-mobile"),
    (NumberType::TollFree, "toll-free"),
    (NumberType::PremiumRate, "premium-rate"),
    (NumberType::SharedCost, "shared-cost"),
    (NumberType::PersonalNumber, "personal-number"),
    (NumberType::Voip, "voip"),
    (NumberType::Pager, "pager"),
    (NumberType::Uan, "uan"),
    (NumberType::Voicemail, "voicemail"),
    (NumberType::Invalid, "invalid"),
];

impl NumberType {
    /// Every type.
    pub fn all() -> impl Iterator<Item = NumberType> {
        TYPES.into_iter().map(|(kind, _)| kind)
    }

    /// Its name: `premium-rate`, `fixed-line-or-mobile`, `invalid`.
    pub fn as_str(self) -> &'static str {
        TYPES
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or("invalid", |(_, name)| name)
    }
}

impl fmt::Display for NumberType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NumberType {
    type Err = InvalidValue;

    /// Its name, as [`NumberType::as_str`] writes it.
    fn from_str(text: &str) -> Result<Self, InvalidValue> {
        TYPES
            .iter()
            .find(|(_, name)| *name == text)
            .map(|(kind, _)| *kind)
            .ok_or_else(|| {
                InvalidValue::from_rule(
                    "must be one of fixed-line, mobile, fixed-line-or-mobile, toll-free, \
                     premium-rate, shared-cost, personal-number, voip, pager, uan, voicemail, \
                     invalid",
                )
                .about("NumberType")
            })
    }
}

/// Where a number belongs and what kind it is.
///
/// ```
/// let placed = mfa::Placed::of(&"+18765550123".parse()?);
/// assert_eq!(placed.country, Some("JM".parse()?));
/// let premium = mfa::Placed::of(&"+19005550123".parse()?);
/// assert_eq!(premium.number_type, mfa::NumberType::PremiumRate);
/// # Ok::<(), mfa::InvalidValue>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// Its country; `None` for a calling code of no country (+800, +882, ...) or one
    /// the plan does not have.
    pub country: Option<Country>,
    /// Its type.
    pub number_type: NumberType,
}

impl Placed {
    /// Places `number` by the numbering plan.
    pub fn of(number: &PhoneNumber) -> Self {
        let digits = number.as_str().trim_start_matches('+');
        let mut sharing = territories()
            .filter(|t| digits.starts_with(t.code))
            .peekable();
        let Some(first) = sharing.peek().copied() else {
            return Placed {
                country: None,
                number_type: NumberType::Invalid,
            };
        };
        let national = &digits[first.code.len()..];
        let mut main = first;
        for territory in sharing {
            if territory.main {
                main = territory;
            }
            let number_type = territory.number_type(national);
            let claims = match territory.leading {
                Some(leading) => whole(leading).is_some_and(|p| Pattern(&p).begins(national)),
                None => number_type != NumberType::Invalid,
            };
            if claims {
                return territory.placed(number_type);
            }
        }
        main.placed(NumberType::Invalid)
    }
}

/// One line of the plan.
#[derive(Debug, Clone, Copy)]
struct Territory<'a> {
    code: &'a str,
    region: &'a str,
    main: bool,
    leading: Option<&'a str>,
    general: Option<&'a str>,
    /// Patterns in `tools/numbering.py`'s order: fixed line, mobile, toll free, premium
    /// rate, shared cost, personal number, VoIP, pager, UAN, voicemail.
    types: [Option<&'a str>; 10],
}

/// The plan's lines after its head: the pairs line, then a line a territory.
fn plan_lines() -> impl Iterator<Item = &'static str> {
    PLAN.lines().filter(|line| !line.starts_with('#'))
}

/// The plan's territories, in its order; a line that cannot be read is skipped (the
/// tests read every one).
fn territories() -> impl Iterator<Item = Territory<'static>> {
    plan_lines().skip(1).filter_map(|line| {
        let mut fields = line.split(' ');
        let mut next = || fields.next().map(|field| Some(field).filter(|f| *f != "-"));
        let code = next()??;
        let region = next()??;
        let main = next()?? == "1";
        let leading = next()?;
        let general = next()?;
        let mut types = [None; 10];
        for slot in &mut types {
            *slot = next()?;
        }
        Some(Territory {
            code,
            region,
            main,
            leading,
            general,
            types,
        })
    })
}

/// What each pair symbol of the plan stands for (its second line: `Sxy` entries).
fn pairs() -> &'static [Option<[u8; 2]>; 128] {
    static PAIRS: std::sync::OnceLock<[Option<[u8; 2]>; 128]> = std::sync::OnceLock::new();
    PAIRS.get_or_init(|| {
        let mut pairs = [None; 128];
        for entry in plan_lines().next().unwrap_or("").split(' ') {
            if let &[symbol, a, b] = entry.as_bytes()
                && let Some(slot) = pairs.get_mut(symbol as usize)
            {
                *slot = Some([a, b]);
            }
        }
        pairs
    })
}

/// A pattern as the plan writes it, made whole (`tools/numbering.py` says how it was
/// shortened): a reference `@LINE.FIELD` followed to where it is written, then each
/// pair symbol replaced by its two. `None` for a reference to nowhere.
fn whole(written: &str) -> Option<String> {
    let written = match written.strip_prefix('@') {
        Some(place) => {
            let (line, field) = place.split_once('.')?;
            let (line, field): (usize, usize) = (line.parse().ok()?, field.parse().ok()?);
            plan_lines().nth(line + 1)?.split(' ').nth(field)?
        }
        None => written,
    };
    let pairs = pairs();
    let mut whole = String::with_capacity(written.len() * 2);
    let mut symbols: Vec<u8> = written.bytes().rev().collect();
    while let Some(symbol) = symbols.pop() {
        match pairs.get(symbol as usize).copied().flatten() {
            Some([a, b]) => symbols.extend([b, a]),
            None => whole.push(char::from(symbol)),
        }
        // No pattern of the plan is near this long: a pair that names itself would be.
        if whole.len() + symbols.len() > 1 << 16 {
            return None;
        }
    }
    Some(whole)
}

impl Territory<'_> {
    /// The type of `national` here, libphonenumber's way: it must fit the general
    /// pattern; the rarer types are tried before fixed lines and mobiles.
    fn number_type(&self, national: &str) -> NumberType {
        let fits = |written: Option<&str>| {
            written
                .and_then(whole)
                .is_some_and(|pattern| Pattern(&pattern).matches(national))
        };
        if !fits(self.general) {
            return NumberType::Invalid;
        }
        let [
            fixed,
            mobile,
            toll_free,
            premium,
            shared,
            personal,
            voip,
            pager,
            uan,
            voicemail,
        ] = self.types;
        let rarer = [
            (premium, NumberType::PremiumRate),
            (toll_free, NumberType::TollFree),
            (shared, NumberType::SharedCost),
            (voip, NumberType::Voip),
            (personal, NumberType::PersonalNumber),
            (pager, NumberType::Pager),
            (uan, NumberType::Uan),
            (voicemail, NumberType::Voicemail),
        ];
        if let Some((_, kind)) = rarer.into_iter().find(|(pattern, _)| fits(*pattern)) {
            return kind;
        }
        if fits(fixed) {
            return match fixed.and_then(whole) == mobile.and_then(whole) || fits(mobile) {
                true => NumberType::FixedLineOrMobile,
                false => NumberType::FixedLine,
            };
        }
        match fits(mobile) {
            true => NumberType::Mobile,
            false => NumberType::Invalid,
        }
    }

    fn placed(&self, number_type: NumberType) -> Placed {
        let country = match self.region.as_bytes() {
            &[a, b] => Some(Country([a, b])),
            _ => None,
        };
        Placed {
            country,
            number_type,
        }
    }
}

/// One of the plan's patterns, read as it matches (see the module's doc).
#[derive(Debug, Clone, Copy)]
struct Pattern<'a>(&'a str);

/// The positions in the digits a match may have reached: bit `i`, after `i` digits.
type Reached = u32;

impl Pattern<'_> {
    /// Whether the pattern matches all of `digits`.
    fn matches(self, digits: &str) -> bool {
        self.ends(digits)
            .is_some_and(|ends| digits.len() < 32 && ends & (1 << digits.len()) != 0)
    }

    /// Whether the pattern matches a beginning of `digits`.
    fn begins(self, digits: &str) -> bool {
        self.ends(digits).is_some_and(|ends| ends != 0)
    }

    /// Where a match from the first digit may end; `None` for a pattern that cannot
    /// be read, or digits too many to follow.
    fn ends(self, digits: &str) -> Option<Reached> {
        if digits.len() >= 32 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let reader = Reader {
            pattern: self.0.as_bytes(),
            digits: digits.as_bytes(),
        };
        match reader.alternatives(0, 1)? {
            (ends, at) if at == self.0.len() => Some(ends),
            _ => None,
        }
    }
}

/// Reads a pattern at a place, from a set of positions reached.
struct Reader<'a> {
    pattern: &'a [u8],
    digits: &'a [u8],
}

impl Reader<'_> {
    /// `a|b|…` at `at`, until `)` or the end: the positions reached, and where it ends.
    fn alternatives(&self, mut at: usize, from: Reached) -> Option<(Reached, usize)> {
        let mut reached = 0;
        loop {
            let (ends, next) = self.sequence(at, from)?;
            reached |= ends;
            match self.pattern.get(next) {
                Some(b'|') => at = next + 1,
                _ => return Some((reached, next)),
            }
        }
    }

    /// Atoms one after another, each with its count.
    fn sequence(&self, mut at: usize, mut reached: Reached) -> Option<(Reached, usize)> {
        while let Some(&byte) = self.pattern.get(at) {
            if byte == b'|' || byte == b')' {
                break;
            }
            let (_, after_atom) = self.atom(at, 0)?;
            let (least, most, next) = self.count(after_atom)?;
            let mut total = 0;
            for time in 0..=most {
                if time >= least {
                    total |= reached;
                }
                if time == most || reached == 0 {
                    break;
                }
                reached = self.atom(at, reached)?.0;
            }
            reached = total;
            at = next;
        }
        Some((reached, at))
    }

    /// One atom (a digit, `\d`, a class, a group): the positions one step on.
    fn atom(&self, at: usize, from: Reached) -> Option<(Reached, usize)> {
        match *self.pattern.get(at)? {
            b'(' => {
                let inner = at
                    + if self.pattern.get(at + 1) == Some(&b'?') {
                        3
                    } else {
                        1
                    };
                let (ends, close) = self.alternatives(inner, from)?;
                (self.pattern.get(close) == Some(&b')')).then_some((ends, close + 1))
            }
            b'[' => {
                let close = at + self.pattern[at..].iter().position(|&b| b == b']')?;
                let class = &self.pattern[at + 1..close];
                let has = |digit: u8| {
                    let mut i = 0;
                    while i < class.len() {
                        if class.get(i + 1) == Some(&b'-') {
                            if (class[i]..=*class.get(i + 2)?).contains(&digit) {
                                return Some(true);
                            }
                            i += 3;
                        } else {
                            if class[i] == digit {
                                return Some(true);
                            }
                            i += 1;
                        }
                    }
                    Some(false)
                };
                Some((self.step(from, |d| has(d).unwrap_or(false)), close + 1))
            }
            b'\\' if self.pattern.get(at + 1) == Some(&b'd') => {
                Some((self.step(from, |_| true), at + 2))
            }
            b'd' => Some((self.step(from, |_| true), at + 1)),
            digit @ b'0'..=b'9' => Some((self.step(from, |d| d == digit), at + 1)),
            _ => None,
        }
    }

    /// The positions one digit on from `from`, where that digit passes `takes`.
    fn step(&self, from: Reached, takes: impl Fn(u8) -> bool) -> Reached {
        (0..self.digits.len())
            .filter(|&i| from & (1 << i) != 0 && takes(self.digits[i]))
            .fold(0, |reached, i| reached | 1 << (i + 1))
    }

    /// The count after an atom: `?`, `{n}`, `{n,m}` or none (once).
    fn count(&self, at: usize) -> Option<(u32, u32, usize)> {
        match self.pattern.get(at) {
            Some(b'?') => Some((0, 1, at + 1)),
            Some(b'{') => {
                let close = at + self.pattern[at..].iter().position(|&b| b == b'}')?;
                let inside = std::str::from_utf8(&self.pattern[at + 1..close]).ok()?;
                let (least, most) = match inside.split_once(',') {
                    Some((least, most)) => (least.parse().ok()?, most.parse().ok()?),
                    None => (inside.parse().ok()?, inside.parse().ok()?),
                };
                (least <= most && most <= 32).then_some((least, most, close + 1))
            }
            _ => Some((1, 1, at)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_plan_is_read_and_every_pattern_parses() {
        let lines = plan_lines().skip(1).count();
        assert_eq!(territories().count(), lines);
        assert!(lines > 240, "{lines}");
        for t in territories() {
            let patterns = t.types.into_iter().chain([t.general, t.leading]).flatten();
            for written in patterns {
                let pattern = whole(written).unwrap_or_else(|| panic!("{}: {written}", t.region));
                let syntax = |b: &u8| b"0123456789d()[]{},-|?".contains(b);
                assert!(
                    pattern.bytes().all(|b| syntax(&b)),
                    "{}: {pattern}",
                    t.region
                );
                assert!(
                    Pattern(&pattern).ends("1").is_some(),
                    "{}: {pattern}",
                    t.region
                );
            }
        }
    }

    #[test]
    fn a_pattern_matches_as_a_regular_expression_would() {
        for (pattern, digits, whole, beginning) in [
            ("12", "12", true, true),
            ("12", "123", false, true),
            ("12", "1", false, false),
            (r"\d{3}", "123", true, true),
            (r"\d{2,3}", "1234", false, true),
            (r"[2-4]\d", "31", true, true),
            (r"[2-4]\d", "51", false, false),
            ("[1357]", "5", true, true),
            ("[1357]", "4", false, false),
            ("1?2", "2", true, true),
            ("1?2", "12", true, true),
            ("(?:1|23)4", "234", true, true),
            ("(?:1|23)4", "14", true, true),
            ("(?:1|23)4", "24", false, false),
            ("(?:12){2}", "1212", true, true),
            (r"(?:1\d{2}|9)?5", "5", true, true),
            (r"(?:1\d{2}|9)?5", "1995", true, true),
            ("1|2", "2", true, true),
            ("", "", true, true),
        ] {
            assert_eq!(
                Pattern(pattern).matches(digits),
                whole,
                "{pattern} {digits}"
            );
            assert_eq!(
                Pattern(pattern).begins(digits),
                beginning,
                "{pattern} {digits}"
            );
        }
        for broken in ["(12", "12)", "[12", r"\w", "1{2", "1{3,2}", "a"] {
            assert_eq!(Pattern(broken).ends("12"), None, "{broken}");
        }
    }

    /// libphonenumber's own example of each type in each territory is placed in that
    /// territory with that type.
    #[test]
    fn every_example_number_of_the_plan_is_placed_with_its_country_and_type() {
        let examples = include_str!("numbering/examples.txt");
        let mut wrong = Vec::new();
        let mut count = 0;
        for line in examples.lines().filter(|l| !l.starts_with('#')) {
            let [code, region, kind, national] = line.split(' ').collect::<Vec<_>>()[..] else {
                panic!("{line}");
            };
            let number: PhoneNumber = format!("+{code}{national}").parse().unwrap();
            let placed = Placed::of(&number);
            let shown = placed.country.map(|c| c.to_string());
            let region_ok = shown.as_deref() == Some(region)
                || (region == "001" && shown.is_none())
                || shares(code, shown.as_deref(), &number, placed.number_type);
            let kind_ok = placed.number_type.as_str() == kind
                || (placed.number_type == NumberType::FixedLineOrMobile
                    && ["fixed-line", "mobile"].contains(&kind));
            if !region_ok || !kind_ok {
                wrong.push(format!("{line}: {shown:?} {}", placed.number_type));
            }
            count += 1;
        }
        assert!(count > 1000, "{count}");
        assert!(
            wrong.is_empty(),
            "{} of {count}:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }

    /// Whether the territory `region` of calling code `code` knows `number` as `kind`
    /// too: a range two territories share (+1 800 is toll-free in all of them) is
    /// placed in the first of them.
    fn shares(code: &str, region: Option<&str>, number: &PhoneNumber, kind: NumberType) -> bool {
        let national = &number.as_str()[1 + code.len()..];
        territories()
            .find(|t| t.code == code && Some(t.region) == region)
            .is_some_and(|t| t.number_type(national) == kind)
    }

    #[test]
    fn the_north_american_plan_is_told_apart_and_unknown_numbers_are_invalid() {
        for (number, country, kind) in [
            ("+18760001234", Some("JM"), NumberType::Invalid),
            ("+18765230123", Some("JM"), NumberType::FixedLineOrMobile),
            ("+12042345678", Some("CA"), NumberType::FixedLineOrMobile),
            ("+18762101234", Some("JM"), NumberType::Mobile),
            ("+15062345678", Some("CA"), NumberType::FixedLineOrMobile),
            ("+12015550123", Some("US"), NumberType::FixedLineOrMobile),
            ("+19005550123", Some("US"), NumberType::PremiumRate),
            ("+18005550123", Some("US"), NumberType::TollFree),
            ("+15553334444", Some("US"), NumberType::Invalid),
            ("+447400123456", Some("GB"), NumberType::Mobile),
            ("+449012345678", Some("GB"), NumberType::PremiumRate),
            ("+80012345678", None, NumberType::TollFree),
            ("+99912345", None, NumberType::Invalid),
        ] {
            let placed = Placed::of(&number.parse().unwrap());
            let shown = placed.country.map(|c| c.to_string());
            assert_eq!(
                (shown.as_deref(), placed.number_type),
                (country, kind),
                "{number}"
            );
        }
    }

    #[test]
    fn countries_and_types_read_and_write_by_name() {
        assert_eq!("us".parse::<Country>().unwrap().to_string(), "US");
        for bad in ["", "U", "USA", "UK", "ZZ", "00", "1U", "ü"] {
            assert!(bad.parse::<Country>().is_err(), "{bad}");
        }
        for kind in NumberType::all() {
            assert_eq!(kind.as_str().parse::<NumberType>().unwrap(), kind);
        }
        assert!("premium_rate".parse::<NumberType>().is_err());
    }
}
