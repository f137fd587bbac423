//! The monthly report: figures checked against fixtures with known times, and the XLSX (read
//! with Python's openpyxl) and CSV exports checked against the JSON API.

mod common;
mod pytools;

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use common::*;
use serde_json::{Value, json};

/// Noon WITA on the 15th of the month 200 days ago: a month the demo data leaves empty.
fn fixture_month() -> (NaiveDate, i64) {
    let d = (Utc::now() - Duration::days(200)).date_naive();
    let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap();
    let noon = chrono_tz::Asia::Makassar
        .with_ymd_and_hms(d.year(), d.month(), 15, 12, 0, 0)
        .unwrap()
        .timestamp();
    (first, noon)
}

fn count(list: &Value, key: &str) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("{key} in {list}"))["count"]
        .as_i64()
        .unwrap()
}

async fn report(s: &TestServer, token: &str, month: &str) -> Value {
    s.get(
        &format!("/api/v1/staff/reports/monthly?month={month}"),
        Some(token),
    )
    .await
    .ok()
}

async fn file(s: &TestServer, token: &str, month: &str, format: &str) -> (String, Vec<u8>) {
    file_in(s, token, month, format, "id").await
}

/// A report file in a language asked for by `Accept-Language`.
async fn file_in(
    s: &TestServer,
    token: &str,
    month: &str,
    format: &str,
    lang: &str,
) -> (String, Vec<u8>) {
    let res = s
        .http
        .get(s.url(&format!(
            "/api/v1/staff/reports/monthly?month={month}&format={format}"
        )))
        .bearer_auth(token)
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("laporan-{month}.{format}"))
    );
    (ct, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_monthly_report_counts_agenda_and_requests_and_measures_response_times() {
    let s = start().await;
    let admin = s.login("admin").await;
    let protokol = s.login("protokol").await;
    let device = s.device().await;
    let (first, noon) = fixture_month();
    let month = first.format("%Y-%m").to_string();
    let empty = report(&s, &admin, &month).await;
    assert_eq!(
        empty["requests"]["total"], 0,
        "the fixture month starts empty"
    );

    // Requests: five declined after a first action at h hours and a decision at 2h hours, one
    // left untouched. Times are set in the database file (the API stamps "now").
    let hours = [1, 2, 3, 4, 10];
    let mut ids = Vec::new();
    for h in hours {
        let id = s.submit_id(&device, json!({})).await;
        s.transition(&protokol, &id, json!({"action": "start_review"}))
            .await
            .ok();
        s.transition(
            &protokol,
            &id,
            json!({"action": "decline", "reason": "Jadwal penuh"}),
        )
        .await
        .ok();
        ids.push((id, h));
    }
    let open = s.submit(&device, json!({"kind": "audiensi"})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    ids.push((open, 0));
    {
        let conn = s.sql();
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .unwrap();
        for (id, h) in &ids {
            conn.execute(
                "UPDATE requests SET created_at = ?2 WHERE id = ?1",
                rusqlite::params![id, noon],
            )
            .unwrap();
            // The n-th event of the request at n·h hours after submission.
            conn.execute(
                "UPDATE request_events SET at = ?2 + ?3 * 3600 *
                     (SELECT COUNT(*) FROM request_events e
                      WHERE e.request_id = request_events.request_id AND e.id < request_events.id)
                 WHERE request_id = ?1",
                rusqlite::params![id, noon, h],
            )
            .unwrap();
        }
    }

    // Agenda of the month: the Bupati twice in person (rapat), once represented, one
    // cancelled, one confidential; the Wakil Bupati once absent (kunjungan).
    let day = |d: i64, h: i64| {
        Utc.timestamp_opt(noon + d * 86400 + (h - 12) * 3600, 0)
            .unwrap()
            .to_rfc3339()
    };
    let item = |leader: &str, d: i64, extra: Value| {
        let mut body = json!({"leader_id": leader, "title": "Kegiatan laporan bulanan",
            "starts_at": day(d, 9), "ends_at": day(d, 10), "location": "Semarapura",
            "category": "rapat", "visibility": "public", "status": "done",
            "attendance": "in_person"});
        merge(&mut body, extra);
        body
    };
    let mut bodies = vec![
        item("bupati", -3, json!({})),
        item("bupati", -2, json!({})),
        item(
            "bupati",
            -1,
            json!({"attendance": "represented", "representative": "Sekretaris Daerah",
                "category": "seremonial"}),
        ),
        item(
            "bupati",
            1,
            json!({"visibility": "confidential", "title": "Pertemuan tertutup dengan investor"}),
        ),
        item(
            "wakil_bupati",
            2,
            json!({"attendance": "absent", "category": "kunjungan"}),
        ),
    ];
    let cancelled = item("bupati", 3, json!({"status": "confirmed"}));
    bodies.push(cancelled);
    let mut last = Value::Null;
    for b in bodies {
        last = s.post("/api/v1/staff/agenda", Some(&admin), b).await.ok();
    }
    let id = last["item"]["id"].as_str().unwrap();
    s.post(
        &format!("/api/v1/staff/agenda/{id}/cancel"),
        Some(&admin),
        json!({"reason": "Batal"}),
    )
    .await
    .ok();

    let r = report(&s, &admin, &month).await;
    assert_eq!(r["month"], month);
    let req = &r["requests"];
    assert_eq!(req["total"], 6);
    assert_eq!(count(&req["by_kind"], "undangan"), 5);
    assert_eq!(count(&req["by_kind"], "audiensi"), 1);
    assert_eq!(count(&req["by_state"], "declined"), 5);
    assert_eq!(count(&req["by_state"], "submitted"), 1);
    assert_eq!(count(&req["by_outcome"], "declined"), 5);
    assert_eq!(count(&req["by_outcome"], "open"), 1);
    assert_eq!(count(&req["by_outcome"], "attended"), 0);

    let trend = r["response_times"].as_array().unwrap();
    assert_eq!(trend.len(), 12);
    assert_eq!(trend[11]["month"], month);
    assert_eq!(
        trend[0]["month"],
        (first - chrono::Months::new(11))
            .format("%Y-%m")
            .to_string()
    );
    let t = &trend[11];
    assert_eq!(t["submitted"], 6);
    assert_eq!(t["first_action_count"], 5);
    assert_eq!(t["first_action_median_hours"], 3.0);
    assert_eq!(t["first_action_p90_hours"], 10.0);
    assert_eq!(t["decision_count"], 5);
    assert_eq!(t["decision_median_hours"], 6.0);
    assert_eq!(t["decision_p90_hours"], 20.0);
    assert!(
        trend[10]["first_action_median_hours"].is_null(),
        "no figure for a month without requests"
    );

    let leader = |r: &Value, id: &str| {
        r["agenda"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["leader_id"] == id)
            .unwrap()
            .clone()
    };
    let bupati = leader(&r, "bupati");
    assert_eq!(bupati["items"], 4);
    assert_eq!(bupati["cancelled"], 1);
    assert_eq!(count(&bupati["by_attendance"], "in_person"), 3);
    assert_eq!(count(&bupati["by_attendance"], "represented"), 1);
    assert_eq!(count(&bupati["by_category"], "rapat"), 3);
    assert_eq!(count(&bupati["by_category"], "seremonial"), 1);
    let wakil = leader(&r, "wakil_bupati");
    assert_eq!(count(&wakil["by_attendance"], "absent"), 1);
    assert_eq!(count(&wakil["by_category"], "kunjungan"), 1);
    // Protocol staff do not see the confidential item, in the report as in the agenda.
    let rp = report(&s, &protokol, &month).await;
    assert_eq!(leader(&rp, "bupati")["items"], 3);
    assert_eq!(rp["requests"], r["requests"]);

    assert_eq!(r["left_out"], 0, "admin sees every item");
    assert_eq!(rp["left_out"], 1, "the confidential item, counted");

    // XLSX: three sheets, each with the title block, then labels in Indonesian and typed cells
    // carrying the JSON's numbers.
    let (ct, xlsx) = file(&s, &admin, &month, "xlsx").await;
    assert_eq!(
        ct,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let wb = pytools::read_with("xlsx_dump.py", "laporan.xlsx", &xlsx);
    let sheets: Vec<&String> = wb.as_object().unwrap().keys().collect();
    assert_eq!(sheets, ["Agenda", "Permohonan", "Waktu respons"]);
    let text = |rows: &[Value], r: usize| rows[r][0]["value"].as_str().unwrap_or("").to_string();
    let month_words = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ][first.month0() as usize];
    for sheet in sheets.iter() {
        let rows = wb[sheet.as_str()].as_array().unwrap();
        assert_eq!(
            text(rows, 0),
            "Laporan Bulanan Kegiatan Pimpinan – Kabupaten Klungkung"
        );
        assert_eq!(
            text(rows, 1),
            format!("Bulan: {month_words} {}", first.year())
        );
        let made = text(rows, 2);
        assert!(
            made.starts_with("Dibuat oleh: Admin Prokompim (Admin), "),
            "{made}"
        );
        assert!(made.ends_with(" WITA"), "{made}");
        assert!(text(rows, 3).is_empty(), "no note when nothing is left out");
    }
    // No code anywhere a person reads.
    let codes: Vec<String> = [
        "awaiting_leader",
        "in_review",
        "attended",
        "in_person",
        "open",
        "declined",
        "undangan",
        "items",
        "cancelled",
        "agenda_attendance",
        "outcome",
        "state",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect();
    for sheet in wb.as_object().unwrap().values() {
        for row in sheet.as_array().unwrap() {
            for c in row.as_array().unwrap() {
                if let Some(t) = c["value"].as_str() {
                    assert!(!codes.iter().any(|code| code == t), "a raw code: {t}");
                }
            }
        }
    }
    let agenda = wb["Agenda"].as_array().unwrap();
    assert_eq!(text(agenda, 5), "Pimpinan");
    let cell_of = |rows: &[Value], cols: &[(usize, &str)], value_col: usize| -> Value {
        let row = rows
            .iter()
            .find(|row| cols.iter().all(|(c, v)| row[*c]["value"] == *v))
            .unwrap_or_else(|| panic!("row {cols:?}"));
        assert_eq!(row[value_col]["type"], "n", "a number cell: {row:?}");
        row[value_col]["value"].clone()
    };
    let attendance_id = |code: &str| match code {
        "in_person" => "Hadir sendiri",
        "represented" => "Diwakilkan",
        "absent" => "Tidak hadir",
        other => panic!("{other}"),
    };
    for l in r["agenda"].as_array().unwrap() {
        let title = l["leader_title"].as_str().unwrap();
        assert_eq!(
            cell_of(
                agenda,
                &[(0, title), (1, "Kegiatan"), (2, "Tidak dibatalkan")],
                3
            ),
            l["items"].as_f64().unwrap()
        );
        assert_eq!(
            cell_of(agenda, &[(0, title), (2, "Dibatalkan")], 3),
            l["cancelled"].as_f64().unwrap()
        );
        for c in l["by_attendance"].as_array().unwrap() {
            let label = attendance_id(c["key"].as_str().unwrap());
            assert_eq!(
                cell_of(agenda, &[(0, title), (1, "Kehadiran"), (2, label)], 3),
                c["count"].as_f64().unwrap()
            );
        }
        for c in l["by_category"].as_array().unwrap() {
            let key = c["key"].as_str().unwrap();
            assert_eq!(
                cell_of(agenda, &[(0, title), (1, "Kategori"), (2, key)], 3),
                c["count"].as_f64().unwrap()
            );
        }
    }
    let permohonan = wb["Permohonan"].as_array().unwrap();
    for (group, label, want) in [
        ("Jenis", "Undangan menghadiri acara", 5.0),
        ("Jenis", "Audiensi", 1.0),
        ("Status", "Ditolak", 5.0),
        ("Status", "Diajukan", 1.0),
        ("Status", "Menunggu keputusan pimpinan", 0.0),
        ("Hasil", "Ditolak", 5.0),
        ("Hasil", "Belum diputuskan", 1.0),
        ("Hasil", "Dihadiri pimpinan", 0.0),
    ] {
        assert_eq!(cell_of(permohonan, &[(0, group), (1, label)], 2), want);
    }
    assert_eq!(
        permohonan.len(),
        6 + 4 + 10 + 5,
        "title, header, every kind, state, outcome"
    );
    let times = wb["Waktu respons"].as_array().unwrap();
    assert_eq!(times.len(), 6 + 12, "title block, header and twelve months");
    assert_eq!(times[5][3]["value"], "Median tanggapan (jam)");
    for (row, t) in times[6..].iter().zip(trend) {
        assert!(row[0]["is_date"].as_bool().unwrap(), "{row:?}");
        assert_eq!(
            row[0]["value"].as_str().unwrap()[..7],
            *t["month"].as_str().unwrap()
        );
        for (col, key) in [
            (1, "submitted"),
            (2, "first_action_count"),
            (3, "first_action_median_hours"),
            (4, "first_action_p90_hours"),
            (5, "decision_count"),
            (6, "decision_median_hours"),
            (7, "decision_p90_hours"),
        ] {
            let cell = &row
                .get(col)
                .map(|c| c["value"].clone())
                .unwrap_or(Value::Null);
            let want = &t[key];
            match want.as_f64() {
                Some(w) => assert_eq!(cell.as_f64(), Some(w), "{} {key}", t["month"]),
                None => assert!(cell.is_null(), "{} {key}: {cell}", t["month"]),
            }
        }
    }
    assert_eq!(times[17][3]["format"], "0.00");

    // In English when the reader asks for it: the same numbers under English words.
    let (_, xlsx) = file_in(&s, &admin, &month, "xlsx", "en-GB,en;q=0.9").await;
    let en = pytools::read_with("xlsx_dump.py", "report.xlsx", &xlsx);
    let sheets: Vec<&String> = en.as_object().unwrap().keys().collect();
    assert_eq!(sheets, ["Agenda", "Requests", "Response times"]);
    let requests = en["Requests"].as_array().unwrap();
    assert_eq!(
        text(requests, 0),
        "Monthly report of the leaders' activities – Kabupaten Klungkung"
    );
    assert!(
        text(requests, 1).starts_with("Month: "),
        "{}",
        text(requests, 1)
    );
    assert!(
        text(requests, 2).starts_with("Made by: Admin Prokompim (Administrator), "),
        "{}",
        text(requests, 2)
    );
    assert_eq!(cell_of(requests, &[(0, "State"), (1, "Declined")], 2), 5.0);
    assert_eq!(
        cell_of(requests, &[(0, "Outcome"), (1, "Not decided yet")], 2),
        1.0
    );
    let en_agenda = en["Agenda"].as_array().unwrap();
    assert_eq!(
        cell_of(
            en_agenda,
            &[(0, "Bupati Klungkung"), (1, "Attendance"), (2, "In person")],
            3
        ),
        3.0
    );
    // ?lang= wins over the header.
    let res = s
        .http
        .get(s.url(&format!(
            "/api/v1/staff/reports/monthly?month={month}&format=xlsx&lang=en"
        )))
        .bearer_auth(&admin)
        .header("accept-language", "id")
        .send()
        .await
        .unwrap();
    let wb_en = pytools::read_with("xlsx_dump.py", "r.xlsx", &res.bytes().await.unwrap());
    assert!(
        wb_en.get("Requests").is_some(),
        "{:?}",
        wb_en.as_object().unwrap().keys()
    );

    // Protocol staff's report says that one confidential item was left out — a count, never
    // the item.
    let (_, xlsx) = file(&s, &protokol, &month, "xlsx").await;
    let wb_p = pytools::read_with("xlsx_dump.py", "laporan.xlsx", &xlsx);
    let agenda_p = wb_p["Agenda"].as_array().unwrap();
    assert!(
        text(agenda_p, 2).starts_with("Dibuat oleh: Kadek Protokol (Staf protokol), "),
        "{}",
        text(agenda_p, 2)
    );
    assert!(
        text(agenda_p, 3).starts_with("1 agenda rahasia tidak termasuk dalam laporan ini"),
        "{}",
        text(agenda_p, 3)
    );
    assert_eq!(
        cell_of(
            agenda_p,
            &[(0, "Bupati Klungkung"), (2, "Tidak dibatalkan")],
            3
        ),
        3.0
    );
    let all_text = wb_p.to_string();
    assert!(
        !all_text.contains("Pertemuan tertutup"),
        "no title of a hidden item"
    );
    let (_, xlsx) = file_in(&s, &protokol, &month, "xlsx", "en").await;
    let wb_pe = pytools::read_with("xlsx_dump.py", "report.xlsx", &xlsx);
    assert!(
        text(wb_pe["Agenda"].as_array().unwrap(), 3).starts_with(
            "Confidential agenda items left out of this report (outside your access): 1."
        ),
        "{}",
        wb_pe["Agenda"]
    );

    // CSV: the title block as `#` lines, then codes for machines beside the reader's words, and
    // the same numbers.
    let (ct, csv) = file(&s, &admin, &month, "csv").await;
    assert!(ct.starts_with("text/csv"));
    let text = String::from_utf8(csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("# Laporan Bulanan Kegiatan Pimpinan – Kabupaten Klungkung")
    );
    assert_eq!(
        lines.next().unwrap(),
        format!("# Bulan: {month_words} {}", first.year())
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("# Dibuat oleh: Admin Prokompim (Admin), ")
    );
    assert_eq!(lines.next(), Some("table,group,key,label,value"));
    assert!(
        text.contains("requests,state,declined,Ditolak,5\n"),
        "{text}"
    );
    assert!(
        text.contains("requests,outcome,open,Belum diputuskan,1\n"),
        "{text}"
    );
    assert!(
        text.contains("requests,state,awaiting_leader,Menunggu keputusan pimpinan,0\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "response_times,{month},first_action_p90_hours,P90 tanggapan (jam),10\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "response_times,{month},decision_median_hours,Median keputusan (jam),6\n"
        )),
        "{text}"
    );
    // A CSV reader told about comments sees one table.
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["table", "group", "key", "label", "value"]
    );
    assert!(reader.records().all(|r| r.unwrap().len() == 5));
    let (_, csv) = file(&s, &protokol, &month, "csv").await;
    let text = String::from_utf8(csv).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("# 1 agenda rahasia tidak termasuk")),
        "{text}"
    );
    let (_, csv) = file_in(&s, &admin, &month, "csv", "en").await;
    let text = String::from_utf8(csv).unwrap();
    assert!(
        text.contains("requests,state,declined,Declined,5\n"),
        "{text}"
    );
}

