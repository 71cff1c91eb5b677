//! `mfa man`: the manual made from the same clap definition the parser uses, so it
//! never drifts from the flags.
//!
//! The man page is one page, mfa(1): clap_mangen's name, synopsis, description and
//! global options, then each command with its own options, then the sections a man
//! page reader looks for: EXAMPLES (the same as `--help`'s), EXIT STATUS (the same
//! table as `--help`), ENVIRONMENT (every variable `mfa` reads) and FILES.

use std::io::{self, Write};

use roff::{Roff, bold, italic, roman};

use crate::cli::args::Cli;
use crate::cli::examples::{WITH_EXAMPLES, example_lines};
use crate::cli::failure::EXIT_STATUS;
use crate::cli::settings::{proxy_variables, table};

/// Writes mfa(1) in roff to `out`.
pub fn write_man(out: &mut dyn Write) -> io::Result<()> {
    let command = Cli::documented();
    let version = command.get_version().unwrap_or_default().to_owned();
    let man = clap_mangen::Man::new(command.clone())
        .title("MFA")
        .section("1")
        .source(format!("mfa {version}"))
        .manual("User Commands");
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        command_section(&mut roff, "mfa", sub);
    }
    roff.control("SH", ["EXAMPLES"]);
    for path in WITH_EXAMPLES {
        for (what, lines) in example_lines(path) {
            roff.control("PP", []);
            roff.text([roman(*what)]);
            roff.control("RS", ["4"]);
            roff.control("nf", []);
            for line in lines.lines() {
                roff.text([roman(line)]);
                roff.control("br", []);
            }
            roff.control("fi", []);
            roff.control("RE", []);
        }
    }
    roff.control("SH", ["EXIT STATUS"]);
    for (exit, meaning) in EXIT_STATUS {
        roff.control("TP", []);
        roff.text([bold(exit)]);
        roff.text([roman(meaning)]);
    }
    roff.control("SH", ["ENVIRONMENT"]);
    roff.text([roman(
        "Flags beat variables, which beat the profile in the config file. A variable set \
         to the empty string counts as unset.",
    )]);
    for (name, meaning) in table::variables().into_iter().chain(proxy_variables()) {
        roff.control("TP", []);
        roff.text([bold(name)]);
        roff.text([roman(meaning)]);
    }
    roff.control("SH", ["FILES"]);
    for (file, meaning) in [
        (
            "~/.config/mfa/config.toml",
            "The config file (the user config folder's mfa/config.toml on other systems); \
             see mfa config init.",
        ),
        (
            "~/.cache/mfa/tokens/",
            "OAuth2 access tokens kept until they expire, one file per client, mode 600.",
        ),
    ] {
        roff.control("TP", []);
        roff.text([italic(file)]);
        roff.text([roman(meaning)]);
    }
    roff.control("SH", ["VERSION"]);
    roff.text([roman(version)]);
    roff.to_writer(out)?;
    out.flush()
}

