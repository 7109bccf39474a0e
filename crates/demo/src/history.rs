//! Certificates and practice histories: who qualified when, and where they registered since.

use chrono::{Datelike, NaiveDate};
use huzhu_core::licence::{DueDateRule, Window, renewal_due};
use huzhu_core::profession::{PracticeStatus, Profession};
use rand::Rng;

use crate::ids::{Purpose, serial};
use crate::institutions::{Site, random_site};
use crate::model::{Certificate, EventKind, Licence, LicenceEvent, Sex};
use crate::random::{DemoRng, add_days, add_years, date_between, one_of, weighted, ymd};

/// A registration history longer than this is cut short: the last licence is then the current one.
const MAX_LICENCES: usize = 8;

/// What the rest of the generator needs to know about a person's career.
pub(crate) struct History {
    pub certificates: Vec<Certificate>,
    pub licences: Vec<Licence>,
    /// The institutions worked at, oldest first (hospitals run many of their staff's courses).
    pub sites: Vec<&'static Site>,
    /// When practice ended for good (歇業, 註銷, 廢止 of the current licence).
    pub ended_on: Option<NaiveDate>,
    pub midwife: bool,
}

pub(crate) struct Subject {
    pub seed: u64,
    pub index: usize,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub today: NaiveDate,
}

pub(crate) fn history(rng: &mut DemoRng, subject: &Subject) -> History {
    let (certificates, licensed) = certificates(rng, subject);
    let status = final_status(rng, subject.today.year() - subject.birth_date.year());
    let certificate = &certificates[licensed];
    let mut plan = Plan::new(rng, subject, certificate);
    let (licences, sites, ended_on) = plan.licences(rng, status);
    let midwife = matches!(certificate.profession, Profession::Midwife | Profession::RegisteredMidwife);
    History { certificates, licences, sites, ended_on, midwife }
}

/// The certificates, oldest first, and which of them the person registers under.
fn certificates(rng: &mut DemoRng, subject: &Subject) -> (Vec<Certificate>, usize) {
    let latest = add_days(subject.today, -30);
    let age = rng.random_range(21..=24);
    let issued = add_days(add_years(subject.birth_date, age), rng.random_range(0..365)).min(latest);
    let profession = profession(rng, issued.year(), subject.sex);
    let first = certificate(subject, profession, issued);
    match profession {
        // A few nurses also qualify as midwives later, and keep practising as nurses.
        Profession::RegisteredNurse if subject.sex == Sex::Female && rng.random_range(0..1000) < 12 => {
            let later = add_days(issued, rng.random_range(365..=1460));
            if later <= latest {
                let second = certificate(subject, Profession::RegisteredMidwife, later);
                return (vec![first, second], 0);
            }
            (vec![first], 0)
        }
        // Half of the midwives trained as nurses first; they register as midwives.
        Profession::RegisteredMidwife if rng.random_bool(0.5) => {
            let earlier =
                add_days(issued, -rng.random_range(365..=730)).max(add_years(subject.birth_date, 21));
            let nurse = certificate(subject, Profession::RegisteredNurse, earlier);
            (vec![nurse, first], 1)
        }
        _ => (vec![first], 0),
    }
}

/// 護士 and 助產士 are the older, lower grades: almost nobody qualified as one after 2013.
/// Midwifery is practised by women only.
fn profession(rng: &mut DemoRng, year: i32, sex: Sex) -> Profession {
    let table: [(Profession, u32); 4] = if year <= 2013 {
        [
            (Profession::RegisteredNurse, 740),
            (Profession::Nurse, 235),
            (Profession::RegisteredMidwife, 10),
            (Profession::Midwife, 15),
        ]
    } else {
        [
            (Profession::RegisteredNurse, 975),
            (Profession::Nurse, 0),
            (Profession::RegisteredMidwife, 25),
            (Profession::Midwife, 0),
        ]
    };
    match weighted(rng, &table) {
        Profession::Midwife | Profession::RegisteredMidwife if sex == Sex::Male => {
            Profession::RegisteredNurse
        }
        profession => profession,
    }
}

fn certificate(subject: &Subject, profession: Profession, issued_on: NaiveDate) -> Certificate {
    // The ministry was the 衛生署 until 2013-07-23.
    let issuer = if issued_on < ymd(2013, 7, 23) { "衛署" } else { "衛部" };
    let serial = serial(subject.seed, Purpose::Certificate, subject.index);
    Certificate { profession, number: format!("{issuer}{}字第{serial:06}號", word(profession)), issued_on }
}

fn word(profession: Profession) -> &'static str {
    match profession {
        Profession::RegisteredNurse => "護",
        Profession::Nurse => "護士",
        Profession::RegisteredMidwife => "助產",
        Profession::Midwife => "助產士",
    }
}

