// The page hydrates under the strict CSP, without script errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, waitForHydration, BASE_URL } from './support.mjs';

const t = useBrowser();

for (const path of ['/', '/r/{in_service}', '/r/CNA1B2', '/r/{not_registered}']) {
  test(`${path} hydrates with no errors or CSP violations`, async () => {
    const page = await openPage(t.browser);
    const fetched = [];
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    const url = path.replace(/\{(\w+)\}/, (_, s) => t.ids[s]);
    await page.goto(`${BASE_URL}${url}`);
    await waitForHydration(page);
    assert.deepEqual(page.problems, []);
    // One wasm, without the parts split out of it (the camera's QR decoder).
    const wasm = fetched.filter((p) => p.endsWith('.wasm'));
    assert.equal(wasm.length, 1, `wasm fetched: ${wasm}`);
    assert.match(wasm[0], /^\/pkg\/robopass\.[0-9a-f]{16}\.wasm$/);
    await page.context().close();
  });
}

test('after hydration, a link between profiles leads to the other profile', async () => {
  const page = await openPage(t.browser);
  await page.goto(`${BASE_URL}/r/${t.ids.not_registered}`);
  await waitForHydration(page);
  const suggestion = page.locator('ul.suggestions a').first();
  const next = new URL(await suggestion.getAttribute('href'), page.url()).href;
  assert.notEqual(next, page.url());
  await Promise.all([page.waitForURL(next), suggestion.click()]);
  await page.locator('section.banner h1').waitFor();
  assert.equal(await page.locator('section.banner--not_registered').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
