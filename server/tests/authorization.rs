//! Who may call what: every endpoint × every role (and no token, and a public device), and what
//! the public must never receive.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::{Value, json};

const IDENTITIES: [&str; 8] = [
    "anonymous",
    "device",
    "admin",
    "protocol",
    "adc",
    "sespri",
    "agenda",
    "leader",
];

fn username(identity: &str) -> Option<&'static str> {
    Some(match identity {
        "admin" => "admin",
        "protocol" => "protokol",
        "adc" => "ajudan.bupati",
        "sespri" => "sespri.bupati",
        "agenda" => "agenda",
        "leader" => "bupati",
        _ => return None,
    })
}

/// Who an endpoint admits.
#[derive(Clone, Copy, Debug)]
enum Who {
    Everyone,
    Device,
    Staff,
    Admin,
    /// A device or any staff member.
    Known,
    /// These staff identities; other staff get 403.
    Roles(&'static [&'static str]),
}

impl Who {
    /// The expected status class for an identity: `None` = allowed (neither 401 nor 403).
    fn expect(self, identity: &str) -> Option<u16> {
        let is_staff = username(identity).is_some();
        match (self, identity) {
            (Who::Everyone, _) => None,
            (_, "anonymous") => Some(401),
            (Who::Device, "device") | (Who::Known, _) => None,
            (Who::Device, _) => Some(403),
            (_, "device") => Some(403),
            (Who::Staff, _) => None,
            (Who::Admin, i) => (i != "admin").then_some(403),
            (Who::Roles(r), i) => (!(is_staff && r.contains(&i))).then_some(403),
        }
    }
}

enum Body {
    None,
    Json(Value),
    Pdf,
}

struct Endpoint {
    method: &'static str,
    /// The path as the OpenAPI document names it.
    template: &'static str,
    path: String,
    body: Body,
    who: Who,
}

const EDITORS: &[&str] = &["admin", "protocol", "adc", "sespri", "agenda"];

