//! A packing under construction: each item's bin, each bin's room, the profit packed. The
//! heuristics (`local.rs`) and the branch and bound (`branch/`) both start from one.

use super::{FIT_TOL, Packing};

/// A packing under construction.
#[derive(Clone)]
pub(super) struct Solver<'a> {
    pub(super) pk: &'a Packing,
    pub(super) bin: Vec<Option<usize>>,
    pub(super) room: Vec<f64>,
    pub(super) profit: f64,
    /// Items by decreasing density, shared by clones.
    pub(super) order: std::rc::Rc<Vec<usize>>,
}

impl<'a> Solver<'a> {
    pub(super) fn new(pk: &'a Packing) -> Self {
        Self {
            pk,
            bin: vec![None; pk.n()],
            room: pk.cap.clone(),
            profit: 0.0,
            order: std::rc::Rc::new(pk.density_order()),
        }
    }

    /// The packing that puts each item of `placed` in its bin.
    pub(super) fn with_placed(pk: &'a Packing, placed: &[(usize, usize)]) -> Self {
        let mut s = Self::new(pk);
        for &(j, b) in placed {
            s.put(j, b);
        }
        s
    }

    /// The packing `assign` (per item: its bin, or none).
    pub(super) fn with_assign(pk: &'a Packing, assign: &[Option<u32>]) -> Self {
        let mut s = Self::new(pk);
        for (j, b) in assign.iter().enumerate() {
            if let Some(b) = *b {
                s.put(j, b as usize);
            }
        }
        s
    }

    /// Puts item `j` in bin `b`.
    pub(super) fn put(&mut self, j: usize, b: usize) {
        self.bin[j] = Some(b);
        self.room[b] -= self.pk.size[j];
        self.profit += self.pk.profit[j];
    }

    /// Takes item `j` out of its bin, if packed.
    pub(super) fn take(&mut self, j: usize) {
        if let Some(b) = self.bin[j].take() {
            self.room[b] += self.pk.size[j];
            self.profit -= self.pk.profit[j];
        }
    }

    /// Puts unpacked items, by decreasing density, into the allowed bin that fits best.
    pub(super) fn fill(&mut self) {
        let order = self.order.clone();
        for &j in order.iter() {
            if self.bin[j].is_some() || self.pk.profit[j] <= 0.0 {
                continue;
            }
            let s = self.pk.size[j];
            let best = self.pk.allowed[j]
                .iter()
                .map(|&b| b as usize)
                .filter(|&b| self.room[b] + FIT_TOL >= s)
                .min_by(|&a, &b| self.room[a].total_cmp(&self.room[b]).then(a.cmp(&b)));
            if let Some(b) = best {
                self.put(j, b);
            }
        }
    }
}
