//! The primal search over posts: evaluation with the exact hours oracle and the liaison
//! matching, a greedy repair that respects every cap, and large-neighbourhood search (free a
//! few related people, re-post them greedily with noise, keep the result if it is no worse).

use super::Ctx;
use super::hours::{BestOptions, Hours, HoursOracle};
use super::liaisons::best_liaisons;
use super::posts::{PostState, Posts};
use crate::model::{CounterpartIdx, DutyIdx, Instance, ModuleIdx, StaffIdx};
use crate::rng::Rng;

/// Tier-1 values closer than this (relative) count as equal, so tiers 2-3 decide.
pub const TIER_TOL: f64 = 1e-7;

/// The lexicographic key the search minimises (tier 4 is settled on the final plan).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Key {
    /// Tier 1.
    pub coverage: f64,
    /// Tier 2.
    pub stability: u64,
    /// Tier 3.
    pub fragmentation: u64,
}

impl Key {
    /// Whether `self` is strictly better than `other`.
    #[must_use]
    pub fn better(&self, other: &Key) -> bool {
        let tol = TIER_TOL * self.coverage.abs().max(other.coverage.abs()).max(1.0);
        if self.coverage < other.coverage - tol {
            return true;
        }
        if self.coverage > other.coverage + tol {
            return false;
        }
        (self.stability, self.fragmentation) < (other.stability, other.fragmentation)
    }
}

/// Branch-and-bound nodes for packing the freed people's duties in a step.
const STEP_PACKING_NODES: u64 = 200;

/// How the search rates its steps, chosen once per instance.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Many people or duties: a full evaluation per step is too slow.
    pub large: bool,
    /// Most hours are in non-splittable duties: greedy packings misjudge post sets there
    /// (measured, 48 x 27 x 120 with every duty non-splittable: 496 rated greedily, 444 with
    /// the freed people's duties packed exactly and everyone else's kept, the packing
    /// improving step by step), and a stalled search restarts.
    pub packing: bool,
    /// Re-optimise only the freed people's hours in each step.
    pub partial: bool,
}

impl Style {
    /// The style for `inst`.
    #[must_use]
    pub fn of(inst: &Instance) -> Self {
        let large = inst.duties.len() > 600 || inst.staff.len() > 150;
        let (mut whole, mut all) = (0.0, 0.0);
        for d in &inst.duties {
            all += d.hours;
            if !d.splittable {
                whole += d.hours;
            }
        }
        let packing = all > 0.0 && whole >= 0.5 * all;
        Self {
            large,
            packing,
            partial: large || packing,
        }
    }

    /// An evaluator for search steps.
    #[must_use]
    pub fn evaluator<'a>(&self, ctx: Ctx<'a>) -> Evaluator<'a> {
        let mut eval = Evaluator::new(ctx, BestOptions::greedy());
        if self.packing {
            eval.partial_options = BestOptions::packing(STEP_PACKING_NODES);
        }
        eval
    }
}

/// A fully evaluated set of posts.
#[derive(Clone, Debug)]
pub struct Evaluated {
    /// The posts.
    pub state: PostState,
    /// The hours the oracle found for them.
    pub hours: Hours,
    /// Liaisons: a maximum matching.
    pub liaisons: Vec<(CounterpartIdx, StaffIdx)>,
    /// Its key.
    pub key: Key,
}

/// Evaluates post sets: oracle hours + liaisons + staffing floors.
pub struct Evaluator<'a> {
    ctx: Ctx<'a>,
    oracle: HoursOracle<'a>,
    /// Oracle effort on non-splittable duties.
    pub options: BestOptions,
    /// Oracle effort on the freed people's duties in [`Evaluator::evaluate_partial`].
    pub partial_options: BestOptions,
}

impl<'a> Evaluator<'a> {
    /// An evaluator with the given oracle effort.
    #[must_use]
    pub fn new(ctx: Ctx<'a>, options: BestOptions) -> Self {
        Self {
            ctx,
            oracle: HoursOracle::new(ctx.inst),
            options,
            partial_options: BestOptions::greedy(),
        }
    }

    /// Evaluates `state` exactly (up to the oracle's non-splittable choices).
    pub fn evaluate(&mut self, state: PostState) -> Evaluated {
        let hours = self.oracle.best_hours(&state.posts, &self.options);
        self.finish(state, hours)
    }

