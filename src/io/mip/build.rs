//! The tier-1 model of an instance, one builder step per family of variables and constraints,
//! numbered as in the spec (docs/models.md lists them). Variables exist only for eligible
//! pairs, from the model's own `qualifies` and `can_do`: the io layer may not use the
//! engine's eligibility index, and an export can afford the plain loops.

use super::names::Namer;
use super::{Column, Formulation, Index, OBJECTIVE, Row, Sense};
use crate::model::{CounterpartIdx, DutyIdx, Instance, ModuleIdx, StaffIdx, UnitIdx};

/// The mixed-integer program of tier 1 for `inst`: its optimum is the proven optimum of
/// `modstaff solve` (`objective.coverage`), with no constant term to add.
#[must_use]
pub fn tier1(inst: &Instance) -> Formulation {
    let mut b = Builder::new(inst);
    b.posts();
    b.work(true);
    b.heads();
    b.liaison_columns();
    b.work(false);
    b.penalties();
    b.people();
    b.links();
    b.modules();
    b.units();
    b.coverage();
    b.liaisons();
    b.pins();
    b.finish()
}

/// The model while it is built.
struct Builder<'a> {
    inst: &'a Instance,
    namer: Namer,
    columns: Vec<Column>,
    rows: Vec<Row>,
    index: Index,
    /// Per person: (module, y column), sorted by module.
    posts_of: Vec<Vec<(ModuleIdx, usize)>>,
    /// Per person: (duty, x or w column).
    work_of: Vec<Vec<(DutyIdx, usize)>>,
    /// Per duty: (person, x or w column).
    doers_of: Vec<Vec<(StaffIdx, usize)>>,
    /// Per person: (counterpart, l column).
    liaisons_of: Vec<Vec<(CounterpartIdx, usize)>>,
}

impl<'a> Builder<'a> {
    fn new(inst: &'a Instance) -> Self {
        let np = inst.staff.len();
        Self {
            inst,
            namer: Namer::new(&[OBJECTIVE]),
            columns: Vec::new(),
            rows: Vec::new(),
            index: Index {
                n: vec![None; inst.counterparts.len()],
                s: vec![None; inst.modules.len()],
                ..Index::default()
            },
            posts_of: vec![Vec::new(); np],
            work_of: vec![Vec::new(); np],
            doers_of: vec![Vec::new(); inst.duties.len()],
            liaisons_of: vec![Vec::new(); np],
        }
    }

    fn column(&mut self, prefix: &str, ids: &[impl AsRef<str>], binary: bool, cost: f64) -> usize {
        let name = self.namer.name(prefix, ids);
        self.columns.push(Column {
            name,
            binary,
            upper: None,
            cost,
        });
        self.columns.len() - 1
    }

    /// Adds a row, unless it has no terms: every such row here says `0 <= a count`.
    fn row(
        &mut self,
        prefix: &str,
        ids: &[impl AsRef<str>],
        sense: Sense,
        rhs: f64,
        terms: Vec<(usize, f64)>,
    ) {
        if terms.is_empty() {
            debug_assert!(sense == Sense::Le && rhs >= 0.0, "{prefix}");
            return;
        }
        let name = self.namer.name(prefix, ids);
        self.rows.push(Row {
            name,
            sense,
            rhs,
            terms,
        });
    }

    /// y[p,m] for p qualifying for m.
    fn posts(&mut self) {
        let inst = self.inst;
        for p in inst.staff_indices() {
            for m in inst.module_indices().filter(|&m| inst.qualifies(p, m)) {
                let j = self.column("y", &[&inst.person(p).id, &inst.module(m).id], true, 0.0);
                self.posts_of[p.index()].push((m, j));
                self.index.y.insert((p, m), j);
            }
        }
    }

    /// The y column of (p, m), if p qualifies.
    fn y(&self, p: StaffIdx, m: ModuleIdx) -> Option<usize> {
        let posts = &self.posts_of[p.index()];
        posts
            .binary_search_by_key(&m, |&(k, _)| k)
            .ok()
            .map(|i| posts[i].1)
    }

