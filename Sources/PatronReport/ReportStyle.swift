/// The report's stylesheet, inlined: the file must open from an e-mail attachment or a shared
/// drive with no network. System fonts only; print-friendly (no backgrounds lost: cells keep
/// their colour with `print-color-adjust`).
enum ReportStyle {
    static let css = """
    :root { color-scheme: light; }
    body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; margin: 2rem auto; max-width: 80rem; padding: 0 1rem; }
    h1 { font-size: 1.6rem; margin-bottom: .2rem; }
    h2 { font-size: 1.15rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
    .note, .meta { color: #555; font-size: .9rem; }
    .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: .8rem; }
    .card { border: 1px solid #ddd; border-radius: 6px; padding: .6rem .8rem; }
    .card .label { color: #555; font-size: .85rem; }
    .card .value { font-size: 1.5rem; font-weight: 600; }
    .card .change, .card .source { color: #555; font-size: .8rem; }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th, td { padding: .2rem .45rem; text-align: right; white-space: nowrap; }
    thead th { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #bbb; }
    tbody th { text-align: left; font-weight: normal; }
    table.data td:first-child, table.data td:nth-child(2) { text-align: left; }
    table.data tbody tr:nth-child(even) { background: #f6f6f6; }
    table.heatmap td { min-width: 3.4rem; border: 1px solid #fff; }
    table.heatmap td.size { color: #555; }
    table.grid td { min-width: 2.2rem; font-size: .8rem; }
    table.heatmap td.sparse { color: #777; background: #f0f0f0; }
    table.heatmap td.incomplete { color: #555; background: repeating-linear-gradient(45deg, #eee 0 4px, #fff 4px 8px); }
    .unavailable { color: #8a1c1c; }
    footer { margin-top: 3rem; color: #777; font-size: .8rem; }
    @media print { body { margin: 0; max-width: none; } td { print-color-adjust: exact; -webkit-print-color-adjust: exact; } .scroll { overflow: visible; } }
    """
}
