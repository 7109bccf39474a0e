//! The audit log, filtered by event, by days (Taiwan time) and by account, newest first.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use huzhu_store::audit::{AuditFilter, AuditRow};
use serde::Deserialize;

use super::{audit, taiwan_time, to_login};
use crate::error::AppError;
use crate::operator::OpsCtx;
use crate::page::Chrome;
use crate::state::AppState;

/// Records on one page.
const PAGE_SIZE: i64 = 50;
/// Characters of a user agent shown in the table; a longer one opens to its full text.
const USER_AGENT_SHOWN: usize = 40;
const TAIWAN_OFFSET_SECONDS: i64 = 8 * 3600;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    event: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    page: String,
}

pub struct RowView {
    pub at: String,
    pub event: String,
    pub outcome: String,
    pub account: String,
    pub subject: String,
    pub client_addr: String,
    /// The user agent as stored, and its first characters when it is too long for the table.
    pub user_agent: String,
    pub user_agent_short: Option<String>,
    pub request_id: String,
    pub operator: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "ops_audit.html")]
pub struct AuditView {
    page: Chrome,
    events: Vec<String>,
    event: String,
    from: String,
    to: String,
    account: String,
    from_error: Option<&'static str>,
    to_error: Option<&'static str>,
    account_error: Option<&'static str>,
    rows: Vec<RowView>,
    previous: Option<String>,
    next: Option<String>,
}

/// The first instant of a day in Taiwan.
fn start_of(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0) - TAIWAN_OFFSET_SECONDS
}

fn parse_day(typed: &str) -> Result<Option<NaiveDate>, &'static str> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(typed, "%Y-%m-%d")
        .or_else(|_| huzhu_core::roc::parse(typed))
        .map(Some)
        .map_err(|_| "ops.date_invalid")
}

/// The first [`USER_AGENT_SHOWN`] characters and an ellipsis, when there are more.
fn shortened(user_agent: &str) -> Option<String> {
    let mut chars = user_agent.chars();
    let head: String = chars.by_ref().take(USER_AGENT_SHOWN).collect();
    chars.next().map(|_| format!("{head}…"))
}

fn row_view(row: AuditRow) -> RowView {
    let user_agent = row.user_agent.unwrap_or_default();
    RowView {
        at: taiwan_time(row.at),
        event: row.event,
        outcome: row.outcome,
        account: row.account_id.map(|a| a.to_string()).unwrap_or_default(),
        subject: row.subject.unwrap_or_default(),
        client_addr: row.client_addr.unwrap_or_default(),
        user_agent_short: shortened(&user_agent),
        user_agent,
        request_id: row.request_id.unwrap_or_default(),
        operator: row.operator.unwrap_or_default(),
    }
}

/// The filters of a read of the log as its own audit record keeps them, e.g.
/// `event=ops_unlock from=2026-12-01 to=2026-12-04 account=12 page=1`; an empty filter as `-`.
fn filters_read(view: &AuditView, page: i64) -> String {
    let shown = |value: &str| if value.trim().is_empty() { "-".to_owned() } else { value.trim().to_owned() };
    format!(
        "event={} from={} to={} account={} page={page}",
        shown(&view.event),
        shown(&view.from),
        shown(&view.to),
        shown(&view.account)
    )
}

/// The address of another page of the same search.
fn page_link(query: &AuditQuery, page: i64) -> String {
    let pairs = [
        ("event", query.event.as_str()),
        ("from", query.from.as_str()),
        ("to", query.to.as_str()),
        ("account", query.account.as_str()),
        ("page", &page.to_string()),
    ];
    format!("?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

pub async fn page(
    State(state): State<AppState>,
    ops: OpsCtx,
    Query(query): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let Some(operator) = ops.operator() else {
        return Ok(to_login());
    };
    let from = parse_day(&query.from);
    let to = parse_day(&query.to);
    let account = query.account.trim();
    // Account numbers start at 1: a negative number or zero is refused like a word would be.
    let account_id = if account.is_empty() {
        Ok(None)
    } else {
        account.parse::<i64>().ok().filter(|n| *n > 0).map(Some).ok_or(())
    };
    // A last day before the first finds nothing: said next to the last day instead.
    let to = match (from, to) {
        (Ok(Some(first)), Ok(Some(last))) if last < first => Err("ops.to_before_from"),
        (_, to) => to,
    };
    let page_number = query.page.parse::<i64>().unwrap_or(1).clamp(1, 10_000);

    let mut view = AuditView {
        page: ops.chrome(),
        events: state.store.audit_events().await?,
        event: query.event.chars().take(40).collect(),
        from: query.from.chars().take(20).collect(),
        to: query.to.chars().take(20).collect(),
        account: account.chars().take(20).collect(),
        from_error: from.err(),
        to_error: to.err(),
        account_error: account_id.is_err().then_some("ops.account_invalid"),
        rows: Vec::new(),
        previous: None,
        next: None,
    };
    let (Ok(from), Ok(to), Ok(account_id)) = (from, to, account_id) else {
        return Ok(view.into_response());
    };
    // Events are chosen from a list; one holding a control character (PostgreSQL refuses NUL
    // in text) matches no event, so it is not asked for.
    if query.event.chars().any(char::is_control) {
        return Ok(view.into_response());
    }
    let event = Some(query.event.trim()).filter(|e| !e.is_empty());
    let filter = AuditFilter {
        event,
        from: from.map(start_of),
        until: to.and_then(|d| d.succ_opt()).map(start_of),
        account_id,
    };
    // One more than a page, to know whether there is a next page.
    let mut rows = state.store.search_audit(&filter, PAGE_SIZE + 1, (page_number - 1) * PAGE_SIZE).await?;
    if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        view.next = Some(page_link(&query, page_number + 1));
    }
    if page_number > 1 {
        view.previous = Some(page_link(&query, page_number - 1));
    }
    view.rows = rows.into_iter().map(row_view).collect();
    let subject = filters_read(&view, page_number);
    audit(&state, &ops, Some(&operator.name), "ops_audit_view", "succeeded", account_id, Some(&subject))
        .await?;
    Ok(view.into_response())
}
