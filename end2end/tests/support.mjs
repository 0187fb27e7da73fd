// Shared set-up for the browser tests: Chromium, demo IDs, and page objects.
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
export const STATUSES = ['in_service', 'not_deployed', 'inspection_overdue', 'recall_open', 'suspended', 'scrapped'];

/** The demo IDs the server printed: { in_service: "CN…", …, not_registered: "CN…" }. */
export function demoIds() {
  const ids = {};
  for (const line of readFileSync(process.env.DEMO_IDS, 'utf8').split('\n')) {
    if (line.trim()) {
      const { status, id } = JSON.parse(line);
      ids[status] ??= id;
    }
  }
  return ids;
}

export function grouped(id) {
  return [id.slice(0, 2), id.slice(2, 6), id.slice(6, 12), id.slice(12)].join('·');
}

/** One browser and the demo IDs for a test file: `const t = useBrowser();` then `t.browser`, `t.ids`. */
export function useBrowser() {
  const shared = {};
  before(async () => {
    shared.browser = await launch();
    shared.ids = demoIds();
  });
  after(async () => shared.browser?.close());
  return shared;
}

export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A page that records script errors and CSP violations, so a test can insist on none. */
export async function openPage(browser, { locale = 'en-GB', javaScriptEnabled = true, bypassCSP = false } = {}) {
  const context = await browser.newContext({ locale, javaScriptEnabled, bypassCSP, extraHTTPHeaders: { 'Accept-Language': locale } });
  const page = await context.newPage();
  page.javaScriptEnabled = javaScriptEnabled;
  page.problems = [];
  // Error pages answer 400/404 on purpose; Chromium logs that for the document itself.
  const documents = new Set();
  page.on('response', (r) => {
    if (r.request().resourceType() === 'document') documents.add(r.url());
  });
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (m.text().startsWith('Failed to load resource') && documents.has(m.location().url)) return;
    page.problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  return page;
}

export async function waitForHydration(page) {
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 15000 });
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Serious and critical accessibility violations on the current page. A page opened with
 * JavaScript switched off cannot run axe itself: its document, exactly as the browser has it,
 * is checked in a scripted page of its own (same address base, so its styles load).
 */
export async function seriousViolations(page) {
  if (page.javaScriptEnabled === false) {
    const html = await page.content();
    const context = await page.context().browser().newContext({ bypassCSP: true });
    const copy = await context.newPage();
    const based = html.replace(/<head>/i, `<head><base href="${page.url()}">`);
    await copy.setContent(based, { waitUntil: 'load' });
    copy.javaScriptEnabled = true;
    try {
      return await seriousViolations(copy);
    } finally {
      await context.close();
    }
  }
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Page object for the lookup form, on `/` and on the error pages. */
export class LookupForm {
  constructor(page) {
    this.page = page;
    this.input = page.locator('#robot-id');
    this.error = page.locator('#robot-id-error');
    this.submit = page.locator('form.lookup button[type=submit]');
  }
  async open() {
    await this.page.goto(`${BASE_URL}/`);
  }
  async type(text) {
    await this.input.fill('');
    await this.input.pressSequentially(text, { delay: 5 });
  }
  async paste(text) {
    await this.input.fill(text);
  }
}

/** The demo accounts the server printed, by role: { operator: { email, password, org, robot }, … }. */
export function demoAccounts() {
  const accounts = {};
  for (const line of readFileSync(process.env.DEMO_ACCOUNTS, 'utf8').split('\n')) {
    if (line.trim()) {
      const account = JSON.parse(line);
      accounts[account.role] = account;
    }
  }
  return accounts;
}

/** The demo share codes the server printed: [{ id, code, state }, …]. */
export function demoShareCodes() {
  return readFileSync(process.env.DEMO_SHARE_CODES, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
}

/** The newest message to `address` in the mail folder, its body decoded, waiting for it. */
export async function mailTo(address) {
  const dir = process.env.MAIL_DIR;
  for (let i = 0; i < 100; i++) {
    const files = readdirSync(dir, { withFileTypes: true })
      .filter((f) => f.name.endsWith('.eml'))
      .map((f) => join(dir, f.name))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    for (const f of files) {
      const raw = readFileSync(f, 'utf8');
      if (!raw.includes(address)) continue;
      const split = raw.search(/\r?\n\r?\n/);
      const head = raw.slice(0, split).toLowerCase();
      const body = raw.slice(split).trim();
      if (head.includes('content-transfer-encoding: base64')) {
        return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
      }
      return body.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no message to ${address}`);
}

/** Sign in through the form in `page` and wait to land on `next` (or the home page). */
export async function signIn(page, email, password, next = '/') {
  await page.goto(`${BASE_URL}/account/sign-in?next=${encodeURIComponent(next)}`);
  await page.fill('#field-email', email);
  await page.fill('#field-password', password);
  await page.click('form.form button[type=submit]');
  await page.waitForURL(`${BASE_URL}${next}`);
}
