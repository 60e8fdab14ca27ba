//! The finding codes: one enum, spelled once (`as_str`), read back with `FromStr` and serde
//! through that spelling, so config keys, JSON, SARIF rule ids and the docs cannot disagree.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A finding rule's stable code (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleCode {
    UnmitigatedExposure,
    UnmitigatedThreat,
    UnprotectedCrossing,
    AttackPath,
    UntestedControl,
    OpenReview,
    StrideGap,
}

impl RuleCode {
    /// Every code, in the order of SPEC §5.
    pub const ALL: [RuleCode; 7] = [
        RuleCode::UnmitigatedExposure,
        RuleCode::UnmitigatedThreat,
        RuleCode::UnprotectedCrossing,
        RuleCode::AttackPath,
        RuleCode::UntestedControl,
        RuleCode::OpenReview,
        RuleCode::StrideGap,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleCode::UnmitigatedExposure => "unmitigated-exposure",
            RuleCode::UnmitigatedThreat => "unmitigated-threat",
            RuleCode::UnprotectedCrossing => "unprotected-crossing",
            RuleCode::AttackPath => "attack-path",
            RuleCode::UntestedControl => "untested-control",
            RuleCode::OpenReview => "open-review",
            RuleCode::StrideGap => "stride-gap",
        }
    }
}

/// Ordered by spelling, so findings sort the same as when codes were strings.
impl Ord for RuleCode {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for RuleCode {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for RuleCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compared with a spelling, as tests and filters read codes off JSON or the screen.
impl PartialEq<&str> for RuleCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// An unknown finding code, with the known ones for the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode(pub String);

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known: Vec<&str> = RuleCode::ALL.iter().map(|c| c.as_str()).collect();
        write!(
            f,
            "`{}` is not a finding code (one of {})",
            self.0,
            known.join(", ")
        )
    }
}

impl std::error::Error for UnknownCode {}

impl FromStr for RuleCode {
    type Err = UnknownCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RuleCode::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCode(s.to_string()))
    }
}

impl Serialize for RuleCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_from_its_spelling() {
        for code in RuleCode::ALL {
            assert_eq!(code.as_str().parse::<RuleCode>(), Ok(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(serde_json::from_str::<RuleCode>(&json).unwrap(), code);
        }
        assert!("Stride-Gap".parse::<RuleCode>().is_err());
    }
}
