//! Every signal whose default would end the process, while a call is made: SIGHUP (the
//! terminal closed), Ctrl-C (SIGINT), Ctrl-\ (SIGQUIT), SIGTERM, and SIGUSR1, SIGUSR2,
//! SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU and the rest ([`handled`]): one line (or one
//! JSON error) saying whether the code may have gone out, exit 128 and the signal's
//! number (129, 130, 131, 143, ...), the terminal put back as it was, and the
//! `password_command` with all it started ended too. SIGXFSZ is ignored from the start
//! instead, so a write past the file-size limit fails and reports itself (an audit line
//! that cannot be written is a warning; the call's result stands). SIGKILL and SIGSTOP
//! cannot be caught; signals that mean a fault of the program (SIGSEGV, SIGBUS, ...)
//! keep their default.
//!
//! The handler may only do what is safe inside a signal handler: read atomics, send a
//! signal, write bytes already made, and exit. So the messages are made when the
//! handler is installed, one for each signal and each state, and the state is kept in
//! an atomic that the call moves along: nothing written yet, the request out (the
//! code may have been sent), the API's answer (2xx: sent; 4xx: refused, nothing sent;
//! 5xx: may have been). Files are replaced with the four signals held back
//! ([`held_back`]), so an interruption never leaves a temporary file holding a secret.

use std::sync::Once;
use std::sync::atomic::{AtomicI32, AtomicPtr, AtomicU8, Ordering};

use mfa::{Call, Delivery};

use crate::cli::args::OutputFormat;
use crate::cli::failure::{Exit, Failure, Signal};
use crate::cli::output;
use crate::cli::status_line;

/// How far the call got: an index into the messages.
static STATE: AtomicU8 = AtomicU8::new(NOTHING_SENT);
const NOTHING_SENT: u8 = 0;
const MAYBE_SENT: u8 = 1;
const SENT: u8 = 2;
/// The code was sent, and `--verify` waits for it to be typed back.
const AT_PROMPT: u8 = 3;

/// For each signal of [`handled`], in its order, what to write in each state.
type Made = Vec<[Vec<u8>; 4]>;

/// What the handler kills of a running `password_command`: minus its process group
/// (it has its own), or its process (it shares mfa's group and terminal); 0 for none.
static CHILD: AtomicI32 = AtomicI32::new(0);

/// What the handler writes: for each signal of [`handled`], one message a state. Made
/// anew for each call of a run (a round trip makes several); the old ones are freed
/// only with the signals held back ([`put`]), so the handler never reads freed memory.
static MESSAGES: AtomicPtr<Made> = AtomicPtr::new(std::ptr::null_mut());

/// The audit log's descriptor, or -1, and its entry for each signal and state: an
/// interrupted call is logged too.
#[cfg_attr(not(unix), allow(dead_code))]
static LOG_FD: AtomicI32 = AtomicI32::new(-1);
#[cfg_attr(not(unix), allow(dead_code))]
static LOG_LINES: AtomicPtr<Made> = AtomicPtr::new(std::ptr::null_mut());

/// The handler is installed once.
static INSTALLED: Once = Once::new();

/// From now on, the signals end the run saying what became of `call`, in `format`; on
/// a line of its own, a status line erased first if `status_line`. `hint` says where to
/// look before sending another (the audit log), if anywhere.
pub fn install(format: OutputFormat, call: Call, status_line: bool, hint: Option<String>) {
    let said = Said {
        format,
        status_line,
        hint,
    };
    let states = |signal: Signal| {
        [
            said.made(signal, call, Delivery::NotSent, None, None),
            said.made(signal, call, Delivery::MaybeSent, None, None),
            said.made(signal, call, Delivery::Sent, None, None),
            said.made(signal, call, Delivery::Sent, None, None),
        ]
    };
    arm(states);
}

/// From now on, in a round trip whose code `call` sent as `id`, the signals end the run
/// saying that the code was sent, and how far its check got: at the prompt, before the
/// check went out, while it was out, or once it was answered. Whatever the check's
/// state, the code was sent.
pub fn install_after_send(
    format: OutputFormat,
    call: Call,
    id: &str,
    status_line: bool,
    hint: Option<String>,
) {
    let said = Said {
        format,
        status_line,
        hint,
    };
    let id = Some(id);
    let states = |signal: Signal| {
        let sent = |check| said.made(signal, call, Delivery::Sent, Some(check), id);
        [
            sent("before the code read back was checked"),
            sent("while the code read back was being checked"),
            sent("after the check of the code read back was answered"),
            sent(AT_THE_PROMPT),
        ]
    };
    arm(states);
}

