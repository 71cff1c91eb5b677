//! Tests: the README's tables of options say what the settings table says, so a
//! setting added in one place fails here until the README has it too (`man`'s tests
//! hold the man page to the rows).

use std::collections::BTreeSet;

use clap::CommandFactory;

use super::table::{self, Setting};
use crate::cli::args::Cli;

/// One row of a README table of options: its flag, environment, profile key and
/// default cells.
#[derive(Debug)]
struct Row {
    flag: String,
    variable: String,
    key: String,
    default: String,
}

/// The README's option tables (those headed `| flag | environment | profile key |`),
/// each with the `###` heading above it.
fn readme_tables() -> Vec<(String, Vec<Row>)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let mut tables: Vec<(String, Vec<Row>)> = Vec::new();
    let mut heading = String::new();
    let mut in_table = false;
    for line in readme.lines() {
        if let Some(title) = line.strip_prefix("### ") {
            heading = title.to_owned();
        }
        if line.starts_with("| flag | environment | profile key |") {
            tables.push((heading.clone(), Vec::new()));
            in_table = true;
            continue;
        }
        if !line.starts_with('|') {
            in_table = false;
        }
        if !in_table || line.starts_with("|---") {
            continue;
        }
        // Cells split at each `|` that is not escaped (`text\|json`).
        let cells: Vec<String> = line
            .replace("\\|", "\u{0}")
            .split('|')
            .map(|cell| cell.trim().replace('\u{0}', "|"))
            .collect();
        tables.last_mut().unwrap().1.push(Row {
            flag: cells[1].clone(),
            variable: cells[2].clone(),
            key: cells[3].clone(),
            default: cells[4].clone(),
        });
    }
    tables
}

/// The words in backticks in `cell`.
fn quoted(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

/// Whether `row` is the README's row of `setting`.
fn is_row_of(row: &Row, setting: &Setting) -> bool {
    let variable = setting.variable.map(|variable| format!("`{variable}`"));
    let key = format!("`{}`", setting.key);
    match variable {
        Some(variable) => row.variable == variable,
        None => setting.in_profile && row.key.contains(&key),
    }
}

/// The long flags (`--from`) the flag cell of a README row names.
fn flags_of(row: &Row) -> Vec<String> {
    row.flag
        .split(['`', ' ', ','])
        .filter(|word| word.starts_with("--"))
        // `--wait=SECONDS` is `--wait` with its value.
        .map(|word| word.split('=').next().unwrap_or(word).to_owned())
        .collect()
}

#[test]
fn the_readme_gives_each_row_its_flag_variable_key_and_default() {
    let tables = readme_tables();
    let rows: Vec<&Row> = tables.iter().flat_map(|(_, rows)| rows).collect();
    for setting in table::every_row() {
        let of_setting: Vec<&&Row> = rows.iter().filter(|row| is_row_of(row, setting)).collect();
        assert!(
            !of_setting.is_empty(),
            "the README has no row for {setting:?}"
        );
        for row in of_setting {
            let flags = flags_of(row);
            match setting.flag {
                Some(flag) => assert!(flags.contains(&flag.to_owned()), "{setting:?}: {row:?}"),
                None => assert!(flags.is_empty(), "{setting:?} is never a flag: {row:?}"),
            }
            if setting.in_profile {
                assert!(
                    quoted(&row.key).contains(&setting.key),
                    "{setting:?}: {row:?}"
                );
            }
            if let Some(default) = setting.default {
                assert!(
                    quoted(&row.default).contains(&default),
                    "{setting:?}'s default: {row:?}"
                );
            }
        }
    }
}

#[test]
fn the_readme_names_no_variable_or_key_that_is_not_a_row() {
    let variables: BTreeSet<&str> = table::every_row().filter_map(|s| s.variable).collect();
    for (heading, rows) in readme_tables() {
        for row in rows {
            for variable in quoted(&row.variable) {
                assert!(variables.contains(variable), "{heading}: {row:?}");
            }
            for key in quoted(&row.key) {
                assert!(
                    table::by_key(key).is_some() || key == "default_profile",
                    "{heading}: {row:?}"
                );
            }
        }
    }
}

#[test]
fn each_commands_readme_table_lists_every_flag_it_takes() {
    let command = Cli::command();
    let longs = |command: &clap::Command, global: bool| -> BTreeSet<String> {
        command
            .get_arguments()
            .filter(|arg| arg.is_global_set() == global)
            .filter_map(|arg| arg.get_long())
            .filter(|long| *long != "help")
            .map(|long| format!("--{long}"))
            .collect()
    };
    for (heading, rows) in readme_tables() {
        let listed: BTreeSet<String> = rows.iter().flat_map(flags_of).collect();
        let names: Vec<&str> = match heading.as_str() {
            "`mfa voice` and `mfa sms` options" => vec!["voice", "sms"],
            "`mfa verify` options" => vec!["verify"],
            "Options every command takes" => {
                let mut global = longs(&command, true);
                global.remove("--version");
                assert_eq!(listed, global, "{heading}");
                continue;
            }
            other => panic!("a table of options under an unknown heading: {other}"),
        };
        for name in names {
            let sub = command.find_subcommand(name).unwrap();
            assert_eq!(listed, longs(sub, false), "{heading}: {name}");
        }
    }
}
