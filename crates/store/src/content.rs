//! Home page content run by operators: quotes, video recommendations and links.

use anyhow::Context;
use chrono::{Datelike, NaiveDate};

use crate::{Store, on_pool};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Quote {
    pub text: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Video {
    pub title: String,
    pub platform: String,
    pub url: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// Everything the home page shows that is the same for every member on a given day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HomeContent {
    pub quote: Option<Quote>,
    pub videos: Vec<Video>,
    pub quick_links: Vec<Link>,
    pub history_link: Option<Link>,
}

/// A piece of content to add.
#[derive(Debug, Clone)]
pub enum NewContent<'a> {
    Quote { text: &'a str, source: &'a str },
    Video { title: &'a str, platform: &'a str, url: &'a str, summary: &'a str, position: i64 },
    Link { slot: &'a str, title: &'a str, url: &'a str, position: i64 },
}

const SHOWN_ON: &str =
    "(shown_from IS NULL OR shown_from <= $1) AND (shown_until IS NULL OR shown_until >= $1)";

impl Store {
    /// The content in force on `today`. The quote of the day rotates through the quotes in
    /// force, one a day, so every member sees the same one on the same day.
    pub async fn home_content(&self, today: NaiveDate) -> anyhow::Result<HomeContent> {
        let quotes_sql = format!("SELECT text, source FROM quote WHERE {SHOWN_ON} ORDER BY quote_id");
        let quotes: Vec<Quote> = on_pool!(self, pool => sqlx::query_as(&quotes_sql)
            .bind(today)
            .fetch_all(pool)
            .await)
        .context("reading the quotes")?;

        let videos_sql = format!(
            "SELECT title, platform, url, summary FROM video WHERE {SHOWN_ON} ORDER BY position, video_id"
        );
        let videos: Vec<Video> = on_pool!(self, pool => sqlx::query_as(&videos_sql)
            .bind(today)
            .fetch_all(pool)
            .await)
        .context("reading the videos")?;

        let links: Vec<(String, String, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT slot, title, url FROM link ORDER BY position, link_id",
        )
        .fetch_all(pool)
        .await)
        .context("reading the links")?;

        let day_number = usize::try_from(today.num_days_from_ce()).unwrap_or(0);
        let quote = (!quotes.is_empty()).then(|| quotes[day_number % quotes.len()].clone());
        let mut content = HomeContent { quote, videos, ..HomeContent::default() };
        for (slot, title, url) in links {
            let link = Link { title, url };
            match slot.as_str() {
                "history" => content.history_link = Some(link),
                _ => content.quick_links.push(link),
            }
        }
        Ok(content)
    }

    pub async fn add_content(&self, content: &NewContent<'_>) -> anyhow::Result<()> {
        on_pool!(self, pool => match content {
            NewContent::Quote { text, source } => {
                sqlx::query("INSERT INTO quote (text, source) VALUES ($1, $2)")
                    .bind(text)
                    .bind(source)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected())
            }
            NewContent::Video { title, platform, url, summary, position } => {
                sqlx::query(
                    "INSERT INTO video (title, platform, url, summary, position) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(title)
                .bind(platform)
                .bind(url)
                .bind(summary)
                .bind(position)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
            }
            NewContent::Link { slot, title, url, position } => {
                sqlx::query("INSERT INTO link (slot, title, url, position) VALUES ($1, $2, $3, $4)")
                    .bind(slot)
                    .bind(title)
                    .bind(url)
                    .bind(position)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected())
            }
        })
        .context("adding home page content")?;
        Ok(())
    }
}
