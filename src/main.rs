//! The `mfa` binary: runs the command and exits with its status. All of it is in `cli`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
