/**
 * `type` of a blob or write whose value refers to stored messages. Its body is one line of JSON ranges of refs,
 * a newline, then the value's template as the serializer wrote it (empty when the value is the list itself).
 */
export const MESSAGE_REFS_TYPE = "threadline_refs";
