//! What a call needs from the settings: where it goes (`Connection`), and the body of
//! a send or a check. Only the application id differs between voice and text: each has
//! its own variable and profile key, and one is never taken for the other.

use mfa::{
    AccountId, ApplicationId, BaseUrl, Code, CodeRequest, Digits, ExpirationMinutes,
    MessageTemplate, PhoneNumber, Scope, VerifyRequest,
};

use super::sources::Sources;
use super::table::{self, Seconds};
use crate::cli::args::{GlobalArgs, SendArgs, VerifyArgs};
use crate::cli::failure::Failure;
use crate::cli::origin::Sourced;

/// How a code is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Voice,
    Messaging,
}

/// Where requests go, and for how long to wait.
#[derive(Debug)]
pub struct Connection {
    pub account_id: Sourced<AccountId>,
    pub base_url: Sourced<BaseUrl>,
    pub timeout: Sourced<Seconds>,
}

impl Sources<'_> {
    /// Where the request goes and how long it may take.
    pub fn connection(&self, global: &GlobalArgs) -> Result<Connection, Failure> {
        let account_id = self.pick(&table::ACCOUNT_ID, global.account_id.clone())?;
        let base_url = self
            .pick(&table::BASE_URL, global.base_url.clone())?
            .unwrap_or_else(|| Sourced::default_value(BaseUrl::default()));
        let timeout = self
            .pick(&table::TIMEOUT, global.timeout)?
            .unwrap_or_else(|| Sourced::default_value(Seconds::default_timeout()));
        Ok(Connection {
            account_id: account_id
                .ok_or_else(|| Failure::Config(self.missing(&table::ACCOUNT_ID)))?,
            base_url,
            timeout,
        })
    }

    /// The body of a request to send a code by `channel`.
    pub fn code_request(&self, args: &SendArgs, channel: Channel) -> Result<CodeRequest, Failure> {
        let from: Sourced<PhoneNumber> =
            self.require(&table::FROM, args.from.clone(), Failure::Usage)?;
        let application = match channel {
            Channel::Voice => &table::VOICE_APPLICATION_ID,
            Channel::Messaging => &table::MESSAGING_APPLICATION_ID,
        };
        let application_id: Sourced<ApplicationId> =
            self.require(application, args.application_id.clone(), Failure::Usage)?;
        let scope = self.scope(args.scope.clone())?;
        let message: Option<Sourced<MessageTemplate>> =
            self.pick(&table::MESSAGE, args.message.clone())?;
        let digits: Option<Sourced<Digits>> = self.pick(&table::DIGITS, args.digits)?;
        let mut request = CodeRequest::new(args.to().clone(), from.value, application_id.value);
        if let Some(scope) = scope {
            request = request.with_scope(scope);
        }
        if let Some(message) = message {
            request = request.with_message(message.value);
        }
        if let Some(digits) = digits {
            request = request.with_digits(digits.value);
        }
        Ok(request)
    }

    /// The body of a request to check `code`. There is no default code lifetime: how
    /// old a code may be is the operator's policy to state, once in the profile or
    /// on each call.
    pub fn verify_request(&self, args: &VerifyArgs, code: Code) -> Result<VerifyRequest, Failure> {
        let expiration: Sourced<ExpirationMinutes> =
            self.require(&table::EXPIRATION, args.expiration, Failure::Usage)?;
        let mut request = VerifyRequest::new(args.to().clone(), code, expiration.value);
        if let Some(scope) = self.scope(args.scope.clone())? {
            request = request.with_scope(scope);
        }
        Ok(request)
    }

    /// The scope, shared by sending and checking, so that a profile's scope checks
    /// the codes it sent.
    fn scope(&self, flag: Option<Scope>) -> Result<Option<Scope>, Failure> {
        let scope = self.pick(&table::SCOPE, flag)?;
        Ok(scope.map(|scope| scope.value))
    }
}
