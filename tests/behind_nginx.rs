//! Per-client limits behind the reverse proxy every deployment uses: Debian's nginx with the
//! committed site configuration (`deploy/nginx/sepiion.conf`) and a test certificate, in front
//! of the server with `trusted_proxies` set to the proxy. Clients connect to nginx from
//! different loopback addresses (127.0.0.2, 127.0.0.3) and must be limited separately; what a
//! client writes into `X-Forwarded-For` itself changes nothing.

mod common;

use common::nginx::Nginx;
use common::*;
use sepiion_server::RunningServer;
use serde_json::json;

fn client_from(ip: &str, nginx: &Nginx) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(&std::fs::read(&nginx.ca_pem).unwrap()).unwrap();
    reqwest::Client::builder()
        .add_root_certificate(ca)
        .local_address(ip.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn clients_behind_nginx_are_limited_separately_and_cannot_forge_their_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&dir.path().join("server.db"), "127.0.0.1:0");
    config.limits.registrations_per_hour = 3;
    config.limits.login_failures = 3;
    config.trusted_proxies = vec!["127.0.0.1/32".into()];
    let server = RunningServer::start(config).await.unwrap();
    let nginx = Nginx::start(server.addr);
    let register = format!("{}/api/v1/public/devices", nginx.https_url);
    let a = client_from("127.0.0.2", &nginx);
    let b = client_from("127.0.0.3", &nginx);
    for i in 0..3 {
        // Claiming to be someone else each time: nginx appends the real address, and the
        // server takes the right-most address its proxy did not add.
        let res = a
            .post(&register)
            .header("X-Forwarded-For", format!("198.51.100.{i}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    let refused = a
        .post(&register)
        .header("X-Forwarded-For", "203.0.113.50")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    // The other client, through the same proxy, has its own budget.
    let res = b.post(&register).send().await.unwrap();
    assert_eq!(res.status(), 201);

    // Wrong passwords from A lock A out of the admin account, not B.
    let login = format!("{}/api/v1/auth/login", nginx.https_url);
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let res = a
            .post(&login)
            .json(&json!({"username": "admin", "password": "tebakan-salah"}))
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    let res = b
        .post(&login)
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // nginx really was in the way: its access log has both clients.
    let log = nginx.access_log();
    assert!(
        log.contains("127.0.0.2") && log.contains("127.0.0.3"),
        "{log}"
    );
    drop(nginx);
    server.stop().await;
}
