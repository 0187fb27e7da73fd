// Labels and the scanner in a real browser: printed labels read back, a photo upload, the
// live camera (Chromium's fake camera playing a video of a label) and a foreign code.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { useBrowser, openPage, waitForHydration, BASE_URL } from './support.mjs';

const t = useBrowser();
const dir = mkdtempSync(join(tmpdir(), 'robopass-scan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** POST an image to the scan API; the verdicts. */
async function scanImage(bytes) {
  const res = await fetch(`${BASE_URL}/api/v1/scan`, { method: 'POST', body: bytes });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.codes;
}

for (const size of ['label', 'a4']) {
  test(`the printed ${size} label reads back as the registry's verified label`, async () => {
    const id = t.ids.in_service;
    const page = await openPage(t.browser);
    await page.goto(`${BASE_URL}/labels/${id}?size=${size}`);
    await page.emulateMedia({ media: 'print' });
    const label = page.locator('figure.label');
    await label.locator('img.label-qr').evaluate((img) => img.decode());
    // Only the label is printed: no header, footer or tools.
    assert.equal(await page.locator('.site-header').isVisible(), false);
    assert.equal(await page.locator('.label-tools').isVisible(), false);
    const text = await label.innerText();
    assert.match(text, /Scan to verify/);
    assert.match(text, /扫码验证/);
    const codes = await scanImage(await label.screenshot());
    assert.equal(codes.length, 1);
    assert.equal(codes[0].verdict, 'verified_label');
    assert.equal(codes[0].id, id);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('a photo uploaded from the scanner lands on the profile, verified', async () => {
  const id = t.ids.recall_open;
  const png = Buffer.from(await (await fetch(`${BASE_URL}/qr/${id}.png?size=600`)).arrayBuffer());
  const file = join(dir, 'label.png');
  writeFileSync(file, png);
  const page = await openPage(t.browser);
  await page.goto(`${BASE_URL}/scan`);
  await page.locator('#photo').setInputFiles(file);
  await Promise.all([
    page.waitForURL(new RegExp(`/r/${id}/`)),
    page.locator('form[action="/scan/photo"] button[type=submit]').click(),
  ]);
  await assertVerifiedProfile(page, id, 'recall_open');
  await page.context().close();
});

test('a foreign code typed into the scanner shows the stop page', async () => {
  const id = t.ids.in_service;
  const page = await openPage(t.browser, { locale: 'zh-CN' });
  await page.goto(`${BASE_URL}/scan`);
  await page.locator('#code').fill(`https://robopass-verify.example.org/r/${id}`);
  await Promise.all([page.waitForURL(/\/verify\?/), page.locator('#code').press('Enter')]);
  const verdict = page.locator('[data-verdict="foreign_host"]');
  await verdict.waitFor();
  const text = await verdict.innerText();
  assert.match(text, /robopass-verify\.example\.org/);
  assert.match(text, /伪造/);
  assert.equal(await page.locator(`a[href="/r/${id}"]`).count(), 1, 'a lookup of the ID inside');
  await page.context().close();
});

test('the camera island speaks the page\'s language, from the setup the page hands it', async () => {
  // Pressed, the island says it is starting the camera, in Chinese, with words it took from the
  // page's data-setup (the wasm carries no translations).
  const page = await openPage(t.browser, { locale: 'zh-CN' });
  await page.goto(`${BASE_URL}/scan`);
  await waitForHydration(page);
  await page.locator('#camera-start').waitFor({ state: 'visible' });
  assert.equal(await page.locator('div.camera[data-setup]').count(), 0, 'the island took its setup');
  await page.locator('#camera-start').click();
  await page.waitForFunction(() => document.querySelector('#camera-status').textContent.trim() !== '');
  assert.match(await page.locator('#camera-status').innerText(), /^(正在打开相机|本网站的相机权限已被阻止|无法打开相机)/);
  await page.context().close();
});

test('without JavaScript the scanner says the camera needs it and offers the rest', async () => {
  const page = await openPage(t.browser, { javaScriptEnabled: false });
  await page.goto(`${BASE_URL}/scan`);
  assert.equal(await page.locator('#camera-start').isVisible(), false);
  assert.match(await page.locator('.camera').innerText(), /needs JavaScript/);
  assert.equal(await page.locator('#photo').isVisible(), true);
  assert.equal(await page.locator('#code').isVisible(), true);
  await page.context().close();
});

/** A Y4M video (what Chromium's fake camera plays) of the label, made by drawing it in a page. */
async function labelVideo(id) {
  const page = await openPage(t.browser);
  await page.goto(`${BASE_URL}/qr/${id}.png?size=360`);
  const { width, height, rgba } = await page.evaluate(async () => {
    const img = document.querySelector('img');
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 480;
    const ctx = canvas.getContext('2d');
    // A grey desk with the label on it, slightly turned.
    ctx.fillStyle = '#8a8580';
    ctx.fillRect(0, 0, 640, 480);
    ctx.translate(320, 240);
    ctx.rotate(0.12);
    ctx.drawImage(img, -img.width / 2, -img.height / 2);
    const data = ctx.getImageData(0, 0, 640, 480).data;
    return { width: 640, height: 480, rgba: Array.from(data) };
  });
  await page.context().close();
  // RGB to I420 (BT.601, limited range), the format of a C420 Y4M frame.
  const y = Buffer.alloc(width * height);
  const u = Buffer.alloc((width / 2) * (height / 2));
  const v = Buffer.alloc((width / 2) * (height / 2));
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const k = (j * width + i) * 4;
      const [r, g, b] = [rgba[k], rgba[k + 1], rgba[k + 2]];
      y[j * width + i] = Math.round(16 + 0.257 * r + 0.504 * g + 0.098 * b);
      if (j % 2 === 0 && i % 2 === 0) {
        const c = (j / 2) * (width / 2) + i / 2;
        u[c] = Math.round(128 - 0.148 * r - 0.291 * g + 0.439 * b);
        v[c] = Math.round(128 + 0.439 * r - 0.368 * g - 0.071 * b);
      }
    }
  }
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, u, v]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  const file = join(dir, `label-${id}.y4m`);
  writeFileSync(file, Buffer.concat([header, ...Array(10).fill(frame)]));
  return file;
}

/** The camera island's code, split out of the wasm every page loads. */
const isCameraCode = (p) => /^\/pkg\/split_camera_scanner_.*\.wasm$/.test(p);

test('only /scan fetches the camera code; the wasm other pages load does not hold it', async () => {
  const page = await openPage(t.browser);
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  for (const path of ['/', `/r/${t.ids.in_service}`]) {
    await page.goto(`${BASE_URL}${path}`);
    await waitForHydration(page);
  }
  const pageWasm = fetched.find((p) => /^\/pkg\/robopass\..*wasm$/.test(p));
  assert.ok(pageWasm, `no page wasm: ${fetched}`);
  assert.deepEqual(fetched.filter((p) => p.includes('/pkg/split_')), []);

  // A string only the camera's code holds (the browser's name for a refused permission).
  const bytesOf = async (path) => Buffer.from(await (await fetch(`${BASE_URL}${path}`)).arrayBuffer());
  const marker = Buffer.from('NotAllowedError');
  const pageBytes = await bytesOf(pageWasm);
  assert.equal(pageBytes.includes(marker), false, `${pageWasm} holds the camera code`);
  // Nor the QR decoder's data: its GF(256) multiplication table, whose row for 1 is every byte
  // 1..255 in order. (The splitter moves data only when the modules' shares fit the segment
  // they came from; once, they did not, and all 64 KB of it landed in the page wasm.)
  const gfRow = Buffer.from(Array.from({ length: 255 }, (_, i) => i + 1));
  assert.equal(pageBytes.includes(gfRow), false, `${pageWasm} holds the QR decoder's tables`);
  const manifest = await (await fetch(`${BASE_URL}/pkg/__wasm_split_manifest.json`)).json();
  // Each split point lists the files it needs (its own, and any shared with other points).
  const decoderFiles = Object.entries(manifest).find(([point]) => point.startsWith('decode_luma_'))?.[1];
  assert.ok(decoderFiles?.length, `no QR decoder in the split manifest: ${JSON.stringify(manifest)}`);
  const holdsTables = [];
  for (const file of decoderFiles) {
    if ((await bytesOf(`/pkg/${file}.wasm`)).includes(gfRow)) holdsTables.push(file);
  }
  assert.equal(holdsTables.length, 1, `the decoder's tables are in one of its files: ${decoderFiles}`);
  await page.goto(`${BASE_URL}/scan`);
  await waitForHydration(page);
  await page.locator('#camera-start').waitFor({ state: 'visible' });
  const camera = fetched.find(isCameraCode);
  assert.ok(camera, `camera island not fetched on /scan: ${fetched}`);
  assert.ok((await bytesOf(camera)).includes(marker), `${camera} is not the camera code`);
  await page.context().close();
});

test('the live camera reads a label and lands on the profile, verified', async () => {
  const id = t.ids.in_service;
  const video = await labelVideo(id);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
      '--use-fake-ui-for-media-stream',
    ],
  });
  try {
    const page = await openPage(browser);
    // Chromium here has no BarcodeDetector, so the QR decoder split out of the wasm does the
    // reading: fetched when the camera first needs it, not with the page.
    const fetched = [];
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    const decoder = (p) => /^\/pkg\/split_decode_luma_.*\.wasm$/.test(p);
    await page.context().grantPermissions(['camera'], { origin: BASE_URL });
    await page.goto(`${BASE_URL}/scan`);
    await waitForHydration(page);
    assert.equal(fetched.filter(decoder).length, 0, 'decoder fetched before it was needed');
    await Promise.all([
      page.waitForURL(new RegExp(`/r/${id}/`), { timeout: 20000 }),
      page.locator('#camera-start').click(),
    ]);
    assert.equal(fetched.filter(decoder).length, 1, `decoder not fetched once: ${fetched}`);
    await assertVerifiedProfile(page, id, 'in_service');
  } finally {
    await browser.close();
  }
});

