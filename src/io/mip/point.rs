//! A plan as a point of the model: with [`Formulation::violations`] and
//! [`Formulation::objective`] it shows that the model admits every plan modstaff makes, at the
//! plan's own tier 1, so the model's optimum can be no worse than modstaff's.

use super::Formulation;
use crate::model::{Instance, Plan};

impl Formulation {
    /// The value of every column for `plan`, a plan of `inst` (the instance the model was built
    /// from), taken from what the plan declares: y from its posts, x and w from its
    /// assignments (w is the share of the duty's hours), u from its uncovered hours, l from its
    /// liaisons, n from its unmet counterparts, s from its understaffed modules; h (not in a
    /// plan) from the posts.
    ///
    /// # Errors
    ///
    /// An id the instance does not know, or a post, assignment or liaison the model has no
    /// variable for (the person does not qualify, cannot do the duty, or no module listing the
    /// counterpart is open to them).
    pub fn point(&self, inst: &Instance, plan: &Plan) -> Result<Vec<f64>, String> {
        let ix = &self.index;
        let mut v = vec![0.0; self.columns.len()];
        let person = |id: &str| {
            inst.ids
                .staff
                .get(id)
                .copied()
                .ok_or_else(|| format!("unknown person `{id}`"))
        };
        for post in &plan.posts {
            let (p, m) = (person(&post.person)?, module(inst, &post.module)?);
            let j = ix.y.get(&(p, m)).ok_or_else(|| {
                format!(
                    "no post variable for `{}` in `{}`",
                    post.person, post.module
                )
            })?;
            v[*j] = 1.0;
            if let Some(u) = inst.module(m).unit
                && let Some(&h) = ix.h.get(&(p, u))
            {
                v[h] = 1.0;
            }
        }
        for a in &plan.assignments {
            let p = person(&a.person)?;
            let d = duty(inst, &a.duty)?;
            let j = ix
                .work
                .get(&(p, d))
                .ok_or_else(|| format!("no work variable for `{}` on `{}`", a.person, a.duty))?;
            let duty = inst.duty(d);
            v[*j] += if duty.splittable {
                a.hours
            } else {
                a.hours / duty.hours
            };
        }
        for u in &plan.uncovered {
            v[ix.u[duty(inst, &u.duty)?.index()]] += u.hours;
        }
        for l in &plan.liaisons {
            let p = person(&l.person)?;
            let c = counterpart(inst, &l.counterpart)?;
            let j = ix.l.get(&(p, c)).ok_or_else(|| {
                format!(
                    "no liaison variable for `{}` of `{}`",
                    l.person, l.counterpart
                )
            })?;
            v[*j] = 1.0;
        }
        for id in &plan.unmet_counterparts {
            let c = counterpart(inst, id)?;
            let j = ix.n[c.index()]
                .ok_or_else(|| format!("counterpart `{id}` is listed by no module"))?;
            v[j] = 1.0;
        }
        for under in &plan.understaffed {
            let m = module(inst, &under.module)?;
            let j = ix.s[m.index()]
                .ok_or_else(|| format!("module `{}` has no min_staff", under.module))?;
            v[j] = f64::from(under.missing);
        }
        Ok(v)
    }
}

fn module(inst: &Instance, id: &str) -> Result<crate::model::ModuleIdx, String> {
    inst.ids
        .modules
        .get(id)
        .copied()
        .ok_or_else(|| format!("unknown module `{id}`"))
}

fn duty(inst: &Instance, id: &str) -> Result<crate::model::DutyIdx, String> {
    inst.ids
        .duties
        .get(id)
        .copied()
        .ok_or_else(|| format!("unknown duty `{id}`"))
}

fn counterpart(inst: &Instance, id: &str) -> Result<crate::model::CounterpartIdx, String> {
    inst.ids
        .counterparts
        .get(id)
        .copied()
        .ok_or_else(|| format!("unknown counterpart `{id}`"))
}
