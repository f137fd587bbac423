//! The router and the OpenAPI document, built from the same handler annotations.

use axum::Extension;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use sepiion_core::validation::Msg;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, render_language};
use crate::http::cache::cache_public_reads;
use crate::http::handlers::{
    admin, auth, display, feeds, meta, notify, public, reports, sheet, staff, sync,
};
use crate::http::state::AppState;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A staff session token (from /api/v1/auth/login) or a public device token \
                         (from /api/v1/public/devices)",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Sepiion API", description = "Scheduling of a regency's leaders: public requests, staff workflow, agenda and sync."),
    modifiers(&BearerAuth),
    tags((name = "public"), (name = "auth"), (name = "staff"), (name = "admin"), (name = "sync"), (name = "meta"))
)]
struct ApiDoc;

pub(crate) async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        Msg::new("Alamat tidak ditemukan.", "No such endpoint."),
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        Msg::new(
            "Metode HTTP ini tidak didukung untuk alamat ini.",
            "This HTTP method is not supported here.",
        ),
    )
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("handler panicked").into_response()
}

/// Builds the routes and the OpenAPI document that describes exactly them.
pub fn routes() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let api = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(meta::healthz))
        .routes(routes!(public::register_device))
        .routes(routes!(public::submit_request, public::list_own_requests))
        .routes(routes!(public::get_own_request))
        .routes(routes!(public::cancel_own_request))
        .routes(routes!(public::answer_proposal))
        .routes(routes!(public::supply_info))
        .routes(routes!(public::download_own_attachment))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(staff::inbox))
        .routes(routes!(staff::request_detail))
        .routes(routes!(staff::transition))
        .routes(routes!(staff::add_note))
        .routes(routes!(staff::mention_names))
        .routes(routes!(staff::confirm_contact))
        .routes(routes!(staff::download_attachment))
        .routes(routes!(staff::agenda_list, staff::agenda_create))
        .routes(routes!(staff::agenda_get, staff::agenda_update))
        .routes(routes!(staff::agenda_cancel))
        .routes(routes!(admin::list_users, admin::create_user))
        .routes(routes!(admin::update_user))
        .routes(routes!(admin::create_representative))
        .routes(routes!(admin::update_representative))
        .routes(routes!(admin::audit_log))
        .routes(routes!(admin::reset_sync_history))
        .routes(routes!(admin::revoke_device))
        .routes(routes!(feeds::feed_info, feeds::renew_feed))
        .routes(routes!(feeds::revoke_feed))
        .routes(routes!(reports::monthly))
        .routes(routes!(sheet::staff_sheet))
        .routes(routes!(sheet::public_sheet))
        .routes(routes!(notify::get_settings, notify::put_settings))
        .routes(routes!(notify::deliveries))
        .routes(routes!(notify::resend))
        .routes(routes!(sync::pull))
        .routes(routes!(sync::push));
    // Uploads get their own, larger body limit.
    let uploads = OpenApiRouter::new()
        .routes(routes!(public::upload_attachment))
        .layer(DefaultBodyLimit::max(
            sepiion_core::api::MAX_ATTACHMENT_BYTES + 64 * 1024,
        ));
    // Public reads whose answers are the same for everyone: served from the response cache.
    let cached = OpenApiRouter::new()
        .routes(routes!(meta::info))
        .routes(routes!(meta::public_people))
        .routes(routes!(public::public_agenda))
        .layer(middleware::from_fn(cache_public_reads))
        // Counts every look-up, then asks the same cache itself.
        .routes(routes!(public::track));
    let (router, mut openapi) = api.merge(uploads).merge(cached).split_for_parts();
    document_rejections(&mut openapi);
    (router, openapi)
}

/// Documents the answers of our extractors (`crate::http::extract`) on every operation they guard, so
/// that the document matches what the server really answers without each handler repeating them:
/// a JSON body may be malformed (400), too large (413), not JSON (415) or of the wrong shape (422);
/// a path or query parameter may not parse (400). All carry the JSON error body.
fn document_rejections(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};

    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    for item in openapi.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            let json_body = op
                .request_body
                .as_ref()
                .is_some_and(|b| b.content.contains_key("application/json"));
            let parsed_params = op
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query));
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| error(description).into());
            };
            if json_body {
                add("400", "Malformed JSON");
                add("413", "Body too large");
                add("415", "Body is not JSON");
                add("422", "Invalid or missing fields");
            }
            if parsed_params {
                add("400", "Invalid path or query parameter");
            }
        }
    }
}

/// The complete application.
pub fn app(state: AppState) -> axum::Router {
    let (router, openapi) = routes();
    let max_body = state.ctx.limits.max_body_bytes;
    let portal = crate::http::portal::router(&state);
    let cache = state.cache.clone();
    router
        .route(
            "/openapi.json",
            axum::routing::get(move || async move { axum::Json(openapi) }),
        )
        // Outputs that are not JSON: calendar files.
        .route("/ics/public.ics", axum::routing::get(feeds::public_feed))
        .route("/ics/staff/{file}", axum::routing::get(feeds::staff_feed))
        // The lobby display (HTML, its script and style, the JSON it polls).
        .route("/display", axum::routing::get(display::display_page))
        .route(
            "/display/today.json",
            axum::routing::get(display::display_json),
        )
        .route(
            "/display/display.js",
            axum::routing::get(display::display_js),
        )
        .route(
            "/display/display.css",
            axum::routing::get(display::display_css),
        )
        .merge(portal)
        // Prometheus text, not JSON API: outside the OpenAPI document.
        .route(
            "/metrics",
            axum::routing::get(crate::http::metrics::metrics),
        )
        .route("/privasi", axum::routing::get(meta::privacy_policy))
        // Unknown addresses: the portal's page for a browser, the JSON error for the API.
        .fallback_service(crate::http::portal::fallback(&state).with_state(state.clone()))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn(render_language))
        .layer(CompressionLayer::new())
        .layer(Extension(cache))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::http::metrics::track,
        ))
        .with_state(state)
}
