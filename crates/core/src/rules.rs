//! The renewal rule for nurses and midwives: which CE points count towards the 120 a licence
//! renewal needs, and why any point does not.
//!
//! REG art. 13 (DOMAIN §1.3) asks for 120 points in the six years before the renewal date, of
//! which the three categories 專業品質, 專業倫理 and 專業相關法規 together bring at least 12 and
//! count for at most 24, and those must include courses on infection control and on gender. The
//! annex of art. 14 (DOMAIN §1.4) caps some activity types per cycle. Every page, export and
//! report uses [`evaluate`], so they can never disagree.

use std::collections::HashMap;

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
    pub const ALL: [Category; 4] =
        [Category::Professional, Category::Quality, Category::Ethics, Category::Law];

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

    /// The category's place in [`Category::ALL`] and in [`Evaluation::per_category`].
    const fn position(self) -> usize {
        match self {
            Category::Professional => 0,
            Category::Quality => 1,
            Category::Ethics => 2,
            Category::Law => 3,
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
    /// For a correction (negative points): the id of the credit it corrects, when the ledger
    /// holds one. A correction takes back at most what that credit counts, and nothing when
    /// the credit is invalid or missing.
    #[serde(default)]
    pub corrects: Option<i64>,
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
        let cycle =
            |activity, points| ActivityCap { activity, cap: Points::whole(points), period: CapPeriod::Cycle };
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
    /// A correction whose credit is not in the ledger (or not among the records evaluated).
    CorrectsNoCredit,
    /// A correction of a credit the source system marked invalid, which gives nothing to take.
    CorrectsInvalidCredit,
    /// The part of a correction beyond what its credit counts.
    OverCorrectedCredit,
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
/// count and the one that crosses the cap counts in part. For each record the annex's activity
/// cap applies first and the 24-point cap of categories 2–4 second, as in DOMAIN §1.3.
///
/// A topic (infection control, gender) is satisfied by a valid record of categories 2–4 inside
/// the window that kept some points after the activity caps: REG art. 13 asks for those topics
/// among the quality, ethics and law courses, so a flag on a professional course is ignored.
/// The 24-point cap does not undo a topic, since the course was taken.
///
/// A negative record (a correction row) takes its points off the counts it would have added to,
/// and never satisfies a topic. It takes back at most what its credit counts (after the caps,
/// less what other corrections of it took), and nothing when its credit is invalid or missing,
/// so the figures are right whatever order the ledger's files were loaded in. On its day it is
/// taken after the credits, so the credit it corrects has been counted.
pub fn evaluate(rules: &RuleSet, window: Window, credits: &[Credit]) -> Evaluation {
    let mut order: Vec<&Credit> = credits.iter().collect();
    order.sort_by_key(|c| (c.date, c.points < Points::ZERO, c.id));

    let mut slots: Vec<CapSlot> = Vec::new();
    let mut taken_back: HashMap<i64, Points> = HashMap::new();
    let mut evaluation = Evaluation::empty(rules, window, order.len());
    for credit in order {
        let outcome = match exclusion(credit, window) {
            Some(reason) => not_counted(credit, reason),
            None if credit.points < Points::ZERO => {
                correct(rules, credit, &mut slots, &mut evaluation, &mut taken_back)
            }
            None => count(rules, credit, &mut slots, &mut evaluation),
        };
        evaluation.outcomes.push(outcome);
    }
    evaluation.cap_usage = summarise_caps(rules, &slots);
    evaluation
}

impl Evaluation {
    fn empty(rules: &RuleSet, window: Window, records: usize) -> Evaluation {
        Evaluation {
            window,
            rules: rules.clone(),
            total: Points::ZERO,
            professional: Points::ZERO,
            other_before_cap: Points::ZERO,
            other_counted: Points::ZERO,
            per_category: [Points::ZERO; 4],
            has_infection_control: false,
            has_gender: false,
            outcomes: Vec::with_capacity(records),
            cap_usage: Vec::new(),
        }
    }
}

/// How much of one activity cap one period (the cycle, or one semester) has used.
struct CapSlot {
    cap: ActivityCap,
    semester: Option<i32>,
    offered: Points,
    allowed: Points,
}

/// Why a record does not count at all, if it does not.
fn exclusion(credit: &Credit, window: Window) -> Option<Reason> {
    if let Some(reason) = &credit.invalid_reason {
        Some(Reason::InvalidAtSource(reason.clone()))
    } else if !window.contains(credit.date) {
        Some(Reason::OutsideWindow)
    } else {
        None
    }
}

fn not_counted(credit: &Credit, reason: Reason) -> Outcome {
    Outcome {
        credit_id: credit.id,
        points: credit.points,
        counted: Points::ZERO,
        not_counted: vec![(credit.points, reason)],
    }
}

/// Counts one correction inside the window: what is left of its credit's counted points
/// (`taken_back` holds what earlier corrections of each credit took), no more.
fn correct(
    rules: &RuleSet,
    credit: &Credit,
    slots: &mut Vec<CapSlot>,
    evaluation: &mut Evaluation,
    taken_back: &mut HashMap<i64, Points>,
) -> Outcome {
    let corrected = credit.corrects.and_then(|id| evaluation.outcomes.iter().find(|o| o.credit_id == id));
    let Some(corrected) = corrected else {
        return not_counted(credit, Reason::CorrectsNoCredit);
    };
    if corrected.not_counted.iter().any(|(_, reason)| matches!(reason, Reason::InvalidAtSource(_))) {
        return not_counted(credit, Reason::CorrectsInvalidCredit);
    }
    let (id, counted) = (corrected.credit_id, corrected.counted);
    let already = taken_back.entry(id).or_default();
    let asked = Points::ZERO - credit.points;
    let take = asked.min(counted.saturating_sub(*already));
    *already += take;

    let clamped = Credit { points: Points::ZERO - take, ..credit.clone() };
    let mut outcome = count(rules, &clamped, slots, evaluation);
    outcome.points = credit.points;
    if take < asked {
        outcome.not_counted.push((credit.points + take, Reason::OverCorrectedCredit));
    }
    outcome
}

/// Counts one valid record inside the window: activity cap, then the cap of categories 2–4.
fn count(rules: &RuleSet, credit: &Credit, slots: &mut Vec<CapSlot>, evaluation: &mut Evaluation) -> Outcome {
    let mut outcome = Outcome {
        credit_id: credit.id,
        points: credit.points,
        counted: Points::ZERO,
        not_counted: Vec::new(),
    };
    let mut counted = apply_activity_cap(rules, credit, slots, &mut outcome);

    if credit.category.is_other() {
        if counted > Points::ZERO {
            evaluation.has_infection_control |= credit.infection_control;
            evaluation.has_gender |= credit.gender;
        }
        evaluation.other_before_cap += counted;
        counted = apply_other_cap(rules, evaluation.other_counted, counted, &mut outcome);
        evaluation.other_counted += counted;
    } else {
        evaluation.professional += counted;
    }

    evaluation.per_category[credit.category.position()] += counted;
    evaluation.total += counted;
    outcome.counted = counted;
    outcome
}

/// The record's points that its activity's cap lets through; the rest is noted in `outcome`.
fn apply_activity_cap(
    rules: &RuleSet,
    credit: &Credit,
    slots: &mut Vec<CapSlot>,
    outcome: &mut Outcome,
) -> Points {
    let Some(cap) = rules.activity_caps.iter().find(|c| c.activity == credit.activity) else {
        return credit.points;
    };
    let semester = (cap.period == CapPeriod::Semester).then(|| semester_of(credit.date));
    let slot = slot_for(slots, *cap, semester);

    let allowed = credit.points.min(cap.cap.saturating_sub(slot.allowed));
    slot.offered += credit.points;
    slot.allowed += allowed;
    if allowed < credit.points {
        outcome.not_counted.push((credit.points - allowed, Reason::OverActivityCap(*cap)));
    }
    allowed
}

fn slot_for(slots: &mut Vec<CapSlot>, cap: ActivityCap, semester: Option<i32>) -> &mut CapSlot {
    let index = match slots.iter().position(|s| s.cap == cap && s.semester == semester) {
        Some(index) => index,
        None => {
            slots.push(CapSlot { cap, semester, offered: Points::ZERO, allowed: Points::ZERO });
            slots.len() - 1
        }
    };
    &mut slots[index]
}

/// The part of `points` (of categories 2–4) that still fits under their cap after
/// `already_counted`; the rest is noted in `outcome`.
fn apply_other_cap(
    rules: &RuleSet,
    already_counted: Points,
    points: Points,
    outcome: &mut Outcome,
) -> Points {
    let allowed = points.min(rules.other_cap.saturating_sub(already_counted));
    if allowed < points {
        outcome.not_counted.push((points - allowed, Reason::OverOtherCap));
    }
    allowed
}

/// Folds the per-semester slots into one usage line per cap, in the rule set's order.
fn summarise_caps(rules: &RuleSet, slots: &[CapSlot]) -> Vec<CapUsage> {
    rules
        .activity_caps
        .iter()
        .map(|cap| {
            let mine = slots.iter().filter(|s| s.cap == *cap);
            CapUsage {
                cap: *cap,
                offered: mine.clone().map(|s| s.offered).sum(),
                allowed: mine.map(|s| s.allowed).sum(),
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

impl Evaluation {
    /// What the rule made of `credit`, whether or not it was among the records evaluated: a
    /// record the caller did not pass (because it lies outside the window) is judged by the
    /// same exclusions [`evaluate`] applies, so every list of records can show a reason.
    pub fn outcome_for(&self, credit: &Credit) -> Outcome {
        match self.outcomes.iter().find(|o| o.credit_id == credit.id) {
            Some(found) => found.clone(),
            None => self.unevaluated_outcome(credit),
        }
    }

    /// The outcome of a record that was not among those evaluated: excluded as invalid at the
    /// source or, failing that, as outside the window. Callers that look outcomes up by id
    /// themselves (a long list) use this for the records they do not find.
    pub fn unevaluated_outcome(&self, credit: &Credit) -> Outcome {
        let reason = exclusion(credit, self.window).unwrap_or(Reason::OutsideWindow);
        Outcome {
            credit_id: credit.id,
            points: credit.points,
            counted: Points::ZERO,
            not_counted: vec![(credit.points, reason)],
        }
    }
}

/// A rule set and the day it came into force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedRuleSet {
    pub effective_from: NaiveDate,
    /// Where the numbers come from, for people reading the data.
    pub source: String,
    pub rules: RuleSet,
}

/// Every rule set that has applied to nurses and midwives, oldest first. A change of the
/// regulation is a new entry here, not new code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleBook {
    pub sets: Vec<DatedRuleSet>,
}

impl RuleBook {
    /// The rule sets of REG art. 13 and the annex of art. 14 since the 120-point scheme.
    ///
    /// - From 2015-12-30 (the amendment that brought 120 points, DOMAIN §1.1): the numbers of
    ///   art. 13 and, for online and correspondence courses, the 60-point caps a 2020
    ///   association FAQ gives (DOMAIN §1.4, [C-2nd]).
    /// - From 2022-08-26 (the annex amended): the same article 13 numbers with the online and
    ///   correspondence caps of the settings, 80 by default as in the association's
    ///   reproduction of the current annex.
    ///
    /// The 2013 text (150 points) is left out: its category rules are not known from any source
    /// at hand, and no licence window still open began under it.
    pub fn nurses_and_midwives(online_cap: Points, correspondence_cap: Points) -> RuleBook {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
        RuleBook {
            sets: vec![
                DatedRuleSet {
                    effective_from: day(2015, 12, 30),
                    source: "醫事人員執業登記及繼續教育辦法 104-12-30 修正; 網路、通訊上限 60 (2020 FAQ)"
                        .to_owned(),
                    rules: RuleSet::nurses_and_midwives(Points::whole(60), Points::whole(60)),
                },
                DatedRuleSet {
                    effective_from: day(2022, 8, 26),
                    source: "醫事人員執業登記及繼續教育辦法 111-08-26 修正附表; 網路、通訊上限依設定"
                        .to_owned(),
                    rules: RuleSet::nurses_and_midwives(online_cap, correspondence_cap),
                },
            ],
        }
    }

    /// The rule set a window is judged by: the one in force on the window's last day, since a
    /// renewal is examined under the regulation of its day. A window that ended before the
    /// first set takes the first set.
    pub fn for_window(&self, window: Window) -> &RuleSet {
        self.in_force_on(window.last_day)
    }

    /// The rule set in force on `day`.
    pub fn in_force_on(&self, day: NaiveDate) -> &RuleSet {
        let mut chosen = self.sets.first().map(|s| &s.rules);
        for set in &self.sets {
            if set.effective_from <= day {
                chosen = Some(&set.rules);
            }
        }
        chosen.unwrap_or(&FALLBACK)
    }
}

/// Used only by an empty [`RuleBook`]: the article 13 numbers with the 2022 caps.
static FALLBACK: std::sync::LazyLock<RuleSet> =
    std::sync::LazyLock::new(|| RuleSet::nurses_and_midwives(Points::whole(80), Points::whole(80)));

impl RuleSet {
    /// The 1/6 route of REG art. 6 (DOMAIN §1.6): a sixth of the total, of any category and
    /// without the mandatory topics ("不限課程屬性", HCNA), with the activity caps unchanged.
    pub fn one_sixth(&self) -> RuleSet {
        RuleSet {
            total_required: Points::from_hundredths(self.total_required.hundredths() / 6),
            other_minimum: Points::ZERO,
            other_cap: Points::from_hundredths(i64::MAX / 4),
            require_infection_control: false,
            require_gender: false,
            activity_caps: self.activity_caps.clone(),
        }
    }
}
