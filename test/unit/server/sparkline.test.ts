// The status page's sparkline geometry: values (oldest first, null = no value) to SVG path data.
import { describe, expect, it } from 'vitest';
import { sparklinePath } from '../../../src/server/sparkline.js';

describe('sparklinePath', () => {
  it.each<[string, Array<number | null>, number, number, string | undefined]>([
    // [what, values, width, height, d]
    ['rising values: bottom-left to top-right, 1 px inside the box', [0, 1, 2], 100, 10, 'M0,9L50,5L100,1'],
    ['falling values', [2, 1, 0], 100, 10, 'M0,1L50,5L100,9'],
    ['a flat line sits in the middle', [3, 3, 3], 100, 10, 'M0,5L50,5L100,5'],
    ['one value: a dot in the middle', [7], 100, 10, 'M50,5h0'],
    ['a gap breaks the line', [0, 2, null, 2, 0], 100, 10, 'M0,9L25,1M75,1L100,9'],
    ['a lone point between gaps is a dot', [0, null, 1, null, 2], 100, 10, 'M0,9h0M50,5h0M100,1h0'],
    ['NaN and Infinity are gaps too', [0, Number.NaN, 1, Number.POSITIVE_INFINITY, 2], 100, 10, 'M0,9h0M50,5h0M100,1h0'],
    ['coordinates are rounded to one decimal', [0, 1, 0], 7, 10, 'M0,9L3.5,1L7,9'],
    ['no finite value: nothing to draw', [null, Number.NaN], 100, 10, undefined],
    ['no value at all: nothing to draw', [], 100, 10, undefined],
  ])('%s', (_what, values, width, height, d) => {
    expect(sparklinePath(values, width, height)?.d).toBe(d);
  });

  it('says the range, the newest finite value and how many ticks it covers', () => {
    expect(sparklinePath([5, -1, 3, null], 120, 20)).toMatchObject({ min: -1, max: 5, last: 3, points: 4 });
  });

  it('draws 60 values in the default 120 x 20 box with nothing but path commands and numbers', () => {
    const values = Array.from({ length: 60 }, (_, i) => Math.sin(i / 5) * 1e6 + (i % 7 === 0 ? Number.NaN : 0));
    const line = sparklinePath(values);
    expect(line?.d).toMatch(/^[MLh0-9.,-]+$/);
    const xs = [...(line?.d ?? '').matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    for (const [x, y] of xs) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(120);
      expect(y).toBeGreaterThanOrEqual(1);
      expect(y).toBeLessThanOrEqual(19);
    }
  });
});
