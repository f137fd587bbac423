//! Per-client limits behind the reverse proxy every deployment uses: Debian's nginx with the
//! committed site configuration (`deploy/nginx/sepiion.conf`) and a test certificate, in front
//! of the server with `trusted_proxies` set to the proxy. Clients connect to nginx from
//! different loopback addresses (127.0.0.2, 127.0.0.3) and must be limited separately; what a
//! client writes into `X-Forwarded-For` itself changes nothing. Also the certificate's bootstrap
//! and renewal with the shipped ACME site and deploy hook.

mod common;

use std::process::Command;

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
    config.public_url = Some("https://sepiion.test".into());
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

/// The value of a hidden input in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect(name) + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// What a browser sends as `Cookie` after these answers.
fn cookies_of(res: &reqwest::Response) -> String {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A PDF of `size` bytes (a real header and trailer, a comment filling the middle).
fn pdf_of(size: usize) -> Vec<u8> {
    let head = b"%PDF-1.4\n1 0 obj<<>>endobj\n%";
    let tail = b"\ntrailer<<>>\n%%EOF\n";
    let mut pdf = head.to_vec();
    pdf.resize(size - tail.len(), b'x');
    pdf.extend_from_slice(tail);
    pdf
}

/// The shipped site as a regency's IT unit would probe it: unknown names get no answer, a
/// portal submission with a real letter (4 MiB) passes on a port other than 443, secrets stay
/// out of the access log, `/metrics` is not passed on, `nosniff` comes once.
#[tokio::test]
async fn the_shipped_site_holds_against_probing() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&dir.path().join("server.db"), "127.0.0.1:0");
    config.trusted_proxies = vec!["127.0.0.1/32".into()];
    config.public_url = Some("https://sepiion.test".into());
    // Even a Prometheus allowed to read /metrics directly gets nothing through the site.
    config.metrics_allow = vec!["127.0.0.1/32".parse().unwrap()];
    let server = RunningServer::start(config).await.unwrap();
    let nginx = Nginx::start(server.addr);
    let ca = reqwest::Certificate::from_pem(&std::fs::read(&nginx.ca_pem).unwrap()).unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(ca)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let site = &nginx.https_url;

    // Unknown Host names: the connection is closed without an answer, on both ports.
    for base in [&nginx.https_url, &nginx.http_url] {
        let res = http
            .get(format!("{base}/ics/public.ics"))
            .header(reqwest::header::HOST, "evil.example")
            .send()
            .await;
        assert!(res.is_err(), "{base} answered a forged Host: {res:?}");
    }
    let ok = http.get(format!("{site}/")).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    // nosniff once, on portal pages as on the API.
    assert_eq!(
        ok.headers()
            .get_all(reqwest::header::X_CONTENT_TYPE_OPTIONS)
            .iter()
            .count(),
        1,
        "{:?}",
        ok.headers()
    );

    // The portal form with a 4 MiB invitation letter, as a browser posts it (Origin with the
    // site's port).
    let page = http.get(format!("{site}/ajukan")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let cookie = cookies_of(&page);
    let html = page.text().await.unwrap();
    let date = (chrono::Utc::now() + chrono::Duration::days(12))
        .date_naive()
        .to_string();
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in [
        ("csrf", hidden(&html, "csrf")),
        ("id", hidden(&html, "id")),
        ("kind", "undangan".into()),
        ("leader_id", "bupati".into()),
        ("title", "Pembukaan Festival Budaya Semarapura".into()),
        (
            "description",
            "Mohon Bapak Bupati berkenan membuka festival budaya.".into(),
        ),
        ("start_date", date),
        ("start_time", "09:00".into()),
        ("end_date", String::new()),
        ("end_time", "11:30".into()),
        ("location", "Lapangan Puputan Klungkung".into()),
        ("organizer", "Dinas Kebudayaan".into()),
        ("leader_role", "membuka acara".into()),
        ("expected_attendees", "1500".into()),
        ("dress_code", "Pakaian adat madya".into()),
        ("letter_number", "005/12/DISBUD".into()),
        ("requester_name", "Ni Made Sari".into()),
        ("requester_phone", "0812 3456 7890".into()),
        ("requester_email", "sari@contoh.id".into()),
        ("website", String::new()),
    ] {
        form = form.text(k, v);
    }
    let form = form.part(
        "attachment",
        reqwest::multipart::Part::bytes(pdf_of(4 * 1024 * 1024))
            .file_name("undangan.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    );
    let sent = http
        .post(format!("{site}/ajukan"))
        .header(reqwest::header::ORIGIN, site.as_str())
        .header(reqwest::header::COOKIE, cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = sent.status();
    let location = sent
        .headers()
        .get(reqwest::header::LOCATION)
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert_eq!(status, 303, "{}", sent.text().await.unwrap());
    let code = location
        .strip_prefix("/ajukan/terkirim/")
        .expect("the tracking code's page")
        .to_string();
    let db = rusqlite::Connection::open(dir.path().join("server.db")).unwrap();
    let size: i64 = db
        .query_row(
            "SELECT a.size FROM attachments a JOIN requests r ON r.id = a.request_id
             WHERE r.tracking_code = ?1",
            [&code],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(size, 4 * 1024 * 1024);

    // Secrets in addresses stay out of nginx's access log.
    let secret = "spc_RAHASIAfeedSECRET0123456789";
    let link_secret = "0123456789abcdef".repeat(4);
    for path in [
        format!("/ics/staff/{secret}.ics"),
        format!("/jawab/{link_secret}"),
        format!("/konfirmasi/{link_secret}"),
        format!("/api/v1/public/track/{code}"),
        format!("/lacak/{code}"),
        format!("/lacak?code={code}"),
        format!("/ajukan/terkirim/{code}"),
    ] {
        http.get(format!("{site}{path}")).send().await.unwrap();
    }
    // The personal feed's address (a secret) is https, from public_url.
    let login = http
        .post(format!("{site}/api/v1/auth/login"))
        .json(&json!({"username": "protokol", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let token = login.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let feed = http
        .post(format!("{site}/api/v1/staff/calendar-feed"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), 201);
    let feed = feed.json::<serde_json::Value>().await.unwrap();
    let url = feed["url"].as_str().unwrap();
    assert!(
        url.starts_with("https://sepiion.test/ics/staff/spc_"),
        "{url}"
    );
    let metrics = http.get(format!("{site}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 404);
    assert!(!metrics.text().await.unwrap().contains("sepiion_http"));
    let log = nginx.access_log();
    assert!(log.contains("/ics/staff/[secret]"), "{log}");
    assert!(log.contains("/lacak/[code]"), "{log}");
    assert!(log.contains("/jawab/[secret]"), "{log}");
    assert!(log.contains("/konfirmasi/[secret]"), "{log}");
    for s in [
        secret,
        link_secret.as_str(),
        code.as_str(),
        &code.replace('-', ""),
    ] {
        assert!(!log.contains(s), "{s} in the access log: {log}");
    }
    drop(nginx);
    server.stop().await;
}

/// README "TLS and nginx" before any certificate exists: the full site fails `nginx -t` (it names
/// the certificate files), the shipped ACME site alone passes it and answers certbot's
/// `--webroot` challenge from the directory the guide names; the full site then answers the
/// renewals' challenges from the same directory and redirects everything else to HTTPS; and the
/// deploy hook the guide installs checks the configuration, then reloads nginx.
#[tokio::test]
async fn the_first_certificate_can_be_fetched_and_renewals_reload_nginx() {
    use common::nginx::{ACME_SITE_CONF, RELOAD_HOOK, SITE_CONF, render_site, test_site};
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    // The webroot of the guide's certbot command is the one both sites serve.
    assert!(
        readme.contains("certbot certonly --webroot -w /var/www/letsencrypt"),
        "README"
    );
    for site in [ACME_SITE_CONF, SITE_CONF] {
        assert!(site.contains("        root /var/www/letsencrypt;\n"));
    }

    // No certificate yet: the full site cannot load, the ACME site can.
    let empty = tempfile::tempdir().unwrap();
    let missing = empty.path().join("live");
    let full = render_site(
        "127.0.0.1:9".parse().unwrap(),
        free_port(),
        free_port(),
        &missing.join("fullchain.pem"),
        &missing.join("privkey.pem"),
        empty.path(),
    );
    let (ok, out) = test_site(empty.path(), &full);
    assert!(!ok, "the full site loads without a certificate: {out}");
    assert!(out.contains("fullchain.pem"), "{out}");

    let acme = Nginx::start_acme();
    let (ok, out) = test_site(
        tempfile::tempdir().unwrap().path(),
        &common::nginx::render_acme_site(free_port(), acme.dir.path()),
    );
    assert!(ok, "nginx -t on the ACME site: {out}");
    // certbot --webroot writes its token under the webroot; the site serves it as is.
    let challenges = acme.dir.path().join("acme/.well-known/acme-challenge");
    std::fs::create_dir_all(&challenges).unwrap();
    std::fs::write(challenges.join("tok3n-ABC_123"), "tok3n-ABC_123.thumbprint").unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = http
        .get(format!(
            "{}/.well-known/acme-challenge/tok3n-ABC_123",
            acme.http_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "tok3n-ABC_123.thumbprint");
    // Nothing else is served before there is HTTPS (and nothing reaches the server).
    let r = http
        .get(format!("{}/api/v1/public/info", acme.http_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    drop(acme);

    // With the certificate, the full site: renewals' challenges from the same webroot, the
    // rest redirected to HTTPS.
    let dir = tempfile::tempdir().unwrap();
    let server = RunningServer::start(config(&dir.path().join("server.db"), "127.0.0.1:0"))
        .await
        .unwrap();
    let nginx = Nginx::start(server.addr);
    let challenges = nginx.dir.path().join("acme/.well-known/acme-challenge");
    std::fs::create_dir_all(&challenges).unwrap();
    std::fs::write(challenges.join("renewal-token"), "renewal-token.thumbprint").unwrap();
    let r = http
        .get(format!(
            "{}/.well-known/acme-challenge/renewal-token",
            nginx.http_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "renewal-token.thumbprint");
    let r = http
        .get(format!("{}/ajukan?x=1", nginx.http_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 301);
    assert_eq!(r.headers()["location"], "https://127.0.0.1/ajukan?x=1");
    drop(nginx);

    // The deploy hook: valid shell; with stand-ins for nginx and systemctl on PATH it checks the
    // configuration, then reloads; a configuration that fails the check is not loaded.
    let hook = repo(RELOAD_HOOK);
    let (ok, out) = run_capture(Command::new("sh").arg("-n").arg(&hook));
    assert!(ok, "sh -n: {out}");
    let (ok, out) = run_capture(Command::new("bash").arg("-n").arg(&hook));
    assert!(ok, "bash -n: {out}");
    assert!(readme.contains(&format!(
        "install -D -m 0755 {RELOAD_HOOK} /etc/letsencrypt/renewal-hooks/deploy/sepiion-reload-nginx"
    )));
    for nginx_ok in [true, false] {
        let bin = tempfile::tempdir().unwrap();
        let calls = bin.path().join("calls");
        let exit = if nginx_ok { 0 } else { 1 };
        for (name, code) in [("nginx", exit), ("systemctl", 0)] {
            let path = bin.path().join(name);
            std::fs::write(
                &path,
                format!(
                    "#!/bin/sh\necho \"{name} $*\" >>'{}'\nexit {code}\n",
                    calls.display()
                ),
            )
            .unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let (ok, out) = run_capture(
            Command::new(&hook)
                .env("PATH", format!("{}:/usr/bin:/bin", bin.path().display()))
                .env("RENEWED_DOMAINS", "sepiion.example.go.id"),
        );
        let calls = std::fs::read_to_string(&calls).unwrap_or_default();
        if nginx_ok {
            assert!(ok, "{out}");
            assert_eq!(calls, "nginx -t -q\nsystemctl reload nginx\n", "{out}");
        } else {
            assert!(!ok, "{out}");
            assert_eq!(calls, "nginx -t -q\n", "not reloaded: {out}");
            assert!(out.contains("nginx -t failed"), "{out}");
        }
    }
}

/// A file of this repository.
fn repo(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Runs `cmd`: whether it succeeded, and its stdout and stderr together.
fn run_capture(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}
