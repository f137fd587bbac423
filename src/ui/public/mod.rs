//! The public app: the leaders' schedule, the request form, the device's own requests, tracking
//! by code, settings.

pub mod my_requests;
pub mod request_form;
pub mod schedule;
pub mod sent;
pub mod settings;
pub mod track;
