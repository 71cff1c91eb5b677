//! `mfa --version` (one line, `mfa 0.2.0`) and `mfa -vV`, which adds what a bug report
//! needs, as `rustc -vV` does: the commit, the build target, the compiler and the
//! features. The facts come from the build script; a build without git says `unknown`.

use std::ffi::OsString;

/// The lines `mfa -vV` prints after the first.
pub fn verbose() -> String {
    format!(
        "binary: mfa\ncommit-hash: {}\ncommit-date: {}\ntarget: {}\nrelease: {}\n\
         rustc: {}\nfeatures: {}\n",
        env!("MFA_BUILD_COMMIT"),
        env!("MFA_BUILD_DATE"),
        env!("MFA_BUILD_TARGET"),
        env!("CARGO_PKG_VERSION"),
        env!("MFA_BUILD_RUSTC"),
        env!("MFA_BUILD_FEATURES"),
    )
}

/// Whether `--verbose` came with the version flag: `-vV`, `-Vv`, `-v -V`,
/// `--verbose --version`. Read from the words themselves, since clap stops at the
/// version flag; the program's own name (the first word) is skipped.
pub fn asked_verbose(args: &[OsString]) -> bool {
    args.iter()
        .skip(1)
        .map(|arg| arg.to_str().unwrap_or(""))
        .take_while(|arg| *arg != "--")
        .any(|arg| {
            arg == "--verbose"
                || arg.strip_prefix('-').is_some_and(|short| {
                    !short.starts_with('-')
                        && short.contains('v')
                        && short.chars().all(|c| matches!(c, 'v' | 'V' | 'n'))
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<OsString> {
        std::iter::once("mfa")
            .chain(line.split_whitespace())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn verbose_is_read_from_any_spelling_next_to_the_version() {
        for asked in [
            "-vV",
            "-Vv",
            "-v -V",
            "-V -v",
            "--verbose --version",
            "-nvV",
        ] {
            assert!(asked_verbose(&words(asked)), "{asked}");
        }
        for plain in ["-V", "--version", "-V -- -v", "-p vprofile -V", "-pv -V"] {
            assert!(!asked_verbose(&words(plain)), "{plain}");
        }
    }

    #[test]
    fn the_verbose_lines_name_every_fact_once() {
        let lines = verbose();
        for key in [
            "binary: mfa\n",
            "commit-hash: ",
            "commit-date: ",
            "target: ",
            "release: ",
            "rustc: ",
            "features: ",
        ] {
            assert_eq!(lines.matches(key).count(), 1, "{key} in {lines}");
        }
        assert!(lines.contains(concat!("release: ", env!("CARGO_PKG_VERSION"), "\n")));
    }
}
