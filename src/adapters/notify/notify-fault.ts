// A notification that could not be delivered. Extends Fault with what the dispatcher needs to
// decide whether trying again can help (a 400 will not get better; a 503 or a reset might).
import { Fault } from '../../shared/errors.js';

export class NotifyFault extends Fault {
  readonly retryable: boolean;
  readonly status: number | undefined;
  constructor(kind: string, message: string, opts: { retryable: boolean; status?: number; cause?: unknown }) {
    super(kind, message, { cause: opts.cause });
    this.name = 'NotifyFault';
    this.retryable = opts.retryable;
    this.status = opts.status;
  }
}
