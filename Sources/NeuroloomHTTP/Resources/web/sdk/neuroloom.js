// Neuroloom JavaScript client: one dependency-free ES module for browsers and Node ≥ 18.
// Served by the Neuroloom server at /sdk/neuroloom.js; the dashboard uses this same file.
//
//   import { Neuroloom } from './neuroloom.js';
//   const client = new Neuroloom({ apiKey: process.env.NEUROLOOM_API_KEY, baseUrl: 'http://127.0.0.1:8080' });
//   const memory = await client.memories.create({ content: 'The user prefers dark mode', metadata: { topic: 'ui' } });
//   const { results } = await client.memories.search({ query: 'dark mode', topK: 5 });
//
// Every method returns the server's JSON as parsed (extra fields are kept, never rejected) and throws a
// NeuroloomError for any non-2xx answer or network failure.

/** The client's version. */
export const VERSION = '0.1.0';

/** Retries are bounded: `maxRetries` is clamped to this. */
export const MAX_RETRIES_LIMIT = 10;

/**
 * @typedef {'read' | 'write' | 'admin'} Scope
 *   `read` ⊂ `write` ⊂ `admin`.
 * @typedef {'live' | 'test'} Environment
 *   A workspace's partition: `live` (`nlk_live_` keys) or `test`, the sandbox (`nlk_test_` keys).
 * @typedef {'hybrid' | 'semantic' | 'keyword'} SearchMode
 * @typedef {{ [key: string]: any }} Metadata
 *   Any JSON object (at most 16 KiB encoded, 8 levels deep).
 * @typedef {{ [key: string]: any }} MetadataFilter
 *   E.g. `{ topic: 'ui', priority: { $gte: 2 }, $or: [{ a: 1 }, { b: 2 }] }`
 *   with `$eq $ne $gt $gte $lt $lte $in $nin $exists` and `$and`/`$or` arrays; dots reach into nested objects.
 *
 * @typedef {object} Memory
 * @property {string} id            `mem_` + a 26-character ULID (time-ordered).
 * @property {string} content       1 byte – 32 KiB of UTF-8.
 * @property {Metadata} metadata
 * @property {string} createdAt     ISO 8601 UTC with milliseconds.
 * @property {string} updatedAt
 * @property {string} workspaceId
 *
 * @typedef {object} NewMemory
 * @property {string} content
 * @property {Metadata} [metadata]
 *
 * @typedef {object} MemoryPatch    At least one of the two; metadata replaces the old object whole.
 * @property {string} [content]
 * @property {Metadata} [metadata]
 *
 * @typedef {object} MemoryBatch
 * @property {Memory[]} memories
 *
 * @typedef {object} ListParams
 * @property {number} [limit]       1–100 (server default 20).
 * @property {string | null} [cursor]  `nextCursor` of the previous page.
 *
 * @typedef {object} MemoryPage
 * @property {Memory[]} memories    Newest first.
 * @property {string | null} nextCursor  `null` on the last page.
 *
 * @typedef {object} SearchParams
 * @property {string} query
 * @property {number} [topK]        1–100 (default 10).
 * @property {MetadataFilter} [filters]
 * @property {SearchMode} [mode]    Default `hybrid`.
 * @property {number} [minScore]    0–1.
 *
 * @typedef {object} SearchResult
 * @property {string} id
 * @property {string} content
 * @property {number} score         0–1.
 * @property {Metadata} metadata
 * @property {string} createdAt
 * @property {string} updatedAt
 *
 * @typedef {object} SearchResponse
 * @property {SearchResult[]} results  Best first.
 *
 * @typedef {object} ApiKey         A key's public record (never the secret).
 * @property {string} id            `key_` + ULID.
 * @property {string} name
 * @property {Scope} scope
 * @property {Environment} environment
 * @property {string} preview       E.g. `nlk_live_ab12…9xZq`.
 * @property {string} createdAt
 * @property {string | null} expiresAt
 * @property {string | null} [lastUsedAt]  Absent on a just-created key.
 *
 * @typedef {ApiKey & { key: string }} CreatedApiKey  `key` is the secret, returned only once.
 *
 * @typedef {object} KeyList
 * @property {ApiKey[]} keys        Active keys of the calling key's workspace environment.
 *
 * @typedef {object} NewApiKey
 * @property {string} name          1–100 characters.
 * @property {Scope} scope
 * @property {string | Date} [expiresAt]  A future time (a Date is sent as ISO 8601).
 *
 * @typedef {object} Workspace
 * @property {string} id
 * @property {string} name
 * @property {Environment} environment  The calling key's environment.
 * @property {number} memoryCount   Memories in that environment.
 * @property {string} createdAt
 * @property {Scope} [scope]        The calling key's scope, where the server reports it.
 *
 * @typedef {object} RequestOptions
 * @property {AbortSignal} [signal] Aborts the request (and any wait before a retry).
 *
 * @typedef {object} NeuroloomOptions
 * @property {string} apiKey        `nlk_live_…` or `nlk_test_…`.
 * @property {string} [baseUrl]     Server origin, e.g. `http://127.0.0.1:8080`. Default: the page's
 *   origin in a browser, `http://127.0.0.1:8080` elsewhere.
 * @property {number} [maxRetries]  Automatic retries of a request answered 429 or 503 (default 0: none;
 *   at most MAX_RETRIES_LIMIT). Each waits the `Retry-After` the server sent.
 * @property {number} [maxRetryWait] Longest `Retry-After`, in seconds, worth waiting for (default 60);
 *   a longer one is thrown at once.
 * @property {typeof fetch} [fetch] A fetch implementation (default: the platform's `fetch`).
 */

