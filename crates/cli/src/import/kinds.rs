//! The kinds of file `huzhu import` reads: their columns, and how a row becomes a database row.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

use chrono::NaiveDate;
use clap::ValueEnum;
use huzhu_store::import::{
    CertificateRow, CreditRow, ImportBatch, InstitutionRow, LearningRow, LicenceEventRow, LicenceRow,
    PersonRow,
};

use super::fields::{self, Column, Reason, optional, required};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Institutions,
    People,
    Certificates,
    Licences,
    LicenceEvents,
    Credits,
    Learning,
}

const ID: Column = required("id_number", "身分證號").at_most(20);
const PROFESSION: Column = required("profession", "類別");

const INSTITUTIONS: &[Column] =
    &[required("nhi_code", "醫事機構代碼").at_most(20), required("name", "醫事機構名稱")];
const PEOPLE: &[Column] =
    &[ID, required("name", "姓名").at_most(100), required("birth_date", "出生日期"), required("sex", "性別")];
const CERTIFICATES: &[Column] =
    &[ID, PROFESSION, required("number", "證書字號").at_most(50), required("issued_on", "發證日期")];
const LICENCES: &[Column] = &[
    ID,
    PROFESSION,
    required("certificate_number", "證書字號").at_most(50),
    required("number", "執照字號").at_most(50),
    required("authority", "發照機關").at_most(100),
    optional("institution_code", "執業機構代碼").at_most(20),
    required("registered_on", "登記日期"),
    required("renewal_due", "應更新日期"),
    required("status", "執業狀態"),
];
const LICENCE_EVENTS: &[Column] = &[
    required("authority", "發照機關").at_most(100),
    required("licence_number", "執照字號").at_most(50),
    required("kind", "異動類別"),
    required("happened_on", "異動日期"),
    optional("note", "備註").at_most(500),
];
const CREDITS: &[Column] = &[
    ID,
    required("course_code", "課程代碼").at_most(50),
    required("title", "課程名稱"),
    required("organiser", "主辦單位"),
    required("reviewer", "審查單位"),
    required("activity", "實施方式"),
    required("role", "參與身分"),
    required("category", "課程屬性"),
    required("infection_control", "感染管制"),
    required("gender", "性別議題"),
    required("taken_on", "上課日期"),
    required("points", "積分"),
    optional("invalid_reason", "無效原因").at_most(500),
];
const LEARNING: &[Column] = &[
    ID,
    required("course", "課程名稱"),
    required("minutes", "學習分鐘數"),
    required("completed_on", "完成日期"),
];

impl Kind {
    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Institutions => INSTITUTIONS,
            Kind::People => PEOPLE,
            Kind::Certificates => CERTIFICATES,
            Kind::Licences => LICENCES,
            Kind::LicenceEvents => LICENCE_EVENTS,
            Kind::Credits => CREDITS,
            Kind::Learning => LEARNING,
        }
    }

    /// The name of the kind on the command line and in the import ledger.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Institutions => "institutions",
            Kind::People => "people",
            Kind::Certificates => "certificates",
            Kind::Licences => "licences",
            Kind::LicenceEvents => "licence-events",
            Kind::Credits => "credits",
            Kind::Learning => "learning",
        }
    }

    pub fn empty_batch(self, capacity: usize) -> ImportBatch {
        match self {
            Kind::Institutions => ImportBatch::Institutions(Vec::with_capacity(capacity)),
            Kind::People => ImportBatch::People(Vec::with_capacity(capacity)),
            Kind::Certificates => ImportBatch::Certificates(Vec::with_capacity(capacity)),
            Kind::Licences => ImportBatch::Licences(Vec::with_capacity(capacity)),
            Kind::LicenceEvents => ImportBatch::LicenceEvents(Vec::with_capacity(capacity)),
            Kind::Credits => ImportBatch::Credits(Vec::with_capacity(capacity)),
            Kind::Learning => ImportBatch::Learning(Vec::with_capacity(capacity)),
        }
    }
}

/// Where each of a kind's columns is in the file, read from its header line.
pub struct Layout {
    positions: Vec<Option<usize>>,
    pub width: usize,
}

