//! Both Sepiion apps in a browser, through dioxus-liveview over axum: the public app under
//! `/public/`, the staff app under `/internal/`. Every browser session (websocket connection) gets
//! its own local store — a fresh SQLite file in the data directory — and its own sync engine that
//! talks to a `sepiion-server` over the network, exactly like one phone each. The end-to-end tests
//! (tests/e2e) drive it with a real browser.
//!
//! Files go both ways beside Dioxus's own events. A file chosen in the request form: the liveview
//! glue puts its bytes into the change event's message, where Dioxus 0.7 has no field for them;
//! [`BrowserFiles::lift_from_message`] lifts them out of each message into the session's
//! [`BrowserFiles`] before Dioxus parses it. A file to open (the invitation letter): the session
//! offers it at `/<variant>/files/<random id>`, served only to the browser of that session
//! (its `sepiion_browser` cookie) while it is still signed in, as a download.
//!
//! ```text
//! sepiion-liveview --addr 127.0.0.1:8090 --server-url http://127.0.0.1:8080 --data-dir DIR
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use dioxus::prelude::*;
use dioxus_liveview::{LiveViewPool, axum_socket, interpreter_glue};
use futures_util::StreamExt;
use sepiion::platform::Variant;
use sepiion::store::{Identity, Store};
use sepiion::sync::{ServerClient, SyncEngine};
use sepiion::ui::attachments::{BrowserFiles, FileShower, Opener, Shown};
use sepiion::ui::{self, Launch};

const USAGE: &str = "usage: sepiion-liveview [--addr 127.0.0.1:8090] [--server-url http://127.0.0.1:8080] [--data-dir DIR]";

/// What every session needs to start.
struct Shared {
    server_url: String,
    data_dir: PathBuf,
    sessions: AtomicU64,
    pool: LiveViewPool,
    /// Files offered for download, by their random id.
    offered: Mutex<HashMap<String, Offered>>,
}

/// The cookie that tells one browser from another (set by the app's page, sent with the
/// websocket and with downloads).
const BROWSER_COOKIE: &str = "sepiion_browser";
/// How long an offered file stays downloadable.
const OFFER_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// Websocket messages carry a chosen file's bytes as JSON numbers (up to ~4 characters a byte):
/// room for the largest attachment (5 MB) with its event.
const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// A file a session offered to its browser.
struct Offered {
    browser: String,
    variant: Variant,
    /// The session's store: the file is served only while it is still signed in (staff) or
    /// registered (public).
    store: Store,
    filename: String,
    content_type: String,
    data: Vec<u8>,
    until: Instant,
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
        offered: Mutex::new(HashMap::new()),
    });
    let mut app = Router::new()
        .route("/", get(index))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }));
    for variant in [Variant::Public, Variant::Internal] {
        let prefix = format!("/{}", variant.as_str());
        let ws_path = format!("{prefix}/ws");
        let html = page(variant, &ws_path);
        let to_slash = format!("{prefix}/");
        let (ws_shared, files_shared) = (shared.clone(), shared.clone());
        app = app
            .route(&prefix, get(move || async move { Redirect::to(&to_slash) }))
            .route(
                &format!("{prefix}/"),
                get(move |headers: HeaderMap| async move { app_page(&headers, html) }),
            )
            .route(
                &ws_path,
                get(move |ws: WebSocketUpgrade, headers: HeaderMap| {
                    session(ws, headers, variant, ws_shared.clone())
                }),
            )
            .route(
                &format!("{prefix}/files/{{id}}"),
                get(
                    move |Path(id): Path<String>, headers: HeaderMap| async move {
                        download(&files_shared, variant, &id, &headers)
                    },
                ),
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
///
/// Dioxus 0.7's glue also catches every click on a file input to ask the desktop webview's
/// native file dialog (`__file_dialog`), which a browser does not have: the click is cancelled
/// and no picker ever opens. The page stops such clicks before the glue sees them, so the
/// browser's own picker opens; the chosen file's change event goes to Dioxus as usual.
fn page(variant: Variant, ws_path: &str) -> String {
    let title = match variant {
        Variant::Public => "Sepiion",
        Variant::Internal => "Sepiion Staf",
    };
    format!(
        "<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><div id=\"main\"></div>\
         <script>document.addEventListener(\"submit\", (e) => e.preventDefault(), true);\
         window.addEventListener(\"click\", (e) => {{ \
           if (e.target instanceof HTMLInputElement && e.target.type === \"file\") e.stopImmediatePropagation(); \
         }}, true);</script>\
         {}</body></html>",
        interpreter_glue(ws_path)
    )
}

/// The browser's id from its cookie, if it has a well-formed one.
fn browser_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == BROWSER_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| uuid::Uuid::parse_str(v).is_ok())
}

