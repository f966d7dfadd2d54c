import { describe, expect, it } from 'vitest';
import { MCPAppBase } from './app-base.js';
import { WorkflowUsageError } from './errors.js';
import { getWorkflowDefinition } from './model/definitions.js';
import { Workflow } from './model/workflow.js';
import { WorkflowResult } from './model/workflow-result.js';

/** The error `fn` throws. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('app.tool', () => {
  it('registers the tool with its options and returns the function as it was', async () => {
    const app = new MCPAppBase({ name: 'tools' });
    const fn = async ({ city }: { city: string }) => ({ city, temperature: 21 });
    const inputSchema = { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] };
    const returned = app.tool(fn, { name: 'get_weather', description: 'The weather', title: 'Weather', inputSchema, annotations: { readOnlyHint: true } });
    expect(returned).toBe(fn);
    expect(await returned({ city: 'Oslo' })).toEqual({ city: 'Oslo', temperature: 21 });
    const tool = app.registry.tools.get('get_weather');
    expect(tool).toMatchObject({
      name: 'get_weather',
      mode: 'sync',
      description: 'The weather',
      title: 'Weather',
      inputSchema,
      annotations: { readOnlyHint: true },
      workflowName: undefined,
    });
    expect(tool?.fn).toBe(fn);
    // A sync tool is no workflow.
    expect(app.registry.workflows.size).toBe(0);
  });

  it('refuses a name another tool has, or one of the server’s workflow tools', () => {
    const app = new MCPAppBase({ name: 'tools' });
    app.tool(() => 1, { name: 'count' });
    const clash = thrown(() => app.tool(() => 2, { name: 'count' }));
    expect(clash).toBeInstanceOf(WorkflowUsageError);
    expect(clash.message).toMatch(/another tool is named "count"; tool names must be unique/);
    expect(thrown(() => app.tool(() => 2, { name: 'workflows-list' })).message).toMatch(/starts with "workflows-", which the server keeps for its workflow tools/);
    expect([...app.registry.tools.keys()]).toEqual(['count']);
  });

  it('refuses bad options with a message that shows the fix', () => {
    const app = new MCPAppBase({ name: 'tools' });
    const cases: Array<[unknown, unknown, RegExp]> = [
      ['not a function', { name: 'x' }, /fn must be a function, got string/],
      [() => 1, undefined, /give the options, at least the name: app\.tool\(fn, \{ name: "get_weather" \}\)/],
      [() => 1, {}, /name must be 1 to 128 letters, digits, "_", "-" or "\.", got nothing/],
      [() => 1, { name: 'has space' }, /got "has space"/],
      [() => 1, { name: 'x', description: 3 }, /app\.tool\("x"\): description must be a string, got number/],
      [() => 1, { name: 'x', inputSchema: { type: 'string' } }, /inputSchema must be a JSON Schema of an object/],
      [() => 1, { name: 'x', outputSchema: [] }, /outputSchema must be a JSON Schema of an object/],
      [() => 1, { name: 'x', annotations: { readOnly: true } }, /unknown annotation "readOnly"; the annotations are title, readOnlyHint/],
      [() => 1, { name: 'x', annotations: { readOnlyHint: 'yes' } }, /annotations\.readOnlyHint must be a boolean/],
      [() => 1, { name: 'x', input_schema: {} }, /unknown option "input_schema"; the options are name, description, title, inputSchema, annotations, outputSchema/],
    ];
    for (const [fn, options, message] of cases) {
      const error = thrown(() => (app.tool as (fn: unknown, options: unknown) => unknown)(fn, options));
      expect(error, String(message)).toBeInstanceOf(WorkflowUsageError);
      expect(error.message).toMatch(message);
    }
    expect(app.registry.tools.size).toBe(0);
  });
});

describe('app.asyncTool', () => {
  it('defines and registers a workflow named as the tool, whose run returns the function’s value in a WorkflowResult', async () => {
    const app = new MCPAppBase({ name: 'tools' });
    const seen: unknown[] = [];
    const Summarise = app.asyncTool(
      async (args: { text: string }, workflow) => {
        seen.push(workflow);
        return args.text.toUpperCase();
      },
      { name: 'summarise', description: 'Summarises text' },
    );
    const definition = getWorkflowDefinition(Summarise);
    expect(definition?.name).toBe('summarise');
    expect(Summarise.name).toBe('summarise');
    expect(app.registry.getWorkflow('summarise')).toBe(definition);
    expect(app.registry.tools.get('summarise')).toMatchObject({ mode: 'async', workflowName: 'summarise', description: 'Summarises text' });
    const instance = new Summarise();
    expect(instance).toBeInstanceOf(Workflow);
    const result = await (instance as unknown as { run(args: unknown): Promise<WorkflowResult<string>> }).run({ text: 'hi' });
    expect(WorkflowResult.is(result)).toBe(true);
    expect(result.value).toBe('HI');
    expect(seen).toEqual([instance]);
    // Human input works in it as in any workflow.
    expect(definition?.signals.has('__human_input__')).toBe(true);
  });

  it('keeps a WorkflowResult the function returns', async () => {
    const app = new MCPAppBase({ name: 'tools' });
    const Tool = app.asyncTool(async () => new WorkflowResult({ value: 1, metadata: { cost: 2 } }), { name: 'with_metadata' });
    const result = await (new Tool() as unknown as { run(args: unknown): Promise<WorkflowResult<number>> }).run({});
    expect(result.metadata).toEqual({ cost: 2 });
  });

  it('refuses a name a workflow, a tool or a status tool has, and leaves the registry as it was', () => {
    const app = new MCPAppBase({ name: 'tools' });
    @app.workflow({ name: 'Existing' })
    class Existing extends Workflow<string> {
      async run(): Promise<WorkflowResult<string>> {
        return new WorkflowResult({ value: '' });
      }
    }
    expect(getWorkflowDefinition(Existing)).toBeDefined();
    app.asyncTool(async () => 1, { name: 'research' });
    expect(thrown(() => app.asyncTool(async () => 1, { name: 'Existing' })).message).toMatch(/cannot add the async tool "Existing": a workflow is already named "Existing"/);
    expect(thrown(() => app.asyncTool(async () => 1, { name: 'research' })).message).toMatch(/another tool is named "research"/);
    expect(thrown(() => app.tool(() => 1, { name: 'research-get_status' })).message).toMatch(/the async tool "research" serves "research-get_status" for its status/);
    app.tool(() => 1, { name: 'lookup-get_status' });
    expect(thrown(() => app.asyncTool(async () => 1, { name: 'lookup' })).message).toMatch(/another tool is named "lookup-get_status"/);
    expect([...app.registry.tools.keys()]).toEqual(['research', 'lookup-get_status']);
    expect([...app.registry.workflows.keys()]).toEqual(['Existing', 'research']);
  });

  it('refuses an outputSchema: an async tool answers with run ids', () => {
    const app = new MCPAppBase({ name: 'tools' });
    const error = thrown(() => app.asyncTool(async () => 1, { name: 'x', outputSchema: { type: 'object' } }));
    expect(error.message).toMatch(/app\.asyncTool\("x"\): unknown option "outputSchema": an async tool answers with the ids of the run it starts/);
  });
});
