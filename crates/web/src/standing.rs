//! A member's CE standing: the one place that loads her records and asks the rule about them.
//!
//! The home page's 積分目前得分, the CE page and its exports all call [`standing`], so the
//! numbers they show cannot disagree.

use chrono::NaiveDate;
use huzhu_core::licence::{Window, application_opens};
use huzhu_core::rules::{Evaluation, evaluate};
use huzhu_store::member::LicenceSummary;

use crate::i18n::Messages;
use crate::state::AppState;

/// The member's current licence and what the rule makes of her records in its window.
pub struct Standing {
    pub licence: LicenceSummary,
    pub evaluation: Evaluation,
}

impl Standing {
    /// 應更新日期.
    pub fn due(&self) -> NaiveDate {
        self.licence.renewal_due
    }
}

/// The member's standing against her current licence (the one registered last), or `None`
/// when she has never registered.
pub async fn standing(state: &AppState, person_id: i64) -> anyhow::Result<Option<Standing>> {
    let Some(licence) = state.store.current_licence(person_id).await? else {
        return Ok(None);
    };
    let evaluation = evaluate_window(state, person_id, Window::ending_before(licence.renewal_due)).await?;
    Ok(Some(Standing { licence, evaluation }))
}

/// The rule applied to the member's records in `window`, by the rule set in force for it.
pub async fn evaluate_window(state: &AppState, person_id: i64, window: Window) -> anyhow::Result<Evaluation> {
    let credits = state.store.credits_between(person_id, window.first_day, window.last_day).await?;
    Ok(evaluate(state.rule_book.for_window(window), window, &credits))
}

/// 積分目前得分 / 積分換照需要分數, and what is still missing: the home page's block.
pub struct PointsView {
    pub counted: String,
    pub required: String,
    pub window: Option<String>,
    /// Sentences saying what is missing and by when, or that nothing is.
    pub advice: Vec<String>,
}

pub fn points_view(t: &Messages, state: &AppState, evaluation: Option<&Evaluation>) -> PointsView {
    let Some(evaluation) = evaluation else {
        let required = state.rules_today().total_required.to_string();
        return PointsView { counted: "0.00".to_owned(), required, window: None, advice: Vec::new() };
    };
    let window = &evaluation.window;
    let due = window.last_day.succ_opt().unwrap_or(window.last_day);
    let open = t.date(application_opens(due));
    let mut advice = Vec::new();
    if evaluation.is_met() {
        advice.push(t.format("home.points_met", &[("open", &open)]));
    } else {
        if !evaluation.missing_total().is_zero() {
            let points = evaluation.missing_total().to_string();
            let date = t.date(window.last_day);
            advice.push(
                t.format("home.points_missing", &[("points", &points), ("date", &date), ("open", &open)]),
            );
        }
        if !evaluation.missing_other().is_zero() {
            let points = evaluation.missing_other().to_string();
            advice.push(t.format("home.points_other_missing", &[("points", &points)]));
        }
        if evaluation.missing_infection_control() {
            advice.push(t.get("home.points_infection_missing").to_owned());
        }
        if evaluation.missing_gender() {
            advice.push(t.get("home.points_gender_missing").to_owned());
        }
    }
    let from = t.date(window.first_day);
    let to = t.date(window.last_day);
    PointsView {
        counted: evaluation.total.to_string(),
        required: evaluation.rules.total_required.to_string(),
        window: Some(t.format("home.points_window", &[("from", &from), ("to", &to)])),
        advice,
    }
}

/// What is still missing, in one sentence: "還差 48.50 點，品質、倫理、法規課程至少還需 3.00
/// 點，須含性別議題課程，請於 116年05月30日 以前完成。"
pub fn missing_sentence(t: &Messages, evaluation: &Evaluation) -> String {
    if evaluation.is_met() {
        return t.get("ce.met").to_owned();
    }
    let mut parts = Vec::new();
    if !evaluation.missing_total().is_zero() {
        parts.push(t.format("ce.part_total", &[("points", &evaluation.missing_total().to_string())]));
    }
    if !evaluation.missing_other().is_zero() {
        parts.push(t.format("ce.part_other", &[("points", &evaluation.missing_other().to_string())]));
    }
    if evaluation.missing_infection_control() {
        parts.push(t.get("ce.part_infection").to_owned());
    }
    if evaluation.missing_gender() {
        parts.push(t.get("ce.part_gender").to_owned());
    }
    let date = t.date(evaluation.window.last_day);
    t.format("ce.missing", &[("parts", &parts.join(t.get("ce.joiner"))), ("date", &date)])
}
