import leven from 'leven';
import type {ConfigIssue} from './interpolate.js';

/** A config that failed to load or validate: every problem at once. */
export class ConfigError extends Error {
	readonly issues: readonly ConfigIssue[];
	readonly source: string;

	constructor(source: string, issues: readonly ConfigIssue[]) {
		super(issues.map(issue => `${source}: ${issue.path}: ${issue.message}`).join('\n'));
		this.name = 'ConfigError';
		this.issues = issues;
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
