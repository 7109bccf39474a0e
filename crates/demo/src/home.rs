//! What the member home page shows besides the member's own figures: the quote of the day,
//! recommended videos and quick links (the manual's 每天來點正能量, 影音推薦 and 快速連結).

/// A line of 每天來點正能量.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub text: String,
    /// Shown as "(出處：…)".
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Video {
    pub title: String,
    /// Shown after "到以下平台觀看：".
    pub platform: String,
    pub url: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickLink {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeContent {
    /// The first is the manual's.
    pub quotes: Vec<Quote>,
    /// The first is the manual's.
    pub videos: Vec<Video>,
    /// The first two are the manual's.
    pub quick_links: Vec<QuickLink>,
    /// Where the 護助歷史平台 button leads.
    pub history_platform_url: String,
}

/// The portal itself: the pages whose own addresses are not published (the 護助歷史平台 and the
/// 護理職場爭議通報平台, DOMAIN §5.1) point here until the real ones are confirmed.
const PORTAL: &str = "https://nurse.mohw.gov.tw/";

const QUOTES: [(&str, &str); 8] = [
    ("成功之人去找尋環境，若環境不符合他，便去改造它。", "喬伯納"),
    ("有時去治癒，常常去幫助，總是去安慰。", "特魯多醫師墓誌銘"),
    ("千里之行，始於足下。", "老子《道德經》"),
    ("學而不思則罔，思而不學則殆。", "《論語．為政》"),
    ("工欲善其事，必先利其器。", "《論語．衛靈公》"),
    ("業精於勤，荒於嬉；行成於思，毀於隨。", "韓愈〈進學解〉"),
    ("天下難事，必作於易；天下大事，必作於細。", "老子《道德經》"),
    ("己所不欲，勿施於人。", "《論語．衛靈公》"),
];

/// The videos link to a YouTube search for their title: the clips' own addresses are not in
/// the manual, and a search still finds them if they move.
const VIDEOS: [(&str, &str, &str); 3] = [
    (
        "居家護理師—關於我和個案變成家人的那些事",
        "https://www.youtube.com/results?search_query=%E5%B1%85%E5%AE%B6%E8%AD%B7%E7%90%86%E5%B8%AB%20%E9%97%9C%E6%96%BC%E6%88%91%E5%92%8C%E5%80%8B%E6%A1%88%E8%AE%8A%E6%88%90%E5%AE%B6%E4%BA%BA%E7%9A%84%E9%82%A3%E4%BA%9B%E4%BA%8B",
        "一位居家護理師走進個案家中，從管路照護到陪伴家屬，談長期陪伴如何讓護病之間成為家人。",
    ),
    (
        "手部衛生五時機",
        "https://www.youtube.com/results?search_query=%E6%89%8B%E9%83%A8%E8%A1%9B%E7%94%9F%E4%BA%94%E6%99%82%E6%A9%9F",
        "接觸病人前、執行清潔無菌操作前、暴露於病人體液風險後、接觸病人後、接觸病人周遭環境後：五個時機的示範與常見疏漏。",
    ),
    (
        "認識長照2.0：居家、社區到機構的照顧服務",
        "https://www.youtube.com/results?search_query=%E9%95%B7%E7%85%A72.0%20%E7%85%A7%E9%A1%A7%E6%9C%8D%E5%8B%99",
        "長照服務如何申請、有哪些服務項目，以及護理人員在個案管理與出院準備中的角色。",
    ),
];

const QUICK_LINKS: [(&str, &str); 6] = [
    ("醫事系統入口網", "https://ma.mohw.gov.tw/maportal/"),
    ("護理職場爭議通報平台", PORTAL),
    ("衛生福利部", "https://www.mohw.gov.tw/"),
    ("全國法規資料庫", "https://law.moj.gov.tw/"),
    ("台灣護理學會", "https://www.twna.org.tw/"),
    ("中華民國護理師護士公會全國聯合會", "https://www.nurse.org.tw/"),
];

pub fn home_content() -> HomeContent {
    HomeContent {
        quotes: QUOTES
            .iter()
            .map(|(text, source)| Quote { text: text.to_string(), source: source.to_string() })
            .collect(),
        videos: VIDEOS
            .iter()
            .map(|(title, url, summary)| Video {
                title: title.to_string(),
                platform: "YouTube".to_string(),
                url: url.to_string(),
                summary: summary.to_string(),
            })
            .collect(),
        quick_links: QUICK_LINKS
            .iter()
            .map(|(title, url)| QuickLink { title: title.to_string(), url: url.to_string() })
            .collect(),
        history_platform_url: PORTAL.to_string(),
    }
}
