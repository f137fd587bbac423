//! Shared state of the HTTP layer.

use std::sync::Arc;

use chrono::Duration;
use chrono_tz::Tz;

use crate::auth::RateLimiter;
use crate::config::{Config, Limits, NotifyConfig};
use crate::db::Db;

/// Settings the workflow needs, derived once from the configuration.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub tz: Tz,
    pub travel_buffer: Duration,
    pub limits: Limits,
    /// The configured regency name, if any (else the database's).
    pub regency: Option<String>,
    pub notify: NotifyConfig,
}

impl Ctx {
    pub fn from_config(config: &Config) -> anyhow::Result<Ctx> {
        Ok(Ctx {
            tz: config.tz()?,
            travel_buffer: Duration::minutes(config.travel_buffer_minutes),
            limits: config.limits.clone(),
            regency: config.regency.clone(),
            notify: config.notify.clone(),
        })
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub ctx: Arc<Ctx>,
    pub limiter: Arc<RateLimiter>,
}
