//! 查詢護產積分: every CE record with what counted and why, the summary against the rule for
//! the current licence window, the ways back after 歇業, each profession of a member with two
//! qualifications, and the CSV and PDF exports.
//!
//! The summary comes from [`standing`], the same function as the home page's number. The PDF
//! report is laid out in `routes/ce_pdf.rs` with the resume's document code and fonts.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use huzhu_core::licence::{Window, application_opens};
use huzhu_core::points::Points;
use huzhu_core::profession::PracticeStatus;
use huzhu_core::reentry::{Route, required, return_paths};
use huzhu_core::registry::Role;
use huzhu_core::roc;
use huzhu_core::rules::{Activity, CapPeriod, Category, Credit, Evaluation, Outcome, Reason, evaluate};
use huzhu_store::ce::{CreditRecord, RecordFilter, RecordOrder};

use crate::error::AppError;
use crate::i18n::Messages;
use crate::page::Chrome;
use crate::routes::member::signed_in_person;
use crate::routes::personal::{pdf_response, show_instant};
use crate::routes::{ce_pdf, paths};
use crate::session::Ctx;
use crate::standing::{Standing, evaluate_window, missing_sentence, standing};
use crate::state::AppState;

/// Records per page.
const PAGE_SIZE: i64 = 50;

/// The page's query string, as typed: every field is text so that nothing a member types is
/// refused before it can be shown back with a message.
#[derive(Debug, Default)]
pub struct CeQuery {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
    category: Option<String>,
    activity: Option<String>,
    online: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

impl CeQuery {
    /// Reads a query string; a malformed one, unknown keys and repeated keys (the last wins)
    /// are not errors, so the page always answers.
    fn parse(raw: Option<&str>) -> CeQuery {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default();
        let mut query = CeQuery::default();
        for (key, value) in pairs {
            let slot = match key.as_str() {
                "period" => &mut query.period,
                "from" => &mut query.from,
                "to" => &mut query.to,
                "category" => &mut query.category,
                "activity" => &mut query.activity,
                "online" => &mut query.online,
                "sort" => &mut query.sort,
                "page" => &mut query.page,
                _ => continue,
            };
            *slot = Some(value);
        }
        query
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    Current,
    All,
    Custom,
}

/// The query, understood.
struct Request {
    period: Period,
    filter: RecordFilter,
    order: RecordOrder,
    page: i64,
    from_error: Option<String>,
    to_error: Option<String>,
}

const ORDERS: [(&str, RecordOrder); 5] = [
    ("date_desc", RecordOrder::NewestFirst),
    ("date_asc", RecordOrder::OldestFirst),
    ("points_desc", RecordOrder::MostPoints),
    ("points_asc", RecordOrder::FewestPoints),
    ("title", RecordOrder::Title),
];

fn text(value: &Option<String>) -> &str {
    value.as_deref().map(str::trim).unwrap_or("")
}

/// A date typed as ISO (what `<input type="date">` sends) or in ROC form (113/05/31).
fn parse_date(input: &str) -> Result<Option<NaiveDate>, ()> {
    if input.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(input, "%Y-%m-%d").or_else(|_| roc::parse(input)).map(Some).map_err(|_| ())
}

fn understand(query: &CeQuery, t: &Messages, window: Option<Window>) -> Request {
    let period = match text(&query.period) {
        "custom" => Period::Custom,
        "all" => Period::All,
        _ if window.is_some() => Period::Current,
        _ => Period::All,
    };
    let mut request = Request {
        period,
        filter: RecordFilter {
            category: Category::from_code(text(&query.category)),
            activity: text(&query.activity).parse::<u8>().ok().filter(|a| (1..=9).contains(a)).map(Activity),
            online: match text(&query.online) {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            ..RecordFilter::default()
        },
        order: ORDERS
            .iter()
            .find(|(code, _)| *code == text(&query.sort))
            .map(|(_, o)| *o)
            .unwrap_or_default(),
        page: text(&query.page).parse::<i64>().ok().filter(|p| *p >= 1).unwrap_or(1),
        from_error: None,
        to_error: None,
    };
    match (period, window) {
        (Period::Current, Some(window)) => {
            request.filter.first_day = Some(window.first_day);
            request.filter.last_day = Some(window.last_day);
        }
        (Period::Custom, _) => {
            match parse_date(text(&query.from)) {
                Ok(day) => request.filter.first_day = day,
                Err(()) => request.from_error = Some(t.get("ce.date_invalid").to_owned()),
            }
            match parse_date(text(&query.to)) {
                Ok(day) => request.filter.last_day = day,
                Err(()) => request.to_error = Some(t.get("ce.date_invalid").to_owned()),
            }
            if let (Some(from), Some(to)) = (request.filter.first_day, request.filter.last_day)
                && from > to
            {
                request.to_error = Some(t.get("ce.date_order").to_owned());
                request.filter.last_day = None;
            }
        }
        _ => {}
    }
    request
}

#[derive(Template, WebTemplate)]
#[template(path = "ce.html")]
pub struct CeView {
    page: Chrome,
    summary: Option<SummaryView>,
    chart: Option<ChartView>,
    reentry: Option<ReentryView>,
    professions: Vec<ProfessionView>,
    form: FormView,
    records: Vec<RecordView>,
    count_text: String,
    pager: Vec<PageLink>,
    csv_href: String,
    pdf_href: String,
}

pub struct SummaryView {
    window: String,
    due: String,
    opens: String,
    days_left: String,
    total: String,
    required: String,
    met: bool,
    other: String,
    infection: String,
    gender: String,
    categories: Vec<(String, String)>,
    caps: Vec<CapView>,
    missing: String,
}

pub struct CapView {
    name: String,
    used: String,
    offered: String,
    cap: String,
}

/// A chart of bars drawn by the server: no script, no inline style (the CSP forbids both), only
/// SVG presentation attributes.
pub struct ChartView {
    title: String,
    description: String,
    bars: Vec<BarView>,
    legend: Vec<LegendView>,
}

pub struct BarView {
    label: String,
    label_y: i64,
    y: i64,
    track: i64,
    segments: Vec<SegmentView>,
    markers: Vec<MarkerView>,
}

pub struct SegmentView {
    x: i64,
    width: i64,
    fill: &'static str,
}

pub struct MarkerView {
    x: i64,
    label: String,
    label_x: i64,
}

pub struct LegendView {
    x: i64,
    fill: &'static str,
    label: String,
}

pub struct ReentryView {
    intro: String,
    paths: Vec<ReturnPathView>,
}

pub struct ReturnPathView {
    title: String,
    detail: String,
    progress: Option<String>,
    met: bool,
}

pub struct ProfessionView {
    profession: String,
    status: String,
    due: String,
    points: String,
}

pub struct FormView {
    periods: Vec<Choice>,
    from: String,
    to: String,
    from_error: Option<String>,
    to_error: Option<String>,
    categories: Vec<Choice>,
    activities: Vec<Choice>,
    online: Vec<Choice>,
    sorts: Vec<Choice>,
}

pub struct Choice {
    value: String,
    label: String,
    selected: bool,
}

pub struct RecordView {
    date: String,
    title: String,
    course_code: String,
    organiser: String,
    reviewer: String,
    activity: String,
    role: String,
    category: String,
    flags: String,
    online: String,
    is_online: bool,
    points: String,
    counted: String,
    status: String,
    status_class: &'static str,
    reasons: Vec<String>,
}

pub struct PageLink {
    label: String,
    href: String,
    current: bool,
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let query = CeQuery::parse(raw.as_deref());
    let person_id = match signed_in_person(&state, &ctx) {
        Ok(person_id) => person_id,
        Err(redirect) => return Ok(redirect.into_response()),
    };
    let page = Chrome::new(&ctx);
    let t = page.t;
    let standing = standing(&state, person_id).await?;
    let request = understand(&query, t, standing.as_ref().map(|s| s.evaluation.window));

    let count = state.store.count_credit_records(person_id, &request.filter).await?;
    let last_page = ((count + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let current_page = request.page.min(last_page);
    let records = state
        .store
        .credit_records(
            person_id,
            &request.filter,
            request.order,
            Some(((current_page - 1) * PAGE_SIZE, PAGE_SIZE)),
        )
        .await?;

    let today = state.clock.today();
    let view = CeView {
        summary: standing.as_ref().map(|s| summary_view(t, s, today)),
        chart: standing.as_ref().map(|s| chart_view(t, &s.evaluation)),
        reentry: reentry_view(&state, t, person_id, standing.as_ref(), today).await?,
        professions: professions_view(&state, t, person_id).await?,
        form: form_view(t, &query, &request, standing.is_some()),
        records: {
            let judge = Judge::new(standing.as_ref());
            records.iter().map(|r| record_view(t, r, &judge)).collect()
        },
        count_text: t.format(
            "ce.count",
            &[
                ("count", &count.to_string()),
                ("page", &current_page.to_string()),
                ("pages", &last_page.to_string()),
            ],
        ),
        pager: pager(&query, current_page, last_page),
        csv_href: format!("{}?{}", paths::CE_CSV, query_string(&query, None)),
        pdf_href: format!("{}?{}", paths::CE_PDF, query_string(&query, None)),
        page,
    };
    Ok(view.into_response())
}

/// The CSV export: every record the page's filters select (all pages), in the page's order,
/// with what counted and why. UTF-8 with a byte-order mark, which spreadsheet programs need to
/// read the Chinese correctly.
pub async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let query = CeQuery::parse(raw.as_deref());
    let person_id = match signed_in_person(&state, &ctx) {
        Ok(person_id) => person_id,
        Err(redirect) => return Ok(redirect.into_response()),
    };
    let t = ctx.lang.messages();
    let standing = standing(&state, person_id).await?;
    let request = understand(&query, t, standing.as_ref().map(|s| s.evaluation.window));
    let records = state.store.credit_records(person_id, &request.filter, request.order, None).await?;

    let mut out = String::from("\u{FEFF}");
    let header: Vec<&str> = CSV_COLUMNS.iter().map(|key| t.get(key)).collect();
    push_csv_line(&mut out, &header);
    let judge = Judge::new(standing.as_ref());
    for record in &records {
        let view = record_view(t, record, &judge);
        let date = record.credit.date.to_string();
        let reasons = view.reasons.join("; ");
        let fields = [
            date.as_str(),
            &view.course_code,
            &view.title,
            &view.organiser,
            &view.reviewer,
            &view.activity,
            &view.role,
            &view.category,
            &view.flags,
            &view.online,
            &view.points,
            &view.counted,
            &view.status,
            &reasons,
        ];
        push_csv_line(&mut out, &fields);
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"ce-points.csv\""),
        ],
        out,
    )
        .into_response())
}

/// The PDF report: the summary and every record the page's filters select (all pages), in the
/// page's order, from the same views as the page and the CSV.
pub async fn pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let query = CeQuery::parse(raw.as_deref());
    let person_id = match signed_in_person(&state, &ctx) {
        Ok(person_id) => person_id,
        Err(redirect) => return Ok(redirect.into_response()),
    };
    let person = state.store.person(person_id).await?.ok_or(AppError::NotFound)?;
    let t = ctx.lang.messages();
    let standing = standing(&state, person_id).await?;
    let request = understand(&query, t, standing.as_ref().map(|s| s.evaluation.window));
    let records = state.store.credit_records(person_id, &request.filter, request.order, None).await?;

