// The dashboard: its markup and code follow the rules the CSP and the issue set (no inline script or
// style, no external requests, text-only rendering, sessionStorage only), its helpers behave, and
// its scope detection is right against a real server.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';

import { Neuroloom, NeuroloomError } from '../../Sources/NeuroloomHTTP/Resources/web/sdk/neuroloom.js';
import {
  InputError, PROBE_MEMORY_ID, STORAGE_KEY, describeError, detectScope, environmentBadge, forgetStoredKey, h,
  loadStoredKey, metadataSummary, parseExpiry, parseJSONObject, parseTopK, renderKeyRow, renderMemoryItem, storeKey,
} from '../../Sources/NeuroloomHTTP/Resources/web/app.js';
import { FakeElement, createFakeDocument } from './support/fakedom.mjs';
import { startServer, webRoot } from './support/server.mjs';

const read = (name) => readFile(join(webRoot, name), 'utf8');

describe('dashboard files', () => {
  let html, js, css, sdk;
  before(async () => {
    [html, js, css, sdk] = await Promise.all([read('index.html'), read('app.js'), read('app.css'), read('sdk/neuroloom.js')]);
  });

  test('index.html has no inline script, inline style or event handler attributes', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    assert.ok(scripts.length >= 1);
    for (const [, attributes, body] of scripts) {
      assert.match(attributes, /\bsrc="\/[^/"]/, 'every script is a same-origin file');
      assert.equal(body.trim(), '', 'no inline script');
    }
    assert.doesNotMatch(html, /<style\b/i, 'no <style> element');
    assert.doesNotMatch(html, /\sstyle\s*=/i, 'no style attribute');
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no on… handler attribute');
    assert.doesNotMatch(html, /javascript:/i);
  });

  test('index.html loads nothing from another origin and declares the CSP', () => {
    for (const [, , url] of html.matchAll(/\s(href|src|action)="([^"]*)"/gi)) {
      assert.ok(/^(\/(?!\/)|#)/.test(url), `same-origin or fragment URL only: ${url}`);
    }
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
    assert.ok(csp, 'a CSP meta element');
    assert.match(csp[1], /default-src 'self'/);
    assert.doesNotMatch(csp[1], /unsafe-inline|unsafe-eval|\*/);
    assert.match(html, /<meta name="referrer" content="no-referrer">/);
  });

  test('app.js, app.css and the SDK contain no HTML injection, eval, inline style or other storage', () => {
    for (const [name, source] of [['app.js', js], ['sdk/neuroloom.js', sdk]]) {
      for (const forbidden of [/\.innerHTML\b/, /\.outerHTML\b/, /insertAdjacentHTML/, /document\.write/, /\beval\s*\(/,
        /new Function\b/, /\.style\b/, /setAttribute\(\s*['"](style|on)/, /localStorage/, /document\.cookie/, /indexedDB/]) {
        assert.doesNotMatch(source, forbidden, `${name} must not use ${forbidden}`);
      }
    }
    assert.doesNotMatch(js, /https?:\/\//, 'app.js names no absolute URL: it talks to its own origin only');
    assert.doesNotMatch(css, /@import|url\(/, 'app.css loads nothing');
    assert.match(js, /from '\.\/sdk\/neuroloom\.js'/, 'the dashboard uses the served SDK');
  });

  test('every element app.js looks up exists in index.html, and data-needs names a scope', () => {
    const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    const used = new Set([...js.matchAll(/\$\('([^']+)'\)/g)].map((m) => m[1]));
    assert.ok(used.size > 20);
    for (const id of used) assert.ok(ids.has(id), `#${id} is missing from index.html`);
    for (const [, scope] of html.matchAll(/data-needs="([^"]*)"/g)) assert.ok(['read', 'write', 'admin'].includes(scope), scope);
    assert.match(html, /id="nav-keys"[^>]*data-needs="admin"/, 'key management is for admin keys');
    assert.match(html, /id="create-panel"[^>]*data-needs="write"/, 'creating memories is for write keys');
  });
});

describe('dashboard helpers', () => {
  test('parseJSONObject accepts objects only and names the field', () => {
    assert.deepEqual(parseJSONObject('{"a": {"$gte": 2}}', 'filters'), { a: { $gte: 2 } });
    assert.equal(parseJSONObject('  ', 'filters', { optional: true }), undefined);
    assert.deepEqual(parseJSONObject('', 'metadata', { blankAsEmpty: true }), {});
    assert.throws(() => parseJSONObject('', 'metadata'), { name: 'InputError', message: 'metadata is required' });
    assert.throws(() => parseJSONObject('{a: 1}', 'filters'), (error) => error instanceof InputError
      && error.field === 'filters' && /^filters is not valid JSON/.test(error.message));
    for (const notObject of ['[1]', '"text"', '3', 'null']) {
      assert.throws(() => parseJSONObject(notObject, 'filters'), /filters must be a JSON object/);
    }
  });

  test('parseTopK and parseExpiry', () => {
    assert.equal(parseTopK('10'), 10);
    assert.equal(parseTopK(' 100 '), 100);
    for (const bad of ['0', '101', '2.5', '', 'ten', '-1']) assert.throws(() => parseTopK(bad), InputError, bad);
    const now = Date.parse('2026-06-01T12:00:00Z');
    assert.equal(parseExpiry('', now), undefined);
    assert.equal(parseExpiry('2027-01-01T00:00Z', now), '2027-01-01T00:00:00.000Z');
    assert.throws(() => parseExpiry('2020-01-01T00:00Z', now), /in the future/);
    assert.throws(() => parseExpiry('tomorrow', now), /not a valid date/);
  });

  test('describeError gives a readable sentence for each error class', () => {
    const error = (status, code, message, extra = {}) => new NeuroloomError({ status, code, message, requestId: 'req_1', ...extra });
    assert.match(describeError(error(401, 'unauthorized', 'Missing or invalid API key.')), /not accepted.*Log in again/);
    assert.equal(describeError(error(403, 'forbidden', 'This API key lacks the write scope.')),
      'This API key lacks the write scope. Use a key with a wider scope. (request req_1)');
    assert.match(describeError(error(404, 'not_found', 'Not found.')), /^Not found/);
    assert.equal(describeError(error(400, 'invalid_request', 'filters.legs.$gte must be a number')),
      'filters.legs.$gte must be a number (request req_1)', 'the server\'s message, naming the field');
    const now = Date.parse('2026-06-01T12:00:00Z');
    const limited = describeError(error(429, 'rate_limited', 'Rate limit exceeded; retry in 7 s.', { retryAfter: 7 }), now);
    assert.match(limited, /retry in 7 s \(after .+\)/);
    assert.ok(limited.includes(new Date(now + 7000).toLocaleTimeString()), 'says when to retry');
    assert.match(describeError(error(503, 'unavailable', 'x', { retryAfter: 1 })), /busy: retry in 1 s/);
    assert.match(describeError(new NeuroloomError({ status: 0, code: 'network_error', message: 'x' })), /Cannot reach/);
    assert.equal(describeError(new InputError('topK', 'topK must be a whole number from 1 to 100')), 'topK must be a whole number from 1 to 100');
    assert.match(describeError(new TypeError('boom')), /Unexpected error: boom/);
  });

  test('environmentBadge marks test keys as SANDBOX; metadataSummary is short', () => {
    assert.deepEqual(environmentBadge('test'), { text: 'SANDBOX', className: 'badge badge-sandbox' });
    assert.equal(environmentBadge('live').text, 'LIVE');
    assert.equal(metadataSummary({}), '');
    assert.equal(metadataSummary({ a: 1 }), '{"a":1}');
    assert.equal(metadataSummary({ long: 'x'.repeat(500) }, 40).length, 40);
  });

  describe('the API key lives in sessionStorage only', () => {
    let session;
    beforeEach(() => {
      const values = new Map();
      session = {
        getItem: (k) => values.get(k) ?? null, setItem: (k, v) => values.set(k, String(v)), removeItem: (k) => values.delete(k), values,
      };
      globalThis.sessionStorage = session;
      Object.defineProperty(globalThis, 'localStorage', { configurable: true, get() { throw new Error('localStorage must not be used'); } });
    });
    afterEach(() => {
      delete globalThis.sessionStorage;
      delete globalThis.localStorage;
    });

    test('store, load and forget', () => {
      assert.equal(loadStoredKey(), '');
      storeKey('nlk_test_abc');
      assert.deepEqual([...session.values], [[STORAGE_KEY, 'nlk_test_abc']]);
      assert.equal(loadStoredKey(), 'nlk_test_abc');
      forgetStoredKey();
      assert.equal(session.values.size, 0);
      assert.equal(loadStoredKey(), '');
    });
  });
});

describe('dashboard rendering keeps user content as text', () => {
  beforeEach(() => { globalThis.document = /** @type {any} */ (createFakeDocument()); });
  afterEach(() => { delete globalThis.document; });

  const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>';

  test('a memory whose content and metadata hold markup renders as text', () => {
    const opened = [];
    const item = /** @type {FakeElement} */ (/** @type {unknown} */ (renderMemoryItem(
      { id: 'mem_1', content: hostile, metadata: { '<b>': '<i>x</i>' }, createdAt: '2026-01-01T00:00:00.000Z', score: 0.5 },
      { onOpen: (id) => opened.push(id) })));
    const tags = new Set([...item.descendants()].map((e) => e.tagName));
    for (const tag of tags) assert.ok(['BUTTON', 'SPAN', 'DIV'].includes(tag), `unexpected element ${tag}`);
    assert.ok(item.textContent.includes(hostile), 'the markup is shown literally');
    assert.ok(item.textContent.includes('{"<b>":"<i>x</i>"}'));
    assert.ok(item.textContent.includes('score 0.500'));
    const button = [...item.descendants()].find((e) => e.tagName === 'BUTTON');
    const event = button.dispatch('click');
    assert.deepEqual(opened, ['mem_1']);
    assert.ok(event.defaultPrevented);
  });

  test('a key row shows its name as text and wires Revoke', () => {
    const revoked = [];
    const key = {
      id: 'key_1', name: hostile, scope: 'read', environment: 'test', preview: 'nlk_test_AbCd…wXyZ',
      createdAt: '2026-01-01T00:00:00.000Z', lastUsedAt: null, expiresAt: null,
    };
    const row = /** @type {any} */ (renderKeyRow(key, { current: true, onRevoke: (k) => revoked.push(k.id) }));
    assert.equal(row.tagName, 'TR');
    const cells = row.children;
    assert.equal(cells.length, 8);
    assert.equal(cells[0].textContent, hostile + 'this key');
    assert.deepEqual([...cells[0].descendants()].map((e) => e.tagName), ['SPAN']);
    assert.equal(cells[1].textContent, 'read');
    assert.equal(cells[2].textContent, 'SANDBOX');
    assert.equal(cells[3].textContent, 'nlk_test_AbCd…wXyZ');
    assert.equal(cells[5].textContent, 'never');
    assert.equal(cells[6].textContent, 'never');
    [...cells[7].descendants()][0].dispatch('click');
    assert.deepEqual(revoked, ['key_1']);
  });

  test('h() turns string children into text nodes, never markup', () => {
    const element = /** @type {any} */ (h('p', { className: 'x', title: '"><script>' }, hostile, 42, null, false));
    assert.equal(element.children.length, 0);
    assert.equal(element.textContent, hostile + '42');
    assert.equal(element.getAttribute('title'), '"><script>');
    assert.throws(() => { element.innerHTML = hostile; }, /not allowed/, 'the fake DOM refuses HTML, so the checks above mean something');
  });
});

describe('dashboard scope detection', () => {
  /** @type {import('./support/server.mjs').RunningServer} */
  let server;
  let admin;
  before(async () => {
    server = await startServer({ args: ['--rate-limit', '10000', '--rate-burst', '10000'] });
    admin = new Neuroloom({ apiKey: server.liveAdminKey, baseUrl: server.baseUrl });
  });
  after(async () => { await server?.stop(); });

  test('probing finds each scope and changes nothing', async () => {
    const existing = await admin.memories.create({ content: 'unchanged by probing', metadata: { a: 1 } });
    const clients = { admin };
    for (const scope of ['read', 'write']) {
      const created = await admin.keys.create({ name: `${scope} probe`, scope });
      clients[scope] = new Neuroloom({ apiKey: created.key, baseUrl: server.baseUrl });
    }
    for (const scope of ['read', 'write', 'admin']) {
      const workspace = await clients[scope].workspace.get();
      const withoutScope = { ...workspace };
      delete withoutScope.scope;
      assert.equal(await detectScope(clients[scope], withoutScope), scope);
    }
    const { memories } = await admin.memories.list();
    assert.deepEqual(memories, [existing], 'no memory was created or changed');
    assert.equal((await rejection(admin.memories.get(PROBE_MEMORY_ID))).status, 404);
  });

  test('a scope reported by the workspace is used without probing', async () => {
    const noRequests = /** @type {any} */ ({
      keys: { list: () => assert.fail('no probe expected') },
      request: () => assert.fail('no probe expected'),
    });
    assert.equal(await detectScope(noRequests, { scope: 'write' }), 'write');
  });

  test('errors other than a scope refusal are passed on', async () => {
    const revokedKey = new Neuroloom({ apiKey: 'nlk_live_' + 'B'.repeat(38), baseUrl: server.baseUrl });
    const error = await rejection(detectScope(revokedKey, undefined));
    assert.equal(error.status, 401);
  });
});

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof NeuroloomError, String(error));
    return error;
  }
  assert.fail('expected the call to throw');
}
