import { type Problem, problem } from '../../common/problem';

/** The agent's command-line flags (Go style: -name value, -name=value, --name; booleans bare). */
export interface AgentFlags {
  envoyConfigPath?: string;
  logLevel?: string;
  envoyReadiness: boolean;
  /** -h, -help (or with two dashes), as Go's flag package takes them: print the settings and exit 0. */
  help?: true;
  /** Flags that could not be understood (reported, never fatal, like the reference). */
  problems: Problem[];
}

/** Declared once: the settings table names them beside their variables, `--help` lists them. */
export const CONFIG_PATH_FLAG = '-envoyConfigPath';
export const LOG_LEVEL_FLAG = '-logLevel';
export const READINESS_FLAG = '-envoyReadiness';

const STRING_FLAGS: Record<string, 'envoyConfigPath' | 'logLevel'> = {
  [CONFIG_PATH_FLAG.slice(1).toLowerCase()]: 'envoyConfigPath',
  [LOG_LEVEL_FLAG.slice(1).toLowerCase()]: 'logLevel',
};
const HELP_FLAGS = new Set(['h', 'help']);

export function parseAgentFlags(argv: readonly string[]): AgentFlags {
  const out: AgentFlags = { envoyReadiness: false, problems: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--?([A-Za-z]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      out.problems.push(problem(arg, 'unexpected argument', 'a flag'));
      continue;
    }
    const name = m[1]!.toLowerCase();
    if (name === READINESS_FLAG.slice(1).toLowerCase()) {
      const v = m[2]?.toLowerCase();
      out.envoyReadiness = v === undefined || ['1', 't', 'true'].includes(v);
      continue;
    }
    if (HELP_FLAGS.has(name) && m[2] === undefined) {
      out.help = true;
      continue;
    }
    const key = STRING_FLAGS[name];
    if (!key) {
      out.problems.push(problem(arg, 'unknown flag', `one of ${CONFIG_PATH_FLAG}, ${LOG_LEVEL_FLAG}, ${READINESS_FLAG}, -help`));
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) out.problems.push(problem(arg, 'no value', `${arg} <value>`));
    else out[key] = value;
  }
  return out;
}
