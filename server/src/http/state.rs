//! Shared state of the HTTP layer: the database, the domain's configuration ([`Ctx`]), and what
//! only HTTP needs (rate limits, response caches, metrics, login bookkeeping).

use std::sync::Arc;

use crate::domain::caller::PasswordWork;
use crate::domain::context::Ctx;
use crate::http::cache::PublicCache;
use crate::http::throttle::{LoginGuard, RateLimiter};
use crate::storage::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub ctx: Arc<Ctx>,
    pub limiter: Arc<RateLimiter>,
    /// Prometheus counters and histograms (`/metrics`).
    pub metrics: Arc<crate::http::metrics::Metrics>,
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
        client: &crate::http::extract::ClientKey,
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
