import * as protobuf from 'protobufjs';
import { ENVOY_PROTO_FILES, loadEnvoyRoot } from '../common/envoy-protos';
import { RulesChecker, formatViolation } from '../common/proto-rules/rules-checker';
import { JsonChecker } from './resource-json';
import { TypeUrl, type AnyMessage, type EncodedResource } from './snapshot';
import { errorMessage } from '../common/problem';

/** Protos loaded on top of the common set, so resource files can use these filters too. */
export const MGMT_EXTRA_PROTO_FILES = [
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
];

/** A resource as written in a resource file: proto JSON with snake_case names plus "@type". */
export type ResourceObject = { '@type': string } & Record<string, unknown>;

/** One or more resources could not be encoded; `problems` names each resource and field. */
export class ResourceError extends Error {
  constructor(
    readonly problems: readonly string[],
    context = 'invalid resources',
  ) {
    super(`${context} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` + problems.map((p) => `  ${p}`).join('\n'));
    this.name = 'ResourceError';
  }
}

/** The name a resource is known by in xDS: `cluster_name` for a ClusterLoadAssignment, `name` otherwise. */
export function resourceNameField(typeUrl: string): string {
  return typeUrl === TypeUrl.ClusterLoadAssignment ? 'cluster_name' : 'name';
}

function shortType(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

export interface CodecOptions {
  /**
   * Check every encoded resource against Envoy's `validate.rules` too (the
   * default): what Envoy would reject is never served. Off only for a codec
   * that must build resources Envoy would refuse (a test provoking a NACK).
   */
  rules?: boolean;
}

/**
 * Encodes resource objects into Any-ready bytes with Envoy's protos, and
 * decodes them back. Encoding checks the proto schema (every field, type and
 * enum) and then Envoy's `validate.rules` constraints (proto-rules/), so a
 * resource that encodes is one Envoy would accept.
 */
export class ResourceCodec {
  readonly root: protobuf.Root;
  private readonly rules: RulesChecker | undefined;

  constructor(root?: protobuf.Root, opts: CodecOptions = {}) {
    this.root = root ?? loadEnvoyRoot([...ENVOY_PROTO_FILES, ...MGMT_EXTRA_PROTO_FILES]);
    this.rules = opts.rules === false ? undefined : new RulesChecker(this.root);
  }

  /** Encode many resources; throws one ResourceError listing every problem in every resource. */
  encodeAll(objects: readonly unknown[], where = 'resources'): EncodedResource[] {
    const problems: string[] = [];
    const out: EncodedResource[] = [];
    const seen = new Set<string>();
    objects.forEach((obj, i) => {
      const result = this.tryEncode(obj, `${where}[${i}]`);
      if (Array.isArray(result)) {
        problems.push(...result);
        return;
      }
      const key = `${result.typeUrl}\0${result.name}`;
      if (seen.has(key)) problems.push(`${where}[${i}] (${shortType(result.typeUrl)} "${result.name}"): duplicate name`);
      seen.add(key);
      out.push(result);
    });
    if (problems.length > 0) throw new ResourceError(problems);
    return out;
  }

  encode(obj: unknown): EncodedResource {
    const result = this.tryEncode(obj, 'resource');
    if (Array.isArray(result)) throw new ResourceError(result);
    return result;
  }

  /** The encoded resource, or the list of problems (each prefixed by the resource's label). */
  tryEncode(obj: unknown, label: string): EncodedResource | string[] {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return [`${label}: expected an object with "@type"`];
    const { '@type': typeUrl, ...body } = obj as Record<string, unknown>;
    if (typeof typeUrl !== 'string' || !typeUrl.startsWith('type.googleapis.com/')) {
      return [`${label}: "@type" must be "type.googleapis.com/<message>", e.g. "${TypeUrl.Listener}"`];
    }
    const nameField = resourceNameField(typeUrl);
    const name = body[nameField];
    const named = typeof name === 'string' && name !== '' ? `${label} (${shortType(typeUrl)} "${name}")` : `${label} (${shortType(typeUrl)})`;
    const checker = new JsonChecker(this.root);
    const type = checker.lookup(typeUrl);
    if (!type) return [`${named}: unknown type ${typeUrl}`];
    if (typeof name !== 'string' || name === '') return [`${named}: "${nameField}" must be a non-empty string`];
    const normalized = checker.message(type, body, '');
    if (checker.problems.length > 0 || !normalized) return checker.problems.map((p) => `${named}: ${p}`);
    try {
      const message = type.fromObject(normalized);
      const err = type.verify(message);
      if (err) return [`${named}: ${err}`];
      const broken = this.rules?.check(type, message as unknown as Record<string, unknown>) ?? [];
      if (broken.length > 0) return broken.map((v) => `${named}: ${formatViolation(v)}`);
      return { typeUrl, name, value: Buffer.from(type.encode(message).finish()) };
    } catch (e) {
      return [`${named}: ${errorMessage(e)}`];
    }
  }

  /** Decode an Any into proto JSON (snake_case, enums as names, nested Any with "@type"). */
  decode(any: AnyMessage): Record<string, unknown> {
    const type = new JsonChecker(this.root).lookup(any.type_url);
    if (!type) throw new Error(`unknown type ${any.type_url}`);
    return type.toObject(type.decode(any.value), { longs: String, enums: String, bytes: String, json: true }) as Record<string, unknown>;
  }
}
