//! The codes of the enums that travel on the wire and sit in the database (`in_review`,
//! `agenda_staff`, …). Each such enum derives strum's `IntoStaticStr`, `EnumString`,
//! `VariantArray` and `EnumCount` with the same case as its serde names, and `codes!` gives it the thin methods
//! the code calls: `as_str`, `parse` and `ALL` (every variant, in declaration order). The test
//! below holds serde's name, strum's name and the stored code to be one.

/// `as_str`, `parse` and `ALL` for enums deriving strum's `IntoStaticStr`, `EnumString`,
/// `VariantArray` and `EnumCount`.
macro_rules! codes {
    ($($t:ty),* $(,)?) => {$(
        impl $t {
            /// Every variant, in declaration order.
            pub const ALL: [Self; <Self as strum::EnumCount>::COUNT] = {
                let variants = <Self as strum::VariantArray>::VARIANTS;
                let mut all = [variants[0]; <Self as strum::EnumCount>::COUNT];
                let mut i = 1;
                while i < all.len() {
                    all[i] = variants[i];
                    i += 1;
                }
                all
            };

            /// The code on the wire and in the database (the same as serde's name).
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            /// The variant whose code is `s`.
            pub fn parse(s: &str) -> Option<Self> {
                s.parse().ok()
            }
        }
    )*};
}

#[cfg(test)]
mod tests {
    use crate::api::{DeliveryStatus, SheetFormat};
    use crate::model::{
        ActorKind, AgendaStatus, Attendance, RequestKind, RequestState, Role, Visibility,
    };
    use crate::report::Outcome;
    use crate::sync::{EntityKind, MutationStatus};
    use crate::validation::Lang;
    use crate::workflow::Action;
    use serde::{Serialize, de::DeserializeOwned};

    /// Serde's name, strum's name and `expected` (the codes written by hand before strum, which
    /// the database and older apps hold) agree for every variant, and each parses back.
    fn same<T>(expected: &[&str])
    where
        T: Copy + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned,
        T: strum::VariantArray + Into<&'static str> + std::str::FromStr,
    {
        assert_eq!(
            T::VARIANTS.len(),
            expected.len(),
            "{}",
            std::any::type_name::<T>()
        );
        for (v, code) in T::VARIANTS.iter().zip(expected) {
            let serde_name = serde_json::to_value(v).unwrap();
            let strum_name: &'static str = (*v).into();
            assert_eq!(serde_name, serde_json::Value::from(*code));
            assert_eq!(strum_name, *code);
            assert_eq!(serde_json::from_value::<T>(serde_name).unwrap(), *v);
            assert!(code.parse::<T>().is_ok_and(|p| p == *v), "{code}");
        }
        assert!("not_a_code".parse::<T>().is_err());
    }

    #[test]
    fn serde_names_strum_names_and_stored_codes_are_one() {
        same::<RequestKind>(&["undangan", "audiensi", "seremonial", "lainnya"]);
        same::<RequestState>(&[
            "submitted",
            "in_review",
            "awaiting_leader",
            "approved",
            "represented",
            "declined",
            "needs_info",
            "time_proposed",
            "cancelled",
            "done",
        ]);
        same::<Role>(&[
            "admin",
            "protocol",
            "adc",
            "sespri",
            "agenda_staff",
            "leader",
        ]);
        same::<ActorKind>(&["requester", "staff", "system"]);
        same::<Visibility>(&["public", "internal", "confidential"]);
        same::<AgendaStatus>(&["tentative", "confirmed", "cancelled", "done"]);
        same::<Attendance>(&["in_person", "represented", "absent"]);
        same::<DeliveryStatus>(&["pending", "sent", "failed", "skipped"]);
        same::<SheetFormat>(&["pdf", "png"]);
        same::<Outcome>(&["attended", "represented", "declined", "cancelled", "open"]);
        same::<EntityKind>(&[
            "leader",
            "representative",
            "request",
            "agenda_item",
            "note",
            "notification",
        ]);
        same::<MutationStatus>(&["applied", "already_applied", "conflict", "rejected"]);
        same::<Lang>(&["id", "en"]);
        same::<Action>(&[
            "start_review",
            "request_info",
            "supply_info",
            "forward_to_leader",
            "propose_time",
            "accept_proposal",
            "decline_proposal",
            "approve",
            "represent",
            "decline",
            "cancel",
            "mark_done",
        ]);
    }
}
