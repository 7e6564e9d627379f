/** The npm package ships no types: what test/ci-outputs.test.ts reads of its result. */
declare module 'parse-prometheus-text-format' {
	export type ParsedMetric = {
		readonly value?: string;
		readonly labels?: Readonly<Record<string, string>>;
		readonly buckets?: Readonly<Record<string, string>>;
		readonly quantiles?: Readonly<Record<string, string>>;
		readonly count?: string;
		readonly sum?: string;
	};

	export type ParsedFamily = {
		readonly name: string;
		readonly help: string;
		readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
		readonly metrics: readonly ParsedMetric[];
	};

	export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
