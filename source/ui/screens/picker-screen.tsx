import {Box, Text} from 'ink';
import TextPrompt from '../components/text-prompt.js';
import {truncate} from '../format.js';
import {kindLabels, previewLines, type Candidate} from '../state/candidate.js';
import {selectedItem, visibleItems, type PickerState} from '../state/picker-state.js';
import {useTheme} from '../theme.js';

type Props = {
	readonly picker: PickerState;
	readonly width: number;
	/** Lines this screen may use. */
	readonly lines: number;
};

/** The window of `count` items around the cursor. */
export function scrollWindow(total: number, cursor: number, count: number): {start: number; end: number} {
	if (total <= count) return {start: 0, end: total};
	const start = Math.min(Math.max(0, cursor - Math.floor(count / 2)), total - count);
	return {start, end: start + count};
}

type ItemProps = {
	readonly item: Candidate;
	readonly selected: boolean;
	readonly width: number;
};

function ItemLine({item, selected, width}: ItemProps) {
	const theme = useTheme();
	const mark = item.choice.ok ? ' ' : '✗';
	const kind = `[${kindLabels[item.kind]}]`.padEnd(10);
	const text = truncate(`${selected ? '›' : ' '} ${mark} ${kind}${item.label}  `, width);
	return (
		<Text wrap="truncate" inverse={selected} color={item.choice.ok ? undefined : theme.error}>
			{text}
			<Text color={theme.muted}>{truncate(item.detail, Math.max(0, width - text.length))}</Text>
		</Text>
	);
}

/** Saved profiles, recent runs and config files, with a preview of the one under the cursor. */
export default function PickerScreen({picker, width, lines}: Props) {
	const theme = useTheme();
	const items = visibleItems(picker);
	const selected = selectedItem(picker);
	const sideBySide = width >= 100;
	const listWidth = sideBySide ? Math.floor(width * 0.5) : width;
	const previewWidth = sideBySide ? width - listWidth - 1 : width;
	const noticeLines = picker.notices.slice(0, 6);
	// Title, the "… more" line, notices, and the text field when typing.
	const chrome = 2 + noticeLines.length + (picker.mode === 'list' ? 0 : 3);
	const previewMax = sideBySide ? Math.max(3, lines - chrome) : Math.min(8, Math.max(3, Math.floor((lines - chrome) / 2)));
	const preview = selected ? previewLines(selected, previewMax) : [];
	const listRows = Math.max(3, lines - chrome - (sideBySide ? 0 : preview.length + 1));
	const {start, end} = scrollWindow(items.length, picker.cursor, listRows);
	return (
		<Box flexDirection="column" width={width}>
			<Text bold>
				{'Choose a config'}
				<Text color={theme.muted}>{picker.filter === '' ? `  (${items.length})` : `  filter "${picker.filter}": ${items.length} of ${picker.items.length}`}</Text>
			</Text>
			{noticeLines.map(line => (
				<Text key={line} wrap="truncate" color={theme.error}>{line}</Text>
			))}
			{picker.mode === 'filter' ? <TextPrompt label="Filter:" text={picker.filter} width={width} /> : undefined}
			{picker.mode === 'url' ? <TextPrompt label="URL:" text={picker.urlText} hint="a loopback or test target, e.g. http://127.0.0.1:8787/" width={width} /> : undefined}
			<Box flexDirection={sideBySide ? 'row' : 'column'}>
				<Box flexDirection="column" width={listWidth}>
					{items.length === 0 ? <Text color={theme.muted}>{picker.items.length === 0 ? 'No configs found: press u to type a URL, or pass --config FILE.' : 'Nothing matches the filter (Esc clears it).'}</Text> : undefined}
					{items.slice(start, end).map((item, index) => (
						<ItemLine key={item.id} item={item} selected={start + index === picker.cursor} width={listWidth} />
					))}
					{end < items.length ? <Text color={theme.muted}>{`  … ${items.length - end} more`}</Text> : undefined}
				</Box>
				{selected ? (
					<Box flexDirection="column" width={previewWidth} marginLeft={sideBySide ? 1 : 0} marginTop={sideBySide ? 0 : 1}>
						{preview.map((line, index) => (
							// eslint-disable-next-line react/no-array-index-key
							<Text key={index} wrap={selected.choice.ok ? 'truncate' : 'wrap'} color={selected.choice.ok ? (index === 0 ? theme.accent : undefined) : theme.error}>{line}</Text>
						))}
					</Box>
				) : undefined}
			</Box>
		</Box>
	);
}
