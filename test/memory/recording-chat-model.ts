import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatGenerationChunk, ChatResult } from "@langchain/core/outputs";
import { FakeChatModel, type FakeChatModelOptions } from "../../src/models/fake-chat-model.js";

/** The scripted fake model, recording every prompt it receives (both the invoke and the streaming path). */
export class RecordingChatModel extends FakeChatModel {
  readonly prompts: BaseMessage[][] = [];

  private readonly llmType: string | undefined;

  constructor(options: FakeChatModelOptions & { llmType?: string } = {}) {
    super(options);
    this.llmType = options.llmType;
  }

  /** `threadline-fake` unless told otherwise (another type makes the runtime summarise with the model). */
  override _llmType(): string {
    // Called by the base constructor too, before this class's fields are set.
    return this.llmType ?? super._llmType();
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    this.prompts.push(messages);
    return super._generate(messages, options);
  }

  override async *_streamResponseChunks(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    this.prompts.push(messages);
    yield* super._streamResponseChunks(messages, options, runManager);
  }
}
