//! Properties of the generated members.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use huzhu_core::id::IdKind;
use huzhu_core::profession::{PracticeStatus, Profession};
use huzhu_core::rules::{Activity, Category};
use huzhu_demo::{DemoConfig, EventKind, Person, Role, Sex, institutions, person, showcase};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 4).expect("date")
}

fn config() -> DemoConfig {
    DemoConfig { members: 50_000, seed: 20_260_101, today: today() }
}

#[test]
fn the_same_seed_and_index_give_the_same_person() {
    let config = config();
    for index in [0, 1, 17, 4_999, 123_456] {
        assert_eq!(person(&config, index), person(&config, index));
    }
    // Order does not matter: generating others in between changes nothing.
    let first = person(&config, 42);
    let _ = person(&config, 43);
    assert_eq!(person(&config, 42), first);
}

#[test]
fn another_seed_gives_other_people() {
    let a = person(&config(), 7);
    let b = person(&DemoConfig { seed: 99, ..config() }, 7);
    assert_ne!(a.id_number, b.id_number);
}

/// One pass over the first 50,000 members: unique valid IDs, and every record consistent.
#[test]
fn the_first_fifty_thousand_are_consistent_and_unique() {
    let config = config();
    let codes: HashSet<String> = institutions().into_iter().map(|i| i.nhi_code).collect();
    let showcase = showcase(today());
    let showcase_ids: HashSet<String> = showcase.iter().map(|p| p.id_number.as_str().to_string()).collect();
    let mut ids = HashSet::new();
    // Seeded with the showcase's numbers, so a generated one equal to any of them fails too.
    let mut certificate_numbers: HashSet<String> =
        showcase.iter().flat_map(|p| &p.certificates).map(|c| c.number.clone()).collect();
    let mut licence_numbers: HashSet<String> =
        showcase.iter().flat_map(|p| &p.licences).map(|l| l.number.clone()).collect();
    for index in 0..config.members {
        let p = person(&config, index);
        let id = p.id_number.as_str().to_string();
        // IdNumber::parse validates the pattern and the check digit.
        assert_eq!(huzhu_core::id::IdNumber::parse(&id).as_ref(), Ok(&p.id_number));
        assert!(!showcase_ids.contains(&id), "person {index} has a showcase ID");
        assert!(ids.insert(id), "person {index} repeats an ID");
        for c in &p.certificates {
            assert!(
                certificate_numbers.insert(c.number.clone()),
                "person {index} repeats a certificate number"
            );
        }
        for l in &p.licences {
            assert!(licence_numbers.insert(l.number.clone()), "person {index} repeats a licence number");
        }
        check(&p, &codes, index);
    }
}

fn check(p: &Person, codes: &HashSet<String>, index: usize) {
    let today = today();
    assert!(p.email.ends_with("@example.com"));
    let chars = p.name.chars().count();
    assert!((2..=4).contains(&chars), "person {index}: name {}", p.name);
    check_certificates(p, index);
    check_licences(p, codes, index);
    let first_certificate = p.certificates.iter().map(|c| c.issued_on).min().expect("a certificate");
    for c in &p.credits {
        assert!(c.date <= today && c.date >= first_certificate, "person {index}: credit on {}", c.date);
        assert!(c.points.hundredths() > 0);
        assert!(plausible_points(c.activity, c.role, c.points.hundredths()), "person {index}: {c:?}");
        assert!(!(c.gender && c.category == Category::Professional), "person {index}: {c:?}");
        assert!(!c.course_code.is_empty() && !c.title.is_empty() && !c.organiser.is_empty());
    }
    assert!(p.credits.windows(2).all(|w| w[0].date <= w[1].date));
    assert!(p.learning.len() <= 10);
    for l in &p.learning {
        assert!((30..=240).contains(&l.minutes) && l.completed_on <= today);
    }
}

fn check_certificates(p: &Person, index: usize) {
    assert!(!p.certificates.is_empty());
    for c in &p.certificates {
        let age = c.issued_on.years_since(p.birth_date).expect("issued after birth");
        assert!((20..=29).contains(&age), "person {index}: certificate at {age}");
        assert!(c.issued_on <= today());
    }
    assert!(p.certificates.windows(2).all(|w| w[0].issued_on <= w[1].issued_on));
}

