/** Turns a terminal capture (`tmux capture-pane -e`) into an HTML page that looks like the terminal. */

const palette = [
	'#1d1f21', '#cc6666', '#8fb573', '#e0b050', '#6f9fd8', '#b48ead', '#6cc3c3', '#c5c8c6',
	'#666666', '#ff7b7b', '#b5e890', '#f0d070', '#8fbfff', '#d7a8e0', '#8ee6e6', '#ffffff',
] as const;

const foreground = '#d8dadb';
const background = '#16181a';

type Style = {fg: string | undefined; bg: string | undefined; bold: boolean; dim: boolean; italic: boolean; underline: boolean; inverse: boolean};

const plain = (): Style => ({fg: undefined, bg: undefined, bold: false, dim: false, italic: false, underline: false, inverse: false});

function colour256(index: number): string {
	if (index < 16) return palette[index]!;
	if (index >= 232) {
		const level = 8 + ((index - 232) * 10);
		return `rgb(${level},${level},${level})`;
	}

	const cube = index - 16;
	const level = (value: number): number => (value === 0 ? 0 : 55 + (value * 40));
	return `rgb(${level(Math.floor(cube / 36))},${level(Math.floor(cube / 6) % 6)},${level(cube % 6)})`;
}

function apply(style: Style, codes: number[]): Style {
	const next = {...style};
	for (let index = 0; index < codes.length; index++) {
		const code = codes[index]!;
		if (code === 0) Object.assign(next, plain());
		else if (code === 1) next.bold = true;
		else if (code === 2) next.dim = true;
		else if (code === 3) next.italic = true;
		else if (code === 4) next.underline = true;
		else if (code === 7) next.inverse = true;
		else if (code === 22) {
			next.bold = false;
			next.dim = false;
		} else if (code === 23) next.italic = false;
		else if (code === 24) next.underline = false;
		else if (code === 27) next.inverse = false;
		else if (code >= 30 && code <= 37) next.fg = palette[code - 30];
		else if (code >= 90 && code <= 97) next.fg = palette[code - 90 + 8];
		else if (code === 39) next.fg = undefined;
		else if (code >= 40 && code <= 47) next.bg = palette[code - 40];
		else if (code >= 100 && code <= 107) next.bg = palette[code - 100 + 8];
		else if (code === 49) next.bg = undefined;
		else if ((code === 38 || code === 48) && codes[index + 1] === 5) {
			const value = colour256(codes[index + 2] ?? 0);
			if (code === 38) next.fg = value;
			else next.bg = value;
			index += 2;
		} else if ((code === 38 || code === 48) && codes[index + 1] === 2) {
			const value = `rgb(${codes[index + 2] ?? 0},${codes[index + 3] ?? 0},${codes[index + 4] ?? 0})`;
			if (code === 38) next.fg = value;
			else next.bg = value;
			index += 4;
		}
	}

	return next;
}

function escape(text: string): string {
	return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function css(style: Style): string {
	let fg = style.fg ?? foreground;
	let bg = style.bg;
	if (style.inverse) {
		[fg, bg] = [bg ?? background, fg];
	}

	return [
		`color:${fg}`,
		bg ? `background:${bg}` : '',
		style.bold ? 'font-weight:bold' : '',
		style.dim ? 'opacity:0.7' : '',
		style.italic ? 'font-style:italic' : '',
		style.underline ? 'text-decoration:underline' : '',
	].filter(Boolean).join(';');
}

/** The capture as HTML: one <pre> of `columns` x `rows` cells, with a title bar. */
export function ansiToHtml(capture: string, options: {columns: number; rows: number; title: string}): string {
	const lines = capture.replace(/\n$/, '').split('\n').slice(0, options.rows);
	// tmux only emits a style when it changes, also across lines: the style carries over.
	let style = plain();
	const body = lines.map(line => {
		let html = '';
		let cells = 0;
		// eslint-disable-next-line no-control-regex
		for (const part of line.split(/(\u001B\[[\d;]*m)/)) {
			// eslint-disable-next-line no-control-regex
			const sgr = /^\u001B\[([\d;]*)m$/.exec(part);
			if (sgr) {
				style = apply(style, (sgr[1] === '' ? '0' : sgr[1]!).split(';').map(Number));
			} else if (part !== '') {
				// eslint-disable-next-line no-control-regex
				const text = part.replaceAll(/\u001B\[[^a-zA-Z]*[a-zA-Z]/g, '');
				cells += [...text].length;
				html += `<span style="${css(style)}">${escape(text)}</span>`;
			}
		}

		return html + ' '.repeat(Math.max(0, options.columns - cells));
	});
	while (body.length < options.rows) body.push(' '.repeat(options.columns));
	return `<!doctype html><meta charset="utf-8"><title>${escape(options.title)}</title>
<style>
html,body{margin:0;background:#0b0c0d}
.window{display:inline-block;margin:16px;border-radius:8px;overflow:hidden;box-shadow:0 6px 24px #000a;background:${background}}
.bar{height:28px;background:#2a2d30;color:#aaa;font:13px sans-serif;display:flex;align-items:center;padding:0 12px;gap:8px}
.dot{width:12px;height:12px;border-radius:50%;display:inline-block}
pre{margin:0;padding:10px 12px;font:15px/1.17 'DejaVu Sans Mono',monospace;color:${foreground};background:${background}}
span{white-space:pre}
</style>
<div class="window"><div class="bar"><span class="dot" style="background:#ff5f57"></span><span class="dot" style="background:#febc2e"></span><span class="dot" style="background:#28c840"></span>&nbsp;${escape(options.title)}</div><pre>${body.join('\n')}</pre></div>`;
}