    /// w[p,d] (binary, for non-splittable duties) or x[p,d] (hours, for splittable ones), for
    /// p who can do d and qualifies for its module.
    fn work(&mut self, non_splittable: bool) {
        let inst = self.inst;
        for p in inst.staff_indices() {
            for k in 0..self.posts_of[p.index()].len() {
                let m = self.posts_of[p.index()][k].0;
                for &d in &inst.module(m).duties {
                    let duty = inst.duty(d);
                    if duty.splittable == non_splittable || !inst.can_do(p, d) {
                        continue;
                    }
                    let prefix = if non_splittable { "w" } else { "x" };
                    let j =
                        self.column(prefix, &[&inst.person(p).id, &duty.id], non_splittable, 0.0);
                    self.work_of[p.index()].push((d, j));
                    self.doers_of[d.index()].push((p, j));
                    self.index.work.insert((p, d), j);
                }
            }
        }
    }

    /// h[p,unit] for units with a headcount cap and people who may hold a post in them.
    fn heads(&mut self) {
        let inst = self.inst;
        for (u, unit) in inst.units.iter().enumerate() {
            if unit.headcount_cap.is_none() {
                continue;
            }
            let u = UnitIdx::from(u);
            for p in inst.staff_indices() {
                let in_unit = self.posts_of[p.index()]
                    .iter()
                    .any(|&(m, _)| inst.module(m).unit == Some(u));
                if in_unit {
                    let j = self.column("h", &[&inst.person(p).id, &unit.id], true, 0.0);
                    self.index.h.insert((p, u), j);
                }
            }
        }
    }

    /// l[p,c] for counterparts some module lists and people who may hold a post in one.
    fn liaison_columns(&mut self) {
        let inst = self.inst;
        for (c, counterpart) in inst.counterparts.iter().enumerate() {
            let c = CounterpartIdx::from(c);
            for p in inst.staff_indices() {
                let may = self.posts_of[p.index()]
                    .iter()
                    .any(|&(m, _)| inst.module(m).counterparts.contains(&c));
                if may {
                    let j = self.column("l", &[&inst.person(p).id, &counterpart.id], true, 0.0);
                    self.liaisons_of[p.index()].push((c, j));
                    self.index.l.insert((p, c), j);
                }
            }
        }
    }

    /// The costed columns: u[d] (uncovered hours, at most the duty's), n[c] (no liaison) for
    /// listed counterparts, s[m] (people missing) for modules with a floor.
    fn penalties(&mut self) {
        let inst = self.inst;
        for (d, duty) in inst.duties.iter().enumerate() {
            let j = self.column("u", &[&duty.id], false, duty.weight);
            self.columns[j].upper = Some(duty.hours);
            self.index.u.push(j);
            // Rows list a duty's doers and a person's work in instance order.
            self.doers_of[d].sort_unstable_by_key(|&(p, _)| p);
        }
        for list in &mut self.work_of {
            list.sort_unstable_by_key(|&(d, _)| d);
        }
        let listed = inst.listed_counterparts();
        for (c, counterpart) in inst.counterparts.iter().enumerate() {
            if listed[c] {
                let j = self.column("n", &[&counterpart.id], false, inst.rules.liaison_weight);
                self.index.n[c] = Some(j);
            }
        }
        for (m, module) in inst.modules.iter().enumerate() {
            if module.min_staff > 0 {
                let j = self.column("s", &[&module.id], false, inst.rules.min_staff_weight);
                self.index.s[m] = Some(j);
            }
        }
    }

    /// The coefficient of a work column in hours: x is hours, w is all of the duty or none.
    fn hours_of(&self, d: DutyIdx) -> f64 {
        let duty = self.inst.duty(d);
        if duty.splittable { 1.0 } else { duty.hours }
    }

    /// Capacity (1), posts and conflicts (3).
    fn people(&mut self) {
        let inst = self.inst;
        for p in inst.staff_indices() {
            let person = inst.person(p);
            let work: Vec<(usize, f64)> = self.work_of[p.index()]
                .iter()
                .map(|&(d, j)| (j, self.hours_of(d)))
                .collect();
            self.row("cap", &[&person.id], Sense::Le, person.capacity, work);
            let posts = self.posts_of[p.index()]
                .iter()
                .map(|&(_, j)| (j, 1.0))
                .collect();
            self.row(
                "posts",
                &[&person.id],
                Sense::Le,
                f64::from(person.max_posts),
                posts,
            );
            for &(a, b) in &inst.rules.conflicts {
                if let (Some(ya), Some(yb)) = (self.y(p, a), self.y(p, b)) {
                    let ids = [&person.id, &inst.module(a).id, &inst.module(b).id];
                    self.row("conflict", &ids, Sense::Le, 1.0, vec![(ya, 1.0), (yb, 1.0)]);
                }
            }
        }
    }

