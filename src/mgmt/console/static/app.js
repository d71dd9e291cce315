// The appnet-mgmt console: the meshes as a graph (virtual services -> routers -> routes ->
// weighted targets -> virtual nodes, and gateways), every connected xDS client with where each
// of its types stands, and live updates. Reads /ui/api/*, follows /ui/events, and changes the
// model only through the App Mesh API (UpdateRoute), so validation and versions are the API's.
import { h, render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import htm from 'htm';

const html = htm.bind(h);
const COLORS = ['#3456d1', '#12805c', '#b54708', '#9e77ed', '#0e9384', '#c11574', '#667085', '#dc6803', '#2e90fa', '#6172f3'];
const ROUTE_KINDS = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'];

// The token comes once in the URL fragment (#token=...), then lives in this tab only.
const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromHash) {
  sessionStorage.setItem('appnet-console-token', fromHash);
  history.replaceState(null, '', location.pathname);
}
const token = () => sessionStorage.getItem('appnet-console-token') ?? '';
const authHeaders = () => (token() ? { authorization: `Bearer ${token()}` } : {});

async function getJson(path) {
  const r = await fetch(path, { headers: authHeaders() });
  if (r.status === 401) throw Object.assign(new Error('the console token is missing or wrong'), { unauthorized: true });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}

function routeBody(spec) {
  const kind = ROUTE_KINDS.find((k) => spec && spec[k]);
  return kind ? { kind, body: spec[kind] } : { kind: undefined, body: undefined };
}

function matchText(kind, body) {
  if (!body) return '';
  const m = body.match ?? {};
  if (kind === 'grpcRoute') return [m.serviceName ? `service ${m.serviceName}` : 'any service', m.methodName ? `method ${m.methodName}` : ''].filter(Boolean).join(' ');
  if (kind === 'tcpRoute') return m.port ? `port ${m.port}` : 'all TCP';
  const path = m.prefix !== undefined ? `prefix ${m.prefix}` : m.path ? `path ${m.path.exact ?? m.path.regex}` : '';
  return [path, m.method ? m.method : '', (m.headers ?? []).length ? `${m.headers.length} header match(es)` : ''].filter(Boolean).join(', ');
}

function SplitBar({ targets }) {
  const total = targets.reduce((s, t) => s + t.weight, 0) || 1;
  return html`<div class="split" data-testid="split">
    ${targets.map((t, i) => html`<div class=${`seg${t.weight === 0 ? ' zero' : ''}`} style=${`width:${(t.weight / total) * 100}%;background:${COLORS[i % COLORS.length]}`} title=${`${t.virtualNode} ${t.weight}`}>${t.virtualNode} ${Math.round((t.weight / total) * 100)}%</div>`)}
  </div>`;
}

