// The language switch works on every page and is remembered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, demoIds, BASE_URL } from './support.mjs';

let browser;
let ids;
before(async () => {
  browser = await launch();
  ids = demoIds();
});
after(async () => browser?.close());

test('switching to Chinese translates the page and is remembered on the next one', async () => {
  const page = await openPage(browser, { locale: 'en-GB' });
  await page.goto(`${BASE_URL}/r/${ids.suspended}`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.locator('nav.lang-switch a[hreflang="zh-CN"]').click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  assert.equal(new URL(page.url()).pathname, `/r/${ids.suspended}`, 'same page');
  const heading = await page.locator('section.banner h1').innerText();
  assert.match(heading, /[\u4e00-\u9fff]/, `Chinese heading, got ${heading}`);
  assert.equal(await page.locator('nav.lang-switch a[aria-current="true"]').getAttribute('hreflang'), 'zh-CN');

  await page.goto(`${BASE_URL}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'remembered by cookie');
  await page.locator('nav.lang-switch a[hreflang="en"]').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.context().close();
});

test('a Chinese browser gets Chinese without asking', async () => {
  const page = await openPage(browser, { locale: 'zh-CN' });
  await page.goto(`${BASE_URL}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  await page.context().close();
});
