//! Completions that offer what exists: `mfa completions SHELL` prints a short script
//! that, at each TAB, asks `mfa` itself (with [`VARIABLE`] set) what may come next.
//!
//! `mfa` answers from the same clap definition the parser uses (commands, the options
//! that apply to each, the keys of the settings table, the values of `--output`), and
//! for `-p`/`--profile` from the profiles of the config file. Answering reads that
//! file and nothing else, through the same guarded reader as every run; it sends
//! nothing and needs no setting. The config file is the one `MFA_CONFIG` names, else
//! the default: a `--config` on the line being completed is not seen.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;

use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use clap_complete::env::{CompleteEnv, Shells};

use crate::cli::args::Cli;
use crate::cli::config_file;
use crate::cli::settings;

/// The variable the script sets to ask `mfa` for completions: named for `mfa`, so a
/// `COMPLETE` meant for another tool never turns a run into a completion.
pub const VARIABLE: &str = "MFA_COMPLETE";

/// If the script is asking (see [`VARIABLE`]), answers on stdout and ends the process;
/// otherwise returns at once, having only looked the variable up. The scripts ask as
/// `mfa -- WORDS...`: only such a call is a completion, so a `MFA_COMPLETE` left in the
/// environment never turns another run (`mfa voice ...`) into one that prints a script
/// and exits 0 without sending.
pub fn answer_if_asked() {
    if std::env::args_os().nth(1).as_deref() != Some(std::ffi::OsStr::new("--")) {
        return;
    }
    CompleteEnv::with_factory(offering_profiles)
        .var(VARIABLE)
        .complete();
}

/// The end of the zsh script when it runs as the autoloaded `_mfa`.
const ZSH_FIRST_TAB: &str =
    "if [ \"$funcstack[1]\" = \"_mfa\" ]; then _clap_dynamic_completer_mfa \"$@\"; fi\n";

/// Writes the script for `shell` to `out`: it registers a function that asks `mfa`,
/// found on the `PATH` when TAB is pressed.
pub fn write_script(shell: clap_complete::Shell, out: &mut dyn Write) -> io::Result<()> {
    let name = shell.to_string();
    let shells = Shells::builtins();
    let completer = shells
        .completer(&name)
        .ok_or_else(|| io::Error::other(format!("no completions for {name}")))?;
    let mut script = Vec::new();
    completer.write_registration(VARIABLE, "mfa", "mfa", "mfa", &mut script)?;
    if shell == clap_complete::Shell::Zsh {
        // Autoloaded from $fpath as `_mfa`, the script runs first at a TAB: complete
        // that TAB too, not only the ones after it.
        script.extend_from_slice(ZSH_FIRST_TAB.as_bytes());
    }
    out.write_all(&script)?;
    out.flush()
}

/// The command line as completions see it: documented, and `-p`/`--profile` (and the
/// NAME of `config use` and `config remove`) offering the profile names, in every
/// command that takes it.
fn offering_profiles() -> clap::Command {
    offer_profiles(Cli::documented())
}

fn offer_profiles(mut command: clap::Command) -> clap::Command {
    let takes_a_profile = matches!(command.get_name(), "use" | "remove");
    for id in ["profile", "name"] {
        let offers = id == "profile" || takes_a_profile;
        if offers && command.get_arguments().any(|arg| arg.get_id() == id) {
            command = command.mut_arg(id, |arg| {
                arg.add(ArgValueCandidates::new(|| {
                    profile_names(config_path())
                        .into_iter()
                        .map(CompletionCandidate::new)
                        .collect()
                }))
            });
        }
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    for name in names {
        command = command.mut_subcommand(name, offer_profiles);
    }
    command
}

/// The config file completions read: `MFA_CONFIG`, else the default path, as for any
/// command run without `--config`.
fn config_path() -> Option<PathBuf> {
    let env = |name: &str| std::env::var_os(name);
    let (path, _) = settings::config_path(None, &env, dirs::config_dir().as_deref())?;
    Some(path)
}

/// The names of the profiles in the file at `path`, in name order; none if it is
/// missing or unreadable (a completion has nowhere to say why). A name a shell could
/// not offer as one word (a blank or a control character in it) is left out.
fn profile_names(path: Option<PathBuf>) -> Vec<OsString> {
    let Some(Ok(Some(file))) = path.map(|path| config_file::load(&path, false)) else {
        return Vec::new();
    };
    file.profiles
        .into_keys()
        .filter(|name| !name.is_empty())
        .filter(|name| !name.chars().any(|c| c.is_whitespace() || c.is_control()))
        .map(OsString::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_come_from_the_file_and_only_those_a_shell_can_take() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("config.toml");
        std::fs::write(
            &path,
            "default_profile = \"work\"\n[profiles.work]\n[profiles.home]\n\
             [profiles.\"two words\"]\n[profiles.\"bell\\u0007\"]\n",
        )
        .unwrap();
        assert_eq!(profile_names(Some(path.clone())), ["home", "work"]);
        std::fs::write(&path, "this is [not toml").unwrap();
        assert!(profile_names(Some(path)).is_empty());
        assert!(profile_names(Some(folder.path().join("missing.toml"))).is_empty());
        assert!(profile_names(None).is_empty());
    }

    #[test]
    fn every_command_that_takes_a_profile_offers_the_names() {
        fn check(command: &clap::Command) {
            if let Some(arg) = command.get_arguments().find(|a| a.get_id() == "profile") {
                assert!(
                    arg.get::<ArgValueCandidates>().is_some(),
                    "{}",
                    command.get_name()
                );
            }
            command.get_subcommands().for_each(check);
        }
        check(&offering_profiles());
    }
}
