//! `mfa log`: the audit log's entries, newest first, filtered by number, time and
//! count; a table for people, JSON lines for scripts. In the table, an outcome learned
//! after a send (`status` entries: `mfa status`, `--wait`, the round trip's watch) is
//! no row of its own: the send's row shows the last one learned.
//!
//! The log is read as untrusted as any file: a regular file only, and a line that is
//! not one of `mfa`'s entries (damaged, cut, too long, another program's, or with a
//! time that is no RFC 3339 instant) is skipped and counted, never fatal. Memory stays
//! bounded whatever the log's size: a first pass reads it a line at a time and keeps,
//! for each entry shown, only its time and where it is in the file (with `--limit N`,
//! only the N newest); a second reads those lines again to show them. Times are
//! compared as instants, so an entry written with another offset sorts and filters
//! right.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::cli::args::{GlobalArgs, LogArgs, OutputFormat};
use crate::cli::audit::{self, Entry};
use crate::cli::failure::{Exit, Failure};
use crate::cli::interrupt;
use crate::cli::output;
use crate::cli::settings::{Env, Sources};
use crate::cli::untrusted_file;

/// The longest line read as an entry: an entry takes well under 1 KiB.
const LINE_CAP: usize = 64 * 1024;

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
    let sources = Sources::load_warning(global, env, config_dir, err)?;
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
    let unreadable = |why: String| {
        Failure::Config(format!(
            "cannot read the audit log {} (from {origin}): {why}",
            path.display()
        ))
    };
    let opened = untrusted_file::open_regular(&path, std::fs::OpenOptions::new().read(true));
    let mut file = match opened {
        // No call has been logged yet: the file is made by the first.
        Err(untrusted_file::Unreadable::Missing) => None,
        other => Some(other.map_err(|why| unreadable(why.to_string()))?),
    };
    let table = format == OutputFormat::Text;
    let wanted = |entry: &Entry| {
        args.to.as_ref().is_none_or(|to| entry.to == to.as_str())
            && !(table && entry.call == LEARNED)
    };
    let (chosen, skipped) = match &mut file {
        Some(file) => {
            choose(file, wanted, since, args.limit).map_err(|e| unreadable(e.to_string()))?
        }
        None => (Vec::new(), 0),
    };
    if skipped > 0 {
        let warning = format!(
            "{skipped} line(s) of {} are not mfa's entries (damaged or another program's) \
             and were skipped",
            output::escaped(&path.display().to_string())
        );
        let _ = output::write_warning(err, format, &warning);
    }
    // The table shows with each send the last outcome learned of it.
    let learned = match &mut file {
        Some(file) if table => learned_of(file, &chosen).map_err(|e| unreadable(e.to_string()))?,
        _ => HashMap::new(),
    };
    let mut entries = |show: &mut Show| -> io::Result<()> {
        let Some(file) = &mut file else {
            return Ok(());
        };
        for offset in &chosen {
            if let Some(entry) = entry_at(file, *offset)? {
                show(&entry)?;
            }
        }
        Ok(())
    };
    let shown = match format {
        OutputFormat::Json => entries(&mut |entry| out.write_all(&audit::line(entry))),
        OutputFormat::Text => write_table(out, &mut entries, &learned),
    };
    output::written(shown, out, "the log")?;
    Ok(Exit::Success)
}

/// When an entry was, and where it is: ordered newest first (the later time, then the
/// later line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Found {
    time: std::cmp::Reverse<SystemTime>,
    offset: std::cmp::Reverse<u64>,
}

