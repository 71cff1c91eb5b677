//! The scrubber's rule, held against a table of encodings of a secret with every kind
//! of character in it: ASCII punctuation, a space, a letter past ASCII and one past
//! the BMP.

use super::*;

const USER: &str = "api-user";
const SECRET: &str = "pw \"/é&+😀:x";

fn redactions() -> Redactions {
    let mut redactions = Redactions::default();
    redactions.add_basic(USER, SECRET);
    redactions
}

/// Each character of `text`, written by `write`.
fn each(text: &str, write: impl Fn(char) -> String) -> String {
    text.chars().map(write).collect()
}

fn utf16_escapes(c: char, upper: bool) -> String {
    let mut units = [0u16; 2];
    c.encode_utf16(&mut units)
        .iter()
        .map(|u| match upper {
            true => format!("\\u{u:04X}"),
            false => format!("\\u{u:04x}"),
        })
        .collect()
}

fn percent_bytes(c: char, upper: bool) -> String {
    let mut utf8 = [0; 4];
    c.encode_utf8(&mut utf8)
        .bytes()
        .map(|b| match upper {
            true => format!("%{b:02X}"),
            false => format!("%{b:02x}"),
        })
        .collect()
}

/// The secret in every encoding the scrubber promises to find, by name.
fn encodings(secret: &str) -> Vec<(&'static str, String)> {
    let pair = format!("{USER}:{secret}");
    let b64 = &base64::engine::general_purpose::STANDARD;
    let b64_url = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut longer = b"{\"password\":\"".to_vec();
    longer.extend_from_slice(secret.as_bytes());
    vec![
        ("as is", secret.to_owned()),
        (
            "JSON, serde's",
            serde_json::to_string(secret)
                .unwrap()
                .trim_matches('"')
                .to_owned(),
        ),
        (
            "JSON, \\/ and non-ASCII escaped",
            each(secret, |c| match c {
                '/' => "\\/".into(),
                '"' => "\\\"".into(),
                c if !c.is_ascii() => utf16_escapes(c, false),
                c => c.to_string(),
            }),
        ),
        (
            "JSON, every character \\uXXXX",
            each(secret, |c| utf16_escapes(c, false)),
        ),
        (
            "JSON, every character \\uXXXX upper case",
            each(secret, |c| utf16_escapes(c, true)),
        ),
        (
            "percent, every byte",
            each(secret, |c| percent_bytes(c, true)),
        ),
        (
            "percent, lower case, + for a space",
            each(secret, |c| match c {
                ' ' => "+".into(),
                c if c.is_ascii_alphanumeric() => c.to_string(),
                c => percent_bytes(c, false),
            }),
        ),
        (
            "HTML, named",
            each(secret, |c| match c {
                '"' => "&quot;".into(),
                '&' => "&amp;".into(),
                'é' => "&eacute;".into(),
                '/' => "&sol;".into(),
                c => c.to_string(),
            }),
        ),
        (
            "HTML, decimal",
            each(secret, |c| format!("&#{};", u32::from(c))),
        ),
        (
            "HTML, hex",
            each(secret, |c| format!("&#X{:X};", u32::from(c))),
        ),
        ("base64 of the secret", b64.encode(secret)),
        (
            "base64url of the secret, no padding",
            b64_url.encode(secret),
        ),
        ("base64 of user:secret", b64.encode(&pair)),
        ("base64url of user:secret", b64_url.encode(&pair)),
        ("base64 of a longer text holding it", b64.encode(&longer)),
        (
            "base64 of it, one byte in",
            b64.encode([b"x".as_slice(), secret.as_bytes()].concat()),
        ),
        (
            "base64 of it, two bytes in",
            b64.encode([b"xy".as_slice(), secret.as_bytes()].concat()),
        ),
        (
            "base64 with its / JSON-escaped",
            b64.encode(&pair).replace('/', "\\/"),
        ),
        ("hex", hex(secret.as_bytes())),
        ("hex, upper case", hex(secret.as_bytes()).to_uppercase()),
    ]
}

