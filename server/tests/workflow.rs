//! The request workflow end to end over HTTP: every path a request can take.

mod common;

use common::*;
use serde_json::{Value, json};

fn state(v: &Value) -> &str {
    v["state"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn approved_request_reaches_the_agenda_and_the_requester_sees_disetujui() {
    let s = start().await;
    let device = s.device().await;
    let req = s.submit(&device, json!({})).await;
    let id = req["id"].as_str().unwrap().to_string();
    let code = req["tracking_code"].as_str().unwrap().to_string();
    assert_eq!(state(&req), "submitted");
    assert_eq!(code.len(), 14, "K7QM-3XRD-9PTA");

    let protokol = s.login("protokol").await;
    let ajudan = s.login("ajudan.bupati").await;

    // Staff find it in the inbox, with the actions they may take.
    let inbox = s
        .get("/api/v1/staff/requests?state=submitted", Some(&protokol))
        .await
        .ok();
    let entry = inbox["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["request"]["id"] == id.as_str())
        .expect("new request in the inbox");
    assert!(
        entry["my_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("start_review"))
    );
    assert!(inbox["counts"]["submitted"].as_i64().unwrap() >= 1);

    s.transition(&protokol, &id, json!({"action": "start_review"}))
        .await
        .ok();
    s.post(
        &format!("/api/v1/staff/requests/{id}/notes"),
        Some(&protokol),
        json!({"instruction": "Hadiri & koordinasikan", "text": "Cek kesiapan lokasi."}),
    )
    .await
    .ok();
    let fwd = s
        .transition(&protokol, &id, json!({"action": "forward_to_leader"}))
        .await
        .ok();
    assert_eq!(state(&fwd["request"]), "awaiting_leader");
    assert_eq!(fwd["request"]["assigned_leader_id"], "bupati");

    // The ajudan sees it among the actions for their leader, and approves.
    let detail = s
        .get(&format!("/api/v1/staff/requests/{id}"), Some(&ajudan))
        .await
        .ok();
    assert_eq!(
        detail["available_actions"],
        json!(["propose_time", "approve", "represent", "decline"])
    );
    assert_eq!(detail["notes"][0]["instruction"], "Hadiri & koordinasikan");
    let out = s
        .transition(&ajudan, &id, json!({"action": "approve"}))
        .await
        .ok();
    assert_eq!(state(&out["request"]), "approved");
    let item = &out["agenda_item"];
    assert_eq!(item["leader_id"], "bupati");
    assert_eq!(item["attendance"], "in_person");
    assert_eq!(item["visibility"], "public");
    assert_eq!(item["internal"]["source_request_id"], id.as_str());
    let item_id = item["id"].as_str().unwrap().to_string();

    // The requester sees "Disetujui" and the timeline, without staff names or notes.
    let mine = s
        .get(&format!("/api/v1/public/requests/{id}"), Some(&device))
        .await
        .ok();
    assert_eq!(state(&mine), "approved");
    let timeline = mine["timeline"].as_array().unwrap();
    let steps: Vec<&str> = timeline.iter().map(|t| t["to"].as_str().unwrap()).collect();
    assert_eq!(
        steps,
        ["submitted", "in_review", "awaiting_leader", "approved"]
    );
    assert!(timeline.iter().all(|t| t.get("actor_name").is_none()));
    assert!(!mine.to_string().contains("Cek kesiapan lokasi"));
    let tracked = s
        .get(
            &format!("/api/v1/public/track/{}", code.to_lowercase()),
            None,
        )
        .await
        .ok();
    assert_eq!(tracked["state_label"], "Disetujui");
    assert!(tracked.get("requester_phone").is_none());

    // The public agenda shows the item with public fields only.
    let day = mine["starts_at"].as_str().unwrap()[..10].to_string();
    let agenda = s
        .get(&format!("/api/v1/public/agenda?from={day}&to={day}"), None)
        .await
        .ok();
    let public = agenda
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == item_id.as_str())
        .expect("approved item on the public agenda");
    assert!(public.get("internal").is_none());
    assert_eq!(public["title"], "Pembukaan Pesta Kesenian Desa Kamasan");

    // After the event, staff mark it done and the agenda item follows.
    let done = s
        .transition(&protokol, &id, json!({"action": "mark_done"}))
        .await
        .ok();
    assert_eq!(state(&done["request"]), "done");
    assert_eq!(done["agenda_item"]["status"], "done");
}

#[tokio::test]
async fn represented_names_the_representative_for_requester_and_agenda() {
    let s = start().await;
    let device = s.device().await;
    let id = s.submit(&device, json!({"leader_id": null})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let protokol = s.login("protokol").await;
    s.transition(&protokol, &id, json!({"action": "start_review"}))
        .await
        .ok();
    // "Either leader" must be given a leader when forwarded.
    let e = s
        .transition(&protokol, &id, json!({"action": "forward_to_leader"}))
        .await
        .err(422);
    assert!(e["fields"]["leader_id"].is_string());
    s.transition(
        &protokol,
        &id,
        json!({"action": "forward_to_leader", "leader_id": "wakil_bupati"}),
    )
    .await
    .ok();
    // The Bupati's ajudan may not decide for the Wakil Bupati.
    let ajudan_bupati = s.login("ajudan.bupati").await;
    s.transition(
        &ajudan_bupati,
        &id,
        json!({"action": "represent", "representative": "sekda"}),
    )
    .await
    .err(403);
    let sespri = s.login("sespri.wabup").await;
    let missing = s
        .transition(&sespri, &id, json!({"action": "represent"}))
        .await
        .err(422);
    assert!(missing["fields"]["representative"].is_string());
    let out = s
        .transition(
            &sespri,
            &id,
            json!({"action": "represent", "representative": "sekda"}),
        )
        .await
        .ok();
    assert_eq!(state(&out["request"]), "represented");
    assert_eq!(
        out["request"]["representative"],
        "I Wayan Sudarsana (Sekretaris Daerah)"
    );
    assert_eq!(out["agenda_item"]["attendance"], "represented");
    assert_eq!(out["agenda_item"]["leader_id"], "wakil_bupati");
    let mine = s
        .get(&format!("/api/v1/public/requests/{id}"), Some(&device))
        .await
        .ok();
    assert_eq!(state(&mine), "represented");
    assert_eq!(mine["representative"], out["request"]["representative"]);
}

#[tokio::test]
async fn needs_info_goes_back_to_review_once_the_requester_adds_it() {
    let s = start().await;
    let device = s.device().await;
    let id = s.submit_id(&device, json!({})).await;
    let protokol = s.login("protokol").await;
    let ask = "Mohon lampirkan surat undangan resmi.";
    s.transition(
        &protokol,
        &id,
        json!({"action": "request_info", "reason": ask}),
    )
    .await
    .ok();
    let mine = s
        .get(&format!("/api/v1/public/requests/{id}"), Some(&device))
        .await
        .ok();
    assert_eq!(state(&mine), "needs_info");
    assert_eq!(mine["state_reason"], ask);
    // Empty info is refused with a field message; the request stays as it was.
    s.post(
        &format!("/api/v1/public/requests/{id}/info"),
        Some(&device),
        json!({"info": "  "}),
    )
    .await
    .err(422);
    let after = s
        .post(
            &format!("/api/v1/public/requests/{id}/info"),
            Some(&device),
            json!({"info": "Surat undangan nomor 005/77 sudah kami unggah."}),
        )
        .await
        .ok();
    assert_eq!(state(&after), "in_review");
    assert_eq!(
        after["supplied_info"],
        "Surat undangan nomor 005/77 sudah kami unggah."
    );
}

#[tokio::test]
async fn time_proposals_move_the_request_when_accepted_and_end_it_when_declined() {
    let s = start().await;
    let device = s.device().await;
    let protokol = s.login("protokol").await;
    let ajudan = s.login("ajudan.bupati").await;
    let new_start = wita_at(12, 14);
    let new_end = wita_at(12, 16);

    // Proposed by the ajudan while awaiting the leader; accepting goes back to the leader.
    let a = s.submit_id(&device, json!({})).await;
    s.steps(&protokol, &a, &["start_review", "forward_to_leader"])
        .await;
    let no_time = s
        .transition(&ajudan, &a, json!({"action": "propose_time"}))
        .await
        .err(422);
    assert!(no_time["fields"]["proposed_starts_at"].is_string());
    s.transition(
        &ajudan,
        &a,
        json!({"action": "propose_time", "proposed_starts_at": new_start,
               "proposed_ends_at": new_end, "reason": "Pagi hari pimpinan rapat paripurna."}),
    )
    .await
    .ok();
    let accepted = s
        .post(
            &format!("/api/v1/public/requests/{a}/proposal"),
            Some(&device),
            json!({"accept": true}),
        )
        .await
        .ok();
    assert_eq!(state(&accepted), "awaiting_leader");
    assert_eq!(accepted["starts_at"], new_start.as_str());
    assert!(accepted["proposed_starts_at"].is_null());

    // Declining a proposal ends the request as cancelled.
    let b = s.submit_id(&device, json!({})).await;
    s.transition(&protokol, &b, json!({"action": "start_review"}))
        .await
        .ok();
    s.transition(
        &protokol,
        &b,
        json!({"action": "propose_time", "proposed_starts_at": new_start, "proposed_ends_at": new_end}),
    )
    .await
    .ok();
    let declined = s
        .post(
            &format!("/api/v1/public/requests/{b}/proposal"),
            Some(&device),
            json!({"accept": false, "reason": "Panitia tidak bisa pada waktu itu."}),
        )
        .await
        .ok();
    assert_eq!(state(&declined), "cancelled");
}

#[tokio::test]
async fn declined_requests_carry_the_reason_to_the_requester() {
    let s = start().await;
    let device = s.device().await;
    let id = s.submit_id(&device, json!({})).await;
    let protokol = s.login("protokol").await;
    let no_reason = s
        .transition(&protokol, &id, json!({"action": "decline"}))
        .await
        .err(422);
    assert!(no_reason["fields"]["reason"].is_string());
    let reason = "Pimpinan bertugas ke luar daerah pada tanggal tersebut.";
    s.transition(
        &protokol,
        &id,
        json!({"action": "decline", "reason": reason}),
    )
    .await
    .ok();
    let mine = s
        .get(&format!("/api/v1/public/requests/{id}"), Some(&device))
        .await
        .ok();
    assert_eq!(state(&mine), "declined");
    assert_eq!(mine["state_reason"], reason);
    assert_eq!(
        mine["timeline"].as_array().unwrap().last().unwrap()["reason"],
        reason
    );
    // Nothing leaves a final state.
    s.transition(&protokol, &id, json!({"action": "start_review"}))
        .await
        .err(409);
    s.post(
        &format!("/api/v1/public/requests/{id}/cancel"),
        Some(&device),
        json!({}),
    )
    .await
    .err(409);
}

#[tokio::test]
async fn cancelling_an_approved_request_cancels_its_agenda_item() {
    let s = start().await;
    let device = s.device().await;
    let id = s.submit_id(&device, json!({})).await;
    let protokol = s.login("protokol").await;
    let sespri = s.login("sespri.bupati").await;
    let approved = s.approve(&protokol, &sespri, &id).await;
    let item_id = approved["agenda_item"]["id"].as_str().unwrap().to_string();
    let cancelled = s
        .post(
            &format!("/api/v1/public/requests/{id}/cancel"),
            Some(&device),
            json!({"reason": "Acara ditunda karena cuaca."}),
        )
        .await
        .ok();
    assert_eq!(state(&cancelled), "cancelled");
    let item = s
        .get(&format!("/api/v1/staff/agenda/{item_id}"), Some(&protokol))
        .await
        .ok();
    assert_eq!(item["status"], "cancelled");
    assert!(item["ical_sequence"].as_i64().unwrap() >= 1);
    assert!(
        item["internal"]["internal_notes"]
            .as_str()
            .unwrap()
            .contains("Acara ditunda karena cuaca.")
    );
}

#[tokio::test]
async fn approving_a_clashing_request_warns_with_the_other_item() {
    let s = start().await;
    let agenda = s.login("agenda").await;
    let protokol = s.login("protokol").await;
    let ajudan = s.login("ajudan.bupati").await;
    // An existing item at the same time, elsewhere.
    let existing = s
        .post(
            "/api/v1/staff/agenda",
            Some(&agenda),
            json!({"leader_id": "bupati", "title": "Rapat evaluasi APBD",
                   "starts_at": wita_at(20, 11), "ends_at": wita_at(20, 13),
                   "location": "Kantor Bupati Klungkung", "visibility": "internal",
                   "status": "confirmed", "attendance": "in_person"}),
        )
        .await;
    assert_eq!(existing.status, 201, "{}", existing.body);
    let device = s.device().await;
    let id = s.submit(&device, request_body(20)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.steps(&protokol, &id, &["start_review", "forward_to_leader"])
        .await;
    // The warning is visible before deciding…
    let detail = s
        .get(&format!("/api/v1/staff/requests/{id}"), Some(&ajudan))
        .await
        .ok();
    let titles: Vec<&str> = detail["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["other_title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Rapat evaluasi APBD"), "{titles:?}");
    // …and comes back with the approval, which is a warning and not a block.
    let out = s
        .transition(&ajudan, &id, json!({"action": "approve"}))
        .await
        .ok();
    assert_eq!(state(&out["request"]), "approved");
    let c = out["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["other_title"] == "Rapat evaluasi APBD")
        .expect("the clash is named");
    assert_eq!(c["kind"], "overlap");
}

#[tokio::test]
async fn agenda_days_follow_wita_not_utc() {
    let s = start().await;
    let agenda = s.login("agenda").await;
    // 23.30 WITA on 10 March is 15.30 UTC; 00.30 WITA on 11 March is 16.30 UTC on 10 March.
    for (title, start, end) in [
        ("Malam", "2027-03-10T15:30:00Z", "2027-03-10T15:55:00Z"),
        ("Dini hari", "2027-03-10T16:30:00Z", "2027-03-10T17:00:00Z"),
    ] {
        let r = s
            .post(
                "/api/v1/staff/agenda",
                Some(&agenda),
                json!({"leader_id": "wakil_bupati", "title": title, "starts_at": start,
                       "ends_at": end, "location": "Puri Agung Klungkung",
                       "visibility": "public", "status": "confirmed", "attendance": "in_person"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let titles = |day: &'static str| {
        let s = &s;
        async move {
            s.get(
                &format!("/api/v1/public/agenda?from={day}&to={day}&leader=wakil_bupati"),
                None,
            )
            .await
            .ok()
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles("2027-03-10").await, ["Malam"]);
    assert_eq!(titles("2027-03-11").await, ["Dini hari"]);
}

#[tokio::test]
async fn a_retried_submission_with_the_same_id_makes_one_request() {
    let s = start().await;
    let device = s.device().await;
    let id = "5b0f1a52-8d53-4b59-9a57-1f0c3c6f4e11";
    let mut body = request_body(9);
    merge(&mut body, json!({"id": id}));
    let first = s
        .post("/api/v1/public/requests", Some(&device), body.clone())
        .await;
    assert_eq!(first.status, 201);
    let again = s
        .post("/api/v1/public/requests", Some(&device), body.clone())
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["tracking_code"], first.body["tracking_code"]);
    let mine = s.get("/api/v1/public/requests", Some(&device)).await.ok();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    // Another device cannot claim the id.
    let other = s.device().await;
    s.post("/api/v1/public/requests", Some(&other), body)
        .await
        .err(409);
}

#[tokio::test]
async fn attachments_are_stored_checked_and_served_to_owner_and_staff() {
    let s = start().await;
    let device = s.device().await;
    let id = s.submit_id(&device, json!({})).await;
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(pdf.clone()).file_name("undangan.pdf"),
    );
    let up = s
        .send(
            s.http
                .post(s.url(&format!("/api/v1/public/requests/{id}/attachments")))
                .bearer_auth(&device)
                .multipart(form),
        )
        .await;
    assert_eq!(up.status, 201, "{}", up.body);
    assert_eq!(up.body["content_type"], "application/pdf");
    let att = up.body["id"].as_str().unwrap().to_string();
    let protokol = s.login("protokol").await;
    let bytes = s
        .http
        .get(s.url(&format!("/api/v1/staff/requests/{id}/attachments/{att}")))
        .bearer_auth(&protokol)
        .send()
        .await
        .unwrap();
    assert_eq!(bytes.status(), 200);
    assert_eq!(bytes.bytes().await.unwrap().to_vec(), pdf);
    let other = s.device().await;
    s.get(
        &format!("/api/v1/public/requests/{id}/attachments/{att}"),
        Some(&other),
    )
    .await
    .err(404);
    let detail = s
        .get(&format!("/api/v1/public/requests/{id}"), Some(&device))
        .await
        .ok();
    assert_eq!(detail["attachments"][0]["filename"], "undangan.pdf");
}

#[tokio::test]
async fn blank_email_and_letter_number_are_stored_as_none_and_text_trimmed() {
    let s = start().await;
    let device = s.device().await;
    let r = s
        .submit(
            &device,
            json!({"requester_email": "   ", "letter_number": "", "organizer": "  Desa Kamasan  "}),
        )
        .await;
    assert!(r["requester_email"].is_null(), "{r}");
    assert!(r["letter_number"].is_null(), "{r}");
    assert_eq!(r["organizer"], "Desa Kamasan");
    let protocol = s.login("protokol").await;
    let id = r["id"].as_str().unwrap();
    let staff_view = s
        .get(&format!("/api/v1/staff/requests/{id}"), Some(&protocol))
        .await
        .ok();
    assert!(staff_view["request"]["requester_email"].is_null());
    assert!(staff_view["request"]["letter_number"].is_null());
}

#[tokio::test]
async fn the_configured_travel_buffer_is_published_for_the_apps() {
    let s = start_with(|c| c.travel_buffer_minutes = 45).await;
    let info = s.get("/api/v1/public/info", None).await.ok();
    assert_eq!(info["travel_buffer_minutes"], 45);
}
