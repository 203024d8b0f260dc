"""Reports for procurement: `ReportData` in, XLSX / CSV / HTML / PDF / JSON bytes out.

Build a `monitor.reports.model.ReportData`, then `render(data, fmt)` or
`write_report(data, fmt, path)` from `monitor.reports.render`. The scorecard computations
live in `monitor.reports.scorecard`.
"""
