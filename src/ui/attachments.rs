//! Attachments on screen: a request's files as controls that open them (the invitation letter a
//! review is about), their sizes written the reader's way ("45 B", "1,2 MB"), and what the
//! platform does to show a file or to hand the app a chosen one.
//!
//! Opening: the bytes come from the store when the file was opened on this device before (so it
//! opens offline), else from the server, and are kept in the store. Then the platform shows them:
//! desktop and Android through [`crate::platform::open_file`] (the system's viewer), the liveview
//! build through an [`Opener`] its binary provides (a download from its own HTTP server).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use dioxus::prelude::*;
use sepiion_core::model::AttachmentMeta;
use sepiion_core::validation::Lang;

use super::{Services, Ui, texts_now};

/// A file size the way a reader of `lang` writes it: "45 B", "7,5 KB", "1,2 MB" (Indonesian
/// decimal comma), "1.2 MB" in English. Binary units (1 KB = 1024 B); one decimal below 10.
pub fn format_size(bytes: i64, lang: Lang) -> String {
    let bytes = bytes.max(0);
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let (value, unit) = if bytes < 1024 * 1024 {
        (bytes as f64 / 1024.0, "KB")
    } else {
        (bytes as f64 / (1024.0 * 1024.0), "MB")
    };
    let text = if value < 9.95 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    let text = match lang {
        Lang::Id => text.replace('.', ","),
        Lang::En => text,
    };
    format!("{text} {unit}")
}

/// What the platform did with a file to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// Handed to the system's viewer.
    Viewer,
    /// The browser should download it from this address (liveview).
    Download(String),
}

/// Shows a file's bytes to the user, where the platform cannot do it itself (the liveview build
/// serves them from its HTTP server to this browser session only). Provided as a root context
/// by the binary; without one, [`crate::platform::open_file`] is used.
pub trait FileShower: Send + Sync {
    fn show(&self, filename: &str, content_type: &str, data: Vec<u8>) -> Result<Shown, String>;
}

/// The root context that carries a [`FileShower`].
#[derive(Clone)]
pub struct Opener(pub Arc<dyn FileShower>);

/// Files the browser chose in a file input, delivered beside the event (liveview): Dioxus 0.7's
/// liveview glue reads the chosen file's bytes into the change event's message, but the event
/// type the app receives (`SerializedFormData`) has no field for them and drops them, and its
/// `read_bytes` then reads a path of that name on the *server's* disk instead. The liveview
/// binary takes the bytes out of the message before Dioxus parses it
/// ([`BrowserFiles::lift_from_message`]) and keeps them here, per session; the request form
/// takes them from here. Holds the files of the last such event only.
#[derive(Clone, Default)]
pub struct BrowserFiles(Arc<Mutex<HashMap<String, Vec<u8>>>>);

impl BrowserFiles {
    /// The files of a new file-input event (replacing those of the last one).
    pub fn put(&self, files: HashMap<String, Vec<u8>>) {
        if let Ok(mut held) = self.0.lock() {
            *held = files;
        }
    }

    /// Takes the files of the last event (name, bytes), sorted by name.
    pub fn take(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = self
            .0
            .lock()
            .map(|mut held| held.drain().collect())
            .unwrap_or_default();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }

    /// Lifts the bytes of chosen files out of a liveview event message
    /// (`params.data.files.files`: file name → array of byte values, as dioxus-liveview's glue
    /// sends them) into `self`, and returns the message without them. Other messages come back
    /// unchanged.
    pub fn lift_from_message(&self, message: Vec<u8>) -> Vec<u8> {
        const MARK: &[u8] = b"\"files\":{\"files\":";
        if !message.windows(MARK.len()).any(|w| w == MARK) {
            return message;
        }
        let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&message) else {
            return message;
        };
        let Some(data) = value
            .pointer_mut("/params/data")
            .and_then(|d| d.as_object_mut())
        else {
            return message;
        };
        let Some(files) = data.remove("files") else {
            return message;
        };
        let mut taken = HashMap::new();
        if let Some(by_name) = files.get("files").and_then(|f| f.as_object()) {
            for (name, bytes) in by_name {
                let bytes: Option<Vec<u8>> = bytes.as_array().and_then(|a| {
                    a.iter()
                        .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                        .collect()
                });
                if let Some(bytes) = bytes {
                    taken.insert(name.clone(), bytes);
                }
            }
        }
        self.put(taken);
        serde_json::to_vec(&value).unwrap_or(message)
    }
}