/** Error codes used when a response carries no API error body. */
const STATUS_CODES = {
  400: 'invalid_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict',
  413: 'payload_too_large', 415: 'unsupported_media_type', 429: 'rate_limited', 500: 'internal', 503: 'unavailable',
};

/**
 * Every failure the client reports. `status` is the HTTP status (0 for a network failure),
 * `code` the API's stable code (`invalid_request`, `unauthorized`, `forbidden`, `not_found`,
 * `rate_limited`, `conflict`, …, or `network_error` / `invalid_response` from the client itself).
 */
export class NeuroloomError extends Error {
  /**
   * @param {object} init
   * @param {number} init.status
   * @param {string} init.code
   * @param {string} init.message
   * @param {string} [init.requestId]
   * @param {number} [init.retryAfter]
   * @param {unknown} [init.cause]
   */
  constructor({ status, code, message, requestId, retryAfter, cause }) {
    super(message, cause === undefined ? undefined : { cause });
    /** @type {string} */
    this.name = 'NeuroloomError';
    /** @type {number} HTTP status; 0 when no response arrived. */
    this.status = status;
    /** @type {string} */
    this.code = code;
    /** @type {string | undefined} The server's request id (also in its logs). */
    this.requestId = requestId;
    /** @type {number | undefined} Seconds to wait before retrying (429 and 503, from `Retry-After`). */
    this.retryAfter = retryAfter;
  }
}

/**
 * Parses a `Retry-After` header: delta-seconds or an HTTP date. Returns whole seconds (≥ 0), or
 * `undefined` when absent or unreadable.
 * @param {string | null | undefined} value
 * @param {number} [now] milliseconds since the epoch
 * @returns {number | undefined}
 */
