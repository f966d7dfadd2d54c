/**
 * The events of Streamable HTTP streams, kept in memory so that a client that lost its connection
 * can resume a stream (`Last-Event-ID`) and miss nothing. Bounded: the oldest events go first.
 */
import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Events kept at most, across streams. */
const DEFAULT_EVENTS_KEPT = 10_000;

/** An in-memory {@link EventStore} keeping at most `limit` events. */
export class MemoryEventStore implements EventStore {
  readonly #events = new Map<EventId, { streamId: StreamId; message: JSONRPCMessage }>();
  readonly #limit: number;
  #counter = 0;

  constructor(limit = DEFAULT_EVENTS_KEPT) {
    this.#limit = limit;
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    this.#counter += 1;
    const eventId = `${streamId}_${String(this.#counter).padStart(12, '0')}`;
    this.#events.set(eventId, { streamId, message });
    if (this.#events.size > this.#limit) this.#events.delete(this.#events.keys().next().value as EventId);
    return eventId;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.#events.get(eventId)?.streamId;
  }

  async replayEventsAfter(lastEventId: EventId, { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> }): Promise<StreamId> {
    const last = this.#events.get(lastEventId);
    if (last === undefined) return '';
    let after = false;
    for (const [eventId, event] of this.#events) {
      if (eventId === lastEventId) {
        after = true;
        continue;
      }
      if (after && event.streamId === last.streamId) await send(eventId, event.message);
    }
    return last.streamId;
  }
}
