// The JavaScript client against a real server: every method and every error class.
// Run from the repository root: node --test Tests/js/   (NEUROLOOM_BIN points at the binary).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  MAX_RETRIES_LIMIT, Neuroloom, NeuroloomError, keyEnvironment, keyPreview, parseRetryAfter, scopeAllows,
} from '../../Sources/NeuroloomHTTP/Resources/web/sdk/neuroloom.js';
import { freePort, startServer } from './support/server.mjs';

const MEMORY_ID = /^mem_[0-7][0-9a-hjkmnp-tv-z]{25}$/;
const KEY_ID = /^key_[0-7][0-9a-hjkmnp-tv-z]{25}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Runs `promise`, expecting a NeuroloomError; returns it. */
async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof NeuroloomError, `expected a NeuroloomError, got ${error?.stack ?? error}`);
    return error;
  }
  assert.fail('expected the call to throw');
}

describe('client against a server', () => {
  /** @type {import('./support/server.mjs').RunningServer} */
  let server;
  /** @type {Neuroloom} */
  let admin;      // live admin
  /** @type {Neuroloom} */
  let sandbox;    // test admin: its partition is used only by the paging test

  before(async () => {
    // A generous limit, so that only the dedicated rate-limit server ever answers 429.
    server = await startServer({ args: ['--rate-limit', '10000', '--rate-burst', '10000'] });
    admin = new Neuroloom({ apiKey: server.liveAdminKey, baseUrl: server.baseUrl });
    sandbox = new Neuroloom({ apiKey: server.testAdminKey, baseUrl: server.baseUrl + '/' });
  });
  after(async () => { await server?.stop(); });

  test('workspace.get reports the workspace as seen from each environment', async () => {
    const live = await admin.workspace.get();
    assert.match(live.id, /^ws_/);
    assert.equal(live.name, 'default');
    assert.equal(live.environment, 'live');
    assert.equal(typeof live.memoryCount, 'number');
    assert.match(live.createdAt, ISO);
    const test = await sandbox.workspace.get();
    assert.equal(test.id, live.id);
    assert.equal(test.environment, 'test');
    assert.equal(admin.environment, 'live');
    assert.equal(sandbox.environment, 'test');
    assert.equal(sandbox.baseUrl, server.baseUrl, 'a trailing slash on baseUrl is dropped');
  });

  test('memories.create and get round-trip content (markup stays text) and metadata', async () => {
    const before = (await admin.workspace.get()).memoryCount;
    const content = '<script>alert("x")</script> & <b>bold</b> — ünïcödé 🧠';
    const metadata = { topic: 'ui', priority: 2, tags: ['a', 'b'], user: { id: 'u1' } };
    const created = await admin.memories.create({ content, metadata });
    assert.match(created.id, MEMORY_ID);
    assert.equal(created.content, content);
    assert.deepEqual(created.metadata, metadata);
    assert.match(created.createdAt, ISO);
    assert.equal(created.updatedAt, created.createdAt);
    const fetched = await admin.memories.get(created.id);
    assert.deepEqual(fetched, created);
    assert.equal((await admin.workspace.get()).memoryCount, before + 1);

    const bare = await admin.memories.create({ content: 'no metadata' });
    assert.deepEqual(bare.metadata, {});
  });

  test('memories.batchCreate creates all, in order, or none', async () => {
    const before = (await admin.workspace.get()).memoryCount;
    const { memories } = await admin.memories.batchCreate([
      { content: 'batch one', metadata: { n: 1 } }, { content: 'batch two' }, { content: 'batch three', metadata: { n: 3 } },
    ]);
    assert.deepEqual(memories.map((m) => m.content), ['batch one', 'batch two', 'batch three']);
    assert.deepEqual(memories.map((m) => m.metadata), [{ n: 1 }, {}, { n: 3 }]);
    for (const memory of memories) assert.match(memory.id, MEMORY_ID);
    assert.equal((await admin.workspace.get()).memoryCount, before + 3);

    const error = await rejection(admin.memories.batchCreate([{ content: 'fine' }, { content: '' }]));
    assert.equal(error.status, 400);
    assert.equal(error.code, 'invalid_request');
    assert.match(error.message, /memories\[1\]\.content/);
    assert.equal((await admin.workspace.get()).memoryCount, before + 3, 'a failed batch creates nothing');
  });

  test('memories.update changes content and replaces metadata whole', async () => {
    const created = await admin.memories.create({ content: 'before', metadata: { keep: false, old: 1 } });
    const contentOnly = await admin.memories.update(created.id, { content: 'after' });
    assert.equal(contentOnly.content, 'after');
    assert.deepEqual(contentOnly.metadata, { keep: false, old: 1 });
    const metadataOnly = await admin.memories.update(created.id, { metadata: { fresh: true } });
    assert.equal(metadataOnly.content, 'after');
    assert.deepEqual(metadataOnly.metadata, { fresh: true });
    assert.equal(metadataOnly.createdAt, created.createdAt);
    assert.ok(metadataOnly.updatedAt >= created.updatedAt);
    assert.deepEqual(await admin.memories.get(created.id), metadataOnly);

    const empty = await rejection(admin.memories.update(created.id, {}));
    assert.equal(empty.status, 400);
    assert.equal(empty.code, 'invalid_request');
  });

  test('memories.delete removes the memory', async () => {
    const created = await admin.memories.create({ content: 'short-lived' });
    assert.equal(await admin.memories.delete(created.id), undefined);
    assert.equal((await rejection(admin.memories.get(created.id))).status, 404);
    assert.equal((await rejection(admin.memories.delete(created.id))).status, 404);
  });

  test('memories.list pages newest first through nextCursor, and iterate walks every page', async () => {
    const inputs = Array.from({ length: 25 }, (_, i) => ({ content: `page item ${i}`, metadata: { i } }));
    const { memories: created } = await sandbox.memories.batchCreate(inputs);
    const newestFirst = created.map((m) => m.id).reverse();

    const seen = [];
    const sizes = [];
    let cursor = null;
    do {
      const page = await sandbox.memories.list({ limit: 10, cursor });
      sizes.push(page.memories.length);
      seen.push(...page.memories.map((m) => m.id));
      cursor = page.nextCursor;
      assert.ok(cursor === null || typeof cursor === 'string');
    } while (cursor);
    assert.deepEqual(sizes, [10, 10, 5]);
    assert.deepEqual(seen, newestFirst, 'no gaps, no duplicates, newest first');

    const firstPage = await sandbox.memories.list();
    assert.equal(firstPage.memories.length, 20, 'the server default page size');

    const iterated = [];
    for await (const memory of sandbox.memories.iterate({ limit: 7 })) iterated.push(memory.id);
    assert.deepEqual(iterated, newestFirst);

    const badLimit = await rejection(sandbox.memories.list({ limit: 0 }));
    assert.equal(badLimit.code, 'invalid_request');
    assert.match(badLimit.message, /limit/);
    const badCursor = await rejection(sandbox.memories.list({ cursor: 'not-a-cursor' }));
    assert.equal(badCursor.status, 400);
    assert.match(badCursor.message, /cursor/);
  });

  test('memories.search honours topK, filters, mode and minScore', async () => {
    await admin.memories.batchCreate([
      { content: 'zebra stripes are black and white', metadata: { animal: 'zebra', legs: 4, tags: ['savanna'] } },
      { content: 'zebra crossing on the street', metadata: { animal: 'none', legs: 0 } },
      { content: 'zebra finch sings', metadata: { animal: 'finch', legs: 2, tags: ['bird'] } },
    ]);
    // Keyword mode: exactly the memories containing the word (semantic ranks every memory).
    const all = await admin.memories.search({ query: 'zebra', mode: 'keyword' });
    assert.equal(all.results.length, 3);
    for (const result of all.results) {
      assert.match(result.id, MEMORY_ID);
      assert.match(result.content, /zebra/);
      assert.equal(typeof result.score, 'number');
      assert.ok(result.score > 0 && result.score <= 1);
      assert.equal(typeof result.metadata, 'object');
    }

    const top = await admin.memories.search({ query: 'zebra', topK: 2 });
    assert.equal(top.results.length, 2);

    const filtered = await admin.memories.search({ query: 'zebra', mode: 'keyword', filters: { legs: { $gte: 2 }, tags: { $in: ['bird'] } } });
    assert.deepEqual(filtered.results.map((r) => r.content), ['zebra finch sings']);
    const or = await admin.memories.search({ query: 'zebra', mode: 'keyword', filters: { $or: [{ animal: 'zebra' }, { legs: 0 }] } });
    assert.equal(or.results.length, 2);

    for (const mode of ['hybrid', 'semantic', 'keyword']) {
      const result = await admin.memories.search({ query: 'zebra stripes', mode, topK: 1 });
      assert.equal(result.results[0].content, 'zebra stripes are black and white', `mode ${mode}`);
    }

    const strict = await admin.memories.search({ query: 'zebra stripes', mode: 'keyword', minScore: 1 });
    assert.deepEqual(strict.results.map((r) => r.content), ['zebra stripes are black and white']);

    const badMode = await rejection(admin.memories.search({ query: 'zebra', mode: 'fuzzy' }));
    assert.equal(badMode.code, 'invalid_request');
    assert.match(badMode.message, /^mode /);
    const badFilter = await rejection(admin.memories.search({ query: 'zebra', filters: { legs: { $gte: 'two' } } }));
    assert.equal(badFilter.code, 'invalid_request');
    assert.match(badFilter.message, /filters\.legs/);
    const badTopK = await rejection(admin.memories.search({ query: 'zebra', topK: 101 }));
    assert.match(badTopK.message, /topK/);
  });

  test('keys.create gives a working key once; keys.list never shows secrets; revoke is immediate', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000);
    const created = await admin.keys.create({ name: 'js reader', scope: 'read', expiresAt });
    assert.match(created.id, KEY_ID);
    assert.equal(created.name, 'js reader');
    assert.equal(created.scope, 'read');
    assert.equal(created.environment, 'live');
    assert.match(created.key, /^nlk_live_[A-Za-z0-9]+$/);
    assert.equal(created.preview, keyPreview(created.key), 'keyPreview matches the server');
    assert.equal(Date.parse(created.expiresAt), Math.floor(expiresAt.getTime()), 'a Date expiry is sent as ISO 8601');

    const { keys } = await admin.keys.list();
    const listed = keys.find((k) => k.id === created.id);
    assert.ok(listed, 'the new key is listed');
    assert.equal(listed.key, undefined, 'no secret in the list');
    assert.ok(keys.every((k) => !('key' in k)));
    assert.equal(listed.lastUsedAt, null);
    assert.ok(keys.some((k) => k.preview === keyPreview(server.liveAdminKey)), 'the admin key is listed too');

    const reader = new Neuroloom({ apiKey: created.key, baseUrl: server.baseUrl });
    assert.equal((await reader.workspace.get()).environment, 'live');
    assert.ok(Array.isArray((await reader.memories.list()).memories));

    assert.equal(await admin.keys.revoke(created.id), undefined);
    const revoked = await rejection(reader.workspace.get());
    assert.equal(revoked.status, 401);
    assert.equal(revoked.code, 'unauthorized');
    assert.ok(!(await admin.keys.list()).keys.some((k) => k.id === created.id), 'a revoked key is not listed');

    const again = await rejection(admin.keys.revoke(created.id));
    assert.equal(again.status, 404);

    const plain = await admin.keys.create({ name: 'no expiry', scope: 'write' });
    assert.equal(plain.expiresAt, null);
    await admin.keys.revoke(plain.id);

    const badScope = await rejection(admin.keys.create({ name: 'x', scope: 'root' }));
    assert.equal(badScope.code, 'invalid_request');
    assert.match(badScope.message, /^scope /);
    const past = await rejection(admin.keys.create({ name: 'x', scope: 'read', expiresAt: '2001-01-01T00:00:00Z' }));
    assert.match(past.message, /expiresAt/);
  });

  test('revoking the last admin key of an environment is a 409 conflict', async () => {
    const { keys } = await sandbox.keys.list();
    const admins = keys.filter((k) => k.scope === 'admin');
    assert.equal(admins.length, 1);
    const error = await rejection(sandbox.keys.revoke(admins[0].id));
    assert.equal(error.status, 409);
    assert.equal(error.code, 'conflict');
    assert.equal((await sandbox.workspace.get()).environment, 'test', 'the key still works');
  });

  test('401: unknown, malformed and empty-looking keys all get the same error', async () => {
    const wellFormedButUnknown = 'nlk_live_' + 'A'.repeat(32) + 'AAAAAA';
    for (const apiKey of [wellFormedButUnknown, 'garbage', server.liveAdminKey.slice(0, -1) + 'x']) {
      const client = new Neuroloom({ apiKey, baseUrl: server.baseUrl });
      const error = await rejection(client.memories.list());
      assert.equal(error.status, 401);
      assert.equal(error.code, 'unauthorized');
      assert.equal(error.message, 'Missing or invalid API key.');
      assert.match(error.requestId, /^req_/);
      assert.equal(error.retryAfter, undefined);
      assert.equal(error.name, 'NeuroloomError');
      assert.ok(error instanceof Error);
    }
  });

  test('403: a read key cannot write, a write key cannot manage keys', async () => {
    const read = await admin.keys.create({ name: 'r', scope: 'read' });
    const write = await admin.keys.create({ name: 'w', scope: 'write' });
    const reader = new Neuroloom({ apiKey: read.key, baseUrl: server.baseUrl });
    const writer = new Neuroloom({ apiKey: write.key, baseUrl: server.baseUrl });
    try {
      const error = await rejection(reader.memories.create({ content: 'nope' }));
      assert.equal(error.status, 403);
      assert.equal(error.code, 'forbidden');
      assert.match(error.message, /write scope/);
      assert.match(error.requestId, /^req_/);
      assert.equal((await rejection(reader.memories.delete('mem_' + '0'.repeat(26)))).status, 403);
      assert.equal((await rejection(reader.keys.list())).status, 403);

      const memory = await writer.memories.create({ content: 'writer was here' });
      assert.equal((await writer.memories.get(memory.id)).content, 'writer was here');
      const keys = await rejection(writer.keys.create({ name: 'escalate', scope: 'admin' }));
      assert.equal(keys.status, 403);
      assert.match(keys.message, /admin scope/);
    } finally {
      await admin.keys.revoke(read.id);
      await admin.keys.revoke(write.id);
    }
  });

  test('404: unknown ids, malformed ids and the other environment\'s ids look the same', async () => {
    const live = await admin.memories.create({ content: 'live only' });
    for (const id of ['mem_' + '0'.repeat(26), 'mem_nope', 'x/../y']) {
      const error = await rejection(admin.memories.get(id));
      assert.equal(error.status, 404, id);
      assert.equal(error.code, 'not_found');
      assert.match(error.requestId, /^req_/);
    }
    const crossed = await rejection(sandbox.memories.get(live.id));
    assert.equal(crossed.status, 404);
    assert.equal((await rejection(admin.keys.revoke('key_' + '0'.repeat(26)))).status, 404);
  });

  test('400: invalid input names the field', async () => {
    const empty = await rejection(admin.memories.create({ content: '' }));
    assert.equal(empty.status, 400);
    assert.equal(empty.code, 'invalid_request');
    assert.match(empty.message, /^content /);
    assert.match(empty.requestId, /^req_/);

    const missing = await rejection(admin.memories.create({ metadata: { a: 1 } }));
    assert.match(missing.message, /^content is required/);
    const metadata = await rejection(admin.memories.create({ content: 'x', metadata: /** @type {any} */ (['not', 'an', 'object']) }));
    assert.match(metadata.message, /^metadata /);
    const query = await rejection(admin.memories.search({ query: '   ' }));
    assert.match(query.message, /^query /);
  });

  test('arguments the client can check itself throw TypeError before any request', async () => {
    assert.throws(() => new Neuroloom(/** @type {any} */ ({})), TypeError);
    assert.throws(() => new Neuroloom({ apiKey: 'k', maxRetries: -1 }), TypeError);
    assert.throws(() => admin.memories.get(''), TypeError);
    assert.throws(() => admin.memories.create(/** @type {any} */ (null)), TypeError);
    assert.throws(() => admin.memories.batchCreate(/** @type {any} */ ({ content: 'x' })), TypeError);
    assert.equal(new Neuroloom({ apiKey: 'k', maxRetries: 1000 }).maxRetries, MAX_RETRIES_LIMIT);
  });

  test('an aborted signal rejects with the abort reason', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(admin.workspace.get({ signal: controller.signal }), { name: 'AbortError' });
  });
});

