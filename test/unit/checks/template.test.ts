import { describe, expect, it } from 'vitest';
import { isTemplateName, listTemplateNames, renderAlertTemplate } from '../../../src/checks/template.js';

describe('renderAlertTemplate', () => {
  const labels = { pod: 'httpbin-1', namespace: 'istio-stability-graceful-shutdown' };

  it('fills {{value}} and {{labels.NAME}}, spaces inside the braces allowed', () => {
    expect(renderAlertTemplate('{{labels.pod}} in {{ labels.namespace }}: {{value}} req/s', { value: 12.5, labels })).toBe(
      'httpbin-1 in istio-stability-graceful-shutdown: 12.5 req/s',
    );
  });

  it('formats values for humans', () => {
    const r = (value: number | null) => renderAlertTemplate('{{value}}', { value, labels: {} });
    expect([r(3), r(0.5), r(1234.56789), r(0.000012346), r(-2.000001), r(-0), r(1e21)]).toEqual([
      '3',
      '0.5',
      '1234.5679',
      '0.00001235',
      '-2',
      '0',
      '1e+21',
    ]);
    expect([r(NaN), r(Infinity), r(-Infinity), r(null)]).toEqual(['NaN', '+Inf', '-Inf', 'no data']);
  });

  it('renders a missing label as empty', () => {
    expect(renderAlertTemplate('[{{labels.zone}}]', { value: 1, labels })).toBe('[]');
  });

  it("renders labels named like Object's own properties as missing, unless the series has them", () => {
    const text = '[{{labels.constructor}}|{{labels.__proto__}}|{{labels.toString}}|{{labels.hasOwnProperty}}]';
    expect(renderAlertTemplate(text, { value: 1, labels })).toBe('[|||]');
    const own = Object.fromEntries([['constructor', 'c'], ['__proto__', 'p']]);
    expect(renderAlertTemplate('{{labels.constructor}} {{labels.__proto__}}', { value: 1, labels: own })).toBe('c p');
  });

  it('leaves unknown names and plain text as written', () => {
    expect(renderAlertTemplate('{{foo}} {{labels}} {value} {{ labels.a-b }}', { value: 1, labels })).toBe(
      '{{foo}} {{labels}} {value} {{ labels.a-b }}',
    );
  });

  it('repeats a placeholder as often as it is used', () => {
    expect(renderAlertTemplate('{{value}}/{{value}}', { value: 2, labels })).toBe('2/2');
  });
});

describe('listTemplateNames / isTemplateName', () => {
  it('lists each name once, trimmed, in order of first use', () => {
    expect(listTemplateNames('{{ value }} {{labels.pod}} {{valeu}} {{value}}')).toEqual(['value', 'labels.pod', 'valeu']);
    expect(listTemplateNames('no placeholders')).toEqual([]);
  });

  it('tells the loader which names are known', () => {
    expect(['value', 'labels.pod', 'labels._x1'].every(isTemplateName)).toBe(true);
    expect(['valeu', 'labels', 'labels.', 'labels.1x', 'labels.a-b', 'params.qps', ''].some(isTemplateName)).toBe(false);
  });
});
