/**
 * Pass/fail criteria such as `p99<300ms`, `p95<1s`, `errors<1%`, `rps>500`, optionally for one
 * endpoint (`checkout:p99<300ms`). Pure: parse, then evaluate against plain figures.
 */

/**
 * What a threshold can measure. Latencies in ms; `pass` and `error_rate` are percentages (with or
 * without `%`), and so is `checks` (the share of checked responses that passed every response check); `errors` is a rate with `%` and a count without; `rps` in req/s; `requests` a count.
 */
export type ThresholdMetric = 'min' | 'mean' | 'p50' | 'p90' | 'p95' | 'p99' | 'p999' | 'max' | 'errors' | 'error_rate' | 'pass' | 'checks' | 'rps' | 'requests';

export type Threshold = {
	readonly expression: string;
	readonly endpoint: string | undefined;
	readonly metric: ThresholdMetric;
	readonly operator: '<' | '<=' | '>' | '>=';
	/** In ms for latencies, a fraction 0..1 for rates, else a plain number. */
	readonly value: number;
};

const latencyMetrics = new Set(['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max']);
const aliases: Readonly<Record<string, ThresholdMetric>> = {
	avg: 'mean',
	med: 'p50',
	median: 'p50',
	'p99.9': 'p999',
	error: 'errors',
	err: 'errors',
	'error-rate': 'error_rate',
	'pass-rate': 'pass',
	pass_rate: 'pass',
	check: 'checks',
	rate: 'rps',
	throughput: 'rps',
};

/** Parses one threshold; throws an Error whose message says what is expected. */
export function parseThreshold(text: string): Threshold {
	const expression = text.trim();
	const match = /^(?:(.+?):)?\s*([a-z][\w.-]*)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|us|µs|s|%)?$/i.exec(expression);
	const expected = 'expected METRIC<VALUE such as p99<300ms, p95<1s, errors<1%, rps>500 (metrics: p50 p90 p95 p99 p99.9 min mean max errors error_rate pass checks rps requests)';
	if (!match) {
		throw new Error(`"${expression}": ${expected}`);
	}

	const [, endpoint, rawMetric, operator, rawValue, unit] = match;
	const name = rawMetric!.toLowerCase();
	const metric = (aliases[name] ?? name) as ThresholdMetric;
	let value = Number(rawValue);
	if (latencyMetrics.has(metric)) {
		if (unit === '%') throw new Error(`"${expression}": a latency takes ms, s or us, e.g. ${metric}<300ms`);
		value = unit === 's' ? value * 1000 : (unit === 'us' || unit === 'µs' ? value / 1000 : value);
	} else if (metric === 'error_rate' || metric === 'pass' || metric === 'checks' || (metric === 'errors' && unit === '%')) {
		// Rates are percentages whether or not the `%` is written: pass>99 is pass>99%.
		if (unit !== undefined && unit !== '%') throw new Error(`"${expression}": ${metric} takes a percentage, e.g. ${metric}<1%`);
		if (value > 100) throw new Error(`"${expression}": ${metric} is a percentage from 0 to 100`);
		value /= 100;
	} else if (metric === 'errors' || metric === 'rps' || metric === 'requests') {
		if (unit !== undefined) throw new Error(`"${expression}": ${metric} takes a plain number or a percentage for errors, e.g. rps>500`);
	} else {
		throw new Error(`"${expression}": unknown metric "${rawMetric}"; ${expected}`);
	}

	return {expression, endpoint: endpoint?.trim() || undefined, metric: metric === 'errors' && unit === '%' ? 'error_rate' : metric, operator: operator as Threshold['operator'], value};
}

/** The figures a threshold is checked against (latency in ms). */
export type ThresholdFigures = {
	/** Finished attempts (responses + errors). */
	readonly requests: number;
	readonly errors: number;
	/** Requests still in flight when the run ended: failures for every rate and count of errors. */
	readonly incomplete: number;
	readonly rps: number;
	/** 0..1 over requests + incomplete; null when nothing was sent. */
	readonly passRate: number | null;
	/** 0..1: checked responses that passed every response check; null when none was checked (absent: none). */
	readonly checksPassRate?: number | null;
	/**
	 * Latency of responses, with the age of incomplete requests as a lower bound of theirs;
	 * undefined when there was neither (no data).
	 */
	readonly latencyMs: Readonly<Record<'min' | 'mean' | 'p50' | 'p90' | 'p95' | 'p99' | 'p999' | 'max', number>> | undefined;
};

/** The unit of a threshold's value and actual figure. */
export type ThresholdUnit = 'ms' | '%' | 'count' | 'req/s';

export type ThresholdOutcome = {
	readonly expression: string;
	readonly endpoint?: string;
	/** In `unit`; null when the metric had no data (which fails the threshold). */
	readonly actual: number | null;
	readonly unit: ThresholdUnit;
	readonly passed: boolean;
	/** Why the figure is what it is: "no data", or how many incomplete requests it includes. */
	readonly note?: string;
};

/** The unit a metric is given and reported in: rates are percentages, with or without `%`. */
export function metricUnit(metric: ThresholdMetric): ThresholdUnit {
	if (latencyMetrics.has(metric)) return 'ms';
	if (metric === 'pass' || metric === 'error_rate' || metric === 'checks') return '%';
	return metric === 'rps' ? 'req/s' : 'count';
}

/** The actual value of a metric, in the threshold's units (rates as fractions 0..1); null without data. */
export function actualValue(metric: ThresholdMetric, figures: ThresholdFigures): number | null {
	const sent = figures.requests + figures.incomplete;
	switch (metric) {
		case 'errors': {
			return figures.errors + figures.incomplete;
		}

		case 'error_rate': {
			return sent > 0 ? (figures.errors + figures.incomplete) / sent : null;
		}

		case 'pass': {
			return figures.passRate;
		}

		case 'checks': {
			return figures.checksPassRate ?? null;
		}

		case 'rps': {
			return figures.rps;
		}

		case 'requests': {
			return figures.requests;
		}

		default: {
			return figures.latencyMs === undefined ? null : figures.latencyMs[metric];
		}
	}
}

export function compare(actual: number, operator: Threshold['operator'], value: number): boolean {
	switch (operator) {
		case '<': {
			return actual < value;
		}

		case '<=': {
			return actual <= value;
		}

		case '>': {
			return actual > value;
		}

		case '>=': {
			return actual >= value;
		}
	}
}

/**
 * Evaluates a threshold against the figures of the whole run or of its endpoint. A metric with no
 * data (no request sent, no latency measured) fails: a dead target never passes.
 */
export function evaluateThreshold(threshold: Threshold, figures: ThresholdFigures): ThresholdOutcome {
	const actual = actualValue(threshold.metric, figures);
	const unit = metricUnit(threshold.metric);
	const base = {expression: threshold.expression, ...(threshold.endpoint === undefined ? {} : {endpoint: threshold.endpoint}), unit};
	if (actual === null) {
		return {...base, actual: null, passed: false, note: 'no data'};
	}

	const shown = unit === '%' ? actual * 100 : actual;
	const includesIncomplete = figures.incomplete > 0 && threshold.metric !== 'checks' && (unit === 'ms' || threshold.metric === 'errors' || unit === '%');
	return {
		...base,
		actual: Math.round(shown * 1e6) / 1e6,
		passed: compare(actual, threshold.operator, threshold.value),
		...(includesIncomplete ? {note: `includes ${figures.incomplete} incomplete`} : {}),
	};
}
