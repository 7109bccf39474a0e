//! The records of the demo set: what the registry and the CE ledger hold about one member.

use chrono::NaiveDate;
use huzhu_core::id::IdNumber;
use huzhu_core::points::Points;
use huzhu_core::profession::{PracticeStatus, Profession};
use huzhu_core::rules::{Activity, Category};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Female,
    Male,
}

/// One member of the registry with everything the portal shows about them.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id_number: IdNumber,
    /// Chinese name; a few contain characters outside the Basic Multilingual Plane.
    pub name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub email: String,
    pub certificates: Vec<Certificate>,
    /// Oldest first; the last one is the current registration.
    pub licences: Vec<Licence>,
    /// In date order.
    pub credits: Vec<Credit>,
    /// In date order.
    pub learning: Vec<Learning>,
}

/// 證書: the qualification issued by the ministry; it never expires.
#[derive(Debug, Clone, PartialEq)]
pub struct Certificate {
    pub profession: Profession,
    /// Opaque, e.g. "衛部護字第123456號".
    pub number: String,
    pub issued_on: NaiveDate,
}

/// 執業執照: one registration at one institution, from its 登記 to its end (歇業, a move to
/// another institution, 註銷 or 廢止) or to today.
#[derive(Debug, Clone, PartialEq)]
pub struct Licence {
    pub profession: Profession,
    pub certificate_number: String,
    /// Opaque, e.g. "北市護執字第00123450號".
    pub number: String,
    /// The health bureau that issued the licence, e.g. "臺北市政府衛生局".
    pub authority: String,
    /// An `nhi_code` of [`crate::institutions`].
    pub institution_code: String,
    pub registered_on: NaiveDate,
    /// 應更新日期 after the last renewal.
    pub renewal_due: NaiveDate,
    pub status: PracticeStatus,
    /// In date order; the first is always [`EventKind::Registered`].
    pub events: Vec<LicenceEvent>,
}

/// What happened to a licence (DOMAIN §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// 登記.
    Registered,
    /// 更新: the date is the day the renewal was applied for.
    Renewed,
    /// 停業.
    Suspended,
    /// 復業.
    Resumed,
    /// 歇業.
    Closed,
    /// 變更執業處所: the registration here ends and continues at another institution.
    MovedWorkplace,
    /// 註銷.
    Cancelled,
    /// 廢止.
    Annulled,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        EventKind::Registered,
        EventKind::Renewed,
        EventKind::Suspended,
        EventKind::Resumed,
        EventKind::Closed,
        EventKind::MovedWorkplace,
        EventKind::Cancelled,
        EventKind::Annulled,
    ];

    /// The code stored in the database and in import files.
    pub fn code(&self) -> &'static str {
        match self {
            EventKind::Registered => "registered",
            EventKind::Renewed => "renewed",
            EventKind::Suspended => "suspended",
            EventKind::Resumed => "resumed",
            EventKind::Closed => "closed",
            EventKind::MovedWorkplace => "moved_workplace",
            EventKind::Cancelled => "cancelled",
            EventKind::Annulled => "annulled",
        }
    }

    pub fn from_code(code: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LicenceEvent {
    pub kind: EventKind,
    pub date: NaiveDate,
    /// A reason or detail, e.g. "育嬰留職停薪" or "轉至臺北榮民總醫院".
    pub note: Option<String>,
}

/// The member's part in a CE activity (參加, 授課, 發表, 特別演講).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Attendee,
    /// Also the main presenter of a team discussion (annex row 4).
    Lecturer,
    Author,
    SpecialLecture,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Attendee, Role::Lecturer, Role::Author, Role::SpecialLecture];

    pub fn code(&self) -> &'static str {
        match self {
            Role::Attendee => "attendee",
            Role::Lecturer => "lecturer",
            Role::Author => "author",
            Role::SpecialLecture => "special_lecture",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// One row of the CE ledger. A course taught across several categories is several rows with
/// the same course code, as the national union's course lists publish them.
#[derive(Debug, Clone, PartialEq)]
pub struct Credit {
    pub course_code: String,
    pub title: String,
    pub organiser: String,
    /// 審查單位.
    pub reviewer: String,
    pub activity: Activity,
    pub role: Role,
    pub category: Category,
    pub infection_control: bool,
    pub gender: bool,
    pub date: NaiveDate,
    pub points: Points,
    /// Set when the ledger marks the row invalid (無效積分).
    pub invalid_reason: Option<String>,
}

/// One course of the portal's own e-learning log (線上學習履歷).
#[derive(Debug, Clone, PartialEq)]
pub struct Learning {
    pub course: String,
    pub minutes: u32,
    pub completed_on: NaiveDate,
}
