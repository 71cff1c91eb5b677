//! The status line: at a terminal, a wait of more than a second shows what `mfa` waits
//! for and how long so far, on one line of stderr rewritten each second and erased when
//! the wait is over.
//!
//! Only when stderr is a terminal and the output is text: a script's stderr stays empty
//! on success, and JSON stays one document. A thread of its own draws the line, so the
//! call is never held up by it; lines that stay (a retry announced, say) go through
//! the status line itself, which erases the status line first so the two never mix.

use std::fs::File;
use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a wait goes unremarked, and how often the line is redrawn.
const TICK: Duration = Duration::from_secs(1);

/// What moves the cursor to the start of the line and clears it.
pub const ERASE: &str = "\r\x1b[K";

/// The status line of one run; draws nothing unless [`StatusLine::start`] found a
/// terminal. Shared by the notices of the client, so each method takes `&self`.
pub struct StatusLine {
    shared: Option<Arc<Shared>>,
    drawer: Mutex<Option<JoinHandle<()>>>,
}

/// What `mfa` waits for now, at the host it is calling.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// To connect and write the request (or, at the token endpoint, for a token).
    Connect,
    /// For the answer.
    Answer,
    /// Until this moment, before trying again; then to connect.
    Retry { until: Instant },
    /// For the outcome of a code sent (`mfa status --wait`), between questions.
    Outcome,
}

/// The line for `phase` at `host`, the wait begun at `since`, seen at `now`.
fn line(phase: Phase, host: &str, since: Instant, now: Instant) -> String {
    let so_far = |from: Instant| now.saturating_duration_since(from).as_secs();
    match phase {
        Phase::Connect => format!("mfa: waiting for {host} ({} s)", so_far(since)),
        Phase::Answer => format!("mfa: waiting for {host} to answer ({} s)", so_far(since)),
        Phase::Retry { until } if now >= until => {
            format!("mfa: waiting for {host} ({} s)", so_far(until))
        }
        Phase::Retry { .. } => format!("mfa: waiting to try again ({} s)", so_far(since)),
        Phase::Outcome => format!(
            "mfa: waiting for the outcome of {host} ({} s)",
            so_far(since)
        ),
    }
}

struct Shared {
    /// Standard error, written without its lock: `main` holds that for the run.
    terminal: File,
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    host: String,
    phase: Phase,
    since: Instant,
    /// Whether the line is on the terminal now.
    shown: bool,
    /// The wait (by its start) and the second last drawn, so each is drawn once.
    drawn_at: Option<(Instant, u64)>,
    done: bool,
}

impl StatusLine {
    /// A status line, drawn only if `wanted` (stderr is a terminal, the output text),
    /// for a run that now connects to `host`.
    pub fn start(wanted: bool, host: &str) -> Self {
        let off = StatusLine {
            shared: None,
            drawer: Mutex::new(None),
        };
        let Some(terminal) = wanted.then(standard_error).flatten() else {
            return off;
        };
        let shared = Arc::new(Shared {
            terminal,
            state: Mutex::new(State {
                host: mfa::unversioned::printable(host).into_owned(),
                phase: Phase::Connect,
                since: Instant::now(),
                shown: false,
                drawn_at: None,
                done: false,
            }),
            changed: Condvar::new(),
        });
        let drawer = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("status line".into())
                .spawn(move || draw(&shared))
        };
        match drawer {
            Ok(drawer) => StatusLine {
                shared: Some(shared),
                drawer: Mutex::new(Some(drawer)),
            },
            Err(_) => off,
        }
    }

    /// Whether the line is drawn at all.
    pub fn on(&self) -> bool {
        self.shared.is_some()
    }

    /// From now on `mfa` connects to `host`.
    pub fn connecting(&self, host: &str) {
        self.now(|state| {
            state.host = mfa::unversioned::printable(host).into_owned();
            state.phase = Phase::Connect;
        });
    }

    /// From now on `mfa` waits for the outcome of `what` (a call or message id), as it
    /// has since `since`.
    pub fn awaiting(&self, what: &str, since: Instant) {
        if let Some(mut state) = self.lock() {
            state.host = mfa::unversioned::printable(what).into_owned();
            state.phase = Phase::Outcome;
            state.since = since;
        }
        if let Some(shared) = &self.shared {
            shared.changed.notify_all();
        }
    }

    /// The request is out: from now on `mfa` waits for the answer.
    pub fn written(&self) {
        self.now(|state| state.phase = Phase::Answer);
    }

    /// A retry is to come after `wait`: says so in a line that stays, then waits.
    pub fn retry(&self, wait: &mfa::Wait) {
        self.say(&format!("mfa: {wait}"));
        let until = Instant::now() + wait.delay;
        self.now(|state| state.phase = Phase::Retry { until });
    }

    /// Writes `line` to stderr to stay, the status line erased first (and redrawn at
    /// the next tick). Nothing when the line is off.
    fn say(&self, line: &str) {
        let (Some(shared), Some(mut state)) = (&self.shared, self.lock()) else {
            return;
        };
        let erase = if state.shown { ERASE } else { "" };
        let _ = writeln!(&shared.terminal, "{erase}{line}");
        state.shown = false;
    }

    /// The wait is over: erases the line and stops drawing it. Nothing is drawn after.
    pub fn finish(&self) {
        let Some(shared) = &self.shared else { return };
        if let Some(mut state) = self.lock() {
            state.done = true;
        }
        shared.changed.notify_all();
        let drawer = self.drawer.lock().map(|mut d| d.take());
        if let Ok(Some(drawer)) = drawer {
            let _ = drawer.join();
        }
    }

    /// Changes the state with `change`, the time of the wait counted from now.
    fn now(&self, change: impl FnOnce(&mut State)) {
        if let Some(mut state) = self.lock() {
            change(&mut state);
            state.since = Instant::now();
        }
        if let Some(shared) = &self.shared {
            shared.changed.notify_all();
        }
    }

    fn lock(&self) -> Option<MutexGuard<'_, State>> {
        let shared = self.shared.as_ref()?;
        Some(
            shared
                .state
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}

