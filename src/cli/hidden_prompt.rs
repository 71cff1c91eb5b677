//! A prompt whose answer is not shown as it is typed: a password, a client secret, the
//! code read back. Echo is turned off before the prompt is shown, so nothing typed
//! after the prompt appears is ever echoed, and the terminal is put back as it was
//! however the run ends: on return, on error, and by the signal handler (`interrupt`)
//! when a signal ends the run at the prompt.

use std::io;

/// The longest line read: more than any secret.
#[cfg(unix)]
const CAP: u64 = 64 * 1024;

/// Shows `prompt` on the terminal and reads one line from it without echo, its line
/// ending dropped.
#[cfg(unix)]
pub fn read(prompt: &str) -> io::Result<String> {
    use std::io::{BufRead, Read, Write};
    use std::os::fd::AsRawFd;

    use crate::cli::interrupt;

    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")?;
    let fd = tty.as_raw_fd();
    #[allow(unsafe_code)]
    // SAFETY: a zeroed termios is valid to be filled in; tcgetattr and tcsetattr read
    // and write the settings of the open terminal `fd` and the struct they are given.
    let was = unsafe {
        let mut was: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(fd, &mut was) != 0 {
            return Err(io::Error::last_os_error());
        }
        let mut hidden = was;
        hidden.c_lflag &= !libc::ECHO;
        hidden.c_lflag |= libc::ECHONL;
        interrupt::guard_terminal(fd, was);
        if libc::tcsetattr(fd, libc::TCSANOW, &hidden) != 0 {
            interrupt::terminal_back();
            return Err(io::Error::last_os_error());
        }
        was
    };
    let read = (|| -> io::Result<Vec<u8>> {
        (&tty).write_all(prompt.as_bytes())?;
        let mut line = Vec::new();
        io::BufReader::new(&tty)
            .take(CAP)
            .read_until(b'\n', &mut line)?;
        Ok(line)
    })();
    #[allow(unsafe_code)]
    // SAFETY: as above, the settings read before are written back.
    unsafe {
        libc::tcsetattr(fd, libc::TCSANOW, &was);
    }
    interrupt::terminal_back();
    let mut line = read?;
    if line.ends_with(b"\n") {
        line.pop();
        if line.ends_with(b"\r") {
            line.pop();
        }
    }
    String::from_utf8(line)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the text typed is not UTF-8"))
}

/// Elsewhere (Windows), the console's own hidden input.
#[cfg(not(unix))]
pub fn read(prompt: &str) -> io::Result<String> {
    rpassword::prompt_password(prompt)
}
