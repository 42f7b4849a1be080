/**
 * The typed WAF rule model: the guide's "Custom Factory Rules" and this project's additions (the ranges of WAF_CATEGORIES), as data, in one place.
 *
 * Each rule is rendered to ModSecurity SecLang by `lib/waf/seclang.ts`; every target (the ingress-nginx
 * controller ConfigMap, the standalone `nginx/modsecurity.conf`, the local harness) renders this one table.
 * The rules complement the OWASP CRS (loaded after them): they cover what the CRS at paranoia level 1
 * leaves open (SQL injection in the URL path, NoSQL operators, tool fingerprints, upload names) with
 * patterns chosen to stay silent on ordinary prose (apostrophes, SQL-like words, markdown).
 */
import type { FactoryConfig } from '../config';
import { escapeRegExp } from '../text';

/** The guide's categories of custom rules, with their id ranges ("Custom Factory Rules"). */
export const WAF_CATEGORIES = {
  'directory-traversal': { ids: [1001, 1003], title: 'Directory traversal' },
  'sql-injection': { ids: [1010, 1014], title: 'SQL injection' },
  'xss': { ids: [1020, 1025], title: 'XSS attacks' },
  'command-injection': { ids: [1030, 1033], title: 'Command injection' },
  'malicious-upload': { ids: [1040, 1042], title: 'Malicious file uploads' },
  'http-protocol': { ids: [1050, 1055], title: 'HTTP protocol attacks' },
  'rate-limiting': { ids: [1060, 1061], title: 'Rate limiting' },
  // Not a category of the guide: its table predates XXE in public WAF suites; the range follows the guide's.
  'xml-external-entities': { ids: [1070, 1070], title: 'XML external entities (XXE)' },
  // Not a category of the guide either: injections into other interpreters than SQL, the shell and the browser.
  'other-injections': { ids: [1080, 1084], title: 'Other injections (LDAP, XPath, mail commands, NoSQL JavaScript, deserialization, prototype pollution)' },
  // Not a category of the guide: reconnaissance of the API itself (OWASP API Security, security misconfiguration).
  'api-reconnaissance': { ids: [1090, 1090], title: 'API reconnaissance (GraphQL introspection)' },
  // Not a category of the guide: the other categories' payloads, sent base64-encoded.
  'encoded-payloads': { ids: [1091, 1096], title: 'Encoded payloads (base64)' },
} as const;
export type WafCategory = keyof typeof WAF_CATEGORIES;

/** The id range of the custom rules, as the rendered files and the bench name it (first-last). */
export const CUSTOM_RULE_IDS = (() => {
  const ids = Object.values(WAF_CATEGORIES).flatMap((c) => [...c.ids]);
  return `${Math.min(...ids)}-${Math.max(...ids)}`;
})();

/**
 * ModSecurity transformation functions used by the rules (`t:` actions). No rule of the table removes NUL bytes
 * (`removeNulls`, a copy of every value for every rule): wherever a table rule reads, a NUL is refused anyway — in the
 * URI, headers, cookies and arguments by CRS 920270 (any byte outside 1-255, after URL decoding, at paranoia level 1 in
 * CRS 3.3 and 4), in XML by the parser (a NUL is not XML: 200002), in upload names by 1041. Only a base64-decoded text
 * (1094-1096), which nothing else reads, has its NULs removed before it is judged.
 */
export type Transformation =
  | 'none' | 'urlDecodeUni' | 'htmlEntityDecode' | 'jsDecode' | 'cssDecode' | 'lowercase'
  | 'removeNulls' | 'compressWhitespace' | 'normalisePath' | 'cmdLine' | 'utf8toUnicode' | 'base64DecodeExt';

/** Rule severities (syslog names, as the CRS uses them). */
export type Severity = 'CRITICAL' | 'ERROR' | 'WARNING' | 'NOTICE';

/**
 * What the rule does when it matches.
 * - `deny`: refuse with `status` (403), logged and audited.
 * - `signal`: log and audit, let the request pass (a signal for alerting, beside nginx's limit_req).
 * - `track`: no log; update collections only (setvar/initcol actions in `extraActions`).
 */
export type RuleAction =
  | { kind: 'deny'; status: 403 }
  | { kind: 'signal' }
  | { kind: 'track' };

/** A ModSecurity operator and its argument (`@rx pattern`, `@detectSQLi`, ...). */
export type Operator =
  | { op: 'rx'; arg: string }
  | { op: 'detectSQLi' }
  | { op: 'detectXSS' }
  | { op: 'gt'; arg: string }
  | { op: 'unconditionalMatch' };

/** A SecLang condition: a variable and an operator with its argument (`@rx …`, `@gt 0`). */
export interface Condition { readonly variable: string; readonly operator: string }

/** One custom rule of the guide's table. */
export interface WafRule {
  /** Rule id, inside its category's range. */
  readonly id: number;
  /** The guide category (decides the id range). */
  readonly category: WafCategory;
  /** ModSecurity phase: 1 request headers, 2 request body. */
  readonly phase: 1 | 2;
  /** Variables inspected (`ARGS`, `REQUEST_FILENAME`, `!REQUEST_HEADERS:Referer`, ...), in order. */
  readonly variables: readonly string[];
  readonly operator: Operator;
  /** Transformations, applied in order after `t:none`. */
  readonly transformations: readonly Transformation[];
  readonly action: RuleAction;
  /** Log message (no quote characters: it is rendered inside `msg:'...'` inside a double-quoted action list). */
  readonly message: string;
  readonly severity: Severity;
  /** Tags, rendered as `tag:'...'` (the category tag is added by the renderer). */
  readonly tags: readonly string[];
  /** Further actions (`initcol`, `setvar`, `expirevar`, `capture`, `chain`-free). */
  readonly extraActions?: readonly string[];
  /**
   * A cheap test that must hold before the rule reads its variables (a counter its inputs are kept under): the
   * rule becomes a chain whose starter is this test, so a request without such inputs costs one lookup. @default none
   */
  readonly guard?: Condition;
  /** Why the rule exists: what the CRS at PL1 does not already cover, and why the pattern is benign-safe. */
  readonly rationale: string;
  /**
   * Off for the arguments of an API body (a request whose body was parsed as JSON or multipart and that has no
   * query string), as the CRS body exclusions are (setting 1105): for shapes that prompts take. @default false
   */
  readonly outsideApiBodies?: boolean;
}


// Commands an injected shell payload runs. Words that are ordinary English ("cat", "id", "echo") only
// count after a shell metacharacter and before an argument or the end (see 1030).
const SHELL_COMMANDS = [
  'cat', 'ls', 'id', 'whoami', 'uname', 'wget', 'curl', 'nc', 'ncat', 'netcat', 'bash', 'sh', 'zsh', 'ksh',
  'python', 'python3', 'perl', 'ruby', 'php', 'rm', 'chmod', 'chown', 'ping', 'nslookup', 'dig', 'sleep',
  'powershell', 'cmd', 'certutil', 'busybox', 'telnet', 'base64', 'env', 'ifconfig', 'passwd', 'kill', 'pwd',
] as const;

/** A terminal escape sequence written out in a value (\033[2A, \x1b[1;31m, \e[K), which a log viewer or terminal obeys. */
const TERMINAL_ESCAPE = String.raw`\\(?:033|x1b|e|u001b)\[[\d;]*[A-Za-z]?`;
/** Windows commands that change the firewall or the registry (netsh advfirewall set …, reg add "HKLM\…"): 1030 after a separator, 1033 as a whole value. */
const WINDOWS_TAMPERING = String.raw`netsh\s+(?:firewall|advfirewall|interface|wlan)\s|reg(?:\.exe)?\s+(?:add|delete|query|save)\s+['"]?(?:HK|\\\\)`;
/** Config files of web, database and PHP servers, which a file read is after (1003). */
const SERVER_CONFIG_FILES = String.raw`(?:httpd|apache2?|nginx|proftpd|lighttpd)\.conf|php\.ini|my\.(?:cnf|ini)|web\.(?:config|xml)`;

/** A command's directory, when a payload names it (/bin/, /usr/local/sbin/ …). */
const BIN_DIR = String.raw`(?:/(?:usr/)?(?:local/)?s?bin/)?`;
/**
 * What follows a command in an injected command line, and not in prose: an option, a path, a variable, an address, a
 * version-like number, a number that ends the command, a word then a path or option, the end of the value, another separator,
 * or a line break written as an escape (\n, \r), which an application that unescapes the value turns into one.
 */
const COMMAND_ARGUMENT = String.raw`(?:\s+(?:[-/$~.'"%]|\d+\.\d+|\d+\s*(?:$|[;&|\x60)]|\\[nr])|[\w-]+(?:[./:]\w|://)|[\w.-]+\s+(?:/[\w.]|~/|-{1,2}[a-zA-Z]))|\s*$|\s*(?:[;&|\x60)<>]|\\[nr]))`;

// More commands, judged outside API bodies only (1033): a prompt pipes to grep, sed or xargs in a one-line question.
const MORE_SHELL_COMMANDS = [
  'awk', 'sed', 'grep', 'head', 'tail', 'find', 'touch', 'mkfifo', 'socat', 'ssh', 'scp', 'tftp', 'ftp', 'sudo', 'nohup',
  'crontab', 'useradd', 'echo', 'printf', 'ps', 'netstat', 'tar', 'dd', 'cp', 'mv', 'node', 'java', 'lua', 'gcc', 'xxd',
  'xargs', 'tee', 'getent', 'nmap', 'openssl', 'hostname', 'systemctl', 'chattr', 'lsof',
];

/**
 * Request headers whose meaning HTTP or the browsers fix (and the W3C trace context), lower-cased: they carry no
 * application value, and the rules judge them apart (User-Agent, Referer) or not at all. Every other header is custom.
 */
export const STANDARD_REQUEST_HEADERS = [
  'accept', 'accept-charset', 'accept-encoding', 'accept-language', 'access-control-request-headers', 'access-control-request-method',
  'authorization', 'cache-control', 'connection', 'content-encoding', 'content-length', 'content-type', 'cookie', 'date', 'dnt',
  'early-data', 'expect', 'forwarded', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'keep-alive', 'max-forwards', 'origin', 'pragma', 'priority', 'proxy-authorization', 'proxy-connection', 'range', 'referer', 'te',
  'trailer', 'transfer-encoding', 'upgrade', 'upgrade-insecure-requests', 'user-agent', 'via', 'traceparent', 'tracestate', 'baggage',
];

/**
 * Every custom header (X-Forwarded-For, X-Api-Version, Idempotency-Key, Anthropic-Version …: any name but the standard
 * ones and the browsers' Sec-* headers), matched by name in one variable. Since RFC 6648 a custom header need not start
 * with X-. The name pattern is a run of look-aheads (a SecLang variable's pattern cannot hold a |).
 */
const CUSTOM_HEADERS = `REQUEST_HEADERS:/(?i)^(?!sec-)${STANDARD_REQUEST_HEADERS.map((h) => `(?!${escapeRegExp(h)}$)`).join('')}/`;

/** DOM events whose handler attribute runs script without a click on a link (a handler at the start of a value: 1024). */
const DOM_EVENTS = [
  'load', 'error', 'focus', 'focusin', 'focusout', 'blur', 'click', 'dblclick', 'auxclick', 'contextmenu', 'mouseover', 'mouseenter',
  'mouseleave', 'mousemove', 'mouseout', 'mousedown', 'mouseup', 'pointerover', 'pointerenter', 'pointerdown', 'pointermove', 'pointerup',
  'keydown', 'keyup', 'keypress', 'input', 'change', 'submit', 'reset', 'select', 'toggle', 'beforetoggle', 'begin', 'end', 'animationstart',
  'animationend', 'animationiteration', 'transitionend', 'transitionrun', 'transitionstart', 'pageshow', 'pagehide', 'hashchange',
  'popstate', 'resize', 'scroll', 'scrollend', 'wheel', 'drag', 'dragstart', 'dragend', 'dragenter', 'dragover', 'drop', 'copy', 'cut',
  'paste', 'play', 'playing', 'pause', 'canplay', 'loadstart', 'loadeddata', 'progress', 'message', 'beforeprint', 'afterprint',
  'unload', 'beforeunload', 'search', 'invalid', 'show', 'start', 'finish',
];

/** HTML5 named character references that stand for spacing or punctuation (not decoded by ModSecurity's htmlEntityDecode). */
const PUNCTUATION_ENTITIES = [
  'tab', 'newline', 'colon', 'lpar', 'rpar', 'equals', 'sol', 'bsol', 'grave', 'period', 'comma', 'excl', 'quest', 'semi', 'plus',
  'lsqb', 'rsqb', 'lcub', 'rcub', 'num', 'apos', 'lowbar', 'ast', 'percnt', 'dollar', 'vert', 'hyphen',
];

/**
 * What a shell drops from a word (1033): a backslash, a quote, a caret, and a variable that is unset or empty
 * ($@, $u, ${x}).
 */