    let judge = Judge::new(standing.as_ref());
    let report = ce_pdf::Report {
        lang: ctx.lang,
        name: person.name.clone(),
        made: show_instant(ctx.lang, state.now()),
        selection: selection_text(t, &request, standing.as_ref()),
        summary: standing.as_ref().map(|s| summary_for_pdf(t, summary_view(t, s, state.clock.today()))),
        records: records.iter().map(|r| record_cells(record_view(t, r, &judge))).collect(),
    };
    let built = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || -> Result<Vec<u8>, String> {
            let fonts = state.pdf_fonts()?;
            ce_pdf::render(fonts, &report).map_err(|error| error.to_string())
        })
        .await
        .map_err(|error| AppError::Unexpected(anyhow::anyhow!("the PDF task failed: {error}")))?
    };
    // A font that cannot be read or lacks a character of the data: the calm error page, with
    // the reference that finds this in the log.
    let pdf = built
        .map_err(|error| AppError::Unexpected(anyhow::anyhow!("could not make a CE report: {error}")))?;
    let today = state.clock.today().to_string();
    let file_name = t.format("ce_pdf.file_name", &[("name", &person.name), ("date", &today)]);
    Ok(pdf_response(pdf, "ce-points.pdf", &file_name))
}

/// "列出範圍：本期（執照計算期間）110年05月31日 至 116年05月30日；課程類別：專業倫理".
fn selection_text(t: &Messages, request: &Request, standing: Option<&Standing>) -> String {
    let filter = &request.filter;
    let day =
        |d: Option<NaiveDate>| d.map(|d| t.date(d)).unwrap_or_else(|| t.get("ce_pdf.open_end").to_owned());
    let range =
        t.format("ce.window_value", &[("from", &day(filter.first_day)), ("to", &day(filter.last_day))]);
    let mut items = vec![match request.period {
        Period::Current if standing.is_some() => format!("{} {range}", t.get("ce.period_current")),
        Period::Custom => format!("{} {range}", t.get("ce.period_custom")),
        _ => t.get("ce.period_all").to_owned(),
    }];
    let mut item = |label: &str, value: &str| {
        items.push(t.format("ce_pdf.filter", &[("label", t.get(label)), ("value", value)]))
    };
    if let Some(category) = filter.category {
        item("ce.col_category", t.get(category.message_key()));
    }
    if let Some(activity) = filter.activity {
        item("ce.col_activity", t.get(&activity.message_key()));
    }
    if let Some(online) = filter.online {
        item("ce.col_online", t.get(if online { "ce.online_only" } else { "ce.online_none" }));
    }
    t.format("ce_pdf.selection", &[("items", &items.join(t.get("ce_pdf.separator")))])
}

