import { Readable } from "node:stream";
import FeedParser from "feedparser";
import { parseXml, type XmlElement } from "./xml.ts";

export interface ParsedFeed {
  meta: FeedParser.Meta;
  items: FeedParser.Item[];
  /** The same document through the strict parser: it throws unless the XML is well-formed (feedparser itself is lenient, as readers are). */
  document: XmlElement;
}

/** Parses a feed with feedparser (as readers do) and strictly, and fails on any error either finds. */
export async function parseFeed(xml: string): Promise<ParsedFeed> {
  const document = parseXml(xml);
  return new Promise((resolve, reject) => {
    const parser = new FeedParser({ addmeta: false });
    const items: FeedParser.Item[] = [];
    parser.on("error", reject);
    parser.on("readable", () => {
      for (let item = parser.read() as FeedParser.Item | null; item; item = parser.read() as FeedParser.Item | null) items.push(item);
    });
    parser.on("end", () => resolve({ meta: parser.meta, items, document }));
    Readable.from([xml]).pipe(parser);
  });
}
