//! Unversioned: what the `mfa` command line uses of the library beyond its API.
//!
//! Nothing here is covered by semantic versioning: it may change or go in any release,
//! a patch release too. Build on the items at the crate's root. The same holds for
//! [`Transport::on_handshake`](crate::Transport::on_handshake), whose notice takes a
//! [`Handshake`].

pub use crate::request::REDACTED;
pub use crate::text::printable;
pub use crate::tls::Handshake;
pub use crate::transport::{BODY_CAP, HEAD_CAP};

use crate::request::Request;

/// Every header of `request` as it may be shown: `Authorization` as `<scheme>
/// <redacted>`.
pub fn shown_headers(request: &Request) -> Vec<(&'static str, String)> {
    let mut headers: Vec<(&'static str, String)> = request
        .plain_headers()
        .into_iter()
        .map(|(name, value)| (name, value.to_owned()))
        .collect();
    let authorization = format!("{} {REDACTED}", request.auth().name());
    headers.insert(1, ("Authorization", authorization));
    headers
}