/// From now on, the signals end the run writing `message(signal)`: for a step that
/// makes no call (`mfa config init`'s questions), whatever the state.
pub fn install_words(mut message: impl FnMut(Signal) -> Vec<u8>) {
    arm(|signal| {
        let said = message(signal);
        [said.clone(), said.clone(), said.clone(), said]
    });
}

/// What was sent before a step that makes no call (a wait, a check, questions): its
/// word for scripts (`no`, `yes`), its words for a person, and the id of a code sent
/// (`callId` or `messageId`, and the id).
#[derive(Debug, Clone, Copy)]
pub struct SentBefore<'a> {
    pub word: &'a str,
    pub words: &'a str,
    pub id: Option<(&'a str, &'a str)>,
}

/// Nothing was sent.
pub const NOTHING_SENT_BEFORE: SentBefore<'static> = SentBefore {
    word: "no",
    words: "nothing was sent",
    id: None,
};

/// What a signal ends a step that makes no call with: `why`, then what was sent if
/// `sent` says (else it sent nothing and says nothing of it), as one `mfa: error: ...`
/// line after erasing a status line, or one JSON object of kind `interrupted`.
pub fn said(format: OutputFormat, why: &str, sent: Option<SentBefore>) -> Vec<u8> {
    let detail = match sent {
        Some(sent) => format!("{why}; {}", sent.words),
        None => why.to_owned(),
    };
    match format {
        OutputFormat::Text => format!("{}mfa: error: {detail}\n", status_line::ERASE),
        OutputFormat::Json => {
            let mut error = serde_json::json!({
                "kind": "interrupted", "message": why,
                "sent": sent.map_or("no", |sent| sent.word), "detail": detail,
            });
            if let Some((key, id)) = sent.and_then(|sent| sent.id) {
                error[key] = id.into();
            }
            format!("{}\n", serde_json::json!({ "error": error }))
        }
    }
    .into_bytes()
}

const AT_THE_PROMPT: &str = "at the code prompt, before the code read back was checked";

/// How the messages are written.
struct Said {
    format: OutputFormat,
    status_line: bool,
    hint: Option<String>,
}

impl Said {
    /// The message for `signal` once `call` got as far as `sent`, with where the round
    /// trip stood, if in one, and the id of the code sent.
    fn made(
        &self,
        signal: Signal,
        call: Call,
        sent: Delivery,
        stage: Option<&str>,
        id: Option<&str>,
    ) -> Vec<u8> {
        let mut bytes = Vec::new();
        if self.status_line {
            bytes.extend_from_slice(status_line::ERASE.as_bytes());
        }
        let hint = match (stage, &self.hint) {
            (Some(stage), Some(hint)) => Some(format!("{stage}; {hint}")),
            (Some(stage), None) => Some(stage.to_owned()),
            (None, hint) => hint.clone(),
        };
        let failure = Failure::Interrupted {
            signal,
            call,
            sent,
            hint,
            id: id.map(str::to_owned),
        };
        let _ = output::write_failure(&mut bytes, self.format, &failure);
        bytes
    }
}

/// Makes the messages of each signal and state, the call not yet under way, and
/// installs the handler if it is not yet.
fn arm(states: impl FnMut(Signal) -> [Vec<u8>; 4]) {
    STATE.store(NOTHING_SENT, Ordering::Relaxed);
    put(&MESSAGES, handled().iter().copied().map(states).collect());
    INSTALLED.call_once(unix::install_handler);
}

/// From now on an interruption while a call is made appends `line(signal, state)` to
/// the audit log open as `fd`, before it ends the run.
#[cfg_attr(not(unix), allow(dead_code))]
pub fn log_to(fd: i32, line: impl Fn(Signal, Delivery) -> Vec<u8>) {
    let states = |signal| {
        [
            line(signal, Delivery::NotSent),
            line(signal, Delivery::MaybeSent),
            line(signal, Delivery::Sent),
            Vec::new(),
        ]
    };
    put(&LOG_LINES, handled().iter().copied().map(states).collect());
    LOG_FD.store(fd, Ordering::SeqCst);
}

/// From now on an interruption at the code prompt (no call out) appends `line(signal)`
/// to the audit log open as `fd`: the round trip abandoned there.
#[cfg_attr(not(unix), allow(dead_code))]
pub fn log_at_prompt_to(fd: i32, line: impl Fn(Signal) -> Vec<u8>) {
    let states = |signal| [Vec::new(), Vec::new(), Vec::new(), line(signal)];
    put(&LOG_LINES, handled().iter().copied().map(states).collect());
    LOG_FD.store(fd, Ordering::SeqCst);
}

