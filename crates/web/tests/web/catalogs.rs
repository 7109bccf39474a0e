//! Every message the pages ask for exists in both languages.

use std::collections::BTreeSet;
use std::path::Path;

use huzhu_web::i18n::Lang;

const SECTIONS: &[&str] = &[
    "site",
    "nav",
    "breadcrumb",
    "landing",
    "login",
    "home",
    "videos",
    "links",
    "status",
    "profession",
    "error",
    "account",
    "password",
    "mail",
    "ce",
    "category",
    "activity",
    "role",
    "personal",
    "verify",
    "ce_pdf",
    "ops",
];

/// String literals in `text` that look like catalog keys (`section.name`).
fn keys_in(text: &str) -> BTreeSet<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|literal| {
            literal.split_once('.').is_some_and(|(section, name)| {
                SECTIONS.contains(&section)
                    && !name.is_empty()
                    && !["html", "js", "css", "svg"].contains(&name)
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        })
        .map(str::to_owned)
        .collect()
}

fn files_under(folder: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("the folder reads").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn both_catalogs_have_the_same_keys() {
    let zh: BTreeSet<&str> = Lang::ZhTw.messages().keys().collect();
    let en: BTreeSet<&str> = Lang::En.messages().keys().collect();
    assert!(zh.len() > 50, "the Chinese catalog loaded ({} keys)", zh.len());
    assert_eq!(zh.difference(&en).collect::<Vec<_>>(), Vec::<&&str>::new(), "missing in English");
    assert_eq!(en.difference(&zh).collect::<Vec<_>>(), Vec::<&&str>::new(), "missing in Chinese");
}

#[test]
fn every_key_the_code_and_templates_use_is_in_the_catalogs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    files_under(&root.join("src"), &mut files);
    files_under(&root.join("templates"), &mut files);
    let mut used = BTreeSet::new();
    for file in files {
        used.extend(keys_in(&std::fs::read_to_string(&file).expect("a source file reads")));
    }
    // Keys built at run time from core's codes.
    for status in huzhu_core::profession::PracticeStatus::ALL {
        used.insert(status.message_key().to_owned());
    }
    for profession in huzhu_core::profession::Profession::ALL {
        used.insert(profession.message_key().to_owned());
    }
    for category in huzhu_core::rules::Category::ALL {
        used.insert(category.message_key().to_owned());
    }
    for row in 1..=9 {
        used.insert(huzhu_core::rules::Activity(row).message_key());
    }
    for sort in ["date_desc", "date_asc", "points_desc", "points_asc", "title"] {
        used.insert(format!("ce.sort_{sort}"));
    }
    assert!(used.len() > 40, "the scan found the keys ({})", used.len());
    for lang in [Lang::ZhTw, Lang::En] {
        let known: BTreeSet<&str> = lang.messages().keys().collect();
        let missing: Vec<&String> = used.iter().filter(|k| !known.contains(k.as_str())).collect();
        assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
    }
}

#[test]
fn placeholders_are_filled_in() {
    let zh = Lang::ZhTw.messages();
    assert_eq!(zh.format("home.welcome", &[("name", "林美華")]), "歡迎回來，林美華");
    assert_eq!(
        zh.format("home.learning", &[("courses", "3"), ("hours", "8"), ("minutes", "0")]),
        "3 堂，共計 8 小時 0 分鐘"
    );
}