const SHELL_FILLER = String.raw`(?:\\|'|"|\^|\$@|\$\{\w{0,8}\}|\$[a-z_]\w{0,2}(?!\w))`;
/** A word with shell filler allowed after each of its letters (c\\a\\t, ca""t, c$@at). */
const obfuscated = (word: string) => [...word].map(escapeRegExp).join(`${SHELL_FILLER}*`);
/**
 * The commands 1033 recognises when spelled with filler: those of SHELL_COMMANDS that payloads disguise (a subset,
 * checked by the type, because each word enlarges a pattern tried after every separator of every value), and the
 * system folders one of them must reach.
 */
const OBFUSCATED_COMMANDS: readonly (typeof SHELL_COMMANDS)[number][] = [
  'cat', 'ls', 'id', 'whoami', 'uname', 'wget', 'curl', 'nc', 'bash', 'sh', 'python', 'perl', 'php', 'rm', 'chmod', 'ping', 'nslookup', 'sleep',
];
const SYSTEM_FOLDERS = ['etc', 'bin', 'usr', 'tmp', 'var', 'dev', 'proc', 'home', 'root', 'boot'];

/**
 * A path separator as traversal lists spell it to slip past decoders (1003): what is left of a percent escape, a byte
 * that is not ASCII (an overlong UTF-8 slash), a control or punctuation character, or hex digits (0x5c, 2f).
 */
const ENCODED_SEPARATOR = String.raw`%\S{0,2}|[^a-z0-9\s\\/._%-]|0x[0-9a-f]{2}|[0-9a-f]{2}`;

/**
 * The operator between the two numbers of a template probe (1032): * / + -, or a space, which is what URL decoding
 * (urlDecodeUni) makes of a + sent encoded ({{4+4}} as %2B).
 */
const NUMBER_OPERATOR = String.raw`(?:\s*[*/+-]\s*|\s+)`;

/**
 * A quote that closes an SQL string: one of the three characters, or its hex escape (\x27, \x22, \x60), which a PHP or
 * JavaScript string turns back into the quote before the value reaches the query.
 */
const SQL_QUOTE = String.raw`(?:['"\x60]|\\x(?:27|22|60))`;

/** File extensions a server may execute or a browser may render as active content. */
export const DANGEROUS_UPLOAD_EXTENSIONS = [
  'php', 'php3', 'php4', 'php5', 'php7', 'phtml', 'phar', 'pht', 'phps', 'jsp', 'jspx', 'jsw', 'jsv', 'asp', 'aspx',
  'asa', 'asax', 'ascx', 'ashx', 'asmx', 'cer', 'cgi', 'pl', 'py', 'rb', 'sh', 'bash', 'exe', 'dll', 'bat', 'cmd',
  'com', 'scr', 'ps1', 'psm1', 'vbs', 'vbe', 'wsf', 'hta', 'msi', 'jar', 'war', 'htaccess', 'htpasswd', 'shtml',
  'html', 'htm', 'xhtml', 'svg', 'swf', 'lnk',
];

/** User agents of attack tools that the CRS 3.3 scanner list does not name. */
export const ATTACK_TOOL_AGENTS = [
  'feroxbuster', 'ffuf', 'Fuzz Faster U Fool', 'dirsearch', 'commix', 'XSStrike', 'jaeles', 'katana',
  'sqlninja', 'havij', 'w3af', 'arachni', 'skipfish', 'openvas', 'nessus', 'acunetix', 'netsparker', 'qualys',
  'zgrab', 'masscan', 'nuclei', 'nikto', 'sqlmap', 'wpscan', 'gobuster', 'dirbuster', 'wfuzz', 'hydra', 'burp', '.nasl',
];

/** Response headers a line break in a value injects (response splitting), as a regex alternation. */
const INJECTED_HEADER_NAMES = String.raw`set-cookie|location|content-(?:type|length|disposition)|refresh|transfer-encoding|host|x-[\w-]+|access-control-[\w-]+`;
/**
 * Headers a line break injects into a request the application builds from a value (request splitting: a Referer,
 * a Cookie or credentials for the next hop) or into a response, that are also words of a multi-line text ("Cookie
 * policy"), so they count only with the colon of a header.
 */
const SPLIT_HEADER_NAMES = String.raw`referer|cookie|authorization|user-agent|content-security-policy|strict-transport-security|www-authenticate`;
/** U+560A and U+560D (嘊 嘍), which some servers truncate to LF and CR, percent-encoded (once or more) or raw. */
const UNICODE_LINE_BREAK = String.raw`%(?:25)*e5%(?:25)*98%(?:25)*8[ad]|\xe5\x98[\x8a\x8d]`;

/** Out-of-band interaction domains of scanners (interactsh, Burp Collaborator, DNS loggers): a payload that names one calls home. */
export const OOB_INTERACTION_DOMAINS = [
  'interact.sh', 'oast.fun', 'oast.live', 'oast.me', 'oast.online', 'oast.pro', 'oast.site', 'oastify.com', 'burpcollaborator.net',
  'dnslog.cn', 'ceye.io',
];

/** Admin and debug paths of stacks the platform does not run (regex fragments after a path segment boundary). */
export const SCANNER_PROBE_PATHS = [
  'actuator(?:/|$)', 'phpmyadmin', 'pma/', 'myadmin/', 'wp-(?:admin|login\\.php|config\\.php|includes)', 'xmlrpc\\.php', 'cgi-bin/',
  'server-(?:status|info)$', 'jmx-console', 'manager/html', 'hnap1', 'vendor/phpunit', 'solr/admin', 'boaform',
  // version-control folders, and a script of a stack the platform does not run (shell.php, x.php;.png, cmd.aspx)
  '\\.(?:git|svn|hg|bzr)(?:/|$)', '[^/]*?\\.(?:php\\d?|phtml|pht|aspx?|jspx?|cgi)(?![\\w-])',
];

/** Archives and dumps at the root of the site or one folder down (/backup.zip, /backup/db.gz): only scanners ask for them. */
const ROOT_BACKUP_PATH = String.raw`^/(?:backups?|dump|db|database|site|www|web|old)(?:/[^/]*)?\.(?:zip|tar|gz|tgz|bz2|7z|rar|sql|bak)$`;

/** The custom rules (CUSTOM_RULE_IDS). Functions of the config where a guide value (paths, limits) is involved. */
/** The authentication paths (`edge.authPaths`) as one regex over the normalised request path. */
export function authPathRegex(config: FactoryConfig): string {
  return `^(?:${config.edge.authPaths.map(escapeRegExp).join('|')})(?:/|$)`;
}

/**
 * The factory rules of a config: built once per config object, since every rendering of it (each target's rules file,
 * the CRS settings that name the rules marked outsideApiBodies, the README's table) reads the same table.
 */
export function wafRules(config: FactoryConfig): readonly WafRule[] {
  let table = tables.get(config);
  if (table === undefined) tables.set(config, (table = buildWafRules(config)));
  return table;
}
const tables = new WeakMap<FactoryConfig, readonly WafRule[]>();

