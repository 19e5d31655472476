/** A change to a list, applied now and again on top of a list answer that may predate it. */
export type ListChange<T> = (list: T[]) => T[];

/** What `begin` hands out: which request, and how many changes had been made when it was sent. */
export interface ListRequestTicket {
  readonly request: number;
  readonly from: number;
}

/**
 * Reconciles a list read from the server with the changes made here while the read was on its way. The server can
 * read the list before a session this tab just opened commits, so the answer is applied with those changes on top,
 * and only the newest request's answer counts (an older one is staler still).
 */
export class ListReconciler<T> {
  private changes: ListChange<T>[] = [];
  private newest = 0;

  /** Note a change made here (an open, a rename, a delete, a server notice). */
  record(apply: ListChange<T>): void {
    this.changes.push(apply);
  }

  /** Call as a list request is sent. */
  begin(): ListRequestTicket {
    this.newest += 1;
    return { request: this.newest, from: this.changes.length };
  }

  /** The list to show for a request's answer, or undefined when a newer request is on its way. */
  settle(ticket: ListRequestTicket, answer: T[]): T[] | undefined {
    if (ticket.request !== this.newest) return undefined;
    const since = this.changes.slice(ticket.from);
    this.changes = [];
    return since.reduce((list, apply) => apply(list), answer);
  }
}
