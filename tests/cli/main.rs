//! Integration tests: the real `mfa` binary against a local mockito server.
//!
//! Unix only: they use file modes, FIFOs, signals and a shell. On Windows the library's
//! tests and the unit tests run.
#![cfg(unix)]

mod api_errors;
mod audit;
mod config;
mod doctor;
mod dry_run;
mod echo;
mod guard;
mod hostile;
mod interrupt;
mod load;
mod oauth;
mod profiles;
mod proxy;
mod retries;
mod round_trip;
mod servers;
mod shell;
mod sms;
mod status;
mod support;
mod terminal;
mod tls;
mod transport;
mod trust;
mod validation;
mod verify;
mod was_it_sent;
