import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../common/env';
import { valueProblem } from '../../common/problem';
import type { FileToWrite } from './types';

export interface PrepareOptions {
  /** From -envoyConfigPath or ENVOY_CONFIG_FILE; undefined = a new temp file. */
  configPath: string | undefined;
  /** Where the path came from, for error messages (default ENVOY_CONFIG_FILE). */
  pathSource?: string;
  /** Directory of the temp file (default os.tmpdir()). */
  tmpDir?: string;
  /** Produces the bootstrap; called only when the file is empty. */
  render: () => Promise<{ yaml: string; files: readonly FileToWrite[] }>;
}

export interface PreparedBootstrap {
  path: string;
  /** False when a non-empty file was found and used as is (nothing generated, nothing read). */
  generated: boolean;
  /** True when the agent created the (temp) file. */
  created: boolean;
}

function fail(name: string, value: string, expected: string): never {
  throw new ConfigError([valueProblem(name, value, expected)]);
}

const reason = (e: unknown): string => ((e as NodeJS.ErrnoException).code ?? (e as Error).message ?? String(e));

/**
 * A new empty `<tmpDir>/envoy-config-<random>.yaml`, mode 0600. node:crypto is loaded
 * here only, when a temp file is needed (docs/agent-performance.md).
 */
async function createTempConfig(tmpDir: string): Promise<string> {
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  const file = path.join(tmpDir, `envoy-config-${randomBytes(8).toString('hex')}.yaml`);
  const handle = await fs.promises.open(file, 'wx', 0o600);
  await handle.close();
  return file;
}

/**
 * stat() through symlinks: a symlinked ENVOY_CONFIG_FILE is followed, not refused
 * (docs/reference-agent/quirks.md#q20-a-symlinked-config-file-is-refused).
 */
async function statRegular(file: string, source: string): Promise<fs.Stats> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch (e) {
    return fail(source, file, `an existing file (cannot get stats info of the bootstrap config file: ${reason(e)})`);
  }
  if (!st.isFile()) fail(source, file, 'a regular file (or a symlink to one)');
  return st;
}

/**
 * The bootstrap file (docs/reference-agent/bootstrap.md#the-bootstrap-file): the configured
 * path, or a new 0600 temp file. A non-empty file is used as is; an empty one is filled in
 * place (its permissions kept), side files first. Errors are ConfigErrors naming the
 * variable the path came from.
 */
export async function prepareBootstrapFile(opts: PrepareOptions): Promise<PreparedBootstrap> {
  const source = opts.pathSource ?? 'ENVOY_CONFIG_FILE';
  let file = opts.configPath;
  let created = false;
  if (file === undefined) {
    const dir = opts.tmpDir ?? os.tmpdir();
    try {
      file = await createTempConfig(dir);
    } catch (e) {
      return fail(source, '', `a bootstrap path: no temp file could be created in ${dir} (${reason(e)})`);
    }
    created = true;
  }
  const before = await statRegular(file, source);
  if (before.size > 0) return { path: file, generated: false, created };

  const rendered = await opts.render();
  for (const side of rendered.files) {
    try {
      await fs.promises.writeFile(side.path, side.content, { mode: side.mode });
    } catch (e) {
      fail(side.variable, side.path, `a writable location for this generated file (${reason(e)})`);
    }
  }
  try {
    await fs.promises.writeFile(file, rendered.yaml);
  } catch (e) {
    fail(source, file, `a writable bootstrap file (${reason(e)})`);
  }
  const after = await statRegular(file, source);
  if (after.size === 0) fail(source, file, 'a non-empty bootstrap after writing (the file is still empty)');
  return { path: file, generated: true, created };
}
