/**
 * One request-body limit (config `edge.requestBody`) end to end on the real engine: nginx's
 * client_max_body_size and ModSecurity's SecRequestBodyLimit take `maxBytes`, ModSecurity's
 * SecRequestBodyNoFilesLimit takes `maxBytesWithoutFiles`. A body just under a limit passes, one byte over
 * is refused: 413 over `maxBytes`, 400 over `maxBytesWithoutFiles` (the engine's request-body error). Small limits from config keep the bodies small; the rendering tests check that the
 * controller's proxy-body-size is the same value.
 */
import { parseConfig } from '../../lib/config';
import { type Harness, startHarness } from '../../lib/waf/harness';
import { RENDERINGS, renderingOptions, send } from './client';

const config = parseConfig({ edge: { requestBody: { maxBytes: 262144, maxBytesWithoutFiles: 32768 } } });
const { maxBytes, maxBytesWithoutFiles } = config.edge.requestBody;

/** A multipart upload whose whole body is exactly `bytes` long (one CSV file of repeated rows). */
function uploadOf(bytes: number) {
  const boundary = '----factorylimit';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="rows.csv"\r\nContent-Type: text/csv\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const content = 'agent,run\n'.repeat(bytes).slice(0, bytes - head.length - tail.length);
  return { body: Buffer.from(head + content + tail), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A JSON body exactly `bytes` long. */
function jsonOf(bytes: number): string {
  const frame = '{"notes":""}';
  return `{"notes":"${'note '.repeat(bytes).slice(0, bytes - frame.length)}"}`;
}

/** Both renderings: the harness's own and the WAF tier's ConfigMap files. */
describe.each(RENDERINGS)('%s rendering', (rendering) => {
  let waf: Harness;
  beforeAll(async () => { waf = await startHarness(config, await renderingOptions(rendering)); });
  afterAll(async () => { await waf?.stop(); });
  const post = (path: string, body: string | Buffer, contentType: string) =>
    send(waf.port, { name: path, why: 'body limit', category: 'limit', method: 'POST', path, headers: { 'Content-Type': contentType }, body });

  describe('one request-body limit, from config, in nginx and ModSecurity', () => {
    it('GIVEN an upload one byte under maxBytes THEN it passes (nginx and ModSecurity both allow it)', async () => {
      const u = uploadOf(maxBytes - 1);
      expect(u.body.length).toBe(maxBytes - 1);
      expect((await post('/api/files', u.body, u.contentType)).status).toBe(200);
    });

    it('GIVEN an upload one byte over maxBytes THEN it is refused with 413', async () => {
      const u = uploadOf(maxBytes + 1);
      expect(u.body.length).toBe(maxBytes + 1);
      expect((await post('/api/files', u.body, u.contentType)).status).toBe(413);
    });

    it('GIVEN a JSON body one byte under maxBytesWithoutFiles THEN it passes', async () => {
      const body = jsonOf(maxBytesWithoutFiles - 1);
      expect(Buffer.byteLength(body)).toBe(maxBytesWithoutFiles - 1);
      expect((await post('/api/notes', body, 'application/json')).status).toBe(200);
    });

    // libmodsecurity v3 does not answer this limit itself: it sets REQBODY_ERROR ("Request body excluding files
    // is bigger than the maximum expected"), which the engine's recommended rule 200002 refuses with 400.
    it('GIVEN a JSON body one byte over maxBytesWithoutFiles THEN ModSecurity refuses it with 400 (its rule 200002, request body error)', async () => {
      const body = jsonOf(maxBytesWithoutFiles + 1);
      expect(Buffer.byteLength(body)).toBe(maxBytesWithoutFiles + 1);
      expect((await post('/api/notes', body, 'application/json')).status).toBe(400);
    });
  });
});
