/** The agent's command-line flags (Go style: -name value, -name=value, --name; booleans bare). */
export interface AgentFlags {
  envoyConfigPath?: string;
  logLevel?: string;
  envoyReadiness: boolean;
  /** Flags that could not be understood (reported, never fatal, like the reference). */
  problems: string[];
}

const STRING_FLAGS: Record<string, 'envoyConfigPath' | 'logLevel'> = { envoyconfigpath: 'envoyConfigPath', loglevel: 'logLevel' };

export function parseAgentFlags(argv: readonly string[]): AgentFlags {
  const out: AgentFlags = { envoyReadiness: false, problems: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--?([A-Za-z]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      out.problems.push(`unexpected argument "${arg}"`);
      continue;
    }
    const name = m[1]!.toLowerCase();
    if (name === 'envoyreadiness') {
      const v = m[2]?.toLowerCase();
      out.envoyReadiness = v === undefined || ['1', 't', 'true'].includes(v);
      continue;
    }
    const key = STRING_FLAGS[name];
    if (!key) {
      out.problems.push(`unknown flag "${arg}" (known: -envoyConfigPath, -logLevel, -envoyReadiness)`);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) out.problems.push(`flag ${arg} needs a value`);
    else out[key] = value;
  }
  return out;
}
