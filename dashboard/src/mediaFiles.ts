// The page's media files (images of media panels and table cells): fetched with the API key,
// shown through object URLs, one fetch per digest, revoked when no panel shows them any more.

import { fetchMediaFile } from './api';
import { ObjectUrlCache, UrlLease } from './lib/objectUrls';

export const mediaFiles = new ObjectUrlCache({
  fetch: (source) => fetchMediaFile(source),
  create: (blob) => URL.createObjectURL(blob),
  revoke: (url) => URL.revokeObjectURL(url),
});

/** A holder of files for one drawing: release it when the drawing is replaced or goes. */
export function newLease(): UrlLease {
  return new UrlLease(mediaFiles);
}
