//! Home page content: notices, quotes, videos and links, each with the days it is shown, and a
//! preview of what members see on a chosen day.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use huzhu_core::roc;
use huzhu_store::content::{ContentItem, ContentKind, HomeContent, NewContent, Validity};
use serde::Deserialize;

use super::{audit, to_login};
use crate::error::AppError;
use crate::operator::OpsCtx;
use crate::page::Chrome;
use crate::routes::paths;
use crate::session::see_other;
use crate::state::AppState;

/// How a form field is typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Text,
    Area,
    Url,
    Date,
    Number,
    Slot,
}

/// The catalog keys of a kind's name and of its add form's heading.
fn kind_keys(kind: ContentKind) -> (&'static str, &'static str) {
    match kind {
        ContentKind::Notice => ("ops.kind_notice", "ops.add_notice"),
        ContentKind::Quote => ("ops.kind_quote", "ops.add_quote"),
        ContentKind::Video => ("ops.kind_video", "ops.add_video"),
        ContentKind::Link => ("ops.kind_link", "ops.add_link"),
    }
}

/// One field of an add form.
#[derive(Debug, Clone, Copy)]
struct Spec {
    name: &'static str,
    label_key: &'static str,
    input: Input,
    max: usize,
    required: bool,
}

const fn field(name: &'static str, label_key: &'static str, input: Input, max: usize) -> Spec {
    Spec { name, label_key, input, max, required: true }
}

const SHOWN_FROM: Spec = Spec {
    name: "shown_from",
    label_key: "ops.field_shown_from",
    input: Input::Date,
    max: 20,
    required: false,
};
const SHOWN_UNTIL: Spec = Spec {
    name: "shown_until",
    label_key: "ops.field_shown_until",
    input: Input::Date,
    max: 20,
    required: false,
};
const POSITION: Spec =
    Spec { name: "position", label_key: "ops.field_position", input: Input::Number, max: 4, required: false };

fn specs(kind: ContentKind) -> Vec<Spec> {
    let own = match kind {
        ContentKind::Notice => vec![
            field("title", "ops.field_title", Input::Text, 100),
            field("body", "ops.field_body", Input::Area, 1000),
        ],
        ContentKind::Quote => vec![
            field("text", "ops.field_text", Input::Area, 300),
            field("source", "ops.field_source", Input::Text, 100),
        ],
        ContentKind::Video => vec![
            field("title", "ops.field_title", Input::Text, 100),
            field("platform", "ops.field_platform", Input::Text, 40),
            field("url", "ops.field_url", Input::Url, 500),
            field("summary", "ops.field_summary", Input::Area, 500),
            POSITION,
        ],
        ContentKind::Link => vec![
            field("title", "ops.field_title", Input::Text, 100),
            field("url", "ops.field_url", Input::Url, 500),
            field("slot", "ops.field_slot", Input::Slot, 10),
            POSITION,
        ],
    };
    own.into_iter().chain([SHOWN_FROM, SHOWN_UNTIL]).collect()
}

/// A field as the template draws it.
pub struct FieldView {
    pub name: &'static str,
    pub label_key: &'static str,
    pub input: Input,
    pub max: usize,
    pub required: bool,
    pub value: String,
    pub error: Option<&'static str>,
}

impl FieldView {
    pub fn is_area(&self) -> bool {
        self.input == Input::Area
    }

    pub fn is_slot(&self) -> bool {
        self.input == Input::Slot
    }

    /// The `type` of its `<input>`; dates are text so that ROC dates can be typed too.
    pub fn html_type(&self) -> &'static str {
        match self.input {
            Input::Url => "url",
            _ => "text",
        }
    }

    pub fn input_mode(&self) -> &'static str {
        match self.input {
            Input::Number => "numeric",
            Input::Url => "url",
            _ => "text",
        }
    }

    pub fn is_date(&self) -> bool {
        self.input == Input::Date
    }
}

/// An item in the list, with its days in words.
pub struct ItemView {
    pub id: i64,
    pub title: String,
    pub detail: String,
    pub url: String,
    pub shown: String,
    pub state_key: &'static str,
    /// The days as typed in its own small form: ISO, empty when open-ended.
    pub from: String,
    pub until: String,
    /// A problem with the days just typed for this item.
    pub error: Option<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "ops_content.html")]
pub struct ContentView {
    page: Chrome,
    kind: &'static str,
    kind_key: &'static str,
    add_key: &'static str,
    /// Each kind's name and the catalog key of its title, for the tabs.
    kinds: Vec<(&'static str, &'static str)>,
    items: Vec<ItemView>,
    fields: Vec<FieldView>,
    has_errors: bool,
    done: Option<&'static str>,
}

