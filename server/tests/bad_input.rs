//! Bad input gets a 4xx with a JSON message — never a 500 — and rate limits hold.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn malformed_wrong_and_missing_json_are_4xx_with_a_message() {
    let s = start().await;
    let device = s.device().await;
    let send_raw = |body: &'static str, content_type: &'static str| {
        s.send(
            s.http
                .post(s.url("/api/v1/public/requests"))
                .bearer_auth(&device)
                .header("content-type", content_type)
                .body(body),
        )
    };
    let malformed = send_raw("{\"title\": ", "application/json").await.err(400);
    assert_eq!(malformed["error"], "malformed_json");
    let wrong_type = send_raw("{\"expected_attendees\": \"banyak\"}", "application/json")
        .await
        .err(422);
    assert_eq!(wrong_type["error"], "invalid_field");
    send_raw("{}", "application/json").await.err(422);
    send_raw("kind=undangan", "application/x-www-form-urlencoded")
        .await
        .err(415);
    // An unknown enum value.
    let mut body = request_body(5);
    merge(&mut body, json!({"kind": "pesta"}));
    s.post("/api/v1/public/requests", Some(&device), body)
        .await
        .err(422);
    // Nothing was created by any of these.
    let mine = s.get("/api/v1/public/requests", Some(&device)).await.ok();
    assert!(mine.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn invalid_fields_are_named_in_indonesian_or_english() {
    let s = start().await;
    let device = s.device().await;
    let mut body = request_body(5);
    merge(
        &mut body,
        json!({"ends_at": wita_at(5, 9), "requester_phone": "12", "requester_email": "bukan-email",
               "title": "", "leader_id": "gubernur"}),
    );
    let e = s
        .post("/api/v1/public/requests", Some(&device), body.clone())
        .await
        .err(422);
    assert_eq!(e["error"], "validation");
    assert_eq!(
        e["fields"]["ends_at"],
        "Waktu selesai harus setelah waktu mulai."
    );
    assert_eq!(e["fields"]["title"], "Wajib diisi.");
    assert!(e["fields"]["requester_phone"].is_string());
    assert!(e["fields"]["requester_email"].is_string());
    let en = s
        .send(
            s.http
                .post(s.url("/api/v1/public/requests"))
                .bearer_auth(&device)
                .header("accept-language", "en-GB,en;q=0.8")
                .json(&body),
        )
        .await
        .err(422);
    assert_eq!(en["fields"]["ends_at"], "The end must be after the start.");
    // Past events cannot be requested: a request right in every other way, two days ago, is
    // refused for its start alone.
    let e = s
        .post("/api/v1/public/requests", Some(&device), request_body(-2))
        .await
        .err(422);
    let fields: Vec<&String> = e["fields"].as_object().unwrap().keys().collect();
    assert_eq!(fields, ["starts_at"], "{e}");
}

#[tokio::test]
async fn impossible_agenda_items_and_ranges_are_refused() {
    let s = start().await;
    let agenda = s.login("agenda").await;
    let e = s
        .post(
            "/api/v1/staff/agenda",
            Some(&agenda),
            json!({"leader_id": "bupati", "title": "Terbalik", "starts_at": wita_at(3, 12),
                   "ends_at": wita_at(3, 10), "location": "Kantor", "visibility": "public",
                   "status": "confirmed", "attendance": "represented"}),
        )
        .await
        .err(422);
    assert!(e["fields"]["ends_at"].is_string());
    assert!(e["fields"]["representative"].is_string());
    s.get("/api/v1/public/agenda?from=2027-01-10&to=2027-01-01", None)
        .await
        .err(422);
    s.get("/api/v1/public/agenda?from=2027-01-01&to=2027-12-31", None)
        .await
        .err(422);
    s.get("/api/v1/public/agenda?from=kemarin&to=besok", None)
        .await
        .err(400);
    s.get("/api/v1/public/agenda", None).await.err(400);
    s.get("/api/v1/staff/requests?state=unknown", Some(&agenda))
        .await
        .err(400);
    s.get("/api/v1/admin/users/abc", None).await.err(405);
    // Cancelling twice is refused: an applied change always moves the item's version.
    let made = s
        .post(
            "/api/v1/staff/agenda",
            Some(&agenda),
            json!({"leader_id": "bupati", "title": "Dibatalkan dua kali", "starts_at": wita_at(3, 8),
                   "ends_at": wita_at(3, 9), "location": "Kantor", "visibility": "public",
                   "status": "confirmed", "attendance": "in_person"}),
        )
        .await
        .ok();
    let cancel = format!(
        "/api/v1/staff/agenda/{}/cancel",
        made["item"]["id"].as_str().unwrap()
    );
    s.post(&cancel, Some(&agenda), json!({"reason": "hujan"}))
        .await
        .ok();
    let twice = s
        .post(&cancel, Some(&agenda), json!({"reason": "hujan"}))
        .await
        .err(409);
    assert_eq!(twice["error"], "already_cancelled");
    s.get("/api/v1/staff/agenda/tidak-ada", Some(&agenda))
        .await
        .err(404);
    s.get("/api/v1/public/track/123", None).await.err(422);
    s.get("/api/v1/public/track/AAAA-BBBB", None).await.err(404);
    s.get("/api/v1/tidak/ada", None).await.err(404);
}

#[tokio::test]
async fn forbidden_transitions_are_refused_with_the_reason() {
    let s = start().await;
    let device = s.device().await;
    let id = s.submit_id(&device, json!({})).await;
    let protokol = s.login("protokol").await;
    let wrong_state = s
        .transition(&protokol, &id, json!({"action": "approve"}))
        .await
        .err(409);
    assert_eq!(wrong_state["error"], "invalid_transition");
    assert!(
        wrong_state["message"]
            .as_str()
            .unwrap()
            .contains("Diajukan")
    );
    s.transition(&protokol, &id, json!({"action": "terbang"}))
        .await
        .err(422);
    s.transition(&protokol, "bukan-id", json!({"action": "start_review"}))
        .await
        .err(404);
    // A requester cannot do staff steps through sync either.
    let r = s
        .post(
            "/api/v1/sync/push",
            Some(&device),
            json!({"mutations": [{"id": "m-1", "op": {"type": "transition", "request_id": id,
                   "input": {"action": "start_review"}}}]}),
        )
        .await
        .ok();
    assert_eq!(r["results"][0]["status"], "rejected");
    assert_eq!(r["results"][0]["error"]["error"], "forbidden");
}

#[tokio::test]
async fn oversized_bodies_and_attachments_are_413_and_odd_files_415() {
    let s = start().await;
    let device = s.device().await;
    let mut body = request_body(5);
    merge(&mut body, json!({"description": "x".repeat(400 * 1024)}));
    let big = s
        .post("/api/v1/public/requests", Some(&device), body)
        .await
        .err(413);
    assert!(big["message"].as_str().unwrap().contains("terlalu besar"));
    let id = s.submit_id(&device, json!({})).await;
    let upload = |bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("surat.pdf"),
        );
        s.send(
            s.http
                .post(s.url(&format!("/api/v1/public/requests/{id}/attachments")))
                .bearer_auth(&device)
                .multipart(form),
        )
    };
    let mut huge = b"%PDF-1.4\n".to_vec();
    huge.resize(6 * 1024 * 1024, b'x');
    upload(huge).await.err(413);
    upload(b"MZ\x90\x00 not a pdf".to_vec()).await.err(415);
    upload(Vec::new()).await.err(422);
    let no_form = s
        .post(
            &format!("/api/v1/public/requests/{id}/attachments"),
            Some(&device),
            json!({}),
        )
        .await
        .err(400);
    assert!(no_form["message"].as_str().unwrap().contains("multipart"));
    let detail = s
        .get(&format!("/api/v1/public/requests/{id}"), Some(&device))
        .await
        .ok();
    assert!(detail["attachments"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn registrations_submissions_and_logins_are_rate_limited() {
    let s = start_with(|c| {
        c.limits.registrations_per_hour = 3;
        c.limits.submissions_per_hour = 2;
        c.limits.login_failures = 2;
    })
    .await;
    let device = s.device().await;
    s.device().await;
    s.device().await;
    let limited = s
        .post("/api/v1/public/devices", None, json!({}))
        .await
        .err(429);
    assert_eq!(limited["error"], "rate_limited");
    s.submit(&device, json!({})).await;
    s.submit(&device, json!({})).await;
    s.post("/api/v1/public/requests", Some(&device), request_body(4))
        .await
        .err(429);
    for _ in 0..2 {
        s.post(
            "/api/v1/auth/login",
            None,
            json!({"username": "protokol", "password": "tebak-tebakan"}),
        )
        .await
        .err(401);
    }
    // Now even the right password waits.
    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "protokol", "password": PASSWORD}),
        )
        .await;
    let retry = r.headers.get("retry-after").cloned();
    r.err(429);
    assert!(retry.is_some());
    // Another account is not locked by these failures.
    s.login("agenda").await;
}

