/**
 * `--fail-on` gates for `compare`, such as `p99>+10%`, `rps<-5%`, `errors>+0.5pp`, `checks<-0.5pp`, `p50>+2ms`,
 * optionally for one endpoint (`checkout:p99>+10%`). A gate fails when the change crosses it AND
 * the change is significant. Pure: parse, then evaluate against the comparison's rows.
 */
import type {CompareMetric, CompareRow} from './compare-types.js';

export type Gate = {
	readonly expression: string;
	readonly endpoint: string | undefined;
	readonly metric: CompareMetric;
	readonly operator: '<' | '<=' | '>' | '>=';
	/** A fraction for `%` and `pp` (0.1 is 10% or 10 pp), ms for a latency in ms, s or us, req/s for a plain rps. */
	readonly value: number;
	/** What `value` is compared with: the relative change, the difference of rates, the difference in ms, or in req/s. */
	readonly kind: 'relative' | 'points' | 'ms' | 'rps';
};

const aliases: Readonly<Record<string, CompareMetric>> = {
	avg: 'mean', med: 'p50', median: 'p50', 'p99.9': 'p999', error: 'errors', err: 'errors', error_rate: 'errors', 'error-rate': 'errors', throughput: 'rps', rate: 'rps', check: 'checks',
};
const latency = new Set(['mean', 'p50', 'p90', 'p99', 'p999']);
const expected = 'expected METRIC>CHANGE such as p99>+10%, p50>+2ms, rps<-5%, errors>+0.5pp, checks<-0.5pp, optionally ENDPOINT:p99>+10% (metrics: p50 p90 p99 p99.9 mean rps errors checks)';

/** Parses one gate; throws an Error whose message names the expression and says what is expected. */
export function parseGate(text: string): Gate {
	const expression = text.trim();
	const match = /^(?:(.+?):)?\s*([a-z][\w.-]*)\s*(<=|>=|<|>)\s*([+-]?\d+(?:\.\d+)?)\s*(%|pp|ms|us|µs|s)?$/i.exec(expression);
	if (!match) throw new Error(`"${expression}": ${expected}`);
	const [, endpoint, rawMetric, operator, rawValue, rawUnit] = match;
	const name = rawMetric!.toLowerCase();
	const metric = (aliases[name] ?? name) as CompareMetric;
	const unit = rawUnit?.toLowerCase();
	const value = Number(rawValue);
	const gate = {expression, endpoint: endpoint?.trim() || undefined, metric, operator: operator as Gate['operator']};
	if (metric === 'min' || metric === 'max') throw new Error(`"${expression}": ${metric} is a single sample and is not tested for significance; gate on p99.9 or p99 instead`);
	if (metric === 'pass') throw new Error(`"${expression}": the pass rate has no per-second figure to test; gate on errors instead, e.g. errors>+0.5pp`);
	if (latency.has(metric)) {
		if (unit === '%') return {...gate, value: value / 100, kind: 'relative'};
		if (unit === 'ms' || unit === 's' || unit === 'us' || unit === 'µs') return {...gate, value: unit === 's' ? value * 1000 : (unit === 'ms' ? value : value / 1000), kind: 'ms'};
		throw new Error(`"${expression}": a latency change takes % or a time, e.g. ${metric}>+10% or ${metric}>+2ms`);
	}

	if (metric === 'rps') {
		if (unit === '%') return {...gate, value: value / 100, kind: 'relative'};
		if (unit === undefined) return {...gate, value, kind: 'rps'};
		throw new Error(`"${expression}": rps takes % or a plain number of req/s, e.g. rps<-5%`);
	}

	if (metric === 'errors') {
		if (unit === 'pp') return {...gate, value: value / 100, kind: 'points'};
		throw new Error(`"${expression}": the error rate changes in percentage points, e.g. errors>+0.5pp`);
	}

	if (metric === 'checks') {
		// The share of checked responses that passed every check, as the threshold checks>99%: a fall is worse.
		if (unit === 'pp') return {...gate, value: value / 100, kind: 'points'};
		throw new Error(`"${expression}": the checks pass rate changes in percentage points, e.g. checks<-0.5pp`);
	}

	throw new Error(`"${expression}": unknown metric "${rawMetric}"; ${expected}`);
}

export type GateOutcome = {
	readonly gate: Gate;
	/** The row checked: the corrected latency in the open model; undefined when no row matched. */
	readonly row: CompareRow | undefined;
	/** The change in the gate's kind (a fraction, ms or req/s); null without data. */
	readonly change: number | null;
	/** The change crossed the gate. */
	readonly crossed: boolean;
	/** Crossed and significant, or no figure in the new run where the base had one: this gate fails the comparison. */
	readonly failed: boolean;
};

function holds(left: number, operator: Gate['operator'], right: number): boolean {
	switch (operator) {
		case '<': {
			return left < right;
		}

		case '<=': {
			return left <= right;
		}

		case '>': {
			return left > right;
		}

		case '>=': {
			return left >= right;
		}
	}
}

/** Checks a gate against the rows (a latency gate uses the corrected row when there is one, as thresholds do). */
export function evaluateGate(gate: Gate, rows: readonly CompareRow[]): GateOutcome {
	// With one endpoint there are only the whole run's rows: they are that endpoint's.
	const single = rows.every(row => row.endpoint === null);
	const matching = rows.filter(row => row.metric === gate.metric && row.endpoint === (single ? null : (gate.endpoint ?? null)));
	const row = matching.find(candidate => candidate.corrected) ?? matching[0];
	if (!row || row.change === null || row.base === null || row.next === null) {
		// As with thresholds, a dead target never passes: no figure in the new run where the base had one fails.
		const lost = row !== undefined && row.base !== null && row.next === null;
		return {gate, row, change: null, crossed: lost, failed: lost};
	}

	const change = gate.kind === 'ms' || gate.kind === 'rps' ? row.next - row.base : row.change;
	const crossed = holds(change, gate.operator, gate.value);
	return {gate, row, change, crossed, failed: crossed && row.verdict === 'significant'};
}
