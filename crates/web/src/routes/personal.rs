//! 更多個人資料: the member's certificates, licence, practice history, CE summary and learning
//! record; the resume PDF she downloads; the list of resumes she issued, with revocation; and
//! the public page where an employer verifies a resume by its code.
//!
//! No route here takes a person's identifier: the person is always the session's.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate};
use huzhu_core::id::IdNumber;
use huzhu_core::licence::application_opens;
use huzhu_core::resume::{CODE_SYMBOLS, format_code, in_force, mask_name, normalize_code};
use huzhu_core::roc;
use huzhu_store::member::{LicenceSummary, PersonRow};
use huzhu_store::personal::{CertificateRow, LicenceHistory, NewResume};
use serde::Deserialize;

use crate::error::AppError;
use crate::i18n::{Lang, Messages};
use crate::page::Chrome;
use crate::routes::{member, paths, resume_pdf};
use crate::session::{Ctx, hash_token, see_other};
use crate::standing;
use crate::state::AppState;

/// The CE query page (查詢護產積分) the summary links to.
pub const CE_PAGE: &str = paths::CE;

/// Everything the page and the resume say about the member, in one language.
pub struct Personal {
    pub name: String,
    pub masked_id: String,
    pub full_id: String,
    pub certificates: Vec<CertificateView>,
    pub licence: Option<LicenceView>,
    pub timeline: Vec<TimelineLicence>,
    pub points: String,
    pub points_window: String,
    pub learning: Vec<LearningView>,
    pub learning_total: String,
}

pub struct CertificateView {
    pub profession: String,
    pub number: String,
    pub issued: String,
    pub status: String,
}

pub struct LicenceView {
    pub licence_id: i64,
    pub profession: String,
    pub number: String,
    pub authority: String,
    pub institution: String,
    pub registered: String,
    pub due_roc: String,
    pub due_iso: String,
    pub status: String,
    pub days_left: String,
    pub window_opens: String,
}

pub struct TimelineLicence {
    pub heading: String,
    pub institution: String,
    pub events: Vec<TimelineEvent>,
}

pub struct TimelineEvent {
    pub date: String,
    pub iso: String,
    pub kind: String,
    pub note: String,
}

pub struct LearningView {
    pub course: String,
    pub completed: String,
    pub duration: String,
}

pub struct ResumeListItem {
    pub resume_id: i64,
    pub hint: String,
    pub issued: String,
    pub language: String,
    pub revoked: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "personal.html")]
pub struct PersonalView {
    page: Chrome,
    me: Personal,
    show_id: bool,
    ce_page: &'static str,
    resumes: Vec<ResumeListItem>,
    /// A message above the download button (rate limit, fonts missing).
    download_error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    show_id: Option<String>,
    #[serde(default)]
    revoked: Option<String>,
}

#[derive(Deserialize)]
pub struct ResumeForm {
    csrf: String,
    #[serde(default)]
    language: String,
}

#[derive(Deserialize)]
pub struct RevokeForm {
    csrf: String,
    resume_id: String,
}

/// A date in the page's language: ROC in Chinese (the Gregorian date beside it is added where
/// the page asks for both), ISO in English.
/// A date in the member's language, as on every other page.
pub fn show_date(lang: Lang, date: NaiveDate) -> String {
    lang.messages().date(date)
}

/// An instant in the member's language, Taiwan time: the date as on every page, then hh:mm.
pub fn show_instant(lang: Lang, seconds: i64) -> String {
    // Taiwan time, UTC+8, as everywhere on the portal.
    let at = DateTime::from_timestamp(seconds + 8 * 3600, 0).unwrap_or_default().naive_utc();
    format!("{} {}", show_date(lang, at.date()), at.format("%H:%M"))
}

