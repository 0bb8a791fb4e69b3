// Webhook names label notifications_total{sink}: each must be unique and none may take the
// built-in Alertmanager sink's name. Corpus style: config text in, located problems out.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { UserError } from '../../../src/shared/errors.js';
import { writeTemp } from './temp-config.js';

async function problemsOf(text: string): Promise<Array<[number, number, string, string]>> {
  const file = await writeTemp(text);
  const err = await loadConfig(file, { env: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err === undefined) return [];
  expect(err).toBeInstanceOf(UserError);
  return (err as UserError).problems.map((p) => [p.line, p.col, p.path, p.message]);
}

const HEAD = 'prometheus: { url: "http://127.0.0.1:9090" }\nnotify:\n  alertmanager: { url: "http://127.0.0.1:9093" }\n  webhooks:\n';

const CORPUS: Array<{ name: string; text: string; problems: Array<[number, number, string, string]> }> = [
  {
    name: 'distinct names are fine',
    text: HEAD + '    - { name: ops, url: "http://127.0.0.1:1/a" }\n    - { name: chat, url: "http://127.0.0.1:1/b", format: slack }\n',
    problems: [],
  },
  {
    name: 'a duplicate name is reported at the second one',
    text: HEAD + '    - { name: ops, url: "http://127.0.0.1:1/a" }\n    - { name: ops, url: "http://127.0.0.1:1/b" }\n',
    problems: [[6, 15, 'notify.webhooks.1.name', "duplicate webhook name 'ops' (first used by notify.webhooks.0)"]],
  },
  {
    name: 'the reserved name alertmanager is refused',
    text: HEAD + '    - name: alertmanager\n      url: "http://127.0.0.1:1/a"\n',
    problems: [[5, 13, 'notify.webhooks.0.name', "'alertmanager' is reserved for notify.alertmanager; choose another webhook name"]],
  },
];

describe('webhook names', () => {
  for (const c of CORPUS) {
    it(c.name, async () => {
      expect(await problemsOf(c.text)).toEqual(c.problems);
    });
  }
});
