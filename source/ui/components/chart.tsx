import * as asciichart from 'asciichart';
import {Box, Text} from 'ink';
import {compact} from '../format.js';
import {chartLabelColumns} from '../state/layout.js';
import {useTheme, type Colour} from '../theme.js';

type Props = {
	readonly title: string;
	/** One or two series of equal length, oldest first. */
	readonly series: ReadonlyArray<readonly number[]>;
	/** asciichart height: the plot is height + 1 lines. */
	readonly height: number;
	readonly width: number;
	readonly unit: 'rate' | 'ms';
	/** Marker letters under the time axis, one cell per point. */
	readonly markers: string;
	/** Legend per series, shown in the title line. */
	readonly legend?: readonly string[];
};

const asciiColours: Readonly<Record<Colour, string>> = {
	green: asciichart.green,
	red: asciichart.red,
	yellow: asciichart.yellow,
	cyan: asciichart.cyan,
	magenta: asciichart.magenta,
	blue: asciichart.blue,
	gray: asciichart.darkgray,
	white: asciichart.white,
};

/** A 7-character y label: `12.3k` for rates, `12.3` (ms) or `1.2s` for latencies. */
export function axisLabel(value: number, unit: 'rate' | 'ms'): string {
	// asciichart's bottom label can come out a hair below zero (-1e-13, from its own arithmetic),
	// which read "-0.00" on the requests/s axis; neither axis goes below zero.
	value = Math.max(0, value);
	let text: string;
	if (unit === 'rate') {
		text = compact(value);
	} else if (value >= 1000) {
		text = `${(value / 1000).toFixed(1)}s`;
	} else {
		text = value >= 100 ? value.toFixed(0) : value.toFixed(value >= 10 ? 1 : 2);
	}

	return text.padStart(chartLabelColumns - 2).slice(-(chartLabelColumns - 2));
}

/**
 * The plot lines (asciichart), never collapsing to one line for flat or empty data. Latencies are
 * drawn on a log scale (at least one decade), so p50 and p99 both show when they are far apart.
 */
export function plotLines(series: ReadonlyArray<readonly number[]>, height: number, unit: 'rate' | 'ms', colours?: ReadonlyArray<string | undefined>): string[] {
	const data = series.map(values => (values.length === 0 ? [0] : [...values]));
	const colourOption = colours && colours.some(Boolean) ? {colors: [...colours]} : {};
	if (unit === 'rate') {
		return asciichart.plot(data.length === 1 ? data[0]! : data, {height, min: 0, max: Math.max(1, ...data.flat()), format: value => axisLabel(value, unit), ...colourOption}).split('\n');
	}

	const positive = data.flat().filter(value => value > 0);
	const floor = positive.length > 0 ? Math.min(...positive) : 0.01;
	const logs = data.map(values => values.map(value => Math.log10(Math.max(value, floor))));
	const min = Math.log10(floor);
	const max = Math.max(min + 1, ...logs.flat());
	return asciichart.plot(logs.length === 1 ? logs[0]! : logs, {height, min, max, format: value => axisLabel(10 ** value, unit), ...colourOption}).split('\n');
}

/** A live chart: title with legend, plot, and the marker row aligned under the time axis. */
export default function Chart({title, series, height, width, unit, markers, legend = []}: Props) {
	const theme = useTheme();
	const colours = theme.colour ? theme.series.map(colour => (colour ? asciiColours[colour] : undefined)) : undefined;
	const lines = plotLines(series, height, unit, colours);
	return (
		<Box flexDirection="column" width={width}>
			<Text wrap="truncate">
				<Text bold>{title}</Text>
				{legend.map((name, index) => (
					<Text key={name} color={theme.series[index]}>{`  ━ ${name}`}</Text>
				))}
			</Text>
			{lines.map((line, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} wrap="truncate">{line}</Text>
			))}
			<Text wrap="truncate" color={theme.warn}>{' '.repeat(chartLabelColumns) + markers}</Text>
		</Box>
	);
}
