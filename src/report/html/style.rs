//! The page's style sheet: screen first, then A4 print.

/// Inline CSS of every report page.
pub const STYLE: &str = r#"
:root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --alert: #9b1c1c; }
* { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Noto Sans", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
  "PingFang SC", "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 24px auto;
  max-width: 1100px; padding: 0 16px; line-height: 1.4; font-size: 14px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.lead { font-size: 18px; font-weight: 600; margin: 8px 0 16px; }
.note, .legend { color: var(--muted); font-size: 12px; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 140px; }
.card .v { font-size: 20px; font-weight: 600; }
.card .k { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tfoot td { font-weight: 600; border-top: 2px solid var(--ink); }
ul.moves { margin: 0; padding-left: 16px; }
code { font-family: "Noto Sans Mono", Consolas, monospace; font-size: 0.92em; background: #f0f4f8;
  padding: 0 3px; border-radius: 3px; }
.none { color: var(--alert); font-weight: 700; }
tr.unmet td { background: #fde8e8; }
svg { max-width: 100%; height: auto; }
svg text { font-family: inherit; fill: var(--ink); }
.swatch { display: inline-block; min-width: 26px; padding: 0 4px; margin: 0 4px 0 10px;
  text-align: center; border: 1px solid #8a94a0; font-weight: 600; }
.hatch { background: repeating-linear-gradient(45deg, #7cc39b 0 2px, #e6f4ec 2px 5px); }
.bar { display: flex; height: 16px; border: 1px solid #8a94a0; background: #fff; }
.bar > span { display: block; height: 100%; }
table.heat { table-layout: fixed; font-size: 10px; margin-bottom: 18px; }
table.heat caption { text-align: left; font-weight: 600; padding: 4px 0; caption-side: top; }
table.heat th, table.heat td { border: 1px solid var(--line); padding: 1px 2px; }
table.heat th.who { width: 10.5em; font-weight: 400; overflow-wrap: anywhere; }
table.heat th.mod { vertical-align: bottom; text-align: left; font-weight: 400; padding: 3px 1px; }
table.heat th.mod div { writing-mode: vertical-rl; text-orientation: sideways;
  transform: rotate(180deg); max-height: 13em; margin: 0 auto; overflow-wrap: anywhere; }
table.heat td { text-align: center; font-variant-numeric: tabular-nums; height: 16px; }
table.heat td.joined { outline: 2px solid var(--ink); outline-offset: -2px; font-weight: 700; }
table.heat td.left { background: repeating-linear-gradient(45deg, #cbd2d9 0 2px, #fff 2px 5px); }
table.heat .mk { font-weight: 700; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 12px; }
  .newpage { break-before: page; }
  h2, h3, caption { break-after: avoid; }
  tr, .card { break-inside: avoid; }
  thead { display: table-header-group; }
}
"#;
