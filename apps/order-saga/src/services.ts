/**
 * The three services an order touches — inventory, payments, shipping — in memory, standing in
 * for the remote systems a real shop calls. Only the saga's tasks call them (under Temporal, in
 * the worker process). Every call is idempotent by order id, as calls from activities must be:
 * an attempt may run again after a timeout or a worker crash.
 *
 * Each change they make is written to a ledger, in order, so that a reader (the starter, a test)
 * can see what the saga did and undid.
 */

/** An item of an order. */
export interface OrderItem {
  sku: string;
  quantity: number;
}

/** Where an order goes. */
export interface Address {
  name: string;
  city: string;
  /** ISO 3166 alpha-2. */
  country: string;
}

/** One change a service made. */
export interface LedgerEntry {
  orderId: string;
  service: 'inventory' | 'payment' | 'shipping';
  action: string;
}

/** A request the service refuses for a business reason: retrying it can't help. */
export class ServiceRejection extends Error {
  readonly code: 'UnknownItem' | 'OutOfStock' | 'CardDeclined' | 'ShippingUnavailable';
  constructor(code: ServiceRejection['code'], message: string) {
    super(message);
    this.name = code;
    this.code = code;
  }
}

const PRICES_CENTS: Readonly<Record<string, number>> = { book: 1_999, lamp: 4_500, desk: 25_900, chair: 12_900 };
const INITIAL_STOCK: Readonly<Record<string, number>> = { book: 20, lamp: 5, desk: 2, chair: 0 };
/** Where the carrier delivers. */
const SERVED_COUNTRIES = new Set(['DE', 'FR', 'GB', 'NL', 'US']);

const state = {
  stock: new Map<string, number>(Object.entries(INITIAL_STOCK)),
  reservations: new Map<string, { items: OrderItem[]; totalCents: number; released: boolean }>(),
  charges: new Map<string, { amountCents: number; refunded: boolean }>(),
  shipments: new Map<string, { status: 'booked' | 'dispatched' | 'cancelled' }>(),
  ledger: [] as LedgerEntry[],
  gatewayTimeouts: 0,
};

function record(orderId: string, service: LedgerEntry['service'], action: string): void {
  state.ledger.push({ orderId, service, action });
}

const euros = (cents: number): string => `${(cents / 100).toFixed(2)} EUR`;

export const inventory = {
  /** Takes the items out of stock for the order; the same order again gets the same reservation. */
  reserve(orderId: string, items: readonly OrderItem[]): { reservationId: string; totalCents: number } {
    const reservationId = `RES-${orderId}`;
    const existing = state.reservations.get(orderId);
    if (existing !== undefined && !existing.released) return { reservationId, totalCents: existing.totalCents };
    for (const item of items) {
      const price = PRICES_CENTS[item.sku];
      if (price === undefined) throw new ServiceRejection('UnknownItem', `no item "${item.sku}" in the catalogue`);
      const available = state.stock.get(item.sku) ?? 0;
      if (available < item.quantity) throw new ServiceRejection('OutOfStock', `only ${available} of "${item.sku}" in stock, ${item.quantity} ordered`);
    }
    let totalCents = 0;
    for (const item of items) {
      state.stock.set(item.sku, (state.stock.get(item.sku) ?? 0) - item.quantity);
      totalCents += (PRICES_CENTS[item.sku] ?? 0) * item.quantity;
    }
    state.reservations.set(orderId, { items: items.map((item) => ({ ...item })), totalCents, released: false });
    record(orderId, 'inventory', `reserve ${items.map((item) => `${item.quantity} ${item.sku}`).join(', ')}`);
    return { reservationId, totalCents };
  },

  /** Puts the order's items back; true when there was a reservation to release. */
  release(orderId: string): boolean {
    const reservation = state.reservations.get(orderId);
    if (reservation === undefined || reservation.released) return false;
    for (const item of reservation.items) state.stock.set(item.sku, (state.stock.get(item.sku) ?? 0) + item.quantity);
    reservation.released = true;
    record(orderId, 'inventory', 'release reservation');
    return true;
  },

  /** Units of a SKU in stock. */
  stockOf(sku: string): number {
    return state.stock.get(sku) ?? 0;
  },
};

export const payments = {
  /** Charges the card once per order; `tok_declined` is declined. */
  charge(orderId: string, card: string, amountCents: number): string {
    const paymentId = `PAY-${orderId}`;
    if (state.gatewayTimeouts > 0) {
      state.gatewayTimeouts -= 1;
      // A transient fault: the engine retries the task; nothing was charged, nothing to compensate.
      throw new Error('payment gateway timed out');
    }
    const existing = state.charges.get(orderId);
    if (existing !== undefined && !existing.refunded) return paymentId;
    if (card === 'tok_declined') throw new ServiceRejection('CardDeclined', `card ${card} was declined`);
    state.charges.set(orderId, { amountCents, refunded: false });
    record(orderId, 'payment', `charge ${euros(amountCents)}`);
    return paymentId;
  },

  /** Refunds the order's charge; true when there was one to refund. */
  refund(orderId: string): boolean {
    const charge = state.charges.get(orderId);
    if (charge === undefined || charge.refunded) return false;
    charge.refunded = true;
    record(orderId, 'payment', `refund ${euros(charge.amountCents)}`);
    return true;
  },
};

export const shipping = {
  /**
   * Books a shipment, then hands it to the carrier. A carrier that doesn't serve the destination
   * refuses it after the booking was made: the booking is left behind until it is cancelled.
   */
  ship(orderId: string, address: Address): string {
    const trackingNumber = `SHP-${orderId}`;
    const existing = state.shipments.get(orderId);
    if (existing?.status === 'dispatched') return trackingNumber;
    if (existing === undefined || existing.status === 'cancelled') {
      state.shipments.set(orderId, { status: 'booked' });
      record(orderId, 'shipping', `book shipment to ${address.city}, ${address.country}`);
    }
    if (!SERVED_COUNTRIES.has(address.country)) {
      throw new ServiceRejection('ShippingUnavailable', `the carrier does not deliver to ${address.country}`);
    }
    state.shipments.set(orderId, { status: 'dispatched' });
    record(orderId, 'shipping', 'dispatch shipment');
    return trackingNumber;
  },

  /** Cancels the order's shipment; true when there was one to cancel. */
  cancel(orderId: string): boolean {
    const shipment = state.shipments.get(orderId);
    if (shipment === undefined || shipment.status === 'cancelled') return false;
    shipment.status = 'cancelled';
    record(orderId, 'shipping', 'cancel shipment');
    return true;
  },
};

/** What the services did, oldest first; for one order when given its id. */
export function ledger(orderId?: string): LedgerEntry[] {
  return state.ledger.filter((entry) => orderId === undefined || entry.orderId === orderId).map((entry) => ({ ...entry }));
}

/** Makes the next `count` charge attempts time out (a flaky gateway), to watch the engine retry. */
export function injectGatewayTimeouts(count: number): void {
  state.gatewayTimeouts = count;
}

/** Back to full stock and an empty ledger. */
export function resetServices(): void {
  state.stock = new Map(Object.entries(INITIAL_STOCK));
  state.reservations.clear();
  state.charges.clear();
  state.shipments.clear();
  state.ledger = [];
  state.gatewayTimeouts = 0;
}
