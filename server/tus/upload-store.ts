// What the service needs from the place tus keeps uploads, beyond @tus/server's
// DataStore: the tus routes, cleanup and the upload listing use only this, so the
// files on a (shared) volume and the objects in S3 look alike. Workers read an
// upload's bytes through an ImportSource (server/import/upload-import-sources.ts).
import type { DataStore } from '@tus/utils';

/** What the tus info of an upload records beyond the store's own fields. */
export interface UploadProtocolInfo {
  /** `Upload-Concat` as received at creation (`partial` or `final;…`). */
  concat?: string;
  /** `Upload-Metadata` exactly as received at creation. */
  rawMetadata?: string;
}

/** Protocol features a store may or may not be able to honour (announced in Tus-Extension). */
export interface StoreFeatures {
  /** checksum, checksum-trailer: a PATCH's bytes are verified before they count. */
  checksum: boolean;
  /** concatenation: a final upload is assembled from partial uploads. */
  concatenation: boolean;
}

export interface UploadStore extends DataStore {
  readonly features: StoreFeatures;
  /** The protocol headers recorded at creation, or undefined when the upload is unknown. */
  uploadInfo(id: string): Promise<UploadProtocolInfo | undefined>;
  /** Deletes the bytes and tus metadata only (expiry, retention, API deletion); rows are the caller's. */
  removeFiles(id: string): Promise<void>;
  /** Bytes an unfinished upload holds so far; 0 when it is unknown or gone. */
  receivedBytes(id: string): Promise<number>;
  /** Ids of every upload with something stored (orphan sweep). */
  listStoredIds(): Promise<Set<string>>;
  /** Oldest modification time (ms) among an upload's stored pieces; undefined when none is left. */
  oldestPieceChange(id: string): Promise<number | undefined>;
  /** Removes whatever pieces of an upload exist: an orphan may be only half there. */
  removeAllPieces(id: string): Promise<void>;
}
