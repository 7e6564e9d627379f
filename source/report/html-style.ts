import {escapeHtml} from './format.js';

/** The HTML report's stylesheet: light and dark (prefers-color-scheme), responsive, print-friendly. */

/** Chart series and the colour variable each one uses (for lines, dots and legend swatches). */
const seriesColours = ['rps', 'rate', 'errors', 'p50', 'p90', 'p99', 'corrected', 'spectrum'] as const;

const seriesRules = seriesColours
	.map(name => `.line.series-${name}{stroke:var(--c-${name})}.dot.series-${name}{fill:var(--c-${name})}.swatch.series-${name}{background:var(--c-${name})}`)
	.join('\n');

const lightColours = `
	--bg: #f4f7f5; --card: #ffffff; --text: #0f1f1a; --muted: #5a6b65; --border: #dfe7e3;
	--grid: #e8eeeb; --axis: #9aa9a3; --code-bg: #f3f6f4; --row-alt: #f8faf9; --shadow: 0 1px 2px rgb(15 31 26 / 6%), 0 4px 16px rgb(15 31 26 / 5%);
	--accent: #15803d; --accent-soft: #dcfce7;
	--banner: linear-gradient(135deg, #0f3d24 0%, #166534 55%, #15803d 100%); --banner-text: #ffffff; --banner-muted: #c6f0d4;
	--good: #15803d; --warn: #b45309; --bad: #b91c1c;
	--c-rps: #16a34a; --c-rate: #64748b; --c-errors: #dc2626; --c-p50: #2563eb; --c-p90: #d97706; --c-p99: #dc2626; --c-corrected: #9333ea; --c-spectrum: #16a34a;
	--marker: #64748b; --marker-stop: #b91c1c; --marker-pause: #b45309; --band: rgb(217 119 6 / 10%);
	--b2xx-bg: #dcfce7; --b2xx: #166534; --b3xx-bg: #dbeafe; --b3xx: #1e40af; --b4xx-bg: #fef3c7; --b4xx: #92400e;
	--b5xx-bg: #fee2e2; --b5xx: #991b1b; --bother-bg: #e5e7eb; --bother: #374151;
	--warn-bg: #fffbeb; --warn-border: #f59e0b;`;

const darkColours = `
	--bg: #0a100e; --card: #111916; --text: #e3ece8; --muted: #93a49d; --border: #22302b;
	--grid: #1c2824; --axis: #4b5d56; --code-bg: #0c1411; --row-alt: #0e1613; --shadow: 0 1px 2px rgb(0 0 0 / 40%);
	--accent: #4ade80; --accent-soft: rgb(34 197 94 / 15%);
	--banner: linear-gradient(135deg, #04210f 0%, #0b3a1f 55%, #14532d 100%); --banner-text: #f0fdf4; --banner-muted: #a7dcb9;
	--good: #4ade80; --warn: #fbbf24; --bad: #f87171;
	--c-rps: #4ade80; --c-rate: #94a3b8; --c-errors: #f87171; --c-p50: #60a5fa; --c-p90: #fbbf24; --c-p99: #f87171; --c-corrected: #c084fc; --c-spectrum: #4ade80;
	--marker: #94a3b8; --marker-stop: #f87171; --marker-pause: #fbbf24; --band: rgb(251 191 36 / 10%);
	--b2xx-bg: rgb(34 197 94 / 18%); --b2xx: #86efac; --b3xx-bg: rgb(59 130 246 / 20%); --b3xx: #93c5fd; --b4xx-bg: rgb(245 158 11 / 20%); --b4xx: #fcd34d;
	--b5xx-bg: rgb(239 68 68 / 20%); --b5xx: #fca5a5; --bother-bg: rgb(148 163 184 / 20%); --bother: #cbd5e1;
	--warn-bg: rgb(245 158 11 / 12%); --warn-border: #b45309;`;