fn item_view(page: &Chrome, item: ContentItem, today: NaiveDate) -> ItemView {
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "…".to_owned());
    let state_key = if item.shown_until.is_some_and(|u| u < today) {
        "ops.state_ended"
    } else if item.shown_from.is_some_and(|f| f > today) {
        "ops.state_scheduled"
    } else {
        "ops.state_shown"
    };
    let shown = if item.shown_from.is_none() && item.shown_until.is_none() {
        page.t("ops.every_day").to_owned()
    } else {
        format!("{} – {}", day(item.shown_from), day(item.shown_until))
    };
    ItemView {
        id: item.id,
        title: item.title,
        detail: item.detail,
        url: item.url,
        shown,
        state_key,
        from: item.shown_from.map(|d| d.to_string()).unwrap_or_default(),
        until: item.shown_until.map(|d| d.to_string()).unwrap_or_default(),
        error: None,
    }
}

async fn render(
    state: &AppState,
    ops: &OpsCtx,
    kind: ContentKind,
    fields: Vec<FieldView>,
    done: Option<&'static str>,
    item_error: Option<DatesProblem>,
) -> Result<Response, AppError> {
    let page = ops.chrome();
    let today = state.clock.today();
    let items = state.store.list_content(kind).await?;
    let mut items: Vec<ItemView> = items.into_iter().map(|item| item_view(&page, item, today)).collect();
    if let Some(problem) = item_error
        && let Some(item) = items.iter_mut().find(|item| item.id == problem.id)
    {
        item.from = problem.from;
        item.until = problem.until;
        item.error = Some(problem.key);
    }
    let has_errors = fields.iter().any(|f| f.error.is_some()) || items.iter().any(|i| i.error.is_some());
    let view = ContentView {
        page,
        kind: kind.name(),
        kind_key: kind_keys(kind).0,
        add_key: kind_keys(kind).1,
        kinds: ContentKind::ALL.iter().map(|k| (k.name(), kind_keys(*k).0)).collect(),
        items,
        fields,
        has_errors,
        done,
    };
    Ok(view.into_response())
}

fn empty_fields(kind: ContentKind) -> Vec<FieldView> {
    specs(kind)
        .into_iter()
        .map(|spec| FieldView {
            name: spec.name,
            label_key: spec.label_key,
            input: spec.input,
            max: spec.max,
            required: spec.required,
            value: if spec.input == Input::Slot { "quick".to_owned() } else { String::new() },
            error: None,
        })
        .collect()
}

