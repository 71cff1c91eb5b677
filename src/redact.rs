//! `Redactions`: the secrets a client holds, taken out of whatever came from outside.
//!
//! A server, a gateway's error page or a proxy may echo the request back, and with it
//! the `Authorization` header or the code being verified. So every answer is scrubbed
//! before anything reads it: before an error quotes its message or body, before
//! `Client::on_response` shows it, before a token answer is judged.
//!
//! The rule is a principle, not a list of echoes: a secret is found in any encoding
//! that servers, gateways and frameworks write text in, one character at a time, so
//! that the styles may even be mixed within one echo. Each character of a secret may
//! stand in the text
//! - as itself;
//! - JSON-escaped: `\uXXXX` in either case (a surrogate pair past the BMP), or the
//!   short escapes `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`;
//! - percent-encoded, byte by byte of its UTF-8, in either case, or `+` for a space;
//! - as an HTML character reference: decimal `&#NN;`, hex `&#xHH;`, or a named one
//!   (`&amp;`, `&eacute;`, ...).
//!
//! Encodings that do not go a character at a time are made whole and then found the
//! same way (so a base64 echo whose `/` is JSON-escaped is found too): base64 and
//! base64url, padded or not, of the secret alone (at each of the three alignments it
//! can have inside a longer base64 text) and of HTTP Basic's `user:secret`; and hex, in
//! either case. Whatever matches becomes `<redacted>`.
//!
//! A body cut at the size cap may end in the first part of a secret: [`Redactions::
//! scrub_cut`] takes out such a tail too. A JSON body is scrubbed again once decoded
//! (`Response::scrubbed`), so that an encoding inside a JSON escape is found as well.
//!
//! A secret shorter than [`SHORTEST`] is not looked for: taking every `a` or `ok` out
//! of an answer would garble the API's own JSON, and with it a send that worked. A code
//! being verified (all digits) is looked for as a whole number only, never inside a
//! longer run of digits, so an id or a status is not garbled by it.

use std::borrow::Cow;

use base64::Engine as _;

use crate::request::REDACTED;

/// The fewest characters a secret must have to be taken out.
pub(crate) const SHORTEST: usize = 4;

/// The fewest digits a code must have to be taken out: the shortest code a send asks
/// for. A code is found only as a whole number, which keeps this from garbling text.
const SHORTEST_CODE: usize = 2;

/// One text to take out, in any of its encodings.
#[derive(Clone, PartialEq, Eq)]
struct Needle {
    chars: Vec<char>,
    /// Hex: either case of each letter.
    any_case: bool,
    /// A code: only where no ASCII digit stands right before or after it.
    whole_number: bool,
}

/// The texts to take out, longest first, so that a longer form (the base64 of
/// `user:secret`) is taken out whole before a shorter one inside it could be.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Redactions {
    needles: Vec<Needle>,
}

impl std::fmt::Debug for Redactions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactions({} texts)", self.needles.len())
    }
}

impl Redactions {
    /// A secret sent as itself (a bearer token, a password in a config file): it and
    /// its base64 and hex.
    pub(crate) fn add(&mut self, secret: &str) {
        if secret.chars().count() < SHORTEST {
            return;
        }
        self.push(secret, false, false);
        for form in base64_forms(secret.as_bytes()) {
            self.push(&form, false, false);
        }
        self.push(&hex(secret.as_bytes()), true, false);
    }

    /// The password or client secret of HTTP Basic, with the `user` it is paired with:
    /// the secret in every form, and `user:secret` whole and in the base64 the header
    /// carries.
    pub(crate) fn add_basic(&mut self, user: &str, secret: &str) {
        if secret.chars().count() < SHORTEST {
            return;
        }
        let pair = format!("{user}:{secret}");
        for engine in [&base64::engine::general_purpose::STANDARD, &URL_SAFE_PADDED] {
            self.push(&engine.encode(&pair), false, false);
        }
        self.add(&pair);
        self.add(secret);
    }