describe('client failures without a server', () => {
  test('a closed port is a network_error with status 0', async () => {
    const port = await freePort();
    const client = new Neuroloom({ apiKey: 'nlk_live_x', baseUrl: `http://127.0.0.1:${port}` });
    const error = await rejection(client.workspace.get());
    assert.equal(error.status, 0);
    assert.equal(error.code, 'network_error');
    assert.ok(error.cause);
  });

  test('extra response fields are kept, and non-API error bodies still become NeuroloomErrors', async () => {
    const answers = [
      new Response(JSON.stringify({ id: 'ws_1', name: 'n', environment: 'test', memoryCount: 0, createdAt: 'x', scope: 'read', future: [1] }),
        { status: 200, headers: { 'Content-Type': 'application/json' } }),
      new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'X-Request-Id': 'req_proxy' } }),
      new Response('', { status: 400 }),
    ];
    const seen = [];
    const client = new Neuroloom({
      apiKey: 'nlk_test_k', baseUrl: 'http://example.invalid',
      fetch: async (url, init) => { seen.push({ url, init }); return answers.shift(); },
    });
    const workspace = await client.workspace.get();
    assert.equal(workspace.scope, 'read');
    assert.deepEqual(workspace.future, [1]);
    assert.equal(seen[0].url, 'http://example.invalid/v1/workspace');
    assert.equal(seen[0].init.headers.Authorization, 'Bearer nlk_test_k');

    const gateway = await rejection(client.workspace.get());
    assert.equal(gateway.status, 502);
    assert.equal(gateway.code, 'http_error');
    assert.equal(gateway.message, 'HTTP 502 Bad Gateway');
    assert.equal(gateway.requestId, 'req_proxy');

    const bare = await rejection(client.memories.list());
    assert.equal(bare.code, 'invalid_request', 'the code follows the status when the body has none');
  });
});

