/**
 * The WAF tier's own files on the real engine (the harness's waf-tier rendering: the ConfigMap files as
 * synthesized, relocated): TLS with the guide's protocols and ciphers, a renewed certificate served without a
 * reload (the kubelet updates the mounted Secret in place; nginx reads the certificate at each handshake), the
 * health location the liveness probe asks, and the relocation refusing a path it does not know.
 */
import { spawnSync } from 'child_process';
import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import * as tls from 'tls';
import { defaultConfig } from '../../lib/config';
import { type Harness, relocateWafTier, startHarness } from '../../lib/waf/harness';
import { WAF_TIER_FILES, wafTierFiles } from '../../lib/waf/waf-tier';
import { renderingOptions } from './client';

const config = defaultConfig();
let waf: Harness;
beforeAll(async () => { waf = await startHarness(config, await renderingOptions('waf-tier')); });
afterAll(async () => { await waf?.stop(); });

interface Handshake { protocol: string | null; cipher: string; fingerprint: string }

/** One TLS handshake with the WAF tier's listener. */
function handshake(options: tls.ConnectionOptions = {}): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: waf.tlsPort!, servername: config.host, rejectUnauthorized: false, ...options }, () => {
      const out = { protocol: socket.getProtocol(), cipher: socket.getCipher().name, fingerprint: socket.getPeerCertificate().fingerprint256 };
      socket.end();
      resolve(out);
    });
    socket.on('error', reject);
  });
}

/** The SHA-256 fingerprint of a PEM certificate file, as node prints it. */
const fingerprintOf = (file: string) => new X509Certificate(fs.readFileSync(file)).fingerprint256;

describe('TLS/SSL Configuration of the WAF tier', () => {
  test('GIVEN a TLS 1.3 client THEN the handshake succeeds', async () => {
    expect((await handshake({ minVersion: 'TLSv1.3' })).protocol).toBe('TLSv1.3');
  });

  test('GIVEN a TLS 1.2 client THEN it gets the guide\'s first cipher for an ECDSA certificate', async () => {
    const h = await handshake({ maxVersion: 'TLSv1.2' });
    expect([h.protocol, h.cipher]).toEqual(['TLSv1.2', 'ECDHE-ECDSA-AES128-GCM-SHA256']);
    expect(config.edge.tls.ciphers[0]).toBe('ECDHE-ECDSA-AES128-GCM-SHA256');
  });

  test('GIVEN a TLS 1.1 client THEN the server refuses the handshake with a protocol-version alert (TLSv1.2 and TLSv1.3 only)', async () => {
    // The server's alert, not the client's own refusal: the client is allowed TLS 1.1 (security level 0).
    await expect(handshake({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' })).rejects.toThrow(/alert protocol version/i);
  });

  test('GIVEN the certificate Secret renewed in place WHEN a client connects again THEN it gets the new certificate, with no reload', async () => {
    const dir = path.join(waf.dir, 'tls');
    const before = await handshake();
    expect(before.fingerprint).toBe(fingerprintOf(path.join(dir, 'tls.crt')));
    // WHEN cert-manager renews: a new key pair replaces the files (the kubelet swaps the Secret's files atomically)
    const staged = path.join(waf.dir, 'renewed');
    fs.mkdirSync(staged);
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', `/CN=${config.host}`, '-keyout', path.join(staged, 'tls.key'), '-out', path.join(staged, 'tls.crt')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const f of ['tls.key', 'tls.crt']) {
      fs.chmodSync(path.join(staged, f), 0o644);
      fs.renameSync(path.join(staged, f), path.join(dir, f));
    }
    const after = await handshake();
    expect(after.fingerprint).toBe(fingerprintOf(path.join(dir, 'tls.crt')));
    expect(after.fingerprint).not.toBe(before.fingerprint);
  });
});

describe('the health location of the liveness probe', () => {
  const get = (p: string) => new Promise<number>((resolve, reject) => {
    http.get({ socketPath: path.join(waf.dir, 'health.sock'), path: p }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject);
  });
  test('GIVEN /healthz on the health port THEN 200; any other path there THEN 404 (nothing is proxied from it)', async () => {
    expect([await get('/healthz'), await get('/api/agents')]).toEqual([200, 404]);
  });
});

describe('the relocation onto this machine', () => {
  const places = { dir: '/h', port: 1, tlsPort: 2, tlsDir: '/h/tls', crsSetup: '/c/setup', crsRules: '/c/rules', auditLog: '/h/audit', errorLog: '/h/error', metricsLog: '127.0.0.1:9' };
  test('GIVEN the synthesized files THEN every pod path is moved and the directives are otherwise unchanged', () => {
    const files = wafTierFiles(config);
    const moved = relocateWafTier(config, files, places);
    const lines = (t: string) => t.split('\n').filter((l) => !/\/(?:etc|opt|tmp|dev|h|c)\/|listen|proxy_pass|^\s*#/.test(l));
    expect(lines(moved[WAF_TIER_FILES.modsecurity])).toEqual(lines(files[WAF_TIER_FILES.modsecurity]));
    expect(moved[WAF_TIER_FILES.nginx]).toContain('listen 127.0.0.1:2 ssl;');
  });
  test('GIVEN the harness and a downloaded CRS under /tmp (a CI checkout) THEN their paths are not mistaken for the pod\'s /tmp', () => {
    const underTmp = { ...places, dir: '/tmp/h', tlsDir: '/tmp/h/tls', crsSetup: '/tmp/ci/crs/setup', crsRules: '/tmp/ci/crs/rules' };
    expect(relocateWafTier(config, wafTierFiles(config), underTmp)[WAF_TIER_FILES.modsecurity]).toContain('Include /tmp/ci/crs/rules/*.conf');
  });
  test('GIVEN a file that names a pod path the relocation does not know THEN it is refused (control)', () => {
    const files = { ...wafTierFiles(config), extra: 'Include /opt/owasp-crs/plugins/*.conf\n' };
    expect(() => relocateWafTier(config, files, places)).toThrow(/extra: the WAF tier's path \/opt\/owasp-crs was not relocated/);
  });
});
