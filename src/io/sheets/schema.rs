//! The tables of an instance's spreadsheets: their columns (header, whether required, what a
//! cell holds, meaning, example), the rules' keys, and what the template and its notes sheet
//! are made of.

use super::{Cell, parse_number};

/// A column of a table: its header, whether every row needs it, and what it holds.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// Header text (matched case-insensitively, surrounding spaces ignored).
    pub name: &'static str,
    /// Whether the column must be present and filled in.
    pub required: bool,
    /// What a cell holds, for the notes sheet and for messages (`a whole number`).
    pub kind: &'static str,
    /// What the column means.
    pub meaning: &'static str,
    /// The value in the template's example row.
    pub example: &'static str,
}

/// A table: its name (the CSV file stem and the sheet name) and its columns.
#[derive(Clone, Copy, Debug)]
pub struct Table {
    /// `staff`, `modules`, ...
    pub name: &'static str,
    /// Whether an instance must have the table.
    pub required: bool,
    /// The columns, in the order they are written.
    pub columns: &'static [Column],
}

pub(super) const fn col(
    name: &'static str,
    required: bool,
    kind: &'static str,
    meaning: &'static str,
    example: &'static str,
) -> Column {
    Column {
        name,
        required,
        kind,
        meaning,
        example,
    }
}

const ID: &str = "text, unique in the table";
const TEXT: &str = "text";
const WHOLE: &str = "a whole number";
const NUMBER: &str = "a number";
const LIST: &str = "ids separated by `;`, e.g. `a;b`";

/// The tables, in the order they are written. Lists (`skills`, `current_posts`, ...) are
/// written `a;b` in one cell; skill levels `policy:2;finance:1`.
pub const TABLES: &[Table] = &[
    Table {
        name: "staff",
        required: true,
        columns: &[
            col("id", true, ID, "person id", "p01"),
            col("name", false, TEXT, "display name [the id]", "张伟"),
            col(
                "unit",
                false,
                "a unit id",
                "unit the person belongs to",
                "office",
            ),
            col("capacity", false, NUMBER, "hours per week [40]", "40"),
            col(
                "skills",
                false,
                "`skill:level` pairs separated by `;`, levels 1 to 5",
                "skills and levels, e.g. `policy:2;finance:1`",
                "policy:3",
            ),
            col(
                "max_posts",
                false,
                WHOLE,
                "most posts [rules max_posts]",
                "",
            ),
            col(
                "max_liaisons",
                false,
                WHOLE,
                "most counterparts to liaise with [rules max_liaisons]",
                "",
            ),
            col(
                "current_posts",
                false,
                LIST,
                "modules held today",
                "m-policy",
            ),
            col(
                "fixed_posts",
                false,
                LIST,
                "posts every plan must keep (pinned)",
                "",
            ),
            col(
                "unavailable",
                false,
                LIST,
                "modules this person may not hold",
                "",
            ),
        ],
    },
    Table {
        name: "modules",
        required: true,
        columns: &[
            col("id", true, ID, "module id", "m-policy"),
            col("name", false, TEXT, "display name [the id]", "政策法规"),
            col(
                "unit",
                false,
                "a unit id",
                "unit the module belongs to",
                "office",
            ),
            col(
                "min_staff",
                false,
                WHOLE,
                "fewest people holding a post [0]",
                "1",
            ),
            col(
                "max_staff",
                false,
                WHOLE,
                "most people holding a post [no cap]",
                "3",
            ),
            col(
                "counterparts",
                false,
                LIST,
                "upstream offices the module mirrors",
                "c-policy",
            ),
        ],
    },
    Table {
        name: "duties",
        required: true,
        columns: &[
            col("id", true, ID, "duty id", "d-policy-1"),
            col("name", false, TEXT, "display name [the id]", "政策文件审核"),
            col(
                "module",
                true,
                "a module id",
                "module the duty belongs to",
                "m-policy",
            ),
            col("hours", true, "a number > 0", "weekly hours", "12"),
            col(
                "skill",
                false,
                "a skill id",
                "skill needed [none]",
                "policy",
            ),
            col(
                "min_level",
                false,
                "a whole number 1 to 5",
                "level needed [1]",
                "2",
            ),
            col(
                "weight",
                false,
                "a number > 0",
                "penalty per uncovered hour [1]",
                "5",
            ),
            col(
                "splittable",
                false,
                "true or false (yes/no, 1/0)",
                "whether several people may share the duty [true]",
                "true",
            ),
            col(
                "tags",
                false,
                "labels separated by `;`",
                "free labels",
                "weekly;report",
            ),
        ],
    },
    Table {
        name: "counterparts",
        required: false,
        columns: &[
            col(
                "id",
                true,
                ID,
                "counterpart (upstream office) id",
                "c-policy",
            ),
            col(
                "name",
                false,
                TEXT,
                "display name [the id]",
                "市农业农村局政策法规处",
            ),
            col("bureau", false, TEXT, "upstream bureau", "温州市农业农村局"),
        ],
    },
    Table {
        name: "units",
        required: false,
        columns: &[
            col("id", true, ID, "unit id", "office"),
            col("name", false, TEXT, "display name [the id]", "局机关"),
            col(
                "headcount_cap",
                false,
                WHOLE,
                "most distinct people holding posts in the unit's modules [no cap]",
                "12",
            ),
        ],
    },
    Table {
        name: "skills",
        required: false,
        columns: &[
            col(
                "id",
                true,
                ID,
                "skill id; without this table any skill id is allowed",
                "policy",
            ),
            col("name", false, TEXT, "display name [the id]", "政策研究"),
        ],
    },
];