fn check_licences(p: &Person, codes: &HashSet<String>, index: usize) {
    let today = today();
    assert!(!p.licences.is_empty(), "person {index} has no licence");
    let mut previous_end: Option<NaiveDate> = None;
    for (n, l) in p.licences.iter().enumerate() {
        assert!(codes.contains(&l.institution_code), "person {index}: unknown institution");
        assert!(
            p.certificates.iter().any(|c| c.number == l.certificate_number && c.profession == l.profession)
        );
        assert!(l.renewal_due > l.registered_on, "person {index}: due before registration");
        assert_eq!(l.events[0].kind, EventKind::Registered);
        assert_eq!(l.events[0].date, l.registered_on);
        assert!(l.events.windows(2).all(|w| w[0].date <= w[1].date), "person {index}: events out of order");
        assert!(l.events.iter().all(|e| e.date <= today));
        if let Some(end) = previous_end {
            assert!(l.registered_on >= end, "person {index}: licences overlap");
        }
        previous_end = l.events.last().map(|e| e.date);
        let last = l.events.last().map(|e| e.kind);
        let current = n + 1 == p.licences.len();
        if !current {
            assert_eq!(l.status, PracticeStatus::Closed);
            assert!(matches!(last, Some(EventKind::Closed | EventKind::MovedWorkplace)));
            continue;
        }
        match l.status {
            PracticeStatus::Practising => {
                assert!(matches!(
                    last,
                    Some(EventKind::Registered | EventKind::Renewed | EventKind::Resumed)
                ));
                assert!(l.renewal_due > today, "person {index}: practising on an expired licence");
            }
            PracticeStatus::Suspended => {
                assert_eq!(last, Some(EventKind::Suspended));
                assert!((today - l.events[l.events.len() - 1].date).num_days() <= 365);
            }
            PracticeStatus::Closed => assert_eq!(last, Some(EventKind::Closed)),
            PracticeStatus::Cancelled => assert_eq!(last, Some(EventKind::Cancelled)),
            PracticeStatus::Annulled => assert_eq!(last, Some(EventKind::Annulled)),
        }
    }
}

/// The annex's point patterns (DOMAIN §1.4).
fn plausible_points(activity: Activity, role: Role, hundredths: i64) -> bool {
    match (activity.0, role) {
        (1, Role::Attendee) => hundredths <= 800,
        (1, Role::Lecturer) => hundredths % 250 == 0 && hundredths <= 1500,
        (2, Role::Attendee) => hundredths % 100 == 0 && hundredths >= 200,
        (2, Role::Author) => hundredths == 300 || hundredths == 100,
        (2, Role::SpecialLecture) => hundredths == 1000,
        (3, Role::Attendee) => (100..=800).contains(&hundredths),
        (3, Role::Author) => hundredths == 200 || hundredths == 100,
        (3, Role::SpecialLecture) => hundredths == 300,
        (4, Role::Attendee) => hundredths <= 200,
        (4, Role::Lecturer) => hundredths == 300,
        (5, Role::Attendee) => hundredths == 100,
        (6, Role::Attendee) => hundredths == 200,
        (7, Role::Author) => [1600, 600, 200, 800, 300, 100].contains(&hundredths),
        (8, Role::Attendee) => hundredths % 500 == 0,
        _ => false,
    }
}

/// The shares the data set is meant to have, measured on 20,000 members.
#[test]
fn the_set_has_realistic_proportions() {
    let config = config();
    let n = 20_000;
    let mut statuses: HashMap<PracticeStatus, usize> = HashMap::new();
    let mut professions: HashMap<Profession, usize> = HashMap::new();
    let (mut women, mut residents, mut old_residents, mut dual, mut extension_b) = (0, 0, 0, 0, 0);
    let (mut records, mut most, mut invalid, mut split, mut activities) = (0, 0, 0, 0, HashSet::new());
    for index in 0..n {
        let p = person(&config, index);
        let current = p.licences.last().expect("a licence");
        *statuses.entry(current.status).or_default() += 1;
        *professions.entry(p.certificates[0].profession).or_default() += 1;
        women += usize::from(p.sex == Sex::Female);
        residents += usize::from(p.id_number.kind() != IdKind::NationalId);
        old_residents += usize::from(p.id_number.kind() == IdKind::ResidentOld);
        dual += usize::from(p.certificates.len() > 1);
        extension_b += usize::from(p.name.chars().any(|c| u32::from(c) > 0xFFFF));
        records += p.credits.len();
        most = most.max(p.credits.len());
        invalid += p.credits.iter().filter(|c| c.invalid_reason.is_some()).count();
        split += p.credits.windows(2).filter(|w| w[0].course_code == w[1].course_code).count();
        activities.extend(p.credits.iter().map(|c| c.activity.0));
    }
    let share = |count: usize| count as f64 / n as f64;
    let status = |s| share(statuses.get(&s).copied().unwrap_or(0));
    let profession = |p| share(professions.get(&p).copied().unwrap_or(0));
    assert!((0.80..0.90).contains(&status(PracticeStatus::Practising)), "{statuses:?}");
    assert!((0.07..0.14).contains(&status(PracticeStatus::Closed)), "{statuses:?}");
    assert!((0.015..0.045).contains(&status(PracticeStatus::Suspended)), "{statuses:?}");
    assert!(status(PracticeStatus::Cancelled) > 0.0 && status(PracticeStatus::Cancelled) < 0.03);
    assert!((0.78..0.88).contains(&profession(Profession::RegisteredNurse)), "{professions:?}");
    assert!((0.11..0.19).contains(&profession(Profession::Nurse)), "{professions:?}");
    assert!(dual > 0 && extension_b > 0);
    assert!((0.93..0.97).contains(&share(women)));
    assert!((0.002..0.009).contains(&share(residents)) && old_residents > 0);
    let average = records as f64 / n as f64;
    assert!((25.0..40.0).contains(&average), "average {average} records");
    assert!(most >= 500, "the longest ledger has {most} records");
    assert!(invalid > 0 && split > 0);
    assert_eq!(activities, (1..=8).collect::<HashSet<u8>>());
}
