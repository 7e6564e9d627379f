import {spawn, type ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {childPids, pin, processCpuS} from './process.js';

/** A benchmark target: nginx (one worker, pinned) when installed, else the demo server in a child process. */
export type BenchTarget = {
	/** The small response ("ok"). */
	readonly url: string;
	/** nginx only: a file of random bytes (startBenchTarget's `bodyBytes`, 1 MiB unless asked otherwise), served from disk. */
	readonly bodyUrl?: string;
	/** nginx only, when asked for: the same file sent chunked, as one chunk (no Content-Length). */
	readonly chunkedBodyUrl?: string;
	readonly kind: 'nginx' | 'demo' | 'slow';
	/** Load requests the target has handled so far (its own status requests left out). */
	served(): Promise<number>;
	/** CPU time (user + system) the serving process has used so far, seconds: nginx's worker, else the server's whole process. */
	cpuS(): number;
	stop(): void;
};

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => {
				resolve(port);
			});
		});
		server.on('error', reject);
	});
}

async function waitForPort(port: number): Promise<void> {
	const deadline = Date.now() + 10_000;
	while (Date.now() < deadline) {
		// eslint-disable-next-line no-await-in-loop
		const open = await new Promise<boolean>(resolve => {
			const socket = net.connect(port, '127.0.0.1', () => {
				socket.end();
				resolve(true);
			});
			socket.on('error', () => {
				resolve(false);
			});
		});
		if (open) return;
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => setTimeout(resolve, 50));
	}

	throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** The first child of `pid` (nginx's worker), waiting for the master to fork it. */
async function firstChild(pid: number): Promise<number> {
	const deadline = Date.now() + 10_000;
	while (Date.now() < deadline) {
		const [worker] = childPids(pid);
		if (worker !== undefined) return worker;
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => setTimeout(resolve, 20));
	}

	throw new Error(`nginx (pid ${pid}) started no worker`);
}

export function nginxPath(): string | undefined {
	return ['/usr/sbin/nginx', '/usr/bin/nginx'].find(candidate => existsSync(candidate));
}

/**
 * `chunked`: nginx also serves the body file chunked, at /body-chunked. The addition filter (an
 * empty file added before the body) takes its Content-Length away, so nginx frames the file as one
 * chunk of its size and still sends it with sendfile, as /body does. (Added after the body instead,
 * the empty file left the last chunk's few bytes corked for about 200 ms after each response.)
 */
export async function startBenchTarget(core: number, bodyBytes = 1024 * 1024, chunked = false): Promise<BenchTarget> {
	const nginx = nginxPath();
	const port = await freePort();
	let child: ChildProcess;
	let kind: BenchTarget['kind'];
	if (nginx) {
		const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-nginx-'));
		// Started as root, nginx's worker runs as nobody: it must be able to read the body file.
		chmodSync(directory, 0o755);
		mkdirSync(path.join(directory, 'www'), {mode: 0o755});
		writeFileSync(path.join(directory, 'www', 'body.bin'), randomBytes(bodyBytes), {mode: 0o644});
		if (chunked) writeFileSync(path.join(directory, 'www', 'empty.bin'), '', {mode: 0o644});
		const chunkedLocations = chunked ? `
		location = /body-chunked { alias ${directory}/www/body.bin; default_type application/octet-stream; sendfile on; tcp_nopush on; addition_types *; add_before_body /empty; }
		location = /empty { alias ${directory}/www/empty.bin; }` : '';
		writeFileSync(path.join(directory, 'nginx.conf'), `
worker_processes 1;
worker_rlimit_nofile 65536;
daemon off;
pid ${directory}/nginx.pid;
error_log ${directory}/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	keepalive_requests 10000000;
	keepalive_timeout 120s;
	client_body_temp_path ${directory}/body;
	proxy_temp_path ${directory}/proxy;
	fastcgi_temp_path ${directory}/fastcgi;
	uwsgi_temp_path ${directory}/uwsgi;
	scgi_temp_path ${directory}/scgi;
	server {
		listen 127.0.0.1:${port};
		location = /nginx_status { stub_status; }
		location / { default_type text/plain; return 200 "ok"; }
		location = /body { alias ${directory}/www/body.bin; default_type application/octet-stream; sendfile on; tcp_nopush on; }${chunkedLocations}
	}
}
`);
		const [command, args] = pin(core, nginx, ['-p', directory, '-c', path.join(directory, 'nginx.conf')]);
		child = spawn(command, args, {stdio: 'inherit'});
		kind = 'nginx';
	} else {
		const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
		const [command, args] = pin(core, process.execPath, [cli, 'demo-server', '--port', String(port)]);
		child = spawn(command, args, {stdio: 'ignore'});
		kind = 'demo';
	}

	await waitForPort(port);
	// taskset execs the server, so the child is nginx's master (or the demo server); nginx serves from its one worker.
	const servingPid = kind === 'nginx' ? await firstChild(child.pid!) : child.pid!;
	const url = `http://127.0.0.1:${port}`;
	let statusRequests = 0;
	return {
		url: `${url}/`,
		...(kind === 'nginx' ? {bodyUrl: `${url}/body`, ...(chunked ? {chunkedBodyUrl: `${url}/body-chunked`} : {})} : {}),
		kind,
		cpuS: () => processCpuS(servingPid),
		async served() {
			if (kind === 'nginx') {
				statusRequests++;
				const text = await (await fetch(`${url}/nginx_status`)).text();
				// "server accepts handled requests\n 1 1 5" -> requests, less the status requests (this one included).
				const numbers = /\n\s*(\d+)\s+(\d+)\s+(\d+)/.exec(text);
				return Number(numbers?.[3] ?? 0) - statusRequests;
			}

			const stats = await (await fetch(`${url}/stats`)).json() as Record<string, number>;
			return stats['/'] ?? 0;
		},
		stop() {
			child.kill('SIGTERM');
		},
	};
}
