/**
 * Pass/fail criteria such as `p99<300ms`, `p95<1s`, `errors<1%`, `rps>500`, optionally for one
 * endpoint (`checkout:p99<300ms`). Pure: parse, then evaluate against plain figures.
 */

/** What a threshold can measure. Latencies in ms; `errors` as a rate with `%`, else a count. */
export type ThresholdMetric = 'min' | 'mean' | 'p50' | 'p90' | 'p95' | 'p99' | 'p999' | 'max' | 'errors' | 'error_rate' | 'pass' | 'rps' | 'requests';

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
	rate: 'rps',
	throughput: 'rps',
};

/** Parses one threshold; throws an Error whose message says what is expected. */
export function parseThreshold(text: string): Threshold {
	const expression = text.trim();
	const match = /^(?:(.+?):)?\s*([a-z][\w.-]*)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|us|µs|s|%)?$/i.exec(expression);
	const expected = 'expected METRIC<VALUE such as p99<300ms, p95<1s, errors<1%, rps>500 (metrics: p50 p90 p95 p99 p99.9 min mean max errors error_rate pass rps requests)';
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
	} else if (metric === 'error_rate' || metric === 'pass' || (metric === 'errors' && unit === '%')) {
		if (unit !== undefined && unit !== '%') throw new Error(`"${expression}": ${metric} takes a percentage, e.g. ${metric}<1%`);
		value = unit === '%' ? value / 100 : value;
	} else if (metric === 'errors' || metric === 'rps' || metric === 'requests') {
		if (unit !== undefined) throw new Error(`"${expression}": ${metric} takes a plain number or a percentage for errors, e.g. rps>500`);
	} else {
		throw new Error(`"${expression}": unknown metric "${rawMetric}"; ${expected}`);
	}

	return {expression, endpoint: endpoint?.trim() || undefined, metric: metric === 'errors' && unit === '%' ? 'error_rate' : metric, operator: operator as Threshold['operator'], value};
}

/** The figures a threshold is checked against (latency in ms). */
export type ThresholdFigures = {
	readonly requests: number;
	readonly errors: number;
	readonly rps: number;
	readonly passRate: number;
	readonly latencyMs: Readonly<Record<'min' | 'mean' | 'p50' | 'p90' | 'p95' | 'p99' | 'p999' | 'max', number>>;
};

export type ThresholdOutcome = {
	readonly expression: string;
	readonly endpoint?: string;
	readonly actual: number;
	readonly passed: boolean;
};

/** The actual value of a metric, in the threshold's units. */
export function actualValue(metric: ThresholdMetric, figures: ThresholdFigures): number {
	switch (metric) {
		case 'errors': {
			return figures.errors;
		}

		case 'error_rate': {
			return figures.requests > 0 ? figures.errors / figures.requests : 0;
		}

		case 'pass': {
			return figures.passRate;
		}

		case 'rps': {
			return figures.rps;
		}

		case 'requests': {
			return figures.requests;
		}

		default: {
			return figures.latencyMs[metric];
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

/** Evaluates a threshold against the figures of the whole run or of its endpoint. */
export function evaluateThreshold(threshold: Threshold, figures: ThresholdFigures): ThresholdOutcome {
	const actual = actualValue(threshold.metric, figures);
	return {
		expression: threshold.expression,
		...(threshold.endpoint === undefined ? {} : {endpoint: threshold.endpoint}),
		actual: Math.round(actual * 1e6) / 1e6,
		passed: compare(actual, threshold.operator, threshold.value),
	};
}
