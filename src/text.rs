//! Untrusted text made safe to show: an answer's body, an API message, a header, a
//! value from a file. Every control character, format character (bidi overrides,
//! zero-width marks) and line or paragraph separator is escaped, so that such text can
//! neither break a one-line message nor drive or disguise what a terminal shows.

use std::borrow::Cow;

/// Whether `c` is hidden or acts on the text around it rather than showing itself:
/// Unicode's control (Cc) and format (Cf) characters and the line (Zl) and paragraph
/// (Zp) separators.
pub(crate) fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0001}'
                | '\u{E0020}'..='\u{E007F}'
        )
}

/// `text` with every control, format (bidi, zero-width) and separator character escaped
/// as Rust writes it (`\n`, `\u{1b}`, `\u{202e}`); everything else as it is.
///
/// ```
/// use mfa::unversioned::printable;
///
/// assert_eq!(printable("c-1\u{202e}gnp.exe\nmfa: error"), "c-1\\u{202e}gnp.exe\\nmfa: error");
/// assert_eq!(printable("plain text, é"), "plain text, é");
/// ```
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_shown(&mut shown, c);
    }
    Cow::Owned(shown)
}

/// Pushes `c` onto `out`, escaped if hidden.
pub(crate) fn push_shown(out: &mut String, c: char) {
    if c.is_control() {
        out.extend(c.escape_default());
    } else if is_hidden(c) {
        out.extend(c.escape_unicode());
    } else {
        out.push(c);
    }
}

/// `bytes` as text, each byte that is not part of valid UTF-8 written `\xNN`: an
/// answer's bytes are shown as they came, never as U+FFFD, which hides what they were.
pub(crate) fn from_bytes(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for byte in chunk.invalid() {
            text.push_str(&format!("\\x{byte:02x}"));
        }
    }
    text
}

/// At most `limit` characters of `text`, and `...` after them if it was longer.
pub(crate) fn excerpt(text: &str, limit: usize) -> Cow<'_, str> {
    match text.char_indices().nth(limit) {
        Some((end, _)) => Cow::Owned(format!("{}...", &text[..end])),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_formats_and_separators_are_escaped() {
        for (text, shown) in [
            ("a\nb", "a\\nb"),
            ("a\u{1b}[2J", "a\\u{1b}[2J"),
            ("a\u{7f}", "a\\u{7f}"),
            ("a\u{85}", "a\\u{85}"),
            ("c-\u{202e}gnp.exe", "c-\\u{202e}gnp.exe"),
            ("a\u{2028}b\u{2029}c", "a\\u{2028}b\\u{2029}c"),
            ("zero\u{200b}width\u{feff}", "zero\\u{200b}width\\u{feff}"),
            ("tag\u{e0041}", "tag\\u{e0041}"),
        ] {
            assert_eq!(printable(text), shown, "{text:?}");
        }
    }

    #[test]
    fn visible_text_is_left_as_it_is() {
        for text in ["", "c-1", "é ü 中文 😀", "\"quoted\" \\ back"] {
            assert!(matches!(printable(text), Cow::Borrowed(_)), "{text:?}");
        }
    }

    #[test]
    fn an_excerpt_is_cut_on_a_character_and_says_so() {
        assert_eq!(excerpt("abcdef", 6), "abcdef");
        assert_eq!(excerpt("abcdef", 3), "abc...");
        assert_eq!(excerpt("ééé", 2), "éé...");
    }
}
