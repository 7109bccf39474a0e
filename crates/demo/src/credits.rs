//! The CE ledger of a generated person, following the points table of the annex of REG art. 14
//! (DOMAIN §1.4).

use chrono::{Datelike, NaiveDate};
use huzhu_core::points::Points;
use huzhu_core::rules::{Activity, Category};
use rand::Rng;

use crate::catalogue::*;
use crate::institutions::{Site, random_site};
use crate::model::{Credit, Role};
use crate::random::{DemoRng, add_days, date_between, one_of, weighted, ymd};

/// The earliest records of the national CE ledger in this data set.
const LEDGER_START: (i32, u32, u32) = (2006, 1, 1);

/// What the ledger depends on.
pub(crate) struct Profile<'a> {
    pub certified_on: NaiveDate,
    /// The first day of the current licence's window: members keep up with the cycle that is
    /// running (or was, when they stopped), so most of their records fall inside it.
    pub cycle_start: Option<NaiveDate>,
    /// When practice ended for good; people still earn some points afterwards.
    pub ended_on: Option<NaiveDate>,
    pub sites: &'a [&'static Site],
    pub midwife: bool,
    pub today: NaiveDate,
}

/// Records a year within the current cycle while practising; earlier years hold [`EARLIER`]
/// as many, as the ledger filled up over time, and years after practice ended a handful.
struct Pace {
    running: f64,
    heavy: bool,
}

const EARLIER: f64 = 0.18;
/// Members who no longer practise still take a course now and then.
const AFTER_PRACTICE: f64 = 0.4;

pub(crate) fn credits(rng: &mut DemoRng, profile: &Profile) -> Vec<Credit> {
    let (y, m, d) = LEDGER_START;
    let start = profile.certified_on.max(ymd(y, m, d));
    let today = profile.today;
    if start >= today {
        return Vec::new();
    }
    let pace = pace(rng);
    let earlier = pace.running * if pace.heavy { 0.6 } else { EARLIER };
    let practised_until = profile.ended_on.unwrap_or(today).clamp(start, today);
    let cycle = profile.cycle_start.unwrap_or(start).clamp(start, practised_until);
    let mut out = Vec::new();
    span(rng, profile, &pace, (start, cycle), earlier, &mut out);
    span(rng, profile, &pace, (cycle, practised_until), pace.running, &mut out);
    if pace.running >= 1.0 {
        in_service(rng, profile, (cycle, practised_until), &mut out);
    }
    if profile.ended_on.is_some() {
        span(rng, profile, &pace, (practised_until, today), AFTER_PRACTICE, &mut out);
    }
    out.sort_by_key(|c| c.date);
    out
}

/// A few members have no records to speak of, most take a course every couple of months,
/// and a few in a thousand (clinical teachers, lecturers) several a month.
fn pace(rng: &mut DemoRng) -> Pace {
    match rng.random_range(0..1000) {
        0..=29 => Pace { running: rng.random_range(0.0..0.4), heavy: false },
        30..=33 => Pace { running: rng.random_range(38.0..60.0), heavy: true },
        _ => Pace { running: rng.random_range(3.2..9.2), heavy: false },
    }
}

/// Records at `per_year` between the two days of `span`.
fn span(
    rng: &mut DemoRng,
    profile: &Profile,
    pace: &Pace,
    (first, last): (NaiveDate, NaiveDate),
    per_year: f64,
    out: &mut Vec<Credit>,
) {
    let years = (last - first).num_days() as f64 / 365.25;
    if years <= 0.0 {
        return;
    }
    let target = out.len() + (per_year * years).round() as usize;
    out.reserve(target - out.len());
    while out.len() < target {
        let date = date_between(rng, first, last);
        course(rng, profile, pace.heavy, date, out);
    }
}

