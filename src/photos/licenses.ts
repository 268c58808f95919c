/**
 * The licences a member can put on a photo: all rights reserved, the six Creative Commons 4.0
 * licences, CC0 and the Public Domain Mark. Ids are stable (stored in photos.license and
 * users.default_license, used in URLs and the API); names and links are what pages show.
 */
export const LICENSES = [
  { id: "all-rights-reserved", name: "All rights reserved", url: null },
  { id: "cc-by-4.0", name: "Creative Commons Attribution 4.0", url: "https://creativecommons.org/licenses/by/4.0/" },
  { id: "cc-by-sa-4.0", name: "Creative Commons Attribution-ShareAlike 4.0", url: "https://creativecommons.org/licenses/by-sa/4.0/" },
  { id: "cc-by-nd-4.0", name: "Creative Commons Attribution-NoDerivatives 4.0", url: "https://creativecommons.org/licenses/by-nd/4.0/" },
  { id: "cc-by-nc-4.0", name: "Creative Commons Attribution-NonCommercial 4.0", url: "https://creativecommons.org/licenses/by-nc/4.0/" },
  { id: "cc-by-nc-sa-4.0", name: "Creative Commons Attribution-NonCommercial-ShareAlike 4.0", url: "https://creativecommons.org/licenses/by-nc-sa/4.0/" },
  { id: "cc-by-nc-nd-4.0", name: "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0", url: "https://creativecommons.org/licenses/by-nc-nd/4.0/" },
  { id: "cc0-1.0", name: "CC0 1.0: no rights reserved", url: "https://creativecommons.org/publicdomain/zero/1.0/" },
  { id: "pdm-1.0", name: "Public Domain Mark 1.0", url: "https://creativecommons.org/publicdomain/mark/1.0/" },
] as const;

export type LicenseId = (typeof LICENSES)[number]["id"];
export interface License {
  id: LicenseId;
  name: string;
  url: string | null;
}

export const LICENSE_IDS = LICENSES.map((l) => l.id) as LicenseId[];
export const DEFAULT_LICENSE: LicenseId = "all-rights-reserved";

export function isLicenseId(value: string): value is LicenseId {
  return (LICENSE_IDS as string[]).includes(value);
}

/** The licence of a stored id; an id this release does not know reads as all rights reserved, never as more permissive. */
export function licenseOf(id: string): License {
  return LICENSES.find((l) => l.id === id) ?? LICENSES[0];
}
