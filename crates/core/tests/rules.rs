//! The renewal rule (REG art. 13 and the annex of art. 14; DOMAIN §1.3, §1.4, §1.8, §1.9).
//!
//! Unless a test says otherwise the window is the one of DOMAIN §1.9, 2018-03-02 to 2024-03-01,
//! and the numbers are: 120 in total; categories 2–4 (quality, ethics, law) at least 12 and
//! counted up to 24; infection control and gender among them; per cycle online and
//! correspondence capped at 80 (or 60 in the older reading), team discussions at 60, papers at
//! 50; university courses at 15 a semester.

use chrono::{Days, NaiveDate};
use huzhu_core::licence::Window;
use huzhu_core::points::Points;
use huzhu_core::rules::{
    Activity, ActivityCap, CapPeriod, Category, Credit, Evaluation, Outcome, Reason, RuleSet, evaluate,
};

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
}

fn days_after(start: NaiveDate, days: u64) -> NaiveDate {
    start.checked_add_days(Days::new(days)).expect("inside the calendar")
}

fn pts(text: &str) -> Points {
    text.parse().unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

/// The window of DOMAIN §1.9: due 2024-03-02.
fn window() -> Window {
    Window::ending_before(date(2024, 3, 2))
}

/// Online and correspondence capped at 80, as in the association's table of the 2022 annex.
fn rules_80() -> RuleSet {
    RuleSet::nurses_and_midwives(Points::whole(80), Points::whole(80))
}

/// Online and correspondence capped at 60, as in the 2020 FAQ.
fn rules_60() -> RuleSet {
    RuleSet::nurses_and_midwives(Points::whole(60), Points::whole(60))
}

fn cycle_cap(activity: Activity, points: i64) -> ActivityCap {
    ActivityCap { activity, cap: Points::whole(points), period: CapPeriod::Cycle }
}

/// An ordinary course (annex row 1) with no topic flag.
fn course(id: i64, on: NaiveDate, category: Category, points: &str) -> Credit {
    Credit {
        id,
        date: on,
        activity: Activity::COURSE,
        category,
        infection_control: false,
        gender: false,
        points: pts(points),
        invalid_reason: None,
        corrects: None,
    }
}

fn infection(credit: Credit) -> Credit {
    Credit { infection_control: true, ..credit }
}

fn gender(credit: Credit) -> Credit {
    Credit { gender: true, ..credit }
}

fn as_activity(activity: Activity, credit: Credit) -> Credit {
    Credit { activity, ..credit }
}

fn outcome(evaluation: &Evaluation, id: i64) -> &Outcome {
    evaluation
        .outcomes
        .iter()
        .find(|o| o.credit_id == id)
        .unwrap_or_else(|| panic!("no outcome for record {id}"))
}

fn usage_of(evaluation: &Evaluation, activity: Activity) -> (Points, Points) {
    let usage = evaluation
        .cap_usage
        .iter()
        .find(|u| u.cap.activity == activity)
        .unwrap_or_else(|| panic!("no usage line for {activity:?}"));
    (usage.offered, usage.allowed)
}

/// The records of DOMAIN §1.9 with the professional points given.
fn worked_example(professional: &str) -> Vec<Credit> {
    vec![
        course(1, date(2019, 1, 10), Category::Professional, professional),
        infection(course(2, date(2019, 6, 1), Category::Quality, "8")),
        course(3, date(2020, 1, 1), Category::Ethics, "6"),
        gender(course(4, date(2021, 1, 1), Category::Law, "14")),
    ]
}

// ---------------------------------------------------------------------------------------------
// DOMAIN §1.9 and the totals around 120

#[test]
fn the_worked_example_counts_124_50_and_is_met() {
    for rules in [rules_80(), rules_60()] {
        let evaluation = evaluate(&rules, window(), &worked_example("100.5"));

        // Categories 2–4: 8 + 6 + 14 = 28 offered, 24 counted.
        assert_eq!(evaluation.other_before_cap, pts("28"));
        assert_eq!(evaluation.other_counted, pts("24"));
        // The law record comes last by date: 24 - 8 - 6 = 10 of its 14 count, 4 do not.
        let law = outcome(&evaluation, 4);
        assert_eq!(law.counted, pts("10"));
        assert_eq!(law.not_counted, vec![(pts("4"), Reason::OverOtherCap)]);
        // 100.5 + 24 = 124.5.
        assert_eq!(evaluation.professional, pts("100.5"));
        assert_eq!(evaluation.total, pts("124.5"));
        assert_eq!(evaluation.total.to_string(), "124.50");
        assert_eq!(evaluation.per_category, [pts("100.5"), pts("8"), pts("6"), pts("10")]);
        assert!(evaluation.has_infection_control && evaluation.has_gender);
        assert!(evaluation.missing_total().is_zero());
        assert!(evaluation.missing_other().is_zero());
        assert!(evaluation.is_met());
    }
}

#[test]
fn the_worked_example_with_90_professional_points_is_114_and_not_met() {
    let evaluation = evaluate(&rules_80(), window(), &worked_example("90"));
    // 90 + 24 = 114; 120 - 114 = 6 missing.
    assert_eq!(evaluation.total.to_string(), "114.00");
    assert_eq!(evaluation.missing_total(), pts("6"));
    assert!(evaluation.missing_other().is_zero());
    assert!(!evaluation.is_met());
}

#[test]
fn exactly_120_points_is_met() {
    let credits = [
        course(1, date(2019, 1, 1), Category::Professional, "108"),
        infection(course(2, date(2019, 2, 1), Category::Quality, "6")),
        gender(course(3, date(2019, 3, 1), Category::Law, "6")),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    // 108 + 6 + 6 = 120; categories 2–4: 6 + 6 = 12, exactly the minimum.
    assert_eq!(evaluation.total, pts("120"));
    assert_eq!(evaluation.other_before_cap, pts("12"));
    assert!(evaluation.is_met());
}

#[test]
fn half_a_point_short_of_120_is_not_met() {
    let credits = [
        course(1, date(2019, 1, 1), Category::Professional, "107.5"),
        infection(course(2, date(2019, 2, 1), Category::Quality, "6")),
        gender(course(3, date(2019, 3, 1), Category::Law, "6")),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    // 107.5 + 12 = 119.5; 120 - 119.5 = 0.5.
    assert_eq!(evaluation.total, pts("119.5"));
    assert_eq!(evaluation.missing_total().to_string(), "0.50");
    assert!(!evaluation.is_met());
}

#[test]
fn eleven_points_in_categories_2_to_4_fall_short_even_over_120() {
    let credits = [
        course(1, date(2019, 1, 1), Category::Professional, "115"),
        infection(course(2, date(2019, 2, 1), Category::Quality, "5")),
        gender(course(3, date(2019, 3, 1), Category::Law, "6")),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    // 115 + 5 + 6 = 126 ≥ 120, but 5 + 6 = 11 < 12: one point missing.
    assert_eq!(evaluation.total, pts("126"));
    assert!(evaluation.missing_total().is_zero());
    assert_eq!(evaluation.missing_other(), pts("1"));
    assert!(!evaluation.is_met());
}

// ---------------------------------------------------------------------------------------------
// The 24-point cap of categories 2–4

#[test]
fn thirty_points_in_categories_2_to_4_count_as_24_and_the_latest_record_is_cut() {
    // Ids run against the dates, and the input is in neither order: the cut must follow dates.
    let credits = [
        gender(course(10, date(2019, 3, 1), Category::Law, "10")),
        course(99, date(2018, 6, 1), Category::Professional, "100"),
        infection(course(30, date(2019, 1, 1), Category::Quality, "10")),
        course(20, date(2019, 2, 1), Category::Ethics, "10"),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);

    // Quality (Jan) 10 → 10 so far; ethics (Feb) 10 → 20; law (Mar): 24 - 20 = 4 fit, 6 do not.
    assert!(outcome(&evaluation, 30).not_counted.is_empty());
    assert!(outcome(&evaluation, 20).not_counted.is_empty());
    let law = outcome(&evaluation, 10);
    assert_eq!(law.points, pts("10"));
    assert_eq!(law.counted, pts("4"));
    assert_eq!(law.not_counted, vec![(pts("6"), Reason::OverOtherCap)]);
    // 10 + 10 + 10 = 30 offered; 24 counted; 100 + 24 = 124.
    assert_eq!(evaluation.other_before_cap, pts("30"));
    assert_eq!(evaluation.other_counted, pts("24"));
    assert_eq!(evaluation.total, pts("124"));
    // Outcomes are listed in the order the rule took the records.
    let order: Vec<i64> = evaluation.outcomes.iter().map(|o| o.credit_id).collect();
    assert_eq!(order, [99, 30, 20, 10]);
}

#[test]
fn records_of_the_same_day_are_taken_in_id_order() {
    let credits = [
        course(5, date(2020, 5, 5), Category::Quality, "20"),
        course(3, date(2020, 5, 5), Category::Quality, "10"),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    // Id 3 first: 10 count; id 5: 24 - 10 = 14 count, 20 - 14 = 6 do not.
    assert_eq!(outcome(&evaluation, 3).counted, pts("10"));
    assert_eq!(outcome(&evaluation, 5).counted, pts("14"));
    assert_eq!(outcome(&evaluation, 5).not_counted, vec![(pts("6"), Reason::OverOtherCap)]);
}

#[test]
fn professional_points_are_not_capped_by_the_category_cap() {
    let credits = [course(1, date(2020, 1, 1), Category::Professional, "500")];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    assert_eq!(evaluation.total, pts("500"));
    assert!(outcome(&evaluation, 1).not_counted.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Mandatory topics

#[test]
fn a_missing_gender_course_fails_the_rule_despite_enough_points() {
    let credits = [
        course(1, date(2019, 1, 1), Category::Professional, "108"),
        infection(course(2, date(2019, 2, 1), Category::Quality, "12")),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    assert_eq!(evaluation.total, pts("120"));
    assert!(!evaluation.missing_infection_control());
    assert!(evaluation.missing_gender());
    assert!(!evaluation.is_met());
}

#[test]
fn a_missing_infection_control_course_fails_the_rule() {
    let credits = [
        course(1, date(2019, 1, 1), Category::Professional, "108"),
        gender(course(2, date(2019, 2, 1), Category::Law, "12")),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    assert!(evaluation.missing_infection_control());
    assert!(!evaluation.missing_gender());
    assert!(!evaluation.is_met());
}

#[test]
fn a_topic_on_a_professional_course_does_not_satisfy_the_rule() {
    // REG art. 13 asks for the topics among the quality, ethics and law courses.
    let credits = [
        gender(infection(course(1, date(2019, 1, 1), Category::Professional, "108"))),
        course(2, date(2019, 2, 1), Category::Quality, "12"),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    assert!(evaluation.missing_infection_control());
    assert!(evaluation.missing_gender());
}

#[test]
fn a_topic_outside_the_window_or_invalid_does_not_satisfy_the_rule() {
    let credits = [
        gender(course(1, date(2018, 3, 1), Category::Law, "3")),
        Credit {
            invalid_reason: Some(String::from("重複登錄")),
            ..infection(course(2, date(2020, 1, 1), Category::Quality, "3"))
        },
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    assert!(evaluation.missing_gender());
    assert!(evaluation.missing_infection_control());
}

#[test]
fn a_topic_still_counts_when_the_24_point_cap_cut_the_course() {
    // The course was taken; only its points are over the cap.
    let credits = [
        course(1, date(2019, 1, 1), Category::Quality, "24"),
        gender(infection(course(2, date(2019, 2, 1), Category::Law, "2"))),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    assert!(outcome(&evaluation, 2).counted.is_zero());
    assert!(evaluation.has_gender && evaluation.has_infection_control);
}

#[test]
fn a_topic_course_wholly_over_its_activity_cap_does_not_satisfy_the_rule() {
    let credits = [
        as_activity(Activity::ONLINE, course(1, date(2019, 1, 1), Category::Professional, "80")),
        as_activity(Activity::ONLINE, gender(course(2, date(2019, 2, 1), Category::Law, "1"))),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    assert!(outcome(&evaluation, 2).counted.is_zero());
    assert!(evaluation.missing_gender());
}

#[test]
fn the_topics_can_be_switched_off_by_the_rule_set() {
    let rules = RuleSet { require_gender: false, require_infection_control: false, ..rules_80() };
    let credits = [
        course(1, date(2019, 1, 1), Category::Professional, "108"),
        course(2, date(2019, 2, 1), Category::Ethics, "12"),
    ];
    assert!(evaluate(&rules, window(), &credits).is_met());
}

// ---------------------------------------------------------------------------------------------
// Activity caps

/// `count` online records of one point each on consecutive days from 2019-01-01, given to the
/// rule in reverse and with ids running against the dates.
fn online_ones(count: u64) -> Vec<Credit> {
    (0..count)
        .rev()
        .map(|day| {
            let id = 1000 - i64::try_from(day).expect("small");
            let on = days_after(date(2019, 1, 1), day);
            as_activity(Activity::ONLINE, course(id, on, Category::Professional, "1"))
        })
        .collect()
}

/// The id `online_ones` gives to the record of the `day`-th day.
fn online_id(day: i64) -> i64 {
    1000 - day
}

#[test]
fn online_points_over_80_are_not_counted_and_the_latest_records_are_cut() {
    let evaluation = evaluate(&rules_80(), window(), &online_ones(85));
    let online = cycle_cap(Activity::ONLINE, 80);

    // Days 0..=79 (the 80 earliest) count a point each; days 80..=84 count nothing.
    for day in 0..80 {
        let record = outcome(&evaluation, online_id(day));
        assert_eq!(record.counted, pts("1"), "day {day}");
        assert!(record.not_counted.is_empty());
    }
    for day in 80..85 {
        let record = outcome(&evaluation, online_id(day));
        assert!(record.counted.is_zero(), "day {day}");
        assert_eq!(record.not_counted, vec![(pts("1"), Reason::OverActivityCap(online))]);
    }
    // 85 offered, 80 allowed, 85 - 80 = 5 not counted.
    assert_eq!(evaluation.total, pts("80"));
    assert_eq!(usage_of(&evaluation, Activity::ONLINE), (pts("85"), pts("80")));
}

#[test]
fn online_points_over_60_are_not_counted_under_the_older_cap() {
    let evaluation = evaluate(&rules_60(), window(), &online_ones(85));
    let online = cycle_cap(Activity::ONLINE, 60);
    // Days 0..=59 count; 85 - 60 = 25 records, days 60..=84, are cut.
    assert_eq!(outcome(&evaluation, online_id(59)).counted, pts("1"));
    for day in 60..85 {
        let record = outcome(&evaluation, online_id(day));
        assert_eq!(record.not_counted, vec![(pts("1"), Reason::OverActivityCap(online))]);
    }
    assert_eq!(evaluation.total, pts("60"));
    assert_eq!(usage_of(&evaluation, Activity::ONLINE), (pts("85"), pts("60")));
}

#[test]
fn the_record_that_crosses_the_online_cap_counts_in_part() {
    let credits = [
        as_activity(Activity::ONLINE, course(1, date(2019, 1, 1), Category::Professional, "50")),
        as_activity(Activity::ONLINE, course(2, date(2019, 2, 1), Category::Professional, "50")),
    ];
    // Cap 80: 80 - 50 = 30 of the second count, 50 - 30 = 20 do not.
    let evaluation = evaluate(&rules_80(), window(), &credits);
    let second = outcome(&evaluation, 2);
    assert_eq!(second.counted, pts("30"));
    let cap = cycle_cap(Activity::ONLINE, 80);
    assert_eq!(second.not_counted, vec![(pts("20"), Reason::OverActivityCap(cap))]);
    // Cap 60: 60 - 50 = 10 count, 40 do not.
    let evaluation = evaluate(&rules_60(), window(), &credits);
    let second = outcome(&evaluation, 2);
    assert_eq!(second.counted, pts("10"));
    let cap = cycle_cap(Activity::ONLINE, 60);
    assert_eq!(second.not_counted, vec![(pts("40"), Reason::OverActivityCap(cap))]);
}

#[test]
fn correspondence_courses_are_capped_on_their_own() {
    // 45 correspondence courses of 2 points (the annex's "2 per time") = 90 points.
    let credits: Vec<Credit> = (0..45)
        .map(|i| {
            let on = days_after(date(2020, 1, 1), i);
            let id = i64::try_from(i).expect("small");
            as_activity(Activity::CORRESPONDENCE, course(id, on, Category::Professional, "2"))
        })
        .collect();

    // Cap 80: 80 / 2 = 40 courses count, records 40..=44 are cut whole.
    let evaluation = evaluate(&rules_80(), window(), &credits);
    assert_eq!(evaluation.total, pts("80"));
    assert_eq!(outcome(&evaluation, 39).counted, pts("2"));
    let cap = cycle_cap(Activity::CORRESPONDENCE, 80);
    assert_eq!(outcome(&evaluation, 40).not_counted, vec![(pts("2"), Reason::OverActivityCap(cap))]);
    assert_eq!(usage_of(&evaluation, Activity::CORRESPONDENCE), (pts("90"), pts("80")));
    assert_eq!(usage_of(&evaluation, Activity::ONLINE), (Points::ZERO, Points::ZERO));

    // Cap 60: 60 / 2 = 30 courses count, 15 are cut.
    let evaluation = evaluate(&rules_60(), window(), &credits);
    assert_eq!(evaluation.total, pts("60"));
    assert_eq!(outcome(&evaluation, 29).counted, pts("2"));
    assert!(outcome(&evaluation, 30).counted.is_zero());
}

#[test]
fn online_and_correspondence_caps_do_not_share_room() {
    let credits = [
        as_activity(Activity::ONLINE, course(1, date(2019, 1, 1), Category::Professional, "90")),
        as_activity(Activity::CORRESPONDENCE, course(2, date(2019, 2, 1), Category::Professional, "90")),
    ];
    // 80 + 80 = 160 with the 2022 caps; 60 + 60 = 120 with the older ones.
    assert_eq!(evaluate(&rules_80(), window(), &credits).total, pts("160"));
    assert_eq!(evaluate(&rules_60(), window(), &credits).total, pts("120"));
}

#[test]
fn the_activity_cap_applies_before_the_category_cap_on_one_record() {
    let credits = [
        as_activity(Activity::ONLINE, course(1, date(2019, 1, 1), Category::Professional, "75")),
        infection(course(2, date(2019, 2, 1), Category::Quality, "20")),
        as_activity(Activity::ONLINE, gender(course(3, date(2019, 3, 1), Category::Law, "10"))),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    // Online room 80 - 75 = 5: 5 of the 10 pass, 5 do not. Category room 24 - 20 = 4: 4 of
    // those 5 count, 1 does not.
    let last = outcome(&evaluation, 3);
    assert_eq!(last.counted, pts("4"));
    assert_eq!(
        last.not_counted,
        vec![
            (pts("5"), Reason::OverActivityCap(cycle_cap(Activity::ONLINE, 80))),
            (pts("1"), Reason::OverOtherCap),
        ]
    );
    // The minimum sees the points after the activity cap: 20 + 5 = 25.
    assert_eq!(evaluation.other_before_cap, pts("25"));
    assert_eq!(evaluation.other_counted, pts("24"));
    // 75 + 24 = 99.
    assert_eq!(evaluation.total, pts("99"));
    assert!(evaluation.has_gender);
}

#[test]
fn team_discussions_and_papers_have_their_own_cycle_caps() {
    let credits = [
        as_activity(Activity::TEAM_DISCUSSION, course(1, date(2019, 1, 1), Category::Professional, "70")),
        as_activity(Activity::PAPER, course(2, date(2019, 2, 1), Category::Professional, "55")),
        as_activity(Activity::CONFERENCE, course(3, date(2019, 3, 1), Category::Professional, "200")),
        as_activity(Activity::OTHER, course(4, date(2019, 4, 1), Category::Professional, "7")),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    // Team 70 → 60; paper 55 → 50; conferences and other rows uncapped: 200 + 7.
    assert_eq!(outcome(&evaluation, 1).counted, pts("60"));
    assert_eq!(outcome(&evaluation, 2).counted, pts("50"));
    assert_eq!(outcome(&evaluation, 3).counted, pts("200"));
    assert_eq!(outcome(&evaluation, 4).counted, pts("7"));
    // 60 + 50 + 200 + 7 = 317.
    assert_eq!(evaluation.total, pts("317"));
}

#[test]
fn university_courses_are_capped_at_15_a_semester() {
    let university =
        |id, on, points| as_activity(Activity::UNIVERSITY, course(id, on, Category::Professional, points));
    let credits = [
        // Semester 1 August 2019 – 31 January 2020.
        university(1, date(2019, 9, 10), "10"),
        university(2, date(2019, 12, 1), "10"),
        university(3, date(2020, 1, 31), "5"),
        // Semester 1 February – 31 July 2020.
        university(4, date(2020, 2, 1), "10"),
        university(5, date(2020, 7, 31), "10"),
        // Semester from 1 August 2020.
        university(6, date(2020, 8, 1), "15"),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    let cap =
        ActivityCap { activity: Activity::UNIVERSITY, cap: Points::whole(15), period: CapPeriod::Semester };
    // First semester: 10, then 15 - 10 = 5 of 10, then 0 of 5.
    assert_eq!(outcome(&evaluation, 1).counted, pts("10"));
    assert_eq!(outcome(&evaluation, 2).counted, pts("5"));
    assert_eq!(outcome(&evaluation, 2).not_counted, vec![(pts("5"), Reason::OverActivityCap(cap))]);
    assert!(outcome(&evaluation, 3).counted.is_zero());
    // Second semester starts afresh: 10, then 5 of 10.
    assert_eq!(outcome(&evaluation, 4).counted, pts("10"));
    assert_eq!(outcome(&evaluation, 5).counted, pts("5"));
    // Third: 15 of 15.
    assert_eq!(outcome(&evaluation, 6).counted, pts("15"));
    // Offered 10+10+5+10+10+15 = 60; allowed 10+5+0+10+5+15 = 45.
    assert_eq!(usage_of(&evaluation, Activity::UNIVERSITY), (pts("60"), pts("45")));
    assert_eq!(evaluation.total, pts("45"));
}

// ---------------------------------------------------------------------------------------------
// The window and invalid records

#[test]
fn records_on_the_first_and_last_day_of_the_window_count_and_the_days_outside_do_not() {
    let credits = [
        course(1, date(2018, 3, 1), Category::Professional, "1"),
        course(2, date(2018, 3, 2), Category::Professional, "2"),
        course(3, date(2024, 3, 1), Category::Professional, "4"),
        course(4, date(2024, 3, 2), Category::Professional, "8"),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    // Only 2 + 4 = 6 count.
    assert_eq!(evaluation.total, pts("6"));
    assert_eq!(outcome(&evaluation, 1).not_counted, vec![(pts("1"), Reason::OutsideWindow)]);
    assert_eq!(outcome(&evaluation, 4).not_counted, vec![(pts("8"), Reason::OutsideWindow)]);
    assert!(outcome(&evaluation, 2).not_counted.is_empty());
    assert!(outcome(&evaluation, 3).not_counted.is_empty());
}

#[test]
fn records_invalid_at_source_count_nothing_and_use_no_cap() {
    let invalid = |credit: Credit| Credit { invalid_reason: Some(String::from("重複登錄")), ..credit };
    let credits = [
        invalid(as_activity(Activity::ONLINE, course(1, date(2019, 1, 1), Category::Professional, "80"))),
        as_activity(Activity::ONLINE, course(2, date(2019, 2, 1), Category::Professional, "80")),
        // Invalid and outside the window: the source's verdict is the one reported.
        invalid(course(3, date(2010, 1, 1), Category::Professional, "5")),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    let reason = Reason::InvalidAtSource(String::from("重複登錄"));
    assert_eq!(outcome(&evaluation, 1).not_counted, vec![(pts("80"), reason.clone())]);
    assert_eq!(outcome(&evaluation, 3).not_counted, vec![(pts("5"), reason)]);
    // The valid record finds the whole online cap free.
    assert_eq!(outcome(&evaluation, 2).counted, pts("80"));
    assert_eq!(usage_of(&evaluation, Activity::ONLINE), (pts("80"), pts("80")));
    assert_eq!(evaluation.total, pts("80"));
}

// ---------------------------------------------------------------------------------------------
// Exactness, corrections and empty input

#[test]
fn twelve_hundred_tenths_make_exactly_120() {
    // 1080 professional tenths = 108.00 and 120 quality tenths = 12.00: 120.00 in all.
    // Added up as f64 the same tenths give 119.99999999999…, which would fail the rule.
    let credits: Vec<Credit> = (0..1200)
        .map(|i| {
            let on = days_after(date(2018, 4, 1), i % 2000);
            let id = i64::try_from(i).expect("small");
            let category = if i < 1080 { Category::Professional } else { Category::Quality };
            let credit = course(id, on, category, "0.1");
            match i {
                1080 => infection(credit),
                1081 => gender(credit),
                _ => credit,
            }
        })
        .collect();
    let evaluation = evaluate(&rules_80(), window(), &credits);
    assert_eq!(evaluation.professional, pts("108"));
    assert_eq!(evaluation.other_before_cap, pts("12"));
    assert_eq!(evaluation.total.to_string(), "120.00");
    assert!(evaluation.is_met());
}

#[test]
fn hundredths_that_cross_a_cap_are_split_exactly() {
    let credits = [
        course(1, date(2019, 1, 1), Category::Ethics, "23.99"),
        course(2, date(2019, 2, 1), Category::Ethics, "0.33"),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    // 24 - 23.99 = 0.01 counts; 0.33 - 0.01 = 0.32 does not.
    assert_eq!(outcome(&evaluation, 2).counted, pts("0.01"));
    assert_eq!(outcome(&evaluation, 2).not_counted, vec![(pts("0.32"), Reason::OverOtherCap)]);
    assert_eq!(evaluation.other_counted, pts("24"));
}

#[test]
fn a_negative_correction_row_takes_points_off_and_proves_no_topic() {
    let credits = [
        course(1, date(2019, 1, 1), Category::Professional, "110"),
        gender(course(2, date(2019, 2, 1), Category::Law, "12")),
        Credit { corrects: Some(2), ..infection(course(3, date(2019, 2, 1), Category::Law, "-1")) },
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    // Categories 2–4: 12 - 1 = 11; total 110 + 11 = 121; one point short of the minimum.
    assert_eq!(evaluation.other_before_cap, pts("11"));
    assert_eq!(evaluation.total, pts("121"));
    assert_eq!(evaluation.missing_other(), pts("1"));
    assert!(evaluation.missing_infection_control());
    assert!(!evaluation.is_met());
}

#[test]
fn a_correction_of_an_invalid_credit_takes_nothing_off() {
    let credits = [
        course(1, date(2019, 1, 1), Category::Professional, "10"),
        Credit {
            invalid_reason: Some(String::from("重複登錄")),
            ..course(2, date(2019, 2, 1), Category::Professional, "3")
        },
        Credit { corrects: Some(2), ..course(3, date(2019, 2, 1), Category::Professional, "-3") },
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    // 10 + 0 (invalid) + 0 (nothing to take back) = 10.
    assert_eq!(evaluation.total, pts("10"));
    assert_eq!(outcome(&evaluation, 3).counted, Points::ZERO);
    assert_eq!(outcome(&evaluation, 3).not_counted, vec![(pts("-3"), Reason::CorrectsInvalidCredit)]);
}

#[test]
fn a_correction_takes_back_no_more_than_its_credit_counts_and_nothing_without_one() {
    let credits = [
        course(1, date(2019, 1, 1), Category::Professional, "10"),
        // Listed before its credit, and with a smaller id: still judged after it.
        Credit { corrects: Some(5), ..course(2, date(2019, 2, 1), Category::Professional, "-2") },
        course(5, date(2019, 2, 1), Category::Professional, "1"),
        // A correction that names no record among these.
        Credit { corrects: Some(99), ..course(3, date(2019, 3, 1), Category::Professional, "-4") },
        course(4, date(2019, 3, 1), Category::Professional, "-1"),
    ];
    let evaluation = evaluate(&rules_80(), window(), &credits);
    // 10 + 1 - min(2, 1) + 0 + 0 = 10: the corrected course counts 0, not 1 - 2 = -1.
    assert_eq!(evaluation.total, pts("10"));
    assert_eq!(outcome(&evaluation, 2).counted, pts("-1"));
    assert_eq!(outcome(&evaluation, 2).not_counted, vec![(pts("-1"), Reason::OverCorrectedCredit)]);
    assert_eq!(outcome(&evaluation, 3).not_counted, vec![(pts("-4"), Reason::CorrectsNoCredit)]);
    assert_eq!(outcome(&evaluation, 4).not_counted, vec![(pts("-1"), Reason::CorrectsNoCredit)]);
}

#[test]
fn no_records_miss_everything() {
    let evaluation = evaluate(&rules_80(), window(), &[]);
    assert!(evaluation.total.is_zero());
    assert_eq!(evaluation.missing_total(), pts("120"));
    assert_eq!(evaluation.missing_other(), pts("12"));
    assert!(evaluation.missing_infection_control());
    assert!(evaluation.missing_gender());
    assert!(!evaluation.is_met());
    assert!(evaluation.outcomes.is_empty());
    assert_eq!(evaluation.per_category, [Points::ZERO; 4]);
    // One usage line per cap of the rule set, all empty.
    assert_eq!(evaluation.cap_usage.len(), 5);
    assert!(evaluation.cap_usage.iter().all(|u| u.offered.is_zero() && u.allowed.is_zero()));
    assert_eq!(evaluation.window, window());
}

// ---------------------------------------------------------------------------------------------
// The rule set and the codes

#[test]
fn the_nurses_and_midwives_rule_set_has_the_numbers_of_reg_article_13() {
    let rules = rules_80();
    assert_eq!(rules.total_required, Points::whole(120));
    assert_eq!(rules.other_minimum, Points::whole(12));
    assert_eq!(rules.other_cap, Points::whole(24));
    assert!(rules.require_infection_control && rules.require_gender);
    let semester =
        ActivityCap { activity: Activity::UNIVERSITY, cap: Points::whole(15), period: CapPeriod::Semester };
    assert_eq!(
        rules.activity_caps,
        vec![
            cycle_cap(Activity::TEAM_DISCUSSION, 60),
            cycle_cap(Activity::ONLINE, 80),
            cycle_cap(Activity::CORRESPONDENCE, 80),
            cycle_cap(Activity::PAPER, 50),
            semester,
        ]
    );
    let older = rules_60();
    assert!(older.activity_caps.contains(&cycle_cap(Activity::ONLINE, 60)));
    assert!(older.activity_caps.contains(&cycle_cap(Activity::CORRESPONDENCE, 60)));
}

#[test]
fn category_codes_round_trip_and_only_professional_is_not_other() {
    for category in Category::ALL {
        assert_eq!(Category::from_code(category.code()), Some(category));
        assert_eq!(category.is_other(), category != Category::Professional);
        assert!(category.message_key().starts_with("category."));
    }
    assert_eq!(Category::from_code("law"), Some(Category::Law));
    assert_eq!(Category::from_code("LAW"), None);
    assert_eq!(Category::from_code(""), None);
}

#[test]
fn only_online_and_correspondence_are_remote() {
    assert!(Activity::ONLINE.is_remote());
    assert!(Activity::CORRESPONDENCE.is_remote());
    for activity in [Activity::COURSE, Activity::UNIVERSITY, Activity::OTHER, Activity(0)] {
        assert!(!activity.is_remote(), "{activity:?}");
    }
    assert_eq!(Activity::ONLINE.message_key(), "activity.5");
}
