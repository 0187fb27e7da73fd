// A profile for each status leads with its banner: colour class, icon and words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, grouped, BASE_URL, STATUSES } from './support.mjs';

const t = useBrowser();

const TITLES = {
  in_service: 'Registered · in service',
  not_deployed: 'Registered · not deployed',
  inspection_overdue: 'Inspection overdue',
  recall_open: 'Open safety recall',
  suspended: 'Suspended by regulator — should not operate',
  scrapped: 'Scrapped — must not be in service; report it',
};

for (const status of STATUSES) {
  test(`profile of a ${status} robot renders its banner`, async () => {
    const page = await openPage(t.browser);
    const resp = await page.goto(`${BASE_URL}/r/${t.ids[status]}`);
    assert.equal(resp.status(), 200);
    const banner = page.locator(`section.banner--${status}`);
    assert.equal(await banner.count(), 1);
    assert.equal((await banner.locator('h1').innerText()).trim(), TITLES[status]);
    assert.ok(await banner.locator('svg.banner-icon').isVisible(), 'an icon, not colour alone');
    assert.ok((await banner.innerText()).includes(grouped(t.ids[status])));
    await page.context().close();
  });
}

test('an unknown ID shows the not-registered banner and suggests the registered one', async () => {
  const page = await openPage(t.browser);
  const resp = await page.goto(`${BASE_URL}/r/${t.ids.not_registered}`);
  assert.equal(resp.status(), 404);
  assert.equal(await page.locator('section.banner--not_registered').count(), 1);
  const suggestion = page.locator('ul.suggestions a').first();
  // The suggested profile's own address: waiting for it observes the navigation (a pattern
  // that the starting page matches too would be met before the click).
  const next = new URL(await suggestion.getAttribute('href'), page.url()).href;
  assert.notEqual(next, page.url());
  await Promise.all([page.waitForURL(next), suggestion.click()]);
  assert.equal(await page.locator('section.banner').count(), 1);
  assert.equal(await page.locator('section.banner--not_registered').count(), 0);
  await page.context().close();
});