impl Layout {
    /// Matches the header names (English or Chinese, in any order) to the kind's columns.
    /// Unknown and missing columns are refused, so a file of another kind cannot half load.
    pub fn from_header(kind: Kind, header: &csv::StringRecord) -> anyhow::Result<Layout> {
        let columns = kind.columns();
        let mut positions = vec![None; columns.len()];
        for (index, name) in header.iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}');
            let column = columns.iter().position(|c| c.name.eq_ignore_ascii_case(name) || c.chinese == name);
            let Some(column) = column else {
                let name = fields::shown(name);
                anyhow::bail!(
                    "欄位「{name}」不屬於 {} 檔 / \"{name}\" is not a column of {} {} file",
                    kind.name(),
                    article(kind.name()),
                    kind.name()
                );
            };
            if positions[column].is_some() {
                let name = fields::shown(name);
                anyhow::bail!("欄位「{name}」重複 / column \"{name}\" appears twice");
            }
            positions[column] = Some(index);
        }
        for (column, position) in columns.iter().zip(&positions) {
            anyhow::ensure!(
                position.is_some() || !column.required,
                "缺少欄位「{}」/ the column {} is missing",
                column.chinese,
                column.name
            );
        }
        Ok(Layout { positions, width: header.len() })
    }

    /// The value of the kind's `column`th column, trimmed; empty when the file lacks the column.
    fn get<'r>(&self, record: &'r csv::StringRecord, column: usize) -> &'r str {
        self.positions[column].and_then(|index| record.get(index)).map(str::trim).unwrap_or("")
    }
}

