/** What to tell a user about each error kind (see engine/errors classifyError). */
export const errorHints: Readonly<Record<string, string>> = {
	timeout: 'No complete response within timeout_ms: the target is overloaded or the timeout is too short.',
	refused: 'Connection refused: is the target running and listening on that port (or the proxy, when one is used)?',
	reset: 'The target closed or reset the connection (crash, proxy limit or keep-alive timeout).',
	tls: 'The TLS handshake failed; for a self-signed certificate set "verify_tls": false.',
	dns: 'The host name did not resolve.',
	closed: 'Connection closed by the load generator (at stop or after a timeout).',
	protocol: 'The response was not valid HTTP/1.1 (or switched protocols); check the target with --single-request.',
	'fd-limit': 'Out of file descriptors (EMFILE/ENFILE): every connection holds one. Raise the limit ("ulimit -n 65536" in the shell that starts the test) or use fewer connections.',
	proxy: 'The HTTP proxy could not be reached, refused the CONNECT tunnel (502/504: it could not reach the target; 403: it does not allow it) or closed it before answering. Check --proxy, HTTP_PROXY/HTTPS_PROXY and NO_PROXY.',
	'proxy-auth': 'The HTTP proxy wants credentials (407 Proxy Authentication Required): give them in the proxy URL, http://user:password@host:port (or check the ones given).',
	other: 'Unexpected error; run with fewer connections to see whether it persists.',
};

/** What to tell a user about each connection event (see engine/errors ConnectionEventKind). */
export const connectionEventHints: Readonly<Record<string, string>> = {
	'unsolicited-bytes': 'The server sent bytes no request asked for (a body on HEAD/204/304, more than Content-Length, a second response): the response before them counted, the connection was closed. A framing bug in the server or a proxy.',
	'connection-opened': 'Keep-alive is off: a new connection for every request, its connect (and TLS handshake) inside the latency. As many as the requests sent (retries included).',
	'stale-connection': 'The server closed an idle keep-alive connection as a request went out; the request was sent again on a new connection (not an error). Lower the client idle time or raise the server keep-alive timeout.',
	'refused-stream': 'HTTP/2: the server refused a stream before processing it (more streams at once than its SETTINGS_MAX_CONCURRENT_STREAMS, or past a GOAWAY); the request was sent again (not an error). A session\'s first streams go out before the server\'s limit is known; many of these: lower --streams to that limit.',
};
