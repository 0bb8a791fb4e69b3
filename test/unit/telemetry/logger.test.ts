// What lands in the log: JSON lines, and never a secret, however a caller nests it.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from '../../../src/telemetry/logger.js';

const SLACK = 'https://hooks.slack.com/services/T0000/B0000/XXXXsecretXXXX';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('createLogger', () => {
  it('writes JSON lines with level and message', () => {
    const out = sink();
    const log = createLogger({ pretty: false, destination: out.stream });
    log.info({ suite: 'http10' }, 'tick done');
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'tick done', suite: 'http10' });
  });

  it('respects the level', () => {
    const out = sink();
    const log = createLogger({ pretty: false, level: 'warn', destination: out.stream });
    log.info('hidden');
    log.warn('shown');
    expect(out.text()).not.toContain('hidden');
    expect(out.text()).toContain('shown');
  });

  it.each([false, true])('never prints a secret (pretty=%s)', (pretty) => {
    const out = sink();
    const log = createLogger({ pretty, destination: out.stream });
    log.info({ token: 'tok-AAA', password: 'pw-BBB' }, 'top level');
    log.info({ req: { authorization: 'Bearer tok-CCC', headers: { Authorization: 'Bearer tok-DDD' } } }, 'nested');
    log.info({ headers: { authorization: 'Basic dXNlcjpwdy1FRUU=', 'x-api-key': 'key-FFF' } }, 'headers');
    log.info({ webhook: { url: SLACK, name: 'slack' } }, 'webhook');
    log.info({ sink: { webhookUrl: 'https://example.test/anything-GGG' } }, 'webhookUrl');
    log.info({ notify: { webhooks: [{ name: 'x', url: 'https://example.test/plain-HHH' }] } }, 'webhook list');
    log.info({ url: 'http://admin:pw-III@prometheus.test:9090/api/v1/query?access_token=tok-JJJ&q=up' }, 'url');
    log.info({ target: { url: SLACK } }, 'slack as plain url');
    const text = out.text();
    for (const secret of ['tok-AAA', 'pw-BBB', 'tok-CCC', 'tok-DDD', 'dXNlcjpwdy1FRUU', 'key-FFF', 'XXXXsecretXXXX',
      'anything-GGG', 'plain-HHH', 'pw-III', 'admin', 'tok-JJJ']) {
      expect(text, secret).not.toContain(secret);
    }
    // The non-secret parts of an ordinary URL survive, so logs stay useful.
    expect(text).toContain('prometheus.test:9090/api/v1/query');
    expect(text).toContain('hooks.slack.com');
  });

  it('prints human text via pino-pretty when pretty is requested and installed', () => {
    // pino-pretty is installed here, so pretty output is human text, not JSON.
    const out = sink();
    createLogger({ pretty: true, destination: out.stream }).info('hello');
    expect(out.text()).toContain('hello');
    expect(() => JSON.parse(out.text().trim()) as unknown).toThrow();
  });
});

describe('redactUrl', () => {
  it('removes userinfo and keeps the rest', () => {
    expect(redactUrl('http://user:pass@am.monitoring:9093/api/v2/alerts')).toBe('http://am.monitoring:9093/api/v2/alerts');
  });
  it('hides the path of Slack-like webhook URLs', () => {
    const r = redactUrl(SLACK);
    expect(r).toMatch(/^https:\/\/hooks\.slack\.com\//);
    expect(r).not.toContain('T0000');
    expect(redactUrl('https://discord.com/api/webhooks/123/abc')).not.toContain('abc');
    expect(redactUrl('https://ci.example/hooks/abcdef')).not.toContain('abcdef');
  });
  it('hides secret-looking query values only', () => {
    const r = redactUrl('https://x.test/p?token=t1&apiKey=k1&env=prod');
    expect(r).not.toContain('t1');
    expect(r).not.toContain('k1');
    expect(r).toContain('env=prod');
  });
  it('redacts whatever is not a URL', () => {
    expect(redactUrl('not a url secret')).not.toContain('secret');
  });
});