/// Control characters (a `\r\n` that would end a line of a feed, a header or a CSV row) are
/// refused in staff display names, representatives and notification settings too: a 422 naming
/// the field, and nothing stored.
#[tokio::test]
async fn control_characters_in_staff_and_admin_text_are_refused_with_the_field() {
    let s = start().await;
    let admin = s.login("admin").await;
    let injected = "Komang\r\nEND:VEVENT\r\nBEGIN:VEVENT";
    let field_of = |body: &serde_json::Value, name: &str| {
        body["fields"][name]
            .as_str()
            .unwrap_or_else(|| panic!("{name} not named: {body}"))
            .to_string()
    };
    let e = s
        .post(
            "/api/v1/admin/users",
            Some(&admin),
            json!({"username": "komang", "display_name": injected, "role": "protocol",
                   "password": "kata-sandi-panjang-sekali"}),
        )
        .await
        .err(422);
    assert!(field_of(&e, "display_name").contains("kontrol"), "{e}");
    let users = s.get("/api/v1/admin/users", Some(&admin)).await.ok();
    assert!(!users.to_string().contains("komang"), "{users}");
    let id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "protokol")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let e = s
        .put(
            &format!("/api/v1/admin/users/{id}"),
            Some(&admin),
            json!({"display_name": "Putu\u{0007}"}),
        )
        .await
        .err(422);
    field_of(&e, "display_name");
    for (field, body) in [
        ("name", json!({"name": injected, "position": "Asisten I"})),
        (
            "position",
            json!({"name": "I Made Test", "position": "Asisten\tI"}),
        ),
    ] {
        let e = s
            .post("/api/v1/admin/representatives", Some(&admin), body.clone())
            .await
            .err(422);
        field_of(&e, field);
        let e = s
            .put("/api/v1/admin/representatives/sekda", Some(&admin), body)
            .await
            .err(422);
        field_of(&e, field);
    }
    let protokol = s.login("protokol").await;
    for (field, body) in [
        (
            "phone",
            json!({"phone": "0812\u{0000}3456 7890", "channels": []}),
        ),
        (
            "email",
            json!({"email": "a@contoh.id\r\nBcc: semua@contoh.id", "channels": []}),
        ),
        (
            "email",
            json!({"email": "a\u{007f}@contoh.id", "channels": []}),
        ),
    ] {
        let e = s
            .put("/api/v1/staff/notification-settings", Some(&protokol), body)
            .await
            .err(422);
        field_of(&e, field);
    }
}

