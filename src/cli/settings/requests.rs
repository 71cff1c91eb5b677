//! What a call needs from the settings: where it goes (`Connection`), and the body of
//! a send or a check. Only the application id differs between voice and text: each has
//! its own variable and profile key, and one is never taken for the other.

use mfa::{
    AccountId, ApplicationId, BaseUrl, Call, Code, CodeLimit, CodeRequest, Digits,
    ExpirationMinutes, MessageTemplate, PhoneNumber, Scope, VerifyRequest,
};

use super::sources::Sources;
use super::table::{self, Countries, NumberTypes, PerHour, PerNumber, Seconds, Setting, Uncounted};
use crate::cli::args::{ApiCommand, GlobalArgs, SendArgs, VerifyArgs};
use crate::cli::failure::Failure;
use crate::cli::origin::Sourced;

/// How a code is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Voice,
    Messaging,
}

impl Channel {
    /// The setting that holds the application id of sends by this channel.
    fn application(self) -> &'static Setting {
        match self {
            Channel::Voice => &table::VOICE_APPLICATION_ID,
            Channel::Messaging => &table::MESSAGING_APPLICATION_ID,
        }
    }
}

/// The guard's rules, as the settings give them.
#[derive(Debug, Clone)]
pub struct GuardRules {
    /// The countries allowed: `None` unset, `Some(Countries(None))` set to `any`.
    pub countries: Option<Countries>,
    pub refused_types: Vec<mfa::NumberType>,
    pub per_number: Option<CodeLimit>,
    pub per_hour: Option<CodeLimit>,
    pub uncounted: Uncounted,
}

impl GuardRules {
    /// The countries allowed, `None` for every one.
    pub fn allowed_countries(&self) -> Option<Vec<mfa::Country>> {
        self.countries.clone().and_then(|countries| countries.0)
    }

    /// Whether a limit needs the record of codes sent.
    pub fn counts(&self) -> bool {
        self.per_number.is_some() || self.per_hour.is_some()
    }
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

    /// Where `mfa status` asks: the Voice API (a call's state) and the Messaging API (a
    /// message's status), each from its setting, else Bandwidth's.
    pub fn question_urls(&self) -> Result<(BaseUrl, BaseUrl), Failure> {
        Ok((
            self.api_url(&table::VOICE_URL, mfa::DEFAULT_VOICE_URL)?,
            self.api_url(&table::MESSAGING_URL, mfa::DEFAULT_MESSAGING_URL)?,
        ))
    }

    /// Where `mfa doctor` asks what each application is: the Dashboard API, from its
    /// setting, else Bandwidth's.
    pub fn dashboard_url(&self) -> Result<BaseUrl, Failure> {
        self.api_url(&table::DASHBOARD_URL, mfa::DEFAULT_DASHBOARD_URL)
    }

    /// The application id of sends by `channel` from the variable or the profile, if
    /// set (`mfa doctor` takes no `--application-id`).
    pub fn application_id(&self, channel: Channel) -> Result<Option<ApplicationId>, Failure> {
        Ok(self
            .pick::<ApplicationId>(channel.application(), None)?
            .map(|id| id.value))
    }

    /// The guard's rules: the countries allowed (every one unless set), the number
    /// types refused (premium rate and shared cost unless set), the limits on codes to
    /// one number (`5/10m` unless set) and in all in an hour (none unless set), and
    /// what a send does when they cannot be counted (goes, unless set).
    pub fn guard_rules(&self) -> Result<GuardRules, Failure> {
        let countries = self
            .pick::<Countries>(&table::ALLOWED_COUNTRIES, None)?
            .map(|countries| countries.value);
        let refused_types = self
            .pick::<NumberTypes>(&table::REFUSED_NUMBER_TYPES, None)?
            .map_or(mfa::DEFAULT_REFUSED_TYPES.to_vec(), |types| types.value.0);
        let per_number = self
            .pick::<PerNumber>(&table::MAX_CODES_PER_NUMBER, None)?
            .map_or(Some(mfa::DEFAULT_PER_NUMBER), |limit| limit.value.0);
        let per_hour = self
            .pick::<PerHour>(&table::MAX_CODES_PER_HOUR, None)?
            .and_then(|limit| limit.value.0);
        let uncounted = self
            .pick::<Uncounted>(&table::UNCOUNTED_SENDS, None)?
            .map_or(Uncounted::Send, |choice| choice.value);
        Ok(GuardRules {
            countries,
            refused_types,
            per_number,
            per_hour,
            uncounted,
        })
    }

    /// The base URL `setting` gives (it has no flag), else `default`.
    fn api_url(&self, setting: &Setting, default: &str) -> Result<BaseUrl, Failure> {
        match self.pick::<BaseUrl>(setting, None)? {
            Some(url) => Ok(url.value),
            None => Ok(default.parse().expect("Bandwidth's APIs are base URLs")),
        }
    }