fn summary_for_pdf(t: &Messages, s: SummaryView) -> ce_pdf::Summary {
    let facts = [
        ("ce.window", s.window),
        ("ce.due", format!("{}（{}）", s.due, s.days_left)),
        ("ce.opens", s.opens),
        ("ce.other", s.other),
        ("ce.flag_infection", s.infection),
        ("ce.flag_gender", s.gender),
    ];
    ce_pdf::Summary {
        headline: format!("{} / {}", s.total, s.required),
        missing: s.missing,
        facts: facts.into_iter().map(|(key, value)| (t.get(key).to_owned(), value)).collect(),
        categories: s.categories,
        caps: s.caps.into_iter().map(|c| [c.name, c.used, c.offered, c.cap]).collect(),
    }
}

/// A record as the PDF's seven cells; the course code, role, flags and reasons join their cells.
fn record_cells(r: RecordView) -> [String; 7] {
    let mut status = r.status;
    for reason in &r.reasons {
        status.push(' ');
        status.push_str(reason);
    }
    let activity = if r.role.is_empty() { r.activity } else { format!("{} · {}", r.activity, r.role) };
    let category = if r.flags.is_empty() { r.category } else { format!("{} · {}", r.category, r.flags) };
    [r.date, format!("{} ({})", r.title, r.course_code), activity, category, r.points, r.counted, status]
}

