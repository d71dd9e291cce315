/**
 * The agent's floor (`node dist/bench/agent-floor.js`): the least a sidecar
 * agent does before it can answer its first /status, with the libraries the
 * agent uses for it and none of its own code. The same V8 flags as the agent;
 * a pino logger; the Envoy bootstrap written as YAML (a small document, with
 * the `yaml` package); an HTTP server on the Unix socket
 * APPNET_AGENT_ADMIN_UDS_PATH answering /status with a small JSON document.
 * The agent's cold start and RSS are read against this and against a bare
 * `node -e 0` measured in the same run (docs/agent-performance.md).
 */
import '../src/sidecar/v8-tuning';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { stringify } from 'yaml';

const socket = process.env.APPNET_AGENT_ADMIN_UDS_PATH;
if (!socket) throw new Error('APPNET_AGENT_ADMIN_UDS_PATH is not set');
const log = pino({ level: 'warn' });
const bootstrap = path.join(os.tmpdir(), `appnet-agent-floor-${process.pid}.yaml`);
fs.writeFileSync(bootstrap, stringify({ node: { id: 'floor', cluster: 'floor' }, admin: { address: { pipe: { path: `${socket}.envoy` } } }, dynamic_resources: { ads_config: { api_type: 'GRPC' } } }));
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ healthStatus: 'HEALTHY', uptimeMs: Math.round(process.uptime() * 1000) }));
});
server.listen(socket, () => log.info({ socket }, 'floor up'));
process.on('SIGTERM', () => {
  fs.rmSync(bootstrap, { force: true });
  process.exit(0);
});
