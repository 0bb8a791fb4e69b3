// YamlSource.writtenPlain: a source read without positions (js-yaml) must tell whether a
// `${VAR}` scalar was written unquoted exactly as the `yaml` document does (its scalar
// type), or give up (NeedsPositions) so the file is read with positions. Never a wrong answer.

import { describe, expect, it } from 'vitest';
import { NeedsPositions, YamlSource } from '../../../src/config/yaml-source.js';

/** Per `${`-holding string value: true bare, false quoted, per the `yaml` document. */
async function fromYaml(text: string): Promise<Map<string, boolean>> {
  const source = await YamlSource.parse('f.yaml', text);
  const out = new Map<string, boolean>();
  source.forEachString((_path, value, _set, plain) => {
    if (value.includes('${')) out.set(value, plain);
  });
  return out;
}

function fromText(text: string, value: string): boolean | 'positions' {
  const source = YamlSource.fast('f.yaml', text);
  if (!source) return 'positions';
  try {
    return source.writtenPlain(value, false);
  } catch (err) {
    if (err instanceof NeedsPositions) return 'positions';
    throw err;
  }
}

const cases: Array<[string, string, 'answers' | 'may give up']> = [
  ['bare', 'http:\n  port: ${PORT}\n', 'answers'],
  ['double-quoted', 'http:\n  port: "${PORT}"\n', 'answers'],
  ['single-quoted', "prometheus:\n  url: '${URL}'\n", 'answers'],
  ['in a sequence', 'list:\n  - ${A}\n  - "${B}"\n', 'answers'],
  ['in a flow mapping', 'http: { url: "${URL}", port: 1 }\n', 'answers'],
  ['in a flow sequence', `xs: ["\${A}", '\${B}']\n`, 'answers'],
  ['a key on the line before', 'http:\n  port:\n    ${PORT}\n', 'may give up'],
  ['in a stripped block scalar', 'port: |-\n  ${PORT}\n', 'may give up'],
  ['a block scalar line that looks like a mapping', 'text: |-\n  url: ${X}\n', 'may give up'],
  ['inside a longer bare string', 'url: http://h:${PORT}/x\n', 'answers'],
  ['the same text bare and quoted', 'a: ${PORT}\nb: "${PORT}"\n', 'may give up'],
  ['bare here, quoted in a comment', 'a: ${PORT}\n# a: "${PORT}"\n', 'may give up'],
  ['folded over two lines', 'url: http://h:${PORT}\n  /x\n', 'may give up'],
  ['with an escape', 'url: "\\x41${PORT}"\n', 'may give up'],
  ['in a block scalar', 'text: |\n  ${PORT}\n', 'may give up'],
];

describe('writtenPlain without positions agrees with yaml or gives up', () => {
  it.each(cases)('%s', async (_name, text, expected) => {
    const truth = await fromYaml(text);
    expect(truth.size).toBeGreaterThan(0);
    for (const [value, plain] of truth) {
      const answer = fromText(text, value);
      if (expected === 'answers') expect(answer).toBe(plain);
      else expect([plain, 'positions']).toContain(answer);
    }
  });

  it('a source read with positions answers from its document', async () => {
    const source = await YamlSource.parse('f.yaml', 'a: "${X}"\n');
    expect(source.writtenPlain('${X}', true)).toBe(true);
    expect(source.writtenPlain('${X}', false)).toBe(false);
  });
});
