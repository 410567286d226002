//! The report's comparison with another plan (`report INSTANCE PLAN --against OTHER`): who
//! moves between the two, the tiers side by side, duties covered or uncovered anew.

use std::fmt::Write as _;

use super::escape;
use crate::model::diff::PlanDiff;
use crate::model::{ChangeKind, Instance};
use crate::report::{hours, words};

/// The section; `other` names the plan compared against (plan A; this report's plan is B).
pub(super) fn section(b: &mut String, inst: &Instance, d: &PlanDiff, other: &str) {
    let people = d.people_moving();
    let _ = write!(
        b,
        "<section id=\"versus\"><h2>Against {}</h2><p class=\"note\" data-versus-moving=\"{}\">\
         Weighted uncovered {} in that plan, {} in this one; {} {} change posts between them.\
         </p>",
        escape(other),
        people.len(),
        hours(d.objective_a.coverage),
        hours(d.objective_b.coverage),
        people.len(),
        if people.len() == 1 {
            "person"
        } else {
            "people"
        },
    );
    if !people.is_empty() {
        b.push_str(
            "<table><thead><tr><th>person</th><th>joins (hours)</th><th>leaves (hours)</th>\
             </tr></thead><tbody>",
        );
        for person in people {
            let _ = write!(b, "<tr><td>{}</td>", escape(&words::person(inst, person)));
            for kind in [ChangeKind::Joined, ChangeKind::Left] {
                b.push_str("<td><ul class=\"moves\">");
                for m in d
                    .moves
                    .iter()
                    .filter(|m| m.person == person && m.change == kind)
                {
                    let _ = write!(
                        b,
                        "<li data-versus=\"{}\" data-person=\"{}\" data-module=\"{}\" \
                         data-hours=\"{}\">{}: {}&#160;h</li>",
                        kind.as_str(),
                        escape(&m.person),
                        escape(&m.module),
                        m.hours,
                        escape(&words::module(inst, &m.module)),
                        hours(m.hours)
                    );
                }
                b.push_str("</ul></td>");
            }
            b.push_str("</tr>");
        }
        b.push_str("</tbody></table>");
    }
    if !d.coverage.is_empty() {
        b.push_str(
            "<table><thead><tr><th>duty</th><th class=\"n\">uncovered there</th>\
             <th class=\"n\">uncovered here</th><th></th></tr></thead><tbody>",
        );
        for c in &d.coverage {
            let note = c.note();
            let _ = write!(
                b,
                "<tr data-duty=\"{}\" data-a=\"{}\" data-b=\"{}\"><td>{}</td><td class=\"n\">{}\
                 </td><td class=\"n\">{}</td><td>{note}</td></tr>",
                escape(&c.duty),
                c.a,
                c.b,
                escape(&words::duty(inst, &c.duty)),
                hours(c.a),
                hours(c.b)
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</section>\n");
}