/// The status of the current licence. Near retirement age many have closed their practice.
fn final_status(rng: &mut DemoRng, age: i32) -> PracticeStatus {
    let table = if age >= 60 {
        [(PracticeStatus::Practising, 550), (PracticeStatus::Closed, 400), (PracticeStatus::Suspended, 20)]
    } else {
        [(PracticeStatus::Practising, 870), (PracticeStatus::Closed, 80), (PracticeStatus::Suspended, 30)]
    };
    match rng.random_range(0..1000) {
        0..=14 => PracticeStatus::Cancelled,
        15..=19 => PracticeStatus::Annulled,
        _ => weighted(rng, &table),
    }
}

/// The next 應更新日期 after a normal renewal: the cycle continues from the previous one
/// (DOMAIN §1.7), whose last day is the day before the old due date.
pub(crate) fn next_due(due: NaiveDate) -> NaiveDate {
    renewal_due(Window::ending_before(due).last_day, DueDateRule::default())
}

/// The state carried from one licence to the next.
struct Plan<'a> {
    subject: &'a Subject,
    certificate: &'a Certificate,
    start: NaiveDate,
    due: NaiveDate,
    site: &'static Site,
    licences: Vec<Licence>,
    sites: Vec<&'static Site>,
}

impl<'a> Plan<'a> {
    /// First registration: most register within months of qualifying, which keeps the cycle
    /// tied to the certificate; those who wait more than five years start their own cycle on
    /// the registration date (the 1/6 route of REG art. 6 and 8).
    fn new(rng: &mut DemoRng, subject: &'a Subject, certificate: &'a Certificate) -> Plan<'a> {
        let issued = certificate.issued_on;
        let delay = if rng.random_range(0..100) < 92 {
            rng.random_range(10..=200)
        } else {
            rng.random_range(200..=3000)
        };
        let start = add_days(issued, delay).min(subject.today).max(issued);
        let due = if start <= add_years(issued, 5) {
            renewal_due(issued, DueDateRule::default())
        } else {
            renewal_due(start, DueDateRule::default())
        };
        let site = random_site(rng);
        Plan { subject, certificate, start, due, site, licences: Vec::new(), sites: Vec::new() }
    }

    fn licences(
        &mut self,
        rng: &mut DemoRng,
        status: PracticeStatus,
    ) -> (Vec<Licence>, Vec<&'static Site>, Option<NaiveDate>) {
        let today = self.subject.today;
        let mut ended_on = None;
        for k in 0..MAX_LICENCES {
            let planned_end = add_days(self.start, rng.random_range(365..=6500));
            if planned_end >= today || k + 1 == MAX_LICENCES {
                ended_on = self.last_licence(rng, k, status);
                break;
            }
            self.earlier_licence(rng, k, planned_end);
        }
        (std::mem::take(&mut self.licences), std::mem::take(&mut self.sites), ended_on)
    }

    /// A licence that ended before today, by a move or by 歇業 followed by a gap.
    fn earlier_licence(&mut self, rng: &mut DemoRng, k: usize, end: NaiveDate) {
        let mut events = vec![event(EventKind::Registered, self.start, None)];
        self.renew_until(rng, &mut events, end);
        suspension(rng, &mut events, self.start, end);
        let next_site = random_site(rng);
        let next_start = if rng.random_range(0..100) < 65 {
            let note = format!("轉至{}", next_site.name);
            events.push(event(EventKind::MovedWorkplace, end, Some(note)));
            end
        } else {
            events.push(event(EventKind::Closed, end, Some(closing_reason(rng, self.age_on(end)))));
            add_days(end, rng.random_range(60..=2200)).min(self.subject.today)
        };
        self.finish(k, PracticeStatus::Closed, events);
        // Re-registering before the old due date keeps it; after it, a new cycle starts on
        // the registration date (REG art. 8).
        if next_start >= self.due {
            self.due = renewal_due(next_start, DueDateRule::default());
        }
        self.start = next_start;
        self.site = next_site;
    }

    /// The current licence; returns the day practice ended if it did.
    fn last_licence(&mut self, rng: &mut DemoRng, k: usize, status: PracticeStatus) -> Option<NaiveDate> {
        let today = self.subject.today;
        let mut events = vec![event(EventKind::Registered, self.start, None)];
        let end = match status {
            PracticeStatus::Practising | PracticeStatus::Suspended => today,
            _ => date_between(rng, self.start, today),
        };
        self.renew_until(rng, &mut events, end);
        if status != PracticeStatus::Suspended {
            suspension(rng, &mut events, self.start, end);
        }
        let ended = self.closing_event(rng, status, end, &events);
        let ended_on = ended.as_ref().filter(|_| status != PracticeStatus::Suspended).map(|e| e.date);
        events.extend(ended);
        self.finish(k, status, events);
        ended_on
    }

    /// The event that gives the current licence its status, if any.
    fn closing_event(
        &self,
        rng: &mut DemoRng,
        status: PracticeStatus,
        end: NaiveDate,
        events: &[LicenceEvent],
    ) -> Option<LicenceEvent> {
        let today = self.subject.today;
        let last = events.iter().map(|e| e.date).max().unwrap_or(self.start);
        match status {
            PracticeStatus::Practising => None,
            // 停業 lasts at most a year, so a suspension still open began within the year.
            PracticeStatus::Suspended => {
                let date = date_between(rng, last.max(add_days(today, -330)), today);
                Some(event(EventKind::Suspended, date, Some(one_of(rng, &SUSPENSION_REASONS).to_string())))
            }
            PracticeStatus::Closed => {
                Some(event(EventKind::Closed, end, Some(closing_reason(rng, self.age_on(end)))))
            }
            PracticeStatus::Cancelled => {
                // The licence lapsed at its due date and the bureau cancelled it months later;
                // when that would be after today, the holder asked for the cancellation.
                let lapse = add_days(self.due, rng.random_range(30..=365));
                Some(if lapse <= today {
                    event(EventKind::Cancelled, lapse, Some("逾期未辦理執業執照更新".to_string()))
                } else {
                    event(EventKind::Cancelled, end, Some("依當事人申請註銷".to_string()))
                })
            }
            PracticeStatus::Annulled => {
                let law = if self.is_midwife() { "助產人員法" } else { "護理人員法" };
                Some(event(EventKind::Annulled, end, Some(format!("違反{law}，經處分廢止執業執照"))))
            }
        }
    }

    /// Renews every cycle that comes due by `end`, applying some weeks before the due date.
    fn renew_until(&mut self, rng: &mut DemoRng, events: &mut Vec<LicenceEvent>, end: NaiveDate) {
        while self.due <= end {
            let applied = add_days(self.due, -rng.random_range(7..=175)).max(self.start);
            events.push(event(EventKind::Renewed, applied, None));
            self.due = next_due(self.due);
        }
    }

    fn finish(&mut self, k: usize, status: PracticeStatus, mut events: Vec<LicenceEvent>) {
        events.sort_by_key(|e| e.date);
        // The licence as last issued: its bureau and number prefix are those of that day.
        let issued = events.iter().map(|e| e.date).max().unwrap_or(self.start).min(self.subject.today);
        let area = self.site.area;
        let serial = serial(self.subject.seed, Purpose::Licence, self.subject.index);
        let profession = self.certificate.profession;
        self.licences.push(Licence {
            profession,
            certificate_number: self.certificate.number.clone(),
            number: format!("{}{}執字第{serial:07}{k}號", area.abbr_on(issued), word(profession)),
            authority: area.bureau_on(issued).to_string(),
            institution_code: self.site.code.to_string(),
            registered_on: self.start,
            renewal_due: self.due,
            status,
            events,
        });
        self.sites.push(self.site);
    }

    fn age_on(&self, date: NaiveDate) -> i32 {
        date.year() - self.subject.birth_date.year()
    }

    fn is_midwife(&self) -> bool {
        matches!(self.certificate.profession, Profession::Midwife | Profession::RegisteredMidwife)
    }
}