    /// Evaluates `state`, which differs from `cur` only in the posts of `freed`, by
    /// re-optimising the hours of `freed` alone: everyone else keeps their hours from `cur`,
    /// and `freed` work on what is left. The result is a valid plan whose hours may be
    /// improved by a full evaluation (rerouting through other people); on large instances it
    /// costs a small fraction of one.
    pub fn evaluate_partial(
        &mut self,
        cur: &Evaluated,
        state: PostState,
        freed: &[StaffIdx],
    ) -> Evaluated {
        let inst = self.ctx.inst;
        let nd = inst.duties.len();
        let mut is_freed = vec![false; inst.staff.len()];
        for &p in freed {
            is_freed[p.index()] = true;
        }
        // What everyone else keeps.
        let mut done = vec![0.0_f64; nd];
        let mut taken = vec![false; nd];
        let mut x: Vec<(StaffIdx, DutyIdx, f64)> = Vec::with_capacity(cur.hours.x.len());
        let mut load = cur.hours.load.clone();
        for &p in freed {
            load[p.index()] = 0.0;
        }
        for &(p, d, h) in &cur.hours.x {
            if !is_freed[p.index()] {
                done[d.index()] += h;
                taken[d.index()] = true;
                x.push((p, d, h));
            }
        }
        // The sub-problem: the freed people and what is left of the duties they may work on.
        let mut sub_of_duty: Vec<Option<usize>> = vec![None; nd];
        let mut sub_duties: Vec<DutyIdx> = Vec::new();
        for &p in freed {
            for &m in state.posts.of(p) {
                let Ok(j) = self.ctx.elig.modules_of[p.index()].binary_search(&m) else {
                    continue;
                };
                for &d in &self.ctx.elig.duties_of[p.index()][j] {
                    let duty = inst.duty(d);
                    let left = duty.hours - done[d.index()];
                    let open = if duty.splittable {
                        left > 1e-9
                    } else {
                        !taken[d.index()]
                    };
                    if open && sub_of_duty[d.index()].is_none() {
                        sub_of_duty[d.index()] = Some(sub_duties.len());
                        sub_duties.push(d);
                    }
                }
            }
        }
        let mut sub = Instance {
            name: String::new(),
            description: None,
            skills: Vec::new(),
            has_skill_catalogue: false,
            units: Vec::new(),
            counterparts: Vec::new(),
            staff: freed.iter().map(|&p| inst.person(p).clone()).collect(),
            modules: inst
                .modules
                .iter()
                .map(|_| crate::model::Module {
                    id: String::new(),
                    name: String::new(),
                    unit: None,
                    min_staff: 0,
                    max_staff: None,
                    counterparts: Vec::new(),
                    duties: Vec::new(),
                })
                .collect(),
            duties: Vec::with_capacity(sub_duties.len()),
            rules: inst.rules.clone(),
            ids: crate::model::IdMaps::default(),
        };
        for (j, &d) in sub_duties.iter().enumerate() {
            let mut duty = inst.duty(d).clone();
            duty.hours = (duty.hours - done[d.index()]).max(0.0);
            duty.id = String::new();
            duty.tags = Vec::new();
            sub.modules[duty.module.index()]
                .duties
                .push(DutyIdx::from(j));
            sub.duties.push(duty);
        }
        let sub_posts = Posts::from_pairs(
            freed.len(),
            freed.iter().enumerate().flat_map(|(i, &p)| {
                state
                    .posts
                    .of(p)
                    .iter()
                    .map(move |&m| (StaffIdx::from(i), m))
            }),
        );
        let sub_hours = HoursOracle::new(&sub).best_hours(&sub_posts, &self.partial_options);
        let mut assigned = cur.hours.assigned.clone();
        for (d, a) in assigned.iter_mut().enumerate() {
            if a.is_some_and(|p| is_freed[p.index()]) || sub_of_duty[d].is_some() {
                *a = None;
            }
        }
        for &(i, j, h) in &sub_hours.x {
            let (p, d) = (freed[i.index()], sub_duties[j.index()]);
            done[d.index()] += h;
            load[p.index()] += h;
            x.push((p, d, h));
            if !inst.duty(d).splittable {
                assigned[d.index()] = Some(p);
            }
        }
        x.sort_unstable_by_key(|&(p, d, _)| (d, p));
        let uncovered: Vec<f64> = inst
            .duties
            .iter()
            .zip(&done)
            .map(|(duty, &h)| (duty.hours - h).max(0.0))
            .collect();
        let value = inst
            .duties
            .iter()
            .zip(&uncovered)
            .map(|(d, u)| d.weight * u)
            .sum();
        let hours = Hours {
            x,
            uncovered,
            load,
            value,
            assigned,
            optimal: false,
            bound: 0.0,
        };
        self.finish(state, hours)
    }

    /// Evaluates `state` keeping the non-splittable choices of `fixed` that its posts allow
    /// (one exact flow for the splittable hours): a valid plan, exact given those choices.
    pub fn evaluate_fixed(&mut self, state: PostState, fixed: &[Option<StaffIdx>]) -> Evaluated {
        let hours = self.oracle.splittable_hours(&state.posts, fixed);
        self.finish(state, hours)
    }

    fn finish(&self, state: PostState, hours: Hours) -> Evaluated {
        let inst = self.ctx.inst;
        let held: Vec<Vec<ModuleIdx>> = inst
            .staff_indices()
            .map(|p| state.posts.of(p).to_vec())
            .collect();
        let liaisons = best_liaisons(self.ctx, &held);
        #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
        let unmet = (self.ctx.elig.listed.len() - liaisons.len()) as f64;
        let missing: f64 = inst
            .modules
            .iter()
            .zip(&state.holders)
            .map(|(m, &h)| f64::from(m.min_staff.saturating_sub(h)))
            .sum();
        let coverage =
            hours.value + inst.rules.liaison_weight * unmet + inst.rules.min_staff_weight * missing;
        let key = Key {
            coverage,
            stability: state.stability(inst),
            fragmentation: state.posts.len() as u64,
        };
        Evaluated {
            state,
            hours,
            liaisons,
            key,
        }
    }
}