export const reportCss = `
:root { color-scheme: light dark; ${lightColours} }
@media (prefers-color-scheme: dark) { :root { ${darkColours} } }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, Cantarell, "Noto Sans", "Helvetica Neue", Arial, sans-serif; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; }
.page { max-width: 1200px; margin: 0 auto; padding: 24px; }
.num, table, .stat-value, dd { font-variant-numeric: tabular-nums; }
a { color: var(--accent); }

.banner { background: var(--banner); color: var(--banner-text); border-radius: 18px; padding: 26px 32px 24px; box-shadow: var(--shadow); }
.brand { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; font-size: 14px; color: var(--banner-muted); }
.brand strong { color: var(--banner-text); font-size: 15px; letter-spacing: .02em; }
.chip { display: inline-block; border: 1px solid rgb(255 255 255 / 30%); border-radius: 999px; padding: 1px 10px; font-size: 12.5px; color: var(--banner-text); background: rgb(255 255 255 / 8%); }
.target-label { margin: 18px 0 4px; font-size: 13px; text-transform: uppercase; letter-spacing: .08em; color: var(--banner-muted); }
.target-main { display: flex; align-items: baseline; gap: 14px; flex-wrap: wrap; margin: 0; font-size: 30px; line-height: 1.25; font-weight: 700; }
.method { display: inline-block; font-size: 15px; font-weight: 700; letter-spacing: .04em; padding: 3px 10px; border-radius: 8px; background: rgb(255 255 255 / 16%); color: var(--banner-text); vertical-align: middle; }
.target-url { overflow-wrap: anywhere; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 28px; }
.target-name { margin: 6px 0 0; font-size: 16px; color: var(--banner-muted); }
.endpoint-chips { list-style: none; display: flex; flex-wrap: wrap; gap: 8px; margin: 14px 0 0; padding: 0; }
.endpoint-chips li { background: rgb(255 255 255 / 10%); border-radius: 10px; padding: 4px 10px; font-size: 13.5px; overflow-wrap: anywhere; }
.endpoint-chips b { margin-right: 6px; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 18px 0 0; padding: 14px 0 0; border-top: 1px solid rgb(255 255 255 / 18%); font-size: 13.5px; color: var(--banner-muted); }
.meta b { color: var(--banner-text); font-weight: 600; }

.toc { display: flex; flex-wrap: wrap; gap: 6px; margin: 16px 0 0; padding: 0; list-style: none; font-size: 13px; }
.toc a { display: inline-block; padding: 3px 11px; border-radius: 999px; border: 1px solid var(--border); background: var(--card); color: var(--muted); text-decoration: none; }
.toc a:hover { color: var(--accent); border-color: var(--accent); }

.alert { margin: 18px 0 0; padding: 14px 18px; border-radius: 12px; background: var(--warn-bg); border: 1px solid var(--warn-border); border-left-width: 5px; }
.alert strong { color: var(--warn); }

.card { background: var(--card); border: 1px solid var(--border); border-radius: 16px; padding: 20px 24px; margin-top: 20px; box-shadow: var(--shadow); min-width: 0; }
.card h2 { margin: 0 0 14px; font-size: 18px; line-height: 1.3; display: flex; align-items: center; gap: 10px; }
.card h2::before { content: ""; width: 4px; height: 18px; border-radius: 2px; background: var(--accent); }
.card h3 { margin: 18px 0 8px; font-size: 15px; }
.grid-2 { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0 20px; }
.muted, .note { color: var(--muted); }
.note { font-size: 13px; margin: 8px 0 0; }

.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(165px, 1fr)); gap: 14px; }
.stat { border: 1px solid var(--border); border-radius: 12px; padding: 14px 16px; background: var(--row-alt); }
.stat-label { font-size: 13px; color: var(--muted); }
.stat-value { font-size: 30px; font-weight: 700; line-height: 1.2; margin-top: 2px; letter-spacing: -.01em; }
.stat-sub { font-size: 12.5px; color: var(--muted); margin-top: 2px; }
.stat.good .stat-value { color: var(--good); } .stat.warn .stat-value { color: var(--warn); } .stat.bad .stat-value { color: var(--bad); }
.stat.good { box-shadow: inset 0 3px 0 var(--good); } .stat.warn { box-shadow: inset 0 3px 0 var(--warn); } .stat.bad { box-shadow: inset 0 3px 0 var(--bad); }
.stat .unit { font-size: 15px; font-weight: 600; color: var(--muted); margin-left: 5px; letter-spacing: 0; }

dl.kv { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 7px 18px; margin: 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }
.changed { color: var(--accent); font-weight: 600; }

.table-scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { padding: 8px 10px; text-align: left; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--row-alt); }
td.url { overflow-wrap: anywhere; min-width: 180px; font-size: 13px; }
.row-label { font-weight: 600; white-space: nowrap; }
td.name { white-space: normal; overflow-wrap: anywhere; min-width: 90px; }
td.error-kind { overflow-wrap: anywhere; }
td.error-kind .badge { max-width: 100%; white-space: normal; text-align: left; }
.hint { color: var(--muted); font-size: 13px; margin-top: 4px; }

.badge { display: inline-block; min-width: 46px; text-align: center; padding: 2px 10px; border-radius: 999px; font-weight: 700; font-size: 13px; background: var(--bother-bg); color: var(--bother); }
.badge.s2xx { background: var(--b2xx-bg); color: var(--b2xx); } .badge.s3xx { background: var(--b3xx-bg); color: var(--b3xx); }
.badge.s4xx { background: var(--b4xx-bg); color: var(--b4xx); } .badge.s5xx { background: var(--b5xx-bg); color: var(--b5xx); }
.badge.no-response { background: #7f1d1d; color: #fff; }
.badge.pass { background: var(--b2xx-bg); color: var(--b2xx); } .badge.fail { background: var(--b5xx-bg); color: var(--b5xx); }
.status-bar { display: flex; height: 12px; border-radius: 6px; overflow: hidden; background: var(--grid); margin: 4px 0 14px; }
.status-bar span { display: block; height: 100%; min-width: 2px; }
.bar-2xx { background: #22c55e; } .bar-3xx { background: #3b82f6; } .bar-4xx { background: #f59e0b; } .bar-5xx { background: #ef4444; } .bar-other { background: #94a3b8; } .bar-error { background: #7f1d1d; }
.ok-line { display: flex; align-items: center; gap: 10px; color: var(--good); font-weight: 600; margin: 6px 0; }

.charts-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 22px; }
.chart-figure { margin: 0; min-width: 0; }
.chart-figure.wide { grid-column: 1 / -1; }
.chart-figure figcaption { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 4px 16px; margin-bottom: 6px; }
.chart-title { font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 0; padding: 0; list-style: none; font-size: 13px; color: var(--muted); }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 18px; height: 4px; border-radius: 2px; }
.swatch.dashed { background: repeating-linear-gradient(90deg, var(--c-corrected) 0 6px, transparent 6px 9px) !important; }
.swatch.series-rate.dashed { background: repeating-linear-gradient(90deg, var(--c-rate) 0 6px, transparent 6px 9px) !important; }
.chart-scroll { overflow-x: auto; }
.chart-compact { display: none; }
svg.chart { display: block; width: 100%; height: auto; min-width: 460px; font-family: inherit; }
.chart-wide svg.chart { min-width: 760px; }
svg.chart .grid { stroke: var(--grid); stroke-width: 1; }
svg.chart .axis { stroke: var(--axis); stroke-width: 1; }
svg.chart text { font-size: 11px; fill: var(--muted); }
svg.chart .axis-label { font-size: 11.5px; }
svg.chart .line { fill: none; stroke-width: 2.2; stroke-linejoin: round; stroke-linecap: round; }
svg.chart .line.dashed { stroke-dasharray: 7 5; }
svg.chart .marker { stroke: var(--marker); stroke-width: 1.2; stroke-dasharray: 3 3; }
svg.chart .marker-label { fill: var(--marker); font-weight: 600; }
svg.chart line.marker-stop { stroke: var(--marker-stop); } svg.chart text.marker-stop { fill: var(--marker-stop); }
svg.chart line.marker-pause, svg.chart line.marker-resume { stroke: var(--marker-pause); } svg.chart text.marker-pause, svg.chart text.marker-resume { fill: var(--marker-pause); }
svg.chart .band { fill: var(--band); }
svg.chart .end-label { fill: var(--text); font-weight: 600; }
svg.chart .empty { font-size: 14px; }
${seriesRules}
ol.events { margin: 14px 0 0; padding-left: 22px; font-size: 13.5px; color: var(--muted); columns: 2; column-gap: 32px; }
ol.events b { color: var(--text); font-weight: 600; }

pre.config { margin: 0; padding: 14px 16px; border-radius: 10px; background: var(--code-bg); border: 1px solid var(--border); font-size: 12.5px; line-height: 1.45; overflow: auto; max-height: 480px; white-space: pre; }
.health { display: flex; flex-wrap: wrap; gap: 14px 28px; align-items: center; }
footer { margin: 28px 0 8px; text-align: center; color: var(--muted); font-size: 13px; }

@media (max-width: 860px) {
	.grid-2, .charts-grid { grid-template-columns: minmax(0, 1fr); }
	.chart-wide { display: none; }
	.chart-compact { display: block; }
	ol.events { columns: 1; }
}
@media (max-width: 520px) {
	.page { padding: 12px; }
	.banner { padding: 20px 18px; border-radius: 14px; }
	.target-main { font-size: 22px; }
	.target-url { font-size: 19px; }
	.card { padding: 16px 14px; border-radius: 14px; }
	.stats { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }
	.stat-value { font-size: 23px; }
	dl.kv { grid-template-columns: minmax(0, 1fr); gap: 0; }
	dl.kv dd { margin-bottom: 8px; }
}
@media print {
	:root { color-scheme: light; ${lightColours} --banner: none; --banner-text: #0f1f1a; --banner-muted: #5a6b65; --shadow: none; }
	body { background: #fff; font-size: 12px; }
	.page { max-width: none; padding: 0; }
	.banner { border: 2px solid var(--accent); }
	.chip, .method, .endpoint-chips li { border: 1px solid #cbd5d0; background: none; }
	.toc { display: none; }
	.card { break-inside: avoid; box-shadow: none; margin-top: 12px; }
	#endpoints, #config, #charts { break-inside: auto; }
	.chart-figure { break-inside: avoid; }
	.chart-scroll, .table-scroll { overflow: visible; }
	svg.chart, .chart-wide svg.chart { min-width: 0; }
	pre.config { max-height: none; overflow: visible; white-space: pre-wrap; overflow-wrap: anywhere; }
	.badge, .status-bar span, .swatch, .stat { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
	a { color: inherit; text-decoration: none; }
}
`;

/** No scripts, no network: a report is a self-contained file, whatever its data holds. */
const contentSecurityPolicy = 'default-src \'none\'; style-src \'unsafe-inline\'; img-src data:; base-uri \'none\'; form-action \'none\'';

/**
 * The HTML document every report page shares (a run's report, a comparison): head with the content
 * security policy and the styles, the page's parts in order, and the footer. Every argument but
 * `parts` is text and is escaped here; `parts` is HTML.
 */
export function htmlDocument(page: {readonly title: string; readonly version: string; readonly css?: string; readonly parts: readonly string[]; readonly footer: string}): string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<meta name="generator" content="pystress-tui ${escapeHtml(page.version)}">
<title>${escapeHtml(page.title)}</title>
<style>${reportCss}${page.css ?? ''}</style>
</head>
<body>
<main class="page">
${page.parts.join('\n')}
<footer>${escapeHtml(page.footer)}</footer>
</main>
</body>
</html>
`;
}
