/** Comment text: its limits and its cleaning; links are found by web/user-text.ts. */

export const MAX_COMMENT_LENGTH = 5000;
export const MAX_COMMENT_LINKS = 5;

/** Control characters other than newlines and tabs go; lines keep their breaks. */
export function cleanCommentText(value: string): string {
  return value.normalize("NFC").replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").trim();
}