/// Hospitals hold yearly in-service courses on infection control and, less regularly, on
/// gender issues (accreditation asks for both), so most practising members have them.
fn in_service(
    rng: &mut DemoRng,
    profile: &Profile,
    (first, last): (NaiveDate, NaiveDate),
    out: &mut Vec<Credit>,
) {
    let mut year_start = first;
    while year_start < last {
        let year_end = add_days(year_start, 364).min(last);
        if rng.random_range(0..100) < 75 {
            let topic = Topic { category: Category::Quality, infection_control: true, gender: false };
            let title = one_of(rng, &QUALITY_INFECTION);
            mandatory(rng, profile, (year_start, year_end), topic, title, out);
        }
        if rng.random_range(0..100) < 45 {
            let topic = Topic { category: Category::Law, infection_control: false, gender: true };
            let title = one_of(rng, &LAW_GENDER);
            mandatory(rng, profile, (year_start, year_end), topic, title, out);
        }
        year_start = add_days(year_end, 1);
    }
}

fn mandatory(
    rng: &mut DemoRng,
    profile: &Profile,
    (first, last): (NaiveDate, NaiveDate),
    topic: Topic,
    title: &'static str,
    out: &mut Vec<Credit>,
) {
    let date = date_between(rng, first, last);
    let reviewer = reviewer(rng, profile.midwife);
    let course = Course {
        code: course_code(rng, reviewer, Activity::COURSE, date),
        title,
        organiser: hospital(rng, profile).nursing_department.clone(),
        reviewer,
        activity: Activity::COURSE,
        role: Role::Attendee,
        date,
        invalid: None,
    };
    out.push(course.row(topic, one_of(rng, &[100, 150, 200, 200, 300])));
}

/// What the rows of one course have in common.
struct Course {
    code: String,
    title: &'static str,
    organiser: String,
    reviewer: &'static str,
    activity: Activity,
    role: Role,
    date: NaiveDate,
    invalid: Option<&'static str>,
}

/// One category with its topic flags.
#[derive(Clone, Copy)]
struct Topic {
    category: Category,
    infection_control: bool,
    gender: bool,
}

impl Course {
    fn row(&self, topic: Topic, hundredths: i64) -> Credit {
        Credit {
            course_code: self.code.clone(),
            title: self.title.to_string(),
            organiser: self.organiser.clone(),
            reviewer: self.reviewer.to_string(),
            activity: self.activity,
            role: self.role,
            category: topic.category,
            infection_control: topic.infection_control,
            gender: topic.gender,
            date: self.date,
            points: Points::from_hundredths(hundredths),
            invalid_reason: self.invalid.map(str::to_string),
        }
    }
}

const ACTIVITIES: [(u8, u32); 8] = [(1, 500), (2, 65), (3, 50), (4, 90), (5, 210), (6, 60), (7, 5), (8, 20)];
/// Clinical teachers and lecturers: more teaching, conferences and papers.
const HEAVY_ACTIVITIES: [(u8, u32); 8] =
    [(1, 500), (2, 90), (3, 70), (4, 120), (5, 130), (6, 30), (7, 40), (8, 20)];

fn course(rng: &mut DemoRng, profile: &Profile, heavy: bool, date: NaiveDate, out: &mut Vec<Credit>) {
    let activity = Activity(weighted(rng, if heavy { &HEAVY_ACTIVITIES } else { &ACTIVITIES }));
    let reviewer = reviewer(rng, profile.midwife);
    let invalid = (rng.random_range(0..1000) < 15).then(|| one_of(rng, &INVALID_REASONS));
    let mut course = Course {
        code: course_code(rng, reviewer, activity, date),
        title: "",
        organiser: String::new(),
        reviewer,
        activity,
        role: Role::Attendee,
        date,
        invalid,
    };
    match activity.0 {
        1 => lecture_course(rng, profile, heavy, &mut course, out),
        2 => conference(rng, profile, &mut course, out),
        3 => related_conference(rng, &mut course, out),
        4 => team_discussion(rng, profile, &mut course, out),
        5 => online(rng, profile, &mut course, out),
        6 => correspondence(rng, profile, &mut course, out),
        7 => paper(rng, &mut course, out),
        _ => university(rng, &mut course, out),
    }
}