#[tokio::test]
async fn every_endpoint_checks_every_role() {
    let s = start().await;
    let device = s.device().await;
    let mut tokens = vec![
        (String::from("anonymous"), None),
        ("device".into(), Some(device.clone())),
    ];
    for i in IDENTITIES {
        if let Some(u) = username(i) {
            tokens.push((i.to_string(), Some(s.login(u).await)));
        }
    }
    let admin = tokens
        .iter()
        .find(|t| t.0 == "admin")
        .unwrap()
        .1
        .clone()
        .unwrap();

    // Fixtures: a request with an attachment, a submitted request for transitions, an agenda
    // item, a user to edit.
    let req = s.submit(&device, json!({})).await;
    let r = req["id"].as_str().unwrap().to_string();
    let code = req["tracking_code"].as_str().unwrap().to_string();
    let r2 = s.submit_id(&device, json!({})).await;
    let r3 = s.submit_id(&device, json!({})).await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4 surat".to_vec()).file_name("surat.pdf"),
    );
    let att = s
        .send(
            s.http
                .post(s.url(&format!("/api/v1/public/requests/{r}/attachments")))
                .bearer_auth(&device)
                .multipart(form),
        )
        .await
        .ok()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let item_body = json!({"leader_id": "bupati", "title": "Rapat koordinasi", "starts_at": wita_at(30, 9),
        "ends_at": wita_at(30, 10), "location": "Kantor Bupati", "visibility": "internal",
        "status": "tentative", "attendance": "in_person"});
    let x = s
        .post("/api/v1/staff/agenda", Some(&admin), item_body.clone())
        .await
        .ok()["item"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let users = s.get("/api/v1/admin/users", Some(&admin)).await.ok();
    let u = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "agenda")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let day = &wita_at(30, 9)[..10];

    let e = |method, template, path: String, body, who| Endpoint {
        method,
        template,
        path,
        body,
        who,
    };
    let endpoints = vec![
        e(
            "get",
            "/healthz",
            "/healthz".into(),
            Body::None,
            Who::Everyone,
        ),
        e(
            "get",
            "/api/v1/public/info",
            "/api/v1/public/info".into(),
            Body::None,
            Who::Everyone,
        ),
        e(
            "get",
            "/api/v1/public/people",
            "/api/v1/public/people".into(),
            Body::None,
            Who::Everyone,
        ),
        e(
            "get",
            "/api/v1/public/agenda",
            format!("/api/v1/public/agenda?from={day}&to={day}"),
            Body::None,
            Who::Everyone,
        ),
        e(
            "get",
            "/api/v1/public/track/{code}",
            format!("/api/v1/public/track/{code}"),
            Body::None,
            Who::Everyone,
        ),
        e(
            "post",
            "/api/v1/public/devices",
            "/api/v1/public/devices".into(),
            Body::None,
            Who::Everyone,
        ),
        e(
            "post",
            "/api/v1/auth/login",
            "/api/v1/auth/login".into(),
            Body::Json(json!({"username": "agenda", "password": PASSWORD})),
            Who::Everyone,
        ),
        e(
            "post",
            "/api/v1/public/requests",
            "/api/v1/public/requests".into(),
            Body::Json(request_body(15)),
            Who::Device,
        ),
        e(
            "get",
            "/api/v1/public/requests",
            "/api/v1/public/requests".into(),
            Body::None,
            Who::Device,
        ),
        e(
            "get",
            "/api/v1/public/requests/{id}",
            format!("/api/v1/public/requests/{r}"),
            Body::None,
            Who::Device,
        ),
        e(
            "post",
            "/api/v1/public/requests/{id}/cancel",
            format!("/api/v1/public/requests/{r2}/cancel"),
            Body::Json(json!({})),
            Who::Device,
        ),
        e(
            "post",
            "/api/v1/public/requests/{id}/proposal",
            format!("/api/v1/public/requests/{r}/proposal"),
            Body::Json(json!({"accept": true})),
            Who::Device,
        ),
        e(
            "post",
            "/api/v1/public/requests/{id}/info",
            format!("/api/v1/public/requests/{r}/info"),
            Body::Json(json!({"info": "tambahan"})),
            Who::Device,
        ),
        e(
            "post",
            "/api/v1/public/requests/{id}/attachments",
            format!("/api/v1/public/requests/{r}/attachments"),
            Body::Pdf,
            Who::Device,
        ),
        e(
            "get",
            "/api/v1/public/requests/{id}/attachments/{attachment_id}",
            format!("/api/v1/public/requests/{r}/attachments/{att}"),
            Body::None,
            Who::Device,
        ),
        e(
            "get",
            "/api/v1/auth/me",
            "/api/v1/auth/me".into(),
            Body::None,
            Who::Staff,
        ),
        e(
            "get",
            "/api/v1/staff/requests",
            "/api/v1/staff/requests".into(),
            Body::None,
            Who::Staff,
        ),
        e(
            "get",
            "/api/v1/staff/requests/{id}",
            format!("/api/v1/staff/requests/{r}"),
            Body::None,
            Who::Staff,
        ),
        // Declining a submitted request is for admin and protocol staff; without a reason it is
        // answered 422 to them (allowed, invalid) and 403 to everyone else, so no state changes.
        e(
            "post",
            "/api/v1/staff/requests/{id}/transitions",
            format!("/api/v1/staff/requests/{r3}/transitions"),
            Body::Json(json!({"action": "decline"})),
            Who::Roles(&["admin", "protocol"]),
        ),
        e(
            "post",
            "/api/v1/staff/requests/{id}/notes",
            format!("/api/v1/staff/requests/{r}/notes"),
            Body::Json(json!({"text": "catatan"})),
            Who::Staff,
        ),
        e(
            "post",
            "/api/v1/staff/requests/{id}/contact-confirmation",
            format!("/api/v1/staff/requests/{r}/contact-confirmation"),
            Body::None,
            Who::Roles(&["admin", "protocol"]),
        ),
        e(
            "get",
            "/api/v1/staff/requests/{id}/attachments/{attachment_id}",
            format!("/api/v1/staff/requests/{r}/attachments/{att}"),
            Body::None,
            Who::Staff,
        ),
        e(
            "get",
            "/api/v1/staff/agenda",
            format!("/api/v1/staff/agenda?from={day}&to={day}"),
            Body::None,
            Who::Staff,
        ),
        e(
            "post",
            "/api/v1/staff/agenda",
            "/api/v1/staff/agenda".into(),
            Body::Json(item_body.clone()),
            Who::Roles(EDITORS),
        ),
        e(
            "get",
            "/api/v1/staff/agenda/{id}",
            format!("/api/v1/staff/agenda/{x}"),
            Body::None,
            Who::Staff,
        ),
        e(
            "put",
            "/api/v1/staff/agenda/{id}",
            format!("/api/v1/staff/agenda/{x}"),
            Body::Json(item_body.clone()),
            Who::Roles(EDITORS),
        ),
        e(
            "post",
            "/api/v1/staff/agenda/{id}/cancel",
            format!("/api/v1/staff/agenda/{x}/cancel"),
            Body::Json(json!({"reason": "batal"})),
            Who::Roles(EDITORS),
        ),
        e(
            "get",
            "/api/v1/admin/users",
            "/api/v1/admin/users".into(),
            Body::None,
            Who::Admin,
        ),
        e(
            "post",
            "/api/v1/admin/users",
            "/api/v1/admin/users".into(),
            Body::Json(
                json!({"username": "x", "display_name": "", "role": "protocol", "password": "short"}),
            ),
            Who::Admin,
        ),
        e(
            "put",
            "/api/v1/admin/users/{id}",
            format!("/api/v1/admin/users/{u}"),
            Body::Json(json!({})),
            Who::Admin,
        ),
        e(
            "post",
            "/api/v1/admin/representatives",
            "/api/v1/admin/representatives".into(),
            Body::Json(json!({"name": "I Made Test", "position": "Kepala Dinas Kominfo"})),
            Who::Admin,
        ),
        e(
            "put",
            "/api/v1/admin/representatives/{id}",
            "/api/v1/admin/representatives/sekda".into(),
            Body::Json(json!({"name": "I Wayan Sudarsana", "position": "Sekretaris Daerah"})),
            Who::Admin,
        ),
        e(
            "get",
            "/api/v1/admin/audit",
            "/api/v1/admin/audit".into(),
            Body::None,
            Who::Admin,
        ),
        e(
            "get",
            "/api/v1/admin/deliveries",
            "/api/v1/admin/deliveries?status=failed&channel=email".into(),
            Body::None,
            Who::Admin,
        ),
        e(
            "post",
            "/api/v1/admin/deliveries/{id}/resend",
            // No such delivery: admin gets 404, everyone else 401/403 before that.
            "/api/v1/admin/deliveries/999999/resend".into(),
            Body::None,
            Who::Admin,
        ),
        e(
            "get",
            "/api/v1/staff/notification-settings",
            "/api/v1/staff/notification-settings".into(),
            Body::None,
            Who::Staff,
        ),
        e(
            "get",
            "/api/v1/staff/mention-names",
            "/api/v1/staff/mention-names".into(),
            Body::None,
            Who::Staff,
        ),
        e(
            "put",
            "/api/v1/staff/notification-settings",
            "/api/v1/staff/notification-settings".into(),
            Body::Json(json!({"channels": ["email"]})),
            Who::Staff,
        ),
        e(
            "post",
            "/api/v1/admin/sync/reset",
            "/api/v1/admin/sync/reset".into(),
            Body::None,
            Who::Admin,
        ),
        e(
            "post",
            "/api/v1/admin/devices/{id}/revoke",
            // Unknown to the server (404 for admin): the matrix's own device keeps working.
            "/api/v1/admin/devices/no-such-device/revoke".into(),
            Body::None,
            Who::Admin,
        ),
        e(
            "get",
            "/api/v1/staff/calendar-feed",
            "/api/v1/staff/calendar-feed".into(),
            Body::None,
            Who::Staff,
        ),
        e(
            "post",
            "/api/v1/staff/calendar-feed",
            "/api/v1/staff/calendar-feed".into(),
            Body::None,
            Who::Staff,
        ),
        // 404 for the admin (the account has no feed), 403 for other staff.
        e(
            "delete",
            "/api/v1/admin/users/{id}/calendar-feed",
            format!("/api/v1/admin/users/{u}/calendar-feed"),
            Body::None,
            Who::Admin,
        ),
        e(
            "get",
            "/api/v1/staff/reports/monthly",
            format!("/api/v1/staff/reports/monthly?month={}", &day[..7]),
            Body::None,
            Who::Roles(&["admin", "protocol"]),
        ),
        e(
            "get",
            "/api/v1/staff/agenda/sheet",
            format!("/api/v1/staff/agenda/sheet?date={}", &day[..10]),
            Body::None,
            Who::Staff,
        ),
        e(
            "get",
            "/api/v1/public/agenda/sheet",
            format!("/api/v1/public/agenda/sheet?date={}&format=png", &day[..10]),
            Body::None,
            Who::Everyone,
        ),
        e(
            "get",
            "/api/v1/sync/pull",
            "/api/v1/sync/pull?limit=5".into(),
            Body::None,
            Who::Known,
        ),
        e(
            "post",
            "/api/v1/sync/push",
            "/api/v1/sync/push".into(),
            Body::Json(json!({"mutations": []})),
            Who::Known,
        ),
    ];

    // The matrix covers every operation of the OpenAPI document (logout is checked in its own
    // test below, because it ends the session it is called with).
    let doc = s.get("/openapi.json", None).await.ok();
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.insert(format!("{method} {path}"));
        }
    }
    let mut covered: BTreeSet<String> = endpoints
        .iter()
        .map(|e| format!("{} {}", e.method, e.template))
        .collect();
    covered.insert("post /api/v1/auth/logout".into());
    assert_eq!(
        documented, covered,
        "the matrix must list every documented operation"
    );

    let mut failures = Vec::new();
    for ep in &endpoints {
        for (identity, token) in &tokens {
            let mut req = match ep.method {
                "get" => s.http.get(s.url(&ep.path)),
                "post" => s.http.post(s.url(&ep.path)),
                "put" => s.http.put(s.url(&ep.path)),
                "delete" => s.http.delete(s.url(&ep.path)),
                m => panic!("method {m}"),
            };
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            req = match &ep.body {
                Body::None => req,
                Body::Json(v) => req.json(v),
                Body::Pdf => req.multipart(reqwest::multipart::Form::new().part(
                    "file",
                    reqwest::multipart::Part::bytes(b"%PDF-1.4 x".to_vec()).file_name("x.pdf"),
                )),
            };
            let got = s.send(req).await;
            let status = got.status.as_u16();
            let ok = match ep.who.expect(identity) {
                Some(expected) => status == expected && got.body["error"].is_string(),
                None => status != 401 && status != 403 && status < 500,
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {identity}: got {status}, expected {:?} ({})",
                    ep.method,
                    ep.path,
                    ep.who
                        .expect(identity)
                        .map_or("allowed".into(), |s| s.to_string()),
                    got.body
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn logout_ends_the_session_and_bad_tokens_are_refused() {
    let s = start().await;
    let token = s.login("protokol").await;
    s.get("/api/v1/auth/me", Some(&token)).await.ok();
    s.post("/api/v1/auth/logout", None, json!({}))
        .await
        .err(401);
    let device = s.device().await;
    s.post("/api/v1/auth/logout", Some(&device), json!({}))
        .await
        .err(403);
    let r = s.post("/api/v1/auth/logout", Some(&token), json!({})).await;
    assert_eq!(r.status, 204);
    s.get("/api/v1/auth/me", Some(&token)).await.err(401);
    // A made-up token is refused, not treated as anonymous.
    s.get("/api/v1/sync/pull", Some("spd_forged"))
        .await
        .err(401);
    s.get("/api/v1/public/requests", Some("spd_forged"))
        .await
        .err(401);
    s.get("/api/v1/auth/me", Some("sps_0000")).await.err(401);
    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "protokol", "password": "salah-sekali"}),
        )
        .await
        .err(401);
    assert_eq!(r["message"], "Nama pengguna atau kata sandi salah.");
}

