//! Liaisons once posts are fixed: a maximum bipartite b-matching (each listed counterpart at
//! most one liaison, each person at most `max_liaisons`, an edge where the person holds a post
//! in a module listing the counterpart). Every unmet counterpart costs the same, so a maximum
//! matching is exactly optimal; augmenting paths in index order keep it deterministic.

use crate::engine::eligibility::Ctx;
use crate::model::{CounterpartIdx, Instance, ModuleIdx, StaffIdx};

/// Best liaisons for `posts` (per person, the modules held): `(counterpart, person)` pairs.
#[must_use]
pub(crate) fn best_liaisons(
    ctx: Ctx<'_>,
    posts: &[Vec<ModuleIdx>],
) -> Vec<(CounterpartIdx, StaffIdx)> {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let nc = inst.counterparts.len();
    // Candidates per counterpart: people holding a post in a listing module.
    let mut candidates: Vec<Vec<usize>> = vec![Vec::new(); nc];
    for (p, held) in posts.iter().enumerate() {
        if inst.staff[p].max_liaisons == 0 {
            continue;
        }
        for &m in held {
            for &c in &inst.module(m).counterparts {
                let list = &mut candidates[c.index()];
                if list.last() != Some(&p) {
                    list.push(p);
                }
            }
        }
    }
    let mut owner: Vec<Option<usize>> = vec![None; nc];
    let mut assigned: Vec<Vec<usize>> = vec![Vec::new(); posts.len()];
    let mut visited = vec![0_usize; posts.len()];
    let mut stamp = 0;
    for c in elig.listed.iter().map(|c| c.index()) {
        if candidates[c].is_empty() {
            continue;
        }
        stamp += 1;
        augment(
            inst,
            c,
            &candidates,
            &mut owner,
            &mut assigned,
            &mut visited,
            stamp,
        );
    }
    owner
        .iter()
        .enumerate()
        .filter_map(|(c, o)| o.map(|p| (CounterpartIdx::from(c), StaffIdx::from(p))))
        .collect()
}

/// Finds an augmenting path from counterpart `c` (Kuhn's algorithm with person capacities).
fn augment(
    inst: &Instance,
    c: usize,
    candidates: &[Vec<usize>],
    owner: &mut [Option<usize>],
    assigned: &mut [Vec<usize>],
    visited: &mut [usize],
    stamp: usize,
) -> bool {
    for &p in &candidates[c] {
        if visited[p] == stamp {
            continue;
        }
        visited[p] = stamp;
        if assigned[p].len() < inst.staff[p].max_liaisons as usize {
            assigned[p].push(c);
            owner[c] = Some(p);
            return true;
        }
        // Try to move one of p's counterparts elsewhere.
        for i in 0..assigned[p].len() {
            let other = assigned[p][i];
            if augment(inst, other, candidates, owner, assigned, visited, stamp) {
                assigned[p][i] = c;
                owner[c] = Some(p);
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::eligibility::Eligibility;
    use crate::io::parse_instance;

    #[test]
    fn reassigns_to_meet_every_counterpart() {
        // p1 can cover a or b but only one; p2 only a. Greedy "p1 takes a" would leave b
        // unmet; the matching moves a to p2.
        let text = r#"{"name": "t",
          "counterparts": [{"id": "a"}, {"id": "b"}],
          "staff": [{"id": "p1", "max_liaisons": 1}, {"id": "p2", "max_liaisons": 1}],
          "modules": [{"id": "m1", "counterparts": ["a", "b"]}, {"id": "m2", "counterparts": ["a"]}],
          "duties": []}"#;
        let (inst, _) = parse_instance(text, "t").expect("valid");
        let elig = Eligibility::new(&inst);
        let posts = vec![vec![ModuleIdx(0)], vec![ModuleIdx(1)]];
        let l = best_liaisons(
            Ctx {
                inst: &inst,
                elig: &elig,
            },
            &posts,
        );
        assert_eq!(l.len(), 2);
        assert!(l.contains(&(CounterpartIdx(0), StaffIdx(1))));
        assert!(l.contains(&(CounterpartIdx(1), StaffIdx(0))));
    }
}