/// Reads everything about the member in `lang`.
pub async fn gather(state: &AppState, person: &PersonRow, lang: Lang) -> Result<Personal, AppError> {
    let t = lang.messages();
    let person_id = person.person_id;
    let today = state.clock.today();
    let certificates = state.store.certificates(person_id).await?;
    let history = state.store.licence_history(person_id).await?;
    let learning = state.store.learning(person_id).await?;
    // The same standing as the home page and the CE page: one function decides the number.
    let standing = standing::standing(state, person_id).await?;
    let current = standing.as_ref().map(|s| s.licence.clone());

    let (points, points_window) = match &standing {
        Some(standing) => {
            let evaluation = &standing.evaluation;
            let window = evaluation.window;
            let from = show_date(lang, window.first_day);
            let to = show_date(lang, window.last_day);
            (
                format!("{} / {}", evaluation.total, evaluation.rules.total_required),
                t.format("home.points_window", &[("from", &from), ("to", &to)]),
            )
        }
        None => (format!("0.00 / {}", state.rules_today().total_required), String::new()),
    };
    let id = IdNumber::parse(&person.id_number).ok();
    let total_minutes: i64 = learning.iter().map(|l| l.minutes).sum();
    Ok(Personal {
        name: person.name.clone(),
        masked_id: id.as_ref().map(IdNumber::masked).unwrap_or_default(),
        full_id: id.map(|id| id.as_str().to_owned()).unwrap_or_default(),
        certificates: certificates.iter().map(|c| certificate_view(t, lang, c)).collect(),
        licence: current.as_ref().map(|l| licence_view(t, lang, l, today)),
        timeline: history.iter().map(|h| timeline_view(t, lang, h)).collect(),
        points,
        points_window,
        learning_total: t.format(
            "personal.learning_total",
            &[
                ("courses", &learning.len().to_string()),
                ("hours", &(total_minutes / 60).to_string()),
                ("minutes", &(total_minutes % 60).to_string()),
            ],
        ),
        learning: learning
            .into_iter()
            .map(|l| LearningView {
                course: l.course,
                completed: show_date(lang, l.completed_on),
                duration: t.format("personal.minutes", &[("minutes", &l.minutes.to_string())]),
            })
            .collect(),
    })
}

fn certificate_view(t: &Messages, lang: Lang, c: &CertificateRow) -> CertificateView {
    CertificateView {
        profession: c.profession.map(|p| t.get(p.message_key())).unwrap_or("").to_owned(),
        number: c.number.clone(),
        issued: show_date(lang, c.issued_on),
        // The registry's certificate records carry no status of their own: a certificate stays
        // valid unless it is revoked, and revocations are not part of the imported data yet.
        status: t.get("personal.certificate_valid").to_owned(),
    }
}

fn licence_view(t: &Messages, lang: Lang, l: &LicenceSummary, today: NaiveDate) -> LicenceView {
    let days = (l.renewal_due - today).num_days();
    let days_left = if days > 0 {
        t.format("personal.days_left", &[("days", &days.to_string())])
    } else {
        t.get("personal.overdue").to_owned()
    };
    LicenceView {
        licence_id: l.licence_id,
        profession: l.profession.map(|p| t.get(p.message_key())).unwrap_or("").to_owned(),
        number: l.number.clone(),
        authority: l.authority.clone(),
        institution: l.institution_name.clone().unwrap_or_else(|| t.get("home.none").to_owned()),
        registered: show_date(lang, l.registered_on),
        due_roc: roc::format_long(l.renewal_due),
        due_iso: l.renewal_due.format("%Y-%m-%d").to_string(),
        status: l.status.map(|s| t.get(s.message_key())).unwrap_or("").to_owned(),
        days_left,
        window_opens: show_date(lang, application_opens(l.renewal_due)),
    }
}

