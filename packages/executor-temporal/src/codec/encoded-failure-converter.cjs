// The failure converter of a worker that encrypts payloads: error messages and stack traces go
// into an encoded payload (encrypted by the codec) instead of the failure's clear-text fields.
// CommonJS because the Temporal worker loads it with require() by path.
'use strict';
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
