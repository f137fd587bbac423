//! Both Sepiion apps in a browser, through dioxus-liveview over axum: the public app under
//! `/public/`, the staff app under `/internal/`. Every browser session (websocket connection) gets
//! its own local store — a fresh SQLite file in the data directory — and its own sync engine that
//! talks to a `sepiion-server` over the network, exactly like one phone each. The end-to-end tests
//! (tests/e2e) drive it with a real browser.
//!
//! ```text
//! sepiion-liveview --addr 127.0.0.1:8090 --server-url http://127.0.0.1:8080 --data-dir DIR
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::WebSocketUpgrade;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use dioxus::prelude::*;
use dioxus_liveview::{LiveViewPool, axum_socket, interpreter_glue};
use sepiion::platform::Variant;
use sepiion::store::Store;
use sepiion::sync::{ServerClient, SyncEngine};
use sepiion::ui::{self, Launch};

const USAGE: &str = "usage: sepiion-liveview [--addr 127.0.0.1:8090] [--server-url http://127.0.0.1:8080] [--data-dir DIR]";

/// What every session needs to start.
struct Shared {
    server_url: String,
    data_dir: PathBuf,
    sessions: AtomicU64,
    pool: LiveViewPool,
}

struct Args {
    addr: SocketAddr,
    server_url: String,
    data_dir: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        addr: SocketAddr::from(([127, 0, 0, 1], 8090)),
        server_url: ui::DEFAULT_SERVER_URL.to_string(),
        data_dir: std::env::temp_dir().join("sepiion-liveview"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_string());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--addr" => {
                args.addr = value
                    .parse()
                    .map_err(|e| format!("--addr {value}: {e}\n{USAGE}"))?
            }
            "--server-url" => args.server_url = value,
            "--data-dir" => args.data_dir = PathBuf::from(value),
            _ => return Err(format!("unknown argument {flag}\n{USAGE}")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&args.data_dir) {
        eprintln!("cannot create {}: {e}", args.data_dir.display());
        std::process::exit(1);
    }
    let shared = Arc::new(Shared {
        server_url: args.server_url,
        data_dir: args.data_dir,
        sessions: AtomicU64::new(0),
        pool: LiveViewPool::new(),
    });
    let mut app = Router::new()
        .route("/", get(index))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }));
    for variant in [Variant::Public, Variant::Internal] {
        let prefix = format!("/{}", variant.as_str());
        let ws_path = format!("{prefix}/ws");
        let page = Html(page(variant, &ws_path));
        let to_slash = format!("{prefix}/");
        let shared = shared.clone();
        app = app
            .route(&prefix, get(move || async move { Redirect::to(&to_slash) }))
            .route(&format!("{prefix}/"), get(move || async move { page }))
            .route(
                &ws_path,
                get(move |ws: WebSocketUpgrade| session(ws, variant, shared.clone())),
            );
    }
    let listener = match tokio::net::TcpListener::bind(args.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {}: {e}", args.addr);
            std::process::exit(1);
        }
    };
    let bound = listener.local_addr().map(|a| a.to_string());
    println!(
        "sepiion-liveview listening on http://{}/ (server {})",
        bound.unwrap_or_default(),
        shared.server_url
    );
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("server error: {e}");
        std::process::exit(1);
    }
}

/// `/`: links to both apps (liveview's own router cannot serve the empty path).
async fn index() -> Html<&'static str> {
    Html(concat!(
        "<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>Sepiion</title></head><body><ul>",
        "<li><a href=\"/public/\">Sepiion (publik)</a></li>",
        "<li><a href=\"/internal/\">Sepiion Staf</a></li>",
        "</ul></body></html>"
    ))
}

/// The page that connects to the session's websocket and renders what it sends.
///
/// Liveview sends events to the server asynchronously, so a handler's `prevent_default()` comes
/// too late to stop the browser: a form would really be submitted and the page (the session, the
/// "phone") replaced. Every form of the app handles submit itself, so the page never lets the
/// browser submit one; Dioxus still receives the event.
fn page(variant: Variant, ws_path: &str) -> String {
    let title = match variant {
        Variant::Public => "Sepiion",
        Variant::Internal => "Sepiion Staf",
    };
    format!(
        "<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><div id=\"main\"></div>\
         <script>document.addEventListener(\"submit\", (e) => e.preventDefault(), true);</script>\
         {}</body></html>",
        interpreter_glue(ws_path)
    )
}

/// One browser session: a new store file, a sync engine, and the app's root component.
async fn session(ws: WebSocketUpgrade, variant: Variant, shared: Arc<Shared>) -> impl IntoResponse {
    ws.on_upgrade(move |socket| async move {
        let n = shared.sessions.fetch_add(1, Ordering::Relaxed) + 1;
        let path = shared
            .data_dir
            .join(format!("session-{n:04}-{}.db", variant.as_str()));
        let server_url = shared.server_url.clone();
        let result = shared
            .pool
            .launch_virtualdom(axum_socket(socket), move || {
                let store = Store::open(&path, variant).expect("the session's database opens");
                let engine = ServerClient::new(&server_url)
                    .ok()
                    .map(|client| Arc::new(SyncEngine::new(store.clone(), client)));
                let launch = Launch {
                    variant,
                    store,
                    engine,
                    tz: chrono_tz::Asia::Makassar,
                    initial_route: None,
                };
                VirtualDom::new(App).with_root_context(launch)
            })
            .await;
        if let Err(e) = result {
            eprintln!("session {n} ended: {e}");
        }
    })
}

#[component]
fn App() -> Element {
    let launch = use_context::<Launch>();
    ui::use_app(launch);
    rsx! { ui::shell::Frame {} }
}
