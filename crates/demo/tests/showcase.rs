//! The showcase members' figures, worked out by hand (see the comments in src/showcase.rs)
//! and confirmed with the rule engine.

use std::collections::HashSet;

use chrono::NaiveDate;
use huzhu_core::id::{IdKind, IdNumber};
use huzhu_core::licence::Window;
use huzhu_core::points::Points;
use huzhu_core::profession::{PracticeStatus, Profession};
use huzhu_core::rules::{self, Category, RuleSet};
use huzhu_demo::{Person, Sex, institutions, showcase};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 4).expect("date")
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("date")
}

fn member(id: &str) -> Person {
    showcase(today()).into_iter().find(|p| p.id_number.as_str() == id).expect("a showcase member")
}

/// Valid rows inside the current licence's window, summed per category in hundredths:
/// [professional, quality, ethics, law].
fn by_category(person: &Person) -> [i64; 4] {
    let window = Window::ending_before(person.licences.last().expect("a licence").renewal_due);
    let mut sums = [0; 4];
    for c in person.credits.iter().filter(|c| c.invalid_reason.is_none() && window.contains(c.date)) {
        let slot = Category::ALL.iter().position(|k| *k == c.category).expect("a category");
        sums[slot] += c.points.hundredths();
    }
    sums
}

/// The rule engine's view, with the caps of the 2022 annex.
fn evaluation(person: &Person) -> rules::Evaluation {
    let rules = RuleSet::nurses_and_midwives(Points::whole(80), Points::whole(80));
    let window = Window::ending_before(person.licences.last().expect("a licence").renewal_due);
    let credits: Vec<rules::Credit> = person
        .credits
        .iter()
        .enumerate()
        .map(|(i, c)| rules::Credit {
            id: i as i64,
            date: c.date,
            activity: c.activity,
            category: c.category,
            infection_control: c.infection_control,
            gender: c.gender,
            points: c.points,
            invalid_reason: c.invalid_reason.clone(),
            corrects: None,
        })
        .collect();
    rules::evaluate(&rules, window, &credits)
}

fn minutes(person: &Person) -> u32 {
    person.learning.iter().map(|l| l.minutes).sum()
}

#[test]
fn ids_are_valid_and_members_distinct() {
    let people = showcase(today());
    assert_eq!(people.len(), 6);
    let ids = ["A200123458", "F200234568", "E100345670", "B200456784", "F900567897", "AB00678901"];
    for (person, id) in people.iter().zip(ids) {
        assert_eq!(IdNumber::parse(id).as_ref(), Ok(&person.id_number));
    }
    // Changing a check digit breaks each of them.
    assert!(IdNumber::parse("A200123457").is_err());
    let emails: HashSet<&str> = people.iter().map(|p| p.email.as_str()).collect();
    assert_eq!(emails.len(), people.len());
    let codes: HashSet<String> = institutions().into_iter().map(|i| i.nhi_code).collect();
    for person in &people {
        for licence in &person.licences {
            assert!(codes.contains(&licence.institution_code));
            assert!(licence.events.windows(2).all(|w| w[0].date <= w[1].date));
        }
        assert!(person.credits.windows(2).all(|w| w[0].date <= w[1].date));
    }
}

/// 專業 56.70; 品質 3 + 2 = 5, 倫理 2 + 2.40 = 4.40, 法規 3.60 + 1.80 = 5.40 (14.80, no cap);
/// 56.70 + 14.80 = 71.50. 3 courses of 120 + 150 + 210 = 480 minutes.
#[test]
fn the_manual_nurse_shows_71_50_and_eight_hours() {
    let p = member("A200123458");
    assert_eq!(p.name, "林怡君");
    let current = p.licences.last().expect("a licence");
    assert_eq!(current.status, PracticeStatus::Closed);
    assert_eq!(current.renewal_due, date("2027-05-31"));
    assert_eq!(by_category(&p), [5670, 500, 440, 540]);
    assert_eq!(5670 + 500 + 440 + 540, 7150);
    let e = evaluation(&p);
    assert_eq!(e.total.to_string(), "71.50");
    assert_eq!(e.other_before_cap, Points::from_hundredths(1480));
    assert!(e.has_infection_control && e.has_gender && !e.is_met());
    // Every row: 71.50 counted + 3.00 invalid + 3.00 and 1.00 before the window = 78.50.
    let all: Points = p.credits.iter().map(|c| c.points).sum();
    assert_eq!(all, Points::from_hundredths(7850));
    assert_eq!(p.learning.len(), 3);
    assert_eq!(minutes(&p), 480);
    assert_eq!((minutes(&p) / 60, minutes(&p) % 60), (8, 0));
}

/// 專業 100.50; 品質 8, 倫理 6, 法規 14 = 28, counted 24; 100.50 + 24 = 124.50.
#[test]
fn the_practising_nurse_meets_the_rule_with_124_50() {
    let p = member("F200234568");
    assert_eq!(p.licences.last().map(|l| l.status), Some(PracticeStatus::Practising));
    assert_eq!(by_category(&p), [10050, 800, 600, 1400]);
    let e = evaluation(&p);
    assert_eq!(e.professional, Points::from_hundredths(10050));
    assert_eq!(e.other_before_cap, Points::whole(28));
    assert_eq!(e.other_counted, Points::whole(24));
    assert_eq!(e.total, Points::from_hundredths(12450));
    assert!(e.is_met());
    assert_eq!((p.learning.len(), minutes(&p)), (2, 150));
}