/// The entries of `file` that `wanted` takes, at or after `since`, newest first, at
/// most `limit` of them, as where their lines begin; and how many non-empty lines were
/// not entries.
fn choose(
    file: &mut std::fs::File,
    wanted: impl Fn(&Entry) -> bool,
    since: Option<SystemTime>,
    limit: Option<usize>,
) -> io::Result<(Vec<u64>, usize)> {
    let mut skipped = 0;
    // With a limit, the newest `limit` so far: the heap's top is the oldest of them.
    let mut kept: std::collections::BinaryHeap<Found> = std::collections::BinaryHeap::new();
    file.seek(SeekFrom::Start(0))?;
    each_line(&mut BufReader::new(&mut *file), |offset, line| {
        let Some((entry, time)) = line.and_then(read_entry) else {
            skipped += 1;
            return;
        };
        if !wanted(&entry) || since.is_some_and(|since| time < since) {
            return;
        }
        kept.push(Found {
            time: std::cmp::Reverse(time),
            offset: std::cmp::Reverse(offset),
        });
        if limit.is_some_and(|limit| kept.len() > limit) {
            kept.pop();
        }
    })?;
    let chosen = kept
        .into_sorted_vec()
        .into_iter()
        .map(|found| found.offset.0)
        .collect();
    Ok((chosen, skipped))
}

/// Calls `each` with the offset of each non-empty line of `reader` and its bytes
/// (without the line ending), or `None` for a line longer than [`LINE_CAP`], which is
/// never held whole.
fn each_line(
    reader: &mut impl BufRead,
    mut each: impl FnMut(u64, Option<&[u8]>),
) -> io::Result<()> {
    let (mut offset, mut start) = (0u64, 0u64);
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            if too_long || !line.is_empty() {
                each(start, (!too_long).then_some(line.as_slice()));
            }
            return Ok(());
        }
        let (part, used, ended) = match buffer.iter().position(|b| *b == b'\n') {
            Some(at) => (&buffer[..at], at + 1, true),
            None => (buffer, buffer.len(), false),
        };
        if !too_long && line.len() + part.len() > LINE_CAP {
            too_long = true;
            line = Vec::new();
        } else if !too_long {
            line.extend_from_slice(part);
        }
        reader.consume(used);
        offset += used as u64;
        if ended {
            let blank = !too_long && line.iter().all(u8::is_ascii_whitespace);
            if !blank {
                each(start, (!too_long).then_some(line.as_slice()));
            }
            line.clear();
            too_long = false;
            start = offset;
        }
    }
}

/// The entry the line at `offset` of `file` holds, read again.
fn entry_at(file: &mut std::fs::File, offset: u64) -> io::Result<Option<Entry>> {
    file.seek(SeekFrom::Start(offset))?;
    let mut line = Vec::new();
    BufReader::new(&mut *file)
        .take(LINE_CAP as u64 + 1)
        .read_until(b'\n', &mut line)?;
    Ok(read_entry(line.trim_ascii_end()).map(|(entry, _)| entry))
}

/// One of `mfa`'s entries, and its time as an instant; `None` for anything else.
fn read_entry(line: &[u8]) -> Option<(Entry, SystemTime)> {
    let entry: Entry = serde_json::from_slice(line).ok()?;
    let time = instant(&entry.time)?;
    Some((entry, time))
}

/// The instant an RFC 3339 date and time names (`2026-12-01T09:00:00.123Z`, or with an
/// offset, `+02:00`, a lower-case `t` or `z`, any number of fractional digits); `None`
/// for anything else, a second 60 included.
pub fn instant(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    let (local, offset) = match bytes.last()? {
        b'Z' | b'z' => (&text[..text.len() - 1], 0i64),
        _ if text.len() > 6 && matches!(bytes[text.len() - 6], b'+' | b'-') => {
            let (local, zone) = text.split_at(text.len() - 6);
            let zone = zone.as_bytes();
            let digits = |a: u8, b: u8| -> Option<i64> {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
            };
            let (hours, minutes) = (digits(zone[1], zone[2])?, digits(zone[4], zone[5])?);
            if zone[3] != b':' || hours > 23 || minutes > 59 {
                return None;
            }
            let sign = if zone[0] == b'-' { -1 } else { 1 };
            (local, sign * (hours * 3600 + minutes * 60))
        }
        _ => return None,
    };
    // `YYYY-MM-DDTHH:MM:SS`, then a fraction or nothing.
    let local = local.as_bytes();
    if local.len() < 19
        || !matches!(local[10], b'T' | b't')
        || &local[17..19] == b"60"
        || (local.len() > 19 && (local[19] != b'.' || local.len() == 20))
    {
        return None;
    }
    let mut normal = local.to_vec();
    normal[10] = b'T';
    let normal = String::from_utf8(normal).ok()?;
    let utc = humantime::parse_rfc3339_weak(&normal).ok()?;
    let shift = Duration::from_secs(offset.unsigned_abs());
    match offset >= 0 {
        true => utc.checked_sub(shift),
        false => utc.checked_add(shift),
    }
}

