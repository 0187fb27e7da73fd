// axe-core finds no serious or critical violation on the public pages, in both languages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, seriousViolations, BASE_URL, STATUSES } from './support.mjs';

const t = useBrowser();

const pages = () => [
  ['home', '/'],
  ...STATUSES.map((s) => [`profile ${s}`, `/r/${t.ids[s]}`]),
  ['malformed ID', '/r/CN-A1B2-HX%C3%98001'],
  ['not registered', `/r/${t.ids.not_registered}`],
  ['scanner', '/scan'],
  ['API guide', '/api'],
  ['stop page', `/verify?code=${encodeURIComponent(`https://robopass-check.example.net/r/${t.ids.in_service}`)}`],
  ['several verdicts', `/verify?code=hello&code=${encodeURIComponent('https://shop.example/')}`],
  ['unsigned label warning', `/r/${t.ids.in_service}?label=unsigned`],
  ['label, sticker size', `/labels/${t.ids.in_service}?size=label`],
  ['label, A4 sign', `/labels/${t.ids.in_service}?size=a4`],
];

for (const locale of ['en-GB', 'zh-CN']) {
  test(`no serious accessibility violations (${locale})`, async () => {
    const failures = [];
    // The venue of a robot in service (deployed, so it has one).
    const profile = await (await fetch(`${BASE_URL}/api/v1/robots/${t.ids.in_service}`)).json();
    assert.ok(profile.venue?.slug, 'a deployed robot has a venue page');
    for (const [name, path] of [...pages(), ['venue page', `/v/${profile.venue.slug}`]]) {
      // axe is injected as a script, which the page's CSP rightly forbids; bypass it here only.
      const page = await openPage(t.browser, { locale, bypassCSP: true });
      await page.goto(`${BASE_URL}${path}`);
      const found = await seriousViolations(page);
      if (found.length) failures.push(`${name}: ${found.join('; ')}`);
      await page.context().close();
    }
    assert.deepEqual(failures, []);
  });
}

test('the checker itself reports a planted violation', async () => {
  const page = await openPage(t.browser, { bypassCSP: true });
  await page.setContent('<html lang="en"><body><main><img src="/favicon.svg"></main></body></html>');
  const found = await seriousViolations(page);
  assert.ok(found.some((v) => v.startsWith('image-alt')), found.join('; '));
  await page.context().close();
});