const CSV_COLUMNS: [&str; 14] = [
    "ce.col_date",
    "ce.col_code",
    "ce.col_title",
    "ce.col_organiser",
    "ce.col_reviewer",
    "ce.col_activity",
    "ce.col_role",
    "ce.col_category",
    "ce.col_flags",
    "ce.col_online",
    "ce.col_points",
    "ce.col_counted",
    "ce.col_status",
    "ce.col_reasons",
];

/// One line of RFC 4180 CSV. A field is quoted when it holds a comma, quote or line break; a
/// text field that a spreadsheet would read as a formula (=, +, -, @ first) is prefixed with an
/// apostrophe (OWASP's advice on CSV injection). Points are written by us and are left alone.
fn push_csv_line(out: &mut String, fields: &[&str]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let is_number = field.parse::<Points>().is_ok();
        let mut value = String::new();
        if !is_number && field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            value.push('\'');
        }
        value.push_str(field);
        if value.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&value.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&value);
        }
    }
    out.push_str("\r\n");
}

fn summary_view(t: &Messages, standing: &Standing, today: NaiveDate) -> SummaryView {
    let evaluation = &standing.evaluation;
    let rules = &evaluation.rules;
    let due = standing.due();
    let days = (due - today).num_days();
    let days_left = if days >= 0 {
        t.format("ce.days_left", &[("days", &days.to_string())])
    } else {
        t.format("ce.days_over", &[("days", &(-days).to_string())])
    };
    let has = |yes: bool| t.get(if yes { "ce.topic_present" } else { "ce.topic_missing" }).to_owned();
    SummaryView {
        window: t.format(
            "ce.window_value",
            &[("from", &t.date(evaluation.window.first_day)), ("to", &t.date(evaluation.window.last_day))],
        ),
        due: t.date(due),
        opens: t.date(application_opens(due)),
        days_left,
        total: evaluation.total.to_string(),
        required: rules.total_required.to_string(),
        met: evaluation.is_met(),
        other: t.format(
            "ce.other_value",
            &[
                ("raw", &evaluation.other_before_cap.to_string()),
                ("counted", &evaluation.other_counted.to_string()),
                ("minimum", &rules.other_minimum.to_string()),
                ("cap", &rules.other_cap.to_string()),
            ],
        ),
        infection: has(evaluation.has_infection_control),
        gender: has(evaluation.has_gender),
        categories: Category::ALL
            .iter()
            .zip(evaluation.per_category)
            .map(|(c, p)| (t.get(c.message_key()).to_owned(), p.to_string()))
            .collect(),
        caps: evaluation
            .cap_usage
            .iter()
            .map(|u| CapView {
                name: cap_name(t, u.cap.activity, u.cap.period),
                used: u.allowed.to_string(),
                offered: u.offered.to_string(),
                cap: u.cap.cap.to_string(),
            })
            .collect(),
        missing: missing_sentence(t, evaluation),
    }
}

