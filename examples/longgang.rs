//! Writes the four Longgang instances (`instances/longgang-*.json`) from the facts of the
//! May 2021 report summarised in `DOMAIN.md`; `instances/README.md` says, per instance, which
//! numbers are from the report and which are assumed.
//!
//! Run: `cargo run --release --example longgang -- instances/`
//!
//! Deterministic: every instance has its own fixed seed for a SplitMix64 generator, and all
//! lists are built in a fixed order, so the files only change when this program does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use modstaff::io::{
    RawCounterpart, RawDuty, RawInstance, RawModule, RawRules, RawSkill, RawStaff, RawUnit,
};

/// SplitMix64: tiny, well mixed, and identical on every platform (no dependency needed).
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64) / ((1u64 << 53) as f64) < p
    }
    /// Index drawn with probability proportional to `weights`.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = self.below(total as usize) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

// --- shared vocabulary -------------------------------------------------------------------

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
fn person_name(rng: &mut Rng) -> String {
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
fn need_level(rng: &mut Rng) -> i64 {
    [1, 2, 3, 4, 5][rng.weighted(&[35, 33, 20, 9, 3])]
}
/// Level of a person's main skill.
fn main_level(rng: &mut Rng) -> i64 {
    [2, 3, 4, 5][rng.weighted(&[20, 35, 30, 15])]
}
/// Level of a side skill.
fn side_level(rng: &mut Rng) -> i64 {
    [1, 2, 3][rng.weighted(&[40, 40, 20])]
}

/// Skills for one person: the first of `main` at a main level, the others as side skills
/// (each with probability 0.7), plus now and then one side skill from `pool`.
fn staff_skills(rng: &mut Rng, main: &[String], pool: &[String]) -> BTreeMap<String, i64> {
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

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

// --- the builder shared by the four instances --------------------------------------------

/// What `finish` does after the structure is built.
struct Finish<'a> {
    /// Total duty hours / total capacity ("few people, many tasks").
    ratio: f64,
    /// People who get one module they may not hold.
    unavailable: usize,
    /// Duties tagged `transferable`, of which `batch1` also carry `transfer-batch1`.
    transferable: usize,
    batch1: usize,
    is_batch1: &'a dyn Fn(&RawDuty) -> bool,
    is_transferable: &'a dyn Fn(&RawDuty) -> bool,
}

struct Builder {
    rng: Rng,
    inst: RawInstance,
    /// Skills a module's duties draw on, main skill first.
    module_skills: Vec<Vec<String>>,
    duties_of: Vec<Vec<usize>>,
    duty_module: Vec<usize>,
    /// Per person: home module first, then modules they may also hold today, best first.
    prefs: Vec<Vec<usize>>,
    /// Per person: how many posts they hold today (at most).
    today: Vec<usize>,
    conflicts: Vec<(usize, usize)>,
    /// Skill levels set by `repair` (reported, to keep an eye on how much it patches).
    raised: usize,
}

impl Builder {
    fn new(name: &str, seed: u64, description: &str, rules: RawRules) -> Self {
        let inst = RawInstance {
            name: name.to_owned(),
            description: Some(description.to_owned()),
            skills: Some(Vec::new()),
            units: Vec::new(),
            counterparts: Vec::new(),
            staff: Vec::new(),
            modules: Vec::new(),
            duties: Vec::new(),
            rules: Some(rules),
        };
        Self {
            rng: Rng(seed),
            inst,
            module_skills: Vec::new(),
            duties_of: Vec::new(),
            duty_module: Vec::new(),
            prefs: Vec::new(),
            today: Vec::new(),
            conflicts: Vec::new(),
            raised: 0,
        }
    }

    fn skill(&mut self, id: &str, name: &str) {
        let skills = self.inst.skills.get_or_insert_with(Vec::new);
        skills.push(RawSkill {
            id: id.to_owned(),
            name: Some(name.to_owned()),
        });
    }

    fn unit(&mut self, id: &str, name: &str, cap: i64) {
        self.inst.units.push(RawUnit {
            id: id.to_owned(),
            name: Some(name.to_owned()),
            headcount_cap: Some(cap),
        });
    }

    fn counterpart(&mut self, id: String, name: &str, bureau: &str) {
        self.inst.counterparts.push(RawCounterpart {
            id,
            name: Some(name.to_owned()),
            bureau: Some(bureau.to_owned()),
        });
    }

    /// Adds module `m01`, `m02`, ...; returns its index.
    fn module(
        &mut self,
        name: &str,
        unit: &str,
        staff: (i64, i64),
        cps: Vec<String>,
        skills: Vec<String>,
    ) -> usize {
        let i = self.inst.modules.len();
        self.inst.modules.push(RawModule {
            id: format!("m{:02}", i + 1),
            name: Some(name.to_owned()),
            unit: Some(unit.to_owned()),
            min_staff: Some(staff.0),
            max_staff: Some(staff.1),
            counterparts: cps,
        });
        self.module_skills.push(skills);
        self.duties_of.push(Vec::new());
        i
    }

    /// Adds duty `d0001`, ...: weight class drawn with probabilities `stat` (statutory, 10) and
    /// `imp` (important, 4-5), else routine (1-2); about 15% are not splittable, and those are
    /// short (2-16 h) so that one person can take them whole.
    fn duty(
        &mut self,
        module: usize,
        skill: Option<&str>,
        hours: f64,
        (stat, imp): (f64, f64),
        mut tags: Vec<String>,
    ) -> usize {
        let rng = &mut self.rng;
        let min_level = skill.map(|_| need_level(rng)).filter(|&l| l > 1);
        let (weight, class) = if rng.chance(stat) {
            (10.0, "statutory")
        } else if rng.chance(imp / (1.0 - stat)) {
            (4.0 + rng.range(0, 1) as f64, "important")
        } else {
            (1.0 + rng.range(0, 1) as f64, "routine")
        };
        let whole = rng.chance(0.15);
        let hours = if whole {
            rng.range(2, 16) as f64
        } else {
            hours.max(1.0)
        };
        tags.insert(0, class.to_owned());
        let i = self.inst.duties.len();
        self.inst.duties.push(RawDuty {
            id: format!("d{:04}", i + 1),
            module: self.inst.modules[module].id.clone(),
            hours,
            skill: skill.map(str::to_owned),
            min_level,
            weight: Some(weight),
            splittable: whole.then_some(false),
            tags,
        });
        self.duties_of[module].push(i);
        self.duty_module.push(module);
        i
    }

    /// Adds person `p001`, ...: about 9% are part-timers (20-32 h, at most 2 posts).
    fn person(
        &mut self,
        unit: &str,
        skills: BTreeMap<String, i64>,
        prefs: Vec<usize>,
        today: usize,
    ) {
        let rng = &mut self.rng;
        let part_time = rng.chance(0.09);
        let capacity = if part_time {
            [20.0, 24.0, 28.0, 32.0][rng.below(4)]
        } else {
            40.0
        };
        self.inst.staff.push(RawStaff {
            id: format!("p{:03}", self.inst.staff.len() + 1),
            name: Some(person_name(rng)),
            unit: Some(unit.to_owned()),
            capacity: Some(capacity),
            skills,
            max_posts: part_time.then_some(2),
            max_liaisons: part_time.then_some(1),
            current_posts: Vec::new(),
            unavailable: Vec::new(),
        });
        self.prefs.push(prefs);
        self.today.push(today);
    }

    fn conflict(&mut self, a: usize, b: usize) {
        self.conflicts.push((a, b));
    }

    fn can_do(&self, p: usize, d: usize) -> bool {
        let duty = &self.inst.duties[d];
        duty.skill.as_ref().is_none_or(|k| {
            self.inst.staff[p]
                .skills
                .get(k)
                .is_some_and(|&l| l >= duty.min_level.unwrap_or(1))
        })
    }
    fn available(&self, p: usize, m: usize) -> bool {
        !self.inst.staff[p]
            .unavailable
            .contains(&self.inst.modules[m].id)
    }
    /// SPEC 2: not unavailable, and able to do one of the module's duties.
    fn qualifies(&self, p: usize, m: usize) -> bool {
        self.available(p, m)
            && (self.duties_of[m].is_empty()
                || self.duties_of[m].iter().any(|&d| self.can_do(p, d)))
    }
    fn qualified(&self, m: usize) -> usize {
        (0..self.inst.staff.len())
            .filter(|&p| self.qualifies(p, m))
            .count()
    }
    fn raise(&mut self, p: usize, d: usize) {
        let duty = &self.inst.duties[d];
        if let Some(k) = duty.skill.clone() {
            let need = duty.min_level.unwrap_or(1);
            let level = self.inst.staff[p].skills.entry(k).or_insert(need);
            *level = (*level).max(need);
            self.raised += 1;
        }
    }
    /// The duty of `m` that asks least (so raising a skill to it qualifies a person for `m`).
    fn easiest(&self, m: usize) -> usize {
        let level = |d: usize| {
            self.inst.duties[d]
                .skill
                .as_ref()
                .map_or(0, |_| self.inst.duties[d].min_level.unwrap_or(1))
        };
        *self.duties_of[m]
            .iter()
            .min_by_key(|&&d| level(d))
            .expect("module has duties")
    }

    /// Random draws leave gaps; close them by raising skills, preferring people whose home is
    /// the module concerned, so that the repair stays plausible and the validator stays silent.
    fn repair(&mut self) {
        let n = self.inst.staff.len();
        // Every duty can be done by someone available for its module.
        for d in 0..self.inst.duties.len() {
            let m = self.duty_module[d];
            if (0..n).any(|p| self.available(p, m) && self.can_do(p, d)) {
                continue;
            }
            let k = self.inst.duties[d]
                .skill
                .clone()
                .expect("a skill-free duty is open to all");
            let best = (0..n)
                .filter(|&p| self.available(p, m))
                .max_by_key(|&p| {
                    (
                        self.prefs[p][0] == m,
                        self.inst.staff[p].skills.get(&k).copied(),
                        std::cmp::Reverse(p),
                    )
                })
                .expect("someone is available");
            self.raise(best, d);
        }
        // Every module has at least min_staff qualified people.
        for m in 0..self.inst.modules.len() {
            let want = self.inst.modules[m].min_staff.unwrap_or(0) as usize;
            while self.qualified(m) < want {
                let d = self.easiest(m);
                let p = (0..n)
                    .filter(|&p| self.available(p, m) && !self.qualifies(p, m))
                    .max_by_key(|&p| (self.prefs[p].contains(&m), std::cmp::Reverse(p)))
                    .expect("enough people");
                self.raise(p, d);
            }
        }
        // Everyone qualifies for their home module.
        for p in 0..n {
            let home = self.prefs[p][0];
            if !self.qualifies(p, home) {
                let d = self.easiest(home);
                self.raise(p, d);
            }
        }
    }

    /// Scales splittable duties so that total hours = `ratio` x total capacity; whole duties
    /// keep their hours so that they stay within one person's week.
    fn calibrate(&mut self, ratio: f64) {
        let capacity: f64 = self
            .inst
            .staff
            .iter()
            .map(|p| p.capacity.unwrap_or(40.0))
            .sum();
        let split = |d: &RawDuty| d.splittable != Some(false);
        let fixed: f64 = self
            .inst
            .duties
            .iter()
            .filter(|d| !split(d))
            .map(|d| d.hours)
            .sum();
        let flex: f64 = self
            .inst
            .duties
            .iter()
            .filter(|d| split(d))
            .map(|d| d.hours)
            .sum();
        let factor = (ratio * capacity - fixed) / flex;
        for d in self.inst.duties.iter_mut().filter(|d| split(d)) {
            d.hours = (d.hours * factor).round().max(1.0);
        }
    }

    /// Tags exactly `total` duties `transferable`, `batch1` of them from the first batch.
    fn tag_transferable(&mut self, f: &Finish<'_>) {
        let mut first: Vec<usize> = (0..self.inst.duties.len())
            .filter(|&d| (f.is_batch1)(&self.inst.duties[d]))
            .collect();
        self.rng.shuffle(&mut first);
        assert!(
            first.len() >= f.batch1,
            "{}: only {} first-batch candidates",
            self.inst.name,
            first.len()
        );
        first.truncate(f.batch1);
        let mut rest: Vec<usize> = (0..self.inst.duties.len())
            .filter(|&d| (f.is_transferable)(&self.inst.duties[d]) && !first.contains(&d))
            .collect();
        self.rng.shuffle(&mut rest);
        let more = f.transferable - f.batch1;
        assert!(
            rest.len() >= more,
            "{}: only {} transferable candidates",
            self.inst.name,
            rest.len()
        );
        for (i, &d) in first.iter().chain(&rest[..more]).enumerate() {
            self.inst.duties[d].tags.push("transferable".to_owned());
            if i < f.batch1 {
                self.inst.duties[d].tags.push("transfer-batch1".to_owned());
            }
        }
    }

    /// Today's posts: the home module, then preferred modules up to the person's number of
    /// posts, only where the person qualifies and without breaking max_posts, conflicts,
    /// max_staff or unit caps, so that today's plan is itself feasible.
    fn current_posts(&mut self) {
        let rules = self.inst.rules.clone().unwrap_or_default();
        let caps: BTreeMap<String, usize> = self
            .inst
            .units
            .iter()
            .filter_map(|u| Some((u.id.clone(), u.headcount_cap? as usize)))
            .collect();
        let mut members: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        let mut count = vec![0_i64; self.inst.modules.len()];
        let mut posts: Vec<Vec<usize>> = vec![Vec::new(); self.inst.staff.len()];
        // Two passes: everyone's home post first, then the extra posts.
        for pass in 0..2 {
            for (p, held) in posts.iter_mut().enumerate() {
                let max = self.inst.staff[p]
                    .max_posts
                    .or(rules.max_posts)
                    .unwrap_or(3) as usize;
                let want = self.today[p].min(max);
                let prefs = if pass == 0 {
                    &self.prefs[p][..1]
                } else {
                    &self.prefs[p][1..]
                };
                for &m in prefs {
                    let module = &self.inst.modules[m];
                    let unit = module.unit.clone().unwrap_or_default();
                    let joins = !members.get(&unit).is_some_and(|s| s.contains(&p));
                    let ok = held.len() < want
                        && !held.contains(&m)
                        && self.qualifies(p, m)
                        && count[m] < module.max_staff.unwrap_or(i64::MAX)
                        && !held.iter().any(|&o| {
                            self.conflicts.contains(&(o, m)) || self.conflicts.contains(&(m, o))
                        })
                        && !(joins
                            && caps.get(&unit).is_some_and(|&c| {
                                members.get(&unit).map_or(0, BTreeSet::len) >= c
                            }));
                    if ok {
                        held.push(m);
                        count[m] += 1;
                        members.entry(unit).or_default().insert(p);
                    }
                }
            }
        }
        for (p, list) in posts.into_iter().enumerate() {
            self.inst.staff[p].current_posts = list
                .into_iter()
                .map(|m| self.inst.modules[m].id.clone())
                .collect();
        }
    }

    fn finish(mut self, f: &Finish<'_>) -> RawInstance {
        // A few people may not hold one module (conflict of interest, health, ...), never
        // their home module.
        let mut people: Vec<usize> = (0..self.inst.staff.len()).collect();
        self.rng.shuffle(&mut people);
        for &p in &people[..f.unavailable] {
            let m = loop {
                let m = self.rng.below(self.inst.modules.len());
                if m != self.prefs[p][0] {
                    break m;
                }
            };
            self.inst.staff[p]
                .unavailable
                .push(self.inst.modules[m].id.clone());
        }
        self.repair();
        eprintln!(
            "{}: repair raised {} skill levels",
            self.inst.name, self.raised
        );
        self.calibrate(f.ratio);
        self.tag_transferable(f);
        self.current_posts();
        let ids = |(a, b): (usize, usize)| {
            vec![
                self.inst.modules[a].id.clone(),
                self.inst.modules[b].id.clone(),
            ]
        };
        let conflicts = self.conflicts.iter().map(|&c| ids(c)).collect();
        self.inst
            .rules
            .get_or_insert_with(RawRules::default)
            .conflicts = conflicts;
        self.inst
    }
}

fn rules(max_posts: i64, max_liaisons: i64) -> RawRules {
    RawRules {
        max_posts: Some(max_posts),
        max_liaisons: Some(max_liaisons),
        liaison_weight: Some(8.0),
        min_staff_weight: Some(40.0),
        conflicts: Vec::new(),
    }
}

/// Homes for `n` people: every module gets one, the rest go by `weights`.
fn spread(rng: &mut Rng, n: usize, weights: &[u32]) -> Vec<usize> {
    let mut homes: Vec<usize> = (0..weights.len()).collect();
    while homes.len() < n {
        homes.push(rng.weighted(weights));
    }
    homes.sort_unstable();
    homes
}

/// Splits `total` items into groups of 3-14 (the last group absorbs a small remainder).
fn item_groups(rng: &mut Rng, total: i64) -> Vec<i64> {
    let mut groups = Vec::new();
    let mut left = total;
    while left > 0 {
        let mut g = rng.range(3, 14).min(left);
        if left - g < 3 {
            g = left;
        }
        groups.push(g);
        left -= g;
    }
    groups
}

fn has_tag(d: &RawDuty, tag: &str) -> bool {
    d.tags.iter().any(|t| t == tag)
}

fn in_modules(d: &RawDuty, ids: &[&str]) -> bool {
    ids.contains(&d.module.as_str())
}

// --- 1. Economic Development Bureau ------------------------------------------------------

fn econ() -> RawInstance {
    let mut b = Builder::new(
        "longgang-econ",
        0x4C47_0001,
        data::ECON_DESCRIPTION,
        rules(3, 3),
    );
    for (id, name) in data::ECON_SKILLS {
        b.skill(id, name);
    }
    // The 48-person establishment; task teams draw on at most 14 of them at a time.
    b.unit("econ", "Economic Development Bureau", 48);
    b.unit("econ-teams", "Modular task teams", 14);
    for (code, bureau, divisions) in data::ECON_BUREAUS {
        for (i, div) in divisions.iter().enumerate() {
            b.counterpart(format!("c-{code}-{:02}", i + 1), div, bureau);
        }
    }
    for (name, unit, skills, cps, min) in data::ECON_MODULES {
        let cps = cps.iter().map(|c| format!("c-{c}")).collect();
        let m = b.module(name, unit, (min, min + 4), cps, strings(&skills));
        for _ in 0..b.rng.range(4, 6) {
            let skill = [Some(skills[0]), Some(skills[1]), None][b.rng.weighted(&[6, 3, 1])];
            // "Staff are often stuck reacting to upstream demands": about a third of duties
            // are reports, data returns and meetings requested from Wenzhou.
            let tags = if b.rng.chance(0.35) {
                vec!["upstream".to_owned()]
            } else {
                Vec::new()
            };
            let hours = b.rng.range(4, 24) as f64;
            b.duty(m, skill, hours, (0.2, 0.35), tags);
        }
    }
    let pool = strings(&data::ECON_SKILLS.map(|(id, _)| id));
    let n_modules = b.inst.modules.len();
    for home in spread(&mut b.rng, 48, &vec![1; n_modules]) {
        let skills = staff_skills(&mut b.rng, &b.module_skills[home].clone(), &pool);
        // Other modules sharing the person's main skill are where they also serve today.
        let main = b.module_skills[home][0].clone();
        let mut others: Vec<usize> = (0..n_modules)
            .filter(|&m| m != home && b.module_skills[m].contains(&main))
            .collect();
        b.rng.shuffle(&mut others);
        others.insert(0, home);
        let today = [1, 2, 3][b.rng.weighted(&[20, 45, 35])];
        b.person("econ", skills, others, today);
    }
    // Who allocates enterprise subsidies does not also run statistical supervision.
    b.conflict(23, 26);
    let batch1 = |d: &RawDuty| in_modules(d, &["m12", "m17"]) && !has_tag(d, "statutory");
    let transferable = |d: &RawDuty| {
        in_modules(d, &["m16", "m21", "m25", "m26", "m33"]) && !has_tag(d, "statutory")
    };
    b.finish(&Finish {
        ratio: 1.3,
        unavailable: 3,
        transferable: 14,
        batch1: 4,
        is_batch1: &batch1,
        is_transferable: &transferable,
    })
}

// --- 2. Agriculture and Rural Affairs Bureau ---------------------------------------------

fn agri() -> RawInstance {
    let mut b = Builder::new(
        "longgang-agri",
        0x4C47_0002,
        data::AGRI_DESCRIPTION,
        rules(3, 2),
    );
    for (id, name) in data::AGRI_SKILLS {
        b.skill(id, name);
    }
    b.unit(
        "agri-admin",
        "Agriculture and Rural Affairs Bureau (administrative modules)",
        42,
    );
    b.unit(
        "agri-service",
        "Agriculture and Rural Affairs Bureau (public-service modules)",
        14,
    );
    for (code, bureau, divisions) in data::AGRI_BUREAUS {
        for (i, div) in divisions.iter().enumerate() {
            b.counterpart(format!("c-{code}-{:02}", i + 1), div, bureau);
        }
    }
    // Which former section or unit took each module's business over decides its unit.
    let old_of = |m: usize| {
        data::AGRI_OLD
            .iter()
            .position(|o| o.3.contains(&(m + 1)))
            .expect("every module has a source")
    };
    for (i, (name, skills, cps, min)) in data::AGRI_MODULES.into_iter().enumerate() {
        let unit = if data::AGRI_OLD[old_of(i)].0.starts_with('U') {
            "agri-service"
        } else {
            "agri-admin"
        };
        let cps = cps.iter().map(|c| format!("c-{c}")).collect();
        let m = b.module(name, unit, (min, min + 4), cps, strings(&skills));
        // Farmland, village environment and safety modules carry the "steward" work of the
        // first transfer batch, hence more (smaller) duties.
        let n = if [10, 20, 21, 27].contains(&(i + 1)) {
            7
        } else {
            b.rng.range(4, 5)
        };
        for _ in 0..n {
            let skill = [Some(skills[0]), Some(skills[1]), None][b.rng.weighted(&[6, 3, 1])];
            let hours = b.rng.range(4, 22) as f64;
            b.duty(m, skill, hours, (0.2, 0.35), Vec::new());
        }
    }
    let pool = strings(&data::AGRI_SKILLS.map(|(id, _)| id));
    for (code, _, staff, modules) in data::AGRI_OLD {
        let unit = if code.starts_with('U') {
            "agri-service"
        } else {
            "agri-admin"
        };
        for j in 0..staff {
            // Homes rotate over the new modules of the old section; skills come from them.
            let mut mine: Vec<usize> = modules.iter().map(|m| m - 1).collect();
            let shift = j % mine.len();
            mine.rotate_left(shift);
            let mut main: Vec<String> = Vec::new();
            for &m in &mine {
                for k in &b.module_skills[m] {
                    if !main.contains(k) {
                        main.push(k.clone());
                    }
                }
            }
            main.truncate(3);
            let skills = staff_skills(&mut b.rng, &main, &pool);
            let today = b.rng.range(1, 3) as usize;
            b.person(unit, skills, mine, today);
        }
    }
    // Quality supervision is kept apart from brand promotion of the same products.
    b.conflict(15, 16);
    let batch1 =
        |d: &RawDuty| in_modules(d, &["m10", "m20", "m21", "m27"]) && !has_tag(d, "statutory");
    let transferable =
        |d: &RawDuty| !has_tag(d, "statutory") && !in_modules(d, &["m01", "m02", "m04", "m16"]);
    b.finish(&Finish {
        ratio: 1.25,
        unavailable: 3,
        transferable: 30,
        batch1: 16,
        is_batch1: &batch1,
        is_transferable: &transferable,
    })
}

// --- 3. Administrative Approval Bureau ---------------------------------------------------

fn approval() -> RawInstance {
    let mut b = Builder::new(
        "longgang-approval",
        0x4C47_0003,
        data::APPROVAL_DESCRIPTION,
        rules(3, 2),
    );
    for (id, name) in data::APPROVAL_SKILLS {
        b.skill(id, name);
    }
    // 20% fewer approval staff after the redesign: 64 of a former pool of 80.
    b.unit(
        "approval",
        "Administrative Approval Bureau (windows and approval teams)",
        64,
    );
    b.unit(
        "supervision",
        "Administrative Approval Bureau (post-approval supervision)",
        24,
    );
    for (code, dept, _, _) in data::APPROVAL_SOURCES {
        b.counterpart(
            format!("c-{code}"),
            "Approval division",
            &format!("Wenzhou {dept} Bureau"),
        );
    }
    for (i, name) in data::APPROVAL_CENTRE.iter().enumerate() {
        b.counterpart(
            format!("c-wzps-{:02}", i + 1),
            name,
            "Wenzhou Government Service Administration",
        );
    }
    let general = [
        (
            "Comprehensive acceptance windows",
            ["window", "legal"],
            (6, 18),
        ),
        (
            "Investment project agency service",
            ["window", "build"],
            (2, 6),
        ),
        ("Online approval & e-services", ["window", "legal"], (2, 6)),
    ];
    for (i, (name, skills, staff)) in general.into_iter().enumerate() {
        let m = b.module(
            name,
            "approval",
            staff,
            vec![format!("c-wzps-{:02}", i + 1)],
            strings(&skills),
        );
        for _ in 0..[10, 6, 6][i] {
            let skill = [skills[0], skills[1]][b.rng.weighted(&[4, 1])];
            let hours = b.rng.range(16, 36) as f64;
            b.duty(
                m,
                Some(skill),
                hours,
                (0.25, 0.4),
                vec!["kind:front-desk".to_owned()],
            );
        }
    }
    for (code, name, skill) in data::APPROVAL_FIELDS {
        let cps = data::APPROVAL_SOURCES
            .iter()
            .filter(|s| s.3 == code)
            .map(|s| format!("c-{}", s.0))
            .collect();
        b.module(
            &format!("Approval team: {name}"),
            "approval",
            (2, 8),
            cps,
            strings(&[skill, "legal"]),
        );
    }
    for (_, name, skill) in data::APPROVAL_FIELDS {
        b.module(
            &format!("Post-approval supervision: {name}"),
            "supervision",
            (1, 4),
            Vec::new(),
            strings(&["inspect", skill]),
        );
    }
    // Licensing items: each source department's items are grouped into duties of 3-14.
    let mut total = 0;
    for (code, _, items, field) in data::APPROVAL_SOURCES {
        let f = data::APPROVAL_FIELDS
            .iter()
            .position(|x| x.0 == field)
            .expect("known field");
        for n in item_groups(&mut b.rng, items) {
            total += n;
            let review = b.rng.chance(0.15);
            let skill = if review {
                "legal"
            } else {
                data::APPROVAL_FIELDS[f].2
            };
            let kind = if review {
                "kind:technical-review"
            } else {
                "kind:licensing"
            };
            let tags = vec![
                format!("items:{n}"),
                format!("dept:{code}"),
                format!("field:{field}"),
                kind.to_owned(),
            ];
            let hours = n as f64 * (0.8 + b.rng.range(0, 12) as f64 / 10.0);
            b.duty(3 + f, Some(skill), hours, (0.35, 0.4), tags);
        }
    }
    assert_eq!(total, 1129, "licensing items");
    for (f, (field, _, skill)) in data::APPROVAL_FIELDS.into_iter().enumerate() {
        for _ in 0..b.rng.range(4, 6) {
            let skill = [skill, "inspect"][b.rng.weighted(&[2, 3])];
            let hours = b.rng.range(6, 20) as f64;
            let tags = vec![
                format!("field:{field}"),
                "kind:post-approval-inspection".to_owned(),
            ];
            b.duty(11 + f, Some(skill), hours, (0.25, 0.45), tags);
        }
        // Separation of approving and supervising, field by field.
        b.conflict(3 + f, 11 + f);
    }
    let pool = strings(&data::APPROVAL_SKILLS.map(|(id, _)| id));
    let mut homes = vec![0; 14];
    homes.extend([1; 4]);
    homes.extend([2; 4]);
    homes.extend((3..11).flat_map(|m| [m; 5]));
    homes.extend((11..19).flat_map(|m| [m; 2]));
    homes.extend([11, 17]);
    for home in homes {
        let mut main = b.module_skills[home].clone();
        if home < 3 {
            // Window staff know one field well enough to pre-check its files.
            main[1] = data::APPROVAL_FIELDS[b.rng.below(8)].2.to_owned();
        }
        let skills = staff_skills(&mut b.rng, &main, &pool);
        let mut prefs = vec![home];
        match home {
            0..=2 => prefs.extend((0..3).filter(|&m| m != home)),
            // Team members also staff the front desk or help the next field's team.
            3..=10 => prefs.extend([0, 3 + (home - 2) % 8]),
            _ => prefs.extend((11..19).filter(|&m| m != home)),
        }
        let unit = if home < 11 { "approval" } else { "supervision" };
        let today = b.rng.range(1, 2) as usize;
        b.person(unit, skills, prefs, today);
    }
    // First batch: environmental and safety "stewards" doing inspections for the bureau;
    // later: agency service and technical pre-review by qualified third parties.
    let batch1 = |d: &RawDuty| {
        (has_tag(d, "field:env") || has_tag(d, "field:agr"))
            && (has_tag(d, "kind:post-approval-inspection") || has_tag(d, "kind:technical-review"))
            && !has_tag(d, "statutory")
    };
    let transferable = |d: &RawDuty| {
        (d.module == "m02" || has_tag(d, "kind:technical-review")) && !has_tag(d, "statutory")
    };
    b.finish(&Finish {
        ratio: 1.15,
        unavailable: 4,
        transferable: 20,
        batch1: 6,
        is_batch1: &batch1,
        is_transferable: &transferable,
    })
}

// --- 4. Comprehensive Administrative Law Enforcement Bureau ------------------------------

fn enforcement() -> RawInstance {
    let mut b = Builder::new(
        "longgang-enforcement",
        0x4C47_0004,
        data::ENFORCEMENT_DESCRIPTION,
        rules(3, 2),
    );
    for (id, name, _, _) in data::DOMAINS {
        b.skill(id, name);
    }
    b.skill("legal", "Legal review & case audit");
    b.unit(
        "zones",
        "Comprehensive Law Enforcement Bureau (front-line zones)",
        425,
    );
    b.unit(
        "bureau",
        "Comprehensive Law Enforcement Bureau (bureau-level teams)",
        45,
    );
    for (i, name) in data::WZLE_DIVISIONS.iter().enumerate() {
        b.counterpart(
            format!("c-wzle-{:02}", i + 1),
            name,
            "Wenzhou Comprehensive Administrative Law Enforcement Bureau",
        );
    }
    for (code, dept) in data::DEPARTMENTS {
        b.counterpart(
            format!("c-{code}"),
            "Policy & regulations division",
            &format!("Wenzhou {dept} Bureau"),
        );
    }
    let items_total: i64 = data::DOMAINS.iter().map(|d| d.2).sum();
    assert_eq!(items_total, 3370, "enforcement items");
    // Plan the duties first: each domain's items go to the zones where the domain applies,
    // about 0.7 duties per item, every applicable zone getting at least one.
    let mut plan: Vec<(usize, usize, i64)> = Vec::new(); // (zone, domain, items)
    for (di, &(_, _, items, kinds)) in data::DOMAINS.iter().enumerate() {
        let mut zones: Vec<usize> = (0..27).filter(|&z| data::ZONES[z].1 & kinds != 0).collect();
        let k = ((items as f64 * 0.7).round() as usize).clamp(zones.len(), items as usize);
        let mut counts = vec![1_i64; k];
        for _ in 0..items as usize - k {
            counts[b.rng.below(k)] += 1;
        }
        b.rng.shuffle(&mut zones);
        for (j, n) in counts.into_iter().enumerate() {
            let z = if j < zones.len() {
                zones[j]
            } else {
                zones[b.rng.below(zones.len())]
            };
            plan.push((z, di, n));
        }
    }
    plan.sort_by_key(|&(z, d, _)| (z, d));
    let mut zone_items = vec![vec![0_u32; data::DOMAINS.len()]; 27];
    for &(z, d, n) in &plan {
        zone_items[z][d] += n as u32;
    }
    // Front-line staff per zone: built-up 17, industrial 16, rural 13, coastal 14.
    let zone_staff = |z: usize| match data::ZONES[z].1 {
        1 => 17,
        2 => 16,
        4 => 13,
        _ => 14,
    };
    for (z, &(name, _)) in data::ZONES.iter().enumerate() {
        // Each zone liaises with the regulator of its largest department.
        let mut by_dept = [0_u32; 9];
        for (d, &n) in zone_items[z].iter().enumerate() {
            by_dept[data::dept_of(d)] += n;
        }
        let top = (0..9)
            .max_by_key(|&i| by_dept[i])
            .expect("nine departments");
        let staff = zone_staff(z);
        let domains = (0..data::DOMAINS.len())
            .filter(|&d| zone_items[z][d] > 0)
            .map(|d| data::DOMAINS[d].0.to_owned())
            .collect();
        b.module(
            name,
            "zones",
            (staff * 6 / 10, staff + 6),
            vec![format!("c-{}", data::DEPARTMENTS[top].0)],
            domains,
        );
    }
    let central = [
        (
            "Legal review & case audit",
            (8, 16),
            vec!["c-wzle-03".to_owned(), "c-wzle-04".to_owned()],
        ),
        (
            "Command & dispatch centre",
            (5, 12),
            vec!["c-wzle-02".to_owned()],
        ),
        (
            "Major & cross-domain cases squad",
            (8, 22),
            vec!["c-wzle-01".to_owned()],
        ),
    ];
    for (name, staff, cps) in central {
        b.module(name, "bureau", staff, cps, Vec::new());
    }
    // Any department regulator no zone liaises with goes to the major cases squad.
    let listed: BTreeSet<String> = b
        .inst
        .modules
        .iter()
        .flat_map(|m| m.counterparts.clone())
        .collect();
    for (code, _) in data::DEPARTMENTS {
        if !listed.contains(&format!("c-{code}")) {
            b.inst.modules[29].counterparts.push(format!("c-{code}"));
        }
    }
    for &(z, d, n) in &plan {
        let (skill, _, _, _) = data::DOMAINS[d];
        let kind =
            ["patrol", "inspection", "case-handling", "complaints"][b.rng.weighted(&[3, 3, 2, 2])];
        let class = if data::SEVERE.contains(&skill) {
            (0.35, 0.4)
        } else {
            (0.12, 0.35)
        };
        let tags = vec![
            format!("items:{n}"),
            format!("domain:{skill}"),
            format!("dept:{}", data::DEPARTMENTS[data::dept_of(d)].0),
            format!("kind:{kind}"),
        ];
        let hours = 2.0 + n as f64 * b.rng.range(2, 5) as f64;
        b.duty(z, Some(skill), hours, class, tags);
    }
    for _ in 0..16 {
        let hours = b.rng.range(12, 30) as f64;
        b.duty(
            27,
            Some("legal"),
            hours,
            (0.5, 0.3),
            vec!["kind:legal-review".to_owned()],
        );
    }
    for _ in 0..8 {
        let skill = [None, Some("hc-city")][b.rng.below(2)];
        let hours = b.rng.range(16, 36) as f64;
        b.duty(
            28,
            skill,
            hours,
            (0.2, 0.4),
            vec!["kind:dispatch".to_owned()],
        );
    }
    for _ in 0..20 {
        let skill = data::SEVERE[b.rng.below(data::SEVERE.len())];
        let hours = b.rng.range(12, 30) as f64;
        b.duty(
            29,
            Some(skill),
            hours,
            (0.6, 0.3),
            vec!["kind:major-case".to_owned(), format!("domain:{skill}")],
        );
    }
    // Staff: front-line officers know 2-4 of their zone's domains, weighted by its items.
    let ids: Vec<String> = data::DOMAINS.iter().map(|d| d.0.to_owned()).collect();
    for z in 0..27 {
        for _ in 0..zone_staff(z) {
            let mut main: Vec<String> = Vec::new();
            for _ in 0..b.rng.range(2, 4) {
                let k = ids[b.rng.weighted(&zone_items[z])].clone();
                if !main.contains(&k) {
                    main.push(k);
                }
            }
            let skills = staff_skills(&mut b.rng, &main, &ids);
            // Backup posts: the neighbouring zones of the same kind.
            let kind = data::ZONES[z].1;
            let mut prefs = vec![z];
            prefs.extend(
                [z.wrapping_sub(1), z + 1]
                    .into_iter()
                    .filter(|&n| n < 27 && data::ZONES[n].1 == kind),
            );
            let today = [1, 2][b.rng.weighted(&[65, 35])];
            b.person("zones", skills, prefs, today);
        }
    }
    for (module, count) in [(27, 14), (28, 10), (29, 18)] {
        for _ in 0..count {
            let main = match module {
                27 => vec!["legal".to_owned(), ids[b.rng.below(ids.len())].clone()],
                28 => vec!["hc-city".to_owned(), ids[b.rng.below(ids.len())].clone()],
                _ => (0..3)
                    .map(|_| data::SEVERE[b.rng.below(data::SEVERE.len())].to_owned())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
            };
            let mut skills = staff_skills(&mut b.rng, &main, &ids);
            if module == 29 {
                // The squad is made of senior investigators.
                skills.values_mut().for_each(|l| *l = (*l).max(3));
            }
            let prefs = if module == 27 {
                vec![27]
            } else {
                vec![module, b.rng.below(27)]
            };
            let today = b.rng.range(1, 2) as usize;
            b.person("bureau", skills, prefs, today);
        }
    }
    // Case review is kept apart from investigation: reviewers hold no zone and no squad post.
    for z in 0..27 {
        b.conflict(27, z);
    }
    b.conflict(27, 29);
    // First batch: environment, city and safety "stewards" (routine patrols and inspections).
    let patrol = |d: &RawDuty| {
        (has_tag(d, "kind:patrol") || has_tag(d, "kind:inspection")) && !has_tag(d, "statutory")
    };
    let batch1 = |d: &RawDuty| {
        patrol(d)
            && [
                "domain:ee-",
                "domain:hc-city",
                "domain:hc-green",
                "domain:em-safety",
            ]
            .iter()
            .any(|p| d.tags.iter().any(|t| t.starts_with(p)))
    };
    b.finish(&Finish {
        ratio: 1.2,
        unavailable: 12,
        transferable: 90,
        batch1: 50,
        is_batch1: &batch1,
        is_transferable: &patrol,
    })
}

// --- checks and output -------------------------------------------------------------------

/// The files must validate without a single error or warning, and everyone must qualify
/// for at least one module (their home one, by construction).
fn check(inst: &RawInstance) {
    match modstaff::io::validate(inst) {
        Ok((_, warnings)) => assert!(warnings.0.is_empty(), "{}:\n{warnings}", inst.name),
        Err(errors) => panic!("{}:\n{errors}", inst.name),
    }
    let items: i64 = inst
        .duties
        .iter()
        .flat_map(|d| &d.tags)
        .filter_map(|t| t.strip_prefix("items:")?.parse::<i64>().ok())
        .sum();
    let expected = match inst.name.as_str() {
        "longgang-approval" => 1129,
        "longgang-enforcement" => 3370,
        _ => 0,
    };
    assert_eq!(items, expected, "{}: items tags", inst.name);
    let without = inst
        .staff
        .iter()
        .filter(|p| p.current_posts.is_empty())
        .count();
    let transferable = inst
        .duties
        .iter()
        .filter(|d| has_tag(d, "transferable"))
        .count();
    let capacity: f64 = inst.staff.iter().map(|p| p.capacity.unwrap_or(40.0)).sum();
    let hours: f64 = inst.duties.iter().map(|d| d.hours).sum();
    eprintln!(
        "{}: {} staff ({without} without a post today), {} modules, {} duties ({transferable} transferable), {} counterparts; {hours} h vs {capacity} h ({:.2}x)",
        inst.name,
        inst.staff.len(),
        inst.modules.len(),
        inst.duties.len(),
        inst.counterparts.len(),
        hours / capacity
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "instances".to_owned()),
    );
    for inst in [econ(), agri(), approval(), enforcement()] {
        check(&inst);
        let mut text = serde_json::to_string_pretty(&inst)?;
        text.push('\n');
        let path = dir.join(format!("{}.json", inst.name));
        std::fs::write(&path, text)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// The tables: names and counts. The comments say which come from the report; the rest are
/// assumed (see `instances/README.md`). Kept as one row per entry, so not rustfmt'ed.
#[rustfmt::skip]
mod data {
    pub const ECON_DESCRIPTION: &str = "Longgang Economic Development Bureau (generated by examples/longgang.rs; provenance in instances/README.md). From the May 2021 report: 48 cadres; 8 upstream Wenzhou bureaus with 97 divisions between them; one cadre faces 2-3 upstream divisions (max_liaisons 3); one person, several posts (max_posts 3). Assumed: which 8 bureaus, the split and names of the 97 divisions, the 33 modules (3 of them task teams capped at 14 people), skills and levels, duty hours (1.30x capacity), weights, today's posts.";
    pub const AGRI_DESCRIPTION: &str = "Longgang Agriculture and Rural Affairs Bureau (generated by examples/longgang.rs; provenance in instances/README.md). From the May 2021 report: 27 work modules replacing the former 8 sections + 2 affiliated units, each module covering one class of business across several upstream departments. Assumed: names of sections and modules, the section-to-module mapping (today's posts follow it), 52 staff, 32 upstream divisions in 14 Wenzhou departments, unit caps 42 + 14, skills, duty hours (1.25x capacity), weights, 30 transferable duties (16 first batch: farmland, village and safety stewards).";
    pub const APPROVAL_DESCRIPTION: &str = "Longgang Administrative Approval Bureau, 'one seal for approvals' (generated by examples/longgang.rs; provenance in instances/README.md). From the May 2021 report: 1,129 administrative licensing items moved in from all departments (the items:N tags sum to 1129); approval staff cut by 20% (approval unit capped at 64 = 80% of an assumed former pool of 80). Assumed: 14 source lines and their item counts, 8 fields each with an approval team and a post-approval supervision module (one approval/supervision conflict per field), 80 staff, skills, duty hours (1.15x capacity), weights, 20 transferable duties.";
    pub const ENFORCEMENT_DESCRIPTION: &str = "Longgang Comprehensive Administrative Law Enforcement Bureau, 'one team for enforcement' (generated by examples/longgang.rs; provenance in instances/README.md). From the May 2021 report: 3,370 enforcement items (the items:N tags sum to 3370) in 33 domains (skills) from 9 departments; front-line staff in 27 enforcement responsibility zones (m01-m27). Assumed: domain names and item counts, zone kinds and names, 460 staff, 3 bureau-level modules (legal review, command centre, major cases squad), review/investigation conflicts, unit caps, duty hours (about 1.2x capacity), weights, 90 transferable duties (50 first batch: environment, city and safety stewards).";

    pub const ECON_SKILLS: [(&str, &str); 8] = [
        ("admin", "Office, documents & coordination"), ("policy", "Policy research & planning"),
        ("stats", "Statistics & economic analysis"), ("finance", "Finance & funds"),
        ("project", "Project management"), ("industry", "Industry & commerce"),
        ("digital", "Digital government & data"), ("science", "Science & technology"),
    ];

    /// Report: 8 upstream bureaus with 97 divisions between them; the split (18+16+14+11+11
    /// +9+9+9) and the names are assumed.
    pub const ECON_BUREAUS: [(&str, &str, &[&str]); 8] = [
        ("drc", "Wenzhou Development and Reform Commission", &[
            "General office", "Policy research", "Development planning", "National economy",
            "Economic system reform", "Fixed-asset investment", "Major projects",
            "Regional coordination", "Rural economy", "Infrastructure development",
            "Industrial development", "Services development", "Social development",
            "Resource conservation & environment", "Prices", "Social credit", "Energy",
            "Regulations & legal affairs",
        ]),
        ("eit", "Wenzhou Economy and Information Technology Bureau", &[
            "General office", "Policy & regulations", "Operation monitoring",
            "Industrial investment", "Technology progress", "Raw materials industry",
            "Equipment industry", "Consumer goods industry", "Electronic information industry",
            "Software & informatisation", "SME development", "Private economy",
            "Energy saving & comprehensive utilisation", "Industrial safety", "Radio management",
            "Digital economy",
        ]),
        ("com", "Wenzhou Commerce Bureau", &[
            "General office", "Comprehensive planning", "Foreign trade development",
            "Foreign investment", "Outbound investment & cooperation", "E-commerce",
            "Market operation", "Circulation industry", "Trade in services",
            "Trade remedies & fair trade", "Ports & open platforms", "Exhibitions",
            "Consumption promotion", "Business safety",
        ]),
        ("sci", "Wenzhou Science and Technology Bureau", &[
            "General office", "Policy & regulations", "Development planning",
            "High-tech development", "Agricultural & social-development S&T",
            "Enterprise innovation", "Technology transfer", "International cooperation & talent",
            "Innovation platforms", "Supervision & research integrity", "Funds management",
        ]),
        ("sta", "Wenzhou Statistics Bureau", &[
            "General office", "Comprehensive statistics", "National accounts",
            "Industry & energy statistics", "Trade & services statistics",
            "Investment & construction statistics", "Population & employment statistics",
            "Social & S&T statistics", "Statistical law enforcement", "Census centre",
            "Data management",
        ]),
        ("fin", "Wenzhou Local Financial Supervision Bureau", &[
            "General office", "Banking development", "Capital markets",
            "Local financial organisations", "Financial risk prevention", "Financial stability",
            "Inclusive finance", "Listed-company services", "Financial innovation",
        ]),
        ("dat", "Wenzhou Big Data Development Administration", &[
            "General office", "Development planning", "Data resources", "Public data platform",
            "E-government network", "Digital government", "Information security", "Standards",
            "Digital application promotion",
        ]),
        ("grn", "Wenzhou Grain and Material Reserve Bureau", &[
            "General office", "Grain purchase & sale", "Reserve management",
            "Storage & technology", "Quality & safety", "Emergency supplies",
            "Industry development", "Law enforcement & supervision", "Finance & audit",
        ]),
    ];

    /// (name, unit, skills, upstream divisions mirrored, min_staff).
    pub type EconModule = (&'static str, &'static str, [&'static str; 2], &'static [&'static str], i64);
    /// One class of business per module, spanning divisions of several bureaus
    /// ("government-affairs integration").
    pub const ECON_MODULES: [EconModule; 33] = [
        ("General office & documents", "econ", ["admin", "policy"], &["drc-01", "eit-01", "com-01", "sci-01"], 2),
        ("Finance, logistics & archives", "econ", ["finance", "admin"], &["sta-01", "fin-01", "dat-01", "grn-01", "grn-09"], 1),
        ("Policy research & legal affairs", "econ", ["policy", "admin"], &["drc-02", "drc-18", "eit-02", "sci-02"], 1),
        ("Development planning", "econ", ["policy", "stats"], &["drc-03", "drc-04", "com-02", "sci-03"], 1),
        ("Reform & social credit", "econ", ["policy", "digital"], &["drc-05", "drc-16", "sci-10"], 1),
        ("Fixed-asset investment", "econ", ["project", "stats"], &["drc-06", "eit-04"], 1),
        ("Major projects task team", "econ-teams", ["project", "finance"], &["drc-07", "drc-10"], 2),
        ("Regional & rural economy", "econ", ["policy", "project"], &["drc-08", "drc-09"], 1),
        ("Industrial development", "econ", ["industry", "project"], &["drc-11", "eit-06", "eit-07", "eit-08"], 1),
        ("Services economy", "econ", ["industry", "policy"], &["drc-12", "com-08", "com-09"], 1),
        ("Social development", "econ", ["policy", "project"], &["drc-13", "sci-05"], 1),
        ("Energy & resource conservation", "econ", ["industry", "stats"], &["drc-14", "drc-17", "eit-13"], 1),
        ("Prices & market supply", "econ", ["stats", "industry"], &["drc-15", "com-07", "grn-02"], 1),
        ("Economic operation monitoring", "econ", ["stats", "industry"], &["eit-03", "sta-02", "sta-03"], 2),
        ("Digital economy & technology upgrading", "econ", ["digital", "industry"], &["eit-05", "eit-09", "eit-10", "eit-16"], 1),
        ("SMEs & private economy", "econ", ["industry", "finance"], &["eit-11", "eit-12"], 1),
        ("Production & business safety", "econ", ["industry", "admin"], &["eit-14", "com-14", "grn-05"], 1),
        ("Radio & information security", "econ", ["digital", "admin"], &["eit-15", "dat-07"], 1),
        ("Foreign trade & ports", "econ", ["industry", "policy"], &["com-03", "com-10", "com-11"], 1),
        ("Investment promotion task team", "econ-teams", ["industry", "project"], &["com-04", "com-05"], 2),
        ("E-commerce & consumption", "econ", ["industry", "digital"], &["com-06", "com-12", "com-13"], 1),
        ("Science & technology innovation", "econ", ["science", "industry"], &["sci-04", "sci-06", "sci-09"], 1),
        ("Technology transfer & talent", "econ", ["science", "policy"], &["sci-07", "sci-08"], 1),
        ("Funds & enterprise subsidies", "econ", ["finance", "science"], &["sci-11", "fin-07"], 1),
        ("Industry, trade & investment statistics", "econ", ["stats", "industry"], &["sta-04", "sta-05", "sta-06"], 2),
        ("Population, society & census statistics", "econ", ["stats", "digital"], &["sta-07", "sta-08", "sta-10", "sta-11"], 1),
        ("Statistical & reserve supervision", "econ", ["stats", "admin"], &["sta-09", "grn-08"], 1),
        ("Banking, capital markets & listing", "econ", ["finance", "policy"], &["fin-02", "fin-03", "fin-08", "fin-09"], 1),
        ("Financial risk prevention", "econ", ["finance", "admin"], &["fin-04", "fin-05", "fin-06"], 1),
        ("Public data & platforms", "econ", ["digital", "stats"], &["dat-02", "dat-03", "dat-04", "dat-08"], 1),
        ("Digital government", "econ", ["digital", "admin"], &["dat-05", "dat-06", "dat-09"], 1),
        ("Grain & material reserves", "econ", ["industry", "finance"], &["grn-03", "grn-04", "grn-06", "grn-07"], 1),
        ("Enterprise service task team", "econ-teams", ["industry", "finance"], &[], 1),
    ];

    pub const AGRI_SKILLS: [(&str, &str); 10] = [
        ("admin", "Office & documents"), ("finance", "Finance & funds"),
        ("policy", "Policy & regulation"), ("crops", "Crop production"),
        ("livestock", "Animal husbandry & veterinary"), ("fishery", "Fisheries & marine"),
        ("quality", "Quality & safety testing"), ("engineering", "Rural & farmland engineering"),
        ("extension", "Technology extension & training"), ("rural", "Rural affairs & collective economy"),
    ];

    /// Report: modules span several upstream departments; which ones, and their divisions,
    /// are assumed.
    pub const AGRI_BUREAUS: [(&str, &str, &[&str]); 14] = [
        ("wza", "Wenzhou Agriculture and Rural Affairs Bureau", &[
            "General office", "Planning & finance", "Policy & regulations",
            "Rural cooperative economy", "Crop production", "Animal husbandry & veterinary",
            "Agri-product quality & safety", "Agricultural mechanisation",
            "Science, education & extension", "Farmland construction", "Rural social affairs",
            "Rural revitalisation", "Markets & information", "Leisure agriculture & rural industries",
        ]),
        ("wzo", "Wenzhou Ocean and Fisheries Bureau", &[
            "Fisheries", "Fishing vessels & ports", "Marine resources & ecology", "Fishery safety & emergency",
        ]),
        ("wzn", "Wenzhou Natural Resources and Planning Bureau", &["Farmland protection", "Village planning & homestead land"]),
        ("wzw", "Wenzhou Water Resources Bureau", &["Rural water supply", "Irrigation & drainage"]),
        ("wzm", "Wenzhou Market Supervision Bureau", &["Food safety coordination"]),
        ("wzf", "Wenzhou Finance Bureau", &["Agriculture funds"]),
        ("wze", "Wenzhou Ecology and Environment Bureau", &["Soil & rural environment"]),
        ("wzh", "Wenzhou Housing and Urban-Rural Development Bureau", &["Village construction"]),
        ("wzt", "Wenzhou Culture, Radio, TV and Tourism Bureau", &["Rural tourism"]),
        ("wzem", "Wenzhou Emergency Management Bureau", &["Flood, typhoon & disaster relief"]),
        ("wzfs", "Wenzhou Local Financial Supervision Bureau", &["Agricultural insurance & inclusive finance"]),
        ("wzs", "Wenzhou Statistics Bureau", &["Rural statistics"]),
        ("wzc", "Wenzhou Office for Paired Assistance", &["Paired assistance & cooperation"]),
        ("wzco", "Wenzhou Commerce Bureau", &["Rural markets & e-commerce"]),
    ];

    /// Report: 27 work modules. (name, skills, upstream divisions, min_staff); names assumed.
    pub const AGRI_MODULES: [(&str, [&str; 2], &[&str], i64); 27] = [
        ("Office & documents", ["admin", "policy"], &["wza-01"], 2),
        ("Finance & funds", ["finance", "admin"], &["wza-02", "wzf-01"], 1),
        ("Project planning & construction", ["engineering", "finance"], &["wza-02"], 1),
        ("Policy research & legal affairs", ["policy", "admin"], &["wza-03"], 1),
        ("Collective economy & rural reform", ["rural", "finance"], &["wza-04"], 1),
        ("Land contracting & homesteads", ["rural", "policy"], &["wza-04", "wzn-02"], 1),
        ("Grain production", ["crops", "extension"], &["wza-05"], 2),
        ("Vegetables, fruit & specialty crops", ["crops", "extension"], &["wza-05", "wza-14"], 1),
        ("Seeds, fertiliser & plant protection", ["crops", "quality"], &["wza-05", "wze-01"], 1),
        ("Farmland construction & protection", ["engineering", "crops"], &["wza-10", "wzn-01", "wzw-02"], 2),
        ("Livestock & poultry", ["livestock", "extension"], &["wza-06"], 1),
        ("Animal epidemic prevention", ["livestock", "quality"], &["wza-06"], 2),
        ("Aquaculture & fishing production", ["fishery", "extension"], &["wzo-01"], 1),
        ("Fishing vessels & fishing ports", ["fishery", "engineering"], &["wzo-02", "wzo-04"], 2),
        ("Marine fishery resources", ["fishery", "policy"], &["wzo-03"], 1),
        ("Agri-product quality & safety", ["quality", "crops"], &["wza-07", "wzm-01"], 2),
        ("Brands, markets & e-commerce", ["quality", "rural"], &["wza-13", "wzco-01"], 1),
        ("Agricultural mechanisation", ["engineering", "extension"], &["wza-08"], 1),
        ("Technology extension & farmer training", ["extension", "crops"], &["wza-09"], 1),
        ("Beautiful villages & settlements", ["rural", "engineering"], &["wza-11", "wzh-01"], 1),
        ("Rural sanitation & drinking water", ["engineering", "rural"], &["wza-11", "wze-01", "wzw-01"], 1),
        ("Rural revitalisation & common prosperity", ["policy", "rural"], &["wza-12", "wzc-01"], 1),
        ("Rural tourism & leisure agriculture", ["rural", "policy"], &["wza-14", "wzt-01"], 1),
        ("Agricultural insurance & subsidies", ["finance", "policy"], &["wzfs-01", "wzf-01"], 1),
        ("Slaughter & animal-product supervision", ["livestock", "quality"], &["wza-06", "wzm-01"], 1),
        ("Statistics & information", ["admin", "finance"], &["wzs-01", "wza-13"], 1),
        ("Safety production & disaster prevention", ["quality", "engineering"], &["wzem-01", "wzo-04"], 1),
    ];

    /// Report: the former 8 sections (S) + 2 affiliated units (U); names, staff numbers and
    /// which of the new modules took their business over are assumed.
    /// (code, name, staff, new module numbers).
    pub const AGRI_OLD: [(&str, &str, usize, &[usize]); 10] = [
        ("S1", "Office", 5, &[1, 26]),
        ("S2", "Planning & Finance Section", 5, &[2, 3, 24]),
        ("S3", "Policy & Regulation Section", 4, &[4, 22]),
        ("S4", "Crop Production Section", 5, &[7, 8, 9]),
        ("S5", "Animal Husbandry & Veterinary Section", 5, &[11, 12, 25]),
        ("S6", "Fisheries Section", 6, &[13, 14, 15]),
        ("S7", "Rural Social Affairs Section", 5, &[20, 21, 23]),
        ("S8", "Quality & Safety Section", 5, &[16, 17, 27]),
        ("U1", "Agricultural Technology Extension Centre", 7, &[10, 18, 19]),
        ("U2", "Rural Operation Management Station", 5, &[5, 6]),
    ];

    pub const APPROVAL_SKILLS: [(&str, &str); 11] = [
        ("window", "Front-desk acceptance"), ("legal", "Legal & technical review"),
        ("inspect", "On-site inspection"), ("reg", "Market registration & licences"),
        ("build", "Construction & real-estate review"), ("land", "Land & planning review"),
        ("transport", "Transport licensing"), ("social", "Social services licensing"),
        ("agriwater", "Agriculture & water licensing"), ("envsafe", "Environment & safety licensing"),
        ("culture", "Culture, tourism & commerce licensing"),
    ];

    /// (code, name, skill): each field has an approval team and a supervision module.
    pub const APPROVAL_FIELDS: [(&str, &str, &str); 8] = [
        ("mkt", "market entry & business licences", "reg"),
        ("bld", "construction & real estate", "build"),
        ("lnd", "land & planning", "land"),
        ("trn", "transport & logistics", "transport"),
        ("soc", "social services", "social"),
        ("agr", "agriculture & water", "agriwater"),
        ("env", "environment & safety", "envsafe"),
        ("cul", "culture, tourism & commerce", "culture"),
    ];

    /// Report: 1,129 licensing items from all departments; the split is assumed.
    /// (code, department, items, field).
    pub const APPROVAL_SOURCES: [(&str, &str, i64, &str); 14] = [
        ("market", "Market Supervision", 166, "mkt"),
        ("housing", "Housing and Urban-Rural Development", 142, "bld"),
        ("natres", "Natural Resources and Planning", 121, "lnd"),
        ("transport", "Transport", 98, "trn"),
        ("health", "Health", 96, "soc"),
        ("education", "Education", 52, "soc"),
        ("civil", "Civil Affairs", 39, "soc"),
        ("hrss", "Human Resources and Social Security", 47, "soc"),
        ("agri", "Agriculture and Rural Affairs", 88, "agr"),
        ("water", "Water Resources", 44, "agr"),
        ("ecology", "Ecology and Environment", 64, "env"),
        ("emergency", "Emergency Management", 43, "env"),
        ("culture", "Culture, Radio, TV and Tourism", 71, "cul"),
        ("commerce", "Commerce", 58, "cul"),
    ];

    pub const APPROVAL_CENTRE: [&str; 3] =
        ["Service standards & windows", "Investment project approval", "Online services (Zheli Ban)"];

    /// Report: 9 departments handed their enforcement over (which 9 is assumed); the codes
    /// prefix the domain ids.
    pub const DEPARTMENTS: [(&str, &str); 9] = [
        ("hc", "Housing and Urban-Rural Development"), ("nr", "Natural Resources and Planning"),
        ("ee", "Ecology and Environment"), ("ms", "Market Supervision"),
        ("ag", "Agriculture and Rural Affairs"), ("tr", "Transport"),
        ("ct", "Culture, Radio, TV and Tourism"), ("he", "Health"), ("em", "Emergency Management"),
    ];

    pub const WZLE_DIVISIONS: [&str; 4] =
        ["Law enforcement supervision", "Command & dispatch", "Policy & regulations", "Case review guidance"];

    // Zone kinds, as bits so that a domain can apply to several.
    const B: u8 = 1; // built-up
    const I: u8 = 2; // industrial
    const R: u8 = 4; // rural
    const C: u8 = 8; // coastal
    const ALL: u8 = B | I | R | C;

    /// Report: 33 domains from 9 departments, 3,370 items; names, item counts and the zone
    /// kinds each applies to are assumed. (skill id, name, items, zone kinds).
    pub const DOMAINS: [(&str, &str, i64, u8); 33] = [
        ("hc-city", "City appearance & sanitation", 275, ALL),
        ("hc-utility", "Municipal utilities & gas", 110, B | I),
        ("hc-construction", "Construction market", 190, B | I | R),
        ("hc-property", "Property management", 60, B),
        ("hc-green", "Parks & greenery", 45, B),
        ("nr-land", "Land use", 130, ALL),
        ("nr-planning", "Planning & illegal building", 150, ALL),
        ("nr-mineral", "Mineral resources & sand mining", 50, R | C),
        ("nr-survey", "Surveying & mapping", 40, B | I),
        ("ee-air", "Air pollution", 140, B | I),
        ("ee-water", "Water pollution", 160, I | R | C),
        ("ee-waste", "Solid & hazardous waste", 120, ALL),
        ("ee-noise", "Noise", 60, B | I),
        ("ms-food", "Food safety", 210, B | R | C),
        ("ms-drug", "Drugs & medical devices", 120, B),
        ("ms-quality", "Product quality", 140, B | I),
        ("ms-price", "Prices & fair competition", 90, B),
        ("ms-equip", "Special equipment", 70, I),
        ("ag-inputs", "Seeds, fertiliser & pesticides", 110, R),
        ("ag-animal", "Animal health & slaughter", 85, R),
        ("ag-fish", "Fisheries", 95, R | C),
        ("tr-road", "Road transport", 130, B | I),
        ("tr-water", "Waterways & ports", 70, C),
        ("tr-admin", "Road administration", 60, R | I),
        ("ct-market", "Cultural market", 75, B),
        ("ct-tourism", "Tourism", 55, B | C),
        ("ct-heritage", "Heritage & sports venues", 45, B | R),
        ("he-public", "Public-place hygiene", 70, B),
        ("he-medical", "Medical practice", 95, B | R),
        ("he-occupational", "Occupational health", 50, I),
        ("em-safety", "Work safety", 160, B | I),
        ("em-chem", "Hazardous chemicals", 75, I),
        ("em-fireworks", "Fireworks", 35, B | R),
    ];

    /// Domains where a lapse hurts people directly: more statutory duties, senior squad.
    pub const SEVERE: [&str; 8] =
        ["ms-food", "ms-drug", "ms-equip", "em-safety", "em-chem", "em-fireworks", "ee-water", "he-medical"];

    /// Report: 27 enforcement responsibility zones; names and kinds are assumed (Longgang's
    /// printing and recycled-textile industries give two of the parks their names).
    /// Zones of the same kind are adjacent, so neighbours are index +-1.
    pub const ZONES: [(&str, u8); 27] = [
        ("Zone 01: Old town north", B), ("Zone 02: Old town south", B),
        ("Zone 03: Riverside east", B), ("Zone 04: Riverside west", B),
        ("Zone 05: New town centre", B), ("Zone 06: Civic centre", B),
        ("Zone 07: Station district", B), ("Zone 08: Market street", B),
        ("Zone 09: Canal quarter", B), ("Zone 10: Xincheng residential", B),
        ("Zone 11: Dongfang residential", B), ("Zone 12: Xihe residential", B),
        ("Zone 13: Printing & packaging park", I), ("Zone 14: Recycled textile park", I),
        ("Zone 15: Northern industrial estate", I), ("Zone 16: Logistics park", I),
        ("Zone 17: New materials park", I),
        ("Zone 18: Western farmland", R), ("Zone 19: Hillside villages", R),
        ("Zone 20: Riverbank villages", R), ("Zone 21: Southern farmland", R),
        ("Zone 22: Orchard villages", R), ("Zone 23: Inland villages", R),
        ("Zone 24: Fishing port", C), ("Zone 25: Sea wall & tidal flats", C),
        ("Zone 26: Estuary wharves", C), ("Zone 27: Coastal villages", C),
    ];

    /// Department of domain `d`, by the prefix of its id.
    pub fn dept_of(d: usize) -> usize {
        DEPARTMENTS
            .iter()
            .position(|(code, _)| DOMAINS[d].0.starts_with(&format!("{code}-")))
            .expect("every domain has a department")
    }
}
