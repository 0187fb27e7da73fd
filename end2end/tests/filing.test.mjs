// A service provider files an inspection through the filing page, in a real browser and in
// both languages (the Chinese run with JavaScript switched off: the form is plain HTML); a
// mistake comes back beside its field; once filed, the robot's public profile shows the new
// last inspection. axe finds nothing serious on these pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, seriousViolations, demoAccounts, signIn, BASE_URL } from './support.mjs';

const t = useBrowser();

async function axeClean(page, name) {
  const found = await seriousViolations(page);
  assert.deepEqual(found, [], `${name}: ${found.join('; ')}`);
}

async function lastInspection(robot) {
  const r = await fetch(`${BASE_URL}/api/v1/robots/${robot}`);
  return (await r.json()).last_inspection;
}

for (const [locale, javaScriptEnabled, days] of [['en-GB', true, 150], ['zh-CN', false, 160]]) {
  test(`a service provider files an inspection (${locale}, JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const accounts = demoAccounts();
    const robot = accounts.service_provider.robot;
    assert.ok(robot, 'the demo service provider is engaged on a robot');
    const page = await openPage(t.browser, { locale, javaScriptEnabled, bypassCSP: true });
    await signIn(page, accounts.service_provider.email, accounts.service_provider.password, `/filing/${robot}`);
    await axeClean(page, 'filing page');
    await page.click(`a[href="/filing/${robot}?kind=inspected"]`);
    await page.waitForURL(/kind=inspected/);
    const due = new Date(Date.now() + days * 86400e3).toISOString().slice(0, 10);
    await page.fill('#field-next_due', due);
    await page.click('form.form button[type=submit]');
    await page.locator('.error-summary').waitFor();
    assert.equal(await page.inputValue('#field-next_due'), due, 'the date is kept');
    await axeClean(page, 'inspection form with an error');
    await page.check('#field-result-pass');
    await page.click('form.form button[type=submit]');
    await page.waitForURL(/done=inspected/);
    await axeClean(page, 'filed');
    const last = await lastInspection(robot);
    assert.equal(last.next_due, due);
    assert.equal(last.result, 'pass');
    await page.goto(`${BASE_URL}/r/${robot}`);
    assert.ok((await page.locator('main').innerText()).includes(due), 'the profile shows the new due date');
  });
}
