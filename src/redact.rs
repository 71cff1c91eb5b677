//! `Redactions`: the secrets a client holds, taken out of whatever came from outside.
//!
//! A server, a gateway's error page or a proxy may echo the request back, and with it
//! the `Authorization` header. So every answer is scrubbed before anything reads it:
//! before an error quotes its message or body, before `Client::on_response` shows it,
//! before a token answer is judged. Each secret is looked for in each form it travels
//! in: as it is, as JSON writes it (an echo inside a JSON string), and for HTTP Basic as
//! `user:secret` and as its base64. Whatever matches becomes `<redacted>`.
//!
//! A text shorter than [`SHORTEST`] is not looked for: taking every `a` or `ok` out of
//! an answer would garble the API's own JSON, and with it a send that worked.

use std::borrow::Cow;

use base64::Engine as _;

use crate::request::REDACTED;

/// The fewest characters a text must have to be taken out.
pub(crate) const SHORTEST: usize = 4;

/// The texts to take out, longest first, so that a longer form (the base64 of
/// `user:secret`) is taken out whole before a shorter one inside it could be.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Redactions {
    needles: Vec<String>,
}

impl std::fmt::Debug for Redactions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactions({} texts)", self.needles.len())
    }
}

impl Redactions {
    /// A secret sent as itself (a bearer token, a password in a config file).
    pub(crate) fn add(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        self.push(secret.to_owned());
        // Inside a JSON string, `"`, `\` and control characters are escaped, and a
        // server may escape `/` or anything past ASCII too.
        let Ok(json) = serde_json::to_string(secret) else {
            return;
        };
        let json = &json[1..json.len() - 1];
        self.push(json.to_owned());
        let escaped: String = json
            .chars()
            .map(|c| match c {
                '/' => "\\/".to_owned(),
                c if !c.is_ascii() => {
                    let mut units = [0u16; 2];
                    c.encode_utf16(&mut units)
                        .iter()
                        .map(|unit| format!("\\u{unit:04x}"))
                        .collect()
                }
                c => c.to_string(),
            })
            .collect();
        self.push(escaped);
    }

    /// The password or client secret of HTTP Basic, with the `user` it is paired with:
    /// the secret itself, `user:secret`, and the base64 the header carries.
    pub(crate) fn add_basic(&mut self, user: &str, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let pair = format!("{user}:{secret}");
        self.push(base64::engine::general_purpose::STANDARD.encode(&pair));
        self.push(base64::engine::general_purpose::STANDARD_NO_PAD.encode(&pair));
        self.add(&pair);
        self.add(secret);
    }

    fn push(&mut self, needle: String) {
        if needle.chars().count() >= SHORTEST && !self.needles.contains(&needle) {
            self.needles.push(needle);
            self.needles
                .sort_by_key(|needle| std::cmp::Reverse(needle.len()));
        }
    }

    /// `text` with every secret in it replaced by `<redacted>`.
    pub(crate) fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        for needle in &self.needles {
            if text.contains(needle.as_str()) {
                text = Cow::Owned(text.replace(needle.as_str(), REDACTED));
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_a_basic_secret_is_taken_out() {
        let mut redactions = Redactions::default();
        redactions.add_basic("api-user", "pw\"/é!");
        let header = base64::engine::general_purpose::STANDARD.encode("api-user:pw\"/é!");
        for echo in [
            format!("Authorization: Basic {header}"),
            "password=pw\"/é!".to_owned(),
            r#"{"seen":"api-user:pw\"\/\u00e9!"}"#.to_owned(),
            r#"{"seen":"pw\"/é!"}"#.to_owned(),
        ] {
            let scrubbed = redactions.scrub(&echo);
            assert!(scrubbed.contains("<redacted>"), "{echo} -> {scrubbed}");
            assert!(!scrubbed.contains("pw"), "{echo} -> {scrubbed}");
            assert!(!scrubbed.contains(&header), "{echo} -> {scrubbed}");
        }
        assert_eq!(
            redactions.scrub(&format!("Basic {header}")),
            "Basic <redacted>"
        );
    }

    #[test]
    fn text_without_a_secret_is_left_as_it_is() {
        let mut redactions = Redactions::default();
        redactions.add("tok-1");
        redactions.add("");
        // Too short to find without garbling the answer: `{"valid":true}` holds `a`.
        redactions.add("a");
        redactions.add("ok");
        assert!(matches!(
            redactions.scrub("to number is required"),
            Cow::Borrowed(_)
        ));
        assert_eq!(redactions.scrub("Bearer tok-1."), "Bearer <redacted>.");
        assert_eq!(format!("{redactions:?}"), "Redactions(1 texts)");
    }
}
