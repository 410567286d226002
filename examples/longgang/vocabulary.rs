//! Names, skill levels and skills drawn for people and duties, shared by the four bureaus.

use std::collections::BTreeMap;

use crate::rng::Rng;

const SURNAMES: [&str; 30] = [
    "Chen", "Lin", "Huang", "Zhang", "Wang", "Li", "Liu", "Yang", "Zhou", "Wu", "Xu", "Zheng",
    "Jin", "Pan", "Xie", "Ye", "Cai", "Shi", "Hu", "Zhu", "Lu", "Fang", "Yu", "Su", "Guo", "He",
    "Luo", "Song", "Tang", "Qian",
];
const GIVEN: [&str; 40] = [
    "wei", "min", "jie", "hua", "li", "jun", "ying", "hao", "xin", "yu", "ting", "qiang", "lei",
    "yan", "fang", "bo", "chen", "kai", "lan", "ming", "ning", "ping", "rui", "shan", "tao", "wen",
    "xia", "yi", "zhen", "zhi", "dong", "feng", "gang", "hong", "jing", "long", "mei", "qing",
    "song", "yun",
];

/// An invented pinyin-style name such as "Chen Weiming".
pub fn person_name(rng: &mut Rng) -> String {
    let mut given = GIVEN[rng.below(GIVEN.len())].to_owned();
    if rng.chance(0.7) {
        given.push_str(GIVEN[rng.below(GIVEN.len())]);
    }
    let first = given[..1].to_uppercase();
    format!(
        "{} {first}{}",
        SURNAMES[rng.below(SURNAMES.len())],
        &given[1..]
    )
}

/// Level a duty asks for: mostly basic, a few expert-only duties.
pub fn need_level(rng: &mut Rng) -> i64 {
    [1, 2, 3, 4, 5][rng.weighted(&[35, 33, 20, 9, 3])]
}
/// Level of a person's main skill.
pub fn main_level(rng: &mut Rng) -> i64 {
    [2, 3, 4, 5][rng.weighted(&[20, 35, 30, 15])]
}
/// Level of a side skill.
pub fn side_level(rng: &mut Rng) -> i64 {
    [1, 2, 3][rng.weighted(&[40, 40, 20])]
}

/// Skills for one person: the first of `main` at a main level, the others as side skills
/// (each with probability 0.7), plus now and then one side skill from `pool`.
pub fn staff_skills(rng: &mut Rng, main: &[String], pool: &[String]) -> BTreeMap<String, i64> {
    let mut skills = BTreeMap::new();
    skills.insert(main[0].clone(), main_level(rng));
    for k in &main[1..] {
        if rng.chance(0.7) {
            skills.entry(k.clone()).or_insert_with(|| side_level(rng));
        }
    }
    if rng.chance(0.4) {
        let k = pool[rng.below(pool.len())].clone();
        skills.entry(k).or_insert_with(|| side_level(rng));
    }
    skills
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}
