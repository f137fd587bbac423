//! The staff member's notification settings: phone, e-mail and the outbound channels, and the
//! secret ntfy topic as a link and a QR code to subscribe to in the ntfy app (scanned from the
//! phone when the settings are open on another screen). Loaded and saved through the sync
//! engine; the last answer is kept on the device so the card shows without network. The card
//! loads them from the server when it opens; until the server's settings (or the kept copy) are
//! on screen, "Simpan" sends nothing, so it can never blank a phone or e-mail nobody saw.

use dioxus::prelude::*;
use sepiion_core::api::NotificationSettingsInput;
use sepiion_core::notify::Channel;

use crate::ui::components::Field;
use crate::ui::{Services, Ui, on_tokio};

#[component]
pub fn NotificationSettingsCard() -> Element {
    let ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let cached = services.store.notification_settings().ok().flatten();
    let mut settings = use_signal(|| cached.clone());
    let mut phone = use_signal(|| {
        cached
            .as_ref()
            .and_then(|s| s.phone.clone())
            .unwrap_or_default()
    });
    let mut email = use_signal(|| {
        cached
            .as_ref()
            .and_then(|s| s.email.clone())
            .unwrap_or_default()
    });
    let mut channels = use_signal(|| {
        cached
            .as_ref()
            .map(|s| s.channels.clone())
            .unwrap_or_default()
    });
    let mut message = use_signal(|| None::<String>);
    let load_engine = services.engine.clone();
    let save_engine = services.engine.clone();
    let mut load = move || {
        let Some(engine) = load_engine.clone() else {
            message.set(Some(t.needs_network.to_string()));
            return;
        };
        spawn(async move {
            match on_tokio(async move { engine.notification_settings().await }).await {
                Some(Ok(s)) => {
                    phone.set(s.phone.clone().unwrap_or_default());
                    email.set(s.email.clone().unwrap_or_default());
                    channels.set(s.channels.clone());
                    settings.set(Some(s));
                    // An earlier "no connection" no longer holds; a refused save still says why.
                    if message().as_deref() == Some(t.needs_network) {
                        message.set(None);
                    }
                }
                _ => message.set(Some(t.needs_network.to_string())),
            }
        });
    };
    // Fresh from the server whenever the card opens (a new device has nothing kept yet).
    let mut first_load = load.clone();
    use_hook(move || {
        if services.engine.is_some() {
            first_load();
        }
    });
    let mut load_again = load.clone();
    let save = move |_| {
        let Some(engine) = save_engine.clone() else {
            message.set(Some(t.needs_network.to_string()));
            return;
        };
        if settings.read().is_none() {
            // Never shown: saving now would send empty fields over the server's values.
            message.set(Some(t.settings_not_loaded.to_string()));
            load_again();
            return;
        }
        let input = NotificationSettingsInput {
            phone: Some(phone()).filter(|p| !p.trim().is_empty()),
            email: Some(email()).filter(|m| !m.trim().is_empty()),
            channels: channels(),
        };
        spawn(async move {
            match on_tokio(async move { engine.save_notification_settings(&input).await }).await {
                Some(Ok(s)) => {
                    settings.set(Some(s));
                    message.set(Some(t.settings_saved.to_string()));
                }
                Some(Err(e)) => message.set(Some(e.to_string())),
                None => message.set(Some(t.needs_network.to_string())),
            }
        });
    };
    let available = settings
        .read()
        .as_ref()
        .map(|s| s.available.clone())
        .unwrap_or_default();
    let ntfy_url = settings.read().as_ref().and_then(|s| s.ntfy_url.clone());
    rsx! {
        section { class: "card stack", id: "notification-settings",
            h2 { "{t.notification_settings}" }
            Field { id: "notify-phone", label: t.field("requester_phone"), value: phone(), kind: "tel",
                oninput: move |v| phone.set(v) }
            Field { id: "notify-email", label: t.field("requester_email"), value: email(), kind: "email",
                oninput: move |v| email.set(v) }
            fieldset {
                legend { "{t.notification_channels}" }
                for c in Channel::OUTBOUND.into_iter().filter(|c| available.contains(c)) {
                    label { key: "{c.as_str()}",
                        input { r#type: "checkbox", checked: channels().contains(&c),
                            onchange: move |_| {
                                let mut now = channels();
                                if now.contains(&c) { now.retain(|x| *x != c) } else { now.push(c) }
                                channels.set(now);
                            }
                        }
                        " {c.as_str()}"
                    }
                }
            }
            if let Some(url) = ntfy_url {
                p { class: "small", "{t.ntfy_subscribe_hint} "
                    a { class: "ntfy-link", href: "{url}", target: "_blank", rel: "noopener", "{url}" }
                }
                if let Some(svg) = qr_svg(&url) {
                    // One image for assistive technology: the drawing's parts are not content.
                    div { class: "ntfy-qr", role: "img", "aria-label": "{t.ntfy_qr_label}",
                        dangerous_inner_html: "{svg}"
                    }
                }
            }
            if let Some(m) = message() {
                p { class: "small", role: "status", "{m}" }
            }
            div { class: "row",
                button { class: "secondary", onclick: move |_| load(), "{t.load_settings}" }
                button { class: "primary", onclick: save, "{t.save}" }
            }
        }
    }
}

