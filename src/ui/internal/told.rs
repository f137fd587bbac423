//! What a workflow step did, said in one or two sentences after "Mulai tinjau", "Teruskan",
//! "Setujui", "Tolak", "Usulkan waktu" …: the new state in words, and who is told of it. Who is
//! told is core's notification rule ([`sepiion_core::notify::notices`], the one the server
//! writes its notices from), not a list of our own; like the server, the person who acted is
//! not counted among those told.

use sepiion_core::model::{Request, Role, StaffUser};
use sepiion_core::notify::{Event, NotifyContext, Recipient, RequestSubject, notices};
use sepiion_core::workflow::{Action, Actor};

use crate::i18n::Texts;

/// The groups core's rule tells of `action` taken by `user`, which moved `before` to `after`,
/// in the rule's order, each once. The actor's own group (an ajudan's "ajudan of this leader")
/// is left out: the server tells nobody of their own action.
pub fn told_of(
    user: &StaffUser,
    before: &Request,
    after: &Request,
    action: Action,
    cx: &NotifyContext,
) -> Vec<Recipient> {
    let event = Event::Transition {
        request: RequestSubject::of(after),
        action,
        actor: Actor::Staff(user.role),
        actor_name: Some(user.display_name.clone()),
        from: before.state,
        to: after.state,
    };
    let own = user
        .leader_id
        .as_ref()
        .map(|l| Recipient::LeaderStaff(user.role, l.clone()));
    let mut out: Vec<Recipient> = Vec::new();
    for n in notices(&event, cx) {
        let is_own = Some(&n.recipient) == own.as_ref()
            || matches!(&n.recipient, Recipient::Staff(name)
                if name.eq_ignore_ascii_case(&user.username) || *name == user.display_name);
        if !is_own && !out.contains(&n.recipient) {
            out.push(n.recipient);
        }
    }
    out
}

/// "a, b dan c" / "a, b and c".
fn join(t: &Texts, parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {} {last}", rest.join(", "), t.and),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The groups in words: "pemohon, staf protokol, ajudan dan sekretaris pribadi Bupati
/// Klungkung dan Bupati Klungkung". A leader's staff are named together before the leader's
/// title; the leader's own account is the title itself.
pub fn describe_recipients(
    t: &Texts,
    recipients: &[Recipient],
    leader_title: &dyn Fn(&str) -> String,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < recipients.len() {
        match &recipients[i] {
            Recipient::Requester => parts.push(t.recipient_requester.to_string()),
            Recipient::Role(r) => parts.push(lower_first(t.words.role(*r))),
            Recipient::Staff(name) => parts.push(name.clone()),
            Recipient::LeaderStaff(_, leader) => {
                // This leader's staff, as long as they follow each other.
                let mut roles = Vec::new();
                let mut leader_too = false;
                while let Some(Recipient::LeaderStaff(role, l)) = recipients.get(i)
                    && l == leader
                {
                    if *role == Role::Leader {
                        leader_too = true;
                    } else {
                        roles.push(lower_first(t.words.role(*role)));
                    }
                    i += 1;
                }
                let title = leader_title(leader);
                if !roles.is_empty() {
                    parts.push(format!("{} {title}", join(t, &roles)));
                }
                if leader_too {
                    parts.push(title);
                }
                continue;
            }
        }
        i += 1;
    }
    join(t, &parts)
}

/// What `action` did, in words ("Diteruskan ke Bupati Klungkung."), then who is told
/// ("Ajudan dan sekretaris pribadi Bupati Klungkung dan Bupati Klungkung diberi tahu."). While
/// the change waits to be sent, the second sentence says they are told once it is.
pub fn action_done(
    t: &Texts,
    action: Action,
    after: &Request,
    told: &[Recipient],
    sent: bool,
    leader_title: &dyn Fn(&str) -> String,
    representative_name: &dyn Fn(&str) -> String,
) -> String {
    let leader = after
        .assigned_leader_id
        .as_deref()
        .or(after.leader_id.as_deref())
        .map(leader_title)
        .unwrap_or_else(|| t.words.either_leader.to_string());
    let done = match action {
        Action::StartReview => t.done_start_review.to_string(),
        Action::RequestInfo => t.done_request_info.to_string(),
        Action::ForwardToLeader => t.done_forward.replace("{leader}", &leader),
        Action::ProposeTime => t.done_propose_time.to_string(),
        Action::Approve => t.done_approve.to_string(),
        Action::Represent => t.done_represent.replace(
            "{rep}",
            &after
                .representative
                .as_deref()
                .map(representative_name)
                .unwrap_or_default(),
        ),
        Action::Decline => t.done_decline.to_string(),
        Action::Cancel => t.done_cancel.to_string(),
        Action::MarkDone => t.done_mark_done.to_string(),
        Action::SupplyInfo | Action::AcceptProposal | Action::DeclineProposal => {
            t.done_other.replace("{state}", t.words.state(after.state))
        }
    };
    if told.is_empty() {
        return done;
    }
    let who = describe_recipients(t, told, leader_title);
    let template = if sent { t.told } else { t.told_when_sent };
    let sentence = template.replace("{who}", &who);
    // The list may open the sentence ("{who} diberi tahu."): it starts with a capital.
    let sentence = if template.starts_with("{who}") {
        upper_first(&sentence)
    } else {
        sentence
    };
    format!("{done} {sentence}")
}