/// `.SS mfa voice`, what it does, and its own options; then its own commands.
fn command_section(roff: &mut Roff, parent: &str, command: &clap::Command) {
    let name = format!("{parent} {}", command.get_name());
    roff.control("SS", [name.as_str()]);
    if let Some(about) = command.get_long_about().or_else(|| command.get_about()) {
        roff.text([roman(about.to_string())]);
    }
    for arg in command
        .get_arguments()
        .filter(|arg| !arg.is_hide_set() && !arg.is_global_set())
    {
        roff.control("TP", []);
        let mut header = Vec::new();
        if let Some(long) = arg.get_long() {
            header.push(bold(format!("--{long}")));
        }
        // An on/off flag (`--verify`) takes no value, whatever name clap keeps for it.
        let takes_value = arg.get_action().takes_values();
        if let Some(names) = arg.get_value_names().filter(|_| takes_value) {
            let names: Vec<String> = names.iter().map(|n| format!("<{n}>")).collect();
            if !header.is_empty() {
                header.push(roman(" "));
            }
            header.push(italic(names.join(" ")));
        }
        roff.text(header);
        if let Some(help) = arg.get_long_help().or_else(|| arg.get_help()) {
            roff.text([roman(help.to_string())]);
        }
    }
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        command_section(roff, &name, sub);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> String {
        let mut out = Vec::new();
        write_man(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_option_has_its_description() {
        let page = page();
        let lines: Vec<&str> = page.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let option = line.starts_with("\\fB\\-") && i > 0 && lines[i - 1] == ".TP";
            if option {
                let next = lines.get(i + 1).copied().unwrap_or_default();
                assert!(
                    !next.is_empty() && !next.starts_with('.'),
                    "no description: {line}"
                );
            }
        }
        for flag in [
            "config",
            "username",
            "client\\-id",
            "base\\-url",
            "ca\\-file",
        ] {
            assert!(page.contains(&format!("\\fB\\-\\-{flag}\\fR")), "{flag}");
        }
    }

    #[test]
    fn each_commands_option_is_written_as_its_definition_takes_it() {
        let page = page();
        let mut flags = 0;
        // The commands' own options; clap_mangen writes `mfa`'s.
        let mut each: Vec<clap::Command> = Cli::documented().get_subcommands().cloned().collect();
        while let Some(command) = each.pop() {
            each.extend(command.get_subcommands().cloned());
            for arg in command.get_arguments() {
                let Some(long) = arg.get_long() else { continue };
                if arg.is_hide_set() || arg.is_global_set() || long == "help" {
                    continue;
                }
                let head = format!("\\fB\\-\\-{}\\fR", long.replace('-', "\\-"));
                let line = page
                    .lines()
                    .find(|line| line.starts_with(&head))
                    .unwrap_or_else(|| panic!("no --{long}"));
                match arg.get_action().takes_values() {
                    true => {
                        let name = arg.get_value_names().unwrap()[0].as_str();
                        assert_eq!(line, format!("{head} \\fI<{name}>\\fR"), "--{long}");
                    }
                    false => {
                        assert_eq!(line, head, "--{long} takes no value");
                        flags += 1;
                    }
                }
            }
        }
        // --verify, --no-input, --yes, --all ...: on/off flags are there to check.
        assert!(flags >= 3, "{flags}");
    }

    #[test]
    fn the_examples_are_those_of_help() {
        // Text as roff writes it: backslashes doubled, dashes and quotes escaped.
        let roff = |text: &str| {
            text.replace('\\', "\\\\")
                .replace('-', "\\-")
                .replace('\'', "\\*(Aq")
        };
        let page = page();
        let examples = page.split(".SH EXAMPLES").nth(1).unwrap();
        for path in WITH_EXAMPLES {
            for (what, lines) in example_lines(path) {
                assert!(examples.contains(&roff(what)), "{what}");
                for line in lines.lines() {
                    assert!(examples.contains(&roff(line)), "{line}");
                }
            }
        }
    }

    #[test]
    fn the_man_page_gives_each_rows_flag_variable_and_key() {
        let mut out = Vec::new();
        write_man(&mut out).unwrap();
        let page = String::from_utf8(out).unwrap();
        let roff = |text: &str| text.replace('-', "\\-");
        let environment = page.split(".SH ENVIRONMENT").nth(1).unwrap();
        for setting in table::every_row() {
            if let Some(variable) = setting.variable {
                assert!(environment.contains(&roff(variable)), "{setting:?}");
            }
            if let Some(flag) = setting.flag {
                assert!(page.contains(&format!("\\fB{}", roff(flag))), "{setting:?}");
                if let Some(variable) = setting.variable {
                    assert!(
                        page.contains(&roff(&format!("[env: {variable}]"))),
                        "{setting:?}"
                    );
                }
                if setting.in_profile {
                    let key = roff(&format!("[profile: {}]", setting.key));
                    assert!(page.contains(&key), "{setting:?}");
                }
            }
        }
    }
}
