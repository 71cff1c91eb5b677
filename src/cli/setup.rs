//! `mfa config init` at a terminal: asks for each setting a send and a check need, as
//! `aws configure` does, and says which answers it took.
//!
//! Each answer is checked on the spot by the same rule as its flag (the settings
//! table's), and asked again when it breaks it. Enter keeps the value shown in brackets:
//! the profile's own when it has one, else a suggestion (a lifetime of 5 minutes) or
//! nothing. Secrets are typed without echo and shown only as `set`. Nothing is written
//! here: the answers go back to `config_command`, which writes them all at once under
//! the edit lock, so Ctrl-C or a closed terminal leaves the file as it was.

use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};

use mfa::Secret;

use crate::cli::failure::Failure;
use crate::cli::hidden_prompt;
use crate::cli::input::Input;
use crate::cli::settings::table::{self, Question, Setting};

/// What the profile holds now, as each key's value would be shown: a secret as `set`.
pub type Current = BTreeMap<&'static str, String>;

/// One answer taken: a setting's text, or a secret, held as one from the moment it was
/// typed.
#[derive(Debug)]
pub enum Answer {
    Text(String),
    Secret(Secret<String>),
}

/// The longest answer read: a line of a terminal.
const LINE_CAP: u64 = 64 * 1024;

/// Asks every question, in order; returns each setting answered with its new text (a
/// secret's too), leaving out what was kept as it was or skipped.
pub fn ask(
    input: &mut Input,
    err: &mut dyn Write,
    current: &Current,
) -> Result<Vec<(&'static Setting, Answer)>, Failure> {
    ask_with(input, err, current, &mut |prompt| {
        hidden_prompt::read(prompt)
    })
}

/// [`ask`], reading secrets with `hidden` (the terminal's, without echo).
fn ask_with(
    input: &mut Input,
    err: &mut dyn Write,
    current: &Current,
    hidden: &mut dyn FnMut(&str) -> std::io::Result<String>,
) -> Result<Vec<(&'static Setting, Answer)>, Failure> {
    let mut asker = Asker {
        input,
        err,
        current,
        hidden,
        answers: Vec::new(),
    };
    let _ = writeln!(
        asker.err,
        "mfa: setting up this profile; Enter keeps the value in [brackets]"
    );
    asker.value(&table::ACCOUNT_ID)?;
    let oauth = current.contains_key(table::CLIENT_ID.key);
    let choice = asker.choice(
        "How mfa signs in:",
        ["an API username and password", "OAuth2 client credentials"],
        if oauth { "2" } else { "1" },
    )?;
    if choice == "2" {
        asker.value(&table::CLIENT_ID)?;
        asker.secret(&table::CLIENT_SECRET)?;
    } else {
        asker.value(&table::USERNAME)?;
        let by_command = current.contains_key(table::PASSWORD_COMMAND.key);
        let source = asker.choice(
            "Where the API password will come from (not the password itself: that is asked \
             for next, without echo):",
            [
                "you type it at the next question; it is kept in the file (mode 600)",
                "a command that prints it, such as a password manager's",
            ],
            if by_command { "2" } else { "1" },
        )?;
        if source == "2" {
            asker.value(&table::PASSWORD_COMMAND)?;
        } else {
            asker.secret(&table::PASSWORD)?;
        }
    }
    // Then every other setting the table gives a question, in its order.
    for setting in table::SETTINGS {
        if setting.question.is_some_and(|question| !question.signs_in) {
            asker.value(setting)?;
        }
    }
    Ok(asker.answers)
}

/// Asks whether to run `mfa doctor` now; yes unless the answer is `n` or `no`.
pub fn offer_doctor(input: &mut Input, err: &mut dyn Write) -> Result<bool, Failure> {
    let _ = write!(
        err,
        "Check it all now with `mfa doctor` (sends no code)? [Y/n] "
    );
    let _ = err.flush();
    let answer = read_line(input)?;
    Ok(!matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "n" | "no"
    ))
}

struct Asker<'a, 'b, 'c> {
    input: &'a mut Input<'b>,
    err: &'a mut dyn Write,
    current: &'c Current,
    hidden: &'a mut dyn FnMut(&str) -> std::io::Result<String>,
    answers: Vec<(&'static Setting, Answer)>,
}

