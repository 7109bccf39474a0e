//! The route table. Each area of the site is a module with its handlers side by side.

pub mod account_page;
pub mod accounts;
pub mod assets;
pub mod card;
pub mod ce;
pub mod ce_pdf;
pub mod login;
pub mod member;
pub mod ops;
pub mod personal;
pub mod public;
pub mod resume_pdf;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use std::time::Duration;

use axum::http::StatusCode;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::error::AppError;
use crate::security;
use crate::session;
use crate::state::AppState;

/// Every URL the portal answers, in one place.
pub mod paths {
    pub const LANDING: &str = "/";
    pub const LOGIN: &str = "/login";
    pub const LOGOUT: &str = "/logout";
    pub const CAPTCHA: &str = "/captcha";
    pub const MEMBER: &str = "/member";
    pub const VIDEOS: &str = "/member/videos";
    pub const LINKS: &str = "/member/links";
    pub const CE: &str = "/member/ce";
    pub const CE_CSV: &str = "/member/ce.csv";
    pub const CE_PDF: &str = "/member/ce.pdf";
    pub const LANG: &str = "/lang";
    pub const HEALTH: &str = "/healthz";
    pub const REGISTER: &str = "/register";
    pub const VERIFY_EMAIL: &str = "/register/verify";
    pub const FORGOT: &str = "/password/forgot";
    pub const RESET: &str = "/password/reset";
    pub const CHANGE_PASSWORD: &str = "/member/password";
    pub const ACCOUNT: &str = "/member/account";
    pub const END_SESSIONS: &str = "/member/account/sessions";
    pub const END_SESSION: &str = "/member/account/session";
    pub const READY: &str = "/readyz";
    pub const PERSONAL: &str = "/member/personal";
    pub const RESUME: &str = "/member/personal/resume";
    pub const RESUME_REVOKE: &str = "/member/personal/resume/revoke";
    pub const VERIFY: &str = "/verify";
    pub const OPS: &str = "/ops";
    pub const OPS_LOGIN: &str = "/ops/login";
    pub const OPS_LOGOUT: &str = "/ops/logout";
    pub const OPS_CONTENT: &str = "/ops/content";
    pub const OPS_PREVIEW: &str = "/ops/preview";
    pub const OPS_ACCOUNTS: &str = "/ops/accounts";
    pub const OPS_AUDIT: &str = "/ops/audit";
    pub const CARD_CHALLENGE: &str = "/login/card/challenge";
    pub const CARD_SIGN_IN: &str = "/login/card";
    pub const CARD_BIND_CHALLENGE: &str = "/member/account/card/challenge";
    pub const CARD_BIND: &str = "/member/account/card";
    pub const CARD_UNBIND: &str = "/member/account/card/unlink";
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(paths::LANDING, get(public::landing))
        .route(paths::HEALTH, get(public::health))
        .route(paths::READY, get(public::health))
        .route(paths::LANG, get(public::switch_language))
        .route("/static/{name}", get(assets::serve))
        .route(paths::LOGIN, get(login::login_form).post(login::login))
        .route(paths::LOGOUT, post(login::logout))
        .route(paths::CAPTCHA, get(login::captcha))
        .route(paths::CARD_CHALLENGE, post(card::sign_in_challenge))
        .route(paths::CARD_SIGN_IN, post(card::sign_in))
        .route(paths::CARD_BIND_CHALLENGE, post(card::bind_challenge))
        .route(paths::CARD_BIND, post(card::bind))
        .route(paths::CARD_UNBIND, post(card::unbind))
        .route(paths::MEMBER, get(member::home))
        .route(paths::VIDEOS, get(member::videos))
        .route(paths::LINKS, get(member::links))
        .route(paths::REGISTER, get(accounts::register_form).post(accounts::register))
        .route(paths::VERIFY_EMAIL, get(accounts::verify_form).post(accounts::verify))
        .route(paths::FORGOT, get(accounts::forgot_form).post(accounts::forgot))
        .route(paths::RESET, get(accounts::reset_form).post(accounts::reset))
        .route(paths::CHANGE_PASSWORD, get(account_page::change_form).post(account_page::change))
        .route(paths::ACCOUNT, get(account_page::account))
        .route(paths::END_SESSIONS, post(account_page::end_sessions))
        .route(paths::END_SESSION, post(account_page::end_session))
        .route(paths::CE, get(ce::page))
        .route(paths::CE_CSV, get(ce::csv))
        .route(paths::CE_PDF, get(ce::pdf))
        .route(paths::PERSONAL, get(personal::page))
        .route(paths::RESUME, post(personal::download))
        .route(paths::RESUME_REVOKE, post(personal::revoke))
        .route("/verify/{code}", get(personal::verify))
        .route(paths::OPS, get(ops::home))
        .route(paths::OPS_LOGIN, get(ops::login::login_form).post(ops::login::login))
        .route(paths::OPS_LOGOUT, post(ops::login::logout))
        .route(paths::OPS_CONTENT, get(ops::content::index))
        .route("/ops/content/{kind}", get(ops::content::kind_page).post(ops::content::add))
        .route("/ops/content/{kind}/{id}/delete", post(ops::content::delete))
        .route("/ops/content/{kind}/{id}/dates", post(ops::content::set_dates))
        .route(paths::OPS_PREVIEW, get(ops::content::preview))
        .route(paths::OPS_ACCOUNTS, get(ops::accounts::find_form).post(ops::accounts::find))
        .route("/ops/accounts/{account_id}", get(ops::accounts::account))
        .route("/ops/accounts/{account_id}/unlock", post(ops::accounts::unlock))
        .route("/ops/accounts/{account_id}/end-sessions", post(ops::accounts::end_sessions))
        .route(
            "/ops/accounts/{account_id}/remove",
            get(ops::accounts::remove_form).post(ops::accounts::remove),
        )
        .route(paths::OPS_AUDIT, get(ops::audit::page))
        .fallback(|| async { AppError::NotFound })
        .layer(from_fn_with_state(state.clone(), security::same_origin_middleware))
        // Inside the context and header layers, so that a refused body or a request that took
        // too long still gets the calm page and every security header.
        .layer(RequestBodyLimitLayer::new(64 * 1024))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(from_fn_with_state(state.clone(), session::context_middleware))
        .layer(from_fn_with_state(state.clone(), security::headers_middleware))
        .with_state(state)
}
