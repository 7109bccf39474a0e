//! Static files, compiled into the binary so the server needs no files beside it.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::AppError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "style.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../static/style.css"),
    },
    Asset {
        name: "login.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/login.js"),
    },
    Asset {
        name: "password.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/password.js"),
    },
    Asset {
        name: "card.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/card.js"),
    },
    Asset { name: "logo.svg", content_type: "image/svg+xml", bytes: include_bytes!("../../static/logo.svg") },
];

/// A short hash of all assets: it changes whenever one does, so browsers may cache them forever.
fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut hasher = Sha256::new();
        for asset in ASSETS {
            hasher.update(asset.bytes);
        }
        hex::encode(&hasher.finalize()[..6])
    })
}

pub fn url(name: &str) -> String {
    format!("/static/{name}?v={}", version())
}

pub async fn serve(Path(name): Path<String>) -> Result<Response, AppError> {
    let asset = ASSETS.iter().find(|a| a.name == name).ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        asset.bytes,
    )
        .into_response())
}
