//! People x modules: the hours each person works in each module, as numbers on shades, with
//! the posts joined and left marked. Split into blocks of modules that fit an A4 page.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::escape;
use super::palette::heat;
use crate::model::Instance;
use crate::model::Plan;
use crate::report::{PlanFigures, hours, words};

/// Most module columns in one block: with a 10.5em name column this leaves about 30 px a
/// column on A4 portrait, enough for "37.5" at 10 px.
const MAX_COLUMNS: usize = 16;
/// Most cells in the whole heatmap: beyond this the page gets too large to open or print, so
/// rows are cut and the page says so.
const MAX_CELLS: usize = 60_000;

/// How a cell stands against today's posts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Post {
    /// Neither held today nor planned (hours here break a rule; shown as they are).
    None,
    /// Held today and kept.
    Kept,
    /// Planned, not held today.
    Joined,
    /// Held today, not planned.
    Left,
}

impl Post {
    fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Kept => "kept",
            Self::Joined => "joined",
            Self::Left => "left",
        }
    }
}

/// The heatmap section.
pub(super) fn section(b: &mut String, inst: &Instance, plan: &Plan, f: &PlanFigures<'_>) {
    let (np, nm) = (inst.staff.len(), inst.modules.len());
    let mut planned = vec![BTreeSet::new(); np];
    for post in &plan.posts {
        if let (Some(&p), Some(&m)) = (
            inst.ids.staff.get(&post.person),
            inst.ids.modules.get(&post.module),
        ) {
            planned[p.index()].insert(m.index());
        }
    }
    let state = |p: usize, m: usize| {
        let today = inst.staff[p].current_posts.iter().any(|x| x.index() == m);
        match (today, planned[p].contains(&m)) {
            (true, true) => Post::Kept,
            (false, true) => Post::Joined,
            (true, false) => Post::Left,
            (false, false) => Post::None,
        }
    };
    // People with no post today, none planned and no hours would be empty rows.
    let shown: Vec<usize> = (0..np)
        .filter(|&p| {
            !planned[p].is_empty()
                || !inst.staff[p].current_posts.is_empty()
                || f.hours[p].iter().any(|&h| h > 0.0)
        })
        .collect();
    let cut = shown.len().min(MAX_CELLS / nm.max(1));
    let max_h = f
        .hours
        .iter()
        .flatten()
        .copied()
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let blocks = nm.div_ceil(MAX_COLUMNS).max(1);
    let per_block = nm.div_ceil(blocks).max(1);
    let _ = write!(
        b,
        "<section id=\"heatmap\" class=\"newpage\"><h2>Hours per person and module</h2>\
         <p class=\"legend\">Each number is the weekly hours a person works in a module; darker \
         is more (up to {} h). <b>+</b> and a frame: a post the person joins. \
         <b>×</b> on hatching: a post held today that the person leaves. A number alone: a post \
         held today and kept.",
        hours(max_h)
    );
    if shown.len() < np {
        let _ = write!(
            b,
            " {} of {np} people hold no post today or in the plan and are left out.",
            np - shown.len()
        );
    }
    if cut < shown.len() {
        let _ = write!(
            b,
            " Only the first {cut} of {} people are shown: the whole table is in the plan \
             (`modstaff solve --format xlsx`).",
            shown.len()
        );
    }
    if blocks > 1 {
        let _ = write!(
            b,
            " The {nm} modules are split into {blocks} blocks to fit the page width."
        );
    }
    b.push_str("</p>");
    let rows = &shown[..cut];
    for (k, first) in (0..nm).step_by(per_block).enumerate() {
        let last = (first + per_block).min(nm);
        block(b, inst, f, (k, first..last), rows, &state, max_h);
    }
    b.push_str("</section>\n");
}

/// One block: the rows of `rows` over modules `columns`.
fn block(
    b: &mut String,
    inst: &Instance,
    f: &PlanFigures<'_>,
    (k, columns): (usize, std::ops::Range<usize>),
    rows: &[usize],
    state: &dyn Fn(usize, usize) -> Post,
    max_h: f64,
) {
    let _ = write!(
        b,
        "<table class=\"heat\" data-block=\"{k}\"><caption>Modules {} to {} of {}</caption>\
         <thead><tr><th class=\"who\">person</th>",
        columns.start + 1,
        columns.end,
        inst.modules.len()
    );
    for m in columns.clone() {
        let module = &inst.modules[m];
        let _ = write!(
            b,
            "<th class=\"mod\" data-module-label=\"{}\"><div>{}</div></th>",
            escape(&module.id),
            escape(&words::label(&module.name, &module.id))
        );
    }
    b.push_str("</tr></thead><tbody>");
    for &p in rows {
        let person = &inst.staff[p];
        let _ = write!(
            b,
            "<tr><th class=\"who\" data-person-label=\"{}\">{}</th>",
            escape(&person.id),
            escape(&words::label(&person.name, &person.id))
        );
        for m in columns.clone() {
            cell(b, inst, f, p, m, state(p, m), max_h);
        }
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table>");
}

/// One cell: empty when the person has neither post nor hours there.
fn cell(
    b: &mut String,
    inst: &Instance,
    f: &PlanFigures<'_>,
    p: usize,
    m: usize,
    post: Post,
    max_h: f64,
) {
    let h = f.hours[p][m];
    if post == Post::None && h <= 0.0 {
        b.push_str("<td></td>");
        return;
    }
    let (person, module) = (&inst.staff[p], &inst.modules[m]);
    let _ = write!(
        b,
        "<td class=\"{}\" data-person=\"{}\" data-module=\"{}\" data-hours=\"{}\" data-post=\"{}\"",
        post.as_str(),
        escape(&person.id),
        escape(&module.id),
        hours(h),
        post.as_str()
    );
    let title = format!(
        "{} · {}: {} h",
        words::label(&person.name, &person.id),
        words::label(&module.name, &module.id),
        hours(h)
    );
    let marker = match post {
        Post::Joined => "<span class=\"mk\">+</span>",
        Post::Left => "<span class=\"mk\">×</span>",
        Post::Kept | Post::None => "",
    };
    // A post left carries no hours in a valid plan: the hatching alone shows it.
    if post == Post::Left && h <= 0.0 {
        let _ = write!(b, " title=\"{}\">{marker}</td>", escape(&title));
        return;
    }
    let shade = heat(h / max_h);
    let _ = write!(
        b,
        " title=\"{}\" style=\"background:{};color:{}\">{marker}<span class=\"h\">{}</span></td>",
        escape(&title),
        shade.hex(),
        shade.ink(),
        hours(h)
    );
}
