//! 社群專區: the member's home page, and the full lists behind its 看更多 links.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use huzhu_store::content::{HomeContent, Link, Notice, Quote, Video};
use huzhu_store::member::LearningTotals;

use crate::error::AppError;
use crate::i18n::Messages;
use crate::page::Chrome;
use crate::routes::paths;
use crate::session::{Ctx, see_other};
use crate::standing::{PointsView, Standing, points_view, standing};
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
    notices: Vec<Notice>,
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

/// The signed-in member's person, or a redirect to the sign-in page. Reads nothing: the
/// account came with the session.
pub(crate) fn signed_in_person(state: &AppState, ctx: &Ctx) -> Result<i64, SendTo> {
    let Some(account) = ctx.account else {
        return Err(SendTo(paths::LOGIN));
    };
    // A password set under older rules must be replaced before anything else.
    if account.policy_version < state.config.password_policy_version {
        return Err(SendTo(paths::CHANGE_PASSWORD));
    }
    Ok(account.person_id)
}

/// Where a member page sends a visitor it cannot serve.
pub(crate) struct SendTo(&'static str);

impl IntoResponse for SendTo {
    fn into_response(self) -> Response {
        see_other(self.0)
    }
}

pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let person_id = match signed_in_person(&state, &ctx) {
        Ok(person_id) => person_id,
        Err(redirect) => return Ok(redirect.into_response()),
    };
    let page = Chrome::new(&ctx);
    let t = page.t;
    let person = state.store.person(person_id).await?.ok_or(AppError::NotFound)?;
    let standing = standing(&state, person_id).await?;
    let content = state.home_content().await?;
    let learning = state.store.learning_totals(person_id).await?;

    let practice = standing.as_ref().map(|Standing { licence, .. }| PracticeView {
        status: licence.status.map(|s| t.get(s.message_key())).unwrap_or("").to_owned(),
        valid_until: t.date(licence.renewal_due),
        institution: licence.institution_name.clone().unwrap_or_else(|| t.get("home.none").to_owned()),
    });

    let HomeContent { quote, videos, quick_links, history_link, notices } = content;
    let quote_source =
        quote.as_ref().map(|q| t.format("home.quote_source", &[("source", &q.source)])).unwrap_or_default();
    let view = HomeView {
        welcome: page.format_html("home.welcome", &[("name", &person.name)]),
        quote,
        quote_source,
        has_more_videos: videos.len() > HOME_VIDEOS,
        video: videos.into_iter().next(),
        has_more_links: quick_links.len() > HOME_LINKS,
        quick_links: quick_links.into_iter().take(HOME_LINKS).collect(),
        history_link,
        notices,
        practice,
        points: points_view(t, &state, standing.as_ref().map(|s| &s.evaluation)),
        learning: learning_text(t, learning),
        page,
    };
    Ok(view.into_response())
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
    if let Err(redirect) = signed_in_person(&state, &ctx) {
        return Ok(redirect.into_response());
    }
    let content = state.home_content().await?;
    Ok(VideosView { page: Chrome::new(&ctx), videos: content.videos }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "links.html")]
pub struct LinksView {
    page: Chrome,
    links: Vec<Link>,
}

pub async fn links(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    if let Err(redirect) = signed_in_person(&state, &ctx) {
        return Ok(redirect.into_response());
    }
    let content = state.home_content().await?;
    Ok(LinksView { page: Chrome::new(&ctx), links: content.quick_links }.into_response())
}
