/** A small HTTP client for the WAF end-to-end tests: structured requests, multipart bodies, raw bytes. */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import { type Rendering, freePort } from '../../lib/waf/harness';

export interface FilePart { field: string; filename: string; contentType: string; content: Buffer | string }

export interface CorpusEntry {
  /** Short name (test title). */
  name: string;
  /** Why the entry is in the corpus: what it stands for. */
  why: string;
  category: string;
  method?: string;
  /** Path and query, sent as written (already percent-encoded where a client would). */
  path?: string;
  headers?: Record<string, string>;
  /** JSON body (serialized, Content-Type application/json unless given). */
  json?: unknown;
  /** Raw body with its Content-Type in headers. */
  body?: string | Buffer;
  /** multipart/form-data body: text fields and files. */
  form?: { fields?: Record<string, string>; files?: FilePart[] };
  /** A raw HTTP request (for protocol attacks a client library refuses to send). */
  raw?: string;
}

export interface Reply { status: number; headers: http.IncomingHttpHeaders; body: string }

function multipart(form: NonNullable<CorpusEntry['form']>): { body: Buffer; contentType: string } {
  const boundary = '----factoryboundary7MA4YWxkTrZu0gW';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(form.fields ?? {})) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  for (const f of form.files ?? []) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: ${f.contentType}\r\n\r\n`));
    parts.push(Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Sends raw bytes and reads the status code of the first response line. */
function sendRaw(port: number, raw: string, localAddress?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress }, () => s.write(raw));
    let data = '';
    s.setTimeout(5000, () => { s.destroy(); reject(new Error('raw request timed out')); });
    s.on('data', (d) => { data += d.toString('latin1'); if (/\r\n\r\n/.test(data)) s.end(); });
    s.on('error', reject);
    s.on('close', () => {
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      if (!m) return reject(new Error(`no HTTP status in ${JSON.stringify(data.slice(0, 80))}`));
      const headers: http.IncomingHttpHeaders = {};
      for (const line of data.split('\r\n\r\n')[0].split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(m[1]), headers, body: data.split('\r\n\r\n').slice(1).join('\r\n\r\n') });
    });
  });
}

/** Sends one corpus entry to 127.0.0.1:port, from `localAddress` (a 127.x.y.z source address). */
export function send(port: number, e: CorpusEntry, localAddress?: string): Promise<Reply> {
  if (e.raw !== undefined) return sendRaw(port, e.raw, localAddress);
  const headers: Record<string, string> = { 'User-Agent': 'factory-agent-sdk/2.3 (node)', Accept: 'application/json', ...e.headers };
  let body: Buffer | undefined;
  if (e.json !== undefined) {
    body = Buffer.from(JSON.stringify(e.json));
    headers['Content-Type'] ??= 'application/json';
  } else if (e.form) {
    const m = multipart(e.form);
    body = m.body;
    headers['Content-Type'] = m.contentType;
  } else if (e.body !== undefined) {
    body = Buffer.isBuffer(e.body) ? e.body : Buffer.from(e.body);
  }
  if (body) headers['Content-Length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: e.method ?? 'GET', path: e.path ?? '/', headers, localAddress, agent: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    req.setTimeout(10000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** A free TCP port on 127.0.0.1. */
export { freePort };

/** The renderings of the WAF that the end-to-end suites run on: every one the harness has. */
export { RENDERINGS } from '../../lib/waf/harness';

/** Harness options for a rendering: free ports (the WAF tier's rendering also listens with TLS). */
export async function renderingOptions(rendering: Rendering) {
  return { port: await freePort(), rendering, tlsPort: rendering === 'waf-tier' ? await freePort() : undefined };
}

/** A distinct loopback source address per request index (separate rate-limit buckets). */
export function sourceAddress(i: number): string {
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

/**
 * The complete records of a ModSecurity JSON audit log, each with its raw line. The engine writes a record
 * after the response, possibly in several writes: a line that does not parse yet is still being written and is
 * left out (a reader waiting for a record tries again).
 */
export function auditRecords(file: string): { raw: string; entry: any }[] {
  const out: { raw: string; entry: any }[] = [];
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!raw) continue;
    try {
      out.push({ raw, entry: JSON.parse(raw) });
    } catch {
      // partly written
    }
  }
  return out;
}

/**
 * The audit record of one request (`isTheRequest` finds it: a marker in its URI, its client address). The engine
 * writes a record after the response: for a refused request, which is always audit-logged, it is waited for (up to
 * 5 s); a request that passed is looked up once (it has a record only if a rule matched). Undefined when there is none.
 */
export async function auditRecordOf(file: string, isTheRequest: (record: { raw: string; entry: any }) => boolean, refused = true): Promise<{ raw: string; entry: any } | undefined> {
  for (let i = 0; i < 50; i++) {
    const record = auditRecords(file).find(isTheRequest);
    if (record || !refused) return record;
    await new Promise((res) => setTimeout(res, 100));
  }
  return undefined;
}

/** The ids of the rules an audit record names ([] without a record). */
export function ruleIds(record: { entry: any } | undefined): string[] {
  return record ? record.entry.transaction.messages.map((m: any) => m.details.ruleId) : [];
}
