//! Who is told: the groups of people an event reaches, and the `@mentions` of a disposition.

use crate::model::Role;

use super::{Recipient, RequestSubject};

/// The `@name`s written in a text, lower-cased, in order, without repeats. An `@` counts only
/// at the start of a word or after punctuation, so an e-mail address (`panitia@contoh.id`) is
/// not a mention; trailing dots and dashes (end of a sentence) are not part of the name.
pub fn mentions(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let starts_word =
            prev.is_none_or(|p| !(p.is_alphanumeric() || matches!(p, '.' | '_' | '-')));
        prev = Some(c);
        if c != '@' || !starts_word {
            continue;
        }
        let rest = &text[i + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
            .collect::<String>()
            .trim_end_matches(['.', '-'])
            .to_lowercase();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
        while chars
            .peek()
            .is_some_and(|(_, c)| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            prev = chars.next().map(|(_, c)| c);
        }
    }
    out
}

/// The role a mention names (`@protokol`, `@ajudan`, `@sespri`, `@agenda`, `@pimpinan`,
/// `@admin` and their English names), if it names one.
pub fn mentioned_role(name: &str) -> Option<Role> {
    match name {
        "protokol" | "protocol" => Some(Role::Protocol),
        "ajudan" | "adc" => Some(Role::Adc),
        "sespri" => Some(Role::Sespri),
        "agenda" => Some(Role::AgendaStaff),
        "pimpinan" | "leader" => Some(Role::Leader),
        "admin" => Some(Role::Admin),
        _ => None,
    }
}

/// The mentions of a disposition that name one person (not a role): the server checks that
/// each matches an account and tells the author which did not.
pub fn person_mentions(instruction: &str, text: &str) -> Vec<String> {
    let mut out = mentions(instruction);
    for m in mentions(text) {
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out.retain(|m| mentioned_role(m).is_none());
    out
}

/// The people a disposition addresses: role mentions name roles (the leader's own ajudan,
/// sespri and leader once the request was forwarded); any other `@username` names one account.
/// Nobody named: the people working on the request ([`coordinators`]).
pub fn disposition_addressees(
    request: &RequestSubject,
    instruction: &str,
    text: &str,
) -> Vec<Recipient> {
    let leader = request.responsible_leader().map(str::to_string);
    let mut out = Vec::new();
    for name in mentions(instruction).into_iter().chain(mentions(text)) {
        let r = match (mentioned_role(&name), &leader) {
            (Some(role), Some(l)) if role.is_bound_to_leader() => {
                Recipient::LeaderStaff(role, l.clone())
            }
            (Some(role), _) => Recipient::Role(role),
            (None, _) => Recipient::Staff(name),
        };
        if !out.contains(&r) {
            out.push(r);
        }
    }
    if out.is_empty() {
        out = coordinators(request);
    }
    out
}

/// Protocol staff, and the leader's ajudan and sespri once the request was forwarded.
pub fn coordinators(request: &RequestSubject) -> Vec<Recipient> {
    let mut out = vec![Recipient::Role(Role::Protocol)];
    if let Some(l) = request.forwarded_to() {
        out.push(Recipient::LeaderStaff(Role::Adc, l.to_string()));
        out.push(Recipient::LeaderStaff(Role::Sespri, l.to_string()));
    }
    out
}

/// A leader's ajudan, sespri and the leader.
pub fn leader_team(leader: &str) -> Vec<Recipient> {
    [Role::Adc, Role::Sespri, Role::Leader]
        .into_iter()
        .map(|r| Recipient::LeaderStaff(r, leader.to_string()))
        .collect()
}

/// Protocol staff and, when a leader is responsible, that leader's team: who hears a decision
/// or a cancellation of an approved request.
pub fn protocol_and_team(request: &RequestSubject) -> Vec<Recipient> {
    let mut out = vec![Recipient::Role(Role::Protocol)];
    if let Some(l) = request.responsible_leader() {
        out.extend(leader_team(l));
    }
    out
}