/// A query parameter that cannot be read is named in `fields`, and the whole answer is in the
/// request's language (no English parser text inside the Indonesian message).
#[tokio::test]
async fn bad_query_parameters_are_named_in_one_language() {
    let s = start().await;
    let admin = s.login("admin").await;
    let get = |path: &str, lang: &str| {
        s.http
            .get(s.url(path))
            .bearer_auth(&admin)
            .header("accept-language", lang)
    };
    for (path, field) in [
        ("/api/v1/public/agenda?from=kemarin&to=2027-01-02", "from"),
        ("/api/v1/public/agenda?from=2027-01-01", "to"),
        ("/api/v1/staff/requests?limit=banyak", "limit"),
        ("/api/v1/staff/requests?limit=0", "limit"),
        ("/api/v1/staff/requests?cursor=xyz", "cursor"),
        ("/api/v1/admin/deliveries?limit=-1", "limit"),
        ("/api/v1/admin/deliveries?before=kemarin", "before"),
        ("/api/v1/staff/requests?state=unknown", "state"),
    ] {
        let id = s.send(get(path, "id")).await.err(400);
        assert_eq!(id["error"], "invalid_query", "{path}: {id}");
        let fields: Vec<&String> = id["fields"].as_object().unwrap().keys().collect();
        assert_eq!(fields, [field], "{path}: {id}");
        let text = format!("{} {}", id["message"], id["fields"][field]);
        assert!(text.contains(field), "{path}: {text}");
        for english in [
            "Failed", "invalid", "input", "expected", "missing", "unknown",
        ] {
            assert!(!text.contains(english), "{path}: English in {text}");
        }
        let en = s.send(get(path, "en")).await.err(400);
        assert_eq!(en["fields"].as_object().unwrap().len(), 1, "{en}");
        let text = format!("{} {}", en["message"], en["fields"][field]);
        for indonesian in ["tidak", "wajib", "Nilai"] {
            assert!(!text.contains(indonesian), "{path}: Indonesian in {text}");
        }
        assert!(text.contains(field), "{path}: {text}");
    }
}