/// The files chosen in a file input, with their bytes: from the event itself (desktop, Android),
/// or, in the liveview build, from [`BrowserFiles`]. An empty list with a file named in the
/// input means the bytes did not reach the app: the caller must say so, not drop it silently.
pub async fn chosen_files(e: &FormEvent) -> Vec<(String, Result<Vec<u8>, String>)> {
    if let Some(browser) = try_consume_context::<BrowserFiles>() {
        return browser
            .take()
            .into_iter()
            .map(|(n, b)| (n, Ok(b)))
            .collect();
    }
    let mut out = Vec::new();
    for f in e.files() {
        let bytes = f
            .read_bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| e.to_string());
        out.push((f.name(), bytes));
    }
    out
}

/// Where opening a file stands.
#[derive(Debug, Clone, PartialEq)]
enum Opening {
    Idle,
    Busy,
    Done(Shown),
    Failed(String),
}

/// A request's attachments, each a button that opens it, with its size.
#[component]
pub fn AttachmentList(request_id: String, attachments: Vec<AttachmentMeta>) -> Element {
    rsx! {
        // No bullets, and a long file name wraps inside its button (200 % text on a phone).
        ul { class: "attachments", style: "list-style: none; padding: 0; margin: 0",
            for a in attachments {
                AttachmentItem { key: "{a.id}", request_id: request_id.clone(), attachment: a.clone() }
            }
        }
    }
}

#[component]
fn AttachmentItem(request_id: String, attachment: AttachmentMeta) -> Element {
    let ui = use_context::<Ui>();
    let t = ui.texts();
    let lang = (ui.lang)();
    let mut state = use_signal(|| Opening::Idle);
    let size = format_size(attachment.size, lang);
    let status_id = format!("file-status-{}", attachment.id);
    let meta = attachment.clone();
    let open = move |_| {
        let (request_id, meta) = (request_id.clone(), meta.clone());
        async move {
            if state() == Opening::Busy {
                return;
            }
            state.set(Opening::Busy);
            let result = bytes_of(&request_id, &meta).await;
            let t = texts_now();
            state.set(match result {
                Ok(data) => match show(&meta, data) {
                    Ok(shown) => {
                        if let Shown::Download(url) = &shown {
                            download_in_browser(url, &meta.filename);
                        }
                        Opening::Done(shown)
                    }
                    Err(e) => Opening::Failed(format!("{}: {e}", t.file_not_opened)),
                },
                Err(e) => Opening::Failed(e),
            });
        }
    };
    let message = match state() {
        Opening::Idle => String::new(),
        Opening::Busy => t.opening_file.to_string(),
        Opening::Done(Shown::Viewer) => t.file_opened.to_string(),
        Opening::Done(Shown::Download(_)) => t.file_downloaded.to_string(),
        Opening::Failed(e) => e,
    };
    rsx! {
        li { class: "attachment",
            button { class: "secondary attachment-open", r#type: "button",
                style: "max-width: 100%; flex-wrap: wrap; justify-content: flex-start; text-align: start; overflow-wrap: anywhere; padding-block: 6px",
                "aria-describedby": "{status_id}",
                disabled: state() == Opening::Busy,
                onclick: open,
                span { class: "attachment-name", style: "min-width: 0", "{attachment.filename}" }
                span { class: "muted", "\u{a0}({size})" }
            }
            div { class: "small", id: "{status_id}", role: "status", "aria-live": "polite", "{message}" }
        }
    }
}

