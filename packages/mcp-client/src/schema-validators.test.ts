import { describe, expect, it } from 'vitest';
import { CachedSchemaValidators } from './schema-validators.js';

const schema = () => ({ type: 'object', properties: { content: { type: 'string' }, size: { type: 'number' } }, required: ['content'] });

describe('CachedSchemaValidators', () => {
  it('compiles a schema once however many copies of it come, and still validates', () => {
    const validators = new CachedSchemaValidators();
    const first = validators.getValidator(schema());
    const again = validators.getValidator(JSON.parse(JSON.stringify(schema())));
    expect(again).toBe(first);
    expect(validators.compilations).toBe(1);
    expect(first({ content: 'text', size: 4 })).toEqual({ valid: true, data: { content: 'text', size: 4 }, errorMessage: undefined });
    const wrong = first({ size: 'four' });
    expect(wrong.valid).toBe(false);
    expect(wrong.errorMessage).toContain("must have required property 'content'");
    expect(wrong.errorMessage).toContain('must be number');
  });

  it('compiles different schemas separately', () => {
    const validators = new CachedSchemaValidators();
    const strings = validators.getValidator({ type: 'string' });
    const numbers = validators.getValidator({ type: 'number' });
    expect(validators.compilations).toBe(2);
    expect(strings('a').valid).toBe(true);
    expect(numbers('a').valid).toBe(false);
  });

  it('holds at most its limit of schemas, starting again past it', () => {
    const validators = new CachedSchemaValidators(3);
    for (let index = 0; index < 10; index += 1) validators.getValidator({ type: 'string', maxLength: index });
    expect(validators.size).toBeLessThanOrEqual(3);
    expect(validators.compilations).toBe(10);
    // A schema compiled before the restart still validates through the validator handed out then.
    const kept = validators.getValidator({ type: 'string', maxLength: 9 });
    expect(kept('123456789').valid).toBe(true);
    expect(kept('1234567890').valid).toBe(false);
  });
});
