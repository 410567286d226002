//! The builder shared by the four instances: lists added in a fixed order, then `finish`
//! fills in what follows from them (unavailability, repairs, calibration, transfer tags,
//! today's posts).

use std::collections::{BTreeMap, BTreeSet};

use modstaff::io::{
    RawCounterpart, RawDuty, RawInstance, RawModule, RawRules, RawSkill, RawStaff, RawUnit,
};

use crate::rng::Rng;
use crate::vocabulary::{need_level, person_name};

/// What `finish` does after the structure is built.
pub struct Finish<'a> {
    /// Total duty hours / total capacity ("few people, many tasks").
    pub ratio: f64,
    /// People who get one module they may not hold.
    pub unavailable: usize,
    /// Duties tagged `transferable`, of which `batch1` also carry `transfer-batch1`.
    pub transferable: usize,
    pub batch1: usize,
    pub is_batch1: &'a dyn Fn(&RawDuty) -> bool,
    pub is_transferable: &'a dyn Fn(&RawDuty) -> bool,
}

pub struct Builder {
    pub rng: Rng,
    pub inst: RawInstance,
    /// Skills a module's duties draw on, main skill first.
    pub module_skills: Vec<Vec<String>>,
    duties_of: Vec<Vec<usize>>,
    duty_module: Vec<usize>,
    /// Per duty: what kind of work it is, as its name says ("licensing", "crop production").
    duty_kinds: Vec<String>,
    /// Per person: home module first, then modules they may also hold today, best first.
    prefs: Vec<Vec<usize>>,
    /// Per person: how many posts they hold today (at most).
    today: Vec<usize>,
    conflicts: Vec<(usize, usize)>,
    /// Skill levels set by `repair` (reported, to keep an eye on how much it patches).
    raised: usize,
}

impl Builder {
    pub fn new(name: &str, seed: u64, description: &str, rules: RawRules) -> Self {
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
            duty_kinds: Vec::new(),
            prefs: Vec::new(),
            today: Vec::new(),
            conflicts: Vec::new(),
            raised: 0,
        }
    }

    pub fn skill(&mut self, id: &str, name: &str) {
        let skills = self.inst.skills.get_or_insert_with(Vec::new);
        skills.push(RawSkill {
            id: id.to_owned(),
            name: Some(name.to_owned()),
        });
    }

    pub fn unit(&mut self, id: &str, name: &str, cap: i64) {
        self.inst.units.push(RawUnit {
            id: id.to_owned(),
            name: Some(name.to_owned()),
            headcount_cap: Some(cap),
        });
    }

    pub fn counterpart(&mut self, id: String, name: &str, bureau: &str) {
        self.inst.counterparts.push(RawCounterpart {
            id,
            name: Some(name.to_owned()),
            bureau: Some(bureau.to_owned()),
        });
    }

    /// Adds module `m01`, `m02`, ...; returns its index.
    pub fn module(
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
    pub fn duty(
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
        // Named after its module and kind of work, numbered within the module: the name draws
        // nothing from the generator, so every figure stays as it was.
        let kind = self.duty_kind(skill, &tags);
        let k = 1 + self.duties_of[module]
            .iter()
            .filter(|&&d| self.duty_kinds[d] == kind)
            .count();
        let name = format!(
            "{}, {kind} {k}",
            self.inst.modules[module].name.as_deref().unwrap_or("")
        );
        let i = self.inst.duties.len();
        self.inst.duties.push(RawDuty {
            id: format!("d{:04}", i + 1),
            name: Some(name),
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
        self.duty_kinds.push(kind);
        i
    }

    /// The kind of work of a duty: its `kind:` tag, an upstream request, or the skill it needs.
    fn duty_kind(&self, skill: Option<&str>, tags: &[String]) -> String {
        if let Some(kind) = tags.iter().find_map(|t| t.strip_prefix("kind:")) {
            return kind.replace('-', " ");
        }
        if tags.iter().any(|t| t == "upstream") {
            return "upstream request".to_owned();
        }
        let Some(skill) = skill else {
            return "general work".to_owned();
        };
        let name = self
            .inst
            .skills
            .iter()
            .flatten()
            .find(|s| s.id == skill)
            .and_then(|s| s.name.as_deref())
            .unwrap_or(skill);
        format!("{} work", name.to_lowercase())
    }

    /// Adds person `p001`, ...: about 9% are part-timers (20-32 h, at most 2 posts).
    pub fn person(
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
            fixed_posts: Vec::new(),
            unavailable: Vec::new(),
        });
        self.prefs.push(prefs);
        self.today.push(today);
    }

    pub fn conflict(&mut self, a: usize, b: usize) {
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
    /// not unavailable, and able to do one of the module's duties.
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
    /// posts, only where the person qualifies and without breaking `max_posts`, conflicts,
    /// `max_staff` or unit caps, so that today's plan is itself feasible.
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

    pub fn finish(mut self, f: &Finish<'_>) -> RawInstance {
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

pub fn rules(max_posts: i64, max_liaisons: i64) -> RawRules {
    RawRules {
        max_posts: Some(max_posts),
        max_liaisons: Some(max_liaisons),
        liaison_weight: Some(8.0),
        min_staff_weight: Some(40.0),
        conflicts: Vec::new(),
    }
}

/// Homes for `n` people: every module gets one, the rest go by `weights`.
pub fn spread(rng: &mut Rng, n: usize, weights: &[u32]) -> Vec<usize> {
    let mut homes: Vec<usize> = (0..weights.len()).collect();
    while homes.len() < n {
        homes.push(rng.weighted(weights));
    }
    homes.sort_unstable();
    homes
}

/// Splits `total` items into groups of 3-14 (the last group absorbs a small remainder).
pub fn item_groups(rng: &mut Rng, total: i64) -> Vec<i64> {
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

pub fn has_tag(d: &RawDuty, tag: &str) -> bool {
    d.tags.iter().any(|t| t == tag)
}

pub fn in_modules(d: &RawDuty, ids: &[&str]) -> bool {
    ids.contains(&d.module.as_str())
}
