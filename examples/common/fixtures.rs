//! The generated agenda item the load benchmarks fill a server with (`load.rs`, `scale_bench`).

use chrono::{DateTime, Duration, Utc};
use sepiion_core::api::AgendaItemInput;
use sepiion_core::model::{AgendaStatus, Attendance, StaffAssignment, Visibility};

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
