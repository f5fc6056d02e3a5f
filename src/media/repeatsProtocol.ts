/** Messages between the page and the repeats worker (repeatsWorker.ts). */
import type { NamedBlob } from './duplicates';

export interface RepeatsRequest {
  id: number;
  incoming: NamedBlob[];
  existing: NamedBlob[];
}

export type RepeatsReply =
  | { id: number; ok: true; uniqueIndices: number[]; duplicates: { name: string; sameAs: string }[] }
  | { id: number; ok: false; message: string };
