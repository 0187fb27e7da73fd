// axe-core finds no serious or critical violation on the public pages, in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, demoIds, BASE_URL, STATUSES } from './support.mjs';

let browser;
let ids;
before(async () => {
  browser = await launch();
  ids = demoIds();
});
after(async () => browser?.close());

const pages = () => [
  ['home', '/'],
  ...STATUSES.map((s) => [`profile ${s}`, `/r/${ids[s]}`]),
  ['malformed ID', '/r/CN-A1B2-HX%C3%98001'],
  ['not registered', `/r/${ids.not_registered}`],
];

for (const locale of ['en-GB', 'zh-CN']) {
  test(`no serious accessibility violations (${locale})`, async () => {
    const { seriousViolations } = await import('./support.mjs');
    const failures = [];
    for (const [name, path] of pages()) {
      // axe is injected as a script, which the page's CSP rightly forbids; bypass it here only.
      const page = await openPage(browser, { locale, bypassCSP: true });
      await page.goto(`${BASE_URL}${path}`);
      const found = await seriousViolations(page);
      if (found.length) failures.push(`${name}: ${found.join('; ')}`);
      await page.context().close();
    }
    assert.deepEqual(failures, []);
  });
}