/// The app's page; a browser seen for the first time gets its id cookie.
fn app_page(headers: &HeaderMap, html: String) -> Response {
    let mut res = Html(html).into_response();
    if browser_id(headers).is_none() {
        let cookie = format!(
            "{BROWSER_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict",
            uuid::Uuid::new_v4()
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    res
}

/// One browser session: a new store file, a sync engine, and the app's root component.
async fn session(
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    variant: Variant,
    shared: Arc<Shared>,
) -> impl IntoResponse {
    let browser = browser_id(&headers);
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            let n = shared.sessions.fetch_add(1, Ordering::Relaxed) + 1;
            let path = shared
                .data_dir
                .join(format!("session-{n:04}-{}.db", variant.as_str()));
            let server_url = shared.server_url.clone();
            let chosen = BrowserFiles::default();
            let into_chosen = chosen.clone();
            let socket = axum_socket(socket)
                .map(move |message| message.map(|bytes| into_chosen.lift_from_message(bytes)));
            let offers = shared.clone();
            let result = shared
                .pool
                .launch_virtualdom(socket, move || {
                    let store = Store::open(&path, variant).expect("the session's database opens");
                    let engine = ServerClient::new(&server_url)
                        .ok()
                        .map(|client| Arc::new(SyncEngine::new(store.clone(), client)));
                    let opener = Opener(Arc::new(SessionFiles {
                        shared: offers,
                        browser,
                        variant,
                        store: store.clone(),
                    }));
                    let launch = Launch {
                        variant,
                        store,
                        engine,
                        tz: chrono_tz::Asia::Makassar,
                        initial_route: None,
                    };
                    VirtualDom::new(App)
                        .with_root_context(launch)
                        .with_root_context(chosen)
                        .with_root_context(opener)
                })
                .await;
            if let Err(e) = result {
                eprintln!("session {n} ended: {e}");
            }
        })
}

/// Offers a session's files to its browser as downloads.
struct SessionFiles {
    shared: Arc<Shared>,
    browser: Option<String>,
    variant: Variant,
    store: Store,
}

impl FileShower for SessionFiles {
    fn show(&self, filename: &str, content_type: &str, data: Vec<u8>) -> Result<Shown, String> {
        let browser = self
            .browser
            .clone()
            .ok_or("this browser sent no cookie; reload the page")?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let now = Instant::now();
        let mut offered = self.shared.offered.lock().map_err(|e| e.to_string())?;
        offered.retain(|_, o| o.until > now);
        offered.insert(
            id.clone(),
            Offered {
                browser,
                variant: self.variant,
                store: self.store.clone(),
                filename: filename.to_string(),
                content_type: content_type.to_string(),
                data,
                until: now + OFFER_LIFETIME,
            },
        );
        Ok(Shown::Download(format!(
            "/{}/files/{id}",
            self.variant.as_str()
        )))
    }
}

/// `/<variant>/files/<id>`: an offered file, to the browser of the session that offered it, while
/// that session is signed in (staff) or registered (public); 404 to anyone else.
fn download(shared: &Shared, variant: Variant, id: &str, headers: &HeaderMap) -> Response {
    let not_found = (
        StatusCode::NOT_FOUND,
        "Berkas tidak ditemukan. / File not found.",
    )
        .into_response();
    let Some(browser) = browser_id(headers) else {
        return not_found;
    };
    let Ok(offered) = shared.offered.lock() else {
        return not_found;
    };
    let Some(o) = offered.get(id) else {
        return not_found;
    };
    let signed_in = match o.store.identity() {
        Ok(Identity::Staff { .. }) => true,
        Ok(Identity::Device { .. }) => o.variant == Variant::Public,
        _ => false,
    };
    if o.browser != browser || o.variant != variant || o.until <= Instant::now() || !signed_in {
        return not_found;
    }
    let ascii: String = o
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = o
        .filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut res = o.data.clone().into_response();
    let h = res.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, o.content_type.as_str()),
        (header::CONTENT_DISPOSITION, disposition.as_str()),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    }
    res
}

#[component]
fn App() -> Element {
    let launch = use_context::<Launch>();
    ui::use_app(launch);
    rsx! { ui::shell::Frame {} }
}
