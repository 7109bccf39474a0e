//! Professions the portal serves and the practice statuses of a licence.

use serde::{Deserialize, Serialize};

/// A professional qualification, with MOHW's one-letter category code (DOMAIN §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Profession {
    /// 護理師, code F.
    RegisteredNurse,
    /// 護士, code G.
    Nurse,
    /// 助產士, code H.
    Midwife,
    /// 助產師, code I.
    RegisteredMidwife,
}

impl Profession {
    pub const ALL: [Profession; 4] =
        [Profession::RegisteredNurse, Profession::Nurse, Profession::Midwife, Profession::RegisteredMidwife];

    pub fn code(self) -> &'static str {
        match self {
            Profession::RegisteredNurse => "F",
            Profession::Nurse => "G",
            Profession::Midwife => "H",
            Profession::RegisteredMidwife => "I",
        }
    }

    pub fn from_code(code: &str) -> Option<Profession> {
        Profession::ALL.into_iter().find(|p| p.code() == code.trim())
    }

    /// The key of the profession's name in the message catalogs.
    pub fn message_key(self) -> &'static str {
        match self {
            Profession::RegisteredNurse => "profession.F",
            Profession::Nurse => "profession.G",
            Profession::Midwife => "profession.H",
            Profession::RegisteredMidwife => "profession.I",
        }
    }
}

/// The status of a practice licence (DOMAIN §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PracticeStatus {
    /// 執業: practising under a valid licence.
    Practising,
    /// 停業: practice suspended (at most one year).
    Suspended,
    /// 歇業: practice ended; the registration is closed.
    Closed,
    /// 註銷: licence cancelled.
    Cancelled,
    /// 廢止: licence annulled.
    Annulled,
}

impl PracticeStatus {
    pub const ALL: [PracticeStatus; 5] = [
        PracticeStatus::Practising,
        PracticeStatus::Suspended,
        PracticeStatus::Closed,
        PracticeStatus::Cancelled,
        PracticeStatus::Annulled,
    ];

    /// The code stored in the database and in import files.
    pub fn code(self) -> &'static str {
        match self {
            PracticeStatus::Practising => "practising",
            PracticeStatus::Suspended => "suspended",
            PracticeStatus::Closed => "closed",
            PracticeStatus::Cancelled => "cancelled",
            PracticeStatus::Annulled => "annulled",
        }
    }

    pub fn from_code(code: &str) -> Option<PracticeStatus> {
        PracticeStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn message_key(self) -> &'static str {
        match self {
            PracticeStatus::Practising => "status.practising",
            PracticeStatus::Suspended => "status.suspended",
            PracticeStatus::Closed => "status.closed",
            PracticeStatus::Cancelled => "status.cancelled",
            PracticeStatus::Annulled => "status.annulled",
        }
    }
}
