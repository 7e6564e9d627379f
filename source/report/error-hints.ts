/** What to tell a user about each error kind (see engine/errors classifyError). */
export const errorHints: Readonly<Record<string, string>> = {
	timeout: 'No complete response within timeout_ms: the target is overloaded or the timeout is too short.',
	refused: 'Connection refused: is the target running and listening on that port?',
	reset: 'The target closed or reset the connection (crash, proxy limit or keep-alive timeout).',
	tls: 'The TLS handshake failed; for a self-signed certificate set "verify_tls": false.',
	dns: 'The host name did not resolve.',
	closed: 'Connection closed by the load generator (at stop or after a timeout).',
	protocol: 'The response was not valid HTTP/1.1 (or switched protocols); check the target with --single-request.',
	other: 'Unexpected error; run with fewer connections to see whether it persists.',
};
