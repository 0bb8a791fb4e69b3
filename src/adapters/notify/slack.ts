// Slack incoming-webhook sink: `{ text, blocks }`. `text` is the whole message in one line per
// event (what notifications and old clients show); blocks add the graph link per event.
import { formatValue, type AlertEvent } from './notifier.js';
import { JsonPostNotifier, type JsonPostOptions } from './http-post.js';

export interface SlackMessage {
  text: string;
  blocks?: Array<{ type: 'section'; text: { type: 'mrkdwn'; text: string } }>;
}

export type SlackOptions = JsonPostOptions;

// Slack refuses messages with more than 50 blocks; beyond that the text alone says it all.
const MAX_BLOCKS = 50;

/** Slack's mrkdwn treats &, < and > as markup. */
function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackLine(e: AlertEvent): string {
  const head = e.status === 'firing' ? ':red_circle: FAILING' : ':large_green_circle: RESOLVED';
  const summary = e.summary ? `, ${e.summary}` : '';
  return `${head} ${e.cluster !== undefined ? `${e.cluster}/` : ''}${e.suite}/${e.check} value=${formatValue(e.value)}${summary}`;
}

/** The message for a batch: pure. */
export function renderSlackMessage(events: AlertEvent[]): SlackMessage {
  const text = events.map((e) => escape(slackLine(e))).join('\n');
  if (events.length > MAX_BLOCKS) return { text };
  return {
    text,
    blocks: events.map((e) => {
      const lines = [`*${escape(slackLine(e))}*`];
      if (e.description) lines.push(escape(e.description));
      if (e.disruption) lines.push(escape(`during disruption ${e.disruption}`));
      lines.push(`severity: ${e.severity} · <${e.generatorURL}|graph>`);
      return { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } };
    }),
  };
}

export class SlackNotifier extends JsonPostNotifier<SlackMessage> {
  constructor(opts: SlackOptions) {
    super(renderSlackMessage, opts);
  }
}
