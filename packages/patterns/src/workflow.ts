// `@mcp-agent/patterns/workflow`: the patterns, safe for Temporal's workflow sandbox (nothing here
// imports `node:*` or does I/O; every model, embedding and tool call is a task). Workflow code
// imports from here, or from `@mcp-agent/patterns`, which resolves here inside the sandbox.
export { isLlm, llmClassFor, llmFactoryOf, messageText, PatternLlm, textResult, toLlm } from './llm.js';
export type { AgentOrLlm, Llm, LlmChoice, LlmFactory, Message, StructuredOptions } from './llm.js';
export { createParallelLlm, ParallelLLM } from './parallel.js';
export type {
  FanInFunction,
  FanOutFailure,
  FanOutFunction,
  FanOutItem,
  FanOutResult,
  FanOutResults,
  FanOutSuccess,
  ParallelErrorPolicy,
  ParallelLlmOptions,
} from './parallel.js';
export { createEvaluatorOptimizerLlm, EvaluationSchema, EvaluatorOptimizerLLM, QUALITY_RATINGS, QualityRating, ratingRank } from './evaluator-optimizer.js';
export type { EvaluatedAttempt, Evaluation, EvaluatorOptimizerLlmOptions, EvaluatorOptimizerResult, EvaluatorOptimizerStopReason } from './evaluator-optimizer.js';
export { createSwarm, DoneAgent, Swarm, SwarmAgent, SwarmResult, swarmResult, transferTo } from './swarm.js';
export type { ContextVariables, SwarmAgentOptions, SwarmFunction, SwarmHandoff, SwarmInstruction, SwarmOptions, SwarmStopReason } from './swarm.js';
export { formatUsageTree } from './usage-format.js';
export { createOrchestrator, isPlanError, Orchestrator, PLAN_ERROR_TYPE, PlanError } from './orchestrator.js';
export type { OrchestratorOptions, OrchestratorOverrides, OrchestratorPhase, OrchestratorProgress, PlanType } from './orchestrator.js';
export { DEFAULT_PLANNER_INSTRUCTION, DEFAULT_SYNTHESIZER_INSTRUCTION } from './orchestrator-prompts.js';
export type {
  OrchestratorNextStep,
  OrchestratorPlan,
  OrchestratorStep,
  OrchestratorTask,
  PlanPromptInput,
  PlanRetryPromptInput,
  PlanResult,
  StepResult,
  SynthesizePromptInput,
  TaskPromptInput,
  TaskResult,
  WorkerInfo,
} from './orchestrator-prompts.js';
export { confidenceOf, createRouterEmbedding, createRouterLlm, DEFAULT_CONFIDENCE_THRESHOLDS, EmbeddingRouter, LLMRouter, Router } from './router.js';
export type {
  AgentRoute,
  Confidence,
  ConfidenceThresholds,
  EmbeddingRouterOptions,
  FunctionRoute,
  LlmRoute,
  LLMRouterOptions,
  RouteCategory,
  RouteResult,
  RouterCategories,
  RouterCategoryInfo,
  RouterFunction,
  RouterFunctionCategory,
  RouterServer,
  ServerRoute,
} from './router.js';
export { createIntentClassifierEmbedding, createIntentClassifierLlm, EmbeddingIntentClassifier, LLMIntentClassifier } from './intent-classifier.js';
export type {
  EmbeddingIntentClassification,
  EmbeddingIntentClassifierOptions,
  ExtractedEntity,
  Intent,
  LLMIntentClassification,
  LLMIntentClassifierOptions,
} from './intent-classifier.js';
export { createDeepOrchestrator, DeepOrchestrator } from './deep-orchestrator.js';
export type {
  DeepOrchestratorOptions,
  DeepOrchestratorPolicy,
  DeepOrchestratorProgress,
  DeepOrchestratorResult,
  DeepOrchestratorStopReason,
  DeepOrchestratorTaskInfo,
  PolicyDecision,
  PolicyState,
} from './deep-orchestrator.js';
export type { BudgetName, BudgetReport, DeepOrchestratorBudget } from './deep-orchestrator-budget.js';
export type { KnowledgeItem } from './deep-orchestrator-knowledge.js';
export { PlanSchema, verifyPlan } from './deep-orchestrator-plan.js';
export type { Plan, PlanStep, PlanTask } from './deep-orchestrator-plan.js';
export { DEFAULT_STEP_WORKFLOW, defineDeepOrchestratorStepWorkflow, runDeepOrchestratorStep } from './deep-orchestrator-step.js';
export type {
  DeepOrchestratorAgentSpec,
  DeepOrchestratorStepInput,
  DeepOrchestratorStepOptions,
  DeepOrchestratorStepOutput,
  DeepOrchestratorStepTask,
  WorkflowRegistrar,
} from './deep-orchestrator-step.js';
export type { StepOutcome, TaskOutcome } from './deep-orchestrator-prompts.js';
export {
  KNOWLEDGE_EXTRACTOR_INSTRUCTION as DEEP_KNOWLEDGE_EXTRACTOR_INSTRUCTION,
  PLANNER_INSTRUCTION as DEEP_PLANNER_INSTRUCTION,
  SYNTHESIZER_INSTRUCTION as DEEP_SYNTHESIZER_INSTRUCTION,
  VERIFIER_INSTRUCTION as DEEP_VERIFIER_INSTRUCTION,
} from './deep-orchestrator-prompts.js';