#[test]
fn every_encoding_of_the_secret_is_taken_out_and_nothing_of_it_is_left() {
    let redactions = redactions();
    for (name, echo) in encodings(SECRET) {
        let text = format!("{{\"seen\":\"{echo}\",\"requestId\":\"r-1\"}}");
        let scrubbed = redactions.scrub(&text);
        assert!(scrubbed.contains(REDACTED), "{name}: {text} -> {scrubbed}");
        // What is left around it is the text as it was.
        assert!(scrubbed.starts_with("{\"seen\":\""), "{name}: {scrubbed}");
        assert!(
            scrubbed.ends_with("\",\"requestId\":\"r-1\"}"),
            "{name}: {scrubbed}"
        );
        for part in ["pw", "é", "😀", "cHcg"] {
            assert!(!scrubbed.contains(part), "{name}: {part} in {scrubbed}");
        }
    }
}

#[test]
fn styles_mixed_within_one_echo_are_found() {
    let redactions = redactions();
    let mixed = "p%77\\u0020&quot;\\/\\u00E9%26&#43;%F0%9F%98%80&#x3a;x";
    assert_eq!(redactions.scrub(mixed), REDACTED);
}

#[test]
fn a_secret_cut_by_the_cap_shows_none_of_its_first_part() {
    let redactions = redactions();
    // The forms that begin with the secret (not those inside a longer base64 text).
    let starting = encodings(SECRET)
        .into_iter()
        .filter(|(name, _)| !name.contains("longer") && !name.contains(" in"));
    for (name, echo) in starting {
        let whole = format!("body: {echo}");
        let chars: Vec<char> = whole.chars().collect();
        for keep in "body: ".len() + 1..chars.len() {
            let cut: String = chars[..keep].iter().collect();
            let scrubbed = redactions.scrub_cut(&cut);
            assert!(
                scrubbed == format!("body: {REDACTED}") || scrubbed.starts_with("body: <redacted>"),
                "{name}, cut at {keep}: {cut} -> {scrubbed}"
            );
        }
    }
    // A text that was not cut keeps a tail that only looks like a start.
    assert_eq!(redactions.scrub("ends with pw"), "ends with pw");
}

#[test]
fn a_code_is_taken_out_as_a_whole_number_only() {
    let mut redactions = Redactions::default();
    redactions.add_code("4821");
    assert_eq!(
        redactions.scrub("code 4821 is wrong"),
        "code <redacted> is wrong"
    );
    assert_eq!(
        redactions.scrub("\"code\":\"\\u0034821\""),
        "\"code\":\"<redacted>\""
    );
    assert_eq!(redactions.scrub("code=%34%38%32%31&x"), "code=<redacted>&x");
    assert_eq!(redactions.scrub("r-148210, 48213"), "r-148210, 48213");
    // Two digits, the shortest code, are looked for too, as a whole number.
    let mut short = Redactions::default();
    short.add_code("42");
    assert_eq!(short.scrub("42 is not 142"), "<redacted> is not 142");
    short.add_code("x1");
    short.add_code("7");
    assert_eq!(format!("{short:?}"), "Redactions(1 texts)");
}

#[test]
fn text_without_a_secret_is_left_as_it_is() {
    let mut redactions = Redactions::default();
    redactions.add("tok-1");
    redactions.add("");
    // Too short to find without garbling the answer: `{"valid":true}` holds `a`.
    redactions.add("a");
    redactions.add("ok");
    for text in [
        "to number is required",
        "{\"valid\":true}",
        "&amp; %20 \\u0041 &#65; + &unknown; &#xZZ; % \\",
    ] {
        assert!(matches!(redactions.scrub(text), Cow::Borrowed(_)), "{text}");
    }
    assert_eq!(redactions.scrub("Bearer tok-1."), "Bearer <redacted>.");
    assert_eq!(redactions.scrub("Bearer dG9rLTE="), "Bearer <redacted>");
    assert!(!redactions.is_empty());
    assert!(Redactions::default().is_empty());
}
