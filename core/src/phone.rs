//! Phone numbers and WhatsApp (`wa.me`) links: the one place both apps, the portal and the
//! notifications build them.

/// Normalises an Indonesian phone number to the international form without `+` that
/// WhatsApp gateways and `wa.me` expect: `0812…` → `62812…`, `+62 812-…` → `62812…`.
/// `None` when it does not look like a phone number.
pub fn normalize_phone(input: &str) -> Option<String> {
    let trimmed = input.trim();
    if trimmed
        .chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.')))
    {
        return None;
    }
    let plus = trimmed.starts_with('+');
    let digits: String = trimmed.chars().filter(|c| c.is_ascii_digit()).collect();
    let intl = if plus {
        digits
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("62{rest}")
    } else if digits.starts_with("62") {
        digits
    } else if digits.starts_with('8') {
        format!("62{digits}")
    } else {
        return None;
    };
    (9..=15).contains(&intl.len()).then_some(intl)
}

/// `text` percent-encoded for a URL's query: every byte but RFC 3986's unreserved characters
/// (letters, digits, `-_.~`) as `%XX`, so a space is `%20` (never `+`, which WhatsApp would show).
fn encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(b as char)
            }
            _ => encoded.push_str(&format!("%{b:02X}")),
        }
    }
    encoded
}

/// A `wa.me` link that opens WhatsApp with `text` ready to send to `phone`; `None` when `phone`
/// is not a phone number.
pub fn wa_me_link(phone: &str, text: &str) -> Option<String> {
    let number = normalize_phone(phone)?;
    Some(format!("https://wa.me/{number}?text={}", encode(text)))
}

/// A `tel:` link that dials `phone` (`0812 3456 7890` → `tel:+6281234567890`); `None` when
/// `phone` is not a phone number.
pub fn tel_link(phone: &str) -> Option<String> {
    normalize_phone(phone).map(|number| format!("tel:+{number}"))
}

/// A `wa.me` link that opens WhatsApp with `text` ready to send to a chat the user picks.
pub fn wa_me_share(text: &str) -> String {
    format!("https://wa.me/?text={}", encode(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tel_links_dial_the_international_number() {
        assert_eq!(
            tel_link("0812 3456 7890").as_deref(),
            Some("tel:+6281234567890")
        );
        assert_eq!(
            tel_link("+62 813-3711-2233").as_deref(),
            Some("tel:+6281337112233")
        );
        assert_eq!(tel_link("kantor desa"), None);
    }

    #[test]
    fn phones_normalise_to_the_international_form() {
        assert_eq!(
            normalize_phone("0812-3456-7890").as_deref(),
            Some("6281234567890")
        );
        assert_eq!(
            normalize_phone("+62 812 3456 7890").as_deref(),
            Some("6281234567890")
        );
        assert_eq!(
            normalize_phone("6281234567890").as_deref(),
            Some("6281234567890")
        );
        assert_eq!(
            normalize_phone("81234567890").as_deref(),
            Some("6281234567890")
        );
        assert_eq!(normalize_phone("halo"), None);
        assert_eq!(normalize_phone("12"), None);
        assert_eq!(
            wa_me_link("0812 3456 7890", "Halo & selamat").as_deref(),
            Some("https://wa.me/6281234567890?text=Halo%20%26%20selamat")
        );
    }

    #[test]
    fn share_links_encode_every_reserved_byte_and_utf8() {
        assert_eq!(
            wa_me_share("*AGENDA* 1/2 + ü\n"),
            "https://wa.me/?text=%2AAGENDA%2A%201%2F2%20%2B%20%C3%BC%0A"
        );
        assert_eq!(wa_me_share("a-b_c.d~e"), "https://wa.me/?text=a-b_c.d~e");
        assert_eq!(wa_me_link("halo", "x"), None);
    }
}