/// Greedy repair: people in `people` take posts, one per round each, where the estimated
/// gain is highest: hours they could cover from what is uncovered now (by weight, within
/// their spare capacity), a staffing floor met, unmet counterparts they could take on. A
/// small bonus for today's posts keeps plans stable. `noise` in [0, 1) randomises choices.
pub fn repair(
    ctx: Ctx<'_>,
    base: &Evaluated,
    mut state: PostState,
    people: &[StaffIdx],
    rng: &mut Rng,
    noise: f64,
) -> PostState {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let mut uncovered = base.hours.uncovered.clone();
    let mut spare: Vec<f64> = inst
        .staff
        .iter()
        .zip(&base.hours.load)
        .map(|(p, l)| (p.capacity - l).max(0.0))
        .collect();
    // People in `people` had their posts removed: their load in `base` may still count work
    // in modules they no longer hold, so give them their full capacity back.
    for &p in people {
        let kept: f64 = base
            .hours
            .x
            .iter()
            .filter(|&&(q, d, _)| q == p && state.posts.holds(p, inst.duty(d).module))
            .map(|&(_, _, h)| h)
            .sum();
        spare[p.index()] = (inst.person(p).capacity - kept).max(0.0);
        for &(q, d, h) in &base.hours.x {
            if q == p && !state.posts.holds(p, inst.duty(d).module) {
                uncovered[d.index()] += h;
            }
        }
    }
    let mut met = vec![false; inst.counterparts.len()];
    let mut slots: Vec<u32> = inst.staff.iter().map(|p| p.max_liaisons).collect();
    for &(c, p) in &base.liaisons {
        if state
            .posts
            .of(p)
            .iter()
            .any(|m| inst.module(*m).counterparts.contains(&c))
        {
            met[c.index()] = true;
            slots[p.index()] = slots[p.index()].saturating_sub(1);
        }
    }
    let lw = inst.rules.liaison_weight;
    let mw = inst.rules.min_staff_weight;
    let mut items: Vec<(f64, f64, usize)> = Vec::new();
    loop {
        let mut added = false;
        for &p in people {
            let pi = p.index();
            let mut best: Option<(f64, usize)> = None;
            for (j, &m) in elig.modules_of[pi].iter().enumerate() {
                if !state.can_add(ctx, p, m) {
                    continue;
                }
                // Fractional knapsack of spare capacity over the module's uncovered hours.
                items.clear();
                for &d in &elig.duties_of[pi][j] {
                    let u = uncovered[d.index()];
                    if u > 1e-9 {
                        items.push((inst.duty(d).weight, u, d.index()));
                    }
                }
                items.sort_by(|a, b| b.0.total_cmp(&a.0));
                let mut cap = spare[pi];
                let mut gain = 0.0;
                for &(w, u, _) in &items {
                    if cap <= 1e-9 {
                        break;
                    }
                    let x = u.min(cap);
                    gain += w * x;
                    cap -= x;
                }
                if state.holders[m.index()] < inst.module(m).min_staff {
                    gain += mw;
                }
                let open = inst
                    .module(m)
                    .counterparts
                    .iter()
                    .filter(|c| !met[c.index()])
                    .count()
                    .min(slots[pi] as usize);
                #[expect(clippy::cast_precision_loss, reason = "small counts")]
                {
                    gain += lw * open as f64;
                }
                // A post that adds nothing is not taken here, even one held today: it would
                // block the person's posts cap for later moves (measured: 3-7% worse tier 1 on
                // large instances); `restore` gives today's posts back at the end.
                let today = inst.person(p).current_posts.binary_search(&m).is_ok();
                if gain <= 1e-9 {
                    continue;
                }
                if today {
                    gain += 1e-3;
                }
                let score = gain * (1.0 + noise * rng.unit());
                if best.is_none_or(|(b, _)| score > b) {
                    best = Some((score, j));
                }
            }
            let Some((_, j)) = best else { continue };
            let m = elig.modules_of[pi][j];
            state.add(inst, p, m);
            added = true;
            // Book what the estimate assumed p takes on.
            items.clear();
            for &d in &elig.duties_of[pi][j] {
                let u = uncovered[d.index()];
                if u > 1e-9 {
                    items.push((inst.duty(d).weight, u, d.index()));
                }
            }
            items.sort_by(|a, b| b.0.total_cmp(&a.0));
            for &(_, u, d) in &items {
                if spare[pi] <= 1e-9 {
                    break;
                }
                let x = u.min(spare[pi]);
                uncovered[d] -= x;
                spare[pi] -= x;
            }
            for &c in &inst.module(m).counterparts {
                if !met[c.index()] && slots[pi] > 0 {
                    met[c.index()] = true;
                    slots[pi] -= 1;
                }
            }
        }
        if !added {
            break;
        }
    }
    state
}

/// People whose posts differ from today's (tier 2 counts their changes).
fn moved_people(inst: &Instance, cur: &Evaluated) -> Vec<StaffIdx> {
    inst.staff_indices()
        .filter(|&p| {
            let held = cur.state.posts.of(p);
            let today = &inst.person(p).current_posts;
            held.len() != today.len() || held.iter().any(|m| today.binary_search(m).is_err())
        })
        .collect()
}

/// A person drawn with probability proportional to their idle hours, if anyone is idle.
fn idle_person(inst: &Instance, cur: &Evaluated, rng: &mut Rng) -> Option<StaffIdx> {
    let idle = |p: StaffIdx| (inst.person(p).capacity - cur.hours.load[p.index()]).max(0.0);
    let total: f64 = inst.staff_indices().map(idle).sum();
    if total <= 1e-9 {
        return None;
    }
    let mut pick = rng.unit() * total;
    inst.staff_indices().find(|&p| {
        pick -= idle(p);
        pick <= 0.0
    })
}

/// Chooses a neighbourhood of related people to free. With `polish` (tier 1 is proven, only
/// tiers 2-3 are left) half the neighbourhoods are built around people who moved: one of
/// them, the people of the modules they left or joined (moved ones first), so that the
/// repair, which favours today's posts, can put them back. With `idle`, neighbourhoods around
/// a person start half the time from someone drawn by idle hours; not where most duties
/// cannot be split, where small idle fragments are everywhere and say nothing (measured,
/// generated 100 x 40 x 250 with every duty non-splittable, 5 s, seed 0: 798.5 without the
/// draw, 861.5 with it).
pub fn neighbourhood(
    ctx: Ctx<'_>,
    cur: &Evaluated,
    rng: &mut Rng,
    size: usize,
    polish: bool,
    idle: bool,
) -> Vec<StaffIdx> {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let np = inst.staff.len();
    let mut chosen: Vec<StaffIdx> = Vec::new();
    if np == 0 || inst.modules.is_empty() {
        return chosen;
    }
    let push = |p: StaffIdx, chosen: &mut Vec<StaffIdx>| {
        if chosen.len() < size && !chosen.contains(&p) {
            chosen.push(p);
        }
    };
    let moved = if polish && rng.below(2) == 0 {
        moved_people(inst, cur)
    } else {
        Vec::new()
    };
    if !moved.is_empty() {
        let p = moved[rng.below(moved.len())];
        push(p, &mut chosen);
        let mut modules: Vec<ModuleIdx> = cur.state.posts.of(p).to_vec();
        modules.extend_from_slice(&inst.person(p).current_posts);
        for _ in 0..size * 2 {
            let m = modules[rng.below(modules.len())];
            let people = &elig.people_of[m.index()];
            if people.is_empty() {
                continue;
            }
            let q = people[rng.below(people.len())];
            // Prefer someone who moved too: swapping two moved people back is the typical
            // repair of a disruption.
            if moved.binary_search(&q).is_ok() || rng.below(2) == 0 {
                push(q, &mut chosen);
            }
        }
        while chosen.len() < size.min(moved.len()) {
            push(moved[rng.below(moved.len())], &mut chosen);
        }
    } else {
        match rng.below(3) {
            // People around an uncovered duty, chosen by weighted uncovered hours.
            0 => {
                let total: f64 = inst
                    .duties
                    .iter()
                    .zip(&cur.hours.uncovered)
                    .map(|(d, u)| d.weight * u)
                    .sum();
                if total > 0.0 {
                    let mut pick = rng.unit() * total;
                    let mut duty = 0;
                    for (i, (d, u)) in inst.duties.iter().zip(&cur.hours.uncovered).enumerate() {
                        pick -= d.weight * u;
                        duty = i;
                        if pick <= 0.0 {
                            break;
                        }
                    }
                    let doers = &elig.doers_of[duty];
                    for _ in 0..size * 2 {
                        if doers.is_empty() {
                            break;
                        }
                        push(doers[rng.below(doers.len())], &mut chosen);
                    }
                }
            }
            // Holders and candidates of a module.
            1 => {
                let m = rng.below(inst.modules.len().max(1));
                if let Some(people) = elig.people_of.get(m) {
                    for _ in 0..size * 2 {
                        if people.is_empty() {
                            break;
                        }
                        push(people[rng.below(people.len())], &mut chosen);
                    }
                }
            }
            // A person and those sharing a module with them; for someone without posts (a
            // new hire in a what-if scenario) those of a module they could take.
            _ => {
                let p = if idle && rng.below(2) == 0 {
                    idle_person(inst, cur, rng)
                } else {
                    None
                }
                .unwrap_or_else(|| StaffIdx::from(rng.below(np)));
                push(p, &mut chosen);
                let mut held = cur.state.posts.of(p).to_vec();
                if held.is_empty() {
                    held.clone_from(&elig.modules_of[p.index()]);
                }
                for _ in 0..size * 2 {
                    if held.is_empty() {
                        break;
                    }
                    let m = held[rng.below(held.len())];
                    let people = &elig.people_of[m.index()];
                    push(people[rng.below(people.len())], &mut chosen);
                }
            }
        }
    }
    while chosen.len() < size.min(np) {
        push(StaffIdx::from(rng.below(np)), &mut chosen);
    }
    chosen.sort_unstable();
    chosen
}