fn cap_name(t: &Messages, activity: Activity, period: CapPeriod) -> String {
    let key = match period {
        CapPeriod::Cycle => "ce.cap_cycle",
        CapPeriod::Semester => "ce.cap_semester",
    };
    t.format(key, &[("activity", t.get(&activity.message_key()))])
}

/// Width of the chart's drawing area, in SVG user units.
const CHART_WIDTH: i64 = 600;
const FILLS: [&str; 4] = ["#0b5d5b", "#b35c00", "#6a3d9a", "#1f5fa8"];

/// `value` of `scale` in user units, in whole hundredths so no float touches the points.
fn scaled(value: Points, scale: Points) -> i64 {
    if scale.hundredths() <= 0 {
        return 0;
    }
    (value.hundredths().max(0) * CHART_WIDTH) / scale.hundredths()
}

/// Two stacked bars: the counted total by category against 120, and categories 2–4 against
/// their minimum and cap.
fn chart_view(t: &Messages, evaluation: &Evaluation) -> ChartView {
    let rules = &evaluation.rules;
    let total_scale = rules.total_required.max(evaluation.total);
    let other_scale = rules.other_cap.max(evaluation.other_before_cap);
    let stack = |scale: Points, categories: &[usize]| {
        let mut x = 0;
        let mut segments = Vec::new();
        for &i in categories {
            let width = scaled(evaluation.per_category[i], scale);
            if width > 0 {
                segments.push(SegmentView { x, width, fill: FILLS[i] });
            }
            x += width;
        }
        segments
    };
    let marker = |label: String, at: Points, scale: Points| {
        let x = scaled(at, scale);
        MarkerView { x, label_x: (x - 4).max(0), label }
    };
    let total_label = t.format(
        "ce.chart_total",
        &[("total", &evaluation.total.to_string()), ("required", &rules.total_required.to_string())],
    );
    let other_label = t.format(
        "ce.chart_other",
        &[("points", &evaluation.other_counted.to_string()), ("minimum", &rules.other_minimum.to_string())],
    );
    let bars = vec![
        BarView {
            label: total_label.clone(),
            label_y: 20,
            y: 28,
            track: scaled(rules.total_required, total_scale),
            segments: stack(total_scale, &[0, 1, 2, 3]),
            markers: vec![marker(rules.total_required.to_string(), rules.total_required, total_scale)],
        },
        BarView {
            label: other_label.clone(),
            label_y: 100,
            y: 108,
            track: scaled(rules.other_cap, other_scale),
            segments: stack(other_scale, &[1, 2, 3]),
            markers: vec![
                marker(rules.other_minimum.to_string(), rules.other_minimum, other_scale),
                marker(rules.other_cap.to_string(), rules.other_cap, other_scale),
            ],
        },
    ];
    let legend = Category::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| LegendView {
            x: i as i64 * 150,
            fill: FILLS[i],
            label: t.get(c.message_key()).to_owned(),
        })
        .collect();
    ChartView {
        title: t.get("ce.chart_title").to_owned(),
        description: format!("{total_label}; {other_label}"),
        bars,
        legend,
    }
}

