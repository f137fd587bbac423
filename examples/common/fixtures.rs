//! The generated agenda item and request the load benchmarks fill a server with (`load.rs`,
//! `scale_bench`).

use chrono::{DateTime, Duration, Utc};
use sepiion_core::api::{AgendaItemInput, NewRequest};
use sepiion_core::model::{AgendaStatus, Attendance, RequestKind, StaffAssignment, Visibility};

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

/// Request number `i` from the public for `leader`, two hours from `start`.
pub fn new_request(i: u64, leader: &str, start: DateTime<Utc>) -> NewRequest {
    NewRequest {
        id: Some(uuid::Uuid::new_v4().to_string()),
        kind: RequestKind::Undangan,
        leader_id: Some(leader.into()),
        title: format!("Permohonan kehadiran nomor {i}"),
        description: "Dengan hormat, kami memohon kehadiran Bapak Bupati untuk memberikan \
                      sambutan pada acara kami."
            .into(),
        starts_at: start,
        ends_at: start + Duration::hours(2),
        location: "Balai Banjar Kamasan".into(),
        organizer: "Sekaa Teruna Kamasan".into(),
        requester_name: "Ni Made Sari".into(),
        requester_phone: "081234567890".into(),
        requester_email: None,
        expected_attendees: 150,
        leader_role: "memberi sambutan".into(),
        dress_code: "Pakaian adat madya".into(),
        letter_number: None,
        notify_channels: None,
    }
}
