import { ConfigError, type Env } from '../common/env';
import { type AdminAddress, defaultAdminAddress, describeAddress, parseAdminAddress } from './admin-address';
import { agentReport } from './agent-report';
import { renderAgentText } from './agent-text';
import { type Command, parseArgs } from './args';
import { readRelayDocument } from './relay-document';
import { relayReport } from './relay-rows';
import { renderRelayText } from './relay-text';
import { COLOR, PLAIN, useColor } from './style';
import { UsageError } from './usage-error';
import { errorMessage } from '../common/problem';

/** `appnet`: argv in, what to print and the exit code out. All I/O comes in through `CliIo`. */

export interface CliIo {
  env: Env;
  cwd: string;
  stdoutIsTTY: boolean;
  /** GET /status at the address: parsed JSON, or a rejection whose message says why not. */
  fetchStatus(a: AdminAddress): Promise<unknown>;
}

export interface CliResult {
  code: 0 | 1 | 2;
  stdout: string;
  stderr: string;
}

type StatusCommand = Extract<Command, { kind: 'status' }>;

const usageError = (message: string, help: string): CliResult => ({ code: 1, stdout: '', stderr: `appnet: ${message}\nRun '${help}' for usage.\n` });

function resolveAddress(c: StatusCommand, io: CliIo): AdminAddress {
  if (c.address !== undefined) return parseAdminAddress(c.address, io.cwd);
  try {
    return defaultAdminAddress(io.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`cannot work out the relay's default admin address: ${err.message}; give --relay <addr>`);
    throw err;
  }
}

async function status(c: StatusCommand, io: CliIo): Promise<CliResult> {
  let address: AdminAddress;
  try {
    address = resolveAddress(c, io);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, 'appnet status --help');
    throw err;
  }
  const where = describeAddress(address);
  const what = c.target === 'relay' ? "the relay's" : "the agent's";
  const fromDefault = c.address === undefined ? ' (the default address: give --relay <addr> to ask elsewhere)' : '';
  const fail = (reason: string): CliResult => ({ code: 2, stdout: '', stderr: `appnet status: cannot read ${what} /status at ${where}: ${reason}${fromDefault}\n` });
  let body: unknown;
  try {
    body = await io.fetchStatus(address);
  } catch (err) {
    return fail(errorMessage(err));
  }
  const style = useColor(io.stdoutIsTTY, io.env) && !c.json ? COLOR : PLAIN;
  try {
    if (c.target === 'relay') {
      const report = relayReport(readRelayDocument(body), where);
      return { code: 0, stdout: c.json ? `${JSON.stringify(report, null, 2)}\n` : renderRelayText(report, style), stderr: '' };
    }
    const report = agentReport(body, where);
    return { code: 0, stdout: c.json ? `${JSON.stringify(report, null, 2)}\n` : renderAgentText(report, style), stderr: '' };
  } catch (err) {
    return fail(errorMessage(err));
  }
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<CliResult> {
  let command: Command;
  try {
    command = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, argv[0] === 'status' ? 'appnet status --help' : 'appnet --help');
    throw err;
  }
  if (command.kind === 'help') return { code: 0, stdout: command.text, stderr: '' };
  return status(command, io);
}