fn kind_of(name: &str) -> Result<ContentKind, AppError> {
    ContentKind::from_name(name).ok_or(AppError::NotFound)
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The content index: the first kind's page.
pub async fn index(ops: OpsCtx) -> Result<Response, AppError> {
    if ops.operator().is_none() {
        return Ok(to_login());
    }
    Ok(see_other(&format!("{}/{}", paths::OPS_CONTENT, ContentKind::Notice.name())))
}

pub async fn kind_page(
    State(state): State<AppState>,
    ops: OpsCtx,
    Path(kind): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, AppError> {
    if ops.operator().is_none() {
        return Ok(to_login());
    }
    let kind = kind_of(&kind)?;
    let done = match query.done.as_deref() {
        Some("added") => Some("ops.done_added"),
        Some("deleted") => Some("ops.done_deleted"),
        Some("dates") => Some("ops.done_dates"),
        _ => None,
    };
    render(&state, &ops, kind, empty_fields(kind), done, None).await
}

/// A date typed as 2026-12-04 or in the ROC form (115/12/04).
fn parse_day(typed: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(typed, "%Y-%m-%d").ok().or_else(|| roc::parse(typed).ok())
}

/// Checks one field, returning the message key of its problem.
fn check(spec: &Spec, value: &str) -> Option<&'static str> {
    if value.is_empty() {
        return spec.required.then_some("ops.field_missing");
    }
    if value.chars().count() > spec.max {
        return Some("ops.field_too_long");
    }
    if has_control(value, spec.input == Input::Area) {
        return Some("ops.field_control");
    }
    match spec.input {
        Input::Url if !is_web_address(value) => Some("ops.url_invalid"),
        Input::Date if parse_day(value).is_none() => Some("ops.date_invalid"),
        Input::Number if !value.parse::<u16>().is_ok_and(|n| n <= 999) => Some("ops.position_invalid"),
        Input::Slot if value != "quick" && value != "history" => Some("ops.slot_invalid"),
        _ => None,
    }
}

/// Whether `value` is a web address with a host and no user name, typed as one. Only web addresses: a
/// `javascript:` link on the members' page would run in their session. The text is checked as
/// typed (no whitespace) before it is parsed, since the parser quietly drops tabs and line
/// breaks and trims spaces.
fn is_web_address(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://"))
        || value.chars().any(char::is_whitespace)
    {
        return false;
    }
    // No user name in it either: `https://moh.gov.tw@example.com` goes to example.com.
    url::Url::parse(value).is_ok_and(|url| {
        url.host_str().is_some_and(|host| !host.is_empty())
            && url.username().is_empty()
            && url.password().is_none()
    })
}

/// Whether `value` holds a control character (NUL, escape, bell …): nothing a member should
/// see, and PostgreSQL refuses NUL in text outright. Multi-line fields may hold tabs and line
/// breaks (a browser sends CR LF).
fn has_control(value: &str, multi_line: bool) -> bool {
    value.chars().any(|c| c.is_control() && !(multi_line && matches!(c, '\t' | '\n' | '\r')))
}

/// Reads the form into fields with their problems noted.
fn read_form(kind: ContentKind, form: &HashMap<String, String>) -> Vec<FieldView> {
    let mut fields = empty_fields(kind);
    for (field, spec) in fields.iter_mut().zip(specs(kind)) {
        field.value = form.get(spec.name).map(|v| v.trim().to_owned()).unwrap_or_default();
        field.error = check(&spec, &field.value);
    }
    let day = |name: &str| {
        fields.iter().find(|f| f.name == name && f.error.is_none()).and_then(|f| parse_day(&f.value))
    };
    if let (Some(from), Some(until)) = (day("shown_from"), day("shown_until"))
        && until < from
        && let Some(field) = fields.iter_mut().find(|f| f.name == "shown_until")
    {
        field.error = Some("ops.until_before_from");
    }
    fields
}

fn value<'a>(fields: &'a [FieldView], name: &str) -> &'a str {
    fields.iter().find(|f| f.name == name).map(|f| f.value.as_str()).unwrap_or("")
}

fn new_content<'a>(kind: ContentKind, fields: &'a [FieldView]) -> NewContent<'a> {
    let position = value(fields, "position").parse().unwrap_or(0);
    match kind {
        ContentKind::Notice => {
            NewContent::Notice { title: value(fields, "title"), body: value(fields, "body") }
        }
        ContentKind::Quote => {
            NewContent::Quote { text: value(fields, "text"), source: value(fields, "source") }
        }
        ContentKind::Video => NewContent::Video {
            title: value(fields, "title"),
            platform: value(fields, "platform"),
            url: value(fields, "url"),
            summary: value(fields, "summary"),
            position,
        },
        ContentKind::Link => NewContent::Link {
            slot: value(fields, "slot"),
            title: value(fields, "title"),
            url: value(fields, "url"),
            position,
        },
    }
}

/// Characters of a title or quote an audit record keeps.
const EXCERPT_CHARS: usize = 30;

/// What the audit record of a change says about its item: kind and number, the start of its
/// title (of its text for a quote) and the days it is shown after the change (`-` for no
/// limit), e.g. `notice 7「停電通知」 2026-12-01..-`. Line breaks become spaces.
fn content_subject(kind: ContentKind, id: i64, headline: &str, shown: Validity) -> String {
    let mut excerpt: String =
        headline.chars().take(EXCERPT_CHARS).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if headline.chars().count() > EXCERPT_CHARS {
        excerpt.push('…');
    }
    let day = |day: Option<NaiveDate>| day.map_or_else(|| "-".to_owned(), |d| d.to_string());
    format!("{} {id}「{excerpt}」 {}..{}", kind.name(), day(shown.from), day(shown.until))
}

pub async fn add(
    State(state): State<AppState>,
    ops: OpsCtx,
    Path(kind): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let Some(operator) = ops.operator() else {
        return Ok(to_login());
    };
    ops.check_csrf(form.get("csrf").map(String::as_str).unwrap_or(""))?;
    let kind = kind_of(&kind)?;
    let fields = read_form(kind, &form);
    if fields.iter().any(|f| f.error.is_some()) {
        return render(&state, &ops, kind, fields, None, None).await;
    }
    let shown = Validity {
        from: parse_day(value(&fields, "shown_from")),
        until: parse_day(value(&fields, "shown_until")),
    };
    let id = state.store.add_content_shown(&new_content(kind, &fields), shown).await?;
    state.forget_home_content();
    let headline = value(&fields, if kind == ContentKind::Quote { "text" } else { "title" });
    let subject = content_subject(kind, id, headline, shown);
    audit(&state, &ops, Some(&operator.name), "ops_content_add", kind.name(), None, Some(&subject)).await?;
    Ok(see_other(&format!("{}/{}?done=added", paths::OPS_CONTENT, kind.name())))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    csrf: String,
}

