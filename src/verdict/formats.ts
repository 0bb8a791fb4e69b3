// One entry to the report renderers: the format names and renderReport(). Pure.

import { REPORT_FORMATS, renderJson, renderJunit, renderMarkdown, type ReportFormat } from './render.js';
import { renderHtml } from './render-html.js';
import type { Report } from './report.js';

export { REPORT_FORMATS, type ReportFormat };

export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json',
  junit: 'application/xml',
};

/** The format named, or undefined when it is not one. */
export function reportFormat(text: string): ReportFormat | undefined {
  return (REPORT_FORMATS as readonly string[]).includes(text) ? (text as ReportFormat) : undefined;
}

export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'md':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
    case 'json':
      return renderJson(report);
    case 'junit':
      return renderJunit(report);
  }
}
