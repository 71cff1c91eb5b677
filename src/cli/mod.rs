//! The `mfa` command: parses the command line, resolves settings, runs the command
//! and turns the outcome into output and an exit status.
//!
//! `run` takes everything from outside as parameters (arguments, an environment
//! lookup, the user's config and cache directories, stdin, stdout and stderr), so it
//! can be driven whole from a test; `main` only wires in the real ones.

mod api_command;
mod args;
mod audit;
mod ca_file;
mod call;
mod call_watch;
mod certificate;
mod completion;
mod config_command;
mod config_file;
mod credentials;
mod doctor;
mod examples;
mod failure;
mod flag_values;
mod guard;
mod hidden_prompt;
mod input;
mod interrupt;
mod log_command;
mod man;
mod origin;
mod output;
mod owned_path;
mod private_files;
mod round_trip;
mod send_record;
mod settings;
mod setup;
mod status_command;
mod status_line;
#[cfg(unix)]
mod terminal;
mod token_cache;
mod untrusted_file;
mod usage;
mod version;

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use args::{Cli, Command};
use failure::Exit;
use input::Input;
use output::Sends;
use settings::Env;

/// The user's folders: where the config file and the token cache are by default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Places<'a> {
    pub config_dir: Option<&'a Path>,
    pub cache_dir: Option<&'a Path>,
    /// Where the record of codes sent is kept (the guard's counts).
    pub state_dir: Option<&'a Path>,
}

/// Runs `mfa` in this process's real surroundings.
pub fn main() -> ExitCode {
    keep_out_of_core_dumps();
    interrupt::ignore_file_size_limit();
    completion::answer_if_asked();
    let env = |name: &str| std::env::var_os(name);
    // A folder made from a relative HOME or XDG_* variable would be taken from the
    // working directory: ignored, as the XDG spec says of relative paths.
    let absolute = |dir: Option<std::path::PathBuf>| dir.filter(|dir| dir.is_absolute());
    let (config_dir, cache_dir) = (absolute(dirs::config_dir()), absolute(dirs::cache_dir()));
    // The state folder where the system has one (Linux), else the local data folder.
    let state_dir = absolute(dirs::state_dir().or_else(dirs::data_local_dir));
    let exit = run(
        std::env::args_os(),
        &env,
        Places {
            config_dir: config_dir.as_deref(),
            cache_dir: cache_dir.as_deref(),
            state_dir: state_dir.as_deref(),
        },
        &mut Input {
            reader: &mut io::stdin().lock(),
            terminal: input::stdin_is_terminal(),
        },
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    );
    exit.into()
}

/// Marks the process not dumpable, as ssh-agent and gpg-agent do: no core file of it is
/// written (it would hold the password or client secret), and other processes of the
/// same user cannot attach to read its memory.
fn keep_out_of_core_dumps() {
    #[cfg(target_os = "linux")]
    #[allow(unsafe_code)]
    // SAFETY: prctl(PR_SET_DUMPABLE) takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

/// Runs `mfa` with the given arguments and surroundings; returns the exit status.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    env: Env,
    places: Places,
    input: &mut Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Exit {
    let args: Vec<OsString> = args.into_iter().collect();
    let cli = match Cli::parse_args(&args) {
        Ok(cli) => cli,
        Err(clap_error) => return usage::report(&clap_error, &args, out, err),
    };
    let result = match &cli.command {
        // Made from the command definition alone: no config file, no environment.
        Command::Completions { shell } => {
            let script = completion::write_script(*shell, out);
            output::written(script, out, "the completion script").map(|()| Exit::Success)
        }
        Command::Man => {
            let page = man::write_man(out);
            output::written(page, out, "the man page").map(|()| Exit::Success)
        }
        Command::Config(command) => {
            config_command::run(command, &cli.global, env, places, input, out, err)
        }
        Command::Doctor(args) => doctor::run(args, &cli.global, env, places, out),
        Command::Log(args) => log_command::run(args, &cli.global, env, places.config_dir, out, err),
        Command::Status(args) => {
            status_command::run(args, &cli.global, env, places, input, out, err)
        }
        Command::Api(command) => {
            api_command::run(command, &cli.global, env, places, input, out, err)
        }
    };
    // Listed whole, so a new command must say whether it may send a code.
    let sends = match cli.command {
        Command::Api(_) | Command::Doctor(_) => Sends::Maybe,
        Command::Config(_)
        | Command::Log(_)
        | Command::Status(_)
        | Command::Completions { .. }
        | Command::Man => Sends::Never,
    };
    match result {
        Ok(exit) => exit,
        Err(failure) => {
            let _ = output::write_failure_of(err, cli.global.format(), &failure, sends);
            failure.exit()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_process_is_kept_out_of_core_dumps() {
        keep_out_of_core_dumps();
        #[allow(unsafe_code)]
        // SAFETY: prctl(PR_GET_DUMPABLE) only returns a number.
        let dumpable = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
        assert_eq!(dumpable, 0);
    }

    #[test]
    fn usage_errors_are_one_line_and_exit_2() {
        let env = |_: &str| None;
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let exit = run(
            os(&["mfa", "voice", "--to", "+1"]),
            &env,
            Places::default(),
            &mut Input {
                reader: &mut &b""[..],
                terminal: false,
            },
            &mut out,
            &mut err,
        );
        assert_eq!(exit, Exit::Usage);
        let err = String::from_utf8(err).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("mfa: error: invalid value '+1' for '--to <NUMBER>': must be an E.164"),
            "{err}"
        );
        assert!(out.is_empty());
    }
}
