//! Whether a `password_command` may ask on the terminal.
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
