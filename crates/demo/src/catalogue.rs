//! Course titles, organisers and reviewers the CE ledger is made of.
//!
//! Titles are grouped by category and topic flag so a generated record's title always agrees
//! with its category, its 感染管制 and its 性別議題 flags.

use huzhu_core::rules::Category;
use huzhu_core::rules::Category::{Ethics, Law, Professional, Quality};

pub(crate) const PRO: [&str; 44] = [
    "急重症病人照護新知",
    "傷口照護與造口護理實務",
    "疼痛評估與處置",
    "糖尿病個案管理與衛教",
    "失智症照護實務",
    "安寧緩和療護之症狀控制",
    "兒科護理新知",
    "精神科病人之護理與溝通",
    "心臟血管疾病護理",
    "腫瘤病人化學治療之護理",
    "呼吸照護與呼吸器脫離",
    "管路照護實務",
    "出院準備服務與長期照護銜接",
    "高齡者周全性評估",
    "跌倒預防與評估",
    "壓力性損傷預防與照護",
    "高級心臟救命術（ACLS）",
    "基本救命術與AED操作",
    "血液透析護理",
    "手術全期護理",
    "護理紀錄書寫",
    "臨床護理教學技巧",
    "實證護理之應用",
    "護理研究設計與統計",
    "給藥安全與技巧",
    "營養評估與管灌照護",
    "居家護理實務",
    "長期照護個案管理",
    "社區衛生護理實務",
    "新生兒照護與評估",
    "腦中風病人之護理",
    "護理資訊系統應用",
    "臨床護理能力進階制度",
    "護理行政與領導",
    "重症病人之鎮靜與譫妄評估",
    "早產兒照護",
    "腹膜透析護理",
    "輸血安全與護理",
    "身體評估技巧",
    "靜脈注射技術與輸液治療",
    "護理人員之壓力調適",
    "家庭護理評估",
    "兒童急重症護理",
    "慢性腎臟病衛教",
];

pub(crate) const PRO_MIDWIFERY: [&str; 10] = [
    "產程評估與處置",
    "高危險妊娠照護",
    "母乳哺育與產後照護",
    "產科急症之處置",
    "周產期心理健康",
    "溫柔生產與生產計畫",
    "新生兒急救（NRP）",
    "孕期營養與衛教",
    "胎心音監測判讀",
    "產後出血之預防與處置",
];

/// Professional courses about infections: clinical content, so category 1, but the ledger
/// still ticks 感染管制.
pub(crate) const PRO_INFECTION: [&str; 4] =
    ["感染症病人之護理", "結核病個案管理", "愛滋病個案之照護", "新興傳染病病人照護"];

pub(crate) const QUALITY: [&str; 10] = [
    "病人安全與異常事件通報",
    "醫療品質指標之監測與改善",
    "根本原因分析（RCA）實務",
    "品管圈手法與應用",
    "跌倒事件分析與預防策略",
    "用藥安全與給藥異常事件管理",
    "團隊資源管理（TRM）",
    "醫病共享決策（SDM）",
    "臨床路徑與照護品質",
    "交班溝通（ISBAR）實務",
];

pub(crate) const QUALITY_INFECTION: [&str; 10] = [
    "感染管制新知與實務",
    "手部衛生與感染管制",
    "多重抗藥性微生物之感染管制",
    "隔離防護措施與個人防護裝備",
    "導管相關血流感染預防",
    "醫療照護相關感染監測",
    "新興傳染病之感染管制",
    "呼吸器相關肺炎預防組合式照護",
    "環境清潔與消毒",
    "結核病感染管制",
];

pub(crate) const ETHICS: [&str; 9] = [
    "護理倫理與臨床困境決策",
    "醫療倫理與病人自主",
    "安寧療護之倫理議題",
    "護理專業價值與倫理守則",
    "生命末期照護之倫理",
    "醫療爭議與倫理思辨",
    "研究倫理與受試者保護",
    "醫病溝通與關懷",
    "臨床倫理個案討論",
];

pub(crate) const ETHICS_GENDER: [&str; 3] =
    ["性別平等與醫療照護倫理", "多元性別族群之友善照護", "性別敏感度與護理專業"];

