/** What a source page says about itself and where it links, read without running it. */
export interface SourcePage {
  links: Set<string>;
  title: string;
  authorName: string | null;
  authorUrl: string | null;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (match, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "";
    }
    return ENTITIES[ref.toLowerCase()] ?? match;
  });
}

function clean(text: string, max: number): string {
  return decodeEntities(text.replace(/<[^>]*>/g, " "))
    .replace(/[\u0000-\u001f\u007f]/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, max);
}

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*("([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/g)) {
    const name = m[1]!.toLowerCase();
    if (!found.has(name)) found.set(name, decodeEntities(m[3] ?? m[4] ?? m[5] ?? ""));
  }
  return found;
}

function absolute(href: string, base: string): string | null {
  try {
    const url = new URL(href.trim(), base);
    url.hash = "";
    return url.toString();
  } catch {
    return null;
  }
}

/** Reads an HTML page's links (a, img, link, area, iframe), its title and its author, if it names one. */
export function readSourcePage(body: string, pageUrl: string): SourcePage {
  const html = body.replace(/<!--[\s\S]*?-->/g, "").replace(/<script\b[\s\S]*?<\/script>/gi, "").replace(/<style\b[\s\S]*?<\/style>/gi, "");
  const links = new Set<string>();
  let authorName: string | null = null;
  let authorUrl: string | null = null;
  let ogTitle: string | null = null;
  for (const m of html.matchAll(/<(a|img|link|area|iframe|meta|source)\b[^>]*>/gi)) {
    const tag = m[1]!.toLowerCase();
    const attrs = attributes(m[0]);
    for (const name of ["href", "src"]) {
      const value = attrs.get(name);
      const url = value ? absolute(value, pageUrl) : null;
      if (url) links.add(url);
    }
    if (tag === "meta") {
      const key = (attrs.get("name") ?? attrs.get("property") ?? "").toLowerCase();
      if (key === "author" && attrs.get("content")) authorName ??= clean(attrs.get("content")!, 100);
      if (key === "og:title" && attrs.get("content")) ogTitle ??= clean(attrs.get("content")!, 200);
    }
    if ((tag === "a" || tag === "link") && (attrs.get("rel") ?? "").split(/\s+/).includes("author") && attrs.get("href")) authorUrl ??= absolute(attrs.get("href")!, pageUrl);
  }
  const titleTag = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const title = ogTitle || (titleTag ? clean(titleTag, 200) : "") || new URL(pageUrl).host;
  return { links, title, authorName, authorUrl };
}

/** Whether the page links to the target: the same URL, ignoring a fragment and a trailing slash. */
export function linksTo(page: SourcePage, target: string): boolean {
  const wanted = absolute(target, target);
  if (!wanted) return false;
  const bare = (u: string) => u.replace(/\/$/, "");
  for (const link of page.links) if (bare(link) === bare(wanted)) return true;
  return false;
}