/// Attendance hours of a course, in hundredths: mostly half days and full days, with the
/// odd 1 h 15 min (1.25) or 7 h 12 min (7.2) session.
const HOURS: [(i64, u32); 17] = [
    (50, 2),
    (100, 8),
    (125, 1),
    (150, 5),
    (175, 2),
    (200, 12),
    (225, 2),
    (250, 4),
    (300, 16),
    (350, 7),
    (400, 11),
    (450, 3),
    (600, 10),
    (650, 4),
    (700, 11),
    (720, 3),
    (800, 6),
];

/// Row 1: attendees 1 point an hour, lecturers 5.
fn lecture_course(
    rng: &mut DemoRng,
    profile: &Profile,
    heavy: bool,
    course: &mut Course,
    out: &mut Vec<Credit>,
) {
    let lecturing = rng.random_range(0..100) < if heavy { 25 } else { 2 };
    if lecturing {
        let hours = one_of(rng, &[100, 150, 200, 300]);
        let (topic, title) = topic(rng, profile.midwife, 84);
        course.role = Role::Lecturer;
        course.title = title;
        course.organiser = course_organiser(rng, profile, topic);
        out.push(course.row(topic, hours * 5));
        return;
    }
    let hours = weighted(rng, &HOURS);
    if hours >= 200 && rng.random_range(0..100) < 12 {
        split_course(rng, profile, hours, course, out);
        return;
    }
    let (topic, title) = topic(rng, profile.midwife, 84);
    course.title = title;
    course.organiser = course_organiser(rng, profile, topic);
    out.push(course.row(topic, hours));
}

/// A course approved across categories: one row per part, the parts adding up exactly.
fn split_course(
    rng: &mut DemoRng,
    profile: &Profile,
    hours: i64,
    course: &mut Course,
    out: &mut Vec<Credit>,
) {
    let split = one_of_split(rng);
    course.title = split.title;
    course.organiser = course_organiser(
        rng,
        profile,
        Topic { category: Category::Professional, infection_control: false, gender: false },
    );
    let mut left = hours;
    for (i, part) in split.parts.iter().enumerate() {
        let share = if i + 1 == split.parts.len() { left } else { hours * part.quarters / 4 };
        left -= share;
        let topic =
            Topic { category: part.category, infection_control: part.infection_control, gender: part.gender };
        out.push(course.row(topic, share));
    }
}

fn one_of_split(rng: &mut DemoRng) -> &'static Split {
    &SPLITS[rng.random_range(0..SPLITS.len())]
}

/// Row 2: attendees 2 points an hour; papers 3 (first author) or 1; a special lecture 10.
fn conference(rng: &mut DemoRng, profile: &Profile, course: &mut Course, out: &mut Vec<Credit>) {
    let pool: &[(&str, &str)] =
        if profile.midwife && rng.random_bool(0.6) { &MIDWIFERY_CONFERENCES } else { &CONFERENCES };
    let (title, organiser) = one_of(rng, pool);
    course.title = title;
    course.organiser = organiser.to_string();
    let (role, hundredths) = match rng.random_range(0..100) {
        0..=84 => (Role::Attendee, 2 * one_of(rng, &[200, 300, 350, 400, 600, 700])),
        85..=96 => (Role::Author, if rng.random_bool(0.4) { 300 } else { 100 }),
        _ => (Role::SpecialLecture, 1000),
    };
    course.role = role;
    out.push(course.row(professional(), hundredths));
}