test("the camera uses the browser's own BarcodeDetector where there is one; a foreign code stops", async () => {
  const id = t.ids.in_service;
  const foreign = `https://robopass-verify.example.org/r/${id}`;
  // Chromium on Linux has no BarcodeDetector; stand one in that "sees" a foreign code once
  // the camera (Chromium's built-in fake) shows a picture.
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
  try {
    const page = await openPage(browser);
    await page.context().grantPermissions(['camera'], { origin: BASE_URL });
    await page.addInitScript((code) => {
      window.BarcodeDetector = class {
        constructor(options) { window.__detectorFormats = options.formats; }
        async detect(video) { return video.videoWidth > 0 ? [{ rawValue: code }] : []; }
      };
    }, foreign);
    await page.goto(`${BASE_URL}/scan`);
    await waitForHydration(page);
    // The code's text goes in a form's body (POST /verify), never into the address.
    const posted = page.waitForRequest(
      (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/verify', { timeout: 20000 });
    await Promise.all([posted, page.locator('#camera-start').click()]);
    assert.match((await posted).postData() ?? '', /^code=https%3A%2F%2Frobopass-verify/);
    const verdict = page.locator('[data-verdict="foreign_host"]');
    await verdict.waitFor();
    assert.equal(new URL(page.url()).pathname, '/verify');
    assert.equal(new URL(page.url()).search, '', `the code is in the address: ${page.url()}`);
    assert.match(await verdict.innerText(), /robopass-verify\.example\.org, not the registry/);
    assert.deepEqual(page.problems, []);
  } finally {
    await browser.close();
  }
});

async function assertVerifiedProfile(page, id, status) {
  const verdict = page.locator('[data-verdict="verified_label"]');
  await verdict.waitFor();
  assert.match(await verdict.innerText(), /Verified official label/);
  assert.equal(await page.locator(`.banner--${status}`).count(), 1);
  // The verdict comes first.
  const order = await page.evaluate(() => {
    const v = document.querySelector('[data-verdict]');
    const b = document.querySelector('.banner');
    return v.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING;
  });
  assert.ok(order, 'verdict before the status banner');
  assert.deepEqual(page.problems, []);
}