/// Staff-typed text that a spreadsheet would read as a formula arrives as text in both exports
/// (OWASP: a leading `'`).
#[tokio::test]
async fn formulas_in_categories_are_neutralised_in_csv_and_xlsx() {
    let s = start().await;
    let admin = s.login("admin").await;
    let (first, noon) = fixture_month();
    let month = first.format("%Y-%m").to_string();
    let at = |h: i64| Utc.timestamp_opt(noon + h * 3600, 0).unwrap().to_rfc3339();
    let hostile = [
        "=HYPERLINK(\"http://evil.example\",\"klik\")",
        "+1+1",
        "-2+3",
        "@SUM(A1)",
    ];
    for (i, category) in hostile.iter().enumerate() {
        s.post(
            "/api/v1/staff/agenda",
            Some(&admin),
            json!({"leader_id": "bupati", "title": "Kegiatan", "starts_at": at(i as i64 * 2),
                "ends_at": at(i as i64 * 2 + 1), "location": "Semarapura",
                "category": category, "visibility": "public", "status": "done",
                "attendance": "in_person"}),
        )
        .await
        .ok();
    }
    let (_, csv) = file(&s, &admin, &month, "csv").await;
    let text = String::from_utf8(csv).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let keys: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[2].to_string())
        .collect();
    for category in hostile {
        assert!(keys.contains(&format!("'{category}")), "{category}: {text}");
        assert!(!keys.iter().any(|k| k == category), "{category}: {text}");
    }
    let (_, xlsx) = file(&s, &admin, &month, "xlsx").await;
    let wb = pytools::read_with("xlsx_dump.py", "laporan.xlsx", &xlsx);
    let cells: Vec<String> = wb["Agenda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row[2]["value"].as_str().unwrap_or_default().to_string())
        .collect();
    for category in hostile {
        assert!(
            cells.contains(&format!("'{category}")),
            "{category}: {cells:?}"
        );
        assert!(
            !cells.iter().any(|k| k == category),
            "{category}: {cells:?}"
        );
    }
}

#[tokio::test]
async fn reports_are_for_admin_and_protocol_and_refuse_bad_months() {
    let s = start().await;
    let admin = s.login("admin").await;
    for bad in ["2026-13", "2026-1", "26-01", "1999-12", "kemarin"] {
        s.get(
            &format!("/api/v1/staff/reports/monthly?month={bad}"),
            Some(&admin),
        )
        .await
        .err(422);
    }
    s.get(
        "/api/v1/staff/reports/monthly?month=2026-01&format=pdf",
        Some(&admin),
    )
    .await
    .err(400);
    for (user, status) in [("ajudan.bupati", 403), ("agenda", 403), ("bupati", 403)] {
        let t = s.login(user).await;
        s.get("/api/v1/staff/reports/monthly?month=2026-01", Some(&t))
            .await
            .err(status);
    }
    s.get("/api/v1/staff/reports/monthly?month=2026-01", None)
        .await
        .err(401);
}
