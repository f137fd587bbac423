//! The outbound channels: ntfy-compatible push (JSON publish), a WhatsApp HTTP gateway, and
//! e-mail over SMTP (lettre with rustls). Each send carries the delivery's idempotency key.

use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use sepiion_core::validation::{Lang, Msg};

use crate::config::{BodyEncoding, NotifyConfig, SmtpConfig, SmtpSecurity, WhatsappConfig};

/// Why a send failed; `permanent` failures are not retried (a refused address, a bad request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

impl SendError {
    fn retry(message: impl Into<String>) -> Self {
        SendError {
            permanent: false,
            message: message.into(),
        }
    }
    fn permanent(message: impl Into<String>) -> Self {
        SendError {
            permanent: true,
            message: message.into(),
        }
    }
}

/// What goes out: the texts in both languages, the recipient's language and the key.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub key: String,
    pub high_priority: bool,
    pub title: Msg,
    pub body: Msg,
    /// The recipient's language: short channels (push, WhatsApp, the e-mail's subject) speak it
    /// alone; the e-mail puts it first and the other language below.
    pub lang: Lang,
    pub address: String,
}

impl Outgoing {
    fn title(&self) -> &str {
        self.title.get(self.lang)
    }
    fn body(&self) -> &str {
        self.body.get(self.lang)
    }
}

/// The header that carries the idempotency key over HTTP.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// An HTTP answer → a result: 2xx sent; 408, 429 and 5xx retried; other 4xx refused for good.
async fn judge(resp: reqwest::Result<reqwest::Response>) -> Result<(), SendError> {
    let resp = resp.map_err(|e| SendError::retry(format!("HTTP: {e}")))?;
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let body: String = resp
        .text()
        .await
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    let msg = format!("HTTP {status}: {body}");
    if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
        Err(SendError::retry(msg))
    } else {
        Err(SendError::permanent(msg))
    }
}

/// Publishes to an ntfy topic with ntfy's JSON publishing (UTF-8 safe titles).
pub async fn send_ntfy(
    http: &reqwest::Client,
    cfg: &crate::config::NtfyConfig,
    out: &Outgoing,
) -> Result<(), SendError> {
    let body = serde_json::json!({
        "topic": out.address,
        "title": out.title(),
        "message": out.body(),
        "priority": if out.high_priority { 4 } else { 3 },
        "tags": ["sepiion"],
    });
    let mut req = http
        .post(cfg.base_url.trim_end_matches('/'))
        .header(IDEMPOTENCY_HEADER, &out.key)
        .json(&body);
    if let Some(t) = &cfg.token {
        req = req.bearer_auth(t);
    }
    judge(req.send().await).await
}

fn json_escape(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted[1..quoted.len() - 1].to_string()
}

fn form_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The WhatsApp text: the title in bold, then the body, in the recipient's language.
pub fn whatsapp_text(out: &Outgoing) -> String {
    format!("*{}*\n{}", out.title(), out.body())
}

/// Fills the gateway's body template.
pub fn gateway_body(cfg: &WhatsappConfig, phone: &str, message: &str) -> String {
    let esc: fn(&str) -> String = match cfg.encoding {
        BodyEncoding::Json => json_escape,
        BodyEncoding::Form => form_escape,
    };
    cfg.body
        .replace("{phone}", &esc(phone))
        .replace("{message}", &esc(message))
}

/// Sends through the configured WhatsApp gateway.
pub async fn send_whatsapp(
    http: &reqwest::Client,
    cfg: &WhatsappConfig,
    out: &Outgoing,
) -> Result<(), SendError> {
    let method = reqwest::Method::from_bytes(cfg.method.trim().to_uppercase().as_bytes())
        .map_err(|_| SendError::permanent(format!("bad method {:?}", cfg.method)))?;
    let mut req = http
        .request(method, &cfg.url)
        .header(IDEMPOTENCY_HEADER, &out.key)
        .header(
            reqwest::header::CONTENT_TYPE,
            match cfg.encoding {
                BodyEncoding::Json => "application/json",
                BodyEncoding::Form => "application/x-www-form-urlencoded",
            },
        );
    for (k, v) in &cfg.headers {
        req = req.header(k, v);
    }
    let body = gateway_body(cfg, &out.address, &whatsapp_text(out));
    judge(req.body(body).send().await).await
}

/// `X-Sepiion-Idempotency-Key` in e-mail.
#[derive(Debug, Clone)]
struct IdempotencyKey(String);

impl Header for IdempotencyKey {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Sepiion-Idempotency-Key")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(IdempotencyKey(s.to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\n', "<br>\n")
}

/// `Importance: high` and `X-Priority: 1` on an urgent e-mail (RFC 2156 and the common
/// de-facto header), which mail clients flag.
#[derive(Debug, Clone)]
struct Importance(&'static str);

impl Header for Importance {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Importance")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(if s.eq_ignore_ascii_case("high") {
            Importance("high")
        } else {
            Importance("normal")
        })
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.to_string())
    }
}

