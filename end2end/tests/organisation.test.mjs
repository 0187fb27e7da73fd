// A manufacturer's organisation page, in a real browser and in both languages (the Chinese run
// with JavaScript switched off: every form is plain HTML and the import's page refreshes
// itself): an API token made and shown once, a unit registered after a mistake, a CSV file
// refused with its bad row named and then imported to the end, a recall issued. axe finds
// nothing serious on any of these pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, seriousViolations, demoAccounts, signIn, BASE_URL } from './support.mjs';

const t = useBrowser();

async function axeClean(page, name) {
  const found = await seriousViolations(page);
  assert.deepEqual(found, [], `${name}: ${found.join('; ')}`);
}

function csvFile(text) {
  return { name: 'units.csv', mimeType: 'text/csv', buffer: Buffer.from(text) };
}

for (const [locale, javaScriptEnabled, prefix] of [['en-GB', true, 'E'], ['zh-CN', false, 'Z']]) {
  test(`a manufacturer registers units and issues a recall (${locale}, JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const maker = demoAccounts().manufacturer;
    const model = maker.robot.slice(6, 12);
    const page = await openPage(t.browser, { locale, javaScriptEnabled, bypassCSP: true });
    await signIn(page, maker.email, maker.password, '/account');
    await page.click('main a[href^="/orgs/"]');
    await page.waitForURL(/\/orgs\/\d+$/);
    await axeClean(page, 'organisation page');

    // A token, shown once.
    await page.fill('#field-token_name', `Browser test ${locale}`);
    await page.click('form[action$="/tokens"] button[type=submit]');
    const token = await page.locator('code.token').innerText();
    assert.match(token, /^rpt_/);
    await axeClean(page, 'token made');

    // A unit: a short serial comes back beside its field; then registered.
    const day = new Date(Date.now() - 5 * 86400e3).toISOString().slice(0, 10);
    await page.selectOption('#field-model', model);
    await page.fill('#field-serial', `${prefix}12`);
    await page.fill('#field-produced_on', day);
    await page.click('form[action$="/units"] button[type=submit]');
    await page.locator('.error-summary').waitFor();
    assert.equal(await page.inputValue('#field-serial'), `${prefix}12`, 'the value is kept');
    await axeClean(page, 'unit with an error');
    const serial = `${prefix}${'1'.padStart(16, '0')}`;
    await page.fill('#field-serial', serial);
    await page.fill('#field-produced_on', day);
    await page.click('form[action$="/units"] button[type=submit]');
    await page.waitForURL(/registered=/);
    const id = `CN${maker.robot.slice(2, 6)}${model}${serial}`;
    assert.equal(await page.locator(`a[href="/r/${id}"]`).count(), 1, 'the new robot is linked');
    await axeClean(page, 'unit registered');

    // A file with a bad row: named by its line, nothing imported; then a good one, to the end.
    const rows = (n) => Array.from({ length: n }, (_, i) => `${model},${prefix}${String(i + 2).padStart(16, '0')},${day}`);
    await page.setInputFiles('#field-file', csvFile(['model,serial,produced_on', ...rows(2), `ZZZZZZ,${prefix}${'9'.repeat(16)},${day}`].join('\n')));
    await page.click('#import button[type=submit]');
    await page.locator('#import table').waitFor();
    assert.equal((await page.locator('#import table td').first().innerText()).trim(), '4', 'line 4 is named');
    await axeClean(page, 'file refused');
    await page.setInputFiles('#field-file', csvFile(['model,serial,produced_on', ...rows(20)].join('\n')));
    await page.click('#import button[type=submit]');
    await page.waitForURL(/import=/);
    // The page refreshes itself (a meta refresh, with or without JavaScript) until it is done.
    let done = false;
    for (let i = 0; i < 100 && !done; i++) {
      try {
        done = (await page.locator('#import progress[value="20"]').count()) === 1
          && (await page.locator('meta[http-equiv="refresh"]').count()) === 0;
      } catch { /* the page was being replaced */ }
      if (!done) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(done, 'the import ends and the page stops refreshing');
    await axeClean(page, 'file imported');
    const last = await fetch(`${BASE_URL}/api/v1/robots/${id.slice(0, 12)}${prefix}${'21'.padStart(16, '0')}`);
    assert.equal(last.status, 200, 'the last unit of the file is registered');

    // A recall of the robot's serial range: issued, listed.
    await page.selectOption('#field-recall_model', model);
    await page.fill('#field-serial_from', serial);
    await page.fill('#field-serial_to', serial);
    await page.fill('#field-defect', `Browser test defect ${locale}`);
    await page.selectOption('#field-risk', 'fall_risk');
    await page.selectOption('#field-remedy', 'inspection_and_adjustment');
    await page.click('form[action$="/recalls"] button[type=submit]');
    await page.waitForURL(/done=recall_issued/);
    assert.ok((await page.locator('section[aria-labelledby=recalls]').innerText()).includes(`Browser test defect ${locale}`));
    await axeClean(page, 'recall issued');
    const profile = await (await fetch(`${BASE_URL}/api/v1/robots/${id}`)).json();
    assert.equal(profile.status, 'recall_open', 'the recalled unit shows it');
  });
}