/// The code was sent and `--verify` asks for it: an interruption now says the code
/// was sent and not checked.
pub fn at_prompt() {
    STATE.store(AT_PROMPT, Ordering::Relaxed);
}

/// The code read back is about to be checked: nothing of the check is out yet.
pub fn check_out() {
    STATE.store(NOTHING_SENT, Ordering::Relaxed);
}

/// The first byte of the call's request was written: the code may be on its way.
pub fn request_written() {
    STATE.store(MAYBE_SENT, Ordering::Relaxed);
}

/// The API answered `status`: 2xx took the request, 4xx refused it (a retry or a
/// renewed token may follow), 5xx may have acted on it.
pub fn answered(status: u16) {
    let state = match status {
        200..=299 => SENT,
        400..=499 => NOTHING_SENT,
        _ => MAYBE_SENT,
    };
    STATE.store(state, Ordering::Relaxed);
}

/// Runs `start` with the four signals held back, and notes the child it starts (its
/// process group, if `own_group`), so that an interruption ends it too; none is lost
/// between.
pub fn start_child<T>(
    own_group: bool,
    start: impl FnOnce() -> std::io::Result<(T, u32)>,
) -> std::io::Result<T> {
    held_back(|| {
        let (child, id) = start()?;
        let id = i32::try_from(id).unwrap_or(0);
        CHILD.store(if own_group { -id } else { id }, Ordering::Relaxed);
        Ok(child)
    })
}

/// The child started with [`start_child`] has ended.
pub fn child_ended() {
    CHILD.store(0, Ordering::Relaxed);
}

/// If a child ended by a handled signal (Ctrl-C at a terminal it held), ends this run
/// by the same signal, with its word on what was sent.
pub fn pass_on(status: std::process::ExitStatus) {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal()
            && unix::number_of(signal).is_some()
        {
            unix::raise(signal);
        }
    }
    #[cfg(not(unix))]
    let _ = status;
}

/// Runs `work` with every handled signal held back: one that comes meanwhile takes
/// effect when `work` is done. For replacing a file: the temporary file is renamed
/// or removed before the run can end.
pub fn held_back<T>(work: impl FnOnce() -> T) -> T {
    let held = unix::hold();
    let done = work();
    unix::release(held);
    done
}

#[cfg(unix)]
pub use unix::{guard_terminal, terminal_back};

/// From the start of the run: SIGXFSZ is ignored, so a write past the file-size limit
/// fails and says so (see the module's doc).
pub fn ignore_file_size_limit() {
    unix::ignore_file_size_limit();
}

/// The state's message for `signal`, as the handler writes it.
#[cfg_attr(not(unix), allow(dead_code))]
fn message(signal: Signal) -> &'static [u8] {
    of_state(&MESSAGES, signal)
}

/// The state's audit log entry for `signal`, if a log is open.
#[cfg_attr(not(unix), allow(dead_code))]
fn log_line(signal: Signal) -> &'static [u8] {
    of_state(&LOG_LINES, signal)
}

/// Puts `made` in `slot` for the handler, and frees what was there. The swap and the
/// free happen with the signals held back on this thread, the one that makes the calls
/// and so the only one running while a call's messages change (a `password_command`'s
/// reader threads end before its call starts): no handler can be reading the old ones.
fn put(slot: &AtomicPtr<Made>, made: Made) {
    held_back(|| {
        let old = slot.swap(Box::into_raw(Box::new(made)), Ordering::SeqCst);
        if !old.is_null() {
            // SAFETY: `old` came from Box::into_raw above, in an earlier call, and no
            // one else holds it: the slot no longer gives it out, and no handler runs.
            #[allow(unsafe_code)]
            drop(unsafe { Box::from_raw(old) });
        }
    });
}

/// The bytes made for `signal` and the state the call is in now.
fn of_state(made: &AtomicPtr<Made>, signal: Signal) -> &'static [u8] {
    let state = usize::from(STATE.load(Ordering::Relaxed)).min(3);
    let signal = handled().iter().position(|s| *s == signal).unwrap_or(0);
    let made = made.load(Ordering::SeqCst);
    // SAFETY: the pointer is null or came from a Box; [`put`] frees it only with the
    // signals held back, when neither the handler nor this (on the same thread) runs.
    #[allow(unsafe_code)]
    let made: Option<&'static Made> = unsafe { made.as_ref() };
    made.and_then(|made| made.get(signal))
        .map_or(&[][..], |made| &made[state])
}

