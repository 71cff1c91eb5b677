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
//! reference to it, byte pairs as one symbol but in the North American plan's lines,
//! which most sends read and which are borrowed as they lie; [`whole`] undoes it), so
//! the plan adds 43 KB to the binary rather than 84. [`Pattern`] reads a pattern as it
//! matches, following every position a digit may be at at once, so no pattern can take
//! longer than its length times the number's.

use std::borrow::Cow;
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
                let names: Vec<&str> = TYPES.iter().map(|(_, name)| *name).collect();
                InvalidValue::from_rule(format!("must be one of {}", names.join(", ")))
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
        let mut sharing = sharing(digits).peekable();
        let Some(first) = sharing.peek().copied() else {
            return Placed {
                country: None,
                number_type: NumberType::Invalid,
            };
        };
        let national = &digits[first.code.len()..];
        for territory in sharing {
            // Leading digits decide alone, before any pattern of the territory is read.
            let claimed = match territory.leading {
                Some(leading) if !whole(leading).is_some_and(|p| Pattern(&p).begins(national)) => {
                    None
                }
                Some(_) => Some(territory.number_type(national)),
                None => Some(territory.number_type(national)).filter(|t| *t != NumberType::Invalid),
            };
            if let Some(number_type) = claimed {
                return territory.placed(number_type);
            }
        }
        // The plan writes a calling code's main country first.
        first.placed(NumberType::Invalid)
    }
}

/// One line of the plan: its first fields read, its types' patterns only when asked.
#[derive(Debug, Clone, Copy)]
struct Territory {
    code: &'static str,
    region: &'static str,
    leading: Option<&'static str>,
    general: Option<&'static str>,
    /// The rest of the line: a pattern a type, in `tools/numbering.py`'s order.
    types: &'static str,
}

/// The plan's lines after its head: the pairs line, then a line a territory.
fn plan_lines() -> impl Iterator<Item = &'static str> {
    PLAN.lines().filter(|line| !line.starts_with('#'))
}

/// Every territory of the plan, in its order; a line that cannot be read is skipped
/// (the tests read every one).
fn territories() -> impl Iterator<Item = Territory> {
    plan_lines().skip(1).filter_map(territory)
}

/// The territories of the calling code that begins `digits`, the main one first. The
/// plan keeps a code's lines together, and codes are prefix-free, so one search finds
/// them.
fn sharing(digits: &str) -> impl Iterator<Item = Territory> {
    let found = (1..=3)
        .filter_map(|length| digits.get(..length))
        .find_map(|code| {
            let start = PLAN.find(&format!("\n{code} "))? + 1;
            Some((code, &PLAN[start..]))
        });
    found
        .into_iter()
        .flat_map(|(code, from)| {
            from.lines()
                .take_while(move |line| line.strip_prefix(code).is_some_and(|l| l.starts_with(' ')))
        })
        .filter_map(territory)
}

/// One line of the plan read, `None` if it cannot be.
fn territory(line: &'static str) -> Option<Territory> {
    let mut fields = line.splitn(5, ' ');
    let mut next = || fields.next().map(|field| Some(field).filter(|f| *f != "-"));
    let code = next()??;
    let region = next()??;
    let leading = next()?;
    let general = next()?;
    let types = next()??;
    Some(Territory {
        code,
        region,
        leading,
        general,
        types,
    })
}

/// What each symbol stands for: a pair symbol of the plan (its second line, `Sxy`
/// entries), written out whole, made once a run (a few hundred bytes); `None` for a
/// symbol of the syntax.
fn pairs() -> &'static [Option<Box<[u8]>>; 256] {
    static PAIRS: std::sync::OnceLock<[Option<Box<[u8]>>; 256]> = std::sync::OnceLock::new();
    PAIRS.get_or_init(|| {
        let mut pairs: [Option<Box<[u8]>>; 256] = std::array::from_fn(|_| None);
        for entry in plan_lines().next().unwrap_or("").split(' ') {
            let &[symbol, a, b] = entry.as_bytes() else {
                continue;
            };
            // Each entry names only symbols of the syntax or of entries before it.
            let mut whole = Vec::new();
            for part in [a, b] {
                match &pairs[part as usize] {
                    Some(known) => whole.extend_from_slice(known),
                    None => whole.push(part),
                }
            }
            pairs[symbol as usize] = Some(whole.into_boxed_slice());
        }
        pairs
    })
}