#[derive(Debug, Clone)]
struct XPriority(&'static str);

impl Header for XPriority {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Priority")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(XPriority(if s.starts_with('1') { "1" } else { "3" }))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.to_string())
    }
}

/// The e-mail: the recipient's language first (and in the subject), the other below; plain
/// text with an HTML alternative.
pub fn email_message(from: &str, out: &Outgoing) -> Result<Message, SendError> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| SendError::permanent(format!("sender {from:?}: {e}")))?;
    let to: Mailbox = out
        .address
        .parse()
        .map_err(|e| SendError::permanent(format!("address {:?}: {e}", out.address)))?;
    let (first, second, first_code, second_code, second_name) = match out.lang {
        Lang::Id => (Lang::Id, Lang::En, "id", "en", "English"),
        Lang::En => (Lang::En, Lang::Id, "en", "id", "Bahasa Indonesia"),
    };
    let plain = format!(
        "{}\n\n{}\n\n— {second_name} —\n{}\n\n{}\n",
        out.title.get(first),
        out.body.get(first),
        out.title.get(second),
        out.body.get(second)
    );
    let html = format!(
        "<!doctype html><html lang=\"{first_code}\"><body>\
         <h2>{}</h2><p>{}</p><hr><div lang=\"{second_code}\"><h3>{}</h3><p>{}</p></div></body></html>",
        html_escape(out.title.get(first)),
        html_escape(out.body.get(first)),
        html_escape(out.title.get(second)),
        html_escape(out.body.get(second))
    );
    let domain = from.email.domain().to_string();
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(out.title())
        .message_id(Some(format!("<{}@{}>", out.key, domain)))
        .header(IdempotencyKey(out.key.clone()));
    if out.high_priority {
        builder = builder.header(Importance("high")).header(XPriority("1"));
    }
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(plain),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html),
                ),
        )
        .map_err(|e| SendError::permanent(format!("message: {e}")))
}

/// Builds the SMTP transport from the configuration.
pub fn smtp_transport(
    cfg: &SmtpConfig,
    timeout: Duration,
) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.clone())
        .port(cfg.port)
        .timeout(Some(timeout));
    b = match cfg.security {
        SmtpSecurity::None => b.tls(Tls::None),
        SmtpSecurity::Starttls => b.tls(Tls::Required(TlsParameters::new(cfg.host.clone())?)),
        SmtpSecurity::Tls => b.tls(Tls::Wrapper(TlsParameters::new(cfg.host.clone())?)),
    };
    if let (Some(u), Some(p)) = (&cfg.username, &cfg.password) {
        b = b.credentials(Credentials::new(u.clone(), p.clone()));
    }
    Ok(b.build())
}

/// Sends an e-mail.
pub async fn send_email(
    mailer: &AsyncSmtpTransport<Tokio1Executor>,
    cfg: &SmtpConfig,
    out: &Outgoing,
) -> Result<(), SendError> {
    let msg = email_message(&cfg.from, out)?;
    match mailer.send(msg).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(SendError::permanent(format!("SMTP: {e}"))),
        Err(e) => Err(SendError::retry(format!("SMTP: {e}"))),
    }
}

/// The HTTP client for ntfy and the gateway.
pub fn http_client(cfg: &NotifyConfig) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_millis(cfg.timeout_ms))
        .build()
        .expect("a rustls HTTP client builds")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wa(body: &str, encoding: BodyEncoding) -> WhatsappConfig {
        WhatsappConfig {
            url: "http://127.0.0.1:1/send".into(),
            method: "POST".into(),
            headers: Default::default(),
            body: body.into(),
            encoding,
            rate_per_second: 1,
        }
    }

    #[test]
    fn gateway_templates_escape_for_their_encoding() {
        let j = gateway_body(
            &wa(
                r#"{"phone":"{phone}","message":"{message}"}"#,
                BodyEncoding::Json,
            ),
            "6281234567890",
            "Baris \"satu\"\ndua",
        );
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["message"], "Baris \"satu\"\ndua");
        assert_eq!(v["phone"], "6281234567890");
        let f = gateway_body(
            &wa("target={phone}&message={message}", BodyEncoding::Form),
            "6281234567890",
            "a & b=c",
        );
        assert_eq!(f, "target=6281234567890&message=a+%26+b%3Dc");
    }

    #[test]
    fn an_email_has_both_parts_and_a_message_id_from_the_key() {
        let out = Outgoing {
            key: "sepiion-12-u3-email".into(),
            high_priority: false,
            title: Msg::new("Permohonan K7QM — Disetujui", "Approved"),
            body: Msg::new("Isi <penting>", "Body"),
            lang: Lang::Id,
            address: "warga@example.org".into(),
        };
        let m = email_message("Protokol <protokol@example.go.id>", &out).unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(raw.contains("Message-ID: <sepiion-12-u3-email@example.go.id>"));
        assert!(raw.contains("X-Sepiion-Idempotency-Key: sepiion-12-u3-email"));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/html") && raw.contains("&lt;penting&gt;"));
        let bad = Outgoing {
            address: "not an address".into(),
            ..out
        };
        assert!(email_message("a@b.c", &bad).unwrap_err().permanent);
    }
}