/// Every signal that ends a run with a word on what was sent: each whose default
/// action would end the process, but the program's own faults and SIGXFSZ (ignored).
pub fn handled() -> &'static [Signal] {
    unix::HANDLED
}

/// The exit status for `signal`.
#[cfg_attr(not(unix), allow(dead_code))]
fn exit_of(signal: Signal) -> Exit {
    signal.exit()
}

#[cfg(unix)]
#[allow(unsafe_code)]
mod unix {
    use super::*;

    /// A signal of this system by its libc constant, named as the system names it.
    macro_rules! signals {
        ($($name:ident),* $(,)?) => {
            &[$(Signal::new(libc::$name as u8, stringify!($name))),*]
        };
    }

    /// Each signal handled, in the order of their numbers on Linux.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub(super) const HANDLED: &[Signal] = signals![
        SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGSTKFLT, SIGXCPU, SIGVTALRM,
        SIGPROF, SIGIO, SIGPWR,
    ];
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    pub(super) const HANDLED: &[Signal] = signals![
        SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGXCPU, SIGVTALRM, SIGPROF,
    ];

    /// The signal a system number stands for, if it is handled.
    pub(super) fn number_of(number: libc::c_int) -> Option<Signal> {
        HANDLED
            .iter()
            .find(|signal| libc::c_int::from(signal.number()) == number)
            .copied()
    }

    /// The terminal a hidden prompt changed, and how it was before: put back by the
    /// handler, whatever ends the run.
    static TERMINAL_FD: AtomicI32 = AtomicI32::new(-1);
    static TERMINAL_WAS: AtomicPtr<libc::termios> = AtomicPtr::new(std::ptr::null_mut());

    /// From now until [`terminal_back`], an ending signal puts the terminal `fd` back
    /// as `was`.
    pub fn guard_terminal(fd: i32, was: libc::termios) {
        TERMINAL_WAS.store(Box::leak(Box::new(was)), Ordering::SeqCst);
        TERMINAL_FD.store(fd, Ordering::SeqCst);
        INSTALLED.call_once(install_handler);
    }

    /// The terminal is as it was again.
    pub fn terminal_back() {
        TERMINAL_FD.store(-1, Ordering::SeqCst);
    }

    extern "C" fn on_signal(number: libc::c_int) {
        let signal = number_of(number).unwrap_or(HANDLED[1]);
        let child = CHILD.load(Ordering::Relaxed);
        let message = message(signal);
        let (log, line) = (LOG_FD.load(Ordering::Relaxed), log_line(signal));
        let (terminal, was) = (
            TERMINAL_FD.load(Ordering::SeqCst),
            TERMINAL_WAS.load(Ordering::SeqCst),
        );
        // SAFETY: tcsetattr(3), kill(2), write(2), signal(2), raise(3), sigprocmask(2)
        // and _exit(2) are async-signal-safe, and touch only integers, a signal set on
        // the stack, a terminal's settings and the bytes of a message and a log line
        // made before, none of them ever freed.
        unsafe {
            if terminal >= 0 && !was.is_null() {
                libc::tcsetattr(terminal, libc::TCSANOW, was);
            }
            if child != 0 {
                libc::kill(child, libc::SIGKILL);
            }
            if log >= 0 && !line.is_empty() {
                libc::write(log, line.as_ptr().cast(), line.len());
            }
            if message.is_empty() {
                // No call under way (a hidden prompt of `config set`): the signal's own
                // ending, now that the terminal is back.
                libc::signal(number, libc::SIG_DFL);
                libc::raise(number);
                let mut this: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut this);
                libc::sigaddset(&mut this, number);
                libc::sigprocmask(libc::SIG_UNBLOCK, &this, std::ptr::null_mut());
            }
            libc::write(2, message.as_ptr().cast(), message.len());
            libc::_exit(i32::from(exit_of(signal).code()));
        }
    }

    pub(super) fn install_handler() {
        // SAFETY: a zeroed sigaction is valid (empty mask, no flags); the handler
        // does only what is async-signal-safe (see on_signal).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            for signal in HANDLED {
                libc::sigaction(signal.number().into(), &action, std::ptr::null_mut());
            }
        }
    }

    /// SIGXFSZ is ignored: a write past the file-size limit then fails with an error
    /// the code that made it reports, instead of ending the run without a word.
    pub(super) fn ignore_file_size_limit() {
        // SAFETY: signal(2) with SIG_IGN installs no code of ours.
        unsafe {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        }
    }

    /// Every handled signal.
    fn all() -> libc::sigset_t {
        // SAFETY: sigemptyset and sigaddset fill in the set they are given.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for signal in HANDLED {
                libc::sigaddset(&mut set, signal.number().into());
            }
            set
        }
    }

    /// Sends `signal` to this process, whose handler (if installed) ends the run.
    pub(super) fn raise(signal: libc::c_int) {
        // SAFETY: raise(3) takes a plain integer.
        unsafe {
            libc::raise(signal);
        }
    }

    /// Holds every handled signal back; returns the mask to go back to.
    pub(super) fn hold() -> libc::sigset_t {
        let set = all();
        // SAFETY: pthread_sigmask reads `set` and writes the old mask into `old`.
        unsafe {
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
            old
        }
    }

    /// Goes back to the mask `hold` returned; a signal held back meanwhile comes now.
    pub(super) fn release(old: libc::sigset_t) {
        // SAFETY: pthread_sigmask reads the mask it is given.
        unsafe {
            libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        }
    }

    /// Whether each handled signal is held back on this thread now.
    #[cfg(test)]
    pub(super) fn all_are_held() -> bool {
        // SAFETY: with a null new mask, pthread_sigmask only writes the current one.
        unsafe {
            let mut now: libc::sigset_t = std::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut now);
            HANDLED
                .iter()
                .all(|signal| libc::sigismember(&now, signal.number().into()) == 1)
        }
    }
}