async fn reentry_view(
    state: &AppState,
    t: &Messages,
    person_id: i64,
    standing: Option<&Standing>,
    today: NaiveDate,
) -> anyhow::Result<Option<ReentryView>> {
    let Some(standing) = standing else { return Ok(None) };
    if standing.licence.status != Some(PracticeStatus::Closed) {
        return Ok(None);
    }
    let Some(closed_on) = state.store.closed_on(standing.licence.licence_id).await? else {
        return Ok(None);
    };
    let rules = state.rule_book.in_force_on(today);
    let situation = return_paths(closed_on, standing.due(), today, rules, state.config.due_date_rule);
    let intro_key = match (situation.long_closure, situation.within_old_due) {
        (false, true) => "ce.return_short_within",
        (true, true) => "ce.return_long_within",
        (false, false) => "ce.return_short_after",
        (true, false) => "ce.return_long_after",
    };
    let intro = t.format(
        intro_key,
        &[("closed", &t.date(closed_on)), ("today", &t.date(today)), ("due", &t.date(standing.due()))],
    );
    let mut paths = Vec::new();
    for path in &situation.paths {
        let new_due = t.date(path.new_due);
        let (progress, met) = match path.window {
            Some(window) => {
                let credits =
                    state.store.credits_between(person_id, window.first_day, window.last_day).await?;
                let evaluation = evaluate(&path.rules, window, &credits);
                let text = t.format(
                    "ce.return_progress",
                    &[
                        ("from", &t.date(window.first_day)),
                        ("to", &t.date(window.last_day)),
                        ("counted", &evaluation.total.to_string()),
                        ("required", &required(path).to_string()),
                    ],
                );
                (Some(text), evaluation.is_met())
            }
            None => (None, true),
        };
        let (title, detail) = match path.route {
            Route::NoProof => ("ce.route_none", "ce.route_none_detail"),
            Route::OneSixth => ("ce.route_sixth", "ce.route_sixth_detail"),
            Route::FullTotal => ("ce.route_full", "ce.route_full_detail"),
        };
        paths.push(ReturnPathView {
            title: t.get(title).to_owned(),
            detail: t.format(detail, &[("due", &new_due), ("points", &required(path).to_string())]),
            progress,
            met,
        });
    }
    Ok(Some(ReentryView { intro, paths }))
}