/// The rules: a `rules.toml` file in a CSV folder, a `rules` sheet of `key`/`value` rows in a
/// workbook. `conflict` may repeat, one pair of module ids per row (`m1;m2`).
pub const RULES: &[Column] = &[
    col(
        "name",
        false,
        TEXT,
        "instance name [the folder or file name]",
        "示例局",
    ),
    col("description", false, TEXT, "free text", "template example"),
    col("max_posts", false, WHOLE, "most posts per person [3]", "3"),
    col(
        "max_liaisons",
        false,
        WHOLE,
        "most liaisons per person [3]",
        "3",
    ),
    col(
        "liaison_weight",
        false,
        "a number >= 0",
        "penalty per counterpart without a liaison [8]",
        "8",
    ),
    col(
        "min_staff_weight",
        false,
        "a number >= 0",
        "penalty per person missing below min_staff [40]",
        "40",
    ),
    col(
        "conflict",
        false,
        "two module ids `a;b`",
        "two modules one person may not both hold (one row per pair)",
        "",
    ),
];

/// The example row of each table and the example rules, as a raw instance that validates.
#[must_use]
pub fn template_rows(table: &Table) -> Vec<Cell> {
    table
        .columns
        .iter()
        .map(|c| {
            if c.example.is_empty() {
                Cell::Empty
            } else if c.kind == NUMBER
                || c.kind == WHOLE
                || c.name == "hours"
                || c.name == "min_level"
                || c.name == "weight"
            {
                parse_number(c.example).map_or_else(|| Cell::Text(c.example.into()), Cell::Number)
            } else {
                Cell::Text(c.example.into())
            }
        })
        .collect()
}

/// Rows of the notes sheet: table, column, required, what it holds, meaning, example.
#[must_use]
pub fn notes_rows() -> Vec<[String; 6]> {
    let mut rows = Vec::new();
    let mut push = |table: &str, c: &Column| {
        rows.push([
            table.to_owned(),
            c.name.to_owned(),
            if c.required { "yes" } else { "no" }.to_owned(),
            c.kind.to_owned(),
            c.meaning.to_owned(),
            c.example.to_owned(),
        ]);
    };
    for t in TABLES {
        for c in t.columns {
            push(t.name, c);
        }
    }
    for c in RULES {
        push("rules", c);
    }
    rows
}

/// Header of the notes sheet.
pub const NOTES_HEADER: [&str; 6] = ["table", "column", "required", "holds", "meaning", "example"];
