//! Shared state of the HTTP layer.

use std::sync::Arc;

use chrono::Duration;
use chrono_tz::Tz;

use crate::auth::PasswordWork;
use crate::cache::PublicCache;
use crate::config::{Config, Limits, NotifyConfig, OfficeConfig};
use crate::db::Db;
use crate::throttle::{LoginGuard, RateLimiter};

/// Settings the workflow needs, derived once from the configuration.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub tz: Tz,
    pub travel_buffer: Duration,
    pub limits: Limits,
    /// The configured regency name, if any (else the database's).
    pub regency: Option<String>,
    /// Proxies whose forwarding headers name the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The public base address without a trailing slash, if configured.
    pub public_url: Option<String>,
    /// The protocol office's contact for the public portal.
    pub office: OfficeConfig,
    /// Who may read `/metrics` without an admin token.
    pub metrics_allow: Vec<ipnet::IpNet>,
    pub notify: NotifyConfig,
    /// The Agenda Harian template and logo, loaded once.
    pub sheet: Arc<crate::sheet::SheetEngine>,
}

impl Ctx {
    pub fn from_config(config: &Config) -> anyhow::Result<Ctx> {
        Ok(Ctx {
            tz: config.tz()?,
            travel_buffer: Duration::minutes(config.travel_buffer_minutes),
            limits: config.limits.clone(),
            regency: config.regency.clone(),
            trusted_proxies: config.trusted_proxy_nets()?,
            public_url: config
                .public_url
                .as_deref()
                .map(|u| u.trim_end_matches('/').to_string()),
            office: config.office.clone(),
            metrics_allow: config.metrics_allow.clone(),
            notify: config.notify.clone(),
            sheet: Arc::new(crate::sheet::SheetEngine::from_config(&config.sheet)?),
        })
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub ctx: Arc<Ctx>,
    pub limiter: Arc<RateLimiter>,
    /// Prometheus counters and histograms (`/metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Ready-made answers to public reads, dropped whenever a write commits.
    pub cache: Arc<PublicCache>,
    /// Public Agenda Harian sheets (PDF/PNG, tens to hundreds of kilobytes each): a few, kept
    /// apart so they cannot crowd out the small answers.
    pub sheet_cache: Arc<PublicCache>,
    /// Failed-login bookkeeping (per account and client).
    pub logins: Arc<LoginGuard>,
    /// Password hashing, a few at a time.
    pub passwords: PasswordWork,
}

impl AppState {
    /// Counts a device registration from `client` against its hourly limit (the API's
    /// `POST /public/devices` and the portal's browser devices).
    pub fn take_registration(
        &self,
        client: &crate::extract::ClientKey,
    ) -> crate::error::ApiResult<()> {
        self.limiter.take(
            "register",
            &client.0,
            self.ctx.limits.registrations_per_hour,
            std::time::Duration::from_secs(3600),
        )
    }

    /// Counts a request submission of `device` against its hourly limit (REST and sync push).
    pub fn take_submission(&self, device: &str) -> crate::error::ApiResult<()> {
        self.limiter.take(
            "submit",
            device,
            self.ctx.limits.submissions_per_hour,
            std::time::Duration::from_secs(3600),
        )
    }
}
