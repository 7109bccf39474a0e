//! Chinese names as they are distributed in Taiwan.

use rand::Rng;

use crate::model::Sex;
use crate::random::{DemoRng, one_of, weighted};

/// The commonest surnames with weights in tenths of a percent of the population (Ministry of the
/// Interior name statistics, rounded); the tail stands in for the hundreds of rarer ones.
const SURNAMES: [(&str, u32); 80] = [
    ("陳", 111),
    ("林", 83),
    ("黃", 60),
    ("張", 53),
    ("李", 51),
    ("王", 41),
    ("吳", 40),
    ("劉", 32),
    ("蔡", 29),
    ("楊", 26),
    ("許", 23),
    ("鄭", 19),
    ("謝", 18),
    ("郭", 17),
    ("洪", 16),
    ("曾", 14),
    ("邱", 14),
    ("廖", 13),
    ("賴", 13),
    ("周", 11),
    ("徐", 11),
    ("蘇", 10),
    ("葉", 10),
    ("莊", 9),
    ("呂", 9),
    ("江", 8),
    ("何", 8),
    ("蕭", 7),
    ("羅", 7),
    ("高", 6),
    ("簡", 5),
    ("潘", 5),
    ("朱", 5),
    ("鍾", 5),
    ("游", 5),
    ("彭", 5),
    ("詹", 5),
    ("胡", 4),
    ("施", 4),
    ("沈", 4),
    ("余", 4),
    ("趙", 4),
    ("盧", 4),
    ("梁", 4),
    ("顏", 4),
    ("柯", 4),
    ("孫", 3),
    ("魏", 3),
    ("翁", 3),
    ("戴", 3),
    ("范", 3),
    ("方", 3),
    ("宋", 3),
    ("鄧", 2),
    ("杜", 2),
    ("傅", 2),
    ("侯", 2),
    ("曹", 2),
    ("薛", 2),
    ("丁", 2),
    ("卓", 2),
    ("阮", 1),
    ("馬", 1),
    ("董", 1),
    ("温", 1),
    ("唐", 1),
    ("藍", 1),
    ("石", 1),
    ("蔣", 1),
    ("古", 1),
    ("紀", 1),
    ("姚", 1),
    ("連", 1),
    ("馮", 1),
    ("歐", 1),
    ("程", 1),
    ("湯", 1),
    ("黎", 1),
    ("田", 1),
    ("康", 1),
];

/// Two-character surnames, mostly of Hakka and Taiwanese families.
const COMPOUND_SURNAMES: [&str; 4] = ["張簡", "范姜", "歐陽", "司馬"];

/// Given-name characters by generation: names of women born before about 1975, to 1990, and after.
const FEMALE_OLDER: [char; 40] = [
    '淑', '美', '秀', '麗', '玉', '月', '珠', '惠', '芬', '貞', '華', '英', '琴', '蓮', '雪', '鳳', '春',
    '珍', '滿', '素', '碧', '桂', '蘭', '霞', '娟', '敏', '玲', '如', '雲', '芳', '香', '萍', '瑛', '梅',
    '嬌', '卿', '琇', '瓊', '慧', '錦',
];
const FEMALE_MIDDLE: [char; 40] = [
    '怡', '婷', '君', '雅', '佳', '慧', '瑜', '琪', '欣', '宜', '如', '倩', '婉', '詩', '筱', '郁', '雯',
    '靜', '玟', '珮', '姿', '琳', '蓉', '萱', '儀', '穎', '盈', '潔', '瑋', '嘉', '佩', '芳', '淑', '惠',
    '玲', '真', '珊', '伶', '鈺', '蕙',
];
const FEMALE_YOUNGER: [char; 40] = [
    '宜', '庭', '涵', '瑄', '萱', '妤', '芸', '晴', '昀', '欣', '彤', '柔', '歆', '甯', '語', '薇', '亭',
    '恩', '禎', '榆', '羽', '心', '品', '子', '安', '琦', '沛', '穎', '婕', '筑', '瑀', '芷', '馨', '璇',
    '怡', '佳', '雅', '詠', '以', '郁',
];
const MALE: [char; 48] = [
    '志', '明', '家', '豪', '俊', '宏', '建', '文', '偉', '勝', '冠', '宇', '承', '翰', '柏', '彥', '哲',
    '育', '聖', '凱', '信', '仁', '國', '榮', '政', '德', '傑', '銘', '祥', '賢', '宗', '正', '昌', '達',
    '鴻', '霖', '峻', '睿', '廷', '軒', '維', '智', '嘉', '煒', '昱', '恩', '崇', '威',
];

/// Characters outside the BMP (CJK Extension B) found in registered names; they are what
/// breaks software that assumes UTF-16 code units or three-byte UTF-8.
pub(crate) const EXTENSION_B: [char; 4] = ['\u{20BB7}', '\u{21619}', '\u{233B4}', '\u{2000B}'];

pub(crate) fn name(rng: &mut DemoRng, sex: Sex, birth_year: i32) -> String {
    let mut name = String::with_capacity(12);
    if rng.random_range(0..1000) < 2 {
        name.push_str(one_of(rng, &COMPOUND_SURNAMES));
    } else {
        name.push_str(weighted(rng, &SURNAMES));
    }
    let pool: &[char] = match (sex, birth_year) {
        (Sex::Male, _) => &MALE,
        (Sex::Female, ..=1974) => &FEMALE_OLDER,
        (Sex::Female, 1975..=1989) => &FEMALE_MIDDLE,
        (Sex::Female, _) => &FEMALE_YOUNGER,
    };
    let length = if rng.random_range(0..100) < 3 { 1 } else { 2 };
    let rare = rng.random_range(0..1000) < 2;
    let rare_at = rng.random_range(0..length);
    for position in 0..length {
        if rare && position == rare_at {
            name.push(one_of(rng, &EXTENSION_B));
        } else {
            name.push(one_of(rng, pool));
        }
    }
    name
}
