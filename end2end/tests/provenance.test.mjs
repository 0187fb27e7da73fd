// A used-robot sale, in a real browser and in both languages (the Chinese run with JavaScript
// switched off: every form here is plain HTML): the owner opens the robot's provenance report
// and issues a share code; a buyer signs in, enters the code, and reads the red flags, the
// condition charts and the timeline; a scrapped robot's report leads with "scrapped, yet
// offered"; the printed copy carries the robot ID, the time and the chain's head. axe finds
// nothing serious on any of these pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, seriousViolations, demoAccounts, demoShareCodes, signIn, BASE_URL } from './support.mjs';

const t = useBrowser();

async function axeClean(page, name) {
  const found = await seriousViolations(page);
  assert.deepEqual(found, [], `${name}: ${found.join('; ')}`);
}

for (const [locale, javaScriptEnabled] of [['en-GB', true], ['zh-CN', false]]) {
  test(`an owner shares a robot's provenance report with a buyer (${locale}, JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const accounts = demoAccounts();
    const robot = accounts.owner.robot;
    assert.ok(robot, 'the demo owner has a robot');
    const options = { locale, javaScriptEnabled, bypassCSP: true };
    const path = `/provenance/${robot}`;

    // The owner: the report at once, and a new code for the buyer.
    const owner = await openPage(t.browser, options);
    await signIn(owner, accounts.owner.email, accounts.owner.password, path);
    await owner.locator('#prov-codes').waitFor();
    await axeClean(owner, 'report, as its owner');
    await owner.fill('#field-days', '7');
    await owner.click('section[aria-labelledby=prov-codes] form.inline-form button[type=submit]');
    const code = (await owner.locator('.share-code code').innerText()).trim();
    assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await axeClean(owner, 'report with a new code');

    // The buyer: signed in, a wrong code first, then the owner's.
    const buyer = await openPage(t.browser, options);
    await signIn(buyer, accounts.buyer.email, accounts.buyer.password, path);
    await buyer.fill('#field-share_code', 'ZZZZ-ZZZZ-ZZZZ');
    await buyer.click('main form button[type=submit]');
    await buyer.locator('.error-summary').waitFor();
    assert.equal(await buyer.inputValue('#field-share_code'), '', 'a wrong code is not kept');
    await axeClean(buyer, 'share-code form with an error');
    await buyer.fill('#field-share_code', code.toLowerCase());
    await buyer.click('main form button[type=submit]');
    await buyer.locator('#prov-flags').waitFor();
    assert.ok(await buyer.locator('figure.chart svg').first().isVisible(), 'a condition chart');
    assert.ok((await buyer.locator('table.timeline tbody tr').count()) > 3, 'the timeline');
    assert.equal(await buyer.locator('#prov-codes').count(), 0, 'the buyer does not manage codes');
    await axeClean(buyer, 'report, as a buyer');

    // Printed: the stamp with the robot, the time and the chain's head; no forms.
    await buyer.emulateMedia({ media: 'print' });
    const stamp = await buyer.locator('.print-stamp').innerText();
    assert.ok(stamp.includes(robot), stamp);
    assert.match(stamp, /[0-9a-f]{64}/, 'the chain head is printed');
    await buyer.emulateMedia({ media: 'screen' });

    // A scrapped robot someone is offering: the first thing the buyer reads.
    const scrapped = demoShareCodes().find((c) => c.state === 'valid' && c.id !== robot);
    await buyer.goto(`${BASE_URL}/provenance/${scrapped.id}`);
    await buyer.fill('#field-share_code', scrapped.code);
    await buyer.click('main form button[type=submit]');
    const first = buyer.locator('.flags .flag').first();
    await first.waitFor();
    const words = locale.startsWith('zh') ? '已报废，却在出售' : 'Scrapped, yet offered';
    assert.ok((await first.innerText()).includes(words), await first.innerText());
    await axeClean(buyer, 'report of a scrapped robot');

    // The owner reads who opened it.
    await owner.goto(`${BASE_URL}${path}`);
    assert.ok((await owner.locator('section[aria-labelledby=prov-log]').innerText()).includes('Huang Tao'), 'the buyer is in the audit log');
  });
}
