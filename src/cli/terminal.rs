//! The terminal: how wide it is, and whether a `password_command` may ask on it.
//!
//! The command normally runs in a process group of its own, so that stopping it stops
//! all it started. A background group cannot read the terminal, though: `read
//! </dev/tty`, pinentry-curses, `op` and other password managers that prompt would be
//! stopped, the typed text echoed, and the command killed at the time-out. So when
//! `mfa` holds the foreground of a terminal, the command shares `mfa`'s group (and so
//! the terminal), as git's credential helpers do: Ctrl-C then reaches both at once, and
//! `mfa` ends the command as it ends itself.

use std::os::fd::AsRawFd;

/// Whether `mfa` has a controlling terminal and its process group is in the foreground
/// of it (not run with `&`, not under a CI runner).
#[allow(unsafe_code)]
pub fn in_the_foreground() -> bool {
    let Ok(tty) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
    else {
        return false;
    };
    // SAFETY: getpgrp and tcgetpgrp take and return plain integers.
    unsafe { libc::getpgrp() == libc::tcgetpgrp(tty.as_raw_fd()) }
}

/// How many columns wide the terminal on stderr is, if stderr is one that says.
#[allow(unsafe_code)]
pub fn columns() -> Option<usize> {
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ fills the winsize it is given, and touches nothing else.
    let asked = unsafe { libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &mut size) };
    (asked == 0 && size.ws_col > 0).then_some(usize::from(size.ws_col))
}
