import { httpRequest } from './http-get';

/**
 * EC2 instance metadata, IMDSv2 with IMDSv1 fallback
 * (docs/reference-agent/bootstrap.md#instance-metadata-imds): `PUT /latest/api/token` (TTL
 * 2 s) once, then `GET /latest/meta-data/<query>` with the token when one was issued. Each
 * request has its own deadline; non-200 answers are errors (the reference used the body
 * whatever the status:
 * docs/reference-agent/quirks.md#q13-ecs-and-instance-metadata-are-read-carelessly).
 */
export class ImdsClient {
  private tokenPromise: Promise<string | undefined> | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  private url(p: string): string {
    return `${this.baseUrl.replace(/\/+$/, '')}${p}`;
  }

  private token(): Promise<string | undefined> {
    this.tokenPromise ??= httpRequest(this.url('/latest/api/token'), {
      method: 'PUT',
      headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '2' },
      timeoutMs: this.timeoutMs,
    }).then(
      (res) => (res.status === 200 && res.body !== '' ? res.body : undefined),
      () => undefined,
    );
    return this.tokenPromise;
  }

  /** The value of a metadata query such as `placement/availability-zone`. */
  async get(query: string, timeoutMs = this.timeoutMs): Promise<string> {
    const token = await this.token();
    const headers: Record<string, string> = token !== undefined ? { 'X-aws-ec2-metadata-token': token } : {};
    const res = await httpRequest(this.url(`/latest/meta-data/${query}`), { headers, timeoutMs });
    if (res.status !== 200) throw new Error(`instance metadata ${query}: HTTP ${res.status}`);
    const value = res.body.trim();
    if (value === '') throw new Error(`instance metadata ${query}: empty answer`);
    return value;
  }
}
