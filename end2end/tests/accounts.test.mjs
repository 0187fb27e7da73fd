// Accounts in a real browser, in both languages: sign up, the confirmation link from the mail
// file, sign in, the account page, sign out; a form with mistakes comes back with a summary
// that links to each field. axe finds nothing serious on any of these pages. No JavaScript
// is needed for any of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, seriousViolations, mailTo, BASE_URL } from './support.mjs';

const t = useBrowser();

async function axeClean(page, name) {
  const found = await seriousViolations(page);
  assert.deepEqual(found, [], `${name}: ${found.join('; ')}`);
}

for (const [locale, javaScriptEnabled] of [['en-GB', true], ['zh-CN', false]]) {
  test(`sign up, confirm from the mail, sign in and out (${locale}, JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const page = await openPage(t.browser, { locale, javaScriptEnabled, bypassCSP: true });
    const email = `browser-${locale.toLowerCase()}-${Date.now()}@example.com`;
    const password = 'a long browser passphrase';

    // Mistakes first: the form comes back with a summary linking to each field.
    await page.goto(`${BASE_URL}/account/sign-up`);
    await axeClean(page, 'sign-up');
    await page.fill('#field-display_name', 'Browser Tester');
    await page.fill('#field-email', 'not an address');
    await page.fill('#field-password', 'short');
    await page.click('form.form button[type=submit]');
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    assert.equal(await summary.locator('a').count(), 2);
    assert.equal(await page.inputValue('#field-display_name'), 'Browser Tester', 'values are kept');
    assert.equal(await page.getAttribute('#field-email', 'aria-invalid'), 'true');
    await axeClean(page, 'sign-up with errors');
    // The summary's link takes the focus to its field.
    await summary.locator('a').first().click();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'field-email');

    await page.fill('#field-email', email);
    await page.fill('#field-password', password);
    await page.click('form.form button[type=submit]');
    await page.waitForURL(/\/account\/sent/);
    await axeClean(page, 'sent');

    // The confirmation link from the mail file: a page with a button, then sign in.
    const mail = await mailTo(email);
    const link = mail.match(/https?:\/\/\S+\/account\/confirm\?token=[A-Za-z0-9_-]+/)[0];
    await page.goto(link);
    await axeClean(page, 'confirm');
    await page.click('form.form button[type=submit]');
    await page.waitForURL(/\/account\/sign-in\?.*confirmed=1/);
    await axeClean(page, 'sign-in');
    await page.fill('#field-email', email);
    await page.fill('#field-password', password);
    await page.click('form.form button[type=submit]');
    await page.waitForURL(`${BASE_URL}/`);
    assert.ok((await page.locator('.site-nav').innerText()).includes('Browser Tester'));

    await page.goto(`${BASE_URL}/account`);
    await axeClean(page, 'account');
    assert.ok((await page.locator('main').innerText()).includes(email));
    await page.click('form[action="/account/sign-out"] button >> nth=-1');
    await page.waitForURL(`${BASE_URL}/`);
    await page.goto(`${BASE_URL}/account`);
    await page.waitForURL(/\/account\/sign-in/);
    await page.context().close();
  });
}
