import { UsageError } from './usage-error';

/** The command line of `appnet`, pure: argv (after the program) -> what to do. */

export const MAIN_USAGE = `Usage: appnet <command> [options]

Commands:
  status    the xDS sync state of every node on an appnet-relay (like
            istioctl proxy-status), or one sidecar agent's health

Options:
  -h, --help    show this help

Run 'appnet status --help' for the status command's options.
`;

export const STATUS_USAGE = `Usage: appnet status [--relay <addr>] [--json]
       appnet status --agent <addr> [--json]

Reads an admin API's /status and prints it for people, or with --json for scripts.

Relay (the default): the relay's health, its upstream (management server) and
credentials, then one row per xDS client node (its streams grouped):
NODE ID, CLUSTER, one column per xDS type (CDS LDS EDS RDS SDS, then any other
type in use), STREAMS, AGE (of the node's newest stream), LAST NACK (cut to 60
characters; whole in --json). Each type shows its state and the first 8
characters of the last version sent:
  SYNCED    the last response was ACKed
  STALE     a response was sent and is not ACKed yet
  NACKED    the last response was rejected (LAST NACK says why)
  NOT SENT  requested, nothing sent yet
  -         never requested by this node
Streams that carry no node (non-xDS paths, or no request yet) are summarized
by path below the table.

Agent (--agent): one sidecar agent's health and its reasons, Envoy (state, pid,
restarts, last exit), readiness, the control plane, and the relay behind it.

Options:
  --relay <addr>   the relay's admin API (default: see below)
  --agent <addr>   a sidecar agent's admin API instead of a relay
  --json           print a stable JSON document (every field, nothing cut)
  -h, --help       show this help

Addresses: unix:/path, unix:///path or /path (a Unix socket), host:port,
[ipv6]:port, :port (this host), http://host:port.
Default relay address: the admin listener the relay itself would use with this
environment (APPNET_AGENT_ADMIN_MODE=uds|tcp with APPNET_AGENT_ADMIN_UDS_PATH,
or APPNET_AGENT_HTTP_PORT and APPNET_AGENT_HTTP_BIND_ADDRESS; a listener on all
interfaces is asked on 127.0.0.1); without APPNET_AGENT_ADMIN_MODE,
unix:/var/run/ecs/appnet_admin.sock.

Exit status: 0 the /status was read (whatever health it reports); 1 usage
error; 2 no /status could be read (unreachable, no answer within 5 s, or not
an appnet admin API).
`;

export type Command =
  | { kind: 'help'; text: string }
  | { kind: 'status'; target: 'relay' | 'agent'; address: string | undefined; json: boolean };

function parseStatus(args: readonly string[]): Command {
  let relay: string | undefined;
  let agent: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-h' || a === '--help') return { kind: 'help', text: STATUS_USAGE };
    if (a === '--json') {
      if (json) throw new UsageError('--json is given twice');
      json = true;
      continue;
    }
    const m = /^--(relay|agent)(?:=(.*))?$/s.exec(a);
    if (m) {
      const value = m[2] ?? args[++i];
      if (value === undefined || value === '' || (m[2] === undefined && value.startsWith('-'))) throw new UsageError(`--${m[1]} needs an address`);
      if ((m[1] === 'relay' ? relay : agent) !== undefined) throw new UsageError(`--${m[1]} is given twice`);
      if (m[1] === 'relay') relay = value;
      else agent = value;
      continue;
    }
    throw new UsageError(a.startsWith('-') ? `unknown option ${JSON.stringify(a)}` : `unexpected argument ${JSON.stringify(a)}`);
  }
  if (relay !== undefined && agent !== undefined) throw new UsageError('give --relay or --agent, not both');
  return agent !== undefined ? { kind: 'status', target: 'agent', address: agent, json } : { kind: 'status', target: 'relay', address: relay, json };
}

export function parseArgs(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('no command given');
  if (first === 'help' && rest[0] === 'status') return { kind: 'help', text: STATUS_USAGE };
  if (first === '-h' || first === '--help' || first === 'help') return { kind: 'help', text: MAIN_USAGE };
  if (first === 'status') return parseStatus(rest);
  throw new UsageError(first.startsWith('-') ? `unknown option ${JSON.stringify(first)}` : `unknown command ${JSON.stringify(first)}`);
}
