//! The round trip's watch of its call: while the help desk waits for the code read
//! back, a thread of its own asks the Voice API how the call is going (after 1 s, then
//! half as long again each time, up to 10 s between questions) and tells each change,
//! until the call is answered or has ended, its state cannot be asked, ten minutes
//! have passed, or the watch is dropped. A call not visible yet (404) is asked again
//! in silence. The thread has a client of its own, so its questions never touch the
//! send's status line or what an interruption says of a request out; it sends nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use mfa::{CallId, Client};

use crate::cli::status_command::call_words;

const FIRST_PAUSE: Duration = Duration::from_secs(1);
const LONGEST_PAUSE: Duration = Duration::from_secs(10);
/// Longer than any call rings: past it, the watch ends in silence.
const LONGEST_WATCH: Duration = Duration::from_secs(600);

/// A change in what is known of the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum News {
    /// Its state, in words, and whether it reached the phone (`None`: not final).
    State {
        words: String,
        reached: Option<bool>,
    },
    /// Its state cannot be asked (the credentials may not, the API failed): why. The
    /// watch ends.
    Unseen(String),
}

impl News {
    /// Whether it ended the call unanswered.
    pub fn unanswered(&self) -> bool {
        matches!(
            self,
            News::State {
                reached: Some(false),
                ..
            }
        )
    }
}

/// A watch of one call, until dropped.
pub struct Watch {
    news: Receiver<News>,
    stop: Arc<AtomicBool>,
}

impl Watch {
    /// Starts watching the call `id` with `client`, which asks the Voice API.
    pub fn start(client: Client, id: CallId) -> Watch {
        let (tell, news) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut pause = FIRST_PAUSE;
            let mut last = None;
            while started.elapsed() < LONGEST_WATCH {
                if !rest(pause, &stopped) {
                    return;
                }
                let news = match client.call_state(&id) {
                    Ok(state) => News::State {
                        words: call_words(&state),
                        reached: state.reached(),
                    },
                    // Not visible yet: Bandwidth shows a call within a few minutes.
                    Err(error) if error.status() == Some(404) => {
                        pause = (pause * 3 / 2).min(LONGEST_PAUSE);
                        continue;
                    }
                    Err(error) => News::Unseen(error.to_string()),
                };
                let ends = !matches!(news, News::State { reached: None, .. });
                if last.as_ref() != Some(&news) {
                    last = Some(news.clone());
                    if tell.send(news).is_err() {
                        return;
                    }
                }
                if ends {
                    return;
                }
                pause = (pause * 3 / 2).min(LONGEST_PAUSE);
            }
        });
        Watch { news, stop }
    }

    /// What has changed since last asked, if anything.
    pub fn news(&self) -> Option<News> {
        self.news.try_recv().ok()
    }

    /// Waits until the call's outcome is final, its state cannot be asked, the watch
    /// ends, or `deadline`; the last news, if any.
    pub fn outcome_by(&self, deadline: Instant) -> Option<News> {
        let mut last = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.news.recv_timeout(left) {
                Ok(news @ News::State { reached: None, .. }) => last = Some(news),
                Ok(news) => return Some(news),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return last,
            }
        }
    }
}

impl Drop for Watch {
    /// Ends the watch: the thread stops at its next rest, or when its question is
    /// answered.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Rests `pause`, a tenth of a second at a time; `false` once told to stop.
fn rest(pause: Duration, stop: &AtomicBool) -> bool {
    let until = Instant::now() + pause;
    while Instant::now() < until {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        std::thread::sleep(
            Duration::from_millis(100).min(until.saturating_duration_since(Instant::now())),
        );
    }
    !stop.load(Ordering::Relaxed)
}
