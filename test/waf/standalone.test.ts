/** The standalone WAF files (guide: WAF > Deployment > Docker Compose, Rate Limiting, Security Headers, TLS). */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { defaultConfig } from '../../lib/config';
import { projectRoot } from '../../lib/validate/schema';
import { CRS_RELEASE } from '../../lib/waf/crs-release';
import { checkModSecurityParses } from '../../lib/waf/harness';
import { CONTAINER_PATHS, IMAGE_RUNTIME, STANDALONE_FILES, standaloneOutputs } from '../../lib/waf/standalone';
import { DEBIAN_PATHS } from '../../lib/waf/targets';

const outputs = standaloneOutputs(defaultConfig());
const nginxConf = outputs.get(STANDALONE_FILES.nginx)!;
const modsecConf = outputs.get(STANDALONE_FILES.modsecurity)!;
const compose = YAML.parse(outputs.get(STANDALONE_FILES.compose)!);

describe('nginx/nginx-modsecurity.conf', () => {
  test('GIVEN Rate Limiting WHEN rendered THEN api_limit is 10r/s and auth_limit 5r/m, refused with 429', () => {
    expect(nginxConf).toContain('limit_req_zone $binary_remote_addr zone=api_limit:10m rate=10r/s;');
    expect(nginxConf).toContain('limit_req_zone $binary_remote_addr zone=auth_limit:10m rate=5r/m;');
    expect(nginxConf).toContain('limit_req_status 429;');
  });

  test('GIVEN Rate Limiting WHEN rendered THEN API locations burst 20 and auth locations burst 5, nodelay', () => {
    const block = (loc: string) => new RegExp(`location ${loc} \\{[^}]*\\}`).exec(nginxConf)![0];
    expect(block('/api/')).toContain('limit_req zone=api_limit burst=20 nodelay;');
    expect(block('= /api')).toContain('limit_req zone=api_limit burst=20 nodelay;');
    expect(block('/api/auth/')).toContain('limit_req zone=auth_limit burst=5 nodelay;');
    expect(block('= /api/auth')).toContain('limit_req zone=auth_limit burst=5 nodelay;');
  });

  test('GIVEN TLS/SSL Configuration WHEN rendered THEN TLSv1.2 TLSv1.3, the two ciphers, prefer server ciphers off', () => {
    expect(nginxConf).toContain('ssl_protocols TLSv1.2 TLSv1.3;');
    expect(nginxConf).toContain('ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256;');
    expect(nginxConf).toContain('ssl_prefer_server_ciphers off;');
    expect(nginxConf).toContain('listen 8443 ssl;');
  });

  test('GIVEN Security Headers WHEN rendered THEN the six headers are sent with always', () => {
    expect(nginxConf.split('\n').filter((l) => l.includes('add_header')).map((l) => l.trim())).toEqual([
      'add_header X-Frame-Options "SAMEORIGIN" always;',
      'add_header X-Content-Type-Options "nosniff" always;',
      'add_header X-XSS-Protection "1; mode=block" always;',
      'add_header Referrer-Policy "strict-origin-when-cross-origin" always;',
      'add_header Content-Security-Policy "default-src \'self\'" always;',
      'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;',
    ]);
  });

  test('GIVEN ModSecurity with NGINX WHEN rendered THEN the module is loaded and the mounted rules file is used', () => {
    expect(nginxConf).toContain('load_module modules/ngx_http_modsecurity_module.so;');
    expect(nginxConf).toContain('modsecurity on;');
    expect(nginxConf).toContain('modsecurity_rules_file /etc/nginx/factory/modsecurity.conf;');
  });
});

describe('docker-compose.security.yml', () => {
  const svc = compose.services['nginx-waf'];
  test('GIVEN Docker Compose WHEN rendered THEN nginx-waf runs owasp/modsecurity-crs with a pinned nginx tag of one CRS version (a build\'s, or its LTS tag)', () => {
    expect(svc.image).toMatch(/^owasp\/modsecurity-crs:\d+\.\d+\.\d+-nginx-(?:\d{12}|lts)$/);
  });
  test('GIVEN Docker Compose WHEN rendered THEN the two files are mounted read-only in a folder of their own, nginx starts on them, and 443 is published to the image\'s 8443', () => {
    expect(svc.volumes.slice(0, 2)).toEqual(['./nginx/modsecurity.conf:/etc/nginx/factory/modsecurity.conf:ro', './nginx/nginx-modsecurity.conf:/etc/nginx/factory/nginx.conf:ro']);
    expect(svc.command).toEqual(['nginx', '-c', '/etc/nginx/factory/nginx.conf', '-g', 'daemon off;']);
    expect(svc.ports).toEqual(['443:8443']);
  });
});