/// "an" before a kind whose name starts with a vowel ("an institutions file"), "a" otherwise.
fn article(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// What rows of a file are matched against: loaded once before the file is read.
#[derive(Default)]
pub struct Lookups {
    /// Today in Taiwan: no one in the registry is born after it. `None` checks no birth date.
    pub today: Option<NaiveDate>,
    pub people: HashMap<String, i64>,
    pub institutions: HashSet<String>,
    pub licences: HashMap<(String, String), i64>,
}

/// One row, parsed and matched, ready to write.
pub enum Row {
    Institution(InstitutionRow),
    Person(PersonRow),
    Certificate(CertificateRow),
    Licence(LicenceRow),
    LicenceEvent(LicenceEventRow),
    Credit(CreditRow),
    Learning(LearningRow),
}

impl Row {
    /// A hash of the row's natural key by `hasher`, for finding repeats within the file. People
    /// and licences are identified by their keys in the database, which stand for their ID
    /// number and their authority and number one to one.
    pub fn key_hash(&self, hasher: &impl BuildHasher) -> u64 {
        match self {
            Row::Institution(r) => hasher.hash_one(&r.nhi_code),
            Row::Person(r) => hasher.hash_one(&r.id_number),
            Row::Certificate(r) => hasher.hash_one((r.profession, &r.number)),
            Row::Licence(r) => hasher.hash_one((&r.authority, &r.number)),
            Row::LicenceEvent(r) => hasher.hash_one((r.licence_id, r.kind, r.happened_on)),
            Row::Credit(r) => hasher.hash_one((
                r.person_id,
                &r.course_code,
                r.category,
                r.role,
                r.taken_on,
                r.infection_control,
                r.gender,
                r.points < 0,
            )),
            Row::Learning(r) => hasher.hash_one((r.person_id, &r.course, r.completed_on)),
        }
    }

    /// Adds the row to a batch of its own kind; the reader only ever builds batches of one kind.
    pub fn push_to(self, batch: &mut ImportBatch) {
        match (self, batch) {
            (Row::Institution(row), ImportBatch::Institutions(rows)) => rows.push(row),
            (Row::Person(row), ImportBatch::People(rows)) => rows.push(row),
            (Row::Certificate(row), ImportBatch::Certificates(rows)) => rows.push(row),
            (Row::Licence(row), ImportBatch::Licences(rows)) => rows.push(row),
            (Row::LicenceEvent(row), ImportBatch::LicenceEvents(rows)) => rows.push(row),
            (Row::Credit(row), ImportBatch::Credits(rows)) => rows.push(row),
            (Row::Learning(row), ImportBatch::Learning(rows)) => rows.push(row),
            _ => unreachable!("a row is always added to a batch of its kind"),
        }
    }
}

/// Reads one record of a `kind` file.
pub fn parse(
    kind: Kind,
    layout: &Layout,
    lookups: &Lookups,
    record: &csv::StringRecord,
) -> Result<Row, Reason> {
    if record.len() != layout.width {
        return Err(Reason::FieldCount { found: record.len(), expected: layout.width });
    }
    let field = |column: usize| layout.get(record, column);
    let columns = kind.columns();
    for (index, column) in columns.iter().enumerate() {
        fields::clean(field(index), *column)?;
    }
    match kind {
        Kind::Institutions => institution(&field, columns),
        Kind::People => person(&field, columns, lookups),
        Kind::Certificates => certificate(&field, columns, lookups),
        Kind::Licences => licence(&field, columns, lookups),
        Kind::LicenceEvents => licence_event(&field, columns, lookups),
        Kind::Credits => credit(&field, columns, lookups),
        Kind::Learning => learning(&field, columns, lookups),
    }
}

type Field<'a> = dyn Fn(usize) -> &'a str + 'a;

fn person_key(id: &str, lookups: &Lookups) -> Result<i64, Reason> {
    let id = fields::id_number(id)?;
    lookups.people.get(id.as_str()).copied().ok_or(Reason::UnknownPerson)
}

fn institution(field: &Field<'_>, c: &[Column]) -> Result<Row, Reason> {
    let row = InstitutionRow { nhi_code: fields::text(field(0), c[0])?, name: fields::text(field(1), c[1])? };
    Ok(Row::Institution(row))
}

fn person(field: &Field<'_>, c: &[Column], lookups: &Lookups) -> Result<Row, Reason> {
    let id = fields::id_number(field(0))?;
    let birth_date = fields::date(field(2), c[2])?;
    if lookups.today.is_some_and(|today| birth_date > today) {
        return Err(Reason::FutureDate { column: c[2], text: field(2).to_owned() });
    }
    let row = PersonRow {
        id_number: String::from(id),
        name: fields::text(field(1), c[1])?,
        birth_date,
        sex: fields::code(field(3), c[3], &fields::SEXES)?,
    };
    Ok(Row::Person(row))
}

fn certificate(field: &Field<'_>, c: &[Column], lookups: &Lookups) -> Result<Row, Reason> {
    let person_id = person_key(field(0), lookups)?;
    let row = CertificateRow {
        person_id,
        profession: fields::code(field(1), c[1], &fields::PROFESSIONS)?,
        number: fields::text(field(2), c[2])?,
        issued_on: fields::date(field(3), c[3])?,
    };
    Ok(Row::Certificate(row))
}

fn licence(field: &Field<'_>, c: &[Column], lookups: &Lookups) -> Result<Row, Reason> {
    let person_id = person_key(field(0), lookups)?;
    let institution_code = fields::optional_text(field(5));
    if let Some(code) = &institution_code
        && !lookups.institutions.contains(code)
    {
        return Err(Reason::UnknownInstitution(code.clone()));
    }
    let row = LicenceRow {
        person_id,
        profession: fields::code(field(1), c[1], &fields::PROFESSIONS)?,
        certificate_number: fields::text(field(2), c[2])?,
        number: fields::text(field(3), c[3])?,
        authority: fields::text(field(4), c[4])?,
        institution_code,
        registered_on: fields::date(field(6), c[6])?,
        renewal_due: fields::date(field(7), c[7])?,
        status: fields::code(field(8), c[8], &fields::STATUSES)?,
    };
    Ok(Row::Licence(row))
}

fn licence_event(field: &Field<'_>, c: &[Column], lookups: &Lookups) -> Result<Row, Reason> {
    let authority = fields::text(field(0), c[0])?;
    let number = fields::text(field(1), c[1])?;
    let kind = fields::code(field(2), c[2], &fields::EVENT_KINDS)?;
    let happened_on = fields::date(field(3), c[3])?;
    let licence_id = *lookups.licences.get(&(authority, number)).ok_or(Reason::UnknownLicence)?;
    Ok(Row::LicenceEvent(LicenceEventRow {
        licence_id,
        kind,
        happened_on,
        note: fields::optional_text(field(4)),
    }))
}

fn credit(field: &Field<'_>, c: &[Column], lookups: &Lookups) -> Result<Row, Reason> {
    let person_id = person_key(field(0), lookups)?;
    let row = CreditRow {
        person_id,
        course_code: fields::text(field(1), c[1])?,
        title: fields::text(field(2), c[2])?,
        organiser: fields::text(field(3), c[3])?,
        reviewer: fields::text(field(4), c[4])?,
        activity: fields::number(field(5), c[5], 1..=99)?,
        role: fields::code(field(6), c[6], &fields::ROLES)?,
        category: fields::code(field(7), c[7], &fields::CATEGORIES)?,
        infection_control: fields::flag(field(8), c[8])?,
        gender: fields::flag(field(9), c[9])?,
        taken_on: fields::date(field(10), c[10])?,
        points: fields::points(field(11))?.hundredths(),
        invalid_reason: fields::optional_text(field(12)),
    };
    Ok(Row::Credit(row))
}

fn learning(field: &Field<'_>, c: &[Column], lookups: &Lookups) -> Result<Row, Reason> {
    let person_id = person_key(field(0), lookups)?;
    let row = LearningRow {
        person_id,
        course: fields::text(field(1), c[1])?,
        minutes: fields::number(field(2), c[2], 1..=100_000)?,
        completed_on: fields::date(field(3), c[3])?,
    };
    Ok(Row::Learning(row))
}