impl Drop for StatusLine {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The drawing thread: each whole second a wait has lasted, redraws the line, cut to
/// the terminal's width so that it never wraps; erases it when the run is done.
fn draw(shared: &Shared) {
    let mut state = shared.state.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        if state.done {
            if state.shown {
                let _ = write!(&shared.terminal, "{ERASE}");
            }
            return;
        }
        let now = Instant::now();
        let seconds = now.saturating_duration_since(state.since).as_secs();
        if seconds >= 1 && state.drawn_at != Some((state.since, seconds)) {
            let line: String = line(state.phase, &state.host, state.since, now)
                .chars()
                .take(width().saturating_sub(1))
                .collect();
            let _ = write!(&shared.terminal, "{ERASE}{line}");
            state.shown = true;
            state.drawn_at = Some((state.since, seconds));
        }
        let next = state.since + TICK * u32::try_from(seconds + 1).unwrap_or(u32::MAX);
        state = match shared
            .changed
            .wait_timeout(state, next.saturating_duration_since(now))
        {
            Ok((state, _)) => state,
            Err(poisoned) => poisoned.into_inner().0,
        };
    }
}

/// Standard error, as a file of its own (a duplicate descriptor).
#[cfg(unix)]
fn standard_error() -> Option<File> {
    use std::os::fd::AsFd;
    let duplicate = std::io::stderr().as_fd().try_clone_to_owned().ok()?;
    Some(File::from(duplicate))
}

#[cfg(not(unix))]
fn standard_error() -> Option<File> {
    None
}

/// The width of the terminal on stderr, 80 if it cannot be told.
#[cfg(unix)]
fn width() -> usize {
    crate::cli::terminal::columns().unwrap_or(80)
}

#[cfg(not(unix))]
fn width() -> usize {
    80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_wait_says_what_for_and_how_long_so_far() {
        let since = Instant::now();
        let later = since + Duration::from_millis(5_400);
        let host = "mfa.example.com:443";
        assert_eq!(
            line(Phase::Connect, host, since, later),
            "mfa: waiting for mfa.example.com:443 (5 s)"
        );
        assert_eq!(
            line(Phase::Answer, host, since, later),
            "mfa: waiting for mfa.example.com:443 to answer (5 s)"
        );
        let retry = Phase::Retry {
            until: since + Duration::from_secs(8),
        };
        assert_eq!(
            line(retry, host, since, later),
            "mfa: waiting to try again (5 s)"
        );
        assert_eq!(
            line(retry, host, since, since + Duration::from_millis(10_100)),
            "mfa: waiting for mfa.example.com:443 (2 s)"
        );
    }

    #[test]
    fn unwanted_it_is_off_and_every_call_does_nothing() {
        let status = StatusLine::start(false, "h");
        assert!(!status.on());
        status.written();
        status.connecting("other");
        status.finish();
        assert!(status.lock().is_none());
    }
}
