//! What each event says, in Bahasa Indonesia and English, built line by line: each line is one
//! [`Msg`] holding both languages side by side, so a fact cannot be in one language only.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::i18n::Lang;
use crate::model::{AgendaStatus, RequestState, Role, Visibility};
use crate::time;
use crate::validation::Msg;
use crate::workflow::{Action, Actor};

use super::recipients::{coordinators, disposition_addressees, leader_team, protocol_and_team};
use super::{
    AGENDA_NOTICE_WINDOW_HOURS, AgendaBefore, AgendaChange, AgendaSubject, DigestLine, Link,
    Notice, NoticeKind, NotifyContext, Priority, Recipient, RequestSubject, is_urgent,
};

/// One notice per recipient with the same text: the single fan-out every event uses.
fn fan_out(
    recipients: Vec<Recipient>,
    kind: NoticeKind,
    priority: Priority,
    title: &Msg,
    body: &Msg,
    link: &Link,
) -> Vec<Notice> {
    recipients
        .into_iter()
        .map(|recipient| Notice {
            recipient,
            kind,
            priority,
            title: title.clone(),
            body: body.clone(),
            link: link.clone(),
        })
        .collect()
}

/// Lines joined by newlines, per language; empty lines are left out.
fn lines(parts: &[Msg]) -> Msg {
    let join = |pick: fn(&Msg) -> &str| {
        parts
            .iter()
            .map(pick)
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    Msg::new(join(|m| &m.ind), join(|m| &m.en))
}

fn none() -> Msg {
    Msg::new("", "")
}

/// A time range in both languages ("Senin, 30 November 2026, 09.00–10.00 WITA").
fn range(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> Msg {
    Msg::new(
        time::when(start, end, tz, Lang::Id),
        time::when(start, end, tz, Lang::En),
    )
}

fn trimmed(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// "Oleh Komang." — who acted, for staff (empty when unknown).
fn by_line(actor_name: &Option<String>, id: &str, en: &str) -> Msg {
    match trimmed(actor_name) {
        Some(n) => Msg::new(format!("{id} {n}."), format!("{en} {n}.")),
        None => none(),
    }
}

/// "Alasan: …" — the reason, when one was given.
fn reason_line(reason: &Option<String>, id: &str, en: &str) -> Msg {
    match trimmed(reason) {
        Some(r) => Msg::new(format!("{id}: {r}"), format!("{en}: {r}")),
        None => none(),
    }
}

/// The tracking page's address, for the requester.
fn tracking_line(r: &RequestSubject) -> Msg {
    match trimmed(&r.tracking_url) {
        Some(u) => Msg::new(format!("Lacak: {u}"), format!("Track it: {u}")),
        None => none(),
    }
}

/// What a message to a requester's address that its holder has not confirmed says, whatever
/// the notice: the tracking code and fixed sentences, never a word the submitter chose (a title,
/// a name, a note) — so an anonymous form cannot make the regency's WhatsApp number or mail
/// server carry someone's text to a stranger. `tracking_url` is the request's public page,
/// `confirm_url` the link (sent to this address alone) that confirms it. Title and body.
/// `answer_link`: the receipt's private answer link (portal submissions) — no words of the
/// submitter's, and the requester needs it to answer the office from any browser.
pub fn unconfirmed_contact_message(
    tracking_code: &str,
    tracking_url: Option<&str>,
    confirm_url: Option<&str>,
    answer_link: Option<&str>,
) -> (Msg, Msg) {
    let title = Msg::new(
        format!("Permohonan {tracking_code}"),
        format!("Request {tracking_code}"),
    );
    let body = lines(&[
        Msg::new(
            format!(
                "Nomor atau alamat ini dicantumkan pada permohonan dengan kode pelacakan {tracking_code}, dan ada kabar tentang permohonan itu."
            ),
            format!(
                "This number or address was given in the request with tracking code {tracking_code}, and there is news about it."
            ),
        ),
        match tracking_url {
            Some(u) => Msg::new(format!("Lacak: {u}"), format!("Track it: {u}")),
            None => none(),
        },
        match answer_link {
            Some(link) => answer_link_line(link),
            None => none(),
        },
        match confirm_url {
            Some(u) => Msg::new(
                format!(
                    "Jika Anda yang mengajukannya, konfirmasi alamat ini agar pesan berikutnya memuat rinciannya: {u}"
                ),
                format!(
                    "If you made this request, confirm this address so that the next messages carry its details: {u}"
                ),
            ),
            None => none(),
        },
        Msg::new(
            "Jika bukan Anda, abaikan pesan ini.",
            "If it was not you, please ignore this message.",
        ),
    ]);
    (title, body)
}

/// "Kode K7QM-3XRD".
fn code_line(r: &RequestSubject) -> Msg {
    Msg::new(
        format!("Kode {}", r.tracking_code),
        format!("Code {}", r.tracking_code),
    )
}

/// The leader asked for or responsible, by name where known.
fn leader_line(r: &RequestSubject) -> Msg {
    match r.leader_name.as_deref().or(r.responsible_leader()) {
        Some(l) => Msg::new(format!("Pimpinan: {l}"), format!("Leader: {l}")),
        None => Msg::new(
            "Pimpinan: siapa saja yang berkenan",
            "Leader: either leader",
        ),
    }
}

/// Whether a request is urgent at the time of the event: sooner than the lead time and still
/// ahead. Urgency travels with the request to every member of staff it reaches.
fn urgent(r: &RequestSubject, cx: &NotifyContext) -> bool {
    r.starts_at > cx.now && is_urgent(r.starts_at, cx.now, cx.lead_time)
}

/// A staff title, tagged and raised in priority when the request is urgent.
fn staff_title(r: &RequestSubject, cx: &NotifyContext, title: Msg) -> (Priority, Msg) {
    if urgent(r, cx) {
        (
            Priority::High,
            Msg::new(
                format!("[MENDESAK] {}", title.ind),
                format!("[URGENT] {}", title.en),
            ),
        )
    } else {
        (Priority::Normal, title)
    }
}

pub(super) fn submitted(
    r: &RequestSubject,
    answer_link: Option<&str>,
    cx: &NotifyContext,
) -> Vec<Notice> {
    let link = Link::Request(r.id.clone());
    let (priority, title) = staff_title(
        r,
        cx,
        Msg::new(
            format!("Permohonan baru: {}", r.title),
            format!("New request: {}", r.title),
        ),
    );
    let organizer = match r.organizer.trim() {
        "" => none(),
        o => Msg::new(format!("Penyelenggara: {o}"), format!("Organiser: {o}")),
    };
    let body = lines(&[
        range(r.starts_at, r.ends_at, cx.tz),
        Msg::new(r.location.clone(), r.location.clone()),
        leader_line(r),
        organizer,
        code_line(r),
    ]);
    let mut out = fan_out(
        vec![
            Recipient::Role(Role::Protocol),
            Recipient::Role(Role::Admin),
        ],
        NoticeKind::NewRequest,
        priority,
        &title,
        &body,
        &link,
    );
    out.push(receipt(r, answer_link));
    out
}

/// The line carrying the private answer link.
fn answer_link_line(link: &str) -> Msg {
    Msg::new(
        format!(
            "Untuk menjawab petugas (menerima usulan waktu, melengkapi, membatalkan), buka tautan pribadi ini dan jangan bagikan: {link}"
        ),
        format!(
            "To answer the office (accept a proposed time, complete, cancel), open this private link and do not share it: {link}"
        ),
    )
}

/// The requester's receipt; `answer_link` (portal submissions) is told to the requester alone.
fn receipt(r: &RequestSubject, answer_link: Option<&str>) -> Notice {
    Notice {
        recipient: Recipient::Requester,
        kind: NoticeKind::Receipt,
        priority: Priority::Normal,
        title: Msg::new(
            format!("Permohonan diterima: {}", r.tracking_code),
            format!("Request received: {}", r.tracking_code),
        ),
        body: lines(&[
            Msg::new(
                format!(
                    "Permohonan \"{}\" telah kami terima. Kode pelacakan Anda: {}. Simpan kode ini untuk melihat perkembangannya.",
                    r.title, r.tracking_code
                ),
                format!(
                    "We have received your request \"{}\". Your tracking code: {}. Keep it to follow its progress.",
                    r.title, r.tracking_code
                ),
            ),
            tracking_line(r),
            match answer_link {
                Some(link) => answer_link_line(link),
                None => none(),
            },
        ]),
        link: Link::Request(r.id.clone()),
    }
}

/// The requester's message for where their request stands, built from public facts only.
pub(super) fn requester_notice(r: &RequestSubject, to: RequestState, cx: &NotifyContext) -> Notice {
    if to == RequestState::Submitted {
        return receipt(r, None);
    }
    let head = Msg::new(
        format!(
            "Permohonan {} — {}",
            r.tracking_code,
            to.label_in_indonesian()
        ),
        format!("Request {} — {}", r.tracking_code, to.label_in_english()),
    );
    let text = match to {
        RequestState::InReview => Msg::new(
            "Permohonan Anda sedang ditinjau oleh staf protokol.",
            "Your request is being reviewed by the protocol office.",
        ),
        RequestState::NeedsInfo => lines(&[
            Msg::new(
                "Permohonan Anda perlu dilengkapi.",
                "Your request needs more information.",
            ),
            reason_line(&r.reason, "Yang perlu dilengkapi", "Please add"),
        ]),
        RequestState::TimeProposed => {
            let when = match (r.proposed_starts_at, r.proposed_ends_at) {
                (Some(s), Some(e)) => range(s, e, cx.tz),
                _ => none(),
            };
            lines(&[
                Msg::new(
                    format!(
                        "Kami mengusulkan waktu lain: {}. Mohon terima atau tolak usulan ini di aplikasi.",
                        when.ind
                    ),
                    format!(
                        "We propose another time: {}. Please accept or decline it in the app.",
                        when.en
                    ),
                ),
                reason_line(&r.reason, "Keterangan", "Note"),
            ])
        }
        RequestState::Approved => Msg::new(
            format!(
                "Permohonan \"{}\" disetujui; pimpinan akan hadir pada {}.",
                r.title,
                time::datetime(r.starts_at, cx.tz, Lang::Id)
            ),
            format!(
                "Your request \"{}\" is approved; the leader will attend on {}.",
                r.title,
                time::datetime(r.starts_at, cx.tz, Lang::En)
            ),
        ),
        RequestState::Represented => {
            let rep = trimmed(&r.representative).unwrap_or("-");
            Msg::new(
                format!(
                    "Permohonan \"{}\" disetujui dan pimpinan akan diwakili oleh {rep}.",
                    r.title
                ),
                format!(
                    "Your request \"{}\" is approved; the leader will be represented by {rep}.",
                    r.title
                ),
            )
        }
        RequestState::Declined => lines(&[
            Msg::new(
                format!("Mohon maaf, permohonan \"{}\" ditolak.", r.title),
                format!("We are sorry, your request \"{}\" was declined.", r.title),
            ),
            reason_line(&r.reason, "Alasan", "Reason"),
        ]),
        RequestState::Cancelled => lines(&[
            Msg::new(
                format!("Permohonan \"{}\" dibatalkan.", r.title),
                format!("Your request \"{}\" was cancelled.", r.title),
            ),
            reason_line(&r.reason, "Alasan", "Reason"),
        ]),
        RequestState::Done => Msg::new(
            format!("Kegiatan \"{}\" telah selesai. Terima kasih.", r.title),
            format!("The event \"{}\" has taken place. Thank you.", r.title),
        ),
        RequestState::Submitted | RequestState::AwaitingLeader => Msg::new(
            format!(
                "Status permohonan \"{}\": {}.",
                r.title,
                to.label_in_indonesian()
            ),
            format!(
                "Status of your request \"{}\": {}.",
                r.title,
                to.label_in_english()
            ),
        ),
    };
    Notice {
        recipient: Recipient::Requester,
        kind: NoticeKind::RequestUpdate,
        priority: if matches!(to, RequestState::NeedsInfo | RequestState::TimeProposed) {
            Priority::High
        } else {
            Priority::Normal
        },
        title: head,
        body: lines(&[text, tracking_line(r)]),
        link: Link::Request(r.id.clone()),
    }
}

/// The outcome in one line for staff: the state, the representative by name, the proposed time.
fn outcome_line(r: &RequestSubject, to: RequestState, cx: &NotifyContext) -> Msg {
    let label = Msg::new(to.label_in_indonesian(), to.label_in_english());
    match to {
        RequestState::Represented => {
            let rep = trimmed(&r.representative).unwrap_or("-");
            Msg::new(
                format!("{} — diwakili oleh {rep}.", label.ind),
                format!("{} — represented by {rep}.", label.en),
            )
        }
        RequestState::TimeProposed => match (r.proposed_starts_at, r.proposed_ends_at) {
            (Some(s), Some(e)) => {
                let w = range(s, e, cx.tz);
                Msg::new(
                    format!("{}: {}.", label.ind, w.ind),
                    format!("{}: {}.", label.en, w.en),
                )
            }
            _ => Msg::new(format!("{}.", label.ind), format!("{}.", label.en)),
        },
        _ => Msg::new(format!("{}.", label.ind), format!("{}.", label.en)),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn transition(
    r: &RequestSubject,
    action: Action,
    actor: Actor,
    actor_name: &Option<String>,
    from: RequestState,
    to: RequestState,
    cx: &NotifyContext,
) -> Vec<Notice> {
    let link = Link::Request(r.id.clone());
    match (actor, action) {
        (Actor::Requester, _) => {
            let what = match action {
                Action::SupplyInfo => Msg::new(
                    "Pemohon telah melengkapi permohonan",
                    "The requester supplied the information",
                ),
                Action::AcceptProposal => Msg::new(
                    "Pemohon menerima usulan waktu",
                    "The requester accepted the proposed time",
                ),
                Action::DeclineProposal => Msg::new(
                    "Pemohon menolak usulan waktu",
                    "The requester declined the proposed time",
                ),
                Action::Cancel => Msg::new(
                    "Pemohon membatalkan permohonan",
                    "The requester cancelled the request",
                ),
                other => Msg::new(
                    format!("Pemohon: {}", other.label_in_indonesian()),
                    format!("Requester: {}", other.as_str()),
                ),
            };
            let (priority, title) = staff_title(
                r,
                cx,
                Msg::new(
                    format!("{}: {}", what.ind, r.title),
                    format!("{}: {}", what.en, r.title),
                ),
            );
            let body = lines(&[
                Msg::new(
                    format!(
                        "Kode {} — status kini \"{}\" (sebelumnya \"{}\").",
                        r.tracking_code,
                        to.label_in_indonesian(),
                        from.label_in_indonesian()
                    ),
                    format!(
                        "Code {} — now \"{}\" (was \"{}\").",
                        r.tracking_code,
                        to.label_in_english(),
                        from.label_in_english()
                    ),
                ),
                reason_line(&r.reason, "Alasan", "Reason"),
            ]);
            let to_whom = if action == Action::Cancel
                && matches!(from, RequestState::Approved | RequestState::Represented)
            {
                protocol_and_team(r)
            } else {
                coordinators(r)
            };
            fan_out(
                to_whom,
                NoticeKind::RequesterActed,
                priority,
                &title,
                &body,
                &link,
            )
        }
        (Actor::Staff(_), Action::ForwardToLeader) => {
            let leader = r.responsible_leader().unwrap_or_default();
            let (priority, title) = staff_title(
                r,
                cx,
                Msg::new(
                    format!("Menunggu keputusan pimpinan: {}", r.title),
                    format!("Awaiting the leader's decision: {}", r.title),
                ),
            );
            let body = lines(&[
                range(r.starts_at, r.ends_at, cx.tz),
                Msg::new(r.location.clone(), r.location.clone()),
                by_line(actor_name, "Diteruskan oleh", "Forwarded by"),
                code_line(r),
            ]);
            fan_out(
                leader_team(leader),
                NoticeKind::Forwarded,
                priority,
                &title,
                &body,
                &link,
            )
        }
        (Actor::Staff(_), action) => {
            let mut out = vec![requester_notice(r, to, cx)];
            let decided = matches!(
                action,
                Action::Approve | Action::Represent | Action::Decline | Action::ProposeTime
            ) && from == RequestState::AwaitingLeader;
            // Protocol staff cancelling an approved request: the leader's team keeps the agenda
            // and must hear of it (within 48 hours the agenda change notice tells them).
            let cancelled_ahead = to == RequestState::Cancelled
                && matches!(from, RequestState::Approved | RequestState::Represented)
                && r.starts_at > cx.now + Duration::hours(AGENDA_NOTICE_WINDOW_HOURS);
            if decided || cancelled_ahead {
                let (priority, title) = staff_title(
                    r,
                    cx,
                    Msg::new(
                        format!("{}: {}", to.label_in_indonesian(), r.title),
                        format!("{}: {}", to.label_in_english(), r.title),
                    ),
                );
                let body = lines(&[
                    range(r.starts_at, r.ends_at, cx.tz),
                    outcome_line(r, to, cx),
                    reason_line(&r.reason, "Alasan", "Reason"),
                    if decided {
                        by_line(actor_name, "Diputuskan oleh", "Decided by")
                    } else {
                        by_line(actor_name, "Dibatalkan oleh", "Cancelled by")
                    },
                    code_line(r),
                ]);
                out.extend(fan_out(
                    protocol_and_team(r),
                    NoticeKind::Decision,
                    priority,
                    &title,
                    &body,
                    &link,
                ));
            }
            out
        }
    }
}

fn status_label(s: AgendaStatus) -> Msg {
    Msg::new(s.label_in_indonesian(), s.label_in_english())
}

/// "lama → baru" per language.
fn arrow(before: Msg, after: Msg) -> Msg {
    Msg::new(
        format!("{} → {}", before.ind, after.ind),
        format!("{} → {}", before.en, after.en),
    )
}

pub(super) fn agenda_changed(
    item: &AgendaSubject,
    change: AgendaChange,
    before: &Option<AgendaBefore>,
    actor_name: &Option<String>,
    reason: &Option<String>,
    cx: &NotifyContext,
) -> Vec<Notice> {
    let mut what: Vec<Msg> = Vec::new();
    let mut detail: Vec<Msg> = Vec::new();
    let now_range = range(item.starts_at, item.ends_at, cx.tz);
    if change.time {
        what.push(Msg::new("waktu", "time"));
        detail.push(match before {
            Some(b) => {
                let was = range(b.starts_at, b.ends_at, cx.tz);
                let d = arrow(was, now_range.clone());
                Msg::new(format!("Waktu: {}", d.ind), format!("Time: {}", d.en))
            }
            None => Msg::new(
                format!("Waktu: {}", now_range.ind),
                format!("Time: {}", now_range.en),
            ),
        });
    } else {
        detail.push(now_range.clone());
    }
    if change.place {
        what.push(Msg::new("tempat", "place"));
        let d = match before {
            Some(b) => arrow(
                Msg::new(b.location.clone(), b.location.clone()),
                Msg::new(item.location.clone(), item.location.clone()),
            ),
            None => Msg::new(item.location.clone(), item.location.clone()),
        };
        detail.push(Msg::new(
            format!("Tempat: {}", d.ind),
            format!("Place: {}", d.en),
        ));
    } else {
        detail.push(Msg::new(item.location.clone(), item.location.clone()));
    }
    if change.status {
        what.push(Msg::new("status", "status"));
    }
    let status = match (change.status, before) {
        (true, Some(b)) => arrow(status_label(b.status), status_label(item.status)),
        _ => status_label(item.status),
    };
    detail.push(Msg::new(
        format!("Status: {}", status.ind),
        format!("Status: {}", status.en),
    ));
    detail.push(reason_line(reason, "Alasan", "Reason"));
    detail.push(by_line(actor_name, "Diubah oleh", "Changed by"));
    let title = if change.status && item.status == AgendaStatus::Cancelled {
        Msg::new(
            format!("Agenda dibatalkan: {}", item.title),
            format!("Agenda item cancelled: {}", item.title),
        )
    } else {
        Msg::new(
            format!(
                "Agenda berubah ({}): {}",
                what.iter()
                    .map(|m| m.ind.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                item.title
            ),
            format!(
                "Agenda changed ({}): {}",
                what.iter()
                    .map(|m| m.en.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                item.title
            ),
        )
    };
    let body = lines(&detail);
    let link = Link::AgendaItem(item.id.clone());
    let team = vec![
        Recipient::LeaderStaff(Role::Adc, item.leader_id.clone()),
        Recipient::LeaderStaff(Role::Sespri, item.leader_id.clone()),
    ];
    let mut others = Vec::new();
    for s in &item.assigned_staff {
        let r = Recipient::Staff(s.trim().to_string());
        if !s.trim().is_empty() && !team.contains(&r) && !others.contains(&r) {
            others.push(r);
        }
    }
    let mut out = fan_out(
        team,
        NoticeKind::AgendaChanged,
        Priority::High,
        &title,
        &body,
        &link,
    );
    if item.visibility == Visibility::Confidential {
        // Assigned staff outside the leader's team may not see a confidential item's details.
        let t = Msg::new(
            "Agenda rahasia pimpinan berubah",
            "A confidential agenda item changed",
        );
        let b = Msg::new(
            format!(
                "Jadwal tugas Anda berubah: {}. Tanyakan rinciannya kepada ajudan.",
                now_range.ind
            ),
            format!(
                "Your duty changed: {}. Ask the ajudan for details.",
                now_range.en
            ),
        );
        out.extend(fan_out(
            others,
            NoticeKind::AgendaChanged,
            Priority::High,
            &t,
            &b,
            &link,
        ));
    } else {
        out.extend(fan_out(
            others,
            NoticeKind::AgendaChanged,
            Priority::High,
            &title,
            &body,
            &link,
        ));
    }
    out
}

pub(super) fn disposition(
    request: &RequestSubject,
    author_name: &str,
    instruction: &str,
    text: &str,
    cx: &NotifyContext,
) -> Vec<Notice> {
    let (priority, title) = staff_title(
        request,
        cx,
        Msg::new(
            format!("Disposisi: {}", request.title),
            format!("Disposition: {}", request.title),
        ),
    );
    let instr = instruction.trim();
    let head = if instr.is_empty() {
        Msg::new(
            format!("Catatan dari {author_name}"),
            format!("Note from {author_name}"),
        )
    } else {
        Msg::new(
            format!("{instr} — dari {author_name}"),
            format!("{instr} — from {author_name}"),
        )
    };
    let body = lines(&[
        head,
        Msg::new(text.trim(), text.trim()),
        Msg::new(
            format!("({})", request.tracking_code),
            format!("({})", request.tracking_code),
        ),
    ]);
    fan_out(
        disposition_addressees(request, instruction, text),
        NoticeKind::Disposition,
        priority,
        &title,
        &body,
        &Link::Request(request.id.clone()),
    )
}

/// "1 jam" / "1 hour", "5 jam" / "5 hours".
fn hours(n: i64) -> Msg {
    Msg::new(
        format!("{n} jam"),
        if n == 1 {
            "1 hour".to_string()
        } else {
            format!("{n} hours")
        },
    )
}

pub(super) fn reminder(
    request: &RequestSubject,
    state: RequestState,
    idle_hours: i64,
    escalated: bool,
    cx: &NotifyContext,
) -> Vec<Notice> {
    let mut to = match (state, request.forwarded_to()) {
        (RequestState::AwaitingLeader, Some(l)) => vec![
            Recipient::LeaderStaff(Role::Adc, l.to_string()),
            Recipient::LeaderStaff(Role::Sespri, l.to_string()),
        ],
        _ => vec![Recipient::Role(Role::Protocol)],
    };
    if escalated {
        to.push(Recipient::Role(Role::Admin));
    }
    let h = hours(idle_hours);
    let (priority, title) = staff_title(
        request,
        cx,
        Msg::new(
            format!("Menunggu {}: {}", h.ind, request.title),
            format!("Waiting {}: {}", h.en, request.title),
        ),
    );
    let priority = if escalated { Priority::High } else { priority };
    let body = Msg::new(
        format!(
            "Permohonan {} berstatus \"{}\" dan belum ditindaklanjuti selama {}.{}",
            request.tracking_code,
            state.label_in_indonesian(),
            h.ind,
            if escalated { " (eskalasi)" } else { "" }
        ),
        format!(
            "Request {} has been \"{}\" with no action for {}.{}",
            request.tracking_code,
            state.label_in_english(),
            h.en,
            if escalated { " (escalated)" } else { "" }
        ),
    );
    fan_out(
        to,
        NoticeKind::Reminder,
        priority,
        &title,
        &body,
        &Link::Request(request.id.clone()),
    )
}

/// Pairs of digest lines that overlap in time (indexes into `lines`, earlier first).
pub fn digest_clashes(lines: &[DigestLine]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for i in 0..lines.len() {
        for j in i + 1..lines.len() {
            let (a, b) = (&lines[i], &lines[j]);
            if a.starts_at < b.ends_at && b.starts_at < a.ends_at {
                out.push((i, j));
            }
        }
    }
    out
}

pub(super) fn daily_digest(
    leader_id: &str,
    leader_title: &str,
    date: NaiveDate,
    items: &[DigestLine],
    cx: &NotifyContext,
) -> Vec<Notice> {
    let date_id = time::date(date, Lang::Id);
    let date_en = time::date(date, Lang::En);
    let clashes = digest_clashes(items);
    let clashing = |i: usize| clashes.iter().any(|(a, b)| *a == i || *b == i);
    let mut body: Vec<Msg> = Vec::new();
    if items.is_empty() {
        body.push(Msg::new("Tidak ada agenda.", "No agenda items."));
    }
    for (i, l) in items.iter().enumerate() {
        let (s, e) = (l.starts_at, l.ends_at);
        let (tent_id, tent_en) = if l.tentative {
            (" (SEMENTARA, belum pasti)", " (TENTATIVE, not confirmed)")
        } else {
            ("", "")
        };
        let (warn_id, warn_en) = if clashing(i) {
            ("⚠ ", "⚠ ")
        } else {
            ("", "")
        };
        body.push(Msg::new(
            format!(
                "{warn_id}{}–{} {} — {}{tent_id}",
                time::time(s, cx.tz, Lang::Id),
                time::time(e, cx.tz, Lang::Id),
                l.title,
                l.location
            ),
            format!(
                "{warn_en}{}–{} {} — {}{tent_en}",
                time::time(s, cx.tz, Lang::En),
                time::time(e, cx.tz, Lang::En),
                l.title,
                l.location
            ),
        ));
    }
    for (a, b) in &clashes {
        let (a, b) = (&items[*a], &items[*b]);
        body.push(Msg::new(
            format!(
                "⚠ BENTROK: \"{}\" dan \"{}\" berlangsung pada waktu yang sama.",
                a.title, b.title
            ),
            format!("⚠ CLASH: \"{}\" and \"{}\" overlap.", a.title, b.title),
        ));
    }
    let title = Msg::new(
        format!("Agenda {leader_title} besok, {date_id}"),
        format!("Tomorrow's agenda of the {leader_title}, {date_en}"),
    );
    fan_out(
        leader_team(leader_id),
        NoticeKind::DailyDigest,
        if clashes.is_empty() {
            Priority::Normal
        } else {
            Priority::High
        },
        &title,
        &lines(&body),
        &Link::AgendaDay(date.format("%Y-%m-%d").to_string()),
    )
}
