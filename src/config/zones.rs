//! `untrusted:` and `trusted:` in `threatline.yaml` (SPEC §4, "Zone trust"), checked apart
//! from the rest of the file's keys in `config.rs`.

use serde_saphyr::Spanned;

use super::{Checker, ConfigError, quoted};
use crate::location::Location;
use crate::model::normalize::normalize;
use crate::model::{ConfigZone, TrustOptions};

impl Checker<'_> {
    /// `untrusted:` and `trusted:`: zone names, none blank and none in both lists. Whether
    /// a name reaches a zone is known once the model is built: one that reaches none is a
    /// warning there, with the nearest zone (`model::trust`).
    pub(super) fn zones(
        &self,
        untrusted: &[Spanned<String>],
        trusted: &[Spanned<String>],
    ) -> Result<TrustOptions, ConfigError> {
        let mut out = TrustOptions::default();
        for (key, list) in [("untrusted", untrusted), ("trusted", trusted)] {
            for word in list {
                if normalize(&word.value).is_empty() {
                    let message = format!("`{key}: {}` is not a zone name", quoted(&word.value));
                    return Err(self.invalid(key, message, word));
                }
            }
        }
        for word in trusted {
            let key = normalize(&word.value);
            if let Some(other) = untrusted.iter().find(|u| normalize(&u.value) == key) {
                let line = other.referenced.line();
                return Err(self.invalid(
                    "trusted",
                    format!(
                        "zone `{}` is listed under both `untrusted` (line {line}) and `trusted`; keep it in one list",
                        quoted(&word.value)
                    ),
                    word,
                ));
            }
        }
        let zone = |word: &Spanned<String>| ConfigZone {
            name: word.value.trim().to_string(),
            location: Location::new(
                self.path,
                u32::try_from(word.referenced.line()).unwrap_or(1).max(1),
                u32::try_from(word.referenced.column()).unwrap_or(1).max(1),
            ),
        };
        out.untrusted = untrusted.iter().map(zone).collect();
        out.trusted = trusted.iter().map(zone).collect();
        Ok(out)
    }
}