#[tokio::test]
async fn changing_a_password_or_deactivating_ends_sessions() {
    let s = start().await;
    let admin = s.login("admin").await;
    let agenda = s.login("agenda").await;
    let users = s.get("/api/v1/admin/users", Some(&admin)).await.ok();
    let id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "agenda")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    s.put(
        &format!("/api/v1/admin/users/{id}"),
        Some(&admin),
        json!({"active": false}),
    )
    .await
    .ok();
    s.get("/api/v1/auth/me", Some(&agenda)).await.err(401);
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"username": "agenda", "password": PASSWORD}),
    )
    .await
    .err(401);
}

#[tokio::test]
async fn expired_sessions_are_refused() {
    let s = start_with(|c| c.limits.session_hours = 1).await;
    let token = s.login("protokol").await;
    s.get("/api/v1/auth/me", Some(&token)).await.ok();
    // An hour later (the session's end moved into the past).
    s.sql()
        .execute(
            "UPDATE sessions SET expires_at = ?1",
            [chrono::Utc::now().timestamp() - 1],
        )
        .unwrap();
    let r = s.get("/api/v1/auth/me", Some(&token)).await;
    assert_eq!(r.err(401)["error"], "session_expired");
}

#[tokio::test]
async fn the_public_never_receives_internal_data() {
    let s = start().await;
    let a = s.device().await;
    let b = s.device().await;
    let mine = s.submit(&a, json!({})).await;
    let id = mine["id"].as_str().unwrap().to_string();
    let theirs = s
        .submit(
            &b,
            json!({"title": "Rahasia pemohon lain", "requester_phone": "081299998888",
                   "requester_email": "lain@contoh.id"}),
        )
        .await;
    let theirs_id = theirs["id"].as_str().unwrap().to_string();
    let protokol = s.login("protokol").await;
    let ajudan = s.login("ajudan.bupati").await;
    s.post(
        &format!("/api/v1/staff/requests/{id}/notes"),
        Some(&protokol),
        json!({"instruction": "Segera", "text": "CATATAN-INTERNAL-XYZ"}),
    )
    .await
    .ok();
    s.transition(&protokol, &id, json!({"action": "start_review"}))
        .await
        .ok();
    for (title, vis, who) in [
        ("AGENDA-RAHASIA-XYZ", "confidential", &ajudan),
        ("AGENDA-INTERNAL-XYZ", "internal", &protokol),
        ("Agenda publik", "public", &protokol),
    ] {
        s.post(
            "/api/v1/staff/agenda",
            Some(who),
            json!({"leader_id": "bupati", "title": title, "starts_at": wita_at(3, 7),
                   "ends_at": wita_at(3, 8), "location": "Pendopo", "visibility": vis,
                   "status": "confirmed", "attendance": "in_person",
                   "assigned_staff": [{"name": "PETUGAS-XYZ", "duty": "Ajudan"}],
                   "internal_notes": "CATATAN-AGENDA-XYZ"}),
        )
        .await
        .ok();
    }
    // Everything device A can read, in one string.
    let mut seen = String::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let path = match &cursor {
            Some(c) => format!("/api/v1/sync/pull?limit=200&cursor={c}"),
            None => "/api/v1/sync/pull?limit=200".into(),
        };
        let page = s.get(&path, Some(&a)).await.ok();
        seen.push_str(&page.to_string());
        cursor = Some(page["cursor"].as_str().unwrap().to_string());
        if page["has_more"] == false {
            break;
        }
    }
    let day = &wita_at(3, 7)[..10];
    for path in [
        format!("/api/v1/public/agenda?from={day}&to={day}"),
        "/api/v1/public/requests".to_string(),
        format!("/api/v1/public/requests/{id}"),
        format!(
            "/api/v1/public/track/{}",
            theirs["tracking_code"].as_str().unwrap()
        ),
    ] {
        seen.push_str(&s.get(&path, Some(&a)).await.ok().to_string());
    }
    assert!(seen.contains("Agenda publik"), "the public item is there");
    assert!(seen.contains(&id), "own request is there");
    for secret in [
        "CATATAN-INTERNAL-XYZ",
        "AGENDA-RAHASIA-XYZ",
        "AGENDA-INTERNAL-XYZ",
        "PETUGAS-XYZ",
        "CATATAN-AGENDA-XYZ",
        "081299998888",
        "lain@contoh.id",
        "Kadek Protokol",
        "\"internal\":{",
        "actor_name",
        "\"note\"",
    ] {
        assert!(!seen.contains(secret), "the public received {secret}");
    }
    // The other device's request is not found by id, in lists or by sync.
    s.get(&format!("/api/v1/public/requests/{theirs_id}"), Some(&a))
        .await
        .err(404);
    assert!(!seen.contains(&format!("\"id\":\"{theirs_id}\"")));
}

