//! The renewal rule for nurses and midwives: which CE points count towards the 120 a licence
//! renewal needs, and why any point does not.
//!
//! REG art. 13 (DOMAIN §1.3) asks for 120 points in the six years before the renewal date, of
//! which the three categories 專業品質, 專業倫理 and 專業相關法規 together bring at least 12 and
//! count for at most 24, and those must include courses on infection control and on gender. The
//! annex of art. 14 (DOMAIN §1.4) caps some activity types per cycle. Every page, export and
//! report uses [`evaluate`], so they can never disagree.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::licence::Window;
use crate::points::Points;

/// 課程屬性: the course category of REG art. 13.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    /// 專業課程.
    Professional,
    /// 專業品質.
    Quality,
    /// 專業倫理.
    Ethics,
    /// 專業相關法規.
    Law,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Professional,
        Category::Quality,
        Category::Ethics,
        Category::Law,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Category::Professional => "pro",
            Category::Quality => "quality",
            Category::Ethics => "ethics",
            Category::Law => "law",
        }
    }

    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn message_key(self) -> &'static str {
        match self {
            Category::Professional => "category.pro",
            Category::Quality => "category.quality",
            Category::Ethics => "category.ethics",
            Category::Law => "category.law",
        }
    }

    /// Quality, ethics and law share one minimum and one cap.
    pub fn is_other(self) -> bool {
        self != Category::Professional
    }
}

/// 實施方式: the row of the annex of REG art. 14 an activity falls under (1 to 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Activity(pub u8);

impl Activity {
    /// Profession-related courses (row 1).
    pub const COURSE: Activity = Activity(1);
    /// Academic conferences of the profession (row 2).
    pub const CONFERENCE: Activity = Activity(2);
    /// Conferences of related societies (row 3).
    pub const RELATED_CONFERENCE: Activity = Activity(3);
    /// Interdisciplinary clinical discussions (row 4).
    pub const TEAM_DISCUSSION: Activity = Activity(4);
    /// Online CE, 網路繼續教育 (row 5).
    pub const ONLINE: Activity = Activity(5);
    /// Journal correspondence courses, 雜誌通訊課程 (row 6).
    pub const CORRESPONDENCE: Activity = Activity(6);
    /// Original papers (row 7).
    pub const PAPER: Activity = Activity(7);
    /// University courses, counted per semester (row 8).
    pub const UNIVERSITY: Activity = Activity(8);
    /// Other rows of the annex (9 onwards), not capped by the rule set.
    pub const OTHER: Activity = Activity(9);

    pub fn message_key(self) -> String {
        format!("activity.{}", self.0)
    }

    /// Online and correspondence courses are the "online" records of the CE page.
    pub fn is_remote(self) -> bool {
        self == Activity::ONLINE || self == Activity::CORRESPONDENCE
    }
}

/// One CE record as the rule sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    /// The record's identity, echoed in its [`Outcome`].
    pub id: i64,
    pub date: NaiveDate,
    pub activity: Activity,
    pub category: Category,
    pub infection_control: bool,
    pub gender: bool,
    pub points: Points,
    /// Set when the source system marked the record invalid (無效積分).
    pub invalid_reason: Option<String>,
}

/// Over what span an activity cap applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapPeriod {
    /// Once per six-year cycle.
    Cycle,
    /// Per university semester: 1 August to 31 January, and 1 February to 31 July.
    Semester,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityCap {
    pub activity: Activity,
    pub cap: Points,
    pub period: CapPeriod,
}

/// The numbers of the rule, as data: a change of regulation is a new `RuleSet`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    pub total_required: Points,
    /// Categories 2 to 4 together must bring at least this much…
    pub other_minimum: Points,
    /// …and count for no more than this.
    pub other_cap: Points,
    pub require_infection_control: bool,
    pub require_gender: bool,
    pub activity_caps: Vec<ActivityCap>,
}

