//! HTTP handlers, one file per resource. Each handler is annotated for the OpenAPI document, and
//! the router is built from the same annotations, so `/openapi.json` matches the real routes.

pub mod admin;
pub mod auth;
pub mod display;
pub mod feeds;
pub mod meta;
pub mod notify;
pub mod public;
pub mod reports;
pub mod sheet;
pub mod staff;
pub mod sync;

use chrono::NaiveDate;
use sepiion_core::validation::Msg;

use crate::error::{ApiError, ApiResult};

/// Longest date range one agenda query may span.
pub const MAX_RANGE_DAYS: i64 = 92;

/// Checks an inclusive local date range.
pub fn check_range(from: NaiveDate, to: NaiveDate) -> ApiResult<()> {
    if to < from {
        return Err(ApiError::field(
            "to",
            Msg::new(
                "Tanggal akhir harus sama dengan atau setelah tanggal awal.",
                "The end date must not be before the start date.",
            ),
        ));
    }
    if (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(ApiError::field(
            "to",
            Msg::new(
                format!("Rentang paling panjang {MAX_RANGE_DAYS} hari."),
                format!("The range spans at most {MAX_RANGE_DAYS} days."),
            ),
        ));
    }
    Ok(())
}