    /// The code being verified: a whole number of at least two digits, in any encoding;
    /// from [`SHORTEST`] digits on, its base64 and hex too (the hex of digits is digits:
    /// found as a whole number as well).
    pub(crate) fn add_code(&mut self, code: &str) {
        if code.len() < SHORTEST_CODE || !code.bytes().all(|b| b.is_ascii_digit()) {
            return;
        }
        self.push(code, false, true);
        if code.len() >= SHORTEST {
            for form in base64_forms(code.as_bytes()) {
                self.push(&form, false, false);
            }
            self.push(&hex(code.as_bytes()), false, true);
        }
    }

    fn push(&mut self, text: &str, any_case: bool, whole_number: bool) {
        let needle = Needle {
            chars: text.chars().collect(),
            any_case,
            whole_number,
        };
        if !self.needles.contains(&needle) {
            self.needles.push(needle);
            self.needles
                .sort_by_key(|needle| std::cmp::Reverse(needle.chars.len()));
        }
    }

    /// Whether there is nothing to take out.
    pub(crate) fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// `text` with every secret in it replaced by `<redacted>`.
    pub(crate) fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.scrub_text(text, false)
    }

    /// As [`Redactions::scrub`], for a text that was cut short: a tail that begins a
    /// secret (in any of its encodings) is taken out too.
    pub(crate) fn scrub_cut<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.scrub_text(text, true)
    }

    fn scrub_text<'a>(&self, text: &'a str, cut: bool) -> Cow<'a, str> {
        if self.needles.is_empty() {
            return Cow::Borrowed(text);
        }
        let bytes = text.as_bytes();
        let mut out: Option<String> = None;
        // Where the text not yet copied to `out` begins.
        let mut kept = 0;
        let mut at = 0;
        while at < bytes.len() {
            if !text.is_char_boundary(at) {
                at += 1;
                continue;
            }
            let found = self
                .needles
                .iter()
                .filter_map(|needle| needle.ends_at(text, at, cut))
                .max();
            match found {
                Some(end) => {
                    let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
                    out.push_str(&text[kept..at]);
                    out.push_str(REDACTED);
                    kept = end;
                    at = end;
                }
                None => at += 1,
            }
        }
        match out {
            None => Cow::Borrowed(text),
            Some(mut out) => {
                out.push_str(&text[kept..]);
                Cow::Owned(out)
            }
        }
    }
}

impl Needle {
    /// Where a match of this needle that starts at `at` ends, if one does: the longest.
    /// With `cut`, a match that runs into the end of the text counts.
    fn ends_at(&self, text: &str, at: usize, cut: bool) -> Option<usize> {
        let bytes = text.as_bytes();
        if !self.could_start(bytes[at]) {
            return None;
        }
        if self.whole_number && at > 0 && bytes[at - 1].is_ascii_digit() {
            return None;
        }
        let end = self.match_from(bytes, at, 0, cut)?;
        if self.whole_number && bytes.get(end).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        Some(end)
    }

    /// Whether a match can begin with `byte`: the first character as itself, or the
    /// first byte of an escape.
    fn could_start(&self, byte: u8) -> bool {
        let first = self.chars.first().copied().unwrap_or_default();
        let mut utf8 = [0; 4];
        let raw = first.encode_utf8(&mut utf8).as_bytes()[0];
        byte == raw
            || (self.any_case && byte.eq_ignore_ascii_case(&raw))
            || matches!(byte, b'\\' | b'%' | b'&')
            || (byte == b'+' && first == ' ')
    }

    /// Matches the needle's characters from the `index`th on, at `at` in `text`, each
    /// in any of its encodings; where the match ends.
    fn match_from(&self, text: &[u8], at: usize, index: usize, cut: bool) -> Option<usize> {
        let Some(&wanted) = self.chars.get(index) else {
            return Some(at);
        };
        if at >= text.len() {
            // The text ends inside the needle: a match only if it was cut there and at
            // least one character matched.
            return (cut && index > 0).then_some(at);
        }
        for (end, whole) in encodings_at(text, at, wanted, self.any_case) {
            if !whole {
                // The text ends inside this character's encoding.
                if cut {
                    return Some(end);
                }
                continue;
            }
            if let Some(done) = self.match_from(text, end, index + 1, cut) {
                return Some(done);
            }
        }
        None
    }
}

