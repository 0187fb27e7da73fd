// The lookup form: rejects a malformed ID with its message, accepts a pasted portal link,
// and works with JavaScript switched off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, waitForHydration, LookupForm, BASE_URL } from './support.mjs';

const t = useBrowser();

test('typing a malformed ID shows what is wrong as you type, and submitting it is refused', async () => {
  const page = await openPage(t.browser);
  const form = new LookupForm(page);
  await form.open();
  await waitForHydration(page);
  await form.type('CN-A1B2-HXØ001');
  await page.waitForFunction(() => document.querySelector('#robot-id-error').textContent.includes('Position 9'));
  assert.match(await form.error.innerText(), /'Ø'.*looks like 'O'/);
  assert.equal(await form.input.getAttribute('aria-invalid'), 'true');
  await form.submit.click();
  assert.equal(new URL(page.url()).pathname, '/', 'stays on the form');
  assert.ok(await form.input.evaluate((el) => el === document.activeElement), 'focus back on the field');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('in Chinese, the messages shown as you type are Chinese too', async () => {
  // The island has no translation tables of its own: the server hands it its words.
  const page = await openPage(t.browser, { locale: 'zh-CN' });
  const form = new LookupForm(page);
  await form.open();
  await waitForHydration(page);
  await form.type('CN-A1B2-HXØ001');
  await page.waitForFunction(() => document.querySelector('#robot-id-error').textContent.includes('第 9 位'));
  assert.match(await form.error.innerText(), /第 9 位（型号）：“Ø”（U\+00D8）看起来像“O”/);
  await form.type('CN-A1B2');
  await page.waitForFunction(() => document.querySelector('#robot-id-error').textContent.includes('共 6 位'));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a page the server rendered with an error hydrates as it is, then checks as you type', async () => {
  // The island starts from the setup the server wrote into the page (data-setup): the box's
  // value and error included, quotes and angle brackets in them left as typed.
  const page = await openPage(t.browser);
  const form = new LookupForm(page);
  const typed = 'CNA1B2"<&>';
  await page.goto(`${BASE_URL}/?id=${encodeURIComponent(typed)}`);
  await waitForHydration(page);
  assert.equal(await form.input.inputValue(), typed);
  assert.match(await form.error.innerText(), /Position 7 \(model\): '"' is not A–Z or 0–9/);
  assert.equal(await page.locator('form.lookup[data-setup]').count(), 0, 'the island took its setup');
  await form.type('CN-A1B2');
  await page.waitForFunction(() => document.querySelector('#robot-id-error').textContent.includes('6 characters'));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a pasted portal link lands on the profile', async () => {
  const page = await openPage(t.browser);
  const form = new LookupForm(page);
  await form.open();
  await waitForHydration(page);
  await form.paste(`${BASE_URL}/r/${t.ids.in_service.toLowerCase()}`);
  await form.submit.click();
  await page.waitForURL(`${BASE_URL}/r/${t.ids.in_service}`);
  await page.locator('section.banner--in_service').waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a link to another site is refused as a possible counterfeit', async () => {
  const page = await openPage(t.browser);
  const form = new LookupForm(page);
  await form.open();
  await waitForHydration(page);
  await form.paste(`https://robopass.evil.example/r/${t.ids.in_service}`);
  await form.submit.click();
  assert.match(await form.error.innerText(), /robopass\.evil\.example.*counterfeit/);
  await page.context().close();
});

test('without JavaScript the form still looks robots up and explains mistakes', async () => {
  const page = await openPage(t.browser, { javaScriptEnabled: false });
  const form = new LookupForm(page);
  await form.open();
  await form.paste(t.ids.scrapped.toLowerCase());
  await form.submit.click();
  await page.waitForURL(`${BASE_URL}/r/${t.ids.scrapped}`);
  assert.equal(await page.locator('section.banner--scrapped').count(), 1);

  await form.open();
  await form.paste('CNA1B2');
  await form.submit.click();
  await page.waitForLoadState();
  assert.match(await page.locator('#robot-id-error').innerText(), /6 characters, 29 expected/);
  await page.context().close();
});
