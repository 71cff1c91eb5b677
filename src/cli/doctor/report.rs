//! The doctor's report: one line a check (`ok`, `warn` or `fail`, its name, a short
//! detail), written as each check ends in text, or one JSON object at the end; and the
//! exit status of the first check that failed.

use std::io::Write;

use serde::Serialize;

use crate::cli::args::OutputFormat;
use crate::cli::failure::{Exit, Failure};
use crate::cli::output;

/// How a check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

/// One line of the report.
#[derive(Debug, Serialize)]
struct Check {
    name: &'static str,
    status: Status,
    detail: String,
}

/// The checks made so far, and the exit status of the first that failed. In text, each
/// line is written as its check ends, so a slow check never hides those before it.
pub struct Report<'w> {
    checks: Vec<Check>,
    pub first_failure: Option<Exit>,
    format: OutputFormat,
    out: &'w mut dyn Write,
    /// The first error writing a line met; no line is written after it.
    unwritten: Option<std::io::Error>,
}

impl<'w> Report<'w> {
    pub fn new(format: OutputFormat, out: &'w mut dyn Write) -> Self {
        Report {
            checks: Vec::new(),
            first_failure: None,
            format,
            out,
            unwritten: None,
        }
    }

    pub fn ok(&mut self, name: &'static str, detail: impl Into<String>) {
        self.add(name, Status::Ok, detail.into());
    }

    pub fn warn(&mut self, name: &'static str, detail: impl Into<String>) {
        self.add(name, Status::Warn, detail.into());
    }

    /// A failed check: its detail is the failure's message, its class the exit status.
    /// A call that failed says whether it was made; nothing else sends anything. The
    /// doctor's one call checks a code no one was sent, so a call that may have been
    /// made (a 5xx, no answer) says no code was sent, not that one may have been checked.
    pub fn fail(&mut self, name: &'static str, failure: &Failure) {
        let detail = match failure.api_error() {
            Some(error) if error.delivery() != mfa::Delivery::NotSent => {
                format!("{}; no code was sent", failure.reason())
            }
            Some(_) => failure.sentence(),
            None => failure.reason(),
        };
        self.add(name, Status::Fail, detail);
        self.first_failure.get_or_insert(failure.exit());
    }

    /// A failed check of the network: exit 8.
    pub fn fail_network(&mut self, name: &'static str, detail: String) {
        self.add(name, Status::Fail, detail);
        self.first_failure.get_or_insert(Exit::Network);
    }

    pub fn add(&mut self, name: &'static str, status: Status, detail: String) {
        let check = Check {
            name,
            status,
            detail: output::escaped(&detail),
        };
        if self.format == OutputFormat::Text && self.unwritten.is_none() {
            let line = text_line(&check);
            let written = self
                .out
                .write_all(line.as_bytes())
                .and_then(|()| self.out.flush());
            self.unwritten = written.err();
        }
        self.checks.push(check);
    }

    /// Ends the report: in JSON, the one object; in text, whether every line was
    /// written.
    pub fn end(self) -> std::io::Result<()> {
        if let Some(unwritten) = self.unwritten {
            return Err(unwritten);
        }
        match self.format {
            OutputFormat::Text => Ok(()),
            OutputFormat::Json => {
                let report = serde_json::json!({
                    "ok": self.first_failure.is_none(),
                    "checks": self.checks,
                });
                writeln!(self.out, "{report}")
            }
        }
    }
}

/// A check's line of the text report: `ok    name: detail`.
fn text_line(check: &Check) -> String {
    let status = match check.status {
        Status::Ok => "ok",
        Status::Warn => "warn",
        Status::Fail => "fail",
    };
    format!("{status:<5} {}: {}\n", check.name, check.detail)
}
