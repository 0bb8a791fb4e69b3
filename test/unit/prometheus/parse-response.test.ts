// Prometheus' JSON answers to samples, or to the error kind a user will see in metrics.

import { describe, expect, it } from 'vitest';
import { PrometheusClient, parseResponse } from '../../../src/adapters/prometheus/client.js';
import { UserError } from '../../../src/shared/errors.js';
import { PrometheusError } from '../../../src/adapters/prometheus/errors.js';

const ok = (data: unknown) => JSON.stringify({ status: 'success', data });

function kindOf(status: number, body: string): string {
  try {
    parseResponse(status, body);
  } catch (err) {
    if (err instanceof PrometheusError) return err.kind;
    throw err;
  }
  return 'no error';
}

describe('parseResponse', () => {
  it('reads a vector per series, specials included', () => {
    const body = ok({
      resultType: 'vector',
      result: [
        { metric: { a: '1' }, value: [1, '2.5'] },
        { metric: { a: '2' }, value: [1, 'NaN'] },
        { metric: { a: '3' }, value: [1, '+Inf'] },
        { metric: { a: '4' }, value: [1, '-Inf'] },
        { metric: { a: '5' }, value: [1, '1e3'] },
      ],
    });
    const values = parseResponse(200, body).map((s) => s.value);
    expect(values).toEqual([2.5, NaN, Infinity, -Infinity, 1000]);
    expect(parseResponse(200, body)[0]?.labels).toEqual({ a: '1' });
  });

  it('reads a scalar as one sample without labels', () => {
    expect(parseResponse(200, ok({ resultType: 'scalar', result: [1, '7'] }))).toEqual([{ labels: {}, value: 7 }]);
  });

  it('refuses matrices, strings, garbage and malformed values as bad_data', () => {
    expect(kindOf(200, ok({ resultType: 'matrix', result: [] }))).toBe('bad_data');
    expect(kindOf(200, ok({ resultType: 'string', result: [1, 'x'] }))).toBe('bad_data');
    expect(kindOf(200, 'not json')).toBe('bad_data');
    expect(kindOf(200, '[]')).toBe('bad_data');
    expect(kindOf(200, ok({ resultType: 'vector', result: [{ metric: {}, value: [1, 'abc'] }] }))).toBe('bad_data');
    expect(kindOf(200, ok({ resultType: 'vector', result: [{ metric: {}, value: [1, ''] }] }))).toBe('bad_data');
    expect(kindOf(200, ok({ resultType: 'vector', result: [{ metric: { a: 1 }, value: [1, '1'] }] }))).toBe('bad_data');
    expect(kindOf(200, ok({ resultType: 'vector', result: {} }))).toBe('bad_data');
  });

  it('maps statuses to kinds with Prometheus\' own message', () => {
    const err = (errorType: string, error: string) => JSON.stringify({ status: 'error', errorType, error });
    expect(kindOf(400, err('bad_data', 'parse error'))).toBe('http');
    expect(kindOf(422, err('execution', 'many-to-many matching'))).toBe('execution');
    expect(kindOf(503, err('timeout', 'query timed out'))).toBe('execution');
    expect(kindOf(503, 'Service Unavailable')).toBe('http');
    expect(kindOf(200, err('execution', 'odd'))).toBe('execution');
    expect(() => parseResponse(400, err('bad_data', 'parse error at char 5'))).toThrow('HTTP 400: bad_data: parse error at char 5');
  });
});

describe('PrometheusClient construction', () => {
  it('refuses a URL that is not http(s) as a user error, without echoing credentials', () => {
    expect(() => new PrometheusClient({ url: 'ftp://u:secret@host', timeoutMs: 1000 })).toThrow(UserError);
    expect(() => new PrometheusClient({ url: 'ftp://u:secret@host', timeoutMs: 1000 })).not.toThrow(/secret/);
    expect(() => new PrometheusClient({ url: 'not a url', timeoutMs: 1000 })).toThrow('prometheus.url: not a valid URL');
  });
});