function Route({ mesh, router, route, onSaved }) {
  const { kind, body } = routeBody(route.spec);
  const targets = body?.action?.weightedTargets ?? [];
  const [editing, setEditing] = useState(false);
  const [weights, setWeights] = useState(targets.map((t) => t.weight));
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => setWeights(targets.map((t) => t.weight)), [route.metadata.version]);
  const save = async () => {
    setBusy(true);
    setError('');
    const spec = { ...route.spec, [kind]: { ...body, action: { ...body.action, weightedTargets: targets.map((t, i) => ({ ...t, weight: Number(weights[i]) })) } } };
    const path = `/v20190125/meshes/${encodeURIComponent(mesh)}/virtualRouter/${encodeURIComponent(router)}/routes/${encodeURIComponent(route.routeName)}`;
    try {
      const r = await fetch(path, { method: 'PUT', headers: { 'content-type': 'application/json', ...authHeaders() }, body: JSON.stringify({ spec, clientToken: crypto.randomUUID() }) });
      if (!r.ok) {
        const e = await r.json().catch(() => ({}));
        setError(`${r.headers.get('x-amzn-errortype') ?? r.status}: ${e.message ?? ''}`);
      } else {
        setEditing(false);
        onSaved();
      }
    } catch (e) {
      setError(String(e));
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="route" data-testid=${`route-${router}-${route.routeName}`}>
    <div><strong>${route.routeName}</strong> <span class="muted">${kind} · v${route.metadata.version}${body?.priority !== undefined ? ` · priority ${body.priority}` : ''}</span></div>
    <div class="match">${matchText(kind, body)}</div>
    <${SplitBar} targets=${targets} />
    ${editing
      ? html`<div class="targets">
          ${targets.map((t, i) => html`<label>${t.virtualNode} <input type="number" min="0" max="100" data-testid=${`weight-${t.virtualNode}`} value=${weights[i]} onInput=${(e) => setWeights(weights.map((w, j) => (j === i ? e.target.value : w)))} /></label>`)}
          <button data-testid="save" disabled=${busy} onClick=${save}>Save</button>
          <button class="secondary" onClick=${() => setEditing(false)}>Cancel</button>
        </div>`
      : html`<div class="targets">${targets.map((t) => html`<span data-testid=${`target-${t.virtualNode}`}>${t.virtualNode}: <strong>${t.weight}</strong></span>`)}
          <button class="secondary" data-testid="edit" onClick=${() => setEditing(true)}>Edit weights</button></div>`}
    ${error && html`<div class="error" data-testid="route-error">${error}</div>`}
  </div>`;
}

function Node({ node, endpoints }) {
  const s = node.spec ?? {};
  const listeners = (s.listeners ?? []).map((l) => `${l.portMapping.protocol}:${l.portMapping.port}`).join(', ') || 'no listener';
  const discovery = s.serviceDiscovery?.dns ? `dns ${s.serviceDiscovery.dns.hostname}` : s.serviceDiscovery?.awsCloudMap ? `cloud map ${s.serviceDiscovery.awsCloudMap.serviceName}` : '';
  return html`<div class="box node" data-testid=${`node-${node.virtualNodeName}`}><span class="kind">virtual node</span><strong>${node.virtualNodeName}</strong>
    <div class="muted">${listeners}${discovery ? ` · ${discovery}` : ''}${endpoints ? ` · ${endpoints.join(', ')}` : ''}</div></div>`;
}

function Mesh({ m, endpoints, onSaved }) {
  const name = m.mesh.meshName;
  const nodes = Object.fromEntries(m.virtualNodes.map((n) => [n.virtualNodeName, n]));
  const routers = Object.fromEntries(m.virtualRouters.map((r) => [r.router.virtualRouterName, r]));
  return html`<section data-testid=${`mesh-${name}`}>
    <h2>Mesh ${name} <span class="muted">· egress ${m.mesh.spec?.egressFilter?.type ?? 'DROP_ALL'} · ${m.virtualNodes.length} virtual nodes · ${m.virtualServices.length} virtual services</span></h2>
    ${m.virtualGateways.length > 0 && html`<h3>Virtual gateways</h3>`}
    ${m.virtualGateways.map(({ gateway, gatewayRoutes }) => html`<div class="flow" data-testid=${`gateway-${gateway.virtualGatewayName}`}>
      <div class="box gateway"><span class="kind">virtual gateway</span><strong>${gateway.virtualGatewayName}</strong>
        <div class="muted">${(gateway.spec?.listeners ?? []).map((l) => `${l.portMapping.protocol}:${l.portMapping.port}`).join(', ')}</div></div>
      <span class="arrow">→</span>
      <div class="routes">${gatewayRoutes.map((gr) => {
        const { kind, body } = routeBody(gr.spec);
        return html`<div class="route"><strong>${gr.gatewayRouteName}</strong> <span class="muted">${kind}</span><div class="match">${matchText(kind, body)} → ${body?.action?.target?.virtualService?.virtualServiceName ?? '?'}</div></div>`;
      })}</div>
    </div>`)}
    <h3>Virtual services</h3>
    ${m.virtualServices.map((s) => {
      const p = s.spec?.provider;
      const r = p?.virtualRouter ? routers[p.virtualRouter.virtualRouterName] : undefined;
      return html`<div class="flow" data-testid=${`service-${s.virtualServiceName}`}>
        <div class="box service"><span class="kind">virtual service</span><strong>${s.virtualServiceName}</strong></div>
        <span class="arrow">→</span>
        ${p?.virtualNode ? html`<${Node} node=${nodes[p.virtualNode.virtualNodeName] ?? { virtualNodeName: p.virtualNode.virtualNodeName, spec: {} }} endpoints=${endpoints[`${name}/${p.virtualNode.virtualNodeName}`]} />` : ''}
        ${r
          ? html`<div class="box router"><span class="kind">virtual router</span><strong>${r.router.virtualRouterName}</strong>
              <div class="muted">${(r.router.spec?.listeners ?? []).map((l) => `${l.portMapping.protocol}:${l.portMapping.port}`).join(', ')}</div></div>
            <span class="arrow">→</span>
            <div class="routes">${r.routes.map((route) => html`<${Route} mesh=${name} router=${r.router.virtualRouterName} route=${route} onSaved=${onSaved} />`)}</div>`
          : ''}
        ${!p ? html`<span class="muted">no provider yet</span>` : ''}
      </div>`;
    })}
    <h3>Virtual nodes</h3>
    <div class="flow">${m.virtualNodes.map((n) => html`<${Node} node=${n} endpoints=${endpoints[`${name}/${n.virtualNodeName}`]} />`)}</div>
  </section>`;
}

function Clients({ clients }) {
  const types = ['CDS', 'EDS', 'LDS', 'RDS', 'SDS'].filter((t) => clients.some((c) => c.types.some((x) => x.type === t)));
  return html`<section data-testid="clients">
    <h2>Connected xDS clients <span class="muted">· ${clients.length}</span></h2>
    <table>
      <thead><tr><th>node id</th><th>stream</th><th>since</th>${types.map((t) => html`<th>${t}</th>`)}<th>last NACK</th></tr></thead>
      <tbody>${clients.map((c) => {
        const nack = c.types.filter((t) => t.lastNack).sort((a, b) => (a.lastNack.at < b.lastNack.at ? 1 : -1))[0];
        return html`<tr data-testid=${`client-${c.nodeId}`}>
          <td><strong>${c.nodeId}</strong><span class="version">${c.cluster}${c.userAgent ? ` · ${c.userAgent}` : ''}</span></td>
          <td>${c.kind} #${c.streamId}<span class="version">${c.replica}</span></td>
          <td>${new Date(c.connectedSince).toLocaleTimeString()}</td>
          ${types.map((t) => {
            const x = c.types.find((y) => y.type === t);
            return html`<td>${x ? html`<span class=${`state ${x.state}`} data-testid=${`state-${c.nodeId}-${t}`}>${x.state}</span><span class="version">${x.versionSent ?? ''}</span>` : html`<span class="muted">-</span>`}</td>`;
          })}
          <td class="nack" data-testid=${`nack-${c.nodeId}`}>${nack ? html`${nack.type}: ${nack.lastNack.message}` : ''}</td>
        </tr>`;
      })}</tbody>
    </table>
  </section>`;
}

function Login({ onToken }) {
  const [value, setValue] = useState('');
  return html`<main><section class="login"><h2>Console token</h2>
    <p>This appnet-mgmt requires signed API calls; the console uses the token of <code>--console-token-file</code> instead.</p>
    <input type="password" value=${value} onInput=${(e) => setValue(e.target.value)} />
    <button onClick=${() => { sessionStorage.setItem('appnet-console-token', value); onToken(); }}>Open</button></section></main>`;
}

function App() {
  const [model, setModel] = useState(null);
  const [clients, setClients] = useState([]);
  const [who, setWho] = useState(null);
  const [live, setLive] = useState(false);
  const [needToken, setNeedToken] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const loadModel = useCallback(() => getJson('/ui/api/model').then(setModel).catch((e) => e.unauthorized && setNeedToken(true)), []);
  const loadClients = useCallback(() => getJson('/ui/api/clients').then((d) => setClients(d.clients)).catch((e) => e.unauthorized && setNeedToken(true)), []);
  useEffect(() => {
    setNeedToken(false);
    getJson('/ui/api/whoami').then(setWho).catch((e) => e.unauthorized && setNeedToken(true));
    loadModel();
    loadClients();
    const events = new EventSource(`/ui/events${token() ? `?token=${encodeURIComponent(token())}` : ''}`);
    events.addEventListener('hello', () => setLive(true));
    events.addEventListener('model', () => loadModel());
    events.addEventListener('clients', () => loadClients());
    events.onerror = () => setLive(false);
    events.onopen = () => setLive(true);
    return () => events.close();
  }, [attempt]);
  if (needToken) return html`<${Login} onToken=${() => setAttempt(attempt + 1)} />`;
  return html`<div>
    <header><h1>appnet-mgmt</h1>
      <span class="meta">${who ? `account ${who.account} · ${who.region} · replica ${who.replica}` : ''}${model ? ` · model revision ${model.revision}` : ''}</span>
      <span class=${`live ${live ? 'on' : 'off'}`} data-testid="live">${live ? 'live' : 'reconnecting'}</span></header>
    <main>
      ${model ? (model.meshes.length ? model.meshes.map((m) => html`<${Mesh} m=${m} endpoints=${model.endpoints} onSaved=${loadModel} />`) : html`<section><h2>No mesh yet</h2><p class="muted">Create one with <code>aws appmesh create-mesh --mesh-name apps --endpoint-url ${location.origin}</code>.</p></section>`) : html`<p class="loading">Loading…</p>`}
      <${Clients} clients=${clients} />
    </main></div>`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
