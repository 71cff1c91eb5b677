//! A prompt whose answer is not shown as it is typed: a password, a client secret, the
//! code read back (which may show, meanwhile, what is heard of the call). Echo is turned off before the prompt is shown, so nothing typed
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

    let (tty, was) = quiet_terminal(|hidden| {
        hidden.c_lflag &= !libc::ECHO;
        hidden.c_lflag |= libc::ECHONL;
    })?;
    let read = (|| -> io::Result<Vec<u8>> {
        (&tty).write_all(prompt.as_bytes())?;
        let mut line = Vec::new();
        io::BufReader::new(&tty)
            .take(CAP)
            .read_until(b'\n', &mut line)?;
        Ok(line)
    })();
    terminal_back(&tty, &was);
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

/// The terminal (`/dev/tty`), its settings changed by `change` (echo off), and the
/// settings it had, which the signal handler puts back if a signal ends the run first.
#[cfg(unix)]
fn quiet_terminal(
    change: impl FnOnce(&mut libc::termios),
) -> io::Result<(std::fs::File, libc::termios)> {
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
        let mut quiet = was;
        change(&mut quiet);
        interrupt::guard_terminal(fd, was);
        if libc::tcsetattr(fd, libc::TCSANOW, &quiet) != 0 {
            interrupt::terminal_back();
            return Err(io::Error::last_os_error());
        }
        was
    };
    Ok((tty, was))
}

/// Puts the terminal's settings `was` back.
#[cfg(unix)]
fn terminal_back(tty: &std::fs::File, was: &libc::termios) {
    use std::os::fd::AsRawFd;

    #[allow(unsafe_code)]
    // SAFETY: the settings read before are written back to the open terminal.
    unsafe {
        libc::tcsetattr(tty.as_raw_fd(), libc::TCSANOW, was);
    }
    crate::cli::interrupt::terminal_back();
}

/// Elsewhere (Windows), the console's own hidden input.
#[cfg(not(unix))]
pub fn read(prompt: &str) -> io::Result<String> {
    rpassword::prompt_password(prompt)
}

/// What a watching prompt heard meanwhile, when asked between keys.
pub enum Heard {
    /// Nothing new.
    Nothing,
    /// A line to show above the prompt; from now on, `key` (if any) typed before
    /// anything else is an answer alone.
    Say { line: String, key: Option<u8> },
    /// End the prompt now, as if that key had been typed.
    Answer,
}

/// What a watching prompt read.
#[derive(Debug, PartialEq, Eq)]
pub enum Typed {
    /// A line, its line ending dropped.
    Line(String),
    /// The key offered, alone.
    Key,
}

/// Shows `prompt` and reads one line without echo, as [`read`] does, but a key at a
/// time (the terminal's line editing off: backspace and Ctrl-U are done here), so
/// that between keys `heard` is asked what to show above the prompt, and a key offered
/// can answer alone.
#[cfg(unix)]
pub fn read_watching(prompt: &str, heard: &mut dyn FnMut() -> Heard) -> io::Result<Typed> {
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;

    let (tty, was) = quiet_terminal(|keys| {
        keys.c_lflag &= !(libc::ECHO | libc::ICANON);
        keys.c_cc[libc::VMIN] = 1;
        keys.c_cc[libc::VTIME] = 0;
    })?;
    let fd = tty.as_raw_fd();
    let read = (|| -> io::Result<Typed> {
        (&tty).write_all(prompt.as_bytes())?;
        let mut line = Vec::new();
        let mut offered: Option<u8> = None;
        loop {
            match heard() {
                Heard::Nothing => {}
                Heard::Say { line: said, key } => {
                    (&tty).write_all(format!("\r\x1b[2K{said}\r\n{prompt}").as_bytes())?;
                    offered = key.or(offered);
                }
                Heard::Answer => {
                    (&tty).write_all(b"\r\n")?;
                    return Ok(Typed::Key);
                }
            }
            let mut ready = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            #[allow(unsafe_code)]
            // SAFETY: one pollfd, valid for the call.
            let polled = unsafe { libc::poll(&mut ready, 1, 100) };
            if polled < 0 {
                let error = io::Error::last_os_error();
                if error.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(error);
            }
            if polled == 0 {
                continue;
            }
            let mut keys = [0u8; 64];
            let got = (&tty).read(&mut keys)?;
            if got == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            for &key in &keys[..got] {
                match key {
                    b'\n' | b'\r' => {
                        (&tty).write_all(b"\r\n")?;
                        return String::from_utf8(line).map(Typed::Line).map_err(|_| {
                            io::Error::new(
                                io::ErrorKind::InvalidData,
                                "the text typed is not UTF-8",
                            )
                        });
                    }
                    // Backspace, delete, Ctrl-U: line editing, done here.
                    0x08 | 0x7f => drop(line.pop()),
                    0x15 => line.clear(),
                    // Ctrl-D on an empty line: the end of input.
                    0x04 if line.is_empty() => return Err(io::ErrorKind::UnexpectedEof.into()),
                    key if line.is_empty()
                        && offered.is_some_and(|offered| offered.eq_ignore_ascii_case(&key)) =>
                    {
                        (&tty).write_all(b"\r\n")?;
                        return Ok(Typed::Key);
                    }
                    key if line.len() < CAP as usize => line.push(key),
                    _ => {}
                }
            }
        }
    })();
    terminal_back(&tty, &was);
    read
}

/// Elsewhere (Windows), the console's own hidden input, which blocks: what was heard
/// before the prompt shows above it, and the key offered is an answer as a line alone.
#[cfg(not(unix))]
pub fn read_watching(prompt: &str, heard: &mut dyn FnMut() -> Heard) -> io::Result<Typed> {
    let mut offered = None;
    loop {
        match heard() {
            Heard::Nothing => break,
            Heard::Say { line, key } => {
                eprintln!("{line}");
                offered = key.or(offered);
            }
            Heard::Answer => return Ok(Typed::Key),
        }
    }
    let line = read(prompt)?;
    match offered {
        Some(key) if line.as_bytes().eq_ignore_ascii_case(&[key]) => Ok(Typed::Key),
        _ => Ok(Typed::Line(line)),
    }
}
