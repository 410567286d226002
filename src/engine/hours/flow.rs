//! The max-flow network behind the hours oracle.
//!
//! The network runs from duties to people: `S -> duty` (hours not yet covered),
//! `duty -> person` (unbounded, carries `x[p,d]`), `person -> T` (capacity left). Its residual
//! arc `person -> duty` (while `x[p,d] > 0`) moves a duty's hours from one person to another.
//! An augmenting path from a class's duties to `T` raises the coverage of that class and
//! leaves every other duty's coverage unchanged, so earlier classes keep their hours. Each class
//! runs Dinic from its own duties only, so it explores just the part of the network it can
//! reach. A node that cannot reach `T` never can again (augmenting and using up capacity only
//! remove arcs into the set of nodes that reach `T`), so a failed search marks everything it saw
//! dead and later classes skip it.

use super::{NONE, TOL, u32_of};

const UNSEEN: u32 = u32::MAX;
const BLOCKED: u32 = u32::MAX - 1;

/// The flow network of one solve: duties `0..nd`, then people `nd..nd+np`, plus the implicit
/// source (feeding duties `rem`) and sink (fed by people's `spare`).
#[derive(Debug, Default)]
pub(super) struct Net {
    pub(super) nd: usize,
    pub(super) np: usize,
    /// Per duty (CSR over arcs): its arcs to people.
    pub(super) d_start: Vec<u32>,
    pub(super) e_person: Vec<u32>,
    e_duty: Vec<u32>,
    /// Flow on each arc: the hours of that person on that duty.
    pub(super) x: Vec<f64>,
    /// Per person (CSR): its arcs.
    p_start: Vec<u32>,
    p_edges: Vec<u32>,
    /// Per person: capacity not yet used.
    pub(super) spare: Vec<f64>,
    /// Per duty: hours not yet covered.
    pub(super) rem: Vec<f64>,
    /// Per node: known unable to reach the sink.
    dead: Vec<bool>,
    /// Per node: Dinic level, `UNSEEN` or `BLOCKED`.
    level: Vec<u32>,
    /// Per node: current-arc pointer.
    cur: Vec<u32>,
    /// Nodes levelled in this phase, in BFS order.
    visited: Vec<u32>,
    /// Level of the people next to the sink in this phase.
    sink_level: u32,
    path: Vec<u32>,
    path_e: Vec<u32>,
    /// Sources of the current search and what each still has to push.
    src: Vec<u32>,
    supply: Vec<f64>,
    /// Arcs scanned by breadth-first searches so far: a deterministic measure of work.
    pub(super) scans: u64,
    /// Stop searching once this passes or `cancel` is set (a flow over every eligible pair of
    /// thousands of people takes seconds); `aborted` then says the flow is not maximal.
    pub(super) deadline: Option<std::time::Instant>,
    pub(super) cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    pub(super) aborted: bool,
}

impl Net {
    pub(super) fn reset(&mut self, np: usize) {
        self.nd = 0;
        self.np = np;
        self.d_start.clear();
        self.d_start.push(0);
        self.e_person.clear();
        self.e_duty.clear();
        self.rem.clear();
        self.spare.clear();
        self.spare.resize(np, 0.0);
    }

    pub(super) fn add_duty(&mut self, hours: f64, persons: impl Iterator<Item = u32>) {
        let l = u32_of(self.nd);
        for p in persons {
            self.e_person.push(p);
            self.e_duty.push(l);
        }
        self.d_start.push(u32_of(self.e_person.len()));
        self.rem.push(hours);
        self.nd += 1;
    }

    pub(super) fn finish(&mut self) {
        let (nd, np, ne) = (self.nd, self.np, self.e_person.len());
        self.x.clear();
        self.x.resize(ne, 0.0);
        self.p_start.clear();
        self.p_start.resize(np + 1, 0);
        for &p in &self.e_person {
            self.p_start[p as usize + 1] += 1;
        }
        for i in 0..np {
            self.p_start[i + 1] += self.p_start[i];
        }
        self.cur.clear();
        self.cur.extend_from_slice(&self.p_start[..np]);
        self.p_edges.clear();
        self.p_edges.resize(ne, 0);
        for (e, &p) in self.e_person.iter().enumerate() {
            let slot = &mut self.cur[p as usize];
            self.p_edges[*slot as usize] = u32_of(e);
            *slot += 1;
        }
        self.cur.clear();
        self.cur.resize(nd + np, 0);
        self.dead.clear();
        self.dead.resize(nd + np, false);
        self.level.clear();
        self.level.resize(nd + np, UNSEEN);
        self.visited.clear();
    }

    /// Serves duties `lo..hi` (one weight class) as much as possible without lowering any
    /// other duty's coverage.
    pub(super) fn fill(&mut self, lo: usize, hi: usize) {
        self.src.clear();
        self.supply.clear();
        for d in lo..hi {
            if self.rem[d] > TOL && !self.dead[d] {
                self.src.push(u32_of(d));
                self.supply.push(self.rem[d]);
            }
        }
        if self.src.is_empty() {
            return;
        }
        self.run(NONE, true);
        for (&d, &s) in self.src.iter().zip(&self.supply) {
            self.rem[d as usize] = s;
        }
    }

    /// Moves `need` hours of splittable work off person `p` to others, keeping every duty's
    /// coverage. On failure part of it may have moved; the flow stays valid either way.
    pub(super) fn free_up(&mut self, p: u32, need: f64) -> bool {
        if need <= TOL {
            return true;
        }
        self.src.clear();
        self.supply.clear();
        self.src.push(u32_of(self.nd) + p);
        self.supply.push(need);
        // No dead marks: nodes may reach the sink only through `p`, whose sink arc is off.
        self.run(p, false);
        self.spare[p as usize] += need - self.supply[0];
        self.supply[0] <= TOL
    }