/// `text` as a QR code: an inline SVG element (dark modules as one path, a quiet zone around),
/// or `None` when it is too long for a QR code.
pub fn qr_svg(text: &str) -> Option<String> {
    use qrcode::render::svg;
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(QR_SIZE, QR_SIZE)
        .quiet_zone(true)
        .build();
    // Inside the page the XML declaration has no place.
    let start = image.find("<svg")?;
    Some(image[start..].to_string())
}

/// Least width and height of the QR code, in CSS pixels: scannable from a phone's camera.
const QR_SIZE: u32 = 180;

#[cfg(test)]
mod tests {
    use super::*;

    /// A numeric attribute of the SVG's first element that has it.
    fn attr(svg: &str, name: &str) -> usize {
        let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
    }

    /// Draws the SVG's path (`M x y h w v h H x V y`, one rectangle each, as the `qrcode` crate
    /// writes it) on a white canvas, then reads the QR code back with a decoder.
    fn decode(svg: &str) -> String {
        let (w, h) = (attr(svg, "width"), attr(svg, "height"));
        let mut dark = vec![false; w * h];
        let d_at = svg.find(" d=\"").unwrap() + 4;
        let d = &svg[d_at..d_at + svg[d_at..].find('"').unwrap()];
        let numbers = |s: &str| -> Vec<usize> {
            s.split(|c: char| !c.is_ascii_digit())
                .filter(|n| !n.is_empty())
                .map(|n| n.parse().unwrap())
                .collect()
        };
        let mut rects = 0;
        for rect in d.split('M').filter(|r| !r.is_empty()) {
            let n = numbers(rect);
            let [x, y, rw, rh, x2, y2] = n[..] else {
                panic!("unexpected path segment {rect}")
            };
            assert_eq!((x, y), (x2, y2), "each segment closes on its start");
            for yy in y..y + rh {
                for xx in x..x + rw {
                    dark[yy * w + xx] = true;
                }
            }
            rects += 1;
        }
        assert!(rects > 20, "a real QR code has many dark modules");
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
            if dark[y * w + x] { 0 } else { 255 }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code");
        grids[0].decode().unwrap().1
    }

    #[test]
    fn the_ntfy_qr_code_reads_back_as_the_topic_address() {
        let url = "https://ntfy.klungkungkab.go.id/sepiion-5f3a9c1e7b2d4a60b8e1";
        let svg = qr_svg(url).unwrap();
        assert!(
            svg.starts_with("<svg "),
            "inline, no XML declaration: {svg}"
        );
        assert!(svg.ends_with("</svg>"));
        assert!(
            attr(&svg, "width") >= QR_SIZE as usize && attr(&svg, "height") >= QR_SIZE as usize
        );
        assert_eq!(decode(&svg), url);
        // Too long for any QR code: no image, the link alone.
        assert_eq!(qr_svg(&"x".repeat(8000)), None);
    }
}
