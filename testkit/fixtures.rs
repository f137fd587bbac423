//! The data tests and benchmarks send: one valid request, and the generated agenda items and
//! requests the load benchmarks fill a server with. Each includer uses a part of it.
#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use sepiion_core::api::{AgendaItemInput, NewRequest};
use sepiion_core::model::{AgendaStatus, Attendance, RequestKind, StaffAssignment, Visibility};

/// A complete, valid request to the Bupati titled `title`, from `starts_at` for two hours.
pub fn valid_request(title: &str, starts_at: DateTime<Utc>) -> NewRequest {
    NewRequest {
        id: None,
        kind: RequestKind::Undangan,
        leader_id: Some("bupati".into()),
        title: title.into(),
        description: "Mohon kehadiran Bapak Bupati untuk membuka pesta kesenian desa.".into(),
        starts_at,
        ends_at: starts_at + Duration::hours(2),
        location: "Balai Desa Kamasan".into(),
        organizer: "Desa Kamasan".into(),
        requester_name: "Ni Made Sari".into(),
        requester_phone: "081234567890".into(),
        requester_email: Some("sari@contoh.id".into()),
        expected_attendees: 300,
        leader_role: "membuka acara".into(),
        dress_code: "Pakaian adat madya".into(),
        letter_number: Some("005/77/DS-KMS".into()),
        notify_channels: None,
    }
}

/// A valid request titled `title`, `days` from now (tests of the app's stores).
pub fn new_request(title: &str, days: i64) -> NewRequest {
    valid_request(title, Utc::now() + Duration::days(days))
}

/// Item number `i` of `leader`, 90 minutes from `start`; every other one public.
pub fn agenda_item(i: u64, leader: &str, start: DateTime<Utc>) -> AgendaItemInput {
    AgendaItemInput {
        id: Some(uuid::Uuid::new_v4().to_string()),
        base_version: None,
        leader_id: leader.into(),
        title: format!("Kegiatan pimpinan nomor {i}"),
        starts_at: start,
        ends_at: start + Duration::minutes(90),
        location: "Gedung Mahudara Mandala Giri, Semarapura".into(),
        category: "Rapat".into(),
        visibility: [Visibility::Public, Visibility::Internal][(i % 2) as usize],
        status: AgendaStatus::Confirmed,
        attendance: Attendance::InPerson,
        representative: None,
        dress_code: "Pakaian dinas harian".into(),
        assigned_staff: vec![StaffAssignment {
            name: "Komang Ajudan".into(),
            duty: "Ajudan".into(),
        }],
        running_order: "1. Pembukaan\n2. Sambutan\n3. Acara inti\n4. Penutup".into(),
        internal_notes: String::new(),
    }
}

/// Request number `i` from the public for `leader`, two hours from `start`, with its own id.
pub fn numbered_request(i: u64, leader: &str, start: DateTime<Utc>) -> NewRequest {
    NewRequest {
        id: Some(uuid::Uuid::new_v4().to_string()),
        leader_id: Some(leader.into()),
        ..valid_request(&format!("Permohonan kehadiran nomor {i}"), start)
    }
}