/// A pattern as the plan writes it, made whole (`tools/numbering.py` says how it was
/// shortened): a reference `@OFFSET+LENGTH` followed to the pattern written at those
/// bytes of the plan, then each pair symbol replaced by what it stands for; a pattern
/// written whole (the North American plan's) is borrowed as it lies. `None` for a
/// reference to nowhere, or to another reference.
fn whole(written: &'static str) -> Option<Cow<'static, str>> {
    let written = match written.strip_prefix('@') {
        Some(place) => {
            let (offset, length) = place.split_once('+')?;
            let offset: usize = offset.parse().ok()?;
            let there = PLAN.get(offset..offset.checked_add(length.parse().ok()?)?)?;
            let field = !there.is_empty() && !there.contains([' ', '\n', '@']);
            Some(there).filter(|_| field && there != "-")?
        }
        None => written,
    };
    let pairs = pairs();
    if !written
        .bytes()
        .any(|symbol| pairs[symbol as usize].is_some())
    {
        return Some(Cow::Borrowed(written));
    }
    let mut whole = Vec::with_capacity(written.len() * 3);
    for symbol in written.bytes() {
        match &pairs[symbol as usize] {
            Some(stands_for) => whole.extend_from_slice(stands_for),
            None => whole.push(symbol),
        }
    }
    String::from_utf8(whole).ok().map(Cow::Owned)
}

impl Territory {
    /// The type of `national` here, libphonenumber's way: it must fit the general
    /// pattern; the rarer types are tried before fixed lines and mobiles.
    fn number_type(&self, national: &str) -> NumberType {
        let fits = |written: Option<&'static str>| {
            written
                .and_then(whole)
                .is_some_and(|pattern| Pattern(&pattern).matches(national))
        };
        if !fits(self.general) {
            return NumberType::Invalid;
        }
        let mut types = self.types.split(' ').map(|f| Some(f).filter(|f| *f != "-"));
        let mut next = || types.next().flatten();
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
        ] = std::array::from_fn(|_| next());
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
        // Made whole once each: the two are often one pattern, and the longest.
        let (fixed, mobile) = (fixed.and_then(whole), mobile.and_then(whole));
        let matches = |pattern: &Option<Cow<str>>| {
            pattern
                .as_deref()
                .is_some_and(|p| Pattern(p).matches(national))
        };
        let fixed_fits = matches(&fixed);
        let mobile_fits = match fixed == mobile {
            true => fixed_fits,
            false => matches(&mobile),
        };
        match (fixed_fits, mobile_fits) {
            (true, true) => NumberType::FixedLineOrMobile,
            (true, false) => NumberType::FixedLine,
            (false, true) => NumberType::Mobile,
            (false, false) => NumberType::Invalid,
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
            strict: false,
        };
        match reader.alternatives(0, 1)? {
            (ends, at) if at == self.0.len() => Some(ends),
            _ => None,
        }
    }

    /// Whether every part of the pattern can be read.
    #[cfg(test)]
    fn reads(self) -> bool {
        let reader = Reader {
            pattern: self.0.as_bytes(),
            digits: b"",
            strict: true,
        };
        reader
            .alternatives(0, 1)
            .is_some_and(|(_, at)| at == self.0.len())
    }
}

/// Reads a pattern at a place, from a set of positions reached.
struct Reader<'a> {
    pattern: &'a [u8],
    digits: &'a [u8],
    /// Whether a part no position reaches is read too (to check a pattern whole).
    strict: bool,
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
            let (least, most, next) = self.count(self.skip(at)?)?;
            let mut total = 0;
            for time in 0..=most {
                if time >= least {
                    total |= reached;
                }
                if time == most || (reached == 0 && !self.strict) {
                    break;
                }
                reached = self.atom(at, reached)?.0;
            }
            reached = total;
            at = next;
        }
        Some((reached, at))
    }

    /// Where the atom at `at` ends, read no further than its brackets.
    fn skip(&self, at: usize) -> Option<usize> {
        match *self.pattern.get(at)? {
            b'(' => {
                let mut depth = 0usize;
                for (offset, &byte) in self.pattern[at..].iter().enumerate() {
                    match byte {
                        b'(' => depth += 1,
                        b')' if depth == 1 => return Some(at + offset + 1),
                        b')' => depth -= 1,
                        _ => {}
                    }
                }
                None
            }
            b'[' => Some(at + self.pattern[at..].iter().position(|&b| b == b']')? + 1),
            b'\\' => Some(at + 2),
            _ => Some(at + 1),
        }
    }

    /// One atom (a digit, `\d`, a class, a group): the positions one step on. From
    /// no position, none: the atom is only skipped, unless every part must be read.
    fn atom(&self, at: usize, from: Reached) -> Option<(Reached, usize)> {
        if from == 0 && !self.strict {
            return Some((0, self.skip(at)?));
        }
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
            assert_eq!(t.types.split(' ').count(), 10, "{}", t.region);
            let types = t.types.split(' ').filter(|f| *f != "-");
            let patterns = types.chain([t.general, t.leading].into_iter().flatten());
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
        for broken in ["(12", "12)", "[12", r"\w", "1{2", "1{3,2}", "a", "3(4"] {
            assert_eq!(Pattern(broken).ends("12"), None, "{broken}");
            assert!(!Pattern(broken).reads(), "{broken}");
        }
        // A part no digit reaches is skipped by its brackets when matching; reading the
        // whole pattern, as the tests do for every one of the plan, finds it broken.
        assert_eq!(Pattern("3(?:4|[5)").ends("12"), Some(0));
        assert!(!Pattern("3(?:4|[5)").reads());
        assert!(Pattern(r"(?:1\d{2}|9)?5").reads());
    }

    #[test]
    fn a_reference_leads_to_a_pattern_or_to_nothing() {
        let written = territories()
            .find(|t| t.code == "1" && t.region == "CA")
            .unwrap();
        // The North American plan's toll-free pattern is written once, for the main
        // country, and referred to after.
        let toll_free = written.types.split(' ').nth(2).unwrap();
        assert!(toll_free.starts_with('@'), "{toll_free}");
        assert!(Pattern(&whole(toll_free).unwrap()).matches("8002345678"));
        for nowhere in ["@", "@x", "@99999999", "@-1", "@1+99999999", "@5+", "@0+2"] {
            assert_eq!(whole(nowhere), None, "{nowhere}");
        }
        let to_a_reference = PLAN.find(" @").unwrap() + 1;
        let reference = format!("@{to_a_reference}+3").leak();
        assert_eq!(whole(reference), None);
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