/// Where each encoding of `wanted` that stands at `at` in `text` ends, and whether it
/// is whole (`false`: the text ends inside it). At most a few, each a different way.
fn encodings_at(text: &[u8], at: usize, wanted: char, any_case: bool) -> Vec<(usize, bool)> {
    let mut found = Vec::new();
    let rest = &text[at..];
    // As itself.
    let mut utf8 = [0; 4];
    let raw = wanted.encode_utf8(&mut utf8).as_bytes();
    if rest.starts_with(raw)
        || (any_case
            && rest
                .first()
                .is_some_and(|b| b.eq_ignore_ascii_case(&raw[0])))
    {
        found.push((at + raw.len(), true));
    } else if raw.starts_with(rest) {
        found.push((text.len(), false));
    }
    match rest.first() {
        Some(b'\\') => json_escape(text, at, wanted, &mut found),
        Some(b'%') => percent(text, at, raw, &mut found),
        Some(b'+') if wanted == ' ' => found.push((at + 1, true)),
        Some(b'&') => html_reference(text, at, wanted, &mut found),
        _ => {}
    }
    found
}

/// `\uXXXX` (two of them for a character past the BMP) or a short escape.
fn json_escape(text: &[u8], at: usize, wanted: char, found: &mut Vec<(usize, bool)>) {
    let short = match wanted {
        '"' => Some(b'"'),
        '\\' => Some(b'\\'),
        '/' => Some(b'/'),
        '\u{8}' => Some(b'b'),
        '\u{c}' => Some(b'f'),
        '\n' => Some(b'n'),
        '\r' => Some(b'r'),
        '\t' => Some(b't'),
        _ => None,
    };
    if let Some(short) = short {
        match text.get(at + 1) {
            Some(&b) if b == short => found.push((at + 2, true)),
            None => found.push((text.len(), false)),
            _ => {}
        }
    }
    let mut units = [0u16; 2];
    let mut end = at;
    for unit in wanted.encode_utf16(&mut units).iter() {
        let digits = format!("{unit:04x}");
        match expect_escape(text, end, b"\\u", digits.as_bytes()) {
            Some(next) => end = next,
            None if prefix_of(&text[end..], b"\\u", &digits) => {
                found.push((text.len(), false));
                return;
            }
            None => return,
        }
    }
    found.push((end, true));
}

/// `%XX` for each byte of `raw`, in either case.
fn percent(text: &[u8], at: usize, raw: &[u8], found: &mut Vec<(usize, bool)>) {
    let mut end = at;
    for byte in raw {
        let digits = format!("{byte:02x}");
        match expect_escape(text, end, b"%", digits.as_bytes()) {
            Some(next) => end = next,
            None if prefix_of(&text[end..], b"%", &digits) => {
                found.push((text.len(), false));
                return;
            }
            None => return,
        }
    }
    found.push((end, true));
}

/// `&#NN;`, `&#xHH;` (either case, leading zeros allowed) or a named reference.
fn html_reference(text: &[u8], at: usize, wanted: char, found: &mut Vec<(usize, bool)>) {
    let rest = &text[at + 1..];
    let Some(semicolon) = rest.iter().take(40).position(|&b| b == b';') else {
        // A reference the cut may have ended: the tail could begin this character.
        if rest.len() < 40 && rest.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'#') {
            found.push((text.len(), false));
        }
        return;
    };
    let name = &rest[..semicolon];
    let end = at + 1 + semicolon + 1;
    let number = match name {
        [b'#', b'x' | b'X', hex @ ..] if !hex.is_empty() => std::str::from_utf8(hex)
            .ok()
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok()),
        [b'#', decimal @ ..] if !decimal.is_empty() => std::str::from_utf8(decimal)
            .ok()
            .filter(|decimal| decimal.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|decimal| decimal.parse().ok()),
        _ => named_reference(name).map(u32::from),
    };
    if number == Some(u32::from(wanted)) {
        found.push((end, true));
    }
}

