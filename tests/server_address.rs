//! The app's HTTP client follows a redirect only within the server's own origin: a redirect to
//! another host would carry the user's token there (or downgrade to plain HTTP).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sepiion::sync::{ServerClient, SyncError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A tiny HTTP/1.1 server on `ip`: answers `respond(path)` to each request and counts them.
async fn serve(
    ip: &str,
    respond: impl Fn(&str) -> String + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind(format!("{ip}:0")).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let respond = Arc::new(respond);
    tokio::spawn(async move {
        for _ in 0..100 {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let respond = respond.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let _ = stream.write_all(respond(&path).as_bytes()).await;
            });
        }
    });
    (base, hits)
}

fn info_json() -> String {
    let body = r#"{"regency":"Kabupaten Uji","time_zone":"Asia/Makassar","zone_abbrev":"WITA","travel_buffer_minutes":30,"leaders":[],"server_version":"0"}"#;
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn redirect(to: &str) -> String {
    format!(
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() {
    let (elsewhere, elsewhere_hits) = serve("127.0.0.2", |_| info_json()).await;
    let target = format!("{elsewhere}/api/v1/public/info");
    let (server, _) = serve("127.0.0.1", move |_| redirect(&target)).await;
    let client = ServerClient::new(&server).unwrap();
    let err = client.info().await.unwrap_err();
    assert!(
        matches!(err, SyncError::Server { status: 307, .. }),
        "{err:?}"
    );
    assert_eq!(elsewhere_hits.load(Ordering::SeqCst), 0, "never contacted");
}

#[tokio::test]
async fn a_redirect_within_the_server_is_followed() {
    let (server, hits) = serve("127.0.0.1", |path| {
        if path.starts_with("/api/v1/public/info") {
            redirect("/moved/info")
        } else {
            info_json()
        }
    })
    .await;
    let client = ServerClient::new(&server).unwrap();
    let info = client.info().await;
    assert!(info.is_ok(), "{info:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

/// (How `http://evil.example\@127.0.0.1/` is read is tested in `platform`: the host is
/// evil.example, so an Android release build refuses it as plain HTTP to another machine.)
#[test]
fn addresses_with_credentials_or_odd_schemes_are_refused() {
    for bad in [
        "http://user:pw@127.0.0.1:8080",
        "file:///etc/passwd",
        "sepiion.klungkungkab.go.id",
    ] {
        assert!(ServerClient::new(bad).is_err(), "{bad}");
    }
}