    /// The body of a request to send a code by `channel`.
    pub fn code_request(&self, args: &SendArgs, channel: Channel) -> Result<CodeRequest, Failure> {
        self.code_request_through(args, channel, args.application_id.clone())
    }

    /// The body of the text message a voice round trip falls back to: as the call's,
    /// but through the messaging application (`--application-id` named the voice one).
    pub fn fallback_request(&self, args: &SendArgs) -> Result<CodeRequest, Failure> {
        self.code_request_through(args, Channel::Messaging, None)
    }

    /// The body of a request to send a code by `channel`, through the application
    /// `application_flag` names, else its setting.
    fn code_request_through(
        &self,
        args: &SendArgs,
        channel: Channel,
        application_flag: Option<ApplicationId>,
    ) -> Result<CodeRequest, Failure> {
        let from: Sourced<PhoneNumber> =
            self.require(&table::FROM, args.from.clone(), Failure::Usage)?;
        let application_id: Sourced<ApplicationId> =
            self.require(channel.application(), application_flag, Failure::Usage)?;
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
        let expiration = self.require_lifetime(args.expiration)?;
        let mut request = VerifyRequest::new(args.to().clone(), code, expiration);
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

/// What a command still lacks, all at once: so a first run names every missing setting
/// in one message rather than one per try.
impl Sources<'_> {
    /// The code lifetime a check needs, from `flag` or elsewhere; a usage error (exit 2)
    /// when nothing gives it: how old a code may be is the operator's policy to state.
    pub fn require_lifetime(
        &self,
        flag: Option<ExpirationMinutes>,
    ) -> Result<ExpirationMinutes, Failure> {
        let lifetime: Sourced<ExpirationMinutes> =
            self.require(&table::EXPIRATION, flag, Failure::Usage)?;
        Ok(lifetime.value)
    }

    /// Every setting `command` needs that nothing gives, as the table's rows say: for
    /// each call it makes (a send with `--verify` makes a check too), then the username
    /// and password (unless client credentials are given, whose own gaps `login`
    /// names). `credentials_too` is false for a dry run, which needs none.
    pub fn all_missing(
        &self,
        global: &GlobalArgs,
        command: &ApiCommand,
        credentials_too: bool,
    ) -> Result<Vec<&'static Setting>, Failure> {
        let calls: &[Call] = match command {
            ApiCommand::Voice(args) if args.verify => &[Call::VoiceCode, Call::VerifyCode],
            ApiCommand::Sms(args) if args.verify => &[Call::MessagingCode, Call::VerifyCode],
            ApiCommand::Voice(_) => &[Call::VoiceCode],
            ApiCommand::Sms(_) => &[Call::MessagingCode],
            ApiCommand::Verify(_) => &[Call::VerifyCode],
        };
        let client = global.given(&table::CLIENT_ID).is_some()
            || self.given(&table::CLIENT_ID)?.is_some()
            || self.secret(&table::CLIENT_SECRET)?.is_some();
        let basic_auth = credentials_too && !client;
        let needed_by_calls =
            |setting: &&Setting| calls.iter().any(|call| setting.is_needed_by(*call, false));
        let needed_to_sign_in = |setting: &&Setting| {
            calls
                .iter()
                .any(|call| setting.is_needed_by(*call, basic_auth))
                && !needed_by_calls(setting)
        };
        let needed = table::SETTINGS
            .into_iter()
            .filter(needed_by_calls)
            .chain(table::SETTINGS.into_iter().filter(needed_to_sign_in));
        let mut missing = Vec::new();
        for setting in needed {
            // A value given that breaks its rule is reported as such, before any gap.
            let given = if setting.key == table::PASSWORD.key {
                self.password()?.is_some()
            } else {
                global.given(setting).is_some() || self.pick_text(setting, None)?.is_some()
            };
            if !given {
                missing.push(setting);
            }
        }
        Ok(missing)
    }

    /// One message for several missing settings, each with the ways to give it, and
    /// the exit status: configuration (3) when the account or credentials are among
    /// them, else usage (2).
    pub fn missing_all(&self, missing: &[&Setting]) -> Failure {
        let each: Vec<String> = missing
            .iter()
            .map(|setting| match setting.key {
                "password" => "the API password (set BW_PASSWORD, or add `password` or \
                               `password_command`)"
                    .to_owned(),
                _ => format!("the {} ({})", setting.what, self.ways_short(setting)),
            })
            .collect();
        let (last, rest) = each.split_last().expect("at least one");
        let message = format!(
            "{} settings are missing: {} and {last}; add keys to {}",
            missing.len(),
            rest.join(", "),
            self.place_shown()
        );
        let config = missing
            .iter()
            .any(|setting| matches!(setting.key, "account_id" | "username" | "password"));
        if config {
            Failure::Config(message)
        } else {
            Failure::Usage(message)
        }
    }
}
