//! Home page content run by operators: quotes, video recommendations, links and notices, each
//! with optional first and last days on which it is shown.

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

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Notice {
    pub title: String,
    pub body: String,
    pub shown_from: Option<NaiveDate>,
}

/// Everything the home page shows that is the same for every member on a given day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HomeContent {
    pub quote: Option<Quote>,
    pub videos: Vec<Video>,
    pub quick_links: Vec<Link>,
    pub history_link: Option<Link>,
    pub notices: Vec<Notice>,
}

/// A piece of content to add.
#[derive(Debug, Clone)]
pub enum NewContent<'a> {
    Quote { text: &'a str, source: &'a str },
    Video { title: &'a str, platform: &'a str, url: &'a str, summary: &'a str, position: i64 },
    Link { slot: &'a str, title: &'a str, url: &'a str, position: i64 },
    Notice { title: &'a str, body: &'a str },
}

/// The days a piece of content is shown: from `from` to `until`, both included; open-ended
/// when missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Validity {
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// The four kinds of home page content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    Quote,
    Video,
    Link,
    Notice,
}

impl ContentKind {
    pub const ALL: [ContentKind; 4] =
        [ContentKind::Notice, ContentKind::Quote, ContentKind::Video, ContentKind::Link];

    /// The name used in URLs, forms and the audit log.
    pub fn name(self) -> &'static str {
        match self {
            ContentKind::Quote => "quote",
            ContentKind::Video => "video",
            ContentKind::Link => "link",
            ContentKind::Notice => "notice",
        }
    }

    pub fn from_name(name: &str) -> Option<ContentKind> {
        ContentKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The listing query: every item, its main text, a second line, and its address if any.
    fn list_sql(self) -> &'static str {
        match self {
            ContentKind::Quote => {
                "SELECT quote_id AS id, text AS title, source AS detail, '' AS url, shown_from, shown_until
                 FROM quote ORDER BY quote_id DESC"
            }
            ContentKind::Video => {
                "SELECT video_id AS id, title, summary AS detail, url, shown_from, shown_until
                 FROM video ORDER BY position, video_id"
            }
            ContentKind::Link => {
                "SELECT link_id AS id, title, slot AS detail, url, shown_from, shown_until
                 FROM link ORDER BY position, link_id"
            }
            ContentKind::Notice => {
                "SELECT notice_id AS id, title, body AS detail, '' AS url, shown_from, shown_until
                 FROM notice ORDER BY notice_id DESC"
            }
        }
    }

    fn dates_sql(self) -> &'static str {
        match self {
            ContentKind::Quote => "UPDATE quote SET shown_from = $2, shown_until = $3 WHERE quote_id = $1",
            ContentKind::Video => "UPDATE video SET shown_from = $2, shown_until = $3 WHERE video_id = $1",
            ContentKind::Link => "UPDATE link SET shown_from = $2, shown_until = $3 WHERE link_id = $1",
            ContentKind::Notice => "UPDATE notice SET shown_from = $2, shown_until = $3 WHERE notice_id = $1",
        }
    }

    fn delete_sql(self) -> &'static str {
        match self {
            ContentKind::Quote => "DELETE FROM quote WHERE quote_id = $1",
            ContentKind::Video => "DELETE FROM video WHERE video_id = $1",
            ContentKind::Link => "DELETE FROM link WHERE link_id = $1",
            ContentKind::Notice => "DELETE FROM notice WHERE notice_id = $1",
        }
    }
}

