//! `Secret`: a value that must never be printed.
//!
//! A password is wrapped the moment it is read (from the environment or the config
//! file) and only leaves the wrapper through [`Secret::expose`], at the one place that
//! builds the `Authorization` header. It has no `Display`, and its `Debug` prints
//! `<redacted>`, so logging a whole settings struct cannot leak it.

use std::fmt;

/// A value that is never shown: `Debug` prints `<redacted>` and there is no `Display`.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The value itself. Every call is a place where the secret leaves its wrapper.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl From<String> for Secret<String> {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let secret = Secret::from("hunter2");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(format!("{secret:#?}"), "<redacted>");
    }

    #[test]
    fn debug_of_a_struct_holding_it_is_redacted() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Login {
            username: String,
            password: Secret<String>,
        }
        let login = Login {
            username: "api-user".into(),
            password: "hunter2".into(),
        };
        let shown = format!("{login:?}");
        assert_eq!(
            shown,
            r#"Login { username: "api-user", password: <redacted> }"#
        );
    }

    #[test]
    fn expose_gives_the_value_back() {
        assert_eq!(Secret::from("hunter2").expose(), "hunter2");
    }

    #[test]
    fn loads_transparently_from_toml_like_data() {
        let secret: Secret<String> = serde_json::from_str(r#""hunter2""#).unwrap();
        assert_eq!(secret.expose(), "hunter2");
    }
}
