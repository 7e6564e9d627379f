const units: Readonly<Record<string, number>> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000};

/**
 * Parses a duration: a number of seconds (`30`, `1.5`) or a number with a unit (`500ms`, `30s`,
 * `2m`, `1h`, `1m30s`). Returns milliseconds, or undefined when the text is not a duration.
 */
export function parseDurationMs(value: string | number): number | undefined {
	if (typeof value === 'number') {
		return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
	}

	const text = value.trim();
	if (/^\d+(\.\d+)?$/.test(text)) {
		return Math.round(Number(text) * 1000);
	}

	const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
	if (parts.length === 0 || parts.map(part => part[0]).join('') !== text) {
		return undefined;
	}

	let total = 0;
	for (const part of parts) {
		total += Number(part[1]) * units[part[2]!]!;
	}

	return Math.round(total);
}

/** Formats milliseconds as a short duration: `45s`, `2m 5s`, `1h 2m`. */
export function formatDuration(ms: number): string {
	const totalSeconds = Math.max(0, Math.round(ms / 1000));
	const hours = Math.floor(totalSeconds / 3600);
	const minutes = Math.floor((totalSeconds % 3600) / 60);
	const seconds = totalSeconds % 60;
	if (hours > 0) {
		return `${hours}h ${minutes}m`;
	}

	return minutes > 0 ? `${minutes}m ${seconds}s` : `${seconds}s`;
}
