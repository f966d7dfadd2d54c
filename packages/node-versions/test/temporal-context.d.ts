// What tools/vitest-temporal-setup.ts provides to the tests.
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCliPath: string;
    temporalTestServerPath: string;
  }
}