function buildWafRules(config: FactoryConfig): readonly WafRule[] {
  const authPathRx = authPathRegex(config);
  const auth = config.edge.rateLimits.auth;
  const authWindowSeconds = auth.per === 'minute' ? 60 : 1;
  const authSignalAbove = auth.rate + auth.burst;
  const deny: RuleAction = { kind: 'deny', status: 403 };
  const inputs = ['ARGS', 'ARGS_NAMES', 'REQUEST_COOKIES', 'REQUEST_COOKIES_NAMES', 'XML:/*'];
  // The headers an attacker controls and an application may log, echo or pass on: User-Agent, Referer and every
  // custom header.
  const suspectHeaders = ['REQUEST_HEADERS:User-Agent', 'REQUEST_HEADERS:Referer', CUSTOM_HEADERS];
  // Every value a client writes into a request: arguments and their names, cookies, the suspect headers, XML.
  const values = ['ARGS', 'ARGS_NAMES', 'REQUEST_COOKIES', ...suspectHeaders, 'XML:/*'];
  const table: WafRule[] = [
    // ---- 1001-1002 Directory traversal ----
    {
      id: 1001, category: 'directory-traversal', phase: 2,
      variables: ['REQUEST_URI_RAW', ...inputs, 'REQUEST_HEADERS', 'FILES'],
      operator: {
        op: 'rx',
        arg: String.raw`(?i)\A[^\n]*?(?:(?:^|[\\/=:'"])\.{2,}[\\/]|[\\/]\.{2,}(?:[\\/;]|$))|(?:\.{2,}[\\/]){3}` +
          String.raw`|\A\S*?(?:^|[\\/])(?:web|meta)-inf[\\/]|^\s*(?:(?:gopher|dict|tftp|netdoc|ftps?|sftp|ldaps?|smb)://|jar:(?:file|https?):)` +
          String.raw`|(?:^\s*|://(?:[^/\s@]*@)?)(?:169\.254\.169\.254|169\.254\.170\.2\b|metadata\.google\.internal|metadata\.azure\.com|metadata\.tencentyun\.com|100\.100\.100\.200|instance-data\b|\[?fd00:ec2::254)` +
          String.raw`|://(?:[^/\s@]*@)?(?:127\.\d{1,3}(?:\.\d{1,3})?|\[[0:]*\])(?:[:/?#]|$)` +
          String.raw`|://(?:[^/\s@]*@)?(?:0x[0-9a-f]{1,8}|\d{8,10}|0+\d{1,3}(?:\.0*\d{1,3}){3}|0x0*[0-9a-f]{1,2}(?:\.0x0*[0-9a-f]{1,2}){3})(?:[:/?#]|$)` +
          String.raw`|://(?:[^/\s@]*@)?\[[0:]*:ffff:|://(?:[^/\s@]*@)?kubernetes\.default(?:\.svc(?:\.cluster\.local)?)?\.?(?:[:/?#]|$)` +
          String.raw`|://(?:[^/\s@]*@)?(?:localhost|127(?:\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\]):(?:2375|2376|2379|2380|4243|10250|10255)\b|[/=]\s*(?:gopher|dict|tftp|netdoc)://` +
          // a private or loopback host after a user part, even one past a # (http://a.example:80+&@127.88.23.245/, a.example\@10.0.0.7,
          // a.example#+@192.168.1.10; URL decoding makes a + a space, so two spaces may stand in it): parsers disagree on which host
          // such an http(s) URL names; ssh://git@10.0.0.5/repo.git is a login, and prose after a URL is not a user part
          String.raw`|\bhttps?://[^/\s]*(?:\s[^/\s]*){0,2}@(?:(?:127|10|0)(?:\.\d{1,3}){3}|169\.254(?:\.\d{1,3}){2}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2})(?:[:/?#]|$)` +
          // the metadata address anywhere in a URL (a redirect service's path), and the metadata API's paths on any host
          String.raw`|://\S*?\b169\.254\.169\.254\b|://[^/\s]+/(?:latest/(?:meta-data|user-data|dynamic/instance-identity)|computeMetadata/v1|metadata/(?:instance|identity)\b|opc/v[12]/instance|openstack/latest/meta_data)` +
          // a value that is a URL on a wildcard DNS name that resolves to the address it spells (127.0.0.1.nip.io), or on a name that
          // always resolves to localhost (localtest.me); a prompt that mentions one for local testing is prose
          String.raw`|\A\s*https?://(?:[^/\s]*@)?[\w.-]*?\b(?:\d{1,3}[.-]){3}\d{1,3}\.(?:nip|xip|sslip)\.io\b|\A\s*https?://(?:[^/\s]*@)?(?:[\w-]+\.)*(?:localtest|lvh|vcap)\.me\b` +
          // a host in circled or fullwidth digits (U+2460-U+24FF, U+FF10-U+FF19 in UTF-8), which NFKC turns into an address
          String.raw`|://[^/\s?#]*?(?:\xe2(?:\x91[\xa0-\xbf]|\x92[\x80-\xbf]|\x93[\x80-\xbf])|\xef\xbc[\x90-\x99])` +
          // a value that starts with a slash and a backslash, or a slash, blanks and a slash, then a host: browsers read /\evil.example
          // and /<tab>/evil.example as //evil.example (an open redirect past a check for //); \\host is a share on that host
          String.raw`|\A\s*(?:/\\|\\/|\\\\|/\s+/)[\\/]*[\w-]+(?:\.[\w-]+)+`,
      },
      transformations: ['urlDecodeUni', 'urlDecodeUni'],
      action: deny, message: 'Directory traversal and inclusion: a dot-dot segment, an application config folder, an internal-only URL scheme, or a metadata, cluster API, container API or obfuscated IP host', severity: 'CRITICAL',
      tags: ['attack-lfi', 'OWASP_CRS/WEB_ATTACK/DIR_TRAVERSAL'],
      rationale: 'Catches ../ and ..\\ once or twice URL-decoded, in the path, parameters, headers and upload names, on the first ' +
        'line of a value or three levels deep anywhere (a relative import in a pasted multi-line code block is content, not a path); ' +
        'a path-like value into WEB-INF or META-INF; and the server-side request forgery targets the CRS 3.3 misses: ' +
        'gopher/dict/tftp/jar URLs and a parameter that is an ftp://, sftp://, ldap:// or smb:// URL (remote file inclusion, a JNDI or memcached probe, an NTLM leak; an API takes https links), cloud metadata hosts (169.254.169.254, metadata.google.internal), IP hosts written ' +
        'as one integer, hex or octal or as an IPv4-mapped IPv6 literal ([::ffff:169.254.169.254]), the Kubernetes API (kubernetes.default.svc, what a pod reaches with its ' +
        'service-account token), and the unauthenticated container and node APIs on a loopback host (Docker 2375/2376, etcd 2379, kubelet 10250/10255); ' +
        'a private or loopback host after a URL\x27s user part (a.example:80+&@127.88.23.245, a.example\\@10.0.0.7), on which parsers disagree; the metadata address anywhere ' +
        'in a URL and the metadata API\x27s paths (/latest/meta-data/, /computeMetadata/v1) on any host; wildcard DNS names that spell an address (127.0.0.1.nip.io) ' +
        'or always resolve to localhost (localtest.me); a host in circled or fullwidth digits (http://①②⑦.⓪.⓪.①), which NFKC normalises to an address; ' +
        'and a value that starts with /\\, \\/ or a slash, a tab and a slash before a host (/\\evil.example, /%09/evil.example), which browsers follow as //evil.example, or that is a share on a named host (\\\\evil.example). ' +
        'A webhook with credentials for a public host, a documentation link into the metadata guide and Japanese prose around a URL pass.',
    },
    {
      id: 1002, category: 'directory-traversal', phase: 1,
      variables: ['REQUEST_URI_RAW', 'REQUEST_HEADERS:Referer'],
      operator: { op: 'rx', arg: String.raw`(?i)%(?:25)+(?:2e|2f|5c)|%c0%(?:ae|af|2f|5c)|%c1%(?:1c|9c|pc)|%e0%80%(?:ae|af)|%u(?:002e|002f|005c|2215|2216|ff0e|ff0f)|%f0%80%80%ae|%(?![0-9a-f]{2}|u[0-9a-f]{4})` },
      transformations: [],
      action: deny, message: 'Directory traversal: double, overlong or percent-u encoding of dot, slash or backslash', severity: 'CRITICAL',
      tags: ['attack-lfi', 'OWASP_CRS/WEB_ATTACK/DIR_TRAVERSAL'],
      rationale: 'Encodings that only exist to slip a traversal past a single decoding, and invalid percent escapes (%G1) that ' +
        'decoders disagree on; no client needs them.',
    },
    {
      id: 1003, category: 'directory-traversal', phase: 2,
      variables: ['REQUEST_FILENAME', ...values, 'FILES'],
      operator: {
        op: 'rx',
        arg: String.raw`(?i)(?:^|[\s/=:'"(,;|&])(?:(?:var/)?run/secrets/(?:kubernetes\.io|eks\.amazonaws\.com|azure)/|proc/(?:self|thread-self|\d+)/(?:environ|cmdline|maps|mem|fd/|root/|cwd|mountinfo|status|auxv)` +
          String.raw`|etc/(?:passwd|shadow|gshadow|sudoers|issue|kubernetes/(?:admin|kubelet|controller-manager|scheduler)\.conf)\b|\.kube/config\b|var/lib/kubelet/` +
          String.raw`|\.ssh/(?:id_[\w-]+|authorized_keys|known_hosts)\b|\.(?:bash|zsh)_history\b|\.htpasswd\b|\.git/(?:HEAD|config|index)\b|var/log/[\w.-]+/` +
          String.raw`|(?:[a-z]:[\\/])?(?:boot\.ini|(?:windows|winnt)[\\/](?:win\.ini|system\.ini|php\.ini|(?:repair|panther|csc|temp|system32)[\\/]|iis\d+\.log|(?:explorer|notepad|regedit)\.exe))` +
          // a Windows drive path to an account, setup, server-config or log file, or into a system folder
          String.raw`|(?:[a-z]:[\\/]|\\)(?:[^\\/\n]{1,40}[\\/]){0,5}?(?:ntuser\.(?:dat|ini)|desktop\.ini|sysprep\.(?:inf|xml)|unattend(?:ed)?\.(?:xml|txt)|tomcat-users\.xml|metabase\.xml|webdav\.txt|wpsettings\.dat|variables\.dat|${SERVER_CONFIG_FILES}|(?:access|error)[._]log)\b` +
          String.raw`|[a-z]:[\\/](?:\$recycle\.bin|system volume information|minint|inetpub[\\/]logs|php\d?[\\/]sessions)(?:[\\/]|$))|\b(?:file|php|zip|phar|expect|glob|compress\.zlib):/` +
          // account files and system32 behind separators spelled in encodings no decoder undoes (etc%c0%afpasswd,
          // etc0x5cpasswd, ..2fetc2fpasswd, windows%u2215system32): a plain windows/system32 stays prose. The e of etc may
          // have gone into an escape (%%66etc decoded twice is %fe, a byte, then tc)
          `|(?:e|[\\x80-\\xff])tc(?:${ENCODED_SEPARATOR}|[\\\\/.]){1,12}?(?:passwd|shadow|issue)\\b|logs?(?:${ENCODED_SEPARATOR}){1,6}?(?:access|acces|error)[._]log\\b|windows(?:${ENCODED_SEPARATOR}){1,12}?(?:system32|(?:win|system)\\.ini\\b)|(?:${ENCODED_SEPARATOR})boot\\.ini\\b` +
          // a value that is an absolute path into a system, log, mail or server folder, or to a server config file in any folder
          String.raw`|\A\s*(?:[a-z]:)?[\\/]+(?:etc|proc|var[\\/]+(?:log|mail|run|adm|db|spool|lib|www)|usr[\\/]+(?:local|ports|pkgsrc)|opt[\\/]+[lx]ampp|[lx]ampp|wamp\d*|inetpub|mysql|program\s?files[^\\/]{0,8}[\\/]+(?:mysql|apache|php|filezilla))(?:[\\/][^\s\\/]*)+\s*$` +
          String.raw`|\A\s*(?:[a-z]:)?[\\/](?:[^\s\\/]{1,40}[\\/]){1,8}(?:${SERVER_CONFIG_FILES})\s*$`,
      },
      transformations: ['urlDecodeUni', 'urlDecodeUni', 'normalisePath'],
      action: deny, message: 'Local file inclusion: a credential, history, log or system file (service-account token, /proc/self, kubeconfig, SSH keys, .git, /etc/shadow, win.ini) or a file:// or PHP stream URL', severity: 'CRITICAL',
      tags: ['attack-lfi', 'OWASP_CRS/WEB_ATTACK/FILE_INJECTION'],
      rationale: 'What a file read or server-side fetch is after on Kubernetes: the pod\'s service-account token (/var/run/secrets/kubernetes.io/…), ' +
        'its environment and memory (/proc/self/environ, /proc/self/maps), kubeconfigs and the node\'s account files, SSH keys, shell histories, .htpasswd, ' +
        '.git metadata, logs to poison, boot.ini and win.ini, and any file://, php://, zip:// or phar:// URL; the CRS list of OS files ' +
        'has no Kubernetes paths and reads neither the URL path nor headers. On a Windows drive path: the system folder\'s repair, setup (panther) ' +
        'and temp folders, an account profile (ntuser.dat), unattended-setup answers, and server configs and logs (tomcat-users.xml, httpd.conf, access.log). ' +
        'And /etc/passwd, /etc/shadow, /etc/issue, system32 (with the hosts file under it) and boot.ini behind separators written in encodings no decoder undoes ' +
        '(etc%c0%afpasswd, etc0x5cpasswd, ..2fetc2fpasswd, windows%uF025system32), and a server log behind them (..2fapache2flogs2faccess.log). ' +
        'And a value that is an absolute path into /etc, /proc, /var/log, /var/lib, /usr/local, a XAMPP or MySQL folder, or to a server config file ' +
        '(/etc/apache/conf/httpd.conf, /proc/cmdline, C:\\Program Files\\MySQL\\…\\my.cnf, \\xampp\\tomcat\\conf\\web.xml): the API takes no server path, ' +
        'and CRS 4 dropped many of these names from its list. Prose names paths like reports/2026/q3.csv or C:\\Users\\me\\report.docx, not these, and a prompt that names /etc/nginx/nginx.conf in a sentence is not a path.',
    },
    // ---- 1010-1014 SQL injection ----
    {
      id: 1010, category: 'sql-injection', phase: 2,
      variables: ['REQUEST_FILENAME', ...suspectHeaders.filter((h) => !/User-Agent|Referer/.test(h)), 'FILES'],
      operator: { op: 'detectSQLi' },
      transformations: ['urlDecodeUni'],
      action: deny, message: 'SQL injection (libinjection) in the URL path, forwarding headers or upload names', severity: 'CRITICAL',
      tags: ['attack-sqli', 'OWASP_CRS/WEB_ATTACK/SQL_INJECTION'],
      rationale: 'CRS 942100 runs libinjection on parameters, cookies, User-Agent and Referer only; REST APIs carry ids in the path.',
    },
    {
      id: 1011, category: 'sql-injection', phase: 2,
      variables: ['REQUEST_FILENAME', ...inputs, ...suspectHeaders],
      operator: {
        op: 'rx',
        arg: String.raw`(?i)${SQL_QUOTE}\s*\)*\s*(?:or|and|\|\||&&)\s*\(*\s*${SQL_QUOTE}?\s*(?:\w+)\s*${SQL_QUOTE}?\s*(?:=|<>|!=|like\b|>|<)\s*\(*${SQL_QUOTE}?\s*\w*|\bunion(?:\s+all|\s+distinct(?:row)?)?\s*(?:/\*.*?\*/\s*)?\(*\s*select\s+(?:null|\d|@@|\*|[\w.]+\s*(?:,|from\b))|(?:['"\x60\d]\s*\)*|\A)\s*;\s*(?:drop\s+(?:table|database)|select\s+(?:\*|@@\w+|null\b)|truncate\s+table|delete\s+from\s+\w+\s*(?:where|;|--|#|$)|insert\s+into\s+\w+\s*(?:\(|values)|update\s+\w+\s+set\s+\w+\s*=|exec(?:ute)?\s+(?:xp_|sp_|master\.)|shutdown\s*(?:--|;|#|$)|declare\s+@)|\b(?:sleep|pg_sleep|benchmark)\(\s*\d|\bwaitfor\s+delay\s+['"]\d|\w['"\x60]\s*\)*\s*;?\s*(?:--|#|/\*)[\s-]*$|\b(?:information_schema|pg_catalog|pg_shadow|pg_authid|sysobjects|xp_cmdshell|load_file|into\s+(?:out|dump)file)\b` +
          // a value that is a SELECT of the server's identity or of its login and catalog tables (select @@version, select current_user;,
          // select name, password from master..syslogins, select * from syscat.tabauth;), or a PRINT of a server variable
          String.raw`|\A\s*print\s+@@\w+|\A\s*select\s+(?:@@\w+|(?:current|session|system)_user\b|[\w\s,.*]{1,80}?\bfrom\s+(?:(?:master\.\.)?sys(?:logins|users|servers|xlogins|sql_logins)\b|sys(?:cat|ibm)\.\w+|pg_(?:group|user|roles)\b))` +
          // membership in a subquery (or 1 in (select @@version)--), a GRANT after a quote, a function call concatenated after a quote
          String.raw`|\b(?:or|and)\s+[\w'"]{1,20}\s+in\s*\(\s*select\s+(?:@@\w+|[\w.*]+\s+from\b)|(?:\w|\A\s*)['"]\s*;?\s*grant\s+(?:connect|resource|dba|all|select|insert|update|delete|execute|usage)\b[^;'"]{0,60}?\bto\s+\w|\A\s*['"]\s*\|\|\s*[a-z_][\w.$]*\s*\(`,
      },
      transformations: ['urlDecodeUni', 'htmlEntityDecode', 'compressWhitespace'],
      action: deny, message: 'SQL injection: tautology, UNION SELECT, stacked query, time delay or comment after a quote', severity: 'CRITICAL',
      tags: ['attack-sqli', 'OWASP_CRS/WEB_ATTACK/SQL_INJECTION'],
      rationale: 'Structural SQL that prose does not produce: a quote followed by OR/AND and a comparison, UNION SELECT ' +
        'with a column list, a query stacked after a quote or number, a delay function with a number, a comment right after a quote (or after a quote and a semicolon: admin\x27; -- -), ' +
        'a quote written as its hex escape (1\\x27 or \\x271\\x27=\\x271, which a PHP or JavaScript string unescapes), the account tables (pg_shadow, pg_authid), and a value that is a ' +
        'SELECT of the server\x27s identity or login and catalog tables (select @@version, select current_user;, … from master..syslogins, … from syscat.tabauth) or a PRINT @@servername; ' +
        'a statement stacked after a bare semicolon (; exec xp_regread), membership in a subquery (or 1 in (select @@version)--), a GRANT after a quote, and a function call ' +
        'concatenated right after a quote (\x27 || app.adduser(…) || \x27). A question that names @@version or current_user is not a SELECT of them, and "grant connect to new hires" has no quote before it, nor a quoted "grant all access to the team" one that closes a value.',
    },
    {
      id: 1012, category: 'sql-injection', phase: 2,
      variables: ['ARGS_NAMES', 'ARGS'],
      operator: {
        op: 'rx',
        arg: String.raw`(?:^|[.\[])\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|expr|or|and|not|nor|function|accumulator)(?:\]|$)|^\s*\{\s*"?\$(?:ne|gt|regex|where|expr)"?\s*:` +
          // JavaScript for a $where clause (' || 1==1, 0;return true) and a value that closes the query object to add an operator
          String.raw`|^\s*['"]?\s*\|\|\s*(?:1\s*===?\s*1|true|this\b)|^\s*\w{0,20}\s*;\s*return\s+(?:true|1)\b|^\s*['"]\s*\}\s*\]?\s*,\s*\$[a-z]+\s*:`,
      },
      transformations: ['urlDecodeUni'],
      action: deny, message: 'Query operator injection ($ne, $gt, $where ...) in a parameter name or value', severity: 'CRITICAL',
      tags: ['attack-sqli', 'attack-nosqli', 'OWASP_CRS/WEB_ATTACK/SQL_INJECTION'],
      rationale: 'Database operators smuggled in JSON keys or `param[$ne]=`; the CRS 3.3 has no rule for them. And a value that is JavaScript for a $where clause (\x27 || 1==1, \x27 || this.password.match(…) || \x27, 0;return true) or closes the query object to add an operator (\x27 } ], $comment: …): a value opens with neither.',
    },
    {
      id: 1013, category: 'sql-injection', phase: 2,
      variables: values,
      operator: {
        op: 'rx',
        arg: String.raw`(?i)\A\s*-?[\w.]{0,20}['"]?\s*\)+\s*(?:(?:or|and|union|having|order\s+by|group\s+by)\b|;)` +
          // a condition appended to a value: a comparison of numbers or of single letters, then the end, a comment or more
          // conditions (1 AND 7300=7300 AND …, x' OR 1=0#, HAVING 1=1--, OR x=y, ; or '1'='1', group by id having 1=1--), a constant then a
          // comment (OR true--), or a quoted string compared with another ( or 'a'='a, or 'text' = n'text')
          String.raw`|\A\s*(?:-?[\w.]{0,20}['"]?\s*;?\s+)?(?:group\s+by\s+[\w.]+\s+)?(?:as\s+\w+\s+)?(?:or|and|xor|having|where)\s+\(*(?:(?:'?\d+'?\s*(?:=|<>|!=|<|>)\s*\(*'?\d+'?|[a-z]\s*=\s*[a-z])(?=\s*(?:$|--|#|/\*|;|(?:and|or)\b))|(?:true|false|\d+)\s*(?:--|#|/\*)|'[^'\n]{0,40}'\s*(?:=|<>|!=|<|>|like\b)\s*n?')` +
          // a column count probe: ORDER BY or GROUP BY numbers, then the end or a comment
          String.raw`|\A\s*-?[\w.]{0,20}['"]?\s+(?:order|group)\s+by\s+\d+(?:\s*,\s*\d+)*,?\s*(?:--|#|/\*|;|$)` +
          // a boolean test on a subquery appended to a value (and (select substring(@@version,1,1))='M', rlike (select (case when …)))
          String.raw`|\A\s*(?:-?[\w.]{0,20}['"]?\s*\)*\s+)?(?:or|and|xor|rlike|regexp|having|where)\s+\(+\s*select\s+(?:\(|case\b|\w+\s*\(|@@|\d|null\b|\*)`,
      },
      transformations: ['urlDecodeUni'],
      action: deny, message: 'SQL injection: a value followed by SQL (a closed parenthesis and an operator, an appended condition such as OR 1=1 or HAVING 1=1--, or a column count probe such as ORDER BY 5--)', severity: 'CRITICAL',
      tags: ['attack-sqli', 'OWASP_CRS/WEB_ATTACK/SQL_INJECTION'],
      rationale: 'A parameter that starts with a value and a closing parenthesis, then OR/AND/UNION/;, breaks out of a bracketed SQL expression ' +
        '(123) AND 12=12 AND JSON_DEPTH(…), -1134\x27) OR JSON_EXTRACT(…)), which libinjection misses when the rest uses functions it does not know; ' +
        'prose and lists do not open with ")" followed by an operator. A value followed by a condition on constants (1 OR 1=1, 5 AND 7300=7300 AND …, ' +
        'x\x27 HAVING 1=0#, OR x=y--, AND true--) or by ORDER BY/GROUP BY column numbers and the end or a comment (the column count probe before a ' +
        'UNION) is a boolean or error probe that the CRS leaves to paranoia level 2; the comparison must end the value or be followed by a comment or ' +
        'another AND/OR, so "2 and 2=4 is wrong" or "sort order by 3 fields" passes. Also a quoted string compared with another right after the OR ' +
        '( or \x27a\x27=\x27a, x or \x27text\x27 = n\x27text\x27), and HAVING after GROUP BY (name group by userid having 1=1--); "or \x27maybe\x27 later" compares nothing. ' +
        'And a value that goes on with AND, OR or RLIKE and a subquery that calls a function, reads a server variable or opens CASE ' +
        '( and (select substring(@@version,1,1))=\x27M\x27, RLIKE (SELECT (CASE WHEN …))), the blind probes CRS 3.3 misses; "and (select one) below" selects nothing.',
    },
    {
      id: 1014, category: 'sql-injection', phase: 2,
      variables: ['REQUEST_FILENAME'],
      operator: { op: 'rx', arg: String.raw`(?i)\(\s*select\s|\bcase\s+when\s[^/]{0,60}?\sthen\s|\b(?:and|or|rlike|regexp|having|where)\s+\(+\s*(?:select|case|if|\d+\s*[=<>])|\bselect\s+(?:\*|null\b|\d|@@|[\w.]+\s*,|(?:count|concat)\s*\()[^/]{0,80}?\sfrom\s|\b(?:extractvalue|updatexml)\s*\(|\b(?:or|and|x?or)\s+(['"]?)(\w+)\1\s*=\s*\1\2\1(?:\s|$|--|#|;)` +
        String.raw`|['"]\s*\)*\s*(?:or|and|xor|\|\||&&)\s+(?:[a-z_]\w*\s*\(|\(*\s*(?:'[^'/]*'|"[^"/]*"|\d+)\s*(?:=|<>|!=|<|>|\blike\b|\brlike\b))` },
      transformations: ['urlDecodeUni', 'urlDecodeUni', 'compressWhitespace'],
      action: deny, message: 'SQL injection in the URL path: a subquery, CASE WHEN, a boolean test on a subquery or a SQL function call', severity: 'CRITICAL',
      tags: ['attack-sqli', 'OWASP_CRS/WEB_ATTACK/SQL_INJECTION'],
      rationale: 'REST ids live in the path, where the CRS SQL rules do not look and libinjection (1010) misses subqueries such as 1 AND (SELECT 2*(IF(…))) ' +
        'or 1 RLIKE (SELECT (CASE WHEN …)), and a quote that closes the id before OR/AND and a function call or a comparison (5\') OR JSON_EXTRACT(…) = …); ' +
        'a path segment is an id or a slug, never a SELECT … FROM or a function call with parentheses, and a quoted title in a slug is not followed by a comparison.',
    },
    // ---- 1020-1023 XSS ----
    {
      id: 1020, category: 'xss', phase: 2,
      variables: ['REQUEST_FILENAME', 'REQUEST_HEADERS:Referer', CUSTOM_HEADERS, 'FILES'],
      operator: { op: 'detectXSS' },
      transformations: ['urlDecodeUni', 'htmlEntityDecode', 'jsDecode', 'cssDecode'],
      action: deny, message: 'XSS (libinjection) in the path, parameters, headers or upload names', severity: 'CRITICAL',
      tags: ['attack-xss', 'OWASP_CRS/WEB_ATTACK/XSS'],
      rationale: 'CRS 941100 covers parameters, cookies and the User-Agent (with the same transformations), not the path, the Referer, forwarding headers or file names.',
    },
    {
      id: 1021, category: 'xss', phase: 2,
      variables: ['REQUEST_FILENAME', 'ARGS_NAMES', 'ARGS', 'REQUEST_COOKIES', ...suspectHeaders, 'FILES'],
      operator: { op: 'rx', arg: String.raw`(?i)<\s*/?\s*(?:script|iframe|frame|object|embed|applet|meta|base|link|style|svg|math|form|isindex|template|xss)\b|<[a-z][^>]*?[\s/"']on[a-z]{3,}\s*=|<\s*[a-z]+[^>]*?\b(?:src|href|action|formaction|data|srcdoc|xlink:href)\s*=\s*["']?\s*(?:j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|v\s*b\s*s\s*c\s*r\s*i\s*p\s*t|data)\s*:` },
      transformations: ['urlDecodeUni', 'htmlEntityDecode', 'jsDecode', 'compressWhitespace'],
      action: deny, message: 'XSS: an active HTML tag, an event handler attribute or a script URL in an attribute', severity: 'CRITICAL',
      tags: ['attack-xss', 'OWASP_CRS/WEB_ATTACK/XSS'],
      rationale: 'Markup that executes script; prose with "<" comparisons or the word "script" does not open a tag.',
    },
    {
      id: 1022, category: 'xss', phase: 2,
      variables: ['REQUEST_FILENAME', 'ARGS', 'ARGS_NAMES', 'REQUEST_COOKIES', ...suspectHeaders, 'XML:/*'],
      operator: { op: 'rx', arg: String.raw`(?i)(?:^|[\s"'=(<\x60/])(?:javascript|vbscript|livescript)\s*:(?:[^\s]|\s+(?:[\w$.]+\s*\(|[(\[{'"\x60]))|^\s*data\s*:\s*(?:text/html|image/svg\+xml|application/(?:x-)?(?:java|ecma)script)[;,]|\b(?:alert|prompt|confirm|eval)\s*(?:\(\s*(?:\d|document\b|window\b|this\b|/)|\x60)|['"\x60]\s*[-+*/;,|&^]\s*(?:alert|prompt|confirm|eval)\s*\(` +
        // and the calls without parentheses
        String.raw`|\b(?:alert|confirm|prompt|eval)\s*(?:\x60|\?\.\s*\(|\.\s*(?:call|apply|bind)\s*\()` +
        String.raw`|\.\s*(?:find|map|filter|forEach|some|every)\s*\(\s*(?:alert|confirm|prompt|eval)\s*\)` +
        String.raw`|\b(?:eval|Function|setTimeout|setInterval)\s*\(\s*(?:atob|unescape|decodeURI(?:Component)?|String\.fromCharCode)\s*\(` +
        String.raw`|\b(?:top|window|self|parent|frames|globalThis)\s*\[\s*(?:['"\x60][^'"\x60\]]{0,12}['"\x60]\s*[+\s]\s*['"\x60]|(?:atob|unescape|decodeURI(?:Component)?|String\.fromCharCode)\s*\(|/[^/\s\]]{1,12}/\s*\.\s*source\b)` +
        String.raw`|\bthrow\s+onerror\s*=|\bonerror\s*=\s*(?:alert|confirm|prompt|eval)\b|\bsetTimeout\s*\x60` +
        String.raw`|\(\s*(?:alert|confirm|prompt|eval)\s*\)\s*\(|\bconstructor\s*\(\s*['"\x60][^'"\x60]{0,80}\b(?:alert|confirm|prompt|eval|fetch)\s*\(` +
        // the cookie or the domain read by a bracketed name, which filters for document.cookie miss
        String.raw`|\bdocument\s*\[\s*['"\x60](?:cookie|domain)['"\x60]\s*\]` +
        // a tag written in US-ASCII with the eighth bit set (\xbcscript\xbe is <script> to a decoder that drops it): a \xbc that
        // no UTF-8 lead byte precedes, so it is not part of a character (CRS 941310 is removed: its pattern meets Russian and Japanese text)
        String.raw`|(?:\A|[\x00-\x7f])\xbc\s*/?\s*[a-z][^\xbe>]{0,80}[\xbe>]` },
      transformations: ['urlDecodeUni', 'htmlEntityDecode', 'jsDecode'],
      action: deny, message: 'XSS: script URL, HTML data URL or script call outside markup, with or without parentheses (tagged template, optional call, call/apply, a callback, a built property name)', severity: 'CRITICAL',
      tags: ['attack-xss', 'OWASP_CRS/WEB_ATTACK/XSS'],
      rationale: 'Payloads that need no tag (links, redirect targets, attribute breakouts); "javascript:" must be followed by code (a call, a bracket, or no space), not by words ("JavaScript: Basics of the Language"); ' +
        'a call such as alert(1) or alert(document.cookie), or any call right after a closed string (\x27;alert( ); alert(\x27done\x27) in pasted code passes. ' +
        'Filters that look for alert( miss alert\x601\x60, alert?.(…), confirm.call(null,1), [1].find(alert), window[\x27al\x27+\x27ert\x27] and ' +
        'throw onerror=alert, self[atob(\x27YWxlcnQ=\x27)], eval(atob(…)): each is a call of a dialog or eval function in a shape ordinary code and prose do not take. ' +
        'And a tag in US-ASCII with the eighth bit set (the bytes \\xbc and \\xbe for < and >, outside a UTF-8 character), in place of CRS 941310.',
    },
    {
      id: 1023, category: 'xss', phase: 2,
      variables: ['ARGS', 'ARGS_NAMES', 'REQUEST_FILENAME'],
      operator: { op: 'rx', arg: String.raw`["'\x60]\s*(?:>|/>|\)|;)\s*<\s*(?:script|svg|iframe|object|embed|[a-z]+\b[^>]*?[\s/]on[a-z]{3,}\s*=)|["']\s*(?:/|\s)\s*on[a-z]{3,}\s*=|\{\{\s*constructor|\$\{\s*alert|\bsrcdoc\s*=|[a-z]<[a-z]{1,3}>[a-z]+\s*=|[a-z]<[a-z]{1,3}>\s*\(` },
      transformations: ['urlDecodeUni', 'htmlEntityDecode', 'lowercase'],
      action: deny, message: 'XSS: attribute or string breakout followed by markup or an event handler', severity: 'CRITICAL',
      tags: ['attack-xss', 'OWASP_CRS/WEB_ATTACK/XSS'],
      rationale: 'Breakouts ("><svg, "><img onerror=, \' onfocus=) and template sandbox escapes that libinjection misses in short fragments; ' +
        'an attribute or call split by throwaway tags (o<x>nfocus=, alert<x>(1)) that a tag-stripping sanitiser joins again; ' +
        'a closed attribute followed by an ordinary tag (class="box">\\n<p>) is HTML pasted into a prompt.',
    },
    {
      id: 1024, category: 'xss', phase: 2,
      variables: ['REQUEST_FILENAME', 'ARGS', 'ARGS_NAMES', 'REQUEST_COOKIES', ...suspectHeaders],
      operator: {
        op: 'rx',
        arg: String.raw`(?i)\b(?:top|window|self|parent|frames|globalThis|opener)\s*(?:\?\.\s*)?\[.{1,80}?\]\s*(?:\?\.\s*)?\(` +
          String.raw`|\[\s*['"\x60]constructor['"\x60]\s*\]\s*\(` +
          String.raw`|\.\s*(?:call|apply|bind)\s*\x60|\$\{\s*(?:alert|confirm|prompt|eval|print)\s*\}` +
          String.raw`|\.\s*\w+\s*\([^()]{0,40},\s*(?:alert|confirm|prompt|eval|print)\s*\)` +
          `|(?:^|/)\\s*on(?:${DOM_EVENTS.join('|')})\\s*=` +
          `|[a-z](?:&(?:${PUNCTUATION_ENTITIES.join('|')});)+[\\w(]` +
          // a dialog kept under another name and called by it (a=alert,a(1))
          String.raw`|=\s*(?:alert|confirm|prompt|eval)\s*[,;]\s*[\w$]+\s*\(` +
          // a name built by joining strings and called at once ('ale'+'rt'(), whose + URL decoding may have made a space), and
          // numeric references padded with zeros (&#00000040;), which no editor writes and htmlEntityDecode leaves as they are
          String.raw`|['"\x60][\s+]*(?:\+[\s+]*)?['"\x60][\w$]{1,20}['"\x60]\)?\(|&#(?:x0{3,}[0-9a-f]{1,4}|0{4,}\d{1,5})\b`,
      },
      transformations: ['urlDecodeUni', 'htmlEntityDecode', 'jsDecode'],
      action: deny, message: 'XSS: a script gadget (a member of a global object called by a computed name, a tagged template call, a dialog passed as a callback, a handler at the start of a value, entities inside a word)', severity: 'CRITICAL',
      tags: ['attack-xss', 'OWASP_CRS/WEB_ATTACK/XSS'],
      rationale: 'Payloads for a value reflected into a script or an attribute, shaped to have no tag and no sink name in one piece: ' +
        'top[\x27al\\145rt\x27](1), window[[\x27a\x27][0]+\x27lert\x27](1), top?.[\x22ale\x22+\x22rt\x22](1), (()=>{})[\x22constructor\x22](…), ' +
        'Reflect.set.call\x60${…}\x60, [1,2,3].with(0,alert), a dialog kept under another name (a=alert,a(1)), onfocus=… as a whole value or after a slash, a&Tab;l&Tab;e&Tab;r&Tab;t(1) and alert&lpar;1&rpar; ' +
        '(HTML5 entities for spacing and punctuation between letters, which ModSecurity does not decode), \x27ale\x27+\x27rt\x27() and ' +
        'prompt&#0000000040;1&#0000000041; (zero-padded references, which no editor writes). Code in a prompt takes these shapes: ' +
        'off for API bodies.',
      outsideApiBodies: true,
    },
    {
      id: 1025, category: 'xss', phase: 2,
      variables: ['REQUEST_COOKIES', ...suspectHeaders],
      operator: {
        op: 'rx',
        arg: String.raw`(?i)\b(?:alert|confirm|prompt|eval|atob|import|setTimeout|setInterval|Function)\s*\(|\bnew\s+XMLHttpRequest\b|\bdocument\s*\.\s*(?:cookie|domain|write|location)\b`,
      },
      transformations: ['urlDecodeUni', 'htmlEntityDecode', 'jsDecode'],
      action: deny, message: 'XSS: a script call or a script API in a cookie or a header (dialog, eval, import, XMLHttpRequest, document.cookie)', severity: 'CRITICAL',
      tags: ['attack-xss', 'OWASP_CRS/WEB_ATTACK/XSS'],
      rationale: 'The CRS refuses alert( and eval( in parameters and cookies (941390 on CRS 4) but reads no header for them; a header or cookie that an ' +
        'admin page or a log viewer shows is reflected script, and no user agent, referrer or custom header carries a call of these functions.',
    },
    // ---- 1030-1032 Command injection ----
    {
      id: 1030, category: 'command-injection', phase: 2,
      variables: ['REQUEST_FILENAME', 'ARGS', 'ARGS_NAMES', 'REQUEST_COOKIES', ...suspectHeaders, 'XML:/*', 'FILES'],
      operator: {
        op: 'rx',
        arg: String.raw`\A(?:[^\n]*?(?:[;&|]|(?<!\x60)\x60(?!\x60)(?![^\x60\n]*\x60(?:[,.;:!?)]*[ \t]+[A-Za-z\x60]|[.!?]+\s*$))|\$\()|\S*\n|(?:\\[nr])+|[^\n]*?${TERMINAL_ESCAPE})\s*${BIN_DIR}(?:${SHELL_COMMANDS.join('|')})(?:\.exe)?${COMMAND_ARGUMENT}` +
          String.raw`|\A[^\n]*?(?:[;&|]|\$\()\s*(?:/[\w.-]*)*/[\w.-]*(?:\?\?|\w\?[\w?])[\w?.-]*(?:\s|/|$)` +
          String.raw`|\A[^\n]*?[;&|]\s*(?i:(?:type|dir|copy|del|more|findstr|icacls|attrib|wmic|net1?|reg)\s+(?:[a-z]:[\\/]|%\w+%|\\\\|/[a-z]{1,2}\b)|(?:systeminfo|tasklist|ipconfig|netstat|ver|dir|route\s+print|net1?\s+(?:user|localgroup|view|share|session|config))(?:\s+/\w+)*\s*(?:$|[;&|])|${WINDOWS_TAMPERING}|net1?\s+(?:user|localgroup|group)\s[^;&|\n]{0,80}?\s/(?:add|del(?:ete)?|domain|active)\b|set\s+/a\s+\d)` +
          String.raw`|\A[^\n]*?(?:[;&|\x60]|\$\()\s*getent\s+(?:a?hosts|passwd|shadow|group)\b`,
      },
      transformations: ['urlDecodeUni'],
      action: deny, message: 'Command injection: a shell separator followed by a command', severity: 'CRITICAL',
      tags: ['attack-rce', 'OWASP_CRS/WEB_ATTACK/COMMAND_INJECTION'],
      rationale: 'A separator (; | & && || $( backtick) on the first line of a value, a line break right after a single token, or line breaks written as escapes at the start (\\nid|), ' +
        'then a known command and an option, a path, a variable, an address or the end; a path spelled with ? wildcards (/bin/c?t /e??/p??swd) ' +
        'or a Windows command on a drive path, an %ENV% variable, a share or a switch (& type C:\\Windows\\win.ini, | set /a 6*7), a Windows recon or tampering command (; net view, && netsh firewall set opmode disable, | reg add "HKLM\\…", ; dir), or getent hosts (a DNS probe), after a separator; ' +
        'a command after a terminal escape written out (\\033[2Acurl …, which hides the line in a log viewer); prose puts plain words after "&" or ";" ' +
        '("cat & dog; id cards"), a markdown code span that prose goes on after ("`ls -la` prints nothing", "`cat a.txt`, then") is quoted code, ' +
        'and a multi-line value with shell lines or a ```bash fence is a pasted script, not an injected parameter.',
    },
    {
      id: 1031, category: 'command-injection', phase: 2,
      variables: ['REQUEST_URI_RAW', 'ARGS', 'ARGS_NAMES', 'REQUEST_COOKIES', 'REQUEST_HEADERS', 'XML:/*', 'FILES'],
      operator: {
        op: 'rx',
        arg: String.raw`(?i)\$\{\s*jndi\s*:|\$\{[^}]{0,20}\$\{\s*(?:lower|upper|::-|env:[^}]*:-)|\$\{IFS\}|\$IFS\$|/dev/(?:tcp|udp)/|\b(?:bash|sh)\s+-[ci]\b|\bnc(?:at)?\s+(?:-[a-z]*e\b|.*\s-e\s)|\bpowershell(?:\.exe)?\s+-(?:e|enc|encodedcommand|nop|w)\b|\bcmd(?:\.exe)?\s*/[ck]\b|\b(?:wget|curl)\s+(?:-\S+\s+)*https?://\S+\s*\|\s*(?:sudo\s+)?(?:ba|z)?sh\b|\(\s*\)\s*\{\s*[^}]*;\s*\}\s*;|<\?php|\b__import__\s*\(\s*['"](?:os|subprocess|pty|socket|commands|posix|builtins|importlib)\b|\bclass\.module\.classloader|\bclassloader\.(?:resources|urls)\b` +
          String.raw`|<!--\s*#\s*(?:exec|include|echo|config|fsize|flastmod|printenv|set|if|elif)\b` +
          String.raw`|\.\s*constructor\s*\.\s*constructor\s*\(|\bconstructor\s*\(\s*['"]\s*return\s+(?:process|this|global)\b` +
          String.raw`|\b(?:eval|assert|create_function)\s*\(\s*(?:base64_decode|gzinflate|gzuncompress|str_rot13|phpinfo|system|passthru|shell_exec|\$_(?:GET|POST|REQUEST|COOKIE|SERVER))\b` +
          String.raw`|\A[^\n]*?(?:\bServer\s*\.\s*(?:ScriptTimeout|CreateObject)\b|\bsystem\s*\(\s*['"]|\b(?:exec|passthru|shell_exec|popen|proc_open)\s*\(\s*['"$]|\bos\.(?:system|popen)\s*\(|\bRuntime\.getRuntime\(\)\.exec|\brequire\s*\(\s*['"]child_process)`,
      },
      transformations: ['urlDecodeUni'],
      action: deny, message: 'Code execution payload: JNDI/expression lookup, reverse shell, encoded PowerShell, shellshock, server-side include or interpreter call', severity: 'CRITICAL',
      tags: ['attack-rce', 'OWASP_CRS/WEB_ATTACK/COMMAND_INJECTION'],
      rationale: 'Payload shapes that are never prose: ${jndi:, /dev/tcp/, bash -c, () { :; };, <?php, __import__(os|subprocess|socket…), a JavaScript ' +
        'sandbox escape through this.constructor.constructor(\x27return process\x27), PHP eval/assert of a decoder or a request variable, an ASP web shell\'s Server.ScriptTimeout, Spring ' +
        'class.module.classLoader; interpreter calls (os.system(, exec(\x27, child_process) on the first line of a value: a one-line ' +
        'parameter is an injection, a multi-line code block in a prompt is content.',
    },
    {
      id: 1032, category: 'command-injection', phase: 2,
      variables: ['REQUEST_FILENAME', ...values],
      operator: {
        op: 'rx',
        arg: String.raw`\{\{\s*(['"]?)\d+\1${NUMBER_OPERATOR}(['"]?)\d+\2\s*\}\}|\$\{\s*\d+${NUMBER_OPERATOR}\d+\s*\}|#\{\s*\d+${NUMBER_OPERATOR}\d+\s*\}|<%=?\s*\d+${NUMBER_OPERATOR}\d+\s*%>|@\(\s*\d+${NUMBER_OPERATOR}\d+\s*\)|\[\[\s*\d+${NUMBER_OPERATOR}\d+\s*\]\]|\*\{\s*\d+${NUMBER_OPERATOR}\d+\s*\}` +
          String.raw`|\{\{\s*self\s*\}\}|\{\$smarty\.|\b_self\s*\.\s*env\b|\bregisterUndefinedFilterCallback\b|\{\{#with\s+["'][^"'}]*["']\s+as\s+\||__\$\{[^}]{1,80}\}__` +
          String.raw`|\|\s*attr\s*\(\s*["'](?:\\x5f|_{2}|application\b|request\b)|(?:\\x5f){2}(?:class|globals|builtins|mro|subclasses|init|import)` +
          String.raw`|(?:\$\{|\{\{|<%|\[%|#\{)[^\w\s]{0,3}?(?:\$\{|\{\{|<%|\[%|#\{)` +
          String.raw`|__\s*(?:mro|subclasses|globals|builtins)\s*__|\bfreemarker\.template\.utility\.(?:Execute|ObjectConstructor|JythonRuntime)\b|<#assign\b[^>]*\?new\s*\(` +
          String.raw`|\{[{%][^}]{0,80}\b(?:config|self|request|lipsum|cycler|joiner|namespace)\s*\.\s*(?:__|(?:iter)?items\s*\(|from_object|application)|\{\{[^}]{0,40}\bapp\s*\.\s*request\s*\.\s*server\s*\.\s*all\b` +
          String.raw`|\$\{\s*(?:T\s*\(\s*java\.lang|Runtime|@java\.lang|new\s+java\.)|#\{\s*(?:T\s*\(|new\s+java\.)` +
          // a class walk without the underscores ({{ [].class.base.subclasses() }}), a Twig filter or query handed a shell
          // function ({{['id']|filter('system')}}, {'options':'system'}), a Jinja attr() built from a list
          String.raw`|\{\{[^}]{0,80}?\.\s*(?:subclasses|mro)\s*\(|\{\{[^}]{0,80}?(?:\|\s*(?:filter|map|sort|reduce)\s*\(\s*['"]|['"]options['"]\s*:\s*['"])(?:system|exec|passthru|shell_exec|popen|proc_open)['"]|\{\{[^}]{0,80}?\|\s*attr\s*\(\s*\[`,
      },
      transformations: ['urlDecodeUni', 'htmlEntityDecode'],
      action: deny, message: 'Template injection: arithmetic probe or object traversal in a template expression (Jinja, Twig, FreeMarker, SpEL, ERB)', severity: 'CRITICAL',
      tags: ['attack-rce', 'attack-ssti', 'OWASP_CRS/WEB_ATTACK/COMMAND_INJECTION'],
      rationale: 'Server-side template injection is found by a number product inside template delimiters ({{1337*1338}}, {{7*\x277\x27}}, ${7*7}, #{7*7}, <%= 7*7 %>, Razor @(7*7), [[7*7]]; a + that URL decoding made a space counts as the operator: {{4+4}}), ' +
        'by a polyglot of template openers run together (${{<%[%\x27"}}%\\.) that errors in whichever engine renders it, ' +
        'by a class walk without underscores ({{ [].class.base.subclasses() }}), a Twig filter handed a shell function ({{[\x27id\x27]|filter(\x27system\x27)}}), ' +
        'by engine handles (Smarty {$smarty., Twig _self.env, Handlebars {{#with "s" as |…|}}, Thymeleaf *{7*7} and __${…}__) and Jinja filter ' +
        'bypasses (|attr(\x27\\x5f\\x5fglobals\\x5f\\x5f\x27)), ' +
        'and exploited through object traversal (__class__.__mro__, also with spaces inside the underscores, config.items(), FreeMarker Execute?new(), SpEL T(java.lang.Runtime)) or a dump of the ' +
        'settings or the server\x27s variables ({% for k, v in config.iteritems() %}, Twig {{app.request.server.all|join(…)}}); ' +
        'templates pasted into prompts hold names ({{ user.name }}, ${total}), not those shapes.',
    },
    {
      id: 1033, category: 'command-injection', phase: 2,
      variables: ['ARGS', 'REQUEST_COOKIES', ...suspectHeaders, 'REQUEST_BASENAME', 'XML:/*'],
      operator: {
        op: 'rx',
        arg: String.raw`\A[^\n]*?(?:[;&|]|\$\()\s*${BIN_DIR}(?:${MORE_SHELL_COMMANDS.join('|')})(?:\.exe)?${COMMAND_ARGUMENT}` +
          String.raw`|\A\s*${BIN_DIR}(?:${[...SHELL_COMMANDS, ...MORE_SHELL_COMMANDS].join('|')})(?:\.exe)?\s+(?:-{1,2}[a-zA-Z]|/[\w.-]|~/|\$\{?[A-Za-z_]|(?:https?|ftp)://|\d+(?:\.\d+){3}\b|[\w.-]+\s*(?:[|;&>]|\$\()|[\w.-]+\s+(?:/[\w.]|~/|-{1,2}[a-zA-Z]))` +
          String.raw`|\A\s*(?:whoami|uname|ifconfig|ipconfig|systeminfo|tasklist)(?:\.exe)?(?:\s+[-/]\w+)*\s*$|\A\s*(?:sleep\s+\d+|ps\s+(?:aux|-ef))\s*$` +
          String.raw`|\A\s*(?i:(?:type|dir|copy|del|more|findstr|icacls|attrib)\s+(?:[a-z]:[\\/]|%\w+%|\\\\|/[a-z]{1,2}\b)|net1?\s+(?:user|localgroup|group)\b|net1?\s+(?:view|share|session)(?:\s+(?:\\\\\S*|/\w+))*\s*$|${WINDOWS_TAMPERING})` +
          // a command spelled with what a shell drops (c\a\t, c''url, cat$u), then a system folder or an option
          String.raw`|[;&|]\s*(?:${OBFUSCATED_COMMANDS.map(obfuscated).join('|')})${SHELL_FILLER}*(?:\s|\$\{?IFS\}?)+` +
          String.raw`(?:\\?/${SHELL_FILLER}*(?:${SYSTEM_FOLDERS.map(obfuscated).join('|')})(?![a-z])|-{1,2}[a-z])`,
      },
      transformations: ['urlDecodeUni'],
      action: deny, message: 'Command injection: a value that is a command line, a separator then a further command, or a command spelled with quotes, backslashes or empty variables (outside API bodies)', severity: 'CRITICAL',
      tags: ['attack-rce', 'OWASP_CRS/WEB_ATTACK/COMMAND_INJECTION'],
      rationale: 'A parameter passed whole to a shell (cat /etc/passwd, wget http://…, ls -la, nc 10.0.0.1 4444 | sh, type C:\\boot.ini, whoami) starts with the command; ' +
        'English that starts with the same words goes on with a word ("echo in the mirror", "curl and divergence", "ls 300 lexus"); a value that is a Windows ' +
        'share, firewall or registry change (net view, netsh advfirewall set …, reg add "HKLM\\…" /f) is one too. After a separator, the commands ' +
        '1030 does not know (awk, sed, grep, xargs, find, ssh, sudo …), with the same argument shapes. And a command spelled with what a shell ' +
        'drops (backslashes, quotes, carets, unset variables: ; c\\a\\t \\/e\\t\\c/p\\a\\s\\swd, | c\x27\x27url -s, ; cat$u /etc$u/passwd), ' +
        'which 1030 reads as written: that filler may follow each letter of a command and of a system folder, and a system folder ' +
        '(/etc, /bin, /tmp …) or an option must follow the command, so prose after a semicolon ("cat/dog photos") passes. Off for the arguments of ' +
        'an API body, where a prompt may well open with a command line it asks about or pipe to grep in a one-line question.',
      outsideApiBodies: true,
    },
    // ---- 1040-1041 Malicious file uploads ----
    {
      id: 1040, category: 'malicious-upload', phase: 2,
      variables: ['FILES', 'REQUEST_HEADERS:X-File-Name', 'REQUEST_HEADERS:X-Filename'],
      operator: { op: 'rx', arg: String.raw`(?i)\.(?:${DANGEROUS_UPLOAD_EXTENSIONS.join('|')})(?:$|[.\s;:\x00%])` },
      transformations: ['urlDecodeUni', 'lowercase'],
      action: deny, message: 'Malicious upload: executable or active-content file extension in an upload name', severity: 'CRITICAL',
      tags: ['attack-upload', 'OWASP_CRS/WEB_ATTACK/FILE_UPLOAD'],
      rationale: 'Server-executable or browser-active extensions anywhere in the name (shell.php.jpg, x.jsp;.png); ' +
        'the CRS 3.3 only checks PHP extensions (933110).',
    },
    {
      id: 1041, category: 'malicious-upload', phase: 2,
      variables: ['FILES', 'REQUEST_HEADERS:X-File-Name', 'REQUEST_HEADERS:X-Filename'],
      operator: { op: 'rx', arg: String.raw`[\\/]|^\.|\.\.|[\x00-\x1f\x7f]|%(?:00|2f|5c|2e)|^[a-zA-Z]:|^\s|\s$|::\$data|(?i:^(?:web\.config|php\.ini)$)` },
      transformations: [],
      action: deny, message: 'Malicious upload: path separator, hidden file, control character or stream name in an upload name', severity: 'CRITICAL',
      tags: ['attack-upload', 'OWASP_CRS/WEB_ATTACK/FILE_UPLOAD'],
      rationale: 'A browser or HTTP client sends a bare file name; separators, leading dots (.htaccess), NUL and ::$DATA are path tricks; ' +
        'web.config and php.ini are server configuration that re-enables execution.',
    },
    {
      id: 1042, category: 'malicious-upload', phase: 2,
      variables: ['REQUEST_BODY'],
      operator: { op: 'rx', arg: String.raw`(?i)content-type:[ \t]*image/[\w.+-]+[ \t]*\r?\n(?:[\w-]+:[^\r\n]*\r?\n)*\r?\n[\s\S]{0,4096}?(?:<\?php\b|<%@\s*page\b|<script\b)` },
      // Measured: with a per-character look-ahead that stops the window at the next part's boundary, libmodsecurity's regex
      // matched nothing, so the 4 KiB window may reach into the next part. NUL bytes of the image do not stop it.
      transformations: [],
      action: deny, message: 'Malicious upload: server-side or script code inside an uploaded image (a polyglot web shell)', severity: 'CRITICAL',
      tags: ['attack-upload', 'OWASP_CRS/WEB_ATTACK/FILE_UPLOAD'],
      rationale: 'A GIF89a header followed by <?php, or PHP in an image comment, passes every check on the name and the type and runs wherever the ' +
        'file is later included or served with a script handler; the first 4 KiB of a multipart part declared image/… are read for a PHP or JSP ' +
        'opening or a script tag (five or more exact bytes: a real image holds them by chance about never). Text documents may quote code.',
    },
    // ---- 1050-1051 HTTP protocol attacks ----
    {
      id: 1050, category: 'http-protocol', phase: 1,
      variables: ['REQUEST_URI_RAW', 'REQUEST_HEADERS', 'REQUEST_HEADERS_NAMES'],
      operator: { op: 'rx', arg: String.raw`(?i)(?:%(?:25)*0d|%(?:25)*0a|[\r\n]|\\r|\\n|${UNICODE_LINE_BREAK})+(?:%20|\s)*(?:${INJECTED_HEADER_NAMES}|(?:${SPLIT_HEADER_NAMES})\s*(?::|%(?:25)*3a)|http/\d|%(?:25)*0[ad]|<)|%(?:25)*00|\x00|^bytes\s*=\s*(?:[^,]*,){5}` },
      // Decoded once: %25%30%41 (each hex digit of %0A encoded) is %0A to an application that decodes twice.
      transformations: ['urlDecodeUni'],
      action: deny, message: 'HTTP protocol attack: CR/LF before a header or markup or NUL in the URL or a header (response splitting), or a Range of six or more ranges', severity: 'CRITICAL',
      tags: ['attack-protocol', 'OWASP_CRS/PROTOCOL_VIOLATION/INVALID_HREQ'],
      rationale: 'An encoded line break followed by a header name (Set-Cookie, Location ...) splits responses, and followed by a Referer:, Cookie: or ' +
        'Authorization: header it splits the request an application builds from the value; NUL truncates names. ' +
        'A plain line break in a query value (a multi-line message) stays allowed. A Range of six or more ranges amplifies responses (CVE-2011-3192).',
    },
    {
      id: 1051, category: 'http-protocol', phase: 1,
      variables: ['REQUEST_HEADERS:User-Agent', 'REQUEST_HEADERS:X-Scanner', 'REQUEST_HEADERS:X-Wipp', 'REQUEST_HEADERS:Acunetix-Product', 'REQUEST_FILENAME'],
      // A tool's name starts a token: not inside a word or a dotted name (Facebook's Android app is com.facebook.katana).
      operator: { op: 'rx', arg: `(?i)^(?!/).*?(?:${ATTACK_TOOL_AGENTS.map((a) => (/^\w/.test(a) ? `(?<![\\w.])${escapeRegExp(a)}` : escapeRegExp(a))).join('|')})|^/(?:[^/]+/)*?(?:${SCANNER_PROBE_PATHS.join('|')})|${ROOT_BACKUP_PATH}` },
      transformations: [],
      action: deny, message: 'HTTP protocol attack: request from an attack tool or vulnerability scanner, or a probe for another stack admin path', severity: 'CRITICAL',
      tags: ['attack-reputation-scanner', 'OWASP_CRS/AUTOMATION/SECURITY_SCANNER'],
      rationale: 'Fingerprints of scanners and fuzzers (feroxbuster, ffuf, dirsearch, commix ...) beyond the CRS 3.3 list, each where a token ' +
        'starts (a word or a dotted name that holds one, as com.facebook.katana, is a browser), and the ' +
        'admin and debug paths of other stacks (Spring actuator, phpMyAdmin, WordPress, CGI), version-control folders (/.git), scripts of ' +
        'stacks the platform does not run (shell.php, x.php;.png, cmd.aspx; its uploads refuse these names too) and archives at the root ' +
        '(/backup.zip, /backup/db.gz) that only scanners ask this platform for.',
    },
    {
      id: 1052, category: 'http-protocol', phase: 2,
      variables: ['ARGS', 'ARGS_NAMES', 'XML:/*'],
      operator: { op: 'rx', arg: String.raw`(?i)(?:%(?:25)*0[da]|\\r|\\n|\\u000[da]|\\u560[ad]|${UNICODE_LINE_BREAK})+(?:%20|\s|\+)*(?:(?:${INJECTED_HEADER_NAMES}|${SPLIT_HEADER_NAMES})\s*(?::|%3a)|http/\d(?:\.\d)?(?:%20|\s|\+)+\d{3}\b|<(?:html|meta|script)\b)` },
      transformations: [],
      action: deny, message: 'HTTP protocol attack: an encoded line break before a header name in a parameter or body value (response splitting)', severity: 'CRITICAL',
      tags: ['attack-protocol', 'OWASP_CRS/PROTOCOL_VIOLATION/INVALID_HREQ'],
      rationale: 'A value the application copies into a response header (a redirect target, a file name) splits the response when it carries a line break ' +
        'that is still encoded after the body was decoded (%0d%0a, \\\\r\\\\n, \\\\u000d) or the UTF-8 characters U+560A/U+560D that some servers truncate to LF/CR, ' +
        'then a header name; 1050 judges the URL and the headers. A real line break followed by "Location:" is a multi-line text, not an encoding trick.',
    },
    {
      id: 1053, category: 'http-protocol', phase: 2,
      variables: ['REQUEST_URI_RAW', 'REQUEST_HEADERS', 'ARGS', 'ARGS_NAMES', 'REQUEST_COOKIES', 'XML:/*'],
      // One of the domains or a host under it: preceded by the start, a dot or another character that is not part of a
      // name. (A subdomain needs no pattern of its own: its last dot is such a character.)
      operator: { op: 'rx', arg: `(?i)(?<![\\w-])(?:${OOB_INTERACTION_DOMAINS.map(escapeRegExp).join('|')})(?![\\w-])` },
      transformations: ['urlDecodeUni'],
      action: deny, message: 'HTTP protocol attack: a scanner out-of-band interaction domain (interactsh, Burp Collaborator, DNS logger) in the request', severity: 'CRITICAL',
      tags: ['attack-reputation-scanner', 'OWASP_CRS/AUTOMATION/SECURITY_SCANNER'],
      rationale: 'Blind injection scanners put a unique host of their own callback service (x.interact.sh, x.oastify.com, x.burpcollaborator.net, x.dnslog.cn) ' +
        'in every payload and wait for the lookup; whatever the payload, a request naming one is a scan. Webhook services users register (requestbin, pipedream) are not listed.',
    },
    {
      id: 1054, category: 'http-protocol', phase: 1,
      variables: ['REQUEST_HEADERS_NAMES'],
      operator: { op: 'rx', arg: String.raw`(?i)^x-(?:original-url|rewrite-url|override-url)$` },
      transformations: [],
      action: deny, message: 'HTTP protocol attack: a header that rewrites the request path behind the edge (X-Original-URL, X-Rewrite-URL)', severity: 'CRITICAL',
      tags: ['attack-protocol', 'OWASP_CRS/PROTOCOL_VIOLATION/INVALID_HREQ'],
      rationale: 'Frameworks that honour X-Original-URL or X-Rewrite-URL (Symfony, IIS URL Rewrite) route the request to the path in the header, ' +
        'after the edge judged and rate-limited another path: an access-control bypass scanners try on every site. No client of this API sends them.',
    },
    {
      id: 1055, category: 'http-protocol', phase: 1,
      guard: { variable: '&REQUEST_HEADERS:Content-Type', operator: '@eq 0' },
      // Content-Length only, as the CRS 920340: nginx itself answers a chunked body it cannot read (chunked, identity) with
      // 501, and a refusal in phase 1 would leave it no answer at all.
      variables: ['REQUEST_HEADERS:Content-Length'],
      operator: { op: 'rx', arg: String.raw`^0*[1-9]` },
      transformations: [],
      action: deny, message: 'HTTP protocol attack: a request body without a Content-Type (no body processor reads it)', severity: 'CRITICAL',
      tags: ['attack-protocol', 'OWASP_CRS/PROTOCOL_VIOLATION/MISSING_HEADER_CT'],
      rationale: 'ModSecurity parses a body into arguments by its Content-Type; a body without one is never parsed, so every rule that reads ' +
        'arguments passes it, and an application that reads it anyway (as a form, as JSON) gets what no rule judged. The CRS 4 refuses it at ' +
        'PL1 (920340), the CRS 3.3 only notes it: refused on both. Every client of this API sends a Content-Type with a body.',
    },
    // ---- 1060-1061 Rate limiting (ModSecurity-side signals; nginx limit_req refuses) ----
    {
      id: 1060, category: 'rate-limiting', phase: 1,
      variables: ['REQUEST_FILENAME'],
      operator: { op: 'rx', arg: authPathRx },
      transformations: ['normalisePath'],
      action: { kind: 'track' }, message: 'Rate limiting: count authentication requests per client address', severity: 'NOTICE',
      tags: ['rate-limiting'],
      // The `ip` collection is opened per client by rule 1106 (lib/waf/seclang.ts), an earlier rule: libmodsecurity
      // runs a rule's setvar before its initcol, so an initcol here counted every client on one empty key.
      extraActions: ['setvar:ip.factory_auth_count=+1', `expirevar:ip.factory_auth_count=${authWindowSeconds}`],
      rationale: 'Counts what nginx limits, so the audit log shows who exceeded the authentication budget.',
    },
    {
      id: 1061, category: 'rate-limiting', phase: 1,
      variables: ['IP:FACTORY_AUTH_COUNT'],
      operator: { op: 'gt', arg: String(authSignalAbove) },
      transformations: [],
      action: { kind: 'signal' }, message: `Rate limiting: more than ${authSignalAbove} authentication requests in ${authWindowSeconds}s from one address`, severity: 'WARNING',
      tags: ['rate-limiting', 'attack-bruteforce'],
      rationale: 'A brute-force signal for alerting (rate + burst of the guide\'s auth limit); nginx answers 429, ModSecurity logs.',
    },
    // ---- 1070 XML external entities ----
    {
      id: 1070, category: 'xml-external-entities', phase: 2,
      variables: ['REQUEST_BODY', 'ARGS', 'ARGS_NAMES', 'REQUEST_COOKIES', ...suspectHeaders],
      operator: {
        op: 'rx',
        arg: String.raw`(?i)<!ENTITY\s+(?:%|[\w.:-]+\s+(?:SYSTEM|PUBLIC)\b)|<!DOCTYPE\s+[\w.:-]+\s+(?:SYSTEM\b|PUBLIC\s+\\?["'](?!-//W3C//))` +
          String.raw`|<!DOCTYPE\s+[\w.:-]+[^>\[]*\[[^\]]*<!ENTITY\b|<xi:include\b|\bhttps?://www\.w3\.org/2001/XInclude\b` +
          String.raw`|<\?xml\b[^>]*\bencoding\s*=\s*\\?["']?utf-?7\b|\+ADw-?AIQ-` +
          String.raw`|<(?:[\w-]+:)?(?:include|import|redefine|override)\b[^>]*\b(?:namespace|schemaLocation)\s*=\s*\\?["']\s*(?:https?|ftp|file)://|\bschemaLocation\s*=\s*\\?["']\s*[^\s"'\\]+\s*\\?["']` +
          // a reference attribute (an SVG image's xlink:href, an src) that is a PHP or Java stream wrapper, which a server that renders the document follows
          String.raw`|\b(?:href|src)\s*=\s*\\?["']\s*(?:expect|phar|php|glob|zip|jar|ssh2\.\w+)://`,
      },
      // Deliberately no URL decoding: it would turn the + of a UTF-7 body into a space; ModSecurity decodes ARGS itself.
      transformations: [],
      action: deny, message: 'XML external entity: an entity declaration, an external DTD, an XInclude or a UTF-7 XML document', severity: 'CRITICAL',
      tags: ['attack-xxe', 'OWASP_CRS/WEB_ATTACK/XXE'],
      rationale: 'XXE reads local files, reaches internal hosts (SSRF) and exhausts memory (billion laughs) through what an XML parser ' +
        'resolves: <!ENTITY … SYSTEM|PUBLIC>, parameter entities, an internal DTD subset declaring entities, an external DTD, XInclude, ' +
        'and the UTF-7 disguise (+ADwAIQ- is "<!"); a reference attribute that is a PHP or Java stream wrapper (an SVG <image xlink:href="expect://id">, ' +
        'which a converter follows); a schema include or import of a URL (xs:include namespace="http://…") and a schemaLocation that is one ' +
        'location instead of namespace-location pairs, which validating parsers fetch. An XML body, a plain <!DOCTYPE html>, the W3C XHTML doctype ' +
        'and an instance document\'s schemaLocation pairs (a Maven POM) stay allowed.',
    },
    // ---- 1080-1083 Other injections ----
    {
      id: 1080, category: 'other-injections', phase: 2,
      variables: ['REQUEST_FILENAME', ...values],
      operator: { op: 'rx', arg: String.raw`(?i)\(\s*[&|!]\s*\(\s*[\w-]+\s*[~<>]?=(?!=)|[\w=]\*\s*\)\s*\(|\(\s*objectclass\s*=|\b[a-z][\w-]*(?::dn)?:\d+(?:\.\d+)+:=` +
        // an XPath test on the document root after a quote (' and count(/*)=1 and '1'='1, x' or name(/*[1])='users)
        String.raw`|['"]\s*(?:and|or)\s+(?:count|name|local-name|string-length|substring|contains|starts-with|string|position)\s*\(\s*/` },
      transformations: ['urlDecodeUni'],
      action: deny, message: 'LDAP or XPath injection: filter syntax (combinators, a closed wildcard, objectClass, an extensible match) or an XPath test of the document root in a value', severity: 'CRITICAL',
      tags: ['attack-ldap', 'OWASP_CRS/WEB_ATTACK/LDAP_INJECTION'],
      rationale: 'A login or search value that carries LDAP filter syntax rewrites the directory query: (|( and (&( combinators, *)( after a ' +
        'wildcard, (!(attr= negation, (objectClass=*), attr:2.5.13.18:= extensible matches, each combinator followed by an attribute test; ' +
        'code in prompts writes (!(a && b)), f(&(s->x)) and (*)(int), not (|(cn=. The same holds for an XPath query built from a login or search value: a quote, and/or and a ' +
        'function of the document root (\x27 and count(/*)=1, x\x27 or name(/*[1])=\x27users) reads the document one test at a time; an XSLT question says count(/*) without the quote and the operator before it.',
    },
    {
      id: 1081, category: 'other-injections', phase: 2,
      variables: ['ARGS', 'ARGS_NAMES', 'REQUEST_COOKIES', ...suspectHeaders, 'XML:/*', 'REQUEST_BODY'],
      operator: {
        op: 'rx',
        arg: String.raw`(?i:content-disposition:[^\r\n]*\r?\n(?:[\w-]+:[^\r\n]*\r?\n)*\r?\n)(?:\s*[^\s@<>]{1,64}@[\w.-]+>?[ \t]*\r?\n\s*(?i:to|cc|bcc|from|reply-to|subject|sender)\s*:` +
          String.raw`|[^\r\n]{0,200}\r?\n\s*(?:RCPT\s+TO|MAIL\s+FROM)\s*:|[^\r\n]{0,200}\r?\n(?:QUIT|DATA|RSET|NOOP)[ \t]*\r?\n` +
          String.raw`|[^\r\n]{0,200}\r?\n[A-Z]\d{1,4}[ \t]+(?:CAPABILITY|FETCH|LOGIN|LOGOUT|SELECT|EXAMINE|LIST|STORE|UID|SEARCH|APPEND|DELETE)\b)` +
          String.raw`|\A\s*[^\s@<>]{1,64}@[\w.-]+>?[ \t]*[\r\n]+\s*(?i:to|cc|bcc|from|reply-to|subject|sender|content-type|mime-version|x-[\w-]+)\s*:` +
          String.raw`|\A[^\r\n]{0,200}[\r\n]+\s*(?:RCPT\s+TO|MAIL\s+FROM)\s*:|\A[^\r\n]{0,200}[\r\n]+(?:QUIT|DATA|RSET|NOOP)[ \t]*(?:[\r\n]|\z)` +
          String.raw`|\A[^\r\n]{0,200}[\r\n]+[A-Z]\d{1,4}[ \t]+(?:CAPABILITY|FETCH|LOGIN|LOGOUT|SELECT|EXAMINE|LIST|STORE|UID|SEARCH|APPEND|DELETE)\b`,
      },
      transformations: ['urlDecodeUni'],
      action: deny, message: 'Mail injection: an address followed by a line break and a mail header, or a line break followed by an SMTP or IMAP command', severity: 'CRITICAL',
      tags: ['attack-injection-generic', 'OWASP_CRS/WEB_ATTACK/MAIL_INJECTION'],
      rationale: 'A value that is one address and then a line break and a header (victim@example.com\\r\\nBcc: …) adds recipients to the mail it is written into; ' +
        'an address or subject that a mail client or IMAP proxy forwards line by line: a CR/LF right after the first line, then an ' +
        'upper-case protocol command (RCPT TO:, MAIL FROM:, QUIT, DATA, or a tagged IMAP command such as A002 FETCH). libmodsecurity joins the lines of a multipart ' +
        'field without their line breaks, so a multipart field is read in the raw body, from its Content-Disposition header on. Letters and ' +
        'drafts say "To:" and "Data is attached", not protocol verbs.',
    },
    {
      id: 1082, category: 'other-injections', phase: 2,
      variables: [...values, 'REQUEST_BASENAME'],
      operator: {
        op: 'rx',
        arg: String.raw`(?i)\A\s*\{(?:[^\n]{0,200}?\{)?\s*["']?\$(?:where|ne|eq|gt|gte|lt|lte|regex|or|and|not|nor|in|nin|exists|expr)["']?\s*:|\A[^\n]{0,40}?['"]\s*,\s*\$[a-z]+\s*:|\A\s*(?:true|false|null|\d+)\s*,\s*\$(?:where|ne|eq|gt|gte|lt|lte|regex|or|and|nor|in|nin|exists|expr)\s*:` +
          String.raw`|\A\s*db\.[\w$]+\.\w+\s*\([^\n]*\)\s*;?\s*\z|\A\s*['"\d]*\s*;\s*(?:var|let|const)\s+\w+\s*=|\A[^'"\n]{0,40}['"]\s*;\s*return\s+(?:true|false|1)\b`,
      },
      transformations: ['urlDecodeUni'],
      action: deny, message: 'NoSQL injection: a value that breaks into a query object, a MongoDB shell call or server-side JavaScript', severity: 'CRITICAL',
      tags: ['attack-sqli', 'attack-nosql', 'OWASP_CRS/WEB_ATTACK/NOSQL_INJECTION'],
      rationale: 'Text that leaves its string and adds an operator (\x27, $or: [, true, $where: \x27…\x27), a value that is a whole db.collection.method(…) ' +
        'call, one that opens with a separator and a JavaScript declaration (0;var d=new Date(); …) or returns true from a $where, or a value (or path segment) that is itself a JSON ' +
        'query with an operator ({"$gt": ""}, {"username": {"$ne": null}}); operators as JSON keys are 1012. ' +
        'A question about MongoDB ($gt, db.users.find(…) inside a sentence) is prose.',
    },
    {
      id: 1083, category: 'other-injections', phase: 2,
      variables: [...values, 'REQUEST_BASENAME'],
      operator: {
        op: 'rx',
        arg: String.raw`!!(?:python/(?:object|name|module)|ruby/(?:object|hash|struct)|javax?\.|com\.sun\.|org\.(?:apache|springframework)\.)` +
          String.raw`|\b[OC]:\d+:"[\w\\]+":\d+:\{|\ArO0AB|\A\s*\\\\[\w.:$-]+\\[\w$.-]+`,
      },
      transformations: ['urlDecodeUni'],
      action: deny, message: 'Deserialization or remote path: a YAML language tag, a PHP or Java serialized object, or a UNC path to another host', severity: 'CRITICAL',
      tags: ['attack-rce', 'attack-deserialization', 'OWASP_CRS/WEB_ATTACK/DESERIALIZATION'],
      rationale: 'Values a deserializer turns into objects (!!python/object/apply:os.system, !!javax.script.ScriptEngineManager, PHP O:8:"Class":…:{, ' +
        'Java rO0AB…) and \\\\host\\share paths that make a Windows server authenticate to another host; YAML without language tags and local Windows paths pass.',
    },
    {
      id: 1084, category: 'other-injections', phase: 2,
      variables: ['ARGS_NAMES', 'ARGS', 'REQUEST_COOKIES_NAMES', 'REQUEST_COOKIES', ...suspectHeaders, 'REQUEST_BASENAME', 'XML:/*'],
      operator: {
        op: 'rx',
        arg: String.raw`\A[\w$-]*(?:[.\[][\w$-]*\]?)*?[.\[](?:__proto__|constructor[\].]+\[?prototype)(?:\]|\.|$)` +
          String.raw`|\A\s*(?:\{\s*["']?(?:__proto__["']?\s*:|constructor["']?\s*:\s*\{\s*["']?prototype["']?\s*:)|__proto__\s*[\[.]|constructor\s*(?:\[\s*['"]?prototype['"]?\s*\]|\.\s*prototype\s*\.))`,
      },
      transformations: ['urlDecodeUni'],
      action: deny, message: 'Prototype pollution: __proto__ or constructor.prototype as a parameter name or at the start of a value', severity: 'CRITICAL',
      tags: ['attack-injection-generic', 'attack-prototype-pollution', 'OWASP_CRS/WEB_ATTACK/PROTOTYPE_POLLUTION'],
      rationale: 'A JavaScript server that merges request data into an object gives every object a new property when a key is __proto__ or ' +
        'constructor.prototype (a[__proto__][isAdmin]=true, {"__proto__": {…}}, json.constructor.prototype.x); no API field has those names, and a value ' +
        'that starts with one is the same payload in a header or cookie. Prose about prototypes ("__proto__ is deprecated") does not start with it.',
    },
    // ---- 1090 API reconnaissance ----
    {
      id: 1090, category: 'api-reconnaissance', phase: 2,
      variables: ['ARGS:query', String.raw`ARGS:/^json\.(?:[\w-]+\.)*query$/`, 'REQUEST_BODY'],
      operator: { op: 'rx', arg: String.raw`(?i)\A[^"]*?\b__(?:schema|type)\b\s*[{(]|"query"\s*:\s*"[^"]*?\b__(?:schema|type)\b\s*[{(]` },
      transformations: ['urlDecodeUni'],
      action: deny, message: 'API reconnaissance: a GraphQL introspection query (__schema, __type)', severity: 'CRITICAL',
      tags: ['attack-reputation-scanner', 'OWASP_CRS/AUTOMATION/API_RECONNAISSANCE'],
      rationale: 'Introspection hands a scanner the whole schema, every query and mutation with its arguments, the map it needs for the next ' +
        'request; OWASP\'s GraphQL cheat sheet turns it off in production, and the platform\'s clients ship their queries. Read where a GraphQL ' +
        'query travels: the query parameter, a JSON query field, or a raw body\'s "query" string; a prompt that asks what __schema returns is ' +
        'another field. __typename, which clients do send, is a field, not an introspection root, and passes.',
    },
  ];
  return [...table, ...encodedPayloadRules(table)];
}