pub async fn delete(
    State(state): State<AppState>,
    ops: OpsCtx,
    Path((kind, id)): Path<(String, i64)>,
    Form(form): Form<DeleteForm>,
) -> Result<Response, AppError> {
    let Some(operator) = ops.operator() else {
        return Ok(to_login());
    };
    ops.check_csrf(&form.csrf)?;
    let kind = kind_of(&kind)?;
    let item = state.store.content_item(kind, id).await?.ok_or(AppError::NotFound)?;
    if !state.store.delete_content(kind, id).await? {
        return Err(AppError::NotFound);
    }
    state.forget_home_content();
    let shown = Validity { from: item.shown_from, until: item.shown_until };
    let subject = content_subject(kind, id, &item.title, shown);
    audit(&state, &ops, Some(&operator.name), "ops_content_delete", kind.name(), None, Some(&subject))
        .await?;
    Ok(see_other(&format!("{}/{}?done=deleted", paths::OPS_CONTENT, kind.name())))
}

/// Days typed for one item that could not be used.
pub struct DatesProblem {
    id: i64,
    from: String,
    until: String,
    key: &'static str,
}

#[derive(Deserialize)]
pub struct DatesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    shown_from: String,
    #[serde(default)]
    shown_until: String,
}

/// The days of a dates form, or the message key of their problem.
fn read_dates(form: &DatesForm) -> Result<Validity, &'static str> {
    let day = |typed: &str| {
        let typed = typed.trim();
        if typed.is_empty() { Ok(None) } else { parse_day(typed).map(Some).ok_or("ops.date_invalid") }
    };
    let shown = Validity { from: day(&form.shown_from)?, until: day(&form.shown_until)? };
    match (shown.from, shown.until) {
        (Some(from), Some(until)) if until < from => Err("ops.until_before_from"),
        _ => Ok(shown),
    }
}

/// Changes the days an item is shown: to end a notice early, or to bring a quote back.
pub async fn set_dates(
    State(state): State<AppState>,
    ops: OpsCtx,
    Path((kind, id)): Path<(String, i64)>,
    Form(form): Form<DatesForm>,
) -> Result<Response, AppError> {
    let Some(operator) = ops.operator() else {
        return Ok(to_login());
    };
    ops.check_csrf(&form.csrf)?;
    let kind = kind_of(&kind)?;
    let shown = match read_dates(&form) {
        Ok(shown) => shown,
        Err(key) => {
            let from = form.shown_from.trim().chars().take(20).collect();
            let until = form.shown_until.trim().chars().take(20).collect();
            let problem = DatesProblem { id, from, until, key };
            return render(&state, &ops, kind, empty_fields(kind), None, Some(problem)).await;
        }
    };
    let item = state.store.content_item(kind, id).await?.ok_or(AppError::NotFound)?;
    if !state.store.set_content_dates(kind, id, shown).await? {
        return Err(AppError::NotFound);
    }
    state.forget_home_content();
    let subject = content_subject(kind, id, &item.title, shown);
    audit(&state, &ops, Some(&operator.name), "ops_content_dates", kind.name(), None, Some(&subject)).await?;
    Ok(see_other(&format!("{}/{}?done=dates", paths::OPS_CONTENT, kind.name())))
}

#[derive(Template, WebTemplate)]
#[template(path = "ops_preview.html")]
pub struct PreviewView {
    page: Chrome,
    day: String,
    day_words: String,
    day_error: bool,
    content: HomeContent,
}

#[derive(Deserialize)]
pub struct PreviewQuery {
    date: Option<String>,
}

/// What members see on the chosen day (today by default), drawn like the home page's blocks.
pub async fn preview(
    State(state): State<AppState>,
    ops: OpsCtx,
    Query(query): Query<PreviewQuery>,
) -> Result<Response, AppError> {
    if ops.operator().is_none() {
        return Ok(to_login());
    }
    let typed = query.date.unwrap_or_default();
    let parsed = parse_day(typed.trim());
    let day = parsed.unwrap_or_else(|| state.clock.today());
    let content = state.store.home_content(day).await?;
    let page = ops.chrome();
    let view = PreviewView {
        day_words: page.date(day),
        day: day.to_string(),
        day_error: !typed.trim().is_empty() && parsed.is_none(),
        content,
        page,
    };
    Ok(view.into_response())
}
