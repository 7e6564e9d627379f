import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A benchmark target: nginx (one worker, pinned) when installed, else the demo server in a child process. */
export type BenchTarget = {
	readonly url: string;
	readonly kind: 'nginx' | 'demo';
	/** Requests the target has handled so far. */
	served(): Promise<number>;
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

export function nginxPath(): string | undefined {
	return ['/usr/sbin/nginx', '/usr/bin/nginx'].find(candidate => existsSync(candidate));
}

export function pin(core: number, command: string, args: readonly string[]): [string, string[]] {
	const taskset = spawnSync('taskset', ['-c', String(core), 'true']).status === 0;
	return taskset ? ['taskset', ['-c', String(core), command, ...args]] : [command, [...args]];
}

export async function startBenchTarget(core: number): Promise<BenchTarget> {
	const nginx = nginxPath();
	const port = await freePort();
	let child: ChildProcess;
	let kind: BenchTarget['kind'];
	if (nginx) {
		const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-nginx-'));
		writeFileSync(path.join(directory, 'nginx.conf'), `
worker_processes 1;
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
	const url = `http://127.0.0.1:${port}`;
	return {
		url: `${url}/`,
		kind,
		async served() {
			if (kind === 'nginx') {
				const text = await (await fetch(`${url}/nginx_status`)).text();
				// "server accepts handled requests\n 1 1 5" -> requests, minus this status request itself.
				const numbers = /\n\s*(\d+)\s+(\d+)\s+(\d+)/.exec(text);
				return Number(numbers?.[3] ?? 0) - 1;
			}

			const stats = await (await fetch(`${url}/stats`)).json() as Record<string, number>;
			return stats['/'] ?? 0;
		},
		stop() {
			child.kill('SIGTERM');
		},
	};
}
