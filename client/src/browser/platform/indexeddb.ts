// A key-value store in one IndexedDB object store, as promises. The browser agent keeps its credential here
// (IndexedDB is reachable from the page and from workers, and survives reloads).
export class KeyValueDb {
  private db: Promise<IDBDatabase> | undefined;

  constructor(
    readonly databaseName: string,
    readonly storeName: string,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    const value = await this.run('readonly', (store) => store.get(key));
    return value as T | undefined;
  }

  async put(key: string, value: unknown): Promise<void> {
    await this.run('readwrite', (store) => store.put(value, key));
  }

  async delete(key: string): Promise<void> {
    await this.run('readwrite', (store) => store.delete(key));
  }

  private async run(mode: IDBTransactionMode, operation: (store: IDBObjectStore) => IDBRequest): Promise<unknown> {
    const db = await this.open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(this.storeName, mode);
      const request = operation(transaction.objectStore(this.storeName));
      // Resolve when the transaction commits, so a write is durable before the caller goes on.
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? request.error);
      transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    });
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(this.databaseName, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(this.storeName);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error(`cannot open IndexedDB ${this.databaseName}`));
    }).catch((error: unknown) => {
      this.db = undefined;
      throw error;
    });
    return this.db;
  }
}