impl RuleSet {
    /// REG art. 13 for 護理師, 護士, 助產師 and 助產士, with the annex caps of rows 4 to 8.
    ///
    /// The online and correspondence caps are parameters because the sources disagree
    /// (DOMAIN §1.4: 80 in the association's table of the 2022 annex, 60 in a 2020 FAQ).
    pub fn nurses_and_midwives(online_cap: Points, correspondence_cap: Points) -> RuleSet {
        let cycle = |activity, points| ActivityCap {
            activity,
            cap: Points::whole(points),
            period: CapPeriod::Cycle,
        };
        RuleSet {
            total_required: Points::whole(120),
            other_minimum: Points::whole(12),
            other_cap: Points::whole(24),
            require_infection_control: true,
            require_gender: true,
            activity_caps: vec![
                cycle(Activity::TEAM_DISCUSSION, 60),
                ActivityCap { activity: Activity::ONLINE, cap: online_cap, period: CapPeriod::Cycle },
                ActivityCap {
                    activity: Activity::CORRESPONDENCE,
                    cap: correspondence_cap,
                    period: CapPeriod::Cycle,
                },
                cycle(Activity::PAPER, 50),
                ActivityCap {
                    activity: Activity::UNIVERSITY,
                    cap: Points::whole(15),
                    period: CapPeriod::Semester,
                },
            ],
        }
    }
}

/// Why (part of) a record's points do not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// The record's date is outside the licence window.
    OutsideWindow,
    /// The source system marked the record invalid; the text is its reason.
    InvalidAtSource(String),
    /// The activity's cap was already reached by earlier records.
    OverActivityCap(ActivityCap),
    /// Categories 2 to 4 already reached their cap with earlier records.
    OverOtherCap,
}

/// What happened to one record: how much counted, and why the rest did not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub credit_id: i64,
    pub points: Points,
    pub counted: Points,
    /// Empty when the whole record counted. Each part names the points it removed.
    pub not_counted: Vec<(Points, Reason)>,
}

/// How much of a capped activity the window has used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapUsage {
    pub cap: ActivityCap,
    /// Points offered under the activity in the window (valid records only).
    pub offered: Points,
    /// Points the cap let through.
    pub allowed: Points,
}

/// The rule applied to one member's records in one window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub window: Window,
    pub rules: RuleSet,
    /// Counted points: professional plus categories 2–4 up to their cap.
    pub total: Points,
    pub professional: Points,
    /// Categories 2–4 after activity caps, before their own cap: what the minimum is checked on.
    pub other_before_cap: Points,
    /// Categories 2–4 as counted in the total.
    pub other_counted: Points,
    /// Counted points per category, in [`Category::ALL`] order (after every cap).
    pub per_category: [Points; 4],
    pub has_infection_control: bool,
    pub has_gender: bool,
    pub outcomes: Vec<Outcome>,
    pub cap_usage: Vec<CapUsage>,
}

impl Evaluation {
    /// Points still needed for the total.
    pub fn missing_total(&self) -> Points {
        self.rules.total_required.saturating_sub(self.total)
    }

    /// Points of categories 2–4 still needed for their minimum.
    pub fn missing_other(&self) -> Points {
        self.rules.other_minimum.saturating_sub(self.other_before_cap)
    }

    pub fn missing_infection_control(&self) -> bool {
        self.rules.require_infection_control && !self.has_infection_control
    }

    pub fn missing_gender(&self) -> bool {
        self.rules.require_gender && !self.has_gender
    }

    /// Whether the records are enough for a renewal.
    pub fn is_met(&self) -> bool {
        self.missing_total().is_zero()
            && self.missing_other().is_zero()
            && !self.missing_infection_control()
            && !self.missing_gender()
    }
}

