//! The validated instance: every reference resolved to an index, every default applied.
//!
//! Only [`crate::io::validate`] builds an [`Instance`], so the invariants listed on each type
//! hold everywhere else in the crate.

use std::collections::BTreeMap;

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The position in the instance's list.
            #[must_use]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl From<usize> for $name {
            fn from(i: usize) -> Self {
                Self(u32::try_from(i).expect("instance lists have fewer than 2^32 entries"))
            }
        }
    };
}

index_type!(
    /// Position of a person in [`Instance::staff`].
    StaffIdx
);
index_type!(
    /// Position of a module in [`Instance::modules`].
    ModuleIdx
);
index_type!(
    /// Position of a duty in [`Instance::duties`].
    DutyIdx
);
index_type!(
    /// Position of an upstream office in [`Instance::counterparts`].
    CounterpartIdx
);
index_type!(
    /// Position of a unit in [`Instance::units`].
    UnitIdx
);
index_type!(
    /// Position of a skill in [`Instance::skills`] (catalogue entries first, then skills
    /// only mentioned by staff or duties).
    SkillIdx
);

/// A skill: from the catalogue, or collected from staff and duties when there is none.
#[derive(Clone, Debug, PartialEq)]
pub struct Skill {
    /// Unique id.
    pub id: String,
    /// Human-readable name (the id when none was given).
    pub name: String,
}

/// An organisational unit with an optional establishment quota.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// Unique id.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Most distinct people holding at least one post in the unit's modules.
    pub headcount_cap: Option<u32>,
}

/// An upstream office that needs one liaison.
#[derive(Clone, Debug, PartialEq)]
pub struct Counterpart {
    /// Unique id.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// The upstream bureau the office belongs to.
    pub bureau: Option<String>,
}

/// A person who can hold posts and work hours.
#[derive(Clone, Debug, PartialEq)]
pub struct Staff {
    /// Unique id.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// The unit the person belongs to (informational; unit caps count posts, not membership).
    pub unit: Option<UnitIdx>,
    /// Hours per week, finite and > 0.
    pub capacity: f64,
    /// Skill levels 1..=5, sorted by skill.
    pub skills: Vec<(SkillIdx, u8)>,
    /// Most posts this person may hold.
    pub max_posts: u32,
    /// Most counterparts this person may be liaison of.
    pub max_liaisons: u32,
    /// Today's posts, sorted, without repeats.
    pub current_posts: Vec<ModuleIdx>,
    /// Posts every plan must keep, sorted, without repeats; validation guarantees that all
    /// pins of the instance can hold together (SPEC constraint 9).
    pub fixed_posts: Vec<ModuleIdx>,
    /// Modules this person may not hold, sorted, without repeats.
    pub unavailable: Vec<ModuleIdx>,
}

impl Staff {
    /// The person's level in `skill`, 0 when they do not have it.
    #[must_use]
    pub fn level(&self, skill: SkillIdx) -> u8 {
        self.skills
            .binary_search_by_key(&skill, |&(s, _)| s)
            .map_or(0, |i| self.skills[i].1)
    }
}

/// A work module (task team, section, enforcement zone): people hold posts in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    /// Unique id.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// The unit whose headcount cap this module counts against.
    pub unit: Option<UnitIdx>,
    /// Penalised when fewer people hold a post here.
    pub min_staff: u32,
    /// Most people holding a post here.
    pub max_staff: Option<u32>,
    /// Upstream offices this module mirrors, without repeats.
    pub counterparts: Vec<CounterpartIdx>,
    /// Its duties, in instance order.
    pub duties: Vec<DutyIdx>,
}

/// A weekly workload within a module.
#[derive(Clone, Debug, PartialEq)]
pub struct Duty {
    /// Unique id.
    pub id: String,
    /// Human-readable name (the id when none was given).
    pub name: String,
    /// The module it belongs to.
    pub module: ModuleIdx,
    /// Hours per week, finite and > 0.
    pub hours: f64,
    /// The skill it needs, if any.
    pub skill: Option<SkillIdx>,
    /// The lowest level of `skill` that may do it (1..=5).
    pub min_level: u8,
    /// Penalty per uncovered hour, finite and > 0.
    pub weight: f64,
    /// Whether several people may share it; if not, one person does all of it or nobody does.
    pub splittable: bool,
    /// Free labels for what-if filters.
    pub tags: Vec<String>,
}