/// The instant `when` names: a time ago (`2h`) or an RFC 3339 date and time in any of
/// its forms (`2026-12-01T09:00:00Z`, a fraction, an offset `+01:00`, a space or a
/// lower-case `t` between date and time), or a date alone (its midnight). A date and
/// time without a zone is UTC. A time ago reaching before 1970 is 1970 (no entry is
/// older); one past what the clock can hold, or a date out of range, is refused.
fn since(when: &str, now: SystemTime) -> Result<SystemTime, String> {
    let refused = || {
        format!(
            "invalid value '{}' for '--since <WHEN>': must be a time ago (2h, 30min, 7days) \
             or a date (2026-12-01) or date and time (2026-12-01T09:00:00Z, or with an \
             offset, 2026-12-01T10:00:00+01:00; without one, UTC) from 1970 to 9999",
            mfa::unversioned::printable(when)
        )
    };
    if let Ok(ago) = humantime::parse_duration(when) {
        return Ok(now
            .checked_sub(ago)
            .filter(|then| *then >= SystemTime::UNIX_EPOCH)
            .unwrap_or(SystemTime::UNIX_EPOCH));
    }
    // A date alone is its midnight; a date and time without an offset is in UTC; RFC
    // 3339 lets a space stand between the two.
    let mut full = match when.len() {
        10 => format!("{when}T00:00:00Z"),
        _ => when.to_owned(),
    };
    if full.as_bytes().get(10) == Some(&b' ') {
        full.replace_range(10..11, "T");
    }
    let bytes = full.as_bytes();
    let zoned = matches!(bytes.last(), Some(b'Z' | b'z'))
        || (bytes.len() >= 25
            && matches!(bytes[bytes.len() - 6], b'+' | b'-')
            && bytes[bytes.len() - 3] == b':');
    if !zoned {
        full.push('Z');
    }
    instant(&full).ok_or_else(refused)
}

/// The call of an entry that records an outcome learned after the send.
const LEARNED: &str = "status";

/// The last outcome learned of each id of the entries at `chosen` offsets of `file`:
/// of the `status` entries naming it, the latest one's words.
fn learned_of(
    file: &mut std::fs::File,
    chosen: &[u64],
) -> io::Result<HashMap<String, (SystemTime, String)>> {
    let mut ids = HashSet::new();
    for offset in chosen {
        ids.extend(entry_at(file, *offset)?.and_then(|entry| entry.id));
    }
    let mut last: HashMap<String, (SystemTime, String)> = HashMap::new();
    if ids.is_empty() {
        return Ok(last);
    }
    file.seek(SeekFrom::Start(0))?;
    each_line(&mut BufReader::new(&mut *file), |_, line| {
        let Some((entry, time)) = line.and_then(read_entry) else {
            return;
        };
        let (Some(id), Some(outcome)) = (entry.id, entry.outcome) else {
            return;
        };
        if entry.call != LEARNED || !ids.contains(&id) {
            return;
        }
        if last.get(&id).is_none_or(|(was, _)| *was <= time) {
            last.insert(id, (time, outcome));
        }
    })?;
    Ok(last)
}

/// What is done with each entry shown.
type Show<'a> = dyn FnMut(&Entry) -> io::Result<()> + 'a;

