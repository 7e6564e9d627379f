/** Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for the HTML report tests. */
import {existsSync} from 'node:fs';
import {pathToFileURL} from 'node:url';
import {chromium, type Browser, type BrowserContext, type Page} from 'playwright-core';

export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** No GPU, no QUIC and no background traffic: the only requests left are the page's own. */
export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches Chromium; fails (never skips) with a clear message when it is not installed. */
export async function launchChromium(): Promise<Browser> {
	if (!existsSync(chromiumPath)) {
		throw new Error(`Chromium is missing at ${chromiumPath}. The HTML report tests need a real browser: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH.`);
	}

	return chromium.launch({executablePath: chromiumPath, args: chromiumArgs});
}

/** What a page did while it loaded: every request, console error, uncaught error and dialog. */
export type PageLog = {
	readonly requests: string[];
	readonly consoleErrors: string[];
	readonly pageErrors: string[];
	readonly dialogs: string[];
};

/** Opens a local file by file:// URL, recording everything the page does. */
export async function openFile(context: BrowserContext, filePath: string): Promise<{page: Page; log: PageLog; url: string}> {
	const page = await context.newPage();
	const log: PageLog = {requests: [], consoleErrors: [], pageErrors: [], dialogs: []};
	page.on('request', request => {
		log.requests.push(request.url());
	});
	page.on('console', message => {
		if (message.type() === 'error' || message.type() === 'warning') {
			log.consoleErrors.push(`${message.type()}: ${message.text()}`);
		}
	});
	page.on('pageerror', error => {
		log.pageErrors.push(error.message);
	});
	page.on('dialog', dialog => {
		log.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
		void dialog.dismiss();
	});
	const url = pathToFileURL(filePath).href;
	await page.goto(url, {waitUntil: 'load'});
	return {page, log, url};
}
