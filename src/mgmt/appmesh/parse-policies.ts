import type { BodyReader } from './json-reader';
import {
  IP_PREFERENCES,
  type AccessLog,
  type ClientPolicy,
  type ConnectionPool,
  type IpPreference,
  type JsonObject,
  type ListenerTls,
  type OutlierDetection,
  type Protocol,
  type TlsCertificate,
  type TlsTrust,
  type TlsValidation,
} from './types';

/**
 * Shape checks of the policy parts of virtual node and virtual gateway specs
 * (App Mesh's types and limits): listener `tls`, backend `clientPolicy`,
 * `outlierDetection`, `connectionPool`, `logging`, `ipPreference`. Pure:
 * problems go through the reader. ACM certificates and ACM Private CA trust
 * are refused here: App Mesh's control plane fetched them from AWS
 * Certificate Manager, which a self-hosted control plane cannot — a file on
 * the Envoy's host or a secret from its SDS agent does the same job.
 */

const ACM_TEXT = 'ACM certificates come from AWS Certificate Manager, which appnet-mgmt cannot reach: use "file" (paths on the Envoy\'s host) or "sds" (a secret from the local SDS agent)';
const PATH = { required: true, pattern: /^\S.{0,254}$/, patternText: 'a file path of 1-255 characters' } as const;

function certificate(r: BodyReader, parent: JsonObject, at: string, required: boolean, acmKey: 'acm' | undefined): TlsCertificate | undefined {
  const c = r.object(parent, 'certificate', at, required);
  if (!c) return undefined;
  const cAt = r.at(at, 'certificate');
  const kinds = acmKey ? (['acm', 'file', 'sds'] as const) : (['file', 'sds'] as const);
  r.keys(c, cAt, kinds);
  const which = r.exactlyOne(c, cAt, kinds, 'certificate');
  if (which === 'acm') {
    r.problem(r.at(cAt, 'acm'), ACM_TEXT);
    return undefined;
  }
  const body = which ? r.object(c, which, cAt, true) : undefined;
  if (!body || !which) return undefined;
  const bAt = r.at(cAt, which);
  if (which === 'sds') {
    r.keys(body, bAt, ['secretName']);
    const secretName = r.string(body, 'secretName', bAt, { required: true });
    return secretName === undefined ? undefined : { kind: 'sds', secretName };
  }
  r.keys(body, bAt, ['certificateChain', 'privateKey']);
  const certificateChain = r.string(body, 'certificateChain', bAt, PATH);
  const privateKey = r.string(body, 'privateKey', bAt, PATH);
  return certificateChain === undefined || privateKey === undefined ? undefined : { kind: 'file', certificateChain, privateKey };
}

function trust(r: BodyReader, v: JsonObject, at: string, acm: boolean): TlsTrust | undefined {
  const t = r.object(v, 'trust', at, true);
  if (!t) return undefined;
  const tAt = r.at(at, 'trust');
  const kinds = acm ? (['acm', 'file', 'sds'] as const) : (['file', 'sds'] as const);
  r.keys(t, tAt, kinds);
  const which = r.exactlyOne(t, tAt, kinds, 'trust');
  if (which === 'acm') {
    r.problem(r.at(tAt, 'acm'), 'ACM Private CA trust comes from AWS Certificate Manager, which appnet-mgmt cannot reach: use "file" (a CA bundle on the Envoy\'s host) or "sds"');
    return undefined;
  }
  const body = which ? r.object(t, which, tAt, true) : undefined;
  if (!body || !which) return undefined;
  const bAt = r.at(tAt, which);
  if (which === 'sds') {
    r.keys(body, bAt, ['secretName']);
    const secretName = r.string(body, 'secretName', bAt, { required: true });
    return secretName === undefined ? undefined : { kind: 'sds', secretName };
  }
  r.keys(body, bAt, ['certificateChain']);
  const certificateChain = r.string(body, 'certificateChain', bAt, PATH);
  return certificateChain === undefined ? undefined : { kind: 'file', certificateChain };
}

