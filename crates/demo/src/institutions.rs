//! The real hospitals of `data/institutions.csv` and the health bureau each one registers with.

use std::sync::OnceLock;

use chrono::NaiveDate;

const CSV: &str = include_str!("../../../data/institutions.csv");

/// A medical institution, identified by its NHI code (醫事機構代碼).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Institution {
    pub nhi_code: String,
    pub name: String,
}

/// The institutions of `data/institutions.csv`, in file order.
pub fn institutions() -> Vec<Institution> {
    sites().iter().map(|s| Institution { nhi_code: s.code.to_string(), name: s.name.to_string() }).collect()
}

/// A city or county as it matters for registration: the bureau that issues licences there and
/// the short form that starts its licence numbers.
#[derive(Debug)]
pub(crate) struct Area {
    /// Digits 3–4 of the NHI codes of its institutions.
    codes: &'static [&'static str],
    county: &'static str,
    bureau: &'static str,
    abbr: &'static str,
    /// The county this area was before it became (part of) a special municipality: before
    /// `until` (yyyymmdd), licences came from the old county's bureau.
    former: Option<Former>,
}

#[derive(Debug)]
struct Former {
    until: u32,
    county: &'static str,
    bureau: &'static str,
    abbr: &'static str,
}

impl Area {
    fn former_on(&self, date: NaiveDate) -> Option<&Former> {
        self.former.as_ref().filter(|f| yyyymmdd(date) < f.until)
    }

    pub(crate) fn county_on(&self, date: NaiveDate) -> &'static str {
        self.former_on(date).map_or(self.county, |f| f.county)
    }

    pub(crate) fn bureau_on(&self, date: NaiveDate) -> &'static str {
        self.former_on(date).map_or(self.bureau, |f| f.bureau)
    }

    pub(crate) fn abbr_on(&self, date: NaiveDate) -> &'static str {
        self.former_on(date).map_or(self.abbr, |f| f.abbr)
    }
}

fn yyyymmdd(date: NaiveDate) -> u32 {
    use chrono::Datelike;
    date.year().max(0).unsigned_abs() * 10_000 + date.month() * 100 + date.day()
}

const fn area(
    codes: &'static [&'static str],
    county: &'static str,
    bureau: &'static str,
    abbr: &'static str,
) -> Area {
    Area { codes, county, bureau, abbr, former: None }
}

const fn merged(
    codes: &'static [&'static str],
    now: (&'static str, &'static str, &'static str),
    until: u32,
    then: (&'static str, &'static str, &'static str),
) -> Area {
    Area {
        codes,
        county: now.0,
        bureau: now.1,
        abbr: now.2,
        former: Some(Former { until, county: then.0, bureau: then.1, abbr: then.2 }),
    }
}

const TAIPEI_NEW: (&str, &str, &str) = ("新北市", "新北市政府衛生局", "新北");
const TAICHUNG: (&str, &str, &str) = ("臺中市", "臺中市政府衛生局", "中市");
const TAINAN: (&str, &str, &str) = ("臺南市", "臺南市政府衛生局", "南市");
const KAOHSIUNG: (&str, &str, &str) = ("高雄市", "高雄市政府衛生局", "高市");

/// NHI codes carry the area in digits 3–4 (01 臺北市, 31 the former 臺北縣, …; 03, 05 and 07 are
/// the codes given after the 2010 mergers). The counties merged into special municipalities on
/// 2010-12-25, and 桃園 was upgraded on 2014-12-25.
static AREAS: [Area; 25] = [
    area(&["01"], "臺北市", "臺北市政府衛生局", "北市"),
    area(&["02", "07"], KAOHSIUNG.0, KAOHSIUNG.1, KAOHSIUNG.2),
    area(&["03", "17"], TAICHUNG.0, TAICHUNG.1, TAICHUNG.2),
    area(&["05", "21"], TAINAN.0, TAINAN.1, TAINAN.2),
    area(&["11"], "基隆市", "基隆市衛生局", "基市"),
    area(&["12"], "新竹市", "新竹市衛生局", "竹市"),
    area(&["22"], "嘉義市", "嘉義市政府衛生局", "嘉市"),
    merged(&["31"], TAIPEI_NEW, 20101225, ("臺北縣", "臺北縣政府衛生局", "北縣")),
    merged(&["32"], ("桃園市", "桃園市政府衛生局", "桃市"), 20141225, ("桃園縣", "桃園縣政府衛生局", "桃縣")),
    area(&["33"], "新竹縣", "新竹縣政府衛生局", "竹縣"),
    area(&["34"], "宜蘭縣", "宜蘭縣政府衛生局", "宜縣"),
    area(&["35"], "苗栗縣", "苗栗縣政府衛生局", "苗縣"),
    merged(&["36"], TAICHUNG, 20101225, ("臺中縣", "臺中縣衛生局", "中縣")),
    area(&["37"], "彰化縣", "彰化縣衛生局", "彰縣"),
    area(&["38"], "南投縣", "南投縣政府衛生局", "投縣"),
    area(&["39"], "雲林縣", "雲林縣衛生局", "雲縣"),
    area(&["40"], "嘉義縣", "嘉義縣衛生局", "嘉縣"),
    merged(&["41"], TAINAN, 20101225, ("臺南縣", "臺南縣衛生局", "南縣")),
    merged(&["42"], KAOHSIUNG, 20101225, ("高雄縣", "高雄縣政府衛生局", "高縣")),
    area(&["43"], "屏東縣", "屏東縣政府衛生局", "屏縣"),
    area(&["44"], "澎湖縣", "澎湖縣政府衛生局", "澎縣"),
    area(&["45"], "花蓮縣", "花蓮縣衛生局", "花縣"),
    area(&["46"], "臺東縣", "臺東縣衛生局", "東縣"),
    area(&["90"], "金門縣", "金門縣衛生局", "金門"),
    area(&["91"], "連江縣", "連江縣衛生福利局", "連江"),
];

/// The area of an NHI code, or `None` when its digits 3–4 are not a known area.
pub(crate) fn area_of(nhi_code: &str) -> Option<&'static Area> {
    let digits = nhi_code.get(2..4)?;
    AREAS.iter().find(|a| a.codes.contains(&digits))
}