/// Elsewhere (Windows) no handler is installed: Ctrl-C ends the run as the system
/// does, and nothing is held back.
#[cfg(not(unix))]
mod unix {
    pub(super) const HANDLED: &[super::Signal] = &[];
    pub(super) struct Held;
    pub(super) fn install_handler() {}
    pub(super) fn ignore_file_size_limit() {}
    pub(super) fn hold() -> Held {
        Held
    }
    pub(super) fn release(_: Held) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The handled signal called `name`.
    fn named(name: &str) -> Signal {
        *handled()
            .iter()
            .find(|signal| signal.name() == name)
            .unwrap()
    }

    /// The message the handler would write for `signal` now.
    fn shown(signal: Signal) -> String {
        String::from_utf8(message(signal).to_vec()).unwrap()
    }

    #[test]
    fn the_message_follows_the_call_from_nothing_sent_to_sent() {
        install(OutputFormat::Text, Call::VoiceCode, false, None);
        STATE.store(NOTHING_SENT, Ordering::Relaxed);
        assert_eq!(
            shown(named("SIGINT")),
            "mfa: error: interrupted (SIGINT) before the request went out; nothing was sent\n"
        );
        request_written();
        assert_eq!(
            shown(named("SIGTERM")),
            "mfa: error: interrupted (SIGTERM) while the request was out; the code may have \
             been sent, so check before sending another\n"
        );
        answered(429);
        assert!(shown(named("SIGINT")).ends_with("nothing was sent\n"));
        request_written();
        answered(503);
        assert!(shown(named("SIGINT")).contains("may have been sent"));
        answered(200);
        assert_eq!(
            shown(named("SIGINT")),
            "mfa: error: interrupted (SIGINT) after the API answered; the API took the \
             request, so the code was sent\n"
        );
        assert_eq!(
            shown(named("SIGHUP")),
            "mfa: error: interrupted (SIGHUP) after the API answered; the API took the \
             request, so the code was sent\n"
        );
        STATE.store(NOTHING_SENT, Ordering::Relaxed);
        assert_eq!(
            shown(named("SIGQUIT")),
            "mfa: error: interrupted (SIGQUIT) before the request went out; nothing was sent\n"
        );
        for (signal, exit) in [
            (named("SIGHUP"), 129),
            (named("SIGINT"), 130),
            (named("SIGQUIT"), 131),
            (named("SIGTERM"), 143),
        ] {
            assert_eq!(exit_of(signal).code(), exit, "{signal:?}");
        }
        // Every other signal that would end the run, as 128 and its number.
        for signal in handled() {
            assert_eq!(exit_of(*signal).code(), 128 + signal.number(), "{signal:?}");
            assert!(shown(*signal).contains(&format!("interrupted ({})", signal.name())));
        }
    }

    #[cfg(unix)]
    #[test]
    fn work_held_back_holds_the_signals_back_until_done() {
        assert!(!unix::all_are_held());
        let during = held_back(unix::all_are_held);
        assert!(during);
        assert!(!unix::all_are_held());
    }
}
