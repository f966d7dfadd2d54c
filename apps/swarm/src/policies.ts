/**
 * The airline's written policies, one per agent that follows one. The Python example keeps them
 * as Markdown files the agents read from disk through an MCP server; here they are strings, so the
 * agents' instructions are built from them as workflow code (no file I/O in a workflow). Loaded
 * from elsewhere (a database, a CMS), they would be read by a task and passed in.
 */

/** What a customer who wants to cancel is taken through. */
export const FLIGHT_CANCELLATION_POLICY = `## Flight cancellation policy

1. Confirm which flight the customer wants to cancel.
   1a. When it is the flight in the context, go on to step 2.
   1b. When it is another flight, call escalate_to_agent.
2. Ask whether the customer wants a refund or flight credits.
3. For a refund: call initiate_refund, then tell the customer the refund is processed within 3-5 business days.
4. For flight credits: call initiate_flight_credits, then tell the customer the credits are in their account within 15 minutes.
5. When the customer has no further questions, call case_resolved.`;

/** What a customer who wants another departure is taken through. */
export const FLIGHT_CHANGE_POLICY = `## Flight change policy

1. Check the flight's details and why the customer wants to change it.
2. Call valid_to_change_flight.
   2a. When the flight can be changed, go on to step 3.
   2b. When it cannot, tell the customer politely that it cannot be changed.
3. Offer the same flight one day earlier.
4. Check that the new flight has seats.
   4a. When it has, go on to step 5.
   4b. When it has not, offer other flights, or suggest checking again later.
5. Tell the customer about any fare difference or extra charge.
6. Call change_flight with the new departure.
7. When the customer has no further questions, call case_resolved.`;

/** What a customer whose bag did not arrive is taken through. */
export const LOST_BAGGAGE_POLICY = `## Lost baggage policy

1. Call initiate_baggage_search to start looking for the bag.
2. When the bag is found, arrange its delivery to the customer's address.
3. When it is not found, call escalate_to_agent.
4. When the customer has no further questions, call case_resolved.

Always call case_resolved once the case is resolved.`;