#[tokio::test]
async fn confidential_items_are_for_the_leaders_own_aides_and_admin_only() {
    let s = start().await;
    let ajudan = s.login("ajudan.bupati").await;
    let protokol = s.login("protokol").await;
    let made = s
        .post(
            "/api/v1/staff/agenda",
            Some(&ajudan),
            json!({"leader_id": "bupati", "title": "Pertemuan tertutup", "starts_at": wita_at(4, 19),
                   "ends_at": wita_at(4, 20), "location": "Rumah jabatan", "visibility": "confidential",
                   "status": "confirmed", "attendance": "in_person"}),
        )
        .await
        .ok();
    let id = made["item"]["id"].as_str().unwrap().to_string();
    let day = &wita_at(4, 19)[..10];
    for (user, sees) in [
        ("admin", true),
        ("ajudan.bupati", true),
        ("sespri.bupati", true),
        ("bupati", true),
        ("protokol", false),
        ("agenda", false),
        ("ajudan.wabup", false),
        ("wabup", false),
    ] {
        let t = s.login(user).await;
        let list = s
            .get(
                &format!("/api/v1/staff/agenda?from={day}&to={day}"),
                Some(&t),
            )
            .await
            .ok();
        assert_eq!(list.to_string().contains(&id), sees, "{user} list");
        let one = s.get(&format!("/api/v1/staff/agenda/{id}"), Some(&t)).await;
        assert_eq!(one.status == 200, sees, "{user} get");
    }
    // Protocol staff cannot make items confidential either.
    let e = s
        .post(
            "/api/v1/staff/agenda",
            Some(&protokol),
            json!({"leader_id": "bupati", "title": "Coba rahasia", "starts_at": wita_at(4, 21),
                   "ends_at": wita_at(4, 22), "location": "X", "visibility": "confidential",
                   "status": "confirmed", "attendance": "in_person"}),
        )
        .await
        .err(422);
    assert!(e["fields"]["visibility"].is_string());
}
