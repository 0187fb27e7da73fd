// An incident report from a robot's profile to its record, in a real browser and in both
// languages (the Chinese run with JavaScript switched off: the whole report form is plain
// HTML): a visitor presses "Report a problem", signs up, confirms from the mail file and comes
// back to the form; a report with mistakes comes back with its summary; the report is sent
// with a photo and its reference shown; the operator acknowledges it from the inbox; the
// reporter sees the new status; the regulator confirms it, and the public profile's count of
// confirmed incidents goes up. axe finds nothing serious on any of these pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBrowser, openPage, seriousViolations, mailTo, demoAccounts, signIn, BASE_URL } from './support.mjs';

const t = useBrowser();

/** A photo to attach: the robot's own label, 256 px, as the registry draws it (a real PNG). */
async function labelPhoto(robot) {
  const r = await fetch(`${BASE_URL}/qr/${robot}.png?size=256`);
  assert.equal(r.status, 200);
  const file = join(mkdtempSync(join(tmpdir(), 'robopass-e2e-')), 'photo.png');
  writeFileSync(file, Buffer.from(await r.arrayBuffer()));
  return file;
}

async function axeClean(page, name) {
  const found = await seriousViolations(page);
  assert.deepEqual(found, [], `${name}: ${found.join('; ')}`);
}

/** The number of confirmed incidents the robot's public record shows (from the JSON API). */
async function confirmedCount(robot) {
  const r = await fetch(`${BASE_URL}/api/v1/robots/${robot}`);
  return (await r.json()).complaint_channel.confirmed_incidents_12m;
}

for (const [locale, javaScriptEnabled] of [['en-GB', true], ['zh-CN', false]]) {
  test(`report an incident and follow it to the record (${locale}, JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const accounts = demoAccounts();
    const robot = accounts.operator.robot;
    assert.ok(robot, 'the demo operator has a robot');
    const before = await confirmedCount(robot);
    const options = { locale, javaScriptEnabled, bypassCSP: true };
    const reporter = await openPage(t.browser, options);

    // From the public profile: "Report a problem" sends a visitor to sign in, then sign up.
    await reporter.goto(`${BASE_URL}/r/${robot}`);
    await reporter.click(`a[href="/incidents/new?robot=${robot}"]`);
    await reporter.waitForURL(/\/account\/sign-in\?next=/);
    await reporter.click('main a[href^="/account/sign-up"]');
    const email = `reporter-${locale.toLowerCase()}-${Date.now()}@example.com`;
    const password = 'a long reporter passphrase';
    await reporter.fill('#field-display_name', 'Reporting Person');
    await reporter.fill('#field-email', email);
    await reporter.fill('#field-password', password);
    await reporter.click('form.form button[type=submit]');
    await reporter.waitForURL(/\/account\/sent/);
    const mail = await mailTo(email);
    const link = mail.match(/https?:\/\/\S+\/account\/confirm\?token=\S+/)[0];
    await reporter.goto(link);
    await reporter.click('form.form button[type=submit]');
    await reporter.waitForURL(/\/account\/sign-in\?.*confirmed=1/);
    await reporter.fill('#field-email', email);
    await reporter.fill('#field-password', password);
    await reporter.click('form.form button[type=submit]');
    // Back at the form, for this robot.
    await reporter.waitForURL(`${BASE_URL}/incidents/new?robot=${robot}`);
    assert.equal(await reporter.inputValue('#field-robot'), robot);
    assert.notEqual(await reporter.inputValue('#field-place'), '', 'the venue is filled in');
    await axeClean(reporter, 'report form');

    // Mistakes: the form comes back with a summary, values kept.
    await reporter.fill('#field-description', 'It rolled over my foot near the lifts.');
    await reporter.click('form.form button[type=submit]');
    const summary = reporter.locator('.error-summary');
    await summary.waitFor();
    assert.ok((await summary.locator('a').count()) >= 3, 'time, category and severity are missing');
    assert.equal(await reporter.inputValue('#field-description'), 'It rolled over my foot near the lifts.');
    await axeClean(reporter, 'report form with errors');

    // The report, with a photo.
    await reporter.fill('#field-occurred_at', '2026-11-30T10:15');
    await reporter.check('#field-category-collision_injury');
    await reporter.check('#field-severity-minor');
    await reporter.setInputFiles('#field-photos', await labelPhoto(robot));
    await reporter.check('#field-share_contact');
    await reporter.click('form.form button[type=submit]');
    await reporter.waitForURL(/\/incidents\/INC-\d{4}-\d{6}\?done=submitted/);
    const reference = reporter.url().match(/INC-\d{4}-\d{6}/)[0];
    assert.ok((await reporter.locator('[role=status]').innerText()).includes(reference), 'the reference is shown at once');
    assert.equal(await reporter.locator('.photos img').count(), 1, 'the photo is on the report');
    const shown = await reporter.locator('.photos img').evaluate((img) => img.complete && img.naturalWidth);
    assert.ok(shown > 100, 'the photo is served to the reporter');
    await axeClean(reporter, 'report');

    // The operator acknowledges it from the inbox, where the header counts it.
    const operator = await openPage(t.browser, options);
    await signIn(operator, accounts.operator.email, accounts.operator.password, '/inbox');
    assert.ok(await operator.locator('.site-nav .count').isVisible(), 'the header counts what waits');
    await axeClean(operator, 'operator inbox');
    await operator.click(`main a[href="/incidents/${reference}"] >> nth=0`);
    assert.ok((await operator.locator('main').innerText()).includes(email), 'the reporter shared their contact');
    await operator.check('#field-to-acknowledged');
    await operator.fill('#field-note', 'Thank you, we are looking at it.');
    await operator.click('form[action$="/step"] button[type=submit]');
    await operator.waitForURL(/\?done=acknowledged/);
    await axeClean(operator, 'report for the operator');

    // The reporter sees the new status.
    await reporter.goto(`${BASE_URL}/incidents/${reference}`);
    const status = await reporter.locator('.report-status').innerText();
    assert.ok(status.includes(locale === 'zh-CN' ? '已受理' : 'Acknowledged'), status);
    assert.ok((await reporter.locator('main').innerText()).includes('Thank you, we are looking at it.'));

    // The regulator confirms it; the public profile counts it.
    const regulator = await openPage(t.browser, options);
    await signIn(regulator, accounts.regulator.email, accounts.regulator.password, '/inbox');
    await regulator.click(`main a[href="/incidents/${reference}"] >> nth=0`);
    await regulator.click('form[action$="/confirm"] button[type=submit]');
    await regulator.waitForURL(/\?done=confirmed/);
    await axeClean(regulator, 'confirmed report');
    assert.equal(await confirmedCount(robot), before + 1);
    const visitor = await openPage(t.browser, options);
    let count = '';
    for (let i = 0; i < 50; i++) {
      await visitor.goto(`${BASE_URL}/r/${robot}`);
      count = await visitor.locator('.incident-count').innerText();
      if (count.includes(String(before + 1))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(count.includes(String(before + 1)), `the profile counts it: ${count}`);
    assert.ok(!(await visitor.content()).includes(email), 'no reporter on the public page');
    for (const p of [reporter, operator, regulator, visitor]) await p.context().close();
  });
}