fn event(kind: EventKind, date: NaiveDate, note: Option<String>) -> LicenceEvent {
    LicenceEvent { kind, date, note }
}

const SUSPENSION_REASONS: [&str; 5] = ["育嬰留職停薪", "出國進修", "健康因素", "照顧家人", "懷孕待產"];
const CLOSING_REASONS: [&str; 6] = ["離職", "轉換職涯", "出國進修", "家庭因素", "健康因素", "機構停業"];

fn closing_reason(rng: &mut DemoRng, age: i32) -> String {
    if age >= 55 && rng.random_bool(0.7) {
        return "退休".to_string();
    }
    one_of(rng, &CLOSING_REASONS).to_string()
}

/// Now and then a licence is suspended (停業) for under a year and resumed (復業), well inside
/// the licence's span.
fn suspension(rng: &mut DemoRng, events: &mut Vec<LicenceEvent>, start: NaiveDate, end: NaiveDate) {
    if (end - start).num_days() < 420 || rng.random_range(0..100) >= 5 {
        return;
    }
    let from = date_between(rng, add_days(start, 30), add_days(end, -380));
    let back = add_days(from, rng.random_range(30..=330));
    events.push(event(EventKind::Suspended, from, Some(one_of(rng, &SUSPENSION_REASONS).to_string())));
    events.push(event(EventKind::Resumed, back, None));
}
