import leven from 'leven';
import type {ConfigIssue} from './interpolate.js';

/** Line breaks (and the blanks around them) in a problem's text, which must print as one line. */
const lineBreaks = /\s*[\r\n]+\s*/g;

/** A config that failed to load or validate: every problem at once, one line each. */
export class ConfigError extends Error {
	readonly issues: readonly ConfigIssue[];
	readonly source: string;

	constructor(source: string, issues: readonly ConfigIssue[]) {
		// A quoted input (a JSON parser's excerpt of a file, say) can hold line breaks: one line each all the same.
		const oneLine = issues.map(issue => ({...issue, path: issue.path.replace(lineBreaks, ' '), message: issue.message.replace(lineBreaks, ' ')}));
		super(oneLine.map(issue => `${source}: ${issue.path}: ${issue.message}`).join('\n'));
		this.name = 'ConfigError';
		this.issues = oneLine;
		this.source = source;
	}
}

/** The closest known key, when it is close enough to be a likely typo. */
export function suggest(key: string, candidates: readonly string[]): string | undefined {
	let best: string | undefined;
	let bestDistance = Number.POSITIVE_INFINITY;
	for (const candidate of candidates) {
		const distance = leven(key.toLowerCase(), candidate.toLowerCase());
		if (distance < bestDistance) {
			best = candidate;
			bestDistance = distance;
		}
	}

	return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
