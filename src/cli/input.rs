//! Reading the code to verify from stdin (`mfa verify --code -`), so it stays out of
//! shell history and the process list.
//!
//! From a pipe or file, stdin must hold the code alone: one line, its line ending
//! (`\n` or `\r\n`) optional and dropped, nothing else. From a terminal, one line is
//! read after a prompt on stderr. Nothing else is trimmed: a space is refused by the
//! code's rule, never silently removed. No message ever shows what was read.

use std::io::{self, BufRead, Read, Write};

use mfa::Code;

use crate::cli::failure::Failure;

/// More than any code and its line ending; a longer stdin is refused unread.
const CAP: u64 = 1024;

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
        let mut bytes = Vec::new();
        let mut limited = (&mut self.reader).take(CAP + 1);
        let read = if self.terminal {
            let _ = write!(err, "Code: ");
            let _ = err.flush();
            limited.read_until(b'\n', &mut bytes)
        } else {
            limited.read_to_end(&mut bytes)
        };
        read.map_err(|e| failure(format!("cannot read the code from stdin: {e}")))?;
        if bytes.len() as u64 > CAP {
            return Err(failure(format!(
                "stdin holds more than {CAP} bytes; it must hold the code alone"
            )));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| failure("the code on stdin is not UTF-8 text".into()))?;
        let line = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .unwrap_or(&text);
        if line.is_empty() {
            return Err(failure("stdin holds no code".into()));
        }
        if line.contains('\n') {
            return Err(failure(
                "stdin holds more than one line; it must hold the code alone".into(),
            ));
        }
        line.parse()
            .map_err(|rule| failure(format!("the code on stdin {rule}")))
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
            .map_err(|failure| failure.sentence());
        (code, String::from_utf8(err).unwrap())
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
    fn a_terminal_gets_a_prompt_and_one_line_is_read() {
        let (code, prompt) = read(b"1234\nmore typing\n", true);
        assert_eq!(code.unwrap().expose(), "1234");
        assert_eq!(prompt, "Code: ");
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
                b" 48213967\n",
                "--code -: the code on stdin must not contain spaces, line breaks or other \
                 control characters",
            ),
            (
                b"482\n",
                "--code -: the code on stdin must be 4 to 8 characters (it has 3)",
            ),
            (
                b"482139670\n",
                "--code -: the code on stdin must be 4 to 8 characters (it has 9)",
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
}
