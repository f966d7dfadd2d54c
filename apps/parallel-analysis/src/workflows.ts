/**
 * Parallel analysis: three specialist agents read one document at the same time (its tone, its
 * key points, its risks), and their answers are combined into one report.
 *
 * The agents' model calls are independent, so they run together with `Promise.all`: the analysis
 * takes as long as the slowest agent, not the sum of the three. On Temporal, the three model
 * round trips are three activities scheduled at once, each retried on its own if it fails.
 */
import { Agent, MCPApp, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';
import { OpenAIAugmentedLLM } from '@mcp-agent/providers-openai';

export const app = new MCPApp({ name: 'parallel-analysis' });

/** The document to analyse. */
export interface AnalysisDocument {
  title: string;
  text: string;
}

/** Each agent's answer, and the report that combines them. */
export interface CombinedAnalysis {
  title: string;
  sentiment: string;
  keyPoints: string;
  risks: string;
  /** The three answers as one Markdown report. */
  report: string;
}

/** The specialists: each is an agent with its own instruction, asked its own question. */
const ANALYSTS = {
  sentiment: {
    instruction: 'You judge the tone of business documents: positive, negative or mixed, and the words that show it.',
    question: 'Sentiment: what is the tone of this document?',
  },
  keyPoints: {
    instruction: 'You pick out the key points of business documents: at most five, one line each, most important first.',
    question: 'Key points: what are the key points of this document?',
  },
  risks: {
    instruction: 'You find the risks a business document reveals: one line each, most serious first; say so when there are none.',
    question: 'Risks: what risks does this document reveal?',
  },
} as const;

/** One agent's analysis: a model round trip of its own. */
async function analyse(name: keyof typeof ANALYSTS, document: AnalysisDocument): Promise<string> {
  const { instruction, question } = ANALYSTS[name];
  const agent = new Agent({ name, instruction });
  const llm = await agent.attachLlm(OpenAIAugmentedLLM);
  return llm.generateStr(`${question}\n\n# ${document.title}\n\n${document.text}`);
}

@app.workflow
export class ParallelAnalysisWorkflow extends Workflow<CombinedAnalysis> {
  @app.workflowRun
  async run(document: AnalysisDocument): Promise<WorkflowResult<CombinedAnalysis>> {
    if (typeof document?.title !== 'string' || typeof document.text !== 'string' || document.text.trim() === '') {
      throw WorkflowApplicationError.nonRetryable(`ParallelAnalysisWorkflow needs { title, text } with some text, got ${JSON.stringify(document)}`, 'InvalidInput');
    }

    // The three agents at once. If one fails for good, the workflow fails with its error.
    const [sentiment, keyPoints, risks] = await Promise.all([analyse('sentiment', document), analyse('keyPoints', document), analyse('risks', document)]);

    const report = [`# Analysis: ${document.title}`, '## Sentiment', sentiment, '## Key points', keyPoints, '## Risks', risks].join('\n\n');
    return new WorkflowResult({ value: { title: document.title, sentiment, keyPoints, risks, report } });
  }
}
