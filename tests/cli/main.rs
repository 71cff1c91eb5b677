//! Integration tests: the real `mfa` binary against a local mockito server.

mod config;
mod doctor;
mod dry_run;
mod hostile;
mod interrupt;
mod load;
mod oauth;
mod profiles;
mod proxy;
mod retries;
mod send;
mod sent;
mod servers;
mod shell;
mod sms;
mod support;
mod terminal;
mod tls;
mod transport;
mod validation;
mod verify;