impl Asker<'_, '_, '_> {
    /// Asks `setting`'s question until the answer follows its rule. Enter keeps the
    /// current value, else takes the suggested one; with neither, it leaves the key
    /// unset if the question says it may, else asks again.
    fn value(&mut self, setting: &'static Setting) -> Result<(), Failure> {
        let Some(Question {
            ask,
            suggested,
            may_skip,
            ..
        }) = setting.question
        else {
            return Ok(());
        };
        let suggested = match setting.key == table::ALLOWED_COUNTRIES.key {
            true => self.country_of_from(),
            false => suggested.map(str::to_owned),
        };
        let suggested = suggested.as_deref();
        // Enter takes a suggestion where there is one, so only then can it not skip.
        let question = match (may_skip && suggested.is_none(), ask.strip_suffix(')')) {
            (true, Some(open)) => format!("{open}; Enter to leave unset)"),
            (true, None) => format!("{ask} (Enter to leave unset)"),
            (false, _) => ask.to_owned(),
        };
        let current = self.current.get(setting.key).map(String::as_str);
        let shown = current.or(suggested);
        loop {
            match shown {
                Some(value) => {
                    let _ = write!(self.err, "{question} [{}]: ", setting.shown(value));
                }
                None => {
                    let _ = write!(self.err, "{question}: ");
                }
            }
            let _ = self.err.flush();
            let line = read_line(self.input)?;
            let typed = line.trim();
            let answer = match (typed, current, suggested) {
                ("", Some(_), _) => return Ok(()),
                ("", None, Some(suggested)) => suggested,
                ("", None, None) if may_skip => return Ok(()),
                ("", None, None) => {
                    let _ = writeln!(self.err, "  it is needed for a send; type it in");
                    continue;
                }
                (typed, _, _) => typed,
            };
            match (setting.check)(answer) {
                Ok(()) => {
                    self.answers
                        .push((setting, Answer::Text(answer.to_owned())));
                    return Ok(());
                }
                Err(rule) => {
                    let _ = writeln!(self.err, "  {rule}; try again");
                }
            }
        }
    }

    /// The country of the `from` number answered or kept, the countries suggested:
    /// a business most often serves the country it sends from.
    fn country_of_from(&self) -> Option<String> {
        let answered = self.answers.iter().rev().find_map(|(setting, answer)| {
            match (setting.key == table::FROM.key, answer) {
                (true, Answer::Text(text)) => Some(text.as_str()),
                _ => None,
            }
        });
        let from = answered.or(self.current.get(table::FROM.key).map(String::as_str))?;
        let from: mfa::PhoneNumber = from.parse().ok()?;
        mfa::Placed::of(&from)
            .country
            .map(|country| country.to_string())
    }

    /// Asks for a secret without echo; Enter keeps the one set, if any.
    fn secret(&mut self, setting: &'static Setting) -> Result<(), Failure> {
        let question = setting
            .question
            .map_or(setting.what, |question| question.ask);
        let set = self.current.contains_key(setting.key);
        let prompt = if set {
            format!("{question} (typed without echo) [set]: ")
        } else {
            format!("{question} (typed without echo): ")
        };
        loop {
            let _ = self.err.flush();
            let typed = Secret::new((self.hidden)(&prompt).map_err(|e| {
                Failure::Usage(format!(
                    "cannot read the {} from the terminal: {e}; nothing was written",
                    setting.what
                ))
            })?);
            match (typed.expose().is_empty(), set) {
                (true, true) => return Ok(()),
                (true, false) => {
                    let _ = writeln!(self.err, "  it is needed for a send; type it in");
                }
                (false, _) => {
                    self.answers.push((setting, Answer::Secret(typed)));
                    return Ok(());
                }
            }
        }
    }

    /// Asks to choose one of two `options`, numbered under `question`; Enter takes
    /// `default`. An answer that is not a choice may be a secret typed too soon: it is
    /// kept nowhere, and wiped from the screen.
    fn choice(
        &mut self,
        question: &str,
        options: [&str; 2],
        default: &str,
    ) -> Result<String, Failure> {
        let _ = writeln!(self.err, "{question}");
        for (number, option) in ["1", "2"].iter().zip(options) {
            let _ = writeln!(self.err, "  {number}  {option}");
        }
        let prompt = format!("Type 1 or 2 [{default}]: ");
        loop {
            let _ = write!(self.err, "{prompt}");
            let _ = self.err.flush();
            let line = read_line(self.input)?;
            match line.trim() {
                "" => return Ok(default.to_owned()),
                one @ ("1" | "2") => return Ok(one.to_owned()),
                typed => {
                    let shown = prompt.chars().count() + typed.chars().count();
                    let _ = write!(self.err, "{}", wipe_lines(shown, columns()));
                    let _ = writeln!(
                        self.err,
                        "  that was not 1 or 2, so it was not kept (and is wiped from the \
                         screen); type 1 or 2"
                    );
                }
            }
        }
    }
}

