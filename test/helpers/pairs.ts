import {createHistogram} from '../../source/stats/histogram.js';
import {addPairs, type LatencyPairs} from '../../source/stats/latency-counts.js';

/** The largest value in a snapshot's histogram pairs (added up as the aggregator does), ms; 0 when there are none. */
export function maxOfPairsMs(pairs: LatencyPairs | undefined): number {
	const histogram = createHistogram();
	if (pairs !== undefined) addPairs(histogram, pairs);
	return histogram.maxValue / 1000;
}
