/**
 * Pinhole's export format, version 1: one zip per member.
 *
 *   README.txt              what follows, for people
 *   account.json            AccountFile
 *   photos/<id>.json        PhotoFile, one per photo (private and hidden ones too)
 *   originals/<id>.<ext>    the original file as uploaded, byte for byte (stored, not compressed)
 *   contacts.json           ContactsFile
 *   faves.json              FavesFile
 *   albums.json             AlbumsFile (empty while this server has no albums)
 *
 * JSON files are deflated; originals are stored as they are (they are compressed already).
 * Times are ISO 8601 UTC instants, except `takenAt`, the camera's own local time as stored.
 * Readers must ignore fields they do not know; a new major version changes `formatVersion`.
 */
export const EXPORT_FORMAT = "pinhole-export";
export const EXPORT_FORMAT_VERSION = 1;

export interface AccountFile {
  format: typeof EXPORT_FORMAT;
  formatVersion: number;
  /** The site the export was made on: with a photo id, it names the photo (faves, imports). */
  instance: string;
  exportedAt: string;
  username: string;
  email: string;
  createdAt: string;
  isPro: boolean;
  showsRestricted: boolean;
  notePermission: string;
  webmentionPolicy: string;
  photoDefaults: { license: string; downloadAllowed: boolean; locationVisibility: string };
}

export interface RemarkFile {
  /** The author's username on `instance`; for one imported there, the name the source gave. */
  author: string;
  /** True when the comment or note came to `instance` by an import and `author` is the source's name. */
  imported: boolean;
  text: string;
  createdAt: string;
}

export interface PhotoFile {
  formatVersion: number;
  id: string;
  pageUrl: string;
  title: string;
  description: string;
  /** As the member typed them. */
  tags: string[];
  visibility: string;
  restricted: boolean;
  /** Hidden by a moderator of `instance`. */
  hidden: boolean;
  license: string;
  downloadAllowed: boolean;
  takenAt: string | null;
  takenAtOffset: string | null;
  uploadedAt: string;
  camera: { make: string | null; model: string | null; lens: string | null };
  exposure: { time: string | null; seconds: number | null; fNumber: number | null; iso: number | null; focalLength: number | null; focalLength35mm: number | null };
  location: { latitude: number; longitude: number; altitude: number | null; visibility: string } | null;
  width: number;
  height: number;
  originalName: string;
  originalFormat: string;
  originalBytes: number;
  sha256: string;
  /** The original's path in the zip. */
  original: string;
  comments: Array<RemarkFile & { hidden: boolean }>;
  notes: Array<RemarkFile & { x: number; y: number; width: number; height: number }>;
}

export interface ContactsFile {
  contacts: Array<{ username: string; friend: boolean; family: boolean; since: string }>;
}

export interface FavesFile {
  faves: Array<{ photoId: string; owner: string; pageUrl: string; favedAt: string }>;
}

export interface AlbumsFile {
  albums: Array<{ id: string; title: string; description: string; coverPhotoId: string | null; photoIds: string[] }>;
}

export const EXTENSIONS: Record<string, string> = { jpeg: "jpg", png: "png", gif: "gif", webp: "webp", avif: "avif", heif: "heic", tiff: "tif" };

export function readme(account: { username: string; instance: string; exportedAt: string }): string {
  return `Pinhole export of ${account.username} from ${account.instance}, made ${account.exportedAt}
Format: ${EXPORT_FORMAT} version ${EXPORT_FORMAT_VERSION}

account.json          your account: username, e-mail, when you joined, your defaults for new photos
photos/<id>.json      one file per photo: title, description, tags, who may see it, licence,
                      date taken, camera, location and who may see it, comments and notes
originals/<id>.<ext>  each photo's original file, exactly as you uploaded it
contacts.json         your contacts, and whether each is a friend or family
faves.json            the photos you faved, with their owners and page addresses
albums.json           your albums and the photos in each

Every photo is here, private ones included. Import this zip into any Pinhole at
/imports (Settings → Import photos) to move there with your photos intact.
`;
}