/**
 * Where a base64 value travels, and its shape (8 characters or more, 6 bytes; upper and lower case, as the base64
 * of a text always is and lower-case words, hex ids and paths are not): a whole parsed argument, custom
 * header or path; in the raw query or form body, a parameter with a '+' of the alphabet (parsed, it reads as a
 * space); in the raw multipart body, a field (the arguments of an API body are not read, 1105). A raw variable
 * yields its first such value.
 */
const TOKEN_SHAPE = String.raw`(?=[A-Za-z0-9+/]{8})(?=[a-z0-9+/]*[A-Z])(?=[A-Z0-9+/]*[a-z])`;
const BASE64_VALUE = String.raw`(?|\A/?${TOKEN_SHAPE}([A-Za-z0-9+/]+)={0,2}\z` +
  String.raw`|(?:\A|&)[^=&\s"{}]*=${TOKEN_SHAPE}([A-Za-z0-9/]*\+[A-Za-z0-9+/]*)(?:={0,2}|(?:%3[dD]){1,2})(?:\z|&)` +
  String.raw`|(?i:content-disposition:\s*form-data;\s*name="[^"\r\n]*")[ \t]*\r?\n(?:[\w-]+:[^\r\n]*\r?\n)*\r?\n${TOKEN_SHAPE}([A-Za-z0-9+/]+)={0,2}\r?\n--)`;