export function parseRetryAfter(value, now = Date.now()) {
  if (value == null) return undefined;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * The environment a key belongs to, read from its prefix.
 * @param {string} apiKey
 * @returns {Environment | undefined}
 */
export function keyEnvironment(apiKey) {
  if (typeof apiKey !== 'string') return undefined;
  if (apiKey.startsWith('nlk_live_')) return 'live';
  if (apiKey.startsWith('nlk_test_')) return 'test';
  return undefined;
}

/**
 * The preview the server shows for a key (`nlk_live_ab12…9xZq`): lets a key list mark the caller's own key.
 * @param {string} apiKey
 * @returns {string | undefined}
 */
export function keyPreview(apiKey) {
  const environment = keyEnvironment(apiKey);
  if (!environment) return undefined;
  const prefix = `nlk_${environment}_`.length;
  return apiKey.slice(0, prefix + 4) + '…' + apiKey.slice(-4);
}

const SCOPE_RANK = { read: 1, write: 2, admin: 3 };

/**
 * Whether a key of scope `have` may do what needs `need` (`read` ⊂ `write` ⊂ `admin`).
 * @param {Scope | undefined | null} have
 * @param {Scope} need
 * @returns {boolean}
 */
export function scopeAllows(have, need) {
  return (SCOPE_RANK[/** @type {Scope} */ (have)] ?? 0) >= (SCOPE_RANK[need] ?? Infinity);
}

function defaultBaseUrl() {
  const location = /** @type {any} */ (globalThis).location;
  if (location && typeof location.origin === 'string' && /^https?:/.test(location.origin)) return location.origin;
  return 'http://127.0.0.1:8080';
}

function requireString(value, name) {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

function requireObject(value, name) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${name} must be an object`);
  return value;
}

/** Copies the defined members only, so `undefined` options are left out of the JSON body. */
function defined(object) {
  const out = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value;
  return out;
}

function sleep(milliseconds, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, milliseconds);
    function done() { signal?.removeEventListener('abort', abort); resolve(); }
    function abort() { clearTimeout(timer); reject(signal.reason); }
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** The client. One instance per API key; safe to share between concurrent calls. */
export class Neuroloom {
  /** @type {string} */ #apiKey;
  /** @type {typeof fetch} */ #fetch;

  /** @param {NeuroloomOptions} options */
  constructor(options) {
    const { apiKey, baseUrl, maxRetries = 0, maxRetryWait = 60, fetch: fetchImpl } = options ?? /** @type {any} */ ({});
    this.#apiKey = requireString(apiKey, 'apiKey');
    if (typeof (fetchImpl ?? globalThis.fetch) !== 'function') throw new TypeError('no fetch implementation: use Node ≥ 18 or pass options.fetch');
    this.#fetch = fetchImpl ? fetchImpl : (...args) => globalThis.fetch(...args);
    /** @type {string} The server origin requests go to (no trailing slash). */
    this.baseUrl = String(baseUrl ?? defaultBaseUrl()).replace(/\/+$/, '');
    if (!Number.isFinite(maxRetries) || maxRetries < 0) throw new TypeError('maxRetries must be a number ≥ 0');
    if (!Number.isFinite(maxRetryWait) || maxRetryWait < 0) throw new TypeError('maxRetryWait must be a number ≥ 0');
    /** @type {number} */
    this.maxRetries = Math.min(Math.floor(maxRetries), MAX_RETRIES_LIMIT);
    /** @type {number} */
    this.maxRetryWait = maxRetryWait;
    /** @type {Environment | undefined} The key's environment, from its prefix. */
    this.environment = keyEnvironment(apiKey);

    const request = this.request.bind(this);

    /** Memories of the key's workspace environment. */
    const memories = {
      /**
       * Stores a memory (write scope).
       * @param {NewMemory} memory
       * @param {RequestOptions} [options]
       * @returns {Promise<Memory>}
       */
      create(memory, options) {
        const { content, metadata } = requireObject(memory, 'memory');
        return request('POST', '/v1/memories', { body: defined({ content, metadata }), ...options });
      },

      /**
       * Stores 1–100 memories, all or nothing (write scope).
       * @param {NewMemory[]} memories
       * @param {RequestOptions} [options]
       * @returns {Promise<MemoryBatch>}
       */
      batchCreate(memories, options) {
        if (!Array.isArray(memories)) throw new TypeError('memories must be an array');
        const items = memories.map((m, i) => {
          const { content, metadata } = requireObject(m, `memories[${i}]`);
          return defined({ content, metadata });
        });
        return request('POST', '/v1/memories/batch', { body: { memories: items }, ...options });
      },

      /**
       * One memory by id (read scope).
       * @param {string} id
       * @param {RequestOptions} [options]
       * @returns {Promise<Memory>}
       */
      get(id, options) {
        return request('GET', `/v1/memories/${encodeURIComponent(requireString(id, 'id'))}`, options);
      },

      /**
       * Changes content and/or metadata (write scope). Metadata is replaced whole.
       * @param {string} id
       * @param {MemoryPatch} patch
       * @param {RequestOptions} [options]
       * @returns {Promise<Memory>}
       */
      update(id, patch, options) {
        const { content, metadata } = requireObject(patch, 'patch');
        return request('PATCH', `/v1/memories/${encodeURIComponent(requireString(id, 'id'))}`,
          { body: defined({ content, metadata }), ...options });
      },

      /**
       * Deletes a memory (write scope).
       * @param {string} id
       * @param {RequestOptions} [options]
       * @returns {Promise<void>}
       */
      async delete(id, options) {
        await request('DELETE', `/v1/memories/${encodeURIComponent(requireString(id, 'id'))}`, options);
      },

      /**
       * One page of memories, newest first (read scope). Pass the returned `nextCursor` for the next page.
       * @param {ListParams} [params]
       * @param {RequestOptions} [options]
       * @returns {Promise<MemoryPage>}
       */
      list(params = {}, options) {
        const { limit, cursor } = requireObject(params, 'params');
        const query = new URLSearchParams();
        if (limit !== undefined && limit !== null) query.set('limit', String(limit));
        if (cursor) query.set('cursor', String(cursor));
        const text = query.toString();
        return request('GET', text ? `/v1/memories?${text}` : '/v1/memories', options);
      },

      /**
       * Every memory, newest first, fetched page by page as the iteration proceeds (read scope).
       * @param {{ limit?: number }} [params]  page size
       * @param {RequestOptions} [options]
       * @returns {AsyncGenerator<Memory, void, void>}
       */
      async *iterate(params = {}, options) {
        let cursor = null;
        do {
          const page = await memories.list({ limit: params.limit, cursor }, options);
          yield* page.memories;
          cursor = page.nextCursor;
        } while (cursor);
      },

      /**
       * Searches memories (read scope). Ranking is keyword containment today; `mode` is accepted already.
       * @param {SearchParams} params
       * @param {RequestOptions} [options]
       * @returns {Promise<SearchResponse>}
       */
      search(params, options) {
        const { query, topK, filters, mode, minScore } = requireObject(params, 'params');
        return request('POST', '/v1/memories/search', { body: defined({ query, topK, filters, mode, minScore }), ...options });
      },
    };
    this.memories = memories;

    /** API keys of the calling key's workspace environment (admin scope). */
    this.keys = {
      /**
       * Creates a key. The result's `key` is the secret: it is shown this once.
       * @param {NewApiKey} params
       * @param {RequestOptions} [options]
       * @returns {Promise<CreatedApiKey>}
       */
      create(params, options) {
        const { name, scope, expiresAt } = requireObject(params, 'params');
        const expiry = expiresAt instanceof Date ? expiresAt.toISOString() : expiresAt;
        return request('POST', '/v1/keys', { body: defined({ name, scope, expiresAt: expiry ?? undefined }), ...options });
      },

      /**
       * The active keys (never their secrets).
       * @param {RequestOptions} [options]
       * @returns {Promise<KeyList>}
       */
      list(options) {
        return request('GET', '/v1/keys', options);
      },

      /**
       * Revokes a key, in force from the next request. Revoking the environment's last admin key is a 409.
       * @param {string} id
       * @param {RequestOptions} [options]
       * @returns {Promise<void>}
       */
      async revoke(id, options) {
        await request('DELETE', `/v1/keys/${encodeURIComponent(requireString(id, 'id'))}`, options);
      },
    };

    /** The calling key's workspace. */
    this.workspace = {
      /**
       * The workspace, as seen from the key's environment (read scope).
       * @param {RequestOptions} [options]
       * @returns {Promise<Workspace>}
       */
      get(options) {
        return request('GET', '/v1/workspace', options);
      },
    };
  }

  /**
   * Sends one request to the API and returns its parsed JSON (`undefined` for 204). Retries 429 and
   * 503 answers up to `maxRetries` times, waiting each `Retry-After`.
   * @param {string} method
   * @param {string} path  starting with `/`
   * @param {{ body?: unknown, signal?: AbortSignal }} [init]
   * @returns {Promise<any>}
   */
  async request(method, path, init = {}) {
    const { body, signal } = init;
    /** @type {Record<string, string>} */
    const headers = { Authorization: `Bearer ${this.#apiKey}`, Accept: 'application/json' };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const url = this.baseUrl + path;

    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await this.#fetch(url, { method, headers, body: payload, signal, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
      } catch (error) {
        if (signal?.aborted) throw signal.reason ?? error;
        throw new NeuroloomError({
          status: 0, code: 'network_error',
          message: `Could not reach ${this.baseUrl}: ${error?.cause?.message ?? error?.message ?? error}`, cause: error,
        });
      }
      if (response.ok) return await Neuroloom.#parse(response);

      const error = await Neuroloom.#error(response);
      const retryable = error.status === 429 || error.status === 503;
      if (!retryable || attempt >= this.maxRetries || error.retryAfter === undefined || error.retryAfter > this.maxRetryWait) {
        throw error;
      }
      await sleep(Math.max(error.retryAfter, 0) * 1000, signal);
    }
  }

  static async #parse(response) {
    if (response.status === 204) return undefined;
    const text = await response.text();
    if (text === '') return undefined;
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new NeuroloomError({
        status: response.status, code: 'invalid_response', message: 'The server sent a response that is not JSON.',
        requestId: response.headers.get('X-Request-Id') ?? undefined, cause,
      });
    }
  }

  /** @returns {Promise<NeuroloomError>} */
  static async #error(response) {
    let detail;
    try {
      const parsed = JSON.parse(await response.text());
      if (parsed && typeof parsed.error === 'object' && parsed.error) detail = parsed.error;
    } catch {
      // not an API error body: fall back to the status
    }
    const status = response.status;
    return new NeuroloomError({
      status,
      code: typeof detail?.code === 'string' ? detail.code : (STATUS_CODES[status] ?? 'http_error'),
      message: typeof detail?.message === 'string' ? detail.message : `HTTP ${status}${response.statusText ? ' ' + response.statusText : ''}`,
      requestId: (typeof detail?.requestId === 'string' ? detail.requestId : undefined) ?? response.headers.get('X-Request-Id') ?? undefined,
      retryAfter: parseRetryAfter(response.headers.get('Retry-After')),
    });
  }
}

export default Neuroloom;