fn timeline_view(t: &Messages, lang: Lang, h: &LicenceHistory) -> TimelineLicence {
    let l = &h.licence;
    let profession = l.profession.map(|p| t.get(p.message_key())).unwrap_or("");
    TimelineLicence {
        heading: format!("{profession} {}（{}）", l.number, l.authority),
        institution: l.institution_name.clone().unwrap_or_else(|| t.get("home.none").to_owned()),
        events: h
            .events
            .iter()
            .map(|e| TimelineEvent {
                date: show_date(lang, e.date),
                iso: e.date.format("%Y-%m-%d").to_string(),
                kind: e.kind.map(|k| t.get(event_key(k.code()))).unwrap_or("").to_owned(),
                note: e.note.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

fn event_key(code: &str) -> &'static str {
    match code {
        "registered" => "personal.event_registered",
        "renewed" => "personal.event_renewed",
        "suspended" => "personal.event_suspended",
        "resumed" => "personal.event_resumed",
        "closed" => "personal.event_closed",
        "moved_workplace" => "personal.event_moved_workplace",
        "cancelled" => "personal.event_cancelled",
        _ => "personal.event_annulled",
    }
}

async fn resume_list(state: &AppState, person_id: i64, lang: Lang) -> Result<Vec<ResumeListItem>, AppError> {
    let t = lang.messages();
    Ok(state
        .store
        .resumes_of(person_id)
        .await?
        .into_iter()
        .map(|r| ResumeListItem {
            resume_id: r.resume_id,
            hint: format!("{}-…", r.code_hint),
            issued: show_instant(lang, r.issued_at),
            language: t
                .get(if r.language == "en" { "personal.language_en" } else { "personal.language_zh" })
                .to_owned(),
            revoked: r.revoked_at.map(|at| show_instant(lang, at)),
        })
        .collect())
}

async fn render_page(
    state: &AppState,
    ctx: &Ctx,
    person: &PersonRow,
    show_id: bool,
    download_error: Option<String>,
    notice: Option<String>,
) -> Result<PersonalView, AppError> {
    Ok(PersonalView {
        me: gather(state, person, ctx.lang).await?,
        resumes: resume_list(state, person.person_id, ctx.lang).await?,
        page: Chrome::new(ctx),
        show_id,
        ce_page: CE_PAGE,
        download_error,
        notice,
    })
}

async fn signed_in(state: &AppState, ctx: &Ctx) -> Result<Result<PersonRow, Response>, AppError> {
    let person_id = match member::signed_in_person(state, ctx) {
        Ok(person_id) => person_id,
        Err(redirect) => return Ok(Err(redirect.into_response())),
    };
    Ok(Ok(state.store.person(person_id).await?.ok_or(AppError::NotFound)?))
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<PageQuery>,
) -> Result<Response, AppError> {
    let person = match signed_in(&state, &ctx).await? {
        Ok(person) => person,
        Err(redirect) => return Ok(redirect),
    };
    let notice = query.revoked.map(|_| ctx.lang.messages().get("personal.revoked_notice").to_owned());
    let view = render_page(&state, &ctx, &person, query.show_id.is_some(), None, notice).await?;
    Ok(view.into_response())
}

/// Issues a resume: records its code and facts, then sends the PDF.
pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<ResumeForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&form.csrf)?;
    let person = match signed_in(&state, &ctx).await? {
        Ok(person) => person,
        Err(redirect) => return Ok(redirect),
    };
    let t = ctx.lang.messages();
    let now = state.now();
    let window = now - now.rem_euclid(3600);
    let hits = state.store.count_hit("resume", &person.person_id.to_string(), window).await?;
    if hits > state.config.resume_downloads_per_hour {
        let message =
            t.format("personal.too_many", &[("limit", &state.config.resume_downloads_per_hour.to_string())]);
        let view = render_page(&state, &ctx, &person, false, Some(message), None).await?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, view).into_response());
    }

    let lang = if form.language == "en" { Lang::En } else { Lang::ZhTw };
    let me = gather(&state, &person, lang).await?;
    let code = new_code();
    let verify_url = format!("{}{}/{code}", state.config.public_url(), paths::VERIFY);
    let issued = show_instant(lang, now);
    let input =
        resume_pdf::ResumeInput { me: &me, lang, code: &code, verify_url: &verify_url, issued: &issued };
    let facts = resume_pdf::facts(&input);

    let built = {
        let state = state.clone();
        let (me_code, url, issued) = (code.clone(), verify_url.clone(), issued.clone());
        tokio::task::spawn_blocking(move || -> Result<Vec<u8>, String> {
            let fonts = state.pdf_fonts()?;
            let input =
                resume_pdf::ResumeInput { me: &me, lang, code: &me_code, verify_url: &url, issued: &issued };
            resume_pdf::render(fonts, &input).map_err(|error| error.to_string())
        })
        .await
        .map_err(|error| AppError::Unexpected(anyhow::anyhow!("the PDF task failed: {error}")))?
    };
    let pdf = match built {
        Ok(pdf) => pdf,
        Err(error) => {
            tracing::error!(error, "could not make a resume PDF");
            let message = t.get("personal.pdf_failed").to_owned();
            let view = render_page(&state, &ctx, &person, false, Some(message), None).await?;
            return Ok((StatusCode::INTERNAL_SERVER_ERROR, view).into_response());
        }
    };

    let plain = normalize_code(&code).unwrap_or_default();
    let licence_id = gather_licence_id(&state, person.person_id).await?;
    state
        .store
        .record_resume(&NewResume {
            person_id: person.person_id,
            code_hash: &hash_token(&plain),
            code_hint: code.split('-').next().unwrap_or_default(),
            language: lang.tag(),
            masked_name: &mask_name(&person.name),
            licence_id,
            issued_at: now,
            facts: &facts,
        })
        .await?;
    tracing::info!(person = %mask_id(&person.id_number), bytes = pdf.len(), "resume issued");
    Ok(pdf_response(pdf, "resume.pdf", &t.format("personal.file_name", &[("name", &person.name)])))
}

