import type { AuditSink } from '../store/types.ts';
import type { AuditReader } from './types.ts';

/** One check read back through the store's audit query, scoped to the asking app. */
export function createAuditReader(sink: Pick<AuditSink, 'query'>): AuditReader {
  return {
    async find(appid, checkId) {
      const [record] = await sink.query({ appid, checkId, limit: 1 });
      return record?.appid === appid ? record : undefined;
    },
  };
}
