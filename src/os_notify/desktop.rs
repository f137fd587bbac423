//! Desktop alerts through the freedesktop notification service (D-Bus, spoken in pure Rust by
//! notify-rust over zbus; no system library), macOS's and Windows's own on those systems.

use super::{OsAlert, OsNotifier};

pub struct DesktopNotifier;

impl OsNotifier for DesktopNotifier {
    fn show(&self, alert: &OsAlert) -> Result<(), String> {
        let mut n = notify_rust::Notification::new();
        n.appname("Sepiion").summary(&alert.title).body(&alert.body);
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            use notify_rust::Urgency;
            n.urgency(if alert.urgent {
                Urgency::Critical
            } else {
                Urgency::Normal
            });
        }
        // zbus runs on the app's tokio runtime; the call is sent without waiting for it here.
        let runtime = tokio::runtime::Handle::try_current().map_err(|e| e.to_string())?;
        runtime.spawn(async move {
            if let Err(e) = n.show_async().await {
                eprintln!("desktop notification not shown: {e}");
            }
        });
        Ok(())
    }
}
