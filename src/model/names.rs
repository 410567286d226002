//! How people, modules, duties and the rest are named where people read them: "Name (id)",
//! or the id alone when no name was given. The diagnosis words its reasons with these, and the
//! report layer names everything it prints the same way.

use super::Instance;

/// What an id names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A person (`staff`).
    Person,
    /// A module.
    Module,
    /// A duty.
    Duty,
    /// A unit.
    Unit,
    /// A skill.
    Skill,
    /// A counterpart.
    Counterpart,
}

/// `Name (id)`, or the id alone when the name adds nothing (none was given).
#[must_use]
pub fn label(name: &str, id: &str) -> String {
    if name.is_empty() || name == id {
        id.to_owned()
    } else {
        format!("{name} ({id})")
    }
}

/// As [`label`], with the id as Markdown code: "Name (`id`)", or "`id`".
#[must_use]
pub fn markdown_label(name: &str, id: &str) -> String {
    if name.is_empty() || name == id {
        format!("`{id}`")
    } else {
        format!("{name} (`{id}`)")
    }
}

/// The name the instance gives `id`; `None` when it does not know the id.
#[must_use]
pub fn name_of<'a>(inst: &'a Instance, kind: Kind, id: &str) -> Option<&'a str> {
    let ids = &inst.ids;
    Some(match kind {
        Kind::Person => inst.person(*ids.staff.get(id)?).name.as_str(),
        Kind::Module => inst.module(*ids.modules.get(id)?).name.as_str(),
        Kind::Duty => inst.duty(*ids.duties.get(id)?).name.as_str(),
        Kind::Unit => inst.units[ids.units.get(id)?.index()].name.as_str(),
        Kind::Skill => inst.skills[ids.skills.get(id)?.index()].name.as_str(),
        Kind::Counterpart => inst.counterparts[ids.counterparts.get(id)?.index()]
            .name
            .as_str(),
    })
}

/// The name given to `id`, or `""` when none was (the name is then the id) or the instance
/// does not know the id: for name columns beside id columns.
#[must_use]
pub fn given_name<'a>(inst: &'a Instance, kind: Kind, id: &str) -> &'a str {
    name_of(inst, kind, id).filter(|&n| n != id).unwrap_or("")
}

/// `id` as people read it: its label, or the id as it is when the instance does not know it.
#[must_use]
pub fn named(inst: &Instance, kind: Kind, id: &str) -> String {
    label(name_of(inst, kind, id).unwrap_or(id), id)
}

/// As [`named`], for Markdown.
#[must_use]
pub fn markdown_named(inst: &Instance, kind: Kind, id: &str) -> String {
    markdown_label(name_of(inst, kind, id).unwrap_or(id), id)
}

#[cfg(test)]
mod tests {
    use super::{label, markdown_label};

    #[test]
    fn labels_add_the_id_only_to_a_real_name() {
        assert_eq!(
            label("Elderly home visits", "d21"),
            "Elderly home visits (d21)"
        );
        assert_eq!(label("d21", "d21"), "d21");
        assert_eq!(label("", "d21"), "d21");
        assert_eq!(markdown_label("Ann Li", "ann"), "Ann Li (`ann`)");
        assert_eq!(markdown_label("ann", "ann"), "`ann`");
    }
}