/// Whether `text` begins with `marker` and then `digits` (any case), and where it ends.
fn expect_escape(text: &[u8], at: usize, marker: &[u8], digits: &[u8]) -> Option<usize> {
    let rest = text.get(at..)?;
    let whole = marker.len() + digits.len();
    if rest.len() < whole || !rest.starts_with(marker) {
        return None;
    }
    rest[marker.len()..whole]
        .eq_ignore_ascii_case(digits)
        .then_some(at + whole)
}

/// Whether all of `rest`, the end of the text, is shorter than `marker` then `digits`
/// and begins them (any case): the text was cut inside the escape.
fn prefix_of(rest: &[u8], marker: &[u8], digits: &str) -> bool {
    let whole: Vec<u8> = marker.iter().chain(digits.as_bytes()).copied().collect();
    rest.len() < whole.len() && whole[..rest.len()].eq_ignore_ascii_case(rest)
}

/// The character a named HTML reference stands for, of those that can stand for a
/// character of a secret: ASCII punctuation (HTML's names for it) and Latin-1.
fn named_reference(name: &[u8]) -> Option<char> {
    const ASCII: [(&str, char); 38] = [
        ("excl", '!'),
        ("quot", '"'),
        ("QUOT", '"'),
        ("num", '#'),
        ("dollar", '$'),
        ("percnt", '%'),
        ("amp", '&'),
        ("AMP", '&'),
        ("apos", '\''),
        ("lpar", '('),
        ("rpar", ')'),
        ("ast", '*'),
        ("midast", '*'),
        ("plus", '+'),
        ("comma", ','),
        ("period", '.'),
        ("sol", '/'),
        ("colon", ':'),
        ("semi", ';'),
        ("lt", '<'),
        ("LT", '<'),
        ("equals", '='),
        ("gt", '>'),
        ("GT", '>'),
        ("quest", '?'),
        ("commat", '@'),
        ("lsqb", '['),
        ("lbrack", '['),
        ("bsol", '\\'),
        ("rsqb", ']'),
        ("rbrack", ']'),
        ("Hat", '^'),
        ("lowbar", '_'),
        ("grave", '`'),
        ("lcub", '{'),
        ("lbrace", '{'),
        ("verbar", '|'),
        ("rcub", '}'),
    ];
    // U+00A0 to U+00FF, in order.
    const LATIN_1: [&str; 96] = [
        "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf",
        "laquo", "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro",
        "para", "middot", "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
        "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave",
        "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve",
        "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc",
        "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring",
        "aelig", "ccedil", "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc",
        "iuml", "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash",
        "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
    ];
    let name = std::str::from_utf8(name).ok()?;
    if let Some((_, c)) = ASCII.iter().find(|(n, _)| *n == name) {
        return Some(*c);
    }
    let index = LATIN_1.iter().position(|n| *n == name)?;
    char::from_u32(0xA0 + u32::try_from(index).ok()?)
}

/// base64url with its padding, as some encoders write it.
const URL_SAFE_PADDED: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE;

/// The base64 and base64url of `secret`: whole (padded and not), and the part of it
/// that stands the same wherever it falls inside a longer base64 text, at each of the
/// three alignments a byte can have against base64's groups of three.
fn base64_forms(secret: &[u8]) -> Vec<String> {
    let mut forms = Vec::new();
    for engine in [&base64::engine::general_purpose::STANDARD, &URL_SAFE_PADDED] {
        forms.push(engine.encode(secret));
    }
    for offset in 0..3 {
        let mut shifted = vec![0u8; offset];
        shifted.extend_from_slice(secret);
        let encoded = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&shifted);
        // The characters whose six bits all come from the secret.
        let first = (8 * offset).div_ceil(6);
        let last = (8 * (offset + secret.len())) / 6;
        if last >= first + SHORTEST {
            let stable = &encoded[first..last];
            forms.push(stable.to_owned());
            forms.push(stable.replace('+', "-").replace('/', "_"));
        }
    }
    forms.push(base64::engine::general_purpose::STANDARD_NO_PAD.encode(secret));
    forms.push(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret));
    forms
}

/// `bytes` in hex (lower case; matched in either).
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