/// One line per profession, when the member holds more than one.
async fn professions_view(
    state: &AppState,
    t: &Messages,
    person_id: i64,
) -> anyhow::Result<Vec<ProfessionView>> {
    let licences = state.store.latest_licence_per_profession(person_id).await?;
    if licences.len() < 2 {
        return Ok(Vec::new());
    }
    let mut views = Vec::new();
    for licence in licences {
        let evaluation =
            evaluate_window(state, person_id, Window::ending_before(licence.renewal_due)).await?;
        views.push(ProfessionView {
            profession: licence.profession.map(|p| t.get(p.message_key())).unwrap_or("").to_owned(),
            status: licence.status.map(|s| t.get(s.message_key())).unwrap_or("").to_owned(),
            due: t.date(licence.renewal_due),
            points: format!("{} / {}", evaluation.total, evaluation.rules.total_required),
        });
    }
    Ok(views)
}

fn choices(selected: &str, options: Vec<(String, String)>) -> Vec<Choice> {
    options.into_iter().map(|(value, label)| Choice { selected: value == selected, value, label }).collect()
}

fn form_view(t: &Messages, query: &CeQuery, request: &Request, has_window: bool) -> FormView {
    let period = match request.period {
        Period::Current => "current",
        Period::All => "all",
        Period::Custom => "custom",
    };
    let mut periods = Vec::new();
    if has_window {
        periods.push(("current".to_owned(), t.get("ce.period_current").to_owned()));
    }
    periods.push(("all".to_owned(), t.get("ce.period_all").to_owned()));
    periods.push(("custom".to_owned(), t.get("ce.period_custom").to_owned()));

    let any = || (String::new(), t.get("ce.any").to_owned());
    let mut categories = vec![any()];
    categories.extend(Category::ALL.iter().map(|c| (c.code().to_owned(), t.get(c.message_key()).to_owned())));
    let mut activities = vec![any()];
    activities.extend((1..=9u8).map(|a| (a.to_string(), t.get(&Activity(a).message_key()).to_owned())));
    let online = vec![
        any(),
        ("yes".to_owned(), t.get("ce.online_only").to_owned()),
        ("no".to_owned(), t.get("ce.online_none").to_owned()),
    ];
    let sorts = ORDERS
        .iter()
        .map(|(code, _)| ((*code).to_owned(), t.get(&format!("ce.sort_{code}")).to_owned()))
        .collect();
    FormView {
        periods: choices(period, periods),
        from: text(&query.from).to_owned(),
        to: text(&query.to).to_owned(),
        from_error: request.from_error.clone(),
        to_error: request.to_error.clone(),
        categories: choices(text(&query.category), categories),
        activities: choices(text(&query.activity), activities),
        online: choices(text(&query.online), online),
        sorts: choices(
            ORDERS.iter().find(|(_, o)| *o == request.order).map(|(c, _)| *c).unwrap_or("date_desc"),
            sorts,
        ),
    }
}

/// The rule's outcomes by record id, so a long list is judged in linear time.
struct Judge<'a> {
    standing: Option<&'a Standing>,
    by_id: HashMap<i64, &'a Outcome>,
}