/// One LNS step from `cur`: free a neighbourhood, repair, evaluate.
pub fn lns_step(
    ctx: Ctx<'_>,
    eval: &mut Evaluator<'_>,
    cur: &Evaluated,
    rng: &mut Rng,
    style: Style,
    polish: bool,
) -> Evaluated {
    let inst = ctx.inst;
    let partial = style.partial;
    // Bigger neighbourhoods on big instances, where a handful of people is too local.
    let size = if inst.staff.len() > 200 {
        3 + rng.below(10)
    } else {
        2 + rng.below(5)
    };
    let people = neighbourhood(ctx, cur, rng, size, polish, !style.packing);
    // Shuffle the repair order.
    let mut order = people.clone();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let noise = [0.0, 0.1, 0.3][rng.below(3)];
    rebuild(ctx, eval, cur, (&people, &order), rng, noise, partial)
}

/// Frees `people` (sorted), re-posts them in `order` (repair, then fill) and evaluates.
fn rebuild(
    ctx: Ctx<'_>,
    eval: &mut Evaluator<'_>,
    cur: &Evaluated,
    (people, order): (&[StaffIdx], &[StaffIdx]),
    rng: &mut Rng,
    noise: f64,
    partial: bool,
) -> Evaluated {
    let mut state = cur.state.clone();
    for &p in people {
        state.clear_person(ctx.inst, p);
    }
    let mut state = repair(ctx, cur, state, order, rng, noise);
    fill(ctx, cur, &mut state, order);
    if partial {
        eval.evaluate_partial(cur, state, people)
    } else {
        eval.evaluate(state)
    }
}

/// A big perturbation of `best` to restart a stalled search from.
pub fn kick(
    ctx: Ctx<'_>,
    eval: &mut Evaluator<'_>,
    best: &Evaluated,
    rng: &mut Rng,
    partial: bool,
) -> Evaluated {
    let np = ctx.inst.staff.len();
    let size = (np / 5).max(2).min(np);
    let mut people: Vec<StaffIdx> = Vec::new();
    while people.len() < size {
        let p = StaffIdx::from(rng.below(np));
        if !people.contains(&p) {
            people.push(p);
        }
    }
    people.sort_unstable();
    rebuild(ctx, eval, best, (&people, &people), rng, 0.5, partial)
}

/// Extra posts for the freed people, up to their caps, in the modules with the most uncovered
/// weighted hours they could do: with non-splittable duties the repair's fractional estimate
/// books their spare hours too early, and more posts give the packing more room.
pub fn fill(ctx: Ctx<'_>, cur: &Evaluated, state: &mut PostState, people: &[StaffIdx]) {
    let (inst, elig) = (ctx.inst, ctx.elig);
    for &p in people {
        let pi = p.index();
        loop {
            let mut best: Option<(f64, ModuleIdx)> = None;
            for (j, &m) in elig.modules_of[pi].iter().enumerate() {
                if !state.can_add(ctx, p, m) {
                    continue;
                }
                let open: f64 = elig.duties_of[pi][j]
                    .iter()
                    .map(|&d| {
                        let duty = inst.duty(d);
                        let u = cur.hours.uncovered[d.index()];
                        if u > 1e-9 && duty.hours <= inst.person(p).capacity + 1e-9 {
                            duty.weight * u
                        } else {
                            0.0
                        }
                    })
                    .sum();
                if open > 1e-9 && best.is_none_or(|(b, _)| open > b) {
                    best = Some((open, m));
                }
            }
            let Some((_, m)) = best else { break };
            state.add(inst, p, m);
        }
    }
}

/// Gives people back today's posts wherever that costs nothing in tier 1 (tier 2 counts every
/// post dropped): the minimal-disruption pass at the end of a search. A post added never
/// needs new choices for the non-splittable duties, so each candidate is one flow.
pub fn restore(
    ctx: Ctx<'_>,
    eval: &mut Evaluator<'_>,
    mut best: Evaluated,
    deadline: std::time::Instant,
) -> Evaluated {
    let inst = ctx.inst;
    for p in inst.staff_indices() {
        for &m in &inst.person(p).current_posts {
            if std::time::Instant::now() >= deadline {
                return best;
            }
            if best.state.posts.holds(p, m) || !best.state.can_add(ctx, p, m) {
                continue;
            }
            let mut state = best.state.clone();
            state.add(inst, p, m);
            let cand = eval.evaluate_fixed(state, &best.hours.assigned);
            if cand.key.better(&best.key) {
                best = cand;
            }
        }
    }
    best
}