function subjectAlternativeNames(r: BodyReader, v: JsonObject, at: string): string[] {
  const san = r.object(v, 'subjectAlternativeNames', at);
  if (!san) return [];
  const sAt = r.at(at, 'subjectAlternativeNames');
  r.keys(san, sAt, ['match']);
  const match = r.object(san, 'match', sAt, true);
  if (!match) return [];
  const mAt = r.at(sAt, 'match');
  r.keys(match, mAt, ['exact']);
  const exact = r.list(match, 'exact', mAt, { required: true, min: 1, max: 50 }) ?? [];
  const out: string[] = [];
  exact.forEach((x, i) => {
    if (typeof x === 'string' && x !== '' && x.length <= 254) out.push(x);
    else r.problem(r.at(r.at(mAt, 'exact'), i), 'expected a subject alternative name of 1-254 characters');
  });
  return out;
}

function validation(r: BodyReader, parent: JsonObject, at: string, required: boolean, acm: boolean): TlsValidation | undefined {
  const v = r.object(parent, 'validation', at, required);
  if (!v) return undefined;
  const vAt = r.at(at, 'validation');
  r.keys(v, vAt, ['trust', 'subjectAlternativeNames']);
  const t = trust(r, v, vAt, acm);
  const sans = subjectAlternativeNames(r, v, vAt);
  return t ? { trust: t, subjectAlternativeNames: sans } : undefined;
}

/** A virtual node's or virtual gateway's listener `tls`. */
export function parseListenerTls(r: BodyReader, l: JsonObject, path: string): ListenerTls | undefined {
  const tls = r.object(l, 'tls', path);
  if (!tls) return undefined;
  const at = r.at(path, 'tls');
  r.keys(tls, at, ['certificate', 'mode', 'validation']);
  const mode = r.oneOf(tls, 'mode', at, ['STRICT', 'PERMISSIVE', 'DISABLED'] as const, true);
  const cert = certificate(r, tls, at, true, 'acm');
  const v = validation(r, tls, at, false, false);
  if (mode === undefined || cert === undefined) return undefined;
  return { mode, certificate: cert, ...(v ? { validation: v } : {}) };
}

/** A `clientPolicy` (backend, or backendDefaults): {tls: {certificate?, enforce?, ports?, validation}}. */
export function parseClientPolicy(r: BodyReader, parent: JsonObject, path: string): ClientPolicy | undefined {
  const cp = r.object(parent, 'clientPolicy', path);
  if (!cp) return undefined;
  const cpAt = r.at(path, 'clientPolicy');
  r.keys(cp, cpAt, ['tls']);
  const tls = r.object(cp, 'tls', cpAt);
  if (!tls) return undefined;
  const at = r.at(cpAt, 'tls');
  r.keys(tls, at, ['certificate', 'enforce', 'ports', 'validation']);
  const enforce = r.bool(tls, 'enforce', at) ?? true;
  const ports: number[] = [];
  (r.list(tls, 'ports', at) ?? []).forEach((p, i) => {
    if (typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535) ports.push(p);
    else r.problem(r.at(r.at(at, 'ports'), i), 'expected a port 1-65535');
  });
  const cert = certificate(r, tls, at, false, undefined);
  const v = validation(r, tls, at, true, true);
  if (!v) return undefined;
  return { enforce, ports, ...(cert ? { certificate: cert } : {}), validation: v };
}

/** A virtual node listener's `outlierDetection`. */
export function parseOutlierDetection(r: BodyReader, l: JsonObject, path: string): OutlierDetection | undefined {
  const od = r.object(l, 'outlierDetection', path);
  if (!od) return undefined;
  const at = r.at(path, 'outlierDetection');
  r.keys(od, at, ['maxServerErrors', 'interval', 'baseEjectionDuration', 'maxEjectionPercent']);
  const maxServerErrors = r.int(od, 'maxServerErrors', at, { min: 1, max: 2 ** 32 - 1, required: true });
  const intervalMs = r.durationMs(od, 'interval', at, true);
  const baseEjectionMs = r.durationMs(od, 'baseEjectionDuration', at, true);
  const maxEjectionPercent = r.int(od, 'maxEjectionPercent', at, { min: 0, max: 100, required: true });
  if (intervalMs === 0) r.problem(r.at(at, 'interval'), 'must be above 0');
  if (baseEjectionMs === 0) r.problem(r.at(at, 'baseEjectionDuration'), 'must be above 0');
  if (maxServerErrors === undefined || !intervalMs || !baseEjectionMs || maxEjectionPercent === undefined) return undefined;
  return { maxServerErrors, intervalMs, baseEjectionMs, maxEjectionPercent };
}