    /// Post links (2): x[p,d] <= hours(d) y[p,m], w[p,d] <= y[p,m].
    fn links(&mut self) {
        let inst = self.inst;
        for p in inst.staff_indices() {
            for k in 0..self.work_of[p.index()].len() {
                let (d, j) = self.work_of[p.index()][k];
                let duty = inst.duty(d);
                let y = self
                    .y(p, duty.module)
                    .expect("work columns need a post column");
                let link = if duty.splittable { duty.hours } else { 1.0 };
                let terms = vec![(j, 1.0), (y, -link)];
                self.row(
                    "link",
                    &[&inst.person(p).id, &duty.id],
                    Sense::Le,
                    0.0,
                    terms,
                );
            }
        }
    }

    /// Module caps (4) and staffing floors (8).
    fn modules(&mut self) {
        let inst = self.inst;
        let mut holders: Vec<Vec<(usize, f64)>> = vec![Vec::new(); inst.modules.len()];
        for posts in &self.posts_of {
            for &(m, j) in posts {
                holders[m.index()].push((j, 1.0));
            }
        }
        for (m, module) in inst.modules.iter().enumerate() {
            if let Some(cap) = module.max_staff {
                let terms = holders[m].clone();
                self.row("staff", &[&module.id], Sense::Le, f64::from(cap), terms);
            }
            if let Some(s) = self.index.s[m] {
                let mut terms = std::mem::take(&mut holders[m]);
                terms.push((s, 1.0));
                let floor = f64::from(module.min_staff);
                self.row("floor", &[&module.id], Sense::Ge, floor, terms);
            }
        }
    }

    /// Unit headcount caps (5): y[p,m] <= h[p,unit] for the unit's modules, and the unit's h
    /// add up to at most its cap.
    fn units(&mut self) {
        let inst = self.inst;
        for (u, unit) in inst.units.iter().enumerate() {
            let Some(cap) = unit.headcount_cap else {
                continue;
            };
            let u = UnitIdx::from(u);
            let mut heads = Vec::new();
            for p in inst.staff_indices() {
                let Some(&h) = self.index.h.get(&(p, u)) else {
                    continue;
                };
                for k in 0..self.posts_of[p.index()].len() {
                    let (m, y) = self.posts_of[p.index()][k];
                    if inst.module(m).unit == Some(u) {
                        let ids = [&inst.person(p).id, &inst.module(m).id];
                        self.row("inunit", &ids, Sense::Le, 0.0, vec![(y, 1.0), (h, -1.0)]);
                    }
                }
                heads.push((h, 1.0));
            }
            self.row("unit", &[&unit.id], Sense::Le, f64::from(cap), heads);
        }
    }

    /// Coverage (6): the hours done plus u[d] are the duty's hours. A non-splittable duty is
    /// done by one person whole or by nobody: hours(d) w[p,d] with w binary, and at most one w
    /// is 1 because u[d] >= 0.
    fn coverage(&mut self) {
        let inst = self.inst;
        for (d, duty) in inst.duties.iter().enumerate() {
            let mut terms: Vec<(usize, f64)> = self.doers_of[d]
                .iter()
                .map(|&(_, j)| (j, self.hours_of(DutyIdx::from(d))))
                .collect();
            terms.push((self.index.u[d], 1.0));
            self.row("cover", &[&duty.id], Sense::Eq, duty.hours, terms);
        }
    }

