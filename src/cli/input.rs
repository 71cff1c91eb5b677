//! Reading a value from stdin, so it stays out of shell history and the process list:
//! the code to verify (`mfa verify --code -`) and a secret for the config file (`mfa
//! config set password -`).
//!
//! From a pipe or file, stdin must hold the value alone: one line, its line ending
//! (`\n` or `\r\n`) optional and dropped, nothing else. From a terminal, one line is
//! read after a prompt; a secret is typed without echo (`hidden_prompt`). Nothing
//! else is trimmed: a space is refused by the code's rule, never silently removed. No
//! message ever shows what was read.

use std::io::{self, BufRead, Read, Write};

use mfa::{Code, Secret};

use crate::cli::failure::Failure;
use crate::cli::hidden_prompt::{self, Heard, Typed};

/// More than any code and its line ending; a longer stdin is refused unread.
const CAP: u64 = 1024;

/// What was read back: a code, or the key offered instead.
#[derive(Debug)]
pub enum ReadBack {
    Code(Code),
    Key,
}

/// The process's stdin, and whether a person is typing into it.
pub struct Input<'a> {
    pub reader: &'a mut dyn BufRead,
    pub terminal: bool,
}

impl Input<'_> {
    /// Reads the code. Every failure is a usage error (exit 2): the value of
    /// `--code -` is missing or invalid, and nothing was sent.
    pub fn read_code(&mut self, err: &mut dyn Write) -> Result<Code, Failure> {
        let failure = |why: String| Failure::Usage(format!("--code -: {why}"));
        let line = if self.terminal {
            // Typed without echo, as a password is: the code is a secret too.
            let _ = err.flush();
            let typed = hidden_prompt::read("Code: ")
                .map_err(|e| failure(format!("cannot read the code from the terminal: {e}")))?;
            self.line_alone(typed.into_bytes(), "code")
                .map_err(failure)?
        } else {
            self.read_alone("code").map_err(failure)?
        };
        line.parse()
            .map_err(|rule| failure(format!("the code on stdin {rule}")))
    }

    /// The code read back for `--verify`, with `left` tries left: at a terminal, typed
    /// without echo; else one line of stdin a try. Either way, what breaks the code's
    /// rule is said and skipped, costing no try, and the next is read. Every failure
    /// (stdin ended, unreadable) is a usage error (exit 2). At a terminal with `heard`, what it tells meanwhile is shown above the prompt,
    /// and the key it offers is taken alone.
    pub fn read_code_back(
        &mut self,
        err: &mut dyn Write,
        left: u8,
        mut heard: Option<&mut dyn FnMut() -> Heard>,
    ) -> Result<ReadBack, Failure> {
        let tries = if left == 1 { "try" } else { "tries" };
        if !self.terminal {
            return self.next_code_line(err).map(ReadBack::Code);
        }
        loop {
            let _ = err.flush();
            let prompt = format!("Code read back ({left} {tries} left): ");
            let typed = match heard.as_deref_mut() {
                Some(heard) => hidden_prompt::read_watching(&prompt, heard),
                None => hidden_prompt::read(&prompt).map(Typed::Line),
            };
            let typed = typed.map_err(|e| Failure::Usage(format!("cannot read the code: {e}")))?;
            let Typed::Line(typed) = typed else {
                return Ok(ReadBack::Key);
            };
            match typed.parse() {
                Ok(code) => return Ok(ReadBack::Code(code)),
                Err(rule) => {
                    let _ = writeln!(err, "  the code {rule}; type it again");
                }
            }
        }
    }

    /// The next line of stdin that is a code; each line that is not is said and skipped.
    fn next_code_line(&mut self, err: &mut dyn Write) -> Result<Code, Failure> {
        loop {
            let mut line = Vec::new();
            let read = (&mut self.reader)
                .take(CAP)
                .read_until(b'\n', &mut line)
                .map_err(|e| Failure::Usage(format!("cannot read the code from stdin: {e}")))?;
            if read == 0 {
                return Err(Failure::Usage(
                    "stdin ended before a code was read back".into(),
                ));
            }
            let parsed = match std::str::from_utf8(&line) {
                Ok(text) => text.parse::<Code>().map_err(|rule| rule.to_string()),
                Err(_) => Err("must be text (it is not UTF-8)".to_owned()),
            };
            match parsed {
                Ok(code) => return Ok(code),
                Err(rule) => {
                    let _ = writeln!(
                        err,
                        "mfa: the line read back on stdin is no code: it {rule}; reading the next"
                    );
                }
            }
        }
    }

    /// Asks `question` at the terminal and reads one line: yes for `y` or `yes`, in any
    /// case; anything else, an empty line or the end of input is no.
    pub fn confirm(&mut self, err: &mut dyn Write, question: &str) -> Result<bool, Failure> {
        let _ = write!(err, "{question}");
        let _ = err.flush();
        let mut line = String::new();
        (&mut self.reader)
            .take(CAP)
            .read_line(&mut line)
            .map_err(|e| Failure::Usage(format!("cannot read the answer: {e}")))?;
        Ok(matches!(
            line.trim().to_ascii_lowercase().as_str(),
            "y" | "yes"
        ))
    }

    /// Reads a secret for `mfa config set KEY -`; from a terminal, typed without echo
    /// after a prompt. Every failure is a usage error (exit 2).
    pub fn read_secret(&mut self, key: &str) -> Result<Secret<String>, Failure> {
        let failure = |why: String| Failure::Usage(format!("mfa config set {key} -: {why}"));
        let what = key.replace('_', " ");
        let line = if self.terminal {
            let typed = hidden_prompt::read(&format!("{}: ", capitalized(&what)))
                .map_err(|e| failure(format!("cannot read the {what} from the terminal: {e}")))?;
            self.line_alone(typed.into_bytes(), &what)
                .map_err(failure)?
        } else {
            self.read_alone(&what).map_err(failure)?
        };
        Ok(Secret::new(line))
    }

    /// Stdin, read to its end, as one line holding `what` alone.
    fn read_alone(&mut self, what: &str) -> Result<String, String> {
        let mut bytes = Vec::new();
        (&mut self.reader)
            .take(CAP + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read the {what} from stdin: {e}"))?;
        self.line_alone(bytes, what)
    }

    /// `bytes` as one line of text, its line ending dropped, or why it is not.
    fn line_alone(&self, bytes: Vec<u8>, what: &str) -> Result<String, String> {
        if bytes.len() as u64 > CAP {
            return Err(format!(
                "stdin holds more than {CAP} bytes; it must hold the {what} alone"
            ));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("the {what} on stdin is not UTF-8 text"))?;
        let line = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .unwrap_or(&text);
        if line.is_empty() {
            return Err(format!("stdin holds no {what}"));
        }
        if line.contains('\n') {
            return Err(format!(
                "stdin holds more than one line; it must hold the {what} alone"
            ));
        }
        Ok(line.to_owned())
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether this process's stdin is a terminal (a person typing) rather than a pipe or file.
pub fn stdin_is_terminal() -> bool {
    use std::io::IsTerminal;
    io::stdin().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(stdin: &[u8], terminal: bool) -> (Result<Code, String>, String) {
        let mut reader = stdin;
        let mut err = Vec::new();
        let mut input = Input {
            reader: &mut reader,
            terminal,
        };
        let code = input
            .read_code(&mut err)
            .map_err(|failure| failure.reason());
        (code, String::from_utf8(err).unwrap())
    }

    #[test]
    fn a_question_is_yes_only_for_y_or_yes() {
        for (typed, yes) in [
            (&b"y\n"[..], true),
            (b"YES\n", true),
            (b" yes \r\n", true),
            (b"n\n", false),
            (b"\n", false),
            (b"", false),
            (b"yep\n", false),
        ] {
            let mut reader = typed;
            let mut err = Vec::new();
            let answer = Input {
                reader: &mut reader,
                terminal: true,
            }
            .confirm(&mut err, "Remove? [y/N] ")
            .unwrap();
            assert_eq!(answer, yes, "{typed:?}");
            assert_eq!(err, b"Remove? [y/N] ");
        }
    }

    #[test]
    fn the_code_alone_with_or_without_its_line_ending() {
        for stdin in [&b"48213967"[..], b"48213967\n", b"48213967\r\n"] {
            let (code, prompt) = read(stdin, false);
            assert_eq!(code.unwrap().expose(), "48213967", "{stdin:?}");
            assert_eq!(prompt, "");
        }
    }

    #[test]
    fn anything_but_the_code_alone_is_refused_without_showing_it() {
        for (stdin, why) in [
            (&b""[..], "--code -: stdin holds no code"),
            (b"\n", "--code -: stdin holds no code"),
            (
                b"1234\n5678\n",
                "--code -: stdin holds more than one line; it must hold the code alone",
            ),
            (
                b"1234\n\n",
                "--code -: stdin holds more than one line; it must hold the code alone",
            ),
            (
                b"4821 3967\n",
                "--code -: the code on stdin must be digits (0 to 9) and nothing else",
            ),
            (
                b"4\n",
                "--code -: the code on stdin must be 2 to 8 digits (it has 1)",
            ),
            (
                b"482139670\n",
                "--code -: the code on stdin must be 2 to 8 digits (it has 9)",
            ),
            (
                b"\xff\xfe1234",
                "--code -: the code on stdin is not UTF-8 text",
            ),
        ] {
            let (code, _) = read(stdin, false);
            assert_eq!(code.unwrap_err(), why, "{stdin:?}");
        }
        let (code, _) = read(&[b'1'; 2000], false);
        assert_eq!(
            code.unwrap_err(),
            "--code -: stdin holds more than 1024 bytes; it must hold the code alone"
        );
    }

    #[test]
    fn a_secret_is_read_alone_and_never_shown() {
        let read_secret = |stdin: &[u8]| {
            let mut reader = stdin;
            Input {
                reader: &mut reader,
                terminal: false,
            }
            .read_secret("client_secret")
            .map(|secret| secret.expose().clone())
            .map_err(|failure| failure.reason())
        };
        assert_eq!(read_secret(b"s3cr3t x\n").unwrap(), "s3cr3t x");
        assert_eq!(
            read_secret(b"").unwrap_err(),
            "mfa config set client_secret -: stdin holds no client secret"
        );
        assert_eq!(
            read_secret(b"s3cr3t\nmore\n").unwrap_err(),
            "mfa config set client_secret -: stdin holds more than one line; it must hold the \
             client secret alone"
        );
    }
}
