// The page's style sheet, as it is served (no build step: edit it here).
extension DashboardAssets {
    /// `GET /ui/app.css`.
    static let style = #"""
        :root {
          --bg: #f5f6f8; --card: #fff; --ink: #1d2330; --muted: #6b7280; --line: #e3e6ea;
          --ok: #15803d; --ok-bg: #dcfce7; --bad: #b91c1c; --bad-bg: #fee2e2; --warn: #a16207; --warn-bg: #fef3c7;
          --accent: #2563eb;
        }
        * { box-sizing: border-box; }
        [hidden] { display: none !important; }
        body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
          background: var(--bg); }
        .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; padding: 10px 16px;
          background: #111827; color: #f9fafb; }
        .bar h1 { margin: 0; font-size: 18px; }
        .bar .muted { color: #9ca3af; }
        .login { margin-left: auto; display: flex; align-items: center; gap: 6px; }
        .login input { width: 14em; padding: 5px 8px; border: 1px solid #374151; border-radius: 4px;
          background: #1f2937; color: #f9fafb; }
        button { padding: 5px 10px; border: 1px solid var(--line); border-radius: 4px; background: var(--card);
          color: var(--ink); cursor: pointer; font: inherit; }
        .bar button { background: var(--accent); border-color: var(--accent); color: #fff; }
        .notice { margin: 12px 16px 0; padding: 8px 12px; border-radius: 4px; background: var(--warn-bg);
          color: var(--warn); }
        main { padding: 12px 16px 24px; display: grid; gap: 12px; }
        .muted { color: var(--muted); }
        .card, .tile { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
          margin: 0; min-width: 0; }
        h2 { margin: 0 0 6px; font-size: 13px; font-weight: 600; color: var(--muted); text-transform: uppercase;
          letter-spacing: .03em; }
        .card h2 + .chips { margin-bottom: 12px; }
        .tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; }
        .tile p { margin: 0; }
        .big { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
        .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
        figcaption { display: flex; justify-content: space-between; align-items: center; font-weight: 600; }
        .toggle button { padding: 2px 8px; font-size: 12px; }
        .toggle button.on { background: var(--ink); color: #fff; border-color: var(--ink); }
        .chart svg { width: 100%; height: auto; display: block; }
        .chart .axis { stroke: var(--line); }
        .chart text { font-size: 10px; fill: var(--muted); }
        .legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 12px; margin-top: 4px; }
        .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
        .scroll { overflow-x: auto; }
        table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
        th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
        th { font-size: 12px; color: var(--muted); font-weight: 600; }
        td.msg { white-space: normal; min-width: 16em; }
        .num { text-align: right; }
        .chips { display: flex; flex-wrap: wrap; gap: 8px; }
        .chip { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; }
        .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
        .ok .badge, .badge.ok { background: var(--ok-bg); color: var(--ok); }
        .bad .badge, .badge.bad { background: var(--bad-bg); color: var(--bad); }
        .warn .badge, .badge.warn { background: var(--warn-bg); color: var(--warn); }
        .idle .badge, .badge.idle { background: var(--line); color: var(--muted); }
        tr.bad td { background: #fff7f7; }
        code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
        @media (max-width: 900px) {
          .tiles { grid-template-columns: repeat(2, 1fr); }
          .charts { grid-template-columns: 1fr; }
          .login { margin-left: 0; width: 100%; }
          .login input { flex: 1; width: auto; }
        }
        """#
}