/// The file's bytes: from the store when opened here before, else from the server (then kept).
async fn bytes_of(request_id: &str, meta: &AttachmentMeta) -> Result<Vec<u8>, String> {
    let services = consume_context::<Services>();
    let t = texts_now();
    if let Ok(Some(cached)) = services.store.cached_attachment(&meta.id) {
        return Ok(cached.data);
    }
    let Some(engine) = services.engine.clone() else {
        return Err(t.file_needs_network.to_string());
    };
    let (rid, m) = (request_id.to_string(), meta.clone());
    match super::on_tokio(async move { engine.fetch_attachment(&rid, &m).await }).await {
        Some(Ok(data)) => Ok(data),
        Some(Err(e)) if e.is_transient() => Err(t.file_needs_network.to_string()),
        Some(Err(e)) => Err(format!("{}: {e}", t.file_not_opened)),
        None => Err(t.file_not_opened.to_string()),
    }
}

/// Hands the bytes to the platform.
fn show(meta: &AttachmentMeta, data: Vec<u8>) -> Result<Shown, String> {
    if let Some(Opener(shower)) = try_consume_context::<Opener>() {
        return shower.show(&meta.filename, &meta.content_type, data);
    }
    let variant = consume_context::<Ui>().variant;
    crate::platform::open_file(variant, &meta.id, &meta.filename, &meta.content_type, &data)
        .map(|_| Shown::Viewer)
        .map_err(|e| e.to_string())
}

/// Makes the browser download `url` (liveview): a link with `download`, clicked.
fn download_in_browser(url: &str, filename: &str) {
    document::eval(&format!(
        "const a = document.createElement('a'); a.href = {url:?}; a.download = {filename:?}; \
         document.body.appendChild(a); a.click(); a.remove();"
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_written_the_readers_way() {
        assert_eq!(format_size(45, Lang::Id), "45 B");
        assert_eq!(format_size(0, Lang::Id), "0 B");
        assert_eq!(format_size(1023, Lang::En), "1023 B");
        assert_eq!(format_size(1536, Lang::Id), "1,5 KB");
        assert_eq!(format_size(1536, Lang::En), "1.5 KB");
        assert_eq!(format_size(300 * 1024, Lang::Id), "300 KB");
        assert_eq!(format_size(1_258_291, Lang::Id), "1,2 MB");
        assert_eq!(format_size(1_258_291, Lang::En), "1.2 MB");
        assert_eq!(format_size(5 * 1024 * 1024, Lang::Id), "5,0 MB");
        assert_eq!(format_size(12 * 1024 * 1024, Lang::En), "12 MB");
    }

    #[test]
    fn chosen_files_are_lifted_out_of_liveview_event_messages() {
        let files = BrowserFiles::default();
        let event = br#"{"method":"user_event","params":{"name":"change","element":12,"bubbles":true,"data":{"value":"C:\\fakepath\\surat.pdf","values":[],"valid":true,"files":{"files":{"surat.pdf":[37,80,68,70,255]}}}}}"#;
        let passed = files.lift_from_message(event.to_vec());
        let passed: serde_json::Value = serde_json::from_slice(&passed).unwrap();
        assert!(passed.pointer("/params/data/files").is_none(), "{passed}");
        assert_eq!(
            passed.pointer("/params/data/valid"),
            Some(&serde_json::json!(true))
        );
        assert_eq!(
            passed.pointer("/params/element"),
            Some(&serde_json::json!(12))
        );
        assert_eq!(
            files.take(),
            vec![("surat.pdf".to_string(), vec![37u8, 80, 68, 70, 255])]
        );
        // Any other message passes untouched, and leaves nothing behind.
        let click = br#"{"method":"user_event","params":{"name":"click","element":3,"data":{}}}"#;
        assert_eq!(files.lift_from_message(click.to_vec()), click.to_vec());
        assert_eq!(
            files.lift_from_message(b"__ping__".to_vec()),
            b"__ping__".to_vec()
        );
        assert!(files.take().is_empty());
    }

    #[test]
    fn browser_files_hold_the_last_event_and_are_taken_once() {
        let files = BrowserFiles::default();
        files.put(HashMap::from([("a.pdf".to_string(), vec![1u8])]));
        files.put(HashMap::from([
            ("c.png".to_string(), vec![3u8]),
            ("b.pdf".to_string(), vec![2u8]),
        ]));
        let taken = files.take();
        assert_eq!(
            taken,
            vec![
                ("b.pdf".to_string(), vec![2u8]),
                ("c.png".to_string(), vec![3u8])
            ]
        );
        assert!(files.take().is_empty());
    }
}