describe('docker-compose.security.yml runs the CRS release the e2e suite proves (4.22.0), not the image\'s own', () => {
  const svc = compose.services['nginx-waf'];
  const crsMounts = svc.volumes.slice(2).map((v: string) => v.split(':'));

  test('GIVEN the service THEN the repository\'s CRS 4.22.0 rules folder and setup file are mounted read-only over the image\'s', () => {
    expect(crsMounts).toEqual([
      ['./crs/coreruleset-4.22.0/rules', '/opt/owasp-crs/rules', 'ro'],
      ['./crs/coreruleset-4.22.0/crs-setup.conf.example', '/opt/owasp-crs/crs-setup.conf', 'ro'],
    ]);
  });

  test('GIVEN the mounted sources THEN they exist in the repository (a clone has them) and the rules are CRS 4.22.0', () => {
    const [rules, setup] = crsMounts.map(([source]: string[]) => path.join(projectRoot(), source));
    expect(fs.readFileSync(path.join(rules, 'REQUEST-901-INITIALIZATION.conf'), 'utf8')).toContain(`ver:'OWASP_CRS/${CRS_RELEASE.version}'`);
    expect(fs.readFileSync(setup, 'utf8')).toContain(`setvar:tx.crs_setup_version=${CRS_RELEASE.version.split('.').join('')}`);
  });

  test('GIVEN a mounted crs-setup.conf THEN the entrypoint is in manual mode (its configure-rules step edits crs-setup.conf in place, and would fail on a read-only file)', () => {
    expect(svc.environment).toEqual({ MANUAL_MODE: '1' });
  });
});

describe('the standalone WAF fits what the image does at start (its entrypoint, from its source)', () => {
  const svc = compose.services['nginx-waf'];
  /** The mount targets that land on a path the entrypoint renders or writes. */
  const overRendered = (volumes: string[]) => volumes.map((v) => v.split(':')[1])
    .filter((t) => IMAGE_RUNTIME.renderedPaths.some((r) => t === r || (r.endsWith('/') && t.startsWith(r))));

  test('GIVEN the mounts THEN none is a path the entrypoint renders or writes (it would overwrite the file, or fail on a read-only one)', () => {
    expect(overRendered(svc.volumes)).toEqual([]);
  });

  test('GIVEN the control: the guide\'s literal mounts THEN the check finds /etc/nginx/nginx.conf', () => {
    expect(overRendered(['./nginx/modsecurity.conf:/etc/nginx/modsecurity.conf', './nginx/nginx-modsecurity.conf:/etc/nginx/nginx.conf'])).toEqual(['/etc/nginx/nginx.conf']);
  });

  test('GIVEN the service THEN templating is not switched off (the base engine config /etc/modsecurity.d/modsecurity.conf comes from it) and the command starts with nginx (so the entrypoint prepares the image)', () => {
    expect(Object.keys(svc.environment ?? {}).filter((k) => k.startsWith('NGINX_ENVSUBST'))).toEqual([]);
    expect(svc.command[0]).toBe('nginx');
    expect(modsecConf).toContain('Include /etc/modsecurity.d/modsecurity.conf');
  });

  test('GIVEN the image runs as nginx (uid 101) THEN nginx listens above 1024 and keeps its pid file in /tmp', () => {
    expect([...nginxConf.matchAll(/^\s*listen (\d+)/gm)].map((m) => Number(m[1])).every((p) => p >= 1024)).toBe(true);
    expect(nginxConf).toContain(`pid ${IMAGE_RUNTIME.pidFile};`);
    expect(CONTAINER_PATHS.nginx.startsWith('/etc/nginx/factory/')).toBe(true);
  });
});

describe('standalone files parse in a real nginx + ModSecurity', () => {
  test('GIVEN nginx/modsecurity.conf with the image paths mapped to Debian paths WHEN nginx -t loads it THEN it parses', () => {
    const mapped = modsecConf
      .replace('Include /etc/modsecurity.d/modsecurity.conf', `Include ${DEBIAN_PATHS.baseConfig}`)
      .replace('Include /etc/modsecurity.d/owasp-crs/crs-setup.conf', `Include ${DEBIAN_PATHS.crsSetup}`)
      .replace('Include /etc/modsecurity.d/owasp-crs/rules/*.conf', `Include ${DEBIAN_PATHS.crsRules}/*.conf`);
    expect(mapped).not.toContain('/etc/modsecurity.d');
    expect(() => checkModSecurityParses({ files: { 'm.conf': mapped }, rulesFiles: ['m.conf'] })).not.toThrow();
  });
});