describe('rate limiting (429)', () => {
  /** @type {import('./support/server.mjs').RunningServer} */
  let server;

  before(async () => { server = await startServer({ args: ['--rate-limit', '1', '--rate-burst', '2'] }); });
  after(async () => { await server?.stop(); });

  /** Spends the key's burst, then returns the 429 that follows. */
  async function exhaust(client) {
    for (let i = 0; i < 10; i++) {
      try {
        await client.workspace.get();
      } catch (error) {
        assert.ok(error instanceof NeuroloomError);
        return error;
      }
    }
    assert.fail('the rate limit never answered 429');
  }

  test('429 carries code rate_limited and retryAfter ≥ 1', async () => {
    const client = new Neuroloom({ apiKey: server.liveAdminKey, baseUrl: server.baseUrl });
    const error = await exhaust(client);
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate_limited');
    assert.equal(typeof error.retryAfter, 'number');
    assert.ok(error.retryAfter >= 1, `retryAfter ${error.retryAfter}`);
    assert.match(error.message, /retry in \d+ s/);
    assert.match(error.requestId, /^req_/);
  });

  test('maxRetries waits Retry-After and then succeeds', async () => {
    let attempts = 0;
    const counting = (...args) => { attempts++; return fetch(...args); };
    const plain = new Neuroloom({ apiKey: server.testAdminKey, baseUrl: server.baseUrl });
    const limited = await exhaust(plain);
    assert.equal(limited.status, 429);

    const patient = new Neuroloom({ apiKey: server.testAdminKey, baseUrl: server.baseUrl, maxRetries: 3, fetch: counting });
    const started = Date.now();
    const workspace = await patient.workspace.get();
    const waited = Date.now() - started;
    assert.equal(workspace.environment, 'test');
    assert.ok(attempts >= 2, `expected at least one retry, made ${attempts} attempts`);
    assert.ok(attempts <= 4, `retries are bounded, made ${attempts} attempts`);
    assert.ok(waited >= 900, `waited only ${waited} ms`);
  });

  test('a Retry-After beyond maxRetryWait is thrown at once', async () => {
    const created = await (async () => {
      // Give this test its own key (own bucket); the admin may itself be limited: retry politely.
      const admin = new Neuroloom({ apiKey: server.liveAdminKey, baseUrl: server.baseUrl, maxRetries: 5 });
      return admin.keys.create({ name: 'bucket', scope: 'read' });
    })();
    let attempts = 0;
    const counting = (...args) => { attempts++; return fetch(...args); };
    const impatient = new Neuroloom({ apiKey: created.key, baseUrl: server.baseUrl, maxRetries: 3, maxRetryWait: 0, fetch: counting });
    await exhaust(impatient);
    attempts = 0;
    const started = Date.now();
    const error = await rejection(impatient.workspace.get());
    assert.equal(error.status, 429);
    assert.equal(attempts, 1, 'no retry when Retry-After exceeds maxRetryWait');
    assert.ok(Date.now() - started < 900);
  });

  test('retries are bounded by maxRetries', async () => {
    let attempts = 0;
    const alwaysLimited = async () => {
      attempts++;
      return new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down', requestId: `req_${attempts}` } }),
        { status: 429, headers: { 'Retry-After': '0', 'Content-Type': 'application/json' } });
    };
    const client = new Neuroloom({ apiKey: 'nlk_live_k', baseUrl: 'http://example.invalid', maxRetries: 2, fetch: alwaysLimited });
    const error = await rejection(client.memories.create({ content: 'x' }));
    assert.equal(attempts, 3, 'one try and two retries');
    assert.equal(error.status, 429);
    assert.equal(error.retryAfter, 0);
    assert.equal(error.requestId, 'req_3');

    attempts = 0;
    const none = new Neuroloom({ apiKey: 'nlk_live_k', baseUrl: 'http://example.invalid', fetch: alwaysLimited });
    await rejection(none.workspace.get());
    assert.equal(attempts, 1, 'no retry by default');
  });
});

describe('pure helpers', () => {
  test('parseRetryAfter reads seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('3'), 3);
    assert.equal(parseRetryAfter(' 0 '), 0);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now), 5);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
  });

  test('keyEnvironment, keyPreview and scopeAllows', () => {
    assert.equal(keyEnvironment('nlk_live_abc'), 'live');
    assert.equal(keyEnvironment('nlk_test_abc'), 'test');
    assert.equal(keyEnvironment('sk_live_abc'), undefined);
    assert.equal(keyPreview('nlk_test_ABCDEFGHIJKLMNOP'), 'nlk_test_ABCD…MNOP');
    assert.equal(keyPreview('nope'), undefined);
    assert.ok(scopeAllows('admin', 'write'));
    assert.ok(scopeAllows('write', 'write'));
    assert.ok(!scopeAllows('read', 'write'));
    assert.ok(!scopeAllows('write', 'admin'));
    assert.ok(!scopeAllows(undefined, 'read'));
    assert.ok(!scopeAllows('admin', /** @type {any} */ ('root')));
  });
});