/// Puts people who moved back on today's posts wherever the key improves, by three moves: a
/// person back on all of today's posts (as far as the caps allow), one new post traded for one
/// of today's, and two people back at once who traded places (one took a post the other
/// left), which neither can do alone. Everyone else's hours are re-routed by the full oracle,
/// so whoever has spare time takes over. Repeats until a pass changes nothing: the solver's
/// last pass on tier 2, which falls by whole people here rather than by the post at a time
/// the random neighbourhoods find (measured on agri without one person: the search polished
/// tier 2 from 48 to 23 over 22 epochs after proving tier 1 in the first).
pub fn revert(
    ctx: Ctx<'_>,
    eval: &mut Evaluator<'_>,
    mut best: Evaluated,
    deadline: std::time::Instant,
) -> Evaluated {
    let inst = ctx.inst;
    // Posts `p` holds that are not today's, and today's posts `p` does not hold.
    let changes = |state: &PostState, p: StaffIdx| -> (Vec<ModuleIdx>, Vec<ModuleIdx>) {
        let held = state.posts.of(p);
        let today = &inst.person(p).current_posts;
        (
            held.iter()
                .filter(|m| today.binary_search(m).is_err())
                .copied()
                .collect(),
            today
                .iter()
                .filter(|m| !held.contains(m))
                .copied()
                .collect(),
        )
    };
    let back = |state: &mut PostState, p: StaffIdx| {
        state.clear_person(inst, p);
        for &m in &inst.person(p).current_posts {
            if state.can_add(ctx, p, m) {
                state.add(inst, p, m);
            }
        }
    };
    loop {
        let moved = moved_people(inst, &best);
        // Each move is built against the best plan when its turn comes (an earlier one may
        // have changed it) and skipped when it no longer changes anything.
        // Someone without posts today has nothing to go back to but no posts at all, which
        // `prune` tries post by post (and on imported knapsack instances, where nobody has
        // posts today, the pass then costs nothing).
        let mut moves: Vec<Revert> = moved
            .iter()
            .filter(|&&p| !inst.person(p).current_posts.is_empty())
            .map(|&p| Revert::Person(p))
            .collect();
        for &p in &moved {
            let (added, dropped) = changes(&best.state, p);
            for &new in &added {
                for &old in &dropped {
                    moves.push(Revert::Post(p, new, old));
                }
            }
        }
        for (i, &p) in moved.iter().enumerate() {
            let (p_added, p_dropped) = changes(&best.state, p);
            for &q in &moved[i + 1..] {
                let (q_added, q_dropped) = changes(&best.state, q);
                if p_added.iter().any(|m| q_dropped.contains(m))
                    || q_added.iter().any(|m| p_dropped.contains(m))
                {
                    moves.push(Revert::Pair(p, q));
                }
            }
        }
        let mut improved = false;
        for mv in moves {
            if std::time::Instant::now() >= deadline {
                return best;
            }
            let mut state = best.state.clone();
            match mv {
                Revert::Person(p) => back(&mut state, p),
                Revert::Post(p, new, old) => {
                    if !state.posts.holds(p, new) || state.posts.holds(p, old) {
                        continue;
                    }
                    state.remove(inst, p, new);
                    if !state.can_add(ctx, p, old) {
                        continue;
                    }
                    state.add(inst, p, old);
                }
                Revert::Pair(p, q) => {
                    back(&mut state, p);
                    back(&mut state, q);
                }
            }
            if state.posts == best.state.posts {
                continue;
            }
            let cand = eval.evaluate(state);
            if cand.key.better(&best.key) {
                best = cand;
                improved = true;
            }
        }
        if !improved {
            return best;
        }
    }
}

/// A move of [`revert`].
#[derive(Clone, Copy, Debug)]
enum Revert {
    /// The person back on today's posts.
    Person(StaffIdx),
    /// The person trades a new post for one of today's.
    Post(StaffIdx, ModuleIdx, ModuleIdx),
    /// Two people back who traded places (one took a post the other left).
    Pair(StaffIdx, StaffIdx),
}

/// The posts [`prune`] tries: the new ones.
fn prune_candidates(inst: &Instance, best: &Evaluated) -> Vec<(StaffIdx, ModuleIdx)> {
    best.state
        .posts
        .iter()
        .filter(|&(p, m)| inst.person(p).current_posts.binary_search(&m).is_err())
        .collect()
}

