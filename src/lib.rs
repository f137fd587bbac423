//! The Sepiion app's data layer: a local SQLite cache with an outbox of local changes
//! ([`store`]), the engine that syncs it with the server ([`sync`]), and where the database file
//! lives on each platform ([`platform`]), operating-system notifications ([`os_notify`]), and the screens of both apps ([`ui`], with their
//! texts in [`i18n`]). Screens read the store and never talk SQL or HTTP.

pub mod i18n;
pub mod os_notify;
pub mod platform;
pub mod store;
pub mod sync;
pub mod ui;
