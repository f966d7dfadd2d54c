import { describe, expect, it } from 'vitest';
import { MCPAppBase } from './app-base.js';
import { WorkflowUsageError } from './errors.js';

/** The error `fn` throws. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('app.prompt', () => {
  it('registers the prompt with its options and returns the render function as it was', async () => {
    const app = new MCPAppBase({ name: 'prompts' });
    const render = ({ diff }: Readonly<Record<string, string>>) => `Review:\n${diff}`;
    const returned = app.prompt(
      { name: 'review', title: 'Code review', description: 'Asks for a review', arguments: [{ name: 'diff', description: 'The diff', required: true }, { name: 'focus' }] },
      render,
    );
    expect(returned).toBe(render);
    expect(await returned({ diff: '+1' })).toBe('Review:\n+1');
    const prompt = app.registry.prompts.get('review');
    expect(prompt).toMatchObject({
      name: 'review',
      title: 'Code review',
      description: 'Asks for a review',
      arguments: [{ name: 'diff', description: 'The diff', required: true }, { name: 'focus' }],
    });
    expect(prompt?.render).toBe(render);
    expect(Object.isFrozen(prompt?.arguments)).toBe(true);
    // A prompt with no arguments has an empty list, and is neither a tool nor a workflow.
    app.prompt({ name: 'hello' }, () => [{ role: 'user', content: 'Hello' }]);
    expect(app.registry.prompts.get('hello')?.arguments).toEqual([]);
    expect(app.registry.tools.size + app.registry.workflows.size).toBe(0);
  });

  it('refuses a name another prompt has, and keeps the first', () => {
    const app = new MCPAppBase({ name: 'prompts' });
    const first = () => 'one';
    app.prompt({ name: 'greet' }, first);
    const clash = thrown(() => app.prompt({ name: 'greet' }, () => 'two'));
    expect(clash).toBeInstanceOf(WorkflowUsageError);
    expect(clash.message).toMatch(/another prompt is named "greet"; prompt names must be unique/);
    expect(app.registry.prompts.get('greet')?.render).toBe(first);
    // Prompts and tools have names of their own.
    app.tool(() => 1, { name: 'greet' });
    expect(app.registry.tools.has('greet')).toBe(true);
  });

  it('refuses bad options with a message that shows the fix', () => {
    const app = new MCPAppBase({ name: 'prompts' });
    const render = () => 'x';
    const cases: Array<[unknown, unknown, RegExp]> = [
      [undefined, render, /app\.prompt\(options, render\): give the options first: app\.prompt\(\{ name: "review" \}/],
      [render, { name: 'x' }, /give the options first/],
      [{}, render, /name must be 1 to 128 letters, digits, "_", "-" or "\.", got nothing/],
      [{ name: 'two words' }, render, /got "two words"/],
      [{ name: 'x', args: [] }, render, /app\.prompt\(options, render\): unknown option "args"; the options are name, title, description, arguments/],
      [{ name: 'x', title: 1 }, render, /app\.prompt\("x"\): title must be a string, got number/],
      [{ name: 'x' }, 'text', /app\.prompt\("x"\): render must be a function, got string/],
      [{ name: 'x', arguments: { topic: true } }, render, /arguments must be an array, such as \[\{ name: "topic", required: true \}\]/],
      [{ name: 'x', arguments: ['topic'] }, render, /arguments\[0\] must be an object, such as \{ name: "topic" \}/],
      [{ name: 'x', arguments: [{ name: '' }] }, render, /arguments\[0\]\.name must be a non-empty string/],
      [{ name: 'x', arguments: [{ name: 'a' }, { name: 'a' }] }, render, /two arguments are named "a"/],
      [{ name: 'x', arguments: [{ name: 'a', optional: true }] }, render, /arguments\[0\] has the unknown key "optional"; the keys are name, description, required/],
      [{ name: 'x', arguments: [{ name: 'a', required: 'yes' }] }, render, /arguments\[0\]\.required must be a boolean/],
      [{ name: 'x', arguments: [{ name: 'a', description: 2 }] }, render, /arguments\[0\]: description must be a string, got number/],
    ];
    for (const [options, fn, message] of cases) {
      const error = thrown(() => (app.prompt as (options: unknown, render: unknown) => unknown)(options, fn));
      expect(error, String(message)).toBeInstanceOf(WorkflowUsageError);
      expect(error.message).toMatch(message);
    }
    expect(app.registry.prompts.size).toBe(0);
  });
});

describe('app.resource', () => {
  it('registers the resource by its URI and returns the read function as it was', async () => {
    const app = new MCPAppBase({ name: 'resources' });
    const read = () => ({ text: '# Style', mimeType: 'text/markdown' });
    const returned = app.resource({ uri: 'docs://style-guide', name: 'style-guide', title: 'Style guide', description: 'How we write', mimeType: 'text/markdown' }, read);
    expect(returned).toBe(read);
    expect(await returned()).toEqual({ text: '# Style', mimeType: 'text/markdown' });
    const resource = app.registry.resources.get('docs://style-guide');
    expect(resource).toMatchObject({ uri: 'docs://style-guide', name: 'style-guide', title: 'Style guide', description: 'How we write', mimeType: 'text/markdown' });
    expect(resource?.read).toBe(read);
    app.resource({ uri: 'file:///srv/notes.md', name: 'notes' }, () => 'notes');
    expect([...app.registry.resources.keys()]).toEqual(['docs://style-guide', 'file:///srv/notes.md']);
  });

  it('refuses a URI another resource has, naming both', () => {
    const app = new MCPAppBase({ name: 'resources' });
    app.resource({ uri: 'docs://readme', name: 'readme' }, () => 'one');
    const clash = thrown(() => app.resource({ uri: 'docs://readme', name: 'other' }, () => 'two'));
    expect(clash).toBeInstanceOf(WorkflowUsageError);
    expect(clash.message).toMatch(/the resource "other" has the URI "docs:\/\/readme", as "readme" does; resource URIs must be unique/);
    expect(app.registry.resources.get('docs://readme')?.name).toBe('readme');
    // Names need not be unique: the URI is what a client reads by.
    app.resource({ uri: 'docs://readme-2', name: 'readme' }, () => 'three');
    expect(app.registry.resources.size).toBe(2);
  });

  it('refuses bad options with a message that shows the fix', () => {
    const app = new MCPAppBase({ name: 'resources' });
    const read = () => 'x';
    const cases: Array<[unknown, unknown, RegExp]> = [
      [null, read, /app\.resource\(options, read\): give the options first: app\.resource\(\{ uri: "docs:\/\/readme", name: "readme" \}/],
      [{ name: 'readme' }, read, /uri must be a URI with a scheme and no spaces, such as "docs:\/\/readme", got nothing/],
      [{ uri: 'readme.md', name: 'readme' }, read, /got "readme\.md"/],
      [{ uri: 'docs://my notes', name: 'notes' }, read, /got "docs:\/\/my notes"/],
      [{ uri: 'docs://readme' }, read, /app\.resource\("docs:\/\/readme"\): name must be a non-empty string, such as "readme"/],
      [{ uri: 'docs://readme', name: ' ' }, read, /name must be a non-empty string/],
      [{ uri: 'docs://readme', name: 'readme', mime: 'text/plain' }, read, /unknown option "mime"; the options are uri, name, title, description, mimeType/],
      [{ uri: 'docs://readme', name: 'readme', mimeType: 1 }, read, /mimeType must be a string, got number/],
      [{ uri: 'docs://readme', name: 'readme' }, 'text', /app\.resource\("docs:\/\/readme"\): read must be a function, got string/],
    ];
    for (const [options, fn, message] of cases) {
      const error = thrown(() => (app.resource as (options: unknown, read: unknown) => unknown)(options, fn));
      expect(error, String(message)).toBeInstanceOf(WorkflowUsageError);
      expect(error.message).toMatch(message);
    }
    expect(app.registry.resources.size).toBe(0);
  });
});
