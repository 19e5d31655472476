import {
  BaseStore,
  type GetOperation,
  type ListNamespacesOperation,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchOperation,
  validateNamespace,
} from "@langchain/langgraph-checkpoint";
import type { ItemStore } from "./item-store.js";

/**
 * LangGraph's `BaseStore` over one user's items: what a node of that user's run gets from `getStore()` /
 * `config.store`. The owner is fixed at construction (from the run's user), so a graph reads and writes only
 * that user's memory whatever namespace it names.
 */
export class UserStore extends BaseStore {
  constructor(
    private readonly items: ItemStore,
    private readonly ownerId: string,
  ) {
    super();
  }

  /** Run the operations in order (LangGraph batches a step's store calls into one call). */
  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const results: unknown[] = [];
    for (const operation of operations) results.push(await this.apply(operation));
    return results as OperationResults<Op>;
  }

  /** `put` with LangGraph Platform's TTL option (minutes), as `PostgresStore.put` takes it. */
  override async put(namespace: string[], key: string, value: Record<string, unknown>, index?: false | string[], options?: { ttl?: number }): Promise<void> {
    validateNamespace(namespace);
    void index; // No vector index: every item is found by filter and text query alike.
    await this.items.put({ ownerId: this.ownerId, namespace, key, value, ttlMinutes: options?.ttl });
  }

  private apply(operation: Operation): Promise<unknown> {
    if ("namespacePrefix" in operation) return this.find(operation);
    if (!("key" in operation)) return this.list(operation);
    if ("value" in operation) return this.write(operation);
    return this.read(operation);
  }

  private read(operation: GetOperation): Promise<unknown> {
    return this.items.get({ ownerId: this.ownerId, namespace: operation.namespace, key: operation.key });
  }

  private async write(operation: PutOperation): Promise<void> {
    const address = { ownerId: this.ownerId, namespace: operation.namespace, key: operation.key };
    if (operation.value === null) return this.items.delete(address);
    // batch() is public: a put that did not come through put() is held to the same namespace rules.
    validateNamespace(operation.namespace);
    await this.items.put({ ...address, value: operation.value });
  }

  private find(operation: SearchOperation): Promise<unknown> {
    const { namespacePrefix, filter, query, limit, offset } = operation;
    return this.items.search({ ownerId: this.ownerId, namespacePrefix, filter, query, limit, offset });
  }

  private list(operation: ListNamespacesOperation): Promise<string[][]> {
    const conditions = operation.matchConditions ?? [];
    const prefix = conditions.find((condition) => condition.matchType === "prefix")?.path;
    const suffix = conditions.find((condition) => condition.matchType === "suffix")?.path;
    return this.items.listNamespaces({ ownerId: this.ownerId, prefix, suffix, maxDepth: operation.maxDepth, limit: operation.limit, offset: operation.offset });
  }
}
