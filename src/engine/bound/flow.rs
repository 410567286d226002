//! The flow bound: every post held at once and every duty splittable is a relaxation whose
//! hours part is one max-flow; penalties no plan can avoid are added.

use crate::engine::eligibility::Ctx;
use crate::engine::hours::{Hours, HoursOracle};
use crate::engine::posts::Posts;

/// A quick valid bound: every post allowed and every duty splittable is a relaxation whose
/// hours part is one flow; penalties no plan can avoid (a counterpart nobody may liaise with,
/// a staffing floor above the people who qualify) are added. Returns the bound and the
/// relaxed hours.
pub(crate) fn flow_bound(ctx: Ctx<'_>) -> (f64, Hours) {
    let mut relaxed = ctx.inst.clone();
    for d in &mut relaxed.duties {
        d.splittable = true;
    }
    let posts = all_posts(ctx);
    let hours = HoursOracle::new(&relaxed).splittable_hours(&posts, &[]);
    (hours.value + unavoidable_penalties(ctx), hours)
}

/// As [`flow_bound`], or `None` when the flow is not done by `deadline` (or cancelled).
pub(crate) fn flow_bound_until(
    ctx: Ctx<'_>,
    deadline: std::time::Instant,
    cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
) -> Option<(f64, Hours)> {
    let mut relaxed = ctx.inst.clone();
    for d in &mut relaxed.duties {
        d.splittable = true;
    }
    let posts = all_posts(ctx);
    let hours = HoursOracle::new(&relaxed).splittable_hours_until(&posts, &[], deadline, cancel)?;
    Some((hours.value + unavoidable_penalties(ctx), hours))
}

/// Every post anyone qualifies for, held at once (usually more than the rules allow).
pub(crate) fn all_posts(ctx: Ctx<'_>) -> Posts {
    let (inst, elig) = (ctx.inst, ctx.elig);
    Posts::from_pairs(
        inst.staff.len(),
        inst.staff_indices()
            .flat_map(|p| elig.modules_of[p.index()].iter().map(move |&m| (p, m))),
    )
}

/// Penalties no plan can avoid: a counterpart nobody may liaise with, a staffing floor above
/// the people who qualify.
pub(crate) fn unavoidable_penalties(ctx: Ctx<'_>) -> f64 {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let mut bound = 0.0;
    for c in &elig.listed {
        let reachable = elig.listing[c.index()].iter().any(|m| {
            elig.people_of[m.index()]
                .iter()
                .any(|p| inst.person(*p).max_liaisons > 0)
        });
        if !reachable {
            bound += inst.rules.liaison_weight;
        }
    }
    for (m, module) in inst.modules.iter().enumerate() {
        let could = u32::try_from(elig.people_of[m].len()).unwrap_or(u32::MAX);
        let could = module.max_staff.map_or(could, |c| c.min(could));
        bound += inst.rules.min_staff_weight * f64::from(module.min_staff.saturating_sub(could));
    }
    bound
}