/// Drops posts that do not help: each new post whose removal leaves the key better (the
/// same tier 1, one post fewer changed). A removal is rated by one flow with the
/// non-splittable choices kept; only when the person does a non-splittable duty in that
/// module, which then needs a new doer, does it take the full oracle (measured on agri: the
/// pass went from 0.4 s to a few milliseconds). Today's posts are not tried: dropping one
/// changes a post, so tier 2 gets worse while tier 1 cannot get better (in a what-if
/// scenario, where nearly every post is the baseline's, this halved the time after the
/// search: 0.06 s of 0.14 s per scenario was this pass).
pub fn prune(
    inst: &Instance,
    eval: &mut Evaluator<'_>,
    mut best: Evaluated,
    deadline: std::time::Instant,
) -> Evaluated {
    let pairs = prune_candidates(inst, &best);
    for (p, m) in pairs {
        if std::time::Instant::now() >= deadline {
            break;
        }
        let mut state = best.state.clone();
        state.remove(inst, p, m);
        let chosen = best
            .hours
            .assigned
            .iter()
            .enumerate()
            .any(|(d, a)| *a == Some(p) && inst.duties[d].module == m);
        let cand = if chosen {
            eval.evaluate(state)
        } else {
            eval.evaluate_fixed(state, &best.hours.assigned)
        };
        if cand.key.better(&best.key) {
            best = cand;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::{
        Evaluated, Evaluator, Style, fill, moved_people, neighbourhood, prune, prune_candidates,
        repair, restore, revert,
    };
    use crate::engine::BestOptions;
    use crate::engine::Ctx;
    use crate::engine::eligibility::Eligibility;
    use crate::engine::posts::PostState;
    use crate::engine::testkit::random_instance;
    use crate::generate::{DEFAULT_NON_SPLITTABLE, GenerateSettings, generate};
    use crate::model::{Instance, ModuleIdx, StaffIdx};
    use crate::rng::Rng;

    #[test]
    fn polishing_neighbourhoods_are_built_around_people_who_moved() {
        let raw = generate(&GenerateSettings {
            staff: 30,
            modules: 8,
            duties: 60,
            seed: 7,
            tight: 1.0,
            non_splittable: DEFAULT_NON_SPLITTABLE,
        });
        let (inst, _) = crate::io::validate(&raw).expect("a generated instance is valid");
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let mut state = PostState::current(ctx);
        // One person leaves one of today's posts.
        let p = inst
            .staff_indices()
            .find(|&p| !state.posts.of(p).is_empty())
            .expect("someone holds a post today");
        let m = state.posts.of(p)[0];
        state.remove(&inst, p, m);
        let cur = Style::of(&inst).evaluator(ctx).evaluate(state);
        let moved = moved_people(&inst, &cur);
        assert!(moved.contains(&p), "{moved:?}");
        assert!(
            moved.len() <= 3,
            "today's posts are mostly legal: {moved:?}"
        );
        let share = |polish: bool| {
            let mut rng = Rng::new(11);
            let hits = (0..400)
                .filter(|_| {
                    let size = 2 + rng.below(5);
                    let chosen = neighbourhood(ctx, &cur, &mut rng, size, polish, true);
                    chosen.iter().any(|q| moved.contains(q))
                })
                .count();
            f64::from(u32::try_from(hits).unwrap_or(u32::MAX)) / 400.0
        };
        let (with, without) = (share(true), share(false));
        // Half the polishing neighbourhoods start from a moved person; the others, like every
        // neighbourhood without polishing, meet one by chance only.
        assert!(with >= 0.5, "{with}");
        assert!(without < 0.4, "{without}");
        assert!(with > without + 0.2, "{with} vs {without}");
    }

    #[test]
    fn someone_idle_without_posts_is_freed_with_the_people_of_modules_they_could_take() {
        let raw = generate(&GenerateSettings {
            staff: 60,
            modules: 20,
            duties: 120,
            seed: 7,
            tight: 2.0,
            non_splittable: DEFAULT_NON_SPLITTABLE,
        });
        let (mut inst, _) = crate::io::validate(&raw).expect("a generated instance is valid");
        // Everyone qualifies nearly everywhere in a generated instance: make the first person
        // qualify for the first module only, which two thirds of the others may not take.
        let first = ModuleIdx::from(0_usize);
        let p = StaffIdx::from(0_usize);
        let others: Vec<ModuleIdx> = inst.module_indices().filter(|&m| m != first).collect();
        inst.staff[0].unavailable = others;
        for q in &mut inst.staff[20..] {
            q.unavailable = vec![first];
        }
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        assert_eq!(
            elig.modules_of[p.index()],
            vec![first],
            "p can do a duty of module 0"
        );
        let colleagues = elig.people_of[first.index()].clone();
        assert!(colleagues.len() <= 20);
        // Like a new hire: no posts, all hours idle (twice as much work as hours: others are
        // busy).
        let mut state = PostState::current(ctx);
        state.clear_person(&inst, p);
        let mut cur = Style::of(&inst).evaluator(ctx).evaluate(state);
        assert!(cur.hours.load[p.index()] < 1e-9);
        // Everyone else busy to the last hour, as in a tight what-if scenario.
        for q in inst.staff_indices().filter(|&q| q != p) {
            cur.hours.load[q.index()] = inst.person(q).capacity;
        }
        let draws = |idle: bool| {
            let mut rng = Rng::new(5);
            let (mut hits, mut with_colleagues) = (0_u32, 0_u32);
            for _ in 0..600 {
                let size = 2 + rng.below(5);
                let chosen = neighbourhood(ctx, &cur, &mut rng, size, false, idle);
                if chosen.contains(&p) {
                    hits += 1;
                    if chosen
                        .iter()
                        .filter(|&&q| q != p)
                        .all(|q| colleagues.contains(q))
                    {
                        with_colleagues += 1;
                    }
                }
            }
            (
                f64::from(hits) / 600.0,
                f64::from(with_colleagues) / f64::from(hits.max(1)),
            )
        };
        let ((with, together), (without, _)) = (draws(true), draws(false));
        // Drawn by idle hours, the idle person is freed far more often than by chance...
        assert!(with > without + 0.1, "{with} vs {without}");
        // ...and then with people of the modules they qualify for, not strangers.
        assert!(together > 0.6, "{together}");
    }

    #[test]
    fn prune_tries_only_new_posts() {
        let inst = one_skill(
            r#"{"id": "ann", "unit": "u", "capacity": 40, "skills": {"s": 1}, "current_posts": ["a"]},
               {"id": "bo", "unit": "u", "capacity": 40, "skills": {"s": 1}}"#,
            r#"{"id": "a", "unit": "u"}, {"id": "b", "unit": "u"}"#,
            r#"{"id": "d1", "module": "a", "hours": 10, "skill": "s", "min_level": 1}"#,
            2,
        );
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let mut state = PostState::current(ctx);
        let (ann, bo) = (StaffIdx::from(0_usize), StaffIdx::from(1_usize));
        let (a, b) = (ModuleIdx::from(0_usize), ModuleIdx::from(1_usize));
        state.add(&inst, ann, b);
        state.add(&inst, bo, a);
        let mut eval = Style::of(&inst).evaluator(ctx);
        let cur = eval.evaluate(state);
        assert_eq!(prune_candidates(&inst, &cur), vec![(ann, b), (bo, a)]);
        let far = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let pruned = prune(&inst, &mut eval, cur, far);
        // Both new posts go (nobody needs them); Ann keeps today's post, which does the work.
        assert_eq!(pruned.state.posts.of(ann), &[a]);
        assert!(pruned.state.posts.of(bo).is_empty());
        assert_eq!(pruned.key.stability, 0);
    }

    /// A one-skill, one-unit instance from the JSON of its staff, modules and duties.
    fn one_skill(staff: &str, modules: &str, duties: &str, max_posts: u32) -> Instance {
        let text = format!(
            r#"{{"name": "t", "skills": [{{"id": "s"}}], "units": [{{"id": "u"}}],
                "counterparts": [], "staff": [{staff}], "modules": [{modules}],
                "duties": [{duties}], "rules": {{"max_posts": {max_posts}}}}}"#
        );
        crate::io::parse_instance(&text, "t.json").expect("valid").0
    }

    #[test]
    fn revert_puts_people_back_whole_or_a_post_at_a_time_without_losing_tier_1() {
        // Ann holds `a` today, Bo `b`, Cy nothing; anyone can do any duty, and `b`'s 50 h need
        // two people.
        let inst = one_skill(
            r#"{"id": "ann", "unit": "u", "capacity": 40, "skills": {"s": 1}, "current_posts": ["a"]},
               {"id": "bo", "unit": "u", "capacity": 40, "skills": {"s": 1}, "current_posts": ["b"]},
               {"id": "cy", "unit": "u", "capacity": 40, "skills": {"s": 1}, "current_posts": []}"#,
            r#"{"id": "a", "unit": "u"}, {"id": "b", "unit": "u"}, {"id": "c", "unit": "u"}"#,
            r#"{"id": "da", "module": "a", "hours": 10, "skill": "s", "min_level": 1, "weight": 1},
               {"id": "db", "module": "b", "hours": 50, "skill": "s", "min_level": 1, "weight": 1},
               {"id": "dc", "module": "c", "hours": 10, "skill": "s", "min_level": 1, "weight": 1}"#,
            2,
        );
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let id = |s: &str| inst.ids.modules[s];
        let who = |s: &str| inst.ids.staff[s];
        let mut eval = Style::of(&inst).evaluator(ctx);
        let plan = |pairs: &[(&str, &str)], eval: &mut super::Evaluator<'_>| {
            let mut state = PostState::empty(&inst);
            for &(p, m) in pairs {
                state.add(&inst, who(p), id(m));
            }
            eval.evaluate(state)
        };
        let far = std::time::Instant::now() + std::time::Duration::from_secs(60);
        // Ann left `a` for `b`, Bo took `a` on top of `b`, Cy took `b` and `c`: 5 posts moved.
        let cur = plan(
            &[
                ("ann", "b"),
                ("bo", "a"),
                ("bo", "b"),
                ("cy", "b"),
                ("cy", "c"),
            ],
            &mut eval,
        );
        assert!(cur.key.coverage.abs() < 1e-9, "{:?}", cur.key);
        assert_eq!(cur.key.stability, 5);
        let back = revert(ctx, &mut eval, cur, far);
        // Ann and Bo go back to today's posts; Cy (no posts today) is needed for the 10 h of
        // `b` that Bo cannot do and for `c`: the least that has to move (2).
        assert!(back.key.coverage.abs() < 1e-9, "{:?}", back.key);
        assert_eq!(back.state.posts.of(who("ann")), &[id("a")]);
        assert_eq!(back.state.posts.of(who("bo")), &[id("b")]);
        assert_eq!(back.state.posts.of(who("cy")), &[id("b"), id("c")]);
        assert_eq!(back.key.stability, 2);
        let again = revert(ctx, &mut eval, back.clone(), far);
        assert_eq!(again.key, back.key);
        // Ann and Bo swapped roles (Ann holds `b` and `c`, Bo `a` and `b`): neither can go
        // back whole without leaving work uncovered, but Ann can trade `b` back for `a`, and
        // then Bo can go back: 2 again (whole people alone stop at 4, with Cy gone).
        let swapped = plan(
            &[
                ("ann", "b"),
                ("ann", "c"),
                ("bo", "a"),
                ("bo", "b"),
                ("cy", "b"),
            ],
            &mut eval,
        );
        assert_eq!(swapped.key.stability, 5);
        let kept = revert(ctx, &mut eval, swapped, far);
        assert!(kept.key.coverage.abs() < 1e-9, "{:?}", kept.key);
        assert_eq!(kept.state.posts.of(who("ann")), &[id("a"), id("c")]);
        assert_eq!(kept.state.posts.of(who("bo")), &[id("b")]);
        assert_eq!(kept.state.posts.of(who("cy")), &[id("b")]);
        assert_eq!(kept.key.stability, 2);
    }

    #[test]
    fn revert_takes_back_two_people_who_traded_places() {
        // Ann and Bo swapped modules: neither can go back alone (30 h each, one module each),
        // both together can.
        let inst = one_skill(
            r#"{"id": "ann", "unit": "u", "capacity": 40, "skills": {"s": 1}, "current_posts": ["a"]},
               {"id": "bo", "unit": "u", "capacity": 40, "skills": {"s": 1}, "current_posts": ["b"]}"#,
            r#"{"id": "a", "unit": "u"}, {"id": "b", "unit": "u"}"#,
            r#"{"id": "da", "module": "a", "hours": 30, "skill": "s", "min_level": 1, "weight": 1},
               {"id": "db", "module": "b", "hours": 30, "skill": "s", "min_level": 1, "weight": 1}"#,
            1,
        );
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let (a, b) = (inst.ids.modules["a"], inst.ids.modules["b"]);
        let (ann, bo) = (inst.ids.staff["ann"], inst.ids.staff["bo"]);
        let mut state = PostState::empty(&inst);
        state.add(&inst, ann, b);
        state.add(&inst, bo, a);
        let mut eval = Style::of(&inst).evaluator(ctx);
        let cur = eval.evaluate(state);
        assert_eq!((cur.key.coverage, cur.key.stability), (0.0, 4));
        let far = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let back = revert(ctx, &mut eval, cur, far);
        assert_eq!((back.key.coverage, back.key.stability), (0.0, 0));
        assert_eq!(back.state.posts.of(ann), &[a]);
        assert_eq!(back.state.posts.of(bo), &[b]);
    }

    /// The hours of one search step, checked by hand: capacities, whole non-splittable duties,
    /// posts held for every hour.
    fn step_is_valid(inst: &Instance, ev: &Evaluated) {
        let mut load = vec![0.0; inst.staff.len()];
        let mut seen = vec![0_u32; inst.duties.len()];
        for &(p, d, h) in &ev.hours.x {
            let duty = inst.duty(d);
            assert!(ev.state.posts.holds(p, duty.module), "work without a post");
            if !duty.splittable {
                assert!((h - duty.hours).abs() < 1e-9, "a non-splittable duty split");
                seen[d.index()] += 1;
            }
            load[p.index()] += h;
        }
        assert!(seen.iter().all(|&n| n <= 1), "a duty done twice");
        for (p, l) in inst.staff.iter().zip(&load) {
            assert!(*l <= p.capacity + 1e-6, "over capacity");
        }
    }

    /// A search step on a packing-heavy instance packs the freed people's duties with the packing
    /// solver, which starts from the greedy's packing: never worse than the greedy step, always
    /// valid.
    #[test]
    fn packing_steps_are_valid_and_never_worse_than_greedy_ones() {
        let mut better = 0;
        for seed in 0..60_u64 {
            let mut inst = random_instance(seed, 8, 4, 24);
            for d in &mut inst.duties {
                d.splittable = false;
            }
            if inst.duties.iter().all(|d| d.hours <= 0.0) {
                continue;
            }
            assert!(Style::of(&inst).packing && Style::of(&inst).partial);
            let elig = Eligibility::new(&inst);
            let ctx = Ctx {
                inst: &inst,
                elig: &elig,
            };
            let mut greedy = Evaluator::new(ctx, BestOptions::greedy());
            let mut packing = Style::of(&inst).evaluator(ctx);
            let cur = greedy.evaluate(PostState::current(ctx));
            let mut rng = Rng::new(seed);
            for _ in 0..5 {
                let freed: Vec<StaffIdx> = (0..inst.staff.len())
                    .filter(|_| rng.chance(0.5))
                    .map(StaffIdx::from)
                    .collect();
                let mut state = cur.state.clone();
                for &p in &freed {
                    state.clear_person(&inst, p);
                }
                let mut state = repair(ctx, &cur, state, &freed, &mut rng, 0.2);
                fill(ctx, &cur, &mut state, &freed);
                let a = greedy.evaluate_partial(&cur, state.clone(), &freed);
                let b = packing.evaluate_partial(&cur, state, &freed);
                step_is_valid(&inst, &a);
                step_is_valid(&inst, &b);
                assert!(b.hours.value <= a.hours.value + 1e-9, "seed {seed}");
                better += usize::from(b.hours.value < a.hours.value - 1e-9);
            }
        }
        assert!(better > 0, "the packing never beat the greedy");
    }

    /// `fill` gives freed people more posts, up to their cap and never in conflict, where work
    /// they could do is left uncovered.
    #[test]
    fn fill_takes_posts_where_work_is_left_up_to_the_cap() {
        let text = r#"{
          "name": "fill",
          "staff": [{"id": "p1", "capacity": 10, "max_posts": 2}],
          "modules": [{"id": "m1"}, {"id": "m2"}, {"id": "m3"}, {"id": "m4"}],
          "duties": [
            {"id": "d1", "module": "m1", "hours": 6, "splittable": false},
            {"id": "d2", "module": "m2", "hours": 6, "weight": 3, "splittable": false},
            {"id": "d3", "module": "m3", "hours": 6, "weight": 5, "splittable": false},
            {"id": "d4", "module": "m4", "hours": 6, "weight": 9, "splittable": false}
          ],
          "rules": {"conflicts": [["m1", "m4"]]}
        }"#;
        let (inst, _) = crate::io::parse_instance(text, "fill.json").expect("valid");
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let mut eval = Evaluator::new(ctx, BestOptions::greedy());
        let cur = eval.evaluate(PostState::empty(&inst));
        let p = StaffIdx::from(0);
        let mut state = PostState::empty(&inst);
        state.add(&inst, p, ModuleIdx::from(0));
        fill(ctx, &cur, &mut state, &[p]);
        // m4 has the most work left but conflicts with m1; m3 is next.
        assert_eq!(state.posts.of(p), &[ModuleIdx::from(0), ModuleIdx::from(2)]);
    }

    /// The end passes rate posts with one flow: `prune` drops a post that carries no work (and was
    /// not held today), keeps the ones that do; `restore` gives back a post held today for free.
    #[test]
    fn prune_and_restore_settle_posts() {
        let text = r#"{
          "name": "ends",
          "staff": [
            {"id": "p1", "capacity": 10, "current_posts": ["m3"]},
            {"id": "p2", "capacity": 10}
          ],
          "modules": [{"id": "m1"}, {"id": "m2"}, {"id": "m3"}],
          "duties": [
            {"id": "d1", "module": "m1", "hours": 8},
            {"id": "d2", "module": "m2", "hours": 6, "splittable": false}
          ]
        }"#;
        let (inst, _) = crate::io::parse_instance(text, "ends.json").expect("valid");
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let mut eval = Evaluator::new(ctx, BestOptions::default());
        let (p1, p2) = (StaffIdx::from(0), StaffIdx::from(1));
        let mut state = PostState::empty(&inst);
        state.add(&inst, p1, ModuleIdx::from(0));
        state.add(&inst, p2, ModuleIdx::from(1));
        // An idle post in m1 for p2 (m1's work fits p1).
        state.add(&inst, p2, ModuleIdx::from(0));
        let start = eval.evaluate(state);
        assert_eq!(start.key.coverage, 0.0);
        let far = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let pruned = prune(&inst, &mut eval, start, far);
        assert_eq!(pruned.key.coverage, 0.0);
        assert_eq!(pruned.state.posts.of(p2), &[ModuleIdx::from(1)]);
        assert_eq!(pruned.state.posts.of(p1), &[ModuleIdx::from(0)]);
        // Two posts added (m1 for p1, m2 for p2) and today's m3 dropped.
        assert_eq!(pruned.key.stability, 3);
        let restored = restore(ctx, &mut eval, pruned, far);
        assert_eq!(
            restored.state.posts.of(p1),
            &[ModuleIdx::from(0), ModuleIdx::from(2)]
        );
        assert_eq!(restored.key.stability, 2);
        assert_eq!(restored.key.coverage, 0.0);
    }
}