pub(crate) const LAW: [&str; 10] = [
    "護理人員法與相關法規",
    "醫療法與護理業務",
    "個人資料保護法於醫療之應用",
    "長期照顧服務法簡介",
    "醫療事故預防及爭議處理法",
    "勞動基準法與護理人員權益",
    "病人自主權利法",
    "精神衛生法",
    "管制藥品管理相關法規",
    "電子病歷相關法規",
];

pub(crate) const LAW_MIDWIFERY: [&str; 2] = ["助產人員法與相關法規", "優生保健法與人工生殖法"];

pub(crate) const LAW_GENDER: [&str; 6] = [
    "性別平等工作法與職場性騷擾防治",
    "性騷擾防治三法",
    "性侵害犯罪防治與驗傷採證",
    "家庭暴力防治法與責任通報",
    "性別平等教育法概論",
    "性別工作平等與友善職場",
];

pub(crate) const LAW_INFECTION: [&str; 2] = ["傳染病防治法與疫情通報", "傳染病防治法與醫療機構責任"];

/// A course whose hours were approved across several categories, with the share of each part.
pub(crate) struct Split {
    pub title: &'static str,
    pub parts: &'static [Part],
}

pub(crate) struct Part {
    pub category: Category,
    pub infection_control: bool,
    pub gender: bool,
    /// Share of the course's points, in quarters.
    pub quarters: i64,
}

const fn part(category: Category, infection_control: bool, gender: bool, quarters: i64) -> Part {
    Part { category, infection_control, gender, quarters }
}

/// The shape of the national union's course lists: "7.2 points: 專業 1.8, 法規 3.6, 法規(性別) 1.8".
pub(crate) const SPLITS: [Split; 6] = [
    Split {
        title: "婦女健康照護與性別議題",
        parts: &[part(Professional, false, false, 1), part(Law, false, false, 2), part(Law, false, true, 1)],
    },
    Split {
        title: "長期照護個案管理實務與法規",
        parts: &[part(Professional, false, false, 2), part(Law, false, false, 2)],
    },
    Split {
        title: "安寧緩和療護之溝通與倫理",
        parts: &[part(Professional, false, false, 2), part(Ethics, false, false, 2)],
    },
    Split {
        title: "感染管制與病人安全研習",
        parts: &[
            part(Professional, false, false, 2),
            part(Quality, true, false, 1),
            part(Quality, false, false, 1),
        ],
    },
    Split {
        title: "醫療職場暴力防治與性別友善",
        parts: &[part(Quality, false, false, 2), part(Law, false, true, 2)],
    },
    Split {
        title: "居家護理實務與相關法規",
        parts: &[part(Professional, false, false, 3), part(Law, false, false, 1)],
    },
];

/// Academic conferences of the profession (annex row 2) and their organisers.
pub(crate) const CONFERENCES: [(&str, &str); 6] = [
    ("台灣護理學會年會暨學術研討會", "台灣護理學會"),
    ("國際護理研討會", "台灣護理學會"),
    ("護理研究學術研討會", "台灣護理學會"),
    ("專科護理師學術研討會", "台灣專科護理師學會"),
    ("腫瘤護理學術研討會", "台灣腫瘤護理學會"),
    ("傷口造口及失禁護理學術研討會", "台灣傷口造口及失禁護理學會"),
];

pub(crate) const MIDWIFERY_CONFERENCES: [(&str, &str); 2] =
    [("助產學術研討會", "台灣助產學會"), ("國際助產研討會", "台灣助產學會")];

/// Conferences of related societies (annex row 3), with the category their sessions carry.
pub(crate) const RELATED_CONFERENCES: [(&str, &str, Category, bool); 7] = [
    ("醫療品質促進聯盟年會", "財團法人醫院評鑑暨醫療品質策進會", Quality, false),
    ("感染管制學術研討會", "台灣感染管制學會", Quality, true),
    ("安寧緩和醫學學術研討會", "台灣安寧緩和醫學學會", Professional, false),
    ("糖尿病衛教學術研討會", "中華民國糖尿病衛教學會", Professional, false),
    ("老年醫學學術研討會", "台灣老年醫學會", Professional, false),
    ("家庭醫學學術研討會", "台灣家庭醫學醫學會", Professional, false),
    ("醫學倫理教育研討會", "台灣醫學教育學會", Ethics, false),
];

