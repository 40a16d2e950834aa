// Starts a real Neuroloom server for a test: the binary from $NEUROLOOM_BIN (default
// .build/debug/neuroloom under the repository root), a fresh temporary data directory, a free
// loopback port. Resolves once the server says it is listening, with the two admin keys it printed.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const webRoot = join(repoRoot, 'Sources', 'NeuroloomHTTP', 'Resources', 'web');

/** The server binary: $NEUROLOOM_BIN, relative paths taken from the repository root. */
export function serverBinary() {
  return resolve(repoRoot, process.env.NEUROLOOM_BIN || '.build/debug/neuroloom');
}

/** A loopback port that was free a moment ago. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address());
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * @typedef {object} RunningServer
 * @property {string} baseUrl     e.g. http://127.0.0.1:41234
 * @property {number} port
 * @property {string} liveAdminKey
 * @property {string} testAdminKey
 * @property {string} dataDir
 * @property {() => string} output  everything the server printed so far (stdout and stderr)
 * @property {() => Promise<void>} stop  stops the server and removes its data directory
 */

/**
 * @param {{ args?: string[], timeoutMs?: number }} [options]  extra `serve` arguments
 * @returns {Promise<RunningServer>}
 */
export async function startServer({ args = [], timeoutMs = 30_000 } = {}) {
  const binary = serverBinary();
  if (!existsSync(binary)) {
    throw new Error(`Neuroloom binary not found at ${binary}: build it (swift build) or set NEUROLOOM_BIN`);
  }
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'neuroloom-js-'));
    try {
      return await launch(binary, dataDir, await freePort(), args, timeoutMs);
    } catch (error) {
      lastError = error;
      await rm(dataDir, { recursive: true, force: true });
      // Another process may have taken the port between the probe and the bind: try a new one.
      if (!/Address already in use/i.test(String(error?.message))) break;
    }
  }
  throw lastError;
}

function launch(binary, dataDir, port, args, timeoutMs) {
  return new Promise((resolveServer, reject) => {
    const child = spawn(binary, ['serve', '--data', dataDir, '--port', String(port), '--host', '127.0.0.1', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NEUROLOOM_LOG_LEVEL: process.env.NEUROLOOM_LOG_LEVEL ?? 'warning' },
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const exited = new Promise((done) => child.once('exit', done));

    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
      await rm(dataDir, { recursive: true, force: true });
    };

    const fail = (message) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop().finally(() => reject(new Error(`${message}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`)));
    };

    const timer = setTimeout(() => fail(`server did not start within ${timeoutMs} ms`), timeoutMs);

    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (settled) return;
      const listening = /Neuroloom listening on (http:\/\/\S+)/.exec(stdout);
      if (!listening) return;
      const live = /Live admin key:\s*(nlk_live_[A-Za-z0-9]+)/.exec(stdout);
      const test = /Test admin key:\s*(nlk_test_[A-Za-z0-9]+)/.exec(stdout);
      if (!live || !test) return fail('server is listening but printed no admin keys');
      settled = true;
      clearTimeout(timer);
      resolveServer({
        baseUrl: listening[1].replace(/\/+$/, ''),
        port,
        liveAdminKey: live[1],
        testAdminKey: test[1],
        dataDir,
        output: () => stdout + stderr,
        stop,
      });
    });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.once('error', (error) => fail(`could not run ${binary}: ${error.message}`));
    child.once('exit', (code, signal) => fail(`server exited early (code ${code}, signal ${signal})`));
  });
}
