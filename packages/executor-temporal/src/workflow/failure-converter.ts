/**
 * The failure converter inside the workflow sandbox. Every bundle is built with it (codegen builds
 * bundles before any worker's settings are known); the bundle's embedded config says whether the
 * worker encrypts payloads, and then error messages and stack traces of the failures a workflow
 * raises go into an encoded payload, which the worker's codec encrypts. Safe for the sandbox.
 */
import { DefaultFailureConverter, type FailureConverter } from '@temporalio/common';

const plain = new DefaultFailureConverter();
const encoded = new DefaultFailureConverter({ encodeCommonAttributes: true });

// Set once, when the bundle's entry runs (each workflow context has its own copy of the modules).
let encodeFailures = false;

/** Called by the dispatcher with the bundle's embedded config. */
export function setEncodeFailures(value: boolean): void {
  encodeFailures = value;
}

/** Read by Temporal's workflow runtime (the bundle's failureConverterPath). */
export const failureConverter: FailureConverter = {
  errorToFailure: (error, payloadConverter) => (encodeFailures ? encoded : plain).errorToFailure(error, payloadConverter),
  // Decoding reads encoded attributes whenever a failure has them.
  failureToError: (failure, payloadConverter) => plain.failureToError(failure, payloadConverter),
};