pub(crate) const TEAM_DISCUSSIONS: [(&str, Category); 6] = [
    ("跨領域團隊病例討論會", Professional),
    ("死亡及併發症討論會", Professional),
    ("出院準備跨團隊會議", Professional),
    ("跨專業聯合照護討論", Professional),
    ("重症團隊照護討論會", Professional),
    ("臨床倫理個案討論會", Ethics),
];

/// Journal correspondence courses (annex row 6).
pub(crate) const CORRESPONDENCE: [(&str, &str); 4] = [
    ("護理雜誌通訊繼續教育", "台灣護理學會"),
    ("長期照護雜誌通訊課程", "台灣長期照護專業協會"),
    ("榮總護理通訊繼續教育", "臺北榮民總醫院護理部"),
    ("助產雜誌通訊繼續教育", "台灣助產學會"),
];

pub(crate) const PAPERS: [&str; 10] = [
    "降低住院病人跌倒發生率之改善專案",
    "提升加護病房護理人員手部衛生遵從率",
    "運用團體衛教提升糖尿病病人自我照護能力之成效",
    "照顧一位初診斷乳癌婦女之護理經驗",
    "新進護理人員工作壓力與留任意願之相關性研究",
    "縮短急診病人候床時間之改善專案",
    "提升護理人員疼痛評估完整率",
    "一位早產兒母親面對哺餵母乳困境之護理經驗",
    "居家失能長者照顧者負荷之探討",
    "降低血液透析病人動靜脈瘻管阻塞率",
];

pub(crate) const JOURNALS: [&str; 8] = [
    "護理雜誌",
    "榮總護理",
    "長庚護理",
    "源遠護理",
    "護理暨健康照護研究",
    "澄清醫護管理雜誌",
    "志為護理",
    "新臺北護理期刊",
];

pub(crate) const UNIVERSITY_COURSES: [&str; 8] = [
    "進階病理生理學",
    "進階健康評估",
    "護理理論",
    "高等護理研究法",
    "長期照護政策與管理",
    "進階藥理學",
    "實證健康照護",
    "護理行政管理",
];

pub(crate) const UNIVERSITIES: [&str; 14] = [
    "國立臺北護理健康大學",
    "國立臺灣大學",
    "國立陽明交通大學",
    "國立成功大學",
    "高雄醫學大學",
    "臺北醫學大學",
    "中山醫學大學",
    "中國醫藥大學",
    "長庚大學",
    "慈濟大學",
    "輔仁大學",
    "弘光科技大學",
    "輔英科技大學",
    "長庚科技大學",
];

/// Societies that run courses of annex row 1.
pub(crate) const SOCIETIES: [&str; 7] = [
    "台灣專科護理師學會",
    "台灣腫瘤護理學會",
    "台灣護理資訊學會",
    "台灣長期照護專業協會",
    "台灣安寧照顧協會",
    "台灣傷口造口及失禁護理學會",
    "中華民國糖尿病衛教學會",
];

pub(crate) const NURSING_SOCIETY: &str = "台灣護理學會";
pub(crate) const NURSING_UNION: &str = "中華民國護理師護士公會全國聯合會";
pub(crate) const MIDWIFERY_SOCIETY: &str = "台灣助產學會";
pub(crate) const MIDWIFERY_UNION: &str = "中華民國助產師助產士公會全國聯合會";
pub(crate) const CDC: &str = "衛生福利部疾病管制署";
pub(crate) const JCT: &str = "財團法人醫院評鑑暨醫療品質策進會";

/// Why the ledger marks a record invalid.
pub(crate) const INVALID_REASONS: [&str; 6] =
    ["簽到紀錄不全", "簽退紀錄不全", "重複登錄", "未完成課後測驗", "上課時數不足", "非本職類認可課程"];

/// Courses of the portal's own e-learning (線上學習履歷).
pub(crate) const E_LEARNING: [&str; 15] = [
    "護理人員執業登記與繼續教育積分說明",
    "長照2.0政策與服務介紹",
    "護理職場暴力與霸凌防治",
    "病人安全通報系統操作",
    "護理人員心理健康與壓力調適",
    "高齡友善照護環境",
    "居家護理所設立與經營",
    "護理之家評鑑基準說明",
    "母嬰親善與母乳哺育",
    "助產所業務與法規",
    "失智症照護基礎課程",
    "安寧緩和醫療條例與預立意願",
    "傳染病通報與防治",
    "資訊安全與個人資料保護",
    "護理職場爭議處理與申訴管道",
];
