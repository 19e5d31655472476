import { deflateRawSync, inflateRawSync } from "node:zlib";

/** `type` of a message row compressed with `DICTIONARY_V1` (raw deflate of the serializer's JSON). */
export const COMPRESSED_JSON_TYPE = "json+deflate1";

/** Rows shorter than this stay as they are (the deflate header and dictionary gain nothing). */
const MIN_COMPRESSED_BYTES = 96;

/**
 * A preset deflate dictionary: the skeleton LangChain's serializer writes around every message, so a stored
 * message costs about its compressed text rather than ~350 bytes of boilerplate plus its text (measured on the
 * benchmark's conversation: 520 → 159 bytes per message). Never change it: rows written with it are read with it;
 * a different dictionary needs a new type name.
 */
const DICTIONARY_V1 = Buffer.from(
  [
    '{"lc":1,"type":"constructor","id":["langchain_core","messages","ToolMessage"],"kwargs":{"content":"","tool_call_id":"call_","name":"","status":"success","artifact":',
    '"additional_kwargs":{},"response_metadata":{},"id":"run-","tool_call_chunks":[],"invalid_tool_calls":[],"type":"tool_call"}',
    '{"lc":1,"type":"constructor","id":["langchain_core","messages","SystemMessage"],"kwargs":{"content":"","additional_kwargs":{},"response_metadata":{},"id":"',
    '{"lc":1,"type":"constructor","id":["langchain_core","messages","AIMessage"],"kwargs":{"id":"',
    '","name":{"lc":2,"type":"undefined"},"content":"","additional_kwargs":{},"response_metadata":{"model_name":"","finish_reason":"stop"},',
    '"tool_calls":[{"name":"","args":{},"id":"call_","type":"tool_call"}],"invalid_tool_calls":[],',
    '"usage_metadata":{"input_tokens":0,"output_tokens":0,"total_tokens":0,"input_token_details":{},"output_token_details":{}}}}',
    '{"lc":1,"type":"constructor","id":["langchain_core","messages","HumanMessage"],"kwargs":{"id":"user-","content":"","additional_kwargs":{},"response_metadata":{}}}',
  ].join(""),
);

/** Compress a serialized message row when it is JSON and long enough to gain. */
export function compressRow(type: string, bytes: Uint8Array): [string, Buffer] {
  const buffer = Buffer.from(bytes);
  if (type !== "json" || buffer.length < MIN_COMPRESSED_BYTES) return [type, buffer];
  const compressed = deflateRawSync(buffer, { dictionary: DICTIONARY_V1 });
  return compressed.length < buffer.length ? [COMPRESSED_JSON_TYPE, compressed] : [type, buffer];
}

/** The serializer's type and bytes of a stored row. */
export function decompressRow(type: string, bytes: Buffer): [string, Buffer] {
  return type === COMPRESSED_JSON_TYPE ? ["json", inflateRawSync(bytes, { dictionary: DICTIONARY_V1 })] : [type, bytes];
}
