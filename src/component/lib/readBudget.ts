// What a maintenance step may still read, in documents and bytes. A step measures every
// document it reads (Convex's own size formula, getDocumentSize) and stops taking more once
// either budget is spent, so a step stays inside the transaction's read limits whatever the
// documents hold: a count alone can't, when one raw event may be ~20 KB and one busy rollup
// row carries a 16 KiB sketch.
import { getDocumentSize, type Value } from "convex/values";

export class ReadBudget {
  documents = 0;
  bytes = 0;
  constructor(
    readonly maxDocuments: number,
    readonly maxBytes: number,
  ) {}

  /** Counts a document read. */
  spend(doc: object) {
    this.documents++;
    this.bytes += getDocumentSize(doc as Record<string, Value>);
  }

  /** True once either budget is used up: read nothing more in this transaction. */
  get spent() {
    return this.documents >= this.maxDocuments || this.bytes >= this.maxBytes;
  }
}
