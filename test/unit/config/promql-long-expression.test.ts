// Long and deep PromQL: Lezer alone refuses valid chains of ~350 operators; these must be
// accepted, and a real mistake anywhere in them reported at its own column.
import { expect, it } from 'vitest';
import { promqlSyntaxError } from '../../../src/config/index.js';

const chain = (n: number, term: string, op: string): string => Array.from({ length: n }, () => term).join(` ${op} `);

it('accepts long valid chains of binary operators, as promtool does', () => {
  expect(promqlSyntaxError(chain(400, 'sum(up)', '+'))).toBeNull();
  expect(promqlSyntaxError(chain(5000, 'sum(up)', '+'))).toBeNull();
  expect(promqlSyntaxError(chain(500, 'up{job="a"}', 'or'))).toBeNull();
  expect(promqlSyntaxError(chain(500, 'rate(x[5m]) * 2', '+'))).toBeNull();
  expect(promqlSyntaxError(chain(500, 'a', '== bool'))).toBeNull();
  expect(promqlSyntaxError(chain(500, 'a offset -5m', '- 1e-3 *'))).toBeNull();
  expect(promqlSyntaxError(chain(500, 'a', '+ on(x) group_left(y, z)'))).toBeNull();
  expect(promqlSyntaxError(chain(500, '-a', '/ ignoring(b) -'))).toBeNull();
});

it('accepts long chains inside aggregations, function arguments and nested parentheses', () => {
  expect(promqlSyntaxError(`sum by (a) (${chain(800, 'up', '+')})`)).toBeNull();
  expect(promqlSyntaxError(`histogram_quantile(0.99, ${chain(800, 'x', 'or')}) > 1`)).toBeNull();
  expect(promqlSyntaxError(chain(400, `(${chain(400, 'up', '+')})`, 'unless'))).toBeNull();
  expect(promqlSyntaxError(`${'up + ('.repeat(2000)}up${')'.repeat(2000)}`)).toBeNull();
  expect(promqlSyntaxError(`# many\n${chain(600, 'up # a comment with ) and (\n', 'and')}`)).toBeNull();
});

it('reports a real mistake in a long chain at its own column', () => {
  const valid = chain(600, 'sum(up)', '+');
  expect(promqlSyntaxError(`${valid} +`)).toBe(`PromQL syntax error: unexpected end of expression at column ${valid.length + 3}`);
  const broken = `${chain(450, 'sum(up)', '+')} + sum(up)) + ${chain(200, 'sum(up)', '+')}`;
  const col = broken.indexOf('sum(up)) ') + 'sum(up)'.length + 1;
  expect(promqlSyntaxError(broken)).toMatch(new RegExp(`^PromQL syntax error at column ${col} near "\\) \\+ sum`));
  const inner = `sum(${chain(500, 'up', '+')} + * up)`;
  expect(promqlSyntaxError(inner)).toMatch(new RegExp(`at column ${inner.indexOf('+ * up') + 3} `));
  expect(promqlSyntaxError(`sum(${chain(500, 'up', '+')}`)).toMatch(/^PromQL syntax error: unexpected end of expression/);
  expect(promqlSyntaxError(`${chain(500, 'up', '+')} + up{job="a}`)).toMatch(/^PromQL syntax error/);
});