/// The entries as a table: time, command, number, scope, operator, outcome, id.
/// `entries` gives them twice: once to measure the columns, once to write the rows.
fn write_table(
    out: &mut dyn Write,
    entries: &mut dyn FnMut(&mut Show) -> io::Result<()>,
    learned: &HashMap<String, (SystemTime, String)>,
) -> io::Result<()> {
    let header = [
        "TIME", "COMMAND", "TO", "SCOPE", "OPERATOR", "OUTCOME", "ID",
    ]
    .map(str::to_owned);
    let mut widths = header.clone().map(|cell| cell.chars().count());
    entries(&mut |entry| {
        for (width, cell) in widths.iter_mut().zip(cells(entry, learned)) {
            *width = (*width).max(cell.chars().count());
        }
        Ok(())
    })?;
    let mut write_row = |row: &[String; 7]| {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            line.push_str(&format!("{cell:<width$}  "));
        }
        writeln!(out, "{}", line.trim_end())
    };
    write_row(&header)?;
    entries(&mut |entry| write_row(&cells(entry, learned)))
}

/// An entry's cells, each with control, format and separator characters escaped; a
/// send's outcome followed by the last one `learned` of it, if any.
fn cells(entry: &Entry, learned: &HashMap<String, (SystemTime, String)>) -> [String; 7] {
    let last = entry.id.as_ref().and_then(|id| learned.get(id));
    [
        entry.time.clone(),
        match entry.command == entry.call {
            true => entry.command.clone(),
            false => format!("{} ({})", entry.command, entry.call),
        },
        entry.to.clone(),
        entry.scope.clone().unwrap_or_default(),
        entry.operator.login.clone(),
        match last {
            Some((_, words)) => format!("{}; {words}", outcome(entry)),
            None => outcome(entry),
        },
        // A round trip's check shows the id of the send it checks.
        match (&entry.id, &entry.checks) {
            (Some(id), _) => id.clone(),
            (None, Some(sent)) => format!("(checks {sent})"),
            (None, None) => String::new(),
        },
    ]
    .map(|cell| mfa::unversioned::printable(&cell).into_owned())
}

/// How a call ended, in words: `sent`, `valid`, `invalid`, the doctor's `credentials
/// taken`, how a round trip ended at the code prompt, or what failed (with the HTTP
/// status) and whether anything may have gone out.
fn outcome(entry: &Entry) -> String {
    if let Some(how) = &entry.ended {
        return how.clone();
    }
    let status = entry
        .status
        .map(|status| format!(" (HTTP {status})"))
        .unwrap_or_default();
    let sent = match entry.sent.as_str() {
        "no" => "nothing sent",
        "yes" => "sent",
        _ => "may have been sent",
    };
    match (entry.exit, entry.valid) {
        (0, _) if entry.command == "doctor" => "credentials taken".into(),
        (0, Some(true)) => "valid".into(),
        (_, Some(false)) => "invalid".into(),
        (0, _) => "sent".into(),
        (exit, _) if exit > 128 => {
            let signal = interrupt::handled()
                .iter()
                .find(|signal| signal.exit().code() == exit)
                .map_or_else(|| format!("signal {}", exit - 128), |s| s.name().to_owned());
            let when = match entry.sent.as_str() {
                "no" => "before the request went out",
                "yes" => "after the API answered",
                _ => "while the request was out",
            };
            format!("interrupted ({signal}) {when}; {sent}")
        }
        (exit, _) => format!("{}{status}; {sent}", failed_as(exit)),
    }
}