/// Row 3: attendees 1 point an hour; papers 2 (first author) or 1; a special lecture 3.
fn related_conference(rng: &mut DemoRng, course: &mut Course, out: &mut Vec<Credit>) {
    let (title, organiser, category, infection_control) = one_of(rng, &RELATED_CONFERENCES);
    course.title = title;
    course.organiser = organiser.to_string();
    let (role, hundredths) = match rng.random_range(0..100) {
        0..=84 => (Role::Attendee, one_of(rng, &[200, 300, 350, 400, 600, 700])),
        85..=96 => (Role::Author, if rng.random_bool(0.4) { 200 } else { 100 }),
        _ => (Role::SpecialLecture, 300),
    };
    course.role = role;
    out.push(course.row(Topic { category, infection_control, gender: false }, hundredths));
}

/// Row 4: attendees 1 point an hour, the main presenter 3 a time; held at the member's hospital.
fn team_discussion(rng: &mut DemoRng, profile: &Profile, course: &mut Course, out: &mut Vec<Credit>) {
    let (title, category) = one_of(rng, &TEAM_DISCUSSIONS);
    course.title = title;
    course.organiser = hospital(rng, profile).name.to_string();
    let (role, hundredths) = if rng.random_range(0..100) < 12 {
        (Role::Lecturer, 300)
    } else {
        (Role::Attendee, one_of(rng, &[100, 100, 150, 200]))
    };
    course.role = role;
    out.push(course.row(Topic { category, infection_control: false, gender: false }, hundredths));
}

/// Row 5: one point a session.
fn online(rng: &mut DemoRng, profile: &Profile, course: &mut Course, out: &mut Vec<Credit>) {
    let (topic, title) = topic(rng, profile.midwife, 70);
    course.title = title;
    course.organiser = match rng.random_range(0..100) {
        0..=34 => NURSING_UNION.to_string(),
        35..=59 => NURSING_SOCIETY.to_string(),
        60..=84 => hospital(rng, profile).nursing_department.clone(),
        85..=94 => "台灣長期照護專業協會".to_string(),
        _ => CDC.to_string(),
    };
    out.push(course.row(topic, 100));
}

/// Row 6: two points a time.
fn correspondence(rng: &mut DemoRng, profile: &Profile, course: &mut Course, out: &mut Vec<Credit>) {
    let (title, organiser) = if profile.midwife && rng.random_bool(0.5) {
        CORRESPONDENCE[3]
    } else {
        one_of(rng, &CORRESPONDENCE[..3])
    };
    course.title = title;
    course.organiser = organiser.to_string();
    out.push(course.row(professional(), 200));
}

/// Row 7: original papers 16 (first or corresponding author), 6 (second), 2 (others); other
/// paper types half of that.
fn paper(rng: &mut DemoRng, course: &mut Course, out: &mut Vec<Credit>) {
    course.title = one_of(rng, &PAPERS);
    course.organiser = one_of(rng, &JOURNALS).to_string();
    course.role = Role::Author;
    let hundredths = weighted(rng, &[(1600, 30), (600, 30), (200, 25), (800, 7), (300, 5), (100, 3)]);
    out.push(course.row(professional(), hundredths));
}

/// Row 8: five points a credit hour of a university course.
fn university(rng: &mut DemoRng, course: &mut Course, out: &mut Vec<Credit>) {
    course.title = one_of(rng, &UNIVERSITY_COURSES);
    course.organiser = one_of(rng, &UNIVERSITIES).to_string();
    let credit_hours = weighted(rng, &[(2, 60), (3, 35), (1, 5)]);
    out.push(course.row(professional(), 500 * credit_hours));
}

fn professional() -> Topic {
    Topic { category: Category::Professional, infection_control: false, gender: false }
}