/// Instance-wide rules and penalties.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    /// Default most posts per person.
    pub max_posts: u32,
    /// Default most liaisons per person.
    pub max_liaisons: u32,
    /// Penalty of a listed counterpart left without liaison.
    pub liaison_weight: f64,
    /// Penalty per missing person below a module's `min_staff`.
    pub min_staff_weight: f64,
    /// Pairs of modules no person may hold both of (a != b).
    pub conflicts: Vec<(ModuleIdx, ModuleIdx)>,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            max_posts: 3,
            max_liaisons: 3,
            liaison_weight: 8.0,
            min_staff_weight: 40.0,
            conflicts: Vec::new(),
        }
    }
}

/// A validated staffing instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// The instance's name, copied into every plan.
    pub name: String,
    /// Free text, e.g. provenance.
    pub description: Option<String>,
    /// Skills: catalogue entries first, then any skill used without a catalogue.
    pub skills: Vec<Skill>,
    /// Whether `skills` came from a catalogue in the file.
    pub has_skill_catalogue: bool,
    /// Units.
    pub units: Vec<Unit>,
    /// Upstream offices.
    pub counterparts: Vec<Counterpart>,
    /// People.
    pub staff: Vec<Staff>,
    /// Work modules.
    pub modules: Vec<Module>,
    /// Duties.
    pub duties: Vec<Duty>,
    /// Rules and penalties.
    pub rules: Rules,
    /// Lookup from ids to positions.
    pub ids: IdMaps,
}

/// Lookup tables from ids to positions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdMaps {
    /// Staff ids.
    pub staff: BTreeMap<String, StaffIdx>,
    /// Module ids.
    pub modules: BTreeMap<String, ModuleIdx>,
    /// Duty ids.
    pub duties: BTreeMap<String, DutyIdx>,
    /// Counterpart ids.
    pub counterparts: BTreeMap<String, CounterpartIdx>,
    /// Unit ids.
    pub units: BTreeMap<String, UnitIdx>,
    /// Skill ids.
    pub skills: BTreeMap<String, SkillIdx>,
}

impl Instance {
    /// Person `p`.
    #[must_use]
    pub fn person(&self, p: StaffIdx) -> &Staff {
        &self.staff[p.index()]
    }

    /// Module `m`.
    #[must_use]
    pub fn module(&self, m: ModuleIdx) -> &Module {
        &self.modules[m.index()]
    }

    /// Duty `d`.
    #[must_use]
    pub fn duty(&self, d: DutyIdx) -> &Duty {
        &self.duties[d.index()]
    }

    /// p **can do** d: d needs no skill, or p has it at `min_level` or above.
    #[must_use]
    pub fn can_do(&self, p: StaffIdx, d: DutyIdx) -> bool {
        let duty = self.duty(d);
        duty.skill
            .is_none_or(|s| self.person(p).level(s) >= duty.min_level)
    }

    /// p **qualifies** for m: m is not unavailable to p and p can do one of its duties, or it
    /// has none.
    #[must_use]
    pub fn qualifies(&self, p: StaffIdx, m: ModuleIdx) -> bool {
        let module = self.module(m);
        self.person(p).unavailable.binary_search(&m).is_err()
            && (module.duties.is_empty() || module.duties.iter().any(|&d| self.can_do(p, d)))
    }

    /// Whether modules `a` and `b` may not be held by the same person.
    #[must_use]
    pub fn in_conflict(&self, a: ModuleIdx, b: ModuleIdx) -> bool {
        self.rules
            .conflicts
            .iter()
            .any(|&(x, y)| (x == a && y == b) || (x == b && y == a))
    }

    /// Counterparts listed by at least one module, i.e. those whose missing liaison costs.
    #[must_use]
    pub fn listed_counterparts(&self) -> Vec<bool> {
        let mut listed = vec![false; self.counterparts.len()];
        for module in &self.modules {
            for c in &module.counterparts {
                listed[c.index()] = true;
            }
        }
        listed
    }

    /// Total weekly hours of all duties.
    #[must_use]
    pub fn total_hours(&self) -> f64 {
        self.duties.iter().map(|d| d.hours).sum()
    }

    /// Total weekly capacity of all staff.
    #[must_use]
    pub fn total_capacity(&self) -> f64 {
        self.staff.iter().map(|p| p.capacity).sum()
    }

    /// Iterates over all staff positions.
    pub fn staff_indices(&self) -> impl Iterator<Item = StaffIdx> + use<> {
        (0..self.staff.len()).map(StaffIdx::from)
    }

    /// Iterates over all module positions.
    pub fn module_indices(&self) -> impl Iterator<Item = ModuleIdx> + use<> {
        (0..self.modules.len()).map(ModuleIdx::from)
    }

    /// Iterates over all duty positions.
    pub fn duty_indices(&self) -> impl Iterator<Item = DutyIdx> + use<> {
        (0..self.duties.len()).map(DutyIdx::from)
    }
}