/** Decoded text (printable ASCII, tabs, line breaks, NULs), not the bytes an id, a hash or a key decodes to; 6 bytes or more. */
const DECODED_TEXT = String.raw`\A[\x00\x09\x0a\x0d\x20-\x7e]{6,}\z`;
/** The transaction variables the base64 values (1091, 1092) and their decoded texts (1093) are kept in, one per value. */
const BASE64_TX = 'factory_b64';
const DECODED_TX = 'factory_decoded';
/** Keeps what the current match holds (`%{…}`) in the next numbered transaction variable of a list. */
const keepIn = (list: string, value: string) => [`setvar:tx.${list}_n=+1`, `setvar:'tx.${list}_%{tx.${list}_n}=${value}'`];

/**
 * 1091-1096: values sent base64-encoded, decoded and judged again. 1091 and 1092 keep every value that is one base64
 * token, 1093 the decoded texts among them (each in a transaction variable of its own: a capture holds one value,
 * the last), and the texts are judged by every pattern of the table that reads arguments (1094, rendered from the
 * table: a rule added to it judges decoded values too) and by libinjection as SQL (1095) and as HTML (1096).
 */
function encodedPayloadRules(table: readonly WafRule[]): WafRule[] {
  const byId = (id: number) => table.find((r) => r.id === id)!;
  // The refusing rules of the table that read arguments with a pattern, as one alternation: each pattern in its
  // own group (a lower-cased rule's case-insensitive).
  const judging = table.filter((r): r is WafRule & { operator: { op: 'rx'; arg: string } } =>
    r.action.kind === 'deny' && r.variables.includes('ARGS') && r.operator.op === 'rx');
  const patterns = judging.map((r) => (r.transformations.includes('lowercase') ? `(?i:${r.operator.arg})` : `(?:${r.operator.arg})`));
  const decodedTexts = [`TX:/^${DECODED_TX}_[0-9]/`];
  const kept = (list: string) => ({ variable: `TX:${list}_n`, operator: '@gt 0' });
  const common = { category: 'encoded-payloads', phase: 2, severity: 'CRITICAL', tags: ['attack-generic', 'OWASP_CRS/WEB_ATTACK/ENCODED_PAYLOAD'] } as const;
  const judge = (id: number, operator: Operator, transformations: readonly Transformation[], by: string, message: string): WafRule => ({
    ...common, id, guard: kept(DECODED_TX), variables: decodedTexts, operator, transformations, action: { kind: 'deny', status: 403 }, message,
    rationale: `A decoded text (1093) judged by ${by}.`,
  });
  return [
    {
      ...common, id: 1091, variables: ['REQUEST_FILENAME', 'QUERY_STRING', CUSTOM_HEADERS, 'REQUEST_COOKIES', 'ARGS'], operator: { op: 'rx', arg: BASE64_VALUE },
      transformations: [], action: { kind: 'track' }, message: 'Encoded payload: a value that is one base64 token, kept for 1093',
      extraActions: ['capture', ...keepIn(BASE64_TX, '%{TX.1}')],
      rationale: 'A payload sent as base64 (a common evasion, and how public WAF suites send a third of their cases) passes every pattern, ' +
        'the CRS\'s included. A value that is one base64 token (a whole parameter, cookie, custom header or path) is kept for decoding. Off for the ' +
        'arguments of an API body, where files travel base64-encoded (1105).',
      outsideApiBodies: true,
    },
    {
      ...common, id: 1092, guard: { variable: 'REQBODY_PROCESSOR', operator: '@rx ^(?:URLENCODED|MULTIPART)$' }, variables: ['REQUEST_BODY'],
      operator: { op: 'rx', arg: BASE64_VALUE }, transformations: [], action: { kind: 'track' },
      message: 'Encoded payload: a form parameter or multipart field that is one base64 token, kept for 1093',
      extraActions: ['capture', ...keepIn(BASE64_TX, '%{TX.1}')],
      rationale: 'The raw body of a form (a parameter whose token has a +, which parsing turns into a space) or of a multipart request ' +
        '(a field: its arguments are not read in an API body, 1105, and files are file parts, not fields); a JSON body is an API body and is not read.',
    },
    {
      ...common, id: 1093, guard: kept(BASE64_TX), variables: [`TX:/^${BASE64_TX}_[0-9]/`], operator: { op: 'rx', arg: DECODED_TEXT }, transformations: ['base64DecodeExt'],
      action: { kind: 'track' }, message: 'Encoded payload: a base64 value that decodes to text, kept for 1094-1096',
      extraActions: keepIn(DECODED_TX, '%{MATCHED_VAR}'),
      rationale: 'Ids, hashes, keys and signatures decode to bytes, not text, and are not judged; a decoded text is kept for 1094-1096. ' +
        'Base64 JSON (pagination cursors) is text, and passes them.',
    },
    judge(1094, { op: 'rx', arg: patterns.join('|') }, ['urlDecodeUni', 'htmlEntityDecode', 'removeNulls'],
      `every pattern of the table that reads arguments (${judging.map((r) => r.id).join(', ')})`,
      'Encoded payload: a base64 value whose decoded text the factory rules refuse'),
    judge(1095, { op: 'detectSQLi' }, [...byId(1010).transformations, 'removeNulls'], 'libinjection as SQL, as 1010 and the CRS 942100 judge a plain value',
      'Encoded payload: a base64 value whose decoded text is SQL injection (libinjection)'),
    judge(1096, { op: 'detectXSS' }, [...byId(1020).transformations, 'removeNulls'], 'libinjection as HTML, as 1020 and the CRS 941100 judge a plain value',
      'Encoded payload: a base64 value whose decoded text is XSS (libinjection)'),
  ];
}