/// One piece of content as an operator sees it in a list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ContentItem {
    pub id: i64,
    pub title: String,
    pub detail: String,
    pub url: String,
    pub shown_from: Option<NaiveDate>,
    pub shown_until: Option<NaiveDate>,
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

        let links_sql =
            format!("SELECT slot, title, url FROM link WHERE {SHOWN_ON} ORDER BY position, link_id");
        let links: Vec<(String, String, String)> = on_pool!(self, pool => sqlx::query_as(&links_sql)
        .bind(today)
        .fetch_all(pool)
        .await)
        .context("reading the links")?;

        let notices_sql = format!(
            "SELECT title, body, shown_from FROM notice WHERE {SHOWN_ON}
             ORDER BY shown_from DESC NULLS LAST, notice_id DESC"
        );
        let notices: Vec<Notice> = on_pool!(self, pool => sqlx::query_as(&notices_sql)
            .bind(today)
            .fetch_all(pool)
            .await)
        .context("reading the notices")?;

        let day_number = usize::try_from(today.num_days_from_ce()).unwrap_or(0);
        let quote = (!quotes.is_empty()).then(|| quotes[day_number % quotes.len()].clone());
        let mut content = HomeContent { quote, videos, notices, ..HomeContent::default() };
        for (slot, title, url) in links {
            let link = Link { title, url };
            match slot.as_str() {
                "history" => content.history_link = Some(link),
                _ => content.quick_links.push(link),
            }
        }
        Ok(content)
    }

    /// Adds content shown every day.
    pub async fn add_content(&self, content: &NewContent<'_>) -> anyhow::Result<()> {
        self.add_content_shown(content, Validity::default()).await.map(|_| ())
    }

    /// Adds content shown on the days of `shown` and returns its number.
    pub async fn add_content_shown(&self, content: &NewContent<'_>, shown: Validity) -> anyhow::Result<i64> {
        let Validity { from, until } = shown;
        let id = on_pool!(self, pool => match content {
            NewContent::Quote { text, source } => {
                sqlx::query_as::<_, (i64,)>("INSERT INTO quote (text, source, shown_from, shown_until) VALUES ($1, $2, $3, $4) RETURNING quote_id")
                    .bind(text)
                    .bind(source)
                    .bind(from)
                    .bind(until)
                    .fetch_one(pool)
                    .await
            }
            NewContent::Video { title, platform, url, summary, position } => {
                sqlx::query_as::<_, (i64,)>(
                    "INSERT INTO video (title, platform, url, summary, position, shown_from, shown_until)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING video_id",
                )
                .bind(title)
                .bind(platform)
                .bind(url)
                .bind(summary)
                .bind(position)
                .bind(from)
                .bind(until)
                .fetch_one(pool)
                .await
            }
            NewContent::Link { slot, title, url, position } => {
                sqlx::query_as::<_, (i64,)>(
                    "INSERT INTO link (slot, title, url, position, shown_from, shown_until)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING link_id",
                )
                .bind(slot)
                .bind(title)
                .bind(url)
                .bind(position)
                .bind(from)
                .bind(until)
                .fetch_one(pool)
                .await
            }
            NewContent::Notice { title, body } => {
                sqlx::query_as::<_, (i64,)>("INSERT INTO notice (title, body, shown_from, shown_until) VALUES ($1, $2, $3, $4) RETURNING notice_id")
                    .bind(title)
                    .bind(body)
                    .bind(from)
                    .bind(until)
                    .fetch_one(pool)
                    .await
            }
        })
        .context("adding home page content")?;
        Ok(id.0)
    }

    /// Every item of one kind, whatever its dates, for the operator's list.
    pub async fn list_content(&self, kind: ContentKind) -> anyhow::Result<Vec<ContentItem>> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, ContentItem>(kind.list_sql())
            .fetch_all(pool)
            .await)
        .with_context(|| format!("listing the {}s", kind.name()))?;
        Ok(rows)
    }

    /// One item of one kind, for the audit record of a change to it.
    pub async fn content_item(&self, kind: ContentKind, id: i64) -> anyhow::Result<Option<ContentItem>> {
        // The lists are short (the home page shows a handful of each), so the list is read
        // rather than a fifth statement per kind kept.
        Ok(self.list_content(kind).await?.into_iter().find(|item| item.id == id))
    }

    /// Deletes one item; says whether it existed.
    pub async fn delete_content(&self, kind: ContentKind, id: i64) -> anyhow::Result<bool> {
        let deleted = on_pool!(self, pool => sqlx::query(kind.delete_sql())
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1))
        .with_context(|| format!("deleting a {}", kind.name()))?;
        Ok(deleted)
    }

    /// Changes the days one item is shown; says whether it existed.
    pub async fn set_content_dates(
        &self,
        kind: ContentKind,
        id: i64,
        shown: Validity,
    ) -> anyhow::Result<bool> {
        let changed = on_pool!(self, pool => sqlx::query(kind.dates_sql())
            .bind(id)
            .bind(shown.from)
            .bind(shown.until)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1))
        .with_context(|| format!("changing the days of a {}", kind.name()))?;
        Ok(changed)
    }
}