/// What a failure with exit status `exit` was, in a few words (README, Exit status).
fn failed_as(exit: u8) -> String {
    match exit {
        2 => "refused as bad input".into(),
        3 => "a configuration error".into(),
        4 => "credentials refused".into(),
        5 => "rejected by the API".into(),
        6 => "rate limited".into(),
        7 => "the API failed".into(),
        8 => "a network failure".into(),
        9 => "an unexpected answer".into(),
        other => format!("failed (exit {other})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_of_the_exit_table_has_its_own_words_in_the_log() {
        use crate::cli::failure::EXIT_STATUS;
        // The failures: 2 to 9 (0, 1 and 10 are answers; 128 and up, signals).
        let failures: Vec<u8> = EXIT_STATUS
            .iter()
            .filter_map(|(code, _)| code.parse::<u8>().ok())
            .filter(|code| (2..=9).contains(code))
            .collect();
        assert_eq!(failures, (2..=9).collect::<Vec<u8>>());
        for code in failures {
            assert!(!failed_as(code).starts_with("failed (exit"), "{code}");
        }
        assert_eq!(failed_as(42), "failed (exit 42)");
    }

    fn at(text: &str) -> SystemTime {
        humantime::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn since_takes_a_time_ago_or_a_date_and_clamps_what_reaches_before_1970() {
        let now = at("1971-01-01T00:00:00Z");
        assert_eq!(since("2h", now).unwrap(), at("1970-12-31T22:00:00Z"));
        assert_eq!(
            since("2026-12-01", now).unwrap(),
            at("2026-12-01T00:00:00Z")
        );
        assert_eq!(
            since("2026-12-01T09:30:00+01:00", now).unwrap(),
            at("2026-12-01T08:30:00Z")
        );
        // Every RFC 3339 form names one instant; without a zone, it is UTC.
        for same in [
            "2026-12-01T08:30:00Z",
            "2026-12-01t08:30:00z",
            "2026-12-01 08:30:00Z",
            "2026-12-01T08:30:00",
            "2026-12-01 08:30:00",
            "2026-12-01T08:30:00.000",
            "2026-12-01T08:30:00.000Z",
            "2026-12-01T09:30:00+01:00",
            "2026-12-01T04:00:00-04:30",
            "2026-12-01 09:30:00.5+01:00",
        ] {
            let expected = match same.contains(".5") {
                true => at("2026-12-01T08:30:00.5Z"),
                false => at("2026-12-01T08:30:00Z"),
            };
            assert_eq!(since(same, now), Ok(expected), "{same}");
        }
        for far in ["100years", "2years", "1000000000years"] {
            assert_eq!(since(far, now), Ok(SystemTime::UNIX_EPOCH), "{far}");
        }
        for wrong in [
            "yesterday-ish",
            "0000-01-01",
            "10000-01-01",
            "2026-02-30",
            "2026-12-01T08:30",
            "2026-12-01T08:30:00+0100",
            "2026-12-01_08:30:00",
        ] {
            assert!(
                since(wrong, now).unwrap_err().contains("--since"),
                "{wrong}"
            );
        }
    }

    #[test]
    fn each_outcome_reads_in_words() {
        let entry = |command: &str, exit: u8, sent: &str, valid: Option<bool>| {
            let mut entry = Entry::begin(command, "verify", "p", "1", "+15553334444", None);
            (entry.exit, entry.valid) = (exit, valid);
            entry.sent = sent.into();
            entry
        };
        let mut refused = entry("voice", 4, "no", None);
        refused.status = Some(401);
        let mut abandoned = entry("voice", 130, "no", None);
        abandoned.ended = Some("interrupted (SIGINT) at the code prompt".into());
        for (entry, words) in [
            (entry("voice", 0, "yes", None), "sent"),
            (entry("verify", 0, "yes", Some(true)), "valid"),
            (entry("verify", 1, "yes", Some(false)), "invalid"),
            (entry("doctor", 0, "yes", Some(false)), "credentials taken"),
            (
                entry("voice", 130, "no", None),
                "interrupted (SIGINT) before the request went out; nothing sent",
            ),
            (
                entry("sms", 143, "maybe", None),
                "interrupted (SIGTERM) while the request was out; may have been sent",
            ),
            (refused, "credentials refused (HTTP 401); nothing sent"),
            (
                entry("voice", 8, "maybe", None),
                "a network failure; may have been sent",
            ),
            (entry("voice", 9, "yes", None), "an unexpected answer; sent"),
            (abandoned, "interrupted (SIGINT) at the code prompt"),
        ] {
            assert_eq!(outcome(&entry), words, "{entry:?}");
        }
    }

    #[test]
    fn times_are_read_as_rfc_3339_instants_and_anything_else_is_none() {
        let utc = at("2026-12-01T09:00:00Z");
        for same in [
            "2026-12-01T09:00:00Z",
            "2026-12-01T09:00:00.000Z",
            "2026-12-01t09:00:00z",
            "2026-12-01T10:00:00+01:00",
            "2026-12-01T04:30:00-04:30",
            "2026-12-01T09:00:00.000000000Z",
        ] {
            assert_eq!(instant(same), Some(utc), "{same}");
        }
        for wrong in [
            "2026-12-01T09:00:60Z",
            "2026-12-01T09:00:00",
            "2026-12-01 09:00:00Z",
            "2026-12-01T09:00:00.Z",
            "2026-12-01T09:00:00+24:00",
            "2026-12-01T09:00:00+01:60",
            "2026-13-01T09:00:00Z",
            "2026-02-29T09:00:00Z",
            "x",
            "",
        ] {
            assert_eq!(instant(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn lines_are_read_one_at_a_time_and_one_too_long_is_never_held() {
        let long = "x".repeat(LINE_CAP + 1);
        let text = format!("a\n\n  \n{long}\nb\r\nc");
        let mut seen = Vec::new();
        each_line(&mut text.as_bytes(), |offset, line| {
            seen.push((
                offset,
                line.map(|l| String::from_utf8_lossy(l).into_owned()),
            ));
        })
        .unwrap();
        let b_at = (2 + 1 + 3 + long.len() + 1) as u64;
        assert_eq!(
            seen,
            [
                (0, Some("a".to_owned())),
                (6, None),
                (b_at, Some("b\r".to_owned())),
                (b_at + 3, Some("c".to_owned())),
            ]
        );
    }

    #[test]
    fn the_newest_are_chosen_by_instant_and_damaged_lines_counted() {
        let entry = |time: &str, to: &str| {
            let mut entry = Entry::begin("voice", "voice", "p", "1", to, None);
            entry.time = time.to_owned();
            String::from_utf8(audit::line(&entry)).unwrap()
        };
        let lines = [
            entry("2026-12-01T09:00:00.000Z", "+15553334444"),
            "{\"time\":\"x\"\nnot json\n{\"other\":1}\n".to_owned(),
            // Later than the first, though written with another offset.
            entry("2026-12-01T10:30:00+01:00", "+15553334444"),
            entry("2026-12-01T08:00:00.000Z", "+15550000000"),
            entry("2026-12-01T09:00:60Z", "+15553334444"),
        ];
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("log");
        std::fs::write(&path, lines.concat()).unwrap();
        let mut file = std::fs::File::open(&path).unwrap();
        let all = |_: &Entry| true;
        let (chosen, skipped) = choose(&mut file, all, None, None).unwrap();
        assert_eq!(skipped, 4);
        let times: Vec<String> = chosen
            .iter()
            .map(|offset| entry_at(&mut file, *offset).unwrap().unwrap().time)
            .collect();
        assert_eq!(
            times,
            [
                "2026-12-01T10:30:00+01:00",
                "2026-12-01T09:00:00.000Z",
                "2026-12-01T08:00:00.000Z"
            ]
        );
        let (newest, _) = choose(&mut file, all, None, Some(1)).unwrap();
        assert_eq!(newest, chosen[..1]);
        let since = Some(at("2026-12-01T08:30:00Z"));
        let to = |entry: &Entry| entry.to == "+15550000000";
        assert!(choose(&mut file, to, since, None).unwrap().0.is_empty());
        assert_eq!(choose(&mut file, to, None, None).unwrap().0.len(), 1);
    }
}
