/**
 * Response check counts (see config/checks.ts): of the responses of endpoints with checks, how
 * many passed every check and how many failed one or more, and by check name how many failed that
 * check. A response that fails a check is still a response (its status counts as always).
 */
export type CheckCounts = {
	/** Responses that passed every check of their endpoint. */
	readonly passed: number;
	/** Responses that failed at least one check. */
	readonly failed: number;
	/** Failures by check name ("status", "body_contains", "json $.ok", "header content-type", "max_body_bytes"); 0 for a check that never failed. */
	readonly byName: Readonly<Record<string, number>>;
};

export type MutableCheckCounts = {passed: number; failed: number; byName: Record<string, number>};

/** Adds `source` into `target` (made when undefined); returns the target. */
export function addCheckCounts(target: MutableCheckCounts | undefined, source: CheckCounts | undefined): MutableCheckCounts | undefined {
	if (source === undefined) {
		return target;
	}

	const sum = target ?? {passed: 0, failed: 0, byName: {}};
	sum.passed += source.passed;
	sum.failed += source.failed;
	for (const [name, count] of Object.entries(source.byName)) {
		sum.byName[name] = (sum.byName[name] ?? 0) + count;
	}

	return sum;
}

/** Share of checked responses that passed every check, 0..1; null when no response was checked. */
export function checksPassRate(counts: Pick<CheckCounts, 'passed' | 'failed'> | undefined): number | null {
	const checked = counts === undefined ? 0 : counts.passed + counts.failed;
	return checked === 0 ? null : counts!.passed / checked;
}

/** A copy with the names sorted (stable report output). */
export function sortedCheckCounts(counts: CheckCounts): CheckCounts {
	return {passed: counts.passed, failed: counts.failed, byName: Object.fromEntries(Object.entries(counts.byName).sort(([a], [b]) => a.localeCompare(b)))};
}