/// The terminal's width, if it says.
fn columns() -> Option<usize> {
    #[cfg(unix)]
    return crate::cli::terminal::columns();
    #[cfg(not(unix))]
    None
}

/// What wipes the last `shown` characters typed and echoed (a prompt and an answer,
/// then Enter) from a terminal `columns` wide (80 if unknown): the cursor up a line and
/// the line cleared, for each line they took.
fn wipe_lines(shown: usize, columns: Option<usize>) -> String {
    let columns = columns.unwrap_or(80).max(1);
    let lines = shown.div_ceil(columns).max(1);
    format!("{}\r", "\x1b[1A\x1b[2K".repeat(lines))
}

/// One line typed at the terminal; its end (the terminal closed, Ctrl-D) ends the set-up
/// with nothing written.
fn read_line(input: &mut Input) -> Result<String, Failure> {
    let mut line = String::new();
    let read = (&mut input.reader)
        .take(LINE_CAP)
        .read_line(&mut line)
        .map_err(|e| Failure::Usage(format!("cannot read the answer: {e}")))?;
    if read == 0 {
        return Err(Failure::Usage(
            "the set-up ended before its last question; nothing was written".into(),
        ));
    }
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answers `typed` (one a line; `secrets` for what is typed without echo)
    /// give, with the profile holding `current`, and what was shown.
    fn answers(
        typed: &str,
        secrets: &[&str],
        current: &[(&'static str, &str)],
    ) -> (Result<Vec<(String, String)>, String>, String) {
        let current: Current = current
            .iter()
            .map(|(key, value)| (*key, value.to_string()))
            .collect();
        let mut reader = typed.as_bytes();
        let mut err = Vec::new();
        let mut secrets = secrets.iter();
        let mut prompts = String::new();
        let result = ask_with(
            &mut Input {
                reader: &mut reader,
                terminal: true,
            },
            &mut err,
            &current,
            &mut |prompt| {
                prompts.push_str(prompt);
                secrets
                    .next()
                    .map(|s| s.to_string())
                    .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))
            },
        )
        .map(|answers| {
            answers
                .into_iter()
                .map(|(setting, answer)| {
                    let text = match answer {
                        Answer::Text(text) => text,
                        Answer::Secret(secret) => secret.expose().clone(),
                    };
                    (setting.key.to_owned(), text)
                })
                .collect()
        })
        .map_err(|failure| failure.reason());
        // What the terminal showed, the prompts for secrets too.
        (result, String::from_utf8(err).unwrap() + &prompts)
    }

    #[test]
    fn each_answer_is_checked_and_asked_again_when_wrong() {
        // Account id, Basic, username, password by command, from (wrong, then right),
        // voice application, no messaging application, the suggested lifetime, the
        // country suggested: the from number's.
        let typed = "99x\n9900000\n\nu\n2\npass show x\n5554443333\n+15554443333\napp-1\n\n\n\n";
        let (answers, shown) = answers(typed, &[], &[]);
        assert_eq!(
            answers.unwrap(),
            [
                ("account_id", "9900000"),
                ("username", "u"),
                ("password_command", "pass show x"),
                ("from", "+15554443333"),
                ("voice_application_id", "app-1"),
                ("expiration_minutes", "5"),
                ("allowed_countries", "US"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert!(shown.contains("Account id: "), "{shown}");
        assert!(
            shown.contains(
                "Countries codes may go to (comma-separated, such as US,CA; any for every one) \
                 [US]: "
            ),
            "{shown}"
        );
        assert!(
            shown.contains("  must be digits only (e.g. 9900000); try again"),
            "{shown}"
        );
        assert!(shown.contains("  must be an E.164 number"), "{shown}");
        assert!(
            shown.contains("Code lifetime for verify, in minutes (1 to 15) [5]: "),
            "{shown}"
        );
    }

    #[test]
    fn enter_keeps_what_the_profile_holds() {
        let current = [
            ("account_id", "9900000"),
            ("username", "u"),
            ("password", "set"),
            ("from", "+15554443333"),
            ("expiration_minutes", "3"),
            ("allowed_countries", "GB"),
        ];
        // Every answer is Enter: nothing changes.
        let (kept, shown) = answers("\n\n\n\n\n\n\n\n\n", &[""], &current);
        assert_eq!(kept.unwrap(), []);
        assert!(shown.contains("Account id [9900000]: "), "{shown}");
        assert!(shown.contains("API username [u]: "), "{shown}");
        // A secret is asked for, never shown.
        let (changed, _) = answers("\n2\nc-1\n\n\n\n\n\n", &["s3cret"], &current);
        assert_eq!(
            changed.unwrap(),
            [("client_id", "c-1"), ("client_secret", "s3cret")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
    }

    #[test]
    fn every_rows_question_is_asked_on_one_way_to_sign_in_and_no_other() {
        // Basic with a password typed, then OAuth2; every answer Enter where it may be.
        let basic = answers("9900000\n1\nu\n1\n+15554443333\n\n\n\n\n", &["pw"], &[]);
        let oauth = answers("9900000\n2\nc-1\n+15554443333\n\n\n\n\n", &["s"], &[]);
        let by_command = answers("9900000\n1\nu\n2\npass x\n+15554443333\n\n\n\n\n", &[], &[]);
        let mut asked = String::new();
        for (result, shown) in [basic, oauth, by_command] {
            assert!(result.is_ok(), "{shown}");
            // A question of the sign-in choice is not asked again after it.
            for setting in table::SETTINGS {
                let Some(question) = setting.question else {
                    continue;
                };
                let ask = question.ask.strip_suffix(')').unwrap_or(question.ask);
                // As a prompt: followed by its colon, its [value] or its skip note.
                let prompts: usize = [":", " [", ";", " (Enter"]
                    .iter()
                    .map(|after| shown.matches(&format!("{ask}{after}")).count())
                    .sum();
                assert!(prompts <= 1, "{setting:?} twice: {shown}");
            }
            asked.push_str(&shown);
        }
        for setting in table::SETTINGS {
            match setting.question {
                Some(question) => {
                    // A question that may be skipped says so inside its brackets.
                    let ask = question.ask.strip_suffix(')').unwrap_or(question.ask);
                    assert!(asked.contains(ask), "{setting:?}: {asked}");
                }
                None => assert!(!asked.contains(setting.what), "{setting:?}: {asked}"),
            }
        }
        assert!(
            asked.contains(
                "(the Bandwidth App lists it under Applications; Enter to leave unset): "
            )
        );
    }

    #[test]
    fn a_password_typed_at_a_choice_is_kept_nowhere_and_wiped_from_the_screen() {
        let typed = "9900000\nhunter2-pw\n1\nu\n1\n+15554443333\n\n\n\n\n";
        let (answers, shown) = answers(typed, &["pw"], &[]);
        let answers = answers.unwrap();
        assert!(
            answers.iter().all(|(_, value)| !value.contains("hunter2")),
            "{answers:?}"
        );
        let warning = "  that was not 1 or 2, so it was not kept (and is wiped from the screen); \
                       type 1 or 2\n";
        // The prompt and the answer took one line of 80 columns: that line is wiped.
        assert!(
            shown.contains(&format!("Type 1 or 2 [1]: \x1b[1A\x1b[2K\r{warning}")),
            "{shown:?}"
        );
        // Each choice says what the numbers mean, and asks for a number, not a secret.
        assert!(shown.contains("How mfa signs in:\n  1  an API username and password\n"));
        assert!(shown.contains(
            "Where the API password will come from (not the password itself: that is asked \
             for next, without echo):\n"
        ));
    }

    #[test]
    fn a_wipe_takes_as_many_lines_as_were_shown() {
        let up = "\x1b[1A\x1b[2K";
        for (shown, columns, lines) in [
            (0, Some(80), 1),
            (24, Some(80), 1),
            (80, Some(80), 1),
            (81, Some(80), 2),
            (200, Some(40), 5),
            (100, None, 2),
            (5, Some(0), 5),
        ] {
            assert_eq!(
                wipe_lines(shown, columns),
                format!("{}\r", up.repeat(lines)),
                "{shown} {columns:?}"
            );
        }
    }

    #[test]
    fn the_end_of_input_writes_nothing() {
        let (answers, _) = answers("9900000\n", &[], &[]);
        assert_eq!(
            answers.unwrap_err(),
            "the set-up ended before its last question; nothing was written"
        );
    }
}
