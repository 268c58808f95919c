/**
 * A small strict XML parser for tests: elements, attributes, text, CDATA, comments, the XML
 * declaration and the five named entities plus character references. It throws on anything
 * not well-formed (unbalanced tags, a bare "&" or "<", duplicate attributes, characters XML
 * 1.0 forbids), so a feed that parses here is well-formed.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function decode(raw: string, where: number): string {
  if (raw.includes("<")) throw new Error(`"<" in text or attribute at ${where}`);
  return raw.replace(/&([^;]*);|&/g, (match, ref: string | undefined) => {
    if (ref === undefined) throw new Error(`bare "&" at ${where}`);
    if (ref.startsWith("#x")) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const entity = ENTITIES[ref];
    if (entity === undefined) throw new Error(`unknown entity &${ref}; at ${where}`);
    return entity;
  });
}

export function parseXml(xml: string): XmlElement {
  if (FORBIDDEN.test(xml)) throw new Error("a character XML 1.0 forbids");
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(xml.slice(i))?.[0].length ?? 0;
      i += ws;
      if (xml.startsWith("<!--", i)) {
        const end = xml.indexOf("-->", i);
        if (end < 0) throw new Error("unclosed comment");
        i = end + 3;
      } else if (xml.startsWith("<?", i)) {
        const end = xml.indexOf("?>", i);
        if (end < 0) throw new Error("unclosed processing instruction");
        i = end + 2;
      } else return;
    }
  };
  skipMisc();
  while (i < xml.length) {
    if (stack.length === 0 && root) {
      skipMisc();
      if (i < xml.length) throw new Error(`content after the root element at ${i}`);
      break;
    }
    if (xml.startsWith("<!--", i)) {
      const end = xml.indexOf("-->", i);
      if (end < 0) throw new Error("unclosed comment");
      i = end + 3;
    } else if (xml.startsWith("<![CDATA[", i)) {
      const end = xml.indexOf("]]>", i);
      if (end < 0 || !stack.length) throw new Error("bad CDATA");
      stack[stack.length - 1]!.text += xml.slice(i + 9, end);
      i = end + 3;
    } else if (xml.startsWith("</", i)) {
      const name = NAME.exec(xml.slice(i + 2))?.[0];
      const open = stack.pop();
      if (!name || !open || open.name !== name) throw new Error(`</${name}> does not close <${open?.name}> at ${i}`);
      i += 2 + name.length;
      i += /^\s*/.exec(xml.slice(i))?.[0].length ?? 0;
      if (xml[i] !== ">") throw new Error(`bad end tag at ${i}`);
      i++;
    } else if (xml[i] === "<") {
      const name = NAME.exec(xml.slice(i + 1))?.[0];
      if (!name) throw new Error(`bad tag at ${i}`);
      i += 1 + name.length;
      const element: XmlElement = { name, attributes: {}, children: [], text: "" };
      for (;;) {
        const ws = /^\s*/.exec(xml.slice(i))?.[0].length ?? 0;
        i += ws;
        if (xml.startsWith("/>", i) || xml[i] === ">") break;
        if (ws === 0) throw new Error(`attributes need space between them at ${i}`);
        const attr = /^([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(xml.slice(i));
        if (!attr?.[1]) throw new Error(`bad attribute at ${i}`);
        if (attr[1] in element.attributes) throw new Error(`duplicate attribute ${attr[1]}`);
        element.attributes[attr[1]] = decode(attr[3] ?? attr[4] ?? "", i);
        i += attr[0].length;
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) throw new Error("two root elements");
      else root = element;
      if (xml.startsWith("/>", i)) i += 2;
      else {
        i++;
        stack.push(element);
      }
    } else {
      const end = xml.indexOf("<", i);
      const raw = xml.slice(i, end < 0 ? xml.length : end);
      if (!stack.length) {
        if (raw.trim()) throw new Error(`text outside the root element at ${i}`);
      } else stack[stack.length - 1]!.text += decode(raw, i);
      i += raw.length;
    }
  }
  if (!root || stack.length) throw new Error(`unclosed <${stack[stack.length - 1]?.name ?? "root"}>`);
  return root;
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

export function children(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}
