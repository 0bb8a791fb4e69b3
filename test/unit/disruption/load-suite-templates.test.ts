import { expect, it } from 'vitest';
import { UserError } from '../../../src/shared/errors.js';
import { renderTemplate, tryRenderTemplate } from '../../../src/config/suites/render.js';
import { canonicalMessageTemplate, messageTemplateError } from '../../../src/config/message-template.js';

const vars = { namespace: 'soak-a', params: { qps: 10, http10: true, image: 'fortio' } };

it('renders namespace and params, with or without spaces', () => {
  expect(renderTemplate('ns={{namespace}} qps={{ params.qps }} {{params.http10}} {{params.image}}', vars)).toBe(
    'ns=soak-a qps=10 true fortio',
  );
});

it('keeps names rendered later only where asked', () => {
  expect(renderTemplate('T={{ now }} {{namespace}}', vars, { keep: (n) => n === 'now' })).toBe('T={{now}} soak-a');
  expect(() => renderTemplate('T={{now}}', vars)).toThrow(UserError);
  expect(tryRenderTemplate('{{params.qsp}}', vars)).toEqual({
    error: 'unknown template name "{{params.qsp}}"; known: {{namespace}}, {{params.qps}}, {{params.http10}}, {{params.image}}',
  });
});

it('allows only {{value}} and {{labels.NAME}} in check messages', () => {
  expect(messageTemplateError('{{value}} on {{ labels.pod }}')).toBeNull();
  expect(messageTemplateError('{{ $value }}')).toContain('only {{value}} and {{labels.NAME}}');
  expect(messageTemplateError('{{labels}}')).not.toBeNull();
  expect(canonicalMessageTemplate('{{ value }} on {{labels.pod}}')).toBe('{{value}} on {{labels.pod}}');
});
