// The language switch works on every page and is remembered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, BASE_URL } from './support.mjs';

const t = useBrowser();

test('switching to Chinese translates the page and is remembered on the next one', async () => {
  const page = await openPage(t.browser, { locale: 'en-GB' });
  await page.goto(`${BASE_URL}/r/${t.ids.suspended}`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.locator('nav.lang-switch a[hreflang="zh-CN"]').click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  assert.equal(new URL(page.url()).pathname, `/r/${t.ids.suspended}`, 'same page');
  const heading = await page.locator('section.banner h1').innerText();
  assert.match(heading, /[\u4e00-\u9fff]/, `Chinese heading, got ${heading}`);
  assert.equal(await page.locator('nav.lang-switch a[aria-current="true"]').getAttribute('hreflang'), 'zh-CN');

  await page.goto(`${BASE_URL}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'remembered by cookie');
  await page.locator('nav.lang-switch a[hreflang="en"]').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.context().close();
});

test('a Chinese t.browser gets Chinese without asking', async () => {
  const page = await openPage(t.browser, { locale: 'zh-CN' });
  await page.goto(`${BASE_URL}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  await page.context().close();
});
