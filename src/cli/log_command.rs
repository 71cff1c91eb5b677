//! `mfa log`: the audit log's entries, newest first, filtered by number, time and
//! count; a table for people, JSON lines for scripts.
//!
//! The log is read as untrusted as any file: a regular file only, its last 64 MiB at
//! most, and a line that is not one of `mfa`'s entries (damaged, cut, or another
//! program's) is skipped and counted, never fatal.

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::SystemTime;

use crate::cli::args::{GlobalArgs, LogArgs, OutputFormat};
use crate::cli::audit::{self, Entry};
use crate::cli::failure::{Exit, Failure};
use crate::cli::output;
use crate::cli::settings::{Env, Sources};
use crate::cli::untrusted_file;

/// The most of a log that is read: its end, where the newest entries are.
const READ_CAP: u64 = 64 * 1024 * 1024;

/// Runs `mfa log`.
pub fn run(
    args: &LogArgs,
    global: &GlobalArgs,
    env: Env,
    config_dir: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Failure> {
    let format = global.format();
    let sources = Sources::load(global, env, config_dir)?;
    let Some((path, origin)) = sources.log_file(global)? else {
        return Err(Failure::Config(
            "no audit log is set, so there is nothing to show; turn it on with --log FILE, \
             MFA_LOG=FILE, or `mfa config set log_file FILE`, and each call is written to it"
                .into(),
        ));
    };
    let since = match &args.since {
        Some(when) => Some(since(when, SystemTime::now()).map_err(Failure::Usage)?),
        None => None,
    };
    let text = read_tail(&path).map_err(|why| {
        Failure::Config(format!(
            "cannot read the audit log {} (from {origin}): {why}",
            path.display()
        ))
    })?;
    let (mut entries, skipped) = parse(&text);
    entries.retain(|entry| {
        args.to.as_ref().is_none_or(|to| entry.to == to.as_str())
            && since
                .as_ref()
                .is_none_or(|since| entry.time.as_str() >= since.as_str())
    });
    // Newest first: RFC 3339 times in UTC, all alike, sort as text.
    entries.sort_by(|a, b| b.time.cmp(&a.time));
    if let Some(limit) = args.limit {
        entries.truncate(limit);
    }
    if skipped > 0 {
        let warning = format!(
            "{skipped} line(s) of {} are not mfa's entries (damaged or another program's) \
             and were skipped",
            path.display()
        );
        let _ = output::write_warning(err, format, &warning);
    }
    let shown = match format {
        OutputFormat::Json => entries
            .iter()
            .try_for_each(|entry| out.write_all(&audit::line(entry))),
        OutputFormat::Text => write_table(out, &entries),
    };
    output::written(shown, out, "the log")?;
    Ok(Exit::Success)
}

/// The time `when` names, as the log writes times: a time ago (`2h`) or a date and
/// time (`2026-12-01`, `2026-12-01T09:00:00Z`), in UTC.
fn since(when: &str, now: SystemTime) -> Result<String, String> {
    let refused = || {
        format!(
            "invalid value '{}' for '--since <WHEN>': must be a time ago (2h, 30min, 7days) \
             or a date (2026-12-01) or date and time (2026-12-01T09:00:00Z)",
            mfa::printable(when)
        )
    };
    if let Ok(ago) = humantime::parse_duration(when) {
        let then = now.checked_sub(ago).unwrap_or(SystemTime::UNIX_EPOCH);
        return Ok(audit::timestamp(then));
    }
    let full = match when.len() {
        10 => format!("{when}T00:00:00Z"),
        _ => when.to_owned(),
    };
    humantime::parse_rfc3339_weak(full.trim_end_matches('Z'))
        .map(audit::timestamp)
        .map_err(|_| refused())
}

/// The log's last [`READ_CAP`] bytes as text, from the first whole line; nothing if no
/// call has been logged yet (the file is made by the first).
fn read_tail(path: &Path) -> Result<String, String> {
    let opened = untrusted_file::open_regular(path, std::fs::OpenOptions::new().read(true));
    let mut file = match opened {
        Err(untrusted_file::Unreadable::Missing) => return Ok(String::new()),
        other => other.map_err(|why| why.to_string())?,
    };
    let length = file.metadata().map_err(|e| e.to_string())?.len();
    let start = length.saturating_sub(READ_CAP);
    file.seek(SeekFrom::Start(start))
        .map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(READ_CAP)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if start > 0 {
        // Cut in the middle of a line: it starts at the next one.
        let first = bytes
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| i + 1);
        bytes.drain(..first);
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The entries of the log's `text`, and how many non-empty lines were not entries.
fn parse(text: &str) -> (Vec<Entry>, usize) {
    let mut entries = Vec::new();
    let mut skipped = 0;
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        match serde_json::from_str::<Entry>(line) {
            Ok(entry) if is_entry(&entry) => entries.push(entry),
            _ => skipped += 1,
        }
    }
    (entries, skipped)
}

/// Whether an entry read back looks like one of `mfa`'s: a time as it writes times.
fn is_entry(entry: &Entry) -> bool {
    humantime::parse_rfc3339(&entry.time).is_ok()
}

/// The entries as a table: time, command, number, outcome, id.
fn write_table(out: &mut dyn Write, entries: &[Entry]) -> io::Result<()> {
    let rows: Vec<[String; 5]> = entries
        .iter()
        .map(|entry| {
            [
                entry.time.clone(),
                match entry.command == entry.call {
                    true => entry.command.clone(),
                    false => format!("{} ({})", entry.command, entry.call),
                },
                entry.to.clone(),
                outcome(entry),
                entry.id.clone().unwrap_or_default(),
            ]
            .map(|cell| mfa::printable(&cell).into_owned())
        })
        .collect();
    let header = ["TIME", "COMMAND", "TO", "OUTCOME", "ID"].map(str::to_owned);
    let mut widths = header.clone().map(|cell| cell.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            line.push_str(&format!("{cell:<width$}  "));
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// How a call ended, in a few words: `sent`, `valid`, `invalid`, or the failure.
fn outcome(entry: &Entry) -> String {
    let status = entry
        .status
        .map(|status| format!(", HTTP {status}"))
        .unwrap_or_default();
    match (entry.exit, entry.valid) {
        (0, Some(true)) => "valid".into(),
        (_, Some(false)) => "invalid".into(),
        (0, _) => "sent".into(),
        (exit, _) => format!("failed (exit {exit}{status}); sent: {}", entry.sent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn since_takes_a_time_ago_or_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(86_400 * 365);
        assert_eq!(since("2h", now).unwrap(), "1970-12-31T22:00:00.000Z");
        assert_eq!(
            since("2026-12-01", now).unwrap(),
            "2026-12-01T00:00:00.000Z"
        );
        assert_eq!(
            since("2026-12-01T09:30:00Z", now).unwrap(),
            "2026-12-01T09:30:00.000Z"
        );
        assert!(since("yesterday-ish", now).unwrap_err().contains("--since"));
    }

    #[test]
    fn damaged_or_foreign_lines_are_skipped_and_counted() {
        let good = String::from_utf8(audit::line(&Entry::begin(
            "voice",
            "voice",
            "p",
            "1",
            "+15553334444",
            None,
        )))
        .unwrap();
        let text = format!(
            "{good}{{\"time\":\"x\"\n\nnot json\n{{\"other\":1}}\n{good}{}",
            &good[..good.len() / 2]
        );
        let (entries, skipped) = parse(&text);
        assert_eq!((entries.len(), skipped), (2, 4));
    }
}
