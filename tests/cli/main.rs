//! Integration tests: the real `mfa` binary against a local mockito server.

mod config;
mod dry_run;
mod oauth;
mod profiles;
mod send;
mod sms;
mod support;
mod transport;
mod validation;
mod verify;