/// A category (professional with weight `pro`, against 22 for the other three together), its
/// flags, and a title that fits them.
fn topic(rng: &mut DemoRng, midwife: bool, pro: u32) -> (Topic, &'static str) {
    let category = weighted(
        rng,
        &[(Category::Professional, pro), (Category::Quality, 8), (Category::Ethics, 6), (Category::Law, 8)],
    );
    let roll = rng.random_range(0..100);
    let (infection_control, gender, pool): (bool, bool, &[&'static str]) = match category {
        Category::Professional if roll < 3 => (true, false, &PRO_INFECTION),
        Category::Professional if midwife && roll < 60 => (false, false, &PRO_MIDWIFERY),
        Category::Professional => (false, false, &PRO),
        Category::Quality if roll < 40 => (true, false, &QUALITY_INFECTION),
        Category::Quality => (false, false, &QUALITY),
        Category::Ethics if roll < 10 => (false, true, &ETHICS_GENDER),
        Category::Ethics => (false, false, &ETHICS),
        Category::Law if roll < 35 => (false, true, &LAW_GENDER),
        Category::Law if roll < 40 => (true, false, &LAW_INFECTION),
        Category::Law if midwife && roll < 60 => (false, false, &LAW_MIDWIFERY),
        Category::Law => (false, false, &LAW),
    };
    (Topic { category, infection_control, gender }, one_of(rng, pool))
}

/// Who runs a row-1 course: hospitals above all, often the member's own.
fn course_organiser(rng: &mut DemoRng, profile: &Profile, topic: Topic) -> String {
    if topic.infection_control && rng.random_range(0..100) < 20 {
        return CDC.to_string();
    }
    if topic.category == Category::Quality && rng.random_range(0..100) < 20 {
        return JCT.to_string();
    }
    match rng.random_range(0..100) {
        0..=49 => hospital(rng, profile).nursing_department.clone(),
        50..=64 => local_association(rng, profile),
        65..=72 => NURSING_SOCIETY.to_string(),
        73..=79 => NURSING_UNION.to_string(),
        80..=87 => one_of(rng, &UNIVERSITIES).to_string(),
        _ if profile.midwife => MIDWIFERY_SOCIETY.to_string(),
        _ => one_of(rng, &SOCIETIES).to_string(),
    }
}

/// One of the member's own hospitals most of the time, another one otherwise.
fn hospital(rng: &mut DemoRng, profile: &Profile) -> &'static Site {
    if !profile.sites.is_empty() && rng.random_range(0..100) < 70 {
        return one_of(rng, profile.sites);
    }
    random_site(rng)
}

/// The nurses' (or midwives') association of the county the member works in.
fn local_association(rng: &mut DemoRng, profile: &Profile) -> String {
    let site = hospital(rng, profile);
    let county = site.area.county_on(profile.today);
    let members = if profile.midwife { "助產師助產士公會" } else { "護理師護士公會" };
    format!("{county}{members}")
}

/// The bodies accredited to review nursing and midwifery CE (REG art. 15).
fn reviewer(rng: &mut DemoRng, midwife: bool) -> &'static str {
    match (midwife, rng.random_range(0..100)) {
        (true, 0..=39) => MIDWIFERY_SOCIETY,
        (true, 40..=69) => MIDWIFERY_UNION,
        (_, roll) if roll % 2 == 0 => NURSING_SOCIETY,
        _ => NURSING_UNION,
    }
}

/// An opaque approval code: ROC year, a letter for the reviewing body and a running number.
fn course_code(rng: &mut DemoRng, reviewer: &str, activity: Activity, date: NaiveDate) -> String {
    let roc_year = date.year() - huzhu_core::roc::ROC_OFFSET;
    format!("{roc_year}{}{:05}", code_letter(reviewer, activity), rng.random_range(0..100_000))
}

/// P for activities the member applied for personally (rows 7 and 8), otherwise the reviewer.
pub(crate) fn code_letter(reviewer: &str, activity: Activity) -> char {
    if activity.0 >= 7 {
        return 'P';
    }
    match reviewer {
        NURSING_SOCIETY => 'A',
        NURSING_UNION => 'B',
        MIDWIFERY_SOCIETY => 'C',
        _ => 'D',
    }
}