    /// Dinic from `src`; person `blocked` may not end a path.
    fn run(&mut self, blocked: u32, mark_dead: bool) {
        while self.supply.iter().any(|&s| s > TOL) {
            if self.aborted || self.out_of_time() {
                self.aborted = true;
                break;
            }
            if !self.bfs(blocked) {
                if mark_dead {
                    for &v in &self.visited {
                        self.dead[v as usize] = true;
                    }
                }
                break;
            }
            self.blocking(blocked);
        }
        self.clear_levels();
    }

    pub(super) fn out_of_time(&self) -> bool {
        self.deadline
            .is_some_and(|d| std::time::Instant::now() >= d)
            || self
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
    }

    fn clear_levels(&mut self) {
        for &v in &self.visited {
            self.level[v as usize] = UNSEEN;
        }
        self.visited.clear();
    }

    /// Levels the residual network from the sources until the nearest people with spare
    /// capacity; false when none is reachable (then `visited` is everything reachable).
    fn bfs(&mut self, blocked: u32) -> bool {
        self.clear_levels();
        let nd = self.nd;
        for i in 0..self.src.len() {
            let s = self.src[i] as usize;
            if self.supply[i] > TOL && !self.dead[s] && self.level[s] == UNSEEN {
                self.level[s] = 0;
                self.cur[s] = if s < nd {
                    self.d_start[s]
                } else {
                    self.p_start[s - nd]
                };
                self.visited.push(u32_of(s));
            }
        }
        let mut sink = UNSEEN;
        let mut head = 0;
        while head < self.visited.len() {
            let u = self.visited[head] as usize;
            head += 1;
            let next = self.level[u] + 1;
            if self.level[u] >= sink {
                break;
            }
            self.scans += if u < nd {
                u64::from(self.d_start[u + 1] - self.d_start[u])
            } else {
                u64::from(self.p_start[u - nd + 1] - self.p_start[u - nd])
            } + 1;
            if u < nd {
                for e in self.d_start[u] as usize..self.d_start[u + 1] as usize {
                    let p = self.e_person[e];
                    let v = nd + p as usize;
                    if !self.dead[v] && self.level[v] == UNSEEN {
                        self.level[v] = next;
                        self.cur[v] = self.p_start[p as usize];
                        self.visited.push(u32_of(v));
                        if p != blocked && self.spare[p as usize] > TOL {
                            sink = sink.min(next);
                        }
                    }
                }
            } else {
                let p = u - nd;
                for k in self.p_start[p] as usize..self.p_start[p + 1] as usize {
                    let e = self.p_edges[k] as usize;
                    if self.x[e] > TOL {
                        let v = self.e_duty[e] as usize;
                        if !self.dead[v] && self.level[v] == UNSEEN {
                            self.level[v] = next;
                            self.cur[v] = self.d_start[v];
                            self.visited.push(u32_of(v));
                        }
                    }
                }
            }
        }
        self.sink_level = sink;
        sink != UNSEEN
    }

    /// The next admissible arc out of `u`: `(arc, head node)`.
    fn advance(&mut self, u: usize) -> Option<(u32, u32)> {
        let want = self.level[u] + 1;
        let nd = self.nd;
        if u < nd {
            let end = self.d_start[u + 1];
            while self.cur[u] < end {
                let e = self.cur[u];
                let v = nd + self.e_person[e as usize] as usize;
                if self.level[v] == want {
                    return Some((e, u32_of(v)));
                }
                self.cur[u] += 1;
            }
        } else {
            let end = self.p_start[u - nd + 1];
            while self.cur[u] < end {
                let e = self.p_edges[self.cur[u] as usize];
                if self.x[e as usize] > TOL {
                    let v = self.e_duty[e as usize];
                    if self.level[v as usize] == want {
                        return Some((e, v));
                    }
                }
                self.cur[u] += 1;
            }
        }
        None
    }

    /// A blocking flow in the level graph, source by source.
    fn blocking(&mut self, blocked: u32) {
        let nd = self.nd;
        for i in 0..self.src.len() {
            let s = self.src[i];
            while self.supply[i] > TOL && self.level[s as usize] == 0 {
                self.path.clear();
                self.path_e.clear();
                self.path.push(s);
                let found = loop {
                    let u = *self.path.last().expect("the path holds its source") as usize;
                    if u >= nd && self.level[u] == self.sink_level {
                        let p = u - nd;
                        if u32_of(p) != blocked && self.spare[p] > TOL {
                            break true;
                        }
                    } else if let Some((e, v)) = self.advance(u) {
                        self.path.push(v);
                        self.path_e.push(e);
                        continue;
                    }
                    // Dead end for the rest of this phase.
                    self.level[u] = BLOCKED;
                    self.path.pop();
                    self.path_e.pop();
                    if self.path.is_empty() {
                        break false;
                    }
                };
                if !found {
                    break;
                }
                self.augment(i);
            }
        }
    }

    /// Pushes the bottleneck along `path` from source `src[i]`. The arc that sets the
    /// bottleneck ends at exactly zero.
    fn augment(&mut self, i: usize) {
        let nd = self.nd;
        let last = *self.path.last().expect("a found path ends at a person") as usize - nd;
        let mut b = self.supply[i].min(self.spare[last]);
        for (k, &e) in self.path_e.iter().enumerate() {
            if self.path[k] as usize >= nd {
                b = b.min(self.x[e as usize]);
            }
        }
        for (k, &e) in self.path_e.iter().enumerate() {
            if (self.path[k] as usize) < nd {
                self.x[e as usize] += b;
            } else {
                self.x[e as usize] -= b;
            }
        }
        self.spare[last] -= b;
        self.supply[i] -= b;
    }
}
