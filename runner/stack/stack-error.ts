/** A part of the stack (PostgreSQL, Redis, ClickHouse, Kafka) is missing or unreachable. */
export class StackError extends Error {
  override readonly name = 'StackError';
}