/** A listener's `connectionPool`: one member, named after the listener's protocol. */
export function parseConnectionPool(r: BodyReader, l: JsonObject, path: string, protocol: Protocol | undefined): ConnectionPool | undefined {
  const cp = r.object(l, 'connectionPool', path);
  if (!cp || protocol === undefined) return undefined;
  const at = r.at(path, 'connectionPool');
  r.keys(cp, at, [protocol]);
  const body = r.object(cp, protocol, at, true);
  if (!body) return undefined;
  const bAt = r.at(at, protocol);
  const limit = { min: 1, max: 2 ** 31 - 1 };
  if (protocol === 'http') {
    r.keys(body, bAt, ['maxConnections', 'maxPendingRequests']);
    const maxConnections = r.int(body, 'maxConnections', bAt, { ...limit, required: true });
    const maxPendingRequests = r.int(body, 'maxPendingRequests', bAt, limit);
    return maxConnections === undefined ? undefined : { maxConnections, ...(maxPendingRequests !== undefined ? { maxPendingRequests } : {}) };
  }
  if (protocol === 'tcp') {
    r.keys(body, bAt, ['maxConnections']);
    const maxConnections = r.int(body, 'maxConnections', bAt, { ...limit, required: true });
    return maxConnections === undefined ? undefined : { maxConnections };
  }
  r.keys(body, bAt, ['maxRequests']);
  const maxRequests = r.int(body, 'maxRequests', bAt, { ...limit, required: true });
  return maxRequests === undefined ? undefined : { maxRequests };
}

/** A spec's `logging`: {accessLog: {file: {path, format? {text | json [{key, value}]}}}}. */
export function parseLogging(r: BodyReader, spec: JsonObject): AccessLog | undefined {
  const logging = r.object(spec, 'logging', 'spec');
  if (!logging) return undefined;
  r.keys(logging, 'spec.logging', ['accessLog']);
  const al = r.object(logging, 'accessLog', 'spec.logging');
  if (!al) return undefined;
  r.keys(al, 'spec.logging.accessLog', ['file']);
  const file = r.object(al, 'file', 'spec.logging.accessLog', true);
  if (!file) return undefined;
  const at = 'spec.logging.accessLog.file';
  r.keys(file, at, ['path', 'format']);
  const path = r.string(file, 'path', at, PATH);
  const f = r.object(file, 'format', at);
  let format: AccessLog['format'];
  if (f) {
    const fAt = `${at}.format`;
    r.keys(f, fAt, ['text', 'json']);
    const which = r.exactlyOne(f, fAt, ['text', 'json'] as const, 'format');
    if (which === 'text') {
      const text = r.string(f, 'text', fAt, { required: true, pattern: /^[\s\S]{1,1000}$/, patternText: 'a format of 1-1000 characters' });
      if (text !== undefined) format = { kind: 'text', text };
    } else if (which === 'json') {
      const fields: Array<{ key: string; value: string }> = [];
      for (const [kv, kvAt] of r.objects(f, 'json', fAt, { required: true, min: 1 })) {
        r.keys(kv, kvAt, ['key', 'value']);
        const key = r.string(kv, 'key', kvAt, { required: true, pattern: /^.{1,100}$/, patternText: 'a key of 1-100 characters' });
        const value = r.string(kv, 'value', kvAt, { required: true, pattern: /^.{1,100}$/, patternText: 'a value of 1-100 characters' });
        if (key !== undefined && value !== undefined) fields.push({ key, value });
      }
      format = { kind: 'json', fields };
    }
  }
  return path === undefined ? undefined : { path, ...(format ? { format } : {}) };
}

export function parseIpPreference(r: BodyReader, parent: JsonObject, path: string): IpPreference | undefined {
  return r.oneOf(parent, 'ipPreference', path, IP_PREFERENCES);
}