    /// Liaisons (7): l[p,c] only with a post in a module listing c; one liaison or n[c] = 1
    /// per listed counterpart; at most `max_liaisons` per person.
    fn liaisons(&mut self) {
        let inst = self.inst;
        let mut of_counterpart: Vec<Vec<(usize, f64)>> = vec![Vec::new(); inst.counterparts.len()];
        for p in inst.staff_indices() {
            for k in 0..self.liaisons_of[p.index()].len() {
                let (c, l) = self.liaisons_of[p.index()][k];
                let mut terms = vec![(l, 1.0)];
                terms.extend(
                    self.posts_of[p.index()]
                        .iter()
                        .filter(|&&(m, _)| inst.module(m).counterparts.contains(&c))
                        .map(|&(_, y)| (y, -1.0)),
                );
                let ids = [&inst.person(p).id, &inst.counterparts[c.index()].id];
                self.row("liaisonpost", &ids, Sense::Le, 0.0, terms);
                of_counterpart[c.index()].push((l, 1.0));
            }
        }
        for (c, counterpart) in inst.counterparts.iter().enumerate() {
            if let Some(n) = self.index.n[c] {
                let mut terms = std::mem::take(&mut of_counterpart[c]);
                terms.push((n, 1.0));
                self.row("liaison", &[&counterpart.id], Sense::Eq, 1.0, terms);
            }
        }
        for p in inst.staff_indices() {
            let person = inst.person(p);
            let terms = self.liaisons_of[p.index()]
                .iter()
                .map(|&(_, l)| (l, 1.0))
                .collect();
            let most = f64::from(person.max_liaisons);
            self.row("maxliaisons", &[&person.id], Sense::Le, most, terms);
        }
    }

    /// Pins (9): y[p,m] = 1 for every fixed post (validation guarantees p qualifies).
    fn pins(&mut self) {
        let inst = self.inst;
        for p in inst.staff_indices() {
            for &m in &inst.person(p).fixed_posts {
                let y = self
                    .y(p, m)
                    .expect("a validated pin is a post p qualifies for");
                let ids = [&inst.person(p).id, &inst.module(m).id];
                self.row("pin", &ids, Sense::Eq, 1.0, vec![(y, 1.0)]);
            }
        }
    }

    fn finish(self) -> Formulation {
        let inst = self.inst;
        let mut f = Formulation {
            comments: Vec::new(),
            name: inst.name.clone(),
            columns: self.columns,
            rows: self.rows,
            index: self.index,
        };
        f.comments = header(inst, &f);
        f
    }
}

/// The head of the file: what the model is, its size and how to read the names.
fn header(inst: &Instance, f: &Formulation) -> Vec<String> {
    let binaries = f.columns.iter().filter(|c| c.binary).count();
    let listed = inst.listed_counterparts().iter().filter(|&&l| l).count();
    let mut name: String = inst
        .name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if name.chars().count() > 120 {
        name = name.chars().take(120).collect::<String>() + "...";
    }
    let mut lines = vec![
        format!("modstaff tier-1 model of instance `{name}` (modstaff export; docs/models.md)"),
        format!(
            "{} people, {} modules, {} duties, {} counterparts ({listed} listed), {} units",
            inst.staff.len(),
            inst.modules.len(),
            inst.duties.len(),
            inst.counterparts.len(),
            inst.units.len()
        ),
        format!(
            "{} columns ({binaries} binary), {} rows, {} nonzeros",
            f.columns.len(),
            f.rows.len(),
            f.nonzeros()
        ),
        "minimise tier 1: the optimum equals modstaff's objective.coverage (no constant term)"
            .into(),
    ];
    lines.extend(LEGEND.iter().map(|&l| l.to_owned()));
    lines
}

/// The naming legend written at the head of every file.
const LEGEND: &[&str] = &[
    "columns (all >= 0):",
    "  y_<person>_<module>       binary: holds a post in the module",
    "  w_<person>_<duty>         binary: does all of a non-splittable duty",
    "  h_<person>_<unit>         binary: holds a post in a unit with a headcount cap",
    "  l_<person>_<counterpart>  binary: is the counterpart's liaison",
    "  x_<person>_<duty>         hours on a splittable duty",
    "  u_<duty>                  uncovered hours (cost: the duty's weight)",
    "  n_<counterpart>           1 when a listed counterpart has no liaison (cost: liaison_weight)",
    "  s_<module>                people missing below min_staff (cost: min_staff_weight)",
    "rows:",
    "  cap_<person> capacity; link_<person>_<duty> work needs the post; posts_<person> max_posts;",
    "  conflict_<person>_<a>_<b>; staff_<module> max_staff; inunit_<person>_<module> and",
    "  unit_<unit> headcount_cap; cover_<duty> hours done + uncovered = hours;",
    "  liaisonpost_<person>_<counterpart>, liaison_<counterpart>, maxliaisons_<person>;",
    "  floor_<module> min_staff; pin_<person>_<module> fixed_posts",
    "ids: characters outside A-Z a-z 0-9 _ become _, non-ASCII ones uXXXX (their code point);",
    "names that come out alike get _2, _3, ... in order of appearance",
];