async fn gather_licence_id(state: &AppState, person_id: i64) -> Result<Option<i64>, AppError> {
    Ok(state.store.current_licence(person_id).await?.map(|l| l.licence_id))
}

fn mask_id(id: &str) -> String {
    IdNumber::parse(id).map(|id| id.masked()).unwrap_or_else(|_| "?".to_owned())
}

/// 80 random bits as a code such as `7K2M-…`.
fn new_code() -> String {
    let bytes: [u8; CODE_SYMBOLS] = rand::random();
    format_code(&bytes)
}

/// A PDF download that is never cached: `fallback` is a plain ASCII file name for old clients,
/// `file_name` the member's own (any Unicode, percent-encoded as RFC 6266 asks).
pub fn pdf_response(pdf: Vec<u8>, fallback: &str, file_name: &str) -> Response {
    let disposition =
        format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{}", encode_rfc5987(file_name));
    let mut response = pdf.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Percent-encodes every byte outside RFC 5987's attr-char, so quotes, semicolons, line breaks
/// and any Unicode in a name stay inside the parameter.
pub fn encode_rfc5987(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<RevokeForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&form.csrf)?;
    let person = match signed_in(&state, &ctx).await? {
        Ok(person) => person,
        Err(redirect) => return Ok(redirect),
    };
    // An id that is not a number, or not one of hers, changes nothing: the store only revokes
    // her own resumes.
    if let Ok(resume_id) = form.resume_id.trim().parse::<i64>() {
        state.store.revoke_resume(person.person_id, resume_id, state.now()).await?;
    }
    Ok(see_other(&format!("{}?revoked=1", paths::PERSONAL)))
}

#[derive(Template, WebTemplate)]
#[template(path = "verify.html")]
pub struct VerifyView {
    page: Chrome,
    outcome: VerifyOutcome,
}

pub enum VerifyOutcome {
    Genuine { name: String, issued: String, facts: Vec<(String, String)>, in_force: bool, today: String },
    Revoked { revoked: String },
    Unknown,
    TooMany,
}

pub async fn verify(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let now = state.now();
    let window = now - now.rem_euclid(60);
    let address = ctx.client_addr.map(|a| a.to_string()).unwrap_or_default();
    let hits = state.store.count_hit("verify", &address, window).await?;
    let page = Chrome::new(&ctx);
    if hits > state.config.verify_requests_per_minute {
        let view = VerifyView { page, outcome: VerifyOutcome::TooMany };
        return Ok((StatusCode::TOO_MANY_REQUESTS, view).into_response());
    }
    let found = match normalize_code(&code) {
        Some(plain) => state.store.verify_resume(&hash_token(&plain)).await?,
        None => None,
    };
    let lang = ctx.lang;
    let today = state.clock.today();
    let outcome = match found {
        None => VerifyOutcome::Unknown,
        Some(v) => match v.revoked_at {
            Some(at) => VerifyOutcome::Revoked { revoked: show_instant(lang, at) },
            None => VerifyOutcome::Genuine {
                name: v.masked_name,
                issued: show_instant(lang, v.issued_at),
                facts: v.facts,
                in_force: v.licence_due.is_some_and(|due| in_force(v.licence_status, due, today)),
                today: show_date(lang, today),
            },
        },
    };
    let status =
        if matches!(outcome, VerifyOutcome::Unknown) { StatusCode::NOT_FOUND } else { StatusCode::OK };
    Ok((status, VerifyView { page, outcome }).into_response())
}
