/** Where `--metrics-listen` serves: a host (loopback by default) and a port (0: any free one). */
export type ListenAddress = {readonly host: string; readonly port: number};

/** What `--metrics-listen` expects, for messages. */
export const listenExpected = 'expected HOST:PORT, PORT or :PORT (loopback unless a host is given; port 0 picks a free one), e.g. 127.0.0.1:9464';

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT` (the host then 127.0.0.1); undefined when
 * it is none of these or the port is not 0..65535.
 */
export function parseListenAddress(text: string): ListenAddress | undefined {
	const match = /^(?:(\[[\da-fA-F:.]+\]|[\w.-]*):)?(\d{1,5})$/.exec(text.trim());
	if (!match) return undefined;
	const port = Number(match[2]);
	if (port > 65_535) return undefined;
	const host = match[1] === undefined || match[1] === '' ? '127.0.0.1' : match[1].replace(/^\[(.*)\]$/, '$1');
	return {host, port};
}