/// 專業 90; 品質 12, 倫理 8, 法規 10 = 30, counted 24; 90 + 24 = 114.00, 6.00 missing.
#[test]
fn the_nurse_short_of_points_has_114_with_the_cap() {
    let p = member("E100345670");
    assert_eq!(p.sex, Sex::Male);
    assert_eq!(by_category(&p), [9000, 1200, 800, 1000]);
    let e = evaluation(&p);
    assert_eq!(e.other_before_cap, Points::whole(30));
    assert_eq!(e.total.to_string(), "114.00");
    assert_eq!(e.missing_total(), Points::whole(6));
    assert!(e.has_infection_control && e.has_gender && e.missing_other().is_zero() && !e.is_met());
    assert!(p.learning.is_empty());
}

/// 專業 40; 品質 3 + 2, 倫理 2, 法規 2 + 3 = 12 exactly; total 52.00.
#[test]
fn the_midwife_has_a_name_outside_the_bmp() {
    let p = member("B200456784");
    assert_eq!(p.name, "李\u{20BB7}芳");
    assert_eq!(p.name.chars().count(), 3);
    assert_eq!(p.name.len(), 3 + 4 + 3);
    let current = p.licences.last().expect("a licence");
    assert_eq!(current.profession, Profession::RegisteredMidwife);
    assert_eq!(p.certificates.len(), 2);
    assert_eq!(by_category(&p), [4000, 500, 200, 500]);
    let e = evaluation(&p);
    assert_eq!(e.total, Points::whole(52));
    assert!(e.missing_other().is_zero() && e.has_gender && e.has_infection_control);
    assert_eq!((p.learning.len(), minutes(&p)), (1, 60));
}

/// New format: 專業 3 + 1, 品質 2 → 6.00. Old format: 專業 3, 品質 2.50, 法規 1 → 6.50.
#[test]
fn resident_numbers_of_both_formats() {
    let new = member("F900567897");
    assert_eq!(new.id_number.kind(), IdKind::ResidentNew);
    assert_eq!(by_category(&new), [400, 200, 0, 0]);
    let e = evaluation(&new);
    assert_eq!(e.total, Points::whole(6));
    assert!(!e.has_gender);
    assert_eq!((new.learning.len(), minutes(&new)), (4, 225));

    let old = member("AB00678901");
    assert_eq!(old.id_number.kind(), IdKind::ResidentOld);
    assert_eq!(old.certificates[0].profession, Profession::Nurse);
    assert_eq!(by_category(&old), [300, 250, 0, 100]);
    assert_eq!(evaluation(&old).total, Points::from_hundredths(650));
    assert_eq!((old.learning.len(), minutes(&old)), (1, 120));
}

/// The figures hold for any day from 2026-01-01; an earlier `today` only drops later rows.
#[test]
fn nothing_is_dated_after_2025() {
    let last = date("2025-12-31");
    for p in showcase(today()) {
        assert!(p.credits.iter().all(|c| c.date <= last));
        assert!(p.learning.iter().all(|l| l.completed_on <= last));
        assert!(p.licences.iter().flat_map(|l| &l.events).all(|e| e.date <= last));
    }
    let early = showcase(date("2023-01-01"));
    assert!(early.iter().flat_map(|p| &p.credits).all(|c| c.date <= date("2023-01-01")));
}

/// The due dates written in the showcase follow the core's rule: the day after the sixth
/// anniversary of the certificate, then of each previous cycle.
#[test]
fn due_dates_follow_the_renewal_rule() {
    use huzhu_core::licence::{DueDateRule, renewal_due};
    let due = |start: &str| renewal_due(date(start), DueDateRule::default());
    // (certificate, due dates of successive cycles; the last is the current licence's)
    let cases = [
        ("A200123458", "2015-05-30", vec!["2021-05-31", "2027-05-31"]),
        ("F200234568", "2015-03-01", vec!["2021-03-02", "2027-03-02"]),
        ("E100345670", "2009-08-15", vec!["2015-08-16", "2021-08-16", "2027-08-16"]),
        ("B200456784", "2009-10-12", vec!["2015-10-13", "2021-10-13", "2027-10-13"]),
        ("F900567897", "2018-08-10", vec!["2024-08-11", "2030-08-11"]),
        (
            "AB00678901",
            "2001-07-15",
            vec!["2007-07-16", "2013-07-16", "2019-07-16", "2025-07-16", "2031-07-16"],
        ),
    ];
    for (id, certificate, dues) in cases {
        let mut start = date(certificate);
        for expected in dues {
            assert_eq!(due(&start.to_string()), date(expected), "{id}");
            start = date(expected).pred_opt().expect("date");
        }
        let person = member(id);
        let current = person.licences.last().expect("a licence");
        assert_eq!(current.renewal_due, start.succ_opt().expect("date"), "{id}");
    }
}
