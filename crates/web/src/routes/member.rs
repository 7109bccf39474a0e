//! 社群專區: the member's home page, and the full lists behind its 看更多 links.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use huzhu_core::licence::{Window, application_opens};
use huzhu_core::roc;
use huzhu_core::rules::{Evaluation, evaluate};
use huzhu_store::content::{HomeContent, Link, Quote, Video};
use huzhu_store::member::LearningTotals;

use crate::error::AppError;
use crate::i18n::Messages;
use crate::page::Chrome;
use crate::routes::paths;
use crate::session::{Ctx, see_other};
use crate::state::AppState;

/// How many videos and quick links the home page shows before 看更多.
const HOME_VIDEOS: usize = 1;
const HOME_LINKS: usize = 4;

#[derive(Template, WebTemplate)]
#[template(path = "member_home.html")]
pub struct HomeView {
    page: Chrome,
    welcome: String,
    quote: Option<Quote>,
    quote_source: String,
    video: Option<Video>,
    has_more_videos: bool,
    quick_links: Vec<Link>,
    has_more_links: bool,
    history_link: Option<Link>,
    practice: Option<PracticeView>,
    points: PointsView,
    learning: String,
}

/// The personal block: status, validity, institution.
pub struct PracticeView {
    status: String,
    valid_until: String,
    institution: String,
}

/// 積分目前得分 / 積分換照需要分數, and what is still missing.
pub struct PointsView {
    counted: String,
    required: String,
    window: Option<String>,
    /// Sentences saying what is missing and by when, or that nothing is.
    advice: Vec<String>,
}

/// The signed-in member's person, or a redirect to the sign-in page.
async fn signed_in_person(state: &AppState, ctx: &Ctx) -> Result<Result<i64, Response>, AppError> {
    let Some(account_id) = ctx.account_id() else {
        return Ok(Err(see_other(paths::LOGIN)));
    };
    // A password set under older rules must be replaced before anything else.
    if state.store.password_outdated(account_id, state.config.password_policy_version).await? {
        return Ok(Err(see_other(paths::CHANGE_PASSWORD)));
    }
    match state.store.person_of_account(account_id).await? {
        Some(person_id) => Ok(Ok(person_id)),
        None => Ok(Err(see_other(paths::LOGIN))),
    }
}

pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let person_id = match signed_in_person(&state, &ctx).await? {
        Ok(person_id) => person_id,
        Err(redirect) => return Ok(redirect),
    };
    let page = Chrome::new(&ctx);
    let t = page.t;
    let person = state.store.person(person_id).await?.ok_or(AppError::NotFound)?;
    let licence = state.store.current_licence(person_id).await?;
    let content = state.store.home_content(state.clock.today()).await?;
    let learning = state.store.learning_totals(person_id).await?;

    let evaluation = match &licence {
        Some(licence) => {
            let window = Window::ending_before(licence.renewal_due);
            let credits = state.store.credits_between(person_id, window.first_day, window.last_day).await?;
            Some(evaluate(&state.rules, window, &credits))
        }
        None => None,
    };
    let practice = licence.as_ref().map(|licence| PracticeView {
        status: licence.status.map(|s| t.get(s.message_key())).unwrap_or("").to_owned(),
        valid_until: roc::format_long(licence.renewal_due),
        institution: licence.institution_name.clone().unwrap_or_else(|| t.get("home.none").to_owned()),
    });

    let HomeContent { quote, videos, quick_links, history_link } = content;
    let quote_source =
        quote.as_ref().map(|q| t.format("home.quote_source", &[("source", &q.source)])).unwrap_or_default();
    let view = HomeView {
        welcome: t.format("home.welcome", &[("name", &person.name)]),
        quote,
        quote_source,
        has_more_videos: videos.len() > HOME_VIDEOS,
        video: videos.into_iter().next(),
        has_more_links: quick_links.len() > HOME_LINKS,
        quick_links: quick_links.into_iter().take(HOME_LINKS).collect(),
        history_link,
        practice,
        points: points_view(t, &state, evaluation.as_ref()),
        learning: learning_text(t, learning),
        page,
    };
    Ok(view.into_response())
}

fn points_view(t: &Messages, state: &AppState, evaluation: Option<&Evaluation>) -> PointsView {
    let required = state.rules.total_required.to_string();
    let Some(evaluation) = evaluation else {
        return PointsView { counted: "0.00".to_owned(), required, window: None, advice: Vec::new() };
    };
    let window = &evaluation.window;
    let due = window.last_day.succ_opt().unwrap_or(window.last_day);
    let open = roc::format_long(application_opens(due));
    let mut advice = Vec::new();
    if evaluation.is_met() {
        advice.push(t.format("home.points_met", &[("open", &open)]));
    } else {
        if !evaluation.missing_total().is_zero() {
            let points = evaluation.missing_total().to_string();
            let date = roc::format_long(window.last_day);
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
    let from = roc::format_long(window.first_day);
    let to = roc::format_long(window.last_day);
    PointsView {
        counted: evaluation.total.to_string(),
        required,
        window: Some(t.format("home.points_window", &[("from", &from), ("to", &to)])),
        advice,
    }
}

/// "3 堂，共計 8 小時 0 分鐘".
fn learning_text(t: &Messages, totals: LearningTotals) -> String {
    let courses = totals.courses.to_string();
    let hours = (totals.minutes / 60).to_string();
    let minutes = (totals.minutes % 60).to_string();
    t.format("home.learning", &[("courses", &courses), ("hours", &hours), ("minutes", &minutes)])
}

#[derive(Template, WebTemplate)]
#[template(path = "videos.html")]
pub struct VideosView {
    page: Chrome,
    videos: Vec<Video>,
}

pub async fn videos(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    if let Err(redirect) = signed_in_person(&state, &ctx).await? {
        return Ok(redirect);
    }
    let content = state.store.home_content(state.clock.today()).await?;
    Ok(VideosView { page: Chrome::new(&ctx), videos: content.videos }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "links.html")]
pub struct LinksView {
    page: Chrome,
    links: Vec<Link>,
}

pub async fn links(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    if let Err(redirect) = signed_in_person(&state, &ctx).await? {
        return Ok(redirect);
    }
    let content = state.store.home_content(state.clock.today()).await?;
    Ok(LinksView { page: Chrome::new(&ctx), links: content.quick_links }.into_response())
}