/// An institution with what the generator needs about it, parsed once.
#[derive(Debug)]
pub(crate) struct Site {
    pub code: &'static str,
    pub name: &'static str,
    /// "…醫院護理部": the nursing department that runs the hospital's courses.
    pub nursing_department: String,
    pub area: &'static Area,
}

pub(crate) fn sites() -> &'static [Site] {
    static SITES: OnceLock<Vec<Site>> = OnceLock::new();
    SITES.get_or_init(parse)
}

/// Any institution, all equally likely.
pub(crate) fn random_site(rng: &mut crate::random::DemoRng) -> &'static Site {
    use rand::Rng;
    let all = sites();
    &all[rng.random_range(0..all.len())]
}

fn parse() -> Vec<Site> {
    CSV.lines()
        .skip(1)
        .filter_map(|line| {
            let (code, name) = line.trim().split_once(',')?;
            let name = name.trim().trim_matches('"');
            let code = code.trim();
            // An unknown area would only happen with a new CSV; such rows are left out rather
            // than given a bureau that might be wrong.
            let area = area_of(code)?;
            Some(Site { code, name, nursing_department: format!("{}護理部", short_name(name)), area })
        })
        .collect()
}

/// The hospital's name without the operator notes of the registry ("（委託…經營）", "-委託…")
/// and without "附設民眾診療服務處", which would read oddly before "護理部".
fn short_name(name: &str) -> &str {
    let cut = name.find(['（', '(', '-']).unwrap_or(name.len());
    let name = &name[..cut];
    name.strip_suffix("附設民眾診療服務處").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(nhi_code: &str) -> Option<&'static Site> {
        sites().iter().find(|s| s.code == nhi_code)
    }

    #[test]
    fn every_institution_has_an_area() {
        let rows = CSV.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        assert_eq!(sites().len(), rows);
        assert_eq!(institutions().len(), rows);
    }

    #[test]
    fn merged_counties_use_their_old_bureau_before_the_merger() {
        let banqiao = site("0131020016").expect("in the CSV");
        let before = NaiveDate::from_ymd_opt(2009, 5, 1).expect("date");
        let after = NaiveDate::from_ymd_opt(2011, 5, 1).expect("date");
        assert_eq!(banqiao.area.bureau_on(before), "臺北縣政府衛生局");
        assert_eq!(banqiao.area.bureau_on(after), "新北市政府衛生局");
        assert_eq!(banqiao.area.abbr_on(after), "新北");
    }

    #[test]
    fn operator_notes_are_cut_from_department_names() {
        assert_eq!(short_name("郵政醫院（委託中英醫療社團法人經營）"), "郵政醫院");
        assert_eq!(short_name("臺北市立關渡醫院-委託臺北榮民總醫院經營"), "臺北市立關渡醫院");
        assert_eq!(short_name("三軍總醫院附設民眾診療服務處"), "三軍總醫院");
    }
}
