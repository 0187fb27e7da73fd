// The page hydrates under the strict CSP, without script errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, demoIds, waitForHydration, BASE_URL } from './support.mjs';

let browser;
let ids;
before(async () => {
  browser = await launch();
  ids = demoIds();
});
after(async () => browser?.close());

for (const path of ['/', '/r/{in_service}', '/r/CNA1B2', '/r/{not_registered}']) {
  test(`${path} hydrates with no errors or CSP violations`, async () => {
    const page = await openPage(browser);
    const url = path.replace(/\{(\w+)\}/, (_, s) => ids[s]);
    await page.goto(`${BASE_URL}${url}`);
    await waitForHydration(page);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('after hydration, links between profiles navigate in the page', async () => {
  const page = await openPage(browser);
  await page.goto(`${BASE_URL}/r/${ids.not_registered}`);
  await waitForHydration(page);
  await page.locator('ul.suggestions a').first().click();
  await page.locator('section.banner h1').waitFor();
  assert.match(page.url(), /\/r\/[A-Z0-9]{29}$/);
  assert.notEqual(await page.locator('section.banner--not_registered').count(), 1);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