impl<'a> Judge<'a> {
    fn new(standing: Option<&'a Standing>) -> Judge<'a> {
        let by_id = standing
            .map(|s| s.evaluation.outcomes.iter().map(|o| (o.credit_id, o)).collect())
            .unwrap_or_default();
        Judge { standing, by_id }
    }

    fn outcome(&self, standing: &Standing, credit: &Credit) -> Outcome {
        match self.by_id.get(&credit.id) {
            Some(outcome) => (*outcome).clone(),
            None => standing.evaluation.unevaluated_outcome(credit),
        }
    }
}

fn record_view(t: &Messages, record: &CreditRecord, judge: &Judge) -> RecordView {
    let credit = &record.credit;
    let mut flags = Vec::new();
    if credit.infection_control {
        flags.push(t.get("ce.flag_infection"));
    }
    if credit.gender {
        flags.push(t.get("ce.flag_gender"));
    }
    let (counted, status, status_class, reasons) = match judge.standing {
        Some(standing) => {
            let outcome = judge.outcome(standing, credit);
            let (status, class) = status_of(&outcome);
            let reasons = outcome
                .not_counted
                .iter()
                .map(|(p, r)| reason_text(t, *p, r, &standing.evaluation))
                .collect();
            (outcome.counted.to_string(), t.get(status).to_owned(), class, reasons)
        }
        None => (Points::ZERO.to_string(), t.get("ce.no_window").to_owned(), "status-none", Vec::new()),
    };
    RecordView {
        date: t.short_date(credit.date),
        title: record.title.clone(),
        course_code: record.course_code.clone(),
        organiser: record.organiser.clone(),
        reviewer: record.reviewer.clone(),
        activity: t.get(&credit.activity.message_key()).to_owned(),
        role: record.role.map(|r| t.get(role_key(r)).to_owned()).unwrap_or_default(),
        category: t.get(credit.category.message_key()).to_owned(),
        flags: flags.join(t.get("ce.joiner")),
        online: t.get(if credit.activity.is_remote() { "ce.yes" } else { "ce.no" }).to_owned(),
        is_online: credit.activity.is_remote(),
        points: credit.points.to_string(),
        counted,
        status,
        status_class,
        reasons,
    }
}

fn status_of(outcome: &Outcome) -> (&'static str, &'static str) {
    if outcome.not_counted.is_empty() {
        ("ce.status_counted", "status-counted")
    } else if outcome.counted.is_zero() {
        ("ce.status_not_counted", "status-none")
    } else {
        ("ce.status_partly", "status-partly")
    }
}

fn role_key(role: Role) -> &'static str {
    match role {
        Role::Attendee => "role.attendee",
        Role::Lecturer => "role.lecturer",
        Role::Author => "role.author",
        Role::SpecialLecture => "role.special_lecture",
    }
}

/// "3.00 點不採計：超過網路繼續教育每期上限 80.00 點".
fn reason_text(t: &Messages, points: Points, reason: &Reason, evaluation: &Evaluation) -> String {
    let why = match reason {
        Reason::OutsideWindow => t.get("ce.reason_outside").to_owned(),
        Reason::InvalidAtSource(why) => t.format("ce.reason_invalid", &[("why", why)]),
        Reason::OverActivityCap(cap) => t.format(
            "ce.reason_activity_cap",
            &[("cap", &cap_name(t, cap.activity, cap.period)), ("points", &cap.cap.to_string())],
        ),
        Reason::OverOtherCap => {
            t.format("ce.reason_other_cap", &[("points", &evaluation.rules.other_cap.to_string())])
        }
        Reason::CorrectsNoCredit => t.get("ce.reason_correction_no_credit").to_owned(),
        Reason::CorrectsInvalidCredit => t.get("ce.reason_correction_invalid_credit").to_owned(),
        Reason::OverCorrectedCredit => t.get("ce.reason_correction_over_credit").to_owned(),
    };
    t.format("ce.reason", &[("points", &points.to_string()), ("why", &why)])
}

/// The query string of the page with `page` replaced (or dropped).
fn query_string(query: &CeQuery, page: Option<i64>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (name, value) in [
        ("period", &query.period),
        ("from", &query.from),
        ("to", &query.to),
        ("category", &query.category),
        ("activity", &query.activity),
        ("online", &query.online),
        ("sort", &query.sort),
    ] {
        if !text(value).is_empty() {
            pairs.push((name, text(value).to_owned()));
        }
    }
    if let Some(page) = page {
        pairs.push(("page", page.to_string()));
    }
    serde_urlencoded::to_string(&pairs).unwrap_or_default()
}

/// Links to the first, previous, next and last pages, and a few around the current one.
fn pager(query: &CeQuery, current: i64, last: i64) -> Vec<PageLink> {
    if last <= 1 {
        return Vec::new();
    }
    let mut numbers: Vec<i64> = vec![1, current - 2, current - 1, current, current + 1, current + 2, last];
    numbers.retain(|n| (1..=last).contains(n));
    numbers.sort_unstable();
    numbers.dedup();
    numbers
        .into_iter()
        .map(|n| PageLink {
            label: n.to_string(),
            href: format!("{}?{}", paths::CE, query_string(query, Some(n))),
            current: n == current,
        })
        .collect()
}
