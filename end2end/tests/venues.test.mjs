// Venues in a real browser, both languages. The entrance display, /v/{slug}/display: a robot's
// status changed through the API shows on the screen without anyone reloading it; when the
// server stops answering, the screen says so (and since when) instead of showing the old
// statuses as current, and recovers when it answers again. axe finds nothing serious, with
// the statuses live and with the connection lost. Without JavaScript the page refreshes itself.
// The venue's member opens its dashboard and its sheet of labels, axe clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, seriousViolations, demoAccounts, signIn, grouped, BASE_URL } from './support.mjs';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const t = useBrowser();
const shared = {};

async function profile(id) {
  return (await fetch(`${BASE_URL}/api/v1/robots/${id}`)).json();
}

async function axeClean(page, name) {
  const found = await seriousViolations(page);
  assert.deepEqual(found, [], `${name}: ${found.join('; ')}`);
}

/** Once, at the first test (after the browser is up). */
async function setUp() {
  if (shared.robot) return;
  // A robot in service at a venue that no other browser test changes: not the first robot of
  // any status, not a demo account's robot, not at the demo operator's venue.
  const accounts = demoAccounts();
  const avoid = new Set(Object.values(accounts).map((a) => a.robot).filter(Boolean));
  const taken = await profile(accounts.operator.robot);
  for (const line of readFileSync(process.env.DEMO_IDS, 'utf8').split('\n')) {
    if (line.trim()) avoid.add(JSON.parse(line).id);
  }
  // More demo IDs than run.sh printed, from the same registry (DATABASE_URL is run.sh's).
  const more = execFileSync('../target/release/robopass', ['demo-ids', '--limit', '300'], { encoding: 'utf8' });
  for (const line of more.split('\n')) {
    if (!line.trim()) continue;
    const { status, id } = JSON.parse(line);
    if (status !== 'in_service' || avoid.has(id)) continue;
    const p = await profile(id);
    if (p.status === 'in_service' && p.venue?.slug && p.venue.slug !== taken.venue?.slug) {
      shared.robot = id;
      shared.slug = p.venue.slug;
      break;
    }
  }
  assert.ok(shared.robot, 'a robot in service at a venue of its own');
  // The regulator, to suspend and reinstate it through the API.
  shared.regulator = await openPage(t.browser, { bypassCSP: true });
  await signIn(shared.regulator, accounts.regulator.email, accounts.regulator.password, '/account');
}

async function file(kind, reason) {
  const r = await shared.regulator.request.post(`${BASE_URL}/api/v1/robots/${shared.robot}/entries`, {
    headers: { 'sec-fetch-site': 'same-origin' },
    data: { kind, occurred_at: new Date().toISOString(), details: { reason } },
  });
  assert.equal(r.status(), 201, `${kind}: ${await r.text()}`);
}

for (const [locale, kind, shows, lost] of [
  ['en-GB', 'suspended', 'suspended', 'Connection lost since'],
  ['zh-CN', 'reinstated', 'in_service', '连接中断'],
]) {
  test(`the entrance display stays live and says when it is not (${locale})`, async () => {
    await setUp();
    const page = await openPage(t.browser, { locale, bypassCSP: true });
    await page.goto(`${BASE_URL}/v/${shared.slug}/display`);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 15000 });
    const row = page.locator('.display-robots tbody tr', { hasText: grouped(shared.robot) });
    assert.equal(await row.count(), 1, 'the robot is listed');
    assert.ok(await page.locator('.display-qr svg').isVisible(), 'the QR code to the venue page');
    assert.equal(await page.locator('.site-header').isVisible(), false, 'full screen: no site header');
    await axeClean(page, 'display');

    // Changed through the API: the screen shows it within the watcher's few seconds.
    const before = await row.locator('.status-tag').getAttribute('class');
    await file(kind, `browser test: ${kind}`);
    await row.locator(`.status-tag--${shows}`).waitFor({ timeout: 30000 });
    assert.notEqual(await row.locator('.status-tag').getAttribute('class'), before);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 15000 });

    // The server stops answering: said plainly, with the time, the statuses dimmed.
    await page.route('**/api/v1/venues/**', (r) => r.abort());
    const message = page.locator('.display-lost');
    await page.waitForFunction(
      (words) => document.querySelector('.display-lost')?.textContent.includes(words),
      lost,
      { timeout: 20000 },
    );
    assert.match(await message.textContent(), /\d{1,2}:\d{2}/, 'since when');
    assert.equal(await message.getAttribute('role'), 'status');
    assert.ok(await page.evaluate(() => document.body.classList.contains('display-is-lost')));
    await axeClean(page, 'display, connection lost');

    // Answering again: the message goes.
    await page.unroute('**/api/v1/venues/**');
    await page.waitForFunction(() => !document.querySelector('.display-lost-message'), null, { timeout: 20000 });
    assert.equal(await page.evaluate(() => document.body.classList.contains('display-is-lost')), false);
    // Chromium logs each aborted ask; nothing else may have gone wrong.
    const problems = page.problems.filter((p) => !p.startsWith('console: Failed to load resource: net::ERR_FAILED'));
    assert.deepEqual(problems, []);
    await page.context().close();
  });
}

test('without JavaScript the display refreshes itself', async () => {
  await setUp();
  const page = await openPage(t.browser, { locale: 'zh-CN', javaScriptEnabled: false });
  await page.goto(`${BASE_URL}/v/${shared.slug}/display`);
  const html = await page.content();
  assert.ok(html.includes(`content="20; url=/v/${shared.slug}/display"`), 'a refresh to its own address');
  // Refreshed: a new document arrives on its own.
  await page.waitForEvent('load', { timeout: 30000 });
  assert.equal(await page.locator('.display-robots tbody tr', { hasText: grouped(shared.robot) }).count(), 1);
  await axeClean(page, 'display without JavaScript');
  await page.context().close();
});

for (const locale of ['en-GB', 'zh-CN']) {
  test(`the venue's member sees its dashboard and prints its labels (${locale})`, async () => {
    const accounts = demoAccounts();
    const slug = (await profile(accounts.venue.robot)).venue.slug;
    const page = await openPage(t.browser, { locale, bypassCSP: true });
    await signIn(page, accounts.venue.email, accounts.venue.password, `/v/${slug}/dashboard`);
    await page.waitForURL(new RegExp(`/v/${slug}/dashboard$`));
    assert.ok(await page.locator('#due-heading').isVisible());
    assert.ok(await page.locator('pre.embed code').textContent().then((s) => s.includes('/badge/')), 'the embed snippet');
    await axeClean(page, 'dashboard');
    await page.click(`a[href="/v/${slug}/labels"]`);
    await page.waitForURL(new RegExp(`/v/${slug}/labels$`));
    const labels = page.locator('.sheet--sheet .label');
    assert.ok((await labels.count()) >= 1, 'a label a robot');
    // Printed: A4, several labels a page, the page's tools left off.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.label-tools').isVisible(), false);
    await page.emulateMedia({ media: 'screen' });
    await axeClean(page, 'label sheet');
    await page.context().close();
  });
}
