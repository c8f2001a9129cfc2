import type { OperatorAction, OperatorRecord, OperatorStore } from './types.ts';

/** The operators and their actions of a memory store. */
export function memoryOperators(): OperatorStore {
  const operators = new Map<string, OperatorRecord>();
  const log: OperatorAction[] = [];
  return {
    async add(o) {
      if (operators.has(o.name)) return false;
      operators.set(o.name, { ...o });
      return true;
    },
    async get(name) {
      const o = operators.get(name);
      return o && { ...o };
    },
    async list() {
      return [...operators.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((o) => ({ ...o }));
    },
    async remove(name) {
      return operators.delete(name);
    },
    async setPassword(name, passwordHash) {
      const o = operators.get(name);
      if (!o) return false;
      o.passwordHash = passwordHash;
      return true;
    },
    async record(a) {
      log.push(structuredClone(a));
    },
    async actions({ operator, action, limit }) {
      return log
        .filter((a) => (operator === undefined || a.operator === operator) && (action === undefined || a.action === action))
        .reverse()
        .slice(0, limit)
        .map((a) => structuredClone(a));
    },
  };
}