/// Applies `rules` to `credits` for `window`.
///
/// Records are taken in date order (then by id), so when a cap is reached the earliest records
/// count and the one that crosses the cap counts in part. A topic (infection control, gender)
/// is satisfied by a valid record inside the window that kept some points after the activity
/// caps; the 24-point cap of categories 2–4 does not undo it, since the course was taken.
pub fn evaluate(rules: &RuleSet, window: Window, credits: &[Credit]) -> Evaluation {
    let mut order: Vec<&Credit> = credits.iter().collect();
    order.sort_by_key(|c| (c.date, c.id));

    let mut offered: Vec<(ActivityCap, Option<i32>, Points, Points)> = Vec::new();
    let mut other_so_far = Points::ZERO;
    let mut evaluation = Evaluation {
        window,
        rules: rules.clone(),
        total: Points::ZERO,
        professional: Points::ZERO,
        other_before_cap: Points::ZERO,
        other_counted: Points::ZERO,
        per_category: [Points::ZERO; 4],
        has_infection_control: false,
        has_gender: false,
        outcomes: Vec::with_capacity(order.len()),
        cap_usage: Vec::new(),
    };

    for credit in order {
        let mut outcome = Outcome {
            credit_id: credit.id,
            points: credit.points,
            counted: Points::ZERO,
            not_counted: Vec::new(),
        };
        if let Some(reason) = &credit.invalid_reason {
            outcome.not_counted.push((credit.points, Reason::InvalidAtSource(reason.clone())));
        } else if !window.contains(credit.date) {
            outcome.not_counted.push((credit.points, Reason::OutsideWindow));
        } else {
            let mut remaining = credit.points;
            if let Some(cap) = rules.activity_caps.iter().find(|c| c.activity == credit.activity) {
                let key = (cap.period == CapPeriod::Semester).then(|| semester_of(credit.date));
                let slot = match offered.iter().position(|(c, k, _, _)| c == cap && *k == key) {
                    Some(index) => index,
                    None => {
                        offered.push((*cap, key, Points::ZERO, Points::ZERO));
                        offered.len() - 1
                    }
                };
                let (_, _, offered_points, allowed_points) = &mut offered[slot];
                let room = cap.cap.saturating_sub(*allowed_points);
                let allowed = remaining.min(room);
                *offered_points += remaining;
                *allowed_points += allowed;
                if allowed < remaining {
                    outcome.not_counted.push((remaining - allowed, Reason::OverActivityCap(*cap)));
                }
                remaining = allowed;
            }

            if !remaining.is_zero() {
                evaluation.has_infection_control |= credit.infection_control;
                evaluation.has_gender |= credit.gender;
            }

            if credit.category.is_other() {
                evaluation.other_before_cap += remaining;
                let room = rules.other_cap.saturating_sub(other_so_far);
                let allowed = remaining.min(room);
                other_so_far += allowed;
                if allowed < remaining {
                    outcome.not_counted.push((remaining - allowed, Reason::OverOtherCap));
                }
                remaining = allowed;
                evaluation.other_counted += remaining;
            } else {
                evaluation.professional += remaining;
            }
            outcome.counted = remaining;
            let index = Category::ALL.iter().position(|c| *c == credit.category).unwrap_or(0);
            evaluation.per_category[index] += remaining;
            evaluation.total += remaining;
        }
        evaluation.outcomes.push(outcome);
    }

    evaluation.cap_usage = summarise_caps(rules, &offered);
    evaluation
}

/// Folds the per-semester slots into one usage line per cap, in the rule set's order.
fn summarise_caps(rules: &RuleSet, slots: &[(ActivityCap, Option<i32>, Points, Points)]) -> Vec<CapUsage> {
    rules
        .activity_caps
        .iter()
        .map(|cap| {
            let mine = slots.iter().filter(|(c, _, _, _)| c == cap);
            CapUsage {
                cap: *cap,
                offered: mine.clone().map(|(_, _, o, _)| *o).sum(),
                allowed: mine.map(|(_, _, _, a)| *a).sum(),
            }
        })
        .collect()
}

/// Numbers a university semester: the one starting 1 August of year Y is 2Y, the one starting
/// 1 February of year Y is 2Y - 1.
fn semester_of(date: NaiveDate) -> i32 {
    match date.month() {
        8..=12 => date.year() * 2,
        1 => (date.year() - 1) * 2,
        _ => date.year() * 2 - 1,
    }
}
